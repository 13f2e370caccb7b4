//! Helpers shared by the integration tests: an independent RFC 1071
//! checksum (so that the tests do not only trust smoltcp's) and fixtures
//! built from documentation addresses.
#![allow(dead_code)]

use std::net::{Ipv4Addr, Ipv6Addr};

use mpath_wire::{EchoProbe, MacAddr, ProbeKind, ProbePayload};

/// 192.0.2.1, a documentation address (RFC 5737).
pub const TARGET_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
/// 192.0.2.10, our test address.
pub const TEST_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
/// fe80::1, the target's link-local address.
pub const TARGET_V6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
/// fe80::a, our test address.
pub const TEST_V6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0xa);
/// A locally administered MAC.
pub const MAC_A: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
/// Another locally administered MAC.
pub const MAC_B: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);

/// The probe used by the known-answer tests.
pub fn sample_probe() -> EchoProbe {
    EchoProbe {
        id: 0x4d05,
        seq: 1,
        payload: ProbePayload {
            kind: ProbeKind::Uni,
            timestamp_ns: 0x0000_0012_3456_789a,
            nonce: 0x0123_4567_89ab_cdef,
        },
    }
}

/// The one's-complement sum of `data` as 16-bit big-endian words, folded.
pub fn ones_sum(data: &[u8]) -> u32 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|w| u32::from(w[0]) << 8 | u32::from(*w.get(1).unwrap_or(&0)))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum
}

/// Recompute the ICMP checksum (bytes 2..4) of an ICMPv4 message.
pub fn fix_icmpv4_checksum(icmp: &mut [u8]) {
    icmp[2] = 0;
    icmp[3] = 0;
    let ck = !(ones_sum(icmp) as u16);
    icmp[2..4].copy_from_slice(&ck.to_be_bytes());
}

/// The IPv6 pseudo-header for an ICMPv6 message of `len` bytes.
fn pseudo_header(src: Ipv6Addr, dst: Ipv6Addr, len: usize) -> Vec<u8> {
    let mut ph = Vec::with_capacity(40);
    ph.extend_from_slice(&src.octets());
    ph.extend_from_slice(&dst.octets());
    ph.extend_from_slice(&(len as u32).to_be_bytes());
    ph.extend_from_slice(&[0, 0, 0, 58]);
    ph
}

/// Whether an ICMPv6 message's checksum is right for `src` → `dst`.
pub fn icmpv6_checksum_ok(icmp: &[u8], src: Ipv6Addr, dst: Ipv6Addr) -> bool {
    let mut all = pseudo_header(src, dst, icmp.len());
    all.extend_from_slice(icmp);
    ones_sum(&all) == 0xffff
}

/// Recompute the checksum of an ICMPv6 message for `src` → `dst`.
pub fn fix_icmpv6_checksum(icmp: &mut [u8], src: Ipv6Addr, dst: Ipv6Addr) {
    icmp[2] = 0;
    icmp[3] = 0;
    let mut all = pseudo_header(src, dst, icmp.len());
    all.extend_from_slice(icmp);
    let ck = !(ones_sum(&all) as u16);
    icmp[2..4].copy_from_slice(&ck.to_be_bytes());
}
