//! mpathd end to end, for real, in network namespaces: the scenarios of
//! the mpathd issue, each checking what an operator would check (where
//! each address lives, what a peer can reach, what was logged).

mod common;

use std::time::{Duration, Instant};

use common::{setup, wait, BASE};
use mpath_lab::{root_or_skip, Ns};
use mpath_proto::{Payload, RequestBody, ResponseBody};

const S: fn(u64) -> Duration = Duration::from_secs;

/// Scenario 1: Carrier loss on the member hosting data addresses: they move to a
/// healthy member, announced, and a peer's traffic to them continues.
#[test]
fn carrier_loss_moves_addresses_and_peer_traffic_continues() {
    if !root_or_skip("carrier_loss") {
        return;
    }
    let s = setup("carrier", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.expect_holder("192.0.2.10/24", 0, S(5));
    let (sent, got) = s.lab.ping(Ns::Peer, "192.0.2.10", 3, "0.1");
    assert_eq!((sent, got), (3, 3));

    // Ping through the failure: 40 pings 50 ms apart.
    let lab_peer = s.lab.ns(Ns::Peer);
    let pinger = std::thread::spawn(move || {
        let out = std::process::Command::new("ip")
            .args(["netns", "exec", &lab_peer, "ping", "-n", "-q", "-c", "40"])
            .args(["-i", "0.05", "-W", "1", "192.0.2.10"])
            .output()
            .expect("ping");
        String::from_utf8_lossy(&out.stdout).into_owned()
    });
    std::thread::sleep(Duration::from_millis(500));
    s.lab.carrier(0, false);
    s.expect_holder("192.0.2.10/24", 1, S(3));
    s.expect_log("The link has gone down on mp0", S(2));
    s.expect_log("IP interface failure detected on mp0 of group ipmp0", S(2));
    s.expect_log("Successfully failed over from NIC mp0 to NIC mp1", S(2));
    let summary = pinger.join().unwrap();
    let got: u32 = summary
        .split(" packets transmitted, ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // A carrier loss is acted on at once; a few pings may be lost while
    // the address moves and the peer's ARP cache follows the GARP.
    assert!(got >= 34, "peer got {got}/40 replies: {summary}");
    let i = s.iface("mp0");
    assert_eq!((i.state.as_str(), i.link.as_str()), ("failed", "down"));
    assert_eq!(s.status().groups[0].state, "degraded");
}

/// Scenarios 2 and 3: path failure with link up is detected within FDT; repair
/// needs ten replies, then FAILBACK=yes brings the address home.
#[test]
fn path_failure_within_fdt_then_repair_and_failback() {
    if !root_or_skip("path_failure") {
        return;
    }
    let s = setup("pathcut", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.expect_holder("192.0.2.10/24", 0, S(5));
    let cut = Instant::now();
    s.lab.cut_path(0);
    s.expect_log("IP interface failure detected on mp0", S(3));
    let detected = cut.elapsed();
    // FDT is 1000 ms; 150 ms covers the test's own polling and the nft
    // command between `cut` and the cut taking effect.
    assert!(
        detected <= Duration::from_millis(1150),
        "detected after {detected:?}\n{}",
        s.log()
    );
    s.expect_holder("192.0.2.10/24", 1, S(2));
    assert_eq!(s.iface("mp0").link, "up", "the link stayed up");

    let restored = Instant::now();
    s.lab.restore_path(0);
    s.expect_log("IP interface repair detected on mp0", S(5));
    let took = restored.elapsed();
    assert!(
        took >= Duration::from_millis(700),
        "repaired after {took:?}"
    );
    s.expect_holder("192.0.2.10/24", 0, S(2));
    s.expect_log("Successfully failed back to NIC mp0", S(2));
}

/// Scenario 3b: FAILBACK=no: the repaired member stays INACTIVE and hosts nothing.
#[test]
fn failback_no_keeps_repaired_member_inactive() {
    if !root_or_skip("failback_no") {
        return;
    }
    let s = setup("fbno", 2, &format!("FAILBACK=no\n{BASE}"));
    s.wait_healthy(&["mp0", "mp1"]);
    s.lab.cut_path(0);
    s.expect_holder("192.0.2.10/24", 1, S(3));
    s.lab.restore_path(0);
    s.expect_log("IP interface repair detected on mp0", S(5));
    std::thread::sleep(Duration::from_millis(500));
    let i = s.iface("mp0");
    assert_eq!(i.state, "ok");
    assert!(i.inactive, "INACTIVE after repair with FAILBACK=no");
    assert!(i.hosted.is_empty());
    assert_eq!(s.lab.holder("192.0.2.10/24"), Ok(1));
    assert!(!s.log().contains("failed back"));
}

/// Scenario 4: One of two targets stops answering: a target failure, no
/// interface failure.
#[test]
fn one_dead_target_is_not_an_interface_failure() {
    if !root_or_skip("dead_target") {
        return;
    }
    let s = setup("target", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.lab.cut_host(Ns::T2);
    s.expect_log("probe target 192.0.2.2", S(6));
    std::thread::sleep(Duration::from_secs(1));
    assert!(!s.log().contains("IP interface failure"), "{}", s.log());
    assert_eq!(s.iface("mp0").state, "ok");
    assert_eq!(s.iface("mp1").state, "ok");
    assert_eq!(s.lab.holder("192.0.2.10/24"), Ok(0));
}

/// Scenario 5: Every member fails at once: group failure, nothing moves; recovery
/// when the paths return.
#[test]
fn group_failure_moves_nothing_and_recovers() {
    if !root_or_skip("group_failure") {
        return;
    }
    let s = setup("group", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.lab.cut_path(0);
    s.lab.cut_path(1);
    s.expect_log("All IP interfaces in group ipmp0 are now unusable", S(3));
    assert_eq!(s.status().groups[0].state, "failed");
    assert_eq!(s.lab.holder("192.0.2.10/24"), Ok(0));
    assert_eq!(s.lab.holder("192.0.2.20/24"), Ok(1));
    assert!(!s.log().contains("moving data address"), "{}", s.log());
    s.lab.restore_path(0);
    s.lab.restore_path(1);
    s.expect_log("in group ipmp0 is now usable", S(5));
    let ok = wait(S(5), || s.status().groups[0].state == "ok");
    assert!(ok, "{:#?}", s.status());
    assert_eq!(s.lab.holder("192.0.2.10/24"), Ok(0));
    assert_eq!(s.lab.holder("192.0.2.20/24"), Ok(1));
}

/// Scenario 6: A standby hosts nothing until a failure, takes over, and returns
/// to INACTIVE after failback.
#[test]
fn standby_takes_over_and_returns_to_inactive() {
    if !root_or_skip("standby") {
        return;
    }
    let conf =
        format!("{BASE}interface mp2 group ipmp0 standby test 192.0.2.13/24\n");
    let s = setup("standby", 3, &conf);
    s.wait_healthy(&["mp0", "mp1", "mp2"]);
    let i = s.iface("mp2");
    assert!(i.standby && i.inactive && i.hosted.is_empty());
    assert!(s.lab.addrs(2).iter().all(|a| a == "192.0.2.13/32"));
    s.lab.cut_path(0);
    s.expect_holder("192.0.2.10/24", 2, S(3));
    assert!(!s.iface("mp2").inactive);
    s.lab.restore_path(0);
    s.expect_holder("192.0.2.10/24", 0, S(5));
    let i = s.iface("mp2");
    assert!(i.inactive && i.hosted.is_empty(), "{i:#?}");
}

/// Scenario 7: A member interface deleted and re-created: failed, then
/// reconfigured (test address) and failed back.
#[test]
fn deleted_and_recreated_member() {
    if !root_or_skip("recreate") {
        return;
    }
    let s = setup("recreate", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.lab.delete_member(0);
    s.expect_holder("192.0.2.10/24", 1, S(3));
    s.expect_log("mp0 has been removed from kernel", S(2));
    assert_eq!(s.iface("mp0").state, "failed");
    s.lab.recreate_member(0);
    s.expect_holder("192.0.2.10/24", 0, S(8));
    assert!(s.lab.addrs(0).contains(&"192.0.2.11/32".to_string()));
}

/// Scenario 8: SIGHUP with a valid changed configuration, then an invalid one.
#[test]
fn sighup_reload_valid_and_invalid() {
    if !root_or_skip("sighup") {
        return;
    }
    let s = setup("sighup", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    // Valid: a new data address on mp1; the group's state is kept.
    let changed = format!("{BASE}address 192.0.2.30/24 on mp1\n");
    std::fs::write(&s.conf, &changed).unwrap();
    s.daemon().signal("HUP");
    s.expect_holder("192.0.2.30/24", 1, S(3));
    s.expect_log("reloaded", S(2));
    // Invalid: two errors; both reported with file:line; nothing changes.
    let bad = format!("{changed}FAILBAK=no\ninterface mp9 group\n");
    std::fs::write(&s.conf, &bad).unwrap();
    s.daemon().signal("HUP");
    s.expect_log("not reloaded", S(2));
    let conf = s.conf.display().to_string();
    let log = s.log();
    assert!(log.contains(&format!("{conf}:8: unknown tunable")), "{log}");
    assert!(log.contains(&format!("{conf}:9:")), "{log}");
    assert_eq!(s.lab.holder("192.0.2.30/24"), Ok(1));
    assert_eq!(s.iface("mp0").state, "ok");
    // The same through the control socket.
    match s.request(RequestBody::Reload) {
        Some(ResponseBody::Error(e)) => assert!(e.details.len() >= 2, "{e:?}"),
        other => panic!("reload of a bad file: {other:?}"),
    }
}

/// Scenario 9: TRACK_INTERFACES_ONLY_WITH_GROUPS=no: failures of ungrouped
/// interfaces are reported; nothing moves.
#[test]
fn track_all_reports_ungrouped_interfaces() {
    if !root_or_skip("track_all") {
        return;
    }
    let conf = "TRACK_INTERFACES_ONLY_WITH_GROUPS=no\n\
                FAILURE_DETECTION_TIME=1000\n\
                interface mp0 test 192.0.2.11/24 target 192.0.2.1\n";
    let s = setup("trackall", 2, conf);
    s.wait_healthy(&["mp0"]);
    s.lab.carrier(1, false);
    s.expect_log("IP interface failure detected on mp1", S(3));
    s.lab.cut_path(0);
    s.expect_log("IP interface failure detected on mp0", S(3));
    assert!(!s.log().contains("moving data address"));
    let i = s.iface("mp0");
    assert_eq!((i.group.as_str(), i.state.as_str()), ("", "failed"));
}

/// Scenario 10: SIGKILL in the middle of a failover, then a restart: every data
/// address ends on exactly one usable member.
#[test]
fn sigkill_mid_failover_then_restart_converges() {
    if !root_or_skip("sigkill") {
        return;
    }
    let mut s = setup("sigkill", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.lab.cut_path(0);
    // Kill it as soon as the failover starts.
    s.expect_log("IP interface failure detected on mp0", S(3));
    s.daemon().signal("KILL");
    // Make the mess worse by hand: the address on both members.
    let _ = s.lab.exec(
        Ns::Host,
        &["ip", "addr", "add", "192.0.2.10/24", "dev", "mp0"],
    );
    let _ = s.lab.exec(
        Ns::Host,
        &["ip", "addr", "add", "192.0.2.10/24", "dev", "mp1"],
    );
    s.start();
    s.expect_holder("192.0.2.10/24", 1, S(15));
    s.expect_holder("192.0.2.20/24", 1, S(2));
    // And back once the path returns.
    s.lab.restore_path(0);
    s.expect_holder("192.0.2.10/24", 0, S(10));
}

/// Scenario 11: IPv6: link-local test addresses probe ICMPv6 targets; an IPv6
/// data address fails over with an unsolicited neighbour advertisement.
#[test]
fn ipv6_probing_and_failover() {
    if !root_or_skip("ipv6") {
        return;
    }
    let conf = "FAILURE_DETECTION_TIME=1000\n\
                interface mp0 group v6 test inet6\n\
                interface mp1 group v6 test inet6\n\
                address 2001:db8::10/64 on mp0\n";
    let s = setup("ipv6", 2, conf);
    // Targets: no routes, no explicit targets: found by all-nodes
    // multicast (ff02::1) responders.
    s.wait_healthy(&["mp0", "mp1"]);
    let p = &s.iface("mp0").paths[0];
    assert_eq!(p.family, "inet6");
    assert!(p
        .test_address
        .as_deref()
        .unwrap_or("")
        .starts_with("fe80::"));
    assert!(!p.targets.is_empty(), "{p:#?}");
    let (_, got) = s.lab.ping(Ns::Peer, "2001:db8::10", 2, "0.2");
    assert_eq!(got, 2);
    s.lab.cut_path(0);
    s.expect_holder("2001:db8::10/64", 1, S(3));
    // The peer follows at once thanks to the unsolicited NA.
    let (_, got) = s.lab.ping(Ns::Peer, "2001:db8::10", 3, "0.2");
    assert_eq!(got, 3, "{}", s.log());
}

/// ifctl-free sanity: the control socket answers ping and refuses junk.
#[test]
fn control_socket_answers_and_refuses_junk() {
    if !root_or_skip("control") {
        return;
    }
    let s = setup("control", 1, "interface mp0 group g test 192.0.2.11/24\n");
    match s.request(RequestBody::Ping) {
        Some(ResponseBody::Ok(Payload::Pong { daemon, .. })) => {
            assert_eq!(daemon, "mpathd")
        }
        other => panic!("{other:?}"),
    }
    use std::io::{BufRead, BufReader, Write};
    let mut c = std::os::unix::net::UnixStream::connect(&s.sock).unwrap();
    c.write_all(b"{not json\n").unwrap();
    let mut line = String::new();
    BufReader::new(&c).read_line(&mut line).unwrap();
    assert!(line.contains("bad_request"), "{line}");
    assert!(s.try_status().is_some(), "daemon still answers");
}

/// A watch client that never reads cannot stall detection: with one
/// connected (and probe events piling up for it), a path cut is still
/// detected within FDT.
#[test]
fn a_stuck_watcher_does_not_stall_detection() {
    if !root_or_skip("stuck_watcher") {
        return;
    }
    use std::io::Write;
    let s = setup("stuck", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    let mut stuck = std::os::unix::net::UnixStream::connect(&s.sock).unwrap();
    let req = mpath_proto::Request {
        version: mpath_proto::VERSION,
        id: 1,
        body: RequestBody::Watch,
    };
    stuck.write_all(&req.encode()).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let cut = Instant::now();
    s.lab.cut_path(0);
    s.expect_log("IP interface failure detected on mp0", S(3));
    assert!(cut.elapsed() <= Duration::from_millis(1150));
    assert!(s.try_status().is_some(), "other clients are still served");
    drop(stuck);
}

/// A route through the failing member (here to an off-link network via
/// the router) moves with the failover, so off-link traffic continues.
#[test]
fn off_link_routes_follow_the_failover() {
    if !root_or_skip("routes") {
        return;
    }
    let s = setup("routes", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    // The router also answers for an off-link network.
    s.lab.must(
        Ns::Rtr,
        &["ip", "addr", "add", "198.51.100.1/24", "dev", "lo"],
    );
    s.lab.must(
        Ns::Host,
        &[
            "ip",
            "route",
            "add",
            "198.51.100.0/24",
            "via",
            "192.0.2.1",
            "dev",
            "mp0",
        ],
    );
    let (_, got) = s.lab.ping(Ns::Host, "198.51.100.1", 2, "0.2");
    assert_eq!(got, 2, "reachable before");
    s.lab.cut_path(0);
    s.expect_log(
        "moving route 198.51.100.0/24 via 192.0.2.1 from mp0 to mp1",
        S(3),
    );
    let ok = wait(S(3), || {
        let r = s
            .lab
            .must(Ns::Host, &["ip", "route", "show", "198.51.100.0/24"]);
        r.contains("dev mp1") && !r.contains("dev mp0")
    });
    assert!(ok, "{}", s.lab.must(Ns::Host, &["ip", "route"]));
    let (_, got) = s.lab.ping(Ns::Host, "198.51.100.1", 3, "0.2");
    assert_eq!(got, 3, "off-link traffic continues after the failover");
}

/// Test addresses are deprecated (Linux: IPv4 and IPv6), and a socket
/// bound to nothing never gets one as its source: data addresses carry
/// applications' traffic, test addresses only probes.
#[test]
fn test_addresses_are_deprecated_and_never_a_source() {
    if !root_or_skip("deprecated") {
        return;
    }
    let conf = "\
FAILURE_DETECTION_TIME=1000
group ipmp0 target 192.0.2.1 192.0.2.2
interface mp0 group ipmp0 test 192.0.2.11/24 test fe80::11/64
interface mp1 group ipmp0 test 192.0.2.12/24 test fe80::12/64
address 192.0.2.10/24 on mp0
address 192.0.2.20/24 on mp1
address 2001:db8::10/64 on mp0
";
    let s = setup("deprecated", 2, conf);
    s.wait_healthy(&["mp0", "mp1"]);
    let tests = ["192.0.2.11", "192.0.2.12", "fe80::11", "fe80::12"];
    let data = ["192.0.2.10", "192.0.2.20", "2001:db8::10"];
    // `ip -o addr`: one line per address, flags after the scope.
    let line_of = |shown: &str, addr: &str| -> Option<String> {
        shown
            .lines()
            .find(|l| l.contains(&format!(" {addr}/")))
            .map(str::to_string)
    };
    let mut shown = String::new();
    let all_there = wait(S(5), || {
        shown = s.lab.must(Ns::Host, &["ip", "-o", "addr", "show"]);
        tests
            .iter()
            .chain(&data)
            .all(|a| line_of(&shown, a).is_some())
    });
    assert!(all_there, "{shown}\n{}", s.log());
    for a in tests {
        let line = line_of(&shown, a).unwrap_or_default();
        assert!(line.contains("deprecated"), "test address {a}: {line}");
    }
    for a in data {
        let line = line_of(&shown, a).unwrap_or_default();
        assert!(!line.contains("deprecated"), "data address {a}: {line}");
    }
    let test_ips: Vec<std::net::IpAddr> =
        tests.iter().map(|a| a.parse().unwrap()).collect();
    // Off and on the link, IPv4: a data address, never a test address.
    for target in ["192.0.2.1", "192.0.2.2", "192.0.2.100"] {
        let src = s
            .lab
            .source_for(Ns::Host, target.parse().unwrap(), None)
            .unwrap_or_else(|e| panic!("connect to {target}: {e}"));
        assert!(!test_ips.contains(&src), "{target}: source {src}");
        assert!(data.contains(&src.to_string().as_str()), "{target}: {src}");
    }
    let src = s
        .lab
        .source_for(Ns::Host, "2001:db8::1".parse().unwrap(), None)
        .unwrap();
    assert_eq!(src.to_string(), "2001:db8::10");
    // Link-local: the router's link-local address through each member
    // gets the member's own link-local address, not its test address
    // (without deprecation the kernel picks fe80::11 on mp0).
    let rtr = s.lab.must(
        Ns::Rtr,
        &[
            "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link",
        ],
    );
    let rtr_ll: std::net::IpAddr = rtr
        .split_whitespace()
        .skip_while(|w| *w != "inet6")
        .nth(1)
        .and_then(|a| a.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no link-local address on rtr: {rtr}"));
    for member in ["mp0", "mp1"] {
        let src = s.lab.source_for(Ns::Host, rtr_ll, Some(member)).unwrap();
        assert!(!test_ips.contains(&src), "{member}: source {src}");
        assert!(src.to_string().starts_with("fe80:"), "{member}: {src}");
    }
}
