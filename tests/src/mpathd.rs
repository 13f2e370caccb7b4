//! mpathd running in a lab, for the end-to-end tests of mpathd and
//! ifctl: the lab, a configuration file, the daemon in the host
//! namespace, and its control socket (a file, reachable from the test
//! process in the root namespace).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Daemon, Lab, LabSpec, Ns};
use mpath_proto::mpathd::{InterfaceStatus, Status};
use mpath_proto::{RequestBody, ResponseBody};

/// The lab's usual configuration: two members with test addresses, two
/// explicit targets, one data address homed on each member.
pub const BASE: &str = "\
FAILURE_DETECTION_TIME=1000
group ipmp0 target 192.0.2.1 192.0.2.2
interface mp0 group ipmp0 test 192.0.2.11/24
interface mp1 group ipmp0 test 192.0.2.12/24
address 192.0.2.10/24 on mp0
address 192.0.2.20/24 on mp1
";

/// A lab with mpathd running in its host namespace.
#[derive(Debug)]
pub struct Setup {
    /// The mpathd binary.
    pub binary: PathBuf,
    /// The lab.
    pub lab: Lab,
    pub mpathd: Option<Daemon>,
    pub dir: PathBuf,
    pub conf: PathBuf,
    pub sock: PathBuf,
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("mpathd-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

impl Setup {
    /// Builds the lab and starts the mpathd at `mpathd` with `conf`.
    pub fn new(mpathd: &Path, name: &str, members: usize, conf: &str) -> Setup {
        let lab = Lab::new(LabSpec { members });
        let dir = tmpdir(name);
        let conf_path = dir.join("mpathd.conf");
        std::fs::write(&conf_path, conf).expect("write conf");
        let sock = dir.join("mpathd.sock");
        let mut s = Setup {
            binary: mpathd.to_path_buf(),
            lab,
            mpathd: None,
            dir,
            conf: conf_path,
            sock,
        };
        s.start();
        s
    }

    /// Starts (or restarts) mpathd.
    pub fn start(&mut self) {
        let log = self.dir.join(format!(
            "mpathd-{}.log",
            self.mpathd.as_ref().map_or(0, |_| 1)
        ));
        let d = Daemon::spawn(
            &self.lab.ns(Ns::Host),
            &self.binary,
            &[
                "-d",
                "-f",
                self.conf.to_str().unwrap(),
                "-s",
                self.sock.to_str().unwrap(),
            ],
            &log,
        );
        self.mpathd = Some(d);
        let up = wait(Duration::from_secs(10), || self.try_status().is_some());
        assert!(up, "mpathd did not start:\n{}", self.log());
    }

    pub fn daemon(&self) -> &Daemon {
        self.mpathd.as_ref().expect("mpathd running")
    }

    pub fn log(&self) -> String {
        self.mpathd.as_ref().map(Daemon::log).unwrap_or_default()
    }

    /// One request, one response.
    pub fn request(&self, body: RequestBody) -> Option<ResponseBody> {
        crate::client::request(&self.sock, body)
    }

    pub fn try_status(&self) -> Option<Status> {
        crate::client::status(&self.sock)
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

    /// Waits until every named member probes `ok` and has had replies
    /// (a new path reports `ok` optimistically before its first reply,
    /// and ignores losses until then).
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
        assert!(
            self.daemon().wait_log(needle, within),
            "no `{needle}` within {within:?}; log:\n{}",
            self.log()
        );
    }

    /// Member index holding `addr`, waiting up to `within` for it to be
    /// held by exactly `want`.
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
