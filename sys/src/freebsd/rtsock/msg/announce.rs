//! `RTM_IFANNOUNCE`: an interface arrived or departed.
//!
//! ```text
//! struct if_announcemsghdr {   // net/if.h, 24 bytes
//!     u_short ifan_msglen;     //   0
//!     u_char  ifan_version;    //   2  RTM_VERSION
//!     u_char  ifan_type;       //   3  RTM_IFANNOUNCE
//!     u_short ifan_index;      //   4
//!     char    ifan_name[16];   //   6  NUL-padded
//!     u_short ifan_what;       //  22  IFAN_ARRIVAL, IFAN_DEPARTURE
//! };
//! ```
//!
//! A rename arrives as a departure of the old name and an arrival of the
//! new one, with the same index.

use std::mem::{offset_of, size_of};

use super::{Fixed, RtsockError};
use crate::freebsd::abi::net_if::{
    if_announcemsghdr, IFAN_ARRIVAL, IFAN_DEPARTURE, IFNAMSIZ,
};

/// What happened to the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// `IFAN_ARRIVAL`: it appeared (attached, created, renamed to).
    Arrival,
    /// `IFAN_DEPARTURE`: it is gone (detached, destroyed, renamed from).
    Departure,
    /// Another `ifan_what`.
    Other(u16),
}

/// An interface's arrival or departure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnounceMsg {
    /// The interface's index.
    pub index: u32,
    /// Its name (lossily as UTF-8).
    pub name: String,
    /// Arrival or departure.
    pub what: What,
}

impl AnnounceMsg {
    pub(super) fn parse(m: Fixed<'_>) -> Result<AnnounceMsg, RtsockError> {
        m.need(size_of::<if_announcemsghdr>())?;
        let index = m.u16(offset_of!(if_announcemsghdr, ifan_index))?;
        if index == 0 {
            return Err(RtsockError::BadIndex { kind: m.kind });
        }
        let name: [u8; IFNAMSIZ] =
            m.bytes(offset_of!(if_announcemsghdr, ifan_name))?;
        let name = name.split(|&b| b == 0).next().unwrap_or_default();
        let what = match m.u16(offset_of!(if_announcemsghdr, ifan_what))? {
            IFAN_ARRIVAL => What::Arrival,
            IFAN_DEPARTURE => What::Departure,
            other => What::Other(other),
        };
        Ok(AnnounceMsg {
            index: u32::from(index),
            name: String::from_utf8_lossy(name).into_owned(),
            what,
        })
    }
}
