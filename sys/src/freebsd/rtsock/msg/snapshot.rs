//! A whole [`KernelSnapshot`] from the two routing sysctls: interfaces
//! and their addresses (`NET_RT_IFLISTL`), and the routing table
//! (`NET_RT_DUMP`).

use std::collections::HashMap;

use mpath_core::kernel::{KernelLink, KernelRoute, KernelSnapshot};

use super::{messages, Message, RtsockError};

/// Puts the answers of `NET_RT_IFLISTL` (`iflist`) and `NET_RT_DUMP`
/// (`routes`) together.
///
/// * Each `RTM_IFINFO` entry is a link, named by its `RTA_IFP`
///   link-level address (an entry without one is left out); the
///   `RTM_NEWADDR` entries after it are its IPv4 and IPv6 addresses
///   (matched by index; duplicates dropped).
/// * Routes are listed if they go through an IPv4 or IPv6 gateway
///   (in.mpathd's router targets) and name an interface of `iflist`.
///
/// The two sysctls are separate reads, so the kernel may change between
/// them; a route naming an interface that has just appeared is left
/// out, and the event that change sent brings the next snapshot.
///
/// Whether IPv6 addresses are usable (tentative, duplicated) is not in
/// these messages; the FreeBSD `snapshot()` asks the kernel about each.
///
/// # Errors
///
/// The first malformed message of either buffer.
pub fn assemble(
    iflist: &[u8],
    routes: &[u8],
) -> Result<KernelSnapshot, RtsockError> {
    let mut links: Vec<KernelLink> = Vec::new();
    let mut at: HashMap<u32, usize> = HashMap::new();
    for raw in messages(iflist) {
        match raw?.parse_iflistl()? {
            Message::IfInfo(link) => {
                let Some(name) = link.name else {
                    continue;
                };
                at.insert(link.index, links.len());
                links.push(KernelLink {
                    name,
                    index: link.index,
                    mac: link.mac,
                    admin_up: link.admin_up,
                    carrier: link.carrier,
                    loopback: link.loopback,
                    addrs: Vec::new(),
                    groups: Vec::new(),
                });
            }
            Message::NewAddr(addr) => {
                let Some(link) = at.get(&addr.index).map(|&i| &mut links[i])
                else {
                    continue;
                };
                if !link.addrs.contains(&addr.prefix) {
                    link.addrs.push(addr.prefix);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for raw in messages(routes) {
        let Message::Route(_, route) = raw?.parse()? else {
            continue;
        };
        let (Some(gateway), Some(&i)) = (route.gateway, at.get(&route.index))
        else {
            continue;
        };
        found.push(KernelRoute {
            dst: route.dst,
            gateway,
            ifname: links[i].name.clone(),
        });
    }
    Ok(KernelSnapshot {
        links,
        routes: found,
    })
}
