//! Feeds arbitrary bytes to mpath-sys's FreeBSD routing-socket parser,
//! which is pure code and compiles on any host under `cfg(fuzzing)`.
//! None of it may panic.
//!
//! The first byte chooses what reads the rest: the message iterator with
//! every message parsed as the routing socket sends it, or as
//! `NET_RT_IFLISTL` returns it (the `*_msghdrl` headers), or the whole
//! snapshot assembly over two buffers (interface list and route dump).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpath_sys::route::msg::{assemble, messages};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => {
            for raw in messages(rest).flatten() {
                let _ = raw.parse();
            }
        }
        1 => {
            for raw in messages(rest).flatten() {
                let _ = raw.parse_iflistl();
            }
        }
        _ => {
            let (iflist, routes) = rest.split_at(rest.len() / 2);
            let _ = assemble(iflist, routes);
        }
    }
});
