//! Property tests: no parser panics on any input, and every emitter is
//! undone by its parser for arbitrary field values.

mod common;

use std::net::{Ipv4Addr, Ipv6Addr};

use common::fix_icmpv4_checksum;
use mpath_wire::{
    emit_arp_frame, emit_icmpv4_echo_reply, emit_icmpv4_echo_request,
    emit_icmpv6_echo_reply, emit_icmpv6_echo_request, emit_ndp_frame,
    parse_arp_frame, parse_icmpv4_echo_reply, parse_icmpv6_echo_reply,
    parse_icmpv6_echo_reply_unverified, parse_ndp_frame, ArpFrame, ArpOp,
    EchoProbe, EchoReplyV4, MacAddr, NaFlags, NdpFrame, NdpMessage, ProbeKind,
    ProbePayload, WireError,
};
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = ProbeKind> {
    prop_oneof![
        Just(ProbeKind::Uni),
        Just(ProbeKind::Multi),
        Just(ProbeKind::Rtt)
    ]
}

fn probe() -> impl Strategy<Value = EchoProbe> {
    (
        any::<u16>(),
        any::<u16>(),
        kind(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(|(id, seq, kind, timestamp_ns, nonce)| EchoProbe {
            id,
            seq,
            payload: ProbePayload {
                kind,
                timestamp_ns,
                nonce,
            },
        })
}

fn mac() -> impl Strategy<Value = MacAddr> {
    any::<[u8; 6]>().prop_map(MacAddr)
}

fn v4() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn v6() -> impl Strategy<Value = Ipv6Addr> {
    any::<u128>().prop_map(Ipv6Addr::from)
}

/// Every parser in the crate, on the same bytes.
fn parse_all(bytes: &[u8], src: Ipv6Addr, dst: Ipv6Addr) {
    let _ = parse_icmpv4_echo_reply(bytes);
    let _ = parse_icmpv6_echo_reply(bytes, src, dst);
    let _ = parse_icmpv6_echo_reply_unverified(bytes);
    let _ = parse_arp_frame(bytes);
    let _ = parse_ndp_frame(bytes);
    let _ = ProbePayload::parse(bytes);
}

/// Valid packets of every format, to be mutated.
fn seeds() -> Vec<Vec<u8>> {
    let p = EchoProbe {
        id: 1,
        seq: 2,
        payload: ProbePayload {
            kind: ProbeKind::Uni,
            timestamp_ns: 3,
            nonce: 4,
        },
    };
    let a: Ipv6Addr = "fe80::1".parse().unwrap();
    let b: Ipv6Addr = "fe80::2".parse().unwrap();
    let mac = MacAddr([2, 0, 0, 0, 0, 1]);
    vec![
        emit_icmpv4_echo_reply(&EchoReplyV4 {
            src: Ipv4Addr::new(192, 0, 2, 1),
            dst: Ipv4Addr::new(192, 0, 2, 2),
            ttl: 64,
            probe: p,
        }),
        emit_icmpv6_echo_reply(&p, a, b),
        mpath_wire::emit_gratuitous_arp(mac, Ipv4Addr::new(192, 0, 2, 1)),
        mpath_wire::emit_neighbor_solicitation_frame(mac, a, b),
        mpath_wire::emit_unsolicited_na_frame(mac, a),
    ]
}

proptest! {
    #[test]
    fn parsers_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        src in v6(),
        dst in v6(),
    ) {
        parse_all(&bytes, src, dst);
    }

    #[test]
    fn parsers_never_panic_on_mutated_valid_packets(
        seed in 0..5usize,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
        extra in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let mut bytes = seeds().swap_remove(seed);
        for (at, value) in edits {
            let at = at % bytes.len();
            bytes[at] = value;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        bytes.extend_from_slice(&extra);
        let (a, b) = ("fe80::1".parse().unwrap(), "fe80::2".parse().unwrap());
        parse_all(&bytes, a, b);
    }

    #[test]
    fn payload_round_trip(
        kind in kind(), ts in any::<u64>(), nonce in any::<u64>()
    ) {
        let payload = ProbePayload { kind, timestamp_ns: ts, nonce };
        prop_assert_eq!(ProbePayload::parse(&payload.to_bytes()), Ok(payload));
    }

    #[test]
    fn icmpv4_reply_round_trip(
        probe in probe(), src in v4(), dst in v4(), ttl in any::<u8>()
    ) {
        let reply = EchoReplyV4 { src, dst, ttl, probe };
        prop_assert_eq!(
            parse_icmpv4_echo_reply(&emit_icmpv4_echo_reply(&reply)),
            Ok(reply)
        );
    }

    #[test]
    fn icmpv4_request_echoed_back_parses_as_the_probe(
        probe in probe(), src in v4(), dst in v4()
    ) {
        // What a target does: swap addresses, set type 0, fix the checksum.
        let mut icmp = emit_icmpv4_echo_request(&probe);
        icmp[0] = 0;
        fix_icmpv4_checksum(&mut icmp);
        let mut buf = emit_icmpv4_echo_reply(&EchoReplyV4 {
            src, dst, ttl: 1, probe,
        });
        buf.truncate(20);
        buf.extend_from_slice(&icmp);
        let parsed = parse_icmpv4_echo_reply(&buf).map(|r| r.probe);
        prop_assert_eq!(parsed, Ok(probe));
    }

    #[test]
    fn icmpv6_reply_round_trip(probe in probe(), src in v6(), dst in v6()) {
        let msg = emit_icmpv6_echo_reply(&probe, src, dst);
        prop_assert_eq!(parse_icmpv6_echo_reply(&msg, src, dst), Ok(probe));
        prop_assert_eq!(parse_icmpv6_echo_reply_unverified(&msg), Ok(probe));
    }

    #[test]
    fn icmpv6_request_is_never_taken_for_a_reply(probe in probe()) {
        let request = emit_icmpv6_echo_request(&probe);
        prop_assert_eq!(
            parse_icmpv6_echo_reply_unverified(&request),
            Err(WireError::NotEchoReply { icmp_type: 128 })
        );
    }

    #[test]
    fn arp_round_trip(
        eth_src in mac(), eth_dst in mac(), reply in any::<bool>(),
        sender_mac in mac(), sender_ip in v4(),
        target_mac in mac(), target_ip in v4(),
    ) {
        let frame = ArpFrame {
            eth_src,
            eth_dst,
            op: if reply { ArpOp::Reply } else { ArpOp::Request },
            sender_mac,
            sender_ip,
            target_mac,
            target_ip,
        };
        prop_assert_eq!(parse_arp_frame(&emit_arp_frame(&frame)), Ok(frame));
    }

    #[test]
    fn ndp_round_trip(
        eth_src in mac(), eth_dst in mac(), ip_src in v6(), ip_dst in v6(),
        advert in any::<bool>(), target in v6(),
        flags in any::<(bool, bool, bool)>(),
        lladdr in proptest::option::of(mac()),
    ) {
        // Stay within what RFC 4861 §7.1 lets a receiver accept.
        prop_assume!(!target.is_multicast());
        prop_assume!(!ip_src.is_unspecified());
        let (router, solicited, override_) = flags;
        prop_assume!(!(advert && solicited && ip_dst.is_multicast()));
        let message = if advert {
            NdpMessage::NeighborAdvert {
                target,
                flags: NaFlags { router, solicited, override_ },
                target_mac: lladdr,
            }
        } else {
            NdpMessage::NeighborSolicit { target, source_mac: lladdr }
        };
        let frame = NdpFrame { eth_src, eth_dst, ip_src, ip_dst, message };
        prop_assert_eq!(parse_ndp_frame(&emit_ndp_frame(&frame)), Ok(frame));
    }
}
