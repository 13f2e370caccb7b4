//! ifctl end to end: a real mpathd in the network-namespace lab, ifctl
//! run as an operator would, and every printed field checked against the
//! daemon's status and the lab's own view of the interfaces.
//!
//! Needs root (namespaces) and a built mpathd; see `common`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{path_str, wait, Setup, BASE};
use mpath_lab::root_or_skip;

const S: fn(u64) -> Duration = Duration::from_secs;

/// `-i -P` rows for the members, as the daemon's status says they must
/// read.
fn expected_i_rows(st: &mpath_proto::mpathd::Status) -> Vec<String> {
    st.interfaces
        .iter()
        .map(|i| format!("{}:{}:{}:{}", i.name, i.state, i.link, i.probe))
        .collect()
}

#[test]
fn listings_follow_a_path_cut() {
    if !root_or_skip("listings_follow_a_path_cut") {
        return;
    }
    let s = Setup::new("listings", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.expect_holder("192.0.2.10/24", 0, S(5));

    // -i: state, link and probe of each member.
    let r = s.ifctl(&["-i", "-P", "-o", "interface,state,link,probe"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(r.lines(), ["mp0:ok:up:ok", "mp1:ok:up:ok"]);
    assert_eq!(r.lines(), expected_i_rows(&s.status()));

    // -a: the data address is on the member the kernel has it on.
    let r = s.ifctl(&["-a", "-P", "-o", "address,inbound"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.lines(), ["192.0.2.10:mp0", "192.0.2.20:mp1"]);

    // -g, human and JSON.
    let st = s.status();
    let g = &st.groups[0];
    let r = s.ifctl(&["-g"]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines = r.lines();
    assert_eq!(
        lines[0],
        "GROUP       GROUPNAME   STATE     FDT       INTERFACES"
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    let fdt = format!("{:.2}s", g.fdt_ms.expect("fdt") as f64 / 1000.0);
    assert_eq!(row, ["ipmp0", "ipmp0", "ok", fdt.as_str(), "mp0", "mp1"]);
    let r = s.ifctl(&["-g", "-j"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["groups"][0]["groupname"], "ipmp0");
    assert_eq!(v["groups"][0]["state"], "ok");

    // -t: each member probes the configured targets from its test
    // address.
    let r = s.ifctl(&["-t", "-P", "-o", "interface,mode,testaddr"]);
    assert_eq!(
        r.lines(),
        ["mp0:explicit:192.0.2.11", "mp1:explicit:192.0.2.12"]
    );

    // The cut: mp0 fails by probes while its link stays up, and its
    // address moves to mp1.
    s.lab.cut_path(0);
    s.expect_log("IP interface failure detected on mp0", S(3));
    s.expect_holder("192.0.2.10/24", 1, S(3));
    let want = ["mp0:failed:up:failed", "mp1:ok:up:ok"];
    let mut r = None;
    let ok = wait(S(3), || {
        let run = s.ifctl(&["-i", "-P", "-o", "interface,state,link,probe"]);
        let same = run.lines() == want;
        r = Some(run);
        same
    });
    assert!(ok, "{r:?}");
    assert_eq!(r.as_ref().unwrap().lines(), expected_i_rows(&s.status()));
    let r = s.ifctl(&["-a", "-P", "-o", "address,inbound"]);
    assert_eq!(s.lab.holder("192.0.2.10/24"), Ok(1));
    assert_eq!(r.lines(), ["192.0.2.10:mp1", "192.0.2.20:mp1"]);
    let r = s.ifctl(&["-g", "-P", "-o", "groupname,state,interfaces"]);
    assert_eq!(r.lines(), ["ipmp0:degraded:mp1 [mp0]"]);
    let r = s.ifctl(&["-j", "-g"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(v["groups"][0]["state"], "degraded");
    assert_eq!(s.status().groups[0].state, "degraded");

    // The summary and one member's status say the same.
    let r = s.ifctl(&[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.out.starts_with("ipmp0: degraded, fdt "), "{}", r.out);
    let mp1: Vec<&str> = r
        .lines()
        .iter()
        .find(|l| l.trim_start().starts_with("mp1 "))
        .expect("mp1 line")
        .split_whitespace()
        .collect();
    assert_eq!(mp1[..3], ["mp1", "ok", "active"]);
    let mut hosts = mp1[3..].to_vec();
    hosts.sort_unstable();
    assert_eq!(hosts, ["192.0.2.10/24", "192.0.2.20/24"]);
    assert_eq!(mp1[3..], s.iface("mp1").hosted);
    let r = s.ifctl(&["mp0"]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines = r.lines();
    assert_eq!(lines[0], "mp0: group ipmp0 flags=<FAILED>");
    assert!(lines.contains(&"\tlink: up"), "{}", r.out);
    assert!(lines.contains(&"\tprobe: failed"), "{}", r.out);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("\tinet 192.0.2.11 test, ")),
        "{}",
        r.out
    );
    assert!(lines.contains(&"\thosts: none"), "{}", r.out);
    let r = s.ifctl(&["-j", "mp1"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(v["name"], "mp1");
    assert_eq!(v["hosted"].as_array().map(Vec::len), Some(2));

    // An interface mpathd does not track.
    let r = s.ifctl(&["mp7"]);
    assert_eq!(r.code, 67, "{r:?}");
    assert!(r.err.starts_with("ifctl: mp7: "), "{}", r.err);
}

#[test]
fn offline_and_online_like_if_mpadm() {
    if !root_or_skip("offline_and_online_like_if_mpadm") {
        return;
    }
    let s = Setup::new("offline", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.expect_holder("192.0.2.10/24", 0, S(5));

    let r = s.ifctl(&["mp0", "offline"]);
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (0, "", ""));
    s.expect_holder("192.0.2.10/24", 1, S(3));
    let r = s.ifctl(&["-i", "-P", "-o", "interface,active,state"]);
    assert_eq!(r.lines(), ["mp0:no:offline", "mp1:yes:ok"]);
    assert!(s.iface("mp0").offline);

    // The last usable member stays: if_mpadm's words, nothing moves.
    let r = s.ifctl(&["mp1", "offline"]);
    assert_eq!(r.code, 75, "{r:?}");
    assert_eq!(
        r.err,
        "ifctl: cannot offline mp1: no other functioning interfaces are \
         in its IPMP group\n"
    );
    assert_eq!(s.iface("mp1").state, "ok");
    assert_eq!(s.lab.holder("192.0.2.10/24"), Ok(1));
    // Offline twice, online of a working member, an unknown member.
    let r = s.ifctl(&["mp0", "offline"]);
    assert_eq!(r.code, 75, "{r:?}");
    assert!(r.err.contains("already offline"), "{}", r.err);
    let r = s.ifctl(&["mp1", "online"]);
    assert_eq!(r.code, 75, "{r:?}");
    assert!(r.err.contains("not offline"), "{}", r.err);
    let r = s.ifctl(&["mp7", "offline"]);
    assert_eq!(r.code, 67, "{r:?}");

    let r = s.ifctl(&["mp0", "online"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    s.expect_holder("192.0.2.10/24", 0, S(5));
    let ok = wait(S(3), || {
        s.ifctl(&["-i", "-P", "-o", "interface,state"]).lines()
            == ["mp0:ok", "mp1:ok"]
    });
    assert!(ok, "{:#?}", s.status());
}

#[test]
fn nobody_may_query_but_not_change() {
    if !root_or_skip("nobody_may_query_but_not_change") {
        return;
    }
    let s = Setup::new("nobody", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.expect_holder("192.0.2.10/24", 0, S(5));

    let r = s.ifctl_as_nobody(&["mp0", "offline"]);
    assert_eq!(r.code, 77, "{r:?}");
    assert!(r.err.starts_with("ifctl: permission denied"), "{}", r.err);
    let r = s.ifctl_as_nobody(&["mp1", "standby"]);
    assert_eq!(r.code, 77, "{r:?}");
    let r = s.ifctl_as_nobody(&["reload"]);
    assert_eq!(r.code, 77, "{r:?}");
    // Nothing changed.
    std::thread::sleep(Duration::from_millis(300));
    let (mp0, mp1) = (s.iface("mp0"), s.iface("mp1"));
    assert!(!mp0.offline && mp0.state == "ok", "{mp0:#?}");
    assert!(!mp1.standby, "{mp1:#?}");
    assert_eq!(s.lab.holder("192.0.2.10/24"), Ok(0));

    // Queries are open to everyone.
    let r = s.ifctl_as_nobody(&["-i", "-P", "-o", "interface,state"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(r.lines(), ["mp0:ok", "mp1:ok"]);
}

/// Spawns `ifctl args` with its stdout piped; a thread sends each line.
fn spawn_lines(
    s: &Setup,
    args: &[&str],
) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = s
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ifctl");
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

#[test]
fn watch_sees_the_failover() {
    if !root_or_skip("watch_sees_the_failover") {
        return;
    }
    let s = Setup::new("watch", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    let (mut child, rx) = spawn_lines(&s, &["watch"]);
    // Let the subscription take before the cut (a healthy group is
    // quiet: probe results are for -p, not watch).
    std::thread::sleep(Duration::from_millis(300));
    s.lab.cut_path(0);
    let cut = Instant::now();
    let mut seen = Vec::new();
    let found = loop {
        let left = S(3).saturating_sub(cut.elapsed());
        match rx.recv_timeout(left) {
            Ok(l) if l.contains("IP interface failure detected on mp0") => {
                break Some(l)
            }
            Ok(l) => seen.push(l),
            Err(_) => break None,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let line = found.unwrap_or_else(|| {
        panic!("no failure line within 3 s; saw:\n{}", seen.join("\n"))
    });
    // TIME KIND message: seconds since ifctl started, then the kind.
    let w: Vec<&str> = line.split_whitespace().collect();
    assert!(w[0].ends_with('s'), "{line}");
    assert!(w[0].trim_end_matches('s').parse::<f64>().is_ok(), "{line}");
    assert_eq!(w[1], "state", "{line}");
}

/// `0.42ms` as 0.42.
fn ms(field: &str) -> Option<f64> {
    field.strip_suffix("ms")?.parse().ok()
}

#[test]
fn probes_are_listed_live_and_a_closed_pipe_ends_quietly() {
    if !root_or_skip("probes_are_listed_live") {
        return;
    }
    let s = Setup::new("probes", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    let (mut child, rx) = spawn_lines(&s, &["-p"]);
    let header = rx.recv_timeout(S(5)).expect("header");
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        [
            "TIME",
            "INTERFACE",
            "PROBE",
            "NETRTT",
            "RTT",
            "RTTAVG",
            "TARGET",
            "RTTDEV"
        ]
    );
    // Rows: TIME INTERFACE PROBE NETRTT RTT RTTAVG TARGET RTTDEV, `--`
    // in empty fields (NETRTT and RTT of a lost probe).
    let mut acked = std::collections::BTreeSet::new();
    let start = Instant::now();
    while acked.len() < 2 && start.elapsed() < S(5) {
        let Ok(line) = rx.recv_timeout(S(1)) else {
            continue;
        };
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 8, "{line}");
        assert!(f[0].ends_with('s'), "{line}");
        assert!(["mp0", "mp1"].contains(&f[1]), "{line}");
        assert!(f[2].parse::<u16>().is_ok(), "{line}");
        assert!(["192.0.2.1", "192.0.2.2"].contains(&f[6]), "{line}");
        if let (Some(net), Some(rtt)) = (ms(f[3]), ms(f[4])) {
            assert!(net > 0.0 && rtt < 1000.0, "{line}");
            acked.insert(f[1].to_string());
        }
    }
    assert_eq!(acked.len(), 2, "acked probes on both members: {acked:?}");

    // Close the pipe: the next row's write fails with EPIPE and ifctl
    // ends, status 0, nothing on stderr.
    drop(rx);
    let stdout_gone = wait(S(5), || matches!(child.try_wait(), Ok(Some(_))));
    if !stdout_gone {
        let _ = child.kill();
    }
    let out = child.wait_with_output().expect("ifctl -p");
    assert!(stdout_gone, "ifctl -p kept running with its reader gone");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // The same for a listing read by `head -1`.
    let sh = format!(
        "{} -s {} -i | head -1; exit ${{PIPESTATUS[0]}}",
        common::ifctl_bin().display(),
        path_str(&s.sock)
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &sh])
        .output()
        .expect("bash");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("INTERFACE"));
}

#[test]
fn runtime_standby_and_reload() {
    if !root_or_skip("runtime_standby_and_reload") {
        return;
    }
    // A standby cannot be the home of a data address: only mp0 has one.
    let conf = BASE.replace("address 192.0.2.20/24 on mp1\n", "");
    let s = Setup::new("standby", 2, &conf);
    s.wait_healthy(&["mp0", "mp1"]);

    let r = s.ifctl(&["mp1", "standby"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(
        r.lines(),
        [
            "ifctl: mp1: changed until the next reload; to keep it, put \
             this line in mpathd.conf:",
            "interface mp1 group ipmp0 standby test 192.0.2.12/24",
        ]
    );
    let flags = || {
        let r = s.ifctl(&["-i", "-P", "-o", "interface,flags"]);
        r.lines().iter().map(|l| l.to_string()).collect::<Vec<_>>()
    };
    let ok = wait(S(3), || flags()[1].starts_with("mp1:is"));
    assert!(ok, "{:?}", flags());
    assert!(s.iface("mp1").standby);
    let mp1 = s.iface("mp1");
    assert!(mp1.inactive && mp1.hosted.is_empty(), "{mp1:#?}");

    let r = s.ifctl(&["mp1", "-standby"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.lines()[1], "interface mp1 group ipmp0 test 192.0.2.12/24");
    let ok = wait(S(3), || flags()[1] == "mp1:-------");
    assert!(ok, "{:?}", flags());
    assert!(!s.iface("mp1").standby);

    // A refused change: the daemon's reason, EX_CONFIG.
    let r = s.ifctl(&["mp0", "-group"]);
    assert_eq!(r.code, 78, "{r:?}");
    assert!(
        r.err.starts_with("ifctl: mp0: change refused: "),
        "{}",
        r.err
    );
    assert_eq!(s.iface("mp0").group, "ipmp0");

    // Reload: taken, then refused with every file:line problem.
    let r = s.ifctl(&["reload"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(r.out, "ifctl: mpathd reloaded its configuration\n");
    std::fs::write(&s.conf, format!("{conf}FAILBAK=no\ninterface mp9 group\n"))
        .unwrap();
    let r = s.ifctl(&["reload"]);
    assert_eq!(r.code, 78, "{r:?}");
    let file = path_str(&s.conf).to_string();
    assert!(r.err.contains(&format!("{file}:6: ")), "{}", r.err);
    assert!(r.err.contains(&format!("{file}:7: ")), "{}", r.err);
    assert!(
        r.err.lines().last().unwrap().starts_with("ifctl: "),
        "{}",
        r.err
    );
    assert_eq!(s.iface("mp0").state, "ok");
}
