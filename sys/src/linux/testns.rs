//! Test support: run a test in a fresh network namespace of its own.
//!
//! `unshare(CLONE_NEWNET)` moves only the calling thread into the new
//! namespace, so each live test runs its body on a thread of its own,
//! which ends with the test; the test harness and the other tests stay in
//! the host's namespace. Sockets opened on that thread belong to the new
//! namespace (and keep belonging to it wherever they are used). A child
//! process inherits the namespace of the thread that starts it, so
//! `ip` commands run from the test thread configure the new namespace.
//!
//! Live tests need root (`CAP_SYS_ADMIN` for the namespace, `CAP_NET_RAW`
//! and `CAP_NET_ADMIN` inside it). Without it they are skipped with a
//! message, unless `CI=true`, where a skip would hide a broken setup and
//! they fail instead.

use std::process::Command;
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::daemon::geteuid;

/// Runs `body` on a new thread in a fresh network namespace whose `lo`
/// is up, and returns its result; or returns `None` after explaining why
/// the test `name` is skipped. Panics in `body` fail the test.
pub(crate) fn in_fresh_netns<R: Send + 'static>(
    name: &str,
    body: impl FnOnce() -> R + Send + 'static,
) -> Option<R> {
    if geteuid() != 0 {
        skip(name, "needs root");
        return None;
    }
    let thread = std::thread::spawn(move || {
        // CLONE_NEWNET affects only the calling thread, which is ours and
        // ends with the test.
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET)?;
        ip(&["link", "set", "lo", "up"]);
        Ok::<R, std::io::Error>(body())
    });
    match thread.join() {
        Ok(Ok(result)) => Some(result),
        Ok(Err(err)) if err.raw_os_error() == Some(libc::EPERM) => {
            skip(name, &format!("cannot create a network namespace: {err}"));
            None
        }
        Ok(Err(err)) => panic!("unshare(CLONE_NEWNET): {err}"),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Runs `ip ARGS` in the calling thread's namespace; panics on failure.
pub(crate) fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|err| {
            panic!("cannot run `ip {}`: {err}", args.join(" "))
        });
    assert!(
        out.status.success(),
        "`ip {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn skip(name: &str, why: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(!ci, "{name}: {why}, and CI=true: live tests must run in CI");
    // Test output: the harness captures it unless --nocapture.
    #[allow(clippy::print_stderr)]
    {
        eprintln!("skipping {name}: {why}");
    }
}

/// A command for a [`PeerNetns`] and where its outcome goes.
type Job = (Vec<String>, mpsc::Sender<Result<(), String>>);

/// A second fresh network namespace, for the far end of veth pairs:
/// where probe targets answer. A thread of its own sits in it (it lives
/// as long as the thread) and runs the `ip` commands it is given.
#[derive(Debug)]
pub(crate) struct PeerNetns {
    tid: i32,
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl PeerNetns {
    /// A new namespace whose `lo` is up. Call from a live test (root).
    pub(crate) fn new() -> PeerNetns {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (tid_tx, tid_rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET)
                .expect("unshare(CLONE_NEWNET) for the peer");
            ip(&["link", "set", "lo", "up"]);
            let _ = tid_tx.send(nix::unistd::gettid().as_raw());
            for (args, done) in inbox {
                let out = Command::new("ip").args(&args).output();
                let outcome = match out {
                    Ok(o) if o.status.success() => Ok(()),
                    Ok(o) => Err(String::from_utf8_lossy(&o.stderr).into()),
                    Err(e) => Err(e.to_string()),
                };
                let _ = done.send(outcome);
            }
        });
        let tid = tid_rx.recv().expect("the peer namespace's thread");
        PeerNetns {
            tid,
            jobs: Some(jobs),
            thread: Some(thread),
        }
    }

    /// What `ip link set DEV netns ...` takes to move an interface in.
    pub(crate) fn id(&self) -> String {
        self.tid.to_string()
    }

    /// Runs `ip ARGS` in the peer namespace; panics on failure.
    pub(crate) fn ip(&self, args: &[&str]) {
        let (done, outcome) = mpsc::channel();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let line = args.join(" ");
        let jobs = self.jobs.as_ref().expect("the peer is running");
        jobs.send((args, done)).expect("the peer is running");
        match outcome.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("`ip {line}` in the peer failed: {e}"),
            Err(_) => panic!("the peer namespace's thread died"),
        }
    }
}

impl Drop for PeerNetns {
    /// Ends the thread, and with it the namespace and its interfaces.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
