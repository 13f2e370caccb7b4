//! laggd driving a real keepalived (Debian's) on two chassis: chassis A
//! runs laggd and keepalived at priority 120, chassis B keepalived at
//! 100, one VRRP instance and virtual address between them
//! (`mpath_lab::ha`). laggd writes A's track file; these tests watch
//! where the virtual address goes.
//!
//! At `advert_int 1` B takes over from a demoted master only after its
//! master-down interval (3 intervals plus skew, about 3.6 s), but from a
//! resigning one (priority 0) after its skew time (about 0.6 s); the
//! resign tests hold it to 2.5 s, which a demotion could not meet.
//!
//! Needs root and keepalived (tests/setup installs it).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mpath_lab::client::lagg_status;
use mpath_lab::ha::{Chassis, HaLab, HaSpec, VIP};
use mpath_lab::mpathd::wait;
use mpath_lab::{root_or_skip, Daemon};
use mpath_proto::laggd::RedundancyStatus;

const S: fn(u64) -> Duration = Duration::from_secs;

/// Longer than any master-down interval at `advert_int 1`.
const TAKEOVER: Duration = Duration::from_secs(8);

/// A resignation must be seen through well within the master-down
/// interval (3.6 s).
const RESIGN: Duration = Duration::from_millis(2500);

/// The aggregates the redundancy group may track: agg0 is below
/// min-links with one port down, agg1 has a bad score with both down.
const AGGREGATES: &str = "\
lagg agg0 ports p0 p1 min-links 2 action report
lagg agg1 ports p2 p3 failure-threshold 1 action report
";

/// The lab and laggd on chassis A.
struct Setup {
    lab: HaLab,
    sock: PathBuf,
    laggd: Daemon,
}

impl Setup {
    /// The lab at `advert_int 1`, and laggd with `redundancy` (where
    /// `FILE` is replaced by A's track file).
    fn new(redundancy: &str) -> Setup {
        let lab = HaLab::new(HaSpec::default());
        let file = lab.track_file();
        let conf = lab.dir().join("laggd.conf");
        let text = format!(
            "{AGGREGATES}{}\n",
            redundancy.replace("FILE", &file.display().to_string())
        );
        std::fs::write(&conf, text).expect("laggd.conf");
        let sock = lab.dir().join("laggd.sock");
        let laggd = Daemon::spawn(
            &lab.chassis(Chassis::A),
            Path::new(env!("CARGO_BIN_EXE_laggd")),
            &["-d", "-f", path(&conf), "-s", path(&sock)],
            &lab.dir().join("laggd.log"),
        );
        let s = Setup { lab, sock, laggd };
        let up = wait(S(5), || lagg_status(&s.sock).is_some());
        assert!(up, "laggd does not answer:\n{}", s.laggd.log());
        s
    }

    fn group(&self) -> RedundancyStatus {
        lagg_status(&self.sock)
            .unwrap_or_else(|| panic!("no status:\n{}", self.laggd.log()))
            .redundancy
            .remove(0)
    }

    fn track_value(&self) -> String {
        std::fs::read_to_string(self.lab.track_file())
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// Waits until laggd has written `want` to the track file.
    fn expect_written(&self, want: &str, within: Duration) {
        let ok = wait(within, || self.track_value() == want);
        assert!(
            ok,
            "track file has {:?}, not {want:?}:\n{}",
            self.track_value(),
            self.logs()
        );
    }

    /// Waits until laggd says it applied `want` (`demotion N`, ...).
    fn expect_applied(&self, want: &str) {
        let ok = wait(S(3), || self.group().applied.as_deref() == Some(want));
        assert!(ok, "not applied: {want}:\n{}", self.logs());
    }

    /// Waits until `c` alone holds the address; how long it took.
    fn expect_holder(&self, c: Chassis, within: Duration) -> Duration {
        self.lab.wait_holder(c, within).unwrap_or_else(|| {
            panic!(
                "{c:?} does not hold {VIP} within {within:?}:\n{}",
                self.logs()
            )
        })
    }

    fn logs(&self) -> String {
        format!(
            "--- laggd\n{}--- keepalived A\n{}--- keepalived B\n{}",
            self.laggd.log(),
            self.lab.keepalived_log(Chassis::A),
            self.lab.keepalived_log(Chassis::B)
        )
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn a_decrement_moves_the_vip_and_preempt_brings_it_back() {
    if !root_or_skip("keepalived decrement") {
        return;
    }
    let s = Setup::new(
        "redundancy rg1 priority 120 failover-threshold 60 preempt \
         track up0 decrement 50 keepalived FILE vip 192.0.2.100",
    );
    s.expect_applied("demotion 0");
    assert_eq!(s.group().role, "active", "{}", s.logs());
    s.lab.carrier("up0", false);
    s.expect_written("-50", S(2));
    s.expect_holder(Chassis::B, TAKEOVER);
    assert!(
        s.lab
            .keepalived_log(Chassis::A)
            .contains("Changing effective priority from 120 to 70"),
        "{}",
        s.logs()
    );
    assert!(wait(S(2), || s.group().role == "standby"), "{}", s.logs());
    s.lab.carrier("up0", true);
    s.expect_written("0", S(2));
    s.expect_holder(Chassis::A, TAKEOVER);
    assert!(wait(S(2), || s.group().role == "active"), "{}", s.logs());
}

#[test]
fn without_preempt_the_recovered_chassis_waits_until_the_peer_fails() {
    if !root_or_skip("keepalived no preempt") {
        return;
    }
    let mut s = Setup::new(
        "redundancy rg1 priority 120 failover-threshold 60 \
         track up0 decrement 50 keepalived FILE vip 192.0.2.100",
    );
    s.expect_applied("demotion 0");
    s.lab.carrier("up0", false);
    s.expect_holder(Chassis::B, TAKEOVER);
    s.lab.carrier("up0", true);
    // Recovered while standby: laggd yields (priority 1) instead.
    s.expect_written("-253", S(3));
    assert!(s.lab.keeps(Chassis::B, S(6)), "{}", s.logs());
    let g = s.group();
    assert_eq!((g.role.as_str(), g.held), ("standby", true), "{g:?}");
    assert!(
        s.laggd.log().contains(
            "redundancy group rg1: recovered while standby; without preempt \
             it yields until it is active again"
        ),
        "{}",
        s.logs()
    );
    // B fails: A takes over at priority 1, then laggd gives it its
    // whole priority back.
    s.lab.stop_keepalived(Chassis::B);
    s.expect_holder(Chassis::A, TAKEOVER);
    s.expect_applied("demotion 0");
    assert!(!s.group().held, "{}", s.logs());
}

#[test]
fn crossing_the_failover_threshold_resigns_within_an_interval() {
    if !root_or_skip("keepalived resign") {
        return;
    }
    let s = Setup::new(
        "redundancy rg1 priority 120 failover-threshold 60 preempt \
         track up0 decrement 70 keepalived FILE vip 192.0.2.100",
    );
    s.expect_applied("demotion 0");
    s.lab.carrier("up0", false);
    s.lab.wait_holder(Chassis::B, RESIGN).unwrap_or_else(|| {
        panic!("B not master within {RESIGN:?}:\n{}", s.logs())
    });
    assert_eq!(s.track_value(), "-254");
    let ka = s.lab.keepalived_log(Chassis::A);
    assert!(ka.contains("Entering FAULT STATE"), "{}", s.logs());
    assert!(ka.contains("sent 0 priority"), "{}", s.logs());
    let g = s.group();
    assert_eq!((g.faulted, g.applied.as_deref()), (true, Some("resign")));
    s.lab.carrier("up0", true);
    s.expect_written("0", S(2));
    s.expect_holder(Chassis::A, TAKEOVER);
}

#[test]
fn aggregates_below_min_links_or_with_a_bad_score_resign() {
    if !root_or_skip("keepalived aggregates") {
        return;
    }
    let s = Setup::new(
        "redundancy rg1 priority 120 failover-threshold 60 preempt \
         track agg0 shutdown track agg1 decrement 70 \
         keepalived FILE vip 192.0.2.100",
    );
    s.expect_applied("demotion 0");
    // One of agg0's two ports: below min-links 2, a `shutdown` object.
    s.lab.carrier("p0", false);
    s.expect_holder(Chassis::B, RESIGN + S(1));
    assert_eq!(s.track_value(), "-254", "{}", s.logs());
    s.lab.carrier("p0", true);
    s.expect_holder(Chassis::A, TAKEOVER);
    // Both of agg1's: more than failure-threshold 1 bad, 120 - 70 < 60.
    s.lab.carrier("p2", false);
    s.lab.carrier("p3", false);
    s.expect_holder(Chassis::B, RESIGN + S(1));
    assert_eq!(s.track_value(), "-254", "{}", s.logs());
    assert!(
        s.laggd
            .log()
            .contains("redundancy group rg1: priority 120 -> 50 (agg1 down)"),
        "{}",
        s.logs()
    );
    s.lab.carrier("p2", true);
    s.lab.carrier("p3", true);
    s.expect_holder(Chassis::A, TAKEOVER);
}

#[test]
fn delay_and_reload_timers_hold_changes_back() {
    if !root_or_skip("keepalived timers") {
        return;
    }
    // The uplink goes down as laggd starts: nothing for `reload 3`.
    let s = Setup::new(
        "redundancy rg1 priority 120 failover-threshold 60 preempt \
         track up0 decrement 70 delay 2 reload 3 \
         keepalived FILE vip 192.0.2.100",
    );
    let cut = Instant::now();
    s.lab.carrier("up0", false);
    std::thread::sleep(S(2));
    assert_eq!(
        s.group().applied,
        None,
        "nothing before reload: {}",
        s.logs()
    );
    assert!(s.lab.holds(Chassis::A));
    s.expect_written("-254", S(3));
    let applied = cut.elapsed();
    assert!(applied >= Duration::from_millis(2500), "{applied:?}");
    s.expect_holder(Chassis::B, RESIGN);
    // Repaired: applied only after `delay 2`.
    s.lab.carrier("up0", true);
    let repaired = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(s.track_value(), "-254", "{}", s.logs());
    s.expect_written("0", S(2));
    assert!(repaired.elapsed() >= Duration::from_millis(1900));
    s.expect_holder(Chassis::A, TAKEOVER);
}

#[test]
fn laggd_exit_takes_everything_back() {
    if !root_or_skip("keepalived exit") {
        return;
    }
    let mut s = Setup::new(
        "redundancy rg1 priority 120 failover-threshold 60 \
         track up0 shutdown keepalived FILE vip 192.0.2.100",
    );
    s.expect_applied("demotion 0");
    s.lab.carrier("up0", false);
    s.expect_holder(Chassis::B, RESIGN);
    s.laggd.signal("TERM");
    assert_eq!(s.laggd.wait_exit(S(5)), Some(0), "{}", s.logs());
    assert_eq!(s.track_value(), "0", "{}", s.logs());
    // keepalived's own preemption takes the address back to A (120).
    s.expect_holder(Chassis::A, TAKEOVER);
}
