//! The routing socket as an event source: opening it and draining what
//! the kernel sent.

use std::ffi::c_int;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::sys::socket::{
    recv, socket, AddressFamily, MsgFlags, SockFlag, SockType,
};

use super::msg::{messages, Message};
use crate::freebsd::abi::socket::{SOL_SOCKET, SO_RCVBUF, SO_RERROR};
use crate::unix::sockopt;

/// The receive buffer sizes to ask for, largest first. The default (a
/// few KiB) holds a few dozen messages; an interface going away with its
/// addresses and routes sends more, and every overflow costs a snapshot.
/// Sizes above `kern.ipc.maxsockbuf` are refused, hence the fallback.
// not ABI: our choice of buffer sizes.
const RCVBUF_SIZES: [c_int; 3] = [1 << 20, 256 << 10, 64 << 10];

/// One read's buffer: far more than the largest routing message (a
/// route header and eight addresses are under 2 KiB), so that a message
/// is never cut (one that was would fail to parse and cause a resync).
// not ABI: our choice of buffer size.
const RECV_BUF: usize = 16 << 10;

/// A `PF_ROUTE` socket that reports interface, address and route
/// changes.
pub struct RouteSocket {
    fd: OwnedFd,
    /// Receive buffer: holds one message at a time.
    buf: Vec<u8>,
}

/// What [`RouteSocket::drain_events`] read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drained {
    /// How many relevant messages arrived: interface information and
    /// announcements, IPv4 and IPv6 address changes, and changes of
    /// routes through a gateway. Any number above zero means the
    /// kernel's state changed: take a snapshot.
    pub messages: usize,
    /// Messages were lost (the socket's buffer overflowed: `ENOBUFS`) or
    /// could not be parsed (or were cut short): the messages do not tell
    /// the whole story, a snapshot is needed even if `messages` is 0.
    pub resync: bool,
}

impl Drained {
    /// Whether the daemon should take a snapshot.
    pub fn needs_snapshot(&self) -> bool {
        self.messages > 0 || self.resync
    }
}

impl RouteSocket {
    /// A non-blocking, close-on-exec routing socket for every address
    /// family, with `SO_RERROR` (so that an overflowing receive buffer
    /// shows as `ENOBUFS` instead of silent loss) and a larger receive
    /// buffer. Wait for it to become readable, then call
    /// [`drain_events`](Self::drain_events).
    ///
    /// Kernels without `SO_RERROR` (before FreeBSD 14) refuse it
    /// (`ENOPROTOOPT`); the socket works without it, but an overflow
    /// then goes unnoticed until the daemon's periodic snapshot. A
    /// receive buffer the kernel refuses in every size is also left at
    /// its default.
    ///
    /// # Errors
    ///
    /// Whatever `socket` reports, or `setsockopt(SO_RERROR)` other than
    /// `ENOPROTOOPT`.
    pub fn open() -> io::Result<RouteSocket> {
        // Protocol 0 (AF_UNSPEC): every address family's messages.
        let fd = socket(
            AddressFamily::Route,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
            None,
        )?;
        let on: c_int = 1;
        match sockopt::set(fd.as_fd(), SOL_SOCKET, SO_RERROR, &on) {
            Err(err) if err.raw_os_error() != Some(libc::ENOPROTOOPT) => {
                return Err(err);
            }
            _ => {}
        }
        for size in RCVBUF_SIZES {
            if sockopt::set(fd.as_fd(), SOL_SOCKET, SO_RCVBUF, &size).is_ok() {
                break;
            }
        }
        Ok(RouteSocket {
            fd,
            buf: vec![0; RECV_BUF],
        })
    }

    /// Reads every pending message until the socket would block.
    ///
    /// Reading until `EAGAIN` folds a burst of changes into one
    /// snapshot. The messages are only counted, not returned: they are
    /// hints (see the `route` module documentation). Messages that do
    /// not concern mpathd (multicast memberships, ARP and neighbour
    /// entries, routes without a gateway, other message versions) are
    /// not counted.
    ///
    /// # Errors
    ///
    /// Whatever `recv` reports other than `EAGAIN`, `EINTR` and
    /// `ENOBUFS` (which sets [`Drained::resync`]).
    pub fn drain_events(&mut self) -> io::Result<Drained> {
        let mut drained = Drained::default();
        loop {
            let fd = self.fd.as_raw_fd();
            let len = match recv(fd, &mut self.buf, MsgFlags::empty()) {
                Ok(len) => len,
                Err(Errno::EAGAIN) => return Ok(drained),
                Err(Errno::EINTR) => continue,
                Err(Errno::ENOBUFS) => {
                    // The kernel dropped messages (SO_RERROR); reading
                    // goes on with the ones after the gap.
                    drained.resync = true;
                    continue;
                }
                Err(err) => return Err(err.into()),
            };
            if len == 0 {
                return Ok(drained);
            }
            let read = self.buf.get(..len).unwrap_or_default();
            for raw in messages(read) {
                match raw.and_then(|raw| raw.parse()) {
                    Ok(Message::Ignored { .. }) => {}
                    Ok(Message::Route(_, route)) if route.gateway.is_none() => {
                    }
                    Ok(_) => drained.messages += 1,
                    // Malformed, or cut short by the read.
                    Err(_) => drained.resync = true,
                }
            }
        }
    }
}

impl AsRawFd for RouteSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for RouteSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl fmt::Debug for RouteSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteSocket")
            .field("fd", &self.fd)
            .finish_non_exhaustive()
    }
}
