//! `RTM_NEWROUTE` / `RTM_DELROUTE`: a route.
//!
//! ```text
//! struct rtmsg {            // linux/rtnetlink.h, 12 bytes
//!     u8  rtm_family;       //  0  AF_INET, AF_INET6
//!     u8  rtm_dst_len;      //  1  prefix length of RTA_DST
//!     u8  rtm_src_len;      //  2
//!     u8  rtm_tos;          //  3
//!     u8  rtm_table;        //  4  RT_TABLE_*, or RT_TABLE_COMPAT
//!     u8  rtm_protocol;     //  5  RTPROT_*
//!     u8  rtm_scope;        //  6  RT_SCOPE_*
//!     u8  rtm_type;         //  7  RTN_*
//!     u32 rtm_flags;        //  8  RTM_F_*
//! };                        // then RTA_* attributes
//! ```
//!
//! mpathd wants the routers of the main table (in.mpathd's router
//! targets), so only `RTN_UNICAST` routes in `RT_TABLE_MAIN` are
//! returned. Table ids above 255 travel only in `RTA_TABLE` (with
//! `rtm_table` = `RT_TABLE_COMPAT`), so that attribute wins.
//!
//! Not read: multipath routes (`RTA_MULTIPATH`) and routes through
//! nexthop objects (`RTA_NH_ID`) carry their gateways elsewhere and are
//! returned without gateway and interface. in.mpathd equally took one
//! gateway per route from the routing socket.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use mpath_core::addr::IpPrefix;

use super::attr::attrs;
use super::{split_fixed, NetlinkError};
use crate::linux::netlink::abi::{
    AF_INET, AF_INET6, RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_TABLE, RTMSG_LEN,
    RTN_UNICAST, RT_TABLE_MAIN,
};

/// A main-table unicast route as `RTM_NEWROUTE` or `RTM_DELROUTE`
/// describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteMsg {
    /// The destination; `0.0.0.0/0` or `::/0` for a default route.
    pub dst: IpPrefix,
    /// The next hop (`RTA_GATEWAY`); `None` for a directly connected
    /// subnet.
    pub gateway: Option<IpAddr>,
    /// The outgoing interface's index (`RTA_OIF`).
    pub oif: Option<u32>,
}

impl RouteMsg {
    /// Parses the payload of an `RTM_NEWROUTE` or `RTM_DELROUTE` (`kind`,
    /// for errors). `Ok(None)` for a route mpathd does not track: another
    /// family, table or route type (local, broadcast, multicast,
    /// unreachable, ...).
    ///
    /// # Errors
    ///
    /// A short `rtmsg`, a malformed attribute list, an attribute we read
    /// with the wrong length, or a prefix length too long for the family.
    pub fn parse(
        kind: u16,
        payload: &[u8],
    ) -> Result<Option<RouteMsg>, NetlinkError> {
        let (h, rest) = split_fixed::<RTMSG_LEN>(kind, payload)?;
        let [family, dst_len, _src_len, _tos, table8, _proto, _scope, kind8] =
            [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]];
        let unspecified = match family {
            AF_INET => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            AF_INET6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            _ => return Ok(None),
        };
        let (mut dst, mut gateway, mut oif, mut table) =
            (None, None, None, u32::from(table8));
        for attr in attrs(rest) {
            let attr = attr?;
            match attr.kind {
                RTA_DST => dst = attr.ip(family)?,
                RTA_GATEWAY => gateway = attr.ip(family)?,
                RTA_OIF => oif = Some(attr.u32()?),
                RTA_TABLE => table = attr.u32()?,
                _ => {}
            }
        }
        if kind8 != RTN_UNICAST || table != RT_TABLE_MAIN {
            return Ok(None);
        }
        let dst = IpPrefix::new(dst.unwrap_or(unspecified), dst_len)
            .map_err(|_| NetlinkError::BadPrefixLen { len: dst_len })?;
        Ok(Some(RouteMsg { dst, gateway, oif }))
    }
}

/// An `rtmsg` for dump requests: `family`, everything else zero (every
/// table, every type).
pub(crate) fn rtmsg(family: u8) -> [u8; RTMSG_LEN] {
    let mut h = [0; RTMSG_LEN];
    h[0] = family;
    h
}
