//! A whole [`KernelSnapshot`] from four dumps: links, addresses, IPv4
//! routes, IPv6 routes.
//!
//! The dumps are separate requests, so the kernel may change between
//! them: an address may name an interface the link dump did not have
//! yet, a route an interface that has just gone. Such entries are left
//! out. Whatever changed also sent an event, so the next snapshot, a
//! moment later, has them right.

use std::collections::HashMap;
use std::io;

use mpath_core::kernel::{KernelLink, KernelRoute, KernelSnapshot};

use super::abi::{
    AF_INET, AF_INET6, AF_UNSPEC, RTM_GETADDR, RTM_GETLINK, RTM_GETROUTE,
};
use super::msg::{
    ifaddrmsg, ifinfomsg, rtmsg, AddrMsg, LinkMsg, Message, RouteMsg,
};
use super::NetlinkSocket;

/// Every interface with its addresses, and every main-table route with
/// a gateway, as the kernel has them now.
///
/// Addresses that are tentative or whose duplicate address detection
/// failed are left out: the kernel will not use them as a source yet (or
/// ever), so neither can a probe. When detection completes the kernel
/// announces the address again and the next snapshot has it.
///
/// Routes are listed if they have both a gateway and an outgoing
/// interface (in.mpathd's router targets); connected routes and
/// multipath routes are not.
///
/// `sock` is a request socket ([`NetlinkSocket::open_request`]).
///
/// # Errors
///
/// As [`NetlinkSocket`]'s dumps: the kernel's errno, `TimedOut`,
/// `Interrupted` (the tables kept changing), `InvalidData` (a malformed
/// message) or a socket error.
pub fn snapshot(sock: &mut NetlinkSocket) -> io::Result<KernelSnapshot> {
    let links = sock.dump(RTM_GETLINK, &ifinfomsg(AF_UNSPEC))?;
    let addrs = sock.dump(RTM_GETADDR, &ifaddrmsg(AF_UNSPEC, 0, 0))?;
    let mut routes = sock.dump(RTM_GETROUTE, &rtmsg(AF_INET))?;
    routes.extend(sock.dump(RTM_GETROUTE, &rtmsg(AF_INET6))?);
    Ok(assemble(
        links.into_iter().filter_map(|m| match m {
            Message::NewLink(link) => Some(link),
            _ => None,
        }),
        addrs.into_iter().filter_map(|m| match m {
            Message::NewAddr(addr) => Some(addr),
            _ => None,
        }),
        routes.into_iter().filter_map(|m| match m {
            Message::NewRoute(route) => Some(route),
            _ => None,
        }),
    ))
}

/// Puts the dumps together; see [`snapshot()`] for what is left out.
fn assemble(
    links: impl IntoIterator<Item = LinkMsg>,
    addrs: impl IntoIterator<Item = AddrMsg>,
    routes: impl IntoIterator<Item = RouteMsg>,
) -> KernelSnapshot {
    let mut links: Vec<KernelLink> = links
        .into_iter()
        .map(|l| KernelLink {
            name: l.name,
            index: l.index,
            mac: l.mac,
            admin_up: l.admin_up,
            carrier: l.carrier,
            loopback: l.loopback,
            addrs: Vec::new(),
            // Linux has no interface groups in this sense.
            groups: Vec::new(),
        })
        .collect();
    let at: HashMap<u32, usize> = links
        .iter()
        .enumerate()
        .map(|(i, l)| (l.index, i))
        .collect();
    for addr in addrs {
        if addr.flags.tentative() || addr.flags.dad_failed() {
            continue;
        }
        let Some(&i) = at.get(&addr.index) else {
            continue;
        };
        let link = &mut links[i];
        if !link.addrs.contains(&addr.prefix) {
            link.addrs.push(addr.prefix);
        }
    }
    let routes = routes
        .into_iter()
        .filter_map(|r| {
            let &i = at.get(&r.oif?)?;
            Some(KernelRoute {
                dst: r.dst,
                gateway: r.gateway?,
                ifname: links[i].name.clone(),
            })
        })
        .collect();
    KernelSnapshot { links, routes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::netlink::msg::AddrFlags;

    fn link(index: u32, name: &str) -> LinkMsg {
        LinkMsg {
            index,
            name: name.into(),
            mac: None,
            admin_up: true,
            carrier: Some(true),
            loopback: false,
        }
    }

    fn addr(index: u32, prefix: &str, flags: u32) -> AddrMsg {
        AddrMsg {
            index,
            prefix: prefix.parse().unwrap(),
            flags: AddrFlags(flags),
        }
    }

    fn route(dst: &str, gw: Option<&str>, oif: Option<u32>) -> RouteMsg {
        RouteMsg {
            dst: dst.parse().unwrap(),
            gateway: gw.map(|g| g.parse().unwrap()),
            oif,
        }
    }

    #[test]
    fn assembles_links_addresses_and_gateway_routes() {
        let snap = assemble(
            [link(1, "lo"), link(2, "eth0"), link(3, "eth1")],
            [
                addr(1, "127.0.0.1/8", 0x80),
                addr(2, "192.0.2.10/24", 0x80),
                addr(2, "2001:db8::10/64", 0x80),
                addr(2, "2001:db8::11/64", 0x40), // tentative
                addr(3, "2001:db8::12/64", 0x48), // DAD failed
                addr(9, "198.51.100.1/24", 0),    // no such link
            ],
            [
                route("0.0.0.0/0", Some("192.0.2.1"), Some(2)),
                route("192.0.2.0/24", None, Some(2)), // connected
                route("203.0.113.0/24", Some("192.0.2.2"), None),
                route("::/0", Some("fe80::1"), Some(3)),
                route("::/0", Some("fe80::2"), Some(9)), // no such link
            ],
        );
        let names: Vec<_> = snap.links.iter().map(|l| &l.name[..]).collect();
        assert_eq!(names, ["lo", "eth0", "eth1"]);
        let eth0 = snap.link("eth0").unwrap();
        assert_eq!(
            eth0.addrs,
            [
                "192.0.2.10/24".parse().unwrap(),
                "2001:db8::10/64".parse().unwrap()
            ]
        );
        assert!(snap.link("eth1").unwrap().addrs.is_empty());
        assert_eq!(
            snap.routes,
            [
                KernelRoute {
                    dst: "0.0.0.0/0".parse().unwrap(),
                    gateway: "192.0.2.1".parse().unwrap(),
                    ifname: "eth0".into(),
                },
                KernelRoute {
                    dst: "::/0".parse().unwrap(),
                    gateway: "fe80::1".parse().unwrap(),
                    ifname: "eth1".into(),
                },
            ]
        );
    }
}
