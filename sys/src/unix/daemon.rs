//! Becoming a daemon: detaching from the terminal, the pid file, and the
//! few process facts a daemon asks about itself.
//!
//! The order at startup follows in.mpathd: open everything that can fail
//! for a reason the administrator should see (configuration, sockets,
//! the control socket), *then* [`daemonize`], then [`write_pidfile`]
//! (the pid changes in `daemonize`). The command that started the daemon
//! gets exit status 0 only once the daemon is detached, so "it exited 0"
//! means "it is ready to take requests".

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};
use nix::sys::stat::{umask, Mode};
use nix::unistd::{self, ForkResult};

/// Detaches the process from its terminal and session, the classic way
/// (in.mpathd's, and `daemon(3)`'s with a second fork):
///
/// 1. fork; the parent waits until the daemon is set up, then exits with
///    status 0 (or 1 if setting up failed) without running destructors;
/// 2. `setsid`: a new session without a controlling terminal;
/// 3. fork again; the session leader exits, so the daemon, not being a
///    session leader, can never acquire a controlling terminal by
///    opening a tty;
/// 4. `chdir("/")`, so as not to keep a file system busy;
/// 5. `umask(022)`: files the daemon creates (the pid file) are not
///    group- or world-writable, whatever the starting shell's umask;
/// 6. standard input, output and error to `/dev/null`. From here on the
///    daemon logs through syslog.
///
/// Returns in the daemon (the grandchild) only. Descriptors are not
/// closed: everything this workspace opens is close-on-exec and meant to
/// be kept, the control socket first of all.
///
/// Call it while the process has a single thread: after a fork only the
/// calling thread exists in the child, and locks other threads held stay
/// held there.
///
/// # Errors
///
/// Failing to open `/dev/null` or to create the pipe is reported before
/// anything else happens. A later failure (`fork`, `setsid`, `dup2`, ...)
/// is returned in whichever process met it: the daemon-to-be, whose
/// caller should report it and exit; the waiting parent then exits with
/// status 1.
pub fn daemonize() -> io::Result<()> {
    let devnull = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")?;
    // The parent waits for one byte on this pipe: the daemon's "ready".
    let (mut ready_rx, mut ready_tx) = io::pipe()?;

    if fork()?.is_parent() {
        drop(ready_tx);
        let mut byte = [0u8; 1];
        let status = loop {
            match ready_rx.read(&mut byte) {
                Ok(1) => break 0,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                _ => break 1,
            }
        };
        exit_now(status);
    }
    drop(ready_rx);

    // Fails only for a process group leader, which a freshly forked
    // child is not.
    unistd::setsid()?;

    if fork()?.is_parent() {
        exit_now(0);
    }

    unistd::chdir("/")?;
    umask(Mode::from_bits_truncate(0o022));
    // The old standard descriptors, if any, are closed atomically by
    // dup2. The standard streams of std write to these numbers, so they
    // now write to /dev/null.
    unistd::dup2_stdin(&devnull)?;
    unistd::dup2_stdout(&devnull)?;
    unistd::dup2_stderr(&devnull)?;
    ready_tx.write_all(&[1])?;
    Ok(())
}

/// `fork(2)`.
fn fork() -> io::Result<ForkResult> {
    // SAFETY: the child continues with a copy of this thread only, which
    // daemonize's callers guarantee is the only one (see there), so no
    // lock another thread held can be left held in the child.
    Ok(unsafe { unistd::fork() }?)
}

/// `_exit(2)`: ends the process at once, for a parent whose child carries
/// on the program (so no destructor or atexit handler must run: they
/// would flush stdio twice or remove what the daemon uses). nix has no
/// `_exit`, and `std::process::exit` runs the atexit handlers.
fn exit_now(status: i32) -> ! {
    // SAFETY: _exit takes an integer and does not return; it touches no
    // memory of this process.
    unsafe { libc::_exit(status) }
}

/// A pid file, locked while the daemon lives and removed when it exits.
///
/// The lock (an exclusive `flock`) is what tells a second instance that
/// the first is running; the pid written inside is for the administrator
/// and for that instance's error message. A pid file left behind by a
/// crash has no lock and is simply taken over.
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
    /// Holds the lock until dropped.
    _file: Flock<File>,
}

impl std::os::fd::AsFd for PidFile {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self._file.as_fd()
    }
}

impl PidFile {
    /// Where the pid file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        // Removed before the lock goes (with the file, after this): a new
        // instance that opened the old file before the removal finds it
        // locked and stops; one that comes after creates a fresh file.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Creates (mode 0644) or takes over the pid file at `path`, locks it
/// exclusively and writes this process's pid and a newline into it.
///
/// The file is opened without `O_TRUNC` and truncated only once it is
/// locked, so that a second instance does not wipe the running one's pid
/// on its way to failing.
///
/// # Errors
///
/// `WouldBlock` with the message "PATH: another instance is running (pid
/// N)" if another process holds the lock; otherwise the error of `open`,
/// `flock` or `write`.
pub fn write_pidfile(path: impl AsRef<Path>) -> io::Result<PidFile> {
    let path = path.as_ref();
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o644)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)?;
    let mut file = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(locked) => locked,
        Err((_, err)) if err != nix::errno::Errno::EWOULDBLOCK => {
            return Err(err.into());
        }
        Err((mut file, _)) => {
            let mut text = String::new();
            let other = match file.read_to_string(&mut text) {
                Ok(_) => match text.trim().parse::<u32>() {
                    Ok(pid) => pid.to_string(),
                    Err(_) => "unknown".to_owned(),
                },
                Err(_) => "unknown".to_owned(),
            };
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!(
                    "{}: another instance is running (pid {other})",
                    path.display()
                ),
            ));
        }
    };
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(format!("{}\n", getpid()).as_bytes())?;
    Ok(PidFile {
        path: path.to_owned(),
        _file: file,
    })
}

/// This process's id.
pub fn getpid() -> u32 {
    std::process::id()
}

/// This process's effective user id (0 for root).
pub fn geteuid() -> u32 {
    unistd::geteuid().as_raw()
}

/// 64 random bits from the kernel, to seed the probe jitter and nonces.
/// in.mpathd seeds `random()` with `gethostid()`, which every boot of a
/// host repeats; a seed an observer cannot predict is cheap nowadays.
///
/// Reads `getrandom(2)` (Linux 3.17+, FreeBSD 12+, illumos), and
/// `/dev/urandom` where the call does not exist (`ENOSYS`, e.g. under an
/// old kernel or a seccomp filter).
///
/// # Errors
///
/// Only if both fail; there is no weak fallback.
pub fn random_seed() -> io::Result<u64> {
    let mut buf = [0u8; 8];
    match getrandom(&mut buf) {
        Ok(()) => {}
        Err(err) if err.raw_os_error() == Some(libc::ENOSYS) => {
            File::open("/dev/urandom")?.read_exact(&mut buf)?;
        }
        Err(err) => return Err(err),
    }
    Ok(u64::from_ne_bytes(buf))
}

/// Fills `buf` from `getrandom(buf, len, 0)`, which blocks only until the
/// kernel's pool is first seeded, early in boot. Hand-written: nix has no
/// getrandom.
fn getrandom(buf: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let rest = &mut buf[filled..];
        // SAFETY: `rest` is valid for writing `rest.len()` bytes during
        // the call, the most getrandom writes.
        let res = syscall!(unsafe {
            libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0)
        });
        match res {
            Ok(n) => filled += usize::try_from(n).unwrap_or(0),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsFd;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::*;

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!("mpath-sys-{}-{name}", std::process::id()))
    }

    #[test]
    fn ids() {
        assert_ne!(getpid(), 0);
        let uid = unistd::getuid().as_raw();
        // Not set-uid: effective and real user are the same.
        assert_eq!(geteuid(), uid);
    }

    #[test]
    fn random_seeds_differ() {
        let a = random_seed().unwrap();
        let b = random_seed().unwrap();
        // Equal with probability 2^-64.
        assert_ne!(a, b);
    }

    #[test]
    fn a_second_instance_is_refused_with_the_first_ones_pid() {
        let path = temp_path("pidfile");
        let _ = std::fs::remove_file(&path);
        let first = write_pidfile(&path).unwrap();
        assert_eq!(first.path(), path);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", getpid()));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        // At most 0644: the umask may clear more.
        assert_eq!(mode & 0o7133, 0, "{mode:o}");

        // flock locks belong to the open file, so a second open in the
        // same process conflicts just as another process would.
        let err = write_pidfile(&path).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        let expected =
            format!("another instance is running (pid {})", getpid());
        assert!(err.to_string().ends_with(&expected), "{err}");
        // ... and left the running instance's pid alone.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", getpid()));

        drop(first);
        assert!(!path.exists());

        // A stale file (no lock) is taken over.
        std::fs::write(&path, "999999999\nrubbish").unwrap();
        let again = write_pidfile(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", getpid()));
        drop(again);
    }

    /// The environment variable that makes [`daemonize_child`] run.
    const REPORT_VAR: &str = "MPATH_SYS_DAEMONIZE_REPORT";

    /// Runs [`daemonize_child`] in a fresh copy of this test binary (a
    /// test process has many threads, and forking it would also fork the
    /// harness) and checks what the daemon reports about itself.
    #[test]
    fn daemonize_detaches() {
        let report = temp_path("daemon-report");
        let _ = std::fs::remove_file(&report);
        let status = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "unix::daemon::tests::daemonize_child"])
            .args(["--ignored", "--test-threads=1", "--nocapture"])
            .env(REPORT_VAR, &report)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        // The parent exits 0 once the daemon is ready.
        assert!(status.success(), "{status}");
        let deadline = Instant::now() + Duration::from_secs(10);
        let text = loop {
            if let Ok(text) = std::fs::read_to_string(&report) {
                break text;
            }
            assert!(Instant::now() < deadline, "no report from the daemon");
            std::thread::sleep(Duration::from_millis(10));
        };
        let _ = std::fs::remove_file(&report);
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [pid, sid, pgid, cwd, umask, stdin, devnull] = fields[..] else {
            panic!("bad report {text:?}");
        };
        assert_ne!(pid, getpid().to_string());
        // A new session and process group, led by the exited middle
        // process, not by the daemon.
        assert_ne!(sid, pid);
        assert_eq!(sid, pgid);
        let our_sid = unistd::getsid(None).unwrap();
        assert_ne!(sid, our_sid.to_string());
        assert_eq!(cwd, "/");
        assert_eq!(umask, "22");
        assert_eq!(stdin, devnull);
    }

    /// The daemon side of [`daemonize_detaches`]; does nothing unless run
    /// from there.
    #[test]
    #[ignore = "run by daemonize_detaches in a separate process"]
    fn daemonize_child() {
        let Some(report) = std::env::var_os(REPORT_VAR) else {
            return;
        };
        daemonize().unwrap();
        let sid = unistd::getsid(None).unwrap();
        let pgid = unistd::getpgid(None).unwrap();
        // Sets the mask and returns the old one; it is put back at once.
        let umask = umask(Mode::from_bits_truncate(0o022)).bits();
        let rdev = |file: File| file.metadata().map(|m| m.rdev()).unwrap_or(0);
        let stdin = std::io::stdin().as_fd().try_clone_to_owned().unwrap();
        let text = format!(
            "{} {sid} {pgid} {} {umask:o} {} {}\n",
            getpid(),
            std::env::current_dir().unwrap().display(),
            rdev(File::from(stdin)),
            rdev(File::open("/dev/null").unwrap()),
        );
        let tmp = PathBuf::from(&report).with_extension("tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &report).unwrap();
        std::process::exit(0);
    }
}
