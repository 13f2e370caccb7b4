//! laggd end to end on the host kernel (no bonding needed): link-state
//! tracking with two upstream interfaces and one downstream interface in
//! the namespace lab, seen through the control socket, reloaded by
//! SIGHUP and by the control socket, and undone at exit. When every
//! upstream loses its link, laggd brings the downstream interface down
//! (err-disabled), so the servers behind it fail over to their other
//! NIC; when one upstream returns, it comes back.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mpath_lab::client::{lagg_status, request};
use mpath_lab::{root_or_skip, Daemon, Lab, LabSpec, Ns};
use mpath_proto::laggd::LaggStatus;
use mpath_proto::{ErrorCode, Payload, RequestBody, ResponseBody};

const TRACKING: &str =
    "track-group uplinks upstream mp0 mp1 downstream mp2 health link\n";

fn wait(within: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A lab with three members and laggd running on the host side.
struct Setup {
    lab: Lab,
    dir: PathBuf,
    conf: PathBuf,
    sock: PathBuf,
    laggd: Daemon,
}

impl Setup {
    fn new(name: &str, conf_text: &str) -> Setup {
        let lab = Lab::new(LabSpec { members: 3 });
        let dir = std::env::temp_dir()
            .join(format!("laggd-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("laggd.conf");
        std::fs::write(&conf, conf_text).unwrap();
        let sock = dir.join("laggd.sock");
        let laggd = Daemon::spawn(
            &lab.ns(Ns::Host),
            Path::new(env!("CARGO_BIN_EXE_laggd")),
            &[
                "-d",
                "-f",
                conf.to_str().unwrap(),
                "-s",
                sock.to_str().unwrap(),
            ],
            &dir.join("laggd.log"),
        );
        let s = Setup {
            lab,
            dir,
            conf,
            sock,
            laggd,
        };
        let up = wait(Duration::from_secs(5), || s.try_status().is_some());
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

    fn admin_up(&self, ifname: &str) -> bool {
        self.lab.admin_up(Ns::Host, ifname)
    }

    /// Both upstream links down; waits for the downstream to go down.
    fn lose_upstream(&self) {
        self.lab.carrier(0, false);
        self.lab.carrier(1, false);
        let down = wait(Duration::from_secs(3), || !self.admin_up("mp2"));
        assert!(down, "mp2 still up:\n{}", self.laggd.log());
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn downstream_follows_the_upstream_links() {
    if !root_or_skip("laggd tracking") {
        return;
    }
    let s = Setup::new("tracking", TRACKING);
    assert!(s.admin_up("mp2"), "{}", s.laggd.log());
    let g = &s.status().tracking[0];
    assert_eq!((g.name.as_str(), g.state.as_str()), ("uplinks", "up"));
    // One upstream down: the group is still up.
    s.lab.carrier(0, false);
    std::thread::sleep(Duration::from_millis(500));
    assert!(s.admin_up("mp2"), "{}", s.laggd.log());
    let g = &s.status().tracking[0];
    let states: Vec<&str> =
        g.upstream.iter().map(|u| u.state.as_str()).collect();
    assert_eq!(states, ["down", "up"], "{g:?}");
    // Every upstream down: the downstream is err-disabled.
    s.lab.carrier(1, false);
    let down = wait(Duration::from_secs(3), || !s.admin_up("mp2"));
    assert!(down, "mp2 still up:\n{}", s.laggd.log());
    assert!(
        s.laggd.log().contains(
            "link-state group uplinks: every upstream is down; bringing mp2 down"
        ),
        "{}",
        s.laggd.log()
    );
    let g = &s.status().tracking[0];
    assert_eq!(g.state, "down");
    assert_eq!(g.downstream[0].state, "disabled");
    // One upstream back: the downstream returns.
    s.lab.carrier(1, true);
    let up = wait(Duration::from_secs(3), || s.admin_up("mp2"));
    assert!(up, "mp2 still down:\n{}", s.laggd.log());
    assert_eq!(s.status().tracking[0].downstream[0].state, "up");
    assert!(
        s.laggd.log().contains(
            "link-state group uplinks: restoring mp2 (an upstream interface is up again)"
        ),
        "{}",
        s.laggd.log()
    );
}

#[test]
fn a_reload_without_the_group_restores_the_downstream_and_a_bad_one_changes_nothing(
) {
    if !root_or_skip("laggd reload") {
        return;
    }
    let s = Setup::new("reload", TRACKING);
    s.lose_upstream();
    // A file with errors: refused, every problem reported as file:line,
    // the configuration in force (and mp2 down) unchanged.
    std::fs::write(
        &s.conf,
        "track-group uplinks upstream mp0 downstream mp0\nlagg\n",
    )
    .unwrap();
    let r = request(&s.sock, RequestBody::Reload).expect("reload answer");
    let ResponseBody::Error(e) = r else {
        panic!("a bad file was taken: {r:?}");
    };
    assert_eq!(e.code, ErrorCode::BadConfig);
    let conf = s.conf.to_str().unwrap();
    assert!(e.details.len() >= 2, "{e:?}");
    assert!(
        e.details.iter().all(|d| d.starts_with(&format!("{conf}:"))),
        "{e:?}"
    );
    s.laggd.signal("HUP");
    let logged = s.laggd.wait_log(
        "not reloaded; keeping the configuration in force",
        Duration::from_secs(3),
    );
    assert!(logged, "{}", s.laggd.log());
    assert!(
        s.laggd.log().contains(&format!("{conf}:1:")),
        "{}",
        s.laggd.log()
    );
    assert!(!s.admin_up("mp2"), "a refused reload changed something");
    assert_eq!(s.status().tracking[0].state, "down");
    // The group removed by SIGHUP: its downstream comes back up.
    std::fs::write(&s.conf, "# nothing tracked\n").unwrap();
    s.laggd.signal("HUP");
    let up = wait(Duration::from_secs(3), || s.admin_up("mp2"));
    assert!(up, "mp2 still down after the reload:\n{}", s.laggd.log());
    assert!(s.status().tracking.is_empty());
    // And via the control socket, a good file is taken.
    std::fs::write(&s.conf, TRACKING).unwrap();
    let r = request(&s.sock, RequestBody::Reload).expect("reload answer");
    assert!(
        matches!(r, ResponseBody::Ok(Payload::Reloaded { .. })),
        "{r:?}"
    );
    let down = wait(Duration::from_secs(3), || !s.admin_up("mp2"));
    assert!(down, "the group is back, its upstream still down");
}

#[test]
fn at_exit_laggd_restores_what_it_took_down() {
    if !root_or_skip("laggd exit") {
        return;
    }
    let mut s = Setup::new("exit", TRACKING);
    s.lose_upstream();
    match request(&s.sock, RequestBody::Ping) {
        Some(ResponseBody::Ok(Payload::Pong { daemon, .. })) => {
            assert_eq!(daemon, "laggd")
        }
        other => panic!("ping: {other:?}"),
    }
    let r = request(
        &s.sock,
        RequestBody::Offline {
            interface: "mp0".into(),
        },
    );
    assert!(
        matches!(&r, Some(ResponseBody::Error(e)) if e.code == ErrorCode::BadRequest),
        "{r:?}"
    );
    s.laggd.signal("TERM");
    assert_eq!(s.laggd.wait_exit(Duration::from_secs(5)), Some(0));
    assert!(
        s.admin_up("mp2"),
        "mp2 left down at exit:\n{}",
        s.laggd.log()
    );
    assert!(!s.sock.exists(), "control socket left behind");
}
