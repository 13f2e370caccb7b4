//! Counts that last as long as the daemon: per port, its probes and its
//! failures and repairs; per link-state group, how often it went down.
//! They are kept by name, apart from the ports and groups, because a
//! reload rebuilds whatever changed from scratch and a counter must not
//! go back to zero until laggd restarts (Prometheus reads a drop as a
//! reset).

use std::collections::BTreeMap;

use crate::laggd::tracking::TrackingState;
use crate::probe::Counters;
use mpath_proto::laggd::PortCounters;

/// One port's counts apart from its live detectors'.
#[derive(Clone, Copy, Debug, Default)]
struct PortTally {
    /// Probes of the detectors a reload replaced.
    retired: Counters,
    failures: u64,
    repairs: u64,
}

/// The engine's counts, by name.
#[derive(Debug, Default)]
pub(super) struct Tally {
    ports: BTreeMap<String, PortTally>,
    /// Per link-state group: the state last seen and the times it went
    /// down.
    tracking: BTreeMap<String, (TrackingState, u64)>,
}

impl Tally {
    /// Port `name`'s counts, its live detectors' `live` added.
    pub fn port(&self, name: &str, live: &Counters) -> PortCounters {
        let t = self.ports.get(name).copied().unwrap_or_default();
        let mut c = t.retired;
        c.add(live);
        PortCounters {
            probes_sent: c.sent,
            probes_answered: c.answered_in_time(),
            probes_lost: c.timed_out(),
            failures: t.failures,
            repairs: t.repairs,
        }
    }

    /// Port `name`'s detectors were replaced: their counts stay.
    pub fn retire(&mut self, name: &str, counts: &Counters) {
        let t = self.ports.entry(name.to_string()).or_default();
        t.retired.add(counts);
    }

    /// Port `name` failed (`false`) or was repaired (`true`).
    pub fn port_verdict(&mut self, name: &str, repaired: bool) {
        let t = self.ports.entry(name.to_string()).or_default();
        if repaired {
            t.repairs += 1;
        } else {
            t.failures += 1;
        }
    }

    /// Link-state group `name` is in `state` now: a change to down
    /// counts.
    pub fn tracking_state(&mut self, name: &str, state: TrackingState) {
        let e = self
            .tracking
            .entry(name.to_string())
            .or_insert((TrackingState::Up, 0));
        if state == TrackingState::Down && e.0 != TrackingState::Down {
            e.1 += 1;
        }
        e.0 = state;
    }

    /// How often link-state group `name` went down.
    pub fn downs(&self, name: &str) -> u64 {
        self.tracking.get(name).map_or(0, |e| e.1)
    }
}
