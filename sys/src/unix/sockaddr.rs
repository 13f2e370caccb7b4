//! Safe views of the socket addresses in a getifaddrs list.
//!
//! A `struct sockaddr *` says nothing about how many bytes follow it. The
//! OS module answers that (`os::ifaddrs::sockaddr_len`: `sa_len` on
//! FreeBSD; on Linux and illumos the size that the C library is known to
//! allocate for the family). [`Sockaddr::from_ptr`] turns the pointer into
//! a slice of exactly those bytes, and everything after that is parsing in
//! safe code, where a short address is a `None`, not a read out of bounds.

use std::mem::offset_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ptr;
use std::slice;

use libc::c_int;

use crate::os;

/// A socket address borrowed from a getifaddrs list: the family it is to
/// be read as and the bytes that belong to it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sockaddr<'a> {
    family: c_int,
    bytes: &'a [u8],
}

impl<'a> Sockaddr<'a> {
    /// The address at `sa`, or `None` for a null pointer. `family`
    /// overrides the address's own family field; netmasks need that,
    /// because BSD kernels do not reliably fill in a mask's family.
    ///
    /// # Safety
    ///
    /// `sa` is null or points to a socket address in a list returned by
    /// `getifaddrs` (so that `os::ifaddrs::sockaddr_len` is right about
    /// it), and the list is neither freed nor modified during `'a`.
    pub(crate) unsafe fn from_ptr(
        sa: *const libc::sockaddr,
        family: Option<c_int>,
    ) -> Option<Sockaddr<'a>> {
        if sa.is_null() {
            return None;
        }
        let family = match family {
            Some(family) => family,
            // SAFETY: `sa` is non-null and points to a getifaddrs address
            // (caller), each of which starts with the sockaddr header
            // (`sa_family`, and `sa_len` before it on BSD). The read is
            // unaligned-safe and takes no reference.
            None => c_int::from(unsafe {
                ptr::addr_of!((*sa).sa_family).read_unaligned()
            }),
        };
        // SAFETY: same contract as ours: a getifaddrs address.
        let len = unsafe { os::ifaddrs::sockaddr_len(sa, family) };
        // SAFETY: sockaddr_len guarantees `len` readable bytes at `sa`,
        // initialised by the C library, which keeps them unchanged and
        // allocated while the list lives (`'a`, caller). u8 has no
        // alignment requirement.
        let bytes = unsafe { slice::from_raw_parts(sa.cast::<u8>(), len) };
        Some(Sockaddr { family, bytes })
    }

    /// The family the address is read as (`AF_INET`, `AF_LINK`, ...).
    pub(crate) fn family(&self) -> c_int {
        self.family
    }

    /// `N` bytes at `offset`, if the address is that long.
    pub(crate) fn field<const N: usize>(
        &self,
        offset: usize,
    ) -> Option<[u8; N]> {
        let end = offset.checked_add(N)?;
        self.bytes.get(offset..end)?.try_into().ok()
    }

    /// The IP address, for `AF_INET` and `AF_INET6`. An IPv6 address has
    /// any KAME-embedded scope removed (`os::ifaddrs::unembed_scope`).
    pub(crate) fn ip(&self) -> Option<IpAddr> {
        match self.family {
            libc::AF_INET => {
                let octets =
                    self.field::<4>(offset_of!(libc::sockaddr_in, sin_addr))?;
                Some(IpAddr::V4(Ipv4Addr::from(octets)))
            }
            libc::AF_INET6 => {
                let mut octets = self
                    .field::<16>(offset_of!(libc::sockaddr_in6, sin6_addr))?;
                os::ifaddrs::unembed_scope(&mut octets);
                Some(IpAddr::V6(Ipv6Addr::from(octets)))
            }
            _ => None,
        }
    }

    /// The prefix length of this address read as a netmask for an address
    /// of `self.family()`. A mask cut short (BSD routing sockets drop
    /// trailing zero bytes) counts as zeros.
    pub(crate) fn prefix_len(&self) -> Option<u8> {
        let (offset, len) = match self.family {
            libc::AF_INET => (offset_of!(libc::sockaddr_in, sin_addr), 4),
            libc::AF_INET6 => (offset_of!(libc::sockaddr_in6, sin6_addr), 16),
            _ => return None,
        };
        let end = self.bytes.len().min(offset + len);
        let mask = self.bytes.get(offset..end).unwrap_or(&[]);
        Some(prefix_from_mask(mask))
    }
}

/// The number of leading one bits of a netmask. For a non-contiguous mask
/// (which no supported kernel accepts for an interface address) this is
/// the contiguous part.
pub(crate) fn prefix_from_mask(mask: &[u8]) -> u8 {
    let mut len = 0u32;
    for byte in mask {
        len += byte.leading_ones();
        if *byte != 0xff {
            break;
        }
    }
    u8::try_from(len).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_from_mask_counts_leading_ones() {
        assert_eq!(prefix_from_mask(&[255, 0, 0, 0]), 8);
        assert_eq!(prefix_from_mask(&[255, 255, 255, 255]), 32);
        assert_eq!(prefix_from_mask(&[255, 255, 254, 0]), 23);
        assert_eq!(prefix_from_mask(&[0; 16]), 0);
        assert_eq!(prefix_from_mask(&[0xff; 16]), 128);
        assert_eq!(prefix_from_mask(&[255, 0, 255, 0]), 8);
        // Truncated (BSD) masks: the missing bytes are zeros.
        assert_eq!(prefix_from_mask(&[255, 255]), 16);
        assert_eq!(prefix_from_mask(&[]), 0);
    }
}
