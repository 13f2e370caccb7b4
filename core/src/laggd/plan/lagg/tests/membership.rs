//! The membership plan on any host, checked against a model of the
//! kernel's port list for every small case; the active port and the
//! lagg-MAC rule on examples.

use std::collections::BTreeSet;

use super::super::*;

/// The ports of the tests, with made-up interface indexes.
// not ABI: test data.
const UNIVERSE: [(&str, u32); 4] =
    [("em0", 1), ("em1", 2), ("igb0", 3), ("igb1", 4)];

/// The port called `name`, with the universe's 'static name.
fn member(name: &str) -> Member<'static> {
    let &(name, index) = UNIVERSE.iter().find(|u| u.0 == name).unwrap();
    Member { name, index }
}

fn members(names: &[&'static str]) -> Vec<Member<'static>> {
    names.iter().map(|&n| member(n)).collect()
}

fn add(name: &str) -> PortOp {
    PortOp::Add(name.to_owned())
}

fn remove(name: &str) -> PortOp {
    PortOp::Remove(name.to_owned())
}

/// A lagg's port list as `if_lagg.c` keeps it: sorted by index; the
/// master is the port added to the empty lagg, then the first remaining
/// one. `mac_changes` counts the times the master (and so the lagg's
/// MAC) changed while the lagg had ports.
#[derive(Clone, Debug)]
struct Model {
    ports: Vec<Member<'static>>,
    master: Option<&'static str>,
    mac_changes: usize,
}

impl Model {
    fn new(current: &[&'static str], master: Option<&'static str>) -> Model {
        let mut ports = members(current);
        ports.sort_by_key(|m| m.index);
        let master = master
            .filter(|m| current.contains(m))
            .or_else(|| ports.first().map(|m| m.name));
        Model {
            ports,
            master,
            mac_changes: 0,
        }
    }

    fn apply(&mut self, op: &PortOp) {
        match op {
            PortOp::Add(name) => {
                let m = member(name);
                if self.ports.contains(&m) {
                    return;
                }
                if self.ports.is_empty() {
                    self.master = Some(m.name);
                }
                self.ports.push(m);
                self.ports.sort_by_key(|m| m.index);
            }
            PortOp::Remove(name) => {
                self.ports.retain(|p| p.name != name);
                if self.master == Some(name.as_str()) {
                    self.master = self.ports.first().map(|m| m.name);
                    if self.master.is_some() {
                        self.mac_changes += 1;
                    }
                }
            }
        }
    }

    fn names(&self) -> BTreeSet<&'static str> {
        self.ports.iter().map(|m| m.name).collect()
    }
}

/// Plans, applies to the model and checks the outcome: the lagg holds
/// `wanted` and the unmanaged ports, with `wanted[0]` master in
/// failover; it never empties; outside failover no port that stays is
/// touched and the MAC changes at most once.
fn run(
    proto: LaggProto,
    wanted: &[&'static str],
    managed: &[&'static str],
    current: &[&'static str],
    master: Option<&'static str>,
) -> Vec<PortOp> {
    let ops = plan_membership(
        proto,
        &members(wanted),
        managed,
        &members(current),
        master,
    );
    let mut model = Model::new(current, master);
    for op in &ops {
        model.apply(op);
        if !current.is_empty() {
            assert!(!model.ports.is_empty(), "emptied: {ops:?}");
        }
    }
    let Some(&first) = wanted.first() else {
        assert!(ops.is_empty(), "{ops:?}");
        return ops;
    };
    let unmanaged = current
        .iter()
        .filter(|c| !managed.contains(c) && !wanted.contains(c));
    let expected: BTreeSet<&str> =
        wanted.iter().chain(unmanaged).copied().collect();
    assert_eq!(model.names(), expected, "{ops:?}");
    if proto == LaggProto::Failover {
        assert_eq!(model.master, Some(first), "{ops:?}");
    } else {
        for op in &ops {
            if let PortOp::Remove(name) = op {
                assert!(!expected.contains(name.as_str()), "churn: {ops:?}");
            }
        }
        assert!(model.mac_changes <= 1, "{ops:?}");
    }
    ops
}

#[test]
fn nothing_wanted_changes_nothing() {
    for proto in [LaggProto::Failover, LaggProto::Lacp] {
        assert_eq!(run(proto, &[], &["em0"], &["em0"], None), []);
    }
}

#[test]
fn lacp_touches_only_the_ports_that_change() {
    // em1 failed: only it leaves.
    let ops = run(
        LaggProto::Lacp,
        &["em0", "igb0"],
        &["em0", "em1", "igb0"],
        &["em0", "em1", "igb0"],
        Some("em0"),
    );
    assert_eq!(ops, [remove("em1")]);
    // Repaired, in the operator's order first: it only joins.
    let ops = run(
        LaggProto::Lacp,
        &["em1", "em0", "igb0"],
        &["em0", "em1", "igb0"],
        &["em0", "igb0"],
        Some("em0"),
    );
    assert_eq!(ops, [add("em1")]);
}

#[test]
fn outside_failover_the_master_leaves_last() {
    let ops = run(
        LaggProto::LoadBalance,
        &["igb1"],
        &["em0", "em1", "igb0", "igb1"],
        &["em0", "em1", "igb0"],
        Some("em0"),
    );
    assert_eq!(
        ops,
        [add("igb1"), remove("em1"), remove("igb0"), remove("em0")]
    );
}

#[test]
fn failover_keeps_the_master_order() {
    // The master em0 failed: it leaves, em1 (next by index) takes over.
    let ops = run(
        LaggProto::Failover,
        &["em1", "igb0"],
        &["em0", "em1", "igb0"],
        &["em0", "em1", "igb0"],
        Some("em0"),
    );
    assert_eq!(ops, [remove("em0")]);
    // em0 repaired: it joins, em1 leaves so that em0 is first, and
    // returns.
    let ops = run(
        LaggProto::Failover,
        &["em0", "em1", "igb0"],
        &["em0", "em1", "igb0"],
        &["em1", "igb0"],
        Some("em1"),
    );
    assert_eq!(ops, [add("em0"), remove("em1"), add("em1")]);
}

#[test]
fn unmanaged_ports_stay() {
    // igb1 is the operator's, not laggd's: it stays while em0 leaves.
    let ops = run(
        LaggProto::Lacp,
        &["em1"],
        &["em0", "em1"],
        &["em0", "em1", "igb1"],
        Some("em0"),
    );
    assert_eq!(ops, [remove("em0")]);
    // In failover it may have to step aside for the master, and returns.
    let ops = run(
        LaggProto::Failover,
        &["igb0"],
        &["igb0"],
        &["em0", "igb0"],
        Some("em0"),
    );
    assert_eq!(ops, [remove("em0"), add("em0")]);
}

/// Every protocol kind, every current set and master, every ordered
/// wanted list of up to three ports, with everything managed and with
/// one port unmanaged.
#[test]
fn every_small_case_reaches_its_goal() {
    let names: Vec<&'static str> = UNIVERSE.iter().map(|u| u.0).collect();
    let subsets: Vec<Vec<&'static str>> = (0..16u32)
        .map(|bits| {
            names
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, &n)| n)
                .collect()
        })
        .collect();
    let mut orders: Vec<Vec<&'static str>> = vec![vec![]];
    for _ in 0..3 {
        let mut longer = Vec::new();
        for o in &orders {
            for &n in &names {
                if !o.contains(&n) {
                    let mut o = o.clone();
                    o.push(n);
                    longer.push(o);
                }
            }
        }
        orders.extend(longer);
        orders.sort();
        orders.dedup();
    }
    let managed_sets: [&[&'static str]; 2] =
        [&["em0", "em1", "igb0", "igb1"], &["em0", "em1", "igb0"]];
    for proto in [LaggProto::Failover, LaggProto::Lacp] {
        for current in &subsets {
            let masters: Vec<Option<&'static str>> = std::iter::once(None)
                .chain(current.iter().map(|&c| Some(c)))
                .collect();
            for master in masters {
                for wanted in &orders {
                    for managed in managed_sets {
                        if wanted.iter().all(|w| managed.contains(w)) {
                            run(proto, wanted, managed, current, master);
                        }
                    }
                }
            }
        }
    }
}

/// The port flags the tests use (test data, not the ABI's numbers).
const MASTER: u8 = 1;
const ACTIVE: u8 = 2;

fn status(proto: LaggProto, ports: &[(&str, u8)]) -> LaggStatus {
    LaggStatus {
        proto,
        ports: ports
            .iter()
            .map(|&(name, flags)| LaggPort {
                name: name.to_owned(),
                master: flags & MASTER != 0,
                active: flags & ACTIVE != 0,
                ..LaggPort::default()
            })
            .collect(),
    }
}

#[test]
fn failover_reports_the_flagged_port_else_a_usable_master() {
    let s = status(LaggProto::Failover, &[("em0", MASTER), ("em1", ACTIVE)]);
    assert_eq!(active_port(&s, |_| true).as_deref(), Some("em1"));
    let s = status(LaggProto::Failover, &[("em0", MASTER), ("em1", 0)]);
    assert_eq!(active_port(&s, |p| p == "em0").as_deref(), Some("em0"));
    assert_eq!(active_port(&s, |_| false), None);
    let s = status(
        LaggProto::Lacp,
        &[("em0", MASTER | ACTIVE), ("em1", ACTIVE)],
    );
    assert_eq!(active_port(&s, |_| true), None);
}

#[test]
fn the_lagg_mac_belongs_on_failover_master_and_active_port_only() {
    let s = status(
        LaggProto::Failover,
        &[("em0", MASTER), ("em1", ACTIVE), ("igb0", 0)],
    );
    assert!(carries_lagg_mac(&s, "em0"));
    assert!(carries_lagg_mac(&s, "em1"));
    assert!(!carries_lagg_mac(&s, "igb0"));
    assert!(!carries_lagg_mac(&s, "igb1"), "not a member");
    let s = status(LaggProto::RoundRobin, &[("em0", MASTER), ("em1", 0)]);
    assert!(carries_lagg_mac(&s, "em1"));
    assert!(!carries_lagg_mac(&s, "igb0"), "not a member");
}
