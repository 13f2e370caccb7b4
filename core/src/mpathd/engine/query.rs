//! Building the operator's [`Status`] from the engine's state.

use std::time::Duration;

use crate::link::LinkState;
use crate::mpathd::group::MemberState;
use crate::probe::{TargetKind, TargetState, Verdict};

use super::iface::{Iface, Path};
use super::machine::Engine;
use mpath_proto::mpathd::{
    AddressStatus, GroupStatus, InterfaceStatus, PathInfo, ProbeCounters,
    Status, TargetStatus,
};

fn micros(d: Option<Duration>) -> Option<u64> {
    d.map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn verdict_word(p: &Path) -> &'static str {
    match p.detector.as_ref().map(|d| d.verdict()) {
        None => "disabled",
        Some(Verdict::Ok) => "ok",
        Some(Verdict::Failed) => "failed",
        Some(Verdict::NoTargets) => "unknown",
    }
}

fn kind_word(k: TargetKind) -> &'static str {
    match k {
        TargetKind::Router => "router",
        TargetKind::Host => "host",
        TargetKind::Explicit => "explicit",
    }
}

fn state_word(s: TargetState) -> &'static str {
    match s {
        TargetState::Active => "active",
        TargetState::Unused => "unused",
        TargetState::Slow => "slow",
        TargetState::Dead => "dead",
    }
}

fn path_info(p: &Path) -> PathInfo {
    let targets: Vec<TargetStatus> = p
        .detector
        .as_ref()
        .map(|d| d.targets())
        .unwrap_or_default()
        .into_iter()
        .map(|t| TargetStatus {
            address: t.addr.to_string(),
            kind: kind_word(t.kind).to_string(),
            state: state_word(t.state).to_string(),
            rtt_avg_us: micros(t.rtt_avg),
            rtt_dev_us: micros(t.rtt_dev),
        })
        .collect();
    // ipmpstat -t MODE: how targets are found.
    let mode = match &p.detector {
        None => "disabled",
        Some(_) if targets.iter().any(|t| t.kind == "explicit") => "explicit",
        Some(_) if targets.iter().any(|t| t.kind == "router") => "routes",
        Some(_) => "multicast",
    };
    PathInfo {
        family: p.family.inet().to_string(),
        mode: mode.to_string(),
        test_address: p.src.map(|a| a.to_string()),
        verdict: verdict_word(p).to_string(),
        fdt_ms: p.detector.as_ref().map(|d| millis(d.fdt())),
        targets,
        probes: probe_counters(p),
    }
}

/// The path's failure-detection probes, in the shape that only grows
/// (see [`crate::probe::Counters::timed_out`]).
fn probe_counters(p: &Path) -> ProbeCounters {
    let c = p.counters();
    ProbeCounters {
        sent: c.sent,
        answered: c.answered_in_time(),
        lost: c.timed_out(),
        late: c.late,
    }
}

fn link_word(i: &Iface) -> &'static str {
    if i.kernel.is_none() {
        return "down";
    }
    match i.link.state() {
        LinkState::Up => "up",
        LinkState::Down => "down",
        LinkState::Unknown => "unknown",
    }
}

/// ipmpstat -i PROBE: `ok` if any path works, `failed` if every capable
/// path failed, `unknown` if probing has no targets, `disabled` without a
/// test address.
fn probe_word(i: &Iface) -> &'static str {
    let words: Vec<&str> = i.paths.iter().map(verdict_word).collect();
    if words.contains(&"ok") {
        "ok"
    } else if words.contains(&"failed") {
        "failed"
    } else if words.contains(&"unknown") {
        "unknown"
    } else {
        "disabled"
    }
}

impl Engine {
    /// The whole state, self-consistent.
    pub fn status(&self) -> Status {
        self.status_with(true)
    }

    /// [`Engine::status`] without each member's probe paths (`paths`
    /// empty): what ipmpstat's `-i`, `-g` and `-a` show, at a fraction
    /// of the size.
    pub fn status_brief(&self) -> Status {
        self.status_with(false)
    }

    fn status_with(&self, paths: bool) -> Status {
        let mut st = Status::default();
        for (gi, g) in self.groups.iter().enumerate() {
            let mut gs = GroupStatus {
                name: g.name().to_string(),
                state: g.state().as_str().to_string(),
                fdt_ms: None,
                failback: g.failback(),
                active: Vec::new(),
                inactive: Vec::new(),
                unusable: Vec::new(),
                counters: self.tally.group(g.name()),
            };
            for m in g.members() {
                let list = if m.is_active() {
                    &mut gs.active
                } else if m.state.is_functioning() {
                    &mut gs.inactive
                } else {
                    &mut gs.unusable
                };
                list.push(m.name.clone());
            }
            gs.fdt_ms = self.index.members[gi]
                .iter()
                .flat_map(|&i| self.ifaces[i].paths.iter())
                .filter_map(|p| p.detector.as_ref().map(|d| millis(d.fdt())))
                .max();
            for (addr, home, host) in g.addresses() {
                let up = host
                    .and_then(|h| g.member(h))
                    .is_some_and(|m| m.state.is_functioning());
                st.addresses.push(AddressStatus {
                    address: addr.to_string(),
                    group: g.name().to_string(),
                    home: home.to_string(),
                    host: host.map(str::to_string),
                    state: if up { "up" } else { "down" }.to_string(),
                });
            }
            st.groups.push(gs);
        }
        for (k, i) in self.ifaces.iter().enumerate() {
            let g = self.index.group_of[k].map(|g| &self.groups[g]);
            let m = g.and_then(|g| g.member(&i.name));
            let state = m.map(|m| m.state).unwrap_or(MemberState::Missing);
            st.interfaces.push(InterfaceStatus {
                name: i.name.clone(),
                group: i.group.clone(),
                present: i.kernel.is_some(),
                active: m.is_some_and(|m| m.is_active()),
                inactive: m.is_some_and(|m| m.inactive),
                standby: m.is_some_and(|m| m.standby),
                offline: state == MemberState::Offline,
                failed: matches!(
                    state,
                    MemberState::Failed | MemberState::Missing
                ),
                link: link_word(i).to_string(),
                probe: probe_word(i).to_string(),
                state: state.as_str().to_string(),
                paths: if paths {
                    i.paths.iter().map(path_info).collect()
                } else {
                    Vec::new()
                },
                hosted: g
                    .map(|g| g.hosted_by(&i.name))
                    .unwrap_or_default()
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                counters: self.tally.member(&i.name),
            });
        }
        st
    }
}
