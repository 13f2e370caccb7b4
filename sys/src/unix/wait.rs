//! Waiting for one descriptor to become readable, for a while: what the
//! tests and examples need. The daemons wait in the driver's event loop
//! (`mpath_daemon`, on mio), never here.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// Whether `fd` became readable (or hung up, or failed) within
/// `timeout` (rounded up to whole milliseconds; at most about a minute).
///
/// # Errors
///
/// `poll(2)`'s, but for `EINTR`, which counts as not yet.
pub fn readable(fd: BorrowedFd<'_>, timeout: Duration) -> io::Result<bool> {
    let ms = timeout.as_nanos().div_ceil(1_000_000);
    let ms = u16::try_from(ms).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::from(ms)) {
        Ok(n) => Ok(n > 0),
        Err(Errno::EINTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
