//! Probe paths and their targets: resolving each path's test address,
//! creating and dropping its detector, choosing its targets, and turning
//! detector events into actions.

use std::net::IpAddr;

use crate::addr::{Family, IpPrefix};
use crate::mpathd::config::TestAddress;
use crate::probe::{ProbeDetector, ProbeEvent, ProbeOutcome};
use crate::time::Instant;

use super::action::{Action, AddressRole, Level, LogKind};
use super::machine::{probe_config, Engine, TEST_ADDRESS_GRACE};
use super::messages as msg;
use crate::kernel::{KernelLink, KernelRoute};

impl Engine {
    /// Resolves test addresses, creates or drops detectors, and hands each
    /// detector its targets.
    pub(super) fn sync_paths(&mut self, i: usize, now: Instant) {
        let pid = self.pid;
        let pcfg = probe_config(&self.cfg);
        let routers: Vec<Vec<IpAddr>> = (0..self.ifaces[i].paths.len())
            .map(|p| self.router_targets(i, p))
            .collect();
        let own = std::sync::Arc::clone(&self.own);
        let mut adds = Vec::new();
        let mut now_has_src = false;
        let mut paths_changed = false;
        let iface = &mut self.ifaces[i];
        let id = iface.icmp_id(pid);
        let link_up = iface.link_up();
        let name = iface.name.clone();
        for (p, path) in iface.paths.iter_mut().enumerate() {
            let Some(k) = &iface.kernel else {
                continue;
            };
            let src = resolve_test(path.test, k);
            if src.is_none() {
                if let Some(pfx) = path.test.prefix() {
                    adds.push(Action::AddAddress {
                        ifname: name.clone(),
                        ifindex: k.index,
                        addr: test_kernel_prefix(pfx),
                        role: AddressRole::Test,
                    });
                }
            }
            if src != path.src {
                path.src = src;
                paths_changed |= path.retire_detector();
            }
            if iface.offline {
                paths_changed |= path.retire_detector();
                continue;
            }
            if path.src.is_some() && path.detector.is_none() {
                let seed = self.rng.next_u64();
                let mut d =
                    ProbeDetector::new(pcfg, path.family, id, seed, now);
                d.set_link(link_up, now);
                // in.mpathd ignores losses for 40 s after it starts
                // probing, for spanning tree on a link that just came up.
                // An interface already up when the daemon starts is past
                // that, and a restarted daemon must see a dead path
                // within FDT.
                if !iface.fresh_link {
                    d.end_quiet_period();
                }
                path.detector = Some(d);
                paths_changed = true;
            }
            if let Some(d) = &mut path.detector {
                now_has_src = true;
                d.share_own_addresses(&own);
                if path.explicit.is_empty() {
                    d.set_router_targets(&routers[p], now);
                } else {
                    d.set_explicit_targets(&path.explicit, now);
                }
            }
        }
        if paths_changed {
            self.paths_version += 1;
        }
        let announce_now = now_has_src && iface.no_test_logged;
        if announce_now {
            iface.no_test_logged = false;
        }
        self.actions.extend(adds);
        if announce_now {
            self.log(Level::Info, LogKind::Other, msg::test_address_now(&name));
        }
    }

    /// Router targets for path `p` of interface `i` (used when none are
    /// configured): next hops of routes on the test subnet, host routes
    /// first (the Solaris `route add -host T T` way of choosing
    /// targets).
    fn router_targets(&self, i: usize, p: usize) -> Vec<IpAddr> {
        let iface = &self.ifaces[i];
        let path = &iface.paths[p];
        if !path.explicit.is_empty() {
            return Vec::new();
        }
        let members: Vec<&str> = match self.index.group_of[i] {
            Some(g) if !iface.group.is_empty() => self.groups[g]
                .members()
                .iter()
                .map(|m| m.name.as_str())
                .collect(),
            _ => vec![iface.name.as_str()],
        };
        let on_subnet = |gw: IpAddr| match path.test {
            TestAddress::V4(pfx) => pfx.contains(gw),
            TestAddress::V6LinkLocal(_) | TestAddress::V6Auto => {
                matches!(gw, IpAddr::V6(v6) if v6.is_unicast_link_local())
            }
        };
        let mut routes: Vec<&KernelRoute> = self
            .routes
            .iter()
            .filter(|r| Family::of(r.gateway) == path.family)
            .filter(|r| on_subnet(r.gateway))
            .filter(|r| {
                path.family == Family::V4
                    || members.contains(&r.ifname.as_str())
            })
            .filter(|r| !self.own.contains(&r.gateway))
            .collect();
        let host_len = |r: &KernelRoute| match r.dst.addr() {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        routes.sort_by_key(|r| r.dst.len() != host_len(r));
        let mut out: Vec<IpAddr> = Vec::new();
        for r in routes {
            if !out.contains(&r.gateway) {
                out.push(r.gateway);
            }
        }
        out
    }

    /// Interface `i`'s timers: link detector, probe detectors, the
    /// test-address grace. True if the link detector had news (its
    /// events are handled here).
    pub(super) fn poll_iface(&mut self, i: usize, now: Instant) -> bool {
        let mut link_events = Vec::new();
        self.ifaces[i].link.poll(now, &mut link_events);
        self.handle_link_events(i, &link_events, now);
        let mut ev = std::mem::take(&mut self.probe_scratch);
        for p in 0..self.ifaces[i].paths.len() {
            if let Some(d) = &mut self.ifaces[i].paths[p].detector {
                d.poll(now, &mut ev);
            }
            self.probe_events(i, p, &mut ev);
        }
        self.probe_scratch = ev;
        self.no_test_address_check(i, now);
        !link_events.is_empty()
    }

    fn no_test_address_check(&mut self, i: usize, now: Instant) {
        let iface = &self.ifaces[i];
        let Some(at) = iface.appeared_at else {
            return;
        };
        if iface.group.is_empty()
            || iface.no_test_logged
            || iface.offline
            || iface.kernel.is_none()
            || iface.paths.iter().any(|p| p.src.is_some())
            || now.saturating_since(at) < TEST_ADDRESS_GRACE
        {
            return;
        }
        let m = msg::no_test_address(&iface.name);
        self.ifaces[i].no_test_logged = true;
        self.log(Level::Info, LogKind::Other, m);
    }

    /// Turns path `p` of interface `i`'s probe events into actions,
    /// draining `events` (a buffer the engine keeps, so that a probe
    /// allocates nothing here).
    pub(super) fn probe_events(
        &mut self,
        i: usize,
        p: usize,
        events: &mut Vec<ProbeEvent>,
    ) {
        if events.is_empty() {
            return;
        }
        let iface = &self.ifaces[i];
        let family = iface.paths[p].family;
        let (Some(src), Some(ifindex)) = (iface.paths[p].src, iface.index())
        else {
            events.clear();
            return;
        };
        for ev in events.drain(..) {
            let name = &self.ifaces[i].name;
            match ev {
                ProbeEvent::Send(request) => {
                    self.actions.push(Action::SendProbe {
                        ifindex,
                        family,
                        src,
                        request,
                    })
                }
                ProbeEvent::TargetDead { addr } => self.log(
                    Level::Info,
                    LogKind::Other,
                    msg::target_dead(family, name, &addr.to_string()),
                ),
                ProbeEvent::FdtRaised { to, .. } => {
                    let configured = self.cfg.tunables.failure_detection_time;
                    let group = &self.ifaces[i].group;
                    let m =
                        msg::fdt_raised(configured, family, name, group, to);
                    self.log(Level::Info, LogKind::Other, m);
                }
                ProbeEvent::FdtLowered { to, .. } => {
                    let group = &self.ifaces[i].group;
                    let m = msg::fdt_lowered(to, family, name, group);
                    self.log(Level::Info, LogKind::Other, m);
                }
                ProbeEvent::MissedProbes { count } => self.log(
                    Level::Info,
                    LogKind::Other,
                    msg::missed_probes(count, family, name),
                ),
                ProbeEvent::TargetSlow { addr } => self.log(
                    Level::Info,
                    LogKind::Other,
                    msg::target_slow(addr, family, name),
                ),
                ProbeEvent::TargetAdded { addr, .. } => self.log(
                    Level::Debug,
                    LogKind::Other,
                    msg::target_added(addr, family, name),
                ),
                ProbeEvent::TargetRemoved { addr } => self.log(
                    Level::Debug,
                    LogKind::Other,
                    msg::target_removed(addr, family, name),
                ),
                ProbeEvent::ProbeResolved { .. } if !self.report_probes => {}
                ProbeEvent::ProbeResolved {
                    seq,
                    target,
                    sent_at,
                    outcome,
                } => {
                    let (rtt_avg, rtt_dev) = self.ifaces[i].paths[p]
                        .detector
                        .as_ref()
                        .and_then(|d| d.target_rtt(target))
                        .unwrap_or_default();
                    self.actions.push(Action::ProbeResult {
                        ifname: name.clone(),
                        family,
                        seq,
                        target,
                        sent_at,
                        rtt: match outcome {
                            ProbeOutcome::Acked { rtt } => Some(rtt),
                            ProbeOutcome::Lost => None,
                        },
                        rtt_avg,
                        rtt_dev,
                    });
                }
                ProbeEvent::PathFailed { .. }
                | ProbeEvent::PathRepaired
                | ProbeEvent::NoTargets
                | ProbeEvent::TargetsAvailable => {}
            }
        }
    }
}

/// How a missing test address is configured. An IPv4 test address goes
/// in as a host address (/32): on a subnet it would become the primary
/// address and own the subnet route, which must follow the data
/// addresses instead (Linux and FreeBSD keep one subnet route per
/// primary address). Probes still reach on-link targets: the socket is
/// bound to the interface. The configured prefix length only says which
/// targets are on the test subnet. An IPv6 link-local test address goes
/// in as configured: fe80::/64 is per interface anyway.
fn test_kernel_prefix(p: IpPrefix) -> IpPrefix {
    match p.addr() {
        IpAddr::V4(_) => IpPrefix::host(p.addr()),
        IpAddr::V6(_) => p,
    }
}

/// The kernel address that is this path's test address, if present.
fn resolve_test(test: TestAddress, k: &KernelLink) -> Option<IpAddr> {
    match test {
        TestAddress::V4(p) | TestAddress::V6LinkLocal(p) => k
            .addrs
            .iter()
            .find(|a| a.addr() == p.addr())
            .map(|a| a.addr()),
        TestAddress::V6Auto => k.addrs.iter().map(|a| a.addr()).find(
            |a| matches!(a, IpAddr::V6(v6) if v6.is_unicast_link_local()),
        ),
    }
}
