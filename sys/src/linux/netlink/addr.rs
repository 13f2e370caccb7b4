//! Adding and removing addresses: what mpathd does when it moves a data
//! address to a working interface, or sets up a test address.

use std::io;
use std::net::IpAddr;

use mpath_core::addr::IpPrefix;

use super::abi::{
    AF_INET, AF_INET6, IFA_ADDRESS, IFA_CACHEINFO, IFA_FLAGS, IFA_F_NODAD,
    IFA_F_NOPREFIXROUTE, IFA_LOCAL, INFINITY_LIFE_TIME, NLM_F_CREATE,
    NLM_F_EXCL, RTM_DELADDR, RTM_NEWADDR,
};
use super::msg::{ifaddrmsg, Request};
use super::NetlinkSocket;

/// How an address is added: a data address as it is, a test address
/// without a prefix route and deprecated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddFlags {
    /// `IFA_F_NOPREFIXROUTE`: no route to the address's subnet.
    pub no_prefix_route: bool,
    /// A preferred lifetime of 0 (the address is valid for ever): the
    /// kernel marks it `IFA_F_DEPRECATED`, and IPv6 source address
    /// selection avoids it (RFC 6724 rule 3).
    pub deprecated: bool,
}

impl AddFlags {
    /// A data address.
    pub const DATA: AddFlags = AddFlags {
        no_prefix_route: false,
        deprecated: false,
    };
    /// A test address.
    pub const TEST: AddFlags = AddFlags {
        no_prefix_route: true,
        deprecated: true,
    };
}

/// Adds `prefix` (address and subnet length) to interface `ifindex`.
///
/// * IPv6 addresses skip duplicate address detection (`IFA_F_NODAD`):
///   the daemon moves an address it owns from a failed interface, and
///   DAD would keep it unusable for a second or more (the kernel's
///   default, `dad_transmits` 1 × `retrans_time` 1 s) right when it is
///   needed.
/// * `no_prefix_route` (`IFA_F_NOPREFIXROUTE`) keeps the kernel from
///   adding a route to the address's subnet. Test addresses need it: a
///   second route to the data subnet through the test interface would
///   take over traffic that belongs to the data addresses.
/// * `deprecated`: `IFA_CACHEINFO` with a preferred lifetime of 0 and an
///   infinite valid one, as `ip addr add ... valid_lft forever
///   preferred_lft 0`: the kernel flags the address deprecated (IPv4
///   and IPv6; `ip addr` shows `deprecated`, and both lifetimes as
///   `forever`, since an address valid for ever is permanent), so that
///   applications do not choose a test address as their source.
///
/// An address that is already there counts as added (`EEXIST`); its
/// flags and lifetimes are left as they are (an address the operator
/// configured is the operator's).
///
/// `sock` is a request socket ([`NetlinkSocket::open_request`]).
///
/// # Errors
///
/// The kernel's errno (`ENODEV`: no such interface, `EINVAL`, `EPERM`
/// without `CAP_NET_ADMIN`, ...), or as the socket's requests.
pub fn add_address(
    sock: &mut NetlinkSocket,
    ifindex: u32,
    prefix: IpPrefix,
    how: AddFlags,
) -> io::Result<()> {
    let (family, octets) = family_and_octets(prefix.addr());
    let mut flags = 0;
    if family == AF_INET6 {
        flags |= IFA_F_NODAD;
    }
    if how.no_prefix_route {
        flags |= IFA_F_NOPREFIXROUTE;
    }
    let mut request = Request::new(
        RTM_NEWADDR,
        NLM_F_CREATE | NLM_F_EXCL,
        &ifaddrmsg(family, prefix.len(), ifindex),
    );
    if family == AF_INET {
        // Both, like ip(8): IFA_LOCAL is the address, IFA_ADDRESS the
        // "peer", the same on a broadcast link.
        request.attr(IFA_LOCAL, &octets);
    }
    request
        .attr(IFA_ADDRESS, &octets)
        .attr(IFA_FLAGS, &flags.to_ne_bytes());
    if how.deprecated {
        // struct ifa_cacheinfo: preferred 0, valid for ever; the
        // timestamps are the kernel's to fill.
        let mut info = Vec::with_capacity(16);
        for field in [0, INFINITY_LIFE_TIME, 0, 0] {
            info.extend_from_slice(&u32::to_ne_bytes(field));
        }
        request.attr(IFA_CACHEINFO, &info);
    }
    match sock.request_ack(request) {
        Err(err) if err.raw_os_error() == Some(libc::EEXIST) => Ok(()),
        res => res,
    }
}

/// Removes `prefix` (address and subnet length, as added) from interface
/// `ifindex`. An address or interface that is already gone
/// (`EADDRNOTAVAIL`, `ENODEV`) counts as removed.
///
/// Beware of a Linux rule: removing a *primary* IPv4 address (the first
/// on its subnet) also removes the *secondary* ones on the same subnet,
/// unless `net.ipv4.conf.<interface>.promote_secondaries` is 1.
///
/// # Errors
///
/// The kernel's errno (`EPERM` without `CAP_NET_ADMIN`, ...), or as the
/// socket's requests.
pub fn del_address(
    sock: &mut NetlinkSocket,
    ifindex: u32,
    prefix: IpPrefix,
) -> io::Result<()> {
    let (family, octets) = family_and_octets(prefix.addr());
    let mut request =
        Request::new(RTM_DELADDR, 0, &ifaddrmsg(family, prefix.len(), ifindex));
    if family == AF_INET {
        request.attr(IFA_LOCAL, &octets);
    }
    request.attr(IFA_ADDRESS, &octets);
    match sock.request_ack(request) {
        Err(err)
            if matches!(
                err.raw_os_error(),
                Some(libc::EADDRNOTAVAIL | libc::ENODEV)
            ) =>
        {
            Ok(())
        }
        res => res,
    }
}

/// The address family and the address in network byte order.
fn family_and_octets(addr: IpAddr) -> (u8, Vec<u8>) {
    match addr {
        IpAddr::V4(a) => (AF_INET, a.octets().to_vec()),
        IpAddr::V6(a) => (AF_INET6, a.octets().to_vec()),
    }
}
