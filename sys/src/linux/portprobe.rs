//! laggd's per-port probe socket on Linux: ARP (IPv4) or neighbour
//! solicitation (IPv6) frames sent through one port of a bond, and the
//! replies received on that port, whether or not the bond is using it.
//!
//! The daemon builds whole Ethernet frames with `mpath-wire` (an ARP
//! request, an NS), sends them with [`PortProbe::send_frame`] and reads
//! the replies with [`PortProbe::recv`]; checking a reply (that it
//! answers an outstanding request, from the right target) is left to
//! `mpath-wire` and the core.
//!
//! # The socket
//!
//! An `AF_PACKET`, `SOCK_RAW` socket, one per port and address family,
//! opened in this order:
//!
//! 1. `socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)`:
//!    protocol 0 receives nothing yet.
//! 2. `SO_ATTACH_FILTER`: a classic-BPF program (`filter`) that passes
//!    only what a probe can be answered with, *addressed to this port's
//!    probe address*:
//!    * IPv4: ARP replies whose target hardware address is it (ARP
//!      frames of other kinds, and replies to others, are dropped);
//!    * IPv6: ICMPv6 neighbour advertisements (next header 58, no
//!      extension header, type 136) whose Ethernet destination is it.
//!
//!    Then `SO_LOCK_FILTER`, so that it stays.
//! 3. `bind` to the port (`sll_ifindex`) and to `ETH_P_ARP` or
//!    `ETH_P_IPV6`. From here on frames are queued, filtered. A socket
//!    bound to one EtherType (not `ETH_P_ALL`) sees only what the port
//!    *receives*, not what the host sends through it, and the kernel
//!    runs the filter only on that EtherType's frames.
//! 4. `PACKET_ADD_MEMBERSHIP` `PACKET_MR_UNICAST` with the probe
//!    address: adds it to the port's unicast filter while the socket is
//!    open, so that the NIC accepts replies sent to it. A port of a bond
//!    carries the bond's address, not its own; a driver without unicast
//!    filtering puts the port in promiscuous mode instead (veth, and any
//!    NIC without `IFF_UNICAST_FLT`).
//! 5. `SO_TIMESTAMPNS`: each frame's kernel receive time.
//!
//! # A standby port still receives
//!
//! The bonding driver's receive handler, for a frame that arrives on an
//! inactive port, tells the stack to deliver it only to the handlers
//! bound to that very port (`RX_HANDLER_EXACT`): a packet socket bound
//! to the port is one, so replies reach it while the bond ignores the
//! port. (Bonding's own `arp_validate` relies on that delivery.) The VM
//! test `tests/vm/laggsys.sh` checks it on a real bond.
//!
//! # Which addresses a probe carries
//!
//! The source MAC must be the port's own, permanent address, never the
//! bond's: a frame from a standby port with the bond's address as
//! source makes the switch move the bond's address to that port
//! (`bond::Bond::probe_mac` gives the right one, and refuses the port
//! whose permanent address the bond took). [`PortProbe::send_frame`]
//! refuses frames from any other source address.
//!
//! The sender *protocol* address matters too: a target that learns "the
//! bond's IP is at the standby port's MAC" from an ARP request sends the
//! bond's traffic to the standby. So an ARP probe should carry sender IP
//! 0.0.0.0 (RFC 5227's ARP Probe; Linux and the BSDs answer it, unicast
//! to the sender hardware address, without learning anything), and an
//! NS a source address nobody else uses, e.g. the link-local address
//! derived from the port's permanent MAC.
//!
//! # Receiving
//!
//! [`PortProbe::recv`] returns whole Ethernet frames, header first, as
//! the port received them (padding included), with the kernel's receive
//! time on the realtime clock.

use std::io;
use std::mem::{self, size_of};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::ptr;

use libc::c_int;
use mpath_core::addr::Family;
use mpath_wire::MacAddr;

use crate::ifindex;
use crate::unix::sockopt;

/// Ethernet header: destination, source, EtherType.
const ETH_HLEN: usize = 14;
/// Where the EtherType sits.
const ETH_TYPE: u32 = 12;
/// Where an ARP message's operation sits in the frame (RFC 826: after
/// hardware type, protocol type and the two lengths).
const ARP_OP: u32 = 14 + 6;
/// Where an Ethernet/IPv4 ARP message's target hardware address sits.
const ARP_THA: u32 = 14 + 18;
/// `ARPOP_REPLY`.
const ARP_REPLY: u32 = 2;
/// Where the IPv6 next header sits.
const IP6_NXT: u32 = 14 + 6;
/// Where the first byte after a 40-byte IPv6 header sits: the ICMPv6
/// type when the next header is ICMPv6.
const ICMP6_TYPE: u32 = 14 + 40;
/// ICMPv6 neighbour advertisement (RFC 4861).
const ND_NEIGHBOR_ADVERT: u32 = 136;

/// At most this many frames are skipped per `recv` (outgoing copies,
/// which a socket bound to one EtherType does not get anyway).
const SKIPS_PER_RECV: usize = 64;

/// Room for the control messages: one `SCM_TIMESTAMPNS` (32 bytes on
/// 64-bit systems), with room to spare.
const CONTROL_LEN: usize = 128;

/// One frame from [`PortProbe::recv`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The number of bytes placed in the buffer: the Ethernet frame,
    /// header first.
    pub len: usize,
    /// When the kernel received it, in nanoseconds since the epoch on the
    /// realtime clock; `None` if the kernel sent no timestamp.
    pub rx_realtime_ns: Option<i64>,
    /// The frame did not fit in the buffer (`MSG_TRUNC`), or the control
    /// data did not fit in ours (`MSG_CTRUNC`).
    pub truncated: bool,
}

/// A packet socket on one port for one address family's probes (see the
/// module documentation).
#[derive(Debug)]
pub struct PortProbe {
    fd: OwnedFd,
    ifindex: u32,
    family: Family,
    mac: MacAddr,
}

impl PortProbe {
    /// Opens the probe socket of port `port` for `family` (ARP for
    /// IPv4, neighbour discovery for IPv6), probing from hardware
    /// address `mac`, the port's permanent one.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a multicast or zero `mac`; `NotFound`/`ENODEV`
    /// for no such port; `EPERM` without `CAP_NET_RAW`. The message
    /// names the port.
    pub fn open(
        port: &str,
        family: Family,
        mac: MacAddr,
    ) -> io::Result<PortProbe> {
        if mac.is_multicast() || mac == MacAddr::ZERO {
            return Err(invalid(format!("{mac} cannot be a probe source")));
        }
        let context = |err: io::Error| {
            io::Error::new(err.kind(), format!("{port}: {err}"))
        };
        let ifindex = ifindex::name_to_index(port).map_err(context)?;
        PortProbe::open_index(ifindex, family, mac).map_err(context)
    }

    /// [`PortProbe::open`] by interface index.
    ///
    /// # Errors
    ///
    /// As [`PortProbe::open`], without the name in the message.
    pub fn open_index(
        ifindex: u32,
        family: Family,
        mac: MacAddr,
    ) -> io::Result<PortProbe> {
        if mac.is_multicast() || mac == MacAddr::ZERO {
            return Err(invalid(format!("{mac} cannot be a probe source")));
        }
        let index = c_int::try_from(ifindex).map_err(|_| {
            invalid(format!("interface index {ifindex} too large"))
        })?;
        let kind = libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
        // SAFETY: socket takes integers only.
        let raw = syscall!(unsafe { libc::socket(libc::AF_PACKET, kind, 0) })?;
        // SAFETY: socket succeeded: `raw` is an open descriptor that
        // nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let probe = PortProbe {
            fd,
            ifindex,
            family,
            mac,
        };
        let fd = probe.fd.as_fd();

        let mut program = filter(family, mac);
        let prog = libc::sock_fprog {
            len: u16::try_from(program.len()).unwrap_or(u16::MAX),
            filter: program.as_mut_ptr(),
        };
        // The kernel copies the program in during the call and keeps no
        // pointer to `program`.
        sockopt::set(fd, libc::SOL_SOCKET, libc::SO_ATTACH_FILTER, &prog)?;
        let one: c_int = 1;
        sockopt::set(fd, libc::SOL_SOCKET, libc::SO_LOCK_FILTER, &one)?;

        let ethertype = match family {
            Family::V4 => libc::ETH_P_ARP,
            Family::V6 => libc::ETH_P_IPV6,
        };
        let protocol = u16::try_from(ethertype).unwrap_or(0).to_be();
        // SAFETY: sockaddr_ll is integers and bytes; all zeros is valid.
        let mut addr: libc::sockaddr_ll = unsafe { mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as libc::c_ushort;
        addr.sll_protocol = protocol;
        addr.sll_ifindex = index;
        // SAFETY: `addr` is a sockaddr_ll of the length given, borrowed
        // for the call; bind only reads it.
        syscall!(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                ptr::from_ref(&addr).cast(),
                socklen::<libc::sockaddr_ll>(),
            )
        })?;

        let mut address = [0u8; 8];
        address[..6].copy_from_slice(&mac.octets());
        let mreq = libc::packet_mreq {
            mr_ifindex: index,
            mr_type: libc::c_ushort::try_from(libc::PACKET_MR_UNICAST)
                .unwrap_or_default(),
            mr_alen: 6,
            mr_address: address,
        };
        sockopt::set(fd, libc::SOL_PACKET, libc::PACKET_ADD_MEMBERSHIP, &mreq)?;
        sockopt::set(fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, &one)?;
        Ok(probe)
    }

    /// The socket's address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The port's interface index.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// The probe source address the socket was opened with.
    pub fn mac(&self) -> MacAddr {
        self.mac
    }

    /// Sends `frame`, a whole Ethernet frame, out of the port as it is.
    ///
    /// A send that would block (`EAGAIN`) or finds no buffer space
    /// (`ENOBUFS`) counts as sent, as for the probe sockets: the probe
    /// goes unanswered, which the detector notices.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a frame shorter than an Ethernet header, one
    /// whose source address is not the socket's probe address (see the
    /// module documentation) or whose EtherType is not the socket's
    /// (ARP for IPv4, IPv6); otherwise `sendto`'s: `ENETDOWN` while the
    /// port is down, `ENXIO`/`ENODEV` once it is gone, `EMSGSIZE`.
    pub fn send_frame(&self, frame: &[u8]) -> io::Result<()> {
        check_frame(frame, self.family, self.mac)?;
        let mut dst = [0u8; 8];
        dst[..6].copy_from_slice(&frame[..6]);
        let addr = libc::sockaddr_ll {
            sll_family: libc::AF_PACKET as libc::c_ushort,
            // The EtherType as in the frame: already in network order.
            sll_protocol: u16::from_ne_bytes([frame[12], frame[13]]),
            sll_ifindex: c_int::try_from(self.ifindex).unwrap_or(0),
            sll_hatype: 0,
            sll_pkttype: 0,
            sll_halen: 6,
            sll_addr: dst,
        };
        // SAFETY: `frame` is valid for reading `frame.len()` bytes and
        // `addr` is a sockaddr_ll of the length given, both borrowed for
        // the call, which only reads them.
        let res = syscall!(unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                0,
                ptr::from_ref(&addr).cast(),
                socklen::<libc::sockaddr_ll>(),
            )
        });
        match res {
            Ok(n) if usize::try_from(n).ok() == Some(frame.len()) => Ok(()),
            Ok(n) => Err(io::Error::other(format!(
                "sent {n} of {} bytes",
                frame.len()
            ))),
            Err(err)
                if err.kind() == io::ErrorKind::WouldBlock
                    || err.raw_os_error() == Some(libc::ENOBUFS) =>
            {
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    /// Receives one frame the filter passed into `buf`, or returns
    /// `None` if none is waiting.
    ///
    /// # Errors
    ///
    /// `recvmsg`'s (`ENETDOWN` after the port went down, once).
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Frame>> {
        for _ in 0..SKIPS_PER_RECV {
            match self.recv_one(buf)? {
                Received::None => return Ok(None),
                Received::Skipped => {}
                Received::Frame(frame) => return Ok(Some(frame)),
            }
        }
        Ok(None)
    }

    fn recv_one(&self, buf: &mut [u8]) -> io::Result<Received> {
        // SAFETY: sockaddr_ll is integers and bytes; all zeros is valid.
        let mut name: libc::sockaddr_ll = unsafe { mem::zeroed() };
        let mut control = ControlBuf([0; CONTROL_LEN]);
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: msghdr is integers and raw pointers (and padding on
        // musl); all zeros is a valid value.
        let mut msg: libc::msghdr = unsafe { mem::zeroed() };
        msg.msg_name = ptr::from_mut(&mut name).cast();
        msg.msg_namelen = socklen::<libc::sockaddr_ll>();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.0.as_mut_ptr().cast();
        // size_t in glibc, socklen_t in musl; 128 fits both.
        msg.msg_controllen = CONTROL_LEN as _;
        let n = loop {
            let raw = self.fd.as_raw_fd();
            // SAFETY: `msg` points to `name`, `iov` (which points to
            // `buf`) and `control`, all live and exclusively borrowed for
            // the call, with their true lengths; recvmsg writes within
            // those and updates the lengths and flags in `msg`.
            match syscall!(unsafe { libc::recvmsg(raw, &mut msg, 0) }) {
                Ok(n) => break n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(Received::None);
                }
                Err(err) => return Err(err),
            }
        };
        if c_int::from(name.sll_pkttype) == c_int::from(libc::PACKET_OUTGOING) {
            return Ok(Received::Skipped);
        }
        let len = usize::try_from(n).unwrap_or(0).min(buf.len());
        let truncated =
            msg.msg_flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0;
        Ok(Received::Frame(Frame {
            len,
            rx_realtime_ns: timestamp_ns(&msg),
            truncated,
        }))
    }
}

impl AsFd for PortProbe {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for PortProbe {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

enum Received {
    None,
    Skipped,
    Frame(Frame),
}

/// The checks [`PortProbe::send_frame`] makes before sending.
fn check_frame(frame: &[u8], family: Family, mac: MacAddr) -> io::Result<()> {
    let Some(header) = frame.get(..ETH_HLEN) else {
        return Err(invalid(format!(
            "a {}-byte frame has no Ethernet header",
            frame.len()
        )));
    };
    if header[6..12] != mac.octets() {
        return Err(invalid(format!(
            "frame from {}, not from the probe address {mac}",
            MacAddr(header[6..12].try_into().unwrap_or_default())
        )));
    }
    let ethertype = u16::from_be_bytes([header[12], header[13]]);
    let expected = match family {
        Family::V4 => libc::ETH_P_ARP,
        Family::V6 => libc::ETH_P_IPV6,
    };
    if c_int::from(ethertype) != expected {
        return Err(invalid(format!(
            "EtherType {ethertype:#06x} on an {} port probe",
            family.name()
        )));
    }
    Ok(())
}

/// The filter program of a port probe socket for `family` and probe
/// address `mac` (see the module documentation). FreeBSD's port probe
/// (`freebsd::portfilter`) builds the same program from FreeBSD's
/// numbers; a test there compares the two.
pub(crate) fn filter(family: Family, mac: MacAddr) -> Vec<libc::sock_filter> {
    let m = mac.octets();
    let mac_hi = u32::from_be_bytes([m[0], m[1], m[2], m[3]]);
    let mac_lo = u32::from(u16::from_be_bytes([m[4], m[5]]));
    let half = libc::BPF_LD | libc::BPF_H | libc::BPF_ABS;
    let word = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    let byte = libc::BPF_LD | libc::BPF_B | libc::BPF_ABS;
    let ethertype = |t: c_int| u32::try_from(t).unwrap_or(0);
    // (load, its offset, the value it must equal), all in turn.
    let tests: Vec<(u32, u32, u32)> = match family {
        Family::V4 => vec![
            (half, ETH_TYPE, ethertype(libc::ETH_P_ARP)),
            (half, ARP_OP, ARP_REPLY),
            (word, ARP_THA, mac_hi),
            (half, ARP_THA + 4, mac_lo),
        ],
        Family::V6 => vec![
            (half, ETH_TYPE, ethertype(libc::ETH_P_IPV6)),
            (byte, IP6_NXT, ethertype(libc::IPPROTO_ICMPV6)),
            (byte, ICMP6_TYPE, ND_NEIGHBOR_ADVERT),
            (word, 0, mac_hi),
            (half, 4, mac_lo),
        ],
    };
    let jeq = libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K;
    let ret = libc::BPF_RET | libc::BPF_K;
    let code = |c: u32| u16::try_from(c).unwrap_or(u16::MAX);
    let mut program = Vec::with_capacity(tests.len() * 2 + 2);
    for (i, &(load, offset, value)) in tests.iter().enumerate() {
        program.push(libc::sock_filter {
            code: code(load),
            jt: 0,
            jf: 0,
            k: offset,
        });
        // Jumps count from the next instruction: the last test jumps to
        // "accept" on a match, every test to "reject" otherwise.
        // The instructions after this jump, before "accept": the
        // remaining tests' pairs. The last test's match falls through
        // to "accept" (jt 0).
        let left = u8::try_from((tests.len() - 1 - i) * 2).unwrap_or(0);
        program.push(libc::sock_filter {
            code: code(jeq),
            jt: 0,
            jf: left + 1,
            k: value,
        });
    }
    // Accept: the whole frame. Reject: nothing.
    program.push(libc::sock_filter {
        code: code(ret),
        jt: 0,
        jf: 0,
        k: u32::MAX,
    });
    program.push(libc::sock_filter {
        code: code(ret),
        jt: 0,
        jf: 0,
        k: 0,
    });
    program
}

/// The control buffer, aligned for `cmsghdr` as `CMSG_FIRSTHDR` and
/// `CMSG_NXTHDR` assume.
#[repr(C, align(8))]
struct ControlBuf([u8; CONTROL_LEN]);

const _: () = assert!(mem::align_of::<libc::cmsghdr>() <= 8);

/// The `SCM_TIMESTAMPNS` stamp among the control messages of `msg`, in
/// nanoseconds since the epoch.
fn timestamp_ns(msg: &libc::msghdr) -> Option<i64> {
    let base = msg.msg_control as usize;
    #[allow(clippy::useless_conversion)]
    let control_len = usize::try_from(msg.msg_controllen).ok()?;
    let data_len = size_of::<libc::timespec>();
    // SAFETY: CMSG_LEN is arithmetic on its argument.
    let want_len = unsafe { libc::CMSG_LEN(u32::try_from(data_len).ok()?) };
    // SAFETY: `msg` is the header recvmsg just filled in: `msg_control`
    // points to our aligned buffer and `msg_controllen` is how much of it
    // the kernel used. CMSG_FIRSTHDR returns null if no header fits.
    let mut cmsg = unsafe { libc::CMSG_FIRSTHDR(msg) };
    while !cmsg.is_null() {
        // SAFETY: a non-null result of CMSG_FIRSTHDR or CMSG_NXTHDR points
        // to a cmsghdr inside the `msg_controllen` bytes of the aligned
        // control buffer, at an aligned offset.
        let hdr = unsafe { &*cmsg };
        #[allow(clippy::useless_conversion)]
        let hdr_len = usize::try_from(hdr.cmsg_len).unwrap_or(0);
        if hdr.cmsg_level == libc::SOL_SOCKET
            && hdr.cmsg_type == libc::SCM_TIMESTAMPNS
            && hdr_len >= usize::try_from(want_len).ok()?
        {
            // SAFETY: CMSG_DATA is pointer arithmetic within the header's
            // message.
            let data = unsafe { libc::CMSG_DATA(cmsg) };
            let offset = (data as usize).checked_sub(base)?;
            if offset.checked_add(data_len)? > control_len {
                return None;
            }
            // SAFETY: `data` points to a timespec's worth of bytes the
            // kernel wrote inside the control buffer (checked just
            // above); any bit pattern is a valid timespec, and the read
            // does not assume alignment.
            let ts =
                unsafe { ptr::read_unaligned(data.cast::<libc::timespec>()) };
            // time_t and c_long are i32 on 32-bit targets.
            #[allow(clippy::useless_conversion)]
            return Some(
                i64::from(ts.tv_sec)
                    .saturating_mul(1_000_000_000)
                    .saturating_add(i64::from(ts.tv_nsec)),
            );
        }
        // SAFETY: as for CMSG_FIRSTHDR; `cmsg` is a header inside the
        // control buffer. CMSG_NXTHDR returns null at the end.
        cmsg = unsafe { libc::CMSG_NXTHDR(msg, cmsg) };
    }
    None
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// The size of `T` as a `socklen_t`; socket addresses are small.
fn socklen<T>() -> libc::socklen_t {
    libc::socklen_t::try_from(size_of::<T>()).unwrap_or(0)
}

#[cfg(test)]
mod tests;
