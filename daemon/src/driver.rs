//! The one event loop of mpathd and laggd.
//!
//! Every descriptor is registered once with mio (epoll on Linux and
//! illumos, kqueue on FreeBSD) and reported only when ready, so a turn
//! costs what its events touch, not what the daemon watches. A turn:
//!
//! ```text
//!   pace      -> no sooner than the backend's pace (MIN_TURN or
//!                more) after the last turn began
//!   wait      -> for readiness, until the earliest of: the backend's
//!                next deadline, the next full resync, now (input left
//!                unread)                     (Driver::wait)
//!   now = clock::now()                       (once per turn)
//!   --- Driver::turn(ready, now) ---
//!   signals   -> reload, dump, or shut down and return
//!   hints     -> drain; a resync is due      (kernel messages are hints)
//!   resync    -> when due, before any packet (a reply may concern an
//!                interface the kernel just re-created)
//!   sources   -> the backend's sockets that are readable
//!   control   -> accept, read requests, answer
//!   poll      -> the backend's timers that are due (after the packets,
//!                so a reply that came in time is not timed out first),
//!                then what the turn queued to send (mpathd's probes)
//!   flush     -> log lines, watchers' events, clients' output
//! ```
//!
//! [`Driver::run`] is that loop on the real clock. Its pieces are
//! public so that a test can run the same turns in simulated time:
//! [`Driver::begin`] once, then for each turn a time of its choosing (up
//! to [`Driver::next_turn`]), [`Driver::wait`] with a zero timeout (or
//! its own [`Ready`]), and [`Driver::turn`].
//!
//! The full resync (O(members)) runs on hints and every
//! [`Backend::RESYNC_INTERVAL`], never per packet.
//!
//! **Pacing.** A daemon probing a thousand paths has some 14,000 sends
//! and replies a second, at random times. Woken for each, it would spend
//! most of its time waking; so a turn begins at most every
//! [`Backend::pace`] ([`MIN_TURN`], 2 ms, or more: mpathd takes 1/32 of
//! its probe interval, up to 5 ms) and takes everything that came
//! meanwhile, its probes leaving in one batch. Nothing is lost by it:
//! replies carry the kernel's receive time, and a timer is at most one
//! pace late, well under the probe interval. A client that connects is
//! read and answered in the turn that accepts it. An idle daemon is not
//! woken by pacing.

use std::collections::BTreeSet;
use std::os::fd::AsRawFd;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use mpath_core::log::{Level, LogKind};
use mpath_core::messages as msg;
use mpath_core::time::Instant;
use mpath_proto::{
    ErrorCode, ErrorReply, Event, Payload, RequestBody, ResponseBody,
};
use mpath_sys::clock;
use mpath_sys::signal::{Signal, SignalPipe};

use crate::backend::{Backend, Io, Note, CLIENT_BASE, SOURCE_BASE};
use crate::control::{Control, Pending};
use crate::log::Logger;

const SIGNALS: Token = Token(0);
const HINTS: Token = Token(1);
const LISTENER: Token = Token(2);

/// Readiness events taken per wait; more are taken at the next turn.
const EVENTS_PER_TURN: usize = 1024;

/// The shortest time between the starts of two turns, unless the
/// backend paces itself otherwise (see the module documentation).
pub const MIN_TURN: Duration = Duration::from_millis(2);

/// Why the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// SIGTERM, SIGINT or SIGQUIT.
    Signal(Signal),
    /// The event loop could not watch the daemon's descriptors (logged).
    Failed,
}

/// What is ready at the start of a turn, in the driver's terms.
#[derive(Debug, Default)]
pub struct Ready {
    /// The signal pipe: signals arrived.
    pub signals: bool,
    /// The kernel's hint descriptor ([`Backend::hint_fd`]).
    pub hints: bool,
    /// The control socket: connections are waiting.
    pub accept: bool,
    /// The backend's sources, by key ([`Io::register`]).
    pub sources: Vec<usize>,
    /// The control clients, by id.
    pub clients: Vec<usize>,
}

impl Ready {
    /// Nothing ready.
    pub fn clear(&mut self) {
        self.signals = false;
        self.hints = false;
        self.accept = false;
        self.sources.clear();
        self.clients.clear();
    }
}

/// A daemon's event loop around its backend.
#[derive(Debug)]
pub struct Driver<B: Backend> {
    backend: B,
    poll: Poll,
    events: Events,
    control: Control,
    signals: Option<SignalPipe>,
    log: Logger,
    config_path: String,
    /// When the loop began ([`Driver::begin`]).
    started: Instant,
    /// The time of the current turn.
    now: Instant,
    last_resync: Option<Instant>,
    need_resync: bool,
    /// Backend sources that stopped with input waiting.
    busy: BTreeSet<usize>,
    notes: Vec<Note>,
}

impl<B: Backend> Driver<B> {
    /// A driver for `backend`, whose configuration came from
    /// `config_path`, waiting on `poll`, with the control socket, signals
    /// and log opened by [`crate::start::start`] (no `signals`: none are
    /// caught, as in a test).
    pub fn new(
        poll: Poll,
        backend: B,
        config_path: &str,
        control: Control,
        signals: Option<SignalPipe>,
        log: Logger,
    ) -> Driver<B> {
        Driver {
            backend,
            poll,
            events: Events::with_capacity(EVENTS_PER_TURN),
            control,
            signals,
            log,
            config_path: config_path.to_string(),
            started: Instant::ZERO,
            now: Instant::ZERO,
            last_resync: None,
            need_resync: true,
            busy: BTreeSet::new(),
            notes: Vec::new(),
        }
    }

    /// Registers the driver's own descriptors: signals, the kernel's
    /// hints, the control socket.
    fn register(&self) -> std::io::Result<()> {
        let registry = self.poll.registry();
        if let Some(signals) = &self.signals {
            let fd = signals.as_raw_fd();
            registry.register(
                &mut SourceFd(&fd),
                SIGNALS,
                Interest::READABLE,
            )?;
        }
        let fd = self.backend.hint_fd();
        registry.register(&mut SourceFd(&fd), HINTS, Interest::READABLE)?;
        let fd = self.control.listener_fd();
        registry.register(&mut SourceFd(&fd), LISTENER, Interest::READABLE)
    }

    /// Runs until a terminating signal, after which the backend has
    /// undone its changes: [`Driver::begin`], then turns, each
    /// [`Driver::wait`] on the real clock and [`Driver::turn`].
    pub fn run(mut self) -> Exit {
        let mut now = clock::now();
        if let Err(exit) = self.begin(now) {
            return exit;
        }
        let mut ready = Ready::default();
        loop {
            let mut t = clock::now();
            let earliest = now + self.backend.pace();
            if t < earliest {
                std::thread::sleep(earliest.saturating_since(t));
                t = clock::now();
            }
            self.wait(self.next_turn(t).saturating_since(t), &mut ready);
            now = clock::now();
            if let Some(exit) = self.turn(&ready, now) {
                return exit;
            }
        }
    }

    /// Starts the loop at `now`: registers the driver's descriptors,
    /// starts the backend and does what is due at once. Fails, logged,
    /// if the descriptors cannot be watched.
    pub fn begin(&mut self, now: Instant) -> Result<(), Exit> {
        self.now = now;
        self.started = now;
        if let Err(e) = self.register() {
            self.note(Level::Err, msg::wait_failed(&e));
            return Err(Exit::Failed);
        }
        self.with_io(now, |b, io| b.start(io));
        self.due_work(now);
        Ok(())
    }

    /// When the next turn is due if no input comes: the earliest of the
    /// backend's next deadline and the next full resync; `now` itself if
    /// input was left unread or a resync is asked for.
    pub fn next_turn(&self, now: Instant) -> Instant {
        if !self.busy.is_empty() || self.need_resync {
            return now;
        }
        let resync = self.last_resync.map_or(now, |t| t + B::RESYNC_INTERVAL);
        self.backend
            .next_deadline()
            .map_or(resync, |d| d.min(resync))
    }

    /// Waits at most `timeout` for readiness and says, in `ready`, what
    /// is ready (a zero `timeout` only looks).
    pub fn wait(&mut self, timeout: Duration, ready: &mut Ready) {
        ready.clear();
        if let Err(e) = self.poll.poll(&mut self.events, Some(timeout)) {
            if e.kind() != std::io::ErrorKind::Interrupted {
                self.note(Level::Err, msg::wait_failed(&e));
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        for ev in &self.events {
            match ev.token() {
                SIGNALS => ready.signals = true,
                HINTS => ready.hints = true,
                LISTENER => ready.accept = true,
                Token(t) if t >= CLIENT_BASE => {
                    ready.clients.push(t - CLIENT_BASE)
                }
                Token(t) => ready.sources.push(t.saturating_sub(SOURCE_BASE)),
            }
        }
    }

    /// One turn at `now` (see the module documentation): what is
    /// `ready`, then what is due. `Some` when the daemon is to exit.
    pub fn turn(&mut self, ready: &Ready, now: Instant) -> Option<Exit> {
        self.now = now;
        if ready.signals {
            let pending = self
                .signals
                .as_ref()
                .map(SignalPipe::read_pending)
                .unwrap_or_default();
            for sig in pending {
                if let Some(exit) = self.on_signal(sig, now) {
                    return Some(exit);
                }
            }
        }
        if ready.hints {
            match self.backend.drain_hints() {
                Ok(changed) => self.need_resync |= changed,
                Err(e) => {
                    self.note(Level::Warning, msg::hints_failed(&e));
                    self.need_resync = true;
                }
            }
        }
        if self.need_resync {
            self.resync(now);
        }
        let busy = std::mem::take(&mut self.busy);
        for &key in ready.sources.iter().chain(&busy) {
            if self.with_io(now, |b, io| b.readable(key, io)) {
                self.busy.insert(key);
            }
        }
        // A client that just connected has usually sent its request
        // already: it is read in this turn, not after the next wait.
        let mut fresh = Vec::new();
        if ready.accept {
            let notes = self.control.accept(self.poll.registry(), &mut fresh);
            for n in notes {
                self.note(Level::Info, n);
            }
        }
        for &id in ready.clients.iter().chain(&fresh) {
            for p in self.control.read(id) {
                self.answer(p, now);
            }
        }
        self.due_work(now);
        None
    }

    /// What is due whatever woke us: a resync, the backend's timers,
    /// and flushing log lines and client output.
    fn due_work(&mut self, now: Instant) {
        let resync_due = self
            .last_resync
            .is_none_or(|t| now.saturating_since(t) >= B::RESYNC_INTERVAL);
        if self.need_resync || resync_due {
            self.resync(now);
        }
        self.with_io(now, |b, io| b.poll(io));
        self.flush();
    }

    fn resync(&mut self, now: Instant) {
        self.need_resync = false;
        self.last_resync = Some(now);
        self.with_io(now, |b, io| b.resync(io));
    }

    /// Calls the backend with an [`Io`] for this turn, then writes out
    /// what it logged.
    fn with_io<R>(
        &mut self,
        now: Instant,
        f: impl FnOnce(&mut B, &mut Io<'_>) -> R,
    ) -> R {
        let mut io = Io {
            now,
            started: self.started,
            registry: self.poll.registry(),
            notes: &mut self.notes,
            watching: self.control.has_watchers(),
            resync: false,
        };
        let r = f(&mut self.backend, &mut io);
        self.need_resync |= io.resync;
        self.flush_notes(now);
        r
    }

    fn flush_notes(&mut self, now: Instant) {
        for note in std::mem::take(&mut self.notes) {
            match note {
                Note::Log(level, kind, message) => {
                    self.log.log(level, &message);
                    if level != Level::Debug && self.control.has_watchers() {
                        self.control.broadcast(&Event {
                            time_ms: u64::try_from(
                                now.saturating_since(self.started).as_millis(),
                            )
                            .unwrap_or(u64::MAX),
                            kind: kind.as_str().to_string(),
                            interface: None,
                            group: None,
                            message,
                            probe: None,
                        });
                    }
                }
                Note::Event(ev) => self.control.broadcast(&ev),
            }
        }
    }

    fn flush(&mut self) {
        for n in self.control.flush(self.poll.registry()) {
            self.note(Level::Info, n);
        }
    }

    /// A line of the driver's own.
    fn note(&mut self, level: Level, message: String) {
        self.notes.push(Note::Log(level, LogKind::Other, message));
        self.flush_notes(self.now);
    }

    fn on_signal(&mut self, sig: Signal, now: Instant) -> Option<Exit> {
        match sig {
            Signal::Hup => {
                self.note(Level::Info, msg::sighup(&self.config_path));
                let _ = self.reload(now);
                None
            }
            Signal::Term | Signal::Int | Signal::Quit => {
                self.note(Level::Info, msg::exiting(sig.name(), B::NAME));
                // A last look, so that what is undone is undone where
                // the kernel really is.
                self.resync(now);
                self.with_io(now, |b, io| b.shutdown(io));
                self.flush();
                Some(Exit::Signal(sig))
            }
            Signal::Usr1 => {
                self.with_io(now, |b, io| b.dump(io));
                None
            }
        }
    }

    /// Reloads the configuration: all or nothing.
    fn reload(&mut self, now: Instant) -> Result<Vec<String>, Vec<String>> {
        match B::load(&self.config_path) {
            Ok((cfg, warnings)) => {
                for w in &warnings {
                    self.note(Level::Warning, w.clone());
                }
                self.with_io(now, |b, io| b.reconfigure(cfg, io));
                self.note(Level::Info, msg::reloaded(&self.config_path));
                self.resync(now);
                Ok(warnings)
            }
            Err(errors) => {
                for e in &errors {
                    self.note(Level::Err, e.clone());
                }
                self.note(Level::Err, msg::not_reloaded(&self.config_path));
                Err(errors)
            }
        }
    }

    fn answer(&mut self, p: Pending, now: Instant) {
        let (body, watch) = match p.request.body {
            RequestBody::Ping => (
                ResponseBody::Ok(Payload::Pong {
                    daemon: B::NAME.into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    pid: mpath_sys::daemon::getpid(),
                }),
                false,
            ),
            RequestBody::Watch => (ResponseBody::Ok(Payload::Watching), true),
            RequestBody::Reload => match self.reload(now) {
                Ok(warnings) => {
                    (ResponseBody::Ok(Payload::Reloaded { warnings }), false)
                }
                Err(details) => (
                    ResponseBody::Error(ErrorReply {
                        code: ErrorCode::BadConfig,
                        message: msg::reload_refused(&self.config_path),
                        details,
                    }),
                    false,
                ),
            },
            other => (self.with_io(now, |b, io| b.answer(other, io)), false),
        };
        self.control.reply(p.client, p.request.id, body, watch);
    }
}
