use super::*;
use crate::model::{Assignee, DueAnchor, Estimate, RelativeDue};

fn codes(report: &ValidationReport) -> Vec<(Option<usize>, &'static str, &'static str)> {
    report.violations.iter().map(|problem| (problem.line, problem.field, problem.code)).collect()
}

#[test]
fn formats_are_told_apart() {
    let rows = [
        ("- A\n  estimate: 2h", Some(ImportFormat::MultipleSubtasks)),
        ("- A\n- B", Some(ImportFormat::MultipleSubtasks)),
        ("- A / estimate:\"2h\"", Some(ImportFormat::QuickSubtasks)),
        ("- A\n- B / assignee:\"x\" labels:\"a,b\"", Some(ImportFormat::QuickSubtasks)),
        ("- Fix a/b paths", Some(ImportFormat::MultipleSubtasks)),
        ("Write tests @me", None),
        ("", None),
    ];
    for (text, want) in rows {
        assert_eq!(detect_format(text), want, "{text:?}");
    }
}

#[test]
fn multiple_subtasks_text_is_imported_with_every_supported_attribute() {
    let text = "- Write tests for @inherit\n  assignee: @current\n  label: qa\n  labels: backend, api\n  \
                estimate: 1h 15m\n  priority: Highest\n  description: Line one{n}Line two\n  dueDate: @inherit - 2d\n\
                - Plain one\nassignee: 5b10ac8d82e05b22cc7d4ef5\nduedate: @now + 1w\n";
    let specs = import_text(text).unwrap();
    assert_eq!(
        specs[0],
        SubtaskSpec {
            summary: "Write tests for {{parent.summary}}".to_owned(),
            description: Some("Line one\nLine two".to_owned()),
            assignee: Some(Assignee::Me),
            labels: vec!["qa".to_owned(), "backend".to_owned(), "api".to_owned()],
            estimate: Some(Estimate::from_minutes(75).unwrap()),
            priority: Some("Highest".to_owned()),
            due: Some(RelativeDue { days: -2, anchor: DueAnchor::ParentDue }),
            issue_type: None,
        }
    );
    assert_eq!(specs[1].assignee, Some(Assignee::AccountId("5b10ac8d82e05b22cc7d4ef5".to_owned())));
    assert_eq!(specs[1].due, Some(RelativeDue { days: 7, anchor: DueAnchor::Today }));
}

#[test]
fn quick_subtasks_text_is_imported() {
    let text = "- Write tests / assignee:\"@inherit\" labels:\"a, b\" estimate:\"2h\"\n\
                - Review / priority:\"Very High\" / description:\"Check it\" / duedate:\"@inherit\"\n- Bare";
    let specs = import_text(text).unwrap();
    assert_eq!(specs.len(), 3);
    assert_eq!(specs[0].assignee, Some(Assignee::ParentAssignee));
    assert_eq!(specs[0].labels, ["a", "b"]);
    assert_eq!(specs[0].estimate.map(Estimate::minutes), Some(120));
    assert_eq!(specs[1].priority.as_deref(), Some("Very High"));
    assert_eq!(specs[1].description.as_deref(), Some("Check it"));
    assert_eq!(specs[1].due, Some(RelativeDue { days: 0, anchor: DueAnchor::ParentDue }));
    assert_eq!(specs[2], SubtaskSpec::new("Bare"));
}

#[test]
fn unsupported_and_unknown_attributes_are_reported_per_line() {
    let text = "- A\n  component: backend\n  watcher: bob\n  customfield_10001: 42\n  colour: red\n  \
                fixVersion: 2.0\n  dueDate: 2023-02-11\n  label: @inherit\n  estimate: 2d 1w\n  no colon here\n- \n  priority:";
    assert_eq!(
        codes(&import_text(text).unwrap_err()),
        [
            (Some(2), field::LINE, code::UNSUPPORTED),
            (Some(3), field::LINE, code::UNSUPPORTED),
            (Some(4), field::LINE, code::UNSUPPORTED),
            (Some(5), field::LINE, code::UNSUPPORTED),
            (Some(6), field::LINE, code::UNSUPPORTED),
            (Some(7), field::DUE, code::UNSUPPORTED),
            (Some(8), field::LABELS, code::UNSUPPORTED),
            (Some(9), field::ESTIMATE, code::BAD_SYNTAX),
            (Some(10), field::LINE, code::BAD_SYNTAX),
            (Some(11), field::SUMMARY, code::EMPTY),
            (Some(12), field::LINE, code::EMPTY),
        ]
    );
}

#[test]
fn repeated_attributes_and_user_names_are_reported() {
    let text = "- A\n  estimate: 1h\n  estimate: 2h\n  assignee: bob.smith\n  labels: x, x";
    let report = import_text(text).unwrap_err();
    assert_eq!(
        codes(&report),
        [
            (Some(3), field::ESTIMATE, code::DUPLICATE),
            (Some(4), field::ASSIGNEE, code::BAD_CHARSET),
            (Some(5), field::LABELS, code::DUPLICATE),
        ]
    );
    assert!(report.violations[1].message.contains("account id, not by user name"), "{report}");
}

#[test]
fn malformed_quick_subtasks_lines_are_reported() {
    let text = "- A / estimate:\"2h\n- B / link:\"PROJ-1\"\nnot a subtask\n- C / estimate:2h";
    assert_eq!(
        codes(&import_text(text).unwrap_err()),
        [
            (Some(1), field::LINE, code::BAD_SYNTAX),
            (Some(2), field::LINE, code::UNSUPPORTED),
            (Some(3), field::LINE, code::BAD_SYNTAX),
            (Some(4), field::LINE, code::BAD_SYNTAX),
        ]
    );
}

#[test]
fn text_in_neither_format_is_refused_at_its_first_line() {
    let report = import_text("\n\nWrite tests @me").unwrap_err();
    assert_eq!(codes(&report), [(Some(3), field::LINE, code::BAD_SYNTAX)]);
}

#[test]
fn a_lenient_import_keeps_what_it_can_and_lists_the_rest_by_line() {
    let text = "- A\n  component: backend\n  estimate: 2h\n  no colon here\n  issueType: Code review\n\
                - B\n  dueDate: 2023-02-11\n  issueType: 10003\n  estimate: 1h\n  estimate: 2h";
    let import = import_leniently(text).unwrap();
    assert_eq!(import.format, ImportFormat::MultipleSubtasks);
    assert_eq!(import.specs.len(), 2);
    assert_eq!(import.specs[0].estimate.map(Estimate::minutes), Some(120));
    assert_eq!(import.specs[0].issue_type.as_deref(), Some("Code review"));
    assert_eq!((import.specs[1].due, import.specs[1].issue_type.as_deref()), (None, None));
    assert_eq!(import.specs[1].estimate.map(Estimate::minutes), Some(60), "the first value stays");
    let unmapped: Vec<(Option<usize>, &str, &str)> = import
        .unmapped
        .iter()
        .map(|item| (item.violation.line, item.text.as_str(), item.violation.code))
        .collect();
    assert_eq!(
        unmapped,
        [
            (Some(2), "component: backend", code::UNSUPPORTED),
            (Some(4), "no colon here", code::BAD_SYNTAX),
            (Some(7), "dueDate: 2023-02-11", code::UNSUPPORTED),
            (Some(8), "issueType: 10003", code::UNSUPPORTED),
            (Some(10), "estimate: 2h", code::DUPLICATE),
        ]
    );
    assert!(import.unmapped[3].violation.message.contains("name"), "{:?}", import.unmapped[3]);
    // The strict import refuses the same text, problem by problem.
    assert_eq!(import_text(text).unwrap_err().len(), 5);
}

#[test]
fn a_lenient_quick_subtasks_import_names_each_attribute_it_left_out() {
    let text = "- A / link:\"PROJ-1\" estimate:\"2h\" / reporter:\"bob\"\nnot a subtask\n- B / estimate:\"1h";
    let import = import_leniently(text).unwrap();
    assert_eq!(import.format, ImportFormat::QuickSubtasks);
    assert_eq!(import.specs.iter().map(|s| s.summary.as_str()).collect::<Vec<_>>(), ["A", "B"]);
    assert_eq!(import.specs[0].estimate.map(Estimate::minutes), Some(120));
    let unmapped: Vec<(Option<usize>, &str)> =
        import.unmapped.iter().map(|item| (item.violation.line, item.text.as_str())).collect();
    assert_eq!(
        unmapped,
        [
            (Some(1), "link:\"PROJ-1\""),
            (Some(1), "reporter:\"bob\""),
            (Some(2), "not a subtask"),
            (Some(3), "estimate:\"1h"),
        ]
    );
}

#[test]
fn a_lenient_import_still_refuses_invalid_subtasks_and_unknown_formats() {
    assert!(import_leniently("- \n- {{nope}}").unwrap_err().has(code::EMPTY));
    assert!(import_leniently("Write tests @me").unwrap_err().has(code::BAD_SYNTAX));
}

mod properties {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;
    use crate::quick::{format_quick_entry, parse_quick_entry};

    fn line() -> impl Strategy<Value = String> {
        let attribute = prop::sample::select(vec![
            "estimate: 1h 30m",
            "estimate: 2x",
            "assignee: @current",
            "assignee: @inherit",
            "assignee: 5b10ac8d82e05b22cc7d4ef5",
            "labels: a, b,, c",
            "label: a",
            "priority: Very High",
            "description: one{n}  two{n}{n}",
            "dueDate: @inherit - 2d",
            "dueDate: @now+1w",
            "component: x",
            "- Summary with #hash @at ~tilde !bang due:x \\ {{parent.key}}",
            "- / estimate:\"2h\" labels:\"x,y\"",
            "- Fix a/b / priority:\"High\" assignee:\"@current\"",
            "- 中文 😀",
        ])
        .prop_map(str::to_owned);
        prop_oneof![3 => attribute, 1 => "\\PC{0,16}", 1 => Just(String::new())]
    }

    proptest! {
        #[test]
        fn whatever_is_imported_can_be_written_as_quick_entry(lines in vec(line(), 0..10)) {
            let text = lines.join("\n");
            if let Ok(import) = import_leniently(&text) {
                let quick = format_quick_entry(&import.specs);
                prop_assert_eq!(parse_quick_entry(&quick), Ok(import.specs.clone()), "quick: {:?}", quick);
                // The strict import accepts exactly the texts where nothing was left out.
                let strict = import_text(&text);
                prop_assert_eq!(strict.is_ok(), import.unmapped.is_empty());
                if let Ok(specs) = strict {
                    prop_assert_eq!(specs, import.specs);
                }
            } else {
                prop_assert!(import_text(&text).is_err());
            }
        }
    }
}
