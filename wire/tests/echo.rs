//! ICMP and ICMPv6 echo: known answers, round trips, and the replies a
//! prober must refuse.

mod common;

use common::*;
use mpath_wire::{
    emit_icmpv4_echo_reply, emit_icmpv4_echo_request, emit_icmpv6_echo_reply,
    emit_icmpv6_echo_request, emit_icmpv6_echo_request_checksummed,
    parse_icmpv4_echo_reply, parse_icmpv6_echo_reply,
    parse_icmpv6_echo_reply_unverified, write_icmpv4_echo_request,
    write_icmpv6_echo_request, EchoReplyV4, ProbeKind, WireError,
    ECHO_REQUEST_LEN,
};

/// The sample probe's echo request, byte by byte.
///
/// Checksum by hand: the 16-bit words other than the checksum are
/// 0800 4d05 0001 | 0000 0012 3456 789a | 0000 1234 0000 0000 |
/// 0123 4567 89ab cdef. Their sum is 0x2b260; folding the carry gives
/// 0xb260 + 0x2 = 0xb262, whose complement is 0x4d9d.
const REQUEST_V4: [u8; 32] = [
    0x08, 0x00, 0x4d, 0x9d, 0x4d, 0x05, 0x00,
    0x01, // type code cksum id seq
    0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, // timestamp
    0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00, // kind, reserved
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, // nonce
];

/// The reply to it: type 0, so the checksum grows by 0x0800 to 0x559d.
const REPLY_ICMP_V4: [u8; 32] = [
    0x00, 0x00, 0x55, 0x9d, 0x4d, 0x05, 0x00, 0x01, //
    0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, //
    0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00, //
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, //
];

/// An IPv4 header from 192.0.2.1 to 192.0.2.10, TTL 64, as FreeBSD's raw
/// socket may hand it over: `ip_len` in host (little-endian) order and
/// without the header (0x0020 = 32 → bytes 20 00), header checksum not
/// meaningful.
const FREEBSD_IP_HEADER: [u8; 20] = [
    0x45, 0x00, 0x20, 0x00, 0x00, 0x00, 0x40, 0x00, //
    0x40, 0x01, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, //
    0xc0, 0x00, 0x02, 0x0a,
];

fn datagram(header: &[u8], icmp: &[u8]) -> Vec<u8> {
    let mut out = header.to_vec();
    out.extend_from_slice(icmp);
    out
}

fn sample_reply() -> EchoReplyV4 {
    EchoReplyV4 {
        src: TARGET_V4,
        dst: TEST_V4,
        ttl: 64,
        probe: sample_probe(),
    }
}

#[test]
fn icmpv4_echo_request_known_answer() {
    assert_eq!(emit_icmpv4_echo_request(&sample_probe()), REQUEST_V4);
    assert_eq!(ones_sum(&REQUEST_V4), 0xffff);
    assert_eq!(ones_sum(&REPLY_ICMP_V4), 0xffff);
}

#[test]
fn echo_requests_written_into_a_used_buffer_are_the_emitted_ones() {
    // A buffer reused from an earlier probe: every byte is overwritten.
    let mut out = [0xa5; ECHO_REQUEST_LEN];
    write_icmpv4_echo_request(&sample_probe(), &mut out);
    assert_eq!(out, REQUEST_V4);
    let mut out = [0xa5; ECHO_REQUEST_LEN];
    write_icmpv6_echo_request(&sample_probe(), &mut out);
    assert_eq!(out[..], emit_icmpv6_echo_request(&sample_probe())[..]);
    assert_eq!(out[2..4], [0, 0], "checksum left to the kernel");
}

#[test]
fn icmpv4_reply_known_bytes_ignores_ip_length_and_header_checksum() {
    let buf = datagram(&FREEBSD_IP_HEADER, &REPLY_ICMP_V4);
    assert_eq!(parse_icmpv4_echo_reply(&buf), Ok(sample_reply()));
}

#[test]
fn icmpv4_reply_round_trip() {
    let reply = sample_reply();
    let buf = emit_icmpv4_echo_reply(&reply);
    assert_eq!(buf.len(), 20 + 32);
    assert_eq!(buf[20..], REPLY_ICMP_V4);
    assert_eq!(parse_icmpv4_echo_reply(&buf), Ok(reply));
}

#[test]
fn icmpv4_reply_after_ip_options() {
    // IHL 6: four bytes of options (here NOPs and an end-of-list).
    let mut header = FREEBSD_IP_HEADER.to_vec();
    header[0] = 0x46;
    header.extend_from_slice(&[1, 1, 1, 0]);
    let buf = datagram(&header, &REPLY_ICMP_V4);
    assert_eq!(parse_icmpv4_echo_reply(&buf), Ok(sample_reply()));
}

#[test]
fn icmpv4_longer_echo_data_is_accepted() {
    let mut icmp = REPLY_ICMP_V4.to_vec();
    icmp.extend_from_slice(&[0xaa; 8]);
    fix_icmpv4_checksum(&mut icmp);
    let buf = datagram(&FREEBSD_IP_HEADER, &icmp);
    assert_eq!(parse_icmpv4_echo_reply(&buf), Ok(sample_reply()));
}

#[test]
fn icmpv4_own_request_is_not_a_reply() {
    // A looped-back or spoofed echo request must never count as a reply.
    let buf = datagram(&FREEBSD_IP_HEADER, &REQUEST_V4);
    assert_eq!(
        parse_icmpv4_echo_reply(&buf),
        Err(WireError::NotEchoReply { icmp_type: 8 })
    );
}

#[test]
fn icmpv4_other_icmp_is_not_a_reply() {
    // Destination unreachable (type 3) quoting some datagram.
    let mut icmp = vec![3, 1, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&FREEBSD_IP_HEADER);
    icmp.extend_from_slice(&REQUEST_V4[..8]);
    fix_icmpv4_checksum(&mut icmp);
    let buf = datagram(&FREEBSD_IP_HEADER, &icmp);
    assert_eq!(
        parse_icmpv4_echo_reply(&buf),
        Err(WireError::NotEchoReply { icmp_type: 3 })
    );
}

#[test]
fn icmpv4_corrupted_checksum() {
    for i in 4..REPLY_ICMP_V4.len() {
        let mut icmp = REPLY_ICMP_V4;
        icmp[i] ^= 0x01;
        let buf = datagram(&FREEBSD_IP_HEADER, &icmp);
        assert_eq!(
            parse_icmpv4_echo_reply(&buf),
            Err(WireError::BadChecksum { protocol: "ICMP" }),
            "flipped a bit in byte {i}"
        );
    }
}

#[test]
fn icmpv4_nonzero_code() {
    let mut icmp = REPLY_ICMP_V4;
    icmp[1] = 3;
    fix_icmpv4_checksum(&mut icmp);
    let buf = datagram(&FREEBSD_IP_HEADER, &icmp);
    assert_eq!(
        parse_icmpv4_echo_reply(&buf),
        Err(WireError::BadCode {
            icmp_type: 0,
            code: 3
        })
    );
}

#[test]
fn icmpv4_truncated_echo_data_is_too_short() {
    // No data, in.mpathd's own 12 or 16 bytes, or a target that cut ours.
    for len in [0, 8, 12, 16, 20, 23] {
        let mut icmp = REPLY_ICMP_V4[..8 + len].to_vec();
        fix_icmpv4_checksum(&mut icmp);
        let buf = datagram(&FREEBSD_IP_HEADER, &icmp);
        assert_eq!(
            parse_icmpv4_echo_reply(&buf),
            Err(WireError::TooShort { len, need: 24 })
        );
    }
}

#[test]
fn icmpv4_unknown_probe_kind() {
    let mut icmp = REPLY_ICMP_V4;
    icmp[18] = 0x43; // kind 0x4334
    fix_icmpv4_checksum(&mut icmp);
    let buf = datagram(&FREEBSD_IP_HEADER, &icmp);
    assert_eq!(
        parse_icmpv4_echo_reply(&buf),
        Err(WireError::UnknownProbeKind { kind: 0x4334 })
    );
}

#[test]
fn icmpv4_bad_ip_headers() {
    let good = datagram(&FREEBSD_IP_HEADER, &REPLY_ICMP_V4);

    assert_eq!(
        parse_icmpv4_echo_reply(&good[..19]),
        Err(WireError::Truncated {
            what: "IPv4 header",
            len: 19,
            need: 20
        })
    );

    let mut v6 = good.clone();
    v6[0] = 0x65;
    assert_eq!(
        parse_icmpv4_echo_reply(&v6),
        Err(WireError::BadIpVersion {
            expected: 4,
            found: 6
        })
    );

    let mut small_ihl = good.clone();
    small_ihl[0] = 0x44;
    assert_eq!(
        parse_icmpv4_echo_reply(&small_ihl),
        Err(WireError::BadIpv4HeaderLength {
            header_len: 16,
            len: 52
        })
    );

    let mut big_ihl = good[..24].to_vec();
    big_ihl[0] = 0x4f;
    assert_eq!(
        parse_icmpv4_echo_reply(&big_ihl),
        Err(WireError::BadIpv4HeaderLength {
            header_len: 60,
            len: 24
        })
    );

    let mut udp = good.clone();
    udp[9] = 17;
    assert_eq!(
        parse_icmpv4_echo_reply(&udp),
        Err(WireError::WrongProtocol { protocol: 17 })
    );

    assert_eq!(
        parse_icmpv4_echo_reply(&good[..27]),
        Err(WireError::Truncated {
            what: "ICMP echo header",
            len: 7,
            need: 8
        })
    );
}

#[test]
fn icmpv6_echo_request_leaves_checksum_to_the_kernel() {
    let probe = sample_probe();
    let msg = emit_icmpv6_echo_request(&probe);
    let mut expected = REQUEST_V4;
    expected[0] = 128;
    expected[2] = 0;
    expected[3] = 0;
    assert_eq!(msg, expected);
}

#[test]
fn icmpv6_checksummed_request_verifies_independently() {
    let msg = emit_icmpv6_echo_request_checksummed(
        &sample_probe(),
        TEST_V6,
        TARGET_V6,
    );
    assert_eq!(msg[0], 128);
    assert_ne!(msg[2..4], [0, 0]);
    assert!(icmpv6_checksum_ok(&msg, TEST_V6, TARGET_V6));
    // (Swapping src and dst would not change the sum; another address
    // does.)
    let other: std::net::Ipv6Addr = "2001:db8::1".parse().unwrap();
    assert!(!icmpv6_checksum_ok(&msg, other, TARGET_V6));
    // Apart from the checksum it is the kernel-checksummed form.
    let mut unchecked = msg.clone();
    unchecked[2..4].copy_from_slice(&[0, 0]);
    assert_eq!(unchecked, emit_icmpv6_echo_request(&sample_probe()));
}

#[test]
fn icmpv6_reply_round_trip() {
    let probe = sample_probe();
    let msg = emit_icmpv6_echo_reply(&probe, TARGET_V6, TEST_V6);
    assert_eq!(msg[0], 129);
    assert!(icmpv6_checksum_ok(&msg, TARGET_V6, TEST_V6));
    assert_eq!(parse_icmpv6_echo_reply(&msg, TARGET_V6, TEST_V6), Ok(probe));
    assert_eq!(parse_icmpv6_echo_reply_unverified(&msg), Ok(probe));
}

#[test]
fn icmpv6_reply_from_a_spoofed_source_fails_the_checksum() {
    let probe = sample_probe();
    let msg = emit_icmpv6_echo_reply(&probe, TARGET_V6, TEST_V6);
    let other: std::net::Ipv6Addr = "fe80::2".parse().unwrap();
    assert_eq!(
        parse_icmpv6_echo_reply(&msg, other, TEST_V6),
        Err(WireError::BadChecksum { protocol: "ICMPv6" })
    );
}

#[test]
fn icmpv6_corrupted_checksum() {
    let mut msg = emit_icmpv6_echo_reply(&sample_probe(), TARGET_V6, TEST_V6);
    msg[30] ^= 0x80;
    assert_eq!(
        parse_icmpv6_echo_reply(&msg, TARGET_V6, TEST_V6),
        Err(WireError::BadChecksum { protocol: "ICMPv6" })
    );
    // Without verification the corruption reaches the nonce.
    let parsed = parse_icmpv6_echo_reply_unverified(&msg).unwrap();
    assert_ne!(parsed.payload.nonce, sample_probe().payload.nonce);
}

#[test]
fn icmpv6_request_and_short_messages() {
    let request = emit_icmpv6_echo_request(&sample_probe());
    assert_eq!(
        parse_icmpv6_echo_reply_unverified(&request),
        Err(WireError::NotEchoReply { icmp_type: 128 })
    );
    let reply = emit_icmpv6_echo_reply(&sample_probe(), TARGET_V6, TEST_V6);
    assert_eq!(
        parse_icmpv6_echo_reply_unverified(&reply[..7]),
        Err(WireError::Truncated {
            what: "ICMPv6 echo header",
            len: 7,
            need: 8
        })
    );
    let mut short = reply[..8 + 20].to_vec();
    fix_icmpv6_checksum(&mut short, TARGET_V6, TEST_V6);
    assert_eq!(
        parse_icmpv6_echo_reply(&short, TARGET_V6, TEST_V6),
        Err(WireError::TooShort { len: 20, need: 24 })
    );
}

#[test]
fn icmpv6_nonzero_code_and_unknown_kind() {
    let reply = emit_icmpv6_echo_reply(&sample_probe(), TARGET_V6, TEST_V6);
    let mut coded = reply.clone();
    coded[1] = 1;
    fix_icmpv6_checksum(&mut coded, TARGET_V6, TEST_V6);
    assert_eq!(
        parse_icmpv6_echo_reply(&coded, TARGET_V6, TEST_V6),
        Err(WireError::BadCode {
            icmp_type: 129,
            code: 1
        })
    );
    let mut kind = reply;
    kind[16..20].copy_from_slice(&[0, 0, 0, 0]);
    fix_icmpv6_checksum(&mut kind, TARGET_V6, TEST_V6);
    assert_eq!(
        parse_icmpv6_echo_reply(&kind, TARGET_V6, TEST_V6),
        Err(WireError::UnknownProbeKind { kind: 0 })
    );
}

#[test]
fn every_probe_kind_round_trips() {
    for kind in [ProbeKind::Uni, ProbeKind::Multi, ProbeKind::Rtt] {
        let mut probe = sample_probe();
        probe.payload.kind = kind;
        let reply = EchoReplyV4 {
            probe,
            ..sample_reply()
        };
        let buf = emit_icmpv4_echo_reply(&reply);
        assert_eq!(parse_icmpv4_echo_reply(&buf), Ok(reply));
    }
}
