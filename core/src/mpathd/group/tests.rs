//! Transition tables and scenarios for the group policy.

use super::member::{next_state, MemberInput};
use super::*;
use crate::addr::IpPrefix;
use crate::time::Instant;

fn p(s: &str) -> IpPrefix {
    s.parse().unwrap()
}

/// Every (state, input) pair of the member state machine, with the
/// expected result. `None` means the input is ignored in that state.
#[test]
fn member_transition_table_is_exhaustive_and_correct() {
    use MemberInput as I;
    use MemberState as S;
    let ok = Health::Ok;
    let nt = Health::NoTargets;
    let bad = Health::Failed;
    #[rustfmt::skip]
    let table: &[(S, I, Option<S>)] = &[
        (S::Missing, I::Appeared(ok), Some(S::Ok)),
        (S::Missing, I::Appeared(nt), Some(S::NoTargets)),
        (S::Missing, I::Appeared(bad), Some(S::Failed)),
        (S::Missing, I::Removed, None),
        (S::Missing, I::Failed, None),
        (S::Missing, I::Repaired, None),
        (S::Missing, I::LostTargets, None),
        (S::Missing, I::FoundTargets, None),
        (S::Missing, I::Offline, None),
        (S::Missing, I::Online(ok), None),
        (S::Ok, I::Appeared(ok), None),
        (S::Ok, I::Removed, Some(S::Missing)),
        (S::Ok, I::Failed, Some(S::Failed)),
        (S::Ok, I::Repaired, None),
        (S::Ok, I::LostTargets, Some(S::NoTargets)),
        (S::Ok, I::FoundTargets, None),
        (S::Ok, I::Offline, Some(S::Offline)),
        (S::Ok, I::Online(ok), None),
        (S::NoTargets, I::Appeared(ok), None),
        (S::NoTargets, I::Removed, Some(S::Missing)),
        (S::NoTargets, I::Failed, Some(S::Failed)),
        (S::NoTargets, I::Repaired, Some(S::Ok)),
        (S::NoTargets, I::LostTargets, None),
        (S::NoTargets, I::FoundTargets, Some(S::Ok)),
        (S::NoTargets, I::Offline, Some(S::Offline)),
        (S::NoTargets, I::Online(ok), None),
        (S::Failed, I::Appeared(ok), None),
        (S::Failed, I::Removed, Some(S::Missing)),
        (S::Failed, I::Failed, None),
        (S::Failed, I::Repaired, Some(S::Ok)),
        (S::Failed, I::LostTargets, None),
        (S::Failed, I::FoundTargets, None),
        (S::Failed, I::Offline, Some(S::Offline)),
        (S::Failed, I::Online(ok), None),
        (S::Offline, I::Appeared(ok), None),
        (S::Offline, I::Removed, None),
        (S::Offline, I::Failed, None),
        (S::Offline, I::Repaired, None),
        (S::Offline, I::LostTargets, None),
        (S::Offline, I::FoundTargets, None),
        (S::Offline, I::Offline, None),
        (S::Offline, I::Online(ok), Some(S::Ok)),
        (S::Offline, I::Online(nt), Some(S::NoTargets)),
        (S::Offline, I::Online(bad), Some(S::Failed)),
    ];
    // 5 states x 8 inputs, plus the extra Health variants of Appeared
    // and Online in the states where they matter.
    assert_eq!(table.len(), 5 * 8 + 4);
    for (state, input, want) in table {
        assert_eq!(next_state(*state, *input), *want, "{state:?} + {input:?}");
    }
}

/// A group `g` of members a, b (and optionally standby s), each with
/// one home address, all appeared healthy.
fn group(failback: bool, with_standby: bool) -> Group {
    let mut g = Group::new("ipmp0", failback);
    g.add_member("a", false);
    g.add_member("b", false);
    if with_standby {
        g.add_member("s", true);
    }
    g.add_address(p("192.0.2.10/24"), "a").unwrap();
    g.add_address(p("192.0.2.11/24"), "a").unwrap();
    g.add_address(p("192.0.2.20/24"), "b").unwrap();
    let mut out = Vec::new();
    for m in ["a", "b", "s"] {
        if m != "s" || with_standby {
            let e = Evidence {
                link_up: true,
                probing: true,
                last_ack: Some(Instant::from_secs(1)),
            };
            g.set_evidence(m, e);
            g.member_appeared(m, Health::Ok, &mut out).unwrap();
        }
    }
    g
}

fn hosts(g: &Group) -> Vec<(String, Option<String>)> {
    g.addresses()
        .into_iter()
        .map(|(a, _, h)| (a.to_string(), h.map(str::to_string)))
        .collect()
}

fn host_of(g: &Group, addr: &str) -> Option<String> {
    hosts(g)
        .into_iter()
        .find(|(a, _)| a == addr)
        .and_then(|(_, h)| h)
}

fn fail(g: &mut Group, m: &str) -> Vec<GroupEvent> {
    let mut out = Vec::new();
    g.set_evidence(
        m,
        Evidence {
            link_up: false,
            probing: true,
            last_ack: None,
        },
    );
    g.member_suspect(m, Suspicion::LinkDown, &mut out).unwrap();
    out
}

fn repair(g: &mut Group, m: &str) -> Vec<GroupEvent> {
    let mut out = Vec::new();
    g.set_evidence(
        m,
        Evidence {
            link_up: true,
            probing: true,
            last_ack: Some(Instant::from_secs(100)),
        },
    );
    g.member_repaired(m, &mut out).unwrap();
    out
}

#[test]
fn start_places_every_address_at_home() {
    let g = group(true, true);
    assert_eq!(host_of(&g, "192.0.2.10/24").as_deref(), Some("a"));
    assert_eq!(host_of(&g, "192.0.2.20/24").as_deref(), Some("b"));
    assert_eq!(g.state(), GroupState::Ok);
    let s = g.member("s").unwrap();
    assert!(s.inactive, "an idle standby is INACTIVE");
    assert!(g.hosted_by("s").is_empty());
}

#[test]
fn failover_goes_to_the_member_with_fewest_addresses() {
    let mut g = Group::new("g", true);
    for m in ["a", "b", "c"] {
        g.add_member(m, false);
    }
    g.add_address(p("192.0.2.1/24"), "a").unwrap();
    g.add_address(p("192.0.2.2/24"), "b").unwrap();
    g.add_address(p("192.0.2.3/24"), "b").unwrap();
    let mut out = Vec::new();
    for m in ["a", "b", "c"] {
        g.set_evidence(
            m,
            Evidence {
                link_up: true,
                probing: false,
                last_ack: None,
            },
        );
        g.member_appeared(m, Health::Ok, &mut out).unwrap();
    }
    // c hosts nothing and a hosts one, so both of b's addresses go to
    // c, together.
    let out = fail(&mut g, "b");
    assert_eq!(host_of(&g, "192.0.2.2/24").as_deref(), Some("c"));
    assert_eq!(host_of(&g, "192.0.2.3/24").as_deref(), Some("c"));
    // Then c fails: its two addresses go to a, the only one left.
    fail(&mut g, "c");
    assert_eq!(g.hosted_by("a").len(), 3);
    assert!(out.contains(&GroupEvent::MemberChanged {
        member: "b".into(),
        from: MemberState::Ok,
        to: MemberState::Failed,
        cause: Cause::InterfaceFailure,
    }));
    assert_eq!(g.state(), GroupState::Degraded);
}

#[test]
fn standby_takes_over_and_returns_to_inactive_after_failback() {
    let mut g = group(true, true);
    let out = fail(&mut g, "a");
    assert!(out.contains(&GroupEvent::Activated { member: "s".into() }));
    assert_eq!(host_of(&g, "192.0.2.10/24").as_deref(), Some("s"));
    assert_eq!(host_of(&g, "192.0.2.11/24").as_deref(), Some("s"));
    assert_eq!(host_of(&g, "192.0.2.20/24").as_deref(), Some("b"));

    let out = repair(&mut g, "a");
    assert!(out.contains(&GroupEvent::Deactivated { member: "s".into() }));
    assert_eq!(host_of(&g, "192.0.2.10/24").as_deref(), Some("a"));
    assert_eq!(host_of(&g, "192.0.2.11/24").as_deref(), Some("a"));
    assert!(g.member("s").unwrap().inactive);
    assert!(g.hosted_by("s").is_empty());
    assert_eq!(g.state(), GroupState::Ok);
}

#[test]
fn failback_no_leaves_repaired_member_inactive_and_empty() {
    let mut g = group(false, false);
    fail(&mut g, "a");
    assert_eq!(g.hosted_by("b").len(), 3);
    repair(&mut g, "a");
    let a = g.member("a").unwrap();
    assert_eq!(a.state, MemberState::Ok);
    assert!(a.inactive, "FAILBACK=no: repaired member is INACTIVE");
    assert!(g.hosted_by("a").is_empty());
    // When b fails, the idle a is activated and takes everything.
    let out = fail(&mut g, "b");
    assert!(out.contains(&GroupEvent::Activated { member: "a".into() }));
    assert_eq!(g.hosted_by("a").len(), 3);
}

#[test]
fn failback_yes_returns_home_addresses() {
    let mut g = group(true, false);
    fail(&mut g, "a");
    assert_eq!(g.hosted_by("b").len(), 3);
    let out = repair(&mut g, "a");
    let moved: Vec<_> = out
        .iter()
        .filter(|e| matches!(e, GroupEvent::AddressMoved { .. }))
        .collect();
    assert_eq!(moved.len(), 2, "{out:?}");
    assert_eq!(g.hosted_by("a").len(), 2);
    assert_eq!(g.hosted_by("b").len(), 1);
}

#[test]
fn offline_refuses_the_last_usable_member() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    g.offline("a", &mut out).unwrap();
    assert_eq!(g.member("a").unwrap().state, MemberState::Offline);
    assert_eq!(g.hosted_by("b").len(), 3);
    assert_eq!(g.state(), GroupState::Degraded);
    let err = g.offline("b", &mut out).unwrap_err();
    assert_eq!(err, GroupError::NoOtherFunctioning("b".into()));
    assert_eq!(
        err.to_string(),
        "cannot offline b: no other functioning interfaces are in its \
         IPMP group"
    );
    assert_eq!(g.member("b").unwrap().state, MemberState::Ok);
    assert_eq!(
        g.offline("a", &mut out).unwrap_err(),
        GroupError::AlreadyOffline("a".into())
    );
    assert_eq!(
        g.online("b", Health::Ok, &mut out).unwrap_err(),
        GroupError::NotOffline("b".into())
    );
}

#[test]
fn online_activates_even_with_failback_no() {
    let mut g = group(false, false);
    let mut out = Vec::new();
    g.offline("a", &mut out).unwrap();
    g.online("a", Health::Ok, &mut out).unwrap();
    let a = g.member("a").unwrap();
    assert!(!a.inactive);
    // FAILBACK=no: addresses stay where they are after online.
    assert!(g.hosted_by("a").is_empty());
    assert_eq!(g.hosted_by("b").len(), 3);
}

#[test]
fn online_of_a_member_whose_link_died_meanwhile_is_failed() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    g.offline("a", &mut out).unwrap();
    g.online("a", Health::Failed, &mut out).unwrap();
    assert_eq!(g.member("a").unwrap().state, MemberState::Failed);
    assert!(g.hosted_by("a").is_empty());
}

#[test]
fn group_failure_moves_nothing_and_recovers() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    // Both members lose probes at once: b's last reply predates a's
    // first lost probe, so nothing proves the network works.
    for m in ["a", "b"] {
        g.set_evidence(
            m,
            Evidence {
                link_up: true,
                probing: true,
                last_ack: Some(Instant::from_secs(10)),
            },
        );
    }
    let why = Suspicion::ProbesLost {
        first_failure: Instant::from_secs(11),
    };
    g.member_suspect("a", why, &mut out).unwrap();
    assert_eq!(g.state(), GroupState::Failed);
    assert!(out.contains(&GroupEvent::AllUnusable));
    assert!(!out
        .iter()
        .any(|e| matches!(e, GroupEvent::AddressMoved { .. })));
    for m in ["a", "b"] {
        assert_eq!(g.member(m).unwrap().state, MemberState::Failed);
    }
    assert_eq!(g.hosted_by("a").len(), 2, "nothing moved");
    // b comes back first: it is usable, and every address goes to it.
    let out = repair(&mut g, "b");
    assert!(out.contains(&GroupEvent::UsableAgain { member: "b".into() }));
    assert_eq!(g.hosted_by("b").len(), 3);
    assert_eq!(g.state(), GroupState::Degraded);
    // a returns: its home addresses go back.
    repair(&mut g, "a");
    assert_eq!(g.hosted_by("a").len(), 2);
    assert_eq!(g.state(), GroupState::Ok);
}

#[test]
fn a_reply_after_our_first_loss_makes_it_an_interface_failure() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    g.set_evidence(
        "b",
        Evidence {
            link_up: true,
            probing: true,
            last_ack: Some(Instant::from_secs(12)),
        },
    );
    let why = Suspicion::ProbesLost {
        first_failure: Instant::from_secs(11),
    };
    g.member_suspect("a", why, &mut out).unwrap();
    assert_eq!(g.member("a").unwrap().state, MemberState::Failed);
    assert_eq!(g.member("b").unwrap().state, MemberState::Ok);
    assert_eq!(g.hosted_by("b").len(), 3);
}

#[test]
fn a_member_without_probing_and_link_up_proves_the_network() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    g.set_evidence(
        "b",
        Evidence {
            link_up: true,
            probing: false,
            last_ack: None,
        },
    );
    let why = Suspicion::ProbesLost {
        first_failure: Instant::from_secs(11),
    };
    g.member_suspect("a", why, &mut out).unwrap();
    assert_eq!(g.member("b").unwrap().state, MemberState::Ok);
    assert_eq!(g.state(), GroupState::Degraded);
}

#[test]
fn member_missing_at_start_has_its_addresses_hosted_elsewhere() {
    let mut g = Group::new("g", true);
    g.add_member("a", false);
    g.add_member("b", false);
    g.add_address(p("2001:db8::10/64"), "a").unwrap();
    let mut out = Vec::new();
    g.member_appeared("b", Health::Ok, &mut out).unwrap();
    assert_eq!(host_of(&g, "2001:db8::10/64").as_deref(), Some("b"));
    assert_eq!(g.state(), GroupState::Degraded);
    assert_eq!(g.member("a").unwrap().state, MemberState::Missing);
    // a appears later for the first time: it is created, not repaired,
    // and FAILBACK=yes brings its address home.
    g.member_appeared("a", Health::Ok, &mut out).unwrap();
    assert_eq!(host_of(&g, "2001:db8::10/64").as_deref(), Some("a"));
    assert_eq!(g.state(), GroupState::Ok);
}

#[test]
fn removed_and_recreated_member_fails_over_and_back() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    g.member_removed("a", &mut out).unwrap();
    assert_eq!(g.member("a").unwrap().state, MemberState::Missing);
    assert_eq!(g.hosted_by("b").len(), 3);
    g.member_appeared("a", Health::Ok, &mut out).unwrap();
    assert_eq!(g.hosted_by("a").len(), 2);
}

#[test]
fn starting_failed_says_nothing_about_unusable() {
    let mut g = Group::new("g", true);
    g.add_member("a", false);
    let mut out = Vec::new();
    g.member_appeared("a", Health::Failed, &mut out).unwrap();
    assert_eq!(g.state(), GroupState::Failed);
    assert!(!out.contains(&GroupEvent::AllUnusable));
}

#[test]
fn anonymous_group_reports_but_never_moves_or_offlines() {
    let mut g = Group::anonymous();
    g.add_member("x", false);
    g.add_member("y", false);
    assert!(g.add_address(p("192.0.2.5/24"), "x").is_err());
    let mut out = Vec::new();
    g.member_appeared("x", Health::Ok, &mut out).unwrap();
    g.member_appeared("y", Health::Ok, &mut out).unwrap();
    out.clear();
    // Even with no proof that the network works, an anonymous member's
    // failure is its own.
    g.member_suspect(
        "x",
        Suspicion::ProbesLost {
            first_failure: Instant::from_secs(1),
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(g.member("x").unwrap().state, MemberState::Failed);
    assert_eq!(g.member("y").unwrap().state, MemberState::Ok);
    assert_eq!(g.state(), GroupState::Ok);
    assert_eq!(
        g.offline("y", &mut out).unwrap_err(),
        GroupError::NotInGroup("y".into())
    );
}

#[test]
fn group_of_only_standbys_still_hosts() {
    let mut g = Group::new("g", true);
    g.add_member("s1", true);
    g.add_member("s2", true);
    g.add_address(p("198.51.100.7/24"), "s1").unwrap();
    let mut out = Vec::new();
    g.member_appeared("s1", Health::Ok, &mut out).unwrap();
    g.member_appeared("s2", Health::Ok, &mut out).unwrap();
    assert_eq!(host_of(&g, "198.51.100.7/24").as_deref(), Some("s1"));
    assert!(!g.member("s1").unwrap().inactive);
}

#[test]
fn toggling_standby_moves_addresses_off_an_idle_member() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    // b becomes a standby: the group has enough active members (a), so
    // b goes idle and its address moves to a.
    g.set_standby("b", true, &mut out).unwrap();
    assert!(g.member("b").unwrap().inactive);
    assert!(g.hosted_by("b").is_empty());
    assert_eq!(g.hosted_by("a").len(), 3);
    g.set_standby("b", false, &mut out).unwrap();
    assert!(!g.member("b").unwrap().inactive);
    assert_eq!(g.hosted_by("b").len(), 1, "FAILBACK=yes: home again");
}

#[test]
fn no_targets_is_functioning_and_unknown() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    g.member_lost_targets("a", &mut out).unwrap();
    assert_eq!(g.member("a").unwrap().state, MemberState::NoTargets);
    assert_eq!(g.member("a").unwrap().state.as_str(), "unknown");
    assert_eq!(g.hosted_by("a").len(), 2);
    assert_eq!(g.state(), GroupState::Ok);
    g.member_found_targets("a", &mut out).unwrap();
    assert_eq!(g.member("a").unwrap().state, MemberState::Ok);
}

#[test]
fn unknown_member_is_an_error_not_a_panic() {
    let mut g = group(true, false);
    let mut out = Vec::new();
    assert_eq!(
        g.offline("zz0", &mut out).unwrap_err(),
        GroupError::UnknownMember("zz0".into())
    );
    assert!(g.member_repaired("zz0", &mut out).is_err());
}

#[test]
fn observed_hosts_are_corrected_after_a_restart() {
    // After a crash the kernel may hold an address on a failed member:
    // placement moves it to a usable one.
    let mut g = group(true, false);
    fail(&mut g, "a");
    let mut out = Vec::new();
    g.observe_host(p("192.0.2.10/24"), Some("a"), &mut out);
    assert_eq!(host_of(&g, "192.0.2.10/24").as_deref(), Some("b"));
    assert!(out.contains(&GroupEvent::AddressMoved {
        addr: p("192.0.2.10/24"),
        from: Some("a".into()),
        to: "b".into(),
    }));
}

#[test]
fn shutdown_restores_homes_where_usable() {
    // FAILBACK=no keeps a's addresses on b after a's repair; shutdown
    // sends them home anyway, since a works.
    let mut g = group(false, false);
    fail(&mut g, "a");
    repair(&mut g, "a");
    assert!(g.hosted_by("a").is_empty());
    let mut out = Vec::new();
    g.restore_homes(&mut out);
    assert_eq!(g.hosted_by("a").len(), 2);
    // A failed home keeps nothing: its addresses stay on b.
    let mut g = group(true, false);
    fail(&mut g, "a");
    let mut out = Vec::new();
    g.restore_homes(&mut out);
    assert!(out.is_empty());
    assert_eq!(g.hosted_by("b").len(), 3);
}

#[test]
fn a_member_leaving_the_group_hands_its_addresses_over() {
    let mut g = Group::new("g", true);
    for m in ["a", "b", "c"] {
        g.add_member(m, false);
    }
    g.add_address(p("192.0.2.1/24"), "a").unwrap();
    let mut out = Vec::new();
    for m in ["a", "b", "c"] {
        g.member_appeared(m, Health::Ok, &mut out).unwrap();
    }
    // b took nothing; fail a so that its address lands on b.
    g.set_evidence(
        "b",
        Evidence {
            link_up: true,
            probing: false,
            last_ack: None,
        },
    );
    g.member_suspect("a", Suspicion::LinkDown, &mut out)
        .unwrap();
    assert_eq!(host_of(&g, "192.0.2.1/24").as_deref(), Some("b"));
    g.remove_member("b", &mut out).unwrap();
    assert!(g.member("b").is_none());
    assert_eq!(host_of(&g, "192.0.2.1/24").as_deref(), Some("c"));
    assert_eq!(
        g.remove_member("a", &mut out).unwrap_err(),
        GroupError::HomeOfAddress("a".into())
    );
}
