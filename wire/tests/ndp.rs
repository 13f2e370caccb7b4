//! Neighbour solicitations and advertisements: layout, round trips, and the
//! RFC 4861 §7.1 receiver checks.

mod common;

use std::net::Ipv6Addr;

use common::*;
use mpath_wire::{
    emit_ndp_frame, emit_neighbor_solicitation,
    emit_neighbor_solicitation_frame, emit_unsolicited_na,
    emit_unsolicited_na_frame, parse_ndp_frame, solicited_node_multicast,
    MacAddr, NaFlags, NdpFrame, NdpMessage, WireError,
};

/// Offsets into an Ethernet + IPv6 frame.
const IP: usize = 14;
const PAYLOAD_LEN: usize = IP + 4;
const NEXT_HEADER: usize = IP + 6;
const HOP_LIMIT: usize = IP + 7;
const ICMP: usize = IP + 40;

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// The ICMPv6 part of a frame, with its checksum recomputed after an edit.
fn refix(frame: &mut [u8]) {
    let src =
        Ipv6Addr::from(<[u8; 16]>::try_from(&frame[IP + 8..IP + 24]).unwrap());
    let dst =
        Ipv6Addr::from(<[u8; 16]>::try_from(&frame[IP + 24..IP + 40]).unwrap());
    fix_icmpv6_checksum(&mut frame[ICMP..], src, dst);
}

#[test]
fn neighbor_solicitation_frame_layout() {
    let target = addr("2001:db8::1:2:3");
    let frame = emit_neighbor_solicitation_frame(MAC_A, TEST_V6, target);
    let group = addr("ff02::1:ff02:3");
    assert_eq!(solicited_node_multicast(target), group);

    assert_eq!(frame.len(), 14 + 40 + 32);
    assert_eq!(frame[0..6], [0x33, 0x33, 0xff, 0x02, 0x00, 0x03]);
    assert_eq!(frame[6..12], MAC_A.0);
    assert_eq!(frame[12..14], [0x86, 0xdd]);
    assert_eq!(frame[IP] >> 4, 6);
    assert_eq!(frame[PAYLOAD_LEN..PAYLOAD_LEN + 2], [0, 32]);
    assert_eq!(frame[NEXT_HEADER], 58);
    assert_eq!(frame[HOP_LIMIT], 255);
    assert_eq!(frame[IP + 8..IP + 24], TEST_V6.octets());
    assert_eq!(frame[IP + 24..IP + 40], group.octets());

    let icmp = &frame[ICMP..];
    assert_eq!(icmp[0..2], [135, 0]);
    assert_eq!(icmp[4..8], [0, 0, 0, 0]);
    assert_eq!(icmp[8..24], target.octets());
    assert_eq!(icmp[24..26], [1, 1]); // source link-layer address, 8 bytes
    assert_eq!(icmp[26..32], MAC_A.0);
    assert!(icmpv6_checksum_ok(icmp, TEST_V6, group));
}

#[test]
fn neighbor_solicitation_round_trip() {
    let frame = emit_neighbor_solicitation_frame(MAC_A, TEST_V6, TARGET_V6);
    let parsed = parse_ndp_frame(&frame).unwrap();
    assert_eq!(
        parsed,
        NdpFrame {
            eth_src: MAC_A,
            eth_dst: MacAddr([0x33, 0x33, 0xff, 0, 0, 1]),
            ip_src: TEST_V6,
            ip_dst: addr("ff02::1:ff00:1"),
            message: NdpMessage::NeighborSolicit {
                target: TARGET_V6,
                source_mac: Some(MAC_A),
            },
        }
    );
    assert_eq!(emit_ndp_frame(&parsed), frame);
}

#[test]
fn dad_solicitation_has_no_source_link_layer_option() {
    let frame =
        emit_neighbor_solicitation_frame(MAC_A, Ipv6Addr::UNSPECIFIED, TEST_V6);
    assert_eq!(frame.len(), 14 + 40 + 24);
    let parsed = parse_ndp_frame(&frame).unwrap();
    assert_eq!(
        parsed.message,
        NdpMessage::NeighborSolicit {
            target: TEST_V6,
            source_mac: None
        }
    );
}

#[test]
fn unsolicited_na_frame_layout_and_round_trip() {
    let ip = addr("2001:db8::10");
    let frame = emit_unsolicited_na_frame(MAC_B, ip);
    assert_eq!(frame.len(), 14 + 40 + 32);
    assert_eq!(frame[0..6], [0x33, 0x33, 0, 0, 0, 1]);
    assert_eq!(frame[6..12], MAC_B.0);
    assert_eq!(frame[HOP_LIMIT], 255);
    assert_eq!(frame[IP + 24..IP + 40], addr("ff02::1").octets());
    let icmp = &frame[ICMP..];
    assert_eq!(icmp[0..2], [136, 0]);
    assert_eq!(icmp[4], 0x20, "Override only: R=0 S=0 O=1");
    assert_eq!(icmp[8..24], ip.octets());
    assert_eq!(icmp[24..26], [2, 1]); // target link-layer address
    assert_eq!(icmp[26..32], MAC_B.0);
    assert!(icmpv6_checksum_ok(icmp, ip, addr("ff02::1")));

    let parsed = parse_ndp_frame(&frame).unwrap();
    assert_eq!(
        parsed.message,
        NdpMessage::NeighborAdvert {
            target: ip,
            flags: NaFlags {
                router: false,
                solicited: false,
                override_: true
            },
            target_mac: Some(MAC_B),
        }
    );
    assert_eq!(emit_ndp_frame(&parsed), frame);
}

#[test]
fn message_only_variants_leave_the_checksum_to_the_kernel() {
    let ip = addr("2001:db8::10");
    let mut from_frame = emit_unsolicited_na_frame(MAC_B, ip)[ICMP..].to_vec();
    from_frame[2..4].copy_from_slice(&[0, 0]);
    assert_eq!(emit_unsolicited_na(MAC_B, ip), from_frame);

    let mut ns = emit_neighbor_solicitation_frame(MAC_A, TEST_V6, TARGET_V6)
        [ICMP..]
        .to_vec();
    ns[2..4].copy_from_slice(&[0, 0]);
    assert_eq!(emit_neighbor_solicitation(MAC_A, TARGET_V6), ns);
}

#[test]
fn solicited_unicast_advert_round_trip_with_padding() {
    let na = NdpFrame {
        eth_src: MAC_B,
        eth_dst: MAC_A,
        ip_src: TARGET_V6,
        ip_dst: TEST_V6,
        message: NdpMessage::NeighborAdvert {
            target: TARGET_V6,
            flags: NaFlags {
                router: true,
                solicited: true,
                override_: false,
            },
            target_mac: None,
        },
    };
    let mut frame = emit_ndp_frame(&na);
    frame.extend_from_slice(&[0; 4]); // trailing bytes past the IPv6 payload
    assert_eq!(parse_ndp_frame(&frame), Ok(na));
}

#[test]
fn forwarded_message_is_refused() {
    // Hop limit 254: a router forwarded it, so it may come from anywhere.
    // The hop limit is not covered by the checksum.
    let mut frame = emit_unsolicited_na_frame(MAC_B, TARGET_V6);
    frame[HOP_LIMIT] = 254;
    assert_eq!(
        parse_ndp_frame(&frame),
        Err(WireError::BadHopLimit { hop_limit: 254 })
    );
}

#[test]
fn corrupted_checksum() {
    let frame = emit_neighbor_solicitation_frame(MAC_A, TEST_V6, TARGET_V6);
    for i in ICMP + 4..frame.len() {
        let mut bad = frame.clone();
        bad[i] ^= 0x04;
        assert_eq!(
            parse_ndp_frame(&bad),
            Err(WireError::BadChecksum { protocol: "ICMPv6" }),
            "flipped a bit in byte {i}"
        );
    }
    // Changing a pseudo-header address (spoofing the source) breaks it too.
    let mut spoofed = frame;
    spoofed[IP + 23] ^= 0x01;
    assert_eq!(
        parse_ndp_frame(&spoofed),
        Err(WireError::BadChecksum { protocol: "ICMPv6" })
    );
}

#[test]
fn short_and_foreign_frames() {
    let frame = emit_neighbor_solicitation_frame(MAC_A, TEST_V6, TARGET_V6);
    assert!(matches!(
        parse_ndp_frame(&frame[..10]),
        Err(WireError::Truncated {
            what: "Ethernet header",
            ..
        })
    ));
    assert!(matches!(
        parse_ndp_frame(&frame[..ICMP - 1]),
        Err(WireError::Truncated {
            what: "IPv6 header",
            ..
        })
    ));
    assert_eq!(
        parse_ndp_frame(&frame[..frame.len() - 1]),
        Err(WireError::Truncated {
            what: "IPv6 packet",
            len: 40 + 31,
            need: 40 + 32
        })
    );

    let mut arp = frame.clone();
    arp[12..14].copy_from_slice(&[0x08, 0x06]);
    assert_eq!(
        parse_ndp_frame(&arp),
        Err(WireError::UnexpectedEtherType {
            ethertype: 0x0806,
            expected: "IPv6"
        })
    );

    let mut v4 = frame.clone();
    v4[IP] = 0x45;
    assert_eq!(
        parse_ndp_frame(&v4),
        Err(WireError::BadIpVersion {
            expected: 6,
            found: 4
        })
    );

    let mut udp = frame.clone();
    udp[NEXT_HEADER] = 17;
    assert_eq!(
        parse_ndp_frame(&udp),
        Err(WireError::WrongProtocol { protocol: 17 })
    );

    let mut echo = frame.clone();
    echo[ICMP] = 128;
    refix(&mut echo);
    assert_eq!(
        parse_ndp_frame(&echo),
        Err(WireError::NotNeighborDiscovery { icmp_type: 128 })
    );

    // An NS cut to 20 bytes of ICMPv6, with lengths and checksum fixed up.
    let mut cut = frame[..ICMP + 20].to_vec();
    cut[PAYLOAD_LEN..PAYLOAD_LEN + 2].copy_from_slice(&[0, 20]);
    refix(&mut cut);
    assert_eq!(
        parse_ndp_frame(&cut),
        Err(WireError::Truncated {
            what: "neighbour discovery message",
            len: 20,
            need: 24
        })
    );
}

#[test]
fn nonzero_code() {
    let mut frame = emit_unsolicited_na_frame(MAC_B, TARGET_V6);
    frame[ICMP + 1] = 1;
    refix(&mut frame);
    assert_eq!(
        parse_ndp_frame(&frame),
        Err(WireError::BadCode {
            icmp_type: 136,
            code: 1
        })
    );
}

#[test]
fn zero_length_option() {
    let mut frame = emit_neighbor_solicitation_frame(MAC_A, TEST_V6, TARGET_V6);
    frame[ICMP + 25] = 0;
    refix(&mut frame);
    assert_eq!(parse_ndp_frame(&frame), Err(WireError::BadNdpOption));
}

#[test]
fn option_running_past_the_message() {
    let mut frame = emit_neighbor_solicitation_frame(MAC_A, TEST_V6, TARGET_V6);
    frame[ICMP + 25] = 2; // claims 16 bytes, 8 are there
    refix(&mut frame);
    assert_eq!(parse_ndp_frame(&frame), Err(WireError::BadNdpOption));
}

#[test]
fn multicast_target() {
    let frame = emit_ndp_frame(&NdpFrame {
        eth_src: MAC_A,
        eth_dst: MacAddr::ipv6_multicast(addr("ff02::1")),
        ip_src: TEST_V6,
        ip_dst: addr("ff02::1"),
        message: NdpMessage::NeighborSolicit {
            target: addr("ff02::2"),
            source_mac: Some(MAC_A),
        },
    });
    assert_eq!(
        parse_ndp_frame(&frame),
        Err(WireError::MulticastTarget {
            target: addr("ff02::2")
        })
    );
}

#[test]
fn dad_solicitation_rules() {
    let group = solicited_node_multicast(TEST_V6);
    let dad = |ip_dst, source_mac| NdpFrame {
        eth_src: MAC_A,
        eth_dst: MacAddr::ipv6_multicast(ip_dst),
        ip_src: Ipv6Addr::UNSPECIFIED,
        ip_dst,
        message: NdpMessage::NeighborSolicit {
            target: TEST_V6,
            source_mac,
        },
    };
    assert!(parse_ndp_frame(&emit_ndp_frame(&dad(group, None))).is_ok());
    assert!(matches!(
        parse_ndp_frame(&emit_ndp_frame(&dad(group, Some(MAC_A)))),
        Err(WireError::NdpRule { .. })
    ));
    assert!(matches!(
        parse_ndp_frame(&emit_ndp_frame(&dad(addr("ff02::1"), None))),
        Err(WireError::NdpRule { .. })
    ));
}

#[test]
fn solicited_advert_to_multicast() {
    let frame = emit_ndp_frame(&NdpFrame {
        eth_src: MAC_B,
        eth_dst: MacAddr::ipv6_multicast(addr("ff02::1")),
        ip_src: TARGET_V6,
        ip_dst: addr("ff02::1"),
        message: NdpMessage::NeighborAdvert {
            target: TARGET_V6,
            flags: NaFlags {
                solicited: true,
                ..NaFlags::default()
            },
            target_mac: Some(MAC_B),
        },
    });
    assert!(matches!(
        parse_ndp_frame(&frame),
        Err(WireError::NdpRule { .. })
    ));
}
