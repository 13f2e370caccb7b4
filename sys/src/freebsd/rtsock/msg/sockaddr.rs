//! The socket addresses after a message's header.
//!
//! A message's address bits (`rtm_addrs`, `ifm_addrs`, `ifam_addrs`) say
//! which of the eight `RTAX_*` slots are present; the addresses follow in
//! slot order, each `SA_SIZE` bytes long:
//!
//! ```text
//! SA_SIZE(sa) = sa_len == 0 ? sizeof(long) : roundup(sa_len, sizeof(long))
//!
//! | DST (sa_len 16) | GATEWAY (sa_len 28, +4 padding) | NETMASK (sa_len 0) |
//! |<----- 16 ------>|<------------ 32 -------------->|<------ 8 -------->|
//! ```
//!
//! Each slot is handed on as exactly its `sa_len` bytes, never the
//! padding. A netmask may be shorter than its family's structure (the
//! kernel drops trailing zero bytes) and its family byte is not to be
//! trusted; it is read with the destination's family, missing bytes
//! counting as zero.

use std::mem::{offset_of, size_of};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::RtsockError;
use crate::freebsd::abi::dl::sockaddr_dl;
use crate::freebsd::abi::in6::{in6_addr, sockaddr_in6};
use crate::freebsd::abi::inet::sockaddr_in;
use crate::freebsd::abi::route::{RTAX_MAX, SA_ALIGN};
use crate::freebsd::abi::socket::{sockaddr, AF_INET, AF_INET6, AF_LINK};

// The slot of each address bit is its bit number, as `Addrs::parse`
// assumes.
const _: () = {
    use crate::freebsd::abi::route::*;
    assert!(RTA_DST == 1 << RTAX_DST);
    assert!(RTA_GATEWAY == 1 << RTAX_GATEWAY);
    assert!(RTA_NETMASK == 1 << RTAX_NETMASK);
    assert!(RTA_GENMASK == 1 << RTAX_GENMASK);
    assert!(RTA_IFP == 1 << RTAX_IFP);
    assert!(RTA_IFA == 1 << RTAX_IFA);
    assert!(RTA_AUTHOR == 1 << RTAX_AUTHOR);
    assert!(RTA_BRD == 1 << RTAX_BRD);
    assert!(RTAX_BRD + 1 == RTAX_MAX);
};

/// `SA_SIZE`: the bytes an address with `sa_len` takes in a message.
pub(crate) fn sa_size(sa_len: u8) -> usize {
    match usize::from(sa_len) {
        0 => SA_ALIGN,
        len => len.next_multiple_of(SA_ALIGN),
    }
}

/// The addresses of one message, by `RTAX_*` slot: exactly the `sa_len`
/// bytes of each one present.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Addrs<'a> {
    slots: [Option<&'a [u8]>; RTAX_MAX],
}

impl<'a> Addrs<'a> {
    /// Splits `bytes` (everything after the header) into the addresses
    /// `bits` announces. Bits above the last slot are ignored: their
    /// addresses would come after ours. The last address need not be
    /// padded.
    ///
    /// # Errors
    ///
    /// An announced address with no byte left for its `sa_len`
    /// (`MissingAddress`), or whose `sa_len` runs past the end
    /// (`BadAddressLength`). `kind` is the message type, for the error.
    pub(crate) fn parse(
        kind: u8,
        bits: i32,
        bytes: &'a [u8],
    ) -> Result<Addrs<'a>, RtsockError> {
        let mut addrs = Addrs::default();
        let mut rest = bytes;
        for (slot, found) in addrs.slots.iter_mut().enumerate() {
            if bits & (1 << slot) == 0 {
                continue;
            }
            let Some(&sa_len) = rest.first() else {
                return Err(RtsockError::MissingAddress { kind, slot });
            };
            let Some(sa) = rest.get(..usize::from(sa_len)) else {
                return Err(RtsockError::BadAddressLength {
                    kind,
                    slot,
                    len: sa_len,
                    available: rest.len(),
                });
            };
            *found = Some(sa);
            rest = rest.get(sa_size(sa_len)..).unwrap_or_default();
        }
        Ok(addrs)
    }

    /// The bytes of the address in `slot` (`RTAX_*`), if present.
    pub(crate) fn get(&self, slot: usize) -> Option<&'a [u8]> {
        self.slots.get(slot).copied().flatten()
    }
}

/// `sa_family`, if the address is long enough to have one.
pub(crate) fn family(sa: &[u8]) -> Option<u8> {
    sa.get(offset_of!(sockaddr, sa_family)).copied()
}

/// The IPv4 or IPv6 address of a `sockaddr_in` or `sockaddr_in6`;
/// `Ok(None)` for another family.
///
/// # Errors
///
/// `BadAddress` if the address is too short for its family.
pub(crate) fn ip(
    kind: u8,
    slot: usize,
    sa: &[u8],
) -> Result<Option<IpAddr>, RtsockError> {
    let bad = RtsockError::BadAddress { kind, slot };
    match family(sa) {
        Some(AF_INET) => {
            let at = offset_of!(sockaddr_in, sin_addr);
            let octets = field::<4>(sa, at).ok_or(bad)?;
            Ok(Some(IpAddr::V4(Ipv4Addr::from(octets))))
        }
        Some(AF_INET6) => {
            let at = offset_of!(sockaddr_in6, sin6_addr);
            let mut octets = field::<16>(sa, at).ok_or(bad)?;
            unembed_scope(&mut octets);
            Ok(Some(IpAddr::V6(Ipv6Addr::from(octets))))
        }
        _ => Ok(None),
    }
}

/// The prefix length of a netmask, read as an address of `family`
/// (`AF_INET` or `AF_INET6`) whatever its own family byte says, bytes
/// beyond its `sa_len` counting as zero. `None` if the mask is not
/// contiguous (legal for IPv4 on BSD, but not a prefix).
pub(crate) fn prefix_len(family: u8, mask: &[u8]) -> Option<u8> {
    let (at, len) = if family == AF_INET6 {
        (offset_of!(sockaddr_in6, sin6_addr), size_of::<in6_addr>())
    } else {
        (offset_of!(sockaddr_in, sin_addr), size_of::<u32>())
    };
    let bytes = mask.get(at..).unwrap_or_default();
    let mut bits = 0u8;
    let mut ended = false;
    for i in 0..len {
        let byte = bytes.get(i).copied().unwrap_or(0);
        if ended && byte != 0 {
            return None;
        }
        let ones = byte.leading_ones();
        if byte != u8::MAX.checked_shl(8 - ones).unwrap_or(0) {
            return None; // ones, then a zero, then a one again
        }
        // At most 8 ones per byte and 16 bytes: fits in a u8.
        bits = bits.saturating_add(u8::try_from(ones).unwrap_or(u8::MAX));
        ended = ones < 8;
    }
    Some(bits)
}

/// A link-level address (`sockaddr_dl`): the interface's index, name
/// and hardware address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LinkAddr {
    /// `sdl_index` (0: not given).
    pub(crate) index: u16,
    /// The `sdl_nlen` name bytes (not NUL-terminated), lossily as UTF-8.
    pub(crate) name: String,
    /// `LLADDR`, if it is 6 bytes long (Ethernet and the like).
    pub(crate) mac: Option<[u8; 6]>,
}

/// The `sockaddr_dl` in `sa`; `Ok(None)` for another family.
///
/// # Errors
///
/// `BadAddress` if the name and hardware address run past `sdl_len`.
pub(crate) fn link(
    kind: u8,
    slot: usize,
    sa: &[u8],
) -> Result<Option<LinkAddr>, RtsockError> {
    if family(sa) != Some(AF_LINK) {
        return Ok(None);
    }
    let bad = RtsockError::BadAddress { kind, slot };
    let [nlen] =
        field::<1>(sa, offset_of!(sockaddr_dl, sdl_nlen)).ok_or(bad)?;
    let [alen] =
        field::<1>(sa, offset_of!(sockaddr_dl, sdl_alen)).ok_or(bad)?;
    let index =
        field::<2>(sa, offset_of!(sockaddr_dl, sdl_index)).ok_or(bad)?;
    let data = offset_of!(sockaddr_dl, sdl_data);
    let name_end = data + usize::from(nlen);
    let name = sa.get(data..name_end).ok_or(bad)?;
    let lladdr = sa.get(name_end..name_end + usize::from(alen)).ok_or(bad)?;
    Ok(Some(LinkAddr {
        index: u16::from_ne_bytes(index),
        name: String::from_utf8_lossy(name).into_owned(),
        mac: lladdr.try_into().ok(),
    }))
}

/// `N` bytes at `at`, if `sa` has them.
fn field<const N: usize>(sa: &[u8], at: usize) -> Option<[u8; N]> {
    sa.get(at..)?.first_chunk::<N>().copied()
}

/// The KAME stack keeps the zone (interface index) of link-local and
/// interface- or link-local multicast addresses in bytes 2 and 3 inside
/// the kernel. Current kernels clear it before addresses leave the
/// kernel, older ones did not; clear it. (The getifaddrs backend,
/// `freebsd::ifaddrs`, does the same to what libc hands it.)
pub(crate) fn unembed_scope(addr: &mut [u8; 16]) {
    let link_local_unicast = addr[0] == 0xfe && addr[1] & 0xc0 == 0x80;
    let scoped_multicast = addr[0] == 0xff && matches!(addr[1] & 0x0f, 1 | 2);
    if link_local_unicast || scoped_multicast {
        addr[2] = 0;
        addr[3] = 0;
    }
}
