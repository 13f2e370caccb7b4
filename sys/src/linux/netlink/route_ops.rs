//! Moving a gateway route from one interface to another: what mpathd
//! does when a member fails while a route (a default route, say) still
//! goes through it. The data addresses have moved; routes bound to the
//! failed member's device must follow, or off-link traffic is lost.
//!
//! The route is added through the new interface first and only then
//! removed from the old one, so that there is never a moment without it.

use std::io;
use std::net::IpAddr;

use mpath_core::addr::IpPrefix;

use super::abi::{
    AF_INET, AF_INET6, NLM_F_CREATE, RTA_DST, RTA_GATEWAY, RTA_OIF,
    RTM_DELROUTE, RTM_NEWROUTE, RTN_UNICAST, RT_TABLE_MAIN,
};
use super::msg::Request;
use super::NetlinkSocket;

/// `RTPROT_STATIC` (linux/rtnetlink.h): a route added by an
/// administrator (or a daemon acting for one), kept as such.
const RTPROT_STATIC: u8 = 4;
/// `RTPROT_UNSPEC`: in a delete request, "whoever added it".
const RTPROT_UNSPEC: u8 = 0;
/// `RT_SCOPE_UNIVERSE`: a route through a gateway.
const RT_SCOPE_UNIVERSE: u8 = 0;
/// `RT_SCOPE_NOWHERE`: in a delete request, "any scope" (as ip(8) does).
const RT_SCOPE_NOWHERE: u8 = 255;

/// An `rtmsg` for a main-table unicast route to `dst`. The kernel matches
/// a delete request's protocol and scope against the route's unless they
/// are "unspecified", so a delete says so (the route may have been added
/// by the administrator, DHCP or a router advertisement).
fn rtmsg(dst: IpPrefix, delete: bool) -> [u8; 12] {
    let family = match dst.addr() {
        IpAddr::V4(_) => AF_INET,
        IpAddr::V6(_) => AF_INET6,
    };
    // RT_TABLE_MAIN is 254: it fits the u8 field.
    let table = u8::try_from(RT_TABLE_MAIN).unwrap_or(u8::MAX);
    [
        family,
        dst.len(),
        0,
        0,
        table,
        if delete { RTPROT_UNSPEC } else { RTPROT_STATIC },
        if delete {
            RT_SCOPE_NOWHERE
        } else {
            RT_SCOPE_UNIVERSE
        },
        RTN_UNICAST,
        0,
        0,
        0,
        0,
    ]
}

fn octets(a: IpAddr) -> Vec<u8> {
    match a {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

fn request(
    kind: u16,
    flags: u16,
    dst: IpPrefix,
    gw: IpAddr,
    oif: u32,
) -> Request {
    let mut r = Request::new(kind, flags, &rtmsg(dst, kind == RTM_DELROUTE));
    if !dst.is_empty() {
        r.attr(RTA_DST, &octets(dst.addr()));
    }
    r.attr(RTA_GATEWAY, &octets(gw))
        .attr(RTA_OIF, &oif.to_ne_bytes());
    r
}

/// Moves the route to `dst` via `gateway` from interface `from` to
/// interface `to`. A route already there counts as added; one already
/// gone from `from` counts as removed.
pub fn move_route(
    sock: &mut NetlinkSocket,
    dst: IpPrefix,
    gateway: IpAddr,
    from: u32,
    to: u32,
) -> io::Result<()> {
    let add = request(RTM_NEWROUTE, NLM_F_CREATE, dst, gateway, to);
    match sock.request_ack(add) {
        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {}
        res => res?,
    }
    let del = request(RTM_DELROUTE, 0, dst, gateway, from);
    match sock.request_ack(del) {
        Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
        res => res,
    }
}
