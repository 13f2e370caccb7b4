use super::*;
use HaEffect::{Demote, Resign, Yield};

fn rg(delay: u64, reload: u64, preempt: bool) -> RedundancyGroup {
    RedundancyGroup::new(
        RedundancyConfig {
            name: "rg1".into(),
            priority: 120,
            failover_threshold: 80,
            preempt,
            tracks: vec![
                Track {
                    object: "lagg0".into(),
                    effect: TrackEffect::Decrement(20),
                },
                Track {
                    object: "uplink".into(),
                    effect: TrackEffect::Decrement(30),
                },
                Track {
                    object: "core".into(),
                    effect: TrackEffect::Shutdown,
                },
            ],
            delay: Duration::from_secs(delay),
            reload_delay: Duration::from_secs(reload),
        },
        Instant::ZERO,
    )
}

fn t(s: u64) -> Instant {
    Instant::from_secs(s)
}

/// The effects applied by `out`, in order.
fn applied(out: &[RedundancyEvent]) -> Vec<HaEffect> {
    out.iter()
        .filter_map(|e| match e {
            RedundancyEvent::Apply(a) => Some(*a),
            _ => None,
        })
        .collect()
}

#[test]
fn effects_are_ordered_by_how_hard_they_push() {
    assert!(Demote(0) < Demote(50));
    assert!(Demote(255) < Yield);
    assert!(Yield < Resign);
    assert_eq!(Demote(5).max(Yield), Yield);
    assert_eq!(Resign.max(Yield), Resign);
    assert_eq!(HaEffect::default(), Demote(0));
    let shown: Vec<String> = [Demote(20), Yield, Resign]
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(shown, ["demotion 20", "yield", "resign"]);
}

#[test]
fn decrements_accumulate_and_the_threshold_resigns() {
    let mut g = rg(0, 0, true);
    let mut out = Vec::new();
    g.poll(t(0), &mut out);
    assert_eq!(out, vec![RedundancyEvent::Apply(Demote(0))]);
    out.clear();
    g.set_object("lagg0", false, t(1), &mut out);
    assert_eq!(g.priority(), 100);
    assert_eq!(
        out,
        vec![
            RedundancyEvent::PriorityChanged {
                from: 120,
                to: 100,
                cause: ("lagg0".into(), false)
            },
            RedundancyEvent::Apply(Demote(20))
        ]
    );
    out.clear();
    g.set_object("uplink", false, t(2), &mut out);
    assert_eq!(g.priority(), 70);
    assert!(g.faulted(), "70 < threshold 80");
    assert_eq!(applied(&out), [Resign]);
    out.clear();
    g.set_object("uplink", true, t(3), &mut out);
    g.set_object("lagg0", true, t(3), &mut out);
    assert_eq!(applied(&out), [Demote(20), Demote(0)]);
}

#[test]
fn shutdown_track_resigns_at_once() {
    let mut g = rg(0, 0, true);
    let mut out = Vec::new();
    g.set_object("core", false, t(1), &mut out);
    assert_eq!(g.priority(), 120);
    assert!(g.faulted());
    assert_eq!(g.applied(), Some(Resign));
}

#[test]
fn delay_and_reload_timers_hold_changes_back() {
    let mut g = rg(10, 20, true);
    let mut out = Vec::new();
    g.poll(t(5), &mut out);
    assert!(out.is_empty(), "nothing before the reload delay");
    g.set_object("lagg0", false, t(6), &mut out);
    assert_eq!(out.len(), 1, "the priority change is logged at once");
    assert_eq!(g.next_deadline(), Some(t(20)));
    g.poll(t(19), &mut out);
    assert_eq!(out.len(), 1);
    g.poll(t(20), &mut out);
    assert_eq!(applied(&out), [Demote(20)]);
    // A flap within the delay is absorbed: down and up again before
    // the timer: nothing new is applied.
    out.clear();
    g.set_object("uplink", false, t(30), &mut out);
    g.set_object("uplink", true, t(35), &mut out);
    g.poll(t(45), &mut out);
    assert!(applied(&out).is_empty(), "{out:?}");
}

#[test]
fn untracked_objects_are_ignored() {
    let mut g = rg(0, 0, true);
    let mut out = Vec::new();
    g.set_object("other", false, t(1), &mut out);
    assert!(out.is_empty());
    assert_eq!(g.priority(), 120);
}

/// Cisco's default: a chassis that lost the role to a degradation and
/// recovers while the peer is active stays standby, yielding, until it
/// is active again; then it advertises its full priority.
#[test]
fn without_preempt_a_recovered_standby_holds_until_active() {
    let mut g = rg(0, 0, false);
    let mut out = Vec::new();
    g.set_role(Role::Active, t(0), &mut out);
    assert_eq!(applied(&out), [Demote(0)]);
    out.clear();
    g.set_object("uplink", false, t(1), &mut out);
    assert_eq!(applied(&out), [Demote(30)]);
    // The peer took over.
    g.set_role(Role::Standby, t(2), &mut out);
    out.clear();
    g.set_object("uplink", true, t(3), &mut out);
    assert!(out.contains(&RedundancyEvent::Holding), "{out:?}");
    assert_eq!(applied(&out), [Yield]);
    assert!(g.held());
    // Another change while held: still yielding.
    out.clear();
    g.set_object("lagg0", false, t(4), &mut out);
    g.set_object("lagg0", true, t(5), &mut out);
    assert!(applied(&out).is_empty(), "{out:?}");
    // Faulted while held: resign; repaired: yield again.
    g.set_object("core", false, t(6), &mut out);
    g.set_object("core", true, t(7), &mut out);
    assert_eq!(applied(&out), [Resign, Yield]);
    // The peer failed: active again, the hold ends.
    out.clear();
    g.set_role(Role::Active, t(8), &mut out);
    assert!(!g.held());
    assert_eq!(applied(&out), [Demote(0)]);
}

#[test]
fn with_preempt_a_recovered_standby_bids_its_full_priority() {
    let mut g = rg(0, 0, true);
    let mut out = Vec::new();
    g.set_role(Role::Active, t(0), &mut out);
    g.set_object("uplink", false, t(1), &mut out);
    g.set_role(Role::Standby, t(2), &mut out);
    out.clear();
    g.set_object("uplink", true, t(3), &mut out);
    assert_eq!(applied(&out), [Demote(0)]);
    assert!(!g.held());
}

#[test]
fn nothing_is_held_while_the_role_is_unknown() {
    let mut g = rg(0, 0, false);
    let mut out = Vec::new();
    g.set_object("uplink", false, t(1), &mut out);
    g.set_object("uplink", true, t(2), &mut out);
    assert_eq!(applied(&out), [Demote(30), Demote(0)]);
}

#[test]
fn a_standby_that_was_never_demoted_is_not_held() {
    // The first application is not a recovery, nor is a standby whose
    // bid does not rise.
    let mut g = rg(0, 0, false);
    let mut out = Vec::new();
    g.set_role(Role::Standby, t(0), &mut out);
    assert_eq!(applied(&out), [Demote(0)]);
    assert!(!g.held());
}

#[test]
fn switchover_resigns_at_once_then_yields_until_cancelled() {
    for preempt in [false, true] {
        let mut g = rg(10, 20, preempt);
        let mut out = Vec::new();
        g.set_role(Role::Active, t(30), &mut out);
        out.clear();
        // Within the delay of an object change, and inside reload: the
        // operator's word is applied at once all the same.
        g.set_object("lagg0", false, t(31), &mut out);
        assert!(g.set_switchover(true, t(32), &mut out));
        assert!(!g.set_switchover(true, t(32), &mut out), "already on");
        assert_eq!(applied(&out), [Resign]);
        assert!(g.switched_over());
        // The peer has the role: stay a candidate.
        out.clear();
        g.set_role(Role::Standby, t(33), &mut out);
        assert_eq!(applied(&out), [Yield]);
        out.clear();
        g.set_object("lagg0", true, t(34), &mut out);
        assert!(g.set_switchover(false, t(35), &mut out));
        let want: &[HaEffect] = if preempt { &[Demote(0)] } else { &[] };
        assert_eq!(applied(&out), want, "preempt {preempt}");
        assert_eq!(g.held(), !preempt);
    }
}

#[test]
fn switchover_without_a_known_role_resigns_until_cancelled() {
    let mut g = rg(0, 0, false);
    let mut out = Vec::new();
    g.set_switchover(true, t(1), &mut out);
    g.poll(t(100), &mut out);
    assert_eq!(applied(&out), [Resign]);
    g.set_switchover(false, t(101), &mut out);
    assert_eq!(applied(&out), [Resign, Demote(0)]);
}

#[test]
fn a_reload_keeps_role_switchover_and_hold() {
    let mut g = rg(0, 0, false);
    let mut out = Vec::new();
    g.set_role(Role::Standby, t(0), &mut out);
    g.set_switchover(true, t(1), &mut out);
    let mut cfg = g.config().clone();
    cfg.priority = 110;
    let g2 = g.reconfigured(cfg.clone(), true, t(2));
    assert_eq!(g2.role(), Role::Standby);
    assert!(g2.switched_over());
    assert_eq!(g2.applied(), g.applied());
    let other = g.reconfigured(cfg.clone(), false, t(2));
    assert!(other.switched_over(), "a switchover outlives an effector");
    assert_eq!((other.role(), other.applied()), (Role::Unknown, None));
    cfg.preempt = true;
    assert!(
        !g.reconfigured(cfg, true, t(2)).held(),
        "preempt ends a hold"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Step {
        Object(usize, bool),
        Role(Role),
        Switchover(bool),
        Wait(u64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..3usize, any::<bool>()).prop_map(|(o, up)| Step::Object(o, up)),
            prop_oneof![
                Just(Role::Unknown),
                Just(Role::Active),
                Just(Role::Standby)
            ]
            .prop_map(Step::Role),
            any::<bool>().prop_map(Step::Switchover),
            (0..30u64).prop_map(Step::Wait),
        ]
    }

    proptest! {
        /// Whatever happens: a resign only for a fault or a switchover
        /// not yet seen through, no hold with preempt, and once the
        /// timers have run the engine has been told what is wanted.
        #[test]
        fn effects_follow_their_causes(
            preempt in any::<bool>(),
            delay in 0..10u64,
            reload in 0..10u64,
            steps in proptest::collection::vec(step(), 0..40),
        ) {
            let objects = ["lagg0", "uplink", "core"];
            let mut g = rg(delay, reload, preempt);
            let mut now = 0;
            let mut out = Vec::new();
            for s in steps {
                match s {
                    Step::Object(o, up) => {
                        g.set_object(objects[o], up, t(now), &mut out);
                    }
                    Step::Role(r) => g.set_role(r, t(now), &mut out),
                    Step::Switchover(on) => {
                        g.set_switchover(on, t(now), &mut out);
                    }
                    Step::Wait(s) => {
                        now += s;
                        g.poll(t(now), &mut out);
                    }
                }
                prop_assert!(!(preempt && g.held()));
                if g.wanted() == Resign {
                    prop_assert!(
                        g.faulted()
                            || (g.switched_over() && g.role() != Role::Standby)
                    );
                }
                if !g.held() && !g.switched_over() && !g.faulted() {
                    prop_assert_eq!(
                        g.wanted(),
                        Demote(g.config().priority - g.priority())
                    );
                }
                if let Some(at) = g.next_deadline() {
                    let mut later = g.clone();
                    later.poll(at.max(t(now)), &mut Vec::new());
                    prop_assert_eq!(later.applied(), Some(later.wanted()));
                    prop_assert_eq!(later.next_deadline(), None);
                }
            }
        }
    }
}
