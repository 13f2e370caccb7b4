//! laggd's engine in a simulated world: ports whose ARP probes are
//! answered unless their path is cut, carrier changes, and the actions
//! that come out.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Duration;

use crate::kernel::{KernelLink, KernelSnapshot};
use crate::laggd::config::parse;
use crate::laggd::engine::{LaggAction, LaggEngine};
use crate::laggd::redundancy::HaEffect;
use crate::time::Instant;

pub(super) struct World {
    pub(super) e: LaggEngine,
    pub(super) snap: KernelSnapshot,
    pub(super) now: Instant,
    pub(super) cut: BTreeSet<String>,
    pending: Vec<(Instant, String, IpAddr)>,
    pub(super) actions: Vec<LaggAction>,
}

pub(super) fn link(name: &str, index: u32, addr: Option<&str>) -> KernelLink {
    KernelLink {
        name: name.into(),
        index,
        mac: Some([2, 0, 0, 0, 2, index as u8]),
        admin_up: true,
        carrier: Some(true),
        loopback: false,
        addrs: addr.map(|a| a.parse().unwrap()).into_iter().collect(),
        groups: Vec::new(),
    }
}

impl World {
    pub(super) fn new(conf: &str) -> World {
        let cfg = parse("laggd.conf", conf).expect("config").config;
        let now = Instant::from_secs(100);
        let snap = KernelSnapshot {
            links: vec![
                link("bond0", 1, Some("192.0.2.10/24")),
                link("p0", 2, None),
                link("p1", 3, None),
                link("d0", 4, None),
            ],
            routes: Vec::new(),
        };
        let mut w = World {
            e: LaggEngine::new(cfg, 3, now),
            snap,
            now,
            cut: BTreeSet::new(),
            pending: Vec::new(),
            actions: Vec::new(),
        };
        w.sync();
        // At start, each aggregate's membership is asserted once (a laggd
        // that died may have left ports out).
        assert_eq!(w.memberships().len(), w.e.cfg.aggregates.len());
        w.actions.clear();
        w
    }

    pub(super) fn sync(&mut self) {
        let active: BTreeMap<String, Option<String>> = BTreeMap::new();
        self.e.sync(&self.snap, &active, self.now);
        self.collect();
    }

    pub(super) fn collect(&mut self) {
        for a in self.e.take_actions() {
            if let LaggAction::SendProbe { port, target, .. } = &a {
                let carrier = self
                    .snap
                    .links
                    .iter()
                    .any(|l| &l.name == port && l.carrier == Some(true));
                if carrier && !self.cut.contains(port) {
                    self.pending.push((
                        self.now + Duration::from_millis(1),
                        port.clone(),
                        *target,
                    ));
                }
                continue;
            }
            self.actions.push(a);
        }
    }

    pub(super) fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            let next_reply = self.pending.iter().map(|p| p.0).min();
            let next = [self.e.next_deadline(), next_reply, Some(end)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(end)
                .max(self.now);
            self.now = next;
            let (due, rest): (Vec<_>, Vec<_>) =
                std::mem::take(&mut self.pending)
                    .into_iter()
                    .partition(|p| p.0 <= self.now);
            self.pending = rest;
            for (at, port, target) in due {
                self.e.on_probe_reply(&port, target, at, self.now);
            }
            self.e.poll(self.now);
            self.collect();
            if next == end {
                break;
            }
        }
    }

    pub(super) fn carrier(&mut self, name: &str, up: bool) {
        for l in &mut self.snap.links {
            if l.name == name {
                l.carrier = Some(up);
            }
        }
        self.sync();
    }

    pub(super) fn memberships(&self) -> Vec<Vec<String>> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                LaggAction::SetMembership { ports, .. } => Some(ports.clone()),
                _ => None,
            })
            .collect()
    }

    pub(super) fn ups(&self, iface: &str) -> Vec<bool> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                LaggAction::SetInterfaceUp { iface: i, up } if i == iface => {
                    Some(*up)
                }
                _ => None,
            })
            .collect()
    }
}

pub(super) const CONF: &str = "\
FAILURE_DETECTION_TIME=1000
lagg bond0 ports p0 p1 min-links 1 action down targets 192.0.2.1
track-group uplinks upstream bond0 downstream d0 health probe
redundancy rg1 priority 120 failover-threshold 80 track bond0 decrement 50 keepalived /run/laggd-rg1
";

#[test]
fn a_port_whose_path_dies_leaves_and_returns_in_master_order() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    assert!(w.memberships().is_empty(), "{:?}", w.actions);
    w.cut.insert("p0".into());
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.memberships(), vec![vec!["p1".to_string()]]);
    w.cut.clear();
    w.run_for(Duration::from_secs(4));
    assert_eq!(
        w.memberships().last().unwrap(),
        &vec!["p0".to_string(), "p1".to_string()]
    );
}

#[test]
fn min_links_tracking_and_redundancy_follow_the_ports() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    w.carrier("p0", false);
    w.carrier("p1", false);
    w.run_for(Duration::from_millis(100));
    assert_eq!(w.ups("bond0"), vec![false], "min-links 1: bond0 down");
    assert_eq!(w.ups("d0"), vec![false], "tracking: downstream down");
    let faulted = w.actions.iter().any(
        |a| matches!(a, LaggAction::ApplyHa { effect, .. } if *effect == HaEffect::Resign),
    );
    assert!(faulted, "120 - 50 < 80: faulted; {:?}", w.actions);
    w.carrier("p1", true);
    w.run_for(Duration::from_secs(4));
    assert_eq!(w.ups("bond0"), vec![false, true]);
    assert_eq!(w.ups("d0"), vec![false, true]);
    let last = w.actions.iter().rev().find_map(|a| match a {
        LaggAction::ApplyHa { effect, .. } => Some(*effect),
        _ => None,
    });
    // p0 is still bad: with the default failure-threshold 0, bond0
    // keeps its bad score and rg1 its 50 less: 70, below 80, resigned.
    assert_eq!(last, Some(HaEffect::Resign));
    w.carrier("p0", true);
    w.run_for(Duration::from_secs(4));
    let last = w.actions.iter().rev().find_map(|a| match a {
        LaggAction::ApplyHa { effect, .. } => Some(*effect),
        _ => None,
    });
    assert_eq!(last, Some(HaEffect::Demote(0)));
}

#[test]
fn status_shows_each_port_verdict_reason_and_rtt() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    w.cut.insert("p0".into());
    w.run_for(Duration::from_secs(2));
    let s = w.e.status(w.now);
    let a = &s.aggregates[0];
    assert_eq!(a.name, "bond0");
    assert_eq!(a.in_service, vec!["p1".to_string()]);
    assert_eq!((a.live, a.min_links, a.below_min_links), (1, 1, false));
    let p0 = &a.ports[0];
    assert_eq!((p0.link.as_str(), p0.probe.as_str()), ("up", "failed"));
    assert_eq!(
        (p0.state.as_str(), p0.reason.as_str()),
        ("failed", "probes lost")
    );
    assert!(!p0.in_service);
    assert!(p0.changed_ms_ago.unwrap() < 2000);
    let p1 = &a.ports[1];
    assert_eq!(p1.state, "ok");
    assert_eq!(p1.targets[0].rtt_avg_us, Some(1000), "replies after 1 ms");
    assert_eq!(s.tracking[0].state, "up");
    assert_eq!(s.tracking[0].upstream[0].state, "up");
    // One bad port: bad score (failure-threshold 0 by default).
    assert!(a.bad_score);
    assert_eq!(s.redundancy[0].current_priority, 70);
    assert_eq!(s.redundancy[0].tracks[0].kind, "aggregate");
}

#[test]
fn reload_keeps_a_failed_port_failed_and_restores_what_is_no_longer_asked() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    w.carrier("p0", false);
    w.carrier("p1", false);
    w.run_for(Duration::from_millis(100));
    assert_eq!(w.ups("bond0"), vec![false]);
    assert_eq!(w.ups("d0"), vec![false]);
    // Same aggregate, no tracking, no redundancy group.
    let cfg = parse(
        "laggd.conf",
        "FAILURE_DETECTION_TIME=1000\nlagg bond0 ports p0 p1 targets 192.0.2.1\n",
    )
    .unwrap()
    .config;
    w.actions.clear();
    w.e.reconfigure(cfg, 4, w.now);
    w.collect();
    assert_eq!(w.ups("d0"), vec![true], "no longer tracked: restored");
    assert_eq!(w.ups("bond0"), vec![true], "no min-links: brought up");
    let cleared = w.actions.iter().any(|a| {
        matches!(a, LaggAction::ApplyHa { group, effect, .. }
            if group == "rg1" && *effect == HaEffect::default())
    });
    assert!(
        cleared,
        "the removed group's demotion is taken back: {:?}",
        w.actions
    );
    let s = w.e.status(w.now);
    assert_eq!(s.aggregates[0].ports[0].state, "failed", "state kept");
}

#[test]
fn reload_of_the_same_file_changes_nothing() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    w.cut.insert("p0".into());
    w.run_for(Duration::from_secs(2));
    w.actions.clear();
    let cfg = parse("laggd.conf", CONF).unwrap().config;
    w.e.reconfigure(cfg, 4, w.now);
    w.collect();
    w.sync();
    assert!(w.memberships().is_empty(), "{:?}", w.actions);
    assert!(w.ups("bond0").is_empty() && w.ups("d0").is_empty());
    w.run_for(Duration::from_secs(1));
    assert!(w.memberships().is_empty(), "p0 stays out: {:?}", w.actions);
}

#[test]
fn shutdown_undoes_what_laggd_did() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    w.carrier("p0", false);
    w.carrier("p1", false);
    w.run_for(Duration::from_millis(100));
    w.actions.clear();
    w.e.shutdown();
    w.collect();
    assert_eq!(w.ups("d0"), vec![true]);
    assert_eq!(w.ups("bond0"), vec![true]);
    assert!(w.actions.iter().any(|a| matches!(a,
        LaggAction::ApplyHa { effect, .. } if *effect == HaEffect::default())));
}

#[test]
fn a_plain_interface_tracked_by_a_redundancy_group_follows_its_link() {
    let mut w = World::new(
        "lagg bond0 ports p0 p1\nredundancy rg1 priority 100 track d0 decrement 30\n",
    );
    w.run_for(Duration::from_millis(10));
    w.carrier("d0", false);
    w.run_for(Duration::from_millis(10));
    assert_eq!(w.e.status(w.now).redundancy[0].current_priority, 70);
    w.carrier("d0", true);
    w.run_for(Duration::from_millis(10));
    assert_eq!(w.e.status(w.now).redundancy[0].current_priority, 100);
}

#[test]
fn a_link_bounce_caused_by_a_membership_change_does_not_fail_the_port() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    w.cut.insert("p0".into());
    w.run_for(Duration::from_secs(2));
    w.cut.clear();
    // Repaired: p0 is put back, and its link bounces as it rejoins.
    while w.memberships().len() < 2 {
        w.run_for(Duration::from_millis(10));
    }
    w.e.settle(&["p0".to_string()], w.now);
    w.carrier("p0", false);
    w.run_for(Duration::from_secs(1));
    w.carrier("p0", true);
    w.run_for(Duration::from_secs(6));
    assert_eq!(
        w.memberships().len(),
        2,
        "no re-failure: {:?}",
        w.memberships()
    );
    // A link that stays down past the settle time fails the port.
    w.cut.insert("p0".into());
    w.run_for(Duration::from_secs(2));
    w.cut.clear();
    while w.memberships().len() < 4 {
        w.run_for(Duration::from_millis(10));
    }
    let back = w.now;
    w.e.settle(&["p0".to_string()], w.now);
    w.carrier("p0", false);
    w.run_for(Duration::from_secs(7));
    let failed_at = w.memberships().len();
    assert_eq!(failed_at, 5, "{:?}", w.memberships());
    assert!(w.now.saturating_since(back) >= super::MEMBERSHIP_SETTLE);
}

#[test]
fn a_membership_the_os_refused_is_asked_again_at_the_next_sync() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    w.cut.insert("p0".into());
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.memberships(), vec![vec!["p1".to_string()]]);
    w.e.membership_failed("bond0");
    w.e.membership_failed("no-such-aggregate");
    w.sync();
    assert_eq!(
        w.memberships(),
        vec![vec!["p1".to_string()], vec!["p1".to_string()]]
    );
    w.sync();
    assert_eq!(w.memberships().len(), 2, "asked once, not forever");
}

/// The HA effects applied since the last look, and forget them.
fn ha_applied(w: &mut World) -> Vec<HaEffect> {
    let out = w
        .actions
        .iter()
        .filter_map(|a| match a {
            LaggAction::ApplyHa { effect, .. } => Some(*effect),
            _ => None,
        })
        .collect();
    w.actions.clear();
    out
}

fn set_vip(w: &mut World, held: bool) {
    let vip: crate::addr::IpPrefix = "192.0.2.100/24".parse().unwrap();
    let bond = &mut w.snap.links[0];
    bond.addrs.retain(|p| *p != vip);
    if held {
        bond.addrs.push(vip);
    }
    w.sync();
}

#[test]
fn keepalived_vip_shows_the_role_and_preempt_off_holds_a_recovered_standby() {
    use crate::laggd::redundancy::HaEffect::{Demote, Resign, Yield};
    let mut w = World::new(
        "redundancy rg1 priority 120 track d0 decrement 50 \
         keepalived /run/k vip 192.0.2.100\n",
    );
    let applied = w.e.status(w.now).redundancy[0].applied.clone();
    assert_eq!(applied.as_deref(), Some("demotion 0"), "applied at start");
    let role = |w: &World| w.e.status(w.now).redundancy[0].role.clone();
    assert_eq!(role(&w), "standby", "no VIP here");
    set_vip(&mut w, true);
    assert_eq!(role(&w), "active");
    w.carrier("d0", false);
    assert_eq!(ha_applied(&mut w), [Demote(50)]);
    // The peer preempted: keepalived removed the VIP here.
    set_vip(&mut w, false);
    w.carrier("d0", true);
    assert_eq!(ha_applied(&mut w), [Yield], "held back without preempt");
    assert!(w.e.status(w.now).redundancy[0].held);
    // The peer failed: this chassis is master again at priority 1, and
    // goes back to its whole priority.
    set_vip(&mut w, true);
    assert_eq!(ha_applied(&mut w), [Demote(0)]);
    // A manual switchover resigns, then yields once the peer is active;
    // cancelled, the standby holds (no preempt).
    assert_eq!(w.e.switchover("rg1", true, w.now), Ok(true));
    w.collect();
    assert_eq!(ha_applied(&mut w), [Resign]);
    set_vip(&mut w, false);
    assert_eq!(ha_applied(&mut w), [Yield]);
    let st = &w.e.status(w.now).redundancy[0];
    assert!(st.switchover);
    assert_eq!(st.applied.as_deref(), Some("yield"));
    assert_eq!(w.e.switchover("rg1", false, w.now), Ok(true));
    assert_eq!(w.e.switchover("rg1", false, w.now), Ok(false));
    w.collect();
    let logs: Vec<&str> = w
        .actions
        .iter()
        .filter_map(|a| match a {
            LaggAction::Log { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        logs,
        [
            "redundancy group rg1: manual switchover cancelled",
            "redundancy group rg1: recovered while standby; without \
             preempt it yields until it is active again"
        ]
    );
    assert!(ha_applied(&mut w).is_empty());
    assert!(w.e.status(w.now).redundancy[0].held);
    assert!(w.e.switchover("rg9", true, w.now).is_err());
    // At exit everything is taken back.
    w.e.shutdown();
    w.collect();
    assert_eq!(ha_applied(&mut w), [Demote(0)]);
}

#[test]
fn an_upstream_returning_as_another_leaves_does_not_bounce_the_downstream() {
    // Found by the soak (tests/soak): one snapshot in which p1 comes
    // back and p0 goes down. Taken in configuration order, p0's loss
    // made every upstream look down for an instant, and d0 was brought
    // down and up again.
    let mut w = World::new(
        "lagg bond0 ports p0 p1\n\
         track-group t upstream p0 p1 downstream d0 health link\n",
    );
    w.run_for(Duration::from_millis(10));
    w.carrier("p1", false);
    w.run_for(Duration::from_millis(10));
    for l in &mut w.snap.links {
        match l.name.as_str() {
            "p0" => l.carrier = Some(false),
            "p1" => l.carrier = Some(true),
            _ => {}
        }
    }
    w.sync();
    w.run_for(Duration::from_millis(10));
    assert!(w.ups("d0").is_empty(), "{:?}", w.actions);
    assert_eq!(w.e.status(w.now).tracking[0].state, "up");
}

#[test]
fn port_counters_survive_a_reload_that_replaces_the_detectors() {
    let mut w = World::new(CONF);
    w.run_for(Duration::from_secs(3));
    w.cut.insert("p0".into());
    w.run_for(Duration::from_secs(2));
    let p0 = |w: &World| w.e.status(w.now).aggregates[0].ports[0].counters;
    let before = p0(&w);
    assert_eq!(before.failures, 1);
    assert!(before.probes_lost >= 5, "{before:?}");
    assert!(before.probes_sent >= before.probes_answered + before.probes_lost);
    // Another FDT: new detectors, the counts stay.
    let cfg = parse("laggd.conf", &CONF.replace("=1000", "=2000"))
        .unwrap()
        .config;
    w.e.reconfigure(cfg, 4, w.now);
    w.collect();
    let after = p0(&w);
    assert!(after.probes_sent >= before.probes_sent, "{after:?}");
    assert_eq!(after.probes_lost, before.probes_lost);
    assert_eq!(after.failures, 1);
    w.carrier("p0", false);
    w.carrier("p1", false);
    w.run_for(Duration::from_millis(100));
    assert_eq!(w.e.status(w.now).tracking[0].downs, 1);
}
