//! Domain errors as problem documents: the one place that gives each its status and code.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use stj_core::LockError;
use stj_subtasks::{ApplyError, GatewayError, LibraryError, PropertyTarget};
use stj_validation::ValidationReport;

use super::library_json;
use crate::problem::Problem;

/// Per-line problems as a 400 `subtasks_invalid` with a `problems` extension.
pub(crate) fn invalid(report: ValidationReport) -> Problem {
    let problems: Vec<Value> = report
        .violations
        .iter()
        .map(|p| json!({ "line": p.line, "field": p.field, "code": p.code, "message": p.message }))
        .collect();
    let detail = report.violations.first().map_or_else(String::new, |p| match p.line {
        Some(line) => format!("line {line}: {}", p.message),
        None => p.message.clone(),
    });
    Problem::bad_request("subtasks_invalid", detail).with("problems", Value::Array(problems))
}

pub(crate) fn apply_problem(err: ApplyError) -> Problem {
    match err {
        ApplyError::Invalid(report) => invalid(report),
        ApplyError::Library(e) => library_problem(e),
        ApplyError::ParentIsSubtask(_) => {
            Problem::bad_request("parent_is_subtask", err.to_string())
        }
        ApplyError::NoSubtaskType => Problem::new(
            StatusCode::CONFLICT,
            "no_subtask_type",
            "No subtask type",
            err.to_string(),
        ),
        ApplyError::SubtaskTypeInvalid => {
            Problem::bad_request("subtask_type_invalid", err.to_string())
        }
        ApplyError::KeyReused { .. } => Problem::new(
            StatusCode::CONFLICT,
            "idempotency_key_reused",
            "Key already used",
            "this Idempotency-Key belongs to another application on this issue: send a new one",
        ),
        ApplyError::Locks(e) => lock_problem(e),
        ApplyError::Gateway(e) | ApplyError::Incomplete { cause: e, .. } => gateway_problem(e),
    }
}

/// How long a client told "busy" should wait before trying again.
const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// A lock not had within the wait bound (503 `busy`, Retry-After), or no lock service.
pub(crate) fn lock_problem(err: LockError) -> Problem {
    match err {
        LockError::Busy => {
            let mut problem = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Busy",
                "another change to this issue or library is still running; try again in a moment",
            );
            problem.retry_after_secs = Some(BUSY_RETRY_AFTER_SECS);
            problem
        }
        LockError::Unavailable(_) => Problem::unavailable("locks_unavailable", &err),
    }
}

pub(crate) fn gateway_problem(err: GatewayError) -> Problem {
    match err {
        GatewayError::NotFound => Problem::new(
            StatusCode::NOT_FOUND,
            "issue_not_found",
            "Not found",
            "the issue does not exist or you cannot see it",
        ),
        GatewayError::Forbidden => Problem::new(
            StatusCode::FORBIDDEN,
            "jira_forbidden",
            "Forbidden",
            "Jira does not let you do this",
        ),
        GatewayError::Rejected(message) => Problem::bad_request("jira_rejected", message),
        GatewayError::Unavailable(_) | GatewayError::Uncertain(_) => {
            Problem::unavailable("jira_unavailable", &err)
        }
    }
}

/// A refused save of a project's library says what Jira requires, not just "forbidden".
pub(crate) fn save_problem(target: &PropertyTarget, err: LibraryError) -> Problem {
    match (target, err) {
        (PropertyTarget::Project { key }, LibraryError::Gateway(GatewayError::Forbidden)) => {
            Problem::new(
                StatusCode::FORBIDDEN,
                "jira_forbidden",
                "Forbidden",
                format!(
                    "Only administrators of project {key} can change its shared templates (Jira's \
                     Administer Projects permission). Nothing was saved."
                ),
            )
        }
        (_, err) => library_problem(err),
    }
}

pub(crate) fn library_problem(err: LibraryError) -> Problem {
    match err {
        LibraryError::Invalid(report) => invalid(report),
        LibraryError::Conflict { current } => Problem::new(
            StatusCode::CONFLICT,
            "revision_conflict",
            "Changed elsewhere",
            "This library changed since you opened it (another tab or person). Your version was not saved: \
             merge it with the current one and save again.",
        )
        .with("current", library_json(&current)),
        LibraryError::Corrupt { revision, report } => invalid(report)
            .with("revision", json!(revision))
            .with("hint", json!("the stored library was edited outside the app; saving with this revision replaces it")),
        LibraryError::TemplateNotFound => Problem::new(
            StatusCode::NOT_FOUND,
            "template_not_found",
            "Not found",
            "no template with this id in this library",
        ),
        LibraryError::Gateway(e) => gateway_problem(e),
        LibraryError::Locks(e) => lock_problem(e),
    }
}
