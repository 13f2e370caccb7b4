//! The numbers of the rtnetlink ABI, typed as the fields they travel in.
//!
//! They come from the kernel's UAPI headers (`linux/netlink.h`,
//! `linux/rtnetlink.h`, `linux/if_link.h`, `linux/if_addr.h`,
//! `linux/if.h`). `libc` has most of them, but with whatever C type the
//! header gave them (`c_int`, `c_ushort`, `u16`, `u32` for neighbours of
//! one enum) and without a few we need (`IFA_FLAGS`,
//! `IFA_F_NOPREFIXROUTE`); a test checks ours against libc's wherever libc
//! has one. They are part of the stable kernel ABI and never change.

// linux/netlink.h: struct nlmsghdr { u32 len; u16 type; u16 flags;
// u32 seq; u32 pid; }, each message starting on a 4-byte boundary.

/// `sizeof(struct nlmsghdr)`.
pub(crate) const NLMSG_HDRLEN: usize = 16;
/// `NLMSG_ALIGNTO`: messages start on multiples of this.
pub(crate) const NLMSG_ALIGNTO: usize = 4;

#[cfg(test)] // Only the tests write it.
/// `NLMSG_NOOP`: nothing; skip it.
pub(crate) const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: an error or, with errno 0, an acknowledgement.
pub(crate) const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: the end of a dump.
pub(crate) const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`: data was lost.
pub(crate) const NLMSG_OVERRUN: u16 = 4;

/// `NLM_F_REQUEST`: a request to the kernel.
pub(crate) const NLM_F_REQUEST: u16 = 0x01;
#[cfg(test)] // Only the tests write it.
/// `NLM_F_MULTI`: part of a multi-part reply (a dump).
pub(crate) const NLM_F_MULTI: u16 = 0x02;
/// `NLM_F_ACK`: ask for an acknowledgement (an `NLMSG_ERROR` with 0).
pub(crate) const NLM_F_ACK: u16 = 0x04;
/// `NLM_F_DUMP_INTR`: the dump was inconsistent (the table changed while
/// it was being read).
pub(crate) const NLM_F_DUMP_INTR: u16 = 0x10;
/// `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`): return every object.
pub(crate) const NLM_F_DUMP: u16 = 0x300;
/// `NLM_F_EXCL` (for NEW requests): fail with `EEXIST` if it exists.
pub(crate) const NLM_F_EXCL: u16 = 0x200;
/// `NLM_F_CREATE` (for NEW requests): create it if it does not exist.
pub(crate) const NLM_F_CREATE: u16 = 0x400;

// linux/netlink.h: struct nlmsgerr { int error; struct nlmsghdr msg; }.

/// The bytes of `nlmsgerr.error`, all an `NLMSG_ERROR` must carry.
pub(crate) const NLMSGERR_ERRNO_LEN: usize = 4;

// linux/rtnetlink.h: struct rtattr { u16 len; u16 type; }, 4-aligned.

/// `sizeof(struct rtattr)`.
pub(crate) const RTA_HDRLEN: usize = 4;
/// `RTA_ALIGNTO`.
pub(crate) const RTA_ALIGNTO: usize = 4;
/// `NLA_TYPE_MASK`: the type without `NLA_F_NESTED` (0x8000) and
/// `NLA_F_NET_BYTEORDER` (0x4000).
pub(crate) const NLA_TYPE_MASK: u16 = 0x3fff;

// linux/rtnetlink.h: message types.

/// `RTM_NEWLINK`.
pub(crate) const RTM_NEWLINK: u16 = 16;
/// `RTM_DELLINK`.
pub(crate) const RTM_DELLINK: u16 = 17;
/// `RTM_GETLINK`.
pub(crate) const RTM_GETLINK: u16 = 18;
/// `RTM_NEWADDR`.
pub(crate) const RTM_NEWADDR: u16 = 20;
/// `RTM_DELADDR`.
pub(crate) const RTM_DELADDR: u16 = 21;
/// `RTM_GETADDR`.
pub(crate) const RTM_GETADDR: u16 = 22;
/// `RTM_NEWROUTE`.
pub(crate) const RTM_NEWROUTE: u16 = 24;
/// `RTM_DELROUTE`.
pub(crate) const RTM_DELROUTE: u16 = 25;
/// `RTM_GETROUTE`.
pub(crate) const RTM_GETROUTE: u16 = 26;

// Address families (linux/socket.h), as the u8 of the family headers.

/// `AF_UNSPEC`: every family (in dump requests).
pub(crate) const AF_UNSPEC: u8 = 0;
/// `AF_INET`.
pub(crate) const AF_INET: u8 = 2;
/// `AF_INET6`.
pub(crate) const AF_INET6: u8 = 10;

// linux/rtnetlink.h: struct ifinfomsg { u8 family; u8 pad; u16 type;
// i32 index; u32 flags; u32 change; } (16 bytes), then IFLA_*.

/// `sizeof(struct ifinfomsg)`.
pub(crate) const IFINFOMSG_LEN: usize = 16;
/// `IFLA_ADDRESS`: the hardware address.
pub(crate) const IFLA_ADDRESS: u16 = 1;
/// `IFLA_IFNAME`: the name, NUL-terminated.
pub(crate) const IFLA_IFNAME: u16 = 3;
/// `IFLA_OPERSTATE`: RFC 2863 operational state, a u8 `IF_OPER_*`.
pub(crate) const IFLA_OPERSTATE: u16 = 16;
/// `IFLA_CARRIER`: the driver's carrier, a u8 (Linux 3.4 and later).
pub(crate) const IFLA_CARRIER: u16 = 33;
/// `IF_OPER_UNKNOWN` (linux/if.h): the driver does not say.
pub(crate) const IF_OPER_UNKNOWN: u8 = 0;

// linux/if.h: interface flags, as in ifinfomsg.flags.

/// `IFF_UP`: administratively up.
pub(crate) const IFF_UP: u32 = 0x1;
/// `IFF_LOOPBACK`.
pub(crate) const IFF_LOOPBACK: u32 = 0x8;
#[cfg(test)] // Only the tests write it.
/// `IFF_RUNNING`: operationally up (RFC 2863 "up" or "unknown").
pub(crate) const IFF_RUNNING: u32 = 0x40;
/// `IFF_LOWER_UP`: the driver's carrier.
pub(crate) const IFF_LOWER_UP: u32 = 0x10000;

// linux/if_addr.h: struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags;
// u8 scope; u32 index; } (8 bytes), then IFA_*.

/// `sizeof(struct ifaddrmsg)`.
pub(crate) const IFADDRMSG_LEN: usize = 8;
/// `IFA_ADDRESS`: the address (the peer's on point-to-point links).
pub(crate) const IFA_ADDRESS: u16 = 1;
/// `IFA_LOCAL`: the local address where it differs from `IFA_ADDRESS`.
pub(crate) const IFA_LOCAL: u16 = 2;
/// `IFA_CACHEINFO`: a `struct ifa_cacheinfo { u32 ifa_prefered;
/// u32 ifa_valid; u32 cstamp; u32 tstamp; }`, lifetimes in seconds.
pub(crate) const IFA_CACHEINFO: u16 = 6;
/// `INFINITY_LIFE_TIME` (`linux/if_addr.h`'s users): a lifetime that
/// never ends.
pub(crate) const INFINITY_LIFE_TIME: u32 = 0xffff_ffff;
/// `IFA_FLAGS`: all 32 flag bits (`ifa_flags` holds only the low 8).
pub(crate) const IFA_FLAGS: u16 = 8;
/// `IFA_F_NODAD`: skip duplicate address detection.
pub(crate) const IFA_F_NODAD: u32 = 0x02;
/// `IFA_F_DADFAILED`: duplicate address detection failed.
pub(crate) const IFA_F_DADFAILED: u32 = 0x08;
/// `IFA_F_TENTATIVE`: duplicate address detection still running.
pub(crate) const IFA_F_TENTATIVE: u32 = 0x40;
/// `IFA_F_NOPREFIXROUTE`: no route for the address's subnet.
pub(crate) const IFA_F_NOPREFIXROUTE: u32 = 0x200;

// linux/rtnetlink.h: struct rtmsg { u8 family; u8 dst_len; u8 src_len;
// u8 tos; u8 table; u8 protocol; u8 scope; u8 type; u32 flags; }
// (12 bytes), then RTA_*.

/// `sizeof(struct rtmsg)`.
pub(crate) const RTMSG_LEN: usize = 12;
/// `RTA_DST`: the destination (absent for a default route).
pub(crate) const RTA_DST: u16 = 1;
/// `RTA_OIF`: the outgoing interface's index, a u32.
pub(crate) const RTA_OIF: u16 = 4;
/// `RTA_GATEWAY`: the next hop.
pub(crate) const RTA_GATEWAY: u16 = 5;
/// `RTA_TABLE`: the table id as a u32 (`rtm_table` is a u8).
pub(crate) const RTA_TABLE: u16 = 15;
/// `RT_TABLE_MAIN`: the table `ip route` shows.
pub(crate) const RT_TABLE_MAIN: u32 = 254;
/// `RTN_UNICAST`: a gateway or direct route.
pub(crate) const RTN_UNICAST: u8 = 1;

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use super::*;

    /// Compares one of ours with libc's, whatever libc's integer type.
    macro_rules! same {
        ($($ours:ident = $theirs:expr;)*) => {$(
            assert_eq!(
                i64::from($ours),
                i64::from($theirs),
                stringify!($ours)
            );
        )*};
    }

    #[test]
    fn constants_match_libc() {
        same! {
            NLMSG_NOOP = libc::NLMSG_NOOP;
            NLMSG_ERROR = libc::NLMSG_ERROR;
            NLMSG_DONE = libc::NLMSG_DONE;
            NLMSG_OVERRUN = libc::NLMSG_OVERRUN;
            NLM_F_REQUEST = libc::NLM_F_REQUEST;
            NLM_F_MULTI = libc::NLM_F_MULTI;
            NLM_F_ACK = libc::NLM_F_ACK;
            NLM_F_DUMP_INTR = libc::NLM_F_DUMP_INTR;
            NLM_F_DUMP = libc::NLM_F_DUMP;
            NLM_F_EXCL = libc::NLM_F_EXCL;
            NLM_F_CREATE = libc::NLM_F_CREATE;
            RTM_NEWLINK = libc::RTM_NEWLINK;
            RTM_DELLINK = libc::RTM_DELLINK;
            RTM_GETLINK = libc::RTM_GETLINK;
            RTM_NEWADDR = libc::RTM_NEWADDR;
            RTM_DELADDR = libc::RTM_DELADDR;
            RTM_GETADDR = libc::RTM_GETADDR;
            RTM_NEWROUTE = libc::RTM_NEWROUTE;
            RTM_DELROUTE = libc::RTM_DELROUTE;
            RTM_GETROUTE = libc::RTM_GETROUTE;
            AF_UNSPEC = libc::AF_UNSPEC;
            AF_INET = libc::AF_INET;
            AF_INET6 = libc::AF_INET6;
            IFLA_ADDRESS = libc::IFLA_ADDRESS;
            IFLA_IFNAME = libc::IFLA_IFNAME;
            IFLA_OPERSTATE = libc::IFLA_OPERSTATE;
            IFLA_CARRIER = libc::IFLA_CARRIER;
            IF_OPER_UNKNOWN = libc::IF_OPER_UNKNOWN;
            IFF_UP = libc::IFF_UP;
            IFF_LOOPBACK = libc::IFF_LOOPBACK;
            IFF_RUNNING = libc::IFF_RUNNING;
            IFF_LOWER_UP = libc::IFF_LOWER_UP;
            IFA_ADDRESS = libc::IFA_ADDRESS;
            IFA_LOCAL = libc::IFA_LOCAL;
            IFA_CACHEINFO = libc::IFA_CACHEINFO;
            IFA_F_NODAD = libc::IFA_F_NODAD;
            IFA_F_DADFAILED = libc::IFA_F_DADFAILED;
            IFA_F_TENTATIVE = libc::IFA_F_TENTATIVE;
            RTA_DST = libc::RTA_DST;
            RTA_OIF = libc::RTA_OIF;
            RTA_GATEWAY = libc::RTA_GATEWAY;
            RTA_TABLE = libc::RTA_TABLE;
            RT_TABLE_MAIN = libc::RT_TABLE_MAIN;
            RTN_UNICAST = libc::RTN_UNICAST;
        }
        // libc's is an int with all the high bits set.
        assert_eq!(
            i64::from(NLA_TYPE_MASK),
            i64::from(libc::NLA_TYPE_MASK) & 0xffff
        );
    }

    #[test]
    fn layouts_match_libc() {
        assert_eq!(NLMSG_HDRLEN, size_of::<libc::nlmsghdr>());
        assert_eq!(RTA_HDRLEN, size_of::<libc::rtattr>());
        assert_eq!(IFINFOMSG_LEN, size_of::<libc::ifinfomsg>());
        assert_eq!(
            NLMSGERR_ERRNO_LEN,
            size_of::<libc::nlmsgerr>() - size_of::<libc::nlmsghdr>()
        );
    }
}
