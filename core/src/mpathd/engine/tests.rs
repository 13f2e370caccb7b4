//! The engine in a simulated world: the same scenarios the namespace lab
//! runs for real, in simulated time.

use std::time::Duration;

use super::sim::World;
use crate::time::Instant;

const BASE: &str = "\
FAILURE_DETECTION_TIME=1000
group ipmp0 target 192.0.2.1 192.0.2.2
interface mp0 group ipmp0 test 192.0.2.11/24
interface mp1 group ipmp0 test 192.0.2.12/24
address 192.0.2.10/24 on mp0
address 192.0.2.20/24 on mp1
";

fn world(conf: &str) -> World {
    let mut w = World::new(conf, &["mp0", "mp1", "mp2"]);
    // Past the quiet period's early end: a few acks on every path.
    w.run_for(Duration::from_secs(3));
    w
}

fn state(w: &World, ifname: &str) -> String {
    w.engine
        .status()
        .interfaces
        .into_iter()
        .find(|i| i.name == ifname)
        .map(|i| i.state)
        .unwrap_or_default()
}

#[test]
fn start_configures_test_and_data_addresses() {
    let w = world(BASE);
    assert_eq!(w.holders("192.0.2.11/32"), ["mp0"]);
    assert_eq!(w.holders("192.0.2.12/32"), ["mp1"]);
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"]);
    assert_eq!(w.holders("192.0.2.20/24"), ["mp1"]);
    let st = w.engine.status();
    assert_eq!(st.groups[0].state, "ok");
    assert_eq!(state(&w, "mp0"), "ok");
    assert_eq!(st.interfaces[0].probe, "ok");
    assert_eq!(st.interfaces[0].paths[0].mode, "explicit");
    assert_eq!(st.interfaces[0].paths[0].targets.len(), 2);
}

#[test]
fn a_brief_status_is_the_status_without_probe_paths() {
    let w = world(BASE);
    let mut full = w.engine.status();
    let brief = w.engine.status_brief();
    assert!(brief.interfaces.iter().all(|i| i.paths.is_empty()));
    for i in &mut full.interfaces {
        i.paths.clear();
    }
    assert_eq!(brief, full);
}

#[test]
fn carrier_loss_moves_addresses_and_announces() {
    let mut w = world(BASE);
    w.carrier("mp0", false);
    assert_eq!(w.holders("192.0.2.10/24"), ["mp1"]);
    assert!(w
        .announced
        .iter()
        .any(|(i, a)| i == "mp1" && a.to_string() == "192.0.2.10"));
    assert!(!w.logged("The link has gone down on mp0").is_empty());
    assert!(!w
        .logged("IP interface failure detected on mp0 of group ipmp0")
        .is_empty());
    assert_eq!(state(&w, "mp0"), "failed");
    assert_eq!(w.engine.status().groups[0].state, "degraded");
}

#[test]
fn path_cut_is_detected_within_fdt_and_repaired_with_failback() {
    let mut w = world(BASE);
    let cut_at = w.now;
    w.cut.insert("mp0".into());
    w.run_for(Duration::from_secs(2));
    let failed = w.logged("IP interface failure detected on mp0");
    assert_eq!(failed.len(), 1, "{:#?}", w.log);
    let took = failed[0].saturating_since(cut_at);
    assert!(
        took <= Duration::from_millis(1000),
        "detected after {took:?}"
    );
    assert_eq!(w.holders("192.0.2.10/24"), ["mp1"]);
    assert_eq!(state(&w, "mp1"), "ok");

    let restored = w.now;
    w.cut.clear();
    w.run_for(Duration::from_secs(5));
    let repaired = w.logged("IP interface repair detected on mp0");
    assert_eq!(repaired.len(), 1, "{:#?}", w.log);
    // Ten consecutive replies at about FDT/7 each: roughly 2 x FDT.
    let took = repaired[0].saturating_since(restored);
    assert!(
        took >= Duration::from_millis(700),
        "repaired after {took:?}"
    );
    assert!(
        took <= Duration::from_millis(2200),
        "repaired after {took:?}"
    );
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"], "FAILBACK=yes");
    assert!(!w.logged("Successfully failed back to NIC mp0").is_empty());
}

#[test]
fn failback_no_leaves_the_repaired_member_inactive() {
    let mut w = world(&format!("FAILBACK=no\n{BASE}"));
    w.cut.insert("mp0".into());
    w.run_for(Duration::from_secs(2));
    w.cut.clear();
    w.run_for(Duration::from_secs(5));
    let st = w.engine.status();
    let mp0 = st.interfaces.iter().find(|i| i.name == "mp0").unwrap();
    assert_eq!(mp0.state, "ok");
    assert!(mp0.inactive);
    assert!(mp0.hosted.is_empty());
    assert_eq!(w.holders("192.0.2.10/24"), ["mp1"]);
}

#[test]
fn one_dead_target_is_a_target_failure_not_an_interface_failure() {
    let mut w = world(BASE);
    w.dead_targets.insert("192.0.2.2".parse().unwrap());
    w.run_for(Duration::from_secs(6));
    assert!(w.logged("IP interface failure").is_empty(), "{:#?}", w.log);
    assert!(!w.logged("probe target 192.0.2.2").is_empty());
    assert_eq!(state(&w, "mp0"), "ok");
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"]);
}

#[test]
fn every_member_failing_is_a_group_failure_and_nothing_moves() {
    let mut w = world(BASE);
    w.cut.insert("mp0".into());
    w.cut.insert("mp1".into());
    w.run_for(Duration::from_secs(3));
    assert!(!w
        .logged("All IP interfaces in group ipmp0 are now unusable")
        .is_empty());
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"]);
    assert_eq!(w.holders("192.0.2.20/24"), ["mp1"]);
    assert_eq!(w.engine.status().groups[0].state, "failed");
    w.cut.clear();
    w.run_for(Duration::from_secs(5));
    assert!(!w.logged("is now usable").is_empty());
    assert_eq!(w.engine.status().groups[0].state, "ok");
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"]);
    assert_eq!(w.holders("192.0.2.20/24"), ["mp1"]);
}

#[test]
fn standby_takes_over_and_goes_back_to_inactive() {
    let conf =
        format!("{BASE}interface mp2 group ipmp0 standby test 192.0.2.13/24\n");
    let mut w = world(&conf);
    let st = w.engine.status();
    let mp2 = st.interfaces.iter().find(|i| i.name == "mp2").unwrap();
    assert!(mp2.inactive && mp2.standby && mp2.hosted.is_empty());
    w.carrier("mp0", false);
    assert_eq!(w.holders("192.0.2.10/24"), ["mp2"]);
    w.carrier("mp0", true);
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"]);
    let st = w.engine.status();
    let mp2 = st.interfaces.iter().find(|i| i.name == "mp2").unwrap();
    assert!(mp2.inactive && mp2.hosted.is_empty());
}

#[test]
fn deleted_and_recreated_member_fails_over_and_back() {
    let mut w = world(BASE);
    let saved = w.kernel.links.remove(0);
    w.sync();
    assert_eq!(w.holders("192.0.2.10/24"), ["mp1"]);
    assert_eq!(state(&w, "mp0"), "failed");
    let mut again = saved;
    again.index = 99;
    again.addrs.retain(|a| a.addr().is_ipv6());
    w.kernel.links.push(again);
    w.sync();
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.holders("192.0.2.11/32"), ["mp0"], "test address back");
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"], "failed back");
}

#[test]
fn offline_refuses_the_last_member_and_online_restores() {
    let mut w = world(BASE);
    w.engine.offline("mp0", w.now).unwrap();
    w.sync();
    assert_eq!(w.holders("192.0.2.10/24"), ["mp1"]);
    assert_eq!(state(&w, "mp0"), "offline");
    let e = w.engine.offline("mp1", w.now).unwrap_err();
    assert!(e.to_string().contains("no other functioning interfaces"));
    assert!(w.engine.offline("nosuch0", w.now).is_err());
    w.engine.online("mp0", w.now).unwrap();
    w.sync();
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"]);
}

#[test]
fn shutdown_sends_addresses_home_when_home_works() {
    let mut w = world(&format!("FAILBACK=no\n{BASE}"));
    w.carrier("mp0", false);
    w.carrier("mp0", true);
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.holders("192.0.2.10/24"), ["mp1"]);
    w.engine.shutdown();
    w.execute();
    assert_eq!(w.holders("192.0.2.10/24"), ["mp0"]);
}

#[test]
fn restart_converges_from_any_placement() {
    // A crash left .10 on both members and .20 nowhere.
    let mut w = World::new(BASE, &["mp0", "mp1"]);
    let p = |s: &str| s.parse().unwrap();
    w.link_mut("mp1").addrs.push(p("192.0.2.10/24"));
    w.link_mut("mp1").addrs.retain(|a| *a != p("192.0.2.20/24"));
    w.sync();
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.holders("192.0.2.10/24").len(), 1);
    assert_eq!(w.holders("192.0.2.20/24").len(), 1);
}

#[test]
fn reload_keeps_unchanged_groups_and_their_state() {
    let mut w = world(BASE);
    w.carrier("mp0", false);
    assert_eq!(w.holders("192.0.2.10/24"), ["mp1"]);
    let cfg =
        crate::mpathd::config::parse("t", &format!("{BASE}group other\n"))
            .unwrap()
            .config;
    w.engine.reconfigure(cfg, w.now);
    w.sync();
    assert_eq!(state(&w, "mp0"), "failed", "state kept");
    assert_eq!(w.holders("192.0.2.10/24"), ["mp1"], "address kept");
    let _ = Instant::ZERO;
}

#[test]
fn track_all_reports_ungrouped_failures_and_moves_nothing() {
    let conf = "TRACK_INTERFACES_ONLY_WITH_GROUPS=no\n\
                FAILURE_DETECTION_TIME=1000\n\
                interface mp0 test 192.0.2.11/24 target 192.0.2.1\n";
    let mut w = world(conf);
    w.carrier("mp1", false);
    assert!(!w.logged("The link has gone down on mp1").is_empty());
    assert!(!w.logged("IP interface failure detected on mp1").is_empty());
    w.cut.insert("mp0".into());
    w.run_for(Duration::from_secs(2));
    assert!(!w.logged("IP interface failure detected on mp0").is_empty());
    assert!(w.logged("moving").is_empty());
}

#[test]
fn os_interface_groups_define_membership() {
    // No interface lines: members come from the OS's interface groups
    // (FreeBSD rc.conf: ifconfig_mp0="... group web").
    let mut w = World::new("group web\n", &["mp0", "mp1", "mp2"]);
    w.link_mut("mp0").groups = vec!["web".into()];
    w.link_mut("mp1").groups = vec!["web".into()];
    w.sync();
    let st = w.engine.status();
    let names: Vec<&str> =
        st.interfaces.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["mp0", "mp1"]);
    assert_eq!(st.groups[0].state, "ok");
    w.carrier("mp1", false);
    assert!(!w
        .logged("IP interface failure detected on mp1 of group web")
        .is_empty());
    // mp1 leaves the OS group: it is no longer a member.
    w.link_mut("mp1").groups.clear();
    w.sync();
    let st = w.engine.status();
    assert_eq!(st.interfaces.len(), 1);
    assert_eq!(st.groups[0].state, "ok");
    assert!(!w.logged("mp1 left group web").is_empty());
}

#[test]
fn routes_through_a_failed_member_follow_the_addresses() {
    use crate::kernel::KernelRoute;
    let mut w = world(BASE);
    w.kernel.routes.push(KernelRoute {
        dst: "198.51.100.0/24".parse().unwrap(),
        gateway: "192.0.2.1".parse().unwrap(),
        ifname: "mp0".into(),
    });
    w.sync();
    assert!(w.logged("moving route").is_empty(), "mp0 works: stays");
    w.carrier("mp0", false);
    assert_eq!(w.kernel.routes[0].ifname, "mp1");
    assert!(!w
        .logged("moving route 198.51.100.0/24 via 192.0.2.1 from mp0 to mp1")
        .is_empty());
    // Back up: the route stays where it works; nothing flaps.
    w.carrier("mp0", true);
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.kernel.routes[0].ifname, "mp1");
    assert_eq!(w.logged("moving route").len(), 1);
}

#[test]
fn a_reload_that_moves_an_address_to_another_group_leaves_no_copy() {
    // Found by the fault-sequence simulation (faults.rs, seed 66): the
    // old host, now a member of another group, kept the address as a
    // "foreign" one, so the host had it on two interfaces.
    let mut w = world(BASE);
    assert_eq!(w.holders("192.0.2.20/24"), ["mp1"]);
    let moved = "\
FAILURE_DETECTION_TIME=1000
group ipmp0 target 192.0.2.1 192.0.2.2
group ipmp1 target 192.0.2.1 192.0.2.2
interface mp0 group ipmp0 test 192.0.2.11/24
interface mp1 group ipmp1 test 192.0.2.12/24
interface mp2 group ipmp0 test 192.0.2.13/24
address 192.0.2.10/24 on mp0
address 192.0.2.20/24 on mp2
";
    let cfg = crate::mpathd::config::parse("test.conf", moved)
        .unwrap()
        .config;
    let now = w.now;
    w.engine.reconfigure(cfg, now);
    w.sync();
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.holders("192.0.2.20/24"), ["mp2"], "{:#?}", w.log);
    assert!(!w
        .logged("data address 192.0.2.20/24 is on mp1, a member of group ipmp1")
        .is_empty());
}

#[test]
fn counters_survive_offline_reload_and_count_failovers() {
    let mut w = world(BASE);
    let sent = |w: &World| w.engine.status().interfaces[0].paths[0].probes.sent;
    let before = sent(&w);
    assert!(before >= 14, "3 s at FDT/7: {before}");
    let now = w.now;
    w.engine.offline("mp0", now).unwrap();
    w.execute();
    w.sync();
    assert_eq!(sent(&w), before, "kept while offline");
    let now = w.now;
    w.engine.online("mp0", now).unwrap();
    w.execute();
    w.sync();
    w.run_for(Duration::from_secs(3));
    let after_online = sent(&w);
    assert!(after_online > before);
    // A reload that rebuilds mp0 (its test address changes) keeps them.
    let changed = BASE.replace("192.0.2.11/24", "192.0.2.31/24");
    let cfg = crate::mpathd::config::parse("test.conf", &changed)
        .unwrap()
        .config;
    let now = w.now;
    w.engine.reconfigure(cfg, now);
    w.sync();
    assert!(sent(&w) >= after_online);
    let st = w.engine.status();
    let g = &st.groups[0].counters;
    // offline moved mp0's address over, online brought it back.
    assert_eq!((g.failovers, g.failbacks), (1, 1));
    let p = &st.interfaces[1].paths[0].probes;
    assert_eq!(p.lost, 0);
    assert!(p.answered + 2 >= p.sent && p.answered > 0, "{p:?}");
    w.carrier("mp1", false);
    let st = w.engine.status();
    assert_eq!(st.interfaces[1].counters.failures, 1);
    assert_eq!(st.groups[0].counters.failovers, 2);
}
