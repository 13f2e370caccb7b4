//! The parsed configuration, and its conversions into the policies'
//! configurations ([`AggregateConfig`], [`TrackingGroupConfig`],
//! [`RedundancyConfig`]) and the link detector's ([`LinkConfig`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::time::Duration;

use crate::addr::Family;
use crate::laggd::aggregate::{AggregateConfig, MinLinksAction};
use crate::laggd::redundancy::{RedundancyConfig, Track};
use crate::laggd::tracking::{Tracking, TrackingError, TrackingGroupConfig};
use crate::link::LinkConfig;
use crate::probe::DEFAULT_FDT;

pub use crate::mpathd::config::{MAX_INTERFACE_NAME, MAX_TARGETS};

/// Longest track-group, redundancy group or tracked object name (as
/// mpathd's group names).
pub const MAX_NAME: usize = crate::mpathd::config::MAX_GROUP_NAME;

/// The daemon-wide `KEY=VALUE` settings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LaggdTunables {
    /// `FAILURE_DETECTION_TIME`, read exactly as mpathd reads it; an
    /// aggregate's `failure-detection-time` overrides it.
    pub failure_detection_time: Duration,
}

impl Default for LaggdTunables {
    /// 10 s, as in.mpathd.
    fn default() -> LaggdTunables {
        LaggdTunables {
            failure_detection_time: DEFAULT_FDT,
        }
    }
}

/// How a port's probe targets combine into its verdict.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum TargetRule {
    /// Healthy while any target answers.
    #[default]
    Any,
    /// Healthy while every target answers.
    All,
    /// Healthy while at least this many targets answer.
    AtLeast(usize),
}

impl TargetRule {
    /// How many of `targets` targets must answer.
    pub fn required(self, targets: usize) -> usize {
        match self {
            TargetRule::Any => targets.min(1),
            TargetRule::All => targets,
            TargetRule::AtLeast(n) => n.min(targets),
        }
    }
}

/// One `lagg` statement.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LaggConfig {
    /// Aggregate interface (`lagg0`, `bond0`).
    pub name: String,
    /// Ports in master order (first = preferred).
    pub ports: Vec<String>,
    /// `min-links` (0: off).
    pub min_links: usize,
    /// `action down|report`.
    pub min_links_action: MinLinksAction,
    /// `failure-threshold N` (default 0, FortiGate's); `None`: `off`.
    pub link_failure_threshold: Option<usize>,
    /// Probe targets, both families, in file order (empty: link only).
    pub targets: Vec<IpAddr>,
    /// `rule any|all|N`.
    pub rule: TargetRule,
    /// IPv4 probe source (`0.0.0.0` allowed); `None`: the aggregate's
    /// first IPv4 address at run time.
    pub source_v4: Option<Ipv4Addr>,
    /// IPv6 probe source; `None`: the aggregate's first IPv6 address.
    pub source_v6: Option<Ipv6Addr>,
    /// `failure-detection-time`, overriding the tunable.
    pub failure_detection_time: Option<Duration>,
    /// `up-delay` (bonding's updelay).
    pub up_delay: Duration,
    /// `down-delay` (bonding's downdelay).
    pub down_delay: Duration,
    /// Link-flap damping (`damping off` clears it).
    pub damping: bool,
    /// The statement's first line.
    pub line: usize,
}

impl LaggConfig {
    /// An aggregate with every option at its default.
    pub fn new(name: &str, line: usize) -> LaggConfig {
        LaggConfig {
            name: name.to_string(),
            ports: Vec::new(),
            min_links: 0,
            min_links_action: MinLinksAction::BringDown,
            link_failure_threshold: Some(0),
            targets: Vec::new(),
            rule: TargetRule::Any,
            source_v4: None,
            source_v6: None,
            failure_detection_time: None,
            up_delay: Duration::ZERO,
            down_delay: Duration::ZERO,
            damping: true,
            line,
        }
    }

    /// The aggregate policy's configuration.
    pub fn to_aggregate_config(&self) -> AggregateConfig {
        AggregateConfig {
            name: self.name.clone(),
            ports: self.ports.clone(),
            min_links: self.min_links,
            min_links_action: self.min_links_action,
            link_failure_threshold: self.link_failure_threshold,
        }
    }

    /// Each port's link detector configuration: the delays, and
    /// in.mpathd's flap rule unless `damping off`.
    pub fn link_config(&self) -> LinkConfig {
        LinkConfig {
            up_delay: self.up_delay,
            down_delay: self.down_delay,
            flap_limit: if self.damping {
                LinkConfig::default().flap_limit
            } else {
                0
            },
            ..LinkConfig::default()
        }
    }

    /// The failure detection time for this aggregate's probes.
    pub fn fdt(&self, tunables: &LaggdTunables) -> Duration {
        self.failure_detection_time
            .unwrap_or(tunables.failure_detection_time)
    }

    /// The targets of one family, in file order.
    pub fn targets_of(
        &self,
        family: Family,
    ) -> impl Iterator<Item = IpAddr> + '_ {
        self.targets
            .iter()
            .copied()
            .filter(move |t| Family::of(*t) == family)
    }

    /// The configured source of one family.
    pub fn source(&self, family: Family) -> Option<IpAddr> {
        match family {
            Family::V4 => self.source_v4.map(IpAddr::V4),
            Family::V6 => self.source_v6.map(IpAddr::V6),
        }
    }
}

/// What "up" means for a track-group's upstream interfaces.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum UpstreamHealth {
    /// Their link state.
    #[default]
    Link,
    /// laggd's verdict (link and probes) for the aggregate or port.
    Probe,
}

/// One `track-group` statement.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TrackingGroupConf {
    /// Group name.
    pub name: String,
    /// Upstream interfaces.
    pub upstream: Vec<String>,
    /// Downstream interfaces.
    pub downstream: Vec<String>,
    /// `health link|probe`.
    pub health: UpstreamHealth,
    /// False when configured `disabled`.
    pub enabled: bool,
    /// The statement's first line.
    pub line: usize,
}

impl TrackingGroupConf {
    /// The tracking policy's configuration.
    pub fn to_tracking_config(&self) -> TrackingGroupConfig {
        TrackingGroupConfig {
            name: self.name.clone(),
            upstream: self.upstream.clone(),
            downstream: self.downstream.clone(),
        }
    }
}

/// A CARP virtual host a redundancy group drives: `vhid N on IFNAME`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Vhid {
    /// 1-255.
    pub vhid: u8,
    /// The interface the vhid is configured on.
    pub interface: String,
}

/// What applies a redundancy group's effect, and shows the role.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Effector {
    /// FreeBSD CARP: the named vhids' advskew (their state shows the
    /// role); none named: the host-wide `net.inet.carp.demotion` (the
    /// coarse mode: every vhid moves, the role is not seen).
    Carp(Vec<Vhid>),
    /// keepalived: a track file it reads, and the virtual address it
    /// holds while master, which shows the role.
    Keepalived {
        /// The track file.
        file: PathBuf,
        /// `vip ADDRESS`.
        vip: Option<IpAddr>,
    },
}

impl Effector {
    /// Whether laggd can see which chassis is active.
    pub fn shows_role(&self) -> bool {
        match self {
            Effector::Carp(vhids) => !vhids.is_empty(),
            Effector::Keepalived { vip, .. } => vip.is_some(),
        }
    }
}

/// One `redundancy` statement.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RedundancyGroupConf {
    /// Group name.
    pub name: String,
    /// 1-255.
    pub priority: u8,
    /// Below this run-time priority the group is faulted (default 0).
    pub failover_threshold: u8,
    /// `preempt`.
    pub preempt: bool,
    /// `track OBJECT decrement N|shutdown`, in file order.
    pub tracks: Vec<Track>,
    /// `delay SECONDS` (default 0).
    pub delay: Duration,
    /// `reload SECONDS` (default 0).
    pub reload_delay: Duration,
    /// `carp` or `keepalived FILE`; `None`: the priority is only logged.
    pub effector: Option<Effector>,
    /// The statement's first line.
    pub line: usize,
}

impl RedundancyGroupConf {
    /// The redundancy policy's configuration.
    pub fn to_redundancy_config(&self) -> RedundancyConfig {
        RedundancyConfig {
            name: self.name.clone(),
            priority: self.priority,
            failover_threshold: self.failover_threshold,
            preempt: self.preempt,
            tracks: self.tracks.clone(),
            delay: self.delay,
            reload_delay: self.reload_delay,
        }
    }
}

/// What a redundancy group's `track OBJECT` names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ObjectKind {
    /// An aggregate: down below min-links or with a bad score.
    Aggregate,
    /// A port of an aggregate: laggd's verdict for it.
    Port,
    /// A track-group: down while its upstream is all down.
    TrackingGroup,
    /// Any other interface: its link state.
    Interface,
}

/// The whole file.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LaggdConfig {
    /// `KEY=VALUE` settings.
    pub tunables: LaggdTunables,
    /// `lagg` statements, in file order.
    pub aggregates: Vec<LaggConfig>,
    /// `track-group` statements, in file order.
    pub tracking: Vec<TrackingGroupConf>,
    /// `redundancy` statements, in file order.
    pub redundancy: Vec<RedundancyGroupConf>,
}

impl LaggdConfig {
    /// The aggregate called `name`.
    pub fn aggregate(&self, name: &str) -> Option<&LaggConfig> {
        self.aggregates.iter().find(|a| a.name == name)
    }

    /// The aggregate `port` is a port of.
    pub fn aggregate_of(&self, port: &str) -> Option<&LaggConfig> {
        self.aggregates
            .iter()
            .find(|a| a.ports.iter().any(|p| p == port))
    }

    /// The track-group called `name`.
    pub fn tracking_group(&self, name: &str) -> Option<&TrackingGroupConf> {
        self.tracking.iter().find(|g| g.name == name)
    }

    /// The redundancy group called `name`.
    pub fn redundancy_group(&self, name: &str) -> Option<&RedundancyGroupConf> {
        self.redundancy.iter().find(|g| g.name == name)
    }

    /// What a tracked object's name refers to: an aggregate, a port, a
    /// track-group, or else an interface.
    pub fn object_kind(&self, name: &str) -> ObjectKind {
        if self.aggregate(name).is_some() {
            ObjectKind::Aggregate
        } else if self.aggregate_of(name).is_some() {
            ObjectKind::Port
        } else if self.tracking_group(name).is_some() {
            ObjectKind::TrackingGroup
        } else {
            ObjectKind::Interface
        }
    }

    /// Every aggregate policy's configuration.
    pub fn aggregate_configs(&self) -> Vec<AggregateConfig> {
        self.aggregates
            .iter()
            .map(LaggConfig::to_aggregate_config)
            .collect()
    }

    /// Every track-group's tracking configuration, in file order.
    pub fn tracking_configs(&self) -> Vec<TrackingGroupConfig> {
        self.tracking
            .iter()
            .map(TrackingGroupConf::to_tracking_config)
            .collect()
    }

    /// The tracking policy, with the `disabled` groups disabled. Cannot
    /// fail for a configuration [`parse`](super::parse) returned.
    pub fn tracking(&self) -> Result<Tracking, TrackingError> {
        let mut t = Tracking::new(&self.tracking_configs())?;
        for g in self.tracking.iter().filter(|g| !g.enabled) {
            // Nothing is err-disabled yet, so there is nothing to restore.
            let _ = t.set_enabled(&g.name, false);
        }
        Ok(t)
    }

    /// Every redundancy policy's configuration.
    pub fn redundancy_configs(&self) -> Vec<RedundancyConfig> {
        self.redundancy
            .iter()
            .map(RedundancyGroupConf::to_redundancy_config)
            .collect()
    }
}
