//! The poll loop: wait for the first of a probe reply, a deadline, a
//! kernel message, a control request or a signal; feed the engine; carry
//! out what it asks. Nothing here decides anything about failures: that
//! is the engine's job.

use std::collections::BTreeSet;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use mpath_core::addr::Family;
use mpath_core::config::{self, MpathdConfig};
use mpath_core::engine::{Action, Engine, KernelSnapshot, Level, LogKind};
use mpath_core::probe::ReplyOutcome;
use mpath_core::time::Instant;
use mpath_proto::{
    ErrorCode, ErrorReply, Event, Payload, ProbeInfo, RequestBody, ResponseBody,
};
use mpath_sys::clock;
use mpath_sys::poll::{poll, PollFd};
use mpath_sys::signal::{Signal, SignalPipe};

use crate::control::{Control, Pending};
use crate::log::Logger;
use crate::platform::{Kernel, Probe, ProbeIo};
use crate::probes::{decode, Discard, Probes};
use crate::runtime::{self, Change};

/// in.mpathd rescans every interface at least this often, whatever the
/// kernel says (IF_SCAN_INTERVAL): notifications are only hints.
const RESCAN_INTERVAL: Duration = Duration::from_secs(20);

/// Why the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    /// SIGTERM, SIGINT or SIGQUIT.
    Signal(&'static str),
}

/// Reads and parses a configuration file; `Err` holds every problem.
pub fn load_config(
    path: &str,
) -> Result<(MpathdConfig, Vec<String>), Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("{path}: {e}")])?;
    match config::parse(path, &text) {
        Ok(p) => Ok((
            p.config,
            p.warnings.iter().map(ToString::to_string).collect(),
        )),
        Err(d) => Err(d.iter().map(ToString::to_string).collect()),
    }
}

/// The running daemon.
#[derive(Debug)]
pub struct Daemon<K: Kernel> {
    config_path: String,
    log: Logger,
    kernel: K,
    probes: Probes<Probe>,
    engine: Engine,
    control: Control,
    signals: SignalPipe,
    snapshot: KernelSnapshot,
    last_sync: Option<Instant>,
    need_sync: bool,
    started: Instant,
    /// Probe paths whose last send failed (logged once until it works).
    send_failing: BTreeSet<(String, Family)>,
    /// The engine's probe paths the sockets were opened for.
    paths_version: Option<u64>,
}

impl<K: Kernel> Daemon<K> {
    /// Sets up the engine for `cfg`; the kernel, control socket and
    /// signals are already open.
    pub fn new(
        config_path: &str,
        cfg: MpathdConfig,
        log: Logger,
        kernel: K,
        control: Control,
        signals: SignalPipe,
    ) -> Daemon<K> {
        let now = clock::now();
        let engine = Engine::new(
            cfg,
            mpath_sys::daemon::getpid(),
            // The seed only spreads probe times and makes nonces
            // unguessable off-path; the clock is a fair fallback.
            mpath_sys::daemon::random_seed().unwrap_or(now.as_nanos()),
            now,
        );
        Daemon {
            config_path: config_path.to_string(),
            log,
            kernel,
            probes: Probes::new(),
            engine,
            control,
            signals,
            snapshot: KernelSnapshot::default(),
            last_sync: None,
            need_sync: true,
            started: now,
            send_failing: BTreeSet::new(),
            paths_version: None,
        }
    }

    fn note(&mut self, level: Level, kind: LogKind, message: String) {
        self.log.log(level, &message);
        if self.control.has_watchers() {
            let kind = kind.as_str();
            let ev = Event {
                time_ms: u64::try_from(
                    clock::now().saturating_since(self.started).as_millis(),
                )
                .unwrap_or(u64::MAX),
                kind: kind.to_string(),
                interface: None,
                group: None,
                message,
                probe: None,
            };
            self.control.broadcast(&ev);
        }
    }

    /// Runs until a terminating signal.
    pub fn run(&mut self) -> Exit {
        loop {
            let now = clock::now();
            if self.need_sync
                || self
                    .last_sync
                    .is_none_or(|t| now.saturating_since(t) >= RESCAN_INTERVAL)
            {
                self.sync(now);
            }
            self.engine.poll(now);
            self.execute();
            let notes = self.control.flush();
            for n in notes {
                self.note(Level::Info, LogKind::Other, n);
            }

            let timeout = self.timeout(clock::now());
            let mut fds = Vec::new();
            fds.push(PollFd::readable(self.signals.as_raw_fd()));
            fds.push(PollFd::readable(self.kernel.event_fd()));
            fds.push(PollFd::readable(self.control.listener_fd()));
            let nprobes = self.probes.sockets.len();
            for s in &self.probes.sockets {
                fds.push(PollFd::readable(s.io.fd()));
            }
            let clients = self.control.client_fds();
            for (fd, wants_write) in &clients {
                fds.push(if *wants_write {
                    PollFd::readable_or_writable(*fd)
                } else {
                    PollFd::readable(*fd)
                });
            }
            if let Err(e) = poll(&mut fds, Some(timeout)) {
                self.note(Level::Err, LogKind::Other, format!("poll: {e}"));
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            let now = clock::now();
            if fds[0].is_readable() {
                for sig in self.signals.read_pending() {
                    if let Some(exit) = self.on_signal(sig, now) {
                        return exit;
                    }
                }
            }
            if fds[1].is_readable() {
                match self.kernel.drain() {
                    Ok(changed) => self.need_sync |= changed,
                    Err(e) => {
                        self.note(
                            Level::Warning,
                            LogKind::Other,
                            format!(
                                "kernel notifications: {e}; resynchronising"
                            ),
                        );
                        self.need_sync = true;
                    }
                }
            }
            if self.need_sync {
                // Before reading replies: a reply may concern an interface
                // the kernel just re-created.
                self.sync(now);
            }
            for k in 0..nprobes {
                if fds[3 + k].is_readable() {
                    self.read_probe(k);
                }
            }
            if fds[2].is_readable() {
                for n in self.control.accept() {
                    self.note(Level::Info, LogKind::Other, n);
                }
            }
            let client_fds: Vec<RawFd> = fds[3 + nprobes..]
                .iter()
                .filter(|f| f.is_readable() || f.is_hup() || f.is_error())
                .map(PollFd::fd)
                .collect();
            for fd in client_fds {
                if let Some(i) = self.control.client_index(fd) {
                    let reqs = self.control.read(i);
                    for p in reqs {
                        self.answer(p);
                    }
                }
            }
        }
    }

    fn timeout(&self, now: Instant) -> Duration {
        let rescan = self.last_sync.map_or(Duration::ZERO, |t| {
            (t + RESCAN_INTERVAL).saturating_since(now)
        });
        let deadline = self
            .engine
            .next_deadline()
            .map_or(rescan, |d| d.saturating_since(now));
        deadline.min(rescan)
    }

    fn sync(&mut self, now: Instant) {
        self.need_sync = false;
        self.last_sync = Some(now);
        match self.kernel.snapshot() {
            Ok(s) => {
                self.snapshot = s;
                self.engine.sync(&self.snapshot, now);
            }
            Err(e) => {
                self.note(
                    Level::Err,
                    LogKind::Other,
                    format!("cannot read interface state: {e}"),
                );
            }
        }
        self.execute();
    }

    fn read_probe(&mut self, k: usize) {
        let mut buf = [0u8; 2048];
        // Drain, but bounded: a flood must not starve the loop.
        for _ in 0..64 {
            let Some(s) = self.probes.sockets.get(k) else {
                return;
            };
            let path = s.path.clone();
            let r = match ProbeIo::recv(&s.io, &mut buf) {
                Ok(Some(r)) => r,
                Ok(None) => return,
                Err(e) => {
                    self.note(
                        Level::Debug,
                        LogKind::Other,
                        format!(
                            "probe recv ({} {}): {e}",
                            path.family.inet(),
                            path.ifname
                        ),
                    );
                    return;
                }
            };
            let now = clock::now();
            let at = r.rx_realtime_ns.map_or(now, clock::realtime_to_instant);
            match decode(path.family, &path.ifname, &buf, &r, at) {
                Ok(reply) => {
                    let outcome = self.engine.on_reply(
                        &path.ifname,
                        path.family,
                        &reply,
                        now,
                    );
                    if let Some(ReplyOutcome::Rejected(why)) = outcome {
                        self.note(
                            Level::Debug,
                            LogKind::Other,
                            format!(
                                "probe reply from {} on ({} {}) ignored: {why}",
                                reply.src,
                                path.family.inet(),
                                path.ifname
                            ),
                        );
                    }
                }
                Err(Discard::Quiet) => {}
                Err(Discard::Noisy(m)) => {
                    self.note(Level::Debug, LogKind::Other, m)
                }
            }
        }
    }

    /// Carries out the engine's actions, in order.
    fn execute(&mut self) {
        loop {
            let actions = self.engine.take_actions();
            if actions.is_empty() {
                break;
            }
            for a in actions {
                self.act(a);
            }
        }
        let version = self.engine.probe_paths_version();
        if self.paths_version != Some(version) {
            self.paths_version = Some(version);
            for e in self.probes.reconcile(&self.engine.probe_paths()) {
                self.note(Level::Err, LogKind::Other, e);
            }
        }
    }

    fn act(&mut self, a: Action) {
        match a {
            Action::SendProbe {
                ifname,
                family,
                request,
                ..
            } => {
                let key = (ifname.clone(), family);
                match self.probes.send(&ifname, family, &request) {
                    Ok(()) => {
                        self.send_failing.remove(&key);
                    }
                    Err(m) => {
                        if self.send_failing.insert(key) {
                            self.note(Level::Info, LogKind::Other, m);
                        }
                    }
                }
            }
            Action::AddAddress {
                ifname,
                ifindex,
                addr,
                role,
            } => {
                if let Err(e) = self.kernel.add_address(ifindex, addr, role) {
                    self.note(
                        Level::Err,
                        LogKind::Address,
                        format!("cannot add {addr} to {ifname}: {e}"),
                    );
                }
                self.need_sync = true;
            }
            Action::RemoveAddress {
                ifname,
                ifindex,
                addr,
            } => {
                if let Err(e) = self.kernel.remove_address(ifindex, addr) {
                    self.note(
                        Level::Err,
                        LogKind::Address,
                        format!("cannot remove {addr} from {ifname}: {e}"),
                    );
                }
                self.need_sync = true;
            }
            Action::MoveRoute {
                dst,
                gateway,
                from,
                from_index,
                to,
                to_index,
            } => {
                let r =
                    self.kernel.move_route(dst, gateway, from_index, to_index);
                if let Err(e) = r {
                    self.note(
                        Level::Err,
                        LogKind::Other,
                        format!(
                            "cannot move route {dst} via {gateway} from {from} \
                             to {to}: {e}"
                        ),
                    );
                }
                self.need_sync = true;
            }
            Action::Announce {
                ifname,
                ifindex,
                mac,
                addr,
            } => {
                if let Err(e) = self.kernel.announce(ifindex, mac, addr) {
                    self.note(
                        Level::Warning,
                        LogKind::Address,
                        format!("cannot announce {addr} on {ifname}: {e}"),
                    );
                }
            }
            Action::ProbeResult {
                ifname,
                family,
                seq,
                target,
                sent_at,
                rtt,
                rtt_avg,
                rtt_dev,
            } => {
                if self.control.has_watchers() {
                    let us = |d: std::time::Duration| {
                        u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
                    };
                    let since = |t: Instant| {
                        u64::try_from(
                            t.saturating_since(self.started).as_millis(),
                        )
                        .unwrap_or(u64::MAX)
                    };
                    let message = match rtt {
                        Some(r) => format!(
                            "probe {seq} on ({} {ifname}) to {target}: {:.2} ms",
                            family.inet(),
                            r.as_secs_f64() * 1000.0
                        ),
                        None => format!(
                            "probe {seq} on ({} {ifname}) to {target}: lost",
                            family.inet()
                        ),
                    };
                    let ev = Event {
                        time_ms: since(clock::now()),
                        kind: "probe".into(),
                        interface: Some(ifname),
                        group: None,
                        message,
                        probe: Some(ProbeInfo {
                            family: family.inet().into(),
                            seq,
                            target: target.to_string(),
                            sent_ms: since(sent_at),
                            rtt_us: rtt.map(us),
                            rtt_avg_us: rtt_avg.map(us),
                            rtt_dev_us: rtt_dev.map(us),
                        }),
                    };
                    self.control.broadcast(&ev);
                }
            }
            Action::Log {
                level,
                kind,
                message,
            } => self.note(level, kind, message),
        }
    }

    fn on_signal(&mut self, sig: Signal, now: Instant) -> Option<Exit> {
        match sig {
            Signal::Hup => {
                self.note(
                    Level::Info,
                    LogKind::Other,
                    format!(
                        "SIGHUP: rereading configuration file {}",
                        self.config_path
                    ),
                );
                let _ = self.reload(now);
                None
            }
            Signal::Term | Signal::Int | Signal::Quit => {
                let name = match sig {
                    Signal::Term => "SIGTERM",
                    Signal::Int => "SIGINT",
                    _ => "SIGQUIT",
                };
                self.note(Level::Info, LogKind::Other, format!("{name}: restoring data addresses to their home interfaces and exiting"));
                // A last look, so that addresses go where the kernel
                // really is.
                self.sync(now);
                self.engine.shutdown();
                self.execute();
                let _ = self.control.flush();
                Some(Exit::Signal(name))
            }
            Signal::Usr1 => {
                let st = self.engine.status();
                for i in st.interfaces {
                    self.note(
                        Level::Info,
                        LogKind::Other,
                        format!(
                            "{}: state {} link {} probe {} hosts [{}]",
                            i.name,
                            i.state,
                            i.link,
                            i.probe,
                            i.hosted.join(" ")
                        ),
                    );
                }
                None
            }
        }
    }

    /// Reloads the configuration: all or nothing.
    fn reload(&mut self, now: Instant) -> Result<Vec<String>, Vec<String>> {
        match load_config(&self.config_path) {
            Ok((cfg, warnings)) => {
                for w in &warnings {
                    self.note(Level::Warning, LogKind::Other, w.clone());
                }
                self.engine.reconfigure(cfg, now);
                self.note(
                    Level::Info,
                    LogKind::Other,
                    format!("reloaded {}", self.config_path),
                );
                self.sync(now);
                Ok(warnings)
            }
            Err(errors) => {
                for e in &errors {
                    self.note(Level::Err, LogKind::Other, e.clone());
                }
                self.note(
                    Level::Err,
                    LogKind::Other,
                    format!(
                        "{}: not reloaded; keeping the configuration in force",
                        self.config_path
                    ),
                );
                Err(errors)
            }
        }
    }

    /// A runtime change: checked like a file, then in force until the
    /// next reload.
    fn change(
        &mut self,
        ifname: &str,
        change: &Change,
        now: Instant,
    ) -> ResponseBody {
        match runtime::apply(self.engine.config(), ifname, change) {
            Ok((cfg, persist)) => {
                self.note(Level::Info, LogKind::Other,
                    format!("runtime change on {ifname}: {change:?}; to keep it, put in {}: {persist}", self.config_path),
                );
                self.engine.reconfigure(cfg, now);
                self.sync(now);
                ResponseBody::Ok(Payload::Changed { persist })
            }
            Err(runtime::Refused::UnknownInterface(m)) => {
                ResponseBody::Error(ErrorReply {
                    code: ErrorCode::UnknownInterface,
                    message: m,
                    details: Vec::new(),
                })
            }
            Err(runtime::Refused::Invalid(problems)) => {
                ResponseBody::Error(ErrorReply {
                    code: ErrorCode::BadConfig,
                    message: format!(
                        "{ifname}: change refused: {}",
                        problems.join("; ")
                    ),
                    details: problems,
                })
            }
        }
    }

    fn answer(&mut self, p: Pending) {
        let id = p.request.id;
        let now = clock::now();
        let (body, watch) = match p.request.body {
            RequestBody::Ping => (
                ResponseBody::Ok(Payload::Pong {
                    daemon: "mpathd".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    pid: mpath_sys::daemon::getpid(),
                }),
                false,
            ),
            RequestBody::Status => (ResponseBody::Ok(Payload::Status(self.engine.status())), false),
            RequestBody::Watch => (ResponseBody::Ok(Payload::Watching), true),
            RequestBody::Offline { interface } => {
                let r = self.engine.offline(&interface, now);
                self.execute();
                (engine_result(r), false)
            }
            RequestBody::Online { interface } => {
                let r = self.engine.online(&interface, now);
                self.execute();
                (engine_result(r), false)
            }
            RequestBody::SetGroup { interface, group } => {
                (self.change(&interface, &Change::Group(group), now), false)
            }
            RequestBody::SetStandby { interface, standby } => (
                self.change(&interface, &Change::Standby(standby), now),
                false,
            ),
            RequestBody::SetTest {
                interface,
                test,
                family,
            } => {
                let change = match (test, family) {
                    (Some(t), _) => Change::SetTest(t),
                    (None, f) => Change::ClearTest(f.unwrap_or_default()),
                };
                (self.change(&interface, &change, now), false)
            }
            RequestBody::Reload => match self.reload(now) {
                Ok(warnings) => (ResponseBody::Ok(Payload::Reloaded { warnings }), false),
                Err(details) => (
                    ResponseBody::Error(ErrorReply {
                        code: ErrorCode::BadConfig,
                        message: format!("{}: not reloaded; the configuration in force is unchanged", self.config_path),
                        details,
                    }),
                    false,
                ),
            },
        };
        self.control.reply(p.client, id, body, watch);
    }
}

fn engine_result(
    r: Result<(), mpath_core::engine::EngineError>,
) -> ResponseBody {
    use mpath_core::engine::EngineError as E;
    use mpath_core::group::GroupError as G;
    match r {
        Ok(()) => ResponseBody::Ok(Payload::Done),
        Err(e) => {
            let code = match &e {
                E::UnknownInterface(_) | E::Group(G::UnknownMember(_)) => {
                    ErrorCode::UnknownInterface
                }
                E::Group(G::NoOtherFunctioning(_)) => ErrorCode::Eminred,
                E::Group(G::AlreadyOffline(_)) => ErrorCode::AlreadyOffline,
                E::Group(G::NotOffline(_)) => ErrorCode::NotOffline,
                E::Group(G::NotPresent(_))
                | E::Group(G::NotInGroup(_))
                | E::Group(G::HomeOfAddress(_)) => ErrorCode::Failed,
            };
            ResponseBody::Error(ErrorReply {
                code,
                message: e.to_string(),
                details: Vec::new(),
            })
        }
    }
}
