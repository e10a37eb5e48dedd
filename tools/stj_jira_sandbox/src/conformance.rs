//! Requests and responses checked against Atlassian's Jira Cloud platform OpenAPI spec
//! (`<shared>/jira/jira-platform-openapi.json`), so the sandbox cannot drift from Jira's documented
//! shapes and end-to-end tests can check every request the app sent ([`check_recorded`]).
//!
//! The spec is OpenAPI 3.0: its schemas are JSON Schema draft 4 plus `nullable`, which is rewritten
//! to a `null` alternative when the spec is loaded. `$ref`s resolve inside the spec. Formats are
//! checked where JSON Schema knows them (`uri`, `date-time`, `uuid`; `int32`/`int64` are not).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value, json};

use crate::RecordedRequest;
use crate::server::lock;

/// Where the spec lives under the shared reference folder.
pub const SPEC_FILE: &str = "jira/jira-platform-openapi.json";

/// Routes the sandbox serves that the platform spec does not describe: the authorization server's
/// token endpoint, and Connect's own app-licence resource. Checks skip them explicitly.
pub const NOT_IN_PLATFORM_SPEC: [&str; 2] =
    ["POST /oauth2/token", "GET /rest/atlassian-connect/1/addons/{appKey}"];

#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    #[error("Atlassian's reference files are not at {0}; set STJ_SHARED_DIR to the shared folder")]
    SharedDirMissing(PathBuf),
    #[error("cannot load the OpenAPI spec: {0}")]
    Spec(String),
    #[error("{0} is not an operation of the platform spec")]
    UnknownOperation(String),
    #[error("{operation} documents no {status} response")]
    UndocumentedStatus { operation: String, status: u16 },
    #[error("{operation}: {what} does not match the spec: {errors:#?}")]
    Mismatch { operation: String, what: String, errors: Vec<String> },
}

/// What [`check_recorded`] did with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    Validated,
    /// One of [`NOT_IN_PLATFORM_SPEC`].
    NotInSpec,
}

/// The shared reference folder: `STJ_SHARED_DIR`, else `<workspace>/../shared`.
pub fn shared_dir() -> Result<PathBuf, ConformanceError> {
    #[expect(
        clippy::disallowed_methods,
        reason = "tests find Atlassian's reference files through STJ_SHARED_DIR, as the README says"
    )]
    let configured = std::env::var("STJ_SHARED_DIR").ok();
    let dir = configured.map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    if dir.is_dir() { Ok(dir) } else { Err(ConformanceError::SharedDirMissing(dir)) }
}

/// Check a request body for `METHOD /template` (e.g. `POST /rest/api/3/issue/bulk`). `None` is no
/// body; operations without a request body must get none (Jira refuses a GET with a body).
pub fn check_request(
    method: &str,
    path_template: &str,
    body: Option<&Value>,
) -> Result<(), ConformanceError> {
    let spec = Spec::get()?;
    let (operation, op) = spec.operation(method, path_template)?;
    let content = op.pointer("/requestBody/content/application~1json/schema");
    match (content, body) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(mismatch(&operation, "request", "the operation takes no body")),
        (Some(_), None) if op.pointer("/requestBody/required") == Some(&json!(true)) => {
            Err(mismatch(&operation, "request", "the operation requires a body"))
        }
        (Some(_), None) => Ok(()),
        (Some(schema), Some(body)) => spec.validate(&operation, "request body", schema, body),
    }
}

/// Check a response: the status must be documented, and a JSON body must match its schema.
/// Statuses documented without content (most 401/403/404s) are not checked further.
pub fn check_response(
    method: &str,
    path_template: &str,
    status: u16,
    body: Option<&Value>,
) -> Result<(), ConformanceError> {
    let spec = Spec::get()?;
    let (operation, op) = spec.operation(method, path_template)?;
    let response = op
        .get("responses")
        .and_then(|r| r.get(status.to_string()).or_else(|| r.get("default")))
        .ok_or_else(|| ConformanceError::UndocumentedStatus {
            operation: operation.clone(),
            status,
        })?;
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        return Ok(());
    };
    match body {
        Some(body) => spec.validate(&operation, &format!("{status} response"), schema, body),
        None if schema.as_object().is_some_and(Map::is_empty) => Ok(()),
        None => Err(mismatch(&operation, "response", "the spec documents a JSON body")),
    }
}

/// Check a request the sandbox recorded (its route names the operation; a body that is not JSON
/// is checked as a string).
pub fn check_recorded(request: &RecordedRequest) -> Result<Checked, ConformanceError> {
    let route = request.route.clone().unwrap_or_else(|| request.counted_as());
    if NOT_IN_PLATFORM_SPEC.contains(&route.as_str()) {
        return Ok(Checked::NotInSpec);
    }
    let (method, template) = route.split_once(' ').unwrap_or(("", &route));
    let body = match request.body.trim() {
        "" => None,
        text => Some(request.json().unwrap_or_else(|| json!(text))),
    };
    check_request(method, template, body.as_ref()).map(|()| Checked::Validated)
}

/// The OAuth 2.0 scope sets that each allow `METHOD /template` (the spec's
/// `x-atlassian-oauth2-scopes`: the classic set and the granular one); empty when it names none.
pub fn operation_scopes(
    method: &str,
    template: &str,
) -> Result<Vec<Vec<String>>, ConformanceError> {
    let (_, op) = Spec::get()?.operation(method, template)?;
    let sets = op.get("x-atlassian-oauth2-scopes").and_then(Value::as_array);
    Ok(sets
        .into_iter()
        .flatten()
        .filter_map(|set| set.get("scopes").and_then(Value::as_array))
        .map(|scopes| scopes.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .collect())
}

/// The loaded spec and the validators compiled from it so far.
struct Spec {
    document: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Spec {
    fn get() -> Result<&'static Spec, ConformanceError> {
        static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
        SPEC.get_or_init(|| Spec::load().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| ConformanceError::Spec(e.clone()))
    }

    fn load() -> Result<Spec, ConformanceError> {
        let path = shared_dir()?.join(SPEC_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ConformanceError::Spec(format!("{}: {e}", path.display())))?;
        let mut document: Value =
            serde_json::from_str(&text).map_err(|e| ConformanceError::Spec(e.to_string()))?;
        rewrite_nullable(&mut document);
        Ok(Spec { document, validators: Mutex::new(HashMap::new()) })
    }

    /// `METHOD /template` and its operation object.
    fn operation(
        &self,
        method: &str,
        template: &str,
    ) -> Result<(String, &Value), ConformanceError> {
        let name = format!("{} {template}", method.to_ascii_uppercase());
        self.document
            .get("paths")
            .and_then(|paths| paths.get(template))
            .and_then(|path| path.get(method.to_ascii_lowercase()))
            .map(|op| (name.clone(), op))
            .ok_or(ConformanceError::UnknownOperation(name))
    }

    fn validate(
        &self,
        operation: &str,
        what: &str,
        schema: &Value,
        instance: &Value,
    ) -> Result<(), ConformanceError> {
        let validator = self.validator(schema)?;
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConformanceError::Mismatch {
                operation: operation.to_owned(),
                what: what.to_owned(),
                errors,
            })
        }
    }

    /// A validator for `schema`, compiled once; its `$ref`s point into the spec's `components`,
    /// which ride along in the root so that `#/components/...` resolves.
    fn validator(&self, schema: &Value) -> Result<Arc<jsonschema::Validator>, ConformanceError> {
        let cache_key = schema.to_string();
        if let Some(found) = lock(&self.validators).get(&cache_key) {
            return Ok(Arc::clone(found));
        }
        let root = json!({
            "components": self.document.get("components").cloned().unwrap_or(Value::Null),
            "allOf": [schema],
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|e| ConformanceError::Spec(format!("schema does not compile: {e}")))?;
        let validator = Arc::new(validator);
        lock(&self.validators).insert(cache_key, Arc::clone(&validator));
        Ok(validator)
    }
}

fn mismatch(operation: &str, what: &str, why: &str) -> ConformanceError {
    ConformanceError::Mismatch {
        operation: operation.to_owned(),
        what: what.to_owned(),
        errors: vec![why.to_owned()],
    }
}

/// OpenAPI 3.0's `nullable: true` as draft 4 says it: `null` becomes one more allowed type.
fn rewrite_nullable(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(rewrite_nullable),
        Value::Object(obj) => {
            obj.values_mut().for_each(rewrite_nullable);
            if obj.remove("nullable") != Some(Value::Bool(true)) {
                return;
            }
            if let Some(Value::Array(allowed)) = obj.get_mut("enum") {
                allowed.push(Value::Null);
            }
            match obj.get("type").cloned() {
                Some(Value::String(kind)) => {
                    obj.insert("type".to_owned(), json!([kind, "null"]));
                }
                _ => {
                    let inner = Value::Object(std::mem::take(obj));
                    obj.insert("anyOf".to_owned(), json!([{ "type": "null" }, inner]));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_alternative() {
        let mut schema = json!({ "properties": {
            "a": { "type": "string", "nullable": true },
            "b": { "$ref": "#/x", "nullable": true },
            "c": { "type": "string", "enum": ["x"], "nullable": true },
        }});
        rewrite_nullable(&mut schema);
        assert_eq!(schema["properties"]["a"], json!({ "type": ["string", "null"] }));
        assert_eq!(
            schema["properties"]["b"],
            json!({ "anyOf": [{ "type": "null" }, { "$ref": "#/x" }] })
        );
        assert_eq!(schema["properties"]["c"]["enum"], json!(["x", null]));
    }
}
