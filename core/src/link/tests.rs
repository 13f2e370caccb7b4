//! Tests of the link detector, all in simulated time.

use super::*;
use proptest::prelude::*;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// up_delay 1 s, down_delay 2 s, in.mpathd's flap rule.
fn delayed() -> LinkConfig {
    LinkConfig {
        up_delay: secs(1),
        down_delay: secs(2),
        ..LinkConfig::default()
    }
}

/// Feeds one report and returns the events it produced.
fn report(
    d: &mut LinkDetector,
    carrier: Option<bool>,
    now: Instant,
) -> Vec<LinkEvent> {
    let mut out = Vec::new();
    d.on_carrier(carrier, now, &mut out);
    out
}

fn poll(d: &mut LinkDetector, now: Instant) -> Vec<LinkEvent> {
    let mut out = Vec::new();
    d.poll(now, &mut out);
    out
}

const UP: Option<bool> = Some(true);
const DOWN: Option<bool> = Some(false);

#[test]
fn transition_table_is_exhaustive_and_correct() {
    use LinkState as S;
    let cfg = delayed();
    let now = t(10_000);
    let later = t(10_500);
    let phases = [
        Phase::Unknown,
        Phase::Up,
        Phase::Down,
        Phase::GoingDown { at: now },
        Phase::GoingDown { at: later },
        Phase::GoingUp { at: now },
        Phase::GoingUp { at: later },
    ];
    let inputs = [
        Input::CarrierUp,
        Input::CarrierDown,
        Input::NoLinkState,
        Input::Tick,
    ];
    let edge = |from, to, at| Some(Edge { from, to, at });
    let going_down = Phase::GoingDown {
        at: now + cfg.down_delay,
    };
    let going_up = Phase::GoingUp {
        at: now + cfg.up_delay,
    };
    let gd_now = Phase::GoingDown { at: now };
    let gd_later = Phase::GoingDown { at: later };
    let gu_now = Phase::GoingUp { at: now };
    let gu_later = Phase::GoingUp { at: later };
    // (state, input) -> (new state, edge), evaluated at `now`.
    #[rustfmt::skip]
    let table: [(Phase, Input, Phase, Option<Edge>); 28] = [
        (Phase::Unknown, Input::CarrierUp, Phase::Up,
            edge(S::Unknown, S::Up, now)),
        (Phase::Unknown, Input::CarrierDown, Phase::Down,
            edge(S::Unknown, S::Down, now)),
        (Phase::Unknown, Input::NoLinkState, Phase::Unknown, None),
        (Phase::Unknown, Input::Tick, Phase::Unknown, None),

        (Phase::Up, Input::CarrierUp, Phase::Up, None),
        (Phase::Up, Input::CarrierDown, going_down, None),
        (Phase::Up, Input::NoLinkState, Phase::Unknown,
            edge(S::Up, S::Unknown, now)),
        (Phase::Up, Input::Tick, Phase::Up, None),

        (Phase::Down, Input::CarrierUp, going_up, None),
        (Phase::Down, Input::CarrierDown, Phase::Down, None),
        (Phase::Down, Input::NoLinkState, Phase::Unknown,
            edge(S::Down, S::Unknown, now)),
        (Phase::Down, Input::Tick, Phase::Down, None),

        (gd_now, Input::CarrierUp, Phase::Up, None),
        (gd_now, Input::CarrierDown, gd_now, None),
        (gd_now, Input::NoLinkState, Phase::Unknown,
            edge(S::Up, S::Unknown, now)),
        (gd_now, Input::Tick, Phase::Down, edge(S::Up, S::Down, now)),

        (gd_later, Input::CarrierUp, Phase::Up, None),
        (gd_later, Input::CarrierDown, gd_later, None),
        (gd_later, Input::NoLinkState, Phase::Unknown,
            edge(S::Up, S::Unknown, now)),
        (gd_later, Input::Tick, gd_later, None),

        (gu_now, Input::CarrierUp, gu_now, None),
        (gu_now, Input::CarrierDown, Phase::Down, None),
        (gu_now, Input::NoLinkState, Phase::Unknown,
            edge(S::Down, S::Unknown, now)),
        (gu_now, Input::Tick, Phase::Up, edge(S::Down, S::Up, now)),

        (gu_later, Input::CarrierUp, gu_later, None),
        (gu_later, Input::CarrierDown, Phase::Down, None),
        (gu_later, Input::NoLinkState, Phase::Unknown,
            edge(S::Down, S::Unknown, now)),
        (gu_later, Input::Tick, gu_later, None),
    ];

    for phase in phases {
        for input in inputs {
            let rows = table
                .iter()
                .filter(|row| row.0 == phase && row.1 == input)
                .count();
            assert_eq!(rows, 1, "{phase:?} x {input:?} listed {rows} times");
        }
    }
    for (phase, input, want_phase, want_edge) in table {
        assert_eq!(
            step(phase, input, now, &cfg),
            (want_phase, want_edge),
            "{phase:?} x {input:?}"
        );
    }

    // With zero delays the "going" states are skipped.
    let zero = LinkConfig::default();
    assert_eq!(
        step(Phase::Up, Input::CarrierDown, now, &zero),
        (Phase::Down, edge(S::Up, S::Down, now))
    );
    assert_eq!(
        step(Phase::Down, Input::CarrierUp, now, &zero),
        (Phase::Up, edge(S::Down, S::Up, now))
    );
}

#[test]
fn starts_unknown() {
    let d = LinkDetector::new(LinkConfig::default(), t(0));
    assert_eq!(d.state(), LinkState::Unknown);
    assert_eq!(d.raw_carrier(), None);
    assert_eq!(d.last_change(), None);
    assert_eq!(d.next_deadline(), None);
    assert!(d.repair_allowed(t(0)));
}

#[test]
fn first_report_sets_the_state_without_delay() {
    let mut d = LinkDetector::new(delayed(), t(0));
    assert_eq!(report(&mut d, UP, t(5)), [LinkEvent::WentUp]);
    assert_eq!(d.state(), LinkState::Up);
    assert_eq!(d.last_change(), Some(t(5)));

    let mut d = LinkDetector::new(delayed(), t(0));
    assert_eq!(report(&mut d, DOWN, t(5)), [LinkEvent::WentDown]);
    assert_eq!(d.state(), LinkState::Down);
    assert_eq!(d.raw_carrier(), DOWN);
}

#[test]
fn repeated_reports_are_harmless() {
    let mut d = LinkDetector::new(LinkConfig::default(), t(0));
    report(&mut d, UP, t(1));
    assert!(report(&mut d, UP, t(2)).is_empty());
    assert_eq!(d.last_change(), Some(t(1)));
}

#[test]
fn blip_shorter_than_down_delay_is_absorbed() {
    let mut d = LinkDetector::new(delayed(), t(0));
    report(&mut d, UP, t(0));
    assert!(report(&mut d, DOWN, t(10_000)).is_empty());
    assert_eq!(d.state(), LinkState::Up);
    assert_eq!(d.raw_carrier(), DOWN);
    assert_eq!(d.next_deadline(), Some(t(12_000)));
    assert!(report(&mut d, UP, t(11_999)).is_empty());
    assert_eq!(d.next_deadline(), None);
    assert!(poll(&mut d, t(20_000)).is_empty());
    assert_eq!(d.state(), LinkState::Up);
    assert_eq!(d.last_change(), Some(t(0)));
}

#[test]
fn long_outage_is_reported_at_exactly_down_delay() {
    let mut d = LinkDetector::new(delayed(), t(0));
    report(&mut d, UP, t(0));
    report(&mut d, DOWN, t(10_000));
    // A repeated down report does not restart the timer.
    report(&mut d, DOWN, t(11_000));
    assert_eq!(d.next_deadline(), Some(t(12_000)));
    assert!(poll(&mut d, t(11_999)).is_empty());
    assert_eq!(d.state(), LinkState::Up);
    assert_eq!(poll(&mut d, t(12_000)), [LinkEvent::WentDown]);
    assert_eq!(d.state(), LinkState::Down);
    assert_eq!(d.last_change(), Some(t(12_000)));
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn report_at_the_deadline_confirms_the_change_first() {
    let mut d = LinkDetector::new(delayed(), t(0));
    report(&mut d, UP, t(0));
    report(&mut d, DOWN, t(10_000));
    // Carrier returns exactly when the outage has lasted down_delay: the
    // outage counts, and the return starts the up_delay.
    assert_eq!(report(&mut d, UP, t(12_000)), [LinkEvent::WentDown]);
    assert_eq!(d.state(), LinkState::Down);
    assert_eq!(d.next_deadline(), Some(t(13_000)));
    assert_eq!(poll(&mut d, t(13_000)), [LinkEvent::WentUp]);
}

#[test]
fn up_delay_holds_back_went_up() {
    let mut d = LinkDetector::new(delayed(), t(0));
    report(&mut d, DOWN, t(0));
    assert!(report(&mut d, UP, t(5_000)).is_empty());
    assert_eq!(d.state(), LinkState::Down);
    assert!(poll(&mut d, t(5_400)).is_empty());
    // A bounce inside up_delay starts it over.
    assert!(report(&mut d, DOWN, t(5_500)).is_empty());
    assert!(report(&mut d, UP, t(5_600)).is_empty());
    assert!(poll(&mut d, t(6_000)).is_empty());
    assert_eq!(poll(&mut d, t(6_600)), [LinkEvent::WentUp]);
    assert_eq!(d.state(), LinkState::Up);
}

#[test]
fn late_poll_dates_the_change_at_the_deadline() {
    let mut d = LinkDetector::new(delayed(), t(0));
    report(&mut d, UP, t(0));
    report(&mut d, DOWN, t(1_000));
    assert_eq!(poll(&mut d, t(9_000)), [LinkEvent::WentDown]);
    assert_eq!(d.last_change(), Some(t(3_000)));
}

/// Drives a zero-delay detector through down/up cycles; the link is
/// reported down first, so every later up is a link-up.
fn flap(d: &mut LinkDetector, ups_at: &[u64]) -> Vec<LinkEvent> {
    let mut events = report(d, DOWN, t(0));
    for &at in ups_at {
        events.extend(report(d, DOWN, t(at.saturating_sub(500))));
        events.extend(report(d, UP, t(at)));
    }
    events
}

#[test]
fn third_up_within_a_minute_is_damped() {
    let mut d = LinkDetector::new(LinkConfig::default(), t(0));
    let events = flap(&mut d, &[1_000, 20_000]);
    assert!(!events.iter().any(|e| matches!(e, LinkEvent::Damped { .. })));
    report(&mut d, DOWN, t(58_000));
    assert_eq!(
        report(&mut d, UP, t(59_000)),
        [
            LinkEvent::WentUp,
            LinkEvent::Damped {
                ups: 3,
                until: t(80_000)
            }
        ]
    );
    assert_eq!(d.state(), LinkState::Up);
    assert!(!d.repair_allowed(t(59_000)));
    assert!(!d.repair_allowed(t(79_999)));
    assert!(d.repair_allowed(t(80_000)));
    assert_eq!(d.next_deadline(), Some(t(80_000)));
    assert!(poll(&mut d, t(79_999)).is_empty());
    assert_eq!(poll(&mut d, t(80_000)), [LinkEvent::Undamped]);
    assert_eq!(d.next_deadline(), None);
    assert!(d.repair_allowed(t(80_000)));
}

#[test]
fn third_up_after_61_s_is_not_damped() {
    let mut d = LinkDetector::new(LinkConfig::default(), t(0));
    let events = flap(&mut d, &[0, 30_000, 61_000]);
    assert!(!events.iter().any(|e| matches!(e, LinkEvent::Damped { .. })));
    assert!(d.repair_allowed(t(61_000)));
}

#[test]
fn up_exactly_one_window_later_passes() {
    let mut d = LinkDetector::new(LinkConfig::default(), t(0));
    let events = flap(&mut d, &[1_000, 2_000, 61_000]);
    assert!(!events.iter().any(|e| matches!(e, LinkEvent::Damped { .. })));
}

#[test]
fn initial_up_is_not_a_link_up() {
    // in.mpathd starts links as up: the first report is not a recovery,
    // so ups at 10 s and 20 s are the first two in the ring.
    let mut d = LinkDetector::new(LinkConfig::default(), t(0));
    let mut events = report(&mut d, UP, t(0));
    for at in [10_000, 20_000] {
        events.extend(report(&mut d, DOWN, t(at - 500)));
        events.extend(report(&mut d, UP, t(at)));
    }
    assert!(!events.iter().any(|e| matches!(e, LinkEvent::Damped { .. })));
    report(&mut d, DOWN, t(29_500));
    assert!(report(&mut d, UP, t(30_000))
        .iter()
        .any(|e| matches!(e, LinkEvent::Damped { ups: 3, .. })));
}

#[test]
fn damping_extends_while_the_link_flaps_on() {
    let mut d = LinkDetector::new(LinkConfig::default(), t(0));
    flap(&mut d, &[1_000, 20_000, 59_000]);
    assert!(!d.repair_allowed(t(59_000)));
    report(&mut d, DOWN, t(60_000));
    // Damped again, but within the same episode: no second Damped.
    assert_eq!(report(&mut d, UP, t(70_000)), [LinkEvent::WentUp]);
    assert_eq!(d.next_deadline(), Some(t(119_000)));
    assert!(poll(&mut d, t(80_000)).is_empty());
    assert!(!d.repair_allowed(t(80_000)));
    assert_eq!(poll(&mut d, t(119_000)), [LinkEvent::Undamped]);
}

#[test]
fn episode_waits_for_the_link_if_it_is_down_at_until() {
    let mut d = LinkDetector::new(LinkConfig::default(), t(0));
    flap(&mut d, &[1_000, 20_000, 59_000]);
    assert_eq!(report(&mut d, DOWN, t(70_000)), [LinkEvent::WentDown]);
    assert_eq!(d.next_deadline(), None);
    assert!(poll(&mut d, t(80_000)).is_empty());
    assert!(d.repair_allowed(t(80_000)));
    assert_eq!(
        report(&mut d, UP, t(200_000)),
        [LinkEvent::WentUp, LinkEvent::Undamped]
    );
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn zero_flap_limit_disables_damping() {
    let cfg = LinkConfig {
        flap_limit: 0,
        ..LinkConfig::default()
    };
    let mut d = LinkDetector::new(cfg, t(0));
    let events = flap(&mut d, &[1_000, 2_000, 3_000, 4_000]);
    assert!(!events.iter().any(|e| matches!(e, LinkEvent::Damped { .. })));
}

#[test]
fn no_link_state_is_unknown() {
    let mut d = LinkDetector::new(delayed(), t(0));
    assert!(report(&mut d, None, t(1)).is_empty());
    assert_eq!(d.state(), LinkState::Unknown);
    assert_eq!(d.last_change(), None);

    assert_eq!(report(&mut d, DOWN, t(2)), [LinkEvent::WentDown]);
    // A driver that stops reporting link state: Unknown, without event,
    // and a pending change is dropped.
    report(&mut d, UP, t(3));
    assert_eq!(d.next_deadline(), Some(t(1_003)));
    assert!(report(&mut d, None, t(4)).is_empty());
    assert_eq!(d.state(), LinkState::Unknown);
    assert_eq!(d.raw_carrier(), None);
    assert_eq!(d.last_change(), Some(t(4)));
    assert_eq!(d.next_deadline(), None);
    assert!(poll(&mut d, t(5_000)).is_empty());

    // Leaving Unknown is immediate and not a link-up for the flap rule.
    assert_eq!(report(&mut d, UP, t(6_000)), [LinkEvent::WentUp]);
    assert_eq!(d.state(), LinkState::Up);
    assert_eq!(d.damper.ups.len(), 0);
}

#[test]
fn time_never_runs_backwards() {
    let mut d = LinkDetector::new(delayed(), t(10_000));
    report(&mut d, UP, t(10_000));
    report(&mut d, DOWN, t(5_000));
    assert_eq!(d.next_deadline(), Some(t(12_000)));
}

/// One step of a random scenario.
#[derive(Clone, Debug)]
enum Op {
    Report(Option<bool>),
    Poll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Report(None)),
        Just(Op::Report(UP)),
        Just(Op::Report(DOWN)),
        Just(Op::Poll),
    ]
}

fn scenario() -> impl Strategy<Value = Vec<(u64, Op)>> {
    prop::collection::vec((0u64..90_000, op()), 0..64)
}

fn expected_state(carrier: Option<bool>) -> LinkState {
    match carrier {
        Some(true) => LinkState::Up,
        Some(false) => LinkState::Down,
        None => LinkState::Unknown,
    }
}

proptest! {
    #[test]
    fn zero_delays_follow_the_last_report(ops in scenario()) {
        let mut d = LinkDetector::new(LinkConfig::default(), t(0));
        let mut now = t(0);
        let mut last = None;
        let mut out = Vec::new();
        for (dt, op) in ops {
            now += Duration::from_millis(dt);
            match op {
                Op::Report(carrier) => {
                    d.on_carrier(carrier, now, &mut out);
                    last = carrier;
                }
                Op::Poll => d.poll(now, &mut out),
            }
            prop_assert_eq!(d.state(), expected_state(last));
            prop_assert_eq!(d.raw_carrier(), last);
        }
    }

    #[test]
    fn deadlines_are_never_in_the_past(
        up_ms in 0u64..5_000,
        down_ms in 0u64..5_000,
        window_s in 0u64..120,
        limit in 0u32..4,
        ops in scenario(),
    ) {
        let cfg = LinkConfig {
            up_delay: Duration::from_millis(up_ms),
            down_delay: Duration::from_millis(down_ms),
            flap_limit: limit,
            flap_window: secs(window_s),
        };
        let mut d = LinkDetector::new(cfg, t(0));
        let mut now = t(0);
        let mut damped = false;
        for (dt, op) in ops {
            now += Duration::from_millis(dt);
            let mut out = Vec::new();
            match op {
                Op::Report(carrier) => d.on_carrier(carrier, now, &mut out),
                Op::Poll => d.poll(now, &mut out),
            }
            if let Some(deadline) = d.next_deadline() {
                prop_assert!(deadline > now, "{deadline:?} <= {now:?}");
            }
            // Damped and Undamped alternate, starting with Damped.
            for event in out {
                match event {
                    LinkEvent::Damped { .. } => {
                        prop_assert!(!damped);
                        damped = true;
                    }
                    LinkEvent::Undamped => {
                        prop_assert!(damped);
                        damped = false;
                    }
                    LinkEvent::WentUp | LinkEvent::WentDown => {}
                }
            }
            if !d.repair_allowed(now) {
                prop_assert!(damped);
            }
        }
    }
}
