//! Quick entry never panics, whatever it accepts survives format then parse unchanged, and the
//! line map of the formatted text is the one formatting reports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stj_templates::{format_quick_entry_mapped, parse_quick_entry_mapped};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((specs, lines)) = parse_quick_entry_mapped(text) {
        assert_eq!(lines.lines().len(), specs.len());
        let (again, again_lines) = format_quick_entry_mapped(&specs);
        assert_eq!(
            parse_quick_entry_mapped(&again),
            Ok((specs, again_lines)),
            "formatted: {again:?}"
        );
    }
});
