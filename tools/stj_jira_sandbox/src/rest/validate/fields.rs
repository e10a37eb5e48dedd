//! Checks of single fields and of `properties`, each adding Jira's message to the rejection.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Rejection;
use crate::rest::{MAX_PROPERTY_BYTES, MAX_PROPERTY_KEY_CHARS, duration};

pub(crate) const SUMMARY_MAX_CHARS: usize = 255;
const LABEL_MAX_CHARS: usize = 255;
pub(crate) const ADF_MESSAGE: &str =
    "Operation value must be an Atlassian Document (see the Atlassian Document Format)";
pub(crate) const KEY_TOO_LONG: &str = "The property key can not be longer than 255 characters.";
pub(crate) const VALUE_TOO_LONG: &str = "The property value can not be longer than 32768 bytes.";

/// Required, one line, under 255 characters.
pub(super) fn summary(value: Option<&Value>, no: &mut Rejection) -> String {
    let text = match value {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            no.field("summary", "Operation value must be a string");
            return String::new();
        }
    };
    if text.trim().is_empty() {
        no.field("summary", "You must specify a summary of the issue.");
    } else if text.contains(['\n', '\r']) {
        no.field("summary", "The summary is invalid because it contains newline characters.");
    } else if text.chars().count() >= SUMMARY_MAX_CHARS {
        no.field("summary", "Summary must be less than 255 characters.");
    }
    text.to_owned()
}

pub(super) fn labels(value: Option<&Value>, no: &mut Rejection) -> Vec<String> {
    let items = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            no.field("labels", "Operation value must be an array of strings");
            return Vec::new();
        }
    };
    let mut labels: Vec<String> = Vec::new();
    for item in items {
        let Some(label) = item.as_str() else {
            no.field("labels", "Operation value must be an array of strings");
            continue;
        };
        if label.is_empty() || label.contains(char::is_whitespace) {
            no.field("labels", format!("The label '{label}' contains spaces which is invalid."));
        } else if label.chars().count() > LABEL_MAX_CHARS {
            no.field(
                "labels",
                format!("The label '{label}' exceeds the maximum length for a single label of 255 characters."),
            );
        } else if !labels.iter().any(|l| l == label) {
            labels.push(label.to_owned());
        }
    }
    labels
}

/// `yyyy-MM-dd`, a real calendar date.
pub(super) fn is_date(text: &str) -> bool {
    text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// `timetracking.originalEstimate` (and `remainingEstimate`, checked but not kept) in seconds.
pub(super) fn estimate(value: Option<&Value>, no: &mut Rejection) -> Option<u64> {
    let tracking = value.filter(|v| !v.is_null())?;
    let Some(tracking) = tracking.as_object() else {
        no.field("timetracking", "Operation value must be an object");
        return None;
    };
    let mut original = None;
    for (field, error_key, message) in [
        (
            "originalEstimate",
            "timetracking_originalestimate",
            "The original estimate specified is not valid.",
        ),
        (
            "remainingEstimate",
            "timetracking_remainingestimate",
            "The remaining estimate specified is not valid.",
        ),
    ] {
        let Some(raw) = tracking.get(field) else { continue };
        match raw.as_str().and_then(duration::parse) {
            Some(secs) if field == "originalEstimate" => original = Some(secs),
            Some(_) => {}
            None => no.field(error_key, message),
        }
    }
    original
}

/// A `doc` of version 1 whose nodes all have a `type` (text nodes a non-empty `text`).
pub(super) fn is_adf_doc(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("doc")
        && value.get("version").and_then(Value::as_u64) == Some(1)
        && value
            .get("content")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().all(|n| is_adf_node(n, 1)))
}

fn is_adf_node(node: &Value, depth: usize) -> bool {
    let Some(kind) = node.get("type").and_then(Value::as_str) else { return false };
    let text_ok =
        kind != "text" || node.get("text").and_then(Value::as_str).is_some_and(|t| !t.is_empty());
    let content_ok = match node.get("content") {
        None => true,
        Some(Value::Array(children)) => {
            depth < 32 && children.iter().all(|c| is_adf_node(c, depth.saturating_add(1)))
        }
        Some(_) => false,
    };
    text_ok && content_ok && node.get("marks").is_none_or(Value::is_array)
}

/// `properties: [{key, value}]`, set atomically with the issue.
pub(super) fn properties(value: Option<&Value>, no: &mut Rejection) -> BTreeMap<String, Value> {
    let mut set = BTreeMap::new();
    let Some(items) = value.filter(|v| !v.is_null()) else { return set };
    let Some(items) = items.as_array() else {
        no.messages.push("Issue properties must be an array of {key, value}.".to_owned());
        return set;
    };
    for item in items {
        let key = item.get("key").and_then(Value::as_str).unwrap_or_default();
        match item.get("value") {
            _ if key.is_empty() => {
                no.messages.push("Property key cannot be null or empty.".to_owned())
            }
            _ if key.chars().count() > MAX_PROPERTY_KEY_CHARS => {
                no.messages.push(KEY_TOO_LONG.to_owned())
            }
            None | Some(Value::Null) => no.messages.push(format!("Property '{key}' has no value.")),
            Some(v) if v.to_string().len() > MAX_PROPERTY_BYTES => {
                no.messages.push(VALUE_TOO_LONG.to_owned())
            }
            Some(v) => {
                set.insert(key.to_owned(), v.clone());
            }
        }
    }
    set
}
