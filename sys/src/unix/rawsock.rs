//! Raw IP sockets, the parts every OS shares: socket addresses, sending
//! with in.mpathd's "a full buffer counts as sent" rule, and receiving
//! with the kernel's timestamp. Each OS's probe socket sets its own
//! options (which interface, which filter) and calls these.

// Linux and illumos use all of this; FreeBSD's probe sockets (BPF for
// IPv4) use part of it.
#![allow(dead_code)]

use std::io;
use std::mem::{self, size_of};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr;

use libc::c_int;

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
    fn cmsg_type(self) -> c_int {
        match self {
            #[cfg(target_os = "linux")]
            Stamp::Nanoseconds => libc::SCM_TIMESTAMPNS,
            Stamp::Microseconds => libc::SCM_TIMESTAMP,
        }
    }

    fn data_len(self) -> usize {
        match self {
            #[cfg(target_os = "linux")]
            Stamp::Nanoseconds => size_of::<libc::timespec>(),
            Stamp::Microseconds => size_of::<libc::timeval>(),
        }
    }

    /// Reads the stamp at `data` as nanoseconds since the epoch.
    ///
    /// `data` must point to `self.data_len()` readable bytes (checked by
    /// the caller against the control buffer).
    fn read(self, data: *const u8) -> i64 {
        // time_t and c_long are i32 on 32-bit targets.
        #[allow(clippy::useless_conversion)]
        match self {
            #[cfg(target_os = "linux")]
            Stamp::Nanoseconds => {
                // SAFETY: the caller checked that `data` points to a
                // timespec's worth of bytes written by the kernel; any bit
                // pattern is a valid timespec, and the read does not
                // assume alignment.
                let ts = unsafe {
                    ptr::read_unaligned(data.cast::<libc::timespec>())
                };
                i64::from(ts.tv_sec)
                    .saturating_mul(1_000_000_000)
                    .saturating_add(i64::from(ts.tv_nsec))
            }
            Stamp::Microseconds => {
                // SAFETY: as above, for a timeval.
                let tv = unsafe {
                    ptr::read_unaligned(data.cast::<libc::timeval>())
                };
                i64::from(tv.tv_sec)
                    .saturating_mul(1_000_000_000)
                    .saturating_add(i64::from(tv.tv_usec).saturating_mul(1000))
            }
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
    let addr = SockAddr::new(dst, ifindex);
    // SAFETY: `msg` is valid for reading `msg.len()` bytes and `addr` is
    // a sockaddr of `addr.len()` bytes, both borrowed for the call, which
    // only reads them.
    let res = syscall!(unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            msg.as_ptr().cast(),
            msg.len(),
            0,
            addr.ptr(),
            addr.len(),
        )
    });
    match res {
        Ok(n) if usize::try_from(n).ok() == Some(msg.len()) => Ok(()),
        Ok(n) => {
            Err(io::Error::other(format!("sent {n} of {} bytes", msg.len())))
        }
        Err(err)
            if err.kind() == io::ErrorKind::WouldBlock
                || err.raw_os_error() == Some(libc::ENOBUFS) =>
        {
            Ok(())
        }
        Err(err) => Err(err),
    }
}

/// Receives one packet into `buf`, or `None` if none is waiting, with
/// the receive timestamp of kind `stamp`.
pub(crate) fn recv(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    stamp: Stamp,
) -> io::Result<Option<Received>> {
    // SAFETY: sockaddr_storage is plain integers and bytes; all-zero
    // is a valid value.
    let mut name: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let mut control = ControlBuf([0; CONTROL_LEN]);
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: msghdr is integers and raw pointers (and padding on
    // musl); all-zero is a valid value (null pointers, no data).
    let mut msg: libc::msghdr = unsafe { mem::zeroed() };
    msg.msg_name = ptr::from_mut(&mut name).cast();
    msg.msg_namelen = socklen::<libc::sockaddr_storage>();
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.0.as_mut_ptr().cast();
    // size_t in glibc, socklen_t in musl; 128 fits both.
    msg.msg_controllen = CONTROL_LEN as _;
    let n = loop {
        let raw = fd.as_raw_fd();
        let res = syscall!(
            // SAFETY: `msg` points to `name`, `iov` (which points to
            // `buf`) and `control`, all live and exclusively borrowed for
            // the call, with their true lengths; recvmsg writes within
            // those and updates the lengths and flags in `msg`.
            unsafe { libc::recvmsg(raw, &mut msg, 0) }
        );
        match res {
            Ok(n) => break n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                return Ok(None);
            }
            Err(err) => return Err(err),
        }
    };
    let len = usize::try_from(n).unwrap_or(0).min(buf.len());
    let src = SockAddr::parse(&name, msg.msg_namelen).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "recvmsg gave no IP source address",
        )
    })?;
    let truncated = msg.msg_flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0;
    Ok(Some(Received {
        len,
        src,
        rx_realtime_ns: timestamp_ns(&msg, stamp),
        truncated,
    }))
}

/// Room for the control messages we ask for: one timestamp
/// (`CMSG_SPACE(16)` = 32 bytes on 64-bit systems), with room to spare.
const CONTROL_LEN: usize = 128;

/// The control buffer, aligned for `cmsghdr` as `CMSG_FIRSTHDR` and
/// `CMSG_NXTHDR` assume (they return pointers into it that are then
/// dereferenced as `cmsghdr`).
#[repr(C, align(8))]
struct ControlBuf([u8; CONTROL_LEN]);

const _: () = assert!(mem::align_of::<libc::cmsghdr>() <= 8);

/// The kernel receive timestamp among the control messages of `msg`.
fn timestamp_ns(msg: &libc::msghdr, stamp: Stamp) -> Option<i64> {
    let base = msg.msg_control as usize;
    #[allow(clippy::useless_conversion)]
    let control_len = usize::try_from(msg.msg_controllen).ok()?;
    let data_len = stamp.data_len();
    // SAFETY: CMSG_LEN is arithmetic on its argument.
    let want_len = unsafe { libc::CMSG_LEN(u32::try_from(data_len).ok()?) };
    // SAFETY: `msg` is the header recvmsg just filled in: `msg_control`
    // points to our aligned buffer and `msg_controllen` is how much of it
    // the kernel used. CMSG_FIRSTHDR returns null if not even one header
    // fits.
    let mut cmsg = unsafe { libc::CMSG_FIRSTHDR(msg) };
    while !cmsg.is_null() {
        // SAFETY: a non-null result of CMSG_FIRSTHDR or CMSG_NXTHDR points
        // to a cmsghdr that lies within the `msg_controllen` bytes of the
        // control buffer, at an offset that is a multiple of the header
        // alignment (CMSG_ALIGN) from its aligned start.
        let hdr = unsafe { &*cmsg };
        #[allow(clippy::useless_conversion)]
        let hdr_len = usize::try_from(hdr.cmsg_len).unwrap_or(0);
        if hdr.cmsg_level == libc::SOL_SOCKET
            && hdr.cmsg_type == stamp.cmsg_type()
            && hdr_len >= usize::try_from(want_len).ok()?
        {
            // SAFETY: CMSG_DATA is pointer arithmetic within the header's
            // message (the data follows the aligned header).
            let data = unsafe { libc::CMSG_DATA(cmsg) };
            let offset = (data as usize).checked_sub(base)?;
            // The data must lie within what the kernel wrote, whatever
            // `cmsg_len` claims.
            if offset.checked_add(data_len)? > control_len {
                return None;
            }
            return Some(stamp.read(data));
        }
        // SAFETY: as for CMSG_FIRSTHDR; `cmsg` is a header inside the
        // control buffer. CMSG_NXTHDR returns null at the end of the
        // `msg_controllen` bytes or for a malformed `cmsg_len`.
        cmsg = unsafe { libc::CMSG_NXTHDR(msg, cmsg) };
    }
    None
}

/// An IPv4 or IPv6 socket address for bind and sendto.
pub(crate) enum SockAddr {
    V4(libc::sockaddr_in),
    V6(libc::sockaddr_in6),
}

impl SockAddr {
    /// `addr`, port 0; an IPv6 link-local unicast or link-local (or
    /// interface-local) multicast address gets `ifindex` as its scope.
    pub(crate) fn new(addr: IpAddr, ifindex: u32) -> SockAddr {
        // Built from zeroes and then filled in, because the structures
        // differ per OS (a length byte on the BSDs, a source id on
        // illumos) in fields that must be zero or the structure's size.
        match addr {
            IpAddr::V4(addr) => {
                // SAFETY: sockaddr_in is integers and byte arrays; all
                // zero is a valid value.
                let mut sin: libc::sockaddr_in = unsafe { mem::zeroed() };
                #[cfg(target_os = "freebsd")]
                {
                    sin.sin_len = size_of::<libc::sockaddr_in>() as u8;
                }
                sin.sin_family = af(libc::AF_INET);
                sin.sin_addr = in_addr(addr);
                SockAddr::V4(sin)
            }
            IpAddr::V6(addr) => {
                // SAFETY: as above, for sockaddr_in6.
                let mut sin6: libc::sockaddr_in6 = unsafe { mem::zeroed() };
                #[cfg(target_os = "freebsd")]
                {
                    sin6.sin6_len = size_of::<libc::sockaddr_in6>() as u8;
                }
                sin6.sin6_family = af(libc::AF_INET6);
                sin6.sin6_addr = libc::in6_addr {
                    s6_addr: addr.octets(),
                };
                sin6.sin6_scope_id =
                    if needs_scope(addr) { ifindex } else { 0 };
                SockAddr::V6(sin6)
            }
        }
    }

    pub(crate) fn ptr(&self) -> *const libc::sockaddr {
        match self {
            SockAddr::V4(sin) => ptr::from_ref(sin).cast(),
            SockAddr::V6(sin6) => ptr::from_ref(sin6).cast(),
        }
    }

    pub(crate) fn len(&self) -> libc::socklen_t {
        match self {
            SockAddr::V4(_) => socklen::<libc::sockaddr_in>(),
            SockAddr::V6(_) => socklen::<libc::sockaddr_in6>(),
        }
    }

    /// The IP address in `storage`, of which the kernel filled in `len`
    /// bytes.
    pub(crate) fn parse(
        storage: &libc::sockaddr_storage,
        len: libc::socklen_t,
    ) -> Option<IpAddr> {
        let len = usize::try_from(len).ok()?;
        let family = c_int::from(storage.ss_family);
        let storage = ptr::from_ref(storage);
        match family {
            libc::AF_INET if len >= size_of::<libc::sockaddr_in>() => {
                // SAFETY: sockaddr_storage is large and aligned enough for
                // any sockaddr; the family says the kernel wrote a
                // sockaddr_in, all of whose bytes it wrote (`len`).
                let sin = unsafe { &*storage.cast::<libc::sockaddr_in>() };
                let octets = sin.sin_addr.s_addr.to_ne_bytes();
                Some(IpAddr::V4(Ipv4Addr::from(octets)))
            }
            libc::AF_INET6 if len >= size_of::<libc::sockaddr_in6>() => {
                // SAFETY: as above, for a sockaddr_in6.
                let sin6 = unsafe { &*storage.cast::<libc::sockaddr_in6>() };
                Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
            }
            _ => None,
        }
    }
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

/// An `AF_*` constant as a `sa_family_t`.
fn af(family: c_int) -> libc::sa_family_t {
    // AF_INET and AF_INET6 are small positive numbers.
    libc::sa_family_t::try_from(family).unwrap_or(0)
}

/// The size of `T` as a `socklen_t`; socket addresses are small.
fn socklen<T>() -> libc::socklen_t {
    libc::socklen_t::try_from(size_of::<T>()).unwrap_or(0)
}
