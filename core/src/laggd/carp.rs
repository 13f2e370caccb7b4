//! What laggd tells carp(4) for a redundancy group's [`HaEffect`].
//!
//! # Per vhid (`carp vhid N on IFNAME`)
//!
//! CARP elects the master by advertisement skew: the lowest `advskew`
//! (after `advbase`) wins, 0-240. laggd leaves each named vhid at the
//! skew the operator configured while the group is healthy and adds the
//! group's demotion to it, so the configured skews remain the
//! cross-chassis currency: give the preferred chassis the lower skew, and
//! a demotion that takes it past the peer's skew moves the role. A
//! resigning or yielding group advertises the most skew CARP has (240).
//! The configured skew is read before laggd first changes a vhid and
//! written back when the group is healthy again, goes away or laggd
//! exits ([`VhidSkews`]).
//!
//! A backup takes over from a master that advertises a worse skew only
//! with `net.inet.carp.preempt=1` (on the peer: the backup decides);
//! without it a demoted master stays master until it fails.
//!
//! # Host-wide (`carp` alone: the coarse mode)
//!
//! FreeBSD's `net.inet.carp.demotion` is one counter for the whole host,
//! changed by adding to it (the kernel adds what is written,
//! `carp_demote_adj_sysctl`), and shared with the kernel's own demotions
//! (a link going down, pfsync's bulk update). laggd remembers what each
//! redundancy group added ([`CarpShares`]) and only ever adds or takes
//! back that share, so it never cancels a demotion the kernel made, and
//! every share is taken back when its group is healthy or gone. Every
//! vhid on the host moves together, so two groups cannot be active on
//! different chassis in this mode.

use std::collections::BTreeMap;

use super::redundancy::HaEffect;

/// CARP's largest advertisement skew (`CARP_MAXSKEW`): it always loses.
pub const MAX_SKEW: u8 = 240;

/// The skew a vhid configured with `base` advertises for `effect`.
pub fn advskew(base: u8, effect: HaEffect) -> u8 {
    match effect {
        HaEffect::Demote(d) => base.saturating_add(d).min(MAX_SKEW),
        HaEffect::Yield | HaEffect::Resign => MAX_SKEW,
    }
}

/// What a group adds to the host's counter for `effect`.
pub fn demotion(effect: HaEffect) -> u32 {
    match effect {
        HaEffect::Demote(d) => u32::from(d),
        HaEffect::Yield | HaEffect::Resign => u32::from(MAX_SKEW),
    }
}

/// The skew each vhid laggd has changed had before: what to restore.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VhidSkews {
    base: BTreeMap<(String, u8), u8>,
}

impl VhidSkews {
    /// The configured skew of `vhid` on `interface`, if laggd has
    /// changed it.
    pub fn base(&self, interface: &str, vhid: u8) -> Option<u8> {
        self.base.get(&(interface.to_string(), vhid)).copied()
    }

    /// laggd is about to change the vhid, whose skew is `current` now:
    /// remember it unless already remembered. Returns the base.
    pub fn remember(&mut self, interface: &str, vhid: u8, current: u8) -> u8 {
        *self
            .base
            .entry((interface.to_string(), vhid))
            .or_insert(current)
    }

    /// The vhid is back at its base: forget it.
    pub fn restored(&mut self, interface: &str, vhid: u8) {
        self.base.remove(&(interface.to_string(), vhid));
    }
}

/// What each redundancy group has added to the host's counter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CarpShares {
    shares: BTreeMap<String, u32>,
}

impl CarpShares {
    /// What to add to the counter so that `group`'s share becomes
    /// `demotion` (0: nothing to do).
    pub fn delta(&self, group: &str, demotion: u32) -> i64 {
        i64::from(demotion) - i64::from(self.share(group))
    }

    /// The counter took the delta: `group`'s share is `demotion` now.
    pub fn applied(&mut self, group: &str, demotion: u32) {
        if demotion == 0 {
            self.shares.remove(group);
        } else {
            self.shares.insert(group.to_string(), demotion);
        }
    }

    /// `group`'s share.
    pub fn share(&self, group: &str) -> u32 {
        self.shares.get(group).copied().unwrap_or(0)
    }

    /// Every share together: what laggd has added to the counter.
    pub fn total(&self) -> u64 {
        self.shares.values().map(|&s| u64::from(s)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HaEffect::{Demote, Resign, Yield};

    #[test]
    fn priority_maps_onto_the_configured_skew() {
        // (configured skew, effect, advertised skew)
        let table = [
            (0, Demote(0), 0),
            (0, Demote(50), 50),
            (100, Demote(0), 100),
            (100, Demote(50), 150),
            (100, Demote(200), MAX_SKEW),
            (240, Demote(1), MAX_SKEW),
            (250, Demote(0), MAX_SKEW),
            (10, Demote(255), MAX_SKEW),
            (0, Yield, MAX_SKEW),
            (0, Resign, MAX_SKEW),
            (100, Resign, MAX_SKEW),
        ];
        for (base, effect, want) in table {
            assert_eq!(advskew(base, effect), want, "{base} {effect}");
        }
    }

    #[test]
    fn a_larger_demotion_never_advertises_less_skew() {
        for base in 0..=255u8 {
            let mut last = advskew(base, Demote(0));
            for d in 1..=255u8 {
                let s = advskew(base, Demote(d));
                assert!(s >= last && s <= MAX_SKEW);
                last = s;
            }
            assert!(advskew(base, Yield) >= last);
        }
    }

    #[test]
    fn the_first_skew_seen_is_the_one_restored() {
        let mut s = VhidSkews::default();
        assert_eq!(s.remember("em0", 1, 100), 100);
        // laggd's own change read back later is not the base.
        assert_eq!(s.remember("em0", 1, 150), 100);
        assert_eq!(s.base("em0", 1), Some(100));
        assert_eq!(s.base("em0", 2), None);
        s.restored("em0", 1);
        assert_eq!(s, VhidSkews::default());
    }

    #[test]
    fn the_counter_takes_the_effect_as_a_demotion() {
        assert_eq!(demotion(Demote(0)), 0);
        assert_eq!(demotion(Demote(70)), 70);
        assert_eq!(demotion(Yield), 240);
        assert_eq!(demotion(Resign), 240);
    }

    #[test]
    fn only_laggds_own_share_is_added_and_taken_back() {
        let mut c = CarpShares::default();
        let mut counter = 7i64; // the kernel's own demotion
        let mut deltas = Vec::new();
        for (group, d) in [
            ("rg1", 50),
            ("rg2", 20),
            ("rg1", 30),
            ("rg1", 30),
            ("rg1", 0),
            ("rg2", 0),
        ] {
            let delta = c.delta(group, d);
            if delta != 0 {
                deltas.push(delta);
                counter += delta;
            }
            c.applied(group, d);
        }
        assert_eq!(deltas, vec![50, 20, -20, -30, -20]);
        assert_eq!(counter, 7, "the kernel's demotion is left alone");
        assert_eq!(c.total(), 0);
        assert_eq!(c, CarpShares::default());
    }
}
