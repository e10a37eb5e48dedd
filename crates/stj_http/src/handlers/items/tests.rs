use serde_json::json;
use stj_templates::{format_quick_entry, parse_quick_entry_mapped};

use super::*;

fn items(value: Value) -> Vec<ItemBody> {
    serde_json::from_value(value).unwrap()
}

fn codes(report: &ValidationReport) -> Vec<(Option<usize>, &'static str, &'static str)> {
    report.violations.iter().map(|p| (p.line, p.field, p.code)).collect()
}

#[test]
fn text_to_items_and_back_loses_nothing() {
    let text = "Write tests @5b10ac8d82e05b22cc7d4ef5 #qa #api ~1d4h !\"Very high\" due:parent-1d type:\"Code review\"\n  \
                First line\n\n  after a blank\n\nShip @me due:today\nTell @unassigned due:+2d\nAsk @reporter\nPair @parent";
    let (specs, lines) = parse_quick_entry_mapped(text).unwrap();
    let json: Vec<_> =
        specs.iter().zip(lines.lines()).map(|(s, l)| item_json(s, Some(*l))).collect();
    assert_eq!(
        json[0],
        json!({"line": 1, "summary": "Write tests", "description": "First line\n\nafter a blank",
            "assignee": {"type": "account", "accountId": "5b10ac8d82e05b22cc7d4ef5"},
            "labels": ["qa", "api"], "estimate": "1d 4h", "priority": "Very high",
            "due": "parent-1d", "issueType": "Code review"})
    );
    assert_eq!(
        json.iter().map(|i| i["line"].as_u64().unwrap()).collect::<Vec<_>>(),
        [1, 6, 7, 8, 9]
    );
    // The UI sends the items back without `line`.
    let back: Vec<_> = json
        .iter()
        .map(|item| {
            let mut item = item.clone();
            item.as_object_mut().unwrap().remove("line");
            item
        })
        .collect();
    let again = to_specs(items(json!(back))).unwrap();
    assert_eq!(again, specs);
    assert_eq!(parse_quick_entry_mapped(&format_quick_entry(&again)).unwrap().0, specs);
}

#[test]
fn a_minimal_item_is_a_summary_and_blank_values_count_as_absent() {
    let specs = to_specs(items(json!([
        {"summary": "  Only this  "},
        {"summary": "B", "estimate": "", "due": "", "priority": "", "issueType": "", "description": "",
         "assignee": {"type": "projectDefault"}, "labels": []}
    ])))
    .unwrap();
    assert_eq!(specs, [SubtaskSpec::new("Only this"), SubtaskSpec::new("B")]);
}

#[test]
fn every_bad_value_is_reported_at_its_item() {
    let report = to_specs(items(json!([
        {"summary": "fine"},
        {"summary": "", "estimate": "2x", "due": "tomorrow", "labels": ["a b"]},
        {"summary": "x", "assignee": {"type": "account"}},
        {"summary": "x", "assignee": {"type": "boss"}},
        {"summary": "x", "assignee": {"type": "me", "accountId": "abc"}},
        {"summary": "x", "assignee": {"type": "account", "accountId": "me"}},
        {"summary": "x", "issueType": "t".repeat(61), "priority": " "}
    ])))
    .unwrap_err();
    assert_eq!(
        codes(&report),
        [
            (Some(2), field::ESTIMATE, code::BAD_SYNTAX),
            (Some(2), field::DUE, code::BAD_SYNTAX),
            (Some(2), field::SUMMARY, code::EMPTY),
            (Some(2), field::LABELS, code::WHITESPACE),
            (Some(3), field::ASSIGNEE, code::MISSING),
            (Some(4), field::ASSIGNEE, code::UNKNOWN_MARKER),
            (Some(5), field::ASSIGNEE, code::BAD_SYNTAX),
            (Some(6), field::ASSIGNEE, code::RESERVED),
            (Some(7), field::PRIORITY, code::EMPTY),
            (Some(7), field::ISSUE_TYPE, code::TOO_LONG),
        ]
    );
    // How many is the count rule's business, where items become a template or an application.
    let many: Vec<_> = (0..201).map(|n| json!({"summary": format!("s{n}")})).collect();
    assert_eq!(to_specs(items(json!(many))).map(|specs| specs.len()), Ok(201));
    assert!(serde_json::from_value::<Vec<ItemBody>>(json!([{"summary": "x", "line": 1}])).is_err());
}

mod properties {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    /// Quick-entry lines of marker words, escapes, quotes and description lines.
    fn text() -> impl Strategy<Value = String> {
        let word = prop::sample::select(vec![
            "Write",
            "tests",
            "中文",
            "😀",
            "@me",
            "@parent",
            "@reporter",
            "@unassigned",
            "@5b10ac8d",
            "#qa",
            "#a-b",
            "~2h",
            "~1d4h",
            "~1w2d3h30m",
            "!High",
            "!\"Very high\"",
            "due:+2d",
            "due:-1d",
            "due:today",
            "due:parent",
            "due:parent+3d",
            "type:Sub-task",
            "type:\"Code review\"",
            "\\@x",
            "\\type:y",
            "{{parent.key}}",
            "C:\\temp",
        ]);
        let line = prop_oneof![
            3 => vec(word, 1..6).prop_map(|words| words.join(" ")),
            1 => "[a-z ]{0,12}".prop_map(|d| format!("  {d}")),
            1 => Just(String::new()),
        ];
        vec(line, 0..8).prop_map(|lines| lines.join("\n"))
    }

    proptest! {
        #[test]
        fn items_carry_every_value_both_ways(text in text()) {
            if let Ok((specs, lines)) = parse_quick_entry_mapped(&text) {
                let items: Vec<Value> = specs
                    .iter()
                    .zip(lines.lines())
                    .map(|(spec, line)| {
                        let mut item = item_json(spec, Some(*line));
                        item.as_object_mut().unwrap().remove("line");
                        item
                    })
                    .collect();
                prop_assert_eq!(to_specs(super::items(json!(items))), Ok(specs));
            }
        }
    }
}
