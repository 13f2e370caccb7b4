//! Checks across lines, and assembly of the [`LaggdConfig`].
//!
//! Order of lines does not matter: references may point forward. Each
//! error is reported on the line that has to change, naming the other
//! line involved. Broken lines (see [`Stmt`]) lend their names to these
//! checks and nothing else.

use std::collections::HashMap;

use crate::laggd::tracking::{Tracking, TrackingError, TrackingGroupConfig};

use super::model::{
    Effector, LaggConfig, LaggdConfig, LaggdTunables, RedundancyGroupConf,
    TrackingGroupConf, UpstreamHealth,
};
use super::statements::Stmt;
use super::words::is_interface_name;
use crate::syntax::{closest, Sink};

/// Every name a statement declared, good or broken, with its line.
#[derive(Debug, Default)]
struct Names {
    aggregates: HashMap<String, usize>,
    /// Port -> (aggregate, line).
    ports: HashMap<String, (String, usize)>,
    groups: HashMap<String, usize>,
    redundancy: HashMap<String, usize>,
}

/// Builds the configuration from the statements in file order, reporting
/// what does not fit together.
pub(super) fn build(
    tunables: LaggdTunables,
    stmts: Vec<Stmt>,
    sink: &mut Sink,
) -> LaggdConfig {
    let mut cfg = LaggdConfig {
        tunables,
        ..LaggdConfig::default()
    };
    let mut names = Names::default();
    let mut aggs: Vec<LaggConfig> = Vec::new();
    for stmt in stmts {
        match stmt {
            Stmt::Lagg(a, ok) => {
                if declare(
                    &mut names.aggregates,
                    "aggregate",
                    &a.name,
                    a.line,
                    sink,
                ) {
                    if ok {
                        cfg.aggregates.push(a.clone());
                    }
                    aggs.push(a);
                }
            }
            Stmt::Track(g, ok) => {
                let new = declare(
                    &mut names.groups,
                    "track-group",
                    &g.name,
                    g.line,
                    sink,
                );
                if new && ok {
                    cfg.tracking.push(g);
                }
            }
            Stmt::Redundancy(g, ok) => {
                let new = declare(
                    &mut names.redundancy,
                    "redundancy group",
                    &g.name,
                    g.line,
                    sink,
                );
                if new && ok {
                    cfg.redundancy.push(g);
                }
            }
        }
    }
    ports(&aggs, &mut names, sink);
    for g in &cfg.tracking {
        group_name(g, &names, sink);
        health(&cfg, g, &names, sink);
    }
    tracking(&cfg.tracking, &names, sink);
    let mut files: HashMap<&std::path::Path, (&str, usize)> = HashMap::new();
    let mut vhids: HashMap<(&str, u8), (&str, usize)> = HashMap::new();
    for g in &cfg.redundancy {
        objects(g, &names, sink);
        match &g.effector {
            Some(Effector::Keepalived { file, .. }) => {
                if let Some((other, l)) = files.get(file.as_path()) {
                    sink.error(
                        g.line,
                        format!(
                            "keepalived track file `{}` is already used by \
                             redundancy group `{other}` (line {l})",
                            file.display()
                        ),
                    );
                } else {
                    files.insert(file, (&g.name, g.line));
                }
            }
            Some(Effector::Carp(list)) => {
                for v in list {
                    let key = (v.interface.as_str(), v.vhid);
                    if let Some((other, l)) = vhids.get(&key) {
                        sink.error(
                            g.line,
                            format!(
                                "`vhid {} on {}` is already driven by \
                                 redundancy group `{other}` (line {l})",
                                v.vhid, v.interface
                            ),
                        );
                    } else {
                        vhids.insert(key, (&g.name, g.line));
                    }
                }
            }
            None => {}
        }
    }
    cfg
}

/// Records a statement's name; false (with an error) if already taken.
fn declare(
    lines: &mut HashMap<String, usize>,
    what: &str,
    name: &str,
    line: usize,
    sink: &mut Sink,
) -> bool {
    if let Some(first) = lines.get(name) {
        sink.error(
            line,
            format!("{what} `{name}` is already declared on line {first}"),
        );
        return false;
    }
    lines.insert(name.to_string(), line);
    true
}

/// A port belongs to one aggregate, and is not itself an aggregate.
fn ports(aggs: &[LaggConfig], names: &mut Names, sink: &mut Sink) {
    for a in aggs {
        for p in &a.ports {
            if let Some(l) = names.aggregates.get(p) {
                sink.error(
                    a.line,
                    format!(
                        "port `{p}` of aggregate `{}` is itself an aggregate \
                         (line {l})",
                        a.name
                    ),
                );
            } else if let Some((other, l)) = names.ports.get(p) {
                sink.error(
                    a.line,
                    format!(
                        "port `{p}` is already a port of aggregate `{other}` \
                         (line {l})"
                    ),
                );
            } else {
                names.ports.insert(p.clone(), (a.name.clone(), a.line));
            }
        }
    }
}

/// `track NAME` must mean one thing: a track-group may not share its
/// name with an aggregate or a port.
fn group_name(g: &TrackingGroupConf, names: &Names, sink: &mut Sink) {
    let clash = if let Some(l) = names.aggregates.get(&g.name) {
        Some(format!("aggregate `{}` (line {l})", g.name))
    } else {
        names
            .ports
            .get(&g.name)
            .map(|(a, l)| format!("a port of aggregate `{a}` (line {l})"))
    };
    if let Some(what) = clash {
        sink.error(
            g.line,
            format!(
                "track-group `{}` has the name of {what}: `track {}` would be \
                 ambiguous",
                g.name, g.name
            ),
        );
    }
}

/// Downstream ports, and upstream health by probe.
fn health(
    cfg: &LaggdConfig,
    g: &TrackingGroupConf,
    names: &Names,
    sink: &mut Sink,
) {
    for d in &g.downstream {
        if let Some((a, l)) = names.ports.get(d) {
            sink.error(
                g.line,
                format!(
                    "downstream `{d}` is a port of aggregate `{a}` (line \
                     {l}): make the aggregate downstream instead"
                ),
            );
        }
    }
    if g.health != UpstreamHealth::Probe {
        return;
    }
    for u in &g.upstream {
        let agg = match names.ports.get(u) {
            Some((a, _)) => a,
            None if names.aggregates.contains_key(u) => u,
            None => {
                sink.error(
                    g.line,
                    format!(
                        "`health probe`: upstream `{u}` is neither an \
                         aggregate nor a port, so laggd has no probe verdict \
                         for it"
                    ),
                );
                continue;
            }
        };
        if let Some(a) = cfg.aggregate(agg).filter(|a| a.targets.is_empty()) {
            sink.warn(
                g.line,
                format!(
                    "`health probe`: aggregate `{}` (line {}) has no \
                     targets, so the verdict for `{u}` is its link state",
                    a.name, a.line
                ),
            );
        }
    }
}

/// The seed's restrictions, as [`Tracking::new`] enforces them. It stops
/// at the first problem, so each group is added in turn and, after each
/// problem it reports, the interface at fault is dropped and the group
/// tried again: every problem is found, each on its group's line.
fn tracking(groups: &[TrackingGroupConf], names: &Names, sink: &mut Sink) {
    let mut accepted: Vec<TrackingGroupConfig> = Vec::new();
    for g in groups {
        let mut cand = g.to_tracking_config();
        let mut reported = false;
        loop {
            let mut all = accepted.clone();
            all.push(cand.clone());
            let msg = match Tracking::new(&all) {
                Ok(_) => {
                    accepted.push(cand);
                    break;
                }
                Err(TrackingError::NoUpstream(_)) if reported => break,
                Err(TrackingError::NoUpstream(n)) => {
                    sink.error(
                        g.line,
                        format!("track-group `{n}` has no upstream interface"),
                    );
                    break;
                }
                Err(TrackingError::BothRoles { iface, group }) => {
                    cand.downstream.retain(|d| *d != iface);
                    format!(
                        "`{iface}` is both upstream and downstream in \
                         track-group `{group}`"
                    )
                }
                Err(TrackingError::TwoGroups { iface, first, .. }) => {
                    cand.upstream.retain(|u| *u != iface);
                    cand.downstream.retain(|d| *d != iface);
                    let l = names.groups.get(&first).copied().unwrap_or(0);
                    format!(
                        "`{iface}` is already in track-group `{first}` (line \
                         {l}): an interface may be in one track-group only"
                    )
                }
            };
            sink.error(g.line, msg);
            reported = true;
        }
    }
}

/// Each tracked object names an aggregate, a port, a track-group or (if
/// none of these) an interface.
fn objects(g: &RedundancyGroupConf, names: &Names, sink: &mut Sink) {
    let mut known: Vec<&str> = Vec::new();
    known.extend(names.aggregates.keys().map(String::as_str));
    known.extend(names.ports.keys().map(String::as_str));
    known.extend(names.groups.keys().map(String::as_str));
    known.sort_unstable();
    for t in &g.tracks {
        let o = t.object.as_str();
        if known.binary_search(&o).is_ok() {
            continue;
        }
        if !is_interface_name(o) {
            sink.error(
                g.line,
                format!(
                    "tracked object `{o}` is not an aggregate, port or \
                     track-group, nor an interface name (1-15 characters, \
                     with a letter)"
                ),
            );
        } else if let Some(c) = closest(o, &known) {
            sink.warn(
                g.line,
                format!(
                    "tracked object `{o}` is not an aggregate, port or \
                     track-group, so it is tracked as an interface; did you \
                     mean `{c}`?"
                ),
            );
        }
    }
}
