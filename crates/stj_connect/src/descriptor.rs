//! The app descriptor served at `/atlassian-connect.json`, built from configuration. Scopes are the
//! least the app uses: READ for issue and project look-ups, WRITE for properties and subtasks,
//! ACT_AS_USER so Jira applies the user's own permissions and reporter.

use serde_json::{Value, json};

use crate::config::ConnectConfig;

pub const SCOPES: &[&str] = &["READ", "WRITE", "ACT_AS_USER"];

/// Module keys and the app routes they open; the HTTP edge serves exactly these pages.
pub const ISSUE_GLANCE_KEY: &str = "subtask-templates-glance";
pub const ISSUE_GLANCE_URL: &str = "/ui/issue-glance?issueKey={issue.key}&projectKey={project.key}";
pub const MY_TEMPLATES_KEY: &str = "my-subtask-templates";
pub const MY_TEMPLATES_URL: &str = "/ui/my-templates";
pub const PROJECT_TEMPLATES_KEY: &str = "project-subtask-templates";
pub const PROJECT_TEMPLATES_URL: &str = "/ui/project-templates?projectKey={project.key}";

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
                "key": ISSUE_GLANCE_KEY,
                "name": { "value": "Subtask templates" },
                "icon": { "width": 24, "height": 24, "url": "/static/icon.svg" },
                "content": { "type": "label", "label": { "value": "Subtask templates" } },
                "target": { "type": "web_panel", "url": ISSUE_GLANCE_URL },
                // Only where a subtask can be created: subtasks on, a subtask type in the
                // project, and the issue itself not a subtask.
                "conditions": [{
                    "type": "and",
                    "conditions": [
                        { "condition": "user_is_logged_in" },
                        { "condition": "sub_tasks_enabled" },
                        { "condition": "has_sub_tasks_available" },
                        { "condition": "is_sub_task", "invert": true }
                    ]
                }]
            }],
            // Connect has no personal settings page; a general page linked from the profile
            // menu is Atlassian's documented route.
            "generalPages": [{
                "key": MY_TEMPLATES_KEY,
                "name": { "value": "My subtask templates" },
                "url": MY_TEMPLATES_URL,
                "location": "none",
                "conditions": [{ "condition": "user_is_logged_in" }]
            }],
            "webItems": [{
                "key": "my-subtask-templates-link",
                "name": { "value": "My subtask templates" },
                "location": "system.user.options/personal",
                "url": format!("/plugins/servlet/ac/{}/{MY_TEMPLATES_KEY}", config.app_key),
                "context": "product",
                "conditions": [{ "condition": "user_is_logged_in" }]
            }],
            // The project sidebar page every member sees (read-only unless a project admin).
            "jiraProjectPages": [{
                "key": PROJECT_TEMPLATES_KEY,
                "name": { "value": "Subtask templates" },
                "url": PROJECT_TEMPLATES_URL,
                "iconUrl": "/static/icon.svg",
                "weight": 200
            }]
        }
    })
}
