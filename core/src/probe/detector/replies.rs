//! Reply validation and what an accepted reply does: acks, RTT samples,
//! adaptive FDT, host discovery.

use std::net::IpAddr;
use std::time::Duration;

use super::ProbeDetector;
use crate::probe::history::{LocateError, Slot, PROBE_STATS_COUNT};
use crate::probe::rtt::{SampleEffect, SampleSource};
use crate::probe::target::{TargetKind, TargetState};
use crate::probe::verdict::PathState;
use crate::probe::{
    EchoReply, ProbeEvent, ProbeKind, ProbeOutcome, RejectReason, ReplyOutcome,
};
use crate::time::Instant;

impl ProbeDetector {
    pub(super) fn handle_reply(
        &mut self,
        reply: &EchoReply,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) -> ReplyOutcome {
        if !self.link_up {
            return ReplyOutcome::Rejected(RejectReason::LinkDown);
        }
        if reply.id != self.id {
            return ReplyOutcome::Rejected(RejectReason::WrongId);
        }
        let result = match reply.kind {
            ProbeKind::Uni => self.on_uni_reply(reply, now, out),
            ProbeKind::Multi => self.on_multi_reply(reply, now, out),
            ProbeKind::Rtt => self.on_rtt_reply(reply, now, out),
        };
        result.unwrap_or_else(ReplyOutcome::Rejected)
    }

    /// Whether an RTT measurement may feed the estimator: the path is
    /// running (in.mpathd ignores samples while failed, when replies may
    /// have queued behind address resolution) and the RTT is plausible
    /// (at most 52 intervals, else we were descheduled).
    pub(super) fn usable_rtt(
        &self,
        sent_at: Instant,
        received_at: Instant,
    ) -> Option<Duration> {
        let rtt = received_at.saturating_since(sent_at);
        let limit = self
            .adapt
            .interval()
            .saturating_mul(PROBE_STATS_COUNT as u32);
        let plausible = received_at >= sent_at && rtt <= limit;
        (self.state == PathState::Ok && plausible).then_some(rtt)
    }

    pub(super) fn on_uni_reply(
        &mut self,
        reply: &EchoReply,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) -> Result<ReplyOutcome, RejectReason> {
        let index = self.history.locate(reply.seq).map_err(|e| match e {
            LocateError::OutOfWindow => RejectReason::OutOfWindow,
            LocateError::UnknownSlot => RejectReason::UnknownSlot,
        })?;
        let slot = *self.history.slot(index);
        let (p, already) = match slot {
            Slot::Unused => return Err(RejectReason::UnknownSlot),
            Slot::Unacked(p) | Slot::Lost(p, _) => (p, false),
            Slot::Acked(p, _) => (p, true),
        };
        if reply.src != p.target {
            return Err(RejectReason::WrongSource);
        }
        if reply.nonce != p.nonce {
            return Err(RejectReason::NonceMismatch);
        }
        if reply.timestamp != p.sent_at {
            return Err(RejectReason::TimestampMismatch);
        }
        if already {
            return Err(RejectReason::Duplicate);
        }
        let newer_ack = self.history.newer_ack_to(index, p.target);
        let Some((_, late)) = self.history.mark_acked(index, reply.received_at)
        else {
            return Err(RejectReason::UnknownSlot);
        };
        self.counters.acked += 1;
        if late {
            self.counters.lost = self.counters.lost.saturating_sub(1);
            self.counters.late += 1;
        }
        let rtt = reply.received_at.saturating_since(p.sent_at);
        out.push(ProbeEvent::ProbeResolved {
            seq: p.seq,
            target: p.target,
            sent_at: p.sent_at,
            outcome: ProbeOutcome::Acked { rtt },
        });
        // An ack ends the quiet period.
        self.quiet_until = None;
        if let Some(rtt) = self.usable_rtt(p.sent_at, reply.received_at) {
            if !newer_ack {
                self.detection_sample(p.target, rtt, now, out);
            }
        }
        // Decide as `poll` would at `now`: a probe past its timeout counts
        // as lost, so that ten acks cannot repair over a newer loss.
        self.resolve_timeouts(now, out);
        self.evaluate(now, out);
        Ok(if late {
            ReplyOutcome::LateAck
        } else {
            ReplyOutcome::Acked
        })
    }

    /// Integrate a detection RTT sample, then raise the FDT, set the
    /// target aside, or try to lower the FDT.
    pub(super) fn detection_sample(
        &mut self,
        addr: IpAddr,
        rtt: Duration,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let interval = self.adapt.interval();
        let Some(t) = self.targets.get_mut(addr) else {
            return;
        };
        if t.state != TargetState::Active {
            return;
        }
        match t.rtt.sample(rtt, SampleSource::Detection, interval) {
            SampleEffect::Updated => {}
            SampleEffect::Deferred | SampleEffect::Ignored => return,
        }
        let crtt = t.rtt.crtt().unwrap_or(Duration::ZERO);
        if crtt > interval {
            if self.is_exception(addr, interval) {
                self.set_aside(addr, now, out);
            } else if let Some((from, to)) = self.adapt.raise(crtt, now) {
                out.push(ProbeEvent::FdtRaised {
                    from,
                    to,
                    target: addr,
                });
            }
        } else {
            self.try_lower(now, out);
        }
    }

    pub(super) fn try_lower(
        &mut self,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let max = self.targets.max_active_crtt();
        if let Some((from, to)) = self.adapt.lower(max, now) {
            out.push(ProbeEvent::FdtLowered { from, to });
        }
    }

    pub(super) fn on_rtt_reply(
        &mut self,
        reply: &EchoReply,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) -> Result<ReplyOutcome, RejectReason> {
        let Some(pos) =
            self.rtt_probes.iter().position(|s| s.nonce == reply.nonce)
        else {
            return Err(
                if self.rtt_probes.iter().any(|s| s.dst == reply.src) {
                    RejectReason::NonceMismatch
                } else {
                    RejectReason::UnknownSlot
                },
            );
        };
        let stamp = self.rtt_probes[pos];
        if stamp.dst != reply.src {
            return Err(RejectReason::WrongSource);
        }
        if stamp.sent_at != reply.timestamp {
            return Err(RejectReason::TimestampMismatch);
        }
        self.rtt_probes.remove(pos);
        let interval = self.adapt.interval();
        if let Some(rtt) = self.usable_rtt(stamp.sent_at, reply.received_at) {
            let updated = self
                .targets
                .get_mut(stamp.dst)
                .filter(|t| t.state == TargetState::Active)
                .map(|t| t.rtt.sample(rtt, SampleSource::RttOnly, interval));
            if updated == Some(SampleEffect::Updated) {
                self.try_lower(now, out);
            }
        }
        Ok(ReplyOutcome::Acked)
    }

    pub(super) fn on_multi_reply(
        &mut self,
        reply: &EchoReply,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) -> Result<ReplyOutcome, RejectReason> {
        let stamp = self
            .multis
            .iter()
            .find(|s| s.nonce == reply.nonce)
            .copied()
            .ok_or(if self.multis.is_empty() {
                RejectReason::UnknownSlot
            } else {
                RejectReason::NonceMismatch
            })?;
        if stamp.sent_at != reply.timestamp {
            return Err(RejectReason::TimestampMismatch);
        }
        let src = reply.src;
        if self.own.contains(&src) {
            return Err(RejectReason::OwnAddress);
        }
        if !self.acceptable(src) {
            return Err(RejectReason::BadSource);
        }
        if !self.hosts_wanted() || self.targets.get(src).is_some() {
            return Err(RejectReason::Unneeded);
        }
        if !self.targets.add(src, TargetKind::Host, now) {
            return Err(RejectReason::Unneeded);
        }
        out.push(ProbeEvent::TargetAdded {
            addr: src,
            kind: TargetKind::Host,
        });
        self.sync_state(now, out);
        Ok(ReplyOutcome::Discovered)
    }
}
