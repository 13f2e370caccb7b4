//! laggd's state as the operator sees it: what its control socket
//! returns for `status` and `ifctl lagg0` / `ifctl -L` print. Like
//! mpathd's [`Status`](crate::mpathd::Status), the JSON shape is part of
//! the control protocol and only ever grows.

use serde::{Deserialize, Serialize};

/// A snapshot of laggd, taken at one instant.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct LaggStatus {
    /// Aggregates, in configuration order.
    pub aggregates: Vec<AggregateStatus>,
    /// Link-state tracking groups, in configuration order.
    pub tracking: Vec<TrackingGroupStatus>,
    /// Redundancy groups, in configuration order.
    pub redundancy: Vec<RedundancyStatus>,
}

/// One aggregate (`lagg0`, `bond0`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AggregateStatus {
    /// Interface name.
    pub name: String,
    /// Present in the kernel.
    pub present: bool,
    /// Administratively up.
    pub admin_up: bool,
    /// The OS's aggregation protocol (lagg's `laggproto`, bonding's
    /// `mode`), when known.
    #[serde(default)]
    pub protocol: Option<String>,
    /// The port carrying traffic now, as the OS reports it (failover /
    /// active-backup); absent when none or not known.
    pub active_port: Option<String>,
    /// The ports laggd wants in service, in master order.
    pub in_service: Vec<String>,
    /// Ports laggd counts as live (in service and, with LACP,
    /// aggregated).
    pub live: usize,
    /// `min-links` (0: off).
    pub min_links: usize,
    /// `down` or `report`.
    pub min_links_action: String,
    /// Fewer than `min_links` live ports now.
    pub below_min_links: bool,
    /// `failure-threshold` (default 0); absent when `off`.
    pub failure_threshold: Option<usize>,
    /// More than `failure_threshold` ports are bad.
    pub bad_score: bool,
    /// `any`, `all` or a number: how many targets must answer.
    pub rule: String,
    /// Configured failure detection time of its ports' probes, in ms.
    pub fdt_ms: u64,
    /// Probe targets, in configuration order.
    pub targets: Vec<String>,
    /// Ports, in master order.
    pub ports: Vec<PortStatus>,
}

/// One port of an aggregate.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PortStatus {
    /// Interface name.
    pub name: String,
    /// Present in the kernel.
    pub present: bool,
    /// `up`, `down` or `unknown` (after up/down delays and damping).
    pub link: String,
    /// `ok`, `failed`, `unknown` (no verdict yet) or `disabled` (no
    /// targets: link only).
    pub probe: String,
    /// laggd's verdict: `ok`, `failed` or `unknown`; `offline` while
    /// the operator has it out of service.
    pub state: String,
    /// In the set laggd wants carrying traffic.
    pub in_service: bool,
    /// The OS's active port of the aggregate.
    pub active: bool,
    /// One entry per probe target of each family.
    pub targets: Vec<PortTarget>,
    /// Milliseconds since the verdict last changed; absent before the
    /// first verdict.
    pub changed_ms_ago: Option<u64>,
    /// Why the verdict is what it is (`link down`, `probes lost`, ...).
    pub reason: String,
    /// Taken out of service by the operator (`ifctl PORT offline`)
    /// until `online`, the next reload or a restart; `state` is then
    /// `offline`.
    #[serde(default)]
    pub offline: bool,
    /// Counted live for min-links and the failure threshold: in service
    /// and, in an LACP aggregate, aggregated by LACP.
    #[serde(default)]
    pub live: bool,
    /// What LACP says of the port, in an LACP aggregate (lagg(4)
    /// `lacp`, bonding 802.3ad) while the port is in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lacp: Option<LacpStatus>,
    /// Probes and verdict changes since the daemon started (a reload
    /// keeps them).
    #[serde(default)]
    pub counters: PortCounters,
}

/// A port's counts since the daemon started.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize,
)]
pub struct PortCounters {
    /// Probes (ARP requests, neighbour solicitations) sent, every
    /// family.
    pub probes_sent: u64,
    /// Probes answered within their timeout.
    pub probes_answered: u64,
    /// Probes not answered within their timeout.
    pub probes_lost: u64,
    /// Times laggd found the port failed.
    pub failures: u64,
    /// Times laggd found it repaired.
    pub repairs: u64,
}

/// One port's LACP state, as the OS reports it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LacpStatus {
    /// In the active aggregator, collecting and distributing: the port
    /// carries the aggregate's traffic.
    pub aggregated: bool,
    /// In the aggregate's active aggregator (lagg(4)'s `ACTIVE` in lacp
    /// mode).
    pub active: bool,
    /// LACP lets it receive (`COLLECTING`).
    pub collecting: bool,
    /// LACP lets it send (`DISTRIBUTING`).
    pub distributing: bool,
    /// The aggregator the port is in, where the OS numbers them
    /// (Linux).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregator: Option<u32>,
    /// The aggregate's active aggregator (Linux).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_aggregator: Option<u32>,
    /// The partner's system MAC, `aa:bb:cc:dd:ee:ff`; absent when the
    /// OS does not tell or the port has no partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
}

/// One probe target as seen through one port.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PortTarget {
    /// The target's address.
    pub address: String,
    /// `ok` (answering) or `dead`.
    pub state: String,
    /// Smoothed round-trip time, in microseconds.
    pub rtt_avg_us: Option<u64>,
    /// Its mean deviation, in microseconds.
    pub rtt_dev_us: Option<u64>,
}

/// A link-state tracking group (Cisco `show link state group detail`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TrackingGroupStatus {
    /// Group name.
    pub name: String,
    /// `up`, `down` (every upstream down) or `disabled`.
    pub state: String,
    /// Enabled or disabled by the operator at run time (`ifctl
    /// track-group NAME enable|disable`) against the configuration,
    /// until the next reload or a restart.
    #[serde(default)]
    pub runtime: bool,
    /// `link` or `probe`: what upstream health means.
    pub health: String,
    /// Upstream interfaces and their states.
    pub upstream: Vec<TrackedInterface>,
    /// Downstream interfaces and their states.
    pub downstream: Vec<TrackedInterface>,
    /// Times the group went down (every upstream down) since the daemon
    /// started.
    #[serde(default)]
    pub downs: u64,
}

/// An interface of a tracking group.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TrackedInterface {
    /// Interface name.
    pub name: String,
    /// Upstream: `up`, `down` or `unknown`. Downstream: `up`, `down`,
    /// or `disabled` (err-disabled by this group).
    pub state: String,
}

/// A redundancy group.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RedundancyStatus {
    /// Group name.
    pub name: String,
    /// As configured (`carp vhid 1 on em0`, `keepalived PATH vip ADDR`),
    /// or `none` (logged only).
    pub effector: String,
    /// Configured priority.
    pub priority: u8,
    /// Run-time priority (configured minus decrements).
    pub current_priority: u8,
    /// `failover-threshold`.
    pub failover_threshold: u8,
    /// `preempt`.
    pub preempt: bool,
    /// Faulted now (below the threshold or a `shutdown` object down).
    pub faulted: bool,
    /// Demotion last applied to the HA engine (a yield or resign counts
    /// as the whole priority); absent before the first application
    /// (reload delay).
    pub applied_demotion: Option<u32>,
    /// What was last applied: `demotion N`, `yield` or `resign`.
    #[serde(default)]
    pub applied: Option<String>,
    /// This chassis's role as the HA engine shows it: `active`,
    /// `standby` or `unknown`.
    #[serde(default)]
    pub role: String,
    /// A manual switchover (`ifctl switchover`) is in force.
    #[serde(default)]
    pub switchover: bool,
    /// Without `preempt`: recovered while standby, yielding until active.
    #[serde(default)]
    pub held: bool,
    /// Tracked objects.
    pub tracks: Vec<TrackStatus>,
}

/// One tracked object of a redundancy group.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TrackStatus {
    /// Object name.
    pub object: String,
    /// `aggregate`, `port`, `track-group` or `interface`.
    pub kind: String,
    /// `decrement N` or `shutdown`.
    pub effect: String,
    /// Whether it is up now.
    pub up: bool,
}
