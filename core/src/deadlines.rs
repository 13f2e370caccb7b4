//! When each of many things next wants the clock.
//!
//! An engine watching a thousand interfaces must not look at all of them
//! to find the next deadline, nor poll all of them when one is due: the
//! cost of a timer expiry is independent of how many others are
//! pending. [`Deadlines`] keeps one deadline per key (a small index, an
//! interface's position) in an ordered set, so the earliest is at hand,
//! a due key is taken in O(log n), and a key whose deadline moved is
//! re-filed in O(log n).

use std::collections::BTreeSet;

use crate::time::Instant;

/// One deadline per key, ordered by time.
#[derive(Clone, Debug, Default)]
pub struct Deadlines {
    by_time: BTreeSet<(Instant, usize)>,
    /// Each key's deadline, by key.
    by_key: Vec<Option<Instant>>,
    /// How many keys have one.
    len: usize,
}

impl Deadlines {
    /// No deadlines.
    pub fn new() -> Deadlines {
        Deadlines::default()
    }

    /// Files `key` at `at`, or removes it when `at` is `None`.
    pub fn set(&mut self, key: usize, at: Option<Instant>) {
        if key >= self.by_key.len() {
            if at.is_none() {
                return;
            }
            self.by_key.resize(key + 1, None);
        }
        let old = std::mem::replace(&mut self.by_key[key], at);
        if old == at {
            return;
        }
        match (old, at) {
            (None, Some(_)) => self.len += 1,
            (Some(_), None) => self.len -= 1,
            (None, None) | (Some(_), Some(_)) => {}
        }
        if let Some(o) = old {
            self.by_time.remove(&(o, key));
        }
        if let Some(t) = at {
            self.by_time.insert((t, key));
        }
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.by_time.first().map(|(t, _)| *t)
    }

    /// Takes a key whose deadline is at or before `now` (the earliest
    /// first); its entry is removed, to be filed again by whoever
    /// handles it.
    pub fn pop_due(&mut self, now: Instant) -> Option<usize> {
        let &(t, key) = self.by_time.first()?;
        if t > now {
            return None;
        }
        self.by_time.remove(&(t, key));
        self.by_key[key] = None;
        self.len -= 1;
        Some(key)
    }

    /// Forgets every deadline.
    pub fn clear(&mut self) {
        self.by_time.clear();
        self.by_key.clear();
        self.len = 0;
    }

    /// How many keys have a deadline.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No key has a deadline.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    #[test]
    fn earliest_first_and_refiling_moves_a_key() {
        let mut d = Deadlines::new();
        d.set(1, Some(t(30)));
        d.set(2, Some(t(10)));
        d.set(3, Some(t(20)));
        assert_eq!(d.next(), Some(t(10)));
        d.set(2, Some(t(40)));
        assert_eq!(d.next(), Some(t(20)));
        assert_eq!(d.pop_due(t(25)), Some(3));
        assert_eq!(d.pop_due(t(25)), None);
        d.set(1, None);
        assert_eq!(d.len(), 1);
        assert_eq!(d.pop_due(t(100)), Some(2));
        assert!(d.is_empty());
        assert_eq!(d.next(), None);
    }

    #[test]
    fn equal_deadlines_are_kept_per_key() {
        let mut d = Deadlines::new();
        for k in 0..5 {
            d.set(k, Some(t(7)));
        }
        d.set(2, Some(t(7)));
        let mut got = Vec::new();
        while let Some(k) = d.pop_due(t(7)) {
            got.push(k);
        }
        assert_eq!(got, [0, 1, 2, 3, 4]);
    }

    proptest::proptest! {
        /// Whatever the operations, `next` is the minimum of the
        /// deadlines last set per key.
        #[test]
        fn next_is_the_minimum_of_what_was_set(
            ops in proptest::collection::vec(
                (0usize..8, proptest::option::of(0u64..100)), 0..60)
        ) {
            let mut d = Deadlines::new();
            let mut model = std::collections::BTreeMap::new();
            for (k, at) in ops {
                d.set(k, at.map(t));
                match at {
                    Some(x) => { model.insert(k, t(x)); }
                    None => { model.remove(&k); }
                }
                proptest::prop_assert_eq!(
                    d.next(), model.values().min().copied());
                proptest::prop_assert_eq!(d.len(), model.len());
            }
        }
    }
}
