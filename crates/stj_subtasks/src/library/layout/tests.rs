use serde_json::json;

use super::*;

fn serialised_len(text: &str) -> usize {
    serde_json::to_string(&Value::String(text.to_owned())).unwrap().len()
}

#[test]
fn escaped_lengths_match_serde_json() {
    let samples =
        (0u32..0x80).filter_map(char::from_u32).chain(['é', '中', '😀', '\u{2028}', '\u{7f}']);
    for c in samples {
        assert_eq!(escaped_len(c).saturating_add(2), serialised_len(&c.to_string()), "{c:?}");
    }
}

#[test]
fn a_small_document_is_one_shard() {
    let parts = split(r#"{"version":1,"revision":1,"templates":[]}"#).unwrap();
    assert_eq!(parts.len(), 1);
}

#[test]
fn large_documents_split_on_char_boundaries_within_the_limit() {
    // Quotes cost two bytes serialised, multi-byte characters up to four.
    let unit = "\"ab\\\"é中😀\u{1}";
    let document = unit.repeat(9_000);
    let parts = split(&document).unwrap();
    assert!(parts.len() > 1 && parts.len() <= MAX_SHARDS, "{}", parts.len());
    for part in &parts {
        let size = serialised_len(part);
        assert!(size <= SHARD_MAX_BYTES, "{size}");
    }
    assert!(parts.iter().rev().skip(1).all(|p| serialised_len(p) > SHARD_MAX_BYTES - 8));
    assert_eq!(parts.concat(), document);
    let values: Vec<Value> = parts.into_iter().map(Value::String).collect();
    assert_eq!(join(&values).unwrap(), document);
}

#[test]
fn a_document_beyond_ten_shards_is_refused() {
    let problem = split(&"x".repeat(MAX_LIBRARY_BYTES)).unwrap_err();
    assert_eq!((problem.field, problem.code), (field::TEMPLATES, code::TOO_LONG));
    assert!(problem.message.contains("300000"), "{problem}");
    assert_eq!(split(&"x".repeat(MAX_LIBRARY_BYTES - 2 * MAX_SHARDS)).unwrap().len(), MAX_SHARDS);
}

#[test]
fn the_index_round_trips_and_rejects_anything_else() {
    let index = Index::new(7, 42, 3);
    assert_eq!(index.to_value(), json!({"v": 1, "revision": 7, "generation": 42, "shards": 3}));
    assert_eq!(Index::parse(&index.to_value()).unwrap(), index);
    let cases = [
        (json!("text"), "no format version"),
        (json!([1, 2]), "no format version"),
        (json!({"revision": 1}), "no format version"),
        (json!({"v": 2, "revision": 1, "generation": 1, "shards": 1}), "format version 2"),
        (json!({"v": "1"}), "no format version"),
        (json!({"v": 1, "revision": 1, "generation": 1, "shards": 1, "x": 0}), "unknown field"),
        (json!({"v": 1, "revision": -1, "generation": 1, "shards": 1}), "expected shape"),
        (json!({"v": 1, "revision": 1, "generation": 1}), "missing field `shards`"),
        (json!({"v": 1, "revision": 1, "generation": 1, "shards": 0}), "names 0 parts"),
        (json!({"v": 1, "revision": 1, "generation": 1, "shards": 11}), "names 11 parts"),
    ];
    for (value, expected) in cases {
        let problem = Index::parse(&value).unwrap_err();
        assert_eq!(problem.field, field::DOCUMENT);
        assert!(problem.message.contains(expected), "{value}: {problem}");
    }
}

#[test]
fn keys_are_prefixed_with_the_app_key_and_checked() {
    let keys = Keys::new("io.subtask-templates.jira").unwrap();
    assert_eq!(keys.index(), "io.subtask-templates.jira.templates");
    let index = Index::new(1, 9, 2);
    assert_eq!(
        keys.shards_of(&index),
        ["io.subtask-templates.jira.templates.g9.0", "io.subtask-templates.jira.templates.g9.1"]
    );
    assert!(keys.in_shard_space("io.subtask-templates.jira.templates.g1.0"));
    assert!(keys.in_shard_space("io.subtask-templates.jira.templates.junk"));
    assert!(!keys.in_shard_space("io.subtask-templates.jira.templates"));
    assert!(!keys.in_shard_space("io.subtask-templates.jira.ledger"));
    for bad in ["", "a b", "a/b", "ä", &"k".repeat(240)] {
        assert!(Keys::new(bad).is_err(), "{bad}");
    }
}

#[test]
fn joining_refuses_non_text_and_oversized_parts() {
    let problem = join(&[json!("{"), json!(3)]).unwrap_err();
    assert!(problem.message.contains("Part 1"), "{problem}");
    let big = Value::String("x".repeat(SHARD_MAX_BYTES));
    let problem = join(&vec![big; MAX_SHARDS + 1]).unwrap_err();
    assert_eq!(problem.code, code::TOO_LONG);
}
