use serde_json::json;

use super::*;

/// A JSON string value whose serialised form takes exactly `bytes` bytes (two for the quotes).
fn string_of_bytes(unit: &str, bytes: usize) -> serde_json::Value {
    let count = bytes.saturating_sub(2).checked_div(unit.len()).unwrap();
    json!(unit.repeat(count))
}

#[test]
fn property_values_are_limited_to_32768_bytes_of_serialised_json() {
    let rows = [
        (string_of_bytes("a", 32_768), true),
        (string_of_bytes("a", 32_769), false),
        // 'é' is one character but two bytes: the byte count is what counts here.
        (string_of_bytes("é", 32_768), true),
        (string_of_bytes("é", 32_770), false),
        (json!({"templates": []}), true),
    ];
    for (value, fits) in rows {
        let bytes = serde_json::to_string(&value).unwrap().len();
        let got = property_value(&value);
        assert_eq!(got.is_ok(), fits, "{bytes} bytes");
        if let Err(problem) = got {
            assert_eq!(problem.code, code::TOO_LONG);
            assert!(problem.message.contains(&bytes.to_string()), "{}", problem.message);
        }
    }
}

#[test]
fn escaping_counts_toward_the_limit() {
    // 16,384 quotes become 32,768 bytes of `\"`, plus the outer quotes: two too many.
    let value = json!("\"".repeat(16_384));
    assert_eq!(property_value(&value).unwrap_err().code, code::TOO_LONG);
    assert_eq!(property_value(&json!("\"".repeat(16_383))).map(|json| json.len()), Ok(32_768));
}

#[test]
fn serialised_json_is_returned_for_sending() {
    assert_eq!(property_value(&json!({"a": [1, "ü"]})), Ok(r#"{"a":[1,"ü"]}"#.to_owned()));
    assert_eq!(property_value_json(&"x".repeat(32_768)), Ok(()));
}
