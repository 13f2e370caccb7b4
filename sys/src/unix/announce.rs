//! The frames that tell a link where an address lives now: a gratuitous
//! ARP for IPv4, an unsolicited neighbour advertisement for IPv6, from
//! the hardware address that now hosts it.

use std::net::IpAddr;

use mpath_wire::MacAddr;

/// The announcement of `addr` at `mac`.
pub(crate) fn frame(mac: [u8; 6], addr: IpAddr) -> Vec<u8> {
    let mac = MacAddr(mac);
    match addr {
        IpAddr::V4(a) => mpath_wire::emit_gratuitous_arp(mac, a),
        IpAddr::V6(a) => mpath_wire::emit_unsolicited_na_frame(mac, a),
    }
}
