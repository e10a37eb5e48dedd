//! Preview and apply subtasks on an issue, and read back an earlier application. The request
//! carries the template as quick-entry text; the backend renders it against the parent, creates
//! as the calling user and keeps nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use stj_subtasks::{
    ApplyError, ApplyOptions, ApplyReport, ApplyRequest, Caller, GatewayError, ItemStatus, Preview,
    PreviewItem, QUICK_ENTRY_SOURCE,
};
use stj_templates::{RenderedAssignee, parse_quick_entry_mapped};

use crate::auth::ApiCaller;
use crate::handlers::common::{apply_problem, caller, gateway_problem, invalid, within_limit};
use crate::handlers::templates::{self, ScopeQuery};
use crate::problem::Problem;
use crate::state::EdgeState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct SubtasksBody {
    /// The subtasks as quick-entry text…
    #[serde(default)]
    quick_entry: Option<String>,
    /// …or a stored template (exactly one of the two).
    #[serde(default)]
    template: Option<TemplateRef>,
    /// The user's local date (`YYYY-MM-DD`) for relative due dates; defaults to today in UTC.
    #[serde(default)]
    today: Option<String>,
    /// The subtask type of lines that name none (one of the project's subtask types).
    #[serde(default)]
    subtask_type_id: Option<String>,
    /// Apply only: re-create this application's items whose subtasks were deleted.
    #[serde(default)]
    recreate_deleted: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateRef {
    scope: String,
    #[serde(default)]
    project: Option<String>,
    id: String,
}

/// The header naming one click: the application's id on the parent.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

pub(crate) async fn preview(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    issue_key: web::Path<String>,
    body: web::Json<SubtasksBody>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&principal)?;
    let body = body.into_inner();
    if body.recreate_deleted.is_some() {
        return Err(Problem::bad_request(
            "body_malformed",
            "recreateDeleted belongs to apply, not to preview",
        ));
    }
    let request = request(&state, &caller, &issue_key, body).await?;
    let preview = state.subtasks.preview(&caller, &request).await.map_err(apply_problem)?;
    Ok(HttpResponse::Ok().json(preview_json(&preview)))
}

pub(crate) async fn apply(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    http: HttpRequest,
    issue_key: web::Path<String>,
    body: web::Json<SubtasksBody>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&principal)?;
    let apply_id = idempotency_key(&http)?;
    let body = body.into_inner();
    let options = ApplyOptions {
        apply_id,
        recreate_deleted: body.recreate_deleted.unwrap_or(false),
        applied_on: chrono::Utc::now().date_naive(),
    };
    let request = request(&state, &caller, &issue_key, body).await?;
    match state.subtasks.apply(&caller, &request, &options).await {
        Ok(report) => Ok(HttpResponse::Ok().json(report_json(&report))),
        Err(ApplyError::Incomplete { report, cause }) => {
            tracing::warn!(apply.id = %report.apply_id, error = %cause, "application stopped part-way");
            let transient =
                matches!(cause, GatewayError::Unavailable(_) | GatewayError::Uncertain(_));
            let problem = if transient {
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "apply_incomplete",
                    "Some subtasks were not created yet",
                    "Jira stopped answering part-way. Apply again: only the missing subtasks will be created.",
                )
            } else {
                gateway_problem(cause)
            };
            Err(problem.with("result", report_json(&report)))
        }
        Err(err) => Err(apply_problem(err)),
    }
}

/// The `Idempotency-Key` header: required, 32 lower-case hex characters (128 random bits).
fn idempotency_key(http: &HttpRequest) -> Result<String, Problem> {
    let value = http.headers().get(IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok());
    match value {
        Some(key)
            if key.len() == 32 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            Ok(key.to_owned())
        }
        _ => Err(Problem::bad_request(
            "idempotency_key_invalid",
            "send an Idempotency-Key header of 32 lower-case hex characters, new for each click",
        )),
    }
}

pub(crate) async fn application(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&principal)?;
    let (issue_key, apply_id) = path.into_inner();
    check_issue_key(&issue_key)?;
    if apply_id.is_empty()
        || apply_id.len() > 64
        || !apply_id.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(Problem::bad_request(
            "apply_id_invalid",
            "an application id is up to 64 hex characters",
        ));
    }
    if let Some(running) = state.subtasks.progress(&caller, &issue_key, &apply_id) {
        return Ok(HttpResponse::Ok().json(json!({
            "applyId": apply_id,
            "parentKey": issue_key,
            "state": "running",
            "total": running.total,
            "done": running.done(),
            "keys": running.keys,
            "complete": false,
        })));
    }
    let recorded = state
        .subtasks
        .application(&caller, &issue_key, &apply_id)
        .await
        .map_err(gateway_problem)?;
    let recorded = recorded.ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "application_not_found",
            "Not found",
            "no such application on this issue",
        )
    })?;
    let done = recorded.keys.iter().flatten().count();
    let complete = done == recorded.total;
    Ok(HttpResponse::Ok().json(json!({
        "applyId": apply_id,
        "parentKey": issue_key,
        "state": if complete { "done" } else { "incomplete" },
        "total": recorded.total,
        "done": done,
        "keys": recorded.keys,
        "complete": complete,
    })))
}

fn check_issue_key(issue_key: &str) -> Result<(), Problem> {
    stj_validation::ids::issue_key(issue_key)
        .map_err(|p| Problem::bad_request("issue_key_invalid", p.message))
}

async fn request(
    state: &EdgeState,
    caller: &Caller,
    issue_key: &str,
    body: SubtasksBody,
) -> Result<ApplyRequest, Problem> {
    check_issue_key(issue_key)?;
    let today = match body.today.as_deref() {
        Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            Problem::bad_request("today_invalid", "today must be a date as YYYY-MM-DD")
        })?,
        None => chrono::Utc::now().date_naive(),
    };
    if body
        .subtask_type_id
        .as_deref()
        .is_some_and(|id| id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Problem::bad_request(
            "subtask_type_invalid",
            "subtaskTypeId is the numeric id of one of the project's subtask types",
        ));
    }
    // The source is derived here, never taken from the client: it names what was applied.
    // Lines are the quick entry's source lines (of the text sent, or of the stored template's
    // quick entry as the templates API shows it), so every problem is where the user sees it.
    let (specs, lines, source) = match (body.quick_entry, body.template) {
        (Some(text), None) => {
            let text = within_limit(&text, "quick_entry_too_long", "quick entry")?;
            let (specs, lines) = parse_quick_entry_mapped(text).map_err(invalid)?;
            (specs, lines, QUICK_ENTRY_SOURCE.to_owned())
        }
        (None, Some(template)) => {
            let query = ScopeQuery::new(template.scope, template.project);
            let stored = templates::stored_template(state, caller, &query, &template.id).await?;
            (stored.specs, stored.lines, stored.source)
        }
        _ => {
            return Err(Problem::bad_request(
                "source_invalid",
                "send either `quickEntry` or `template`",
            ));
        }
    };
    if specs.is_empty() {
        return Err(Problem::bad_request(
            "quick_entry_empty",
            "write at least one subtask, one per line",
        ));
    }
    let limit = stj_validation::limits::MAX_SUBTASKS_PER_TEMPLATE;
    if specs.len() > limit {
        return Err(Problem::bad_request(
            "too_many_subtasks",
            format!("at most {limit} subtasks at once"),
        ));
    }
    Ok(ApplyRequest {
        issue_key: issue_key.to_owned(),
        specs,
        lines: lines.lines().to_vec(),
        source,
        today,
        subtask_type_id: body.subtask_type_id,
    })
}

fn preview_json(preview: &Preview) -> Value {
    let type_json = |t: &stj_subtasks::IssueTypeRef| json!({ "id": t.id, "name": t.name });
    json!({
        "parentKey": preview.parent_key,
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

fn report_json(report: &ApplyReport) -> Value {
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
        "parentKey": report.parent_key,
        "created": count("created"),
        "existing": count("existing"),
        "rejected": count("rejected"),
        "pending": count("pending"),
        "items": items,
    })
}

/// The issue's existing subtasks as quick-entry text, ready to be saved as a template.
pub(crate) async fn as_template(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    issue_key: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&principal)?;
    check_issue_key(&issue_key)?;
    let specs = state.subtasks.as_template(&caller, &issue_key).await.map_err(gateway_problem)?;
    Ok(HttpResponse::Ok().json(
        json!({ "count": specs.len(), "quickEntry": stj_templates::format_quick_entry(&specs) }),
    ))
}
