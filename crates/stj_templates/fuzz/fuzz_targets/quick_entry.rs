//! Quick entry never panics, and whatever it accepts survives format then parse unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stj_templates::{format_quick_entry, parse_quick_entry};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(specs) = parse_quick_entry(text) {
        let again = format_quick_entry(&specs);
        assert_eq!(parse_quick_entry(&again), Ok(specs), "formatted: {again:?}");
    }
});
