//! The descriptor the app serves validates against Atlassian's descriptor schema, for every
//! environment's configuration.

use stj_connect::descriptor::descriptor;
use stj_server::Environment;

use crate::support::{settings, shared_dir};

#[test]
fn descriptor_matches_atlassians_schema() {
    let schema_text =
        std::fs::read_to_string(shared_dir().join("connect/jira-descriptor-schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    for environment in [Environment::Local, Environment::Test] {
        let settings = settings(environment, &[]);
        let doc = descriptor(&settings.connect);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{environment:?}: {errors:#?}");
        assert_eq!(doc["apiMigrations"]["signed-install"], true);
        assert_eq!(doc["apiMigrations"]["context-qsh"], true);
        assert_eq!(doc["enableLicensing"], true);
    }
}

#[test]
fn the_schema_check_bites() {
    let schema_text =
        std::fs::read_to_string(shared_dir().join("connect/jira-descriptor-schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let mut doc = descriptor(&settings(Environment::Test, &[]).connect);
    doc["key"] = serde_json::json!("not a valid key!");
    doc["authentication"] = serde_json::json!({ "type": "basic" });
    assert!(validator.iter_errors(&doc).count() >= 2);
}
