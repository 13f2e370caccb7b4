//! Signals as bytes on a self-pipe.
//!
//! A signal handler may call only async-signal-safe functions, so it can
//! neither log nor touch the daemon's state. The classic answer, used by
//! in.mpathd and OpenBSD's daemons, is a self-pipe: the handler writes the
//! signal number as one byte to a non-blocking pipe, and the daemon polls
//! the pipe's read end with its other descriptors. A signal thus becomes
//! one more input of the event loop, handled between events, never in
//! the middle of one.
//!
//! ```text
//!   kernel --SIGHUP--> on_signal(): write(pipe, [1])      (any thread)
//!   event loop: poll(.., pipe) -> read_pending() == [Hup] -> reload
//! ```
//!
//! The handler calls `write(2)` and nothing else, and restores `errno`,
//! which `write` may change under the feet of the interrupted code. The
//! write end lives in a process-global atomic, the only state a handler
//! can reach. If the pipe were ever full (64 KiB of unread signals), the
//! byte is dropped; a signal already waiting in the pipe covers it.
//!
//! What the daemons do with them (in.mpathd): SIGHUP reloads, SIGUSR1
//! dumps statistics, SIGINT, SIGTERM and SIGQUIT clean up and exit.
//! SIGPIPE is ignored ([`ignore_sigpipe`]) so that a control client that
//! hangs up yields `EPIPE` instead of killing the daemon.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};

use libc::c_int;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::signal::{
    self as nix_signal, SaFlags, SigAction, SigHandler, SigSet,
};

/// The signals a daemon handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signal {
    /// `SIGHUP`: reload.
    Hup,
    /// `SIGINT`: exit.
    Int,
    /// `SIGQUIT`: exit.
    Quit,
    /// `SIGTERM`: exit.
    Term,
    /// `SIGUSR1`: dump state and statistics.
    Usr1,
}

impl Signal {
    /// Every signal of this type.
    pub const ALL: [Signal; 5] = [
        Signal::Hup,
        Signal::Int,
        Signal::Quit,
        Signal::Term,
        Signal::Usr1,
    ];

    /// The OS's signal number.
    pub fn number(self) -> c_int {
        match self {
            Signal::Hup => libc::SIGHUP,
            Signal::Int => libc::SIGINT,
            Signal::Quit => libc::SIGQUIT,
            Signal::Term => libc::SIGTERM,
            Signal::Usr1 => libc::SIGUSR1,
        }
    }

    /// The signal with number `number`, if it is one of ours.
    pub fn from_number(number: c_int) -> Option<Signal> {
        Signal::ALL.into_iter().find(|s| s.number() == number)
    }

    /// `SIGHUP`, `SIGINT`, ...: the name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Hup => "SIGHUP",
            Signal::Int => "SIGINT",
            Signal::Quit => "SIGQUIT",
            Signal::Term => "SIGTERM",
            Signal::Usr1 => "SIGUSR1",
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The write end of the installed pipe, for the handler; -1 when none.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

/// The installed self-pipe: poll [`SignalPipe::as_raw_fd`] for
/// readability, then call [`SignalPipe::read_pending`].
///
/// There is at most one per process (signal dispositions are
/// process-wide). Dropping it restores the default action of its signals
/// and closes the pipe; daemons keep it until they exit.
#[derive(Debug)]
pub struct SignalPipe {
    read: OwnedFd,
    /// Kept open for the handler, which knows it by number (`WRITE_FD`).
    _write: OwnedFd,
    signals: Vec<Signal>,
}

impl SignalPipe {
    /// Creates the pipe (non-blocking, close-on-exec) and installs the
    /// handler for `signals`.
    ///
    /// # Errors
    ///
    /// `AlreadyExists` if a `SignalPipe` is already installed in this
    /// process; otherwise `pipe2`'s or `sigaction`'s error, after undoing
    /// what was done.
    pub fn install(signals: &[Signal]) -> io::Result<SignalPipe> {
        let (read, write) = pipe()?;
        WRITE_FD
            .compare_exchange(
                -1,
                write.as_raw_fd(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a signal pipe is already installed",
                )
            })?;
        let mut pipe = SignalPipe {
            read,
            _write: write,
            signals: Vec::with_capacity(signals.len()),
        };
        for &signal in signals {
            set_action(signal.number(), Action::Pipe)?;
            // Recorded once installed, so that Drop undoes just these.
            pipe.signals.push(signal);
        }
        Ok(pipe)
    }

    /// The signals received since the last call, each once, in the order
    /// they first arrived. A signal that arrives twice before the loop
    /// reads the pipe is reported once, as the kernel merges a pending
    /// signal; the daemon reloads or dumps once.
    pub fn read_pending(&self) -> Vec<Signal> {
        let mut pending = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            let n = match nix::unistd::read(&self.read, &mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(Errno::EINTR) => continue,
                // EAGAIN: drained. Nothing else can happen to a pipe we
                // own; if it did, the signals are lost, not the daemon.
                Err(_) => break,
            };
            for &byte in &buf[..n.min(buf.len())] {
                let signal = Signal::from_number(c_int::from(byte));
                if let Some(signal) = signal {
                    if !pending.contains(&signal) {
                        pending.push(signal);
                    }
                }
            }
        }
        pending
    }
}

impl AsRawFd for SignalPipe {
    /// The read end, to poll for readability.
    fn as_raw_fd(&self) -> RawFd {
        self.read.as_raw_fd()
    }
}

impl AsFd for SignalPipe {
    /// The read end, to poll for readability.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }
}

impl Drop for SignalPipe {
    fn drop(&mut self) {
        for signal in &self.signals {
            // Cannot fail for a valid signal number and handler.
            let _ = set_action(signal.number(), Action::Default);
        }
        // A handler already running on another thread may still have
        // loaded the old descriptor; it then writes one byte to this pipe,
        // or, if the number were reused in that instant, to whatever now
        // holds it. Daemons drop the pipe only on their way out.
        // The fields, and so both ends of the pipe, are closed after this.
        WRITE_FD.store(-1, Ordering::SeqCst);
    }
}

/// Ignores `SIGPIPE`, so that writing to a socket whose peer has gone
/// fails with `EPIPE` instead of killing the process. (Rust's runtime
/// does so before `main` too; a daemon should not depend on it.)
///
/// # Errors
///
/// `sigaction`'s, which cannot happen for `SIGPIPE`.
pub fn ignore_sigpipe() -> io::Result<()> {
    set_action(libc::SIGPIPE, Action::Ignore)
}

/// The handler: write the signal number to the pipe, nothing else.
extern "C" fn on_signal(signo: c_int) {
    // Only async-signal-safe work here: an atomic load, write(2), and
    // reading and restoring errno (a thread-local integer).
    let saved = Errno::last_raw();
    let fd = WRITE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        // Our signal numbers are all below 32.
        let byte = u8::try_from(signo).unwrap_or(0);
        // SAFETY: `byte` is valid for reading one byte during the call.
        // `fd` is the write end of the installed pipe, or (see Drop) a
        // descriptor that just replaced it, where one byte is the worst
        // that can happen. A full pipe or any error is ignored: there is
        // nothing safe to do about it here.
        unsafe { libc::write(fd, ptr::from_ref(&byte).cast(), 1) };
    }
    Errno::set_raw(saved);
}

/// What to do on a signal.
#[derive(Clone, Copy, Debug)]
enum Action {
    Default,
    Ignore,
    Pipe,
}

fn set_action(signo: c_int, action: Action) -> io::Result<()> {
    let signal = nix_signal::Signal::try_from(signo)?;
    let handler = match action {
        Action::Default => SigHandler::SigDfl,
        Action::Ignore => SigHandler::SigIgn,
        Action::Pipe => SigHandler::Handler(on_signal),
    };
    // Restart slow calls the handler interrupted (a blocking write to a
    // control client); poll still returns EINTR, which the loop treats as
    // a wake-up.
    let sa = SigAction::new(handler, SaFlags::SA_RESTART, SigSet::empty());
    // SAFETY: the handler is SIG_DFL, SIG_IGN or `on_signal`, which is
    // async-signal-safe (an atomic load, write(2) and errno); the old
    // action returned is dropped.
    unsafe { nix_signal::sigaction(signal, &sa) }?;
    Ok(())
}

/// A pipe, both ends non-blocking and close-on-exec: `(read, write)`.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)?)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn numbers_round_trip() {
        for signal in Signal::ALL {
            assert_eq!(Signal::from_number(signal.number()), Some(signal));
            assert!(signal.name().starts_with("SIG"));
        }
        assert_eq!(Signal::from_number(libc::SIGKILL), None);
    }

    /// The only test that installs the pipe: there is one per process.
    #[test]
    fn a_raised_signal_comes_out_of_the_pipe() {
        ignore_sigpipe().unwrap();
        let pipe = SignalPipe::install(&[Signal::Usr1, Signal::Hup]).unwrap();
        assert_eq!(
            SignalPipe::install(&[Signal::Term]).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert_eq!(pipe.read_pending(), []);

        // raise() runs the handler on this thread before it returns.
        use nix_signal::{raise, Signal::SIGHUP, Signal::SIGUSR1};
        raise(SIGUSR1).unwrap();
        raise(SIGHUP).unwrap();
        raise(SIGUSR1).unwrap();

        let ready = crate::wait::readable(pipe.as_fd(), Duration::ZERO);
        assert!(ready.unwrap());
        assert_eq!(pipe.read_pending(), [Signal::Usr1, Signal::Hup]);
        assert_eq!(pipe.read_pending(), []);

        // errno survives the handler.
        Errno::set_raw(libc::ENOENT);
        let _ = raise(SIGUSR1);
        // The raise itself may not touch errno on success; the handler
        // must not either.
        assert_eq!(
            io::Error::last_os_error().raw_os_error(),
            Some(libc::ENOENT)
        );
        assert_eq!(pipe.read_pending(), [Signal::Usr1]);

        drop(pipe);
        // Installable again once dropped (SIGUSR1 is back to default, so
        // do not raise it now).
        drop(SignalPipe::install(&[Signal::Usr1]).unwrap());
    }
}
