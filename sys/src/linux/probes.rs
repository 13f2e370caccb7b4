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
//!
//! **Batches.** A thousand paths make some 7,000 probes and 7,000
//! replies a second. [`ProbeSockets::send`] checks a probe and queues it;
//! [`ProbeSockets::flush`], once a turn, sends the queue with one
//! `sendmmsg` per family. [`ProbeSockets::recv`] reads up to 64 replies
//! with one `recvmmsg` and hands them out one by one. The buffers are
//! kept from turn to turn (`mmsg`), and the control messages are built
//! and read as bytes (`cmsg`): no allocation and no zeroing per packet.

use std::collections::BTreeMap;
use std::io;
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use libc::c_int;
use mpath_core::addr::Family;
use mpath_core::mpathd::engine::ProbePath;
use mpath_core::probe::ProbeRequest;
use nix::sys::socket::{
    setsockopt, socket, sockopt as nix_opt, AddressFamily, SockFlag,
    SockProtocol, SockType,
};

use self::cmsg::{Ancillary, Pktinfo};
use self::mmsg::{Inbox, Incoming, Outbox};
use crate::unix::echo::{decode, Datagram, Received};
use crate::unix::sockopt;

mod cmsg;
mod mmsg;

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
    /// The control message that sends through it, built once.
    pktinfo: Pktinfo,
}

/// The socket of one family, the probes queued on it and the replies
/// read from it.
#[derive(Debug)]
struct Shared {
    fd: OwnedFd,
    outbox: Outbox,
    inbox: Inbox,
}

/// Every path mpathd probes, and the two sockets they share.
#[derive(Debug, Default)]
pub struct ProbeSockets {
    v4: Option<Shared>,
    v6: Option<Shared>,
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
    /// `InvalidInput` if the test address is not of the path's family
    /// or an IPv4 path's interface index does not fit `in_pktinfo`;
    /// `EPERM` without `CAP_NET_RAW`.
    pub fn open(&mut self, path: &ProbePath) -> io::Result<Option<RawFd>> {
        if Family::of(path.src) != path.family {
            return Err(invalid(format!(
                "test address {} is not an {} address",
                path.src,
                path.family.name()
            )));
        }
        let pktinfo = Pktinfo::new(path.ifindex, path.src)?;
        let slot = match path.family {
            Family::V4 => &mut self.v4,
            Family::V6 => &mut self.v6,
        };
        let opened = match slot {
            Some(_) => None,
            None => {
                let fd = open_shared(path.family)?;
                let raw = fd.as_raw_fd();
                *slot = Some(Shared {
                    fd,
                    outbox: Outbox::new(path.family),
                    inbox: Inbox::new(),
                });
                Some(raw)
            }
        };
        self.paths.insert(
            (path.ifindex, path.family),
            PathInfo {
                ifname: path.ifname.clone(),
                src: path.src,
                pktinfo,
            },
        );
        Ok(opened)
    }

    /// Stops probing the path of (`ifindex`, `family`). The shared
    /// sockets stay open, so `deregister` is not called. Probes queued
    /// for it still go with the next flush.
    pub fn close(
        &mut self,
        ifindex: u32,
        family: Family,
        _deregister: impl FnOnce(RawFd),
    ) {
        self.paths.remove(&(ifindex, family));
    }

    /// Checks `req` and queues it on the path of (`ifindex`, `family`),
    /// to be sent by the next [`ProbeSockets::flush`] (a probe still
    /// queued when the sockets are dropped is not sent).
    ///
    /// # Errors
    ///
    /// `NotFound` for a path not opened; `InvalidInput` for a
    /// destination of the other family. Errors of the sending itself
    /// come from [`ProbeSockets::flush`].
    pub fn send(
        &mut self,
        ifindex: u32,
        family: Family,
        req: &ProbeRequest,
    ) -> io::Result<()> {
        let shared = match family {
            Family::V4 => self.v4.as_mut(),
            Family::V6 => self.v6.as_mut(),
        };
        let (Some(path), Some(shared)) =
            (self.paths.get(&(ifindex, family)), shared)
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
        shared.outbox.push(ifindex, req, &path.pktinfo);
        Ok(())
    }

    /// Sends every probe queued by [`ProbeSockets::send`], in order, with
    /// one `sendmmsg` per family (more for a queue longer than a batch,
    /// or past a probe that failed), and reports each probe that could
    /// not be sent to `failed`, with its path, as (interface index,
    /// family). A send that would block (`EAGAIN`) or finds no buffer
    /// space (`ENOBUFS`) counts as sent, as in in.mpathd: the probe,
    /// never answered, is lost, so a lower layer that cannot send shows
    /// up as lost probes. Other errors are `sendmsg`'s, e.g.
    /// `ENETUNREACH`, `ENODEV`.
    pub fn flush(&mut self, mut failed: impl FnMut((u32, Family), io::Error)) {
        for (family, shared) in
            [(Family::V4, &mut self.v4), (Family::V6, &mut self.v6)]
        {
            if let Some(s) = shared {
                s.outbox.flush(s.fd.as_fd(), &mut |ifindex, e| {
                    failed((ifindex, family), e)
                });
            }
        }
    }

    /// Reads one datagram from `fd` (a descriptor [`ProbeSockets::open`]
    /// returned): `None` when nothing is waiting; else the path it is for
    /// and the reply, or why it is none. Datagrams are read from the
    /// socket a batch at a time; `None` means the socket said `EAGAIN`.
    ///
    /// # Errors
    ///
    /// `recvmmsg`'s.
    pub fn recv(&mut self, fd: RawFd) -> io::Result<Option<Received>> {
        let ProbeSockets { v4, v6, paths } = self;
        let (family, shared) = match (v4, v6) {
            (Some(s), _) if s.fd.as_raw_fd() == fd => (Family::V4, s),
            (_, Some(s)) if s.fd.as_raw_fd() == fd => (Family::V6, s),
            _ => return Ok(None),
        };
        let Some(incoming) = shared.inbox.next(shared.fd.as_fd())? else {
            return Ok(None);
        };
        Ok(Some(received(paths, family, &incoming)))
    }
}

/// The reply in `incoming`, for the path it came in on if it came in on
/// one and was sent to that path's test address; else nobody's.
fn received(
    paths: &BTreeMap<(u32, Family), PathInfo>,
    family: Family,
    incoming: &Incoming<'_>,
) -> Received {
    let truncated = incoming.flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0;
    // Control messages cut short are not read (as nix did not).
    let ancillary = if incoming.flags & libc::MSG_CTRUNC != 0 {
        Ancillary::default()
    } else {
        cmsg::parse(incoming.control)
    };
    // A reply for another interface or address (a ping of somebody
    // else's, say) is nobody's business here.
    let Some((ifindex, to)) = ancillary.arrived else {
        return Received::nobodys();
    };
    let Some(path) = paths.get(&(ifindex, family)) else {
        return Received::nobodys();
    };
    if to != path.src {
        return Received::nobodys();
    }
    let Some(src) = cmsg::source(incoming.name) else {
        return Received::nobodys();
    };
    let d = Datagram {
        len: incoming.bytes.len(),
        src,
        rx_realtime_ns: ancillary.stamp_ns,
        truncated,
    };
    Received {
        path: Some((ifindex, family)),
        reply: decode(family, &path.ifname, incoming.bytes, &d),
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

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests;
