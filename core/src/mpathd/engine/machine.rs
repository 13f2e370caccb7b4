//! The engine's state and its entry points. Each entry point does the
//! work its input touches, then [`Engine::finish`] evaluates the groups
//! of the interfaces whose health changed and re-files the deadlines of
//! every interface touched: a probe reply costs one path, a timer one
//! interface, and a change of health one group, whatever the number of
//! members. Only [`Engine::sync`] (a whole kernel snapshot) and
//! [`Engine::reconfigure`] look at everything.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::addr::{Family, IpPrefix};
use crate::deadlines::Deadlines;
use crate::mpathd::config::MpathdConfig;
use crate::mpathd::group::{Group, GroupError, Health};
use crate::probe::{EchoReply, ProbeConfig, ReplyOutcome};
use crate::rng::Rng;
use crate::time::Instant;

use super::action::{Action, Level, LogKind};
use super::iface::Iface;
use super::tally::Tally;
use crate::kernel::KernelRoute;

/// How long a grouped interface may lack a test address before in.mpathd
/// says so (TESTADDR_CONF_TIME).
pub(super) const TEST_ADDRESS_GRACE: Duration = Duration::from_secs(20);

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
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
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

/// Where things are, by name: rebuilt by [`Engine::reindex`] whenever an
/// interface or a group comes or goes, so that no event has to search.
#[derive(Debug, Default)]
pub(super) struct Index {
    /// Interface positions by name.
    pub iface: HashMap<String, usize>,
    /// Group positions by name (the anonymous group under "").
    pub group: HashMap<String, usize>,
    /// Each interface's group.
    pub group_of: Vec<Option<usize>>,
    /// Each group's interfaces, in interface order.
    pub members: Vec<Vec<usize>>,
    /// Interface positions by kernel index, for probe replies (which
    /// come with the index; a name would have to be hashed).
    pub by_ifindex: BTreeMap<u32, usize>,
    /// An interface's kernel index changed since `by_ifindex` was
    /// built: rebuild it before the next lookup.
    pub by_ifindex_stale: bool,
}

/// mpathd's brain. See the module documentation.
#[derive(Debug)]
pub struct Engine {
    pub(super) cfg: MpathdConfig,
    pub(super) pid: u32,
    pub(super) rng: Rng,
    pub(super) ifaces: Vec<Iface>,
    pub(super) groups: Vec<Group>,
    pub(super) index: Index,
    /// Gateway routes from the last snapshot.
    pub(super) routes: Vec<KernelRoute>,
    /// Every address of this host, shared with every probe detector.
    pub(super) own: Arc<BTreeSet<IpAddr>>,
    pub(super) actions: Vec<Action>,
    /// Data addresses already reported as held outside their group.
    pub(super) foreign_logged: BTreeSet<(IpPrefix, String)>,
    /// Routes already moved off a member: (destination, gateway, member).
    pub(super) routes_moved: BTreeSet<(IpPrefix, IpAddr, String)>,
    /// The time of the call being handled.
    pub(super) now: Instant,
    /// The first kernel snapshot has been taken: interfaces seen after
    /// it are new (hot-plugged or re-created), those in it were there
    /// before the daemon.
    pub(super) started: bool,
    /// When each interface (by position) next wants [`Engine::poll`].
    pub(super) deadlines: Deadlines,
    /// Interfaces touched by the entry point being handled (repeats
    /// allowed; a Vec kept between calls, so that an event allocates
    /// nothing here): their groups are evaluated, their deadlines
    /// re-filed.
    pub(super) dirty: Vec<usize>,
    /// Interfaces whose timers ran or that took a reply without their
    /// health changing: only their deadlines are re-filed. Their group
    /// already agrees with them (every change of health is evaluated,
    /// and a member's state follows its health), so evaluating it again
    /// would change nothing; this is what nearly every probe sent and
    /// answered is.
    quiet: Vec<usize>,
    /// Scratch for [`Engine::finish`]: the groups to evaluate.
    scratch: Vec<usize>,
    /// Scratch for a path's probe events (emptied after each use).
    pub(super) probe_scratch: Vec<crate::probe::ProbeEvent>,
    /// Changes whenever [`Engine::probe_paths`] would answer differently.
    pub(super) paths_version: u64,
    /// Failovers, failbacks, failures and repairs since the start.
    pub(super) tally: Tally,
    /// Groups that changed since the last [`Engine::finish`]: only their
    /// routes can need moving (a probe reply that changes nothing looks
    /// at no route).
    pub(super) regrouped: Vec<usize>,
    /// The routes came fresh from a snapshot: every group's are looked
    /// at once.
    pub(super) routes_fresh: bool,
    /// Whether [`Action::ProbeResult`]s are wanted ([`Engine::report_probes`]).
    pub(super) report_probes: bool,
}

pub(super) fn probe_config(cfg: &MpathdConfig) -> ProbeConfig {
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
            index: Index::default(),
            routes: Vec::new(),
            own: Arc::default(),
            actions: Vec::new(),
            foreign_logged: BTreeSet::new(),
            routes_moved: BTreeSet::new(),
            now,
            started: false,
            deadlines: Deadlines::new(),
            dirty: Vec::new(),
            quiet: Vec::new(),
            scratch: Vec::new(),
            probe_scratch: Vec::new(),
            paths_version: 0,
            tally: Tally::default(),
            report_probes: true,
            regrouped: Vec::new(),
            routes_fresh: false,
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

    /// [`Engine::take_actions`] into `out` (emptied first), whose
    /// buffer the engine keeps for the next ones: a daemon handling
    /// thousands of probes a second allocates no action list per probe.
    pub fn swap_actions(&mut self, out: &mut Vec<Action>) {
        out.clear();
        std::mem::swap(&mut self.actions, out);
    }

    pub(super) fn log(&mut self, level: Level, kind: LogKind, message: String) {
        self.actions.push(Action::Log {
            level,
            kind,
            message,
        });
    }

    /// Whether to report every probe's outcome as an
    /// [`Action::ProbeResult`] (on at first). The daemon turns it off
    /// while nobody watches: a thousand paths resolve some 7,000 probes a
    /// second, and each report costs an allocation or two.
    pub fn report_probes(&mut self, on: bool) {
        self.report_probes = on;
    }

    /// The earliest instant at which [`Engine::poll`] has work.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.next()
    }

    /// Runs the timers that are due: only the interfaces whose deadline
    /// has come are looked at.
    pub fn poll(&mut self, now: Instant) {
        self.now = now;
        while let Some(i) = self.deadlines.pop_due(now) {
            let before = self.ifaces[i].health();
            let link_news = self.poll_iface(i, now);
            self.touched(i, before, link_news);
        }
        self.finish(now);
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
        let i = *self.index.iface.get(ifname)?;
        let outcome = self.reply_at(i, family, reply, now);
        self.finish(now);
        outcome
    }

    /// The probe replies of one turn, handed over together: each costs
    /// its own path, and the groups they touched are brought in line once,
    /// when the batch is dropped (a thousand members answer some 7,000
    /// probes a second, a dozen or more per turn).
    pub fn replies(&mut self, now: Instant) -> Replies<'_> {
        self.now = now;
        Replies { engine: self, now }
    }

    /// Path `family` of interface `i` takes `reply`; the caller finishes.
    fn reply_at(
        &mut self,
        i: usize,
        family: Family,
        reply: &EchoReply,
        now: Instant,
    ) -> Option<ReplyOutcome> {
        let p = self.ifaces[i]
            .paths
            .iter()
            .position(|x| x.family == family)?;
        let before = self.ifaces[i].health();
        let mut ev = std::mem::take(&mut self.probe_scratch);
        let outcome = self.ifaces[i].paths[p]
            .detector
            .as_mut()
            .map(|d| d.on_reply(reply, now, &mut ev));
        self.probe_events(i, p, &mut ev);
        self.probe_scratch = ev;
        self.touched(i, before, false);
        outcome
    }

    /// Files interface `i`, whose health was `before`, for
    /// [`Engine::finish`]: dirty if its group must hear of it (its
    /// health changed, its link detector had news, or, without probes,
    /// a flapping link's repair depends on the time), else quiet.
    fn touched(&mut self, i: usize, before: Health, link_news: bool) {
        let iface = &self.ifaces[i];
        if link_news || !iface.probing_enabled() || iface.health() != before {
            self.dirty.push(i);
        } else {
            self.quiet.push(i);
        }
    }

    /// The position of the interface with kernel index `ifindex`.
    fn position_of_index(&mut self, ifindex: u32) -> Option<usize> {
        if std::mem::take(&mut self.index.by_ifindex_stale) {
            self.index.by_ifindex = by_ifindex(&self.ifaces);
        }
        let i = *self.index.by_ifindex.get(&ifindex)?;
        (self.ifaces.get(i)?.index() == Some(ifindex)).then_some(i)
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

    /// Changes whenever [`Engine::probe_paths`] would answer differently,
    /// so that the daemon looks at the list only then.
    pub fn probe_paths_version(&self) -> u64 {
        self.paths_version
    }

    fn find(&self, ifname: &str) -> Result<(usize, usize), EngineError> {
        let unknown = || EngineError::UnknownInterface(ifname.to_string());
        let i = *self.index.iface.get(ifname).ok_or_else(unknown)?;
        let g = self.index.group_of[i].ok_or_else(unknown)?;
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
            p.retire_detector();
        }
        self.paths_version += 1;
        self.group_events(g, out);
        self.dirty.push(i);
        self.finish(now);
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
        self.dirty.push(i);
        self.finish(now);
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

    /// Ends an entry point: brings the groups of the touched interfaces
    /// in line with their detectors, moves routes off members that can
    /// no longer carry them, and re-files the deadlines of every
    /// interface that may have changed (the touched ones, and every
    /// member of a group that changed).
    pub(super) fn finish(&mut self, now: Instant) {
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        let mut groups = std::mem::take(&mut self.scratch);
        groups.clear();
        groups.extend(
            dirty
                .iter()
                .filter_map(|&i| self.index.group_of.get(i).copied().flatten()),
        );
        groups.sort_unstable();
        groups.dedup();
        let changed = self.evaluate_groups(&groups, &dirty, now);
        let mut regrouped = std::mem::take(&mut self.regrouped);
        if std::mem::take(&mut self.routes_fresh) {
            regrouped.extend_from_slice(&groups);
        }
        regrouped.sort_unstable();
        regrouped.dedup();
        self.follow_routes(&regrouped);
        regrouped.clear();
        self.regrouped = regrouped;
        for &g in &changed {
            dirty.extend_from_slice(&self.index.members[g]);
        }
        dirty.append(&mut self.quiet);
        dirty.sort_unstable();
        dirty.dedup();
        for &i in &dirty {
            self.reschedule(i);
        }
        dirty.clear();
        self.dirty = dirty;
        self.scratch = groups;
    }

    /// Files interface `i`'s next deadline: its link detector's, its
    /// probe detectors', and the end of the test-address grace.
    pub(super) fn reschedule(&mut self, i: usize) {
        let Some(iface) = self.ifaces.get(i) else {
            return;
        };
        let grace = iface.appeared_at.filter(|_| {
            !iface.group.is_empty()
                && !iface.no_test_logged
                && !iface.offline
                && iface.paths.iter().all(|p| p.src.is_none())
                && iface.kernel.is_some()
        });
        let at = iface
            .paths
            .iter()
            .filter_map(|p| p.detector.as_ref()?.next_deadline())
            .chain(iface.link.next_deadline())
            .chain(grace.map(|t| t + TEST_ADDRESS_GRACE))
            .min();
        self.deadlines.set(i, at);
    }

    /// Rebuilds the name index after interfaces or groups came or went,
    /// and files every interface's deadline again (positions moved).
    pub(super) fn reindex(&mut self) {
        let mut ix = Index {
            iface: HashMap::with_capacity(self.ifaces.len()),
            group: HashMap::with_capacity(self.groups.len()),
            group_of: Vec::with_capacity(self.ifaces.len()),
            members: vec![Vec::new(); self.groups.len()],
            by_ifindex: BTreeMap::new(),
            by_ifindex_stale: false,
        };
        for (g, group) in self.groups.iter().enumerate() {
            let key = if group.is_anonymous() {
                ""
            } else {
                group.name()
            };
            ix.group.insert(key.to_string(), g);
        }
        for (i, iface) in self.ifaces.iter().enumerate() {
            ix.iface.insert(iface.name.clone(), i);
            let g = ix.group.get(iface.group.as_str()).copied();
            if let Some(g) = g {
                ix.members[g].push(i);
            }
            ix.group_of.push(g);
        }
        ix.by_ifindex = by_ifindex(&self.ifaces);
        self.index = ix;
        self.deadlines.clear();
        for i in 0..self.ifaces.len() {
            self.reschedule(i);
        }
    }

    /// Whether `ifname` is tracked and present in the kernel, and its
    /// index then.
    pub(super) fn present_index(&self, ifname: &str) -> Option<u32> {
        let i = *self.index.iface.get(ifname)?;
        self.ifaces[i].index()
    }
}

/// Positions of the interfaces present in the kernel, by index.
fn by_ifindex(ifaces: &[Iface]) -> BTreeMap<u32, usize> {
    ifaces
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((f.index()?, i)))
        .collect()
}

/// Probe replies handed to the engine together ([`Engine::replies`]).
#[derive(Debug)]
pub struct Replies<'a> {
    engine: &'a mut Engine,
    now: Instant,
}

impl Replies<'_> {
    /// A reply arrived for the `family` path of the interface with kernel
    /// index `ifindex`. `None` if no such path probes.
    pub fn on_reply(
        &mut self,
        ifindex: u32,
        family: Family,
        reply: &EchoReply,
    ) -> Option<ReplyOutcome> {
        let i = self.engine.position_of_index(ifindex)?;
        self.engine.reply_at(i, family, reply, self.now)
    }
}

impl Drop for Replies<'_> {
    /// The batch ends: the touched groups are evaluated and the touched
    /// interfaces' deadlines re-filed, once.
    fn drop(&mut self) {
        self.engine.finish(self.now);
    }
}
