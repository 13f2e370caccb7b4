//! Ethernet (MAC-48) addresses.
//!
//! A newtype of our own rather than smoltcp's `EthernetAddress`, so that the
//! public API of this crate does not change when smoltcp does. It prints
//! the way `ifconfig` and `ip link` do: `02:00:5e:10:00:01`.

use std::fmt;
use std::net::Ipv6Addr;

use smoltcp::wire::EthernetAddress;

/// A 6-byte Ethernet address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// `ff:ff:ff:ff:ff:ff`.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);

    /// `00:00:00:00:00:00`, as in the target hardware address of an ARP
    /// request.
    pub const ZERO: MacAddr = MacAddr([0; 6]);

    /// The six bytes.
    pub const fn octets(self) -> [u8; 6] {
        self.0
    }

    /// Whether the group bit (least significant bit of the first byte) is
    /// set; broadcast is a multicast address too.
    pub const fn is_multicast(self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// Whether this is `ff:ff:ff:ff:ff:ff`.
    pub fn is_broadcast(self) -> bool {
        self == MacAddr::BROADCAST
    }

    /// The Ethernet address an IPv6 multicast group maps to (RFC 2464 §7):
    /// `33:33` followed by the group's last four bytes.
    pub const fn ipv6_multicast(group: Ipv6Addr) -> MacAddr {
        let o = group.octets();
        MacAddr([0x33, 0x33, o[12], o[13], o[14], o[15]])
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MacAddr({self})")
    }
}

impl From<[u8; 6]> for MacAddr {
    fn from(octets: [u8; 6]) -> MacAddr {
        MacAddr(octets)
    }
}

impl From<MacAddr> for [u8; 6] {
    fn from(mac: MacAddr) -> [u8; 6] {
        mac.0
    }
}

impl From<EthernetAddress> for MacAddr {
    fn from(addr: EthernetAddress) -> MacAddr {
        MacAddr(addr.0)
    }
}

impl From<MacAddr> for EthernetAddress {
    fn from(mac: MacAddr) -> EthernetAddress {
        EthernetAddress(mac.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_colon_separated_lowercase_hex() {
        let mac = MacAddr([0x02, 0x00, 0x5e, 0xab, 0x0c, 0xff]);
        assert_eq!(mac.to_string(), "02:00:5e:ab:0c:ff");
        assert_eq!(format!("{mac:?}"), "MacAddr(02:00:5e:ab:0c:ff)");
    }

    #[test]
    fn ipv6_multicast_mapping() {
        let group: Ipv6Addr = "ff02::1:ff00:1234".parse().unwrap();
        assert_eq!(
            MacAddr::ipv6_multicast(group),
            MacAddr([0x33, 0x33, 0xff, 0x00, 0x12, 0x34])
        );
        assert!(MacAddr::ipv6_multicast(group).is_multicast());
        assert!(MacAddr::BROADCAST.is_broadcast());
        assert!(!MacAddr([0x02, 0, 0, 0, 0, 1]).is_multicast());
    }
}
