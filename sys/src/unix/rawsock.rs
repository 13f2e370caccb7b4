//! Raw IP sockets, the parts every OS shares: socket addresses, sending
//! with in.mpathd's "a full buffer counts as sent" rule, and receiving
//! with the kernel's timestamp. Each OS's probe socket sets its own
//! options (which interface, which filter) and calls these.

// Linux and illumos use all of this; FreeBSD's probe sockets (BPF for
// IPv4) use part of it.
#![allow(dead_code)]

use std::io::{self, IoSliceMut};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6,
};
use std::os::fd::{AsRawFd, BorrowedFd};

use nix::errno::Errno;
use nix::sys::socket::{
    recvmsg, sendto, ControlMessageOwned, MsgFlags, SockaddrStorage,
};

/// One packet from a probe socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// The number of bytes placed in the buffer: for IPv4 the IP header
    /// and the ICMP message, for IPv6 the ICMPv6 message.
    pub len: usize,
    /// Who sent it (without scope; it arrived on this socket's interface).
    pub src: IpAddr,
    /// When the kernel received it, in nanoseconds since the epoch on the
    /// realtime clock; `None` if the kernel sent no timestamp. in.mpathd
    /// drops replies without one.
    pub rx_realtime_ns: Option<i64>,
    /// The packet did not fit in the buffer, or the control data did not
    /// fit in ours (`MSG_TRUNC`, `MSG_CTRUNC`). in.mpathd drops these.
    pub truncated: bool,
}

/// Which receive timestamp the socket was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stamp {
    /// `SO_TIMESTAMPNS`: a `timespec` (Linux).
    #[cfg(target_os = "linux")]
    Nanoseconds,
    /// `SO_TIMESTAMP`: a `timeval` (the BSDs, illumos, Linux).
    Microseconds,
}

impl Stamp {
    /// The stamp in `cmsg` as nanoseconds since the epoch, if it is the
    /// kind asked for.
    // time_t and c_long are i32 on 32-bit targets.
    #[allow(clippy::useless_conversion)]
    pub(crate) fn read(self, cmsg: &ControlMessageOwned) -> Option<i64> {
        match (self, cmsg) {
            #[cfg(target_os = "linux")]
            (Stamp::Nanoseconds, ControlMessageOwned::ScmTimestampns(ts)) => {
                Some(
                    i64::from(ts.tv_sec())
                        .saturating_mul(1_000_000_000)
                        .saturating_add(i64::from(ts.tv_nsec())),
                )
            }
            (Stamp::Microseconds, ControlMessageOwned::ScmTimestamp(tv)) => {
                Some(
                    i64::from(tv.tv_sec())
                        .saturating_mul(1_000_000_000)
                        .saturating_add(
                            i64::from(tv.tv_usec()).saturating_mul(1000),
                        ),
                )
            }
            _ => None,
        }
    }
}

/// Sends `msg` to `dst` (scoped to `ifindex` if link-local). A send that
/// would block (`EAGAIN`) or finds no buffer space (`ENOBUFS`) counts as
/// sent, as in in.mpathd: the probe is recorded and, never answered, is
/// lost, so a lower layer that cannot send shows up as lost probes, which
/// is what the failure detector is there to notice.
pub(crate) fn send(
    fd: BorrowedFd<'_>,
    msg: &[u8],
    dst: IpAddr,
    ifindex: u32,
) -> io::Result<()> {
    let addr = sockaddr(dst, ifindex);
    match sendto(fd.as_raw_fd(), msg, &addr, MsgFlags::empty()) {
        Ok(n) if n == msg.len() => Ok(()),
        Ok(n) => {
            Err(io::Error::other(format!("sent {n} of {} bytes", msg.len())))
        }
        Err(Errno::EAGAIN | Errno::ENOBUFS) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Receives one packet into `buf`, or `None` if none is waiting, with
/// the receive timestamp of kind `stamp`.
pub(crate) fn recv(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    stamp: Stamp,
) -> io::Result<Option<Received>> {
    let mut control = ControlBuf([0; CONTROL_LEN]);
    let buf_len = buf.len();
    let mut iov = [IoSliceMut::new(buf)];
    let msg = loop {
        let res = recvmsg::<SockaddrStorage>(
            fd.as_raw_fd(),
            &mut iov,
            Some(&mut control.0),
            MsgFlags::empty(),
        );
        match res {
            Ok(msg) => break msg,
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) => return Ok(None),
            Err(err) => return Err(err.into()),
        }
    };
    let len = msg.bytes.min(buf_len);
    let src = msg.address.as_ref().and_then(ip_of).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "recvmsg gave no IP source address",
        )
    })?;
    let truncated = msg
        .flags
        .intersects(MsgFlags::MSG_TRUNC | MsgFlags::MSG_CTRUNC);
    // With MSG_CTRUNC nix gives no control messages: no stamp.
    let rx_realtime_ns = msg
        .cmsgs()
        .ok()
        .and_then(|mut cmsgs| cmsgs.find_map(|c| stamp.read(&c)));
    Ok(Some(Received {
        len,
        src,
        rx_realtime_ns,
        truncated,
    }))
}

/// Room for the control messages we ask for: one timestamp
/// (`CMSG_SPACE(16)` = 32 bytes on 64-bit systems), with room to spare.
const CONTROL_LEN: usize = 128;

/// The control buffer, aligned for `cmsghdr` as `CMSG_FIRSTHDR` and
/// `CMSG_NXTHDR` assume.
#[repr(C, align(8))]
struct ControlBuf([u8; CONTROL_LEN]);

const _: () = assert!(std::mem::align_of::<libc::cmsghdr>() <= 8);

/// An IPv4 or IPv6 socket address for bind and sendto: `addr`, port 0;
/// an IPv6 link-local unicast or link-local (or interface-local)
/// multicast address gets `ifindex` as its scope.
pub(crate) fn sockaddr(addr: IpAddr, ifindex: u32) -> SockaddrStorage {
    let addr = match addr {
        IpAddr::V4(addr) => SocketAddr::V4(SocketAddrV4::new(addr, 0)),
        IpAddr::V6(addr) => {
            let scope = if needs_scope(addr) { ifindex } else { 0 };
            SocketAddr::V6(SocketAddrV6::new(addr, 0, 0, scope))
        }
    };
    SockaddrStorage::from(addr)
}

/// The IP address of an `AF_INET` or `AF_INET6` socket address.
pub(crate) fn ip_of(addr: &SockaddrStorage) -> Option<IpAddr> {
    if let Some(sin) = addr.as_sockaddr_in() {
        return Some(IpAddr::V4(sin.ip()));
    }
    addr.as_sockaddr_in6().map(|sin6| IpAddr::V6(sin6.ip()))
}

/// Whether a socket address for `addr` needs the interface as its scope:
/// link-local unicast (fe80::/10) and multicast of interface- or
/// link-local scope (ff01::/16, ff02::/16, any flags).
fn needs_scope(addr: Ipv6Addr) -> bool {
    let first = addr.segments()[0];
    let link_local_unicast = first & 0xffc0 == 0xfe80;
    let small_multicast =
        first & 0xff00 == 0xff00 && matches!(first & 0xf, 1 | 2);
    link_local_unicast || small_multicast
}

pub(crate) fn in_addr(addr: Ipv4Addr) -> libc::in_addr {
    libc::in_addr {
        s_addr: u32::from_ne_bytes(addr.octets()),
    }
}
