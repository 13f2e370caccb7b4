//! mpathd's probe sockets on Linux: one raw ICMP socket and one raw
//! ICMPv6 socket for every path, whatever the number of interfaces.
//!
//! in.mpathd opens a socket per interface and family, bound to the
//! interface. On Linux every raw ICMP socket of a namespace sits in one
//! hash chain, which the kernel walks for every ICMP packet it receives
//! (`raw_v4_input`): a thousand probed interfaces made each echo reply
//! cost a thousand socket checks. So one socket per family serves every
//! path here, and each packet says which path it is for:
//!
//! * **sending**: `IP_PKTINFO` / `IPV6_PKTINFO` with the member's index
//!   and test address, which send through that interface from that
//!   address, as `SO_BINDTODEVICE` and `bind` did per socket (a
//!   destination with no route through it is taken to be on-link, as for
//!   a bound socket). Multicast (target discovery) leaves by it too.
//! * **receiving**: `IP_PKTINFO` / `IPV6_RECVPKTINFO` give the interface
//!   a reply came in on and the address it was sent to; a reply counts
//!   for the path of that interface only if it was sent to that path's
//!   test address.
//!
//! The other options are in.mpathd's (`mpd_probe.c`): hop limit 1 for
//! unicast and multicast (targets are on-link), no multicast loopback,
//! `ICMP_FILTER` / `ICMP6_FILTER` passing echo replies only, and
//! `SO_TIMESTAMPNS`, the kernel's receive time. An IPv4 raw socket
//! delivers the IP header in front of the ICMP message; an ICMPv6 socket
//! the message only, its checksum verified by the kernel.

use std::collections::BTreeMap;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use libc::c_int;
use mpath_core::addr::Family;
use mpath_core::mpathd::engine::ProbePath;
use mpath_core::probe::ProbeRequest;
use nix::errno::Errno;
use nix::sys::socket::{
    recvmsg, sendmsg, setsockopt, socket, sockopt as nix_opt, AddressFamily,
    ControlMessage, ControlMessageOwned, MsgFlags, SockFlag, SockProtocol,
    SockType, SockaddrStorage,
};

use crate::unix::echo::{decode, encode, Datagram, Received};
use crate::unix::rawsock::{self, in_addr, Stamp};
use crate::unix::sockopt;

/// ICMP echo reply (RFC 792).
const ICMP_ECHOREPLY: u8 = 0;
/// ICMPv6 echo reply (RFC 4443).
const ICMP6_ECHO_REPLY: u8 = 129;

/// Linux's `ICMP_FILTER` option (`<linux/icmp.h>`) at level `SOL_RAW`: a
/// `u32` whose bit `t` set means "do not deliver ICMP type `t`". It
/// covers types 0 to 31 only; the rare higher ones (RFC 8335's extended
/// echo) still arrive, and the reply parser drops them.
const ICMP_FILTER: c_int = 1;

/// `ICMP6_FILTER` (glibc's `<netinet/icmp6.h>`, the kernel's
/// `ICMPV6_FILTER`) at level `IPPROTO_ICMPV6`; libc has neither name.
const ICMP6_FILTER: c_int = 1;

/// Receive buffer of each shared socket: a thousand paths' replies for
/// a few turns of the event loop.
const RCVBUF: usize = 1 << 20;

/// `struct icmp6_filter` (RFC 3542 §3.2): 256 bits, one per ICMPv6 type,
/// type `t` at bit `t % 32` of word `t / 32`. On Linux a set bit
/// *blocks* the type (the kernel's `icmpv6_filter`, glibc's macros); the
/// KAME-derived BSDs use the opposite convention, so this is Linux-only
/// as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
struct Icmp6Filter {
    words: [u32; 8],
}

impl Icmp6Filter {
    /// Blocks every type but `pass`.
    fn pass_only(pass: u8) -> Icmp6Filter {
        let mut words = [u32::MAX; 8];
        words[usize::from(pass / 32)] &= !(1 << (pass % 32));
        Icmp6Filter { words }
    }

    #[cfg(test)]
    fn passes(&self, t: u8) -> bool {
        self.words[usize::from(t / 32)] & (1 << (t % 32)) == 0
    }
}

/// The `ICMP_FILTER` mask that drops every type but `pass` (below 32).
fn icmp_drop_all_but(pass: u8) -> u32 {
    !(1u32 << pass)
}

/// A probed path: where replies for it must come in and be sent to.
#[derive(Clone, Debug)]
struct PathInfo {
    ifname: String,
    src: IpAddr,
}

/// Every path mpathd probes, and the two sockets they share.
#[derive(Debug, Default)]
pub struct ProbeSockets {
    v4: Option<OwnedFd>,
    v6: Option<OwnedFd>,
    /// By (interface index, family), looked up for every probe sent and
    /// received: ordered, as small integer keys are found quicker than
    /// std's SipHash computes.
    paths: BTreeMap<(u32, Family), PathInfo>,
}

impl ProbeSockets {
    /// No paths yet; the sockets are opened with the first path of their
    /// family.
    pub fn new() -> ProbeSockets {
        ProbeSockets::default()
    }

    /// Probes `path` from now on. Returns the descriptor to watch if one
    /// was opened for it (the first path of its family).
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the test address is not of the path's family;
    /// `EPERM` without `CAP_NET_RAW`.
    pub fn open(&mut self, path: &ProbePath) -> io::Result<Option<RawFd>> {
        if Family::of(path.src) != path.family {
            return Err(invalid(format!(
                "test address {} is not an {} address",
                path.src,
                path.family.name()
            )));
        }
        let slot = match path.family {
            Family::V4 => &mut self.v4,
            Family::V6 => &mut self.v6,
        };
        let opened = match slot {
            Some(_) => None,
            None => {
                let fd = open_shared(path.family)?;
                let raw = fd.as_raw_fd();
                *slot = Some(fd);
                Some(raw)
            }
        };
        self.paths.insert(
            (path.ifindex, path.family),
            PathInfo {
                ifname: path.ifname.clone(),
                src: path.src,
            },
        );
        Ok(opened)
    }

    /// Stops probing the path of (`ifindex`, `family`). The shared
    /// sockets stay open, so `deregister` is not called.
    pub fn close(
        &mut self,
        ifindex: u32,
        family: Family,
        _deregister: impl FnOnce(RawFd),
    ) {
        self.paths.remove(&(ifindex, family));
    }

    /// Sends `req` on the path of (`ifindex`, `family`). A send that
    /// would block (`EAGAIN`) or finds no buffer space (`ENOBUFS`) counts
    /// as sent, as in in.mpathd: the probe, never answered, is lost, so a
    /// lower layer that cannot send shows up as lost probes.
    ///
    /// # Errors
    ///
    /// `NotFound` for a path not opened; otherwise `sendmsg`'s, e.g.
    /// `ENETUNREACH`, `ENODEV`.
    pub fn send(
        &self,
        ifindex: u32,
        family: Family,
        req: &ProbeRequest,
    ) -> io::Result<()> {
        let (Some(path), Some(fd)) =
            (self.paths.get(&(ifindex, family)), self.socket(family))
        else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "no {} probe path on interface {ifindex}",
                    family.inet()
                ),
            ));
        };
        if Family::of(req.dst) != family {
            return Err(invalid(format!(
                "cannot send to {} on an {} path",
                req.dst,
                family.name()
            )));
        }
        let msg = encode(family, req);
        let iov = [IoSlice::new(&msg)];
        let dst = rawsock::sockaddr(req.dst, ifindex);
        let v4;
        let v6;
        let cmsg = match path.src {
            IpAddr::V4(src) => {
                v4 = libc::in_pktinfo {
                    ipi_ifindex: index_c_int(ifindex)?,
                    ipi_spec_dst: in_addr(src),
                    ipi_addr: in_addr(Ipv4Addr::UNSPECIFIED),
                };
                ControlMessage::Ipv4PacketInfo(&v4)
            }
            IpAddr::V6(src) => {
                v6 = libc::in6_pktinfo {
                    ipi6_addr: libc::in6_addr {
                        s6_addr: src.octets(),
                    },
                    ipi6_ifindex: ifindex,
                };
                ControlMessage::Ipv6PacketInfo(&v6)
            }
        };
        let r = sendmsg(
            fd.as_raw_fd(),
            &iov,
            &[cmsg],
            MsgFlags::empty(),
            Some(&dst),
        );
        match r {
            Ok(n) if n == msg.len() => Ok(()),
            Ok(n) => Err(io::Error::other(format!(
                "sent {n} of {} bytes",
                msg.len()
            ))),
            Err(Errno::EAGAIN | Errno::ENOBUFS) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads one datagram from `fd` (a descriptor [`ProbeSockets::open`]
    /// returned): `None` when nothing is waiting; else the path it is for
    /// and the reply, or why it is none.
    ///
    /// # Errors
    ///
    /// `recvmsg`'s.
    pub fn recv(&self, fd: RawFd) -> io::Result<Option<Received>> {
        let family = match (&self.v4, &self.v6) {
            (Some(s), _) if s.as_raw_fd() == fd => Family::V4,
            (_, Some(s)) if s.as_raw_fd() == fd => Family::V6,
            _ => return Ok(None),
        };
        let mut buf = [0u8; 2048];
        let mut control = [0u8; 256];
        let buf_len = buf.len();
        let mut iov = [IoSliceMut::new(&mut buf)];
        let msg = loop {
            let r = recvmsg::<SockaddrStorage>(
                fd,
                &mut iov,
                Some(&mut control),
                MsgFlags::empty(),
            );
            match r {
                Ok(msg) => break msg,
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        };
        let len = msg.bytes.min(buf_len);
        let src = msg.address.as_ref().and_then(rawsock::ip_of);
        let truncated = msg
            .flags
            .intersects(MsgFlags::MSG_TRUNC | MsgFlags::MSG_CTRUNC);
        let mut stamp = None;
        let mut arrived: Option<(u32, IpAddr)> = None;
        if let Ok(cmsgs) = msg.cmsgs() {
            for c in cmsgs {
                match &c {
                    ControlMessageOwned::Ipv4PacketInfo(pi) => {
                        let to =
                            Ipv4Addr::from(u32::from_be(pi.ipi_addr.s_addr));
                        let ifindex =
                            u32::try_from(pi.ipi_ifindex).unwrap_or(0);
                        arrived = Some((ifindex, IpAddr::V4(to)));
                    }
                    ControlMessageOwned::Ipv6PacketInfo(pi) => {
                        let to = Ipv6Addr::from(pi.ipi6_addr.s6_addr);
                        arrived = Some((pi.ipi6_ifindex, IpAddr::V6(to)));
                    }
                    other => {
                        stamp =
                            stamp.or_else(|| Stamp::Nanoseconds.read(other));
                    }
                }
            }
        }
        // A reply for another interface or address (a ping of somebody
        // else's, say) is nobody's business here.
        let Some((ifindex, to)) = arrived else {
            return Ok(Some(Received::nobodys()));
        };
        let Some(path) = self.paths.get(&(ifindex, family)) else {
            return Ok(Some(Received::nobodys()));
        };
        if to != path.src {
            return Ok(Some(Received::nobodys()));
        }
        let Some(src) = src else {
            return Ok(Some(Received::nobodys()));
        };
        let d = Datagram {
            len,
            src,
            rx_realtime_ns: stamp,
            truncated,
        };
        let reply = decode(family, &path.ifname, &buf, &d);
        Ok(Some(Received {
            path: Some((ifindex, family)),
            reply,
        }))
    }

    fn socket(&self, family: Family) -> Option<&OwnedFd> {
        match family {
            Family::V4 => self.v4.as_ref(),
            Family::V6 => self.v6.as_ref(),
        }
    }
}

/// The shared socket of `family`, with the options of the module
/// documentation.
fn open_shared(family: Family) -> io::Result<OwnedFd> {
    let (domain, protocol) = match family {
        Family::V4 => (AddressFamily::Inet, SockProtocol::Icmp),
        Family::V6 => (AddressFamily::Inet6, SockProtocol::IcmpV6),
    };
    let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
    let fd = socket(domain, SockType::Raw, flags, protocol)?;
    let s = fd.as_fd();
    let one: c_int = 1;
    let zero: c_int = 0;
    // The filter first, so that as little unrelated ICMP as possible is
    // queued before it is in place.
    match family {
        Family::V4 => {
            let drop = icmp_drop_all_but(ICMP_ECHOREPLY);
            sockopt::set(s, libc::SOL_RAW, ICMP_FILTER, &drop)?;
            setsockopt(&s, nix_opt::Ipv4Ttl, &one)?;
            let level = libc::IPPROTO_IP;
            sockopt::set(s, level, libc::IP_MULTICAST_TTL, &one)?;
            sockopt::set(s, level, libc::IP_MULTICAST_LOOP, &zero)?;
            setsockopt(&s, nix_opt::Ipv4PacketInfo, &true)?;
        }
        Family::V6 => {
            let filter = Icmp6Filter::pass_only(ICMP6_ECHO_REPLY);
            sockopt::set(s, libc::IPPROTO_ICMPV6, ICMP6_FILTER, &filter)?;
            setsockopt(&s, nix_opt::Ipv6Ttl, &one)?;
            let level = libc::IPPROTO_IPV6;
            sockopt::set(s, level, libc::IPV6_MULTICAST_HOPS, &one)?;
            sockopt::set(s, level, libc::IPV6_MULTICAST_LOOP, &zero)?;
            setsockopt(&s, nix_opt::Ipv6RecvPacketInfo, &true)?;
        }
    }
    setsockopt(&s, nix_opt::ReceiveTimestampns, &true)?;
    // Bigger than the default where root may; else what rmem_max allows.
    if setsockopt(&s, nix_opt::RcvBufForce, &RCVBUF).is_err() {
        let _ = setsockopt(&s, nix_opt::RcvBuf, &RCVBUF);
    }
    Ok(fd)
}

/// An interface index as `in_pktinfo` takes it.
fn index_c_int(ifindex: u32) -> io::Result<c_int> {
    c_int::try_from(ifindex)
        .map_err(|_| invalid(format!("interface index {ifindex} too large")))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests;
