//! Bulk create: each new subtask's fields and origin marker in one `POST /issue/bulk`, and the
//! answer read back as one outcome per item.

use serde_json::{Value, json};
use stj_subtasks::{Caller, GatewayError, ItemOutcome, NewSubtask, ParentIssue};
use stj_templates::RenderedAssignee;

use super::json;
use crate::rest::{JiraIssueGateway, adf, at, refusal};

fn fields(item: &NewSubtask, parent: &ParentIssue) -> Value {
    let mut fields = json!({
        "project": { "id": parent.project_id },
        "parent": { "key": parent.key.as_str() },
        "issuetype": { "id": item.issue_type_id },
        "summary": item.summary.expose(),
    });
    let map = fields.as_object_mut();
    if let Some(map) = map {
        if let Some(text) = &item.description {
            map.insert("description".into(), adf::paragraphs(text.expose()));
        }
        match &item.assignee {
            RenderedAssignee::ProjectDefault => {}
            RenderedAssignee::Unassigned => {
                map.insert("assignee".into(), Value::Null);
            }
            RenderedAssignee::Account(id) => {
                map.insert("assignee".into(), json!({ "id": id }));
            }
        }
        if !item.labels.is_empty() {
            map.insert("labels".into(), json!(item.labels));
        }
        if let Some(estimate) = &item.original_estimate {
            map.insert("timetracking".into(), json!({ "originalEstimate": estimate }));
        }
        if let Some(priority) = &item.priority_name {
            map.insert("priority".into(), json!({ "name": priority }));
        }
        if let Some(due) = item.due_date {
            map.insert("duedate".into(), json!(due.format("%Y-%m-%d").to_string()));
        }
    }
    fields
}

/// `issues[]` lists only successes, in submission order; failures name their index.
fn outcomes(body: &Value, n: usize) -> Vec<ItemOutcome> {
    let mut failed: Vec<Option<String>> = vec![None; n];
    for error in at(body, "/errors").as_array().into_iter().flatten() {
        let index =
            at(error, "/failedElementNumber").as_u64().and_then(|i| usize::try_from(i).ok());
        let element = &at(error, "/elementErrors");
        let mut parts: Vec<String> = at(element, "/errorMessages")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_owned))
            .collect();
        if let Some(map) = at(element, "/errors").as_object() {
            parts.extend(
                map.iter().map(|(f, m)| format!("{f}: {}", m.as_str().unwrap_or("invalid"))),
            );
        }
        if let Some(slot) = index.and_then(|i| failed.get_mut(i)) {
            *slot =
                Some(if parts.is_empty() { "rejected by Jira".into() } else { parts.join("; ") });
        }
    }
    let mut created =
        at(body, "/issues").as_array().into_iter().flatten().filter_map(|i| at(i, "/key").as_str());
    failed
        .into_iter()
        .map(|f| match f {
            Some(message) => ItemOutcome::Rejected { message },
            None => match created.next() {
                Some(key) => ItemOutcome::Created { key: key.to_owned() },
                None => ItemOutcome::Rejected { message: "Jira did not report this item".into() },
            },
        })
        .collect()
}

impl JiraIssueGateway {
    pub(super) async fn create_subtasks(
        &self,
        caller: &Caller,
        parent: &ParentIssue,
        items: &[NewSubtask],
    ) -> Result<Vec<ItemOutcome>, GatewayError> {
        let updates: Vec<Value> = items
            .iter()
            .map(|item| {
                json!({
                    "fields": fields(item, parent),
                    "properties": [{
                        "key": self.origin_key,
                        "value": { "apply": item.origin.apply_id, "index": item.origin.index }
                    }]
                })
            })
            .collect();
        let body = json!({ "issueUpdates": updates });
        let reply = self.call(caller, "POST", "/rest/api/3/issue/bulk", Some(&body), false).await?;
        match reply.status {
            201 | 400 if reply.body.contains("\"issues\"") => {
                Ok(outcomes(&json(&reply.body)?, items.len()))
            }
            _ => Err(refusal(&reply)),
        }
    }
}
