//! `RTM_NEWADDR` / `RTM_DELADDR`: an address on an interface.
//!
//! ```text
//! struct ifaddrmsg {        // linux/if_addr.h, 8 bytes
//!     u8  ifa_family;       //  0  AF_INET, AF_INET6 (others: MCTP, ...)
//!     u8  ifa_prefixlen;    //  1
//!     u8  ifa_flags;        //  2  IFA_F_*, low 8 bits only
//!     u8  ifa_scope;        //  3  RT_SCOPE_*
//!     u32 ifa_index;        //  4
//! };                        // then IFA_* attributes
//! ```
//!
//! Which attribute holds our address: the kernel puts the interface's
//! own address in `IFA_LOCAL` and the *peer* in `IFA_ADDRESS` when the
//! two differ, that is on point-to-point links, for IPv4 and IPv6 alike
//! (`inet_fill_ifaddr`, `inet6_fill_ifaddr`). Otherwise IPv4 sends both
//! with the same value and IPv6 only `IFA_ADDRESS`. So the local address
//! is `IFA_LOCAL` if present, else `IFA_ADDRESS`.

use std::net::IpAddr;

use mpath_core::addr::IpPrefix;

use super::attr::attrs;
use super::{split_fixed, NetlinkError};
use crate::linux::netlink::abi::{
    AF_INET, AF_INET6, IFADDRMSG_LEN, IFA_ADDRESS, IFA_FLAGS, IFA_F_DADFAILED,
    IFA_F_NOPREFIXROUTE, IFA_F_TENTATIVE, IFA_LOCAL,
};

/// An IPv4 or IPv6 address as `RTM_NEWADDR` or `RTM_DELADDR` describes
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrMsg {
    /// The interface's index.
    pub index: u32,
    /// The local address and its prefix length.
    pub prefix: IpPrefix,
    /// `IFA_F_*` flags.
    pub flags: AddrFlags,
}

/// An address's `IFA_F_*` flags: all 32 bits from `IFA_FLAGS` where the
/// kernel sends it (Linux 3.14 and later), else the 8 of `ifa_flags`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AddrFlags(pub u32);

impl AddrFlags {
    /// `IFA_F_TENTATIVE`: IPv6 duplicate address detection is still
    /// running; the address cannot be used as a source yet.
    pub fn tentative(self) -> bool {
        self.0 & IFA_F_TENTATIVE != 0
    }

    /// `IFA_F_DADFAILED`: another node has the address; it stays
    /// tentative for good.
    pub fn dad_failed(self) -> bool {
        self.0 & IFA_F_DADFAILED != 0
    }

    /// `IFA_F_NOPREFIXROUTE`: no route for the address's subnet was
    /// installed (mpathd's test addresses).
    pub fn no_prefix_route(self) -> bool {
        self.0 & IFA_F_NOPREFIXROUTE != 0
    }
}

impl AddrMsg {
    /// Parses the payload of an `RTM_NEWADDR` or `RTM_DELADDR` (`kind`,
    /// for errors). `Ok(None)` for a family other than IPv4 and IPv6: an
    /// `AF_UNSPEC` dump includes every family that has addresses (MCTP,
    /// Phonet), and mpathd has no use for them.
    ///
    /// # Errors
    ///
    /// A short `ifaddrmsg`, interface index 0, a prefix length too long
    /// for the family, a malformed attribute list, an address of the
    /// wrong length or no address at all. An `IFA_FLAGS` of the wrong
    /// length is ignored in favour of `ifa_flags`.
    pub fn parse(
        kind: u16,
        payload: &[u8],
    ) -> Result<Option<AddrMsg>, NetlinkError> {
        let (h, rest) = split_fixed::<IFADDRMSG_LEN>(kind, payload)?;
        let [family, prefix_len, flags8, _scope] = [h[0], h[1], h[2], h[3]];
        let index = u32::from_ne_bytes([h[4], h[5], h[6], h[7]]);
        if family != AF_INET && family != AF_INET6 {
            return Ok(None);
        }
        if index == 0 {
            return Err(NetlinkError::BadIndex { index: 0 });
        }
        let (mut address, mut local, mut flags) =
            (None, None, u32::from(flags8));
        for attr in attrs(rest) {
            let attr = attr?;
            match attr.kind {
                IFA_ADDRESS => address = attr.ip(family)?,
                IFA_LOCAL => local = attr.ip(family)?,
                IFA_FLAGS => flags = attr.u32().unwrap_or(flags),
                _ => {}
            }
        }
        let addr: IpAddr = local
            .or(address)
            .ok_or(NetlinkError::MissingAttribute { kind: IFA_ADDRESS })?;
        let prefix = IpPrefix::new(addr, prefix_len)
            .map_err(|_| NetlinkError::BadPrefixLen { len: prefix_len })?;
        Ok(Some(AddrMsg {
            index,
            prefix,
            flags: AddrFlags(flags),
        }))
    }
}

/// An `ifaddrmsg` for requests.
pub(crate) fn ifaddrmsg(
    family: u8,
    prefix_len: u8,
    index: u32,
) -> [u8; IFADDRMSG_LEN] {
    let i = index.to_ne_bytes();
    // Flags go in IFA_FLAGS; scope 0 is RT_SCOPE_UNIVERSE (IPv6 derives
    // the scope from the address itself).
    [family, prefix_len, 0, 0, i[0], i[1], i[2], i[3]]
}
