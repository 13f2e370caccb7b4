//! Feeds arbitrary text to the laggd.conf parser. It must never panic,
//! and whatever it accepts must render to text that parses to the same
//! configuration.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpath_core::laggd::config::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = parse("fuzz.conf", &text) {
        let again = parse("fuzz.conf", &p.config.render())
            .expect("rendered configuration parses");
        // Line numbers differ (render reflows); everything else must not.
        assert_eq!(
            again.config.render(),
            p.config.render(),
            "render is stable"
        );
    }
});
