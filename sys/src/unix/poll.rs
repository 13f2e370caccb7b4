//! `poll(2)`: the one place a daemon waits.
//!
//! A daemon's loop polls its probe sockets, routing socket, control
//! socket and signal pipe with the time to its next deadline as the
//! timeout, as in.mpathd's `main` does, then reads whatever is ready and
//! hands it to the core.
//!
//! `poll` is the same call on Linux, FreeBSD and illumos; a handful of
//! descriptors is what it was made for.

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

use libc::c_short;

/// One descriptor to wait for, and after [`poll`] what happened to it.
///
/// Errors and hang-ups are always reported (the kernel does not need to be
/// asked); readability only if requested. A descriptor that is not open is
/// reported as an error rather than being unsafe: `poll` only looks at the
/// number. A negative number is ignored, which makes a slot easy to
/// disable.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct PollFd(libc::pollfd);

impl PollFd {
    /// Waits for `fd` to become readable (`POLLIN`), or for an error or
    /// hang-up.
    pub fn readable(fd: RawFd) -> PollFd {
        PollFd::new(fd, libc::POLLIN)
    }

    /// Waits for `fd` to become readable or writable (`POLLIN` and
    /// `POLLOUT`): a socket with output queued for a slow peer.
    pub fn readable_or_writable(fd: RawFd) -> PollFd {
        PollFd::new(fd, libc::POLLIN | libc::POLLOUT)
    }

    /// Waits only for an error or hang-up on `fd`.
    pub fn errors_only(fd: RawFd) -> PollFd {
        PollFd::new(fd, 0)
    }

    fn new(fd: RawFd, events: c_short) -> PollFd {
        PollFd(libc::pollfd {
            fd,
            events,
            revents: 0,
        })
    }

    /// The descriptor.
    pub fn fd(&self) -> RawFd {
        self.0.fd
    }

    /// Data (or a connection, or end of file) can be read without
    /// blocking.
    pub fn is_readable(&self) -> bool {
        self.has(libc::POLLIN)
    }

    /// Data can be written without blocking.
    pub fn is_writable(&self) -> bool {
        self.has(libc::POLLOUT)
    }

    /// An error is pending (`POLLERR`), or the descriptor is not open
    /// (`POLLNVAL`).
    pub fn is_error(&self) -> bool {
        self.has(libc::POLLERR | libc::POLLNVAL)
    }

    /// The peer hung up (`POLLHUP`).
    pub fn is_hup(&self) -> bool {
        self.has(libc::POLLHUP)
    }

    /// Anything at all happened.
    pub fn is_ready(&self) -> bool {
        self.0.revents != 0
    }

    fn has(&self, bits: c_short) -> bool {
        self.0.revents & bits != 0
    }
}

impl std::fmt::Debug for PollFd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollFd")
            .field("fd", &self.0.fd)
            .field("events", &self.0.events)
            .field("revents", &self.0.revents)
            .finish()
    }
}

/// Waits until one of `fds` is ready or `timeout` passes (`None`: no
/// limit), and returns how many are ready; their [`PollFd`]s say what
/// happened. Zero means the timeout passed or a signal arrived (`EINTR`):
/// either way, the caller goes round its loop, reads the signal pipe and
/// checks its deadlines.
///
/// The timeout is rounded up to whole milliseconds, so a deadline half a
/// millisecond away is waited for rather than spun on, and capped at
/// `i32::MAX` ms (24 days).
///
/// # Errors
///
/// `poll`'s own: `ENOMEM`, or `EINVAL` for more descriptors than
/// `RLIMIT_NOFILE`.
pub fn poll(
    fds: &mut [PollFd],
    timeout: Option<Duration>,
) -> io::Result<usize> {
    for fd in fds.iter_mut() {
        fd.0.revents = 0;
    }
    let nfds = libc::nfds_t::try_from(fds.len())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let timeout_ms = timeout.map_or(-1, timeout_ms);
    // SAFETY: `PollFd` is a transparent wrapper of `pollfd`, so `fds` is
    // an array of `nfds` pollfds, valid for reading and writing during the
    // call; poll writes only their `revents` fields.
    let res = syscall!(unsafe {
        libc::poll(fds.as_mut_ptr().cast::<libc::pollfd>(), nfds, timeout_ms)
    });
    match res {
        Ok(ready) => Ok(usize::try_from(ready).unwrap_or(0)),
        Err(err) if err.kind() == io::ErrorKind::Interrupted => {
            for fd in fds.iter_mut() {
                fd.0.revents = 0;
            }
            Ok(0)
        }
        Err(err) => Err(err),
    }
}

/// `timeout` in milliseconds, rounded up, at most `i32::MAX`.
fn timeout_ms(timeout: Duration) -> libc::c_int {
    let ms = timeout.as_nanos().div_ceil(1_000_000);
    libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;
    use std::time::Instant;

    use super::*;

    #[test]
    fn timeouts_round_up_and_saturate() {
        assert_eq!(timeout_ms(Duration::ZERO), 0);
        assert_eq!(timeout_ms(Duration::from_nanos(1)), 1);
        assert_eq!(timeout_ms(Duration::from_micros(1_500)), 2);
        assert_eq!(timeout_ms(Duration::from_millis(7)), 7);
        assert_eq!(timeout_ms(Duration::MAX), libc::c_int::MAX);
    }

    #[test]
    fn reports_readable_hup_and_timeout() {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut fds = [PollFd::readable(b.as_raw_fd())];

        let start = Instant::now();
        let ready = poll(&mut fds, Some(Duration::from_millis(20))).unwrap();
        assert_eq!(ready, 0);
        assert!(!fds[0].is_ready());
        assert!(start.elapsed() >= Duration::from_millis(20));

        a.write_all(b"x").unwrap();
        assert_eq!(poll(&mut fds, None).unwrap(), 1);
        assert!(fds[0].is_readable() && !fds[0].is_error(), "{fds:?}");

        drop(a);
        assert_eq!(poll(&mut fds, Some(Duration::ZERO)).unwrap(), 1);
        assert!(fds[0].is_hup() || fds[0].is_readable(), "{fds:?}");
    }

    #[test]
    fn a_descriptor_that_is_not_open_is_an_error_not_a_failure() {
        // No process has two billion descriptors open.
        let mut fds = [PollFd::errors_only(RawFd::MAX)];
        assert_eq!(poll(&mut fds, Some(Duration::ZERO)).unwrap(), 1);
        assert!(fds[0].is_error(), "{fds:?}");
    }
}
