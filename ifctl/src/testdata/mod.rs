//! A hand-made status for the unit tests: group ipmp0 degraded (em0
//! failed by probes, em1 active with both data addresses, em2 an
//! inactive standby), and em3, ungrouped and missing from the kernel.
//! laggd's is in [`lagg`].

pub mod lagg;

use mpath_proto::mpathd::{
    AddressStatus, GroupCounters, GroupStatus, InterfaceStatus, MemberCounters,
    PathInfo, ProbeCounters, Status, TargetStatus,
};

fn target(addr: &str, state: &str, rtt: Option<(u64, u64)>) -> TargetStatus {
    TargetStatus {
        address: addr.into(),
        kind: "explicit".into(),
        state: state.into(),
        rtt_avg_us: rtt.map(|r| r.0),
        rtt_dev_us: rtt.map(|r| r.1),
    }
}

fn path(
    family: &str,
    mode: &str,
    test: &str,
    verdict: &str,
    targets: Vec<TargetStatus>,
) -> PathInfo {
    PathInfo {
        family: family.into(),
        mode: mode.into(),
        test_address: Some(test.into()),
        verdict: verdict.into(),
        fdt_ms: Some(1000),
        targets,
        probes: ProbeCounters {
            sent: 700,
            answered: 690,
            lost: 9,
            late: 1,
        },
    }
}

fn iface(name: &str, group: &str) -> InterfaceStatus {
    InterfaceStatus {
        name: name.into(),
        group: group.into(),
        present: true,
        active: false,
        inactive: false,
        standby: false,
        offline: false,
        failed: false,
        link: "up".into(),
        probe: "ok".into(),
        state: "ok".into(),
        paths: Vec::new(),
        hosted: Vec::new(),
        counters: MemberCounters::default(),
    }
}

fn address(addr: &str, host: Option<&str>, state: &str) -> AddressStatus {
    AddressStatus {
        address: addr.into(),
        group: "ipmp0".into(),
        home: "em0".into(),
        host: host.map(str::to_string),
        state: state.into(),
    }
}

/// The status described above.
pub fn status() -> Status {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    let em0 = InterfaceStatus {
        failed: true,
        probe: "failed".into(),
        state: "failed".into(),
        paths: vec![path(
            "inet",
            "explicit",
            "192.0.2.11",
            "failed",
            vec![
                target("192.0.2.1", "dead", None),
                target("192.0.2.2", "dead", None),
            ],
        )],
        ..iface("em0", "ipmp0")
    };
    let em1 = InterfaceStatus {
        active: true,
        paths: vec![
            path(
                "inet",
                "explicit",
                "192.0.2.12",
                "ok",
                vec![
                    target("192.0.2.2", "active", Some((420, 100))),
                    target("192.0.2.1", "active", Some((510, 0))),
                ],
            ),
            path(
                "inet6",
                "multicast",
                "fe80::1",
                "ok",
                vec![
                    target("fe80::99", "active", None),
                    target("fe80::98", "unused", None),
                ],
            ),
        ],
        hosted: names(&["192.0.2.10/24", "2001:db8::10/64"]),
        ..iface("em1", "ipmp0")
    };
    let em2 = InterfaceStatus {
        inactive: true,
        standby: true,
        paths: vec![path(
            "inet",
            "routes",
            "192.0.2.13",
            "ok",
            vec![
                target("192.0.2.1", "active", Some((400, 50))),
                target("192.0.2.2", "slow", Some((9000, 800))),
            ],
        )],
        ..iface("em2", "ipmp0")
    };
    let em3 = InterfaceStatus {
        present: false,
        failed: true,
        link: "down".into(),
        probe: "disabled".into(),
        state: "failed".into(),
        ..iface("em3", "")
    };
    Status {
        groups: vec![
            GroupStatus {
                name: "ipmp0".into(),
                state: "degraded".into(),
                fdt_ms: Some(1000),
                failback: true,
                active: names(&["em1"]),
                inactive: names(&["em2"]),
                unusable: names(&["em0"]),
                counters: GroupCounters {
                    failovers: 3,
                    failbacks: 2,
                },
            },
            GroupStatus {
                name: String::new(),
                state: "ok".into(),
                fdt_ms: None,
                failback: true,
                active: Vec::new(),
                inactive: Vec::new(),
                unusable: names(&["em3"]),
                counters: GroupCounters::default(),
            },
        ],
        interfaces: vec![em0, em1, em2, em3],
        addresses: vec![
            address("192.0.2.10/24", Some("em1"), "up"),
            address("2001:db8::10/64", Some("em1"), "up"),
            address("192.0.2.30/24", None, "down"),
        ],
    }
}
