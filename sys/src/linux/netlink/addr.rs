//! Adding and removing addresses: what mpathd does when it moves a data
//! address to a working interface, or sets up a test address.

use std::io;
use std::net::IpAddr;

use mpath_core::addr::IpPrefix;

use super::abi::{
    AF_INET, AF_INET6, IFA_ADDRESS, IFA_FLAGS, IFA_F_NODAD,
    IFA_F_NOPREFIXROUTE, IFA_LOCAL, NLM_F_CREATE, NLM_F_EXCL, RTM_DELADDR,
    RTM_NEWADDR,
};
use super::msg::{ifaddrmsg, Request};
use super::NetlinkSocket;

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
///
/// An address that is already there counts as added (`EEXIST`); its
/// flags are left as they are.
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
    no_prefix_route: bool,
) -> io::Result<()> {
    let (family, octets) = family_and_octets(prefix.addr());
    let mut flags = 0;
    if family == AF_INET6 {
        flags |= IFA_F_NODAD;
    }
    if no_prefix_route {
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
