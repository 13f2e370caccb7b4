//! Route attributes (`struct rtattr`): the type-length-value list after
//! each message's fixed header.
//!
//! ```text
//!  0       2       4
//! +-------+-------+---------------------+---------+
//! |  len  | type  | payload (len - 4)   | padding | next attribute ...
//! +-------+-------+---------------------+---------+
//!                   padded to RTA_ALIGN (4 bytes)
//! ```
//!
//! `len` counts the 4-byte header and the payload but not the padding.
//! The top two bits of `type` are flags (`NLA_F_NESTED`,
//! `NLA_F_NET_BYTEORDER`) and are masked off.

use std::iter::FusedIterator;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::NetlinkError;
use crate::linux::netlink::abi::{
    AF_INET, AF_INET6, NLA_TYPE_MASK, RTA_ALIGNTO, RTA_HDRLEN,
};

/// One attribute: its type and exactly its payload bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr<'a> {
    /// The attribute type with the flag bits masked off.
    pub kind: u16,
    /// The payload, without header or padding.
    pub payload: &'a [u8],
}

impl Attr<'_> {
    /// The payload as a `u8`, if it is exactly one byte.
    pub fn u8(&self) -> Result<u8, NetlinkError> {
        match *self.payload {
            [byte] => Ok(byte),
            _ => Err(self.bad()),
        }
    }

    /// The payload as a host-endian `u32`, if it is exactly four bytes.
    pub fn u32(&self) -> Result<u32, NetlinkError> {
        let bytes: [u8; 4] = self.payload.try_into().map_err(|_| self.bad())?;
        Ok(u32::from_ne_bytes(bytes))
    }

    /// The payload as an address of `family` (`AF_INET`: 4 bytes,
    /// `AF_INET6`: 16 bytes, network byte order as always for addresses).
    /// `Ok(None)` for another family.
    pub fn ip(&self, family: u8) -> Result<Option<IpAddr>, NetlinkError> {
        match family {
            AF_INET => {
                let octets: [u8; 4] =
                    self.payload.try_into().map_err(|_| self.bad())?;
                Ok(Some(IpAddr::V4(Ipv4Addr::from(octets))))
            }
            AF_INET6 => {
                let octets: [u8; 16] =
                    self.payload.try_into().map_err(|_| self.bad())?;
                Ok(Some(IpAddr::V6(Ipv6Addr::from(octets))))
            }
            _ => Ok(None),
        }
    }

    /// The payload as a string: up to the first NUL (the kernel sends
    /// one), with invalid UTF-8 replaced by U+FFFD.
    pub fn string(&self) -> String {
        let end = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.payload.len());
        let bytes = self.payload.get(..end).unwrap_or_default();
        String::from_utf8_lossy(bytes).into_owned()
    }

    fn bad(&self) -> NetlinkError {
        NetlinkError::BadAttribute {
            kind: self.kind,
            len: self.payload.len(),
        }
    }
}

/// Iterates over the attributes in `bytes` (a message's payload after
/// its fixed header). A malformed attribute header yields one error and
/// ends the iteration; fewer than four bytes at the end (padding) are
/// ignored.
pub fn attrs(bytes: &[u8]) -> Attrs<'_> {
    Attrs { rest: bytes }
}

/// The iterator returned by [`attrs`].
#[derive(Clone, Debug)]
pub struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, NetlinkError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        let (header, _) = rest.split_first_chunk::<RTA_HDRLEN>()?;
        let len = u16::from_ne_bytes([header[0], header[1]]);
        let kind = u16::from_ne_bytes([header[2], header[3]]) & NLA_TYPE_MASK;
        let end = usize::from(len);
        let Some(payload) = rest.get(RTA_HDRLEN..end) else {
            // Shorter than its header, or longer than what is left.
            self.rest = &[];
            return Some(Err(NetlinkError::BadAttributeLength {
                len,
                available: rest.len(),
            }));
        };
        let next = align(end).min(rest.len());
        self.rest = rest.get(next..).unwrap_or_default();
        Some(Ok(Attr { kind, payload }))
    }
}

impl FusedIterator for Attrs<'_> {}

/// `RTA_ALIGN`: `len` rounded up to a multiple of 4.
pub(crate) fn align(len: usize) -> usize {
    len.saturating_add(RTA_ALIGNTO - 1) & !(RTA_ALIGNTO - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_padded_attributes() {
        let bytes = [
            5, 0, 3, 0, // len 5 (1 byte of payload), type 3
            b'x', 0, 0, 0, // payload "x", 3 bytes of padding
            8, 0, 4, 0x80, // len 8, type 4 with NLA_F_NESTED set
            1, 2, 3, 4, // payload
        ];
        let all: Vec<_> = attrs(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            all,
            [
                Attr {
                    kind: 3,
                    payload: b"x"
                },
                Attr {
                    kind: 4,
                    payload: &[1, 2, 3, 4]
                },
            ]
        );
    }

    #[test]
    fn last_attribute_may_lack_padding_and_stray_bytes_are_ignored() {
        let bytes = [5, 0, 3, 0, b'x'];
        assert_eq!(attrs(&bytes).count(), 1);
        let bytes = [4, 0, 3, 0, 0xff, 0xff];
        let all: Vec<_> = attrs(&bytes).collect();
        assert_eq!(
            all,
            [Ok(Attr {
                kind: 3,
                payload: &[]
            })]
        );
    }

    #[test]
    fn bad_lengths_end_the_walk_with_an_error() {
        // len 3: shorter than the header.
        let bytes = [3, 0, 1, 0, 0, 0, 0, 0];
        let all: Vec<_> = attrs(&bytes).collect();
        assert_eq!(
            all,
            [Err(NetlinkError::BadAttributeLength {
                len: 3,
                available: 8
            })]
        );
        // len 12 with 8 bytes: truncated. The good one before it stays.
        let bytes = [4, 0, 1, 0, 12, 0, 2, 0, 1, 2, 3, 4];
        let all: Vec<_> = attrs(&bytes).collect();
        assert_eq!(all.len(), 2);
        assert!(all[0].is_ok());
        assert_eq!(
            all[1],
            Err(NetlinkError::BadAttributeLength {
                len: 12,
                available: 8
            })
        );
    }

    #[test]
    fn typed_payloads_check_their_length() {
        let attr = |payload| Attr { kind: 7, payload };
        assert_eq!(attr(&[1]).u8(), Ok(1));
        assert!(attr(&[1, 2]).u8().is_err());
        let seven = 7u32.to_ne_bytes();
        assert_eq!(attr(&seven).u32(), Ok(7));
        assert_eq!(
            attr(&[1, 2, 3]).u32(),
            Err(NetlinkError::BadAttribute { kind: 7, len: 3 })
        );
        assert_eq!(
            attr(&[192, 0, 2, 1]).ip(AF_INET),
            Ok(Some("192.0.2.1".parse().unwrap()))
        );
        assert!(attr(&[192, 0, 2, 1]).ip(AF_INET6).is_err());
        assert_eq!(attr(&[1, 2]).ip(99), Ok(None));
        assert_eq!(attr(b"eth0\0").string(), "eth0");
        assert_eq!(attr(b"eth0").string(), "eth0");
        assert_eq!(attr(b"e\xfft\0junk").string(), "e\u{fffd}t");
    }
}
