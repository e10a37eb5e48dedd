//! Importing rival apps' text never panics, what it accepts (strictly or leniently) can be written
//! as quick entry, and the strict import accepts exactly what the lenient one takes whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stj_templates::{format_quick_entry, import_leniently, import_text, parse_quick_entry};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let strict = import_text(text);
    if let Ok(specs) = &strict {
        let quick = format_quick_entry(specs);
        assert_eq!(parse_quick_entry(&quick).as_ref(), Ok(specs), "formatted: {quick:?}");
    }
    match import_leniently(text) {
        Ok(import) => {
            let quick = format_quick_entry(&import.specs);
            assert_eq!(parse_quick_entry(&quick), Ok(import.specs.clone()), "formatted: {quick:?}");
            assert_eq!(strict.ok(), import.unmapped.is_empty().then_some(import.specs));
        }
        Err(_) => assert!(strict.is_err()),
    }
});
