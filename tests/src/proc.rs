//! Running a daemon inside the lab and reading what it logged.

use std::fs::File;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the test can run: true as root. Otherwise, under `CI=true`
/// it panics (CI runs as root, so a skip there would hide a broken
/// suite); elsewhere it prints why and returns false.
pub fn root_or_skip(test: &str) -> bool {
    // /proc/self/status has the effective uid; no libc needed.
    let status =
        std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("");
    if euid == "0" {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{test}: needs root (network namespaces); CI must run as root");
    }
    eprintln!("{test}: skipped: needs root for network namespaces");
    false
}

/// A daemon process in a namespace, with its stderr in a log file.
/// Dropping it kills the process.
#[derive(Debug)]
pub struct Daemon {
    child: Option<Child>,
    log: PathBuf,
}

impl Daemon {
    /// Starts `binary args...` in namespace `ns`, logging to `log`.
    pub fn spawn(ns: &str, binary: &Path, args: &[&str], log: &Path) -> Daemon {
        let file = File::create(log).expect("create daemon log");
        // A process group of its own: a daemon that signals its group
        // (keepalived's children do when their parent is killed) must
        // not take the test with it.
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(binary)
            .args(args)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("dup log"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary:?}: {e}"));
        Daemon {
            child: Some(child),
            log: log.to_path_buf(),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// Everything logged so far.
    pub fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = File::open(&self.log) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// Waits until the log contains `needle`, up to `timeout`; returns
    /// whether it did.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` (e.g. "HUP", "TERM", "KILL"); nothing once the
    /// process has been reaped (`kill 0` would signal the test's own
    /// process group).
    pub fn signal(&self, signal: &str) {
        if self.child.is_none() {
            return;
        }
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status();
    }

    /// Waits for the process to exit (up to `timeout`); its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let end = Instant::now() + timeout;
        let child = self.child.as_mut()?;
        loop {
            if let Ok(Some(st)) = child.try_wait() {
                self.child = None;
                return Some(st.code().unwrap_or(-1));
            }
            if Instant::now() >= end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
