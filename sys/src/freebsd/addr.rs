//! Adding and removing addresses: what mpathd does when it moves a data
//! address to a working interface, or sets up a test address.
//!
//! FreeBSD does this with ioctls on a datagram socket of the address's
//! family (as ifconfig(8) does): `SIOCAIFADDR` / `SIOCDIFADDR` with
//! `struct ifaliasreq` / `struct ifreq` on an `AF_INET` socket,
//! `SIOCAIFADDR_IN6` / `SIOCDIFADDR_IN6` with `struct in6_aliasreq` /
//! `struct in6_ifreq` on an `AF_INET6` socket. Both need root
//! (`PRIV_NET_ADDIFADDR`, `PRIV_NET_DELIFADDR`).

use std::io;
use std::mem::{offset_of, size_of};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::AsFd;

use mpath_core::addr::IpPrefix;

use super::abi::in6::{
    in6_addr, in6_addr_u6, in6_aliasreq, in6_ifreq, sockaddr_in6,
    IN6_IFF_DEPRECATED, IN6_IFF_NODAD, ND6_INFINITE_LIFETIME, SIOCAIFADDR_IN6,
    SIOCDIFADDR_IN6,
};
use super::abi::inet::{in_addr, sockaddr_in};
use super::abi::net_if::{ifaliasreq, ifreq};
use super::abi::socket::{sockaddr, AF_INET, AF_INET6};
use super::abi::sockio::{SIOCAIFADDR, SIOCDIFADDR};
use super::ioctl::{self, ifname};

/// Adds `prefix` (address and subnet length) to interface `interface`.
///
/// * IPv4: `SIOCAIFADDR` with the netmask; the kernel derives the
///   broadcast address and adds the subnet's route.
/// * IPv6: `SIOCAIFADDR_IN6` with the prefix mask, infinite valid and
///   preferred lifetimes, and `IN6_IFF_NODAD`: the daemon moves an
///   address it owns from a failed interface, and duplicate address
///   detection would keep it unusable for a second or more right when it
///   is needed. A zero-length IPv6 prefix is refused by the kernel
///   (`EINVAL`). With `deprecated` (a test address) also
///   `IN6_IFF_DEPRECATED`, as `ifconfig ... inet6 ADDR deprecated`:
///   `in6_update_ifa` then sets the preferred lifetime to 0, and source
///   address selection avoids the address.
/// * FreeBSD has no deprecated state for IPv4 addresses: `deprecated`
///   changes nothing there.
///
/// Unlike Linux, FreeBSD does not answer `EEXIST` for an address that is
/// already there (IPv4 replaces it, IPv6 updates its lifetimes); it
/// answers `EEXIST` when the subnet's route already exists through
/// another address and `net.inet.ip.no_same_prefix` is set, and then the
/// address was *not* added. So `EEXIST` is an error here, reported as
/// such.
///
/// # Errors
///
/// `InvalidInput` for a bad interface name, else the kernel's errno
/// (`ENXIO`: no such interface, `EPERM` without root, `EINVAL`, ...).
pub fn add_address(
    interface: &str,
    prefix: IpPrefix,
    deprecated: bool,
) -> io::Result<()> {
    let name = ifname(interface)?;
    match prefix.addr() {
        IpAddr::V4(addr) => {
            let mut req = ifaliasreq::zeroed();
            req.ifra_name = name;
            req.ifra_addr = sockaddr_in(addr);
            req.ifra_mask = sockaddr_in(v4_mask(prefix.len()));
            let sock = ioctl::socket(AF_INET)?;
            // SAFETY: ifaliasreq is SIOCAIFADDR's argument and holds no
            // pointers.
            unsafe { ioctl::ioctl(sock.as_fd(), SIOCAIFADDR, &mut req) }
        }
        IpAddr::V6(addr) => {
            let mut req = in6_aliasreq::zeroed();
            req.ifra_name = name;
            req.ifra_addr = sockaddr_in6(addr, 0);
            req.ifra_prefixmask = sockaddr_in6(v6_mask(prefix.len()), 0);
            req.ifra_flags = IN6_IFF_NODAD;
            if deprecated {
                req.ifra_flags |= IN6_IFF_DEPRECATED;
            }
            req.ifra_lifetime.ia6t_vltime = ND6_INFINITE_LIFETIME;
            req.ifra_lifetime.ia6t_pltime = ND6_INFINITE_LIFETIME;
            let sock = ioctl::socket(AF_INET6)?;
            // SAFETY: in6_aliasreq is SIOCAIFADDR_IN6's argument and
            // holds no pointers.
            unsafe { ioctl::ioctl(sock.as_fd(), SIOCAIFADDR_IN6, &mut req) }
        }
    }
}

/// Removes the address of `prefix` from interface `interface` (the prefix
/// length plays no part: an address is removed by its value).
///
/// An address that is not there (`EADDRNOTAVAIL`) or an interface that
/// is gone (`ENXIO`) counts as removed.
///
/// # Errors
///
/// `InvalidInput` for a bad interface name, else the kernel's errno
/// (`EPERM` without root, ...).
pub fn del_address(interface: &str, prefix: IpPrefix) -> io::Result<()> {
    let name = ifname(interface)?;
    let res = match prefix.addr() {
        IpAddr::V4(addr) => {
            let mut req = ifreq::zeroed();
            req.ifr_name = name;
            req.ifr_ifru.ifru_addr = as_sockaddr(sockaddr_in(addr));
            let sock = ioctl::socket(AF_INET)?;
            // SAFETY: ifreq is SIOCDIFADDR's argument; the member we set
            // holds no pointer.
            unsafe { ioctl::ioctl(sock.as_fd(), SIOCDIFADDR, &mut req) }
        }
        IpAddr::V6(addr) => {
            let mut req = in6_ifreq::zeroed();
            req.ifr_name = name;
            req.ifr_ifru.ifru_addr = sockaddr_in6(addr, 0);
            let sock = ioctl::socket(AF_INET6)?;
            // SAFETY: in6_ifreq is SIOCDIFADDR_IN6's argument; the member
            // we set holds no pointer.
            unsafe { ioctl::ioctl(sock.as_fd(), SIOCDIFADDR_IN6, &mut req) }
        }
    };
    match res {
        Err(err)
            if matches!(
                err.raw_os_error(),
                Some(libc::EADDRNOTAVAIL | libc::ENXIO)
            ) =>
        {
            Ok(())
        }
        res => res,
    }
}

/// A `sockaddr_in` for `addr`.
fn sockaddr_in(addr: Ipv4Addr) -> sockaddr_in {
    let mut sa = sockaddr_in::zeroed();
    sa.sin_len = sa_len::<sockaddr_in>();
    sa.sin_family = AF_INET;
    sa.sin_addr = in_addr {
        s_addr: u32::from_ne_bytes(addr.octets()),
    };
    sa
}

/// A `sockaddr_in6` for `addr` in zone `scope_id`. The address ioctls
/// take zone 0 to mean the interface named in the request, which is
/// what a link-local address added to or removed from it needs.
pub(crate) fn sockaddr_in6(addr: Ipv6Addr, scope_id: u32) -> sockaddr_in6 {
    let mut sa = sockaddr_in6::zeroed();
    sa.sin6_len = sa_len::<sockaddr_in6>();
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6_addr {
        __u6_addr: in6_addr_u6 {
            __u6_addr8: addr.octets(),
        },
    };
    sa.sin6_scope_id = scope_id;
    sa
}

/// A `sockaddr_in` as the generic `sockaddr` of `ifr_addr` (same size:
/// `sa_data` holds what follows the family, port and address).
fn as_sockaddr(sin: sockaddr_in) -> sockaddr {
    const _: () = assert!(size_of::<sockaddr_in>() == size_of::<sockaddr>());
    let mut sa = sockaddr::zeroed();
    sa.sa_len = sin.sin_len;
    sa.sa_family = sin.sin_family;
    let data = offset_of!(sockaddr, sa_data);
    let port = offset_of!(sockaddr_in, sin_port) - data;
    let addr = offset_of!(sockaddr_in, sin_addr) - data;
    sa.sa_data[port..addr].copy_from_slice(&sin.sin_port.to_ne_bytes());
    sa.sa_data[addr..addr + size_of::<in_addr>()]
        .copy_from_slice(&sin.sin_addr.s_addr.to_ne_bytes());
    sa
}

/// `sa_len` for an address structure `T` (16 or 28: fits a u8).
fn sa_len<T>() -> u8 {
    u8::try_from(size_of::<T>()).unwrap_or(u8::MAX)
}

/// The IPv4 netmask of a prefix of `len` bits.
fn v4_mask(len: u8) -> Ipv4Addr {
    let bits = u32::MAX.checked_shl(32 - u32::from(len.min(32)));
    Ipv4Addr::from(bits.unwrap_or(0))
}

/// The IPv6 prefix mask of `len` bits.
fn v6_mask(len: u8) -> Ipv6Addr {
    let bits = u128::MAX.checked_shl(128 - u32::from(len.min(128)));
    Ipv6Addr::from(bits.unwrap_or(0))
}
