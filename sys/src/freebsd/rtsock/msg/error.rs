//! Why bytes from a routing socket or a routing sysctl could not be read
//! as a message.

use std::error::Error;
use std::fmt;
use std::io;

/// A malformed routing message.
///
/// The kernel does not send these; seeing one means a kernel/ABI
/// mismatch, a bug here, or a read that was cut short. The socket layer
/// answers all of them the same way: the event stream can no longer be
/// trusted, so take a full snapshot (`Drained::resync`); a snapshot that
/// meets one fails with `InvalidData`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RtsockError {
    /// Fewer bytes remain in the buffer than the common header (length,
    /// version, type) needs.
    ShortHeader {
        /// Bytes left.
        available: usize,
    },
    /// A message length below the common header's or past the end of
    /// the buffer.
    BadMessageLength {
        /// `*_msglen`.
        len: u16,
        /// Bytes left in the buffer from the message on.
        available: usize,
    },
    /// A message shorter than the fixed header of its type.
    ShortMessage {
        /// The message type.
        kind: u8,
        /// The message's length.
        len: usize,
        /// The length required.
        needed: usize,
    },
    /// An extensible header (`if_msghdrl`, `ifa_msghdrl`) whose own
    /// length is below the structure's, or whose `if_data` offset lies
    /// outside it.
    BadHeaderLength {
        /// The message type.
        kind: u8,
        /// `ifm_len` or `ifam_len`.
        len: u16,
    },
    /// The address bits announce an address the message has no bytes
    /// for.
    MissingAddress {
        /// The message type.
        kind: u8,
        /// The `RTAX_*` slot.
        slot: usize,
    },
    /// An address whose `sa_len` runs past the end of the message.
    BadAddressLength {
        /// The message type.
        kind: u8,
        /// The `RTAX_*` slot.
        slot: usize,
        /// `sa_len`.
        len: u8,
        /// Bytes left in the message from the address on.
        available: usize,
    },
    /// An address too short for its family (an IPv4 address in fewer
    /// than 8 bytes, a link-level address whose name and address run
    /// past its `sdl_len`), or absent where the message needs it.
    BadAddress {
        /// The message type.
        kind: u8,
        /// The `RTAX_*` slot.
        slot: usize,
    },
    /// An interface index of 0.
    BadIndex {
        /// The message type.
        kind: u8,
    },
}

impl fmt::Display for RtsockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RtsockError::ShortHeader { available } => write!(
                f,
                "routing socket: {available} trailing bytes, too few for a \
                 message header"
            ),
            RtsockError::BadMessageLength { len, available } => write!(
                f,
                "routing socket: message length {len} with {available} \
                 bytes left"
            ),
            RtsockError::ShortMessage { kind, len, needed } => write!(
                f,
                "routing socket: message type {kind} has {len} bytes, \
                 needs {needed}"
            ),
            RtsockError::BadHeaderLength { kind, len } => write!(
                f,
                "routing socket: message type {kind}: bad header length \
                 {len}"
            ),
            RtsockError::MissingAddress { kind, slot } => write!(
                f,
                "routing socket: message type {kind} ends before its \
                 address {slot}"
            ),
            RtsockError::BadAddressLength {
                kind,
                slot,
                len,
                available,
            } => write!(
                f,
                "routing socket: message type {kind}, address {slot}: \
                 length {len} with {available} bytes left"
            ),
            RtsockError::BadAddress { kind, slot } => write!(
                f,
                "routing socket: message type {kind}: bad or missing \
                 address {slot}"
            ),
            RtsockError::BadIndex { kind } => write!(
                f,
                "routing socket: message type {kind}: interface index 0"
            ),
        }
    }
}

impl Error for RtsockError {}

impl From<RtsockError> for io::Error {
    fn from(err: RtsockError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, err)
    }
}
