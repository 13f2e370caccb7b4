//! Feeds arbitrary bytes to mpath-sys's rtnetlink parser. None of it may
//! panic.
//!
//! The first byte chooses what reads the rest: the message iterator with
//! every message parsed by its type (what the sockets do with a
//! datagram), one of the typed payload parsers directly (so the fuzzer
//! need not forge a message header to reach them), or the attribute
//! iterator with every typed accessor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpath_sys::netlink::msg::{
    attr, messages, AddrMsg, LinkMsg, RouteMsg,
};

/// `RTM_NEWLINK`, `RTM_NEWADDR`, `RTM_NEWROUTE` (linux/rtnetlink.h), for
/// the parsers' error values.
const RTM_NEWLINK: u16 = 16;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 5 {
        0 => {
            for raw in messages(rest).flatten() {
                let _ = raw.parse();
            }
        }
        1 => {
            let _ = LinkMsg::parse(RTM_NEWLINK, rest);
        }
        2 => {
            let _ = AddrMsg::parse(RTM_NEWADDR, rest);
        }
        3 => {
            let _ = RouteMsg::parse(RTM_NEWROUTE, rest);
        }
        _ => {
            for attr in attr::attrs(rest).flatten() {
                let _ = (attr.u8(), attr.u32(), attr.string());
                // AF_INET, AF_INET6, and another family.
                for family in [2, 10, 17] {
                    let _ = attr.ip(family);
                }
            }
        }
    }
});
