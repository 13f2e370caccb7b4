//! mpathd's state as the operator sees it: what the control socket
//! returns and `ifctl` prints. Field meanings follow ipmpstat(8) (research
//! note §7); the JSON shape is the control protocol's, documented in
//! ifctl(8), and only ever grows.

use serde::{Deserialize, Serialize};

/// A snapshot of everything, taken at one instant so that it is
/// self-consistent (ipmpstat takes one IPMP_SNAP for the same reason).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Status {
    /// Named groups, in configuration order (the anonymous group, if
    /// tracked, last with an empty name).
    pub groups: Vec<GroupStatus>,
    /// Tracked interfaces, in configuration order.
    pub interfaces: Vec<InterfaceStatus>,
    /// Data addresses, in configuration order.
    pub addresses: Vec<AddressStatus>,
}

/// ipmpstat -g.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct GroupStatus {
    /// Group name (empty: the anonymous group).
    pub name: String,
    /// `ok`, `degraded` or `failed`.
    pub state: String,
    /// Current failure detection time in ms (the largest over the
    /// members' probe paths); absent when no member probes.
    pub fdt_ms: Option<u64>,
    /// FAILBACK for this group.
    pub failback: bool,
    /// Active members (hosting or able to host data addresses).
    pub active: Vec<String>,
    /// Functioning but INACTIVE members.
    pub inactive: Vec<String>,
    /// Unusable members: failed, offline or missing.
    pub unusable: Vec<String>,
    /// Failovers and failbacks since the daemon started.
    #[serde(default)]
    pub counters: GroupCounters,
}

/// A group's counts since the daemon started (a reload keeps them).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize,
)]
pub struct GroupCounters {
    /// Moves of a member's data addresses to another member (one per
    /// "Successfully failed over" log line).
    pub failovers: u64,
    /// Returns of data addresses to their home member (one per
    /// "Successfully failed back" log line).
    pub failbacks: u64,
}

/// ipmpstat -i, -t, and `ifctl IF`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InterfaceStatus {
    /// Interface name.
    pub name: String,
    /// Group name (empty: anonymous).
    pub group: String,
    /// Present in the kernel.
    pub present: bool,
    /// Functioning and not INACTIVE: may carry data addresses.
    pub active: bool,
    /// Flags: INACTIVE.
    pub inactive: bool,
    /// Flags: STANDBY.
    pub standby: bool,
    /// Flags: OFFLINE.
    pub offline: bool,
    /// Flags: FAILED.
    pub failed: bool,
    /// `up`, `down` or `unknown`.
    pub link: String,
    /// `ok`, `failed`, `unknown` (no targets) or `disabled`.
    pub probe: String,
    /// `ok`, `failed`, `offline` or `unknown`.
    pub state: String,
    /// One entry per configured probe family.
    pub paths: Vec<PathInfo>,
    /// Data addresses it hosts now.
    pub hosted: Vec<String>,
    /// Failures and repairs since the daemon started.
    #[serde(default)]
    pub counters: MemberCounters,
}

/// A member's counts since the daemon started (a reload keeps them).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize,
)]
pub struct MemberCounters {
    /// Times it was found failed (an interface or a group failure).
    pub failures: u64,
    /// Times it was repaired after a failure.
    pub repairs: u64,
}

/// One probe path (ipmpstat -t row).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PathInfo {
    /// `inet` or `inet6`.
    pub family: String,
    /// `explicit`, `routes`, `multicast` or `disabled`.
    pub mode: String,
    /// The test address, when present in the kernel.
    pub test_address: Option<String>,
    /// `ok`, `failed`, `unknown` or `disabled`.
    pub verdict: String,
    /// Current failure detection time in ms.
    pub fdt_ms: Option<u64>,
    /// Targets in firing order, active ones first.
    pub targets: Vec<TargetStatus>,
    /// Failure-detection probes since the daemon started (offline
    /// spells and reloads keep them).
    #[serde(default)]
    pub probes: ProbeCounters,
}

/// A probe path's failure-detection probes since the daemon started.
/// `sent` is `answered + lost` plus the (at most two) in flight.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize,
)]
pub struct ProbeCounters {
    /// Probes sent.
    pub sent: u64,
    /// Probes answered within their timeout.
    pub answered: u64,
    /// Probes not answered within their timeout (late answers included).
    pub lost: u64,
    /// Of the lost, those answered after their timeout.
    pub late: u64,
}

/// One probe target.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TargetStatus {
    /// Address.
    pub address: String,
    /// `router`, `host` or `explicit`.
    pub kind: String,
    /// `active`, `unused`, `slow` or `dead`.
    pub state: String,
    /// Smoothed RTT in microseconds.
    pub rtt_avg_us: Option<u64>,
    /// RTT mean deviation in microseconds.
    pub rtt_dev_us: Option<u64>,
}

/// ipmpstat -a.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AddressStatus {
    /// `ADDR/PLEN`.
    pub address: String,
    /// Group name.
    pub group: String,
    /// Home member.
    pub home: String,
    /// Member hosting it now, if any.
    pub host: Option<String>,
    /// `up` when hosted on a working member, else `down`.
    pub state: String,
}
