//! One member of a group: its state machine and flags.
//!
//! ```text
//!                 Appeared(h)            Failed
//!   Missing ───────────────────▶ Ok ◀───────────▶ Failed
//!      ▲                          │  Repaired       │
//!      │ Removed (any but Offline)│ LostTargets     │
//!      │                          ▼                 │
//!      └──────────────────── NoTargets ─── Failed ──┘
//!
//!   Ok | NoTargets | Failed ── Offline ──▶ Offline ── Online(h) ──▶ h
//! ```
//!
//! | state     | ipmpstat STATE | functioning | may host addresses        |
//! |-----------|----------------|-------------|---------------------------|
//! | Missing   | failed         | no          | no (the interface is gone)|
//! | Ok        | ok             | yes         | yes, unless INACTIVE      |
//! | NoTargets | unknown        | yes         | yes, unless INACTIVE      |
//! | Failed    | failed         | no          | only in a failed group    |
//! | Offline   | offline        | no          | no                        |
//!
//! `NoTargets` is in.mpathd's PI_NOTARGETS: the link is up and probing is
//! configured, but nothing answers, so the member can be neither confirmed
//! nor failed. Like in.mpathd we treat it optimistically as functioning.
//!
//! An `Offline` member stays offline if its interface disappears and comes
//! back: offline is the operator's decision, not an observation.

/// What the detectors say about a member when it (re)appears or is
/// brought back online.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Health {
    /// Link up and probes answered (or no probing configured).
    Ok,
    /// Link up, probing configured, no target to probe.
    NoTargets,
    /// Link down or probes lost.
    Failed,
}

/// A member's state; see the module documentation for the diagram.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MemberState {
    /// Configured, but the interface does not exist in the kernel.
    Missing,
    /// Working: ipmpstat `ok`.
    Ok,
    /// Functioning but unverifiable: ipmpstat `unknown`.
    NoTargets,
    /// Failed by link or probes: ipmpstat `failed`.
    Failed,
    /// Taken out of service by the operator: ipmpstat `offline`.
    Offline,
}

impl MemberState {
    /// in.mpathd's "functioning": running, or without targets but not
    /// failed. Only functioning members can host data addresses.
    pub fn is_functioning(self) -> bool {
        match self {
            MemberState::Ok | MemberState::NoTargets => true,
            MemberState::Missing
            | MemberState::Failed
            | MemberState::Offline => false,
        }
    }

    /// The word ipmpstat prints in its STATE column.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Ok => "ok",
            MemberState::NoTargets => "unknown",
            MemberState::Missing | MemberState::Failed => "failed",
            MemberState::Offline => "offline",
        }
    }

    fn from_health(h: Health) -> MemberState {
        match h {
            Health::Ok => MemberState::Ok,
            Health::NoTargets => MemberState::NoTargets,
            Health::Failed => MemberState::Failed,
        }
    }
}

/// Inputs to a member's state machine.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MemberInput {
    /// The interface exists (seen at start-up or re-created).
    Appeared(Health),
    /// The interface was deleted from the kernel.
    Removed,
    /// The group decided this member failed (interface or group failure).
    Failed,
    /// Probes (or, without probing, a stable link) say it works again.
    Repaired,
    /// Every probe target went away while the member was working.
    LostTargets,
    /// A target appeared while the member was in `NoTargets`.
    FoundTargets,
    /// The operator took it out of service.
    Offline,
    /// The operator put it back; the detectors' current verdict.
    Online(Health),
}

/// The next state for `input` in `state`, or `None` when the input does
/// not apply (it is ignored). Deliberately one exhaustive match with no
/// wildcard arm: a new state or input must be decided here explicitly.
pub fn next_state(
    state: MemberState,
    input: MemberInput,
) -> Option<MemberState> {
    use MemberInput as I;
    use MemberState as S;
    match (state, input) {
        (S::Missing, I::Appeared(h)) => Some(S::from_health(h)),
        (S::Missing, I::Removed) => None,
        (S::Missing, I::Failed) => None,
        (S::Missing, I::Repaired) => None,
        (S::Missing, I::LostTargets) => None,
        (S::Missing, I::FoundTargets) => None,
        (S::Missing, I::Offline) => None,
        (S::Missing, I::Online(_)) => None,

        (S::Ok, I::Appeared(_)) => None,
        (S::Ok, I::Removed) => Some(S::Missing),
        (S::Ok, I::Failed) => Some(S::Failed),
        (S::Ok, I::Repaired) => None,
        (S::Ok, I::LostTargets) => Some(S::NoTargets),
        (S::Ok, I::FoundTargets) => None,
        (S::Ok, I::Offline) => Some(S::Offline),
        (S::Ok, I::Online(_)) => None,

        (S::NoTargets, I::Appeared(_)) => None,
        (S::NoTargets, I::Removed) => Some(S::Missing),
        (S::NoTargets, I::Failed) => Some(S::Failed),
        (S::NoTargets, I::Repaired) => Some(S::Ok),
        (S::NoTargets, I::LostTargets) => None,
        (S::NoTargets, I::FoundTargets) => Some(S::Ok),
        (S::NoTargets, I::Offline) => Some(S::Offline),
        (S::NoTargets, I::Online(_)) => None,

        (S::Failed, I::Appeared(_)) => None,
        (S::Failed, I::Removed) => Some(S::Missing),
        (S::Failed, I::Failed) => None,
        (S::Failed, I::Repaired) => Some(S::Ok),
        (S::Failed, I::LostTargets) => None,
        (S::Failed, I::FoundTargets) => None,
        (S::Failed, I::Offline) => Some(S::Offline),
        (S::Failed, I::Online(_)) => None,

        (S::Offline, I::Appeared(_)) => None,
        (S::Offline, I::Removed) => None,
        (S::Offline, I::Failed) => None,
        (S::Offline, I::Repaired) => None,
        (S::Offline, I::LostTargets) => None,
        (S::Offline, I::FoundTargets) => None,
        (S::Offline, I::Offline) => None,
        (S::Offline, I::Online(h)) => Some(S::from_health(h)),
    }
}

/// What the group knows of a member's detectors, used to tell an
/// interface failure from a group failure (in.mpathd §3.10 step 5).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Evidence {
    /// The link (carrier) is up.
    pub link_up: bool,
    /// Probe-based detection is enabled (a test address and targets).
    pub probing: bool,
    /// When the newest probe reply was received.
    pub last_ack: Option<crate::time::Instant>,
}

/// A group member.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Member {
    /// Interface name, e.g. `em0`.
    pub name: String,
    /// Configured as a standby: hosts nothing until another fails.
    pub standby: bool,
    /// The INACTIVE flag: functioning but deliberately hosting nothing
    /// (an idle standby, or a repaired member under FAILBACK=no).
    pub inactive: bool,
    /// Current state.
    pub state: MemberState,
    /// Detector evidence, kept current by the daemon.
    pub evidence: Evidence,
}

impl Member {
    /// A configured member whose interface has not been seen yet.
    pub fn new(name: &str, standby: bool) -> Member {
        Member {
            name: name.to_string(),
            standby,
            inactive: false,
            state: MemberState::Missing,
            evidence: Evidence::default(),
        }
    }

    /// Functioning and not INACTIVE: may host data addresses.
    pub fn is_active(&self) -> bool {
        self.state.is_functioning() && !self.inactive
    }
}
