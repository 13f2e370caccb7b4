//! The `lagg` statement, with the checks that need only its own line.

use std::net::IpAddr;
use std::time::Duration;

use crate::addr::Family;
use crate::laggd::aggregate::MinLinksAction;
use crate::probe::MIN_FDT;

use super::model::{LaggConfig, TargetRule, MAX_TARGETS};
use super::words::{check_interface, decimal, source, target, Reader};
use crate::syntax::Sink;

/// Largest `min-links` and `failure-threshold`.
const MAX_COUNT: u64 = 65_535;

/// Largest `failure-detection-time`, `up-delay` and `down-delay` (ms).
const MAX_MS: u64 = u32::MAX as u64;

/// Reads a `lagg` line; `None` when it names no aggregate. The flag is
/// false when the line had errors.
pub(super) fn lagg(
    r: &mut Reader<'_>,
    sink: &mut Sink,
) -> Option<(LaggConfig, bool)> {
    let before = sink.errors();
    let line = r.line;
    let name = r.name("an aggregate name", sink)?;
    check_interface(line, name, sink);
    let mut c = LaggConfig::new(name, line);
    while let Some(opt) = r.next() {
        match opt {
            "ports" => {
                r.once("ports", sink);
                ports(r, &mut c, sink);
            }
            "min-links" => {
                r.once("min-links", sink);
                if let Some(n) = r.number(opt, 0, MAX_COUNT, sink) {
                    c.min_links = n as usize;
                }
            }
            "action" => {
                r.once("action", sink);
                match r.value(opt, "`down` or `report`", sink) {
                    Some("down") => {
                        c.min_links_action = MinLinksAction::BringDown
                    }
                    Some("report") => {
                        c.min_links_action = MinLinksAction::Report
                    }
                    Some(x) => sink.error(
                        line,
                        format!("bad action `{x}`: use `down` or `report`"),
                    ),
                    None => {}
                }
            }
            "failure-threshold" | "link-failure-threshold" => {
                r.once("failure-threshold", sink);
                failure_threshold(r, opt, &mut c, sink);
            }
            "targets" => {
                r.once("targets", sink);
                targets(r, &mut c, sink);
            }
            "rule" => {
                r.once("rule", sink);
                rule(r, &mut c, sink);
            }
            "source" => {
                let Some(w) = r.value(opt, "an address", sink) else {
                    continue;
                };
                match source(line, w, sink) {
                    Some(IpAddr::V4(a)) if c.source_v4.is_none() => {
                        c.source_v4 = Some(a);
                    }
                    Some(IpAddr::V6(a)) if c.source_v6.is_none() => {
                        c.source_v6 = Some(a);
                    }
                    Some(a) => sink.error(
                        line,
                        format!(
                            "second {} `source` {a}: give at most one per \
                             family",
                            Family::of(a).name()
                        ),
                    ),
                    None => {}
                }
            }
            "failure-detection-time" => {
                r.once("failure-detection-time", sink);
                let min = MIN_FDT.as_millis() as u64;
                if let Some(ms) = r.number(opt, min, MAX_MS, sink) {
                    c.failure_detection_time = Some(Duration::from_millis(ms));
                }
            }
            "up-delay" | "down-delay" => {
                r.once(opt, sink);
                if let Some(ms) = r.number(opt, 0, MAX_MS, sink) {
                    let d = Duration::from_millis(ms);
                    if opt == "up-delay" {
                        c.up_delay = d;
                    } else {
                        c.down_delay = d;
                    }
                }
            }
            "damping" => {
                r.once("damping", sink);
                match r.value(opt, "`on` or `off`", sink) {
                    Some("on") => c.damping = true,
                    Some("off") => c.damping = false,
                    Some(x) => sink.error(
                        line,
                        format!("bad damping `{x}`: use `on` or `off`"),
                    ),
                    None => {}
                }
            }
            _ => r.unknown(opt, sink),
        }
    }
    if sink.errors() == before {
        line_checks(r, &c, sink);
    }
    let ok = sink.errors() == before;
    Some((c, ok))
}

/// `failure-threshold N|off`: FortiGate's `link-failure-threshold`,
/// whose default is 0 (one bad port already marks the aggregate);
/// `off` never marks it.
fn failure_threshold(
    r: &mut Reader<'_>,
    opt: &str,
    c: &mut LaggConfig,
    sink: &mut Sink,
) {
    let Some(w) = r.value(opt, "a number or `off`", sink) else {
        return;
    };
    c.link_failure_threshold = match (w, decimal(w)) {
        ("off", _) => None,
        (_, Some(n)) if n <= MAX_COUNT => Some(n as usize),
        _ => {
            sink.error(
                r.line,
                format!(
                    "`{opt}` must be `off` or a number from 0 to \
                     {MAX_COUNT}, not `{w}`"
                ),
            );
            return;
        }
    };
}

fn ports(r: &mut Reader<'_>, c: &mut LaggConfig, sink: &mut Sink) {
    let line = r.line;
    let names = r.names();
    if names.is_empty() {
        sink.error(line, "`ports` needs at least one interface name".into());
    }
    for p in names {
        if !check_interface(line, p, sink) {
            continue;
        }
        if p == c.name {
            sink.error(
                line,
                format!("aggregate `{p}` cannot be a port of itself"),
            );
        } else if c.ports.iter().any(|x| x == p) {
            sink.error(line, format!("port `{p}` is listed twice"));
        } else {
            c.ports.push(p.to_string());
        }
    }
}

/// The addresses after `targets`, up to the first word with no `.` or
/// `:` (which cannot be meant as an address and is left to the caller).
fn targets(r: &mut Reader<'_>, c: &mut LaggConfig, sink: &mut Sink) {
    let line = r.line;
    let words = r.list(|w| !w.contains(['.', ':']));
    if words.is_empty() {
        sink.error(line, "`targets` needs at least one address".into());
    }
    for w in words {
        if let Some(t) = target(line, w, sink) {
            if c.targets.contains(&t) {
                sink.error(line, format!("duplicate target {t}"));
            } else {
                c.targets.push(t);
            }
        }
    }
}

fn rule(r: &mut Reader<'_>, c: &mut LaggConfig, sink: &mut Sink) {
    let max = 2 * MAX_TARGETS;
    c.rule = match r.value("rule", "`any`, `all` or a number", sink) {
        Some("any") => TargetRule::Any,
        Some("all") => TargetRule::All,
        Some(w) => match decimal(w) {
            Some(n @ 1..) if n <= max as u64 => TargetRule::AtLeast(n as usize),
            _ => {
                sink.error(
                    r.line,
                    format!(
                        "bad rule `{w}`: use `any`, `all` or a number of \
                         targets from 1 to {max}"
                    ),
                );
                return;
            }
        },
        None => return,
    };
}

/// What a `lagg` line must satisfy as a whole.
fn line_checks(r: &Reader<'_>, c: &LaggConfig, sink: &mut Sink) {
    let line = c.line;
    let name = &c.name;
    let n = c.ports.len();
    if !r.given("ports") {
        sink.error(
            line,
            format!("aggregate `{name}` needs `ports` and at least one port"),
        );
        return;
    }
    if c.min_links > n {
        sink.error(
            line,
            format!(
                "min-links {} is more than the {n} ports of aggregate \
                 `{name}`: it could never be met",
                c.min_links
            ),
        );
    }
    if r.given("action") && c.min_links == 0 {
        sink.warn(line, "`action` has no effect without `min-links`".into());
    }
    if let Some(t) = c.link_failure_threshold.filter(|t| *t >= n) {
        sink.warn(
            line,
            format!(
                "failure-threshold {t} can never be exceeded: aggregate \
                 `{name}` has {n} ports"
            ),
        );
    }
    for family in [Family::V4, Family::V6] {
        let count = c.targets_of(family).count();
        if count > MAX_TARGETS {
            sink.error(
                line,
                format!(
                    "aggregate `{name}` has {count} {} targets; at most \
                     {MAX_TARGETS} are allowed",
                    family.name()
                ),
            );
        }
        match c.source(family) {
            Some(s) if c.targets.contains(&s) => {
                sink.error(line, format!("source {s} is also a target"));
            }
            Some(s) if count == 0 => sink.warn(
                line,
                format!(
                    "source {s} has no effect: aggregate `{name}` has no {} \
                     targets",
                    family.name()
                ),
            ),
            _ => {}
        }
    }
    let total = c.targets.len();
    for opt in ["rule", "failure-detection-time"] {
        if r.given(opt) && total == 0 {
            sink.warn(line, format!("`{opt}` has no effect without `targets`"));
        }
    }
    if let TargetRule::AtLeast(k) = c.rule {
        if total > 0 && k > total {
            sink.error(
                line,
                format!(
                    "rule {k} can never be met: aggregate `{name}` has {total} \
                     targets"
                ),
            );
        }
    }
}
