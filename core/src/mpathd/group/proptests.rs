//! Model-free property tests: random event sequences against random
//! groups, with the invariants checked after every step.

use proptest::prelude::*;

use super::*;
use crate::addr::IpPrefix;
use crate::time::Instant;

#[derive(Clone, Debug)]
enum Op {
    Appear(usize, Health),
    Remove(usize),
    SuspectLink(usize),
    SuspectProbes(usize, u64),
    Repair(usize),
    LostTargets(usize),
    FoundTargets(usize),
    Offline(usize),
    Online(usize, Health),
    Standby(usize, bool),
    Evidence(usize, bool, bool, Option<u64>),
    Observe(usize, Option<usize>),
}

fn health() -> impl Strategy<Value = Health> {
    prop_oneof![
        Just(Health::Ok),
        Just(Health::NoTargets),
        Just(Health::Failed)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let m = 0usize..4;
    prop_oneof![
        (m.clone(), health()).prop_map(|(m, h)| Op::Appear(m, h)),
        m.clone().prop_map(Op::Remove),
        m.clone().prop_map(Op::SuspectLink),
        (m.clone(), 0u64..100).prop_map(|(m, t)| Op::SuspectProbes(m, t)),
        m.clone().prop_map(Op::Repair),
        m.clone().prop_map(Op::LostTargets),
        m.clone().prop_map(Op::FoundTargets),
        m.clone().prop_map(Op::Offline),
        (m.clone(), health()).prop_map(|(m, h)| Op::Online(m, h)),
        (m.clone(), any::<bool>()).prop_map(|(m, s)| Op::Standby(m, s)),
        (
            m.clone(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0u64..100)
        )
            .prop_map(|(m, l, p, a)| Op::Evidence(m, l, p, a)),
        (0usize..5, proptest::option::of(m))
            .prop_map(|(a, h)| Op::Observe(a, h)),
    ]
}

const NAMES: [&str; 4] = ["m0", "m1", "m2", "m3"];

fn addr(i: usize) -> IpPrefix {
    format!("192.0.2.{}/24", 10 + i).parse().unwrap()
}

fn build(n: usize, standby: &[bool], homes: &[usize], failback: bool) -> Group {
    let mut g = Group::new("ipmp0", failback);
    for (i, name) in NAMES.iter().enumerate().take(n) {
        g.add_member(name, standby[i]);
    }
    for (i, h) in homes.iter().enumerate() {
        g.add_address(addr(i), NAMES[h % n]).unwrap();
    }
    g
}

fn step(g: &mut Group, n: usize, op: &Op, out: &mut Vec<GroupEvent>) {
    let name = |m: &usize| NAMES[m % n];
    // Refusals (offline of the last usable member, online of a member
    // that is not offline...) are legitimate outcomes: the invariants
    // must hold either way.
    let _ = match op {
        Op::Appear(m, h) => g.member_appeared(name(m), *h, out),
        Op::Remove(m) => g.member_removed(name(m), out),
        Op::SuspectLink(m) => {
            g.member_suspect(name(m), Suspicion::LinkDown, out)
        }
        Op::SuspectProbes(m, t) => g.member_suspect(
            name(m),
            Suspicion::ProbesLost {
                first_failure: Instant::from_secs(*t),
            },
            out,
        ),
        Op::Repair(m) => g.member_repaired(name(m), out),
        Op::LostTargets(m) => g.member_lost_targets(name(m), out),
        Op::FoundTargets(m) => g.member_found_targets(name(m), out),
        Op::Offline(m) => g.offline(name(m), out),
        Op::Online(m, h) => g.online(name(m), *h, out),
        Op::Standby(m, s) => g.set_standby(name(m), *s, out),
        Op::Evidence(m, link_up, probing, ack) => {
            g.set_evidence(
                name(m),
                Evidence {
                    link_up: *link_up,
                    probing: *probing,
                    last_ack: ack.map(Instant::from_secs),
                },
            );
            Ok(())
        }
        Op::Observe(a, h) => {
            let count = g.addresses().len();
            if count > 0 {
                g.observe_host(addr(a % count), h.map(|h| name(&h)), out);
            }
            Ok(())
        }
    };
}

fn check_invariants(g: &Group, events: &[GroupEvent]) -> Result<(), String> {
    let any_usable = g.members().iter().any(|m| m.state.is_functioning());
    for (a, _home, host) in g.addresses() {
        let host = host.and_then(|h| g.member(h));
        if any_usable {
            // Whenever any member is usable, every data address is
            // hosted on exactly one usable member (one by construction:
            // an address has a single host), and that member is active.
            let Some(h) = host else {
                return Err(format!("{a} unhosted while a member works"));
            };
            if !h.is_active() {
                return Err(format!("{a} on {} which is {:?}", h.name, h));
            }
        }
        if let Some(h) = host {
            // A failed, offline or missing member hosts nothing unless
            // the whole group has failed.
            if !h.state.is_functioning() && g.state() != GroupState::Failed {
                return Err(format!("{a} on unusable {}", h.name));
            }
        }
    }
    for m in g.members() {
        if m.inactive && !m.state.is_functioning() {
            return Err(format!("{} INACTIVE while {:?}", m.name, m.state));
        }
    }
    let want = if !any_usable {
        GroupState::Failed
    } else if g.members().iter().all(|m| m.state.is_functioning()) {
        GroupState::Ok
    } else {
        GroupState::Degraded
    };
    if g.state() != want {
        return Err(format!("state {} but want {}", g.state(), want));
    }
    if !any_usable
        && events
            .iter()
            .any(|e| matches!(e, GroupEvent::AddressMoved { .. }))
    {
        return Err("an address moved although no member is usable".into());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn invariants_hold_after_every_step(
        n in 1usize..=4,
        standby in proptest::collection::vec(any::<bool>(), 4),
        homes in proptest::collection::vec(0usize..4, 0..5),
        failback in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let mut g = build(n, &standby, &homes, failback);
        for op in &ops {
            let mut out = Vec::new();
            step(&mut g, n, op, &mut out);
            if let Err(e) = check_invariants(&g, &out) {
                prop_assert!(false, "after {:?}: {}\n{:#?}", op, e, g);
            }
        }
    }

    #[test]
    fn offline_never_takes_the_last_usable_member(
        n in 1usize..=4,
        standby in proptest::collection::vec(any::<bool>(), 4),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut g = build(n, &standby, &[0, 1], true);
        for op in &ops {
            let before = g
                .members()
                .iter()
                .filter(|m| m.state.is_functioning())
                .count();
            let mut out = Vec::new();
            step(&mut g, n, op, &mut out);
            if let Op::Offline(_) = op {
                let after = g
                    .members()
                    .iter()
                    .filter(|m| m.state.is_functioning())
                    .count();
                prop_assert!(
                    !(before >= 1 && after == 0),
                    "offline left nothing usable: {:#?}",
                    g
                );
            }
        }
    }
}
