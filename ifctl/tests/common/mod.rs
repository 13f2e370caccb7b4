//! Shared set-up for ifctl's end-to-end tests: a lab, mpathd running in
//! its host namespace, and ifctl run from the test process (the control
//! socket is a file, reachable from every namespace).
//!
//! mpathd must be built: `cargo test --workspace` builds every binary,
//! but `cargo test -p ifctl` builds only ifctl, so run
//! `cargo build -p mpathd` first (or point `MPATHD_BIN` at one). A
//! missing mpathd fails the test with that advice.
#![allow(dead_code, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use mpath_core::engine::{InterfaceStatus, Status};
use mpath_lab::{Daemon, Lab, LabSpec, Ns};

/// Two members with test addresses, two explicit targets, one data
/// address homed on each member.
pub const BASE: &str = "\
FAILURE_DETECTION_TIME=1000
group ipmp0 target 192.0.2.1 192.0.2.2
interface mp0 group ipmp0 test 192.0.2.11/24
interface mp1 group ipmp0 test 192.0.2.12/24
address 192.0.2.10/24 on mp0
address 192.0.2.20/24 on mp1
";

/// The ifctl under test.
pub fn ifctl_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ifctl"))
}

/// The mpathd to test against: `MPATHD_BIN`, or the one built next to
/// ifctl.
fn mpathd_bin() -> PathBuf {
    let p = std::env::var_os("MPATHD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| ifctl_bin().with_file_name("mpathd"));
    assert!(
        p.exists(),
        "{} not found: ifctl's end-to-end tests need mpathd built; run \
         `cargo build -p mpathd` first (`cargo test --workspace` builds \
         it), or set MPATHD_BIN",
        p.display()
    );
    p
}

/// What one ifctl run did.
#[derive(Debug)]
pub struct Run {
    /// Exit status (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub out: String,
    /// Standard error.
    pub err: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&o.stdout).into_owned(),
            err: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Standard output's lines.
    pub fn lines(&self) -> Vec<&str> {
        self.out.lines().collect()
    }
}

/// A lab with mpathd running in its host namespace.
pub struct Setup {
    pub lab: Lab,
    pub mpathd: Option<Daemon>,
    pub dir: PathBuf,
    pub conf: PathBuf,
    pub sock: PathBuf,
}

impl Setup {
    /// Builds the lab and starts mpathd with `conf`.
    pub fn new(name: &str, members: usize, conf: &str) -> Setup {
        let mpathd = mpathd_bin();
        let lab = Lab::new(LabSpec { members });
        let dir = std::env::temp_dir()
            .join(format!("ifctl-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let conf_path = dir.join("mpathd.conf");
        std::fs::write(&conf_path, conf).expect("write conf");
        let sock = dir.join("mpathd.sock");
        let d = Daemon::spawn(
            &lab.ns(Ns::Host),
            &mpathd,
            &[
                "-d",
                "-f",
                conf_path.to_str().unwrap(),
                "-s",
                sock.to_str().unwrap(),
            ],
            &dir.join("mpathd.log"),
        );
        let s = Setup {
            lab,
            mpathd: Some(d),
            dir,
            conf: conf_path,
            sock,
        };
        let up = wait(Duration::from_secs(10), || s.try_status().is_some());
        assert!(up, "mpathd did not start:\n{}", s.log());
        s
    }

    pub fn log(&self) -> String {
        self.mpathd.as_ref().map(Daemon::log).unwrap_or_default()
    }

    /// The daemon's status, straight from the socket (not through
    /// ifctl): what ifctl's output is checked against.
    pub fn try_status(&self) -> Option<Status> {
        mpath_lab::client::status(&self.sock)
    }

    pub fn status(&self) -> Status {
        self.try_status().expect("status")
    }

    pub fn iface(&self, name: &str) -> InterfaceStatus {
        self.status()
            .interfaces
            .into_iter()
            .find(|i| i.name == name)
            .expect("interface in status")
    }

    /// ifctl with `-s` pointing at this daemon, then `args`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(ifctl_bin());
        c.arg("-s").arg(&self.sock).args(args);
        c
    }

    /// Runs ifctl as root.
    pub fn ifctl(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run ifctl"))
    }

    /// Runs ifctl as uid and gid 65534 (nobody), with no groups.
    pub fn ifctl_as_nobody(&self, args: &[&str]) -> Run {
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(ifctl_bin())
            .arg("-s")
            .arg(&self.sock)
            .args(args)
            .output()
            .expect("setpriv (util-linux) runs ifctl as nobody");
        Run::from(out)
    }

    /// Waits until every named member probes `ok` and has had replies.
    pub fn wait_healthy(&self, members: &[&str]) {
        let ok = wait(Duration::from_secs(15), || {
            let Some(st) = self.try_status() else {
                return false;
            };
            members.iter().all(|m| {
                st.interfaces.iter().any(|i| {
                    i.name == *m
                        && i.state == "ok"
                        && i.probe == "ok"
                        && i.paths.iter().all(|p| {
                            p.targets.iter().any(|t| t.rtt_avg_us.is_some())
                        })
                })
            })
        });
        assert!(
            ok,
            "members not healthy: {:#?}\n{}",
            self.try_status(),
            self.log()
        );
    }

    /// Waits for a log line; panics with the log if it does not come.
    pub fn expect_log(&self, needle: &str, within: Duration) {
        let d = self.mpathd.as_ref().expect("mpathd running");
        assert!(
            d.wait_log(needle, within),
            "no `{needle}` within {within:?}; log:\n{}",
            self.log()
        );
    }

    /// Waits until `addr` is held by member `want` alone.
    pub fn expect_holder(&self, addr: &str, want: usize, within: Duration) {
        let ok = wait(within, || self.lab.holder(addr) == Ok(want));
        assert!(
            ok,
            "{addr} held by {:?}, want mp{want}; log:\n{}",
            self.lab.holder(addr),
            self.log()
        );
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- mpathd log ---\n{}", self.log());
        }
        self.mpathd = None;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Polls `f` every 20 ms until it is true or `within` has passed.
pub fn wait(within: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + within;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `path` as a str (test paths are UTF-8).
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}
