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

use std::io::{self, IoSliceMut};
use std::mem;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use libc::c_int;
use mpath_core::addr::Family;
use mpath_wire::MacAddr;
use nix::errno::Errno;
use nix::sys::socket::{
    bind, recvmsg, sendto, setsockopt, sockopt as nix_opt, LinkAddr, MsgFlags,
};

use super::packet::{link_addr, packet_socket};
use crate::ifindex;
use crate::unix::rawsock::Stamp;
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
        let fd = packet_socket()?;
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
        bind(fd.as_raw_fd(), &link_addr(ifindex, protocol, None)?)?;

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
        setsockopt(&fd, nix_opt::ReceiveTimestampns, &true)?;
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
        let dst = frame[..6].try_into().ok();
        // The EtherType as in the frame: already in network order.
        let protocol = u16::from_ne_bytes([frame[12], frame[13]]);
        let addr = link_addr(self.ifindex, protocol, dst)?;
        match sendto(self.fd.as_raw_fd(), frame, &addr, MsgFlags::empty()) {
            Ok(n) if n == frame.len() => Ok(()),
            Ok(n) => Err(io::Error::other(format!(
                "sent {n} of {} bytes",
                frame.len()
            ))),
            Err(Errno::EAGAIN | Errno::ENOBUFS) => Ok(()),
            Err(err) => Err(err.into()),
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
        let mut control = ControlBuf([0; CONTROL_LEN]);
        let buf_len = buf.len();
        let mut iov = [IoSliceMut::new(buf)];
        let msg = loop {
            let res = recvmsg::<LinkAddr>(
                self.fd.as_raw_fd(),
                &mut iov,
                Some(&mut control.0),
                MsgFlags::empty(),
            );
            match res {
                Ok(msg) => break msg,
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => return Ok(Received::None),
                Err(err) => return Err(err.into()),
            }
        };
        let outgoing = msg.address.is_some_and(|name| {
            c_int::from(name.pkttype()) == c_int::from(libc::PACKET_OUTGOING)
        });
        if outgoing {
            return Ok(Received::Skipped);
        }
        let len = msg.bytes.min(buf_len);
        let truncated = msg
            .flags
            .intersects(MsgFlags::MSG_TRUNC | MsgFlags::MSG_CTRUNC);
        // With MSG_CTRUNC nix gives no control messages: no stamp.
        let rx_realtime_ns = msg.cmsgs().ok().and_then(|mut cmsgs| {
            cmsgs.find_map(|c| Stamp::Nanoseconds.read(&c))
        });
        Ok(Received::Frame(Frame {
            len,
            rx_realtime_ns,
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

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests;
