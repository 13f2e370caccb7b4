//! Who is at the other end of a control connection.
//!
//! The daemons accept control requests on a Unix-domain socket. Queries
//! are open to everyone; requests that change state (offline, online,
//! reload) are for root only, as in.mpathd has them. The kernel knows the
//! peer's credentials; each OS has its own way to ask:
//!
//! | OS      | call                                                  |
//! |---------|-------------------------------------------------------|
//! | Linux   | `getsockopt(SO_PEERCRED)`: `struct ucred`             |
//! | FreeBSD | `getpeereid(3)` (`LOCAL_PEERCRED` underneath)         |
//! | illumos | `getpeerucred(3C)`, `ucred_geteuid`, `ucred_free`     |
//!
//! All three report the credentials the peer had when it connected (or
//! called `socketpair`), which is what matters: a process cannot pass a
//! connection made by root off as its own.

use std::io;
use std::os::fd::BorrowedFd;

use crate::os;

/// The effective user id of the process at the other end of the connected
/// Unix-domain stream socket `fd`, as of the time it connected.
///
/// # Errors
///
/// `ENOTCONN` for an unconnected socket, `ENOTSOCK` or `EINVAL` for
/// anything that is not a connected Unix-domain socket; `InvalidData` if
/// the kernel's answer is malformed.
pub fn peer_uid(fd: BorrowedFd<'_>) -> io::Result<u32> {
    os::peercred::peer_uid(fd)
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    use super::*;
    use crate::daemon::geteuid;

    #[test]
    fn a_socket_pair_is_ourselves() {
        let (a, b) = UnixStream::pair().unwrap();
        assert_eq!(peer_uid(a.as_fd()).unwrap(), geteuid());
        assert_eq!(peer_uid(b.as_fd()).unwrap(), geteuid());
    }

    #[test]
    fn a_pipe_has_no_peer() {
        let (rx, _tx) = std::io::pipe().unwrap();
        assert!(peer_uid(rx.as_fd()).is_err());
    }
}
