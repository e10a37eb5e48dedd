//! What the issue page shows, read from the site model under its lock and rendered to HTML after:
//! the issue's header fields, its description as text, and its subtasks, live.

use std::fmt::Write as _;

use serde_json::Value;

use super::html::escape;
use crate::site::Site;

#[derive(Debug, Clone)]
pub(crate) struct SubtaskRow {
    pub key: String,
    pub summary: String,
    pub type_name: String,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct IssueView {
    pub key: String,
    pub id: String,
    pub summary: String,
    pub type_name: String,
    pub type_id: String,
    pub project_key: String,
    pub project_id: String,
    pub project_name: String,
    pub description: Vec<String>,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub priority: Option<String>,
    pub due: Option<String>,
    pub labels: Vec<String>,
    pub subtasks: Vec<SubtaskRow>,
    /// A subtask itself (it has a parent, or a subtask type).
    pub is_sub_task: bool,
    /// The project has a subtask issue type.
    pub sub_tasks_available: bool,
}

/// The issue as `account_id` sees it; `None` when it does not exist or they may not browse it
/// (Jira answers both the same way).
pub(crate) fn issue_view(site: &Site, key: &str, account_id: &str) -> Option<IssueView> {
    let issue = site.issue(key).filter(|i| i.key.eq_ignore_ascii_case(key))?;
    let project = site.project_by_id(issue.fields.project_id)?;
    if !site.permissions(account_id, project).browse {
        return None;
    }
    let type_name = |id: &str| site.issue_type(id).map(|t| t.name.clone()).unwrap_or_default();
    let name = |id: Option<&str>| id.and_then(|id| site.user(id)).map(|u| u.display_name.clone());
    let level = |id: &str| site.issue_type(id).map_or(0, |t| t.hierarchy_level);
    let is_sub_task = issue.fields.parent_id.is_some() || level(&issue.fields.issue_type_id) == -1;
    let sub_tasks_available = project.issue_type_ids.iter().any(|id| level(id) == -1);
    let subtasks = site
        .children(issue.id)
        .map(|child| SubtaskRow {
            key: child.key.clone(),
            summary: child.fields.summary.clone(),
            type_name: type_name(&child.fields.issue_type_id),
            assignee: name(child.fields.assignee.as_deref()),
        })
        .collect();
    Some(IssueView {
        key: issue.key.clone(),
        id: issue.id.to_string(),
        summary: issue.fields.summary.clone(),
        type_name: type_name(&issue.fields.issue_type_id),
        type_id: issue.fields.issue_type_id.clone(),
        project_key: project.key.clone(),
        project_id: project.id.to_string(),
        project_name: project.name.clone(),
        description: issue.fields.description.as_ref().map(adf_paragraphs).unwrap_or_default(),
        assignee: name(issue.fields.assignee.as_deref()),
        reporter: name(Some(&issue.fields.reporter)),
        priority: site.priority(&issue.fields.priority_id).map(|p| p.name.clone()),
        due: issue.fields.due_date.clone(),
        labels: issue.fields.labels.clone(),
        subtasks,
        is_sub_task,
        sub_tasks_available,
    })
}

/// The text of each top-level block of an ADF document (marks and layout dropped).
fn adf_paragraphs(doc: &Value) -> Vec<String> {
    fn text_of(node: &Value, out: &mut String) {
        match node.get("type").and_then(Value::as_str) {
            Some("text") => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
            Some("hardBreak") => out.push('\n'),
            _ => {}
        }
        for child in node.get("content").and_then(Value::as_array).into_iter().flatten() {
            text_of(child, out);
        }
    }
    let blocks = doc.get("content").and_then(Value::as_array);
    blocks
        .into_iter()
        .flatten()
        .map(|block| {
            let mut text = String::new();
            text_of(block, &mut text);
            text
        })
        .filter(|text| !text.trim().is_empty())
        .collect()
}

/// The inside of `#subtasks`: a count and the list (always present, empty or not).
pub(crate) fn subtasks_html(rows: &[SubtaskRow]) -> String {
    let count = match rows.len() {
        0 => "No subtasks yet".to_owned(),
        1 => "1 subtask".to_owned(),
        n => format!("{n} subtasks"),
    };
    let mut html = format!(
        "<p id=\"subtask-count\" class=\"subtle\">{count}</p><ul id=\"subtask-list\" class=\"subtasks\">"
    );
    for row in rows {
        let key = escape(&row.key);
        let assignee = row.assignee.as_deref().map_or_else(|| "Unassigned".to_owned(), escape);
        let _ = write!(
            html,
            "<li class=\"subtask\" data-issue-key=\"{key}\">\
             <span class=\"subtask-type\">{}</span>\
             <a class=\"subtask-key\" href=\"/browse/{key}\">{key}</a>\
             <span class=\"subtask-summary\">{}</span>\
             <span class=\"subtask-assignee\">{assignee}</span>\
             <span class=\"lozenge\">To Do</span></li>",
            escape(&row.type_name),
            escape(&row.summary),
        );
    }
    html.push_str("</ul>");
    html
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn adf_blocks_become_text() {
        let doc = json!({ "type": "doc", "version": 1, "content": [
            { "type": "paragraph", "content": [{ "type": "text", "text": "One" },
                { "type": "hardBreak" }, { "type": "text", "text": "two", "marks": [{ "type": "strong" }] }] },
            { "type": "paragraph", "content": [] },
            { "type": "bulletList", "content": [{ "type": "listItem", "content": [
                { "type": "paragraph", "content": [{ "type": "text", "text": "item" }] }] }] },
        ]});
        assert_eq!(adf_paragraphs(&doc), ["One\ntwo", "item"]);
    }

    #[test]
    fn subtask_rows_are_escaped() {
        let html = subtasks_html(&[SubtaskRow {
            key: "DEMO-2".to_owned(),
            summary: "<b>x</b>".to_owned(),
            type_name: "QA check".to_owned(),
            assignee: None,
        }]);
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;") && html.contains("Unassigned"));
        assert!(html.contains("1 subtask<") && subtasks_html(&[]).contains("No subtasks yet"));
    }
}
