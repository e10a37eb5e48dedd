//! The app descriptor served at `/atlassian-connect.json`, built from configuration. Scopes are the
//! least the app uses: READ for issue and project look-ups, WRITE for properties and subtasks,
//! ACT_AS_USER so Jira applies the user's own permissions and reporter.

use serde_json::{Value, json};

use crate::config::ConnectConfig;

pub const SCOPES: &[&str] = &["READ", "WRITE", "ACT_AS_USER"];

/// Module keys and the app routes they open; the HTTP edge serves exactly these pages.
pub const ISSUE_GLANCE_URL: &str = "/ui/issue-glance?issueKey={issue.key}&projectKey={project.key}";

pub fn descriptor(config: &ConnectConfig) -> Value {
    json!({
        "key": config.app_key,
        "name": config.name,
        "description": config.description,
        "baseUrl": config.base_url.trim_end_matches('/'),
        "vendor": { "name": config.vendor_name, "url": config.vendor_url },
        "authentication": { "type": "jwt" },
        "apiVersion": 1,
        "enableLicensing": true,
        "apiMigrations": { "gdpr": true, "context-qsh": true, "signed-install": true },
        "scopes": SCOPES,
        "lifecycle": {
            "installed": "/installed",
            "uninstalled": "/uninstalled",
            "enabled": "/enabled",
            "disabled": "/disabled"
        },
        "modules": {
            "jiraIssueGlances": [{
                "key": "subtask-templates-glance",
                "name": { "value": "Subtask templates" },
                "icon": { "width": 24, "height": 24, "url": "/static/icon.svg" },
                "content": { "type": "label", "label": { "value": "Subtask templates" } },
                "target": { "type": "web_panel", "url": ISSUE_GLANCE_URL }
            }]
        }
    })
}
