//! What the JSON handlers share, one level below them (it imports none of them): the caller a
//! principal acts as, request limits, the library a scope names, and domain errors as problems.

mod library_json;
mod problems;

use actix_web::http::StatusCode;

use stj_core::{IssueKey, Principal};
use stj_subtasks::{Caller, PropertyTarget};

use crate::problem::Problem;

pub(crate) use library_json::{library_json, template_json};
pub(crate) use problems::{apply_problem, gateway_problem, invalid, library_problem, save_problem};

/// Longest text a request may carry (200 subtasks with descriptions fit well within it).
pub(crate) const MAX_TEXT_BYTES: usize = 60_000;

/// `text`, if it is at most [`MAX_TEXT_BYTES`]; else 400 `code`, naming the field as `what`.
pub(crate) fn within_limit<'a>(
    text: &'a str,
    code: &'static str,
    what: &str,
) -> Result<&'a str, Problem> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Problem::bad_request(
            code,
            format!("{what} is limited to {MAX_TEXT_BYTES} bytes"),
        ));
    }
    Ok(text)
}

/// An issue key from a path, parsed once, here: 400 `issue_key_invalid` if it is none.
pub(crate) fn issue_key(raw: &str) -> Result<IssueKey, Problem> {
    IssueKey::parse(raw).map_err(|e| Problem::bad_request("issue_key_invalid", e.to_string()))
}

/// The user a request acts as: API calls that read or write Jira need one (403 otherwise).
pub(crate) fn caller(principal: &Principal) -> Result<Caller, Problem> {
    let account_id = principal.account_id.clone().ok_or_else(|| {
        Problem::new(
            StatusCode::FORBIDDEN,
            "user_required",
            "User required",
            "this operation acts as a signed-in user",
        )
    })?;
    Ok(Caller {
        client_key: principal.client_key.clone(),
        account_id,
        access: principal.access.clone(),
    })
}

/// The library `scope` (and `project`) names: `personal`, or `project` with a project key.
pub(crate) fn target(
    caller: &Caller,
    scope: &str,
    project: Option<&str>,
) -> Result<PropertyTarget, Problem> {
    match (scope, project) {
        ("personal", None) => Ok(PropertyTarget::personal(caller)),
        ("project", Some(key)) => {
            stj_validation::id_rules::project_key(key)
                .map_err(|p| Problem::bad_request("project_key_invalid", p.message))?;
            Ok(PropertyTarget::project(key))
        }
        _ => Err(Problem::bad_request(
            "scope_invalid",
            "scope is `personal`, or `project` with a `project` key",
        )),
    }
}
