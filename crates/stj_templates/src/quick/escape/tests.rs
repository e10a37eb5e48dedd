use super::*;

#[test]
fn summaries_escape_only_what_would_otherwise_be_read_as_markup() {
    let rows = [
        ("plain words", "plain words"),
        ("#1 and @me", r"\#1 and \@me"),
        ("~ ! due:", r"\~ \! \due:"),
        ("a@b c#d due:", r"a@b c#d \due:"),
        (r"C:\temp", r"C:\temp"),
        (r"\@", r"\\@"),
        (r"x\due:", r"x\\due:"),
        (r"\\", r"\\\"),
        ("tab\t#x", "tab\t\\#x"),
    ];
    for (summary, escaped) in rows {
        assert_eq!(escape_summary(summary), escaped, "{summary}");
        let mut back = String::new();
        for (index, word) in escaped.split([' ', '\t']).enumerate() {
            if index > 0 {
                back.push(if escaped.contains('\t') { '\t' } else { ' ' });
            }
            unescape_into(&mut back, word);
        }
        assert_eq!(back, summary, "{escaped}");
    }
}

#[test]
fn priorities_are_quoted_only_when_they_must_be() {
    let rows = [
        ("High", "!High"),
        ("Very high", "!\"Very high\""),
        ("\"quoted", r#"!"\"quoted""#),
        (r"a\b", r"!a\b"),
        (r"a \b", r#"!"a \\b""#),
        ("tab\there", "!\"tab\there\""),
    ];
    for (name, marker) in rows {
        assert_eq!(priority_marker(name), marker);
        if let Some(quoted) = marker.strip_prefix("!\"") {
            assert_eq!(read_quoted(quoted), Some((name.to_owned(), "")));
        }
    }
    assert_eq!(read_quoted("never closed"), None);
    assert_eq!(read_quoted(r#"a\x" rest"#), Some((r"a\x".to_owned(), " rest")));
}
