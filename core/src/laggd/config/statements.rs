//! Statement dispatch, and the `track-group` and `redundancy` statements
//! with the checks that need only their own line.
//!
//! A line with any error is kept as *broken*: its names still count for
//! the cross-line checks (so a duplicate is not missed and a reference to
//! it draws no follow-on error), but nothing else of it is used.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::laggd::redundancy::{Track, TrackEffect};

use super::lagg_stmt::lagg;
use super::model::{
    Effector, LaggConfig, RedundancyGroupConf, TrackingGroupConf,
    UpstreamHealth, Vhid,
};
use super::tunables::KEYS;
use super::words::{
    check_interface, check_name, Reader, LAGG_OPTIONS, REDUNDANCY_OPTIONS,
    STATEMENTS, TRACK_OPTIONS,
};
use crate::syntax::{did_you_mean, Sink};

/// One statement; the flag is false for a broken line.
#[derive(Debug)]
pub(super) enum Stmt {
    Lagg(LaggConfig, bool),
    Track(TrackingGroupConf, bool),
    Redundancy(RedundancyGroupConf, bool),
}

/// Largest `delay` and `reload` (seconds).
const MAX_SECONDS: u64 = u32::MAX as u64;

/// Parses one statement line (not a tunable).
pub(super) fn read(line: usize, text: &str, sink: &mut Sink) -> Option<Stmt> {
    let mut words = text.split_whitespace();
    let keyword = words.next()?;
    let rest: Vec<&str> = words.collect();
    match keyword {
        "lagg" => {
            let mut r = Reader::new(line, "lagg", LAGG_OPTIONS, rest);
            lagg(&mut r, sink).map(|(c, ok)| Stmt::Lagg(c, ok))
        }
        "track-group" => {
            let mut r = Reader::new(line, "track-group", TRACK_OPTIONS, rest);
            track_group(&mut r, sink).map(|(c, ok)| Stmt::Track(c, ok))
        }
        "redundancy" => {
            let mut r =
                Reader::new(line, "redundancy", REDUNDANCY_OPTIONS, rest);
            redundancy(&mut r, sink).map(|(c, ok)| Stmt::Redundancy(c, ok))
        }
        _ => {
            unknown_keyword(line, keyword, &rest, sink);
            None
        }
    }
}

fn unknown_keyword(line: usize, keyword: &str, rest: &[&str], sink: &mut Sink) {
    let tunable = KEYS.iter().find(|k| k.eq_ignore_ascii_case(keyword));
    let msg = match tunable {
        Some(k) if rest.first().is_some_and(|r| r.starts_with('=')) => {
            format!(
                "unknown keyword `{keyword}`; tunables are written \
                 `{k}=VALUE`, with no space before `=`"
            )
        }
        _ => format!(
            "unknown keyword `{keyword}`{}",
            did_you_mean(keyword, &STATEMENTS)
        ),
    };
    sink.error(line, msg);
}

/// `track-group NAME upstream IF... [downstream IF...] [health link|probe]
/// [disabled]`
fn track_group(
    r: &mut Reader<'_>,
    sink: &mut Sink,
) -> Option<(TrackingGroupConf, bool)> {
    let before = sink.errors();
    let line = r.line;
    let name = r.name("a group name", sink)?;
    check_name(line, name, "track-group", sink);
    let mut g = TrackingGroupConf {
        name: name.to_string(),
        upstream: Vec::new(),
        downstream: Vec::new(),
        health: UpstreamHealth::Link,
        enabled: true,
        line,
    };
    while let Some(opt) = r.next() {
        match opt {
            "upstream" | "downstream" => {
                let up = opt == "upstream";
                r.once(opt, sink);
                let names = r.names();
                if names.is_empty() {
                    sink.error(
                        line,
                        format!("`{opt}` needs at least one interface name"),
                    );
                }
                let list = if up {
                    &mut g.upstream
                } else {
                    &mut g.downstream
                };
                for n in names {
                    if !check_interface(line, n, sink) {
                        continue;
                    }
                    if list.iter().any(|x| x == n) {
                        sink.error(line, format!("`{n}` is listed twice"));
                    } else {
                        list.push(n.to_string());
                    }
                }
            }
            "health" => {
                r.once("health", sink);
                match r.value(opt, "`link` or `probe`", sink) {
                    Some("link") => g.health = UpstreamHealth::Link,
                    Some("probe") => g.health = UpstreamHealth::Probe,
                    Some(x) => sink.error(
                        line,
                        format!("bad health `{x}`: use `link` or `probe`"),
                    ),
                    None => {}
                }
            }
            "disabled" => {
                r.once("disabled", sink);
                g.enabled = false;
            }
            _ => r.unknown(opt, sink),
        }
    }
    if sink.errors() == before && !r.given("upstream") {
        sink.error(
            line,
            format!("track-group `{name}` needs `upstream` interfaces"),
        );
    }
    Some((g, sink.errors() == before))
}

/// `redundancy NAME priority N [failover-threshold N] [preempt [on|off]]
/// [track OBJECT decrement N|shutdown]... [delay S] [reload S]
/// [carp [vhid N on IFNAME]...|keepalived FILE [vip ADDRESS]]`
fn redundancy(
    r: &mut Reader<'_>,
    sink: &mut Sink,
) -> Option<(RedundancyGroupConf, bool)> {
    let before = sink.errors();
    let line = r.line;
    let name = r.name("a group name", sink)?;
    check_name(line, name, "redundancy group", sink);
    let mut g = RedundancyGroupConf {
        name: name.to_string(),
        priority: 0,
        failover_threshold: 0,
        preempt: false,
        tracks: Vec::new(),
        delay: Duration::ZERO,
        reload_delay: Duration::ZERO,
        effector: None,
        line,
    };
    while let Some(opt) = r.next() {
        match opt {
            "priority" => {
                r.once("priority", sink);
                if let Some(n) = r.number(opt, 1, 255, sink) {
                    g.priority = n as u8;
                }
            }
            "failover-threshold" => {
                r.once("failover-threshold", sink);
                if let Some(n) = r.number(opt, 0, 255, sink) {
                    g.failover_threshold = n as u8;
                }
            }
            "preempt" => {
                r.once("preempt", sink);
                g.preempt = r.peek() != Some("off");
                if matches!(r.peek(), Some("on" | "off")) {
                    r.next();
                }
            }
            "track" => track(r, &mut g, sink),
            "decrement" | "shutdown" => {
                sink.error(line, format!("`{opt}` must follow `track OBJECT`"));
                if opt == "decrement" {
                    r.number(opt, 1, 255, sink);
                }
            }
            "delay" | "reload" => {
                let delay = opt == "delay";
                r.once(opt, sink);
                if let Some(s) = r.number(opt, 0, MAX_SECONDS, sink) {
                    let d = Duration::from_secs(s);
                    if delay {
                        g.delay = d;
                    } else {
                        g.reload_delay = d;
                    }
                }
            }
            "carp" => {
                let vhids = carp_vhids(r, sink);
                effector(r, &mut g, "carp", Some(Effector::Carp(vhids)), sink);
            }
            "keepalived" => {
                let file = r.value(opt, "a track file", sink).and_then(|f| {
                    keepalived_file(line, f, sink).map(|file| {
                        Effector::Keepalived {
                            file,
                            vip: keepalived_vip(r, sink),
                        }
                    })
                });
                effector(r, &mut g, "keepalived", file, sink);
            }
            "vhid" | "vip" => {
                let after = if opt == "vhid" {
                    "`carp`"
                } else {
                    "`keepalived FILE`"
                };
                sink.error(line, format!("`{opt}` must follow {after}"));
                r.next();
                if opt == "vhid" && r.peek() == Some("on") {
                    r.next();
                    r.next();
                }
            }
            _ => r.unknown(opt, sink),
        }
    }
    if sink.errors() == before {
        line_checks(r, &g, sink);
    }
    Some((g, sink.errors() == before))
}

/// `track OBJECT decrement N` or `track OBJECT shutdown`.
fn track(r: &mut Reader<'_>, g: &mut RedundancyGroupConf, sink: &mut Sink) {
    let line = r.line;
    let Some(object) = r.value("track", "an object name", sink) else {
        return;
    };
    let named = check_name(line, object, "tracked object", sink);
    let effect = match r.peek() {
        Some("decrement") => {
            r.next();
            r.number("decrement", 1, 255, sink)
                .map(|n| TrackEffect::Decrement(n as u8))
        }
        Some("shutdown") => {
            r.next();
            Some(TrackEffect::Shutdown)
        }
        _ => {
            sink.error(
                line,
                format!("`track {object}` needs `decrement N` or `shutdown`"),
            );
            None
        }
    };
    let (Some(effect), true) = (effect, named) else {
        return;
    };
    if g.tracks.iter().any(|t| t.object == object) {
        sink.error(line, format!("`{object}` is tracked twice"));
        return;
    }
    g.tracks.push(Track {
        object: object.to_string(),
        effect,
    });
}

fn effector(
    r: &mut Reader<'_>,
    g: &mut RedundancyGroupConf,
    opt: &'static str,
    value: Option<Effector>,
    sink: &mut Sink,
) {
    let other = if opt == "carp" { "keepalived" } else { "carp" };
    if r.given(other) {
        sink.error(
            r.line,
            "give one of `carp` and `keepalived`, not both".to_string(),
        );
    }
    r.once(opt, sink);
    if value.is_some() {
        g.effector = value;
    }
}

/// keepalived's track file: an absolute path without `\`.
fn keepalived_file(
    line: usize,
    file: &str,
    sink: &mut Sink,
) -> Option<PathBuf> {
    if !file.starts_with('/') || file.contains('\\') {
        sink.error(
            line,
            format!(
                "keepalived track file `{file}` must be an absolute path \
                 (without `\\`)"
            ),
        );
        return None;
    }
    Some(PathBuf::from(file))
}

/// `vhid N on IFNAME`, as many as follow `carp`, each once.
fn carp_vhids(r: &mut Reader<'_>, sink: &mut Sink) -> Vec<Vhid> {
    let line = r.line;
    let mut vhids: Vec<Vhid> = Vec::new();
    while r.peek() == Some("vhid") {
        r.next();
        let vhid = r.number("vhid", 1, 255, sink);
        let interface = if r.peek() == Some("on") {
            r.next();
            r.value("vhid N on", "an interface name", sink)
                .filter(|i| check_interface(line, i, sink))
        } else {
            sink.error(line, "`vhid N` needs `on IFNAME`".to_string());
            None
        };
        let (Some(vhid), Some(interface)) = (vhid, interface) else {
            continue;
        };
        let v = Vhid {
            vhid: vhid as u8,
            interface: interface.to_string(),
        };
        if vhids.contains(&v) {
            sink.error(
                line,
                format!("`vhid {} on {}` given twice", v.vhid, v.interface),
            );
        } else {
            vhids.push(v);
        }
    }
    vhids
}

/// `vip ADDRESS` after `keepalived FILE`: the address keepalived holds
/// while master.
fn keepalived_vip(r: &mut Reader<'_>, sink: &mut Sink) -> Option<IpAddr> {
    if r.peek() != Some("vip") {
        return None;
    }
    r.next();
    let word = r.value("vip", "an address", sink)?;
    match word.parse::<IpAddr>() {
        Ok(a) if !a.is_unspecified() && !a.is_multicast() => Some(a),
        _ => {
            sink.error(
                r.line,
                format!(
                    "bad vip `{word}`: give the unicast address (without a \
                     prefix length) keepalived adds while master"
                ),
            );
            None
        }
    }
}

/// What a `redundancy` line must satisfy as a whole.
fn line_checks(r: &Reader<'_>, g: &RedundancyGroupConf, sink: &mut Sink) {
    let (line, name) = (g.line, &g.name);
    if !r.given("priority") {
        sink.error(
            line,
            format!("redundancy group `{name}` needs `priority` (1-255)"),
        );
        return;
    }
    if g.failover_threshold >= g.priority {
        sink.warn(
            line,
            format!(
                "failover-threshold {} is not below priority {}: redundancy \
                 group `{name}` is faulted from the start",
                g.failover_threshold, g.priority
            ),
        );
    }
    match &g.effector {
        None => sink.warn(
            line,
            format!(
                "redundancy group `{name}` has neither `carp` nor \
                 `keepalived FILE`: its priority is only logged"
            ),
        ),
        Some(e) if !g.preempt && !e.shows_role() => sink.warn(
            line,
            format!(
                "redundancy group `{name}` cannot see which chassis is \
                 active (give {}), so without `preempt` it cannot hold a \
                 recovered standby back: the HA engine preempts",
                match e {
                    Effector::Carp(_) => "`carp vhid N on IFNAME`",
                    Effector::Keepalived { .. } => "`vip ADDRESS`",
                }
            ),
        ),
        Some(_) => {}
    }
}
