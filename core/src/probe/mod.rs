//! Probe-based failure detection of one path: one interface, one address
//! family. Sans-IO, after illumos in.mpathd (`mpd_probe.c`).
//!
//! # Theory of operation
//!
//! A path works if hosts on its link answer ICMP echo requests sent
//! through it. Every probe interval, on average, the detector sends a
//! *probe* to the next *target* in turn and watches the replies:
//!
//! * five consecutive probes lost, over all targets: the **path failed**;
//! * ten consecutive probes acked while failed: the **path is repaired**;
//! * five consecutive losses to *one* target while the others answer:
//!   that **target failed**, the path is fine.
//!
//! Detection is per family; the group layer combines families (both must
//! fail, either repairs) and members (interface versus group failure).
//!
//! ## Glossary
//!
//! * **FDT**: failure detection time, the configured bound on how long
//!   a failure may go unnoticed (default 10 s).
//! * **I**: the user probe interval, `FDT / 7`. Some probe goes out every
//!   `I` on average.
//! * **A**: the current failure-detection interval, `FDT' / 7`, where
//!   `FDT'` is the adaptive FDT (`A == I` unless raised).
//! * **CRTT**: conservative round-trip time of a target, average plus
//!   four mean deviations (Jacobson/Karels, [`rtt`]). A probe not
//!   answered within its target's crtt is **lost**; without a crtt, or if
//!   the crtt is larger, the timeout is `A`.
//! * **TFF**: time of first failure, when the oldest probe of the current
//!   run of losses was declared lost. Reported with `PathFailed`; the
//!   group layer compares it with other members' last acks.
//! * **TLS**: time of last success, receive time of the newest ack
//!   ([`PathStatus::last_ack`]).
//! * **snxt**: the next sequence number. Starts at 1; only detection
//!   probes consume one.
//! * **Quiet period**: losses are ignored for 40 s after creation (a
//!   switch port may still be running spanning tree); the first ack ends
//!   it.
//!
//! ## Constants
//!
//! | name (in.mpathd)           | value     | meaning                       |
//! |----------------------------|-----------|-------------------------------|
//! | FAILURE_DETECTION_TIME     | 10 s      | default FDT                   |
//! | MIN_FAILURE_DETECTION_TIME | 100 ms    | floor (validated by caller)   |
//! | NUM_PROBE_FAILS            | 5         | losses ⇒ failure              |
//! | NUM_PROBE_REPAIRS          | 10        | acks ⇒ repair                 |
//! | user probe interval I      | FDT / 7   | see below                     |
//! | MIN/MAX_RANDOM_FACTOR      | 0.5 / 1.0 | send jitter within a period   |
//! | PROBE_STATS_COUNT          | 52        | history ring, reply window    |
//! | MAX_PROBE_TARGETS          | 5         | active targets                |
//! | MIN_PROBE_TARGETS          | 3         | replacements activated        |
//! | MIN_RECOVERY_TIME          | 60 s      | dead/slow target re-try       |
//! | FAILURE_DETECTION_QP       | 40 s      | quiet period                  |
//! | NEXT_FDT_MULTIPLE          | 2         | raise: interval = 2 × crtt    |
//! | EXCEPTION_FACTOR           | 2         | slow-target test              |
//! | MAXDEFERREDRTT             | 1         | suspicious samples held back  |
//! | (ours) SETTLE_INTERVALS    | 10        | × I, from a raise to lowering |
//! | (ours) max_fdt_factor      | 8         | FDT ceiling, × configured     |
//! | (ours) MIN_DIVERSE_TARGETS | 2         | fewer ⇒ also multicast        |
//!
//! ## Why the interval is FDT / 7
//!
//! The send time of each probe is drawn from the second half of a
//! strictly periodic interval ([`schedule`]), so consecutive probes are
//! 0.5·I to 1.5·I apart. Let P0 be the last probe acked before the path
//! dies, sent at t0. The next five, P1..P5, are lost. P5 is sent at most
//! 5.5·I after t0 (five periods, plus half a period of jitter), and is
//! declared lost at its timeout, at most one interval after it was sent.
//! So the failure is declared within 6.5·I of t0: NUM_PROBE_FAILS
//! intervals for the five losses, plus 2 for the jitter and the last
//! probe's timeout, gives `FDT = (5 + 2) · I`.
//!
//! The same arithmetic bounds the probes in flight: probe n goes out at
//! least one interval after probe n−2, whose timeout is at most one
//! interval, so n−2 is resolved by then and at most two probes are ever
//! unacked. The detector enforces it anyway: before sending, the second
//! most recent unacked probe is declared lost.
//!
//! ## Verdict
//!
//! ```text
//!   NoTargets{ok} ──found──▶ Ok ──5 losses, quiet over──▶ Failed
//!        ▲                   │ ▲                          │ │
//!        └──────lost─────────┘ └─────────10 acks──────────┘ │
//!   NoTargets{failed} ◀─────────────────lost────────────────┘
//!        └─────────────────────found──────────────────▶ Failed
//! ```
//!
//! See [`verdict`] for the full transition table.
//!
//! ## Events, states and actions
//!
//! | event                    | state     | action                          |
//! |--------------------------|-----------|---------------------------------|
//! | firing, A == I           | any       | force 2nd unacked lost; decide; |
//! |                          |           | send Uni to the next target     |
//! | firing, < 2 targets      | any       | … and Multi (target diversity)  |
//! | firing, raised, before A | any       | send Rtt to the next RTT target |
//! | firing, no targets       | NoTargets | send Multi to all nodes         |
//! | probe timeout            | any       | mark Lost; decide               |
//! | 5 losses, quiet over     | Ok        | → Failed, PathFailed{tff},      |
//! |                          |           | reset crtts                     |
//! | 5 losses to the current  | Ok        | TargetDead: router, explicit →  |
//! | target, < 5 overall      |           | Dead (60 s); host → deleted,    |
//! |                          |           | Multi sent                      |
//! | 10 acks, overall or from | Failed    | → Ok, PathRepaired              |
//! | the current target       |           |                                 |
//! | valid Uni reply          | any       | Acked (LateAck if Lost); end    |
//! |                          |           | quiet period; RTT sample if Ok; |
//! |                          |           | raise/lower FDT; decide         |
//! | valid Rtt reply          | Ok        | sample (only lowers); lower FDT |
//! | valid Multi reply        | any       | add Host target (≤ 5 active)    |
//! | last target lost         | Ok/Failed | → NoTargets, clear history      |
//! | active target appears    | NoTargets | → Ok (Failed if it was),        |
//! |                          |           | TargetsAvailable                |
//! | link down                | any       | stop timer, clear history       |
//! | link up                  | any       | first firing in [now, now + I)  |
//! | force_failed             | any       | → Failed, reset crtts, clear    |
//! |                          |           | history                         |
//!
//! "Decide" means: walk the history newest first ([`history`]); in `Ok`
//! with the quiet period over, five losses fail the path, or five losses
//! to the target of the most recent probe fail that target; in `Failed`,
//! ten acks (overall, or from the most recent probe's target) repair it.
//! Replies must match the probe's id, sequence window, target, nonce and
//! timestamp ([`RejectReason`] lists the rest).
//!
//! ## Where we differ from in.mpathd
//!
//! **1. The adaptive FDT has a ceiling and comes back down quickly.**
//! in.mpathd raises the FDT when a target's crtt exceeds the interval
//! (interval = 2 × crtt, FDT = 7 × interval), without any maximum, and
//! lowers it only by halving, only once *every* crtt is below a quarter
//! of the interval, and only 60 s after the last raise. A load spike can
//! therefore leave detection many times slower than configured for
//! minutes (a well-known complaint). We raise the same way but never above
//! `max_fdt_factor` × the configured FDT: beyond that, slow replies count
//! as lost, which is what the operator asked for. While raised we keep
//! sending RTT-only probes every `I` to the rotating RTT target (their
//! samples may only lower a crtt), and on any sample, once 10 user
//! intervals have passed since the last raise, we lower the FDT directly
//! to the smallest value `f ≥` configured such that every active target's
//! crtt is at most half of `f / 7` ([`adapt`]). Reason: detection time
//! should track what the network can do now, not what it could do during
//! the worst spike of the last minutes; the factor of two between the
//! raise trigger (crtt > interval) and the lowering target (crtt ≤
//! interval / 2) is the hysteresis. Because the crtt decays a little with
//! every sample after a spike, a lowering that stops short of the
//! configured FDT must cut at least a quarter; otherwise every sample
//! would be an `FdtLowered` event (a log line).
//!
//! **2. Target diversity.** in.mpathd never mixes router and host
//! targets: if a route scan finds routers, host targets are deleted and
//! multicast responders are refused. With the common single default
//! router, a router that stops answering (rate limiting, reboot) is then
//! indistinguishable from a dead NIC and fails the path, or with every
//! member probing the same router, the whole group. We keep sending a
//! Multi probe with each Uni probe while fewer than two targets are
//! active, and add the responders as host targets next to the router (at
//! most five active in all). A single dead router is then a *target*
//! failure because the hosts still answer. Hosts are dropped again when a
//! route scan yields two usable routers. Explicit (operator-configured)
//! targets are never mixed with discovered ones: when any are configured,
//! only they are probed and no multicast is sent.
//!
//! Smaller differences, each for precision or robustness:
//!
//! * A probe's timeout is also a deadline of its own, so a loss (and a
//!   failure) is declared at the timeout instant rather than at the next
//!   firing; and the timeout is clamped to `A` even if the crtt is larger.
//! * Replies must echo a per-probe random nonce and the send timestamp,
//!   so an off-path sender cannot ack our probes. RTT and multicast
//!   replies must match a recent probe of ours too.
//! * Times are nanoseconds, not truncated milliseconds.
//! * IPv6 targets of every kind must be link-local (in.mpathd accepts
//!   only link-local replies, so any other target could never answer).
//! * A forced failure clears the history, so repair needs ten new acks.

pub mod adapt;
mod detector;
pub mod history;
#[cfg(test)]
mod proptests;
pub mod rtt;
pub mod schedule;
#[cfg(test)]
pub(crate) mod sim;
pub mod target;
#[cfg(test)]
mod tests;
mod types;
pub mod verdict;

use std::time::Duration;

pub use detector::ProbeDetector;
pub use history::PROBE_STATS_COUNT;
pub use target::{
    TargetKind, TargetState, MAX_PROBE_TARGETS, MIN_PROBE_TARGETS,
    MIN_RECOVERY_TIME,
};
pub use types::{
    Counters, EchoReply, Family, PathStatus, ProbeConfig, ProbeEvent,
    ProbeKind, ProbeOutcome, ProbeRequest, RejectReason, ReplyOutcome,
    TargetInfo, Verdict, DEFAULT_FDT, DEFAULT_MAX_FDT_FACTOR,
    DEFAULT_QUIET_PERIOD,
};

/// Consecutive lost probes that fail a path (or, to one target, that
/// target).
pub const NUM_PROBE_FAILS: u32 = 5;

/// Consecutive acked probes that repair a failed path.
pub const NUM_PROBE_REPAIRS: u32 = 10;

/// Smallest accepted FDT (MIN_FAILURE_DETECTION_TIME); the caller
/// validates.
pub const MIN_FDT: Duration = Duration::from_millis(100);

/// With fewer active targets, a multicast probe accompanies each
/// detection probe to find more (target diversity).
pub const MIN_DIVERSE_TARGETS: usize = 2;

/// The probe interval for failure detection time `fdt`: `fdt / 7`, room
/// for NUM_PROBE_FAILS losses plus 2 intervals of slack (see the module
/// documentation).
pub fn probe_interval(fdt: Duration) -> Duration {
    fdt / (NUM_PROBE_FAILS + 2)
}

/// How late a daemon probing at failure detection time `fdt` may run a
/// timer, to take timers of nearby instants together: 1/32 of a probe
/// interval, between 2 and 5 ms (4.5 ms at 1 s, 2 ms at the smallest
/// FDT, 5 ms at the default 10 s). Replies carry the kernel's receive
/// time, so lateness delays a verdict by at most this much and
/// measures nothing wrong.
pub fn timer_slack(fdt: Duration) -> Duration {
    (probe_interval(fdt) / 32)
        .clamp(Duration::from_millis(2), Duration::from_millis(5))
}
