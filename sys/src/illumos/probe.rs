//! The probe socket on illumos: in.mpathd's own recipe, since illumos is
//! where it comes from. A raw ICMP or ICMPv6 socket per interface and
//! family, bound to the interface with `IP_BOUND_IF` / `IPV6_BOUND_IF`
//! (send and receive on it only) and to the test address.
//!
//! Options, as in.mpathd sets them (`mpd_probe.c`): non-blocking;
//! `IP_TTL`/`IPV6_UNICAST_HOPS` 1 and the multicast equivalents (targets
//! are on-link); multicast loop off; `IP_MULTICAST_IF` the test address,
//! `IPV6_MULTICAST_IF` the index; `SO_TIMESTAMP` for the receive time.
//! illumos's `ICMP6_FILTER` is not set (libc has no binding for it): the
//! reply parser drops what is not an echo reply.
//!
//! Compiled and linted for illumos in CI; never run here (no illumos
//! machine), see the README's platform table.

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use libc::c_int;
use mpath_core::addr::Family;
use nix::sys::socket::{
    bind, socket, AddressFamily, SockFlag, SockProtocol, SockType,
};

pub use crate::unix::rawsock::Received;
use crate::unix::rawsock::{self, in_addr, Stamp};
use crate::unix::sockopt;

/// A raw ICMP (IPv4) or ICMPv6 socket bound to one interface and one
/// test address.
#[derive(Debug)]
pub struct ProbeSocket {
    fd: OwnedFd,
    family: Family,
    ifindex: u32,
}

impl ProbeSocket {
    /// Opens the probe socket of interface index `ifindex` for `family`,
    /// bound to the test address `src`. (`IP_BOUND_IF` takes the index;
    /// the name is accepted for the same signature as the other OSes.)
    pub fn open(
        family: Family,
        _ifname: &str,
        ifindex: u32,
        src: IpAddr,
    ) -> io::Result<ProbeSocket> {
        if Family::of(src) != family {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "test address {src} is not an {} address",
                    family.name()
                ),
            ));
        }
        let (domain, protocol) = match family {
            Family::V4 => (AddressFamily::Inet, SockProtocol::Icmp),
            Family::V6 => (AddressFamily::Inet6, SockProtocol::IcmpV6),
        };
        let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
        let fd = socket(domain, SockType::Raw, flags, protocol)?;
        let socket = ProbeSocket {
            fd,
            family,
            ifindex,
        };
        let fd = socket.fd.as_fd();
        let one: c_int = 1;
        // illumos takes the multicast TTL and loop options as bytes.
        let one_byte: u8 = 1;
        let zero_byte: u8 = 0;
        match src {
            IpAddr::V4(a) => {
                let level = libc::IPPROTO_IP;
                sockopt::set(fd, level, libc::IP_BOUND_IF, &ifindex)?;
                sockopt::set(fd, level, libc::IP_TTL, &one)?;
                sockopt::set(fd, level, libc::IP_MULTICAST_TTL, &one_byte)?;
                sockopt::set(fd, level, libc::IP_MULTICAST_LOOP, &zero_byte)?;
                sockopt::set(fd, level, libc::IP_MULTICAST_IF, &in_addr(a))?;
            }
            IpAddr::V6(_) => {
                let level = libc::IPPROTO_IPV6;
                let zero: u32 = 0;
                sockopt::set(fd, level, libc::IPV6_BOUND_IF, &ifindex)?;
                sockopt::set(fd, level, libc::IPV6_UNICAST_HOPS, &one)?;
                sockopt::set(fd, level, libc::IPV6_MULTICAST_HOPS, &one)?;
                sockopt::set(fd, level, libc::IPV6_MULTICAST_LOOP, &zero)?;
                sockopt::set(fd, level, libc::IPV6_MULTICAST_IF, &ifindex)?;
            }
        }
        bind(fd.as_raw_fd(), &rawsock::sockaddr(src, ifindex))?;
        sockopt::set(fd, libc::SOL_SOCKET, libc::SO_TIMESTAMP, &one)?;
        Ok(socket)
    }

    /// The socket's family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Sends an ICMP or ICMPv6 message to `dst`; a full buffer counts as
    /// sent.
    pub fn send(&self, msg: &[u8], dst: IpAddr) -> io::Result<()> {
        rawsock::send(self.fd.as_fd(), msg, dst, self.ifindex)
    }

    /// Receives one packet (IPv4: with its IP header), or `None`.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        rawsock::recv(self.fd.as_fd(), buf, Stamp::Microseconds)
    }
}

impl AsFd for ProbeSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for ProbeSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
