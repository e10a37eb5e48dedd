use serde_json::{Value, json};

use super::*;
use crate::quick::parse_quick_entry;

fn sample() -> Library {
    let subtasks = parse_quick_entry(
        "Write tests @5b10ac8d82e05b22cc7d4ef5 #qa ~2h !\"Very high\" due:parent-1d\n  Cover {{parent.key}}\nDocs @me due:+3d type:\"Code review\"\nShip @unassigned\nAsk @reporter\nPair @parent",
    )
    .unwrap();
    Library {
        revision: 7,
        templates: vec![Template {
            id: TemplateId::new("release").unwrap(),
            name: "Release".to_owned(),
            description: Some("For every release".to_owned()),
            subtask_type: Some("Sub-task".to_owned()),
            subtasks,
        }],
    }
}

fn codes(report: &ValidationReport) -> Vec<(Option<usize>, &'static str, &'static str)> {
    report.violations.iter().map(|problem| (problem.line, problem.field, problem.code)).collect()
}

#[test]
fn a_library_survives_encoding_and_decoding() {
    let json = encode_library(&sample(), Scope::Project).unwrap();
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["version"], json!(1));
    assert_eq!(
        value["templates"][0]["subtasks"][0]["assignee"],
        json!({"kind": "account", "account_id": "5b10ac8d82e05b22cc7d4ef5"})
    );
    assert_eq!(
        value["templates"][0]["subtasks"][0]["due"],
        json!({"days": -1, "anchor": "parent"})
    );
    assert_eq!(value["templates"][0]["subtasks"][0]["estimate_minutes"], json!(120));
    assert_eq!(value["templates"][0]["subtasks"][1]["issue_type"], json!("Code review"));
    assert_eq!(value["templates"][0]["subtasks"][0].get("issue_type"), None);
    assert_eq!(value["templates"][0]["subtask_type"], json!("Sub-task"));
    assert_eq!(decode_library(&value, Scope::Project), Ok(sample()));
}

#[test]
fn a_minimal_hand_written_document_is_read() {
    let value = json!({"version": 1, "revision": 0, "templates": [
        {"id": "t", "name": "T", "subtasks": [{"summary": "  Only a summary\t", "description": "\n  \nText\n\n"}]}
    ]});
    let library = decode_library(&value, Scope::Personal).unwrap();
    let spec = &library.templates[0].subtasks[0];
    assert_eq!(
        (spec.summary.as_str(), spec.description.as_deref()),
        ("Only a summary", Some("Text"))
    );
    assert_eq!(
        decode_library(&json!({"version": 1, "revision": 3, "templates": []}), Scope::Personal),
        Ok(Library { revision: 3, templates: vec![] })
    );
}

#[test]
fn hand_edited_values_are_all_revalidated() {
    let value = json!({"version": 1, "revision": 1, "templates": [
        {"id": "Bad Id", "name": "", "subtasks": [
            {"summary": "ok", "estimate_minutes": 0, "labels": ["a b"]},
            {"summary": "", "due": {"days": 99999, "anchor": "today"}, "assignee": {"kind": "account", "account_id": "x y"}}
        ]},
        {"id": "good", "name": "Good", "subtasks": [{"summary": "fine"}]},
        {"id": "good", "name": "Again", "subtasks": [{"summary": "{{parent.nope}}"}]}
    ]});
    let report = decode_library(&value, Scope::Project).unwrap_err();
    assert_eq!(
        codes(&report),
        [
            (None, field::TEMPLATE_ID, code::DUPLICATE),
            (None, field::TEMPLATE_ID, code::BAD_CHARSET),
            (Some(1), field::ESTIMATE, code::NOT_POSITIVE),
            (Some(2), field::DUE, code::TOO_LARGE),
            (None, field::TEMPLATE_NAME, code::EMPTY),
            (Some(1), field::LABELS, code::WHITESPACE),
            (Some(2), field::SUMMARY, code::EMPTY),
            (Some(2), field::ASSIGNEE, code::BAD_CHARSET),
            (Some(1), field::SUMMARY, code::UNKNOWN_VARIABLE),
        ]
    );
    assert!(report.violations[8].message.starts_with("Template \"Again\": "), "{report}");
}

#[test]
fn documents_of_the_wrong_shape_or_version_are_refused_without_panicking() {
    let rows = [
        json!(null),
        json!([]),
        json!("text"),
        json!({"revision": 1, "templates": []}),
        json!({"version": 2, "revision": 1, "templates": []}),
        json!({"version": "1", "revision": 1, "templates": []}),
        json!({"version": 1, "templates": []}),
        json!({"version": 1, "revision": -1, "templates": []}),
        json!({"version": 1, "revision": 1, "templates": [{"id": "a", "name": "A", "subtasks": [{"summary": "x", "colour": "red"}]}]}),
        json!({"version": 1, "revision": 1, "templates": [{"id": "a", "name": "A", "subtasks": [{"summary": "x", "assignee": {"kind": "boss"}}]}]}),
        json!({"version": 1, "revision": 1, "templates": [{"id": "a", "name": "A", "subtasks": [{"summary": "x", "estimate_minutes": -5}]}]}),
    ];
    for value in rows {
        let report = decode_library(&value, Scope::Personal).unwrap_err();
        assert_eq!(codes(&report), [(None, field::DOCUMENT, code::BAD_SYNTAX)], "{value}");
    }
    let report =
        decode_library(&json!({"version": 9, "revision": 1, "templates": []}), Scope::Personal)
            .unwrap_err();
    assert!(report.violations[0].message.contains("version 9"), "{report}");
}

#[test]
fn encoding_refuses_invalid_libraries_and_documents_over_32_kib() {
    let mut invalid = sample();
    invalid.templates[0].subtasks[0].labels.push("two words".to_owned());
    assert!(encode_library(&invalid, Scope::Project).unwrap_err().has(code::WHITESPACE));
    let big = Library {
        revision: 1,
        templates: (0..20)
            .map(|n| Template {
                id: TemplateId::new(format!("t{n}")).unwrap(),
                name: format!("T{n}"),
                description: None,
                subtask_type: None,
                subtasks: vec![SubtaskSpec::new("s".repeat(200)); 10],
            })
            .collect(),
    };
    let report = encode_library(&big, Scope::Project).unwrap_err();
    assert_eq!(codes(&report), [(None, field::PROPERTY_VALUE, code::TOO_LONG)]);
    let unbounded = encode_library_unbounded(&big, Scope::Project).unwrap();
    assert!(unbounded.len() > 32_768);
    let value = serde_json::from_str(&unbounded).unwrap();
    assert_eq!(decode_library(&value, Scope::Project).unwrap(), big);
    assert!(encode_library_unbounded(&invalid, Scope::Project).unwrap_err().has(code::WHITESPACE));
}

#[test]
fn documents_without_types_still_decode_and_bad_type_names_are_reported() {
    let old = json!({"version": 1, "revision": 2, "templates": [
        {"id": "t", "name": "T", "subtasks": [{"summary": "One"}]}
    ]});
    let library = decode_library(&old, Scope::Personal).unwrap();
    assert_eq!(library.templates[0].subtask_type, None);
    assert_eq!(library.templates[0].subtasks[0].issue_type, None);
    let bad = json!({"version": 1, "revision": 2, "templates": [
        {"id": "t", "name": "T", "subtask_type": " ", "subtasks": [{"summary": "One", "issue_type": "x\ny"}]}
    ]});
    let report = decode_library(&bad, Scope::Personal).unwrap_err();
    assert_eq!(
        codes(&report),
        [(Some(1), field::ISSUE_TYPE, code::MULTI_LINE), (None, field::ISSUE_TYPE, code::EMPTY)]
    );
    let mut invalid = sample();
    invalid.templates[0].subtask_type = Some("t".repeat(61));
    assert!(encode_library(&invalid, Scope::Project).unwrap_err().has(code::TOO_LONG));
}
