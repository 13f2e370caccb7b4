//! ifctl against a real laggd in the namespace lab: what the operator
//! reads follows laggd's status as links go down and come back. There is
//! no bonding on the test host, so the aggregate is one laggd supervises
//! but the kernel lacks (its ports, the lab's members, are real); the
//! link-state tracking group and the redundancy group work in full.
//! mpathd is not running: ifctl must show laggd alone, without an error.
//!
//! Needs root (namespaces) and a built laggd; see `common`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{ifctl_bin, laggd_bin, promtool_check, sample, wait, Run};
use mpath_lab::client::lagg_status;
use mpath_lab::{root_or_skip, Daemon, Lab, LabSpec, Ns};
use mpath_proto::laggd::LaggStatus;

const S: fn(u64) -> Duration = Duration::from_secs;

/// No mpathd listens here.
const NO_MPATHD: &str = "/nonexistent/mpathd.sock";

const CONF: &str = "\
lagg bond0 ports mp0 mp1 min-links 1 action report
track-group uplinks upstream mp0 mp1 downstream mp2 health link
redundancy rg1 priority 120 failover-threshold 80 track mp0 decrement 50
";

/// A lab with three members and laggd on its host side.
struct Setup {
    lab: Lab,
    dir: PathBuf,
    sock: PathBuf,
    laggd: Daemon,
}

impl Setup {
    fn new(name: &str) -> Setup {
        Setup::with(name, CONF)
    }

    fn with(name: &str, conf_text: &str) -> Setup {
        let lab = Lab::new(LabSpec { members: 3 });
        let dir = std::env::temp_dir()
            .join(format!("ifctl-laggd-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let conf = dir.join("laggd.conf");
        std::fs::write(&conf, conf_text).expect("laggd.conf");
        let sock = dir.join("laggd.sock");
        let laggd = Daemon::spawn(
            &lab.ns(Ns::Host),
            &laggd_bin(),
            &["-d", "-f", path(&conf), "-s", path(&sock)],
            &dir.join("laggd.log"),
        );
        let s = Setup {
            lab,
            dir,
            sock,
            laggd,
        };
        let up = wait(S(5), || s.try_status().is_some());
        assert!(up, "laggd does not answer:\n{}", s.laggd.log());
        s
    }

    fn try_status(&self) -> Option<LaggStatus> {
        lagg_status(&self.sock)
    }

    fn status(&self) -> LaggStatus {
        self.try_status()
            .unwrap_or_else(|| panic!("no status:\n{}", self.laggd.log()))
    }

    /// ifctl with `-S` at this laggd and no mpathd, then `args`.
    fn ifctl(&self, args: &[&str]) -> Run {
        let o = Command::new(ifctl_bin())
            .args(["-s", NO_MPATHD, "-S", path(&self.sock)])
            .args(args)
            .output()
            .expect("run ifctl");
        Run::from(o)
    }

    /// ifctl as uid and gid 65534 (nobody), with no groups.
    fn ifctl_as_nobody(&self, args: &[&str]) -> Run {
        let o = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(ifctl_bin())
            .args(["-s", NO_MPATHD, "-S", path(&self.sock)])
            .args(args)
            .output()
            .expect("setpriv (util-linux) runs ifctl as nobody");
        Run::from(o)
    }

    /// Whether `ifname` is administratively up in the host namespace.
    fn admin_up(&self, ifname: &str) -> bool {
        self.lab.admin_up(Ns::Host, ifname)
    }

    /// Waits until `ifctl args` prints `want` (stdout lines).
    fn expect(&self, args: &[&str], want: &[&str]) {
        let mut last = None;
        let ok = wait(S(3), || {
            let r = self.ifctl(args);
            let same = r.code == 0 && r.lines() == want;
            last = Some(r);
            same
        });
        assert!(ok, "ifctl {args:?}: {last:?}\n{}", self.laggd.log());
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn laggd_seen_through_ifctl() {
    if !root_or_skip("laggd_seen_through_ifctl") {
        return;
    }
    let s = Setup::new("seen");
    s.expect(
        &["-T"],
        &[
            "Link State Group: uplinks      Status: Enabled, Up      Health: link",
            "Upstream Interfaces   : mp0(Up) mp1(Up)",
            "Downstream Interfaces : mp2(Up)",
            "",
            "(Up):Interface up   (Dwn):Interface Down   (Dis):Interface disabled",
        ],
    );
    s.expect(
        &["-L", "-P", "-o", "aggregate,state,live,flags,ports"],
        &["bond0:ok:2/2:---d:mp0 mp1"],
    );
    s.expect(
        &["-R", "-P", "-o", "group,priority,state,effector,tracks"],
        &["rg1:120/120:ok:none:mp0(Up)"],
    );

    // Only laggd runs: the summary is laggd's, with no error.
    let r = s.ifctl(&[]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(
        r.lines()[0],
        "bond0: ok, 2 of 2 ports live, min-links 1, not in the kernel"
    );
    assert!(
        r.lines().contains(
            &"link state group uplinks: up, upstream mp0(Up) mp1(Up), \
              downstream mp2(Up)"
        ),
        "{}",
        r.out
    );

    // The aggregate, ifconfig-like, and a port.
    let r = s.ifctl(&["bond0"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    let lines = r.lines();
    assert_eq!(
        lines[..3],
        [
            "bond0: flags=<>",
            "\tlaggproto unknown",
            "\tlaggport: mp0 flags=5<MASTER,ACTIVE>"
        ]
    );
    assert!(
        lines.contains(&"\tlaggd: ok, not in the kernel"),
        "{}",
        r.out
    );
    assert!(lines.contains(&"\ttargets: none (link only)"), "{}", r.out);
    let mp1: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("\tmp1 "))
        .expect("mp1's row")
        .split_whitespace()
        .collect();
    assert_eq!(
        mp1[..5],
        ["mp1", "up", "disabled", "ok", "yes"],
        "{}",
        r.out
    );
    let r = s.ifctl(&["mp1"]);
    assert_eq!(r.lines()[0], "mp1: laggdev bond0 flags=4<ACTIVE>", "{r:?}");

    // JSON: laggd's objects as it sent them.
    let r = s.ifctl(&["-j", "-T"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    let st = serde_json::to_value(s.status()).expect("status");
    assert_eq!(v["tracking"], st["tracking"]);

    // Every upstream link lost: the group goes down and err-disables
    // mp2; the redundancy group loses mp0's 50; bond0 is below min-links.
    s.lab.carrier(0, false);
    s.lab.carrier(1, false);
    s.expect(
        &["-T"],
        &[
            "Link State Group: uplinks      Status: Enabled, Down      Health: link",
            "Upstream Interfaces   : mp0(Dwn) mp1(Dwn)",
            "Downstream Interfaces : mp2(Dis)",
            "",
            "(Up):Interface up   (Dwn):Interface Down   (Dis):Interface disabled",
        ],
    );
    s.expect(
        &["-R", "-P", "-o", "group,priority,state,tracks"],
        &["rg1:70/120:faulted:mp0(Dwn)"],
    );
    s.expect(
        &["-L", "-P", "-o", "aggregate,state,live,flags"],
        &["bond0:failed:0/2:mb-d"],
    );
    let r = s.ifctl(&["mp0"]);
    assert!(r.lines().contains(&"\tlink: down"), "{}", r.out);

    // One link back.
    s.lab.carrier(0, true);
    s.expect(
        &["-R", "-P", "-o", "group,priority,state"],
        &["rg1:120/120:ok"],
    );
    // One of two ports bad: bad score (failure-threshold 0 by default).
    s.expect(
        &["-L", "-P", "-o", "aggregate,state,live,flags"],
        &["bond0:degraded:1/2:-b-d"],
    );

    // Reload through ifctl, laggd's warnings on stderr; a name laggd
    // does not know, mpathd down.
    let r = s.ifctl(&["reload", "laggd"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.out, "ifctl: laggd reloaded its configuration\n");
    assert!(
        r.err.ends_with(
            "laggd.conf:3: warning: redundancy group `rg1` has neither \
             `carp` nor `keepalived FILE`: its priority is only logged\n"
        ),
        "{}",
        r.err
    );
    let r = s.ifctl(&["mp7"]);
    assert_eq!(r.code, 67, "{r:?}");
    assert_eq!(
        r.err,
        format!(
            "ifctl: mp7: not an interface laggd tracks, and mpathd is not \
             running at {NO_MPATHD}\n"
        )
    );
}

/// Maintenance through ifctl against the real laggd: a port taken out
/// of service and back (never the last live one unless forced), a
/// link-state group disabled and enabled, each answered with what
/// changed, root only, ended by a reload.
#[test]
fn laggd_maintenance_through_ifctl() {
    if !root_or_skip("laggd_maintenance_through_ifctl") {
        return;
    }
    let s = Setup::new("maint");
    s.expect(
        &["-L", "-P", "-o", "aggregate,state,live"],
        &["bond0:ok:2/2"],
    );

    // Only root may.
    let r = s.ifctl_as_nobody(&["mp0", "offline"]);
    assert_eq!(r.code, 77, "{r:?}");
    assert!(r.err.starts_with("ifctl: permission denied"), "{}", r.err);
    let r = s.ifctl_as_nobody(&["track-group", "uplinks", "disable"]);
    assert_eq!(r.code, 77, "{r:?}");

    // mp0 out of service: the reply says what changed.
    let r = s.ifctl(&["mp0", "offline"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(
        r.lines()[..2],
        [
            "bond0: port mp0 offline by the operator; taking it out until \
             it is put online, the next reload or a restart",
            "bond0: 1 bad ports, more than the link-failure-threshold 0: bad \
             score",
        ],
        "{}",
        s.laggd.log()
    );
    assert!(
        r.lines()
            .contains(&"redundancy group rg1: priority 120 -> 70 (mp0 down)"),
        "{r:?}"
    );
    assert!(
        s.laggd
            .log()
            .contains("bond0: port mp0 offline by the operator"),
        "logged: {}",
        s.laggd.log()
    );
    let st = s.status();
    let mp0 = &st.aggregates[0].ports[0];
    assert_eq!(
        (mp0.state.as_str(), mp0.offline, mp0.in_service),
        ("offline", true, false)
    );
    assert_eq!(st.aggregates[0].in_service, ["mp1"]);
    s.expect(
        &["-L", "-P", "-o", "aggregate,state,live,flags"],
        &["bond0:degraded:1/2:-b-d"],
    );
    let r = s.ifctl(&["mp0"]);
    assert_eq!(r.lines()[1], "\tstate: offline, out of service", "{r:?}");
    let r = s.ifctl(&["-j", "mp0"]);
    assert!(r.out.contains("\"state\":\"offline\""), "{r:?}");
    assert!(r.out.contains("\"offline\":true"), "{r:?}");

    // Refusals: the last live port, a port offline already, an
    // aggregate, a name nobody knows.
    let r = s.ifctl(&["mp1", "offline"]);
    assert_eq!(r.code, 75, "{r:?}");
    assert!(
        r.err.contains("mp1 is the last live port of bond0")
            && r.err.contains("say `force`"),
        "{r:?}"
    );
    let r = s.ifctl(&["mp0", "offline"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (75, "ifctl: mp0 is offline already\n")
    );
    let r = s.ifctl(&["bond0", "offline"]);
    assert_eq!(r.code, 67, "{r:?}");
    assert!(r.err.contains("bond0 is an aggregate"), "{r:?}");
    let r = s.ifctl(&["mp7", "offline"]);
    assert_eq!(r.code, 67, "{r:?}");
    assert_eq!(
        r.err,
        format!(
            "ifctl: mp7: not a port laggd supervises, and mpathd is not \
             running at {NO_MPATHD}\n"
        )
    );
    let r = s.ifctl(&["mp7", "offline", "force"]);
    assert_eq!(r.code, 64, "{r:?}");

    // Forced, in JSON: min-links reports bond0 below its minimum.
    let r = s.ifctl(&["-j", "mp1", "offline", "force"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(
        (v["daemon"].as_str(), v["done"].as_bool()),
        (Some("laggd"), Some(true))
    );
    let changed: Vec<&str> = v["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(
        changed[0].contains("(forced: it was the last live port)"),
        "{changed:?}"
    );
    assert!(
        changed.contains(&"bond0: 0 live ports, fewer than min-links 1"),
        "{changed:?}"
    );
    s.expect(
        &["-L", "-P", "-o", "aggregate,state,live,flags"],
        &["bond0:failed:0/2:mb-d"],
    );

    // Back online.
    let r = s.ifctl(&["mp0", "online"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.lines()[0],
        "bond0: port mp0 online again; putting it back"
    );
    let r = s.ifctl(&["mp0", "online"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (75, "ifctl: mp0 is not offline\n")
    );
    // A reload ends maintenance: mp1 is back too.
    let r = s.ifctl(&["reload", "laggd"]);
    assert_eq!(r.code, 0, "{r:?}");
    s.expect(
        &["-L", "-P", "-o", "aggregate,state,live,flags"],
        &["bond0:ok:2/2:---d"],
    );
    assert!(
        s.laggd.log().contains("bond0: port mp1 online again"),
        "{}",
        s.laggd.log()
    );

    // The link-state group: every upstream down takes mp2 down.
    s.lab.carrier(0, false);
    s.lab.carrier(1, false);
    assert!(wait(S(3), || !s.admin_up("mp2")), "{}", s.laggd.log());
    let r = s.ifctl(&["track-group", "uplinks", "disable"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.lines(),
        [
            "link-state group uplinks disabled by the operator until the \
             next reload or a restart",
            "link-state group uplinks: restoring mp2 (the group is disabled)",
        ]
    );
    assert!(wait(S(3), || s.admin_up("mp2")), "{}", s.laggd.log());
    s.expect(
        &["-bT"],
        &[
            "Link State Group: uplinks      Status: Disabled (ifctl, until \
           reload)      Health: link",
        ],
    );
    s.expect(
        &["-T", "uplinks"],
        &[
            "Link State Group: uplinks      Status: Disabled (ifctl, until \
             reload)      Health: link",
            "Upstream Interfaces   : mp0(Dwn) mp1(Dwn)",
            "Downstream Interfaces : mp2(Up)",
            "",
            "(Up):Interface up   (Dwn):Interface Down   (Dis):Interface disabled",
        ],
    );
    let r = s.ifctl(&["-j", "-T", "uplinks"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(v["tracking"][0]["runtime"], serde_json::Value::Bool(true));
    let r = s.ifctl(&["-T", "nope"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (67, "ifctl: no link-state group nope in laggd\n")
    );
    let r = s.ifctl(&["track-group", "uplinks", "disable"]);
    assert_eq!(
        (r.code, r.out.as_str()),
        (
            0,
            "ifctl: link-state group uplinks is disabled already; nothing \
             changed\n"
        )
    );
    let r = s.ifctl(&["track-group", "nope", "enable"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (67, "ifctl: no link-state group nope\n")
    );
    // Enabled with its upstream still down: mp2 goes down at once.
    let r = s.ifctl(&["track-group", "uplinks", "enable"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.lines().contains(
            &"link-state group uplinks: every upstream is down; bringing mp2 down"
        ),
        "{r:?}"
    );
    assert!(wait(S(3), || !s.admin_up("mp2")), "{}", s.laggd.log());
    s.expect(
        &["-bT"],
        &["Link State Group: uplinks      Status: Enabled, Down      Health: link"],
    );
}

/// `ifctl metrics` against laggd alone: promtool passes it with no lint
/// problem, and the values follow carrier cuts (a port's state, the
/// link-state group going down, the redundancy group's priority).
#[test]
fn laggd_metrics_pass_promtool_and_follow_carrier_cuts() {
    let test = "laggd_metrics_pass_promtool_and_follow_carrier_cuts";
    if !root_or_skip(test) {
        return;
    }
    let s = Setup::new("metrics");
    let metrics = || {
        let r = s.ifctl(&["metrics"]);
        assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
        r.out
    };
    const MP0: &str = "aggregate=\"bond0\",port=\"mp0\"";
    let mut text = String::new();
    let ready = wait(S(5), || {
        text = metrics();
        sample(&text, &format!("laggd_port_state{{{MP0},state=\"ok\"}}"))
            == Some(1.0)
    });
    assert!(ready, "{text}");
    if let Some(problems) = promtool_check(test, &text) {
        assert_eq!(problems, "", "{text}");
    }
    let at = |text: &str, series: &str| sample(text, series);
    assert_eq!(at(&text, "laggd_up"), Some(1.0));
    assert_eq!(at(&text, "mpathd_up"), Some(0.0), "mpathd is not running");
    assert_eq!(
        at(&text, "laggd_aggregate_live_ports{aggregate=\"bond0\"}"),
        Some(2.0)
    );
    assert_eq!(
        at(&text, "laggd_aggregate_min_links{aggregate=\"bond0\"}"),
        Some(1.0)
    );
    assert_eq!(
        at(&text, "laggd_redundancy_current_priority{group=\"rg1\"}"),
        Some(120.0)
    );

    // Every upstream cut: mp0 fails, the group goes down and disables
    // mp2, rg1 loses 50.
    s.lab.carrier(0, false);
    s.lab.carrier(1, false);
    let followed = wait(S(5), || {
        text = metrics();
        at(
            &text,
            &format!("laggd_port_state{{{MP0},state=\"failed\"}}"),
        ) == Some(1.0)
            && at(
                &text,
                "laggd_track_group_state{group=\"uplinks\",state=\"down\"}",
            ) == Some(1.0)
            && at(&text, "laggd_track_group_downs_total{group=\"uplinks\"}")
                == Some(1.0)
            && at(
                &text,
                "laggd_track_group_downstream_state{group=\"uplinks\",\
                 interface=\"mp2\",state=\"disabled\"}",
            ) == Some(1.0)
            && at(&text, "laggd_redundancy_current_priority{group=\"rg1\"}")
                == Some(70.0)
            && at(&text, &format!("laggd_port_failures_total{{{MP0}}}"))
                == Some(1.0)
    });
    assert!(followed, "{text}\n{}", s.laggd.log());
    assert_eq!(
        at(
            &text,
            "laggd_aggregate_below_min_links{aggregate=\"bond0\"}"
        ),
        Some(1.0)
    );
    if let Some(problems) = promtool_check(test, &text) {
        assert_eq!(problems, "", "{text}");
    }
    s.lab.carrier(0, true);
    let back = wait(S(5), || {
        text = metrics();
        at(
            &text,
            "laggd_track_group_state{group=\"uplinks\",state=\"up\"}",
        ) == Some(1.0)
            && at(&text, &format!("laggd_port_repairs_total{{{MP0}}}"))
                == Some(1.0)
    });
    assert!(back, "{text}\n{}", s.laggd.log());
}
