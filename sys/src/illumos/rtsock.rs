//! The routing socket on illumos, as a source of change hints: mpathd
//! reads the whole state again after any message (kernel messages are
//! hints), so this only counts messages and notices loss.
//!
//! illumos's routing messages start like the BSDs': `u16` length, `u8`
//! version (`RTM_VERSION` 3 in illumos's `<net/route.h>`), `u8` type. A
//! message of another version, a short or overlong length, or a receive
//! error means "read everything again".

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};

/// illumos `<net/route.h>`: the routing message format version (3, the
/// 4.4BSD value; FreeBSD has since moved to 5). Not machine-checked: no
/// illumos headers are available to this build.
const RTM_VERSION: u8 = 3;

/// What one drain found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drained {
    /// Messages read.
    pub messages: usize,
    /// Something was lost or unreadable: take a full snapshot.
    pub resync: bool,
}

/// A non-blocking `PF_ROUTE` socket.
#[derive(Debug)]
pub struct RouteSocket {
    fd: OwnedFd,
}

impl RouteSocket {
    /// Opens it (every address family's messages).
    pub fn open() -> io::Result<RouteSocket> {
        let fd = socket(
            AddressFamily::Route,
            SockType::Raw,
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
            None,
        )?;
        Ok(RouteSocket { fd })
    }

    /// Reads every pending message.
    pub fn drain(&mut self) -> io::Result<Drained> {
        let mut d = Drained::default();
        let mut buf = [0u8; 2048];
        loop {
            match nix::unistd::read(&self.fd, &mut buf) {
                Ok(n) => {
                    d.messages += 1;
                    d.resync |= !header_ok(buf.get(..n).unwrap_or(&[]));
                }
                Err(Errno::EAGAIN) => break,
                Err(Errno::EINTR) => {}
                // ENOBUFS: the kernel dropped messages.
                Err(_) => {
                    d.resync = true;
                    break;
                }
            }
        }
        Ok(d)
    }
}

/// Whether `msg` has a plausible routing-message header.
fn header_ok(msg: &[u8]) -> bool {
    let (Some(len), Some(&version)) = (msg.get(..2), msg.get(2)) else {
        return false;
    };
    let len = usize::from(u16::from_ne_bytes([len[0], len[1]]));
    len >= 4 && len <= msg.len() && version == RTM_VERSION
}

impl AsFd for RouteSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for RouteSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
