//! [`ProbeDetector`]: probe-based failure detection of one path.
//!
//! This file ties the pieces together; the model is described in the
//! module documentation ([`super`]).

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

mod probing;
mod replies;
mod targeting;

use super::adapt::FdtController;
use super::history::History;
use super::probe_interval;
use super::schedule::Schedule;
use super::target::{TargetKind, TargetList};
use super::types::{
    Counters, EchoReply, Family, PathStatus, ProbeConfig, ProbeEvent,
    RejectReason, ReplyOutcome, TargetInfo, Verdict,
};
use super::verdict::{PathAction, PathInput, PathState};
use crate::rng::Rng;
use crate::time::Instant;

/// Multicast and RTT probes whose replies are still accepted.
const RECENT_MULTI: usize = 2;
const RECENT_RTT: usize = 5;

/// A multicast or RTT probe whose replies we still accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    /// Destination (all-nodes for multicast probes).
    dst: IpAddr,
    /// Nonce the reply must echo.
    nonce: u64,
    /// Timestamp the reply must echo.
    sent_at: Instant,
}

fn remember(list: &mut Vec<Stamp>, stamp: Stamp, keep: usize) {
    list.push(stamp);
    if list.len() > keep {
        list.remove(0);
    }
}

/// Probe-based failure detection of one interface in one address family.
///
/// Sans-IO: the caller sends the probes it is told to send, feeds back
/// replies, and calls [`ProbeDetector::poll`] at
/// [`ProbeDetector::next_deadline`]. Methods that take no event vector
/// queue their events; the next `poll` or `on_reply` delivers them, and
/// `next_deadline` returns the instant they were queued so the caller
/// polls at once.
#[derive(Clone, Debug)]
pub struct ProbeDetector {
    /// Configuration (the FDT in it is the configured one).
    cfg: ProbeConfig,
    /// Address family probed.
    family: Family,
    /// ICMP identifier of our probes.
    id: u16,
    /// Jitter and nonces.
    rng: Rng,
    /// The verdict state machine.
    state: PathState,
    /// Probe targets.
    targets: TargetList,
    /// The last 52 failure-detection probes and the sequence counter.
    history: History,
    /// The probe timer.
    schedule: Schedule,
    /// The adaptive FDT.
    adapt: FdtController,
    /// Whether the link is up (probing runs).
    link_up: bool,
    /// End of the quiet period, until it is over or ended by an ack.
    quiet_until: Option<Instant>,
    /// Our own addresses, never targets: one set shared by every
    /// detector of an engine (a host with a thousand interfaces has
    /// thousands of addresses; a copy per detector would be megabytes).
    own: Arc<BTreeSet<IpAddr>>,
    /// Router targets from the last route scan.
    routers: Vec<IpAddr>,
    /// Operator-configured targets; when non-empty, the only ones used.
    explicit: Vec<IpAddr>,
    /// Recent multicast probes.
    multis: Vec<Stamp>,
    /// Recent RTT-only probes.
    rtt_probes: Vec<Stamp>,
    /// Events queued by methods without an event vector.
    pending: Vec<ProbeEvent>,
    /// When the oldest of `pending` was queued.
    pending_since: Option<Instant>,
    /// The latest `now` seen (for methods that take none).
    last_now: Instant,
    /// Cumulative counters.
    counters: Counters,
}

impl ProbeDetector {
    /// A detector for one path, created at `now` with the link up and no
    /// targets yet: it starts in `NoTargets` and multicasts to discover
    /// hosts until targets are set or found. `seed` seeds every random
    /// choice (jitter, nonces).
    pub fn new(
        cfg: ProbeConfig,
        family: Family,
        id: u16,
        seed: u64,
        now: Instant,
    ) -> ProbeDetector {
        let mut rng = Rng::new(seed);
        let mut schedule = Schedule::new(probe_interval(cfg.fdt));
        schedule.start(now, &mut rng);
        ProbeDetector {
            cfg,
            family,
            id,
            rng,
            state: PathState::NoTargets { was_failed: false },
            targets: TargetList::new(),
            history: History::new(),
            schedule,
            adapt: FdtController::new(cfg.fdt, cfg.max_fdt_factor),
            link_up: true,
            quiet_until: Some(now + cfg.quiet_period),
            own: Arc::default(),
            routers: Vec::new(),
            explicit: Vec::new(),
            multis: Vec::new(),
            rtt_probes: Vec::new(),
            pending: Vec::new(),
            pending_since: None,
            last_now: now,
            counters: Counters::default(),
        }
    }

    // ----- configuration -------------------------------------------------

    /// Our own addresses: never accepted as targets (any family; the
    /// others are ignored).
    pub fn set_own_addresses(&mut self, addrs: &[IpAddr]) {
        self.share_own_addresses(&Arc::new(addrs.iter().copied().collect()));
    }

    /// [`ProbeDetector::set_own_addresses`] with a set the caller shares
    /// between detectors; handing the same set again costs nothing.
    pub fn share_own_addresses(&mut self, addrs: &Arc<BTreeSet<IpAddr>>) {
        if Arc::ptr_eq(&self.own, addrs) {
            return;
        }
        self.own = Arc::clone(addrs);
        let now = self.last_now;
        self.queue(now, |d, out| d.rebuild_targets(now, out));
    }

    /// Router targets from a route scan (full replacement). Kept targets
    /// keep their state; while the path is failed, routers that vanished
    /// are kept so that repair can be seen.
    pub fn set_router_targets(&mut self, addrs: &[IpAddr], now: Instant) {
        self.last_now = now;
        self.routers = addrs.to_vec();
        self.queue(now, |d, out| d.rebuild_targets(now, out));
    }

    /// Operator-configured targets. When any are configured only they are
    /// used: routers and hosts are dropped and no multicast is sent.
    pub fn set_explicit_targets(&mut self, addrs: &[IpAddr], now: Instant) {
        self.last_now = now;
        self.explicit = addrs.to_vec();
        self.queue(now, |d, out| d.rebuild_targets(now, out));
    }

    /// Link state. Down stops probing and clears the history; up
    /// restarts the timer at a random point of the next interval.
    pub fn set_link(&mut self, up: bool, now: Instant) {
        self.last_now = now;
        if up == self.link_up {
            return;
        }
        self.link_up = up;
        if up {
            self.schedule.start(now, &mut self.rng);
        } else {
            self.schedule.stop();
            self.history.clear();
            self.multis.clear();
            self.rtt_probes.clear();
        }
    }

    /// Ends the quiet period now: the caller knows the link has been up
    /// for long (the daemon started on a running system), so losses
    /// count from the first probe.
    pub fn end_quiet_period(&mut self) {
        self.quiet_until = None;
    }

    /// Whether losses are still being ignored.
    pub fn in_quiet_period(&self) -> bool {
        self.quiet_until.is_some()
    }

    /// The group layer declared this path failed (group failure): the
    /// verdict becomes `Failed` (no event), every crtt is reset and the
    /// history cleared, so that repair needs ten new acks.
    pub fn force_failed(&mut self, now: Instant) {
        self.last_now = now;
        self.queue(now, |d, out| d.transition(PathInput::Forced, now, out));
    }

    /// Forget every target's round-trip estimate.
    pub fn reset_rtt(&mut self) {
        for rtt in self.targets.estimators_mut() {
            rtt.reset();
        }
    }

    /// Delete all host targets (group failure, §3.10.7): they are
    /// rediscovered by multicast. Router and explicit targets stay.
    pub fn flush_host_targets(&mut self, now: Instant) {
        self.last_now = now;
        self.queue(now, |d, out| {
            let hosts: Vec<IpAddr> = d
                .targets
                .entries()
                .iter()
                .filter(|t| t.kind == TargetKind::Host)
                .map(|t| t.addr)
                .collect();
            for addr in hosts {
                d.targets.remove(addr);
                out.push(ProbeEvent::TargetRemoved { addr });
            }
            d.after_target_loss(now, out);
        });
    }

    // ----- driving -------------------------------------------------------

    /// Timer work at `now`: deliver queued events, advance target
    /// recovery, resolve timed-out probes, decide failure / target
    /// failure / repair, and send the probes that are due.
    pub fn poll(&mut self, now: Instant, out: &mut Vec<ProbeEvent>) {
        self.last_now = now;
        self.drain_pending(out);
        if self.quiet_until.is_some_and(|q| now >= q) {
            self.quiet_until = None;
        }
        if !self.link_up {
            return;
        }
        if self.targets.tick(now) {
            self.sync_state(now, out);
        }
        self.resolve_timeouts(now, out);
        self.evaluate(now, out);
        if self.schedule.due(now) {
            self.fire(now, out);
        }
    }

    /// Handle an echo reply received by the caller.
    pub fn on_reply(
        &mut self,
        reply: &EchoReply,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) -> ReplyOutcome {
        self.last_now = now;
        self.drain_pending(out);
        let outcome = self.handle_reply(reply, now, out);
        if let ReplyOutcome::Rejected(reason) = outcome {
            let counted = match reason {
                RejectReason::WrongId
                | RejectReason::Unneeded
                | RejectReason::LinkDown => false,
                RejectReason::OutOfWindow
                | RejectReason::UnknownSlot
                | RejectReason::Duplicate
                | RejectReason::NonceMismatch
                | RejectReason::TimestampMismatch
                | RejectReason::WrongSource
                | RejectReason::OwnAddress
                | RejectReason::BadSource => true,
            };
            if counted {
                self.counters.unknown += 1;
            }
        }
        outcome
    }

    /// When `poll` wants to be called next: the earliest of queued
    /// events, the next send, the timeout of each outstanding probe, the
    /// end of the quiet period and target recovery timers. `None` while
    /// the link is down (unless events are queued).
    pub fn next_deadline(&self) -> Option<Instant> {
        if !self.link_up {
            return self.pending_since;
        }
        let timeouts = self.history.unacked().filter_map(|i| {
            self.history.slot(i).probe().map(|p| self.timeout_of(p))
        });
        [
            self.pending_since,
            self.schedule.next_send(),
            self.quiet_until,
            self.targets.next_recovery(),
        ]
        .into_iter()
        .flatten()
        .chain(timeouts)
        .min()
    }

    // ----- queries -------------------------------------------------------

    /// The latched verdict.
    pub fn verdict(&self) -> Verdict {
        self.state.verdict()
    }

    /// A snapshot of the path.
    pub fn status(&self) -> PathStatus {
        let run = self.history.loss_run();
        PathStatus {
            consecutive_losses: run.count,
            first_failure: run.first_failure,
            consecutive_acks: self.history.ack_run(),
            last_ack: self.history.last_ack(),
            verdict: self.verdict(),
            fdt: self.fdt(),
            interval: self.interval(),
        }
    }

    /// When the newest ack came ([`PathStatus::last_ack`] without the
    /// rest of the status: the group asks after every reply).
    pub fn last_ack(&self) -> Option<Instant> {
        self.history.last_ack()
    }

    /// When the oldest probe of the current loss run was declared lost
    /// ([`PathStatus::first_failure`], cheaply).
    pub fn first_failure(&self) -> Option<Instant> {
        self.history.loss_run().first_failure
    }

    /// All targets in firing order, starting with the next one probed.
    pub fn targets(&self) -> Vec<TargetInfo> {
        self.targets
            .in_firing_order()
            .map(|t| TargetInfo {
                addr: t.addr,
                kind: t.kind,
                state: t.state,
                rtt_avg: t.rtt.avg(),
                rtt_dev: t.rtt.dev(),
                crtt: t.rtt.crtt(),
            })
            .collect()
    }

    /// Target `addr`'s smoothed RTT and deviation, if it is a target.
    pub fn target_rtt(
        &self,
        addr: IpAddr,
    ) -> Option<(Option<Duration>, Option<Duration>)> {
        self.targets.get(addr).map(|t| (t.rtt.avg(), t.rtt.dev()))
    }

    /// Cumulative counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// The current (adaptive) failure detection time.
    pub fn fdt(&self) -> Duration {
        self.adapt.fdt()
    }

    /// The current failure-detection interval, `fdt() / 7`.
    pub fn interval(&self) -> Duration {
        self.adapt.interval()
    }

    /// The user probe interval `I` = configured FDT / 7: probes (of some
    /// kind) go out every `I` on average.
    pub fn user_interval(&self) -> Duration {
        self.schedule.interval()
    }

    /// Failure-detection probes currently in flight (never more than 2).
    pub fn outstanding(&self) -> usize {
        self.history.unacked().count()
    }

    /// The configuration the detector was created with.
    pub fn config(&self) -> ProbeConfig {
        self.cfg
    }

    /// The family probed.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Whether the link is up.
    pub fn link_up(&self) -> bool {
        self.link_up
    }

    // ----- internals: events ---------------------------------------------

    fn queue(
        &mut self,
        now: Instant,
        f: impl FnOnce(&mut ProbeDetector, &mut Vec<ProbeEvent>),
    ) {
        let mut out = Vec::new();
        f(self, &mut out);
        if !out.is_empty() {
            self.pending_since.get_or_insert(now);
            self.pending.append(&mut out);
        }
    }

    fn drain_pending(&mut self, out: &mut Vec<ProbeEvent>) {
        out.append(&mut self.pending);
        self.pending_since = None;
    }

    fn transition(
        &mut self,
        input: PathInput,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let (next, action) = self.state.step(input);
        self.state = next;
        match action {
            PathAction::None => {}
            PathAction::EnterNoTargets => {
                self.history.clear();
                out.push(ProbeEvent::NoTargets);
            }
            PathAction::LeaveNoTargets => {
                out.push(ProbeEvent::TargetsAvailable)
            }
            PathAction::DeclareFailed => {
                let first_failure =
                    self.history.loss_run().first_failure.unwrap_or(now);
                out.push(ProbeEvent::PathFailed { first_failure });
                self.reset_rtt();
            }
            PathAction::DeclareRepaired => out.push(ProbeEvent::PathRepaired),
            PathAction::ForceFailed => {
                self.reset_rtt();
                self.history.clear();
            }
        }
    }

    /// Feed `TargetsLost` / `TargetsFound` when the active set became
    /// empty or non-empty.
    fn sync_state(&mut self, now: Instant, out: &mut Vec<ProbeEvent>) {
        let any = self.targets.active_count() > 0;
        let input = match (self.state, any) {
            (PathState::NoTargets { .. }, true) => {
                Some(PathInput::TargetsFound)
            }
            (PathState::Ok | PathState::Failed, false) => {
                Some(PathInput::TargetsLost)
            }
            (PathState::NoTargets { .. }, false)
            | (PathState::Ok | PathState::Failed, true) => None,
        };
        if let Some(input) = input {
            self.transition(input, now, out);
        }
    }
}
