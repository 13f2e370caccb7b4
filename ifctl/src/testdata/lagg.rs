//! A hand-made laggd status for the tests (also compiled into the CLI
//! tests, `tests/fake.rs`, so it names nothing of ifctl's):
//!
//! - bond0, failover, probing two targets: p0 failed by probes 4 s ago,
//!   p1 the active port; min-links 1; failure threshold 1, not reached;
//! - lagg1, lacp, link only: p2 and p3 both in service, aggregated by
//!   LACP (lagg(4) flags, no aggregator numbers);
//! - bond1, missing from the kernel: its one port has no verdict yet;
//!   below min-links 2 (report only) and over its failure threshold 0;
//! - tracking groups uplinks (up), core (down: every upstream down or
//!   unknown) and spare (disabled);
//! - redundancy groups rg1 (CARP, demoted by 30 for p0) and rg2
//!   (keepalived, faulted by a `shutdown` object, not applied yet).

use mpath_proto::laggd::{
    AggregateStatus, LacpStatus, LaggStatus, PortCounters, PortStatus,
    PortTarget, RedundancyStatus, TrackStatus, TrackedInterface,
    TrackingGroupStatus,
};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn target(addr: &str, state: &str, rtt: Option<(u64, u64)>) -> PortTarget {
    PortTarget {
        address: addr.into(),
        state: state.into(),
        rtt_avg_us: rtt.map(|r| r.0),
        rtt_dev_us: rtt.map(|r| r.1),
    }
}

fn port(
    name: &str,
    state: &str,
    changed: Option<u64>,
    reason: &str,
) -> PortStatus {
    PortStatus {
        name: name.into(),
        present: true,
        link: "up".into(),
        probe: "ok".into(),
        state: state.into(),
        in_service: true,
        active: false,
        targets: Vec::new(),
        changed_ms_ago: changed,
        reason: reason.into(),
        offline: false,
        live: state == "ok",
        lacp: None,
        counters: PortCounters {
            probes_sent: 70,
            probes_answered: 64,
            probes_lost: 5,
            failures: 1,
            repairs: 1,
        },
    }
}

/// LACP's word on a port of a lagg(4) in lacp mode that it aggregated
/// (flags=1c; lagg(4) numbers no aggregators, names no partner).
pub fn lacp_aggregated() -> LacpStatus {
    LacpStatus {
        aggregated: true,
        active: true,
        collecting: true,
        distributing: true,
        aggregator: None,
        active_aggregator: None,
        partner: None,
    }
}

fn aggregate(name: &str, ports: Vec<PortStatus>) -> AggregateStatus {
    AggregateStatus {
        name: name.into(),
        present: true,
        admin_up: true,
        protocol: None,
        active_port: None,
        in_service: Vec::new(),
        live: 0,
        min_links: 0,
        min_links_action: "down".into(),
        below_min_links: false,
        failure_threshold: None,
        bad_score: false,
        rule: "any".into(),
        fdt_ms: 10_000,
        targets: Vec::new(),
        ports,
    }
}

fn tracked(v: &[(&str, &str)]) -> Vec<TrackedInterface> {
    v.iter()
        .map(|(name, state)| TrackedInterface {
            name: name.to_string(),
            state: state.to_string(),
        })
        .collect()
}

fn track(object: &str, kind: &str, effect: &str, up: bool) -> TrackStatus {
    TrackStatus {
        object: object.into(),
        kind: kind.into(),
        effect: effect.into(),
        up,
    }
}

/// The status described above.
pub fn lagg_status() -> LaggStatus {
    let p0 = PortStatus {
        probe: "failed".into(),
        in_service: false,
        targets: vec![
            target("192.0.2.1", "dead", None),
            target("2001:db8::1", "dead", Some((700, 40))),
        ],
        ..port("p0", "failed", Some(4_250), "probes lost")
    };
    let p1 = PortStatus {
        active: true,
        targets: vec![
            target("192.0.2.1", "ok", Some((510, 30))),
            target("2001:db8::1", "ok", Some((420, 100))),
        ],
        ..port("p1", "ok", Some(133_900), "link up, probes answered")
    };
    let bond0 = AggregateStatus {
        protocol: Some("failover".into()),
        active_port: Some("p1".into()),
        in_service: strings(&["p1"]),
        live: 1,
        min_links: 1,
        failure_threshold: Some(1),
        fdt_ms: 1_000,
        targets: strings(&["192.0.2.1", "2001:db8::1"]),
        ..aggregate("bond0", vec![p0, p1])
    };
    // lagg(4) in lacp mode: both ports in the active aggregator,
    // collecting and distributing (flags=1c).
    let link_only = |name: &str| PortStatus {
        probe: "disabled".into(),
        lacp: Some(lacp_aggregated()),
        ..port(name, "ok", Some(3_720_000), "link up")
    };
    let lagg1 = AggregateStatus {
        protocol: Some("lacp".into()),
        in_service: strings(&["p2", "p3"]),
        live: 2,
        rule: "all".into(),
        ..aggregate("lagg1", vec![link_only("p2"), link_only("p3")])
    };
    let p4 = PortStatus {
        present: false,
        link: "unknown".into(),
        probe: "unknown".into(),
        in_service: false,
        targets: vec![target("198.51.100.1", "unused", None)],
        ..port("p4", "unknown", None, "starting")
    };
    let bond1 = AggregateStatus {
        present: false,
        admin_up: false,
        min_links: 2,
        min_links_action: "report".into(),
        below_min_links: true,
        failure_threshold: Some(0),
        bad_score: true,
        rule: "2".into(),
        targets: strings(&["198.51.100.1"]),
        ..aggregate("bond1", vec![p4])
    };
    LaggStatus {
        aggregates: vec![bond0, lagg1, bond1],
        tracking: vec![
            TrackingGroupStatus {
                name: "uplinks".into(),
                state: "up".into(),
                runtime: false,
                health: "link".into(),
                upstream: tracked(&[("bond0", "up")]),
                downstream: tracked(&[("d0", "up"), ("d1", "disabled")]),
                downs: 0,
            },
            TrackingGroupStatus {
                name: "core".into(),
                state: "down".into(),
                runtime: false,
                health: "probe".into(),
                upstream: tracked(&[("lagg1", "down"), ("bond1", "unknown")]),
                downstream: tracked(&[("d2", "disabled")]),
                downs: 4,
            },
            TrackingGroupStatus {
                name: "spare".into(),
                state: "disabled".into(),
                runtime: false,
                health: "link".into(),
                upstream: tracked(&[("bond1", "down")]),
                downstream: Vec::new(),
                downs: 1,
            },
        ],
        redundancy: vec![
            RedundancyStatus {
                name: "rg1".into(),
                effector: "carp vhid 1 on em0".into(),
                priority: 120,
                current_priority: 90,
                failover_threshold: 80,
                preempt: true,
                faulted: false,
                applied_demotion: Some(30),
                applied: Some("demotion 30".into()),
                role: "active".into(),
                switchover: false,
                held: false,
                tracks: vec![
                    track("bond0", "aggregate", "decrement 50", true),
                    track("p0", "port", "decrement 30", false),
                ],
            },
            RedundancyStatus {
                name: "rg2".into(),
                effector: "keepalived /run/keepalived/rg2.track".into(),
                priority: 100,
                current_priority: 100,
                failover_threshold: 50,
                preempt: false,
                faulted: true,
                applied_demotion: None,
                applied: None,
                role: "unknown".into(),
                switchover: false,
                held: false,
                tracks: vec![track("core", "track-group", "shutdown", false)],
            },
        ],
    }
}
