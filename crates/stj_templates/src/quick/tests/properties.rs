//! Properties of quick entry: format then parse gives the subtasks back; parse, format, parse
//! is stable; and no input makes the parser panic (the always-run stand-in for the fuzz target).

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::check::check_subtask;
use crate::model::{Assignee, DueAnchor, Estimate, RelativeDue, SubtaskSpec};
use crate::quick::{
    format_quick_entry, format_quick_entry_mapped, parse_quick_entry, parse_quick_entry_mapped,
};
use stj_validation::duration::ESTIMATE_MAX_MINUTES;
use stj_validation::limits::MAX_DUE_OFFSET_DAYS;

/// Words that stress the syntax: markers, escapes, near-markers, variables, Unicode.
fn tricky_word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9]{1,8}",
        2 => prop::sample::select(vec![
            "@me", "@", "#qa", "#", "~2h", "~", "!high", "!", "!\"", "due:+2d", "due:", "due:x",
            "\\", "\\\\", "\\@", "\\#x", "\\due:", "\\\\due:", "type:Bug", "type:\"A b\"", "\\type:", "x\\", "C:\\temp", "a@b", "c#", "{", "}}",
            "{{parent.key}}", "{{ today }}", "\"", "中文", "é", "😀", "\u{a0}", "\u{3000}", "e\u{301}",
        ])
        .prop_map(str::to_owned),
        1 => "[^\\s{]{1,6}",
    ]
}

fn gap() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", " ", " ", "  ", "\t", " \t "])
}

fn summary() -> impl Strategy<Value = String> {
    (tricky_word(), vec((gap(), tricky_word()), 0..6)).prop_map(|(first, rest)| {
        let mut text = first;
        for (gap, word) in rest {
            text.push_str(gap);
            text.push_str(&word);
        }
        text
    })
}

fn description() -> impl Strategy<Value = Option<String>> {
    let line = prop_oneof![
        2 => summary(),
        1 => Just(String::new()),
        1 => (gap(), summary()).prop_map(|(gap, text)| format!("{gap}{text}")),
        1 => "\\PC{0,10}",
    ];
    prop::option::of(vec(line, 1..5).prop_map(|lines| lines.join("\n")))
}

fn assignee() -> impl Strategy<Value = Option<Assignee>> {
    prop::option::of(prop_oneof![
        Just(Assignee::Me),
        Just(Assignee::ParentAssignee),
        Just(Assignee::Reporter),
        Just(Assignee::Unassigned),
        "[A-Za-z0-9:_-]{1,24}".prop_map(Assignee::AccountId),
    ])
}

fn labels() -> impl Strategy<Value = Vec<String>> {
    vec(prop_oneof![tricky_word(), "\\S{1,8}"], 0..4).prop_map(|mut labels| {
        let mut seen = std::collections::HashSet::new();
        labels.retain(|label| seen.insert(label.clone()));
        labels
    })
}

fn priority() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        prop::sample::select(vec!["High", "Very high", "\"quoted\"", "a\\b", "a \\\" b", " lead"])
            .prop_map(str::to_owned),
        "\\PC{1,12}",
    ])
}

fn issue_type() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        prop::sample::select(vec![
            "Sub-task",
            "Code review",
            "\"q\"",
            "a\\b",
            "type:x",
            " lead",
            "\\\""
        ])
        .prop_map(str::to_owned),
        "\\PC{1,12}",
    ])
}

fn due() -> impl Strategy<Value = Option<RelativeDue>> {
    let anchor = prop_oneof![Just(DueAnchor::Today), Just(DueAnchor::ParentDue)];
    prop::option::of(
        (-MAX_DUE_OFFSET_DAYS..=MAX_DUE_OFFSET_DAYS, anchor)
            .prop_map(|(days, anchor)| RelativeDue { days, anchor }),
    )
}

/// A valid subtask in normal form: what `format_quick_entry` promises to round-trip.
fn valid_spec() -> impl Strategy<Value = SubtaskSpec> {
    let estimate = prop::option::of(
        (1..=ESTIMATE_MAX_MINUTES).prop_map(|minutes| Estimate::from_minutes(minutes).unwrap()),
    );
    let fields = (assignee(), labels(), estimate, priority(), due(), issue_type());
    (summary(), description(), fields)
        .prop_map(
            |(summary, description, (assignee, labels, estimate, priority, due, issue_type))| {
                SubtaskSpec {
                    summary,
                    description,
                    assignee,
                    labels,
                    estimate,
                    priority,
                    due,
                    issue_type,
                }
                .normalized()
            },
        )
        .prop_filter("valid subtasks only", |spec| check_subtask(spec).is_empty())
}

/// Text that often parses: lines of tricky words, markers and indented description lines.
fn quick_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        3 => summary(),
        1 => (prop::sample::select(vec!["  ", "\t", " ", "   "]), summary()).prop_map(|(indent, text)| format!("{indent}{text}")),
        1 => Just(String::new()),
        1 => "\\PC{0,20}",
    ];
    (vec(line, 0..8), prop::sample::select(vec!["\n", "\r\n", "\r"]))
        .prop_map(|(lines, end)| lines.join(end))
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn formatting_then_parsing_gives_the_subtasks_back(specs in vec(valid_spec(), 0..6)) {
        let (text, lines) = format_quick_entry_mapped(&specs);
        prop_assert_eq!(&text, &format_quick_entry(&specs));
        prop_assert_eq!(parse_quick_entry_mapped(&text), Ok((specs, lines)), "text: {:?}", text);
    }

    #[test]
    fn parse_format_parse_is_stable_on_any_text_that_parses(text in quick_text()) {
        if let Ok((specs, lines)) = parse_quick_entry_mapped(&text) {
            // Each mapped line is where the subtask's own line stands in the text.
            let source: Vec<&str> = crate::lines::split_lines(&text).collect();
            prop_assert_eq!(lines.lines().len(), specs.len());
            for &line in lines.lines() {
                let at = source.get(line.wrapping_sub(1)).copied().unwrap_or("");
                let subtask_line =
                    !crate::lines::is_blank(at) && !at.starts_with('\t') && !at.starts_with("  ");
                prop_assert!(subtask_line, "line {} of {:?}", line, text);
            }
            let again = format_quick_entry(&specs);
            prop_assert_eq!(parse_quick_entry(&again), Ok(specs), "formatted: {:?}", again);
        }
    }
}

proptest! {
    // A few thousand arbitrary byte strings every run: the fuzz target's job, without nightly.
    #![proptest_config(Config { cases: 4_000, ..Config::default() })]

    #[test]
    fn no_input_makes_the_parser_panic(bytes in vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(specs) = parse_quick_entry(&text) {
            prop_assert_eq!(parse_quick_entry(&format_quick_entry(&specs)), Ok(specs));
        }
    }
}
