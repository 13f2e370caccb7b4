//! `RTM_IFINFO`: an interface's flags and link state.
//!
//! ```text
//! struct if_msghdr {           // net/if.h, 168 bytes on amd64
//!     u_short ifm_msglen;      //   0
//!     u_char  ifm_version;     //   2  RTM_VERSION
//!     u_char  ifm_type;        //   3  RTM_IFINFO
//!     int     ifm_addrs;       //   4  RTA_*
//!     int     ifm_flags;       //   8  IFF_* (stack's and driver's)
//!     u_short ifm_index;       //  12
//!     u_short _ifm_spare1;     //  14
//!     struct if_data ifm_data; //  16  ifi_link_state at +4
//! };                           // then the addresses
//!
//! struct if_msghdrl {          // NET_RT_IFLISTL, 176 bytes on amd64
//!     ...                      //   0..16 as above
//!     u_short ifm_len;         //  16  this header's length
//!     u_short ifm_data_off;    //  18  where ifm_data starts
//!     int     _ifm_spare2;     //  20
//!     struct if_data ifm_data; //  24
//! };                           // then the addresses, from ifm_len
//! ```
//!
//! Notifications carry no addresses; `NET_RT_IFLISTL` entries carry
//! `RTA_IFP`, the interface's `sockaddr_dl` with its name and hardware
//! address.

use std::mem::{offset_of, size_of};

use super::sockaddr::{self, Addrs};
use super::{Fixed, RtsockError};
use crate::freebsd::abi::net_if::{
    if_data, if_msghdr, if_msghdrl, IFF_LOOPBACK, IFF_UP, LINK_STATE_DOWN,
    LINK_STATE_UP,
};
use crate::freebsd::abi::route::RTAX_IFP;

/// An interface as `RTM_IFINFO` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkMsg {
    /// The interface index (positive).
    pub index: u32,
    /// `ifm_flags`: the `IFF_*` flags, the stack's and the driver's.
    pub flags: u32,
    /// `IFF_UP`: administratively up.
    pub admin_up: bool,
    /// `IFF_LOOPBACK`.
    pub loopback: bool,
    /// `ifi_link_state`: `Some(true)` for `LINK_STATE_UP`,
    /// `Some(false)` for `LINK_STATE_DOWN`, `None` when the driver does
    /// not report the link (`LINK_STATE_UNKNOWN`). This is the carrier
    /// of lagg members too, unlike netlink's operstate.
    pub carrier: Option<bool>,
    /// The name, from the `RTA_IFP` link-level address (`NET_RT_IFLISTL`
    /// entries; notifications do not carry it).
    pub name: Option<String>,
    /// The hardware address from `RTA_IFP`, if it is 6 bytes long.
    pub mac: Option<[u8; 6]>,
}

impl LinkMsg {
    /// An `if_msghdr` (routing socket).
    pub(super) fn parse(m: Fixed<'_>) -> Result<LinkMsg, RtsockError> {
        m.need(size_of::<if_msghdr>())?;
        let data = offset_of!(if_msghdr, ifm_data);
        LinkMsg::parse_with(
            m,
            m.i32(offset_of!(if_msghdr, ifm_addrs))?,
            m.i32(offset_of!(if_msghdr, ifm_flags))?,
            m.u16(offset_of!(if_msghdr, ifm_index))?,
            m.u8(data + offset_of!(if_data, ifi_link_state))?,
            m.from(size_of::<if_msghdr>())?,
        )
    }

    /// An `if_msghdrl` (`NET_RT_IFLISTL`): `if_data` at `ifm_data_off`,
    /// the addresses at `ifm_len`, both inside the message.
    pub(super) fn parse_long(m: Fixed<'_>) -> Result<LinkMsg, RtsockError> {
        let len = m.u16(offset_of!(if_msghdrl, ifm_len))?;
        let header = usize::from(len);
        let data = usize::from(m.u16(offset_of!(if_msghdrl, ifm_data_off))?);
        let state = data + offset_of!(if_data, ifi_link_state);
        // The header is at least ours, and holds the link state byte
        // (`m.from(header)` checks that the message holds the header).
        if header < size_of::<if_msghdrl>() || state >= header {
            return Err(RtsockError::BadHeaderLength { kind: m.kind, len });
        }
        LinkMsg::parse_with(
            m,
            m.i32(offset_of!(if_msghdrl, ifm_addrs))?,
            m.i32(offset_of!(if_msghdrl, ifm_flags))?,
            m.u16(offset_of!(if_msghdrl, ifm_index))?,
            m.u8(state)?,
            m.from(header)?,
        )
    }

    fn parse_with(
        m: Fixed<'_>,
        bits: i32,
        flags: i32,
        index: u16,
        link_state: u8,
        addr_bytes: &[u8],
    ) -> Result<LinkMsg, RtsockError> {
        if index == 0 {
            return Err(RtsockError::BadIndex { kind: m.kind });
        }
        let addrs = Addrs::parse(m.kind, bits, addr_bytes)?;
        let link = match addrs.get(RTAX_IFP) {
            Some(sa) => sockaddr::link(m.kind, RTAX_IFP, sa)?,
            None => None,
        };
        let (name, mac) = match link {
            Some(link) => (Some(link.name), link.mac),
            None => (None, None),
        };
        Ok(LinkMsg {
            index: u32::from(index),
            flags: flags.cast_unsigned(),
            admin_up: flags & IFF_UP != 0,
            loopback: flags & IFF_LOOPBACK != 0,
            carrier: match link_state {
                LINK_STATE_UP => Some(true),
                LINK_STATE_DOWN => Some(false),
                _ => None,
            },
            name,
            mac,
        })
    }
}
