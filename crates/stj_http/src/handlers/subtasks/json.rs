//! Previews, reports and applications as the API shows them.

use serde_json::{Value, json};

use stj_subtasks::{ApplyReport, IssueTypeRef, ItemStatus, Preview, PreviewItem};
use stj_templates::RenderedAssignee;

/// Where an application stands: `running` (this instance is at `done` of `total`), `done`, or
/// `incomplete` (applying again with the same key creates the rest).
pub(super) fn application_json(
    apply_id: &str,
    parent_key: &str,
    state: &str,
    total: usize,
    keys: &[Option<String>],
) -> Value {
    let done = keys.iter().flatten().count();
    json!({
        "applyId": apply_id,
        "parentKey": parent_key,
        "state": state,
        "total": total,
        "done": done,
        "keys": keys,
        "complete": state == "done",
    })
}

pub(super) fn preview_json(preview: &Preview) -> Value {
    let type_json = |t: &IssueTypeRef| json!({ "id": t.id, "name": t.name });
    json!({
        "parentKey": preview.parent_key.as_str(),
        "subtasks": preview.items.iter().map(item_json).collect::<Vec<_>>(),
        "subtaskTypes": preview.subtask_types.iter().map(type_json).collect::<Vec<_>>(),
        "defaultSubtaskTypeId": preview.default_type_id,
        "previous": preview.previous.iter().map(|p| json!({
            "applyId": p.apply_id,
            "appliedOn": p.applied_on.map(|d| d.to_string()),
            "total": p.total,
            "created": p.created,
            "present": p.present,
            "deleted": p.created.saturating_sub(p.present),
        })).collect::<Vec<_>>(),
    })
}

fn item_json(item: &PreviewItem) -> Value {
    let rendered = &item.rendered;
    let assignee = match &rendered.assignee {
        RenderedAssignee::ProjectDefault => json!({ "type": "projectDefault" }),
        RenderedAssignee::Unassigned => json!({ "type": "unassigned" }),
        RenderedAssignee::Account(id) => json!({
            "type": "account",
            "accountId": id,
            "displayName": item.assignee_name.as_ref().map(|n| n.expose()),
        }),
    };
    json!({
        "line": item.line,
        "summary": rendered.summary,
        "description": rendered.description,
        "assignee": assignee,
        "labels": rendered.labels,
        "originalEstimate": rendered.original_estimate,
        "priority": rendered.priority,
        "dueDate": rendered.due_date.map(|d| d.to_string()),
        "issueType": { "id": item.issue_type.id, "name": item.issue_type.name },
    })
}

pub(super) fn report_json(report: &ApplyReport) -> Value {
    let items: Vec<Value> = report
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let (status, key, message) = match &item.status {
                ItemStatus::Created { key } => ("created", Some(key.as_str()), None),
                ItemStatus::AlreadyExisted { key } => ("existing", Some(key.as_str()), None),
                ItemStatus::Rejected { message } => ("rejected", None, Some(message.as_str())),
                ItemStatus::NotAttempted => ("pending", None, None),
            };
            json!({
                "index": index,
                "line": item.line,
                "summary": item.summary.expose(),
                "status": status,
                "key": key,
                "message": message,
            })
        })
        .collect();
    let count = |s: &str| {
        items.iter().filter(|i| i.get("status").and_then(Value::as_str) == Some(s)).count()
    };
    json!({
        "applyId": report.apply_id,
        "parentKey": report.parent_key.as_str(),
        "created": count("created"),
        "existing": count("existing"),
        "rejected": count("rejected"),
        "pending": count("pending"),
        "items": items,
    })
}
