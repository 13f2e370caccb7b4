//! `net/if.h`: interface flags and link states, the interface messages
//! of the routing socket (`if_msghdr` and friends, with `if_data`), and
//! the interface ioctls' arguments (`ifreq`, `ifaliasreq`,
//! `ifgroupreq`).

use std::ffi::{c_int, c_void};

use super::inet::sockaddr_in;
use super::socket::sockaddr;

abi_consts! {
    headers: ["sys/types.h", "sys/socket.h", "net/if.h"];

    /// `IFNAMSIZ`: an interface (or group) name's buffer, NUL included.
    pub(crate) const IFNAMSIZ: usize = 16 => libc::IFNAMSIZ;
    /// `IFF_UP`: administratively up.
    pub(crate) const IFF_UP: c_int = 0x1 => libc::IFF_UP;
    /// `IFF_LOOPBACK`.
    pub(crate) const IFF_LOOPBACK: c_int = 0x8 => libc::IFF_LOOPBACK;
    /// `LINK_STATE_UNKNOWN`: the driver does not report the link.
    pub(crate) const LINK_STATE_UNKNOWN: u8 = 0 => libc::LINK_STATE_UNKNOWN;
    /// `LINK_STATE_DOWN`: no carrier.
    pub(crate) const LINK_STATE_DOWN: u8 = 1 => libc::LINK_STATE_DOWN;
    /// `LINK_STATE_UP`: carrier.
    pub(crate) const LINK_STATE_UP: u8 = 2 => libc::LINK_STATE_UP;
    /// `IFAN_ARRIVAL`: an interface appeared (`ifan_what`).
    pub(crate) const IFAN_ARRIVAL: u16 = 0 => libc::IFAN_ARRIVAL;
    /// `IFAN_DEPARTURE`: an interface is gone.
    pub(crate) const IFAN_DEPARTURE: u16 = 1 => libc::IFAN_DEPARTURE;
}

abi_struct! {
    headers: ["sys/types.h", "sys/socket.h", "net/if.h"];

    /// `struct if_data`: an interface's type, link state and counters,
    /// part of `RTM_IFINFO` messages (152 bytes, whatever the platform).
    #[libc = if_data]
    pub(crate) struct if_data {
        /// `IFT_*`.
        pub(crate) ifi_type: u8,
        /// Media variant.
        pub(crate) ifi_physical: u8,
        /// Link-level address length.
        pub(crate) ifi_addrlen: u8,
        /// Link-level header length.
        pub(crate) ifi_hdrlen: u8,
        /// `LINK_STATE_*`.
        pub(crate) ifi_link_state: u8,
        /// CARP vhid.
        pub(crate) ifi_vhid: u8,
        /// This structure's length.
        pub(crate) ifi_datalen: u16,
        /// MTU.
        pub(crate) ifi_mtu: u32,
        /// Routing metric.
        pub(crate) ifi_metric: u32,
        /// Line speed, bits per second.
        pub(crate) ifi_baudrate: u64,
        /// Packets received.
        pub(crate) ifi_ipackets: u64,
        /// Input errors.
        pub(crate) ifi_ierrors: u64,
        /// Packets sent.
        pub(crate) ifi_opackets: u64,
        /// Output errors.
        pub(crate) ifi_oerrors: u64,
        /// Collisions.
        pub(crate) ifi_collisions: u64,
        /// Bytes received.
        pub(crate) ifi_ibytes: u64,
        /// Bytes sent.
        pub(crate) ifi_obytes: u64,
        /// Multicast packets received.
        pub(crate) ifi_imcasts: u64,
        /// Multicast packets sent.
        pub(crate) ifi_omcasts: u64,
        /// Input drops.
        pub(crate) ifi_iqdrops: u64,
        /// Output drops.
        pub(crate) ifi_oqdrops: u64,
        /// Packets for unknown protocols.
        pub(crate) ifi_noproto: u64,
        /// Hardware offload capabilities.
        pub(crate) ifi_hwassist: u64,
        /// `ifi_epoch`, a union of `time_t` and `uint64_t`.
        pub(crate) __ifi_epoch: u64,
        /// `ifi_lastchange`, a union of `struct timeval` and two
        /// `uint64_t`.
        pub(crate) __ifi_lastchange: [u64; 2],
    }

    /// `struct if_msghdr`: `RTM_IFINFO` as the routing socket sends it.
    #[libc = if_msghdr]
    pub(crate) struct if_msghdr {
        /// The whole message's length.
        pub(crate) ifm_msglen: u16,
        /// `RTM_VERSION`.
        pub(crate) ifm_version: u8,
        /// `RTM_IFINFO`.
        pub(crate) ifm_type: u8,
        /// `RTA_*`: the addresses that follow.
        pub(crate) ifm_addrs: c_int,
        /// `IFF_*` (the stack's and the driver's flags together).
        pub(crate) ifm_flags: c_int,
        /// The interface's index.
        pub(crate) ifm_index: u16,
        pub(crate) _ifm_spare1: u16,
        /// Type, link state, counters.
        pub(crate) ifm_data: if_data,
    }

    /// `struct if_msghdrl`: `RTM_IFINFO` as `NET_RT_IFLISTL` returns it,
    /// with its own length and the offset of its `if_data`, so that both
    /// can grow. The addresses start at `ifm_len`.
    #[libc = if_msghdrl]
    pub(crate) struct if_msghdrl {
        /// The whole message's length.
        pub(crate) ifm_msglen: u16,
        /// `RTM_VERSION`.
        pub(crate) ifm_version: u8,
        /// `RTM_IFINFO`.
        pub(crate) ifm_type: u8,
        /// `RTA_*`: the addresses that follow.
        pub(crate) ifm_addrs: c_int,
        /// `IFF_*`.
        pub(crate) ifm_flags: c_int,
        /// The interface's index.
        pub(crate) ifm_index: u16,
        pub(crate) _ifm_spare1: u16,
        /// This header's length, `if_data` included.
        pub(crate) ifm_len: u16,
        /// Where `ifm_data` starts.
        pub(crate) ifm_data_off: u16,
        pub(crate) _ifm_spare2: c_int,
        /// Type, link state, counters.
        pub(crate) ifm_data: if_data,
    }

    /// `struct ifa_msghdr`: `RTM_NEWADDR` / `RTM_DELADDR`.
    #[libc = ifa_msghdr]
    pub(crate) struct ifa_msghdr {
        /// The whole message's length.
        pub(crate) ifam_msglen: u16,
        /// `RTM_VERSION`.
        pub(crate) ifam_version: u8,
        /// `RTM_NEWADDR` or `RTM_DELADDR`.
        pub(crate) ifam_type: u8,
        /// `RTA_*`: the addresses that follow.
        pub(crate) ifam_addrs: c_int,
        /// The address's `IFA_*` flags.
        pub(crate) ifam_flags: c_int,
        /// The interface's index.
        pub(crate) ifam_index: u16,
        pub(crate) _ifam_spare1: u16,
        /// The interface's metric.
        pub(crate) ifam_metric: c_int,
    }

    /// `struct ifa_msghdrl`: an address as `NET_RT_IFLISTL` returns it.
    /// The addresses start at `ifam_len`.
    #[libc = ifa_msghdrl]
    pub(crate) struct ifa_msghdrl {
        /// The whole message's length.
        pub(crate) ifam_msglen: u16,
        /// `RTM_VERSION`.
        pub(crate) ifam_version: u8,
        /// `RTM_NEWADDR`.
        pub(crate) ifam_type: u8,
        /// `RTA_*`: the addresses that follow.
        pub(crate) ifam_addrs: c_int,
        /// The address's `IFA_*` flags.
        pub(crate) ifam_flags: c_int,
        /// The interface's index.
        pub(crate) ifam_index: u16,
        pub(crate) _ifam_spare1: u16,
        /// This header's length, `if_data` included.
        pub(crate) ifam_len: u16,
        /// Where `ifam_data` starts.
        pub(crate) ifam_data_off: u16,
        /// The interface's metric.
        pub(crate) ifam_metric: c_int,
        /// The address's counters.
        pub(crate) ifam_data: if_data,
    }

    /// `struct if_announcemsghdr`: `RTM_IFANNOUNCE`, an interface's
    /// arrival or departure.
    #[libc = if_announcemsghdr]
    pub(crate) struct if_announcemsghdr {
        /// The whole message's length.
        pub(crate) ifan_msglen: u16,
        /// `RTM_VERSION`.
        pub(crate) ifan_version: u8,
        /// `RTM_IFANNOUNCE`.
        pub(crate) ifan_type: u8,
        /// The interface's index.
        pub(crate) ifan_index: u16,
        /// The interface's name, NUL-padded.
        pub(crate) ifan_name: [u8; IFNAMSIZ],
        /// `IFAN_*`.
        pub(crate) ifan_what: u16,
    }

    /// `struct ifreq`: the argument of most interface ioctls.
    #[libc = ifreq]
    pub(crate) struct ifreq {
        /// The interface's name, NUL-terminated.
        pub(crate) ifr_name: [u8; IFNAMSIZ],
        /// The request's value.
        pub(crate) ifr_ifru: ifreq_ifru,
    }

    /// `ifr_ifru`, the anonymous union of `struct ifreq` (the members we
    /// use, and the pointer that gives it its alignment).
    #[c_type = "__typeof__(((struct ifreq *)0)->ifr_ifru)"]
    pub(crate) union ifreq_ifru {
        /// `ifr_addr`: an address.
        pub(crate) ifru_addr: sockaddr,
        /// `ifr_flags`, `ifr_flagshigh`: the low and high 16 flag bits.
        pub(crate) ifru_flags: [i16; 2],
        /// `ifr_data`: a pointer to a request-specific structure.
        pub(crate) ifru_data: *mut c_void,
    }

    /// `struct ifaliasreq`: `SIOCAIFADDR`, an IPv4 address to add. The
    /// header declares the addresses as `struct sockaddr`; the kernel
    /// reads them as `struct in_aliasreq` (`netinet/in_var.h`), with
    /// `struct sockaddr_in` members of the same size, and so do we.
    #[libc = ifaliasreq]
    pub(crate) struct ifaliasreq {
        /// The interface's name.
        pub(crate) ifra_name: [u8; IFNAMSIZ],
        /// The address.
        pub(crate) ifra_addr: sockaddr_in,
        /// The broadcast or point-to-point destination address; all
        /// zeros lets the kernel derive the broadcast address.
        pub(crate) ifra_broadaddr: sockaddr_in,
        /// The netmask.
        pub(crate) ifra_mask: sockaddr_in,
        /// CARP vhid, 0 for none.
        pub(crate) ifra_vhid: c_int,
    }

    /// `struct ifg_req`: one group (of an interface) or one member (of a
    /// group) in the answer to `SIOCGIFGROUP` / `SIOCGIFGMEMB`.
    pub(crate) struct ifg_req {
        /// `ifgrq_group` or `ifgrq_member`.
        pub(crate) ifgrq_ifgrqu: ifg_req_ifgrqu,
    }

    /// `ifgrq_ifgrqu`, the anonymous union of `struct ifg_req`.
    #[c_type = "__typeof__(((struct ifg_req *)0)->ifgrq_ifgrqu)"]
    pub(crate) union ifg_req_ifgrqu {
        /// A group's name, NUL-terminated.
        pub(crate) ifgrqu_group: [u8; IFNAMSIZ],
        /// A member interface's name, NUL-terminated.
        pub(crate) ifgrqu_member: [u8; IFNAMSIZ],
    }

    /// `struct ifgroupreq`: the argument of the interface group ioctls.
    pub(crate) struct ifgroupreq {
        /// The interface's (or, for `SIOCGIFGMEMB`, the group's) name.
        pub(crate) ifgr_name: [u8; IFNAMSIZ],
        /// The length in bytes of the `ifg_req` array.
        pub(crate) ifgr_len: u32,
        /// A group name, or the `ifg_req` array.
        pub(crate) ifgr_ifgru: ifgroupreq_ifgru,
    }

    /// `ifgr_ifgru`, the anonymous union of `struct ifgroupreq`.
    #[c_type = "__typeof__(((struct ifgroupreq *)0)->ifgr_ifgru)"]
    pub(crate) union ifgroupreq_ifgru {
        /// `ifgr_group`: one group's name (add, delete).
        pub(crate) ifgru_group: [u8; IFNAMSIZ],
        /// `ifgr_groups`: the array the kernel fills (get).
        pub(crate) ifgru_groups: *mut ifg_req,
    }
}
