//! What a sandbox site stores: its issue types, projects, priorities, issues and grants, as the
//! REST handlers read and change them (the public types of `site::model` are views of these).

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Debug, Clone)]
pub(crate) struct IssueType {
    pub id: String,
    pub name: String,
    pub description: String,
    pub hierarchy_level: i32,
    pub avatar_id: u64,
    /// Team-managed types belong to one project (`scope`) and carry an `entityId`.
    pub scope_project: Option<u64>,
    pub entity_id: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub id: u64,
    pub key: String,
    pub name: String,
    pub project_type_key: String,
    pub team_managed: bool,
    pub uuid: String,
    pub issue_type_ids: Vec<String>,
    /// The number in the next issue key; keys are never reused.
    pub next_number: u64,
    pub properties: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub(crate) struct Priority {
    pub id: String,
    pub name: String,
    pub description: String,
    pub color: String,
    pub icon: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub id: u64,
    pub key: String,
    pub created: String,
    /// What it was created with, as edited since.
    pub fields: IssueDraft,
}

/// What an issue gets when created; ids, key and timestamps are the site's to allocate.
#[derive(Debug, Clone)]
pub(crate) struct IssueDraft {
    pub project_id: u64,
    pub issue_type_id: String,
    pub summary: String,
    pub parent_id: Option<u64>,
    pub assignee: Option<String>,
    pub reporter: String,
    pub due_date: Option<String>,
    pub priority_id: String,
    pub labels: Vec<String>,
    pub original_estimate_secs: Option<u64>,
    pub description: Option<Value>,
    pub properties: BTreeMap<String, Value>,
}

/// An access token from the JWT bearer grant: who it acts as, for what, until when.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub account_id: String,
    /// `None`: the app's own scopes (no `scope` parameter was sent).
    pub scopes: Option<Vec<String>>,
    pub expires_at: u64,
}
