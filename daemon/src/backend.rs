//! What a daemon supplies to the driver: how to feed kernel state and
//! packets to its sans-IO engine, carry out the engine's actions, and
//! answer its own requests. The driver owns everything else: the event
//! loop, signals, the control socket, kernel hints and resyncs, the
//! clock, the log.

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};
use mpath_core::log::{Level, LogKind};
use mpath_core::time::Instant;
use mpath_proto::{Event, RequestBody, ResponseBody};

use crate::driver::MIN_TURN;

/// First token of the backend's own sources (below it: the driver's).
pub(crate) const SOURCE_BASE: usize = 16;
/// First token of the control clients (above every backend source).
pub(crate) const CLIENT_BASE: usize = usize::MAX / 2;

/// A daemon: mpathd or laggd.
pub trait Backend: Sized {
    /// Its configuration, parsed and checked whole.
    type Config;
    /// Its name: program name, syslog ident, `ping`'s answer.
    const NAME: &'static str;
    /// How often the kernel's whole state is read, whatever its hints
    /// say (in.mpathd's IF_SCAN_INTERVAL is 20 s).
    const RESYNC_INTERVAL: Duration;

    /// Reads and checks a configuration file: the configuration and its
    /// warnings, or every problem as `file:line: ...`.
    fn load(path: &str) -> Result<(Self::Config, Vec<String>), Vec<String>>;

    /// Opens the kernel interfaces it needs for `cfg` (before the daemon
    /// detaches, so that a failure reaches the terminal).
    fn open(cfg: Self::Config, now: Instant) -> io::Result<Self>;

    /// Registers its sources once the event loop exists.
    fn start(&mut self, io: &mut Io<'_>);

    /// The descriptor that becomes readable when the kernel hints at a
    /// change (routing socket, rtnetlink).
    fn hint_fd(&self) -> RawFd;

    /// Reads every pending hint; true if a resync is needed (the kernel
    /// changed, or hints were lost).
    fn drain_hints(&mut self) -> io::Result<bool>;

    /// Reads the kernel's whole state and feeds it in.
    fn resync(&mut self, io: &mut Io<'_>);

    /// Its source `key` (see [`Io::register`]) is readable. Returns true
    /// if it stopped with input still waiting: it is then called again
    /// next turn, without waiting (readiness is edge-triggered).
    fn readable(&mut self, key: usize, io: &mut Io<'_>) -> bool;

    /// Runs what is due at `io.now`.
    ///
    /// The driver calls it at the end of every turn, after everything
    /// else that turn called ([`Backend::start`], [`Backend::resync`],
    /// [`Backend::readable`], [`Backend::answer`],
    /// [`Backend::reconfigure`]): so output that those queue (mpathd's
    /// probes, sent in a batch) may wait for it, and goes out in the
    /// turn that made it. Only [`Backend::shutdown`], which ends the
    /// last turn, is not followed by it.
    fn poll(&mut self, io: &mut Io<'_>);

    /// When [`Backend::poll`] next has work.
    fn next_deadline(&self) -> Option<Instant>;

    /// The shortest time between the starts of two turns (the driver's
    /// pacing): how late the backend's timers may run. [`MIN_TURN`]
    /// unless the backend's timescale allows more.
    fn pace(&self) -> Duration {
        MIN_TURN
    }

    /// A new configuration, checked whole; applied at once.
    fn reconfigure(&mut self, cfg: Self::Config, io: &mut Io<'_>);

    /// A request the driver does not answer itself (everything but
    /// `ping`, `watch` and `reload`). Rights were checked already.
    fn answer(&mut self, request: RequestBody, io: &mut Io<'_>)
        -> ResponseBody;

    /// SIGUSR1: its state, to the log.
    fn dump(&mut self, io: &mut Io<'_>);

    /// SIGTERM, SIGINT, SIGQUIT: undo what it changed. Nothing is
    /// called after it, [`Backend::poll`] neither: it sends what it
    /// queued itself.
    fn shutdown(&mut self, io: &mut Io<'_>);
}

/// A log line or an event for the control socket's watchers.
#[derive(Debug)]
pub(crate) enum Note {
    /// A log line (also sent to watchers, debug lines excepted).
    Log(Level, LogKind, String),
    /// An event for watchers only.
    Event(Event),
}

/// A backend's view of the driver during one call: the time of this
/// turn, registration of its sources, and where its log lines go.
#[derive(Debug)]
pub struct Io<'a> {
    /// The time of this turn (the clock is read once per turn).
    pub now: Instant,
    /// When the daemon started (events carry milliseconds since then).
    pub(crate) started: Instant,
    pub(crate) registry: &'a Registry,
    pub(crate) notes: &'a mut Vec<Note>,
    pub(crate) watching: bool,
    /// The backend changed the kernel: read it again soon.
    pub(crate) resync: bool,
}

impl Io<'_> {
    /// Writes a log line (and tells watchers).
    pub fn log(&mut self, level: Level, kind: LogKind, message: String) {
        self.notes.push(Note::Log(level, kind, message));
    }

    /// Asks for a resync at the end of this turn (after changing the
    /// kernel, whose hints may lag or be lost).
    pub fn resync_soon(&mut self) {
        self.resync = true;
    }

    /// Whether anybody watches: events are worth building.
    pub fn watching(&self) -> bool {
        self.watching
    }

    /// Sends an event to watchers (dropped when nobody watches).
    pub fn event(&mut self, event: Event) {
        if self.watching {
            self.notes.push(Note::Event(event));
        }
    }

    /// Milliseconds from the daemon's start to `t`, for events.
    pub fn since_start_ms(&self, t: Instant) -> u64 {
        u64::try_from(t.saturating_since(self.started).as_millis())
            .unwrap_or(u64::MAX)
    }

    /// Watches `fd` for input as source `key`, once: readiness is kept
    /// by the OS (epoll, kqueue) until [`Io::deregister`].
    pub fn register(&self, fd: RawFd, key: usize) -> io::Result<()> {
        let token = source_token(key)?;
        self.registry
            .register(&mut SourceFd(&fd), token, Interest::READABLE)
    }

    /// Stops watching `fd` (call before closing it).
    pub fn deregister(&self, fd: RawFd) {
        let _ = self.registry.deregister(&mut SourceFd(&fd));
    }
}

fn source_token(key: usize) -> io::Result<Token> {
    key.checked_add(SOURCE_BASE)
        .filter(|t| *t < CLIENT_BASE)
        .map(Token)
        .ok_or_else(|| io::Error::other("source key out of range"))
}
