//! laggd's part of the summary (`ifctl` alone): a line per aggregate and
//! a line per port with its state, its role and the reason for its
//! state, in the layout of mpathd's groups; then a line per link-state
//! tracking group and per redundancy group.
//!
//! ```text
//! bond0: degraded, laggproto failover, 1 of 2 ports live, min-links 1
//!   p0  failed   unusable  probes lost
//!   p1  ok       active    link up, probes answered
//! link state group uplinks: up, upstream bond0(Up), downstream d0(Up) d1(Dis)
//! redundancy group rg1: priority 90/120, threshold 80, not faulted, active
//! ```

use mpath_proto::laggd::{
    AggregateStatus, LaggStatus, RedundancyStatus, TrackedInterface,
    TrackingGroupStatus,
};

use super::words::{aggregate_state, cisco_state, role};

/// The summary, one string per line.
pub fn summary(st: &LaggStatus) -> Vec<String> {
    let name_width = st
        .aggregates
        .iter()
        .flat_map(|a| &a.ports)
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    for a in &st.aggregates {
        out.push(aggregate_line(a));
        for p in &a.ports {
            out.push(format!(
                "  {:<name_width$}  {:<7}  {:<8}  {}",
                p.name,
                p.state,
                role(a, p),
                p.reason
            ));
        }
    }
    out.extend(st.tracking.iter().map(tracking_line));
    out.extend(st.redundancy.iter().map(redundancy_line));
    out
}

fn aggregate_line(a: &AggregateStatus) -> String {
    let mut line = format!("{}: {}", a.name, aggregate_state(a));
    if let Some(p) = &a.protocol {
        line.push_str(&format!(", laggproto {p}"));
    }
    line.push_str(&format!(", {} of {} ports live", a.live, a.ports.len()));
    if a.min_links > 0 {
        line.push_str(&format!(", min-links {}", a.min_links));
    }
    for (on, what) in [
        (a.below_min_links, "below min-links"),
        (a.bad_score, "bad score"),
        (a.present && !a.admin_up, "down"),
        (!a.present, "not in the kernel"),
    ] {
        if on {
            line.push_str(", ");
            line.push_str(what);
        }
    }
    line
}

/// `bond0(Up) d1(Dis)`, or `none`.
pub fn interfaces(list: &[TrackedInterface]) -> String {
    if list.is_empty() {
        return "none".to_string();
    }
    let each: Vec<String> = list
        .iter()
        .map(|i| format!("{}({})", i.name, cisco_state(&i.state)))
        .collect();
    each.join(" ")
}

fn tracking_line(g: &TrackingGroupStatus) -> String {
    format!(
        "link state group {}: {}, upstream {}, downstream {}",
        g.name,
        g.state,
        interfaces(&g.upstream),
        interfaces(&g.downstream)
    )
}

/// The priorities and the fault, then what the operator most needs to
/// know beyond: this chassis's role, a switchover, a hold.
fn redundancy_line(g: &RedundancyStatus) -> String {
    let mut line = format!(
        "redundancy group {}: priority {}/{}, threshold {}, {}",
        g.name,
        g.current_priority,
        g.priority,
        g.failover_threshold,
        if g.faulted { "faulted" } else { "not faulted" }
    );
    if g.role == "active" || g.role == "standby" {
        line.push_str(&format!(", {}", g.role));
    }
    if g.switchover {
        line.push_str(", switched over");
    } else if g.held {
        line.push_str(", held (no preempt)");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::lagg::lagg_status;

    #[test]
    fn aggregates_ports_and_groups() {
        assert_eq!(
            summary(&lagg_status()),
            [
                "bond0: degraded, laggproto failover, 1 of 2 ports live, min-links 1",
                "  p0  failed   unusable  probes lost",
                "  p1  ok       active    link up, probes answered",
                "lagg1: ok, laggproto lacp, 2 of 2 ports live",
                "  p2  ok       active    link up",
                "  p3  ok       active    link up",
                "bond1: failed, 0 of 1 ports live, min-links 2, below min-links, \
                 bad score, not in the kernel",
                "  p4  unknown  unusable  starting",
                "link state group uplinks: up, upstream bond0(Up), downstream d0(Up) d1(Dis)",
                "link state group core: down, upstream lagg1(Dwn) bond1(Unk), downstream d2(Dis)",
                "link state group spare: disabled, upstream bond1(Dwn), downstream none",
                "redundancy group rg1: priority 90/120, threshold 80, not faulted, active",
                "redundancy group rg2: priority 100/100, threshold 50, faulted",
            ]
        );
        assert!(summary(&LaggStatus::default()).is_empty());
    }

    #[test]
    fn an_aggregate_that_is_administratively_down() {
        let mut st = lagg_status();
        st.aggregates[1].admin_up = false;
        assert_eq!(
            summary(&st)[3],
            "lagg1: ok, laggproto lacp, 2 of 2 ports live, down"
        );
    }
}
