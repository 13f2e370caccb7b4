//! The detector's vocabulary: configuration, probes, replies, events and
//! the read-only views it hands out.

use std::net::IpAddr;
use std::time::Duration;

use super::target::{TargetKind, TargetState};
use crate::time::Instant;

/// Default FAILURE_DETECTION_TIME.
pub const DEFAULT_FDT: Duration = Duration::from_secs(10);

/// Quiet period after creation (FAILURE_DETECTION_QP): losses are
/// ignored, e.g. while a switch port runs spanning tree.
pub const DEFAULT_QUIET_PERIOD: Duration = Duration::from_secs(40);

/// Default ceiling of the adaptive FDT, as a multiple of the configured
/// one.
pub const DEFAULT_MAX_FDT_FACTOR: u32 = 8;

/// Tunables of one detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeConfig {
    /// FAILURE_DETECTION_TIME, already validated (≥ 100 ms).
    pub fdt: Duration,
    /// Losses are ignored for this long after creation; the first ack
    /// ends it early.
    pub quiet_period: Duration,
    /// The adaptive FDT never exceeds this multiple of `fdt` (1 turns
    /// adaptation off).
    pub max_fdt_factor: u32,
}

impl Default for ProbeConfig {
    fn default() -> ProbeConfig {
        ProbeConfig {
            fdt: DEFAULT_FDT,
            quiet_period: DEFAULT_QUIET_PERIOD,
            max_fdt_factor: DEFAULT_MAX_FDT_FACTOR,
        }
    }
}

pub use crate::addr::Family;

/// The three probe types of in.mpathd, carried in the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// PROBE_UNI: failure detection; consumes a sequence number.
    Uni,
    /// PROBE_MULTI: to all nodes, to discover host targets.
    Multi,
    /// PROBE_RTT: RTT measurement only, while the FDT is raised.
    Rtt,
}

impl ProbeKind {
    /// The payload's message type word (0x1234, 0x5678, 0x9abc).
    pub const fn mtype(self) -> u32 {
        match self {
            ProbeKind::Uni => 0x1234,
            ProbeKind::Multi => 0x5678,
            ProbeKind::Rtt => 0x9abc,
        }
    }

    /// The kind with payload message type `mtype`.
    pub const fn from_mtype(mtype: u32) -> Option<ProbeKind> {
        match mtype {
            0x1234 => Some(ProbeKind::Uni),
            0x5678 => Some(ProbeKind::Multi),
            0x9abc => Some(ProbeKind::Rtt),
            _ => None,
        }
    }
}

/// A probe the caller must encode and send now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeRequest {
    /// Which probe.
    pub kind: ProbeKind,
    /// Destination: a target, or all-nodes for `Multi`.
    pub dst: IpAddr,
    /// ICMP identifier.
    pub id: u16,
    /// ICMP sequence number (`Multi` and `Rtt` carry the next one
    /// without consuming it).
    pub seq: u16,
    /// Random value the reply must echo.
    pub nonce: u64,
    /// Send time; goes into the payload's timestamp.
    pub sent_at: Instant,
}

/// An ICMP echo reply, decoded and mapped to our clock by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EchoReply {
    /// Source address of the reply.
    pub src: IpAddr,
    /// ICMP identifier.
    pub id: u16,
    /// ICMP sequence number.
    pub seq: u16,
    /// Probe type from the payload.
    pub kind: ProbeKind,
    /// Timestamp echoed from the payload.
    pub timestamp: Instant,
    /// Nonce echoed from the payload.
    pub nonce: u64,
    /// Kernel receive timestamp on our clock.
    pub received_at: Instant,
}

impl EchoReply {
    /// The reply `from` sends to `req`, echoing its identifier, sequence
    /// number, kind, timestamp and nonce, received at `received_at`: what
    /// a target of the simulations and fakes answers, and what laggd's
    /// per-port probes (ARP, NS) stand for once answered.
    pub fn answering(
        req: &ProbeRequest,
        from: IpAddr,
        received_at: Instant,
    ) -> EchoReply {
        EchoReply {
            src: from,
            id: req.id,
            seq: req.seq,
            kind: req.kind,
            timestamp: req.sent_at,
            nonce: req.nonce,
            received_at,
        }
    }
}

/// The path verdict, latched with hysteresis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// No target to probe: neither ok nor failed ("unknown").
    NoTargets,
    /// Probes are answered.
    Ok,
    /// Five consecutive probes were lost; ten acks repair it.
    Failed,
}

/// How a failure-detection probe ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Answered after `rtt`.
    Acked {
        /// Receive time minus send time.
        rtt: Duration,
    },
    /// Not answered in time.
    Lost,
}

/// What the detector tells its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeEvent {
    /// Send this probe now.
    Send(ProbeRequest),
    /// Five consecutive probes lost, quiet period over.
    PathFailed {
        /// When the first probe of the losing run was declared lost.
        first_failure: Instant,
    },
    /// Ten consecutive probes acked while failed.
    PathRepaired,
    /// The last active target went away.
    NoTargets,
    /// An active target is available again.
    TargetsAvailable,
    /// A target joined the list.
    TargetAdded {
        /// Its address.
        addr: IpAddr,
        /// Where it came from.
        kind: TargetKind,
    },
    /// A target stopped answering while others answer (target failure,
    /// not a path failure).
    TargetDead {
        /// Its address.
        addr: IpAddr,
    },
    /// A target answered much more slowly than the others and is set
    /// aside for a while (in.mpathd's "exception" target).
    TargetSlow {
        /// Its address.
        addr: IpAddr,
    },
    /// A target left the list.
    TargetRemoved {
        /// Its address.
        addr: IpAddr,
    },
    /// The FDT was raised because a target answers too slowly.
    FdtRaised {
        /// Previous FDT.
        from: Duration,
        /// New FDT.
        to: Duration,
        /// The slow target.
        target: IpAddr,
    },
    /// The FDT came back down.
    FdtLowered {
        /// Previous FDT.
        from: Duration,
        /// New FDT.
        to: Duration,
    },
    /// The caller was late: this many probe slots were skipped.
    MissedProbes {
        /// Skipped slots.
        count: u32,
    },
    /// A failure-detection probe changed state. A probe first reported
    /// `Lost` may later be reported `Acked` (a late reply).
    ProbeResolved {
        /// Its sequence number.
        seq: u16,
        /// Where it went.
        target: IpAddr,
        /// When it was sent.
        sent_at: Instant,
        /// How it ended.
        outcome: ProbeOutcome,
    },
}

/// Why a reply was not accepted. Callers count and log these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum RejectReason {
    /// The ICMP identifier is not ours (another prober's reply).
    #[error("ICMP id is not ours")]
    WrongId,
    /// Sequence number outside `[snxt − 52, snxt)`.
    #[error("sequence number out of window")]
    OutOfWindow,
    /// No probe of ours matches it.
    #[error("no matching probe")]
    UnknownSlot,
    /// The probe was already acked.
    #[error("duplicate reply")]
    Duplicate,
    /// The echoed nonce is not the probe's.
    #[error("nonce mismatch")]
    NonceMismatch,
    /// The echoed timestamp is not the probe's.
    #[error("timestamp mismatch")]
    TimestampMismatch,
    /// The probe went to another address.
    #[error("reply from an address the probe was not sent to")]
    WrongSource,
    /// A multicast responder is one of our own addresses.
    #[error("responder is one of our own addresses")]
    OwnAddress,
    /// A multicast responder cannot be a target (unspecified, multicast,
    /// other family, or IPv6 and not link-local).
    #[error("responder address cannot be a probe target")]
    BadSource,
    /// A valid multicast responder we do not need: already a target,
    /// the list is full, or explicit targets are configured.
    #[error("responder not needed as a target")]
    Unneeded,
    /// The link is down; replies are dropped.
    #[error("link is down")]
    LinkDown,
}

/// What [`super::ProbeDetector::on_reply`] did with a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyOutcome {
    /// Acked an outstanding probe (or measured an RTT probe).
    Acked,
    /// Acked a probe already declared lost.
    LateAck,
    /// A multicast responder became a host target.
    Discovered,
    /// Not accepted.
    Rejected(RejectReason),
}

/// A snapshot of the path, for status displays and the group layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathStatus {
    /// Consecutive lost probes, newest first.
    pub consecutive_losses: u32,
    /// When the first of them was declared lost (tff).
    pub first_failure: Option<Instant>,
    /// Consecutive acked probes, newest first.
    pub consecutive_acks: u32,
    /// Receive time of the newest acked probe (tls).
    pub last_ack: Option<Instant>,
    /// The latched verdict.
    pub verdict: Verdict,
    /// Current (adaptive) FDT.
    pub fdt: Duration,
    /// Current failure-detection interval, `fdt / 7`.
    pub interval: Duration,
}

/// One target, for `ipmpstat -t` and `ifctl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetInfo {
    /// Its address.
    pub addr: IpAddr,
    /// Where it came from.
    pub kind: TargetKind,
    /// Whether it is probed.
    pub state: TargetState,
    /// Smoothed RTT (`sa/8`).
    pub rtt_avg: Option<Duration>,
    /// Mean deviation (`sv/4`).
    pub rtt_dev: Option<Duration>,
    /// Conservative RTT used for timeouts.
    pub crtt: Option<Duration>,
}

/// Cumulative counters (in.mpathd shows them on SIGUSR1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Counters {
    /// Failure-detection probes sent.
    pub sent: u64,
    /// Of those, acked (late acks included).
    pub acked: u64,
    /// Of those, currently counted lost (a late ack moves a probe from
    /// lost to acked).
    pub lost: u64,
    /// Rejected replies, other than another prober's (`WrongId`), an
    /// unneeded responder, or replies while the link is down.
    pub unknown: u64,
    /// Probe slots skipped because the caller was late.
    pub missed: u64,
    /// Multicast discovery probes sent.
    pub multi_sent: u64,
    /// RTT-only probes sent.
    pub rtt_sent: u64,
    /// Late acks: probes declared lost at their timeout and answered
    /// after it (each moved from `lost` to `acked`).
    pub late: u64,
}

impl Counters {
    /// Probes declared lost at their timeout, late acks included: unlike
    /// `lost`, it never goes down (a Prometheus counter).
    pub fn timed_out(&self) -> u64 {
        self.lost + self.late
    }

    /// Probes answered within their timeout: `acked` less the late acks.
    /// `sent == answered_in_time() + timed_out() + in flight`.
    pub fn answered_in_time(&self) -> u64 {
        self.acked.saturating_sub(self.late)
    }

    /// Adds `other`'s counts to these (a retired detector's counts kept
    /// by the path that outlives it).
    pub fn add(&mut self, other: &Counters) {
        self.sent += other.sent;
        self.acked += other.acked;
        self.lost += other.lost;
        self.unknown += other.unknown;
        self.missed += other.missed;
        self.multi_sent += other.multi_sent;
        self.rtt_sent += other.rtt_sent;
        self.late += other.late;
    }
}
