//! Redundancy groups (Cisco IOS XE interchassis redundancy, seed 002),
//! driving an existing HA engine rather than replacing it.
//!
//! A group has a configured priority and a failover threshold. Tracked
//! objects (ports, aggregates, link-state groups, interfaces: names the
//! daemon resolves) each take a decrement off the priority while they are
//! down, or, with `shutdown`, fault the group outright. When the run-time
//! priority falls below the threshold the group is *faulted*: this node
//! should give up the active role. Changes are logged at once (previous
//! and new priority and the cause, as the seed asks) but applied to the HA
//! engine only after the `delay` timer, and nothing is applied until
//! `reload_delay` after start, so that a flapping object or a booting box
//! does not bounce the cluster.
//!
//! The HA engine sees an [`HaEffect`]: how much to demote this node and
//! whether it is faulted. With CARP (FreeBSD) the demotion goes into
//! `net.inet.carp.demotion` (faulted: the maximum advskew of 240, so the
//! peer takes over); with keepalived (Linux) it becomes a negative
//! priority weight and a faulted state. `preempt` is passed through for
//! the effector to configure (CARP's `net.inet.carp.preempt`, keepalived's
//! `nopreempt`).

use std::collections::BTreeSet;
use std::time::Duration;

use crate::time::Instant;

/// CARP's largest advertisement skew: demoting by it always loses.
pub const MAX_DEMOTION: u32 = 240;

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

/// What the HA engine should apply.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct HaEffect {
    /// Demotion: configured priority minus run-time priority (or
    /// [`MAX_DEMOTION`] when faulted).
    pub demotion: u32,
    /// Below the threshold, or a `shutdown` object is down.
    pub faulted: bool,
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
    /// Apply this to the HA engine now (after the delay timers).
    Apply(HaEffect),
}

/// One redundancy group.
#[derive(Clone, Debug)]
pub struct RedundancyGroup {
    cfg: RedundancyConfig,
    /// Tracked objects currently down.
    down: BTreeSet<String>,
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
            applied: None,
            apply_at,
        }
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

    /// The effect the current objects call for.
    pub fn wanted(&self) -> HaEffect {
        let faulted = self.faulted();
        HaEffect {
            demotion: if faulted {
                MAX_DEMOTION
            } else {
                u32::from(self.cfg.priority - self.priority())
            },
            faulted,
        }
    }

    /// The effect last applied, if any.
    pub fn applied(&self) -> Option<HaEffect> {
        self.applied
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

    /// Applies the wanted effect once its timers have run.
    pub fn poll(&mut self, now: Instant, out: &mut Vec<RedundancyEvent>) {
        if now < self.apply_at {
            return;
        }
        let wanted = self.wanted();
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
mod tests {
    use super::*;

    fn rg(delay: u64, reload: u64) -> RedundancyGroup {
        RedundancyGroup::new(
            RedundancyConfig {
                name: "rg1".into(),
                priority: 120,
                failover_threshold: 80,
                preempt: true,
                tracks: vec![
                    Track {
                        object: "lagg0".into(),
                        effect: TrackEffect::Decrement(20),
                    },
                    Track {
                        object: "uplink".into(),
                        effect: TrackEffect::Decrement(30),
                    },
                    Track {
                        object: "core".into(),
                        effect: TrackEffect::Shutdown,
                    },
                ],
                delay: Duration::from_secs(delay),
                reload_delay: Duration::from_secs(reload),
            },
            Instant::ZERO,
        )
    }

    fn t(s: u64) -> Instant {
        Instant::from_secs(s)
    }

    #[test]
    fn decrements_accumulate_and_the_threshold_faults() {
        let mut g = rg(0, 0);
        let mut out = Vec::new();
        g.poll(t(0), &mut out);
        assert_eq!(out, vec![RedundancyEvent::Apply(HaEffect::default())]);
        out.clear();
        g.set_object("lagg0", false, t(1), &mut out);
        assert_eq!(g.priority(), 100);
        assert_eq!(
            out,
            vec![
                RedundancyEvent::PriorityChanged {
                    from: 120,
                    to: 100,
                    cause: ("lagg0".into(), false)
                },
                RedundancyEvent::Apply(HaEffect {
                    demotion: 20,
                    faulted: false
                })
            ]
        );
        out.clear();
        g.set_object("uplink", false, t(2), &mut out);
        assert_eq!(g.priority(), 70);
        assert!(g.faulted(), "70 < threshold 80");
        assert_eq!(
            out.last(),
            Some(&RedundancyEvent::Apply(HaEffect {
                demotion: MAX_DEMOTION,
                faulted: true
            }))
        );
        out.clear();
        g.set_object("uplink", true, t(3), &mut out);
        g.set_object("lagg0", true, t(3), &mut out);
        assert_eq!(g.applied(), Some(HaEffect::default()));
    }

    #[test]
    fn shutdown_track_faults_at_once() {
        let mut g = rg(0, 0);
        let mut out = Vec::new();
        g.set_object("core", false, t(1), &mut out);
        assert_eq!(g.priority(), 120);
        assert!(g.faulted());
        assert_eq!(g.applied().map(|e| e.faulted), Some(true));
    }

    #[test]
    fn delay_and_reload_timers_hold_changes_back() {
        let mut g = rg(10, 20);
        let mut out = Vec::new();
        g.poll(t(5), &mut out);
        assert!(out.is_empty(), "nothing before the reload delay");
        g.set_object("lagg0", false, t(6), &mut out);
        assert_eq!(out.len(), 1, "the priority change is logged at once");
        assert_eq!(g.next_deadline(), Some(t(20)));
        g.poll(t(19), &mut out);
        assert_eq!(out.len(), 1);
        g.poll(t(20), &mut out);
        assert_eq!(
            out.last(),
            Some(&RedundancyEvent::Apply(HaEffect {
                demotion: 20,
                faulted: false
            }))
        );
        // A flap within the delay is absorbed: down and up again before
        // the timer: nothing new is applied.
        out.clear();
        g.set_object("uplink", false, t(30), &mut out);
        g.set_object("uplink", true, t(35), &mut out);
        g.poll(t(45), &mut out);
        assert!(
            !out.iter().any(|e| matches!(e, RedundancyEvent::Apply(_))),
            "{out:?}"
        );
    }

    #[test]
    fn untracked_objects_are_ignored() {
        let mut g = rg(0, 0);
        let mut out = Vec::new();
        g.set_object("other", false, t(1), &mut out);
        assert!(out.is_empty());
        assert_eq!(g.priority(), 120);
    }
}
