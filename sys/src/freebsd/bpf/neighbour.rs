//! The probe path's own ARP cache.
//!
//! Writing frames through BPF bypasses the kernel's ARP table, so each
//! probe path resolves its targets itself, with ARP requests and
//! replies through the same BPF descriptor, on the very interface the
//! probes leave by (the kernel's entry for a target may well point out
//! of another member of the group).
//!
//! # Policy
//!
//! * An entry is **fresh** for [`REACHABLE_TIME`] (30 s, the usual
//!   base reachable time of RFC 4861 and FreeBSD's ARP) after the last
//!   confirmation, and only while fewer than [`MAX_UNANSWERED`] (2)
//!   probes sent to it since have gone unanswered. A confirmation is an
//!   ARP reply from the target, or an echo reply from it: a reply proves
//!   the cached address reached it, as upper-layer confirmation does in
//!   the kernels' neighbour caches. While the target answers probes,
//!   then, it is never asked for its MAC again.
//! * A probe to an entry that is **not fresh** still goes to the cached
//!   MAC, and an ARP request (broadcast, so that a target that changed
//!   its MAC is found too) goes with it, at most one per
//!   [`REQUEST_INTERVAL`] (1 s) per target.
//! * A probe to a target with **no MAC yet** is not sent; an ARP request
//!   is, and the probe counts as sent. An unreachable target thus shows
//!   up as lost probes, which is what the failure detector is for, and
//!   a target that answers ARP within the probe interval loses no probe
//!   but the first.
//! * Only targets we probe get entries (an ARP reply for another address
//!   changes nothing), at most [`MAX_ENTRIES`]; beyond that the one
//!   unused longest is forgotten. Entries are never forgotten otherwise:
//!   a dead target's stale MAC costs nothing but the lost probes it
//!   should cost.

use std::net::Ipv4Addr;
use std::time::Duration;

use mpath_core::time::Instant;
use mpath_wire::MacAddr;

/// How long a confirmation keeps an entry fresh (not ABI: our choice,
/// after RFC 4861's `REACHABLE_TIME`).
pub const REACHABLE_TIME: Duration = Duration::from_secs(30);

/// How many unanswered probes make an entry stale (not ABI: our choice).
pub const MAX_UNANSWERED: u32 = 2;

/// The least time between two ARP requests for one target (not ABI: our
/// choice).
pub const REQUEST_INTERVAL: Duration = Duration::from_secs(1);

/// How many targets one path remembers; in.mpathd probes at most five
/// (not ABI: our choice).
pub const MAX_ENTRIES: usize = 64;

/// What to do to send one probe to a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// Send the probe to this MAC; `None`: do not send it (it counts as
    /// sent and lost).
    pub mac: Option<MacAddr>,
    /// Broadcast an ARP request for the target.
    pub request: bool,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    ip: Ipv4Addr,
    mac: Option<MacAddr>,
    /// The last ARP or echo reply.
    confirmed: Option<Instant>,
    /// Probes sent to `mac` since then.
    unanswered: u32,
    /// The last ARP request.
    requested: Option<Instant>,
    /// The last probe.
    used: Instant,
}

/// One probe path's ARP cache (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct NeighbourCache {
    entries: Vec<Entry>,
}

impl NeighbourCache {
    /// An empty cache.
    pub fn new() -> NeighbourCache {
        NeighbourCache::default()
    }

    /// How to send a probe to `ip` at `now`, which also records the
    /// probe as sent (and unanswered until confirmed).
    pub fn resolve(&mut self, ip: Ipv4Addr, now: Instant) -> Resolution {
        let entry = self.entry(ip, now);
        entry.used = now;
        let fresh = entry.mac.is_some()
            && entry.unanswered < MAX_UNANSWERED
            && entry
                .confirmed
                .is_some_and(|t| now.saturating_since(t) < REACHABLE_TIME);
        let request = !fresh
            && entry
                .requested
                .is_none_or(|t| now.saturating_since(t) >= REQUEST_INTERVAL);
        if request {
            entry.requested = Some(now);
        }
        if entry.mac.is_some() {
            entry.unanswered = entry.unanswered.saturating_add(1);
        }
        Resolution {
            mac: entry.mac,
            request,
        }
    }

    /// An ARP reply: `ip` is at `mac`. Updates the entry if `ip` is a
    /// target (and returns whether it is).
    pub fn learn(&mut self, ip: Ipv4Addr, mac: MacAddr, now: Instant) -> bool {
        let Some(entry) = self.entries.iter_mut().find(|e| e.ip == ip) else {
            return false;
        };
        entry.mac = Some(mac);
        entry.confirmed = Some(now);
        entry.unanswered = 0;
        entry.requested = None;
        true
    }

    /// An echo reply from `ip`: the cached MAC, if any, reaches it.
    pub fn confirm(&mut self, ip: Ipv4Addr, now: Instant) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.ip == ip) {
            if entry.mac.is_some() {
                entry.confirmed = Some(now);
                entry.unanswered = 0;
            }
        }
    }

    /// The MAC cached for `ip`.
    pub fn mac(&self, ip: Ipv4Addr) -> Option<MacAddr> {
        self.entries.iter().find(|e| e.ip == ip).and_then(|e| e.mac)
    }

    /// The number of targets remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no target is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for `ip`, made if need be (forgetting the one unused
    /// longest if the cache is full).
    fn entry(&mut self, ip: Ipv4Addr, now: Instant) -> &mut Entry {
        if let Some(at) = self.entries.iter().position(|e| e.ip == ip) {
            return &mut self.entries[at];
        }
        if self.entries.len() >= MAX_ENTRIES {
            let oldest = (0..self.entries.len())
                .min_by_key(|&i| self.entries[i].used)
                .unwrap_or(0);
            self.entries.swap_remove(oldest);
        }
        self.entries.push(Entry {
            ip,
            mac: None,
            confirmed: None,
            unanswered: 0,
            requested: None,
            used: now,
        });
        let last = self.entries.len() - 1;
        &mut self.entries[last]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Ipv4Addr {
        Ipv4Addr::new(192, 0, 2, last)
    }

    fn mac(last: u8) -> MacAddr {
        MacAddr([2, 0, 0, 0, 0, last])
    }

    fn at(millis: u64) -> Instant {
        Instant::from_millis(millis)
    }

    fn send(mac: Option<MacAddr>, request: bool) -> Resolution {
        Resolution { mac, request }
    }

    #[test]
    fn an_unknown_target_is_asked_for_and_its_probes_are_lost() {
        let mut cache = NeighbourCache::new();
        assert_eq!(cache.resolve(ip(1), at(0)), send(None, true));
        // Within the request interval: no second request.
        assert_eq!(cache.resolve(ip(1), at(500)), send(None, false));
        assert_eq!(cache.resolve(ip(1), at(1000)), send(None, true));
        assert_eq!(cache.len(), 1);
        // The reply arrives: probes go out, no more requests.
        assert!(cache.learn(ip(1), mac(1), at(1001)));
        assert_eq!(cache.resolve(ip(1), at(2000)), send(Some(mac(1)), false));
        assert_eq!(cache.mac(ip(1)), Some(mac(1)));
    }

    #[test]
    fn answered_probes_keep_the_entry_fresh_indefinitely() {
        let mut cache = NeighbourCache::new();
        cache.resolve(ip(1), at(0));
        cache.learn(ip(1), mac(1), at(10));
        for second in 1..200 {
            let now = at(second * 1000);
            assert_eq!(cache.resolve(ip(1), now), send(Some(mac(1)), false));
            cache.confirm(ip(1), now + Duration::from_millis(3));
        }
    }

    #[test]
    fn two_unanswered_probes_bring_a_request_with_the_third() {
        let mut cache = NeighbourCache::new();
        cache.resolve(ip(1), at(0));
        cache.learn(ip(1), mac(1), at(0));
        assert_eq!(cache.resolve(ip(1), at(2000)), send(Some(mac(1)), false));
        assert_eq!(cache.resolve(ip(1), at(4000)), send(Some(mac(1)), false));
        // Stale: the probe still goes to the old MAC, with a request.
        assert_eq!(cache.resolve(ip(1), at(6000)), send(Some(mac(1)), true));
        assert_eq!(cache.resolve(ip(1), at(6500)), send(Some(mac(1)), false));
        assert_eq!(cache.resolve(ip(1), at(8000)), send(Some(mac(1)), true));
        // The target moved to a new MAC and says so.
        assert!(cache.learn(ip(1), mac(9), at(8001)));
        assert_eq!(cache.resolve(ip(1), at(10_000)), send(Some(mac(9)), false));
    }

    #[test]
    fn an_entry_goes_stale_after_the_reachable_time() {
        let mut cache = NeighbourCache::new();
        cache.resolve(ip(1), at(0));
        cache.learn(ip(1), mac(1), at(0));
        let before = at(29_999);
        assert_eq!(cache.resolve(ip(1), before), send(Some(mac(1)), false));
        cache.confirm(ip(1), before);
        let after = before + REACHABLE_TIME;
        assert_eq!(cache.resolve(ip(1), after), send(Some(mac(1)), true));
    }

    #[test]
    fn only_targets_are_learnt_and_confirmed() {
        let mut cache = NeighbourCache::new();
        assert!(!cache.learn(ip(7), mac(7), at(0)));
        cache.confirm(ip(7), at(0));
        assert!(cache.is_empty());
        // An echo reply does not resolve a target with no MAC.
        cache.resolve(ip(1), at(0));
        cache.confirm(ip(1), at(1));
        assert_eq!(cache.mac(ip(1)), None);
        assert_eq!(cache.resolve(ip(1), at(1500)), send(None, true));
    }

    #[test]
    fn a_full_cache_forgets_the_target_unused_longest() {
        let mut cache = NeighbourCache::new();
        for i in 0..MAX_ENTRIES {
            let last = u8::try_from(i).unwrap();
            let now = at(u64::from(last) * 10);
            cache.resolve(ip(last), now);
            cache.learn(ip(last), mac(last), now);
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        // Use target 0 again: target 1 is now unused longest.
        cache.resolve(ip(0), at(10_000));
        cache.resolve(ip(200), at(10_001));
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert_eq!(cache.mac(ip(0)), Some(mac(0)));
        assert_eq!(cache.mac(ip(1)), None);
        assert_eq!(cache.mac(ip(2)), Some(mac(2)));
    }
}
