//! Feeds arbitrary text to the mpathd.conf parser. It must never panic,
//! and whatever it accepts must render to text that parses to the same
//! configuration.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpath_core::mpathd::config::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = parse("fuzz.conf", &text) {
        let again = parse("fuzz.conf", &p.config.render())
            .expect("rendered configuration parses");
        assert_eq!(
            again.config.render(),
            p.config.render(),
            "render is stable"
        );
    }
});
