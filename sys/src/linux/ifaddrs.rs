//! getifaddrs on Linux: `AF_PACKET` link-layer entries, `IFF_LOWER_UP` as
//! the carrier, address labels (`eth0:1`) as names.

use std::mem::{offset_of, size_of};

use libc::c_int;
use nix::net::if_::InterfaceFlags;

use crate::unix::ifaddrs::{Entry, LinkInfo};
use crate::unix::sockaddr::Sockaddr;

/// The bytes that belong to a getifaddrs address of `family`. Linux's
/// `struct sockaddr` has no length field, but glibc and musl keep every
/// address in a union at least as large as `sockaddr_ll` and
/// `sockaddr_in6`, so the size of the family's structure is readable.
///
/// # Safety
///
/// `sa` points to an address in a getifaddrs list (it is not read here;
/// the contract is the same on every OS).
pub(crate) unsafe fn sockaddr_len(
    _sa: *const libc::sockaddr,
    family: c_int,
) -> usize {
    match family {
        libc::AF_INET => size_of::<libc::sockaddr_in>(),
        libc::AF_INET6 => size_of::<libc::sockaddr_in6>(),
        libc::AF_PACKET => size_of::<libc::sockaddr_ll>(),
        _ => size_of::<libc::sockaddr>(),
    }
}

/// The `AF_PACKET` entry: hardware address (if 6 bytes long) and index.
/// The carrier comes from the flags instead.
pub(crate) fn link_info(
    _entry: &Entry<'_>,
    addr: &Sockaddr<'_>,
) -> Option<LinkInfo> {
    if addr.family() != libc::AF_PACKET {
        return None;
    }
    let [halen] = addr.field::<1>(offset_of!(libc::sockaddr_ll, sll_halen))?;
    let mac = match halen {
        6 => addr.field::<6>(offset_of!(libc::sockaddr_ll, sll_addr)),
        _ => None,
    };
    let index = addr
        .field::<4>(offset_of!(libc::sockaddr_ll, sll_ifindex))
        .map(i32::from_ne_bytes)
        .and_then(|index| u32::try_from(index).ok())
        .filter(|&index| index != 0);
    Some(LinkInfo {
        mac,
        index,
        carrier: None,
    })
}

/// `IFF_LOWER_UP`: the driver's carrier (RFC 2863 "lower layer up").
pub(crate) fn carrier_from_flags(flags: InterfaceFlags) -> Option<bool> {
    Some(flags.contains(InterfaceFlags::IFF_LOWER_UP))
}

/// An IPv4 address label such as `eth0:1` belongs to device `eth0`.
pub(crate) fn physical_name(name: &str) -> &str {
    name.split_once(':').map_or(name, |(device, _)| device)
}

/// Linux never embeds scope ids in addresses.
pub(crate) fn unembed_scope(_addr: &mut [u8; 16]) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fold_into_the_device() {
        assert_eq!(physical_name("eth0:1"), "eth0");
        assert_eq!(physical_name("eth0"), "eth0");
    }
}
