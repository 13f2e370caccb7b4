//! Shared set-up for ifctl's end-to-end tests: a lab, mpathd running in
//! its host namespace, and ifctl run from the test process (the control
//! socket is a file, reachable from every namespace).
//!
//! mpathd (and laggd, for `lab_laggd.rs`) must be built: `cargo test
//! --workspace` builds every binary, but `cargo test -p ifctl` builds
//! only ifctl, so run `cargo build -p mpathd -p laggd` first (or point
//! `MPATHD_BIN` or `LAGGD_BIN` at one). A missing daemon fails the test
//! with that advice.
// Each test binary uses only part of this module.
#![allow(dead_code, unused_imports)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use mpath_lab::mpathd::BASE;

/// The ifctl under test.
pub fn ifctl_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ifctl"))
}

/// The daemon to test against: `$VAR`, or the one built next to ifctl.
fn daemon_bin(name: &str, var: &str) -> PathBuf {
    let p = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| ifctl_bin().with_file_name(name));
    assert!(
        p.exists(),
        "{} not found: ifctl's end-to-end tests need {name} built; run \
         `cargo build -p {name}` first (`cargo test --workspace` builds \
         it), or set {var}",
        p.display()
    );
    p
}

/// The mpathd to test against: `MPATHD_BIN`, or the one built next to
/// ifctl.
fn mpathd_bin() -> PathBuf {
    daemon_bin("mpathd", "MPATHD_BIN")
}

/// The laggd to test against: `LAGGD_BIN`, or the one built next to
/// ifctl.
pub fn laggd_bin() -> PathBuf {
    daemon_bin("laggd", "LAGGD_BIN")
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
    /// What a finished ifctl did.
    pub fn from(o: Output) -> Run {
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

/// mpathd in a lab (the shared set-up from `mpath-lab`), plus ways to
/// run ifctl against it.
#[derive(Debug)]
pub struct Setup(pub mpath_lab::mpathd::Setup);

impl std::ops::Deref for Setup {
    type Target = mpath_lab::mpathd::Setup;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Setup {
    /// Builds the lab and starts mpathd with `conf`.
    pub fn new(name: &str, members: usize, conf: &str) -> Setup {
        Setup(mpath_lab::mpathd::Setup::new(
            &mpathd_bin(),
            &format!("ifctl-{name}"),
            members,
            conf,
        ))
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
}

pub use mpath_lab::mpathd::wait;

/// `path` as a str (test paths are UTF-8).
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Runs `promtool check metrics` (Debian's `prometheus` package, which
/// tests/setup installs) on `text`: its complaints, empty when the text
/// parses and passes every lint. `None` when promtool is missing and the
/// test may skip; under `CI=true` a missing promtool fails instead.
pub fn promtool_check(test: &str, text: &str) -> Option<String> {
    use std::io::Write;
    use std::process::Stdio;
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: promtool not found ({e}); tests/setup installs \
                 Debian's prometheus package"
            );
            #[allow(clippy::print_stderr)] // a skip says why
            {
                eprintln!("{test}: promtool check skipped: promtool not found");
            }
            return None;
        }
    };
    child
        .stdin
        .take()
        .expect("promtool's stdin")
        .write_all(text.as_bytes())
        .expect("write to promtool");
    let o = child.wait_with_output().expect("promtool");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    Some(if o.status.success() && said.trim().is_empty() {
        String::new()
    } else {
        format!("promtool exited with {}: {said}", o.status)
    })
}

/// The value of the sample `series` (name and labels, exactly as
/// printed) in metrics `text`.
pub fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        let (s, v) = l.rsplit_once(' ')?;
        (s == series).then(|| v.parse().ok())?
    })
}
