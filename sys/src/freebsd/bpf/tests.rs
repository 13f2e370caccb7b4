//! The filter program run through the interpreter, and the receive path
//! (records, filter, classification, cache) end to end, over frames
//! built from the header layouts.

use std::net::Ipv4Addr;

use mpath_core::time::Instant;
use mpath_wire::{
    emit_arp_frame, emit_arp_request, emit_gratuitous_arp,
    emit_icmpv4_echo_reply, emit_icmpv4_echo_request,
    emit_unsolicited_na_frame, ArpFrame, ArpOp, EchoProbe, EchoReplyV4,
    MacAddr, ProbeKind, ProbePayload,
};
use proptest::prelude::*;

use super::*;
use crate::freebsd::abi::bpf::{
    bpf_insn, BPF_JMP, BPF_K, BPF_MAXINSNS, BPF_RET,
};

fn ours() -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, 10)
}

fn target() -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, 1)
}

fn our_mac() -> MacAddr {
    MacAddr([2, 0, 0, 0, 0, 10])
}

fn target_mac() -> MacAddr {
    MacAddr([2, 0, 0, 0, 0, 1])
}

fn probe(seq: u16) -> EchoProbe {
    EchoProbe {
        id: 0x4201,
        seq,
        payload: ProbePayload {
            kind: ProbeKind::Uni,
            timestamp_ns: 1_234_567_890,
            nonce: u64::from(seq) * 7919,
        },
    }
}

/// An echo reply from `src` to `dst` in Ethernet (IPv4 header by
/// smoltcp), padded to 60 bytes.
fn echo_reply(src: Ipv4Addr, dst: Ipv4Addr, seq: u16) -> Vec<u8> {
    let ip = emit_icmpv4_echo_reply(&EchoReplyV4 {
        src,
        dst,
        ttl: 64,
        probe: probe(seq),
    });
    let mut frame = our_mac().octets().to_vec();
    frame.extend_from_slice(&target_mac().octets());
    frame.extend_from_slice(&[0x08, 0x00]);
    frame.extend_from_slice(&ip);
    frame.resize(frame.len().max(60), 0);
    frame
}

fn arp(op: ArpOp, sender_ip: Ipv4Addr, target_ip: Ipv4Addr) -> Vec<u8> {
    let mut frame = emit_arp_frame(&ArpFrame {
        eth_src: target_mac(),
        eth_dst: our_mac(),
        op,
        sender_mac: target_mac(),
        sender_ip,
        target_mac: our_mac(),
        target_ip,
    });
    frame.resize(60, 0);
    frame
}

/// Whether the filter for our address passes `frame`, and if so that it
/// captures all of it.
fn passes(frame: &[u8]) -> bool {
    let snap = Filter::probe(ours()).run(frame);
    assert!(snap == 0 || snap == u32::MAX, "{snap}");
    snap != 0
}

/// What bpf_validate checks: a program of at most BPF_MAXINSNS
/// instructions whose jumps stay inside it and that ends in a return.
fn valid(insns: &[bpf_insn]) -> bool {
    let n = insns.len();
    let in_range = insns.iter().enumerate().all(|(i, insn)| {
        insn.code & 0x07 != BPF_JMP
            || (i + 1 + usize::from(insn.jt) < n
                && i + 1 + usize::from(insn.jf) < n)
    });
    let last = insns.last().map(|i| i.code & 0x07);
    (1..=BPF_MAXINSNS).contains(&n) && in_range && last == Some(BPF_RET)
}

#[test]
fn the_filters_are_valid_programs() {
    let probe = Filter::probe(ours());
    assert!(valid(probe.insns()), "{probe:?}");
    assert_eq!(probe.len(), 18);
    assert!(!probe.is_empty());
    let nothing = Filter::nothing();
    assert!(valid(nothing.insns()));
    assert_eq!(nothing.insns()[0].code, BPF_RET | BPF_K);
    assert_eq!(nothing.run(&echo_reply(target(), ours(), 1)), 0);
}

#[test]
fn the_probe_filter_is_the_documented_program() {
    let probe = Filter::probe(ours());
    let listing: Vec<(u16, u8, u8, u32)> = probe
        .insns()
        .iter()
        .map(|i| (i.code, i.jt, i.jf, i.k))
        .collect();
    let test = u32::from(ours());
    let expected: [(u16, u8, u8, u32); 18] = [
        (0x28, 0, 0, 12),       //  0 ldh [12]
        (0x15, 0, 4, 0x0806),   //  1 jeq ARP, 0, ip
        (0x28, 0, 0, 20),       //  2 ldh [20]
        (0x15, 0, 13, 2),       //  3 jeq reply, 0, reject
        (0x20, 0, 0, 38),       //  4 ld [38]
        (0x15, 10, 11, test),   //  5 jeq test, accept, reject
        (0x15, 0, 10, 0x0800),  //  6 ip: jeq IPv4, 0, reject
        (0x30, 0, 0, 23),       //  7 ldb [23]
        (0x15, 0, 8, 1),        //  8 jeq ICMP, 0, reject
        (0x20, 0, 0, 30),       //  9 ld [30]
        (0x15, 0, 6, test),     // 10 jeq test, 0, reject
        (0x28, 0, 0, 20),       // 11 ldh [20]
        (0x45, 4, 0, 0x3fff),   // 12 jset MF|offset, reject, 0
        (0xb1, 0, 0, 14),       // 13 ldxb 4*([14]&0xf)
        (0x50, 0, 0, 14),       // 14 ldb [x+14]
        (0x15, 0, 1, 0),        // 15 jeq echo reply, accept, reject
        (0x06, 0, 0, u32::MAX), // 16 accept: ret #-1
        (0x06, 0, 0, 0),        // 17 reject: ret #0
    ];
    assert_eq!(listing, expected);
}

#[test]
fn the_probe_filter_passes_our_replies_only() {
    assert!(passes(&echo_reply(target(), ours(), 1)));
    assert!(passes(&arp(ArpOp::Reply, target(), ours())));
    // Another destination, an ARP request, an ARP reply to someone else.
    let other = Ipv4Addr::new(192, 0, 2, 11);
    assert!(!passes(&echo_reply(target(), other, 1)));
    assert!(!passes(&arp(ArpOp::Request, target(), ours())));
    assert!(!passes(&arp(ArpOp::Reply, target(), other)));
    // Our own request (were it looped back), a gratuitous ARP, IPv6.
    let request = emit_icmpv4_echo_request(&probe(1));
    let frame = ipv4_frame(target_mac(), our_mac(), target(), ours(), &request);
    assert!(!passes(&frame.unwrap()));
    assert!(!passes(&emit_gratuitous_arp(target_mac(), target())));
    let na =
        emit_unsolicited_na_frame(target_mac(), "fe80::1".parse().unwrap());
    assert!(!passes(&na));
    // UDP to us.
    let mut udp = echo_reply(target(), ours(), 1);
    udp[23] = 17;
    assert!(!passes(&udp));
    // Fragments: a first fragment (MF), a later one (offset).
    let mut first = echo_reply(target(), ours(), 1);
    first[20] |= 0x20;
    assert!(!passes(&first));
    let mut later = echo_reply(target(), ours(), 1);
    later[21] = 1;
    assert!(!passes(&later));
    // DF is no fragment.
    let mut df = echo_reply(target(), ours(), 1);
    df[20] = 0x40;
    assert!(passes(&df));
    // Truncated frames: loads past the end drop them.
    let reply = echo_reply(target(), ours(), 1);
    assert!(!passes(&reply[..30]));
    assert!(!passes(&[]));
}

#[test]
fn the_filter_finds_the_icmp_type_behind_options() {
    let icmp = [0, 0, 0xff, 0xff, 0, 0, 0, 0];
    let mut frame =
        ipv4_frame(target_mac(), our_mac(), target(), ours(), &icmp).unwrap();
    frame.splice(34..34, [1; 8]);
    frame[14] = 0x47;
    assert!(passes(&frame));
    // An echo request behind the same options is dropped.
    frame[14 + 28] = 8;
    assert!(!passes(&frame));
}

/// The receive path over a read buffer: records walked, frames
/// classified, ARP replies learnt, echo replies returned in order with
/// their time stamps.
#[test]
fn a_read_buffer_yields_its_replies_and_teaches_the_cache() {
    let mut cache = NeighbourCache::new();
    let now = Instant::from_secs(100);
    assert_eq!(cache.resolve(target(), now).mac, None);

    let mut buf = Vec::new();
    push_record(
        &mut buf,
        (1_700_000_000, 1),
        60,
        &arp(ArpOp::Reply, target(), ours()),
    );
    push_record(
        &mut buf,
        (1_700_000_000, 2),
        66,
        &echo_reply(target(), ours(), 1),
    );
    let stray = emit_arp_request(target_mac(), target(), ours());
    push_record(&mut buf, (1_700_000_000, 3), 42, &stray);
    push_record(
        &mut buf,
        (1_700_000_000, 4),
        66,
        &echo_reply(target(), ours(), 2),
    );

    let mut replies = Vec::new();
    for record in records(&buf) {
        let record = record.unwrap();
        match classify(record.data, ours()) {
            Inbound::ArpReply { ip, mac } => {
                assert!(cache.learn(ip, mac, now));
            }
            Inbound::EchoReply(reply) => {
                cache.confirm(reply.src, now);
                replies.push((record.realtime_ns, reply.packet.to_vec()));
            }
            Inbound::Ignored(why) => assert_eq!(why, "an ARP request"),
        }
    }
    assert_eq!(cache.mac(target()), Some(target_mac()));
    assert_eq!(replies.len(), 2);
    for (i, (stamp, packet)) in replies.iter().enumerate() {
        let seq = u16::try_from(i + 1).unwrap();
        let micros = i64::from(seq) * 2;
        assert_eq!(*stamp, Some(1_700_000_000_000_000_000 + micros * 1000));
        let parsed = mpath_wire::parse_icmpv4_echo_reply(packet).unwrap();
        assert_eq!(parsed.probe, probe(seq));
        assert_eq!(parsed.src, target());
        assert_eq!(parsed.dst, ours());
    }
}

proptest! {
    /// Whatever the classification accepts, the kernel filter passes:
    /// the filter never hides a frame the daemon wants. The random
    /// frames are steered towards ARP replies and ICMP to us (EtherType,
    /// operation or protocol, addresses, lengths, no fragment, a valid
    /// IPv4 header checksum), so that both sides get past their first
    /// checks.
    #[test]
    fn the_filter_passes_all_that_classify_accepts(
        frame in proptest::collection::vec(any::<u8>(), 0..100),
        kind in 0u8..3,
        ihl in 5u8..8,
        echo in any::<bool>(),
    ) {
        let mut frame = frame;
        if frame.len() >= 42 && kind == 1 {
            frame[12..14].copy_from_slice(&[0x08, 0x06]);
            frame[14..22].copy_from_slice(&[0, 1, 8, 0, 6, 4, 0, 2]);
            frame[38..42].copy_from_slice(&ours().octets());
        }
        let header_end = 14 + usize::from(ihl) * 4;
        if frame.len() > header_end && kind == 2 {
            frame[12..14].copy_from_slice(&[0x08, 0x00]);
            frame[14] = 0x40 | ihl;
            let total = u16::try_from(frame.len() - 14).unwrap();
            frame[16..18].copy_from_slice(&total.to_be_bytes());
            frame[20] &= 0x40;
            frame[21] = 0;
            frame[23] = 1;
            frame[30..34].copy_from_slice(&ours().octets());
            if echo {
                frame[header_end] = 0;
            }
            frame[24..26].copy_from_slice(&[0, 0]);
            let sum = internet_checksum(&frame[14..header_end]);
            frame[24..26].copy_from_slice(&sum.to_be_bytes());
        }
        let verdict = classify(&frame, ours());
        let accepted = !matches!(verdict, Inbound::Ignored(_));
        prop_assert!(!accepted || passes(&frame), "{:?}", verdict);
    }

    /// Probes to any address come back, turned around, as echo replies.
    #[test]
    fn every_reply_to_us_is_accepted(seq in any::<u16>(), last in 1u8..255) {
        let src = Ipv4Addr::new(198, 51, 100, last);
        let frame = echo_reply(src, ours(), seq);
        prop_assert!(passes(&frame));
        let Inbound::EchoReply(reply) = classify(&frame, ours()) else {
            return Err(TestCaseError::fail("not a reply"));
        };
        prop_assert_eq!(reply.src, src);
        prop_assert_eq!(
            mpath_wire::parse_icmpv4_echo_reply(reply.packet).unwrap().probe,
            probe(seq)
        );
    }
}
