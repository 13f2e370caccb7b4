//! Feeds arbitrary bytes to the control protocol's parsers, as a hostile
//! local client (or a confused daemon) would. They must never panic, and
//! an accepted request must encode back to an equal request.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpath_proto::{parse_request, parse_response};

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = parse_request(data) {
        assert_eq!(parse_request(&r.encode()).ok(), Some(r));
    }
    let _ = parse_response(data);
});
