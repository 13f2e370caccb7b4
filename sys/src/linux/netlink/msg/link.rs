//! `RTM_NEWLINK` / `RTM_DELLINK`: an interface.
//!
//! ```text
//! struct ifinfomsg {        // linux/rtnetlink.h, 16 bytes
//!     u8  ifi_family;       //  0  AF_UNSPEC
//!     u8  __ifi_pad;        //  1
//!     u16 ifi_type;         //  2  ARPHRD_*
//!     i32 ifi_index;        //  4
//!     u32 ifi_flags;        //  8  IFF_*
//!     u32 ifi_change;       // 12  IFF_* bits that changed
//! };                        // then IFLA_* attributes
//! ```

use super::attr::attrs;
use super::{split_fixed, NetlinkError};
use crate::linux::netlink::abi::{
    IFF_LOOPBACK, IFF_LOWER_UP, IFF_UP, IFINFOMSG_LEN, IFLA_ADDRESS,
    IFLA_CARRIER, IFLA_IFNAME, IFLA_OPERSTATE, IF_OPER_UNKNOWN,
};

/// An interface as an `RTM_NEWLINK` or `RTM_DELLINK` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkMsg {
    /// The interface index (positive).
    pub index: u32,
    /// The name (`IFLA_IFNAME`). Linux names are bytes; invalid UTF-8 is
    /// replaced by U+FFFD rather than losing the whole interface.
    pub name: String,
    /// The hardware address (`IFLA_ADDRESS`) if it is 6 bytes long
    /// (Ethernet and the like, all zeros on `lo`); `None` for other
    /// lengths (tunnels, InfiniBand) and when absent.
    pub mac: Option<[u8; 6]>,
    /// `IFF_UP`: administratively up.
    pub admin_up: bool,
    /// The driver's carrier; see [`LinkMsg::parse`] for how it is read.
    pub carrier: Option<bool>,
    /// `IFF_LOOPBACK`.
    pub loopback: bool,
}

impl LinkMsg {
    /// Parses the payload of an `RTM_NEWLINK` or `RTM_DELLINK` (`kind`,
    /// for errors).
    ///
    /// The carrier is `IFLA_CARRIER` (the driver's
    /// `netif_carrier_ok()`) when present, as it is since Linux 3.4;
    /// otherwise `IFF_LOWER_UP`, the same bit. A driver that cannot sense
    /// the link never turns its carrier off, so both say "up" for it; the
    /// only hint that the driver does not know is RFC 2863 operstate
    /// `IF_OPER_UNKNOWN`. But `lo`, `tun` and many virtual devices report
    /// `IF_OPER_UNKNOWN` while working fine, and the carrier of a real
    /// NIC is what mpathd wants; so `None` is reserved for the old-kernel
    /// case of no `IFLA_CARRIER` and operstate unknown. This matches the
    /// getifaddrs backend, which reads `IFF_LOWER_UP` and never reports
    /// `None` on Linux.
    ///
    /// # Errors
    ///
    /// A short `ifinfomsg`, a non-positive index, a malformed attribute
    /// list or a missing `IFLA_IFNAME`. A carrier or operstate attribute
    /// with a wrong length is ignored.
    pub fn parse(kind: u16, payload: &[u8]) -> Result<LinkMsg, NetlinkError> {
        let (h, rest) = split_fixed::<IFINFOMSG_LEN>(kind, payload)?;
        let index = i32::from_ne_bytes([h[4], h[5], h[6], h[7]]);
        let flags = u32::from_ne_bytes([h[8], h[9], h[10], h[11]]);
        let index = u32::try_from(index).ok().filter(|&i| i != 0).ok_or(
            NetlinkError::BadIndex {
                index: i64::from(index),
            },
        )?;
        let (mut name, mut mac, mut carrier, mut operstate) =
            (None, None, None, None);
        for attr in attrs(rest) {
            let attr = attr?;
            match attr.kind {
                IFLA_IFNAME => name = Some(attr.string()),
                IFLA_ADDRESS => mac = attr.payload.try_into().ok(),
                IFLA_CARRIER => carrier = attr.u8().ok().map(|c| c != 0),
                IFLA_OPERSTATE => operstate = attr.u8().ok(),
                _ => {}
            }
        }
        let name =
            name.ok_or(NetlinkError::MissingAttribute { kind: IFLA_IFNAME })?;
        let carrier = match (carrier, operstate) {
            (Some(carrier), _) => Some(carrier),
            (None, Some(IF_OPER_UNKNOWN)) => None,
            (None, _) => Some(flags & IFF_LOWER_UP != 0),
        };
        Ok(LinkMsg {
            index,
            name,
            mac,
            admin_up: flags & IFF_UP != 0,
            carrier,
            loopback: flags & IFF_LOOPBACK != 0,
        })
    }
}

/// An `ifinfomsg` for requests: `family`, everything else zero.
pub(crate) fn ifinfomsg(family: u8) -> [u8; IFINFOMSG_LEN] {
    let mut h = [0; IFINFOMSG_LEN];
    h[0] = family;
    h
}
