//! Property tests of the detector on the simulated network.

use std::collections::BTreeMap;
use std::time::Duration;

use proptest::prelude::*;

use super::sim::{ip4, Loss, Sim, START};
use super::*;
use crate::time::Instant;

fn config(fdt_ms: u64) -> ProbeConfig {
    ProbeConfig {
        fdt: Duration::from_millis(fdt_ms),
        ..ProbeConfig::default()
    }
}

fn routers(n: u8) -> Vec<std::net::IpAddr> {
    (1..=n).map(ip4).collect()
}

/// Sequence-ordered check, as the history sees it: at each `PathFailed`,
/// the newest resolved probes (by sequence number, late acks applied,
/// probes still in flight skipped) must be at least five losses.
fn failures_follow_five_losses(sim: &Sim) -> Result<(), TestCaseError> {
    let mut latest: BTreeMap<u16, ProbeOutcome> = BTreeMap::new();
    for (_, e) in &sim.log {
        match e {
            ProbeEvent::ProbeResolved { seq, outcome, .. } => {
                latest.insert(*seq, *outcome);
            }
            ProbeEvent::PathFailed { .. } => {
                let run = latest
                    .values()
                    .rev()
                    .take_while(|o| **o == ProbeOutcome::Lost)
                    .count();
                prop_assert!(run >= 5, "failed after {} losses", run);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Sent minus resolved never exceeds two, from the event stream.
fn two_in_flight(sim: &Sim) -> Result<(), TestCaseError> {
    let mut open = std::collections::BTreeSet::new();
    for (_, e) in &sim.log {
        match e {
            ProbeEvent::Send(r) if r.kind == ProbeKind::Uni => {
                open.insert(r.seq);
                prop_assert!(open.len() <= 2, "{} in flight", open.len());
            }
            ProbeEvent::ProbeResolved { seq, .. } => {
                open.remove(seq);
            }
            _ => {}
        }
    }
    prop_assert!(sim.max_outstanding <= 2);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A path that dies is declared failed no later than FDT after the
    /// send time of its last acked probe, and only after five
    /// consecutive losses.
    #[test]
    fn dying_path_fails_within_fdt_of_last_ack(
        fdt_ms in 100u64..=20_000,
        seed in any::<u64>(),
        rtt_permille in 1u32..250,
        death_intervals in 3u32..60,
        ntargets in 1u8..=3,
    ) {
        let cfg = config(fdt_ms);
        let i = probe_interval(cfg.fdt);
        let rtt = i * rtt_permille / 1000;
        let mut sim = Sim::with_routers(cfg, seed, &routers(ntargets), rtt);
        let death = START + i * death_intervals;
        sim.path_dead_from = Some(death);
        sim.run_until(death + cfg.fdt * 3);

        let failed: Vec<Instant> = sim
            .find(|e| matches!(e, ProbeEvent::PathFailed { .. }))
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        prop_assert_eq!(failed.len(), 1);
        let at = failed[0];

        let mut last_acked_sent = None;
        let mut losses_since_ack = 0;
        for (_, e) in sim.log.iter().take_while(|(t, _)| *t <= at) {
            match e {
                ProbeEvent::ProbeResolved { sent_at, outcome, .. } => {
                    match outcome {
                        ProbeOutcome::Acked { .. } => {
                            last_acked_sent = Some(*sent_at);
                            losses_since_ack = 0;
                        }
                        ProbeOutcome::Lost => losses_since_ack += 1,
                    }
                }
                ProbeEvent::PathFailed { .. } => break,
                _ => {}
            }
        }
        let last = last_acked_sent.expect("an ack before the death");
        prop_assert!(
            at <= last + cfg.fdt,
            "failed {:?} after the last acked probe (FDT {:?})",
            at.saturating_since(last),
            cfg.fdt
        );
        prop_assert!(losses_since_ack >= 5, "{} losses", losses_since_ack);
        prop_assert_eq!(sim.det.verdict(), Verdict::Failed);
        prop_assert_eq!(
            sim.count(|e| matches!(e, ProbeEvent::TargetDead { .. })),
            0
        );
        failures_follow_five_losses(&sim)?;
        two_in_flight(&sim)?;
    }

    /// With stable round trips below a quarter interval and no loss, the
    /// path is never failed and no target is blamed.
    #[test]
    fn healthy_path_is_never_failed(
        fdt_ms in 100u64..=20_000,
        seed in any::<u64>(),
        rtt_permille in 1u32..250,
        ntargets in 1u8..=5,
        intervals in 50u32..300,
    ) {
        let cfg = config(fdt_ms);
        let i = probe_interval(cfg.fdt);
        let rtt = i * rtt_permille / 1000;
        let mut sim = Sim::with_routers(cfg, seed, &routers(ntargets), rtt);
        sim.run_until(START + i * intervals);
        prop_assert_eq!(sim.det.verdict(), Verdict::Ok);
        prop_assert_eq!(
            sim.count(|e| matches!(
                e,
                ProbeEvent::PathFailed { .. }
                    | ProbeEvent::TargetDead { .. }
                    | ProbeEvent::FdtRaised { .. }
            )),
            0
        );
        let lost = sim.count(|e| matches!(
            e,
            ProbeEvent::ProbeResolved { outcome: ProbeOutcome::Lost, .. }
        ));
        prop_assert_eq!(lost, 0);
        two_in_flight(&sim)?;
    }

    /// Whatever the loss and however slow the replies (late acks, forced
    /// losses, raised FDT), at most two probes are in flight and every
    /// failure follows five consecutive losses.
    #[test]
    fn at_most_two_outstanding_under_any_loss(
        fdt_ms in 100u64..=5_000,
        seed in any::<u64>(),
        rtt_permille in 1u32..2_000,
        loss in 0u32..=1000,
        ntargets in 1u8..=3,
    ) {
        let cfg = config(fdt_ms);
        let i = probe_interval(cfg.fdt);
        let rtt = i * rtt_permille / 1000;
        let mut sim = Sim::with_routers(cfg, seed, &routers(ntargets), rtt);
        for n in 1..=ntargets {
            sim.peer_mut(ip4(n)).loss = Loss::PerMille(loss);
        }
        sim.run_until(START + i * 400);
        two_in_flight(&sim)?;
        failures_follow_five_losses(&sim)?;
        let c = sim.det.counters();
        let in_flight = sim.det.outstanding() as u64;
        prop_assert_eq!(c.sent, c.acked + c.lost + in_flight);
    }
}
