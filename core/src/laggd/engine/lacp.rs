//! LACP in the engine: the OS's readings turned into the aggregate
//! policy's "aggregated or not" for each port (see
//! [`crate::laggd::lacp`]), with the timing LACP needs.
//!
//! LACP's word counts for a port only when it can be trusted:
//!
//! | situation                                        | the port counts as |
//! |--------------------------------------------------|--------------------|
//! | aggregate not in LACP mode                       | aggregated         |
//! | within [`LACP_SETTLE`](crate::laggd::lacp::LACP_SETTLE) of joining, of the         | aggregated         |
//! | aggregate being brought up, or of laggd starting |                    |
//! | (after a retry: [`LACP_RETRY_SETTLE`])            |                    |
//! | aggregate held down by laggd's min-links         | as before (LACP    |
//! |                                                  | runs not while down) |
//! | aggregate down otherwise (the operator's doing)  | aggregated         |
//! | otherwise                                        | what the OS says   |
//!
//! An LACP aggregate that min-links took down because LACP aggregated
//! too few ports would stay down for ever: while it is down LACP runs
//! not, and laggd cannot see the partner come back. So laggd brings it
//! up again after [`LACP_RETRY_FIRST`], gives LACP [`LACP_RETRY_SETTLE`]
//! to aggregate the ports, and if LACP does not, min-links takes it down
//! again and the wait doubles, up to [`LACP_RETRY_MAX`]. A bring-up
//! that LACP confirms resets the wait.

use std::time::Duration;

use crate::laggd::aggregate::MinLinksAction;
use crate::laggd::lacp::{
    LacpPort, LacpView, LACP_RETRY_FIRST, LACP_RETRY_MAX, LACP_RETRY_SETTLE,
};
use crate::laggd::messages as msg;
use crate::log::{Level, LogKind};
use crate::time::Instant;

use super::LaggEngine;

/// When to bring an LACP aggregate up again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LacpRetry {
    /// The next attempt, while one is due.
    pub at: Option<Instant>,
    /// The wait before the attempt after this one.
    pub wait: Duration,
}

impl Default for LacpRetry {
    fn default() -> LacpRetry {
        LacpRetry {
            at: None,
            wait: LACP_RETRY_FIRST,
        }
    }
}

impl LaggEngine {
    /// What the OS says of each LACP aggregate's ports (an aggregate is
    /// in `view` exactly when it is in LACP mode); taken into account at
    /// the next [`LaggEngine::sync`] or [`LaggEngine::poll`].
    pub fn observe_lacp(&mut self, view: &LacpView) {
        self.lacp_mode = view.keys().cloned().collect();
        for p in &mut self.ports {
            let agg = &self.cfg.aggregates[p.aggregate].name;
            p.lacp = view
                .get(agg)
                .and_then(|ports| ports.iter().find(|l| l.name == p.name))
                .cloned();
        }
    }

    /// Whether min-links holds aggregate `a` down (laggd brought it
    /// down, or is about to).
    fn held_down(&self, a: usize) -> bool {
        self.aggregates[a].min_links_down()
            && self.aggregates[a].config().min_links_action
                == MinLinksAction::BringDown
    }

    /// What LACP's word makes of port `i` now: aggregated or not;
    /// `None` while it cannot be trusted and the policy keeps what it
    /// has.
    fn lacp_counts(&self, i: usize, now: Instant) -> Option<bool> {
        let p = &self.ports[i];
        let a = p.aggregate;
        let agg = &self.cfg.aggregates[a].name;
        if !self.lacp_mode.contains(agg)
            || p.lacp_grace_until.is_some_and(|t| now < t)
        {
            return Some(true);
        }
        if self.held_down(a) {
            return None;
        }
        if self.links.get(agg).is_some_and(|l| !l.admin_up) {
            return Some(true);
        }
        Some(p.lacp.as_ref().is_some_and(LacpPort::aggregated))
    }

    /// Tells the aggregate policies what LACP says of their ports, and
    /// schedules or forgets the bring-up attempts.
    pub(super) fn evaluate_lacp(&mut self, now: Instant) {
        for i in 0..self.ports.len() {
            let Some(counted) = self.lacp_counts(i, now) else {
                continue;
            };
            let (a, name) =
                (self.ports[i].aggregate, self.ports[i].name.clone());
            if counted != self.aggregates[a].is_unaggregated(&name) {
                continue;
            }
            let mut out = Vec::new();
            self.aggregates[a].set_aggregated(&name, counted, &mut out);
            self.aggregate_events(a, out, now);
        }
        for a in 0..self.aggregates.len() {
            if !self.lacp_mode.contains(&self.cfg.aggregates[a].name) {
                self.lacp_retry[a] = LacpRetry::default();
                continue;
            }
            let policy = &self.aggregates[a];
            let serving = self.cfg.aggregates[a]
                .ports
                .iter()
                .filter(|p| policy.in_service(p))
                .count();
            let for_want_of_lacp =
                self.held_down(a) && serving >= policy.config().min_links;
            let settling = self.ports.iter().any(|p| {
                p.aggregate == a && p.lacp_grace_until.is_some_and(|t| now < t)
            });
            let retry = &mut self.lacp_retry[a];
            if for_want_of_lacp {
                if retry.at.is_none() {
                    retry.at = Some(now + retry.wait);
                }
            } else {
                retry.at = None;
                if !policy.min_links_down() && !settling {
                    // LACP confirmed the last bring-up (or none was
                    // needed).
                    retry.wait = LACP_RETRY_FIRST;
                }
            }
        }
    }

    /// Brings up the LACP aggregates whose attempt is due.
    pub(super) fn lacp_retries(&mut self, now: Instant) {
        for a in 0..self.lacp_retry.len() {
            let retry = self.lacp_retry[a];
            if retry.at.is_none_or(|t| t > now) {
                continue;
            }
            self.lacp_retry[a] = LacpRetry {
                at: None,
                wait: (retry.wait * 2).min(LACP_RETRY_MAX),
            };
            let agg = self.cfg.aggregates[a].name.clone();
            self.log(
                Level::Err,
                LogKind::State,
                msg::lacp_retry(
                    &agg,
                    LACP_RETRY_SETTLE,
                    self.lacp_retry[a].wait,
                ),
            );
            // The ports count as aggregated for a while: min-links is
            // met, and the aggregate comes up (evaluate follows).
            self.lacp_grace(a, now + LACP_RETRY_SETTLE);
        }
    }

    /// Every port of aggregate `a` counts as aggregated until `until`
    /// (or longer, if it already had longer).
    pub(super) fn lacp_grace(&mut self, a: usize, until: Instant) {
        for p in self.ports.iter_mut().filter(|p| p.aggregate == a) {
            p.lacp_grace_until = p.lacp_grace_until.max(Some(until));
        }
    }
}
