//! getifaddrs on FreeBSD: `AF_LINK` link-layer entries carrying the
//! interface's `struct if_data`, `sa_len`-sized (and possibly truncated)
//! sockaddrs, KAME-embedded IPv6 scopes.

use std::mem::offset_of;
use std::ptr;

use libc::c_int;
use nix::net::if_::InterfaceFlags;

use crate::unix::ifaddrs::{Entry, LinkInfo};
use crate::unix::sockaddr::Sockaddr;

/// The bytes that belong to a getifaddrs address: its `sa_len`. libc
/// copies exactly that many bytes from the routing message (rounded up),
/// and netmasks may be shorter than their family's structure.
///
/// # Safety
///
/// `sa` points to an address in a getifaddrs list.
pub(crate) unsafe fn sockaddr_len(
    sa: *const libc::sockaddr,
    _family: c_int,
) -> usize {
    // SAFETY: `sa` points to a getifaddrs sockaddr (caller), whose first
    // byte is `sa_len`; even a zero-length netmask has its bytes zeroed.
    usize::from(unsafe { ptr::addr_of!((*sa).sa_len).read() })
}

/// The `AF_LINK` entry: hardware address (`LLADDR`: `sdl_data` after the
/// `sdl_nlen` name bytes, if `sdl_alen` is 6), index and link state.
pub(crate) fn link_info(
    entry: &Entry<'_>,
    addr: &Sockaddr<'_>,
) -> Option<LinkInfo> {
    if addr.family() != libc::AF_LINK {
        return None;
    }
    let [nlen] = addr.field::<1>(offset_of!(libc::sockaddr_dl, sdl_nlen))?;
    let [alen] = addr.field::<1>(offset_of!(libc::sockaddr_dl, sdl_alen))?;
    let lladdr = offset_of!(libc::sockaddr_dl, sdl_data) + usize::from(nlen);
    let mac = match alen {
        6 => addr.field::<6>(lladdr),
        _ => None,
    };
    let index = addr
        .field::<2>(offset_of!(libc::sockaddr_dl, sdl_index))
        .map(|bytes| u32::from(u16::from_ne_bytes(bytes)))
        .filter(|&index| index != 0);
    Some(LinkInfo {
        mac,
        index,
        carrier: link_state(entry),
    })
}

/// `ifi_link_state` from the `struct if_data` that libc's getifaddrs
/// attaches to an `AF_LINK` entry.
fn link_state(entry: &Entry<'_>) -> Option<bool> {
    let data = entry.data().cast::<libc::if_data>();
    if data.is_null() {
        return None;
    }
    // SAFETY: for an AF_LINK entry FreeBSD's getifaddrs points ifa_data at
    // a copy of the interface's `struct if_data` (the routing message's
    // ifm_data) inside the list, which the entry's borrow keeps alive. We
    // read one byte of it, without forming a reference.
    let state = unsafe { ptr::addr_of!((*data).ifi_link_state).read() };
    match c_int::from(state) {
        libc::LINK_STATE_UP => Some(true),
        libc::LINK_STATE_DOWN => Some(false),
        _ => None,
    }
}

/// Carrier does not come from the flags here: `IFF_RUNNING` is
/// `IFF_DRV_RUNNING`, the driver's resources, not the link.
pub(crate) fn carrier_from_flags(_flags: InterfaceFlags) -> Option<bool> {
    None
}

/// FreeBSD names are already physical.
pub(crate) fn physical_name(name: &str) -> &str {
    name
}

/// The KAME stack keeps the scope (interface index) of link-local and
/// interface-local addresses in bytes 2 and 3 inside the kernel. Current
/// kernels remove it before handing addresses out
/// (`net.inet6.ip6.deembed_scopeid`), older ones did not; clear it.
pub(crate) fn unembed_scope(addr: &mut [u8; 16]) {
    let link_local_unicast = addr[0] == 0xfe && addr[1] & 0xc0 == 0x80;
    let scoped_multicast = addr[0] == 0xff && matches!(addr[1] & 0x0f, 1 | 2);
    if link_local_unicast || scoped_multicast {
        addr[2] = 0;
        addr[3] = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use super::*;

    fn unembedded(addr: &str) -> Ipv6Addr {
        let mut octets = addr.parse::<Ipv6Addr>().unwrap().octets();
        unembed_scope(&mut octets);
        Ipv6Addr::from(octets)
    }

    #[test]
    fn kame_scope_is_cleared_from_scoped_addresses_only() {
        assert_eq!(
            unembedded("fe80:4::1"),
            "fe80::1".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            unembedded("ff02:4::1"),
            "ff02::1".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            unembedded("2001:db8::1"),
            "2001:db8::1".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            unembedded("ff05:4::1"),
            "ff05:4::1".parse::<Ipv6Addr>().unwrap()
        );
    }
}
