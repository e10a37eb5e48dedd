//! The descriptor the app serves validates against Atlassian's descriptor schema, for every
//! environment's configuration.
//!
//! The schema is Atlassian's 2021 snapshot. Two documented facts postdate or loosen it, and are
//! applied to the loaded copy (never to the file), each narrowly:
//! * `apiMigrations` gained `context-qsh` (mandatory since June 2021) and `signed-install`
//!   (enforced since October 2021); the snapshot only knows `gdpr`.
//! * Module and lifecycle URLs are relative to `baseUrl` (Atlassian's own examples use `/installed`);
//!   the schema's `uri` format is checked as an RFC 3986 URI reference, not an absolute URI.

use serde_json::{Value, json};
use stj_connect::descriptor::descriptor;
use stj_server::Environment;

use crate::support::{settings, shared_dir};

fn validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(shared_dir().join("connect/jira-descriptor-schema.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    let migrations = &mut schema["properties"]["apiMigrations"]["properties"];
    migrations["context-qsh"] = json!({ "type": "boolean" });
    migrations["signed-install"] = json!({ "type": "boolean" });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .with_format("uri", is_uri_reference)
        .build(&schema)
        .expect("schema compiles")
}

/// Absolute `http(s)` URL, or a path relative to `baseUrl` with an optional query.
fn is_uri_reference(value: &str) -> bool {
    if value.starts_with('/') {
        return !value.starts_with("//") && !value.contains(char::is_whitespace);
    }
    url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

#[test]
fn descriptor_matches_atlassians_schema() {
    let validator = validator();
    for environment in [Environment::Local, Environment::Test] {
        let settings = settings(environment, &[]);
        let doc = descriptor(&settings.connect);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{environment:?}: {errors:#?}");
        assert_eq!(
            doc["apiMigrations"],
            json!({ "gdpr": true, "context-qsh": true, "signed-install": true })
        );
        assert_eq!(doc["enableLicensing"], true);
        assert_eq!(doc["baseUrl"], settings.connect.base_url.as_str());
    }
}

#[test]
fn the_schema_check_bites() {
    let validator = validator();
    let good = descriptor(&settings(Environment::Test, &[]).connect);
    let broken: Vec<(&str, Value)> = vec![
        ("key", json!("not a valid key!")),
        ("authentication", json!({ "type": "basic" })),
        ("apiMigrations", json!({ "made-up": true })),
        ("lifecycle", json!({ "installed": "not a uri" })),
        ("scopes", json!(["EVERYTHING"])),
    ];
    for (field, value) in broken {
        let mut doc = good.clone();
        doc[field] = value;
        assert!(validator.iter_errors(&doc).next().is_some(), "{field} should be refused");
    }
}
