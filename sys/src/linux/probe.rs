//! The probe socket on Linux: one raw ICMP or ICMPv6 socket per
//! interface and address family, in.mpathd's per-phyint-instance socket.
//!
//! The daemon builds echo requests (`mpath-wire`), sends them to its
//! targets through [`ProbeSocket::send`], and reads the replies with
//! [`ProbeSocket::recv`]; checking a reply (type, code, id, sequence,
//! nonce, source) is left to `mpath-wire` and the core.
//!
//! # Options, after in.mpathd (`mpd_probe.c`, `mpd_tables.c`)
//!
//! * `SOCK_NONBLOCK` (in.mpathd: `O_NONBLOCK`): a blocked lower layer
//!   must not block the daemon.
//! * `SO_BINDTODEVICE` ifname (in.mpathd: `IP_BOUND_IF`,
//!   `IPV6_BOUND_IF`): send through and receive from this interface only.
//! * `bind` to the test address (an IPv6 link-local one with the
//!   interface as its scope), so that replies come back to it.
//! * `IP_TTL` 1, `IPV6_UNICAST_HOPS` 1: targets are on-link, and a probe
//!   must not be routed elsewhere.
//! * `IP_MULTICAST_TTL` 1, `IPV6_MULTICAST_HOPS` 1: the same for the
//!   multicast probes that discover targets.
//! * `IP_MULTICAST_LOOP` 0, `IPV6_MULTICAST_LOOP` 0: we are not our own
//!   target.
//! * `IP_MULTICAST_IF` (an `ip_mreqn` with the index and the test
//!   address), `IPV6_MULTICAST_IF` index: multicast leaves by this
//!   interface.
//! * `ICMP6_FILTER`, and Linux's `ICMP_FILTER` for IPv4 (in.mpathd has
//!   only the former): pass echo replies only. A raw socket otherwise
//!   gets a copy of every ICMP message the host receives, our own
//!   looped-back requests included.
//! * `SO_TIMESTAMPNS` (in.mpathd: `SO_TIMESTAMP`): the kernel's receive
//!   time, in nanoseconds.
//!
//! in.mpathd also sets `IPV6_RECVHOPLIMIT`, and rejects IPv6 replies with
//! a routing header; neither is read here yet.
//!
//! # Receiving
//!
//! An IPv4 raw socket delivers the IP header in front of the ICMP
//! message; an ICMPv6 socket delivers the ICMPv6 message only, its
//! checksum verified by the kernel. The kernel timestamp is on the
//! realtime clock (`clock::realtime_to_instant` maps it to the monotonic
//! one).

use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use libc::c_int;
use mpath_core::addr::Family;
use nix::sys::socket::{
    bind, setsockopt, socket, sockopt as nix_opt, AddressFamily, SockFlag,
    SockProtocol, SockType,
};

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

/// `struct icmp6_filter` (RFC 3542 §3.2): 256 bits, one per ICMPv6 type,
/// type `t` at bit `t % 32` of word `t / 32`. RFC 3542 leaves the meaning
/// of a set bit to the implementation behind its `ICMP6_FILTER_SETPASS`
/// and `_SETBLOCK` macros. On Linux a set bit *blocks* the type (the
/// kernel's `icmpv6_filter`, glibc's macros); the KAME-derived BSDs use
/// the opposite convention, so this is Linux-only as written.
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

/// A raw ICMP (IPv4) or ICMPv6 socket bound to one interface and one
/// test address: send probes, receive echo replies.
#[derive(Debug)]
pub struct ProbeSocket {
    fd: OwnedFd,
    family: Family,
    ifindex: u32,
}

pub use crate::unix::rawsock::Received;

impl ProbeSocket {
    /// Opens the probe socket of interface `ifname` (index `ifindex`) for
    /// `family`, bound to the test address `src`. See the module
    /// documentation for the options set.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `src` is not of `family` or `ifname` is not a
    /// possible interface name; `EPERM` without `CAP_NET_RAW`;
    /// `EADDRNOTAVAIL` if `src` is not (yet) an address of this host;
    /// `ENODEV` if the interface is gone.
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
            || ifname.len() >= libc::IFNAMSIZ
            || ifname.contains('\0')
        {
            return Err(invalid(format!("bad interface name {ifname:?}")));
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

        // The filter first, so that as little unrelated ICMP as possible
        // is queued before it is in place.
        match family {
            Family::V4 => {
                let drop = icmp_drop_all_but(ICMP_ECHOREPLY);
                sockopt::set(fd, libc::SOL_RAW, ICMP_FILTER, &drop)?;
            }
            Family::V6 => {
                let filter = Icmp6Filter::pass_only(ICMP6_ECHO_REPLY);
                let level = libc::IPPROTO_ICMPV6;
                sockopt::set(fd, level, ICMP6_FILTER, &filter)?;
            }
        }
        // Linux's IP_BOUND_IF: the socket sends through and receives from
        // this device only.
        setsockopt(
            &fd,
            nix_opt::BindToDevice,
            &std::ffi::OsString::from(ifname),
        )?;
        bind(fd.as_raw_fd(), &rawsock::sockaddr(src, ifindex))?;

        let one: c_int = 1;
        let zero: c_int = 0;
        match src {
            IpAddr::V4(src) => {
                let level = libc::IPPROTO_IP;
                setsockopt(&fd, nix_opt::Ipv4Ttl, &one)?;
                sockopt::set(fd, level, libc::IP_MULTICAST_TTL, &one)?;
                sockopt::set(fd, level, libc::IP_MULTICAST_LOOP, &zero)?;
                let mreqn = libc::ip_mreqn {
                    imr_multiaddr: in_addr(Ipv4Addr::UNSPECIFIED),
                    imr_address: in_addr(src),
                    imr_ifindex: index_c_int(ifindex)?,
                };
                sockopt::set(fd, level, libc::IP_MULTICAST_IF, &mreqn)?;
            }
            IpAddr::V6(_) => {
                let level = libc::IPPROTO_IPV6;
                setsockopt(&fd, nix_opt::Ipv6Ttl, &one)?;
                sockopt::set(fd, level, libc::IPV6_MULTICAST_HOPS, &one)?;
                sockopt::set(fd, level, libc::IPV6_MULTICAST_LOOP, &zero)?;
                let index = index_c_int(ifindex)?;
                sockopt::set(fd, level, libc::IPV6_MULTICAST_IF, &index)?;
            }
        }
        setsockopt(&fd, nix_opt::ReceiveTimestampns, &true)?;
        Ok(socket)
    }

    /// The socket's address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Sends `msg` (an ICMP or ICMPv6 message, no IP header) to `dst`.
    /// An IPv6 link-local destination, unicast or multicast, is scoped to
    /// this socket's interface.
    ///
    /// A send that would block (`EAGAIN`) or finds no buffer space
    /// (`ENOBUFS`) counts as sent, as in in.mpathd: the probe is recorded
    /// and, never answered, is lost. A lower layer that cannot send thus
    /// shows up as lost probes, which is what the failure detector is
    /// there to notice, rather than as an error the daemon would only
    /// log.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `dst` is not of the socket's family; otherwise
    /// `sendto`'s, e.g. `ENETUNREACH`, `EHOSTUNREACH`, `ENODEV`.
    pub fn send(&self, msg: &[u8], dst: IpAddr) -> io::Result<()> {
        if Family::of(dst) != self.family {
            return Err(invalid(format!(
                "cannot send to {dst} on an {} socket",
                self.family.name()
            )));
        }
        rawsock::send(self.fd.as_fd(), msg, dst, self.ifindex)
    }

    /// Receives one packet into `buf`, or returns `None` if none is
    /// waiting. For IPv4 the buffer starts with the IP header.
    ///
    /// # Errors
    ///
    /// `recvmsg`'s (an unconnected raw socket without `IP_RECVERR` has
    /// none to expect); `InvalidData` if the kernel gave no usable source
    /// address.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        rawsock::recv(self.fd.as_fd(), buf, Stamp::Nanoseconds)
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

/// An interface index as the `int` socket options take.
fn index_c_int(ifindex: u32) -> io::Result<c_int> {
    c_int::try_from(ifindex)
        .map_err(|_| invalid(format!("interface index {ifindex} too large")))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use mpath_wire::{EchoProbe, ProbeKind, ProbePayload};

    use std::net::Ipv6Addr;

    use super::*;
    use crate::linux::testns::in_fresh_netns;
    use crate::{clock, ifindex, poll};

    #[test]
    fn filters_pass_only_echo_replies() {
        let v6 = Icmp6Filter::pass_only(ICMP6_ECHO_REPLY);
        for t in 0..=u8::MAX {
            assert_eq!(v6.passes(t), t == 129, "type {t}");
        }
        assert_eq!(v6.words[4], !0b10);
        let v4 = icmp_drop_all_but(ICMP_ECHOREPLY);
        assert_eq!(v4, 0xffff_fffe);
        assert_eq!(size_of::<Icmp6Filter>(), 32);
    }

    #[test]
    fn link_local_addresses_are_scoped() {
        let scope = |a: &str| {
            let sa = rawsock::sockaddr(a.parse().unwrap(), 7);
            sa.as_sockaddr_in6().unwrap().scope_id()
        };
        assert_eq!(scope("fe80::1"), 7);
        assert_eq!(scope("febf::1"), 7);
        assert_eq!(scope("ff02::1"), 7);
        assert_eq!(scope("ff12::1"), 7);
        assert_eq!(scope("ff01::1"), 7);
        assert_eq!(scope("::1"), 0);
        assert_eq!(scope("fec0::1"), 0);
        assert_eq!(scope("ff05::2"), 0);
        assert_eq!(scope("2001:db8::1"), 0);
    }

    #[test]
    fn socket_addresses_round_trip() {
        for text in ["192.0.2.1", "2001:db8::7", "fe80::1"] {
            let addr: IpAddr = text.parse().unwrap();
            let sa = rawsock::sockaddr(addr, 3);
            assert_eq!(rawsock::ip_of(&sa), Some(addr));
        }
    }

    #[test]
    fn mismatched_arguments_are_rejected_before_any_socket() {
        let v6: IpAddr = "::1".parse().unwrap();
        let err = ProbeSocket::open(Family::V4, "lo", 1, v6).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        for name in ["", "a-name-that-is-too-long", "lo\0"] {
            let err = ProbeSocket::open(Family::V4, name, 1, v4).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{name:?}");
        }
    }

    fn probe(seq: u16) -> EchoProbe {
        EchoProbe {
            id: 0x4201,
            seq,
            payload: ProbePayload {
                kind: ProbeKind::Uni,
                timestamp_ns: clock::now().as_nanos(),
                nonce: 0x0123_4567_89ab_cdef,
            },
        }
    }

    /// Waits up to 5 s for a packet and receives it into a buffer of
    /// `size` bytes.
    fn receive(socket: &ProbeSocket, size: usize) -> (Received, Vec<u8>) {
        let mut fds = [poll::PollFd::readable(socket.as_raw_fd())];
        let ready = poll::poll(&mut fds, Some(Duration::from_secs(5)));
        assert_eq!(ready.unwrap(), 1, "no reply within 5 s");
        let mut buf = vec![0; size];
        let rx = socket.recv(&mut buf).unwrap().expect("readable, no data");
        buf.truncate(rx.len);
        (rx, buf)
    }

    #[test]
    fn echo_over_loopback_v4() {
        in_fresh_netns("probe::echo_over_loopback_v4", || {
            let lo = ifindex::name_to_index("lo").unwrap();
            let local = IpAddr::V4(Ipv4Addr::LOCALHOST);
            let socket =
                ProbeSocket::open(Family::V4, "lo", lo, local).unwrap();
            assert_eq!(socket.family(), Family::V4);
            let mut nothing = [0; 64];
            assert_eq!(socket.recv(&mut nothing).unwrap(), None);

            let probe = probe(1);
            let request = mpath_wire::emit_icmpv4_echo_request(&probe);
            // Type 8, code 0, a checksum, 8 + 24 bytes.
            assert_eq!(request[..2], [8, 0]);
            assert_ne!(request[2..4], [0, 0]);
            assert_eq!(request.len(), 32);
            let before = clock::realtime_ns();
            socket.send(&request, local).unwrap();
            // The filter keeps our own request, looped back, off the
            // socket: the first packet is the kernel's reply.
            let (rx, packet) = receive(&socket, 1500);
            let after = clock::realtime_ns();
            assert_eq!(rx.src, local);
            assert!(!rx.truncated);
            assert_eq!(rx.len, 20 + 32, "IP header and ICMP");
            let stamp = rx.rx_realtime_ns.expect("no SCM_TIMESTAMPNS");
            assert!(before <= stamp && stamp <= after, "{stamp}");
            let reply = mpath_wire::parse_icmpv4_echo_reply(&packet).unwrap();
            assert_eq!(reply.probe, probe);
            assert_eq!(reply.src, Ipv4Addr::LOCALHOST);

            // A buffer too small for the reply: truncated.
            socket.send(&request, local).unwrap();
            let (rx, _) = receive(&socket, 30);
            assert!(rx.truncated);
            assert_eq!(rx.len, 30);

            let v6: IpAddr = "::1".parse().unwrap();
            let err = socket.send(&request, v6).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        });
    }

    #[test]
    fn echo_over_loopback_v6() {
        in_fresh_netns("probe::echo_over_loopback_v6", || {
            let lo = ifindex::name_to_index("lo").unwrap();
            let local = IpAddr::V6(Ipv6Addr::LOCALHOST);
            let socket =
                ProbeSocket::open(Family::V6, "lo", lo, local).unwrap();
            assert_eq!(socket.family(), Family::V6);

            let probe = probe(2);
            // Checksum 0: the kernel fills it in.
            let request = mpath_wire::emit_icmpv6_echo_request(&probe);
            assert_eq!(request[..2], [128, 0]);
            let before = clock::realtime_ns();
            socket.send(&request, local).unwrap();
            let (rx, message) = receive(&socket, 1500);
            let after = clock::realtime_ns();
            assert_eq!(rx.src, local);
            assert!(!rx.truncated);
            assert_eq!(rx.len, 32, "ICMPv6 only, no IP header");
            let stamp = rx.rx_realtime_ns.expect("no SCM_TIMESTAMPNS");
            assert!(before <= stamp && stamp <= after, "{stamp}");
            // The kernel's checksum, verified here over the
            // pseudo-header as well.
            let echoed = mpath_wire::parse_icmpv6_echo_reply(
                &message,
                Ipv6Addr::LOCALHOST,
                Ipv6Addr::LOCALHOST,
            )
            .unwrap();
            assert_eq!(echoed, probe);
        });
    }
}
