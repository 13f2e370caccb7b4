//! Feeds arbitrary bytes, as text, to mpath-sys's reader of
//! `/proc/net/bonding/BOND` (each slave's LACP partner). It may not
//! panic, and every slave it names was named in the text, with an
//! address that is not all zeroes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpath_sys::lacp::partners;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for (slave, partner) in partners(&text) {
        assert!(text.contains(&slave), "{slave:?} is not in the text");
        if let Some(mac) = partner {
            assert_ne!(mac.octets(), [0; 6], "the all-zero default is no partner");
        }
    }
});
