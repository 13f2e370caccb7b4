//! Scenario tests of the detector, in simulated time: timing, replies,
//! failure and repair here; targets and the adaptive FDT in `tests/`.

mod adaptive;
mod targets;

use std::time::Duration;

use super::sim::{ip4, Loss, Sim, SIM_ID, START};
use super::*;
use crate::time::Instant;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn cfg(fdt_ms: u64) -> ProbeConfig {
    ProbeConfig {
        fdt: ms(fdt_ms),
        ..ProbeConfig::default()
    }
}

fn is_failed(e: &ProbeEvent) -> bool {
    matches!(e, ProbeEvent::PathFailed { .. })
}

fn is_repaired(e: &ProbeEvent) -> bool {
    matches!(e, ProbeEvent::PathRepaired)
}

fn is_dead(e: &ProbeEvent) -> bool {
    matches!(e, ProbeEvent::TargetDead { .. })
}

fn outcome_of(e: &ProbeEvent) -> Option<ProbeOutcome> {
    match e {
        ProbeEvent::ProbeResolved { outcome, .. } => Some(*outcome),
        _ => None,
    }
}

/// A detector (no simulator) with one router, polled until its first
/// detection probe is out; returns the probe.
fn one_probe_out() -> (ProbeDetector, ProbeRequest) {
    let mut d = ProbeDetector::new(cfg(7000), Family::V4, SIM_ID, 9, START);
    d.set_router_targets(&[ip4(1)], START);
    let mut out = Vec::new();
    let t = d.next_deadline().unwrap();
    d.poll(t, &mut out);
    while !out
        .iter()
        .any(|e| matches!(e, ProbeEvent::Send(r) if r.kind == ProbeKind::Uni))
    {
        let t = d.next_deadline().unwrap();
        d.poll(t, &mut out);
    }
    let req = out
        .iter()
        .find_map(|e| match e {
            ProbeEvent::Send(r) if r.kind == ProbeKind::Uni => Some(*r),
            _ => None,
        })
        .unwrap();
    (d, req)
}

fn reply_to(req: &ProbeRequest, rtt: Duration) -> EchoReply {
    EchoReply::answering(req, req.dst, req.sent_at + rtt)
}

// ----- timing -----------------------------------------------------------

#[test]
fn timer_slack_is_a_32nd_of_an_interval_within_2_to_5_ms() {
    use crate::probe::timer_slack;
    assert_eq!(timer_slack(ms(100)), ms(2));
    assert_eq!(timer_slack(ms(1000)).as_micros(), 4464);
    assert_eq!(timer_slack(ms(10_000)), ms(5));
    assert_eq!(timer_slack(ms(600_000)), ms(5));
}

#[test]
fn interval_is_fdt_over_seven() {
    assert_eq!(probe_interval(ms(10_000)).as_millis(), 1428);
    assert_eq!(probe_interval(ms(100)).as_millis(), 14);
    let d = ProbeDetector::new(cfg(10_000), Family::V4, 1, 1, START);
    assert_eq!(d.interval().as_millis(), 1428);
    assert_eq!(d.user_interval(), d.interval());
    assert_eq!(d.fdt(), ms(10_000));
}

#[test]
fn detection_probes_are_half_to_one_and_a_half_intervals_apart() {
    for seed in 0..5 {
        let mut sim = Sim::with_routers(cfg(10_000), seed, &[ip4(1)], ms(5));
        sim.run_for(secs(2000));
        let i = sim.det.user_interval();
        let sends = sim.sent(ProbeKind::Uni);
        assert!(sends.len() > 1300, "{}", sends.len());
        // The first probe goes out within one interval of creation.
        assert!(sends[0].sent_at < START + i);
        for w in sends.windows(2) {
            let gap = w[1].sent_at.saturating_since(w[0].sent_at);
            assert!(gap >= i / 2 && gap <= i * 3 / 2, "{gap:?}");
        }
    }
}

#[test]
fn sequence_numbers_start_at_one_and_wrap() {
    let mut sim =
        Sim::with_routers(cfg(100), 3, &[ip4(1)], Duration::from_micros(500));
    let i = sim.det.user_interval();
    sim.run_for(i * 66_000);
    let seqs: Vec<u16> =
        sim.sent(ProbeKind::Uni).iter().map(|r| r.seq).collect();
    assert!(seqs.len() > 65_600, "{}", seqs.len());
    assert_eq!(seqs[0], 1);
    for w in seqs.windows(2) {
        assert_eq!(w[1], w[0].wrapping_add(1));
    }
    assert!(seqs.contains(&0) && seqs.contains(&u16::MAX));
    // Every reply was accepted across the wrap.
    assert!(sim.outcomes.iter().all(|(_, o)| *o == ReplyOutcome::Acked));
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    assert_eq!(sim.count(is_failed), 0);
}

#[test]
fn at_most_two_probes_outstanding() {
    // Lossy and slow (late replies) targets.
    let mut sim = Sim::with_routers(cfg(1000), 5, &[ip4(1), ip4(2)], ms(5));
    sim.peer_mut(ip4(1)).loss = Loss::PerMille(500);
    sim.peer_mut(ip4(2)).rtt = ms(400);
    sim.run_for(secs(600));
    assert!(sim.max_outstanding <= 2);
    assert!(sim.max_outstanding == 2, "the test should reach two");
    // And the same from the event stream: sent minus resolved.
    let mut open = std::collections::BTreeSet::new();
    for (_, e) in &sim.log {
        match e {
            ProbeEvent::Send(r) if r.kind == ProbeKind::Uni => {
                open.insert(r.seq);
                assert!(open.len() <= 2);
            }
            ProbeEvent::ProbeResolved { seq, .. } => {
                open.remove(seq);
            }
            _ => {}
        }
    }
}

#[test]
fn missed_probes_are_counted() {
    let mut d = ProbeDetector::new(cfg(7000), Family::V4, 1, 2, START);
    d.set_router_targets(&[ip4(1)], START);
    let mut out = Vec::new();
    let t = d.next_deadline().unwrap();
    d.poll(t, &mut out);
    // Come back ten seconds late.
    let late = d.next_deadline().unwrap() + secs(10);
    d.poll(late, &mut out);
    let missed: Vec<u32> = out
        .iter()
        .filter_map(|e| match e {
            ProbeEvent::MissedProbes { count } => Some(*count),
            _ => None,
        })
        .collect();
    assert_eq!(missed.len(), 1);
    assert!((9..=11).contains(&missed[0]), "{missed:?}");
    assert_eq!(d.counters().missed, u64::from(missed[0]));
    assert!(d.next_deadline().unwrap() > late);
}

// ----- replies ----------------------------------------------------------

#[test]
fn first_ack_gives_crtt_of_three_rtts() {
    let (mut d, req) = one_probe_out();
    let mut out = Vec::new();
    let r = reply_to(&req, ms(20));
    assert_eq!(d.on_reply(&r, r.received_at, &mut out), ReplyOutcome::Acked);
    let t = d.targets();
    assert_eq!(t[0].crtt, Some(ms(60)));
    assert_eq!(t[0].rtt_avg, Some(ms(20)));
    assert_eq!(t[0].rtt_dev, Some(ms(10)));
    assert!(out.contains(&ProbeEvent::ProbeResolved {
        seq: req.seq,
        target: req.dst,
        sent_at: req.sent_at,
        outcome: ProbeOutcome::Acked { rtt: ms(20) },
    }));
    let s = d.status();
    assert_eq!(s.consecutive_acks, 1);
    assert_eq!(s.last_ack, Some(req.sent_at + ms(20)));
}

#[test]
fn spoofed_and_stale_replies_are_rejected() {
    let (mut d, req) = one_probe_out();
    let now = req.sent_at + ms(5);
    let good = reply_to(&req, ms(5));
    let mut out = Vec::new();
    let cases = [
        (
            EchoReply {
                id: SIM_ID + 1,
                ..good
            },
            RejectReason::WrongId,
        ),
        (
            EchoReply {
                nonce: good.nonce ^ 1,
                ..good
            },
            RejectReason::NonceMismatch,
        ),
        (
            EchoReply {
                timestamp: good.timestamp + Duration::from_nanos(1),
                ..good
            },
            RejectReason::TimestampMismatch,
        ),
        (
            EchoReply {
                src: ip4(99),
                ..good
            },
            RejectReason::WrongSource,
        ),
        (
            EchoReply {
                seq: good.seq + 1,
                ..good
            },
            RejectReason::OutOfWindow,
        ),
        (
            EchoReply {
                seq: good.seq.wrapping_sub(52),
                ..good
            },
            RejectReason::OutOfWindow,
        ),
        (
            EchoReply {
                seq: good.seq.wrapping_sub(1),
                ..good
            },
            RejectReason::UnknownSlot,
        ),
        (
            EchoReply {
                kind: ProbeKind::Rtt,
                ..good
            },
            RejectReason::UnknownSlot,
        ),
    ];
    for (reply, reason) in cases {
        assert_eq!(
            d.on_reply(&reply, now, &mut out),
            ReplyOutcome::Rejected(reason),
            "{reply:?}"
        );
    }
    assert_eq!(d.on_reply(&good, now, &mut out), ReplyOutcome::Acked);
    assert_eq!(
        d.on_reply(&good, now, &mut out),
        ReplyOutcome::Rejected(RejectReason::Duplicate)
    );
    let c = d.counters();
    assert_eq!((c.sent, c.acked, c.lost), (1, 1, 0));
    // Everything but the foreign id counts as unknown.
    assert_eq!(c.unknown, 8);
    // Nothing was resolved by the rejected replies.
    let resolved = out.iter().filter(|e| outcome_of(e).is_some()).count();
    assert_eq!(resolved, 1);
}

#[test]
fn replies_are_dropped_while_the_link_is_down() {
    let (mut d, req) = one_probe_out();
    let now = req.sent_at + ms(5);
    d.set_link(false, now);
    let mut out = Vec::new();
    assert_eq!(
        d.on_reply(&reply_to(&req, ms(5)), now, &mut out),
        ReplyOutcome::Rejected(RejectReason::LinkDown)
    );
}

#[test]
fn late_reply_turns_a_lost_probe_into_an_ack() {
    let mut sim = Sim::with_routers(cfg(7000), 1, &[ip4(1)], ms(10));
    sim.run_for(secs(20));
    // The crtt is now about 10 ms: a 300 ms reply is late.
    sim.peer_mut(ip4(1)).rtt = ms(300);
    sim.run_for(secs(5));
    let late: Vec<_> = sim
        .outcomes
        .iter()
        .filter(|(_, o)| *o == ReplyOutcome::LateAck)
        .collect();
    assert!(!late.is_empty());
    // The same sequence number was first reported lost, then acked.
    let seq_of = |e: &ProbeEvent| match e {
        ProbeEvent::ProbeResolved { seq, outcome, .. } => {
            Some((*seq, *outcome))
        }
        _ => None,
    };
    let resolved: Vec<_> =
        sim.log.iter().filter_map(|(_, e)| seq_of(e)).collect();
    let relost = resolved.iter().any(|(s, o)| {
        *o == ProbeOutcome::Lost
            && resolved.iter().any(|(s2, o2)| {
                s2 == s && *o2 == ProbeOutcome::Acked { rtt: ms(300) }
            })
    });
    assert!(relost);
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    assert_eq!(sim.count(is_failed), 0);
    // Counters: a late ack moves the probe from lost to acked.
    let c = sim.det.counters();
    assert_eq!(c.sent, c.acked + c.lost + sim.det.outstanding() as u64);
    assert!(c.late > 0);
    assert_eq!(
        c.sent,
        c.answered_in_time() + c.timed_out() + sim.det.outstanding() as u64
    );
}

// ----- failure, quiet period, repair ------------------------------------

#[test]
fn failure_is_declared_at_the_fifth_loss_timeout() {
    let mut sim = Sim::with_routers(cfg(7000), 4, &[ip4(1)], ms(10));
    sim.run_for(secs(30));
    let dead = sim.now;
    sim.path_dead_from = Some(dead);
    sim.run_for(secs(20));
    let failed = sim.find(is_failed);
    assert_eq!(failed.len(), 1);
    let (t, ProbeEvent::PathFailed { first_failure }) = failed[0] else {
        unreachable!()
    };
    // The fifth loss was resolved at its timeout, not at a firing.
    let losses: Vec<_> = sim
        .log
        .iter()
        .filter(|(_, e)| outcome_of(e) == Some(ProbeOutcome::Lost))
        .collect();
    assert!(losses.len() >= 5);
    let fifth = losses[4];
    assert_eq!(fifth.0, t);
    assert!(!sim.sent(ProbeKind::Uni).iter().any(|r| r.sent_at == t));
    // tff is the loss time of the first loss.
    assert_eq!(first_failure, losses[0].0);
    let acked: Vec<_> = sim
        .sent(ProbeKind::Uni)
        .into_iter()
        .filter(|r| r.sent_at < dead)
        .collect();
    let last_ok = acked.last().unwrap().sent_at;
    assert!(t <= last_ok + sim.det.fdt());
    assert_eq!(sim.det.verdict(), Verdict::Failed);
    let s = sim.det.status();
    assert!(s.consecutive_losses >= 5);
    assert_eq!(s.first_failure, Some(first_failure));
    // Failure reset the crtt.
    assert_eq!(sim.det.targets()[0].crtt, None);
}

#[test]
fn losses_during_the_quiet_period_are_ignored() {
    let mut sim = Sim::with_routers(cfg(1000), 2, &[ip4(1)], ms(1));
    sim.path_dead_from = Some(START);
    sim.run_for(secs(39));
    assert_eq!(sim.count(is_failed), 0);
    // The whole ring is losses, bar the probe in flight.
    assert!(sim.det.status().consecutive_losses >= 50);
    sim.run_for(secs(2));
    let t = sim.first(is_failed).unwrap();
    assert_eq!(t, START + ProbeConfig::default().quiet_period);
}

#[test]
fn the_first_ack_ends_the_quiet_period() {
    let mut sim = Sim::with_routers(cfg(1000), 2, &[ip4(1)], ms(1));
    sim.run_for(secs(2));
    sim.path_dead_from = Some(sim.now);
    sim.run_for(secs(3));
    let t = sim.first(is_failed).unwrap();
    assert!(t < START + secs(5));
}

#[test]
fn repair_needs_exactly_ten_acks() {
    let mut sim = Sim::with_routers(cfg(1000), 6, &[ip4(1)], ms(2));
    sim.run_for(secs(2));
    sim.path_dead_from = Some(sim.now);
    sim.run_for(secs(3));
    assert_eq!(sim.det.verdict(), Verdict::Failed);
    sim.path_dead_from = None;
    sim.run_for(secs(5));
    assert_eq!(sim.count(is_repaired), 1);
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    // Count acks newer (by sequence number) than the last loss, up to
    // the repair: exactly ten, so the ninth did not repair.
    let mut resolved = Vec::new();
    for (_, e) in &sim.log {
        if is_repaired(e) {
            break;
        }
        if let ProbeEvent::ProbeResolved { seq, outcome, .. } = e {
            resolved.push((*seq, *outcome));
        }
    }
    let last_loss = resolved
        .iter()
        .filter(|(_, o)| *o == ProbeOutcome::Lost)
        .map(|(s, _)| *s)
        .max()
        .unwrap();
    let acks = resolved.iter().filter(|(s, _)| *s > last_loss).count();
    assert_eq!(acks, 10);
}

#[test]
fn forced_failure_needs_ten_new_acks() {
    let mut sim = Sim::with_routers(cfg(1000), 6, &[ip4(1)], ms(2));
    sim.run_for(secs(5));
    assert!(sim.det.status().consecutive_acks > 10);
    sim.with_det(|d, now| d.force_failed(now));
    assert_eq!(sim.det.verdict(), Verdict::Failed);
    assert_eq!(sim.det.status().consecutive_acks, 0);
    assert_eq!(sim.det.targets()[0].crtt, None);
    assert_eq!(sim.count(is_failed), 0);
    let forced = sim.now;
    sim.run_for(secs(3));
    let t = sim.first(is_repaired).unwrap();
    let acks = sim
        .log
        .iter()
        .filter(|(at, e)| {
            *at > forced
                && *at <= t
                && matches!(outcome_of(e), Some(ProbeOutcome::Acked { .. }))
        })
        .count();
    assert_eq!(acks, 10);
}
