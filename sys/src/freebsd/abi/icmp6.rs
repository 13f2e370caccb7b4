//! `netinet/icmp6.h` and what the ICMPv6 probe socket sets and reads
//! besides: the IPv6 socket options of `netinet6/in6.h` (through
//! `netinet/in.h`) and the control messages of `sys/socket.h`.

use std::ffi::c_int;
use std::mem::size_of;

use super::bpf::timeval;
use super::in6::in6_addr;

abi_consts! {
    headers: [
        "sys/types.h",
        "sys/time.h",
        "sys/socket.h",
        "netinet/in.h",
        "netinet/icmp6.h",
    ];

    /// `IPPROTO_IPV6`: the level of the IPv6 options and control
    /// messages.
    pub(crate) const IPPROTO_IPV6: c_int = 41 => libc::IPPROTO_IPV6;
    /// `IPPROTO_ICMPV6`: the raw socket's protocol, and the level of
    /// `ICMP6_FILTER`.
    pub(crate) const IPPROTO_ICMPV6: c_int = 58 => libc::IPPROTO_ICMPV6;
    /// `IPV6_UNICAST_HOPS`: the hop limit of unicast packets (`int`).
    pub(crate) const IPV6_UNICAST_HOPS: c_int = 4 => libc::IPV6_UNICAST_HOPS;
    /// `IPV6_MULTICAST_IF`: the interface multicast leaves by (`u_int`
    /// index).
    pub(crate) const IPV6_MULTICAST_IF: c_int = 9 => libc::IPV6_MULTICAST_IF;
    /// `IPV6_MULTICAST_HOPS`: the hop limit of multicast packets (`int`).
    pub(crate) const IPV6_MULTICAST_HOPS: c_int =
        10 => libc::IPV6_MULTICAST_HOPS;
    /// `IPV6_MULTICAST_LOOP`: whether our multicast comes back to us
    /// (`u_int`).
    pub(crate) const IPV6_MULTICAST_LOOP: c_int =
        11 => libc::IPV6_MULTICAST_LOOP;
    /// `IPV6_RECVPKTINFO`: deliver an `IPV6_PKTINFO` control message
    /// (destination address, arrival interface) with each packet.
    pub(crate) const IPV6_RECVPKTINFO: c_int = 36 => libc::IPV6_RECVPKTINFO;
    /// `IPV6_PKTINFO`: the control message type carrying an
    /// `in6_pktinfo`; on send it chooses the outgoing interface (and the
    /// source address), RFC 3542 §6.
    pub(crate) const IPV6_PKTINFO: c_int = 46 => libc::IPV6_PKTINFO;
    /// `ICMP6_FILTER`: the ICMPv6 types a raw socket receives (`struct
    /// icmp6_filter`).
    pub(crate) const ICMP6_FILTER: c_int = 18;
    /// `ICMP6_ECHO_REPLY`.
    pub(crate) const ICMP6_ECHO_REPLY: u8 = 129;
    /// `SO_TIMESTAMP`: deliver the receive time as `SCM_TIMESTAMP`.
    pub(crate) const SO_TIMESTAMP: c_int = 0x400 => libc::SO_TIMESTAMP;
    /// `SCM_TIMESTAMP`: the receive time, a `struct timeval` on the
    /// realtime clock (the default `SO_TS_CLOCK`).
    pub(crate) const SCM_TIMESTAMP: c_int = 0x02 => libc::SCM_TIMESTAMP;
    /// `_ALIGNBYTES`: control messages and their data are aligned to
    /// this plus one (`sizeof(register_t) - 1` on amd64, `sizeof(long
    /// long) - 1` on arm64).
    pub(crate) const _ALIGNBYTES: usize = 7;
    /// `CMSG_LEN(0)`: where a control message's data starts. A derived
    /// number: it checks [`CMSG_LEN`].
    #[c = "CMSG_LEN(0)"]
    pub(crate) const CMSG_DATA_OFFSET: usize = CMSG_LEN(0);
    /// `CMSG_LEN(sizeof(struct in6_pktinfo))`: an `IPV6_PKTINFO`
    /// message's `cmsg_len`.
    #[c = "CMSG_LEN(sizeof(struct in6_pktinfo))"]
    pub(crate) const PKTINFO_CMSG_LEN: usize =
        CMSG_LEN(size_of::<in6_pktinfo>());
    /// `CMSG_SPACE(sizeof(struct in6_pktinfo))`: the room it takes. It
    /// checks [`CMSG_SPACE`].
    #[c = "CMSG_SPACE(sizeof(struct in6_pktinfo))"]
    pub(crate) const PKTINFO_CMSG_SPACE: usize =
        CMSG_SPACE(size_of::<in6_pktinfo>());
    /// `CMSG_SPACE(sizeof(struct timeval))`: the room `SCM_TIMESTAMP`
    /// takes.
    #[c = "CMSG_SPACE(sizeof(struct timeval))"]
    pub(crate) const TIMESTAMP_CMSG_SPACE: usize =
        CMSG_SPACE(size_of::<timeval>());
}

abi_struct! {
    headers: [
        "sys/types.h",
        "sys/socket.h",
        "netinet/in.h",
        "netinet/icmp6.h",
    ];

    /// `struct icmp6_filter`: one bit per ICMPv6 type, type `t` at bit
    /// `t % 32` of word `t / 32`. On FreeBSD (KAME) a set bit *passes*
    /// the type (`ICMP6_FILTER_SETPASS` sets it, `SETBLOCKALL` is all
    /// zeros), the opposite of Linux.
    pub(crate) struct icmp6_filter {
        /// The bitmap.
        pub(crate) icmp6_filt: [u32; 8],
    }

    /// `struct in6_pktinfo`: `IPV6_PKTINFO`'s data (RFC 3542 §6.1).
    #[libc = in6_pktinfo]
    pub(crate) struct in6_pktinfo {
        /// Send: the source address (unspecified: the socket's).
        /// Receive: the destination address.
        pub(crate) ipi6_addr: in6_addr,
        /// Send: the outgoing interface. Receive: the arrival interface.
        pub(crate) ipi6_ifindex: u32,
    }

    /// `struct cmsghdr`: a control message's header; its data starts at
    /// [`CMSG_DATA_OFFSET`].
    #[libc = cmsghdr]
    pub(crate) struct cmsghdr {
        /// The header's and the data's length, without trailing padding.
        pub(crate) cmsg_len: u32,
        /// `IPPROTO_IPV6`, `SOL_SOCKET`, ...
        pub(crate) cmsg_level: c_int,
        /// `IPV6_PKTINFO`, `SCM_TIMESTAMP`, ...
        pub(crate) cmsg_type: c_int,
    }
}

/// `_ALIGN(n)` (`machine/_align.h`): `n` rounded up to a multiple of
/// `_ALIGNBYTES + 1`.
pub(crate) const fn _ALIGN(n: usize) -> usize {
    (n + _ALIGNBYTES) & !_ALIGNBYTES
}

/// `CMSG_LEN(len)`: `cmsg_len` for `len` bytes of data.
pub(crate) const fn CMSG_LEN(len: usize) -> usize {
    _ALIGN(size_of::<cmsghdr>()) + len
}

/// `CMSG_SPACE(len)`: the room a control message with `len` bytes of
/// data takes, its trailing padding included.
pub(crate) const fn CMSG_SPACE(len: usize) -> usize {
    _ALIGN(size_of::<cmsghdr>()) + _ALIGN(len)
}
