//! `ifctl switchover` against laggd driving a real keepalived on two
//! chassis (`mpath_lab::ha`): the active chassis gives its role up at
//! once (keepalived FAULT, a priority-0 advertisement), `ifctl -R` shows
//! it, the daemon logs it, only root may ask, and `cancel` lets the
//! chassis take the role back (`preempt`).
//!
//! Needs root, keepalived and a built laggd; see `common`.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{ifctl_bin, laggd_bin, path_str, wait, Run};
use mpath_lab::client::lagg_status;
use mpath_lab::ha::{Chassis, HaLab, HaSpec, VIP};
use mpath_lab::{root_or_skip, Daemon};

const S: fn(u64) -> Duration = Duration::from_secs;

fn ifctl(sock: &Path, args: &[&str]) -> Run {
    let o = Command::new(ifctl_bin())
        .args(["-s", "/nonexistent/mpathd.sock", "-S", path_str(sock)])
        .args(args)
        .output()
        .expect("run ifctl");
    Run::from(o)
}

fn ifctl_as_nobody(sock: &Path, args: &[&str]) -> Run {
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(ifctl_bin())
        .args(["-S", path_str(sock)])
        .args(args)
        .output()
        .expect("setpriv (util-linux) runs ifctl as nobody");
    Run::from(o)
}

#[test]
fn switchover_gives_the_role_to_the_peer_and_cancel_takes_it_back() {
    if !root_or_skip("ifctl switchover") {
        return;
    }
    let lab = HaLab::new(HaSpec::default());
    let conf = lab.dir().join("laggd.conf");
    std::fs::write(
        &conf,
        format!(
            "redundancy rg1 priority 120 preempt track up0 decrement 50 \
             keepalived {} vip {VIP}\n",
            lab.track_file().display()
        ),
    )
    .expect("laggd.conf");
    let sock = lab.dir().join("laggd.sock");
    let laggd = Daemon::spawn(
        &lab.chassis(Chassis::A),
        &laggd_bin(),
        &["-d", "-f", path_str(&conf), "-s", path_str(&sock)],
        &lab.dir().join("laggd.log"),
    );
    let logs = || {
        format!(
            "--- laggd\n{}--- keepalived A\n{}",
            laggd.log(),
            lab.keepalived_log(Chassis::A)
        )
    };
    let role = || lagg_status(&sock).map(|s| s.redundancy[0].role.clone());
    assert!(
        wait(S(5), || role().as_deref() == Some("active")),
        "{}",
        logs()
    );

    let r = ifctl_as_nobody(&sock, &["switchover", "rg1"]);
    assert_eq!(r.code, 77, "EX_NOPERM: {r:?}");
    assert!(r.err.contains("only root may change"), "{r:?}");
    assert!(lab.holds(Chassis::A));

    let r = ifctl(&sock, &["switchover", "rg9"]);
    assert_eq!(r.code, 67, "EX_NOUSER: {r:?}");
    assert!(r.err.contains("no redundancy group `rg9`"), "{r:?}");

    let r = ifctl(&sock, &["switchover", "rg1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.lines(),
        ["ifctl: rg1: this chassis gives up the active role until \
          `ifctl switchover rg1 cancel`"]
    );
    let moved = lab.wait_holder(Chassis::B, Duration::from_millis(2500));
    assert!(moved.is_some(), "B not master:\n{}", logs());
    assert!(laggd.wait_log(
        "redundancy group rg1: manual switchover: giving up the active role",
        S(1)
    ));
    // Once B is active, A stays a candidate (priority 1), no longer FAULT.
    let yielded = wait(S(3), || {
        std::fs::read_to_string(lab.track_file()).unwrap_or_default()
            == "-253\n"
    });
    assert!(yielded, "{}", logs());
    let r = ifctl(&sock, &["-R", "-P", "-o", "group,role,state,applied"]);
    assert_eq!(r.lines(), ["rg1:standby:switchover:yield"], "{r:?}");
    assert!(lab.keeps(Chassis::B, S(4)), "{}", logs());

    let r = ifctl(&sock, &["switchover", "rg1", "cancel"]);
    assert_eq!(r.lines(), ["ifctl: rg1: switchover cancelled"], "{r:?}");
    // preempt: A takes the role back.
    let back = lab.wait_holder(Chassis::A, S(8));
    assert!(back.is_some(), "A not master again:\n{}", logs());
    let r = ifctl(&sock, &["-R", "-P", "-o", "group,role,state,applied"]);
    let settled = wait(S(3), || {
        ifctl(&sock, &["-R", "-P", "-o", "group,role,state,applied"]).lines()
            == ["rg1:active:ok:0"]
    });
    assert!(settled, "{r:?}\n{}", logs());
}
