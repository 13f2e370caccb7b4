//! Target list maintenance: which addresses may be targets, rebuilding
//! the list from configuration, and target failure.

use std::net::IpAddr;
use std::time::Duration;

use super::ProbeDetector;
use crate::probe::rtt::RttEstimator;
use crate::probe::target::{
    Target, TargetKind, TargetState, MIN_PROBE_TARGETS,
};
use crate::probe::{Family, ProbeEvent, MIN_DIVERSE_TARGETS};
use crate::time::Instant;

impl ProbeDetector {
    /// Whether `addr` may be probed: our family, a unicast address that
    /// is not ours, and for IPv6 link-local (replies must come from
    /// link-local sources).
    pub(super) fn acceptable(&self, addr: IpAddr) -> bool {
        let unicast = match addr {
            IpAddr::V4(a) => {
                !a.is_unspecified()
                    && !a.is_multicast()
                    && !a.is_broadcast()
                    && !a.is_loopback()
            }
            IpAddr::V6(a) => a.is_unicast_link_local(),
        };
        Family::of(addr) == self.family && unicast && !self.own.contains(&addr)
    }

    /// Routers that could be probed (neither dead nor slow).
    pub(super) fn healthy_routers(&self) -> usize {
        self.targets.count(|t| {
            t.kind == TargetKind::Router
                && matches!(t.state, TargetState::Active | TargetState::Unused)
        })
    }

    /// Whether multicast responders are wanted as host targets: no
    /// explicit targets, and fewer than two usable routers.
    pub(super) fn hosts_wanted(&self) -> bool {
        self.explicit.is_empty() && self.healthy_routers() < MIN_DIVERSE_TARGETS
    }

    /// Rebuild the list from the explicit/router configuration, keeping
    /// the state of targets that stay.
    pub(super) fn rebuild_targets(
        &mut self,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let (desired, kind) = if self.explicit.is_empty() {
            (&self.routers, TargetKind::Router)
        } else {
            (&self.explicit, TargetKind::Explicit)
        };
        let old = self.targets.entries().to_vec();
        let mut new: Vec<Target> = Vec::new();
        for &addr in desired {
            if !self.acceptable(addr) || new.iter().any(|t| t.addr == addr) {
                continue;
            }
            let kept = old.iter().find(|t| t.addr == addr && t.kind == kind);
            new.push(kept.cloned().unwrap_or_else(|| Target {
                addr,
                kind,
                state: TargetState::Unused,
                since: now,
                rtt: RttEstimator::new(),
            }));
        }
        if kind == TargetKind::Router {
            let keep_vanished = self.state.is_failed();
            let healthy = new
                .iter()
                .filter(|t| {
                    matches!(t.state, TargetState::Active | TargetState::Unused)
                })
                .count();
            for t in &old {
                if new.iter().any(|n| n.addr == t.addr)
                    || !self.acceptable(t.addr)
                {
                    continue;
                }
                let keep = match t.kind {
                    TargetKind::Router => keep_vanished,
                    TargetKind::Host => healthy < MIN_DIVERSE_TARGETS,
                    TargetKind::Explicit => false,
                };
                if keep {
                    new.push(t.clone());
                }
            }
        }
        self.targets.replace(new);
        self.targets.fill(now);
        self.targets.activate_replacements(now);

        let after = self.targets.entries();
        for t in &old {
            if !after.iter().any(|n| n.addr == t.addr && n.kind == t.kind) {
                out.push(ProbeEvent::TargetRemoved { addr: t.addr });
            }
        }
        for t in after {
            if !old.iter().any(|o| o.addr == t.addr && o.kind == t.kind) {
                out.push(ProbeEvent::TargetAdded {
                    addr: t.addr,
                    kind: t.kind,
                });
            }
        }
        self.sync_state(now, out);
    }

    /// After a target was parked or deleted: re-activate replacements if
    /// none is left, then update the verdict.
    pub(super) fn after_target_loss(
        &mut self,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        self.targets.activate_replacements(now);
        self.sync_state(now, out);
    }

    /// Target failure: the target of the most recent probe lost five in a
    /// row while others answered.
    pub(super) fn target_failed(
        &mut self,
        addr: IpAddr,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let Some(kind) = self.targets.get(addr).map(|t| t.kind) else {
            return;
        };
        out.push(ProbeEvent::TargetDead { addr });
        match kind {
            TargetKind::Host => {
                self.targets.remove(addr);
                out.push(ProbeEvent::TargetRemoved { addr });
                self.after_target_loss(now, out);
                if self.explicit.is_empty() {
                    self.send_multi(now, out);
                }
            }
            TargetKind::Router | TargetKind::Explicit => {
                self.targets.park(addr, TargetState::Dead, now);
                self.after_target_loss(now, out);
            }
        }
    }

    /// A target much slower than the others (the "exception"): park a
    /// router or explicit target, delete a host and look for another.
    pub(super) fn set_aside(
        &mut self,
        addr: IpAddr,
        now: Instant,
        out: &mut Vec<ProbeEvent>,
    ) {
        let Some(kind) = self.targets.get(addr).map(|t| t.kind) else {
            return;
        };
        out.push(ProbeEvent::TargetSlow { addr });
        match kind {
            TargetKind::Host => {
                self.targets.remove(addr);
                out.push(ProbeEvent::TargetRemoved { addr });
                self.after_target_loss(now, out);
                self.send_multi(now, out);
            }
            TargetKind::Router | TargetKind::Explicit => {
                self.targets.park(addr, TargetState::Slow, now);
                self.after_target_loss(now, out);
            }
        }
    }

    /// Whether `addr`, whose crtt exceeds `interval`, is an exception: at
    /// least four active targets and every other one at most half the
    /// interval.
    pub(super) fn is_exception(
        &self,
        addr: IpAddr,
        interval: Duration,
    ) -> bool {
        let active: Vec<&Target> = self
            .targets
            .entries()
            .iter()
            .filter(|t| t.state == TargetState::Active)
            .collect();
        active.len() > MIN_PROBE_TARGETS
            && active
                .iter()
                .filter(|t| t.addr != addr)
                .all(|t| t.rtt.crtt().is_none_or(|c| c <= interval / 2))
    }
}
