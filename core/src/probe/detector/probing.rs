//! Sending probes and resolving them: timeouts, the failure / target
//! failure / repair decision, and timer firings.

use std::net::IpAddr;

use super::{remember, ProbeDetector, Stamp, RECENT_MULTI, RECENT_RTT};
use crate::probe::history::SentProbe;
use crate::probe::schedule::FiringKind;
use crate::probe::target::TargetState;
use crate::probe::verdict::{PathInput, PathState};
use crate::probe::{
    ProbeEvent, ProbeKind, ProbeOutcome, ProbeRequest, MIN_DIVERSE_TARGETS,
    NUM_PROBE_FAILS, NUM_PROBE_REPAIRS,
};
use crate::time::Instant;

impl ProbeDetector {
    /// When the probe `p` times out: its target's crtt after the send,
    /// or the interval without one, and never later than the interval.
    pub(super) fn timeout_of(&self, p: &SentProbe) -> Instant {
        let a = self.adapt.interval();
        let crtt = self.targets.get(p.target).and_then(|t| t.rtt.crtt());
        p.sent_at + crtt.unwrap_or(a).min(a)
    }

    pub(super) fn lose(
        &mut self,
        index: usize,
        at: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        if let Some(p) = self.history.mark_lost(index, at) {
            self.counters.lost += 1;
            out.push(ProbeEvent::ProbeResolved {
                seq: p.seq,
                target: p.target,
                sent_at: p.sent_at,
                outcome: ProbeOutcome::Lost,
            });
        }
    }

    pub(super) fn resolve_timeouts(
        &mut self,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        for index in self.history.outstanding() {
            let Some(p) = self.history.slot(index).probe().copied() else {
                continue;
            };
            let timeout = self.timeout_of(&p);
            if timeout <= now {
                self.lose(index, timeout, out);
            }
        }
    }

    /// Failure, target failure and repair decisions from the history.
    pub(super) fn evaluate(&mut self, now: Instant, out: &mut Vec<ProbeEvent>) {
        let Some(current) = self.history.most_recent_target() else {
            return;
        };
        match self.state {
            PathState::Ok => {
                if self.quiet_until.is_some() {
                    return;
                }
                if self.history.loss_run().count >= NUM_PROBE_FAILS {
                    self.transition(PathInput::LossRun, now, out);
                } else if self.history.losses_to(current) >= NUM_PROBE_FAILS
                    && self
                        .targets
                        .get(current)
                        .is_some_and(|t| t.state == TargetState::Active)
                {
                    self.target_failed(current, now, out);
                }
            }
            PathState::Failed => {
                if self.history.ack_run() >= NUM_PROBE_REPAIRS
                    || self.history.acks_to(current) >= NUM_PROBE_REPAIRS
                {
                    self.transition(PathInput::AckRun, now, out);
                }
            }
            PathState::NoTargets { .. } => {}
        }
    }

    /// A timer firing: send a detection, RTT or multicast probe.
    pub(super) fn fire(&mut self, now: Instant, out: &mut Vec<ProbeEvent>) {
        let firing =
            self.schedule
                .fire(now, &mut self.rng, self.adapt.interval());
        if firing.missed > 0 {
            self.counters.missed += u64::from(firing.missed);
            out.push(ProbeEvent::MissedProbes {
                count: firing.missed,
            });
        }
        if self.targets.active_count() == 0 {
            if self.explicit.is_empty() {
                self.send_multi(now, out);
            }
            return;
        }
        match firing.kind {
            FiringKind::RttOnly => {
                if let Some(dst) = self.targets.next_rtt_target() {
                    self.send_rtt(dst, now, out);
                }
            }
            FiringKind::Detection => {
                // At most two probes in flight: the second most recent
                // is forced lost before another goes out.
                let outstanding = self.history.outstanding();
                if outstanding.len() > 1 {
                    for &index in &outstanding[1..] {
                        self.lose(index, now, out);
                    }
                    self.evaluate(now, out);
                }
                match self.targets.next_probe_target() {
                    Some(dst) => self.send_uni(dst, now, out),
                    None => {
                        if self.explicit.is_empty() {
                            self.send_multi(now, out);
                        }
                        return;
                    }
                }
                if self.explicit.is_empty()
                    && self.targets.active_count() < MIN_DIVERSE_TARGETS
                {
                    self.send_multi(now, out);
                }
            }
        }
    }

    pub(super) fn request(
        &self,
        kind: ProbeKind,
        dst: IpAddr,
        seq: u16,
        nonce: u64,
        now: Instant,
    ) -> ProbeEvent {
        ProbeEvent::Send(ProbeRequest {
            kind,
            dst,
            id: self.id,
            seq,
            nonce,
            sent_at: now,
        })
    }

    pub(super) fn send_uni(
        &mut self,
        dst: IpAddr,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let nonce = self.rng.next_u64();
        let seq = self.history.record(dst, nonce, now);
        self.counters.sent += 1;
        out.push(self.request(ProbeKind::Uni, dst, seq, nonce, now));
    }

    pub(super) fn send_multi(
        &mut self,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let dst = self.family.all_nodes();
        let nonce = self.rng.next_u64();
        remember(
            &mut self.multis,
            Stamp {
                dst,
                nonce,
                sent_at: now,
            },
            RECENT_MULTI,
        );
        self.counters.multi_sent += 1;
        out.push(self.request(
            ProbeKind::Multi,
            dst,
            self.history.snxt(),
            nonce,
            now,
        ));
    }

    pub(super) fn send_rtt(
        &mut self,
        dst: IpAddr,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let nonce = self.rng.next_u64();
        remember(
            &mut self.rtt_probes,
            Stamp {
                dst,
                nonce,
                sent_at: now,
            },
            RECENT_RTT,
        );
        self.counters.rtt_sent += 1;
        out.push(self.request(
            ProbeKind::Rtt,
            dst,
            self.history.snxt(),
            nonce,
            now,
        ));
    }
}
