//! laggd's share of CARP's demotion counter.
//!
//! FreeBSD's `net.inet.carp.demotion` is one counter for the whole host,
//! changed by adding to it (the kernel adds what is written,
//! `carp_demote_adj_sysctl`), and shared with the kernel's own demotions
//! (a link going down, pfsync's bulk update). laggd remembers what each
//! redundancy group added and only ever adds or takes back that share,
//! so it never cancels a demotion the kernel made, and every share is
//! taken back when its group is healthy or gone.

use std::collections::BTreeMap;

/// What each redundancy group has added to the counter.
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
