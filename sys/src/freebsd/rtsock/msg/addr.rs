//! `RTM_NEWADDR` / `RTM_DELADDR`: an address on an interface.
//!
//! ```text
//! struct ifa_msghdr {          // net/if.h, 20 bytes
//!     u_short ifam_msglen;     //   0
//!     u_char  ifam_version;    //   2  RTM_VERSION
//!     u_char  ifam_type;       //   3  RTM_NEWADDR, RTM_DELADDR
//!     int     ifam_addrs;      //   4  RTA_*
//!     int     ifam_flags;      //   8  IFA_*
//!     u_short ifam_index;      //  12
//!     u_short _ifam_spare1;    //  14
//!     int     ifam_metric;     //  16
//! };                           // then the addresses (not 8-aligned)
//!
//! struct ifa_msghdrl {         // NET_RT_IFLISTL, 176 bytes on amd64
//!     ...                      //   0..16 as above
//!     u_short ifam_len;        //  16  this header's length
//!     u_short ifam_data_off;   //  18
//!     int     ifam_metric;     //  20
//!     struct if_data ifam_data;//  24
//! };                           // then the addresses, from ifam_len
//! ```
//!
//! The addresses: `RTA_IFA` the address, `RTA_NETMASK` its mask (none:
//! a host address), `RTA_BRD` the broadcast or point-to-point
//! destination, `RTA_IFP` (notifications) the interface's link-level
//! address.

use std::mem::{offset_of, size_of};

use mpath_core::addr::IpPrefix;

use super::sockaddr::{self, Addrs};
use super::{Fixed, RtsockError};
use crate::freebsd::abi::net_if::{ifa_msghdr, ifa_msghdrl};
use crate::freebsd::abi::route::{RTAX_IFA, RTAX_NETMASK};
use crate::freebsd::abi::socket::{AF_INET, AF_INET6};

/// An IPv4 or IPv6 address as `RTM_NEWADDR` or `RTM_DELADDR` describes
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrMsg {
    /// The interface's index.
    pub index: u32,
    /// The address and its prefix length (from the netmask; a host
    /// prefix without one).
    pub prefix: IpPrefix,
    /// `ifam_flags`: the address's `IFA_*` flags (not IPv6's
    /// `IN6_IFF_*`, which only an ioctl returns).
    pub flags: i32,
}

impl AddrMsg {
    /// An `ifa_msghdr` (routing socket).
    pub(super) fn parse(m: Fixed<'_>) -> Result<Option<AddrMsg>, RtsockError> {
        m.need(size_of::<ifa_msghdr>())?;
        AddrMsg::parse_with(
            m,
            m.i32(offset_of!(ifa_msghdr, ifam_addrs))?,
            m.i32(offset_of!(ifa_msghdr, ifam_flags))?,
            m.u16(offset_of!(ifa_msghdr, ifam_index))?,
            m.from(size_of::<ifa_msghdr>())?,
        )
    }

    /// An `ifa_msghdrl` (`NET_RT_IFLISTL`): the addresses at `ifam_len`.
    pub(super) fn parse_long(
        m: Fixed<'_>,
    ) -> Result<Option<AddrMsg>, RtsockError> {
        let len = m.u16(offset_of!(ifa_msghdrl, ifam_len))?;
        let header = usize::from(len);
        if header < size_of::<ifa_msghdrl>() {
            return Err(RtsockError::BadHeaderLength { kind: m.kind, len });
        }
        AddrMsg::parse_with(
            m,
            m.i32(offset_of!(ifa_msghdrl, ifam_addrs))?,
            m.i32(offset_of!(ifa_msghdrl, ifam_flags))?,
            m.u16(offset_of!(ifa_msghdrl, ifam_index))?,
            m.from(header)?,
        )
    }

    /// `Ok(None)` for a family other than IPv4 and IPv6 and for a mask
    /// that is not a prefix.
    fn parse_with(
        m: Fixed<'_>,
        bits: i32,
        flags: i32,
        index: u16,
        addr_bytes: &[u8],
    ) -> Result<Option<AddrMsg>, RtsockError> {
        let kind = m.kind;
        if index == 0 {
            return Err(RtsockError::BadIndex { kind });
        }
        let addrs = Addrs::parse(kind, bits, addr_bytes)?;
        let bad = RtsockError::BadAddress {
            kind,
            slot: RTAX_IFA,
        };
        let sa = addrs.get(RTAX_IFA).ok_or(bad)?;
        let Some(addr) = sockaddr::ip(kind, RTAX_IFA, sa)? else {
            return Ok(None);
        };
        let family = if addr.is_ipv4() { AF_INET } else { AF_INET6 };
        let prefix = match addrs.get(RTAX_NETMASK) {
            None => Some(IpPrefix::host(addr)),
            Some(mask) => sockaddr::prefix_len(family, mask)
                .and_then(|len| IpPrefix::new(addr, len).ok()),
        };
        Ok(prefix.map(|prefix| AddrMsg {
            index: u32::from(index),
            prefix,
            flags,
        }))
    }
}
