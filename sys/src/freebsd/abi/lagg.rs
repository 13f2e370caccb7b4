//! `net/if_lagg.h`: lagg(4)'s ioctls and their arguments, protocols and
//! port flags; and the other numbers laggd's FreeBSD backend needs that
//! no other module declares: the interface flag and hardware address
//! ioctls (`sys/sockio.h`), BPF's promiscuous mode (`net/bpf.h`), and the
//! frame layouts the port-probe filter reads (an ARP message's target
//! hardware address, the IPv6 header, the neighbour advertisement type).
//!
//! Layouts per `shared/research/freebsd-lagg.md` §1.4: `lagg_reqport` 72
//! bytes, `lagg_reqall` 80, `lagg_reqopts` 40, `lacp_opreq` 32; the
//! numbers per §1.2. The header check proves both.

use std::ffi::{c_int, c_uint, c_ulong};
use std::mem::size_of;

use super::ioccom::{_IO, _IOW, _IOWR};
use super::net_if::{ifreq, IFNAMSIZ};

abi_consts! {
    headers: [
        "sys/types.h",
        "sys/ioccom.h",
        "sys/socket.h",
        "sys/sockio.h",
        "sys/time.h",
        "net/if.h",
        "net/ethernet.h",
        "net/if_lagg.h",
        "net/bpf.h",
        "net/if_arp.h",
        "netinet/in.h",
        "netinet/ip6.h",
        "netinet/icmp6.h",
        "netinet/if_ether.h",
    ];

    /// `LAGG_MAX_PORTS`: the most ports a lagg can have, and so the
    /// records a `SIOCGLAGG` buffer needs room for.
    pub(crate) const LAGG_MAX_PORTS: usize = 32;

    /// `LAGG_PROTO_NONE`: no protocol; the lagg drops all traffic.
    pub(crate) const LAGG_PROTO_NONE: c_uint = 0;
    /// `LAGG_PROTO_ROUNDROBIN`.
    pub(crate) const LAGG_PROTO_ROUNDROBIN: c_uint = 1;
    /// `LAGG_PROTO_FAILOVER`: the default; traffic on the master while it
    /// is usable, else on another port.
    pub(crate) const LAGG_PROTO_FAILOVER: c_uint = 2;
    /// `LAGG_PROTO_LOADBALANCE`.
    pub(crate) const LAGG_PROTO_LOADBALANCE: c_uint = 3;
    /// `LAGG_PROTO_LACP`: IEEE 802.3ad.
    pub(crate) const LAGG_PROTO_LACP: c_uint = 4;
    /// `LAGG_PROTO_BROADCAST`.
    pub(crate) const LAGG_PROTO_BROADCAST: c_uint = 5;

    /// `LAGG_PORT_MASTER`: the lagg's primary port (`sc_primary`): in
    /// failover mode the port added first.
    pub(crate) const LAGG_PORT_MASTER: u32 = 0x1;
    /// `LAGG_PORT_STACK`: a lagg as a port of a lagg.
    pub(crate) const LAGG_PORT_STACK: u32 = 0x2;
    /// `LAGG_PORT_ACTIVE`: the port carries traffic (failover: the one
    /// port in use; LACP: in the active aggregator).
    pub(crate) const LAGG_PORT_ACTIVE: u32 = 0x4;
    /// `LAGG_PORT_COLLECTING`: LACP receives on the port.
    pub(crate) const LAGG_PORT_COLLECTING: u32 = 0x8;
    /// `LAGG_PORT_DISTRIBUTING`: LACP sends on the port.
    pub(crate) const LAGG_PORT_DISTRIBUTING: u32 = 0x10;

    /// `SIOCGLAGGPORT`: one port's record, asked of the lagg or of the
    /// port itself (`_IOWR('i', 140, struct lagg_reqport)`).
    pub(crate) const SIOCGLAGGPORT: c_ulong =
        _IOWR(b'i', 140, size_of::<lagg_reqport>());
    /// `SIOCSLAGGPORT`: add a port (`_IOW('i', 141, struct lagg_reqport)`).
    pub(crate) const SIOCSLAGGPORT: c_ulong =
        _IOW(b'i', 141, size_of::<lagg_reqport>());
    /// `SIOCSLAGGDELPORT`: remove a port
    /// (`_IOW('i', 142, struct lagg_reqport)`).
    pub(crate) const SIOCSLAGGDELPORT: c_ulong =
        _IOW(b'i', 142, size_of::<lagg_reqport>());
    /// `SIOCGLAGG`: the protocol and every port's record
    /// (`_IOWR('i', 143, struct lagg_reqall)`).
    pub(crate) const SIOCGLAGG: c_ulong =
        _IOWR(b'i', 143, size_of::<lagg_reqall>());
    /// `SIOCGLAGGOPTS`: options and statistics
    /// (`_IOWR('i', 152, struct lagg_reqopts)`; the same number as
    /// `SIOCGLANPCP`, told apart by the size).
    pub(crate) const SIOCGLAGGOPTS: c_ulong =
        _IOWR(b'i', 152, size_of::<lagg_reqopts>());

    /// `SIOCGIFFLAGS`: an interface's flags, the low 16 bits in
    /// `ifr_flags`, the high in `ifr_flagshigh`
    /// (`_IOWR('i', 17, struct ifreq)`).
    pub(crate) const SIOCGIFFLAGS: c_ulong =
        _IOWR(b'i', 17, size_of::<ifreq>());
    /// `SIOCSIFFLAGS`: set them (`_IOW('i', 16, struct ifreq)`).
    pub(crate) const SIOCSIFFLAGS: c_ulong =
        _IOW(b'i', 16, size_of::<ifreq>());
    /// `SIOCGHWADDR`: an interface's hardware (burnt-in) address, which a
    /// lagg port keeps while it carries the lagg's, in `ifr_addr.sa_data`
    /// (`_IOWR('i', 62, struct ifreq)`).
    pub(crate) const SIOCGHWADDR: c_ulong =
        _IOWR(b'i', 62, size_of::<ifreq>());

    /// `BIOCPROMISC`: put the descriptor's interface in promiscuous mode
    /// while the descriptor is open (`_IO('B', 105)`).
    pub(crate) const BIOCPROMISC: c_ulong = _IO(b'B', 105) => libc::BIOCPROMISC;

    /// `ETHERTYPE_IPV6`.
    pub(crate) const ETHERTYPE_IPV6: u16 = 0x86dd;
    /// `ND_NEIGHBOR_ADVERT`: the ICMPv6 type of a neighbour
    /// advertisement.
    pub(crate) const ND_NEIGHBOR_ADVERT: u8 = 136;
    /// `IPPROTO_ICMPV6`, as the byte of the IPv6 next-header field.
    #[c = "IPPROTO_ICMPV6"]
    pub(crate) const IPPROTO_ICMPV6_NXT: u8 = 58;
    /// Where the target hardware address sits in an Ethernet/IPv4 ARP
    /// message.
    #[c = "offsetof(struct ether_arp, arp_tha)"]
    pub(crate) const ARP_THA_OFFSET: usize = 18;
    /// Where the next header sits in the IPv6 header.
    #[c = "offsetof(struct ip6_hdr, ip6_ctlun.ip6_un1.ip6_un1_nxt)"]
    pub(crate) const IP6_NXT_OFFSET: usize = 6;
    /// The IPv6 header's length.
    #[c = "sizeof(struct ip6_hdr)"]
    pub(crate) const IP6_HDR_LEN: usize = 40;
    /// Where the type sits in an ICMPv6 header.
    #[c = "offsetof(struct icmp6_hdr, icmp6_type)"]
    pub(crate) const ICMP6_TYPE_OFFSET: usize = 0;
}

abi_struct! {
    headers: [
        "sys/types.h",
        "sys/socket.h",
        "sys/sockio.h",
        "net/if.h",
        "net/ethernet.h",
        "net/if_lagg.h",
    ];

    /// `struct lacp_opreq`: an LACP port's (or the active aggregator's)
    /// actor and partner, in host byte order.
    pub(crate) struct lacp_opreq {
        pub(crate) actor_prio: u16,
        pub(crate) actor_mac: [u8; 6],
        pub(crate) actor_key: u16,
        pub(crate) actor_portprio: u16,
        pub(crate) actor_portno: u16,
        /// `LACP_STATE_*` bits.
        pub(crate) actor_state: u8,
        pub(crate) partner_prio: u16,
        pub(crate) partner_mac: [u8; 6],
        pub(crate) partner_key: u16,
        pub(crate) partner_portprio: u16,
        pub(crate) partner_portno: u16,
        pub(crate) partner_state: u8,
    }

    /// `struct lagg_reqport`: one port (72 bytes).
    pub(crate) struct lagg_reqport {
        /// The lagg's name (or, asking a port, the port's; the answer
        /// then holds its lagg's).
        pub(crate) rp_ifname: [u8; IFNAMSIZ],
        /// The port's name.
        pub(crate) rp_portname: [u8; IFNAMSIZ],
        /// Priority: in the ABI, never set by the kernel (always 0).
        pub(crate) rp_prio: u32,
        /// `LAGG_PORT_*`.
        pub(crate) rp_flags: u32,
        /// `rp_psc`, a union with one member, `rpsc_lacp`.
        pub(crate) rp_psc: lacp_opreq,
    }

    /// `struct lagg_reqall`: the lagg and its ports (80 bytes).
    pub(crate) struct lagg_reqall {
        /// The lagg's name.
        pub(crate) ra_ifname: [u8; IFNAMSIZ],
        /// `LAGG_PROTO_*`.
        pub(crate) ra_proto: c_uint,
        /// The byte length of the `ra_port` array; the kernel sets it to
        /// what it copied.
        pub(crate) ra_size: usize,
        /// The array the kernel fills with port records.
        pub(crate) ra_port: *mut lagg_reqport,
        /// How many records the kernel copied.
        pub(crate) ra_ports: c_int,
        /// `ra_psc`, a union with one member, `rpsc_lacp`: the active
        /// LACP aggregator.
        pub(crate) ra_psc: lacp_opreq,
    }

    /// `struct lagg_reqopts`: options and statistics (40 bytes).
    pub(crate) struct lagg_reqopts {
        /// The lagg's name.
        pub(crate) ro_ifname: [u8; IFNAMSIZ],
        /// `LAGG_OPT_*`.
        pub(crate) ro_opts: c_int,
        /// Not filled in by `SIOCGLAGGOPTS`.
        pub(crate) ro_count: c_uint,
        /// Usable ports: LACP's distributing ports, else those with link
        /// up and `IFF_UP`.
        pub(crate) ro_active: c_uint,
        /// Times an LACP port left distributing.
        pub(crate) ro_flapping: c_uint,
        /// The flowid shift.
        pub(crate) ro_flowid_shift: c_int,
        /// The round-robin stride.
        pub(crate) ro_bkt: u32,
    }
}
