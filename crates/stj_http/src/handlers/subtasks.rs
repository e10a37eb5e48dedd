//! Preview and apply subtasks on an issue, and read back an earlier application. The body names
//! what to apply (quick-entry text, or a stored template by scope and id); `stj_subtasks` reads
//! it, renders it against the parent, creates as the calling user and keeps nothing.

mod json;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use stj_subtasks::{ApplyError, ApplyOptions, ApplyRequest, ApplySource, Caller, GatewayError};

use crate::auth::ApiCaller;
use crate::handlers::common::{
    apply_problem, caller, gateway_problem, issue_key, target, within_limit,
};
use crate::problem::Problem;
use crate::state::EdgeState;
use json::{application_json, preview_json, report_json};

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
    raw_key: web::Path<String>,
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
    let request = request(&caller, &raw_key, body)?;
    let preview = state.subtasks.preview(&caller, &request).await.map_err(apply_problem)?;
    Ok(HttpResponse::Ok().json(preview_json(&preview)))
}

pub(crate) async fn apply(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    http: HttpRequest,
    raw_key: web::Path<String>,
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
    let request = request(&caller, &raw_key, body)?;
    match state.subtasks.apply(&caller, &request, &options).await {
        Ok(report) => Ok(HttpResponse::Ok().json(report_json(&report))),
        Err(ApplyError::Incomplete { report, cause }) => {
            tracing::warn!(apply.id = %report.apply_id, error.cause = %cause, "application stopped part-way");
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
    let (raw_key, apply_id) = path.into_inner();
    let issue_key = issue_key(&raw_key)?;
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
        let body = application_json(
            &apply_id,
            issue_key.as_str(),
            "running",
            running.total,
            &running.keys,
        );
        return Ok(HttpResponse::Ok().json(body));
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
    let complete = recorded.keys.iter().flatten().count() == recorded.total;
    let state = if complete { "done" } else { "incomplete" };
    let body =
        application_json(&apply_id, issue_key.as_str(), state, recorded.total, &recorded.keys);
    Ok(HttpResponse::Ok().json(body))
}

/// The body as a request: which issue, what to apply (exactly one source), for which day.
fn request(caller: &Caller, raw_key: &str, body: SubtasksBody) -> Result<ApplyRequest, Problem> {
    let issue_key = issue_key(raw_key)?;
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
    let source = match (body.quick_entry, body.template) {
        (Some(text), None) => {
            within_limit(&text, "quick_entry_too_long", "quick entry")?;
            ApplySource::QuickEntry(text)
        }
        (None, Some(template)) => {
            let target = target(caller, &template.scope, template.project.as_deref())?;
            ApplySource::Template { target, id: template.id }
        }
        _ => {
            return Err(Problem::bad_request(
                "source_invalid",
                "send either `quickEntry` or `template`",
            ));
        }
    };
    Ok(ApplyRequest { issue_key, source, today, subtask_type_id: body.subtask_type_id })
}

/// The issue's existing subtasks as quick-entry text, ready to be saved as a template.
pub(crate) async fn as_template(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    raw_key: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&principal)?;
    let issue_key = issue_key(&raw_key)?;
    let specs = state.subtasks.as_template(&caller, &issue_key).await.map_err(gateway_problem)?;
    Ok(HttpResponse::Ok().json(
        json!({ "count": specs.len(), "quickEntry": stj_templates::format_quick_entry(&specs) }),
    ))
}
