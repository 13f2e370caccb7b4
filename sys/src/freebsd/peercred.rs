//! Peer credentials on FreeBSD: `getpeereid(3)`.

use std::io;
use std::os::fd::BorrowedFd;

/// The peer's effective uid from `getpeereid`, which reads the
/// credentials the kernel saved at `connect` or `listen`
/// (`LOCAL_PEERCRED`).
pub(crate) fn peer_uid(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let (euid, _) = nix::unistd::getpeereid(fd)?;
    Ok(euid.as_raw())
}
