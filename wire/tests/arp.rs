//! Ethernet/ARP frames: known answers, round trips, and what is refused.

mod common;

use std::net::Ipv4Addr;

use common::*;
use mpath_wire::{
    emit_arp_frame, emit_arp_request, emit_gratuitous_arp, parse_arp_frame,
    ArpFrame, ArpOp, MacAddr, WireError,
};

/// Gratuitous ARP (request form) for 192.0.2.1 at 02:00:00:00:00:01.
const GARP: [u8; 42] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Ethernet dst: broadcast
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // Ethernet src
    0x08, 0x06, // EtherType ARP
    0x00, 0x01, // hardware: Ethernet
    0x08, 0x00, // protocol: IPv4
    0x06, 0x04, // address lengths
    0x00, 0x01, // operation: request
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // sender MAC
    0xc0, 0x00, 0x02, 0x01, // sender IP 192.0.2.1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // target MAC: zero
    0xc0, 0x00, 0x02, 0x01, // target IP = sender IP
];

#[test]
fn gratuitous_arp_known_answer() {
    assert_eq!(emit_gratuitous_arp(MAC_A, TARGET_V4), GARP);
    let parsed = parse_arp_frame(&GARP).unwrap();
    assert_eq!(
        parsed,
        ArpFrame {
            eth_src: MAC_A,
            eth_dst: MacAddr::BROADCAST,
            op: ArpOp::Request,
            sender_mac: MAC_A,
            sender_ip: TARGET_V4,
            target_mac: MacAddr::ZERO,
            target_ip: TARGET_V4,
        }
    );
    assert!(parsed.is_gratuitous());
}

#[test]
fn arp_request_round_trip() {
    let frame = emit_arp_request(MAC_A, TEST_V4, TARGET_V4);
    assert_eq!(frame.len(), mpath_wire::arp::ARP_FRAME_LEN);
    let parsed = parse_arp_frame(&frame).unwrap();
    assert_eq!(parsed.op, ArpOp::Request);
    assert_eq!(parsed.eth_dst, MacAddr::BROADCAST);
    assert_eq!(parsed.sender_ip, TEST_V4);
    assert_eq!(parsed.target_ip, TARGET_V4);
    assert_eq!(parsed.target_mac, MacAddr::ZERO);
    assert!(!parsed.is_gratuitous());
    assert_eq!(emit_arp_frame(&parsed), frame);
}

#[test]
fn arp_reply_round_trip_with_ethernet_padding() {
    let reply = ArpFrame {
        eth_src: MAC_B,
        eth_dst: MAC_A,
        op: ArpOp::Reply,
        sender_mac: MAC_B,
        sender_ip: Ipv4Addr::new(198, 51, 100, 7),
        target_mac: MAC_A,
        target_ip: Ipv4Addr::new(198, 51, 100, 1),
    };
    let mut frame = emit_arp_frame(&reply);
    // Received frames are padded to the 60-byte minimum.
    frame.resize(60, 0);
    assert_eq!(parse_arp_frame(&frame), Ok(reply));
}

#[test]
fn sender_mac_and_ethernet_source_are_reported_separately() {
    // A forged reply whose ARP body names another host's MAC; the parser
    // does not reconcile them, it reports both.
    let forged = ArpFrame {
        eth_src: MAC_B,
        eth_dst: MAC_A,
        op: ArpOp::Reply,
        sender_mac: MacAddr([0x02, 0, 0, 0, 0, 0x66]),
        sender_ip: TARGET_V4,
        target_mac: MAC_A,
        target_ip: TEST_V4,
    };
    let parsed = parse_arp_frame(&emit_arp_frame(&forged)).unwrap();
    assert_ne!(parsed.eth_src, parsed.sender_mac);
    assert_eq!(parsed, forged);
}

#[test]
fn short_frames() {
    assert_eq!(
        parse_arp_frame(&GARP[..13]),
        Err(WireError::Truncated {
            what: "Ethernet header",
            len: 13,
            need: 14
        })
    );
    assert_eq!(
        parse_arp_frame(&GARP[..21]),
        Err(WireError::Truncated {
            what: "ARP header",
            len: 7,
            need: 8
        })
    );
    assert_eq!(
        parse_arp_frame(&GARP[..41]),
        Err(WireError::Truncated {
            what: "ARP message",
            len: 27,
            need: 28
        })
    );
}

#[test]
fn not_arp() {
    let mut ipv4 = GARP;
    ipv4[12..14].copy_from_slice(&[0x08, 0x00]);
    assert_eq!(
        parse_arp_frame(&ipv4),
        Err(WireError::UnexpectedEtherType {
            ethertype: 0x0800,
            expected: "ARP"
        })
    );
}

#[test]
fn non_ethernet_or_non_ipv4_arp() {
    let mut token_ring = GARP;
    token_ring[15] = 6; // IEEE 802 hardware
    assert!(matches!(
        parse_arp_frame(&token_ring),
        Err(WireError::UnsupportedArp { hardware: 6, .. })
    ));
    let mut long_addrs = GARP;
    long_addrs[18] = 8; // 8-byte hardware addresses
    assert_eq!(
        parse_arp_frame(&long_addrs),
        Err(WireError::UnsupportedArp {
            hardware: 1,
            protocol: 0x0800,
            hardware_len: 8,
            protocol_len: 4
        })
    );
}

#[test]
fn unknown_operation() {
    let mut rarp = GARP;
    rarp[21] = 3; // RARP request
    assert_eq!(
        parse_arp_frame(&rarp),
        Err(WireError::UnknownArpOperation { operation: 3 })
    );
}
