//! When each of many things next wants the clock.
//!
//! An engine watching a thousand interfaces must not look at all of them
//! to find the next deadline, nor poll all of them when one is due: the
//! cost of a timer expiry is independent of how many others are
//! pending. [`Deadlines`] keeps one deadline per key (a small index, an
//! interface's position) in a binary heap, so the earliest is at hand, a
//! due key is taken in O(log n), and a key whose deadline moved is
//! re-filed in O(log n).
//!
//! Re-filing happens at every probe sent and every reply (some 14,000
//! times a second for a thousand members), so it only pushes: the entry
//! the key had stays in the heap, stale, and is dropped when it reaches
//! the top (lazy deletion). An entry is current if its time is the
//! key's deadline in `by_key`. Stale entries are at most the re-filings
//! since their time came, and the heap is rebuilt from `by_key` if they
//! ever outnumber the current ones by far, so memory stays O(keys).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::time::Instant;

/// One deadline per key, ordered by time.
#[derive(Clone, Debug, Default)]
pub struct Deadlines {
    /// (time, key), earliest on top; the top entry is always current.
    heap: BinaryHeap<Reverse<(Instant, usize)>>,
    /// Each key's deadline, by key.
    by_key: Vec<Option<Instant>>,
    /// How many keys have one.
    len: usize,
}

/// The heap is rebuilt when it holds more than this many entries per
/// current one (plus a few, so that a handful of keys never rebuild).
const STALE_FACTOR: usize = 4;

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
        if let Some(t) = at {
            self.heap.push(Reverse((t, key)));
        }
        if self.heap.len() > STALE_FACTOR * self.len + 64 {
            self.rebuild();
        } else {
            self.drop_stale();
        }
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((t, _))| *t)
    }

    /// Takes a key whose deadline is at or before `now` (the earliest
    /// first); its entry is removed, to be filed again by whoever
    /// handles it.
    pub fn pop_due(&mut self, now: Instant) -> Option<usize> {
        let &Reverse((t, key)) = self.heap.peek()?;
        if t > now {
            return None;
        }
        self.heap.pop();
        self.by_key[key] = None;
        self.len -= 1;
        self.drop_stale();
        Some(key)
    }

    /// Forgets every deadline.
    pub fn clear(&mut self) {
        self.heap.clear();
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

    /// Pops stale entries off the top, so that the top is current.
    fn drop_stale(&mut self) {
        while let Some(&Reverse((t, key))) = self.heap.peek() {
            if self.by_key[key] == Some(t) {
                break;
            }
            self.heap.pop();
        }
    }

    /// The heap again from the current deadlines only.
    fn rebuild(&mut self) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        entries.clear();
        entries.extend(
            self.by_key
                .iter()
                .enumerate()
                .filter_map(|(k, t)| t.map(|t| Reverse((t, k)))),
        );
        self.heap = BinaryHeap::from(entries);
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

        /// Re-filing, removing and taking due keys in any order: each
        /// due key comes out once, earliest first, and only when due.
        #[test]
        fn pop_due_takes_each_due_key_once_earliest_first(
            ops in proptest::collection::vec(
                (0usize..6, proptest::option::of(0u64..50), 0u64..60),
                0..200)
        ) {
            let mut d = Deadlines::new();
            let mut model = std::collections::BTreeMap::new();
            for (k, at, now) in ops {
                d.set(k, at.map(t));
                match at {
                    Some(x) => { model.insert(k, t(x)); }
                    None => { model.remove(&k); }
                }
                if now % 3 == 0 {
                    let now = t(now);
                    while let Some(key) = d.pop_due(now) {
                        let due = model.remove(&key);
                        proptest::prop_assert!(due.is_some_and(|w| w <= now));
                        let earliest = due.into_iter()
                            .chain(model.values().copied()).min();
                        proptest::prop_assert_eq!(due, earliest);
                    }
                    proptest::prop_assert!(
                        model.values().all(|&w| w > now));
                }
                proptest::prop_assert_eq!(
                    d.next(), model.values().min().copied());
                proptest::prop_assert_eq!(d.len(), model.len());
            }
        }
    }
}
