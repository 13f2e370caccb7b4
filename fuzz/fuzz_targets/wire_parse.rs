//! Feeds arbitrary bytes to every parser in mpath-wire. None may panic.
//!
//! The first byte chooses the parser; for the ICMPv6 parser that verifies
//! the checksum, the next 32 bytes are the source and destination
//! addresses. The rest is the packet.
//!
//! smoltcp's checksum checks always pass under `cfg(fuzzing)`, so the
//! fuzzer reaches the code behind them without having to forge checksums.
#![no_main]

use std::net::Ipv6Addr;

use libfuzzer_sys::fuzz_target;
use mpath_wire::{
    parse_arp_frame, parse_icmpv4_echo_reply, parse_icmpv6_echo_reply,
    parse_icmpv6_echo_reply_unverified, parse_ndp_frame, ProbePayload,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 6 {
        0 => {
            let _ = parse_icmpv4_echo_reply(rest);
        }
        1 => {
            let Some((src, rest)) = rest.split_first_chunk::<16>() else {
                return;
            };
            let Some((dst, packet)) = rest.split_first_chunk::<16>() else {
                return;
            };
            let (src, dst) = (Ipv6Addr::from(*src), Ipv6Addr::from(*dst));
            let _ = parse_icmpv6_echo_reply(packet, src, dst);
        }
        2 => {
            let _ = parse_icmpv6_echo_reply_unverified(rest);
        }
        3 => {
            let _ = parse_arp_frame(rest);
        }
        4 => {
            let _ = parse_ndp_frame(rest);
        }
        _ => {
            let _ = ProbePayload::parse(rest);
        }
    }
});
