//! Peer credentials on Linux: `SO_PEERCRED`.

use std::io;
use std::os::fd::BorrowedFd;

use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};

/// The peer's effective uid, from `getsockopt(SO_PEERCRED)`.
pub(crate) fn peer_uid(fd: BorrowedFd<'_>) -> io::Result<u32> {
    Ok(getsockopt(&fd, PeerCredentials)?.uid())
}
