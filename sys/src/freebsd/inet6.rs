//! IPv6 socket addresses and the ICMPv6 type filter as values, for the
//! ICMPv6 probe socket.

use std::mem::{offset_of, size_of};
use std::net::Ipv6Addr;

use crate::freebsd::abi::icmp6::icmp6_filter;
use crate::freebsd::abi::in6::{in6_addr, in6_addr_u6, sockaddr_in6};
use crate::freebsd::abi::socket::AF_INET6;

/// Whether a socket address for `addr` needs the interface as its scope:
/// link-local unicast (fe80::/10) and multicast of interface- or
/// link-local scope (ff01::/16, ff02::/16, any flags).
pub(crate) fn needs_scope(addr: Ipv6Addr) -> bool {
    let first = addr.segments()[0];
    let link_local_unicast = first & 0xffc0 == 0xfe80;
    let small_multicast =
        first & 0xff00 == 0xff00 && matches!(first & 0xf, 1 | 2);
    link_local_unicast || small_multicast
}

/// The socket address of `addr`, port 0, with `ifindex` as its scope if
/// it needs one.
pub(crate) fn sockaddr6(addr: Ipv6Addr, ifindex: u32) -> sockaddr_in6 {
    let mut sin6 = sockaddr_in6::zeroed();
    sin6.sin6_len = u8::try_from(size_of::<sockaddr_in6>()).unwrap_or(0);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6_addr {
        __u6_addr: in6_addr_u6 {
            __u6_addr8: addr.octets(),
        },
    };
    sin6.sin6_scope_id = if needs_scope(addr) { ifindex } else { 0 };
    sin6
}

/// The address in the `sockaddr_in6` whose bytes `recvmsg` wrote to
/// `name` (its `msg_namelen` of them), without scope. A KAME-embedded
/// zone in a scoped address (older kernels) is cleared.
pub(crate) fn parse_sockaddr6(name: &[u8]) -> Option<Ipv6Addr> {
    if name.len() < size_of::<sockaddr_in6>() {
        return None;
    }
    if name[offset_of!(sockaddr_in6, sin6_family)] != AF_INET6 {
        return None;
    }
    let at = offset_of!(sockaddr_in6, sin6_addr);
    let mut octets = [0; 16];
    octets.copy_from_slice(&name[at..at + 16]);
    if needs_scope(Ipv6Addr::from(octets)) {
        octets[2] = 0;
        octets[3] = 0;
    }
    Some(Ipv6Addr::from(octets))
}

/// The ICMPv6 filter that passes type `pass` only. FreeBSD's bits mean
/// "pass" (`ICMP6_FILTER_SETBLOCKALL` is all zeros, `_SETPASS` sets the
/// type's bit), the opposite of Linux's.
pub(crate) fn icmp6_pass_only(pass: u8) -> icmp6_filter {
    let mut filter = icmp6_filter::zeroed();
    filter.icmp6_filt[usize::from(pass / 32)] |= 1 << (pass % 32);
    filter
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::freebsd::abi::icmp6::ICMP6_ECHO_REPLY;

    fn bytes(sin6: &sockaddr_in6) -> Vec<u8> {
        let mut out = vec![0; size_of::<sockaddr_in6>()];
        out[0] = sin6.sin6_len;
        out[1] = sin6.sin6_family;
        let at = offset_of!(sockaddr_in6, sin6_addr);
        // SAFETY: every member of the union is plain bytes or integers
        // over the same 16 bytes; any bit pattern is valid for each.
        let octets = unsafe { sin6.sin6_addr.__u6_addr.__u6_addr8 };
        out[at..at + 16].copy_from_slice(&octets);
        let at = offset_of!(sockaddr_in6, sin6_scope_id);
        out[at..at + 4].copy_from_slice(&sin6.sin6_scope_id.to_ne_bytes());
        out
    }

    #[test]
    fn scoped_addresses_get_the_interface() {
        let scope = |a: &str| sockaddr6(a.parse().unwrap(), 7).sin6_scope_id;
        assert_eq!(scope("fe80::1"), 7);
        assert_eq!(scope("febf::1"), 7);
        assert_eq!(scope("ff02::1"), 7);
        assert_eq!(scope("ff12::1"), 7);
        assert_eq!(scope("ff01::1"), 7);
        assert_eq!(scope("::1"), 0);
        assert_eq!(scope("fec0::1"), 0);
        assert_eq!(scope("ff05::2"), 0);
        assert_eq!(scope("2001:db8::1"), 0);
        let sin6 = sockaddr6("fe80::1".parse().unwrap(), 7);
        assert_eq!(sin6.sin6_len, 28);
        assert_eq!(sin6.sin6_family, 28);
        assert_eq!(sin6.sin6_port, 0);
    }

    #[test]
    fn socket_addresses_round_trip_through_bytes() {
        for text in ["fe80::1", "2001:db8::7", "ff02::1"] {
            let addr: Ipv6Addr = text.parse().unwrap();
            let name = bytes(&sockaddr6(addr, 3));
            assert_eq!(parse_sockaddr6(&name), Some(addr));
            assert_eq!(parse_sockaddr6(&name[..27]), None);
            let mut v4 = name.clone();
            v4[1] = 2;
            assert_eq!(parse_sockaddr6(&v4), None);
        }
    }

    #[test]
    fn an_embedded_zone_is_cleared() {
        let embedded: Ipv6Addr = "fe80:4::1".parse().unwrap();
        let name = bytes(&sockaddr6(embedded, 4));
        assert_eq!(parse_sockaddr6(&name), Some("fe80::1".parse().unwrap()));
        let global: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let name = bytes(&sockaddr6(global, 4));
        assert_eq!(parse_sockaddr6(&name), Some(global));
    }

    #[test]
    fn the_filter_passes_echo_replies_only_with_bsd_bits() {
        let filter = icmp6_pass_only(ICMP6_ECHO_REPLY);
        // 129 = 4 * 32 + 1: word 4, bit 1; everything else blocked (0).
        assert_eq!(filter.icmp6_filt, [0, 0, 0, 0, 2, 0, 0, 0]);
        let passes = |t: u8| {
            filter.icmp6_filt[usize::from(t / 32)] & (1 << (t % 32)) != 0
        };
        assert!((0..=255).filter(|&t| passes(t)).eq([129]));
    }
}
