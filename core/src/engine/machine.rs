//! The engine proper: configured interfaces and groups, fed kernel
//! snapshots, probe replies and the clock; answering with actions.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

use crate::addr::{Family, IpPrefix};
use crate::config::{MpathdConfig, TestAddress};
use crate::group::{
    Cause, Group, GroupError, GroupEvent, Health, MemberState, Suspicion,
};
use crate::link::{LinkConfig, LinkDetector, LinkEvent};
use crate::probe::{
    EchoReply, ProbeConfig, ProbeDetector, ProbeEvent, ProbeOutcome,
    ReplyOutcome,
};
use crate::rng::Rng;
use crate::time::Instant;

use super::action::{Action, AddressRole, Level};
use super::iface::{Iface, Path};
use super::kernel::{KernelLink, KernelRoute, KernelSnapshot};
use super::messages as msg;

/// How long a grouped interface may lack a test address before in.mpathd
/// says so (TESTADDR_CONF_TIME).
const TEST_ADDRESS_GRACE: Duration = Duration::from_secs(20);

/// A request the engine refused.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum EngineError {
    /// The interface is not tracked.
    #[error("{0}: not a physical interface or not in an IPMP group")]
    UnknownInterface(String),
    /// The group refused it.
    #[error(transparent)]
    Group(#[from] GroupError),
}

/// A probe path the daemon must keep a socket open for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProbePath {
    /// Interface name.
    pub ifname: String,
    /// Interface index.
    pub ifindex: u32,
    /// Family.
    pub family: Family,
    /// Test address to bind to.
    pub src: IpAddr,
}

/// mpathd's brain. See the module documentation.
#[derive(Debug)]
pub struct Engine {
    pub(super) cfg: MpathdConfig,
    pub(super) pid: u32,
    rng: Rng,
    pub(super) ifaces: Vec<Iface>,
    pub(super) groups: Vec<Group>,
    routes: Vec<KernelRoute>,
    own: Vec<IpAddr>,
    actions: Vec<Action>,
    /// Data addresses already reported as held outside their group.
    foreign_logged: BTreeSet<(IpPrefix, String)>,
    /// Routes already moved off a member: (destination, gateway, member).
    routes_moved: BTreeSet<(IpPrefix, IpAddr, String)>,
    /// The time of the call being handled.
    now: Instant,
    /// The first kernel snapshot has been taken: interfaces seen after
    /// it are new (hot-plugged or re-created), those in it were there
    /// before the daemon.
    started: bool,
}

fn probe_config(cfg: &MpathdConfig) -> ProbeConfig {
    ProbeConfig {
        fdt: cfg.tunables.failure_detection_time,
        ..ProbeConfig::default()
    }
}

impl Engine {
    /// An engine for `cfg`. `pid` goes into the ICMP identifier; `seed`
    /// seeds probe jitter and nonces (the daemon takes it from the OS).
    pub fn new(cfg: MpathdConfig, pid: u32, seed: u64, now: Instant) -> Engine {
        let mut e = Engine {
            cfg: MpathdConfig::default(),
            pid,
            rng: Rng::new(seed),
            ifaces: Vec::new(),
            groups: Vec::new(),
            routes: Vec::new(),
            own: Vec::new(),
            actions: Vec::new(),
            foreign_logged: BTreeSet::new(),
            routes_moved: BTreeSet::new(),
            now,
            started: false,
        };
        e.install(cfg, now);
        e
    }

    /// The configuration in force.
    pub fn config(&self) -> &MpathdConfig {
        &self.cfg
    }

    /// Everything the daemon must do now, in order.
    pub fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.actions)
    }

    fn log(&mut self, level: Level, message: String) {
        self.actions.push(Action::Log { level, message });
    }

    /// Builds groups and interfaces for `cfg`, keeping the state of every
    /// interface and group whose definition did not change.
    fn install(&mut self, cfg: MpathdConfig, now: Instant) {
        let same_timing = cfg.tunables.failure_detection_time
            == self.cfg.tunables.failure_detection_time;
        let mut old_ifaces = std::mem::take(&mut self.ifaces);
        let mut old_groups = std::mem::take(&mut self.groups);
        let failback = cfg.tunables.failback;
        for gc in &cfg.groups {
            let unchanged = same_group(&self.cfg, &cfg, &gc.name);
            let pos = old_groups.iter().position(|g| g.name() == gc.name);
            let group = match pos {
                Some(p) if unchanged => old_groups.swap_remove(p),
                _ => {
                    let mut g = Group::new(&gc.name, failback);
                    for m in cfg.members(&gc.name) {
                        g.add_member(&m.name, m.standby);
                    }
                    for a in cfg.addresses_of_group(&gc.name) {
                        // Validated by the parser: the home is a member.
                        let _ = g.add_address(a.prefix, &a.home);
                    }
                    g
                }
            };
            self.groups.push(group);
        }
        let track_all = !cfg.tunables.track_interfaces_only_with_groups;
        if track_all {
            let mut anon = old_groups
                .iter()
                .position(Group::is_anonymous)
                .map(|p| old_groups.swap_remove(p))
                .unwrap_or_else(Group::anonymous);
            for i in cfg.interfaces.iter().filter(|i| i.group.is_none()) {
                anon.add_member(&i.name, false);
            }
            self.groups.push(anon);
        }
        for ic in &cfg.interfaces {
            let group = ic.group.clone().unwrap_or_default();
            if group.is_empty() && !track_all {
                continue;
            }
            let unchanged =
                same_timing && self.cfg.interface(&ic.name) == Some(ic);
            let pos = old_ifaces.iter().position(|i| i.name == ic.name);
            let iface = match pos {
                Some(p) if unchanged => old_ifaces.swap_remove(p),
                Some(p) => {
                    // Keep what the kernel said; rebuild the detectors.
                    let old = old_ifaces.swap_remove(p);
                    let mut n = new_iface(
                        &ic.name, &group, ic.test_v4, ic.test_v6, now,
                    );
                    n.kernel = old.kernel;
                    n.link = old.link;
                    n.appeared_at = old.appeared_at;
                    n
                }
                None => {
                    new_iface(&ic.name, &group, ic.test_v4, ic.test_v6, now)
                }
            };
            self.ifaces.push(iface);
        }
        // Interfaces tracked only because TRACK_INTERFACES_ONLY_WITH_GROUPS
        // is no are added back by the next sync.
        self.cfg = cfg;
    }

    /// SIGHUP with a valid new configuration: unchanged groups keep their
    /// state and addresses; the daemon must call [`Engine::sync`] next.
    pub fn reconfigure(&mut self, cfg: MpathdConfig, now: Instant) {
        self.now = now;
        let dropped: Vec<String> = self
            .cfg
            .addresses
            .iter()
            .filter(|a| !cfg.addresses.iter().any(|b| b.prefix == a.prefix))
            .map(|a| a.prefix.to_string())
            .collect();
        self.install(cfg, now);
        for a in dropped {
            self.log(
                Level::Info,
                format!("data address {a} is no longer configured; leaving it where it is"),
            );
        }
    }

    /// Feeds a complete view of the kernel.
    pub fn sync(&mut self, snap: &KernelSnapshot, now: Instant) {
        self.now = now;
        self.routes = snap.routes.clone();
        // Forget moves the kernel has carried out (or that no longer
        // apply): what is still on the old member is looked at again.
        let routes = &self.routes;
        self.routes_moved.retain(|(dst, gw, from)| {
            routes
                .iter()
                .any(|r| r.dst == *dst && r.gateway == *gw && &r.ifname == from)
        });
        self.own = snap
            .links
            .iter()
            .flat_map(|l| l.addrs.iter().map(|a| a.addr()))
            .collect();
        self.adopt_os_members(snap, now);
        if !self.cfg.tunables.track_interfaces_only_with_groups {
            self.track_unconfigured(snap, now);
        }
        for i in 0..self.ifaces.len() {
            let k = snap.link(&self.ifaces[i].name).cloned();
            self.sync_iface(i, k, now);
        }
        // Placement waits until every observation of this snapshot is in
        // (evaluate_all releases the hold), so that an address is not
        // moved on a partial view.
        for g in &mut self.groups {
            g.hold();
        }
        self.observe_addresses(snap);
        self.evaluate_all(now);
        self.started = true;
    }

    /// A group with no `interface` lines takes its members from the OS's
    /// interface group of the same name, so that on FreeBSD rc.conf stays
    /// the place for membership (`ifconfig_em0="... group web"`). Such
    /// members are watched by link state; `interface` lines add probing.
    fn adopt_os_members(&mut self, snap: &KernelSnapshot, now: Instant) {
        let os_groups: Vec<String> = self
            .cfg
            .groups
            .iter()
            .filter(|g| self.cfg.members(&g.name).next().is_none())
            .map(|g| g.name.clone())
            .collect();
        for gname in &os_groups {
            let Some(g) = self.groups.iter().position(|x| x.name() == gname)
            else {
                continue;
            };
            for l in snap.links.iter().filter(|l| l.groups.contains(gname)) {
                if self.ifaces.iter().any(|i| i.name == l.name) {
                    continue;
                }
                let mut iface = new_iface(&l.name, gname, None, None, now);
                iface.os_member = true;
                self.ifaces.push(iface);
                self.groups[g].add_member(&l.name, false);
                self.log(
                    Level::Info,
                    format!(
                        "{} joined group {gname} (interface group)",
                        l.name
                    ),
                );
            }
        }
        let mut i = 0;
        while i < self.ifaces.len() {
            let iface = &self.ifaces[i];
            let left = iface.os_member
                && snap
                    .link(&iface.name)
                    .is_some_and(|l| !l.groups.contains(&iface.group));
            if !left {
                i += 1;
                continue;
            }
            let (name, gname) = (iface.name.clone(), iface.group.clone());
            if let Some(g) = self.groups.iter().position(|x| x.name() == gname)
            {
                let mut out = Vec::new();
                // OS-defined groups have no configured data addresses, so
                // no member is a home and removal cannot be refused.
                let _ = self.groups[g].remove_member(&name, &mut out);
                self.group_events(g, out);
            }
            self.ifaces.remove(i);
            self.log(
                Level::Info,
                format!("{name} left group {gname} (interface group)"),
            );
        }
    }

    /// TRACK_INTERFACES_ONLY_WITH_GROUPS=no: every other interface is
    /// watched (link-based only) in the anonymous group.
    fn track_unconfigured(&mut self, snap: &KernelSnapshot, now: Instant) {
        for l in &snap.links {
            if l.loopback || self.ifaces.iter().any(|i| i.name == l.name) {
                continue;
            }
            if self.cfg.interface(&l.name).is_some() {
                continue;
            }
            self.ifaces.push(new_iface(&l.name, "", None, None, now));
            if let Some(anon) =
                self.groups.iter_mut().find(|g| g.is_anonymous())
            {
                anon.add_member(&l.name, false);
            }
        }
    }

    fn sync_iface(&mut self, i: usize, k: Option<KernelLink>, now: Instant) {
        let recreated = match (&self.ifaces[i].kernel, &k) {
            (Some(old), Some(new)) => old.index != new.index,
            _ => false,
        };
        if recreated {
            // A new index is a new interface: forget the old one first.
            self.sync_iface(i, None, now);
        }
        let mut link_events = Vec::new();
        let iface = &mut self.ifaces[i];
        let appeared = iface.kernel.is_none() && k.is_some();
        match (&iface.kernel, &k) {
            (None, Some(_)) => {
                iface.appeared_at = Some(now);
                iface.fresh_link = self.started;
                iface.link = LinkDetector::new(LinkConfig::default(), now);
            }
            (Some(_), None) => {
                for p in &mut iface.paths {
                    p.detector = None;
                    p.src = None;
                }
            }
            (None, None) | (Some(_), Some(_)) => {}
        }
        iface.kernel = k;
        if let Some(k) = &iface.kernel {
            let carrier = if k.admin_up { k.carrier } else { Some(false) };
            iface.link.on_carrier(carrier, now, &mut link_events);
        }
        if appeared {
            // The first report of a link that is up is not news (a link
            // found down is: in.mpathd logs it as a transition).
            link_events.retain(|e| *e != LinkEvent::WentUp);
        }
        self.handle_link_events(i, &link_events, now);
        self.sync_paths(i, now);
    }

    /// Resolves test addresses, creates or drops detectors, and hands each
    /// detector its targets.
    fn sync_paths(&mut self, i: usize, now: Instant) {
        let pid = self.pid;
        let pcfg = probe_config(&self.cfg);
        let targets: Vec<Vec<IpAddr>> = (0..self.ifaces[i].paths.len())
            .map(|p| self.targets_for(i, p))
            .collect();
        let explicit: Vec<bool> = (0..self.ifaces[i].paths.len())
            .map(|p| {
                let fam = self.ifaces[i].paths[p].family;
                !self.cfg.targets_for(&self.ifaces[i].name, fam).is_empty()
            })
            .collect();
        let own = self.own.clone();
        let mut adds = Vec::new();
        let mut now_has_src = false;
        let iface = &mut self.ifaces[i];
        let id = iface.icmp_id(pid);
        let link_up = iface.link_up();
        let name = iface.name.clone();
        for (p, path) in iface.paths.iter_mut().enumerate() {
            let Some(k) = &iface.kernel else {
                continue;
            };
            let src = resolve_test(path.test, k);
            if src.is_none() {
                if let Some(pfx) = path.test.prefix() {
                    adds.push(Action::AddAddress {
                        ifname: name.clone(),
                        addr: test_kernel_prefix(pfx),
                        role: AddressRole::Test,
                    });
                }
            }
            if src != path.src {
                path.src = src;
                path.detector = None;
            }
            if iface.offline {
                path.detector = None;
                continue;
            }
            if path.src.is_some() && path.detector.is_none() {
                let seed = self.rng.next_u64();
                let mut d =
                    ProbeDetector::new(pcfg, path.family, id, seed, now);
                d.set_link(link_up, now);
                // in.mpathd ignores losses for 40 s after it starts
                // probing, for spanning tree on a link that just came up.
                // An interface already up when the daemon starts is past
                // that, and a restarted daemon must see a dead path
                // within FDT.
                if !iface.fresh_link {
                    d.end_quiet_period();
                }
                path.detector = Some(d);
            }
            if let Some(d) = &mut path.detector {
                now_has_src = true;
                d.set_own_addresses(&own);
                if explicit[p] {
                    d.set_explicit_targets(&targets[p], now);
                } else {
                    d.set_router_targets(&targets[p], now);
                }
            }
        }
        if now_has_src && iface.no_test_logged {
            iface.no_test_logged = false;
            let m = msg::test_address_now(&name);
            self.actions.extend(adds);
            self.log(Level::Info, m);
        } else {
            self.actions.extend(adds);
        }
    }

    /// Probe targets for path `p` of interface `i`: the configured ones,
    /// or else next hops of routes on the test subnet, host routes first
    /// (the Solaris `route add -host T T` way of choosing targets).
    fn targets_for(&self, i: usize, p: usize) -> Vec<IpAddr> {
        let iface = &self.ifaces[i];
        let path = &iface.paths[p];
        let explicit = self.cfg.targets_for(&iface.name, path.family);
        if !explicit.is_empty() {
            return explicit;
        }
        let members: Vec<&str> = if iface.group.is_empty() {
            vec![iface.name.as_str()]
        } else {
            self.cfg
                .members(&iface.group)
                .map(|m| m.name.as_str())
                .collect()
        };
        let on_subnet = |gw: IpAddr| match path.test {
            TestAddress::V4(pfx) => pfx.contains(gw),
            TestAddress::V6LinkLocal(_) | TestAddress::V6Auto => {
                matches!(gw, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)
            }
        };
        let mut routes: Vec<&KernelRoute> = self
            .routes
            .iter()
            .filter(|r| Family::of(r.gateway) == path.family)
            .filter(|r| on_subnet(r.gateway))
            .filter(|r| {
                path.family == Family::V4
                    || members.contains(&r.ifname.as_str())
            })
            .filter(|r| !self.own.contains(&r.gateway))
            .collect();
        let host_len = |r: &KernelRoute| match r.dst.addr() {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        routes.sort_by_key(|r| r.dst.len() != host_len(r));
        let mut out: Vec<IpAddr> = Vec::new();
        for r in routes {
            if !out.contains(&r.gateway) {
                out.push(r.gateway);
            }
        }
        out
    }

    /// Tells each group where the kernel has its data addresses.
    fn observe_addresses(&mut self, snap: &KernelSnapshot) {
        let mut extra = Vec::new();
        for g in 0..self.groups.len() {
            let members: Vec<String> = self.groups[g]
                .members()
                .iter()
                .map(|m| m.name.clone())
                .collect();
            let addrs = self.groups[g].addresses();
            let mut observed = Vec::new();
            for (prefix, _home, host) in addrs {
                let holders: Vec<&KernelLink> = snap
                    .links
                    .iter()
                    .filter(|l| l.addrs.contains(&prefix))
                    .collect();
                let mut in_group: Vec<&str> = holders
                    .iter()
                    .map(|l| l.name.as_str())
                    .filter(|n| members.iter().any(|m| m == n))
                    .collect();
                for l in holders.iter().filter(|l| !members.contains(&l.name)) {
                    if self.foreign_logged.insert((prefix, l.name.clone())) {
                        extra.push((
                            Level::Warning,
                            msg::foreign_data_address(prefix, &l.name),
                        ));
                    }
                }
                // Keep one holder (the one we believe in, if it is one);
                // remove the address from the others.
                let keep = match host {
                    Some(h) if in_group.contains(&h) => Some(h.to_string()),
                    _ => in_group.first().map(|s| s.to_string()),
                };
                in_group.retain(|n| Some(*n) != keep.as_deref());
                for dup in in_group {
                    self.actions.push(Action::RemoveAddress {
                        ifname: dup.to_string(),
                        addr: prefix,
                    });
                }
                if keep.as_deref() != host {
                    observed.push((prefix, keep));
                }
            }
            for (prefix, keep) in observed {
                let mut out = Vec::new();
                self.groups[g].observe_host(prefix, keep.as_deref(), &mut out);
                self.group_events(g, out);
            }
        }
        for (l, m) in extra {
            self.log(l, m);
        }
    }

    /// Runs detector timers.
    pub fn poll(&mut self, now: Instant) {
        self.now = now;
        for i in 0..self.ifaces.len() {
            let mut link_events = Vec::new();
            self.ifaces[i].link.poll(now, &mut link_events);
            self.handle_link_events(i, &link_events, now);
            for p in 0..self.ifaces[i].paths.len() {
                let mut ev = Vec::new();
                if let Some(d) = &mut self.ifaces[i].paths[p].detector {
                    d.poll(now, &mut ev);
                }
                self.probe_events(i, p, ev);
            }
            self.no_test_address_check(i, now);
        }
        self.evaluate_all(now);
    }

    fn no_test_address_check(&mut self, i: usize, now: Instant) {
        let iface = &self.ifaces[i];
        let Some(at) = iface.appeared_at else {
            return;
        };
        if iface.group.is_empty()
            || iface.no_test_logged
            || iface.offline
            || iface.kernel.is_none()
            || iface.paths.iter().any(|p| p.src.is_some())
            || now.saturating_since(at) < TEST_ADDRESS_GRACE
        {
            return;
        }
        let m = msg::no_test_address(&iface.name);
        self.ifaces[i].no_test_logged = true;
        self.log(Level::Info, m);
    }

    /// A probe reply arrived on `ifname`'s `family` socket.
    pub fn on_reply(
        &mut self,
        ifname: &str,
        family: Family,
        reply: &EchoReply,
        now: Instant,
    ) -> Option<ReplyOutcome> {
        self.now = now;
        let i = self.ifaces.iter().position(|x| x.name == ifname)?;
        let p = self.ifaces[i]
            .paths
            .iter()
            .position(|x| x.family == family)?;
        let mut ev = Vec::new();
        let outcome = self.ifaces[i].paths[p]
            .detector
            .as_mut()
            .map(|d| d.on_reply(reply, now, &mut ev));
        self.probe_events(i, p, ev);
        self.evaluate_all(now);
        outcome
    }

    fn handle_link_events(
        &mut self,
        i: usize,
        events: &[LinkEvent],
        now: Instant,
    ) {
        for ev in events {
            let name = self.ifaces[i].name.clone();
            match ev {
                LinkEvent::WentDown => {
                    self.log(Level::Err, msg::link_down(&name));
                    for p in &mut self.ifaces[i].paths {
                        if let Some(d) = &mut p.detector {
                            d.set_link(false, now);
                        }
                    }
                }
                LinkEvent::WentUp => {
                    self.ifaces[i].fresh_link = true;
                    self.log(Level::Err, msg::link_up(&name));
                    for p in &mut self.ifaces[i].paths {
                        if let Some(d) = &mut p.detector {
                            d.set_link(true, now);
                        }
                    }
                }
                LinkEvent::Damped { .. } => {
                    let limit = self.ifaces[i].link.config().flap_limit;
                    self.log(Level::Err, msg::link_flapping(&name, limit));
                }
                LinkEvent::Undamped => {}
            }
        }
    }

    fn probe_events(&mut self, i: usize, p: usize, events: Vec<ProbeEvent>) {
        let iface = &self.ifaces[i];
        let (name, group) = (iface.name.clone(), iface.group.clone());
        let family = iface.paths[p].family;
        let (Some(src), Some(ifindex)) = (iface.paths[p].src, iface.index())
        else {
            return;
        };
        for ev in events {
            match ev {
                ProbeEvent::Send(request) => {
                    self.actions.push(Action::SendProbe {
                        ifname: name.clone(),
                        ifindex,
                        family,
                        src,
                        request,
                    })
                }
                ProbeEvent::TargetDead { addr } => self.log(
                    Level::Info,
                    msg::target_dead(family, &name, &addr.to_string()),
                ),
                ProbeEvent::FdtRaised { to, .. } => {
                    let configured = self.cfg.tunables.failure_detection_time;
                    self.log(
                        Level::Info,
                        msg::fdt_raised(configured, family, &name, &group, to),
                    );
                }
                ProbeEvent::FdtLowered { to, .. } => self.log(
                    Level::Info,
                    msg::fdt_lowered(to, family, &name, &group),
                ),
                ProbeEvent::MissedProbes { count } => self.log(
                    Level::Info,
                    format!(
                        "missed sending {count} probes on ({} {name})",
                        family.inet()
                    ),
                ),
                ProbeEvent::TargetSlow { addr } => self.log(
                    Level::Info,
                    format!(
                        "probe target {addr} on ({} {name}) answers much \
                         slower than the others; skipping it for now",
                        family.inet()
                    ),
                ),
                ProbeEvent::TargetAdded { addr, .. } => self.log(
                    Level::Debug,
                    format!(
                        "probe target {addr} added on ({} {name})",
                        family.inet()
                    ),
                ),
                ProbeEvent::TargetRemoved { addr } => self.log(
                    Level::Debug,
                    format!(
                        "probe target {addr} removed on ({} {name})",
                        family.inet()
                    ),
                ),
                ProbeEvent::ProbeResolved {
                    seq,
                    target,
                    sent_at,
                    outcome,
                } => {
                    let info = self.ifaces[i].paths[p]
                        .detector
                        .as_ref()
                        .and_then(|d| {
                            d.targets().into_iter().find(|t| t.addr == target)
                        });
                    self.actions.push(Action::ProbeResult {
                        ifname: name.clone(),
                        family,
                        seq,
                        target,
                        sent_at,
                        rtt: match outcome {
                            ProbeOutcome::Acked { rtt } => Some(rtt),
                            ProbeOutcome::Lost => None,
                        },
                        rtt_avg: info.and_then(|t| t.rtt_avg),
                        rtt_dev: info.and_then(|t| t.rtt_dev),
                    });
                }
                ProbeEvent::PathFailed { .. }
                | ProbeEvent::PathRepaired
                | ProbeEvent::NoTargets
                | ProbeEvent::TargetsAvailable => {}
            }
        }
    }

    /// Brings every group's view of its members in line with their
    /// detectors. A group failure changes other members, so this repeats
    /// until nothing changes (bounded: each pass can only fail members or
    /// repair them, never both for the same member).
    fn evaluate_all(&mut self, now: Instant) {
        for g in &mut self.groups {
            g.hold();
        }
        for _ in 0..4 {
            let mut changed = false;
            for i in 0..self.ifaces.len() {
                changed |= self.evaluate(i, now);
            }
            if !changed {
                break;
            }
        }
        for g in 0..self.groups.len() {
            let mut out = Vec::new();
            self.groups[g].release(&mut out);
            self.group_events(g, out);
        }
        self.follow_routes();
    }

    /// Gateway routes through a member that cannot carry traffic (failed,
    /// offline, gone or INACTIVE) move to an active member of its group,
    /// preferably one hosting a data address on the gateway's subnet (so
    /// that the kernel picks that address as the source). Without this,
    /// a default route bound to a failed member's device would keep
    /// sending off-link traffic into the failure after the data addresses
    /// had moved. In a failed group nothing moves.
    fn follow_routes(&mut self) {
        let mut moves = Vec::new();
        for r in &self.routes {
            let Some(i) = self.ifaces.iter().position(|x| x.name == r.ifname)
            else {
                continue;
            };
            let Some(g) = self.group_of(i) else {
                continue;
            };
            let group = &self.groups[g];
            if group.is_anonymous() {
                continue;
            }
            let key = (r.dst, r.gateway, r.ifname.clone());
            let active =
                |m: &str| group.member(m).is_some_and(|m| m.is_active());
            if active(&r.ifname) || self.routes_moved.contains(&key) {
                continue;
            }
            let on_subnet = group
                .addresses()
                .into_iter()
                .find(|(a, _, h)| {
                    a.contains(r.gateway) && h.is_some_and(&active)
                })
                .and_then(|(_, _, h)| h.map(str::to_string));
            let to = on_subnet.or_else(|| {
                group
                    .members()
                    .iter()
                    .find(|m| m.is_active())
                    .map(|m| m.name.clone())
            });
            if let Some(to) = to {
                moves.push((key, to));
            }
        }
        for ((dst, gateway, from), to) in moves {
            self.log(
                Level::Info,
                format!("moving route {dst} via {gateway} from {from} to {to}"),
            );
            self.actions.push(Action::MoveRoute {
                dst,
                gateway,
                from: from.clone(),
                to,
            });
            self.routes_moved.insert((dst, gateway, from));
        }
    }

    fn evaluate(&mut self, i: usize, now: Instant) -> bool {
        let Some(g) = self.group_of(i) else {
            return false;
        };
        let name = self.ifaces[i].name.clone();
        let evidence = self.ifaces[i].evidence();
        self.groups[g].set_evidence(&name, evidence);
        let Some(state) = self.groups[g].member(&name).map(|m| m.state) else {
            return false;
        };
        let iface = &self.ifaces[i];
        let mut health = iface.health();
        // Without probes, a flapping link is not trusted to be repaired.
        if state == MemberState::Failed
            && health == Health::Ok
            && !iface.probing_enabled()
            && !iface.link.repair_allowed(now)
        {
            health = Health::Failed;
        }
        let present = iface.kernel.is_some();
        let why = if iface.link_up() {
            Suspicion::ProbesLost {
                first_failure: iface.first_failure().unwrap_or(now),
            }
        } else {
            Suspicion::LinkDown
        };
        let mut out = Vec::new();
        let group = &mut self.groups[g];
        let r = match (state, present, health) {
            (MemberState::Offline, _, _) => Ok(()),
            (MemberState::Missing, false, _) => Ok(()),
            (_, false, _) => group.member_removed(&name, &mut out),
            (MemberState::Missing, true, h) => {
                group.member_appeared(&name, h, &mut out)
            }
            (
                MemberState::Ok | MemberState::NoTargets,
                true,
                Health::Failed,
            ) => group.member_suspect(&name, why, &mut out),
            (MemberState::Failed, true, Health::Ok) => {
                group.member_repaired(&name, &mut out)
            }
            (MemberState::Failed, true, Health::NoTargets) => group
                .member_repaired(&name, &mut out)
                .and_then(|()| group.member_lost_targets(&name, &mut out)),
            (MemberState::Ok, true, Health::NoTargets) => {
                group.member_lost_targets(&name, &mut out)
            }
            (MemberState::NoTargets, true, Health::Ok) => {
                group.member_found_targets(&name, &mut out)
            }
            (MemberState::Ok, true, Health::Ok)
            | (MemberState::NoTargets, true, Health::NoTargets)
            | (MemberState::Failed, true, Health::Failed) => Ok(()),
        };
        debug_assert!(r.is_ok(), "{r:?}");
        let changed = !out.is_empty();
        self.group_events(g, out);
        changed
    }

    fn group_of(&self, i: usize) -> Option<usize> {
        let gname = &self.ifaces[i].group;
        self.groups.iter().position(|g| {
            if gname.is_empty() {
                g.is_anonymous()
            } else {
                g.name() == gname
            }
        })
    }

    /// Turns group events into logs and address work; a group failure
    /// also forces the members' detectors to failed, so that each needs
    /// ten replies of its own to come back.
    fn group_events(&mut self, g: usize, events: Vec<GroupEvent>) {
        let gname = self.groups[g].name().to_string();
        let mut summaries: Vec<String> = Vec::new();
        for ev in events {
            match ev {
                GroupEvent::MemberChanged {
                    member,
                    from,
                    to,
                    cause,
                } => self.member_changed(&gname, &member, from, to, cause),
                GroupEvent::Activated { member } => self.log(
                    Level::Debug,
                    format!("{member} is now active in group {gname}"),
                ),
                GroupEvent::Deactivated { member } => self.log(
                    Level::Debug,
                    format!("{member} is now inactive in group {gname}"),
                ),
                GroupEvent::AddressMoved { addr, from, to } => {
                    let home = self.groups[g]
                        .addresses()
                        .iter()
                        .find(|(a, _, _)| *a == addr)
                        .map(|(_, h, _)| h.to_string());
                    self.log(
                        Level::Info,
                        msg::address_moved(addr, from.as_deref(), &to),
                    );
                    if let Some(f) = &from {
                        if self.present(f) {
                            self.actions.push(Action::RemoveAddress {
                                ifname: f.clone(),
                                addr,
                            });
                        }
                        let s = if home.as_deref() == Some(to.as_str()) {
                            msg::failed_back(&to)
                        } else {
                            msg::failed_over(f, &to)
                        };
                        if !summaries.contains(&s) {
                            summaries.push(s);
                        }
                    }
                    self.actions.push(Action::AddAddress {
                        ifname: to.clone(),
                        addr,
                        role: AddressRole::Data,
                    });
                    self.actions.push(Action::Announce {
                        ifname: to,
                        addr: addr.addr(),
                    });
                }
                GroupEvent::StateChanged { from, to } => self.log(
                    Level::Info,
                    format!("group {gname} is now {to} (was {from})"),
                ),
                GroupEvent::AllUnusable => {
                    self.log(Level::Err, msg::all_unusable(&gname))
                }
                GroupEvent::UsableAgain { member } => {
                    self.log(Level::Err, msg::usable_again(&member, &gname))
                }
            }
        }
        for s in summaries {
            self.log(Level::Info, s);
        }
    }

    fn member_changed(
        &mut self,
        group: &str,
        member: &str,
        from: MemberState,
        to: MemberState,
        cause: Cause,
    ) {
        let Some(i) = self.ifaces.iter().position(|x| x.name == member) else {
            return;
        };
        match cause {
            Cause::InterfaceFailure | Cause::GroupFailure => {
                let now = self.now;
                for p in &mut self.ifaces[i].paths {
                    if let Some(d) = &mut p.detector {
                        d.force_failed(now);
                        d.reset_rtt();
                        if cause == Cause::GroupFailure {
                            d.flush_host_targets(now);
                        }
                    }
                }
                self.log(Level::Err, msg::interface_failure(member, group));
            }
            Cause::Repair if from == MemberState::Failed => {
                self.log(Level::Err, msg::interface_repair(member, group))
            }
            Cause::Repair | Cause::LostTargets | Cause::FoundTargets => self
                .log(
                    Level::Debug,
                    format!(
                        "{member} is now {} (was {})",
                        to.as_str(),
                        from.as_str()
                    ),
                ),
            Cause::Appeared => {
                self.log(Level::Info, msg::appeared_in_kernel(member))
            }
            Cause::Removed => {
                self.log(Level::Info, msg::removed_from_kernel(member))
            }
            Cause::Offline => self.log(Level::Info, msg::offlined(member)),
            Cause::Online => self.log(Level::Info, msg::onlined(member)),
        }
    }

    fn present(&self, ifname: &str) -> bool {
        self.ifaces
            .iter()
            .any(|i| i.name == ifname && i.kernel.is_some())
    }

    /// The earliest instant at which [`Engine::poll`] has work.
    pub fn next_deadline(&self) -> Option<Instant> {
        let mut best: Option<Instant> = None;
        let mut take = |t: Option<Instant>| {
            if let Some(t) = t {
                best = Some(best.map_or(t, |b| b.min(t)));
            }
        };
        for i in &self.ifaces {
            take(i.link.next_deadline());
            for p in &i.paths {
                take(
                    p.detector.as_ref().and_then(ProbeDetector::next_deadline),
                );
            }
            if let Some(at) = i.appeared_at {
                if !i.group.is_empty()
                    && !i.no_test_logged
                    && i.paths.iter().all(|p| p.src.is_none())
                    && i.kernel.is_some()
                {
                    take(Some(at + TEST_ADDRESS_GRACE));
                }
            }
        }
        best
    }

    /// The sockets the daemon must have open: one per probing path.
    pub fn probe_paths(&self) -> Vec<ProbePath> {
        let mut out = Vec::new();
        for i in &self.ifaces {
            let Some(ifindex) = i.index() else {
                continue;
            };
            for p in &i.paths {
                if let (Some(src), Some(_)) = (p.src, &p.detector) {
                    out.push(ProbePath {
                        ifname: i.name.clone(),
                        ifindex,
                        family: p.family,
                        src,
                    });
                }
            }
        }
        out
    }

    fn find(&self, ifname: &str) -> Result<(usize, usize), EngineError> {
        let i = self
            .ifaces
            .iter()
            .position(|x| x.name == ifname)
            .ok_or_else(|| EngineError::UnknownInterface(ifname.to_string()))?;
        let g = self
            .group_of(i)
            .ok_or_else(|| EngineError::UnknownInterface(ifname.to_string()))?;
        Ok((i, g))
    }

    /// if_mpadm -d. Refused for the last usable member of a group.
    pub fn offline(
        &mut self,
        ifname: &str,
        now: Instant,
    ) -> Result<(), EngineError> {
        self.now = now;
        let (i, g) = self.find(ifname)?;
        let mut out = Vec::new();
        self.groups[g].offline(ifname, &mut out)?;
        self.ifaces[i].offline = true;
        for p in &mut self.ifaces[i].paths {
            p.detector = None;
        }
        self.group_events(g, out);
        self.evaluate_all(now);
        Ok(())
    }

    /// if_mpadm -r.
    pub fn online(
        &mut self,
        ifname: &str,
        now: Instant,
    ) -> Result<(), EngineError> {
        self.now = now;
        let (i, g) = self.find(ifname)?;
        let health = if self.ifaces[i].link_up() {
            Health::Ok
        } else {
            Health::Failed
        };
        let mut out = Vec::new();
        self.groups[g].online(ifname, health, &mut out)?;
        self.ifaces[i].offline = false;
        self.ifaces[i].appeared_at = Some(now);
        self.group_events(g, out);
        self.sync_paths(i, now);
        self.evaluate_all(now);
        Ok(())
    }

    /// SIGTERM: every data address goes home if its home member is usable,
    /// and otherwise stays on the usable member it is on.
    pub fn shutdown(&mut self) {
        for g in 0..self.groups.len() {
            let mut out = Vec::new();
            self.groups[g].restore_homes(&mut out);
            self.group_events(g, out);
        }
    }
}

fn new_iface(
    name: &str,
    group: &str,
    test_v4: Option<IpPrefix>,
    test_v6: Option<TestAddress>,
    now: Instant,
) -> Iface {
    let mut paths = Vec::new();
    if let Some(p) = test_v4 {
        paths.push(Path {
            family: Family::V4,
            test: TestAddress::V4(p),
            src: None,
            detector: None,
        });
    }
    if let Some(t) = test_v6 {
        paths.push(Path {
            family: Family::V6,
            test: t,
            src: None,
            detector: None,
        });
    }
    Iface {
        name: name.to_string(),
        group: group.to_string(),
        kernel: None,
        link: LinkDetector::new(LinkConfig::default(), now),
        paths,
        appeared_at: None,
        no_test_logged: false,
        offline: false,
        fresh_link: false,
        os_member: false,
    }
}

/// How a missing test address is configured. An IPv4 test address goes
/// in as a host address (/32): on a subnet it would become the primary
/// address and own the subnet route, which must follow the data
/// addresses instead (Linux and FreeBSD keep one subnet route per
/// primary address). Probes still reach on-link targets: the socket is
/// bound to the interface. The configured prefix length only says which
/// targets are on the test subnet. An IPv6 link-local test address goes
/// in as configured: fe80::/64 is per interface anyway.
fn test_kernel_prefix(p: IpPrefix) -> IpPrefix {
    match p.addr() {
        IpAddr::V4(_) => IpPrefix::host(p.addr()),
        IpAddr::V6(_) => p,
    }
}

/// The kernel address that is this path's test address, if present.
fn resolve_test(test: TestAddress, k: &KernelLink) -> Option<IpAddr> {
    match test {
        TestAddress::V4(p) | TestAddress::V6LinkLocal(p) => k
            .addrs
            .iter()
            .find(|a| a.addr() == p.addr())
            .map(|a| a.addr()),
        TestAddress::V6Auto => k
            .addrs
            .iter()
            .map(|a| a.addr())
            .find(|a| matches!(a, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)),
    }
}

/// Whether group `name` is defined identically in both configurations
/// (members, standby flags, data addresses, FAILBACK).
fn same_group(old: &MpathdConfig, new: &MpathdConfig, name: &str) -> bool {
    if old.group(name).is_none()
        || old.tunables.failback != new.tunables.failback
    {
        return false;
    }
    let members = |c: &MpathdConfig| -> Vec<(String, bool)> {
        c.members(name)
            .map(|m| (m.name.clone(), m.standby))
            .collect()
    };
    let addrs = |c: &MpathdConfig| -> Vec<(IpPrefix, String)> {
        c.addresses_of_group(name)
            .map(|a| (a.prefix, a.home.clone()))
            .collect()
    };
    members(old) == members(new) && addrs(old) == addrs(new)
}
