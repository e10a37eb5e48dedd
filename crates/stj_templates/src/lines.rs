//! Line handling shared by quick entry, imports and descriptions.

/// Splits on `\r\n`, `\n` and a lone `\r`, so no `\r` ever reaches a field. An empty text has
/// one empty line; a final line break does not start another line.
pub(crate) fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\r', '\n']) {
            Some(at) => {
                let (line, tail) = current.split_at_checked(at)?;
                let tail = tail.strip_prefix("\r\n").or_else(|| tail.get(1..)).unwrap_or("");
                rest = if tail.is_empty() { None } else { Some(tail) };
                Some(line)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// The whitespace that separates markers and indents lines: space and tab only, so that other
/// Unicode spaces (no-break space, ideographic space) stay ordinary text.
pub(crate) fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// A line of nothing but spaces and tabs.
pub(crate) fn is_blank(line: &str) -> bool {
    line.chars().all(is_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_every_line_ending_and_ignore_a_final_one() {
        let rows: [(&str, &[&str]); 7] = [
            ("", &[""]),
            ("a", &["a"]),
            ("a\n", &["a"]),
            ("a\r\nb\rc\nd", &["a", "b", "c", "d"]),
            ("a\n\nb", &["a", "", "b"]),
            ("\n", &[""]),
            ("a\r\n\r\n", &["a", ""]),
        ];
        for (text, want) in rows {
            assert_eq!(split_lines(text).collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    #[test]
    fn only_spaces_and_tabs_make_a_line_blank() {
        assert!(is_blank("") && is_blank(" \t "));
        assert!(!is_blank("\u{a0}") && !is_blank(" x"));
    }
}
