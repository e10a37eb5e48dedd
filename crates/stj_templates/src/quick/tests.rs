//! Quick entry by example; the properties (round trip, idempotence, no panics) are in `properties`.

use super::*;
use crate::model::{Assignee, DueAnchor, Estimate, RelativeDue, SubtaskSpec};
use crate::{code, field};

mod properties;

fn parse_one(text: &str) -> SubtaskSpec {
    let mut specs = parse_quick_entry(text).unwrap_or_else(|report| panic!("{text:?}:\n{report}"));
    assert_eq!(specs.len(), 1, "{text:?}");
    specs.remove(0)
}

/// `(line, field, code)` of every problem, for comparing reports by shape.
fn problems(text: &str) -> Vec<(Option<usize>, &'static str, &'static str)> {
    let report = parse_quick_entry(text).expect_err(text);
    report.violations.iter().map(|problem| (problem.line, problem.field, problem.code)).collect()
}

#[test]
fn the_example_line_sets_every_field() {
    let spec = parse_one("Write tests @5b10ac8d82e05b22cc7d4ef5 #qa #backend ~2h !high due:+2d");
    assert_eq!(
        spec,
        SubtaskSpec {
            summary: "Write tests".to_owned(),
            description: None,
            assignee: Some(Assignee::AccountId("5b10ac8d82e05b22cc7d4ef5".to_owned())),
            labels: vec!["qa".to_owned(), "backend".to_owned()],
            estimate: Some(Estimate::from_minutes(120).unwrap()),
            priority: Some("high".to_owned()),
            due: Some(RelativeDue { days: 2, anchor: DueAnchor::Today }),
            issue_type: None,
        }
    );
}

#[test]
fn assignee_keywords_ignore_case_and_everything_else_is_an_account_id() {
    let rows = [
        ("@me", Assignee::Me),
        ("@ME", Assignee::Me),
        ("@parent", Assignee::ParentAssignee),
        ("@reporter", Assignee::Reporter),
        ("@Unassigned", Assignee::Unassigned),
        ("@557058:f58131cb-b67d", Assignee::AccountId("557058:f58131cb-b67d".to_owned())),
        ("@qm_1", Assignee::AccountId("qm_1".to_owned())),
    ];
    for (marker, want) in rows {
        assert_eq!(parse_one(&format!("Task {marker}")).assignee, Some(want), "{marker}");
    }
}

#[test]
fn estimates_and_due_dates_take_every_documented_spelling() {
    let estimates = [("~30m", 30), ("~1d4h", 720), ("~1w", 2_400), ("~1w2d3h30m", 3_570)];
    for (marker, minutes) in estimates {
        assert_eq!(
            parse_one(&format!("T {marker}")).estimate.map(Estimate::minutes),
            Some(minutes)
        );
    }
    let dues = [
        ("due:+2d", 2, DueAnchor::Today),
        ("due:-1d", -1, DueAnchor::Today),
        ("due:today", 0, DueAnchor::Today),
        ("due:+0d", 0, DueAnchor::Today),
        ("due:parent", 0, DueAnchor::ParentDue),
        ("due:parent+3d", 3, DueAnchor::ParentDue),
        ("due:parent-13d", -13, DueAnchor::ParentDue),
    ];
    for (marker, days, anchor) in dues {
        assert_eq!(
            parse_one(&format!("T {marker}")).due,
            Some(RelativeDue { days, anchor }),
            "{marker}"
        );
    }
}

#[test]
fn markers_may_stand_anywhere_and_summary_spacing_is_kept() {
    assert_eq!(parse_one("@me Write #qa the   tests ~1h").summary, "Write the   tests");
    assert_eq!(parse_one(" One\tspace then tab ").summary, "One\tspace then tab");
}

#[test]
fn marker_characters_inside_words_are_text() {
    let spec = parse_one("Mail me@example.com about C#, 50% off~ and wow! re:due:x");
    assert_eq!(spec.summary, "Mail me@example.com about C#, 50% off~ and wow! re:due:x");
    assert_eq!(spec, SubtaskSpec::new(spec.summary.clone()));
}

#[test]
fn escapes_make_marker_characters_literal() {
    let rows = [
        (r"Fix \#42", "Fix #42"),
        (r"Ping \@team", "Ping @team"),
        (r"Approx \~2h", "Approx ~2h"),
        (r"\!important", "!important"),
        (r"\due:friday", "due:friday"),
        (r"back\\slash", r"back\slash"),
        (r"C:\temp\new", r"C:\temp\new"),
        (r"a\@b", "a@b"),
        (r"end\", r"end\"),
    ];
    for (text, summary) in rows {
        assert_eq!(parse_one(text).summary, summary, "{text}");
    }
}

#[test]
fn quoted_priorities_may_hold_spaces_and_quotes() {
    assert_eq!(parse_one(r#"Task !"Very high" #qa"#).priority.as_deref(), Some("Very high"));
    assert_eq!(
        parse_one(r#"Task !"say \"hi\" \\ now""#).priority.as_deref(),
        Some(r#"say "hi" \ now"#)
    );
    assert_eq!(problems(r#"Task !"Very high"#), [(Some(1), field::PRIORITY, code::BAD_SYNTAX)]);
    assert_eq!(problems(r#"Task !"High"er"#), [(Some(1), field::PRIORITY, code::BAD_SYNTAX)]);
}

#[test]
fn indented_lines_continue_the_description_and_keep_inner_blank_lines() {
    let text = "Deploy @me\n  Steps:\n\t- build\n\n     - ship (indented)\n\n\nNext task\n";
    let specs = parse_quick_entry(text).unwrap();
    assert_eq!(specs.len(), 2);
    assert_eq!(specs[0].description.as_deref(), Some("Steps:\n- build\n\n   - ship (indented)"));
    assert_eq!(specs[1], SubtaskSpec::new("Next task"));
}

#[test]
fn blank_lines_and_line_endings_do_not_matter() {
    let specs = parse_quick_entry("\r\n\nA\r\n\r\nB\rC\n\n").unwrap();
    let summaries: Vec<&str> = specs.iter().map(|spec| spec.summary.as_str()).collect();
    assert_eq!(summaries, ["A", "B", "C"]);
    assert_eq!(parse_quick_entry(""), Ok(vec![]));
}

#[test]
fn unknown_markers_are_errors_naming_the_line_and_the_marker() {
    let text = "Fine\nA due:tomorrow\nB !\nC ~2x\nD @\nE #\nF @alice.smith";
    let report = parse_quick_entry(text).unwrap_err();
    let got: Vec<(Option<usize>, &str)> =
        report.violations.iter().map(|p| (p.line, p.code)).collect();
    assert_eq!(
        got,
        [
            (Some(2), code::UNKNOWN_MARKER),
            (Some(3), code::UNKNOWN_MARKER),
            (Some(4), code::BAD_SYNTAX),
            (Some(5), code::UNKNOWN_MARKER),
            (Some(6), code::UNKNOWN_MARKER),
            (Some(7), code::BAD_CHARSET),
        ]
    );
    for (problem, token) in
        report.violations.iter().zip(["due:tomorrow", "!", "~2x", "@", "#", "@alice.smith"])
    {
        assert!(problem.message.contains(&format!("`{token}`")), "{problem}");
    }
    assert_eq!(
        report.to_string().lines().next(),
        Some(
            "line 2: Unknown marker `due:tomorrow`: write due:+Nd from today, or due:parent+Nd / \
         due:parent-Nd from the parent's due date, counting calendar days."
        )
    );
}

#[test]
fn every_problem_on_every_line_is_reported() {
    let text = "~0m #a #a !\"x\"y @me @parent due:+1w due:+99999d\n   stray\n@me\n{{parent.nope}}";
    assert_eq!(
        problems(text),
        [
            (Some(1), field::ESTIMATE, code::NOT_POSITIVE),
            (Some(1), field::LABELS, code::DUPLICATE),
            (Some(1), field::PRIORITY, code::BAD_SYNTAX),
            (Some(1), field::ASSIGNEE, code::DUPLICATE),
            (Some(1), field::DUE, code::UNKNOWN_MARKER),
            (Some(1), field::DUE, code::TOO_LARGE),
            (Some(1), field::SUMMARY, code::EMPTY),
            (Some(3), field::SUMMARY, code::EMPTY),
            (Some(4), field::SUMMARY, code::UNKNOWN_VARIABLE),
        ]
    );
}

#[test]
fn an_indented_line_with_nothing_above_is_an_error() {
    assert_eq!(problems("  orphan\nTask"), [(Some(1), field::DESCRIPTION, code::BAD_SYNTAX)]);
}

#[test]
fn summaries_are_checked_for_length_and_line_breaks() {
    assert!(parse_quick_entry(&"中".repeat(254)).is_ok());
    assert_eq!(problems(&"中".repeat(255)), [(Some(1), field::SUMMARY, code::TOO_LONG)]);
    assert_eq!(problems("a\u{2028}b"), [(Some(1), field::SUMMARY, code::MULTI_LINE)]);
    // Variables are filled in later; only the fixed text counts now.
    assert!(parse_quick_entry(&format!("{}{{{{parent.summary}}}}", "x".repeat(254))).is_ok());
}

#[test]
fn the_grammar_counts_no_lines_the_count_rule_is_for_templates_and_applications() {
    assert_eq!(parse_quick_entry(&"t\n".repeat(201)).map(|specs| specs.len()), Ok(201));
    assert_eq!(parse_quick_entry(""), Ok(Vec::new()));
}

#[test]
fn formatting_puts_markers_after_the_summary_in_a_fixed_order() {
    let spec = SubtaskSpec {
        summary: "#1 @home due:x".to_owned(),
        description: Some("First\n\n  indented".to_owned()),
        assignee: Some(Assignee::Reporter),
        labels: vec!["qa".to_owned(), "ux".to_owned()],
        estimate: Some(Estimate::from_minutes(3_570).unwrap()),
        priority: Some("Very high".to_owned()),
        due: Some(RelativeDue { days: -2, anchor: DueAnchor::ParentDue }),
        issue_type: Some("Code review".to_owned()),
    };
    let text = format_quick_entry(std::slice::from_ref(&spec));
    assert_eq!(
        text,
        "\\#1 \\@home \\due:x @reporter #qa #ux ~1w2d3h30m !\"Very high\" due:parent-2d \
         type:\"Code review\"\n  First\n\n    indented"
    );
    assert_eq!(parse_quick_entry(&text), Ok(vec![spec]));
    assert_eq!(format_quick_entry(&[]), "");
}

#[test]
fn a_subtask_type_is_named_bare_or_in_quotes() {
    let rows = [
        ("Review type:Sub-task", "Sub-task"),
        ("type:Review Code", "Review"),
        ("Review type:\"Code review\" #qa", "Code review"),
        ("Review type:\"say \\\"hi\\\"\"", "say \"hi\""),
        ("Review type:\"中文 型\"", "中文 型"),
    ];
    for (text, want) in rows {
        assert_eq!(parse_one(text).issue_type.as_deref(), Some(want), "{text}");
    }
    let spec = parse_one("Review type:\"Code review\" #qa");
    assert_eq!((spec.summary.as_str(), spec.labels.as_slice()), ("Review", &["qa".to_owned()][..]));
    assert_eq!(parse_one("Plain").issue_type, None);
}

#[test]
fn a_literal_type_word_in_a_summary_is_escaped_both_ways() {
    assert_eq!(parse_one("Set \\type:x here").summary, "Set type:x here");
    assert_eq!(parse_one("Set \\type:x here").issue_type, None);
    assert_eq!(parse_one("mytype:x Type:y").summary, "mytype:x Type:y");
    let spec = SubtaskSpec::new("type:x and type:\"y\"");
    let text = format_quick_entry(std::slice::from_ref(&spec));
    assert_eq!(text, "\\type:x and \\type:\"y\"");
    assert_eq!(parse_quick_entry(&text), Ok(vec![spec]));
}

#[test]
fn bad_subtask_type_markers_are_reported_at_their_line() {
    let rows: [(&str, &str); 6] = [
        ("T type:", code::UNKNOWN_MARKER),
        ("T type:\"\"", code::UNKNOWN_MARKER),
        ("T type:\"  \"", code::EMPTY),
        ("T type:a type:b", code::DUPLICATE),
        ("T type:\"Code review", code::BAD_SYNTAX),
        ("T type:\"Code\"review", code::BAD_SYNTAX),
    ];
    for (line, want) in rows {
        assert_eq!(
            problems(&format!("Fine\n{line}")),
            [(Some(2), field::ISSUE_TYPE, want)],
            "{line}"
        );
    }
    let long = format!("T type:{}", "t".repeat(61));
    assert_eq!(problems(&long), [(Some(1), field::ISSUE_TYPE, code::TOO_LONG)]);
    let report = parse_quick_entry("T type:\"Code review").unwrap_err();
    assert!(report.violations[0].message.contains("type:\"Code review\""), "{report}");
}

#[test]
fn due_dates_read_and_write_without_the_marker_prefix() {
    for text in ["+2d", "-1d", "today", "parent", "parent+3d", "parent-13d"] {
        let due = RelativeDue::parse(text).unwrap();
        assert_eq!(due.to_text(), text);
        assert_eq!(Some(due), parse_one(&format!("T due:{text}")).due);
    }
    assert_eq!(RelativeDue::parse("+0d").unwrap().to_text(), "today");
    assert_eq!(RelativeDue::parse("tomorrow").unwrap_err().code, code::BAD_SYNTAX);
    assert_eq!(RelativeDue::parse("").unwrap_err().field, field::DUE);
    assert_eq!(RelativeDue::parse("+99999d").unwrap_err().code, code::TOO_LARGE);
}

#[test]
fn a_bare_type_word_is_an_error_that_says_how_to_write_the_word() {
    let report = parse_quick_entry("Define the type: string").unwrap_err();
    assert_eq!(report.violations.len(), 1, "{report}");
    assert_eq!(report.violations[0].code, code::UNKNOWN_MARKER);
    assert!(report.violations[0].message.contains("\\type:"), "{report}");
    assert_eq!(parse_one("Define the \\type: string").summary, "Define the type: string");
}
