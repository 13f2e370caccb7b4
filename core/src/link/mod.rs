//! Link-based failure detection: the carrier of one interface, debounced
//! by optional delays and guarded by in.mpathd's link-flap damping.
//!
//! # Background
//!
//! in.mpathd takes the link state from the interface's `IFF_RUNNING` flag,
//! which the kernel keeps in step with the driver's link-up and link-down
//! notifications (research notes on in.mpathd, §4). It reacts at once: no
//! debounce on down and no hysteresis on up. A driver that cannot report
//! its link is shown as LINK `unknown` by ipmpstat and is treated as up.
//! The only brake is the flap rule (§3.11): a link that has come up more
//! than `LINK_UP_PERMIN` (2) times in the last minute is not trusted for
//! repair until it stabilises.
//!
//! This module keeps that behaviour as its default and adds the two knobs
//! of Linux bonding, `downdelay` and `updelay` ([`LinkConfig::down_delay`],
//! [`LinkConfig::up_delay`]): a carrier change must persist that long
//! before it counts, so a shorter blip is absorbed. Both default to zero.
//!
//! # Glossary
//!
//! * **carrier**: the raw link state as the driver reports it right now:
//!   up, down, or "no link state" (the driver cannot tell).
//! * **debounced state** ([`LinkState`]): the carrier after the delays.
//!   This is what failure detection uses.
//! * **link-up**: a debounced change from `Down` to `Up`. Only these count
//!   for the flap rule. Leaving `Unknown` is not a link-up: in.mpathd
//!   starts every link as up, so its first report is not a recovery.
//! * **damping episode**: the time from a [`LinkEvent::Damped`] to the
//!   matching [`LinkEvent::Undamped`]; repair is held back until its end.
//!
//! # Debounce state diagram
//!
//! ```text
//!               carrier down                down_delay elapsed
//!   +------+ ----------------> +-----------+ ----------------> +------+
//!   |  Up  |                   |    Up,    |     WentDown      | Down |
//!   |      | <---------------- | going down|                   |      |
//!   +------+    carrier up     +-----------+                   +------+
//!      ^      (blip absorbed)                                   |  ^
//!      |                                                        |  |
//!      |     up_delay elapsed  +-----------+    carrier up      |  |
//!      +---------------------- |   Down,   | <------------------+  |
//!        WentUp, flap check    |  going up |                       |
//!                              +-----------+ ----------------------+
//!                                              carrier down
//!                                             (blip absorbed)
//!
//!   Unknown: the initial state, and the state after a "no link state"
//!   report in any state. The next carrier report leaves it at once,
//!   without delay: up -> Up (WentUp), down -> Down (WentDown).
//!   With a zero delay the "going" state is skipped: the change happens
//!   at the report itself.
//! ```
//!
//! # Event / state / action table
//!
//! "0" means the delay is zero; the "going" state is then skipped.
//!
//! | event         | state      | new state           | action          |
//! |---------------|------------|---------------------|-----------------|
//! | carrier up    | Unknown    | Up                  | WentUp          |
//! | carrier down  | Unknown    | Down                | WentDown        |
//! | carrier up    | Up         | Up                  | -               |
//! | carrier down  | Up         | going down (0: Down)| arm (WentDown)  |
//! | carrier up    | going down | Up                  | disarm (blip)   |
//! | carrier down  | going down | going down          | - (not re-armed)|
//! | deadline      | going down | Down                | WentDown        |
//! | carrier down  | Down       | Down                | -               |
//! | carrier up    | Down       | going up (0: Up)    | arm (WentUp+)   |
//! | carrier down  | going up   | Down                | disarm (blip)   |
//! | carrier up    | going up   | going up            | - (not re-armed)|
//! | deadline      | going up   | Up                  | WentUp+         |
//! | no link state | any        | Unknown             | disarm, no event|
//! | deadline      | Unknown, Up, Down | unchanged    | -               |
//!
//! "WentUp+" is WentUp followed by the flap check below.
//!
//! A transition confirmed by a delay takes effect at the deadline, not at
//! the (possibly later) call that noticed it: [`LinkDetector::last_change`]
//! and the flap ring record the deadline.
//!
//! # Flap damping (research §3.11)
//!
//! The detector remembers the times of the last
//! [`flap_limit`](LinkConfig::flap_limit) link-ups in a ring. At each
//! link-up, *before* recording it:
//!
//! | at a link-up                                  | action              |
//! |-----------------------------------------------|---------------------|
//! | ring not full (a never-filled slot passes)    | record; end episode |
//! | oldest recorded up `flap_window` or more ago  | record; end episode |
//! | oldest < `flap_window` ago, no episode        | record; Damped      |
//! | oldest < `flap_window` ago, during an episode | record; extend it   |
//!
//! | at a poll                                     | action              |
//! |-----------------------------------------------|---------------------|
//! | `until` reached and the link is not Down      | end episode         |
//!
//! Ending an episode (if one is open) emits Undamped; extending one moves
//! its `until` later without an event.
//!
//! `until` is the oldest entry of the ring *after* recording this up, plus
//! `flap_window`: the moment this up stops being the (flap_limit+1)-th in
//! a window. This is in.mpathd's re-check time (`pi_whenup[pi_whendx] +
//! MSEC_PERMIN`). Each episode yields one `Damped` and one `Undamped`, so
//! the daemon logs in.mpathd's message once. `Undamped` is only emitted
//! while the link is usable: if it is down when `until` passes, the
//! episode ends at the next link-up that passes the check. A `flap_limit`
//! of zero, or a zero `flap_window`, disables damping.
//!
//! in.mpathd applies the rule only to interfaces without test addresses
//! (with probes, the ten-successes repair rule damps instead). This module
//! always computes it; the caller decides whether [`repair_allowed`]
//! matters.
//!
//! [`repair_allowed`]: LinkDetector::repair_allowed

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::Duration;

use crate::time::Instant;

/// in.mpathd's `LINK_UP_PERMIN`: link-ups per minute tolerated before
/// repair is held back.
pub const LINK_UP_PERMIN: u32 = 2;

/// The window over which link-ups are counted (in.mpathd: one minute).
pub const FLAP_WINDOW: Duration = Duration::from_secs(60);

/// Tunables of one link detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkConfig {
    /// How long carrier must stay up before the link counts as up
    /// (bonding's `updelay`). Zero, the default, reacts at once.
    pub up_delay: Duration,
    /// How long carrier must stay down before the link counts as down
    /// (bonding's `downdelay`). Zero, the default, reacts at once.
    pub down_delay: Duration,
    /// Link-ups tolerated within `flap_window`; one more is a flap.
    /// Default [`LINK_UP_PERMIN`]; zero disables damping.
    pub flap_limit: u32,
    /// The window for `flap_limit`. Default [`FLAP_WINDOW`].
    pub flap_window: Duration,
}

impl Default for LinkConfig {
    fn default() -> LinkConfig {
        LinkConfig {
            up_delay: Duration::ZERO,
            down_delay: Duration::ZERO,
            flap_limit: LINK_UP_PERMIN,
            flap_window: FLAP_WINDOW,
        }
    }
}

/// The debounced link state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkState {
    /// No carrier report yet, or the driver reports no link state
    /// (ipmpstat LINK `unknown`). Failure detection treats it as up.
    Unknown,
    /// The link is up.
    Up,
    /// The link is down: the interface has failed.
    Down,
}

/// What changed during one call; pushed to the caller's vector in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkEvent {
    /// The debounced state became [`LinkState::Up`]
    /// (log `The link has come up on %s`).
    WentUp,
    /// The debounced state became [`LinkState::Down`]
    /// (log `The link has gone down on %s`).
    WentDown,
    /// This link-up was one too many within the window: repair is held
    /// back until `until`. Emitted once per damping episode, after the
    /// `WentUp` it belongs to. (log `The link has come up on %s more
    /// than %d times in the last minute; disabling repair until it
    /// stabilizes`, with `%d` = [`LinkConfig::flap_limit`].)
    Damped {
        /// Link-ups within the window, this one included.
        ups: u32,
        /// When repair becomes allowed again, unless the link flaps on.
        until: Instant,
    },
    /// The damping episode is over: repair is allowed again.
    Undamped,
}

/// Where the debouncer is: the debounced state plus a change in waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No usable carrier report.
    Unknown,
    /// Up, carrier up.
    Up,
    /// Down, carrier down.
    Down,
    /// Still up, but carrier is down; becomes Down at `at`.
    GoingDown { at: Instant },
    /// Still down, but carrier is up; becomes Up at `at`.
    GoingUp { at: Instant },
}

impl Phase {
    fn state(self) -> LinkState {
        match self {
            Phase::Unknown => LinkState::Unknown,
            Phase::Up | Phase::GoingDown { .. } => LinkState::Up,
            Phase::Down | Phase::GoingUp { .. } => LinkState::Down,
        }
    }

    fn deadline(self) -> Option<Instant> {
        match self {
            Phase::GoingDown { at } | Phase::GoingUp { at } => Some(at),
            Phase::Unknown | Phase::Up | Phase::Down => None,
        }
    }
}

/// One input to the debouncer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Input {
    CarrierUp,
    CarrierDown,
    NoLinkState,
    /// Time has passed: fire a deadline that is due.
    Tick,
}

/// A change of the debounced state, effective at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edge {
    from: LinkState,
    to: LinkState,
    at: Instant,
}

/// The debounce transition function (see the table in the module doc).
fn step(
    phase: Phase,
    input: Input,
    now: Instant,
    cfg: &LinkConfig,
) -> (Phase, Option<Edge>) {
    let edge = |from, to, at| Some(Edge { from, to, at });
    match (phase, input) {
        (Phase::Unknown, Input::CarrierUp) => {
            (Phase::Up, edge(LinkState::Unknown, LinkState::Up, now))
        }
        (Phase::Unknown, Input::CarrierDown) => {
            (Phase::Down, edge(LinkState::Unknown, LinkState::Down, now))
        }
        (Phase::Unknown, Input::NoLinkState | Input::Tick)
        | (Phase::Up, Input::CarrierUp | Input::Tick)
        | (Phase::Down, Input::CarrierDown | Input::Tick)
        | (Phase::GoingDown { .. }, Input::CarrierDown)
        | (Phase::GoingUp { .. }, Input::CarrierUp) => (phase, None),
        (
            Phase::Up
            | Phase::Down
            | Phase::GoingDown { .. }
            | Phase::GoingUp { .. },
            Input::NoLinkState,
        ) => (Phase::Unknown, edge(phase.state(), LinkState::Unknown, now)),
        (Phase::Up, Input::CarrierDown) => {
            if cfg.down_delay.is_zero() {
                (Phase::Down, edge(LinkState::Up, LinkState::Down, now))
            } else {
                (
                    Phase::GoingDown {
                        at: now + cfg.down_delay,
                    },
                    None,
                )
            }
        }
        (Phase::Down, Input::CarrierUp) => {
            if cfg.up_delay.is_zero() {
                (Phase::Up, edge(LinkState::Down, LinkState::Up, now))
            } else {
                (
                    Phase::GoingUp {
                        at: now + cfg.up_delay,
                    },
                    None,
                )
            }
        }
        (Phase::GoingDown { .. }, Input::CarrierUp) => (Phase::Up, None),
        (Phase::GoingUp { .. }, Input::CarrierDown) => (Phase::Down, None),
        (Phase::GoingDown { at }, Input::Tick) => {
            if now >= at {
                (Phase::Down, edge(LinkState::Up, LinkState::Down, at))
            } else {
                (phase, None)
            }
        }
        (Phase::GoingUp { at }, Input::Tick) => {
            if now >= at {
                (Phase::Up, edge(LinkState::Down, LinkState::Up, at))
            } else {
                (phase, None)
            }
        }
    }
}

/// in.mpathd's flap rule: a ring of recent link-up times and the current
/// damping episode, if any.
#[derive(Clone, Debug, Default)]
struct FlapDamper {
    /// Times of the most recent link-ups, oldest first; at most
    /// `flap_limit` entries (in.mpathd: `pi_whenup[LINK_UP_PERMIN]`).
    ups: VecDeque<Instant>,
    /// During a damping episode: when repair becomes allowed again.
    until: Option<Instant>,
}

impl FlapDamper {
    /// Applies the flap rule to a link-up at `at`, then records it.
    fn on_link_up(
        &mut self,
        at: Instant,
        cfg: &LinkConfig,
        out: &mut Vec<LinkEvent>,
    ) {
        let limit = usize::try_from(cfg.flap_limit).unwrap_or(usize::MAX);
        if limit == 0 {
            return;
        }
        let window = cfg.flap_window;
        let recent = |t: &&Instant| at.saturating_since(**t) < window;
        let flapping = self.ups.len() >= limit
            && self.ups.front().is_some_and(|t| recent(&t));
        let ups_in_window = self.ups.iter().filter(recent).count() + 1;

        self.ups.push_back(at);
        while self.ups.len() > limit {
            self.ups.pop_front();
        }

        if !flapping {
            if self.until.take().is_some() {
                out.push(LinkEvent::Undamped);
            }
            return;
        }
        let oldest = self.ups.front().copied().unwrap_or(at);
        let until = oldest + window;
        match self.until {
            Some(current) => self.until = Some(current.max(until)),
            None => {
                self.until = Some(until);
                out.push(LinkEvent::Damped {
                    ups: u32::try_from(ups_in_window).unwrap_or(u32::MAX),
                    until,
                });
            }
        }
    }

    /// Ends a damping episode whose time is up, if the link is usable.
    fn poll(&mut self, now: Instant, usable: bool, out: &mut Vec<LinkEvent>) {
        if usable && self.until.is_some_and(|until| now >= until) {
            self.until = None;
            out.push(LinkEvent::Undamped);
        }
    }

    /// When [`FlapDamper::poll`] has work to do. A link that is down has
    /// none: the episode then ends at the next link-up.
    fn deadline(&self, usable: bool) -> Option<Instant> {
        self.until.filter(|_| usable)
    }
}

/// Link-based failure detector for one interface (sans-IO).
///
/// Feed it every carrier report with [`on_carrier`](Self::on_carrier)
/// (repeating an unchanged report is harmless) and call
/// [`poll`](Self::poll) when [`next_deadline`](Self::next_deadline) is
/// reached. Both append what changed to `out`; compare
/// [`state`](Self::state) before and after for transitions to and from
/// [`LinkState::Unknown`], which produce no event.
///
/// Time never runs backwards here: a `now` earlier than one already seen
/// is taken as the latest seen.
#[derive(Clone, Debug)]
pub struct LinkDetector {
    /// Delays and flap rule.
    cfg: LinkConfig,
    /// Debounced state and the change in waiting.
    phase: Phase,
    /// The last carrier report, as given.
    raw: Option<bool>,
    /// Flap ring and damping episode.
    damper: FlapDamper,
    /// When the debounced state last changed.
    last_change: Option<Instant>,
    /// The latest `now` seen, so that time is monotonic.
    latest: Instant,
}

impl LinkDetector {
    /// A detector in state [`LinkState::Unknown`] until the first carrier
    /// report.
    pub fn new(cfg: LinkConfig, now: Instant) -> LinkDetector {
        LinkDetector {
            cfg,
            phase: Phase::Unknown,
            raw: None,
            damper: FlapDamper::default(),
            last_change: None,
            latest: now,
        }
    }

    /// The detector's configuration.
    pub fn config(&self) -> &LinkConfig {
        &self.cfg
    }

    /// A carrier report: `Some(up)` from a driver that knows its link,
    /// `None` from one that does not. A deadline that is due at `now` is
    /// handled first, so a change that has persisted for exactly its
    /// delay is confirmed even if the report arrives before the poll.
    pub fn on_carrier(
        &mut self,
        carrier: Option<bool>,
        now: Instant,
        out: &mut Vec<LinkEvent>,
    ) {
        let now = self.observe(now);
        self.poll(now, out);
        self.raw = carrier;
        let input = match carrier {
            Some(true) => Input::CarrierUp,
            Some(false) => Input::CarrierDown,
            None => Input::NoLinkState,
        };
        self.advance(input, now, out);
        self.damper.poll(now, self.usable(), out);
    }

    /// Fires the delays and damping expiry that are due at `now`.
    pub fn poll(&mut self, now: Instant, out: &mut Vec<LinkEvent>) {
        let now = self.observe(now);
        self.advance(Input::Tick, now, out);
        self.damper.poll(now, self.usable(), out);
    }

    /// The next instant at which [`poll`](Self::poll) has work, if any.
    /// After a call to `poll` or `on_carrier` it is later than that
    /// call's `now`.
    pub fn next_deadline(&self) -> Option<Instant> {
        let damping = self.damper.deadline(self.usable());
        match (self.phase.deadline(), damping) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The debounced link state.
    pub fn state(&self) -> LinkState {
        self.phase.state()
    }

    /// The last carrier report as given (`None` before the first report
    /// and for a driver without link state).
    pub fn raw_carrier(&self) -> Option<bool> {
        self.raw
    }

    /// Whether a repair may be based on this link at `now`: false during
    /// a damping episode, until its `until`. The caller still needs the
    /// link to be up.
    pub fn repair_allowed(&self, now: Instant) -> bool {
        self.damper.until.is_none_or(|until| now >= until)
    }

    /// When the debounced state last changed (including to and from
    /// [`LinkState::Unknown`]); `None` before the first carrier report.
    pub fn last_change(&self) -> Option<Instant> {
        self.last_change
    }

    fn observe(&mut self, now: Instant) -> Instant {
        self.latest = self.latest.max(now);
        self.latest
    }

    /// Unknown counts as usable, as in in.mpathd.
    fn usable(&self) -> bool {
        match self.state() {
            LinkState::Unknown | LinkState::Up => true,
            LinkState::Down => false,
        }
    }

    fn advance(
        &mut self,
        input: Input,
        now: Instant,
        out: &mut Vec<LinkEvent>,
    ) {
        let (phase, edge) = step(self.phase, input, now, &self.cfg);
        self.phase = phase;
        if let Some(edge) = edge {
            self.apply(edge, out);
        }
    }

    fn apply(&mut self, edge: Edge, out: &mut Vec<LinkEvent>) {
        self.last_change = Some(edge.at);
        match edge.to {
            LinkState::Up => {
                out.push(LinkEvent::WentUp);
                if edge.from == LinkState::Down {
                    self.damper.on_link_up(edge.at, &self.cfg, out);
                }
            }
            LinkState::Down => out.push(LinkEvent::WentDown),
            LinkState::Unknown => {}
        }
    }
}
