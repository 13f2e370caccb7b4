//! Scenario tests: the adaptive failure detection time.

use super::*;
use crate::probe::sim::{ip4, Loss, Sim};

fn raised_sim(factor: u32) -> (Sim, Instant) {
    let config = ProbeConfig {
        fdt: ms(7000),
        max_fdt_factor: factor,
        ..ProbeConfig::default()
    };
    let mut sim = Sim::with_routers(config, 17, &[ip4(1)], ms(10));
    sim.run_for(secs(20));
    sim.peer_mut(ip4(1)).rtt = ms(900);
    sim.run_for(secs(20));
    let raised = sim
        .first(|e| matches!(e, ProbeEvent::FdtRaised { .. }))
        .expect("raised");
    (sim, raised)
}

#[test]
fn slow_target_raises_the_fdt() {
    let (sim, _) = raised_sim(8);
    let raises = sim.find(|e| matches!(e, ProbeEvent::FdtRaised { .. }));
    let ProbeEvent::FdtRaised { from, to, target } = raises[0].1 else {
        unreachable!()
    };
    assert_eq!(from, ms(7000));
    assert_eq!(target, ip4(1));
    assert!(to > ms(14_000) && to <= ms(56_000), "{to:?}");
    assert_eq!(sim.det.interval(), sim.det.fdt() / 7);
    assert!(sim.det.fdt() >= to);
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    assert_eq!(sim.count(is_failed), 0);
    // RTT-only probes go out between the detection probes.
    let rtt = sim.sent(ProbeKind::Rtt);
    assert!(!rtt.is_empty());
    assert!(rtt.iter().all(|r| r.dst == ip4(1)));
}

#[test]
fn raised_fdt_stops_at_the_ceiling() {
    let (sim, _) = raised_sim(2);
    assert_eq!(sim.det.fdt(), ms(14_000));
    let tos: Vec<_> = sim
        .find(|e| matches!(e, ProbeEvent::FdtRaised { .. }))
        .into_iter()
        .map(|(_, e)| match e {
            ProbeEvent::FdtRaised { to, .. } => to,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(tos, vec![ms(14_000)]);
}

#[test]
fn raised_fdt_comes_down_fast_in_few_steps() {
    let (mut sim, raised) = raised_sim(8);
    let user = sim.det.user_interval();
    sim.peer_mut(ip4(1)).rtt = ms(10);
    let calm = sim.now;
    sim.run_for(secs(60));
    let lowered = sim.find(|e| matches!(e, ProbeEvent::FdtLowered { .. }));
    assert!(!lowered.is_empty());
    // A few large steps, not one per sample.
    assert!(lowered.len() <= 5, "{}", lowered.len());
    // Not before ten user intervals after the last raise.
    let last_raise = sim
        .find(|e| matches!(e, ProbeEvent::FdtRaised { .. }))
        .last()
        .unwrap()
        .0;
    assert!(last_raise >= raised);
    assert!(lowered[0].0 >= last_raise + user * 10);
    // Back at the configured FDT well before in.mpathd's 60 s settling
    // time would even allow the first halving.
    assert_eq!(sim.det.fdt(), ms(7000));
    let (back, _) = *lowered.last().unwrap();
    assert!(back < calm + secs(30), "{:?}", back.saturating_since(calm));
    let ProbeEvent::FdtLowered { to, .. } = lowered.last().unwrap().1 else {
        unreachable!()
    };
    assert_eq!(to, ms(7000));
    // Detection probes go out every interval again, RTT probes stop.
    let rtt_sent = sim.det.counters().rtt_sent;
    sim.run_for(secs(10));
    assert_eq!(sim.det.counters().rtt_sent, rtt_sent);
    assert_eq!(sim.det.verdict(), Verdict::Ok);
}

#[test]
fn rtt_replies_must_match_a_recent_rtt_probe() {
    let (mut sim, _) = raised_sim(8);
    // Stop answering so that the next RTT probe stays open.
    sim.peer_mut(ip4(1)).loss = Loss::All;
    let n = sim.sent(ProbeKind::Rtt).len();
    while sim.sent(ProbeKind::Rtt).len() == n {
        sim.step();
    }
    let req = *sim.sent(ProbeKind::Rtt).last().unwrap();
    let good = EchoReply {
        src: req.dst,
        id: req.id,
        seq: req.seq,
        kind: ProbeKind::Rtt,
        timestamp: req.sent_at,
        nonce: req.nonce,
        received_at: sim.now,
    };
    let rejected = |r| ReplyOutcome::Rejected(r);
    let cases = [
        (EchoReply { nonce: 1, ..good }, RejectReason::NonceMismatch),
        (
            EchoReply {
                src: ip4(9),
                ..good
            },
            RejectReason::WrongSource,
        ),
        (
            EchoReply {
                timestamp: good.timestamp + Duration::from_nanos(1),
                ..good
            },
            RejectReason::TimestampMismatch,
        ),
    ];
    for (reply, reason) in cases {
        assert_eq!(sim.inject(reply), rejected(reason));
    }
    assert_eq!(sim.inject(good), ReplyOutcome::Acked);
    assert_eq!(sim.inject(good), rejected(RejectReason::UnknownSlot));
}
