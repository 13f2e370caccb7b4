//! The probe targets of one path.
//!
//! Targets come from three places, in order of preference:
//!
//! | kind       | source                               | on failure      |
//! |------------|--------------------------------------|-----------------|
//! | `Explicit` | configured by the operator           | `Dead`, retried |
//! | `Router`   | next hops of routes (route scan)     | `Dead`, retried |
//! | `Host`     | answered an all-nodes multicast probe | deleted         |
//!
//! At most [`MAX_PROBE_TARGETS`] are `Active` (probed round-robin). The
//! others wait:
//!
//! ```text
//!             ┌──────── room (< 5 active) ────────┐
//!             ▼                                   │
//!          Active ──5 losses──▶ Dead ──60 s──▶ Slow ──60 s──▶ Unused
//!             │                                  ▲
//!             └──crtt > interval (exception)─────┘
//! ```
//!
//! A `Host` target is never parked: it is deleted instead, and the
//! detector multicasts to find a replacement. When the last active target
//! is lost, up to [`MIN_PROBE_TARGETS`] parked ones are re-activated at
//! once, preferring `Unused`, then recovered `Slow`, any `Slow`,
//! recovered `Dead`, any `Dead` (in.mpathd `target_activate_all()`).
//!
//! This module only keeps the list; which kinds may coexist is decided by
//! the detector.

use std::net::IpAddr;
use std::time::Duration;

use super::rtt::RttEstimator;
use crate::time::Instant;

/// At most this many targets are probed (MAX_PROBE_TARGETS).
pub const MAX_PROBE_TARGETS: usize = 5;

/// Replacements activated at once when the last active target is lost;
/// one more is needed for the slow-target "exception" test
/// (MIN_PROBE_TARGETS).
pub const MIN_PROBE_TARGETS: usize = 3;

/// How long a dead or slow target is left alone (MIN_RECOVERY_TIME).
pub const MIN_RECOVERY_TIME: Duration = Duration::from_secs(60);

/// Where a target came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// A next hop found in the routing table.
    Router,
    /// A neighbour that answered an all-nodes multicast probe.
    Host,
    /// Configured by the operator; used to the exclusion of the others.
    Explicit,
}

/// Whether a target is probed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetState {
    /// Probed in turn.
    Active,
    /// Usable but not needed (more than five candidates).
    Unused,
    /// Answered too slowly compared with the others; retried later.
    Slow,
    /// Stopped answering while others answered; retried later.
    Dead,
}

/// One target and its round-trip estimate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The target's address.
    pub addr: IpAddr,
    /// Where it came from.
    pub kind: TargetKind,
    /// Whether it is probed.
    pub state: TargetState,
    /// When it last became `Slow` or `Dead` (in.mpathd `tg_latime`).
    pub since: Instant,
    /// Its conservative RTT estimate.
    pub rtt: RttEstimator,
}

impl Target {
    fn recovered(&self, now: Instant) -> bool {
        self.since + MIN_RECOVERY_TIME <= now
    }
}

/// The targets of one path, in order of preference.
#[derive(Clone, Debug, Default)]
pub struct TargetList {
    /// All known targets, most preferred first.
    entries: Vec<Target>,
    /// Index where the round-robin search for the next target starts.
    next: usize,
    /// Index where the search for the next RTT-only target starts.
    rtt_next: usize,
}

impl TargetList {
    /// An empty list.
    pub fn new() -> TargetList {
        TargetList::default()
    }

    /// All targets, most preferred first.
    pub fn entries(&self) -> &[Target] {
        &self.entries
    }

    /// Number of targets in any state.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of active targets.
    pub fn active_count(&self) -> usize {
        self.count(|t| t.state == TargetState::Active)
    }

    /// Number of targets matching `f`.
    pub fn count(&self, f: impl Fn(&Target) -> bool) -> usize {
        self.entries.iter().filter(|t| f(t)).count()
    }

    /// The target with address `addr`.
    pub fn get(&self, addr: IpAddr) -> Option<&Target> {
        self.entries.iter().find(|t| t.addr == addr)
    }

    /// The target with address `addr`, mutably.
    pub fn get_mut(&mut self, addr: IpAddr) -> Option<&mut Target> {
        self.entries.iter_mut().find(|t| t.addr == addr)
    }

    /// Every target's RTT estimator, mutably (to reset them all).
    pub fn estimators_mut(
        &mut self,
    ) -> impl Iterator<Item = &mut RttEstimator> {
        self.entries.iter_mut().map(|t| &mut t.rtt)
    }

    /// Append a target. It is active if there is room, otherwise `Unused`
    /// (a host target is not added at all without room). Returns whether
    /// it was added.
    pub fn add(
        &mut self,
        addr: IpAddr,
        kind: TargetKind,
        now: Instant,
    ) -> bool {
        if self.get(addr).is_some() {
            return false;
        }
        let room = self.active_count() < MAX_PROBE_TARGETS;
        let state = match (kind, room) {
            (TargetKind::Host, false) => return false,
            (
                TargetKind::Host | TargetKind::Router | TargetKind::Explicit,
                true,
            ) => TargetState::Active,
            (TargetKind::Router | TargetKind::Explicit, false) => {
                TargetState::Unused
            }
        };
        self.entries.push(Target {
            addr,
            kind,
            state,
            since: now,
            rtt: RttEstimator::new(),
        });
        true
    }

    /// Remove a target; returns it.
    pub fn remove(&mut self, addr: IpAddr) -> Option<Target> {
        let index = self.entries.iter().position(|t| t.addr == addr)?;
        let removed = self.entries.remove(index);
        for cursor in [&mut self.next, &mut self.rtt_next] {
            if *cursor > index {
                *cursor -= 1;
            }
            if *cursor >= self.entries.len() {
                *cursor = 0;
            }
        }
        Some(removed)
    }

    /// Replace the whole list, keeping the round-robin position on the
    /// same target when it survives.
    pub fn replace(&mut self, entries: Vec<Target>) {
        let keep = |cursor: usize, old: &[Target]| {
            old.get(cursor)
                .and_then(|t| entries.iter().position(|n| n.addr == t.addr))
                .unwrap_or(0)
        };
        let next = keep(self.next, &self.entries);
        let rtt_next = keep(self.rtt_next, &self.entries);
        self.entries = entries;
        self.next = next;
        self.rtt_next = rtt_next;
    }

    fn find_active_from(&self, start: usize) -> Option<usize> {
        let n = self.entries.len();
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| self.entries[i].state == TargetState::Active)
    }

    /// The next target to probe for failure detection, round-robin. The
    /// RTT-only rotation restarts after it (as in.mpathd does).
    pub fn next_probe_target(&mut self) -> Option<IpAddr> {
        let i = self.find_active_from(self.next)?;
        self.next = (i + 1) % self.entries.len();
        self.rtt_next = self.next;
        Some(self.entries[i].addr)
    }

    /// The next target for an RTT-only probe, round-robin.
    pub fn next_rtt_target(&mut self) -> Option<IpAddr> {
        let i = self.find_active_from(self.rtt_next)?;
        self.rtt_next = (i + 1) % self.entries.len();
        Some(self.entries[i].addr)
    }

    /// Park a target as `Dead` or `Slow` from `now`, forgetting its RTT.
    pub fn park(&mut self, addr: IpAddr, state: TargetState, now: Instant) {
        if let Some(t) = self.get_mut(addr) {
            t.state = state;
            t.since = now;
            t.rtt.reset();
        }
    }

    /// Advance recovery timers: `Dead` → `Slow` after 60 s (the timer
    /// restarts), `Slow` → `Unused` after 60 s, and `Unused` → `Active`
    /// while there is room. Returns whether anything changed.
    pub fn tick(&mut self, now: Instant) -> bool {
        let mut changed = false;
        for t in &mut self.entries {
            match t.state {
                TargetState::Dead if t.recovered(now) => {
                    t.state = TargetState::Slow;
                    t.since = now;
                    changed = true;
                }
                TargetState::Slow if t.recovered(now) => {
                    t.state = TargetState::Unused;
                    changed = true;
                }
                TargetState::Active
                | TargetState::Unused
                | TargetState::Slow
                | TargetState::Dead => {}
            }
        }
        self.fill(now) || changed
    }

    /// Promote `Unused` targets, most preferred first, while fewer than
    /// five are active. Returns whether any was promoted.
    pub fn fill(&mut self, now: Instant) -> bool {
        let mut active = self.active_count();
        let mut changed = false;
        for t in &mut self.entries {
            if active >= MAX_PROBE_TARGETS {
                break;
            }
            if t.state == TargetState::Unused {
                t.state = TargetState::Active;
                t.since = now;
                active += 1;
                changed = true;
            }
        }
        changed
    }

    /// With no active target left, activate up to three parked ones in
    /// order of preference. Returns how many were activated.
    pub fn activate_replacements(&mut self, now: Instant) -> usize {
        if self.active_count() > 0 {
            return 0;
        }
        let classes: [&dyn Fn(&Target) -> bool; 5] = [
            &|t| t.state == TargetState::Unused,
            &|t| t.state == TargetState::Slow && t.recovered(now),
            &|t| t.state == TargetState::Slow,
            &|t| t.state == TargetState::Dead && t.recovered(now),
            &|t| t.state == TargetState::Dead,
        ];
        let mut activated = 0;
        for class in classes {
            for t in &mut self.entries {
                if activated == MIN_PROBE_TARGETS {
                    return activated;
                }
                if t.state != TargetState::Active && class(t) {
                    t.state = TargetState::Active;
                    t.since = now;
                    activated += 1;
                }
            }
        }
        activated
    }

    /// The next instant at which a recovery timer expires.
    pub fn next_recovery(&self) -> Option<Instant> {
        self.entries
            .iter()
            .filter(|t| {
                matches!(t.state, TargetState::Dead | TargetState::Slow)
            })
            .map(|t| t.since + MIN_RECOVERY_TIME)
            .min()
    }

    /// The largest crtt among active targets that have one.
    pub fn max_active_crtt(&self) -> Option<Duration> {
        self.entries
            .iter()
            .filter(|t| t.state == TargetState::Active)
            .filter_map(|t| t.rtt.crtt())
            .max()
    }

    /// All targets in firing order: starting with the next one to probe.
    pub fn in_firing_order(&self) -> impl Iterator<Item = &Target> {
        let n = self.entries.len();
        let start = if n == 0 { 0 } else { self.next % n };
        self.entries[start..]
            .iter()
            .chain(self.entries[..start].iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, n))
    }

    fn t(s: u64) -> Instant {
        Instant::from_secs(s)
    }

    #[test]
    fn at_most_five_active_and_hosts_need_room() {
        let mut l = TargetList::new();
        for n in 1..=7 {
            assert!(l.add(ip(n), TargetKind::Router, t(0)));
        }
        assert_eq!(l.active_count(), 5);
        assert_eq!(l.get(ip(6)).unwrap().state, TargetState::Unused);
        assert!(!l.add(ip(9), TargetKind::Host, t(0)));
        assert!(!l.add(ip(1), TargetKind::Router, t(0)));
        assert_eq!(l.len(), 7);
    }

    #[test]
    fn round_robin_skips_parked_targets() {
        let mut l = TargetList::new();
        for n in 1..=3 {
            l.add(ip(n), TargetKind::Router, t(0));
        }
        l.park(ip(2), TargetState::Dead, t(0));
        let seq: Vec<_> =
            (0..4).map(|_| l.next_probe_target().unwrap()).collect();
        assert_eq!(seq, vec![ip(1), ip(3), ip(1), ip(3)]);
        // Firing order starts with the next target.
        let order: Vec<_> = l.in_firing_order().map(|t| t.addr).collect();
        assert_eq!(order, vec![ip(1), ip(2), ip(3)]);
        // The RTT rotation restarts after each detection target.
        assert_eq!(l.next_rtt_target(), Some(ip(1)));
        assert_eq!(l.next_rtt_target(), Some(ip(3)));
    }

    #[test]
    fn dead_targets_recover_in_two_minutes() {
        let mut l = TargetList::new();
        l.add(ip(1), TargetKind::Router, t(0));
        l.add(ip(2), TargetKind::Router, t(0));
        l.park(ip(1), TargetState::Dead, t(10));
        assert_eq!(l.next_recovery(), Some(t(70)));
        assert!(!l.tick(t(69)));
        assert!(l.tick(t(70)));
        assert_eq!(l.get(ip(1)).unwrap().state, TargetState::Slow);
        assert_eq!(l.next_recovery(), Some(t(130)));
        assert!(l.tick(t(130)));
        // Slow → Unused → Active (there is room).
        assert_eq!(l.get(ip(1)).unwrap().state, TargetState::Active);
        assert_eq!(l.next_recovery(), None);
    }

    #[test]
    fn replacements_prefer_unused_then_recovered() {
        let mut l = TargetList::new();
        for n in 1..=5 {
            l.add(ip(n), TargetKind::Router, t(0));
        }
        l.park(ip(1), TargetState::Dead, t(0));
        l.park(ip(2), TargetState::Dead, t(100));
        l.park(ip(3), TargetState::Slow, t(100));
        l.park(ip(4), TargetState::Slow, t(0));
        l.park(ip(5), TargetState::Dead, t(100));
        assert_eq!(l.active_count(), 0);
        assert_eq!(l.activate_replacements(t(120)), 3);
        let active: Vec<_> = l
            .entries()
            .iter()
            .filter(|t| t.state == TargetState::Active)
            .map(|t| t.addr)
            .collect();
        // Recovered slow (4), any slow (3), recovered dead (1).
        assert_eq!(active, vec![ip(1), ip(3), ip(4)]);
        assert_eq!(l.activate_replacements(t(120)), 0);
    }

    #[test]
    fn removal_keeps_the_cursor_on_the_same_target() {
        let mut l = TargetList::new();
        for n in 1..=4 {
            l.add(ip(n), TargetKind::Host, t(0));
        }
        assert_eq!(l.next_probe_target(), Some(ip(1)));
        assert_eq!(l.next_probe_target(), Some(ip(2)));
        l.remove(ip(1));
        assert_eq!(l.next_probe_target(), Some(ip(3)));
        l.remove(ip(4));
        assert_eq!(l.next_probe_target(), Some(ip(2)));
        l.remove(ip(2));
        l.remove(ip(3));
        assert_eq!(l.next_probe_target(), None);
        assert_eq!(l.in_firing_order().count(), 0);
    }
}
