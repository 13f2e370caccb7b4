//! Checked views of rtnetlink messages: pure, safe parsing of the bytes
//! a netlink socket returns.
//!
//! A datagram holds one or more messages, each a 16-byte header and a
//! payload, each starting on a 4-byte boundary (`NLMSG_ALIGN`):
//!
//! ```text
//!  0       4     6     8       12      16
//! +-------+-----+-----+-------+-------+--------------------+---------+
//! |  len  | type|flags|  seq  |  pid  | payload (len - 16) | padding |
//! +-------+-----+-----+-------+-------+--------------------+---------+
//! ```
//!
//! The payload of the messages we read is a fixed family header
//! (`ifinfomsg`, `ifaddrmsg`, `rtmsg`) followed by attributes
//! ([`attr`]). Netlink is host-endian, except addresses, which are in
//! network byte order as everywhere.
//!
//! Every length is checked before it is used, and nothing here can
//! panic: a length that does not fit ends the iteration with a
//! [`NetlinkError`]. An attribute we do not know is skipped, and so is a
//! known one whose length is wrong but that we can do without (a carrier
//! byte); one we cannot do without (an address) makes the message an
//! error. The fuzz target `netlink_parse` and a proptest hold us to this.

mod addr;
pub mod attr;
mod error;
mod link;
mod request;
mod route;

use std::iter::FusedIterator;

pub(crate) use addr::ifaddrmsg;
pub use addr::{AddrFlags, AddrMsg};
pub use error::NetlinkError;
pub(crate) use link::ifinfomsg;
pub use link::LinkMsg;
pub(crate) use request::Request;
pub(crate) use route::rtmsg;
pub use route::RouteMsg;

use super::abi::{
    NLMSGERR_ERRNO_LEN, NLMSG_ALIGNTO, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN,
    NLMSG_OVERRUN, RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE, RTM_NEWADDR,
    RTM_NEWLINK, RTM_NEWROUTE,
};

/// A message header (`struct nlmsghdr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The length of the message, header included, padding excluded.
    pub len: u32,
    /// The message type (`RTM_NEWLINK`, `NLMSG_ERROR`, ...).
    pub kind: u16,
    /// `NLM_F_*` flags.
    pub flags: u16,
    /// The sequence number of the request this answers; 0 in events.
    pub seq: u32,
    /// The port id of the socket that sent the request this answers; 0
    /// in events.
    pub pid: u32,
}

impl Header {
    fn from_bytes(b: &[u8; NLMSG_HDRLEN]) -> Header {
        Header {
            len: u32::from_ne_bytes([b[0], b[1], b[2], b[3]]),
            kind: u16::from_ne_bytes([b[4], b[5]]),
            flags: u16::from_ne_bytes([b[6], b[7]]),
            seq: u32::from_ne_bytes([b[8], b[9], b[10], b[11]]),
            pid: u32::from_ne_bytes([b[12], b[13], b[14], b[15]]),
        }
    }
}

/// One message: its header and exactly its payload bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawMessage<'a> {
    /// The header.
    pub header: Header,
    /// The payload: `header.len - 16` bytes, without padding.
    pub payload: &'a [u8],
}

/// What a message says, for the message types mpathd uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// `RTM_NEWLINK`: an interface appeared or changed (or a dump entry).
    NewLink(LinkMsg),
    /// `RTM_DELLINK`: an interface is gone.
    DelLink(LinkMsg),
    /// `RTM_NEWADDR`: an address was added or changed.
    NewAddr(AddrMsg),
    /// `RTM_DELADDR`: an address was removed.
    DelAddr(AddrMsg),
    /// `RTM_NEWROUTE`: a main-table unicast route was added or changed.
    NewRoute(RouteMsg),
    /// `RTM_DELROUTE`: a main-table unicast route was removed.
    DelRoute(RouteMsg),
    /// `NLMSG_ERROR`: the answer to a request. `errno` 0 is an
    /// acknowledgement, anything else the (positive) errno it failed
    /// with.
    Error {
        /// 0 or an errno.
        errno: i32,
    },
    /// `NLMSG_DONE`: the end of a dump. A non-zero `errno` means the
    /// dump failed part-way.
    Done {
        /// 0 or an errno.
        errno: i32,
    },
    /// `NLMSG_OVERRUN`: data was lost.
    Overrun,
    /// Anything else: another message type (`NLMSG_NOOP`, neighbour or
    /// rule messages), or an address or route we do not track (another
    /// family, another routing table, a local or broadcast route).
    Ignored {
        /// The message type.
        kind: u16,
    },
}

impl RawMessage<'_> {
    /// Parses the message by its type.
    ///
    /// # Errors
    ///
    /// A [`NetlinkError`] if the payload is malformed for its type.
    pub fn parse(&self) -> Result<Message, NetlinkError> {
        let kind = self.header.kind;
        let payload = self.payload;
        let ignored = Message::Ignored { kind };
        Ok(match kind {
            RTM_NEWLINK => Message::NewLink(LinkMsg::parse(kind, payload)?),
            RTM_DELLINK => Message::DelLink(LinkMsg::parse(kind, payload)?),
            RTM_NEWADDR => {
                AddrMsg::parse(kind, payload)?.map_or(ignored, Message::NewAddr)
            }
            RTM_DELADDR => {
                AddrMsg::parse(kind, payload)?.map_or(ignored, Message::DelAddr)
            }
            RTM_NEWROUTE => RouteMsg::parse(kind, payload)?
                .map_or(ignored, Message::NewRoute),
            RTM_DELROUTE => RouteMsg::parse(kind, payload)?
                .map_or(ignored, Message::DelRoute),
            NLMSG_ERROR => Message::Error {
                errno: leading_errno(kind, payload, true)?,
            },
            NLMSG_DONE => Message::Done {
                errno: leading_errno(kind, payload, false)?,
            },
            NLMSG_OVERRUN => Message::Overrun,
            _ => ignored,
        })
    }
}

/// The `int` at the start of an `NLMSG_ERROR` (`struct nlmsgerr`; the
/// kernel sends `-errno`) or `NLMSG_DONE` payload, as a positive errno.
/// `NLMSG_ERROR` must carry it; an `NLMSG_DONE` without it (older
/// kernels) means success.
fn leading_errno(
    kind: u16,
    payload: &[u8],
    required: bool,
) -> Result<i32, NetlinkError> {
    match payload.first_chunk::<NLMSGERR_ERRNO_LEN>() {
        Some(bytes) => Ok(i32::from_ne_bytes(*bytes).saturating_neg()),
        None if !required => Ok(0),
        None => Err(NetlinkError::ShortPayload {
            kind,
            len: payload.len(),
            needed: NLMSGERR_ERRNO_LEN,
        }),
    }
}

/// The fixed family header at the start of a payload of type `kind`,
/// and the attribute bytes after it.
fn split_fixed<const N: usize>(
    kind: u16,
    payload: &[u8],
) -> Result<(&[u8; N], &[u8]), NetlinkError> {
    payload
        .split_first_chunk::<N>()
        .ok_or(NetlinkError::ShortPayload {
            kind,
            len: payload.len(),
            needed: N,
        })
}

/// Iterates over the messages in a datagram. A header that does not fit
/// yields one error and ends the iteration.
pub fn messages(datagram: &[u8]) -> Messages<'_> {
    Messages { rest: datagram }
}

/// The iterator returned by [`messages`].
#[derive(Clone, Debug)]
pub struct Messages<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<RawMessage<'a>, NetlinkError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        if rest.is_empty() {
            return None;
        }
        let Some((bytes, _)) = rest.split_first_chunk::<NLMSG_HDRLEN>() else {
            self.rest = &[];
            return Some(Err(NetlinkError::ShortHeader {
                available: rest.len(),
            }));
        };
        let header = Header::from_bytes(bytes);
        let end = usize::try_from(header.len).unwrap_or(usize::MAX);
        let Some(payload) = rest.get(NLMSG_HDRLEN..end) else {
            self.rest = &[];
            return Some(Err(NetlinkError::BadMessageLength {
                len: header.len,
                available: rest.len(),
            }));
        };
        let next = nlmsg_align(end).min(rest.len());
        self.rest = rest.get(next..).unwrap_or_default();
        Some(Ok(RawMessage { header, payload }))
    }
}

impl FusedIterator for Messages<'_> {}

/// `NLMSG_ALIGN`: `len` rounded up to a multiple of 4.
fn nlmsg_align(len: usize) -> usize {
    len.saturating_add(NLMSG_ALIGNTO - 1) & !(NLMSG_ALIGNTO - 1)
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
