//! laggd's engine: every policy of this module driven by kernel
//! snapshots, probe replies and the clock; answering with actions. The
//! daemon around it only does I/O.
//!
//! Per port it runs a link detector and, when its aggregate has probe
//! targets, one probe detector per family fed through [`ArpProbes`]. Port
//! verdicts feed the [`Aggregate`] policies (membership, min-links,
//! failure threshold), with LACP's word on each port (`lacp`: live only
//! once aggregated) and the operator's maintenance (`maintenance`: ports
//! offline, link-state groups disabled); port, aggregate and interface
//! states feed the link-state [`Tracking`] groups and the
//! [`RedundancyGroup`]s.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use crate::addr::Family;
use crate::kernel::{KernelLink, KernelSnapshot};
use crate::link::{LinkDetector, LinkEvent, LinkState};
use crate::log::{Level, LogKind};
use crate::probe::{ProbeConfig, ProbeDetector, ProbeEvent, ProbeRequest};
use crate::rng::Rng;
use crate::time::Instant;

use super::aggregate::{Aggregate, AggregateEvent};
use super::config::{Effector, LaggdConfig, ObjectKind, UpstreamHealth};
use super::lacp::{LacpPort, LACP_SETTLE};
use super::messages as msg;
use super::port::{port_healthy, ArpProbes};
use super::redundancy::{HaEffect, RedundancyGroup};
/// How long after laggd changed a port's membership the port's link
/// going down does not fail it ([`LaggEngine::settle`]). Putting a port
/// into an aggregate (or taking one out, or changing lagg's failover
/// master) changes its hardware address, and many drivers bounce the
/// link for that: a repaired port would otherwise be failed again by its
/// own return, and loop. A link still down when this ends fails the
/// port as usual.
pub const MEMBERSHIP_SETTLE: std::time::Duration =
    std::time::Duration::from_secs(5);

use super::tracking::{RestoreReason, Tracking, TrackingAction, TrackingState};

#[cfg(test)]
mod faults;
mod lacp;
mod maintenance;
mod redundancy;
pub use redundancy::SwitchoverError;
mod reload;
mod status;
mod tally;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_day_two;

pub use lacp::LacpRetry;
pub use maintenance::MaintenanceError;

/// What laggd must do.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum LaggAction {
    /// Send an ARP request (IPv4) or neighbour solicitation (IPv6) for
    /// `target` through `port`, from `source`, with the port's own MAC.
    SendProbe {
        /// Port.
        port: String,
        /// Target.
        target: IpAddr,
        /// Sender address.
        source: IpAddr,
    },
    /// The ports that should be in `aggregate`, in master order.
    SetMembership {
        /// Aggregate.
        aggregate: String,
        /// Ports.
        ports: Vec<String>,
    },
    /// Bring an interface (an aggregate for min-links, a downstream
    /// interface for link-state tracking) administratively up or down.
    SetInterfaceUp {
        /// Interface.
        iface: String,
        /// Up or down.
        up: bool,
    },
    /// Tell the HA engine.
    ApplyHa {
        /// Redundancy group.
        group: String,
        /// CARP or keepalived.
        effector: Option<Effector>,
        /// What to apply.
        effect: HaEffect,
    },
    /// The active port changed: announce the aggregate's addresses.
    Announce {
        /// Aggregate.
        aggregate: String,
    },
    /// A log line.
    Log {
        /// Priority.
        level: Level,
        /// What it is news of.
        kind: LogKind,
        /// Text.
        message: String,
    },
}

#[derive(Debug)]
struct Port {
    name: String,
    aggregate: usize,
    link: LinkDetector,
    probes: Vec<(Family, ProbeDetector, ArpProbes)>,
    healthy: Option<bool>,
    /// When `healthy` last changed, and why it is what it is.
    changed_at: Option<Instant>,
    reason: &'static str,
    /// The aggregate policy has been told `healthy` (false after a
    /// reload gave the port a new policy).
    policy_knows: bool,
    /// Until then a link-down does not fail the port
    /// ([`MEMBERSHIP_SETTLE`]).
    settle_until: Option<Instant>,
    /// The link has been reported once: later changes are news.
    reported: bool,
    /// The OS's last LACP reading, in an LACP aggregate while the port
    /// is in it.
    lacp: Option<LacpPort>,
    /// Until then LACP not aggregating the port is not held against it
    /// ([`LACP_SETTLE`]).
    lacp_grace_until: Option<Instant>,
}

/// laggd's brain.
#[derive(Debug)]
pub struct LaggEngine {
    cfg: LaggdConfig,
    ports: Vec<Port>,
    aggregates: Vec<Aggregate>,
    tracking: Tracking,
    redundancy: Vec<RedundancyGroup>,
    links: BTreeMap<String, KernelLink>,
    active: BTreeMap<String, Option<String>>,
    actions: Vec<LaggAction>,
    /// Aggregates whose membership must be (re)asserted at the next
    /// sync: every one at start (a laggd that died may have left ports
    /// out) and after the OS refused a change.
    unasserted: BTreeSet<usize>,
    /// The aggregates the OS runs LACP on, as last observed.
    lacp_mode: BTreeSet<String>,
    /// Per aggregate: bringing it up again while min-links holds it
    /// down for want of LACP.
    lacp_retry: Vec<LacpRetry>,
    /// Probe, failure and tracking counts since the start.
    tally: tally::Tally,
}

impl LaggEngine {
    /// An engine for `cfg` (as `parse` returned it).
    pub fn new(cfg: LaggdConfig, seed: u64, now: Instant) -> LaggEngine {
        let mut rng = Rng::new(seed);
        let mut ports = Vec::new();
        for (a, lc) in cfg.aggregates.iter().enumerate() {
            for p in &lc.ports {
                let pcfg = ProbeConfig {
                    fdt: lc.fdt(&cfg.tunables),
                    ..ProbeConfig::default()
                };
                let mut probes = Vec::new();
                for family in [Family::V4, Family::V6] {
                    let targets: Vec<IpAddr> = lc.targets_of(family).collect();
                    if targets.is_empty() {
                        continue;
                    }
                    let id = u16::try_from(ports.len() & 0xffff).unwrap_or(0);
                    let mut d = ProbeDetector::new(
                        pcfg,
                        family,
                        id,
                        rng.next_u64(),
                        now,
                    );
                    d.set_explicit_targets(&targets, now);
                    probes.push((family, d, ArpProbes::default()));
                }
                ports.push(Port {
                    name: p.clone(),
                    aggregate: a,
                    link: LinkDetector::new(lc.link_config(), now),
                    probes,
                    healthy: None,
                    changed_at: None,
                    reason: "starting",
                    policy_knows: false,
                    settle_until: None,
                    reported: false,
                    lacp: None,
                    // Whatever LACP is doing as laggd starts, it has had
                    // no chance to settle under laggd's eyes.
                    lacp_grace_until: Some(now + LACP_SETTLE),
                });
            }
        }
        let cfg_aggregates = cfg.aggregates.len();
        let tracking = cfg.tracking().unwrap_or_default();
        let redundancy = cfg
            .redundancy_configs()
            .into_iter()
            .map(|r| RedundancyGroup::new(r, now))
            .collect();
        LaggEngine {
            aggregates: cfg
                .aggregate_configs()
                .into_iter()
                .map(Aggregate::new)
                .collect(),
            cfg,
            ports,
            tracking,
            redundancy,
            links: BTreeMap::new(),
            active: BTreeMap::new(),
            actions: Vec::new(),
            unasserted: (0..cfg_aggregates).collect(),
            lacp_mode: BTreeSet::new(),
            lacp_retry: vec![LacpRetry::default(); cfg_aggregates],
            tally: tally::Tally::default(),
        }
    }

    /// Everything to do now, in order.
    pub fn take_actions(&mut self) -> Vec<LaggAction> {
        std::mem::take(&mut self.actions)
    }

    fn log(&mut self, level: Level, kind: LogKind, message: String) {
        self.actions.push(LaggAction::Log {
            level,
            kind,
            message,
        });
    }

    /// A new view of the kernel, with each aggregate's active port as the
    /// OS reports it.
    pub fn sync(
        &mut self,
        snap: &KernelSnapshot,
        active_ports: &BTreeMap<String, Option<String>>,
        now: Instant,
    ) {
        self.links = snap
            .links
            .iter()
            .map(|l| (l.name.clone(), l.clone()))
            .collect();
        for i in 0..self.ports.len() {
            let carrier = self.links.get(&self.ports[i].name).map(|l| {
                if l.admin_up {
                    l.carrier
                } else {
                    Some(false)
                }
            });
            let mut ev = Vec::new();
            self.ports[i].link.on_carrier(
                carrier.unwrap_or(Some(false)),
                now,
                &mut ev,
            );
            self.link_events(i, &ev, now);
        }
        for (agg, port) in active_ports {
            let before = self.active.insert(agg.clone(), port.clone());
            if before.is_some() && before.as_ref() != Some(port) {
                self.log(
                    Level::Info,
                    LogKind::State,
                    msg::active_port(agg, port.as_deref()),
                );
                self.actions.push(LaggAction::Announce {
                    aggregate: agg.clone(),
                });
            }
        }
        self.vip_roles(snap, now);
        self.evaluate(now);
        for a in std::mem::take(&mut self.unasserted) {
            let aggregate = self.cfg.aggregates[a].name.clone();
            let pending = self.actions.iter().any(|x| {
                matches!(x, LaggAction::SetMembership { aggregate: n, .. } if *n == aggregate)
            });
            if !pending {
                self.actions.push(LaggAction::SetMembership {
                    aggregate,
                    ports: self.aggregates[a].membership().to_vec(),
                });
            }
        }
    }

    /// The OS refused (or half did) a [`LaggAction::SetMembership`] for
    /// `aggregate`: it is asked again at the next [`LaggEngine::sync`].
    pub fn membership_failed(&mut self, aggregate: &str) {
        if let Some(a) =
            self.cfg.aggregates.iter().position(|x| x.name == aggregate)
        {
            self.unasserted.insert(a);
        }
    }

    fn link_events(&mut self, i: usize, ev: &[LinkEvent], now: Instant) {
        for e in ev {
            let up = match e {
                LinkEvent::WentUp => true,
                LinkEvent::WentDown => false,
                LinkEvent::Damped { .. } | LinkEvent::Undamped => continue,
            };
            let name = self.ports[i].name.clone();
            // The first report of a link that is up is not news.
            if self.ports[i].reported || !up {
                self.log(Level::Err, LogKind::State, msg::port_link(&name, up));
            }
            self.ports[i].reported = true;
            for (_, d, _) in &mut self.ports[i].probes {
                d.set_link(up, now);
            }
        }
    }

    /// The OS changed these ports' membership (their hardware address,
    /// so maybe their link) carrying out a [`LaggAction::SetMembership`]:
    /// for [`MEMBERSHIP_SETTLE`], their link going down is not a failure.
    pub fn settle(&mut self, ports: &[String], now: Instant) {
        for p in self.ports.iter_mut().filter(|p| ports.contains(&p.name)) {
            p.settle_until = Some(now + MEMBERSHIP_SETTLE);
            // A port that joined an LACP aggregate negotiates afresh.
            p.lacp_grace_until =
                p.lacp_grace_until.max(Some(now + LACP_SETTLE));
        }
    }

    /// Timer work.
    pub fn poll(&mut self, now: Instant) {
        for p in &mut self.ports {
            if p.settle_until.is_some_and(|t| t <= now) {
                p.settle_until = None;
            }
            if p.lacp_grace_until.is_some_and(|t| t <= now) {
                p.lacp_grace_until = None;
            }
        }
        self.lacp_retries(now);
        for i in 0..self.ports.len() {
            let mut ev = Vec::new();
            self.ports[i].link.poll(now, &mut ev);
            self.link_events(i, &ev, now);
            let source = |f: Family| self.source(self.ports[i].aggregate, f);
            let sources: Vec<Option<IpAddr>> = self.ports[i]
                .probes
                .iter()
                .map(|(f, _, _)| source(*f))
                .collect();
            let name = self.ports[i].name.clone();
            for (k, (_, d, arp)) in self.ports[i].probes.iter_mut().enumerate()
            {
                let mut pev = Vec::new();
                d.poll(now, &mut pev);
                for e in pev {
                    if let ProbeEvent::Send(req) = e {
                        send(&mut self.actions, &name, sources[k], arp, &req);
                    }
                }
            }
        }
        for g in 0..self.redundancy.len() {
            let mut out = Vec::new();
            self.redundancy[g].poll(now, &mut out);
            self.redundancy_events(g, out);
        }
        self.evaluate(now);
    }

    /// The configured probe source of an aggregate's family, or its first
    /// address of that family.
    fn source(&self, a: usize, family: Family) -> Option<IpAddr> {
        let lc = &self.cfg.aggregates[a];
        lc.source(family).or_else(|| {
            self.links.get(&lc.name).and_then(|l| {
                l.addrs
                    .iter()
                    .map(|p| p.addr())
                    .find(|x| Family::of(*x) == family)
            })
        })
    }

    /// An ARP reply (or neighbour advertisement) from `target` arrived on
    /// `port`, addressed to our source address (checked by the caller).
    pub fn on_probe_reply(
        &mut self,
        port: &str,
        target: IpAddr,
        received_at: Instant,
        now: Instant,
    ) {
        let Some(i) = self.ports.iter().position(|p| p.name == port) else {
            return;
        };
        let family = Family::of(target);
        for (f, d, arp) in &mut self.ports[i].probes {
            if *f == family {
                if let Some(reply) = arp.reply(target, received_at) {
                    d.on_reply(&reply, now, &mut Vec::new());
                }
            }
        }
        self.evaluate(now);
    }

    /// Brings the policies in line with the ports' verdicts.
    fn evaluate(&mut self, now: Instant) {
        // Repairs before failures: when one snapshot brings a port back
        // as another goes, the aggregate must never look as if every
        // port had failed in between.
        let mut order: Vec<usize> = (0..self.ports.len()).collect();
        order.sort_by_key(|&i| self.port_health(i) != Some(true));
        for i in order {
            let p = &self.ports[i];
            let h = self.port_health(i);
            if h == p.healthy && p.policy_knows {
                continue;
            }
            let link_down = p.link.state() == LinkState::Down;
            let settling = p.settle_until.is_some_and(|t| now < t);
            if link_down && settling && p.healthy == Some(true) {
                continue;
            }
            let probing = !p.probes.is_empty();
            let (a, name) = (p.aggregate, p.name.clone());
            if h != p.healthy {
                let why = match (link_down, h, probing) {
                    (true, _, _) => "link down",
                    (false, Some(true), true) => "link up, probes answered",
                    (false, Some(true), false) => "link up",
                    (false, Some(false), _) => "probes lost",
                    (false, None, _) => "starting",
                };
                self.ports[i].changed_at = Some(now);
                self.ports[i].reason = why;
                self.ports[i].healthy = h;
            }
            let Some(h) = h else {
                continue;
            };
            self.ports[i].policy_knows = true;
            let why = self.ports[i].reason;
            let mut out = Vec::new();
            self.aggregates[a].set_port(&name, h, why, &mut out);
            self.aggregate_events(a, out, now);
        }
        self.evaluate_lacp(now);
        // Ports tracked by redundancy groups: live or not (failed,
        // offline, not aggregated by LACP).
        for i in 0..self.ports.len() {
            let name = self.ports[i].name.clone();
            let live = self.aggregates[self.ports[i].aggregate].is_live(&name);
            self.object(&name, live, now);
        }
        // Plain interfaces tracked by redundancy groups: their link.
        let plain: Vec<String> = self
            .cfg
            .redundancy
            .iter()
            .flat_map(|g| &g.tracks)
            .filter(|t| {
                self.cfg.object_kind(&t.object) == ObjectKind::Interface
            })
            .map(|t| t.object.clone())
            .collect();
        for name in plain {
            let up = self.link_up(&name);
            self.object(&name, up, now);
        }
        // Upstream health for link-state tracking. Upstreams that are up
        // go first: when one returns in the same snapshot as another
        // leaves, the group must not look down in between (its
        // downstream interfaces would be brought down and up again).
        for g in 0..self.cfg.tracking.len() {
            let tg = self.cfg.tracking[g].clone();
            let mut health: Vec<(&String, bool)> = tg
                .upstream
                .iter()
                .map(|u| match tg.health {
                    UpstreamHealth::Link => (u, self.link_up(u)),
                    UpstreamHealth::Probe => (u, self.verdict(u)),
                })
                .collect();
            health.sort_by_key(|(_, up)| !up);
            for (u, up) in health {
                let acts = self.tracking.set_upstream(u, up);
                self.tracking_actions(acts);
            }
            let state = self
                .tracking
                .view()
                .iter()
                .find(|v| v.name == tg.name)
                .map_or(TrackingState::Up, |v| v.state);
            self.tally.tracking_state(&tg.name, state);
            self.object(&tg.name, state != TrackingState::Down, now);
        }
        for a in 0..self.aggregates.len() {
            let name = self.cfg.aggregates[a].name.clone();
            let up = self.aggregates[a].object_up();
            self.object(&name, up, now);
        }
    }

    /// Port `i`'s health from its link and probes (`None`: not known
    /// yet).
    fn port_health(&self, i: usize) -> Option<bool> {
        let p = &self.ports[i];
        let rule = self.cfg.aggregates[p.aggregate].rule;
        port_healthy(&p.link, p.probes.first().map(|(_, d, _)| d), rule)
    }

    fn link_up(&self, iface: &str) -> bool {
        self.links
            .get(iface)
            .is_some_and(|l| l.admin_up && l.carrier != Some(false))
    }

    /// laggd's verdict for an aggregate or a port (link-state
    /// tracking's `health probe`); else the link. An aggregate is up
    /// while it has a live port and min-links is met: a bad score is
    /// news for the HA engine (seed 001), not a reason to shut the
    /// downstream interfaces (with the default threshold of 0 one bad
    /// port would).
    fn verdict(&self, name: &str) -> bool {
        if let Some(a) = self.cfg.aggregates.iter().position(|a| a.name == name)
        {
            return !self.aggregates[a].min_links_down()
                && self.aggregates[a].live() > 0;
        }
        match self.ports.iter().find(|p| p.name == name) {
            Some(p) => self.aggregates[p.aggregate].is_live(&p.name),
            None => self.link_up(name),
        }
    }

    fn object(&mut self, name: &str, up: bool, now: Instant) {
        for g in 0..self.redundancy.len() {
            let mut out = Vec::new();
            self.redundancy[g].set_object(name, up, now, &mut out);
            self.redundancy_events(g, out);
        }
    }

    fn aggregate_events(
        &mut self,
        a: usize,
        out: Vec<AggregateEvent>,
        now: Instant,
    ) {
        let agg = self.cfg.aggregates[a].name.clone();
        for e in out {
            match e {
                AggregateEvent::PortOffline { port, forced } => self.log(
                    Level::Err,
                    LogKind::State,
                    msg::port_offline(&agg, &port, forced),
                ),
                AggregateEvent::PortOnline { port, healthy } => {
                    let why = self.port_reason(&port);
                    self.log(
                        Level::Err,
                        LogKind::State,
                        msg::port_online(&agg, &port, healthy, why),
                    )
                }
                AggregateEvent::Aggregated { port, aggregated } => {
                    let reading = self
                        .ports
                        .iter()
                        .find(|p| p.name == port)
                        .and_then(|p| p.lacp.as_ref());
                    let detail = reading.map(ToString::to_string);
                    // Counted while LACP settles, or LACP's own word.
                    let settling = aggregated
                        && self.lacp_mode.contains(&agg)
                        && !reading.is_some_and(LacpPort::aggregated);
                    let line = if settling {
                        msg::lacp_settling(&agg, &port, detail.as_deref())
                    } else {
                        msg::lacp_aggregated(
                            &agg,
                            &port,
                            aggregated,
                            detail.as_deref(),
                        )
                    };
                    self.log(Level::Err, LogKind::State, line)
                }
                AggregateEvent::PortFailed { port, why } => {
                    self.tally.port_verdict(&port, false);
                    self.log(
                        Level::Err,
                        LogKind::State,
                        msg::port_failed(&agg, &port, &why),
                    )
                }
                AggregateEvent::PortRepaired { port, why } => {
                    self.tally.port_verdict(&port, true);
                    self.log(
                        Level::Err,
                        LogKind::State,
                        msg::port_repaired(&agg, &port, &why),
                    )
                }
                AggregateEvent::Membership(ports) => {
                    self.actions.push(LaggAction::SetMembership {
                        aggregate: agg.clone(),
                        ports,
                    })
                }
                AggregateEvent::AllPortsFailed => self.log(
                    Level::Err,
                    LogKind::State,
                    msg::all_ports_failed(&agg),
                ),
                AggregateEvent::MinLinksDown {
                    live,
                    min,
                    bring_down,
                } => {
                    self.log(
                        Level::Err,
                        LogKind::State,
                        msg::min_links_down(&agg, live, min),
                    );
                    if bring_down {
                        self.actions.push(LaggAction::SetInterfaceUp {
                            iface: agg.clone(),
                            up: false,
                        });
                    }
                }
                AggregateEvent::MinLinksUp {
                    live,
                    min,
                    bring_up,
                } => {
                    self.log(
                        Level::Err,
                        LogKind::State,
                        msg::min_links_up(&agg, live, min),
                    );
                    if bring_up {
                        self.actions.push(LaggAction::SetInterfaceUp {
                            iface: agg.clone(),
                            up: true,
                        });
                        // LACP ran not while it was down.
                        self.lacp_grace(a, now + LACP_SETTLE);
                    }
                }
                AggregateEvent::BadScore {
                    bad,
                    threshold,
                    marked,
                } => self.log(
                    Level::Err,
                    LogKind::State,
                    msg::bad_score(&agg, bad, threshold, marked),
                ),
            }
        }
    }

    fn tracking_actions(&mut self, acts: Vec<TrackingAction>) {
        for a in acts {
            match a {
                TrackingAction::ErrDisable { iface, group } => {
                    self.log(
                        Level::Err,
                        LogKind::State,
                        msg::err_disable(&group, &iface),
                    );
                    self.actions
                        .push(LaggAction::SetInterfaceUp { iface, up: false });
                }
                TrackingAction::Restore {
                    iface,
                    group,
                    reason,
                } => {
                    let why = match reason {
                        RestoreReason::UpstreamUp => {
                            "an upstream interface is up again"
                        }
                        RestoreReason::GroupDisabled => "the group is disabled",
                        RestoreReason::Removed => "no longer in the group",
                    };
                    self.log(
                        Level::Err,
                        LogKind::State,
                        msg::restore(&group, &iface, why),
                    );
                    self.actions
                        .push(LaggAction::SetInterfaceUp { iface, up: true });
                }
            }
        }
    }

    /// When [`LaggEngine::poll`] has work.
    pub fn next_deadline(&self) -> Option<Instant> {
        let mut best: Option<Instant> = None;
        let mut take = |t: Option<Instant>| {
            if let Some(t) = t {
                best = Some(best.map_or(t, |b| b.min(t)));
            }
        };
        for p in &self.ports {
            take(p.link.next_deadline());
            take(p.settle_until);
            take(p.lacp_grace_until);
            for (_, d, _) in &p.probes {
                take(d.next_deadline());
            }
        }
        for r in &self.redundancy {
            take(r.next_deadline());
        }
        for r in &self.lacp_retry {
            take(r.at);
        }
        best
    }

    /// Why port `name`'s verdict is what it is.
    fn port_reason(&self, name: &str) -> &'static str {
        self.ports
            .iter()
            .find(|p| p.name == name)
            .map_or("unknown", |p| p.reason)
    }

    /// Each port's verdict (for status): `None` while unknown.
    pub fn port_verdicts(&self) -> Vec<(String, String, Option<bool>)> {
        self.ports
            .iter()
            .map(|p| {
                (
                    self.cfg.aggregates[p.aggregate].name.clone(),
                    p.name.clone(),
                    p.healthy,
                )
            })
            .collect()
    }
}

fn send(
    actions: &mut Vec<LaggAction>,
    port: &str,
    source: Option<IpAddr>,
    arp: &mut ArpProbes,
    req: &ProbeRequest,
) {
    // Without a source address of the family there is nothing to send
    // from: the probe counts as lost.
    arp.sent(req);
    if let Some(source) = source {
        actions.push(LaggAction::SendProbe {
            port: port.to_string(),
            target: req.dst,
            source,
        });
    }
}
