//! `netinet6/in6.h`, `netinet6/in6_var.h`, `netinet6/nd6.h`: IPv6
//! socket addresses, and the IPv6 address ioctls with their arguments
//! and flags.

use std::ffi::{c_int, c_ulong, c_void};
use std::mem::size_of;

use super::ioccom::{_IOW, _IOWR};
use super::net_if::IFNAMSIZ;

abi_consts! {
    headers: [
        "sys/types.h",
        "sys/ioccom.h",
        "sys/socket.h",
        "net/if.h",
        "netinet/in.h",
        "netinet6/in6_var.h",
        "netinet6/nd6.h",
    ];

    /// `IN6_IFF_TENTATIVE`: duplicate address detection is running; the
    /// address cannot be used yet.
    pub(crate) const IN6_IFF_TENTATIVE: c_int = 0x02;
    /// `IN6_IFF_DUPLICATED`: duplicate address detection found another
    /// node with the address.
    pub(crate) const IN6_IFF_DUPLICATED: c_int = 0x04;
    /// `IN6_IFF_DETACHED`: the address's prefix is no longer advertised
    /// on the link.
    pub(crate) const IN6_IFF_DETACHED: c_int = 0x08;
    /// `IN6_IFF_DEPRECATED`: the address is deprecated; given to
    /// `SIOCAIFADDR_IN6`, the kernel sets its preferred lifetime to 0,
    /// and source address selection avoids it.
    pub(crate) const IN6_IFF_DEPRECATED: c_int = 0x10;
    /// `IN6_IFF_NODAD`: add the address without duplicate address
    /// detection.
    pub(crate) const IN6_IFF_NODAD: c_int = 0x20;
    /// `ND6_INFINITE_LIFETIME`: a lifetime that never ends.
    pub(crate) const ND6_INFINITE_LIFETIME: u32 = 0xffff_ffff;
    /// `SIOCDIFADDR_IN6`: remove an IPv6 address
    /// (`_IOW('i', 25, struct in6_ifreq)`).
    pub(crate) const SIOCDIFADDR_IN6: c_ulong =
        _IOW(b'i', 25, size_of::<in6_ifreq>());
    /// `SIOCAIFADDR_IN6`: add (or change) an IPv6 address
    /// (`_IOW('i', 27, struct in6_aliasreq)`).
    pub(crate) const SIOCAIFADDR_IN6: c_ulong =
        _IOW(b'i', 27, size_of::<in6_aliasreq>());
    /// `SIOCGIFAFLAG_IN6`: an IPv6 address's `IN6_IFF_*` flags
    /// (`_IOWR('i', 73, struct in6_ifreq)`).
    pub(crate) const SIOCGIFAFLAG_IN6: c_ulong =
        _IOWR(b'i', 73, size_of::<in6_ifreq>());
}

abi_struct! {
    headers: [
        "sys/types.h",
        "sys/socket.h",
        "net/if.h",
        "netinet/in.h",
        "netinet6/in6_var.h",
    ];

    /// `struct in6_addr`: an IPv6 address, network byte order.
    pub(crate) struct in6_addr {
        /// The bytes (`s6_addr`), as a union with 16- and 32-bit words.
        pub(crate) __u6_addr: in6_addr_u6,
    }

    /// `__u6_addr`, the anonymous union of `struct in6_addr`; its 32-bit
    /// member makes the address 4-aligned.
    #[c_type = "__typeof__(((struct in6_addr *)0)->__u6_addr)"]
    pub(crate) union in6_addr_u6 {
        /// `s6_addr`.
        pub(crate) __u6_addr8: [u8; 16],
        /// 16-bit words.
        pub(crate) __u6_addr16: [u16; 8],
        /// 32-bit words.
        pub(crate) __u6_addr32: [u32; 4],
    }

    /// `struct sockaddr_in6`: an IPv6 socket address. Netmasks in routing
    /// messages may be cut short (`sin6_len` says how much is there).
    #[libc = sockaddr_in6]
    pub(crate) struct sockaddr_in6 {
        /// The length: 28.
        pub(crate) sin6_len: u8,
        /// `AF_INET6` (netmasks: anything).
        pub(crate) sin6_family: u8,
        /// The port, network byte order.
        pub(crate) sin6_port: u16,
        /// Flow information.
        pub(crate) sin6_flowinfo: u32,
        /// The address. Inside the kernel (and, from older kernels, in
        /// routing messages) a link-local address carries its zone in
        /// bytes 2 and 3 ("KAME scope embedding").
        pub(crate) sin6_addr: in6_addr,
        /// The zone (interface index) of a scoped address.
        pub(crate) sin6_scope_id: u32,
    }

    /// `struct in6_addrlifetime`: an address's lifetimes.
    pub(crate) struct in6_addrlifetime {
        /// When the address becomes invalid (`time_t`; kernel to user).
        pub(crate) ia6t_expire: i64,
        /// When it becomes deprecated (`time_t`; kernel to user).
        pub(crate) ia6t_preferred: i64,
        /// Valid lifetime, seconds (user to kernel).
        pub(crate) ia6t_vltime: u32,
        /// Preferred lifetime, seconds (user to kernel).
        pub(crate) ia6t_pltime: u32,
    }

    /// `struct in6_aliasreq`: `SIOCAIFADDR_IN6`, an IPv6 address to add.
    pub(crate) struct in6_aliasreq {
        /// The interface's name.
        pub(crate) ifra_name: [u8; IFNAMSIZ],
        /// The address.
        pub(crate) ifra_addr: sockaddr_in6,
        /// The point-to-point destination (unused here).
        pub(crate) ifra_dstaddr: sockaddr_in6,
        /// The prefix as a mask.
        pub(crate) ifra_prefixmask: sockaddr_in6,
        /// `IN6_IFF_*`.
        pub(crate) ifra_flags: c_int,
        /// Lifetimes.
        pub(crate) ifra_lifetime: in6_addrlifetime,
        /// CARP vhid, 0 for none.
        pub(crate) ifra_vhid: c_int,
    }

    /// `struct in6_ifreq`: the argument of the other IPv6 address
    /// ioctls.
    pub(crate) struct in6_ifreq {
        /// The interface's name.
        pub(crate) ifr_name: [u8; IFNAMSIZ],
        /// The request's value.
        pub(crate) ifr_ifru: in6_ifreq_ifru,
    }

    /// `ifr_ifru`, the anonymous union of `struct in6_ifreq`: the
    /// members we use, and its largest (which sets the size that goes
    /// into the ioctl numbers).
    #[c_type = "__typeof__(((struct in6_ifreq *)0)->ifr_ifru)"]
    pub(crate) union in6_ifreq_ifru {
        /// `ifr_addr`: the address.
        pub(crate) ifru_addr: sockaddr_in6,
        /// `ifr_ifru.ifru_flags6`: `IN6_IFF_*`.
        pub(crate) ifru_flags6: c_int,
        /// A pointer to a request-specific structure.
        pub(crate) ifru_data: *mut c_void,
        /// Stands in for `struct icmp6_ifstat` (34 `uint64_t` counters),
        /// the largest member.
        pub(crate) ifru_icmp6stat: [u64; 34],
    }
}
