//! The installed app's modules, as Jira learns them: from `{baseUrl}/atlassian-connect.json`.
//! Cached for a few seconds only, so a restarted app with new modules shows them at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Sandbox;
use crate::server::lock;

/// How long a fetched descriptor is reused before it is fetched again.
const FRESH_FOR: Duration = Duration::from_secs(3);

/// Where a module shows in Jira.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModuleKind {
    /// The issue view's right-hand panel: `jiraIssueGlances`, `jiraIssueContexts`, issue `webPanels`.
    Issue,
    /// A page of its own: `generalPages`, `adminPages`.
    General,
    /// A page in a project: `jiraProjectPages`, `jiraProjectAdminTabPanels`.
    Project,
}

/// One page-like module of the descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Module {
    pub kind: ModuleKind,
    pub key: String,
    pub name: String,
    /// Relative to the app's base URL, context parameters (`{issue.key}`) not yet substituted.
    pub url: String,
    /// The glance's icon URL, relative to the app's base URL.
    pub icon: Option<String>,
    /// The module's `conditions` (all must hold), as in the descriptor.
    pub conditions: Vec<Value>,
}

/// What Jira's conditions ask about the page being shown.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts {
    pub site_admin: bool,
    pub is_sub_task: bool,
    pub sub_tasks_available: bool,
}

impl Module {
    /// Whether Jira would show the module here. Conditions the sandbox does not model hold.
    pub fn shows(&self, facts: Facts) -> bool {
        self.conditions.iter().all(|c| holds(c, facts))
    }
}

fn holds(condition: &Value, facts: Facts) -> bool {
    if let Some(nested) = condition.get("conditions").and_then(Value::as_array) {
        let any = condition.get("type").and_then(Value::as_str) == Some("or");
        return if any {
            nested.iter().any(|c| holds(c, facts))
        } else {
            nested.iter().all(|c| holds(c, facts))
        };
    }
    let value = match condition.get("condition").and_then(Value::as_str).unwrap_or_default() {
        "user_is_admin" | "user_is_sysadmin" => facts.site_admin,
        "is_sub_task" => facts.is_sub_task,
        "has_sub_tasks_available" => facts.sub_tasks_available,
        // Logged in, subtasks switched on, and anything not modelled.
        _ => true,
    };
    let invert = condition.get("invert").and_then(Value::as_bool).unwrap_or(false);
    value != invert
}

/// Every module of `descriptor` this host can show, in descriptor order within each kind.
pub(crate) fn modules(descriptor: &Value) -> Vec<Module> {
    const SECTIONS: [(&str, ModuleKind); 7] = [
        ("jiraIssueGlances", ModuleKind::Issue),
        ("jiraIssueContexts", ModuleKind::Issue),
        ("webPanels", ModuleKind::Issue),
        ("generalPages", ModuleKind::General),
        ("adminPages", ModuleKind::General),
        ("jiraProjectPages", ModuleKind::Project),
        ("jiraProjectAdminTabPanels", ModuleKind::Project),
    ];
    let text = |v: &Value, ptr: &str| v.pointer(ptr).and_then(Value::as_str).map(str::to_owned);
    let mut found = Vec::new();
    for (section, kind) in SECTIONS {
        let entries = descriptor.pointer(&format!("/modules/{section}")).and_then(Value::as_array);
        for entry in entries.into_iter().flatten() {
            if section == "webPanels"
                && !text(entry, "/location").is_some_and(|l| l.starts_with("atl.jira.view.issue"))
            {
                continue;
            }
            let url = text(entry, "/target/url").or_else(|| text(entry, "/url"));
            let (Some(key), Some(url)) = (text(entry, "/key"), url) else { continue };
            let name = text(entry, "/name/value").unwrap_or_else(|| key.clone());
            let icon = text(entry, "/icon/url").or_else(|| text(entry, "/iconUrl"));
            let conditions =
                entry.get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();
            found.push(Module { kind, key, name, url, icon, conditions });
        }
    }
    found
}

/// Descriptors by app base URL, with when they were fetched.
#[derive(Debug, Default)]
pub(crate) struct Descriptors(Mutex<HashMap<String, (Instant, Value)>>);

impl Sandbox {
    /// The app's descriptor, fetched unless a fresh copy is cached. A failed fetch falls back to
    /// the last copy; without one, the reason.
    pub(crate) async fn app_descriptor(&self, app_base_url: &str) -> Result<Value, String> {
        let cached = lock(&self.host.descriptors.0).get(app_base_url).cloned();
        if let Some((at, descriptor)) = &cached
            && at.elapsed() < FRESH_FOR
        {
            return Ok(descriptor.clone());
        }
        match self.fetch_descriptor(app_base_url).await {
            Ok(descriptor) => {
                lock(&self.host.descriptors.0)
                    .insert(app_base_url.to_owned(), (Instant::now(), descriptor.clone()));
                Ok(descriptor)
            }
            Err(reason) => {
                tracing::warn!(app = app_base_url, reason, "cannot fetch the app's descriptor");
                cached.map(|(_, descriptor)| descriptor).ok_or(reason)
            }
        }
    }

    async fn fetch_descriptor(&self, app_base_url: &str) -> Result<Value, String> {
        let agent = self.agent.clone();
        let url = format!("{app_base_url}/atlassian-connect.json");
        tokio::task::spawn_blocking(move || {
            let mut response = agent
                .get(&url)
                .header("Accept", "application/json")
                .call()
                .map_err(|e| format!("GET {url} failed: {e}"))?;
            if response.status() != 200 {
                return Err(format!("GET {url} answered {}", response.status()));
            }
            response
                .body_mut()
                .read_json::<Value>()
                .map_err(|e| format!("GET {url}: not a JSON descriptor: {e}"))
        })
        .await
        .map_err(|_| "the descriptor fetch stopped".to_owned())?
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn modules_of_every_page_like_kind() {
        let descriptor = json!({ "modules": {
            "jiraIssueGlances": [{ "key": "glance", "name": { "value": "Subtask templates" },
                "icon": { "url": "/static/icon.svg" },
                "target": { "type": "web_panel", "url": "/ui/issue-glance?issueKey={issue.key}" } }],
            "webPanels": [
                { "key": "left", "name": { "value": "L" }, "url": "/l", "location": "atl.jira.view.issue.left.context" },
                { "key": "elsewhere", "name": { "value": "E" }, "url": "/e", "location": "atl.general" }],
            "generalPages": [{ "key": "mine", "name": { "value": "My subtask templates" }, "url": "/ui/my-templates" }],
            "jiraProjectAdminTabPanels": [{ "key": "shared", "name": { "value": "Templates" }, "url": "/ui/p?projectKey={project.key}" }],
            "jiraProjectPages": [{ "name": { "value": "no key" }, "url": "/x" }],
        }});
        let found = modules(&descriptor);
        let keys: Vec<_> = found.iter().map(|m| (m.kind, m.key.as_str())).collect();
        assert_eq!(
            keys,
            [
                (ModuleKind::Issue, "glance"),
                (ModuleKind::Issue, "left"),
                (ModuleKind::General, "mine"),
                (ModuleKind::Project, "shared"),
            ]
        );
        assert_eq!(found[0].url, "/ui/issue-glance?issueKey={issue.key}");
        assert_eq!(found[0].icon.as_deref(), Some("/static/icon.svg"));
        assert_eq!(found[2].name, "My subtask templates");
        assert!(modules(&json!({})).is_empty());
    }

    #[test]
    fn conditions_hide_the_glance_on_subtasks() {
        let descriptor = json!({ "modules": { "jiraIssueGlances": [{ "key": "g", "url": "/g",
            "conditions": [{ "type": "and", "conditions": [
                { "condition": "user_is_logged_in" },
                { "condition": "has_sub_tasks_available" },
                { "condition": "is_sub_task", "invert": true }] }] }] } });
        let glance = &modules(&descriptor)[0];
        let parent = Facts { sub_tasks_available: true, ..Facts::default() };
        assert!(glance.shows(parent));
        assert!(!glance.shows(Facts { is_sub_task: true, ..parent }));
        assert!(!glance.shows(Facts::default()), "no subtask type in the project");
        let or = json!({ "type": "or", "conditions": [
            { "condition": "user_is_admin" }, { "condition": "is_sub_task" }] });
        assert!(
            !holds(&or, Facts::default())
                && holds(&or, Facts { site_admin: true, ..Facts::default() })
        );
    }
}
