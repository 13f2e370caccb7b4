//! Feeds arbitrary bytes to the receive path of mpath-sys's FreeBSD BPF
//! probe socket: the walker over a BPF read buffer, then the frame
//! classification, with the kernel filter run beside it through the
//! interpreter. None of it may panic, and:
//!
//! * a walk that fails ends with that failure;
//! * records written as the kernel writes them walk back unchanged;
//! * every frame the classification accepts, the filter passes (the
//!   kernel filter must never hide a frame the daemon wants);
//! * an accepted echo reply is an IPv4 datagram inside the frame, right
//!   after the Ethernet header, and the daemon's parser takes it without
//!   panicking.
//!
//! The first byte chooses the mode, the next four are the test address.
//! Mode 0 reads the rest as a read buffer. Modes 1 and 2 read it as
//! frames, each behind a one-byte length, and lay them out as records;
//! mode 2 first gives each frame that looks like IPv4 a correct header
//! checksum, so that the fuzzer reaches the checks behind it.
#![no_main]

use std::net::Ipv4Addr;

use libfuzzer_sys::fuzz_target;
use mpath_sys::bpf::{
    classify, internet_checksum, push_record, records, Filter, Inbound,
};

/// The Ethernet header's length, and where the IPv4 checksum sits in it
/// and the IPv4 header.
const ETHER: usize = 14;
const IP_SUM: usize = 10;

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<5>() else {
        return;
    };
    let test = Ipv4Addr::new(head[1], head[2], head[3], head[4]);
    let filter = Filter::probe(test);
    match head[0] % 3 {
        0 => {
            let walked: Vec<_> = records(rest).collect();
            if let Some(at) = walked.iter().position(Result::is_err) {
                assert_eq!(at + 1, walked.len(), "an error ends the walk");
            }
            for record in walked.into_iter().flatten() {
                check(&filter, record.data, test);
            }
        }
        mode => {
            let mut frames: Vec<Vec<u8>> = Vec::new();
            let mut rest = rest;
            while let Some((&len, tail)) = rest.split_first() {
                let (frame, tail) =
                    tail.split_at(usize::from(len).min(tail.len()));
                let mut frame = frame.to_vec();
                if mode == 2 {
                    fix_ipv4_checksum(&mut frame);
                }
                frames.push(frame);
                rest = tail;
            }
            let mut buf = Vec::new();
            for (i, frame) in frames.iter().enumerate() {
                let sec = i64::try_from(i).unwrap_or(0);
                let len = u32::try_from(frame.len()).unwrap_or(0);
                push_record(&mut buf, (sec, 999_999), len, frame);
            }
            let walked: Vec<_> = records(&buf)
                .collect::<Result<_, _>>()
                .expect("records laid out as the kernel does walk");
            assert_eq!(walked.len(), frames.len());
            for (record, frame) in walked.iter().zip(&frames) {
                assert_eq!(record.data, &frame[..]);
                assert!(!record.truncated());
                assert!(record.realtime_ns.is_some());
                check(&filter, record.data, test);
            }
        }
    }
});

/// Classifies `frame` and checks the verdict against the filter's.
fn check(filter: &Filter, frame: &[u8], test: Ipv4Addr) {
    let passed = filter.run(frame) != 0;
    match classify(frame, test) {
        Inbound::EchoReply(reply) => {
            assert!(passed, "the filter hides an echo reply: {frame:02x?}");
            let packet = reply.packet;
            assert!(packet.len() > 20 && ETHER + packet.len() <= frame.len());
            assert_eq!(packet, &frame[ETHER..ETHER + packet.len()]);
            assert_eq!(packet[0] >> 4, 4);
            assert_eq!(packet[9], 1, "ICMP");
            assert_eq!(packet[16..20], test.octets());
            let _ = mpath_wire::parse_icmpv4_echo_reply(packet);
        }
        Inbound::ArpReply { ip, mac } => {
            assert!(passed, "the filter hides an ARP reply: {frame:02x?}");
            assert!(!ip.is_unspecified() && !mac.is_multicast());
        }
        Inbound::Ignored(_) => {}
    }
}

/// Gives a frame whose EtherType is IPv4 a correct header checksum, if
/// its header (as its length field says) is all there.
fn fix_ipv4_checksum(frame: &mut [u8]) {
    if frame.get(12..14) != Some(&[0x08, 0x00]) {
        return;
    }
    let Some(&first) = frame.get(ETHER) else {
        return;
    };
    let end = ETHER + usize::from(first & 0x0f) * 4;
    if end < ETHER + 20 || end > frame.len() {
        return;
    }
    frame[ETHER + IP_SUM..ETHER + IP_SUM + 2].copy_from_slice(&[0, 0]);
    let sum = internet_checksum(&frame[ETHER..end]);
    frame[ETHER + IP_SUM..ETHER + IP_SUM + 2]
        .copy_from_slice(&sum.to_be_bytes());
}
