//! Redundancy groups (Cisco IOS XE interchassis redundancy, seed 002),
//! driving an existing HA engine rather than replacing it.
//!
//! A group has a configured priority and a failover threshold. Tracked
//! objects (ports, aggregates, link-state groups, interfaces: names the
//! daemon resolves) each take a decrement off the priority while they are
//! down, or, with `shutdown`, fault the group outright. Changes are
//! logged at once (previous and new priority and the cause, as the seed
//! asks) but applied to the HA engine only after the `delay` timer, and
//! nothing is applied until `reload_delay` after start, so that a
//! flapping object or a booting box does not bounce the cluster.
//!
//! What the engine is asked for is an [`HaEffect`]:
//!
//! * [`HaEffect::Demote`]: advertise the run-time priority. The peer
//!   takes the active role when it is higher (the engine's own
//!   preemption: VRRP after its master-down interval, CARP at once).
//! * [`HaEffect::Resign`]: faulted (below `failover-threshold`, or a
//!   `shutdown` object down): give the role up now and do not take it.
//!   VRRP's way is the master's priority-0 advertisement (keepalived's
//!   FAULT state), which lets the backup take over after its skew time
//!   rather than the whole master-down interval.
//! * [`HaEffect::Yield`]: advertise the lowest priority that can still
//!   become active: stay standby, but take over if the peer goes away.
//!
//! # Preempt
//!
//! The seed: with `preempt`, a recovered chassis with the higher priority
//! takes the active role back; without it, it waits. Engines preempt on
//! priority, so without `preempt` laggd must keep a recovered chassis
//! from out-bidding the active one: when this chassis is standby and its
//! objects recover, the group *holds* ([`HaEffect::Yield`]) until it is
//! active again (the peer failed, resigned or was switched over), and
//! only then advertises its full priority. Which chassis is active comes
//! from the engine ([`Role`]: keepalived's virtual address present,
//! CARP's vhid state); while that is unknown nothing is held.
//!
//! # Manual switchover
//!
//! Seed 002's `redundancy application reload group N self`: the group
//! resigns at once (no timers) and, once this chassis is seen standby,
//! yields until the switchover is cancelled, so that it still takes over
//! if the peer fails meanwhile. Cancelled, it is a recovery like any
//! other: with `preempt` it takes the role back, without it it holds.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use crate::time::Instant;

/// What a tracked object does to the group when it is down.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TrackEffect {
    /// Take this much off the priority.
    Decrement(u8),
    /// Fault the group outright (Cisco `track N shutdown`).
    Shutdown,
}

/// One tracked object.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Track {
    /// Object name, as the daemon knows it.
    pub object: String,
    /// Effect while it is down.
    pub effect: TrackEffect,
}

/// A redundancy group's configuration.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RedundancyConfig {
    /// Group name.
    pub name: String,
    /// Configured priority (1-255; higher wins).
    pub priority: u8,
    /// Below this run-time priority the group is faulted.
    pub failover_threshold: u8,
    /// Whether a recovered node takes the active role back.
    pub preempt: bool,
    /// Tracked objects.
    pub tracks: Vec<Track>,
    /// Wait this long after a change before applying it.
    pub delay: Duration,
    /// Apply nothing until this long after start.
    pub reload_delay: Duration,
}

/// What the HA engine is asked to do for a group, weakest first.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HaEffect {
    /// Advertise the configured priority less this (0: as configured).
    Demote(u8),
    /// Advertise the lowest priority that can still become active.
    Yield,
    /// Give the active role up and do not take it.
    Resign,
}

impl Default for HaEffect {
    fn default() -> HaEffect {
        HaEffect::Demote(0)
    }
}

impl HaEffect {
    /// How hard the effect pushes this chassis off the active role.
    fn strength(self) -> u16 {
        match self {
            HaEffect::Demote(d) => u16::from(d),
            HaEffect::Yield => 256,
            HaEffect::Resign => 257,
        }
    }
}

impl PartialOrd for HaEffect {
    fn partial_cmp(&self, other: &HaEffect) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HaEffect {
    fn cmp(&self, other: &HaEffect) -> Ordering {
        self.strength().cmp(&other.strength())
    }
}

impl fmt::Display for HaEffect {
    /// `demotion N`, `yield`, `resign`: as logs and status show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HaEffect::Demote(d) => write!(f, "demotion {d}"),
            HaEffect::Yield => f.write_str("yield"),
            HaEffect::Resign => f.write_str("resign"),
        }
    }
}

/// Whether this chassis holds the group's active role, as the HA engine
/// shows it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Role {
    /// Not known (no way to see it configured, or not seen yet).
    #[default]
    Unknown,
    /// This chassis is active (VRRP master, CARP MASTER).
    Active,
    /// The peer is, or nobody is.
    Standby,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Unknown => "unknown",
            Role::Active => "active",
            Role::Standby => "standby",
        })
    }
}

/// Something the group decided.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RedundancyEvent {
    /// The run-time priority changed (logged at once).
    PriorityChanged {
        /// Previous run-time priority.
        from: u8,
        /// New run-time priority.
        to: u8,
        /// The object whose change caused it, and whether it is now up.
        cause: (String, bool),
    },
    /// This chassis's role changed.
    RoleChanged {
        /// Before.
        from: Role,
        /// Now.
        to: Role,
    },
    /// Recovered while standby without `preempt`: holding back.
    Holding,
    /// Apply this to the HA engine now (after the delay timers).
    Apply(HaEffect),
}

/// One redundancy group.
#[derive(Clone, Debug)]
pub struct RedundancyGroup {
    cfg: RedundancyConfig,
    /// Tracked objects currently down.
    down: BTreeSet<String>,
    /// This chassis's role, as last seen.
    role: Role,
    /// A manual switchover is in force.
    switchover: bool,
    /// Without `preempt`: recovered while standby, yielding until active.
    held: bool,
    /// What was last applied.
    applied: Option<HaEffect>,
    /// When the pending effect may be applied.
    apply_at: Instant,
}

impl RedundancyGroup {
    /// A group at start: nothing is applied before `reload_delay`.
    pub fn new(cfg: RedundancyConfig, now: Instant) -> RedundancyGroup {
        let apply_at = now + cfg.reload_delay;
        RedundancyGroup {
            cfg,
            down: BTreeSet::new(),
            role: Role::Unknown,
            switchover: false,
            held: false,
            applied: None,
            apply_at,
        }
    }

    /// This group under a new configuration of the same name: a
    /// switchover carries over; with the same effector also what the
    /// engine has been told, the role and a hold (while still without
    /// `preempt`). The tracked objects are evaluated afresh, and the
    /// timers start again.
    pub fn reconfigured(
        &self,
        cfg: RedundancyConfig,
        same_effector: bool,
        now: Instant,
    ) -> RedundancyGroup {
        let mut g = RedundancyGroup::new(cfg, now);
        g.switchover = self.switchover;
        if same_effector {
            g.role = self.role;
            g.held = self.held && !g.cfg.preempt;
            g.applied = self.applied;
        }
        g
    }

    /// Configuration.
    pub fn config(&self) -> &RedundancyConfig {
        &self.cfg
    }

    /// The run-time priority: configured minus the decrements of every
    /// down object (never below 0).
    pub fn priority(&self) -> u8 {
        let dec: u32 = self
            .cfg
            .tracks
            .iter()
            .filter(|t| self.down.contains(&t.object))
            .map(|t| match t.effect {
                TrackEffect::Decrement(d) => u32::from(d),
                TrackEffect::Shutdown => 0,
            })
            .sum();
        u8::try_from(u32::from(self.cfg.priority).saturating_sub(dec))
            .unwrap_or(0)
    }

    /// Whether the group is faulted now.
    pub fn faulted(&self) -> bool {
        self.priority() < self.cfg.failover_threshold
            || self.cfg.tracks.iter().any(|t| {
                t.effect == TrackEffect::Shutdown
                    && self.down.contains(&t.object)
            })
    }

    /// What the objects alone call for.
    fn by_objects(&self) -> HaEffect {
        if self.faulted() {
            HaEffect::Resign
        } else {
            HaEffect::Demote(self.cfg.priority - self.priority())
        }
    }

    /// The effect called for now: the objects', a switchover's, a hold's.
    pub fn wanted(&self) -> HaEffect {
        let own = self.by_objects();
        if self.switchover {
            // Resign until the peer has the role, then stay a candidate.
            return match self.role {
                Role::Standby => own.max(HaEffect::Yield),
                _ => HaEffect::Resign,
            };
        }
        if self.held {
            return own.max(HaEffect::Yield);
        }
        own
    }

    /// The effect last applied, if any.
    pub fn applied(&self) -> Option<HaEffect> {
        self.applied
    }

    /// This chassis's role as last seen.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether a manual switchover is in force.
    pub fn switched_over(&self) -> bool {
        self.switchover
    }

    /// Whether a recovered standby is being held back (no `preempt`).
    pub fn held(&self) -> bool {
        self.held
    }

    /// Whether `object` is tracked by this group.
    pub fn tracks(&self, object: &str) -> bool {
        self.cfg.tracks.iter().any(|t| t.object == object)
    }

    /// Whether tracked `object` is down now.
    pub fn is_down(&self, object: &str) -> bool {
        self.down.contains(object)
    }

    /// A tracked object went up or down.
    pub fn set_object(
        &mut self,
        object: &str,
        up: bool,
        now: Instant,
        out: &mut Vec<RedundancyEvent>,
    ) {
        if !self.tracks(object) {
            return;
        }
        let before = self.priority();
        let changed = if up {
            self.down.remove(object)
        } else {
            self.down.insert(object.to_string())
        };
        if !changed {
            return;
        }
        let after = self.priority();
        if before != after || self.faulted() {
            out.push(RedundancyEvent::PriorityChanged {
                from: before,
                to: after,
                cause: (object.to_string(), up),
            });
        }
        // Restart the delay timer, but never apply before reload_delay.
        self.apply_at = self.apply_at.max(now + self.cfg.delay);
        self.poll(now, out);
    }

    /// The HA engine shows this chassis in `role`. Becoming active ends
    /// a hold; the change is applied with whatever else is pending.
    pub fn set_role(
        &mut self,
        role: Role,
        now: Instant,
        out: &mut Vec<RedundancyEvent>,
    ) {
        if role == self.role {
            return;
        }
        out.push(RedundancyEvent::RoleChanged {
            from: self.role,
            to: role,
        });
        self.role = role;
        if role != Role::Standby {
            self.held = false;
        }
        self.poll(now, out);
    }

    /// Starts (`on`) or cancels a manual switchover, applied at once:
    /// the operator's word overrides the delay and reload timers.
    /// Returns whether anything changed.
    pub fn set_switchover(
        &mut self,
        on: bool,
        now: Instant,
        out: &mut Vec<RedundancyEvent>,
    ) -> bool {
        if on == self.switchover {
            return false;
        }
        self.switchover = on;
        self.apply_at = now;
        self.poll(now, out);
        true
    }

    /// Applies the wanted effect once its timers have run.
    pub fn poll(&mut self, now: Instant, out: &mut Vec<RedundancyEvent>) {
        if now < self.apply_at {
            return;
        }
        let mut wanted = self.wanted();
        // A standby chassis that would bid higher than it does now, with
        // no preempt: hold it back (see the module documentation).
        let recovering = self.applied.is_some_and(|a| wanted < a);
        if recovering
            && !self.cfg.preempt
            && !self.held
            && !self.switchover
            && self.role == Role::Standby
        {
            self.held = true;
            out.push(RedundancyEvent::Holding);
            wanted = self.wanted();
        }
        if self.applied != Some(wanted) {
            self.applied = Some(wanted);
            out.push(RedundancyEvent::Apply(wanted));
        }
    }

    /// When [`RedundancyGroup::poll`] has work.
    pub fn next_deadline(&self) -> Option<Instant> {
        (self.applied != Some(self.wanted())).then_some(self.apply_at)
    }
}

#[cfg(test)]
mod tests;
