//! The engine on day two: the operator's maintenance requests, LACP's
//! word on live ports, and the seeds' default failure threshold, in the
//! simulated world of `tests`.

use std::time::Duration;

use super::tests::{World, CONF};
use super::{LaggAction, MaintenanceError};
use crate::laggd::aggregate::OfflineError;
use crate::laggd::config::parse;
use crate::laggd::lacp::{
    LacpPort, LacpView, LACP_RETRY_FIRST, LACP_RETRY_SETTLE, LACP_SETTLE,
};

const S: fn(u64) -> Duration = Duration::from_secs;

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn logged(w: &World, text: &str) -> bool {
    w.actions.iter().any(
        |a| matches!(a, LaggAction::Log { message, .. } if message.contains(text)),
    )
}

#[test]
fn a_port_taken_offline_leaves_but_the_last_live_one_only_by_force() {
    let mut w = World::new(CONF);
    w.run_for(S(3));
    let changed = w.e.port_offline("p0", false, w.now).expect("offline p0");
    w.collect();
    assert_eq!(
        changed[0],
        "bond0: port p0 offline by the operator; taking it out until it is \
         put online, the next reload or a restart"
    );
    assert!(
        changed.iter().any(|l| l.contains("bad score")),
        "failure-threshold 0 by default: {changed:?}"
    );
    assert_eq!(w.memberships(), vec![names(&["p1"])]);
    let s = w.e.status(w.now);
    let p0 = &s.aggregates[0].ports[0];
    assert_eq!(
        (p0.state.as_str(), p0.offline, p0.live),
        ("offline", true, false)
    );
    assert_eq!(p0.reason, "offline by the operator");
    assert_eq!(s.aggregates[0].live, 1);
    // Offline stays whatever the probes say.
    w.run_for(S(3));
    assert_eq!(w.memberships().len(), 1, "{:?}", w.memberships());
    assert_eq!(
        w.e.port_offline("p0", false, w.now),
        Err(MaintenanceError::Refused(OfflineError::AlreadyOffline(
            "p0".into()
        )))
    );
    let e = w.e.port_offline("p1", false, w.now).unwrap_err();
    assert!(e.to_string().contains("last live port of bond0"), "{e}");
    assert!(matches!(
        w.e.port_offline("bond0", false, w.now),
        Err(MaintenanceError::IsAggregate(_))
    ));
    assert!(matches!(
        w.e.port_online("p7", w.now),
        Err(MaintenanceError::UnknownPort(_))
    ));
    // Forced: the last live port goes; min-links 1 takes bond0 down,
    // but the aggregate is never emptied.
    w.actions.clear();
    let changed = w.e.port_offline("p1", true, w.now).expect("forced");
    w.collect();
    assert!(changed[0].contains("(forced: it was the last live port)"));
    assert!(
        changed.iter().any(|l| l.contains("fewer than min-links 1")),
        "{changed:?}"
    );
    assert_eq!(w.ups("bond0"), vec![false]);
    assert!(w.memberships().is_empty(), "p1 stays in: {:?}", w.actions);
    // Online again: in service, min-links met, bond0 up.
    w.actions.clear();
    let changed = w.e.port_online("p0", w.now).expect("online p0");
    w.collect();
    assert_eq!(changed[0], "bond0: port p0 online again; putting it back");
    assert_eq!(w.memberships(), vec![names(&["p0"])]);
    assert_eq!(w.ups("bond0"), vec![true]);
    assert!(matches!(
        w.e.port_online("p0", w.now),
        Err(MaintenanceError::Refused(OfflineError::NotOffline(_)))
    ));
    // A reload ends maintenance.
    w.actions.clear();
    let cfg = parse("laggd.conf", CONF).unwrap().config;
    w.e.reconfigure(cfg, 5, w.now);
    w.collect();
    assert!(logged(&w, "bond0: port p1 online again"), "{:?}", w.actions);
    assert_eq!(w.memberships(), vec![names(&["p0", "p1"])]);
    assert!(!w.e.status(w.now).aggregates[0].ports[1].offline);
}

#[test]
fn a_disabled_track_group_restores_its_downstream_until_enabled() {
    let mut w = World::new(CONF);
    w.run_for(S(3));
    w.carrier("p0", false);
    w.carrier("p1", false);
    w.run_for(Duration::from_millis(100));
    assert_eq!(w.ups("d0"), vec![false]);
    w.actions.clear();
    let changed = w.e.set_track_group("uplinks", false, w.now).unwrap();
    w.collect();
    assert_eq!(
        changed,
        [
            "link-state group uplinks disabled by the operator until the \
             next reload or a restart",
            "link-state group uplinks: restoring d0 (the group is disabled)",
        ]
    );
    assert_eq!(w.ups("d0"), vec![true]);
    let g = &w.e.status(w.now).tracking[0];
    assert_eq!((g.state.as_str(), g.runtime), ("disabled", true));
    // Upstream changes do nothing while disabled.
    w.carrier("p1", true);
    w.carrier("p1", false);
    w.run_for(Duration::from_millis(100));
    assert_eq!(w.ups("d0"), vec![true]);
    assert_eq!(w.e.set_track_group("uplinks", false, w.now), Ok(vec![]));
    assert_eq!(
        w.e.set_track_group("nope", true, w.now),
        Err(MaintenanceError::UnknownGroup("nope".into()))
    );
    // Enabled with every upstream down: downstream down again at once.
    let changed = w.e.set_track_group("uplinks", true, w.now).unwrap();
    w.collect();
    assert!(changed[1].contains("bringing d0 down"), "{changed:?}");
    assert_eq!(w.ups("d0"), vec![true, false]);
    let g = &w.e.status(w.now).tracking[0];
    assert_eq!((g.state.as_str(), g.runtime), ("down", false));
}

#[test]
fn a_bad_score_aggregate_lowers_its_redundancy_groups_priority_by_default() {
    // No failure-threshold: FortiGate's 0, so one bad port of two marks
    // bond0 bad although min-links 1 keeps it up.
    let mut w = World::new(CONF);
    w.run_for(S(3));
    assert_eq!(w.e.status(w.now).redundancy[0].current_priority, 120);
    w.cut.insert("p1".into());
    w.run_for(S(2));
    let s = w.e.status(w.now);
    let a = &s.aggregates[0];
    assert_eq!(a.failure_threshold, Some(0));
    assert!(a.bad_score && !a.below_min_links, "{a:?}");
    assert_eq!(s.redundancy[0].current_priority, 70, "120 - 50");
    assert!(logged(
        &w,
        "bond0: 1 bad ports, more than the link-failure-threshold 0: bad score"
    ));
    assert!(logged(
        &w,
        "redundancy group rg1: priority 120 -> 70 (bond0 down)"
    ));
    // `failure-threshold off`: the same failure leaves the priority.
    let mut w = World::new(&CONF.replace(
        "action down targets",
        "action down failure-threshold off targets",
    ));
    w.run_for(S(3));
    w.cut.insert("p1".into());
    w.run_for(S(2));
    let s = w.e.status(w.now);
    assert_eq!(s.aggregates[0].failure_threshold, None);
    assert_eq!(s.redundancy[0].current_priority, 120);
}

const LACP: &str = "\
lagg bond0 ports p0 p1 min-links 2 action down
redundancy rg1 priority 120 track p1 decrement 10
";

fn lacp_port(name: &str, aggregated: bool) -> LacpPort {
    LacpPort {
        name: name.into(),
        active: aggregated,
        collecting: aggregated,
        distributing: aggregated,
        aggregator: Some(if aggregated { 1 } else { 2 }),
        active_aggregator: Some(1),
        partner: aggregated.then_some([2, 0, 0, 0, 9, 1]),
    }
}

fn lacp(w: &mut World, p0: bool, p1: bool) {
    let mut view = LacpView::new();
    view.insert(
        "bond0".into(),
        vec![lacp_port("p0", p0), lacp_port("p1", p1)],
    );
    w.e.observe_lacp(&view);
    w.sync();
}

/// Sets bond0's admin state in the snapshot as laggd last asked.
fn follow_admin(w: &mut World) {
    if let Some(up) = w.ups("bond0").last().copied() {
        for l in &mut w.snap.links {
            if l.name == "bond0" {
                l.admin_up = up;
            }
        }
    }
}

#[test]
fn an_up_port_lacp_did_not_aggregate_is_not_live_and_min_links_reacts() {
    let mut w = World::new(LACP);
    lacp(&mut w, true, true);
    w.run_for(LACP_SETTLE + S(1));
    let s = w.e.status(w.now);
    assert_eq!(s.aggregates[0].live, 2);
    assert!(s.aggregates[0].ports[1].lacp.as_ref().unwrap().aggregated);
    // The partner stops LACP on p1; its link stays up.
    lacp(&mut w, true, false);
    assert!(
        logged(
            &w,
            "bond0: port p1 not aggregated by LACP (aggregator 2, active 1, \
             <>, partner none); not live"
        ),
        "{:?}",
        w.actions
    );
    assert!(logged(&w, "bond0: 1 live port, fewer than min-links 2"));
    assert_eq!(w.ups("bond0"), vec![false]);
    assert!(w.memberships().is_empty(), "p1 stays in the bond");
    let s = w.e.status(w.now);
    let p1 = &s.aggregates[0].ports[1];
    assert_eq!(
        (p1.state.as_str(), p1.live, p1.in_service),
        ("ok", false, true)
    );
    assert_eq!(s.redundancy[0].current_priority, 110, "p1 tracked: down");
    follow_admin(&mut w);
    // Down, LACP runs not: what the OS says now is not held against
    // the ports (p0 too reads unaggregated).
    lacp(&mut w, false, false);
    assert_eq!(w.e.status(w.now).aggregates[0].live, 1);
    // The partner is back; laggd brings bond0 up after the first wait.
    w.actions.clear();
    w.run_for(LACP_RETRY_FIRST - S(1));
    assert!(w.ups("bond0").is_empty());
    w.run_for(S(1));
    assert!(logged(&w, "bringing it up for LACP to aggregate its ports"));
    assert!(logged(&w, "bond0: port p1 counted live while LACP settles"));
    assert_eq!(w.ups("bond0"), vec![true]);
    follow_admin(&mut w);
    lacp(&mut w, true, true);
    w.run_for(LACP_RETRY_SETTLE + S(1));
    assert_eq!(w.ups("bond0"), vec![true], "LACP confirmed it");
    let s = w.e.status(w.now);
    assert_eq!(
        (s.aggregates[0].live, s.aggregates[0].below_min_links),
        (2, false)
    );
    assert_eq!(s.redundancy[0].current_priority, 120);
}

#[test]
fn an_lacp_aggregate_is_tried_again_less_and_less_often() {
    let mut w = World::new(LACP);
    lacp(&mut w, true, true);
    w.run_for(LACP_SETTLE + S(1));
    lacp(&mut w, true, false);
    follow_admin(&mut w);
    w.actions.clear();
    // Each attempt: up, LACP_SETTLE, down again; the waits double.
    let mut ups = Vec::new();
    for _ in 0..3 {
        let start = w.now;
        while w.ups("bond0").len() < 2 * ups.len() + 2 {
            w.run_for(S(1));
            follow_admin(&mut w);
            // LACP never aggregates p1.
            lacp(&mut w, true, false);
            assert!(w.now.saturating_since(start) < S(400), "{:?}", w.actions);
        }
        ups.push(w.now.saturating_since(start));
    }
    let secs: Vec<u64> = ups.iter().map(Duration::as_secs).collect();
    // Up after the wait, down after the settle: the waits double.
    let (first, settle) =
        (LACP_RETRY_FIRST.as_secs(), LACP_RETRY_SETTLE.as_secs());
    for (k, s) in secs.iter().enumerate() {
        let want = (first << k) + settle;
        assert!((want..=want + 2).contains(s), "{secs:?}");
    }
}

#[test]
fn an_aggregate_not_in_lacp_mode_ignores_lacp() {
    let mut w = World::new(LACP);
    w.e.observe_lacp(&LacpView::new());
    w.sync();
    w.run_for(LACP_SETTLE + S(1));
    let s = w.e.status(w.now);
    assert_eq!(s.aggregates[0].live, 2);
    assert!(s.aggregates[0].ports[0].lacp.is_none());
    assert!(w.ups("bond0").is_empty());
}
