use super::*;

/// Runs `rule` over `(input, expected code or None for valid)` rows, naming the failing row.
fn table(rule: fn(&str) -> Result<(), Violation>, rows: &[(String, Option<&str>)]) {
    for (input, want) in rows {
        let got = rule(input).err().map(|problem| problem.code);
        assert_eq!(got, *want, "input {:?} ({} chars)", excerpt(input), input.chars().count());
    }
}

fn row(input: impl Into<String>, want: Option<&'static str>) -> (String, Option<&'static str>) {
    (input.into(), want)
}

#[test]
fn summaries_are_one_to_254_characters_on_one_line() {
    table(
        summary,
        &[
            row("Write tests", None),
            row("x", None),
            row("a".repeat(254), None),
            row("a".repeat(255), Some(code::TOO_LONG)),
            row("", Some(code::EMPTY)),
            row("   \t", Some(code::EMPTY)),
            row("\u{a0}", Some(code::EMPTY)),
            row("two\nlines", Some(code::MULTI_LINE)),
            row("carriage\rreturn", Some(code::MULTI_LINE)),
            row("line\u{2028}separator", Some(code::MULTI_LINE)),
            row("next\u{85}line", Some(code::MULTI_LINE)),
            row("tabs\tare fine", None),
            row("email@example.com #1 ~ok !", None),
        ],
    );
}

#[test]
fn summary_length_counts_characters_not_bytes() {
    table(
        summary,
        &[
            // 'é' is 2 bytes, '中' 3 bytes: one character each, for Jira too.
            row("é".repeat(254), None),
            row("é".repeat(255), Some(code::TOO_LONG)),
            row("中".repeat(254), None),
            row("中".repeat(255), Some(code::TOO_LONG)),
            // An emoji is one character for Rust but two UTF-16 units for Jira's Java.
            row("😀".repeat(127), None),
            row("😀".repeat(128), Some(code::TOO_LONG)),
            // A combining accent is a character of its own.
            row("e\u{301}".repeat(127), None),
            row(format!("{}\u{301}", "e\u{301}".repeat(127)), Some(code::TOO_LONG)),
        ],
    );
}

#[test]
fn too_long_summaries_say_what_jira_says_and_how_long_they_are() {
    let problem = summary(&"a".repeat(300)).unwrap_err();
    assert_eq!(problem.message, "Summary must be less than 255 characters (it has 300).");
    assert_eq!(problem.field, field::SUMMARY);
    assert_eq!(problem.line, None);
}

#[test]
fn labels_are_non_empty_without_whitespace_and_at_most_255() {
    table(
        label,
        &[
            row("qa", None),
            row("back-end_2.0", None),
            row("ünïcödé", None),
            row("#hash@at", None),
            row("l".repeat(255), None),
            row("ж".repeat(255), None),
            row("l".repeat(256), Some(code::TOO_LONG)),
            row("ж".repeat(256), Some(code::TOO_LONG)),
            row("", Some(code::EMPTY)),
            row("two words", Some(code::WHITESPACE)),
            row("tab\there", Some(code::WHITESPACE)),
            row("no\u{a0}break", Some(code::WHITESPACE)),
            row("new\nline", Some(code::WHITESPACE)),
        ],
    );
}

#[test]
fn a_label_list_reports_every_bad_label_and_each_duplicate() {
    let list: Vec<String> =
        ["qa", "", "qa", "QA", "a b", "qa"].into_iter().map(str::to_owned).collect();
    let codes: Vec<&str> = labels(&list).into_iter().map(|problem| problem.code).collect();
    assert_eq!(codes, [code::EMPTY, code::DUPLICATE, code::WHITESPACE, code::DUPLICATE]);
    assert!(labels(&[]).is_empty());
}

#[test]
fn descriptions_may_be_empty_and_up_to_32767_characters_of_any_lines() {
    table(
        description,
        &[
            row("", None),
            row("many\nlines\r\nare fine", None),
            row("d".repeat(32_767), None),
            row("d".repeat(32_768), Some(code::TOO_LONG)),
            row("ß".repeat(32_767), None),
            row("ß".repeat(32_768), Some(code::TOO_LONG)),
        ],
    );
}

#[test]
fn priority_names_are_non_blank_single_lines_of_at_most_255() {
    table(
        priority,
        &[
            row("High", None),
            row("Very High", None),
            row("高", None),
            row("p".repeat(255), None),
            row("p".repeat(256), Some(code::TOO_LONG)),
            row("", Some(code::EMPTY)),
            row(" ", Some(code::EMPTY)),
            row("High\nLow", Some(code::MULTI_LINE)),
        ],
    );
}

#[test]
fn issue_type_names_are_non_blank_single_lines_of_at_most_60() {
    table(
        issue_type_name,
        &[
            row("Sub-task", None),
            row("Code review", None),
            row("t".repeat(60), None),
            row("t".repeat(61), Some(code::TOO_LONG)),
            row("😀".repeat(30), None),
            row("😀".repeat(31), Some(code::TOO_LONG)),
            row("", Some(code::EMPTY)),
            row(" \t", Some(code::EMPTY)),
            row("Sub\ntask", Some(code::MULTI_LINE)),
        ],
    );
}

#[test]
fn template_names_are_one_to_255_characters_on_one_line() {
    table(
        template_name,
        &[
            row("Release checklist", None),
            row("n".repeat(255), None),
            row("ñ".repeat(255), None),
            row("n".repeat(256), Some(code::TOO_LONG)),
            row("ñ".repeat(256), Some(code::TOO_LONG)),
            row("", Some(code::EMPTY)),
            row("a\nb", Some(code::MULTI_LINE)),
        ],
    );
}

#[test]
fn excerpts_cut_long_values_at_forty_characters() {
    assert_eq!(excerpt("short"), "short");
    assert_eq!(excerpt(&"x".repeat(40)), "x".repeat(40));
    assert_eq!(excerpt(&"é".repeat(41)), format!("{}…", "é".repeat(40)));
}
