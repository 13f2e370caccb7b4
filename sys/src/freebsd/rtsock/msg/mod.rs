//! Checked views of routing messages: pure, safe parsing of the bytes a
//! `PF_ROUTE` socket or a routing sysctl (`NET_RT_IFLISTL`,
//! `NET_RT_DUMP`) returns.
//!
//! A buffer holds messages back to back. Every message type starts with
//! the same four bytes, then a header of its own, then socket addresses
//! (laid out as `sockaddr.rs` describes):
//!
//! ```text
//!  0         2         3      4
//! +---------+---------+------+--------------------------+-----------+
//! | msglen  | version | type | rest of the type's header | addresses |
//! +---------+---------+------+--------------------------+-----------+
//! |<------------------------- msglen ------------------------------>|
//! ```
//!
//! | type             | header              | from                  |
//! |------------------|---------------------|-----------------------|
//! | `RTM_IFINFO`     | `if_msghdr`         | socket                |
//! |                  | `if_msghdrl`        | `NET_RT_IFLISTL`      |
//! | `RTM_NEWADDR`    | `ifa_msghdr`        | socket                |
//! |                  | `ifa_msghdrl`       | `NET_RT_IFLISTL`      |
//! | `RTM_DELADDR`    | `ifa_msghdr`        | socket                |
//! | `RTM_IFANNOUNCE` | `if_announcemsghdr` | socket                |
//! | `RTM_ADD`, `RTM_DELETE`, `RTM_CHANGE` | `rt_msghdr` | socket   |
//! | `RTM_GET`        | `rt_msghdr`         | `NET_RT_DUMP`         |
//!
//! Integers are host-endian, addresses in network byte order. Every
//! offset comes from `offset_of!` on the structures of
//! `freebsd::abi`, whose layouts are checked against
//! FreeBSD's headers.
//!
//! Every length is checked before it is used, and nothing here can
//! panic: a message length that does not fit ends the iteration with an
//! [`RtsockError`]; a message of another version (`*_version` is not
//! `RTM_VERSION`) or type is skipped ([`Message::Ignored`]), as are the
//! addresses, routes and families mpathd does not track. The fuzz target
//! `rtsock_parse` and a proptest hold us to this.

mod addr;
mod announce;
mod error;
mod link;
mod route;
mod snapshot;
mod sockaddr;

use std::iter::FusedIterator;
use std::mem::offset_of;

pub use addr::AddrMsg;
pub use announce::{AnnounceMsg, What};
pub use error::RtsockError;
pub use link::LinkMsg;
pub use route::{RouteMsg, RouteOp};
pub use snapshot::assemble;

use crate::freebsd::abi::net_if::{
    if_announcemsghdr, if_msghdr, if_msghdrl, ifa_msghdr, ifa_msghdrl,
};
use crate::freebsd::abi::route::{
    rt_msghdr, RTM_ADD, RTM_CHANGE, RTM_DELADDR, RTM_DELETE, RTM_GET,
    RTM_IFANNOUNCE, RTM_IFINFO, RTM_NEWADDR, RTM_VERSION,
};

/// Where the common header's fields are: those of `rt_msghdr`, which
/// every other message header shares (asserted below).
const MSGLEN: usize = offset_of!(rt_msghdr, rtm_msglen);
const VERSION: usize = offset_of!(rt_msghdr, rtm_version);
const TYPE: usize = offset_of!(rt_msghdr, rtm_type);
/// The common header's length: up to the first field after the type.
const COMMON: usize = offset_of!(rt_msghdr, rtm_index);

// Every message header starts with the same length, version and type.
const _: () = {
    macro_rules! same_start {
        ($($ty:ident: $len:ident $version:ident $kind:ident;)*) => {$(
            assert!(offset_of!($ty, $len) == MSGLEN);
            assert!(offset_of!($ty, $version) == VERSION);
            assert!(offset_of!($ty, $kind) == TYPE);
        )*};
    }
    same_start! {
        if_msghdr: ifm_msglen ifm_version ifm_type;
        if_msghdrl: ifm_msglen ifm_version ifm_type;
        ifa_msghdr: ifam_msglen ifam_version ifam_type;
        ifa_msghdrl: ifam_msglen ifam_version ifam_type;
        if_announcemsghdr: ifan_msglen ifan_version ifan_type;
    }
};

/// One message: its version, type and exactly its bytes (the common
/// header included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawMessage<'a> {
    /// `*_version`.
    pub version: u8,
    /// `*_type` (`RTM_*`).
    pub kind: u8,
    /// The whole message: `*_msglen` bytes.
    pub bytes: &'a [u8],
}

/// What a message says, for the message types mpathd uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// `RTM_IFINFO`: an interface's flags or link state changed (or a
    /// `NET_RT_IFLISTL` entry).
    IfInfo(LinkMsg),
    /// `RTM_IFANNOUNCE`: an interface arrived or departed.
    IfAnnounce(AnnounceMsg),
    /// `RTM_NEWADDR`: an IPv4 or IPv6 address was added (or a
    /// `NET_RT_IFLISTL` entry).
    NewAddr(AddrMsg),
    /// `RTM_DELADDR`: an IPv4 or IPv6 address was removed.
    DelAddr(AddrMsg),
    /// `RTM_ADD`, `RTM_DELETE`, `RTM_CHANGE` (events), `RTM_GET`
    /// (`NET_RT_DUMP` entries): an IPv4 or IPv6 route.
    Route(RouteOp, RouteMsg),
    /// Anything else: another version or message type, or an address or
    /// route mpathd does not track (another family, a reject or
    /// blackhole route, a mask that is not a prefix).
    Ignored {
        /// `*_version`.
        version: u8,
        /// `*_type`.
        kind: u8,
    },
}

/// Which header layout a message has: the routing socket's, or
/// `NET_RT_IFLISTL`'s extensible `*_msghdrl` for `RTM_IFINFO` and
/// `RTM_NEWADDR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Socket,
    IfListL,
}

impl RawMessage<'_> {
    /// Parses a message from a routing socket (or `NET_RT_DUMP`) by its
    /// type.
    ///
    /// # Errors
    ///
    /// An [`RtsockError`] if the message is malformed for its type.
    pub fn parse(&self) -> Result<Message, RtsockError> {
        self.parse_as(Layout::Socket)
    }

    /// Parses a message from `NET_RT_IFLISTL`, whose `RTM_IFINFO` and
    /// `RTM_NEWADDR` have the `if_msghdrl` and `ifa_msghdrl` headers.
    ///
    /// # Errors
    ///
    /// An [`RtsockError`] if the message is malformed for its type.
    pub fn parse_iflistl(&self) -> Result<Message, RtsockError> {
        self.parse_as(Layout::IfListL)
    }

    fn parse_as(&self, layout: Layout) -> Result<Message, RtsockError> {
        let (version, kind, msg) = (self.version, self.kind, self.bytes);
        let ignored = Message::Ignored { version, kind };
        if version != RTM_VERSION {
            return Ok(ignored);
        }
        let fixed = Fixed { kind, msg };
        let long = layout == Layout::IfListL;
        Ok(match kind {
            RTM_IFINFO if long => Message::IfInfo(LinkMsg::parse_long(fixed)?),
            RTM_IFINFO => Message::IfInfo(LinkMsg::parse(fixed)?),
            RTM_NEWADDR if long => {
                AddrMsg::parse_long(fixed)?.map_or(ignored, Message::NewAddr)
            }
            RTM_NEWADDR => {
                AddrMsg::parse(fixed)?.map_or(ignored, Message::NewAddr)
            }
            RTM_DELADDR => {
                AddrMsg::parse(fixed)?.map_or(ignored, Message::DelAddr)
            }
            RTM_IFANNOUNCE => Message::IfAnnounce(AnnounceMsg::parse(fixed)?),
            RTM_ADD | RTM_DELETE | RTM_CHANGE | RTM_GET => {
                let op = match kind {
                    RTM_ADD => RouteOp::Add,
                    RTM_DELETE => RouteOp::Delete,
                    RTM_CHANGE => RouteOp::Change,
                    _ => RouteOp::Get,
                };
                RouteMsg::parse(fixed)?
                    .map_or(ignored, |route| Message::Route(op, route))
            }
            _ => ignored,
        })
    }
}

/// A message's bytes with typed reads of its header fields, each checked
/// to lie inside the message.
#[derive(Clone, Copy, Debug)]
struct Fixed<'a> {
    kind: u8,
    msg: &'a [u8],
}

impl<'a> Fixed<'a> {
    /// `ShortMessage` unless the message has at least `len` bytes.
    fn need(&self, len: usize) -> Result<(), RtsockError> {
        if self.msg.len() >= len {
            Ok(())
        } else {
            Err(self.short(len))
        }
    }

    fn short(&self, needed: usize) -> RtsockError {
        RtsockError::ShortMessage {
            kind: self.kind,
            len: self.msg.len(),
            needed,
        }
    }

    fn bytes<const N: usize>(&self, at: usize) -> Result<[u8; N], RtsockError> {
        self.msg
            .get(at..)
            .and_then(|rest| rest.first_chunk::<N>())
            .copied()
            .ok_or(self.short(at.saturating_add(N)))
    }

    fn u8(&self, at: usize) -> Result<u8, RtsockError> {
        self.bytes::<1>(at).map(|[b]| b)
    }

    fn u16(&self, at: usize) -> Result<u16, RtsockError> {
        self.bytes(at).map(u16::from_ne_bytes)
    }

    fn i32(&self, at: usize) -> Result<i32, RtsockError> {
        self.bytes(at).map(i32::from_ne_bytes)
    }

    /// The bytes from `at` to the end (the addresses).
    fn from(&self, at: usize) -> Result<&'a [u8], RtsockError> {
        self.msg.get(at..).ok_or(self.short(at))
    }
}

/// Iterates over the messages in a buffer (one read from a routing
/// socket, or a whole sysctl answer). A length that does not fit yields
/// one error and ends the iteration.
pub fn messages(buf: &[u8]) -> Messages<'_> {
    Messages { rest: buf }
}

/// The iterator returned by [`messages`].
#[derive(Clone, Debug)]
pub struct Messages<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<RawMessage<'a>, RtsockError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        if rest.is_empty() {
            return None;
        }
        let Some(head) = rest.first_chunk::<COMMON>() else {
            self.rest = &[];
            return Some(Err(RtsockError::ShortHeader {
                available: rest.len(),
            }));
        };
        let len = u16::from_ne_bytes([head[MSGLEN], head[MSGLEN + 1]]);
        let end = usize::from(len);
        let bytes = match rest.get(..end) {
            Some(bytes) if end >= COMMON => bytes,
            _ => {
                self.rest = &[];
                return Some(Err(RtsockError::BadMessageLength {
                    len,
                    available: rest.len(),
                }));
            }
        };
        self.rest = rest.get(end..).unwrap_or_default();
        Some(Ok(RawMessage {
            version: head[VERSION],
            kind: head[TYPE],
            bytes,
        }))
    }
}

impl FusedIterator for Messages<'_> {}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
