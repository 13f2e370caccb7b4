//! Peer credentials on FreeBSD: `getpeereid(3)`.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// The peer's effective uid from `getpeereid`, which reads the
/// credentials the kernel saved at `connect` or `listen`
/// (`LOCAL_PEERCRED`).
pub(crate) fn peer_uid(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let mut euid: libc::uid_t = 0;
    let mut egid: libc::gid_t = 0;
    // SAFETY: `euid` and `egid` are valid places for the two ids
    // getpeereid stores.
    syscall!(unsafe {
        libc::getpeereid(fd.as_raw_fd(), &mut euid, &mut egid)
    })?;
    Ok(euid)
}
