//! Why bytes from a netlink socket could not be read as a message.

use std::error::Error;
use std::fmt;
use std::io;

/// A malformed netlink message or attribute.
///
/// The kernel does not send these; seeing one means a kernel/ABI
/// mismatch, a bug here, or bytes that did not come from the kernel. The
/// socket layer answers all of them the same way: the event stream can
/// no longer be trusted, so take a full snapshot
/// ([`Drained::resync`](super::super::Drained::resync)), or fail the
/// request with `InvalidData`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetlinkError {
    /// Fewer bytes remain in the buffer than a message header needs.
    ShortHeader {
        /// Bytes left.
        available: usize,
    },
    /// A message header's length is below the header size or runs past
    /// the end of the buffer.
    BadMessageLength {
        /// `nlmsg_len`.
        len: u32,
        /// Bytes left in the buffer from the header on.
        available: usize,
    },
    /// A message is shorter than the fixed header of its type
    /// (`ifinfomsg`, `ifaddrmsg`, `rtmsg`, `nlmsgerr`).
    ShortPayload {
        /// The message type.
        kind: u16,
        /// The payload length.
        len: usize,
        /// The length required.
        needed: usize,
    },
    /// An attribute header's length is below the header size or runs
    /// past the end of the message.
    BadAttributeLength {
        /// `rta_len`.
        len: u16,
        /// Bytes left in the message from the attribute on.
        available: usize,
    },
    /// An attribute's payload has the wrong length for its type (an IPv4
    /// address that is not 4 bytes, ...).
    BadAttribute {
        /// The attribute type.
        kind: u16,
        /// The payload length.
        len: usize,
    },
    /// A required attribute (the interface name, the address) is absent.
    MissingAttribute {
        /// The attribute type.
        kind: u16,
    },
    /// A prefix length too long for the address family.
    BadPrefixLen {
        /// The prefix length.
        len: u8,
    },
    /// An interface index that is not positive.
    BadIndex {
        /// The index (`ifi_index` is an `i32`, `ifa_index` a `u32`).
        index: i64,
    },
}

impl fmt::Display for NetlinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NetlinkError::ShortHeader { available } => write!(
                f,
                "netlink: {available} trailing bytes, too few for a \
                 message header"
            ),
            NetlinkError::BadMessageLength { len, available } => write!(
                f,
                "netlink: message length {len} with {available} bytes \
                 left"
            ),
            NetlinkError::ShortPayload { kind, len, needed } => write!(
                f,
                "netlink: message type {kind} has {len} bytes, needs \
                 {needed}"
            ),
            NetlinkError::BadAttributeLength { len, available } => write!(
                f,
                "netlink: attribute length {len} with {available} bytes \
                 left"
            ),
            NetlinkError::BadAttribute { kind, len } => write!(
                f,
                "netlink: attribute type {kind} has a bad length {len}"
            ),
            NetlinkError::MissingAttribute { kind } => {
                write!(f, "netlink: attribute type {kind} is missing")
            }
            NetlinkError::BadPrefixLen { len } => {
                write!(f, "netlink: bad prefix length {len}")
            }
            NetlinkError::BadIndex { index } => {
                write!(f, "netlink: bad interface index {index}")
            }
        }
    }
}

impl Error for NetlinkError {}

impl From<NetlinkError> for io::Error {
    fn from(err: NetlinkError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, err)
    }
}
