//! `net/route.h` and the routing sysctls (`sys/sysctl.h`,
//! `sys/socket.h`): message types, address bits, route flags, the
//! route message header.
//!
//! Never together with `netlink/netlink_route.h`, which redefines
//! `RTM_NEWADDR` and friends to the netlink numbers (see the rules in
//! `abi/mod.rs`).

use std::ffi::c_int;

abi_consts! {
    headers: ["sys/types.h", "sys/socket.h", "sys/sysctl.h", "net/route.h"];

    /// `RTM_VERSION`: the only message version we read.
    pub(crate) const RTM_VERSION: u8 = 5 => libc::RTM_VERSION;
    /// `RTM_ADD`: a route was added (`rt_msghdr`).
    pub(crate) const RTM_ADD: u8 = 0x1 => libc::RTM_ADD;
    /// `RTM_DELETE`: a route was deleted (`rt_msghdr`).
    pub(crate) const RTM_DELETE: u8 = 0x2 => libc::RTM_DELETE;
    /// `RTM_CHANGE`: a route changed (`rt_msghdr`).
    pub(crate) const RTM_CHANGE: u8 = 0x3 => libc::RTM_CHANGE;
    /// `RTM_GET`: a route (the answer to a query; `NET_RT_DUMP` entries).
    pub(crate) const RTM_GET: u8 = 0x4 => libc::RTM_GET;
    /// `RTM_NEWADDR`: an address was added (`ifa_msghdr`).
    pub(crate) const RTM_NEWADDR: u8 = 0xc => libc::RTM_NEWADDR;
    /// `RTM_DELADDR`: an address was removed (`ifa_msghdr`).
    pub(crate) const RTM_DELADDR: u8 = 0xd => libc::RTM_DELADDR;
    /// `RTM_IFINFO`: an interface's flags or link state changed
    /// (`if_msghdr`).
    pub(crate) const RTM_IFINFO: u8 = 0xe => libc::RTM_IFINFO;
    /// `RTM_IFANNOUNCE`: an interface arrived or departed
    /// (`if_announcemsghdr`).
    pub(crate) const RTM_IFANNOUNCE: u8 = 0x11 => libc::RTM_IFANNOUNCE;
    /// `RTA_DST`: a destination address follows.
    pub(crate) const RTA_DST: c_int = 0x1 => libc::RTA_DST;
    /// `RTA_GATEWAY`: a gateway address follows.
    pub(crate) const RTA_GATEWAY: c_int = 0x2 => libc::RTA_GATEWAY;
    /// `RTA_NETMASK`: a netmask follows.
    pub(crate) const RTA_NETMASK: c_int = 0x4 => libc::RTA_NETMASK;
    /// `RTA_GENMASK`: a cloning mask follows.
    pub(crate) const RTA_GENMASK: c_int = 0x8 => libc::RTA_GENMASK;
    /// `RTA_IFP`: the interface's link-level address (`sockaddr_dl`).
    pub(crate) const RTA_IFP: c_int = 0x10 => libc::RTA_IFP;
    /// `RTA_IFA`: the interface address follows.
    pub(crate) const RTA_IFA: c_int = 0x20 => libc::RTA_IFA;
    /// `RTA_AUTHOR`: the author of a redirect follows.
    pub(crate) const RTA_AUTHOR: c_int = 0x40 => libc::RTA_AUTHOR;
    /// `RTA_BRD`: the broadcast or point-to-point destination follows.
    pub(crate) const RTA_BRD: c_int = 0x80 => libc::RTA_BRD;
    /// `RTAX_DST`: the slot of `RTA_DST` (bit `1 << RTAX_DST`).
    pub(crate) const RTAX_DST: usize = 0 => libc::RTAX_DST;
    /// `RTAX_GATEWAY`: the slot of `RTA_GATEWAY`.
    pub(crate) const RTAX_GATEWAY: usize = 1 => libc::RTAX_GATEWAY;
    /// `RTAX_NETMASK`: the slot of `RTA_NETMASK`.
    pub(crate) const RTAX_NETMASK: usize = 2 => libc::RTAX_NETMASK;
    /// `RTAX_GENMASK`: the slot of `RTA_GENMASK`.
    pub(crate) const RTAX_GENMASK: usize = 3 => libc::RTAX_GENMASK;
    /// `RTAX_IFP`: the slot of `RTA_IFP`.
    pub(crate) const RTAX_IFP: usize = 4 => libc::RTAX_IFP;
    /// `RTAX_IFA`: the slot of `RTA_IFA`.
    pub(crate) const RTAX_IFA: usize = 5 => libc::RTAX_IFA;
    /// `RTAX_AUTHOR`: the slot of `RTA_AUTHOR`.
    pub(crate) const RTAX_AUTHOR: usize = 6 => libc::RTAX_AUTHOR;
    /// `RTAX_BRD`: the slot of `RTA_BRD`.
    pub(crate) const RTAX_BRD: usize = 7 => libc::RTAX_BRD;
    /// `RTAX_MAX`: how many `RTA_*` bits (and address slots) there are.
    pub(crate) const RTAX_MAX: usize = 8 => libc::RTAX_MAX;
    /// `RTF_UP`: the route is usable.
    pub(crate) const RTF_UP: c_int = 0x1 => libc::RTF_UP;
    /// `RTF_GATEWAY`: the destination is reached through a gateway.
    pub(crate) const RTF_GATEWAY: c_int = 0x2 => libc::RTF_GATEWAY;
    /// `RTF_HOST`: a host route (no netmask).
    pub(crate) const RTF_HOST: c_int = 0x4 => libc::RTF_HOST;
    /// `RTF_REJECT`: packets are refused (unreachable).
    pub(crate) const RTF_REJECT: c_int = 0x8 => libc::RTF_REJECT;
    /// `RTF_BLACKHOLE`: packets are dropped.
    pub(crate) const RTF_BLACKHOLE: c_int = 0x1000 => libc::RTF_BLACKHOLE;
    /// `sizeof(long)`: `SA_SIZE` rounds addresses up to multiples of it,
    /// with a minimum of one.
    #[c = "sizeof(long)"]
    pub(crate) const SA_ALIGN: usize = 8;
    /// `CTL_NET`: the sysctl tree `net`.
    pub(crate) const CTL_NET: c_int = 4 => libc::CTL_NET;
    /// `NET_RT_DUMP`: the routing table, as `RTM_GET` messages.
    pub(crate) const NET_RT_DUMP: c_int = 1 => libc::NET_RT_DUMP;
    /// `NET_RT_IFLISTL`: the interfaces and their addresses, as
    /// `if_msghdrl` and `ifa_msghdrl` messages.
    pub(crate) const NET_RT_IFLISTL: c_int = 5 => libc::NET_RT_IFLISTL;
}

abi_struct! {
    headers: ["sys/types.h", "sys/socket.h", "net/route.h"];

    /// `struct rt_metrics`: a route's metrics (`u_long`s).
    pub(crate) struct rt_metrics {
        pub(crate) rmx_locks: u64,
        pub(crate) rmx_mtu: u64,
        pub(crate) rmx_hopcount: u64,
        pub(crate) rmx_expire: u64,
        pub(crate) rmx_recvpipe: u64,
        pub(crate) rmx_sendpipe: u64,
        pub(crate) rmx_ssthresh: u64,
        pub(crate) rmx_rtt: u64,
        pub(crate) rmx_rttvar: u64,
        pub(crate) rmx_pksent: u64,
        pub(crate) rmx_weight: u64,
        pub(crate) rmx_nhidx: u64,
        pub(crate) rmx_filler: [u64; 2],
    }

    /// `struct rt_msghdr`: `RTM_ADD`, `RTM_DELETE`, `RTM_CHANGE`,
    /// `RTM_GET` (and `NET_RT_DUMP` entries); the addresses follow.
    pub(crate) struct rt_msghdr {
        /// The whole message's length.
        pub(crate) rtm_msglen: u16,
        /// `RTM_VERSION`.
        pub(crate) rtm_version: u8,
        /// `RTM_*`.
        pub(crate) rtm_type: u8,
        /// The outgoing interface's index.
        pub(crate) rtm_index: u16,
        pub(crate) _rtm_spare1: u16,
        /// `RTF_*`.
        pub(crate) rtm_flags: c_int,
        /// `RTA_*`: the addresses that follow.
        pub(crate) rtm_addrs: c_int,
        /// The sender's pid.
        pub(crate) rtm_pid: i32,
        /// The sender's sequence number.
        pub(crate) rtm_seq: c_int,
        /// Why a request failed.
        pub(crate) rtm_errno: c_int,
        /// The flags an `RTM_CHANGE` changes.
        pub(crate) rtm_fmask: c_int,
        /// The metrics being set.
        pub(crate) rtm_inits: u64,
        /// The metrics.
        pub(crate) rtm_rmx: rt_metrics,
    }
}
