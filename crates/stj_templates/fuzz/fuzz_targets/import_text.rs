//! Importing rival apps' text never panics, and what it accepts can be written as quick entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stj_templates::{format_quick_entry, import_text, parse_quick_entry};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(specs) = import_text(text) {
        let quick = format_quick_entry(&specs);
        assert_eq!(parse_quick_entry(&quick), Ok(specs), "formatted: {quick:?}");
    }
});
