//! Each JSON request body schema against the fields its handler type reads (`stj_http::body_fields`).

use std::collections::BTreeSet;

use serde_json::{Value, json};
use stj_http::Access;
use stj_http::body_fields::{RequestBody, request_bodies};

use crate::spec_matches_routes::{operations, resolve, spec, table};

/// The JSON request body schema of `operation`, if it has one.
fn body_schema<'a>(spec: &'a Value, operation: &'a Value) -> Option<&'a Value> {
    let body = resolve(spec, operation.get("requestBody")?);
    body.pointer("/content/application~1json/schema").map(|schema| resolve(spec, schema))
}

/// The object schema at `at` (property names; arrays are stepped into through `items`).
fn object_at<'a>(spec: &'a Value, mut schema: &'a Value, at: &[&str]) -> Result<&'a Value, String> {
    let step_in = |schema: &'a Value| {
        let schema = resolve(spec, schema);
        match schema.get("items") {
            Some(items) if schema["type"] == "array" => resolve(spec, items),
            _ => schema,
        }
    };
    schema = step_in(schema);
    for name in at {
        let next =
            schema["properties"].get(*name).ok_or_else(|| format!("no property `{name}`"))?;
        schema = step_in(next);
    }
    Ok(schema)
}

/// Empty when the schema at `body.at` documents exactly the type's fields (minus refused ones).
fn mismatch(spec: &Value, schema: &Value, body: &RequestBody) -> Vec<String> {
    let object = match object_at(spec, schema, body.at) {
        Ok(object) => object,
        Err(error) => return vec![error],
    };
    let documented: BTreeSet<&str> =
        object["properties"].as_object().into_iter().flatten().map(|(k, _)| k.as_str()).collect();
    let read: BTreeSet<&str> =
        body.fields.iter().copied().filter(|f| !body.refused.contains(f)).collect();
    let mut problems = Vec::new();
    if read.is_empty() {
        problems.push("the handler type reported no fields (not a derived struct?)".to_owned());
    }
    let undocumented: Vec<_> = read.difference(&documented).collect();
    let unread: Vec<_> = documented.difference(&read).collect();
    if !undocumented.is_empty() {
        problems.push(format!("the handler reads {undocumented:?}, the schema does not list them"));
    }
    if !unread.is_empty() {
        problems.push(format!("the schema lists {unread:?}, the handler type has no such fields"));
    }
    if object["additionalProperties"] != json!(false) {
        problems.push(
            "the handler refuses unknown fields: say `additionalProperties: false`".to_owned(),
        );
    }
    problems
}

#[test]
fn every_request_schema_lists_exactly_what_its_handler_reads() {
    let spec = spec();
    let ops = operations(&spec);
    let mut failures = Vec::new();
    for body in request_bodies() {
        let Some(schema) = ops.get(body.operation).and_then(|op| body_schema(&spec, op)) else {
            failures.push(format!("{}: no JSON request body documented", body.operation));
            continue;
        };
        for problem in mismatch(&spec, schema, &body) {
            failures.push(format!("{} {:?}: {problem}", body.operation, body.at));
        }
    }
    assert!(
        failures.is_empty(),
        "request schemas and handler types differ:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_documented_api_request_body_is_compared() {
    let spec = spec();
    let compared: BTreeSet<&str> = request_bodies().iter().map(|b| b.operation).collect();
    for (operation, access) in table() {
        let Some(op) = operations(&spec).remove(&operation) else { continue };
        // Lifecycle payloads are read by stj_connect, tolerant of the fields Jira adds over time.
        if access == Access::Api && body_schema(&spec, &op).is_some() {
            assert!(
                compared.contains(operation.as_str()),
                "{operation}: add its body type to stj_http::body_fields"
            );
        }
    }
}

/// The bug this guards against: fields written under `example:` instead of `properties:`.
#[test]
fn a_field_documented_in_the_wrong_place_is_caught() {
    let spec = json!({});
    let schema = json!({ "type": "object", "additionalProperties": false,
        "properties": { "quickEntry": {} },
        "example": { "today": { "type": "string" } } });
    let body = RequestBody {
        operation: "POST /x",
        at: &[],
        fields: &["quickEntry", "today"],
        refused: &[],
    };
    let problems = mismatch(&spec, &schema, &body);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("today"), "{problems:?}");
    let body = RequestBody { fields: &["quickEntry"], ..body };
    assert!(mismatch(&spec, &schema, &body).is_empty());
    let extra = json!({ "type": "object", "properties": { "quickEntry": {}, "gone": {} } });
    assert_eq!(mismatch(&spec, &extra, &body).len(), 2, "unread field and open object");
}
