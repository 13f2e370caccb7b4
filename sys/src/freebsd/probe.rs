//! The probe socket on FreeBSD: per interface and address family, what
//! in.mpathd's per-phyint-instance socket is, with the same API as
//! Linux's (`linux::probe`).
//!
//! # The problem
//!
//! Each probe must leave by the interface it tests and its reply must be
//! counted only if it came back in by that interface. in.mpathd binds its
//! sockets to the interface with `IP_BOUND_IF`, Linux has
//! `SO_BINDTODEVICE`; FreeBSD has neither. There the routing table, not
//! the socket, chooses the outgoing interface, and the members of an
//! mpathd group are on one subnet, whose prefix route FreeBSD normally
//! installs for just one of them: a raw socket, even bound to a member's
//! test address, would send its probes out of whichever member the route
//! names, and all paths would be tested through one. The other ways
//! round it do not fit a daemon that must
//! work on any host (`shared/research/freebsd-lagg.md` §5):
//! `IP_SENDSRCADDR` chooses the source address, not the interface;
//! multiple FIBs need the administrator to set up a routing table per
//! member; pf `route-to` needs a firewall rule per member.
//!
//! # IPv4: BPF
//!
//! A BPF descriptor attached to an interface writes frames out of that
//! interface and nowhere else, and reads what that interface received,
//! which is exactly a bound socket (dhclient(8) probes per interface the
//! same way). The price is that, for the probes, we are our own IPv4 and
//! ARP layer:
//!
//! * [`ProbeSocket::send`] wraps the ICMP message in an IPv4 header
//!   (TTL 1, DF, checksum; `bpf::ipv4_frame`) and an Ethernet header
//!   from the interface's MAC to the target's;
//! * the target's MAC comes from our own ARP cache
//!   (`bpf::NeighbourCache`, whose module documents the policy: fresh
//!   for 30 s after a confirmation and while fewer than 2 probes are
//!   unanswered, then re-requested; a probe to an unresolved target is
//!   not sent but counts as sent, so an unreachable target shows up as
//!   lost probes), resolved with ARP requests and replies through the
//!   same descriptor; multicast and broadcast destinations map to their
//!   MACs directly;
//! * [`ProbeSocket::recv`] reads the BPF buffer, walks its records, feeds
//!   ARP replies to the cache and returns echo replies as a raw IPv4
//!   socket would have: IPv4 header first, Ethernet header and padding
//!   cut off, after the checks the kernel's IPv4 input would have made
//!   (`bpf::classify`); the receive time is the record's time stamp
//!   (`bh_tstamp`, realtime clock, microseconds). One read returns every
//!   record captured, so replies beyond the first are queued inside the
//!   socket for the next calls; readiness (`poll`) only reflects the
//!   kernel's buffer, so callers must read until `None`, as the daemon
//!   does.
//!
//! The descriptor is set up as bpf(4) prescribes (`bpf::Bpf`):
//! buffer length, attach, Ethernet only, immediate mode, "header
//! complete" (we write the source MAC), incoming packets only, and a
//! kernel filter (`bpf::Filter::probe`) that passes only ARP replies
//! and ICMP echo replies to our test address, so that the daemon sees
//! little else; then it is locked.
//!
//! ## Source MAC, and the lagg hazard
//!
//! Frames leave with the interface's own link address (getifaddrs
//! `AF_LINK`), the one the kernel answers ARP for our test address with,
//! so that targets send their replies back to this interface. mpathd's
//! members are plain interfaces, each with its own MAC. The members of a
//! lagg(4), by contrast, all carry the lagg's MAC: frames with that
//! source written on a standby port would make the switch move the
//! lagg's MAC to that port and black-hole its traffic. Probing lagg
//! ports (laggd's business, not this socket's) needs each port's
//! hardware address (`SIOCGHWADDR`) and a promiscuous descriptor to hear
//! replies to it.
//!
//! # IPv6: a raw ICMPv6 socket with `IPV6_PKTINFO`
//!
//! IPv6 needs no BPF: RFC 3542's `IPV6_PKTINFO`, given with each
//! `sendmsg`, chooses the outgoing interface (`ipi6_ifindex`) whatever
//! the routing table says, and `IPV6_RECVPKTINFO` reports the arrival
//! interface of each packet, so replies that came in by another
//! interface are dropped. Test addresses are link-local (in.mpathd's
//! rule), themselves tied to the interface by their scope. The options,
//! after in.mpathd and the Linux socket:
//!
//! * `ICMP6_FILTER` passing echo replies only (set first; FreeBSD's bits
//!   mean "pass");
//! * `bind` to the test address, scoped to the interface;
//! * `IPV6_UNICAST_HOPS` 1, `IPV6_MULTICAST_HOPS` 1, `IPV6_MULTICAST_LOOP`
//!   0, `IPV6_MULTICAST_IF` the interface;
//! * `IPV6_RECVPKTINFO` 1; `SO_TIMESTAMP` 1 (`SCM_TIMESTAMP`, realtime
//!   clock, microseconds).
//!
//! The kernel computes the ICMPv6 checksum.
//!
//! # Not verified here
//!
//! This module compiles for FreeBSD and its numbers are checked against
//! FreeBSD's headers (`freebsd::abi`); its pure parts are tested and
//! fuzzed on Linux (`freebsd::bpf`, `freebsd::cmsg`, `freebsd::inet6`).
//! Its behaviour on a FreeBSD kernel (the ioctl sequence, the filter in
//! the kernel's interpreter, the frames on a wire) has not been run.

use std::collections::VecDeque;
use std::ffi::{c_int, c_uint};
use std::io;
use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::ptr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use mpath_core::addr::Family;
use mpath_wire::MacAddr;

use crate::freebsd::abi::icmp6::{
    ICMP6_ECHO_REPLY, ICMP6_FILTER, IPPROTO_ICMPV6, IPPROTO_IPV6,
    IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, IPV6_MULTICAST_LOOP,
    IPV6_RECVPKTINFO, IPV6_UNICAST_HOPS, SO_TIMESTAMP,
};
use crate::freebsd::abi::in6::sockaddr_in6;
use crate::freebsd::abi::net_if::IFNAMSIZ;
use crate::freebsd::abi::socket::SOL_SOCKET;
use crate::freebsd::bpf::{self, Bpf, Filter, Inbound, NeighbourCache, Setup};
use crate::freebsd::{cmsg, inet6};
use crate::unix::{rawsock, sockopt};
use crate::{clock, ifaddrs};
use nix::sys::socket::{
    bind, socket, AddressFamily, SockFlag, SockProtocol, SockType,
};

/// The BPF buffer length asked for: room for dozens of replies per read
/// (not ABI: our choice; the kernel's default is 4 KiB).
const BPF_BUFFER_LEN: u32 = 32 * 1024;

/// At most this many echo replies wait inside a socket for `recv`; more
/// are dropped (and their probes count as lost) (not ABI: our choice).
const QUEUE_MAX: usize = 256;

/// At most this many BPF reads per `recv`, so that a stream of frames
/// the filter passes but that are no replies (ARP) cannot hold the
/// caller (not ABI: our choice).
const READS_PER_RECV: usize = 8;

/// Room for the control messages we ask for: `IPV6_PKTINFO` (40 bytes)
/// and `SCM_TIMESTAMP` (32), with room to spare (not ABI: our choice).
const CONTROL_LEN: usize = 128;

/// At most this many packets from other interfaces are skipped per
/// `recv` of the ICMPv6 socket (not ABI: our choice).
const SKIPS_PER_RECV: usize = 64;

/// A probe socket of one interface and one test address: BPF for IPv4,
/// a raw ICMPv6 socket for IPv6 (see the module documentation).
#[derive(Debug)]
pub struct ProbeSocket {
    family: Family,
    ifindex: u32,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    V4(Box<V4>),
    V6(OwnedFd),
}

/// The IPv4 path: the BPF descriptor and our IPv4/ARP state.
#[derive(Debug)]
struct V4 {
    bpf: Bpf,
    src: Ipv4Addr,
    src_mac: MacAddr,
    /// `send` and `recv` take `&self`, as on Linux.
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    neighbours: NeighbourCache,
    queue: VecDeque<Pending>,
    /// The read buffer, the kernel's buffer length.
    buf: Vec<u8>,
}

/// An echo reply read from BPF, not yet returned by `recv`.
#[derive(Debug)]
struct Pending {
    packet: Vec<u8>,
    src: Ipv4Addr,
    realtime_ns: Option<i64>,
    truncated: bool,
}

/// One packet from [`ProbeSocket::recv`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// The number of bytes placed in the buffer: for IPv4 the IP header
    /// and the ICMP message, for IPv6 the ICMPv6 message.
    pub len: usize,
    /// Who sent it (without scope; it arrived on this socket's
    /// interface).
    pub src: IpAddr,
    /// When the kernel received it, in nanoseconds since the epoch on the
    /// realtime clock (BPF's record time stamp, `SCM_TIMESTAMP`); `None`
    /// if there was none.
    pub rx_realtime_ns: Option<i64>,
    /// The packet did not fit in the buffer (or was captured short), or
    /// the control data did not fit in ours. in.mpathd drops these.
    pub truncated: bool,
}

impl ProbeSocket {
    /// Opens the probe socket of interface `ifname` (index `ifindex`) for
    /// `family`, with test address `src`. See the module documentation.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `src` is not of `family`, not a unicast address,
    /// or `ifname` is not a possible interface name; `NotFound` if
    /// `ifname` is not the interface with index `ifindex`;
    /// `EADDRNOTAVAIL` if an IPv4 `src` is not on the interface or an
    /// IPv6 one is not an address of this host; `Unsupported` for an
    /// interface without an Ethernet address; `EACCES`/`EPERM` unless
    /// root.
    pub fn open(
        family: Family,
        ifname: &str,
        ifindex: u32,
        src: IpAddr,
    ) -> io::Result<ProbeSocket> {
        if Family::of(src) != family {
            return Err(invalid(format!(
                "test address {src} is not an {} address",
                family.name()
            )));
        }
        if ifname.is_empty()
            || ifname.len() >= IFNAMSIZ
            || ifname.contains('\0')
        {
            return Err(invalid(format!("bad interface name {ifname:?}")));
        }
        let inner = match src {
            IpAddr::V4(src) => {
                Inner::V4(Box::new(open_v4(ifname, ifindex, src)?))
            }
            IpAddr::V6(src) => Inner::V6(open_v6(ifindex, src)?),
        };
        Ok(ProbeSocket {
            family,
            ifindex,
            inner,
        })
    }

    /// The socket's address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Sends `msg` (an ICMP or ICMPv6 message, no IP header) to `dst`
    /// out of this socket's interface.
    ///
    /// A send that would block (`EAGAIN`) or finds no buffer space
    /// (`ENOBUFS`) counts as sent, as in in.mpathd; so does an IPv4 probe
    /// to a target whose MAC is not known yet (an ARP request goes out
    /// instead). The probe is recorded and, never answered, is lost: a
    /// path that cannot send shows up as lost probes.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `dst` is not of the socket's family, or is an
    /// IPv4 address that cannot be probed (unspecified, loopback), or the
    /// message does not fit an IPv4 datagram; otherwise the write's or
    /// `sendmsg`'s (`ENETDOWN` while the interface is down).
    pub fn send(&self, msg: &[u8], dst: IpAddr) -> io::Result<()> {
        if Family::of(dst) != self.family {
            return Err(invalid(format!(
                "cannot send to {dst} on an {} socket",
                self.family.name()
            )));
        }
        match (&self.inner, dst) {
            (Inner::V4(v4), IpAddr::V4(dst)) => v4.send(msg, dst),
            (Inner::V6(fd), IpAddr::V6(dst)) => {
                send_v6(fd.as_fd(), self.ifindex, msg, dst)
            }
            _ => Err(invalid(format!("cannot send to {dst} here"))),
        }
    }

    /// Receives one echo reply into `buf`, or returns `None` if none is
    /// waiting. For IPv4 the buffer starts with the IP header.
    ///
    /// # Errors
    ///
    /// The read's or `recvmsg`'s (`ENXIO` once a BPF descriptor's
    /// interface is gone); `InvalidData` if the kernel gave no IPv6
    /// source address.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        match &self.inner {
            Inner::V4(v4) => v4.recv(buf),
            Inner::V6(fd) => recv_v6(fd.as_fd(), self.ifindex, buf),
        }
    }
}

impl AsFd for ProbeSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match &self.inner {
            Inner::V4(v4) => v4.bpf.as_fd(),
            Inner::V6(fd) => fd.as_fd(),
        }
    }
}

impl AsRawFd for ProbeSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}

/// Opens the IPv4 path: the interface's MAC, then the BPF descriptor.
fn open_v4(ifname: &str, ifindex: u32, src: Ipv4Addr) -> io::Result<V4> {
    if src.is_unspecified() || src.is_multicast() || src.is_broadcast() {
        return Err(invalid(format!("{src} cannot be a test address")));
    }
    let interfaces = ifaddrs::interfaces()?;
    let Some(interface) = interfaces.iter().find(|i| i.name == ifname) else {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no interface {ifname}"),
        ));
    };
    if interface.index != ifindex {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{ifname} has index {}, not {ifindex}", interface.index),
        ));
    }
    let Some(mac) = interface.mac else {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("{ifname} has no Ethernet address"),
        ));
    };
    if !interface.addrs.iter().any(|a| a.addr == IpAddr::V4(src)) {
        return Err(io::Error::from_raw_os_error(libc::EADDRNOTAVAIL));
    }
    let filter = Filter::probe(src);
    let bpf = Bpf::open(&Setup {
        ifname,
        buffer_len: BPF_BUFFER_LEN,
        immediate: true,
        filter: &filter,
    })?;
    let buf = vec![0; bpf.buffer_len()];
    Ok(V4 {
        bpf,
        src,
        src_mac: MacAddr(mac),
        state: Mutex::new(State {
            neighbours: NeighbourCache::new(),
            queue: VecDeque::new(),
            buf,
        }),
    })
}

impl V4 {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent at every step: a panic elsewhere
        // while it was locked leaves nothing half-done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn send(&self, msg: &[u8], dst: Ipv4Addr) -> io::Result<()> {
        if dst.is_unspecified() || dst.is_loopback() {
            return Err(invalid(format!("cannot probe {dst} through BPF")));
        }
        let (mac, request) = match bpf::link_destination(dst) {
            Some(mac) => (Some(mac), false),
            None => {
                let resolution =
                    self.lock().neighbours.resolve(dst, clock::now());
                (resolution.mac, resolution.request)
            }
        };
        if let Some(mac) = mac {
            let frame = bpf::ipv4_frame(self.src_mac, mac, self.src, dst, msg)
                .ok_or_else(|| {
                    invalid(format!("a {}-byte message", msg.len()))
                })?;
            sent(self.bpf.write(&frame))?;
        }
        if request {
            let frame =
                mpath_wire::emit_arp_request(self.src_mac, self.src, dst);
            sent(self.bpf.write(&frame))?;
        }
        Ok(())
    }

    fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        let mut guard = self.lock();
        let state = &mut *guard;
        for _ in 0..READS_PER_RECV {
            if let Some(pending) = state.queue.pop_front() {
                return Ok(Some(deliver(&pending, buf)));
            }
            let Some(bytes) = self.bpf.read(&mut state.buf)? else {
                return Ok(None);
            };
            let now = clock::now();
            // A malformed buffer (which the kernel does not write) ends
            // the walk; what was read before it is kept.
            for record in bpf::records(bytes).map_while(Result::ok) {
                match bpf::classify(record.data, self.src) {
                    Inbound::ArpReply { ip, mac } => {
                        state.neighbours.learn(ip, mac, now);
                    }
                    Inbound::EchoReply(reply) => {
                        state.neighbours.confirm(reply.src, now);
                        if state.queue.len() < QUEUE_MAX {
                            state.queue.push_back(Pending {
                                packet: reply.packet.to_vec(),
                                src: reply.src,
                                realtime_ns: record.realtime_ns,
                                truncated: reply.truncated
                                    || record.truncated(),
                            });
                        }
                    }
                    Inbound::Ignored(_) => {}
                }
            }
        }
        Ok(state
            .queue
            .pop_front()
            .map(|pending| deliver(&pending, buf)))
    }
}

/// Copies a queued reply into the caller's buffer.
fn deliver(pending: &Pending, buf: &mut [u8]) -> Received {
    let len = pending.packet.len().min(buf.len());
    buf[..len].copy_from_slice(&pending.packet[..len]);
    Received {
        len,
        src: IpAddr::V4(pending.src),
        rx_realtime_ns: pending.realtime_ns,
        truncated: pending.truncated || len < pending.packet.len(),
    }
}

/// A write that would block or found no buffer space counts as sent.
fn sent(res: io::Result<()>) -> io::Result<()> {
    match res {
        Err(err)
            if err.kind() == io::ErrorKind::WouldBlock
                || err.raw_os_error() == Some(libc::ENOBUFS) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// Opens the IPv6 path: a raw ICMPv6 socket bound to `src`.
fn open_v6(ifindex: u32, src: Ipv6Addr) -> io::Result<OwnedFd> {
    let owned = socket(
        AddressFamily::Inet6,
        SockType::Raw,
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        SockProtocol::IcmpV6,
    )?;
    let fd = owned.as_fd();

    // The filter first, so that as little unrelated ICMPv6 as possible
    // is queued before it is in place.
    let filter = inet6::icmp6_pass_only(ICMP6_ECHO_REPLY);
    sockopt::set(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter)?;
    bind(fd.as_raw_fd(), &rawsock::sockaddr(IpAddr::V6(src), ifindex))?;
    let one: c_int = 1;
    let off: c_uint = 0;
    sockopt::set(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &one)?;
    sockopt::set(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one)?;
    sockopt::set(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off)?;
    let index: c_uint = ifindex;
    sockopt::set(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index)?;
    sockopt::set(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one)?;
    sockopt::set(fd, SOL_SOCKET, SO_TIMESTAMP, &one)?;
    Ok(owned)
}

/// Sends `msg` to `dst` out of interface `ifindex` (`IPV6_PKTINFO`).
// Hand-written sendmsg/recvmsg: the control messages are built and
// parsed by `freebsd::cmsg` with FreeBSD's numbers, tested on Linux.
fn send_v6(
    fd: BorrowedFd<'_>,
    ifindex: u32,
    msg: &[u8],
    dst: Ipv6Addr,
) -> io::Result<()> {
    let addr = inet6::sockaddr6(dst, ifindex);
    let mut control = cmsg::pktinfo(ifindex);
    let mut iov = libc::iovec {
        // sendmsg only reads the data.
        iov_base: msg.as_ptr().cast_mut().cast(),
        iov_len: msg.len(),
    };
    let hdr = libc::msghdr {
        // sendmsg only reads the address.
        msg_name: ptr::from_ref(&addr).cast_mut().cast(),
        msg_namelen: socklen::<sockaddr_in6>(),
        msg_iov: &mut iov,
        msg_iovlen: 1,
        msg_control: control.as_mut_ptr().cast(),
        msg_controllen: libc::socklen_t::try_from(control.len()).unwrap_or(0),
        msg_flags: 0,
    };
    // SAFETY: `hdr` points to `addr` (a sockaddr_in6 of the given
    // length), `iov` (which points to the `msg.len()` bytes of `msg`) and
    // `control` (a well-formed IPV6_PKTINFO message of the given length),
    // all live and borrowed for the call, which only reads them.
    let res = syscall!(unsafe { libc::sendmsg(fd.as_raw_fd(), &hdr, 0) });
    match res {
        Ok(n) if usize::try_from(n).ok() == Some(msg.len()) => Ok(()),
        Ok(n) => {
            Err(io::Error::other(format!("sent {n} of {} bytes", msg.len())))
        }
        Err(err) => sent(Err(err)),
    }
}

/// Receives one echo reply that arrived on interface `ifindex`.
fn recv_v6(
    fd: BorrowedFd<'_>,
    ifindex: u32,
    buf: &mut [u8],
) -> io::Result<Option<Received>> {
    let raw = fd.as_raw_fd();
    for _ in 0..SKIPS_PER_RECV {
        let mut name = [0u8; size_of::<sockaddr_in6>()];
        let mut control = [0u8; CONTROL_LEN];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut hdr = libc::msghdr {
            msg_name: name.as_mut_ptr().cast(),
            msg_namelen: socklen::<sockaddr_in6>(),
            msg_iov: &mut iov,
            msg_iovlen: 1,
            msg_control: control.as_mut_ptr().cast(),
            msg_controllen: libc::socklen_t::try_from(CONTROL_LEN).unwrap_or(0),
            msg_flags: 0,
        };
        // SAFETY: `hdr` points to `name`, `iov` (which points to `buf`)
        // and `control`, all live and exclusively borrowed for the call,
        // with their true lengths; recvmsg writes within those and
        // updates the lengths and flags in `hdr`.
        let res = syscall!(unsafe { libc::recvmsg(raw, &mut hdr, 0) });
        let n = match res {
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                return Ok(None);
            }
            Err(err) => return Err(err),
        };
        let name_len = usize::try_from(hdr.msg_namelen).unwrap_or(0);
        let control_len = usize::try_from(hdr.msg_controllen).unwrap_or(0);
        let ancillary =
            cmsg::parse(control.get(..control_len).unwrap_or(&control));
        // A reply we cannot place on this interface is no evidence for
        // it: without IPV6_PKTINFO (which we asked for) it is dropped.
        if ancillary.ifindex != Some(ifindex) {
            continue;
        }
        let src = name
            .get(..name_len)
            .and_then(inet6::parse_sockaddr6)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "recvmsg gave no IPv6 source address",
                )
            })?;
        let truncated =
            hdr.msg_flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0;
        return Ok(Some(Received {
            len: usize::try_from(n).unwrap_or(0).min(buf.len()),
            src: IpAddr::V6(src),
            rx_realtime_ns: ancillary.realtime_ns,
            truncated,
        }));
    }
    Ok(None)
}

/// The size of `T` as a `socklen_t`; socket addresses are small.
fn socklen<T>() -> libc::socklen_t {
    libc::socklen_t::try_from(size_of::<T>()).unwrap_or(0)
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}
