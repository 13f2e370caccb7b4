//! laggd's loop: it waits on the first of a signal, a kernel message, a
//! probe reply, a control request or the engine's next deadline, feeds
//! the engine, and carries out its actions through the platform.

use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use mpath_core::engine::Level;
use mpath_core::lagg::config::LaggdConfig;
use mpath_core::lagg::engine::{LaggAction, LaggEngine};
use mpath_core::time::Instant;
use mpath_daemon::control::{Control, Pending};
use mpath_daemon::log::Logger;
use mpath_proto::{
    ErrorCode, ErrorReply, Event, Payload, RequestBody, ResponseBody,
};
use mpath_sys::clock;
use mpath_sys::poll::{poll, PollFd};
use mpath_sys::signal::{Signal, SignalPipe};

use crate::ha::Ha;
use crate::platform::{Platform, PortReply};

/// A full resynchronisation with the kernel at least this often: kernel
/// messages are hints (and bonding changes its active port without
/// always saying so).
const RESYNC_INTERVAL: Duration = Duration::from_secs(2);

/// The running daemon.
#[derive(Debug)]
pub struct Daemon<P: Platform> {
    config_path: String,
    cfg: LaggdConfig,
    engine: LaggEngine,
    os: P,
    ha: Ha,
    log: Logger,
    control: Control,
    signals: SignalPipe,
    need_sync: bool,
    last_sync: Option<Instant>,
    started: Instant,
}

impl<P: Platform> Daemon<P> {
    /// A daemon for `cfg`, read from `config_path`.
    pub fn new(
        config_path: &str,
        cfg: LaggdConfig,
        os: P,
        log: Logger,
        control: Control,
        signals: SignalPipe,
    ) -> Daemon<P> {
        let now = clock::now();
        let engine = LaggEngine::new(cfg.clone(), seed(now), now);
        let mut d = Daemon {
            config_path: config_path.to_string(),
            cfg,
            engine,
            os,
            ha: Ha::default(),
            log,
            control,
            signals,
            need_sync: true,
            last_sync: None,
            started: now,
        };
        for p in d.os.open_ports(&d.cfg) {
            d.note(Level::Err, p);
        }
        d
    }

    fn note(&mut self, level: Level, message: String) {
        self.log.log(level, &message);
        if level != Level::Debug && self.control.has_watchers() {
            let kind = if level == Level::Err { "state" } else { "log" };
            let time_ms = u64::try_from(
                clock::now().saturating_since(self.started).as_millis(),
            )
            .unwrap_or(u64::MAX);
            self.control.broadcast(&Event {
                time_ms,
                kind: kind.to_string(),
                interface: None,
                group: None,
                message,
                probe: None,
            });
        }
    }

    /// Runs until SIGTERM, SIGINT or SIGQUIT; then undoes what laggd did
    /// (see [`LaggEngine::shutdown`]).
    pub fn run(&mut self) {
        loop {
            let now = clock::now();
            let resync_due = self
                .last_sync
                .is_none_or(|t| now.saturating_since(t) >= RESYNC_INTERVAL);
            if self.need_sync || resync_due {
                self.sync(now);
            }
            self.engine.poll(now);
            self.execute();
            for n in self.control.flush() {
                self.note(Level::Info, n);
            }

            let timeout = self.timeout(clock::now());
            let mut fds = vec![
                PollFd::readable(self.signals.as_raw_fd()),
                PollFd::readable(self.os.kernel_fd()),
                PollFd::readable(self.control.listener_fd()),
            ];
            let ports = self.os.port_fds();
            fds.extend(ports.iter().map(|fd| PollFd::readable(*fd)));
            for (fd, wants_write) in self.control.client_fds() {
                fds.push(if wants_write {
                    PollFd::readable_or_writable(fd)
                } else {
                    PollFd::readable(fd)
                });
            }
            if let Err(e) = poll(&mut fds, Some(timeout)) {
                self.note(Level::Err, format!("poll: {e}"));
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            if fds[0].is_readable() {
                for sig in self.signals.read_pending() {
                    match sig {
                        Signal::Term | Signal::Int | Signal::Quit => {
                            self.stop(sig);
                            return;
                        }
                        Signal::Hup => {
                            let _ = self.reload(clock::now());
                        }
                        Signal::Usr1 => self.dump(),
                    }
                }
            }
            if fds[1].is_readable() {
                match self.os.drain_kernel() {
                    Ok(changed) => self.need_sync |= changed,
                    Err(e) => {
                        self.note(
                            Level::Warning,
                            format!("kernel messages: {e}; resynchronising"),
                        );
                        self.need_sync = true;
                    }
                }
            }
            if self.need_sync {
                self.sync(clock::now());
            }
            let mut replies = Vec::new();
            for k in 0..ports.len() {
                if fds[3 + k].is_readable() {
                    self.os.read_port(k, &mut replies);
                }
            }
            let now = clock::now();
            for PortReply {
                port,
                target,
                received_at,
            } in replies
            {
                self.engine.on_probe_reply(&port, target, received_at, now);
            }
            if fds[2].is_readable() {
                for n in self.control.accept() {
                    self.note(Level::Info, n);
                }
            }
            let clients: Vec<RawFd> = fds[3 + ports.len()..]
                .iter()
                .filter(|f| f.is_readable() || f.is_hup() || f.is_error())
                .map(PollFd::fd)
                .collect();
            for fd in clients {
                if let Some(i) = self.control.client_index(fd) {
                    for p in self.control.read(i) {
                        self.answer(p);
                    }
                }
            }
        }
    }

    fn timeout(&self, now: Instant) -> Duration {
        let resync = self.last_sync.map_or(Duration::ZERO, |t| {
            (t + RESYNC_INTERVAL).saturating_since(now)
        });
        self.engine
            .next_deadline()
            .map_or(resync, |d| d.saturating_since(now))
            .min(resync)
    }

    fn sync(&mut self, now: Instant) {
        self.need_sync = false;
        self.last_sync = Some(now);
        match self.os.snapshot(&self.cfg) {
            Ok((snap, active)) => self.engine.sync(&snap, &active, now),
            Err(e) => {
                self.note(
                    Level::Err,
                    format!("cannot read interface state: {e}"),
                );
            }
        }
        self.execute();
    }

    /// Carries out the engine's actions, in order.
    fn execute(&mut self) {
        loop {
            let actions = self.engine.take_actions();
            if actions.is_empty() {
                return;
            }
            for a in actions {
                self.act(a);
            }
        }
    }

    fn act(&mut self, a: LaggAction) {
        match a {
            LaggAction::SendProbe {
                port,
                target,
                source,
            } => {
                if let Err(e) = self.os.send_probe(&port, target, source) {
                    self.note(Level::Debug, format!("probe {target} through {port}: {e}"));
                }
            }
            LaggAction::SetMembership { aggregate, ports } => {
                match self.os.set_membership(&aggregate, &ports) {
                    Ok(change) => {
                        self.engine.settle(&change.touched, clock::now());
                        self.note(Level::Info, format!("{aggregate}: {}", change.done));
                    }
                    Err(e) => {
                        self.engine.membership_failed(&aggregate);
                        self.note(
                            Level::Err,
                            format!(
                                "{aggregate}: cannot put {} in service: {e}; retrying",
                                ports.join(" ")
                            ),
                        );
                    }
                }
            }
            LaggAction::SetInterfaceUp { iface, up } => {
                if let Err(e) = self.os.set_admin_up(&iface, up) {
                    let how = if up { "up" } else { "down" };
                    self.note(Level::Err, format!("{iface}: cannot bring it {how}: {e}"));
                }
            }
            LaggAction::ApplyHa {
                group,
                effector,
                effect,
            } => match self.ha.apply(&group, effector.as_ref(), effect, &mut self.os) {
                Ok(line) => self.note(Level::Info, line),
                Err(e) => self.note(
                    Level::Err,
                    format!("redundancy group {group}: cannot apply demotion {}: {e}", effect.demotion),
                ),
            },
            LaggAction::Announce { aggregate } => match self.os.announce(&aggregate) {
                Ok(n) => self.note(
                    Level::Info,
                    format!("{aggregate}: announced {n} addresses from the new active port"),
                ),
                Err(e) => self.note(Level::Err, format!("{aggregate}: cannot announce: {e}")),
            },
            LaggAction::Log { level, message } => self.note(level, message),
        }
    }

    /// Reloads the configuration: all or nothing.
    fn reload(&mut self, now: Instant) -> Result<Vec<String>, Vec<String>> {
        match crate::load::load(&self.config_path) {
            Ok((cfg, warnings)) => {
                for w in &warnings {
                    self.note(Level::Warning, w.clone());
                }
                self.engine.reconfigure(cfg.clone(), seed(now), now);
                self.cfg = cfg;
                for p in self.os.open_ports(&self.cfg) {
                    self.note(Level::Err, p);
                }
                self.note(
                    Level::Info,
                    format!("reloaded {}", self.config_path),
                );
                self.need_sync = true;
                self.execute();
                Ok(warnings)
            }
            Err(errors) => {
                for e in &errors {
                    self.note(Level::Err, e.clone());
                }
                self.note(
                    Level::Err,
                    format!(
                        "{}: not reloaded; keeping the configuration in force",
                        self.config_path
                    ),
                );
                Err(errors)
            }
        }
    }

    /// SIGUSR1: one line per port, as `ifctl` would show.
    fn dump(&mut self) {
        let s = self.engine.status(clock::now());
        for a in &s.aggregates {
            for p in &a.ports {
                self.note(
                    Level::Info,
                    format!(
                        "{} {}: link {} probe {} state {}{} ({})",
                        a.name,
                        p.name,
                        p.link,
                        p.probe,
                        p.state,
                        if p.in_service { ", in service" } else { "" },
                        p.reason
                    ),
                );
            }
        }
    }

    fn stop(&mut self, sig: Signal) {
        self.note(
            Level::Info,
            format!("{sig:?}: restoring what laggd changed and exiting"),
        );
        self.engine.shutdown();
        self.execute();
        let _ = self.control.flush();
    }

    fn status(&mut self) -> ResponseBody {
        let mut s = self.engine.status(clock::now());
        for a in &mut s.aggregates {
            a.protocol = self.os.protocol(&a.name);
        }
        ResponseBody::Ok(Payload::LaggStatus(s))
    }

    fn answer(&mut self, p: Pending) {
        let id = p.request.id;
        let (body, watch) = match p.request.body {
            RequestBody::Ping => (
                ResponseBody::Ok(Payload::Pong {
                    daemon: "laggd".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    pid: mpath_sys::daemon::getpid(),
                }),
                false,
            ),
            RequestBody::Status => (self.status(), false),
            RequestBody::Watch => (ResponseBody::Ok(Payload::Watching), true),
            RequestBody::Reload => match self.reload(clock::now()) {
                Ok(warnings) => (ResponseBody::Ok(Payload::Reloaded { warnings }), false),
                Err(details) => (
                    ResponseBody::Error(ErrorReply {
                        code: ErrorCode::BadConfig,
                        message: format!(
                            "{}: not reloaded; the configuration in force is unchanged",
                            self.config_path
                        ),
                        details,
                    }),
                    false,
                ),
            },
            RequestBody::Offline { .. }
            | RequestBody::Online { .. }
            | RequestBody::SetGroup { .. }
            | RequestBody::SetStandby { .. }
            | RequestBody::SetTest { .. } => (
                ResponseBody::Error(ErrorReply {
                    code: ErrorCode::BadRequest,
                    message: "laggd does not take that request (it is mpathd's)".into(),
                    details: Vec::new(),
                }),
                false,
            ),
        };
        self.control.reply(p.client, id, body, watch);
    }
}

/// A seed for the probe detectors' jitter.
fn seed(now: Instant) -> u64 {
    mpath_sys::daemon::random_seed().unwrap_or(now.as_nanos())
}
