//! `RTM_ADD`, `RTM_DELETE`, `RTM_CHANGE`, `RTM_GET`: a route.
//!
//! ```text
//! struct rt_msghdr {           // net/route.h, 152 bytes on amd64
//!     u_short rtm_msglen;      //   0
//!     u_char  rtm_version;     //   2  RTM_VERSION
//!     u_char  rtm_type;        //   3  RTM_ADD, ...
//!     u_short rtm_index;       //   4  the outgoing interface
//!     u_short _rtm_spare1;     //   6
//!     int     rtm_flags;       //   8  RTF_*
//!     int     rtm_addrs;       //  12  RTA_*
//!     pid_t   rtm_pid;         //  16
//!     int     rtm_seq;         //  20
//!     int     rtm_errno;       //  24
//!     int     rtm_fmask;       //  28
//!     u_long  rtm_inits;       //  32
//!     struct rt_metrics rtm_rmx; // 40 (14 u_long)
//! };                           // then DST, GATEWAY, NETMASK, ...
//! ```
//!
//! mpathd wants routes through routers (in.mpathd's router targets):
//! `RTF_GATEWAY` with an IPv4 or IPv6 gateway. Directly connected routes
//! have a link-level gateway (`AF_LINK`) and are returned without one;
//! reject and blackhole routes are not returned at all. A route without
//! a netmask is a host route.

use std::mem::{offset_of, size_of};
use std::net::IpAddr;

use mpath_core::addr::IpPrefix;

use super::sockaddr::{self, Addrs};
use super::{Fixed, RtsockError};
use crate::freebsd::abi::route::{
    rt_msghdr, RTAX_DST, RTAX_GATEWAY, RTAX_NETMASK, RTF_BLACKHOLE,
    RTF_GATEWAY, RTF_REJECT,
};
use crate::freebsd::abi::socket::{AF_INET, AF_INET6};

/// What happened to the route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteOp {
    /// `RTM_ADD`.
    Add,
    /// `RTM_DELETE`.
    Delete,
    /// `RTM_CHANGE`.
    Change,
    /// `RTM_GET`: an entry of a `NET_RT_DUMP` (or the answer to a query).
    Get,
}

/// An IPv4 or IPv6 route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteMsg {
    /// The destination; `0.0.0.0/0` or `::/0` for a default route.
    pub dst: IpPrefix,
    /// The next hop, for a route through a gateway (`RTF_GATEWAY` and an
    /// address of the destination's family); `None` otherwise.
    pub gateway: Option<IpAddr>,
    /// The outgoing interface's index (0 if the message has none).
    pub index: u32,
    /// `rtm_flags`: `RTF_*`.
    pub flags: i32,
}

impl RouteMsg {
    /// `Ok(None)` for a destination that is not IPv4 or IPv6, a reject
    /// or blackhole route, and a netmask that is not a prefix.
    pub(super) fn parse(m: Fixed<'_>) -> Result<Option<RouteMsg>, RtsockError> {
        let kind = m.kind;
        m.need(size_of::<rt_msghdr>())?;
        let flags = m.i32(offset_of!(rt_msghdr, rtm_flags))?;
        let bits = m.i32(offset_of!(rt_msghdr, rtm_addrs))?;
        let index = m.u16(offset_of!(rt_msghdr, rtm_index))?;
        let addrs = Addrs::parse(kind, bits, m.from(size_of::<rt_msghdr>())?)?;
        let Some(dst) = addrs.get(RTAX_DST) else {
            return Ok(None);
        };
        let Some(dst) = sockaddr::ip(kind, RTAX_DST, dst)? else {
            return Ok(None);
        };
        if flags & (RTF_REJECT | RTF_BLACKHOLE) != 0 {
            return Ok(None);
        }
        let family = if dst.is_ipv4() { AF_INET } else { AF_INET6 };
        let len = match addrs.get(RTAX_NETMASK) {
            None => IpPrefix::host(dst).len(),
            Some(mask) => match sockaddr::prefix_len(family, mask) {
                Some(len) => len,
                None => return Ok(None),
            },
        };
        let gateway = match addrs.get(RTAX_GATEWAY) {
            Some(sa) if flags & RTF_GATEWAY != 0 => {
                sockaddr::ip(kind, RTAX_GATEWAY, sa)?
                    .filter(|gw| gw.is_ipv4() == dst.is_ipv4())
            }
            _ => None,
        };
        Ok(IpPrefix::new(dst, len).ok().map(|dst| RouteMsg {
            dst,
            gateway,
            index: u32::from(index),
            flags,
        }))
    }
}
