//! `POST /rest/api/3/issue` and `POST /rest/api/3/issue/bulk`. The caller is the reporter; each
//! bulk element is checked and created on its own, in order, with its properties.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::validate::{self, Rejection};
use super::{Caller, error, is_json, unsupported_media_type};
use crate::Sandbox;
use crate::site::Site;

/// Jira creates at most this many issues per bulk request.
pub const MAX_BULK_CREATE: usize = 50;

pub(crate) async fn create_issue(
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let element = match json_body(&req, &body) {
        Ok(element) => element,
        Err(NoBody::NotJsonMediaType) => return unsupported_media_type(),
        Err(NoBody::Unparsable) => return error(StatusCode::BAD_REQUEST, NOT_JSON),
    };
    caller.on_site(&state, |site, base| match create_one(site, &caller, base, &element) {
        Ok(created) => HttpResponse::Created().json(created),
        Err(no) => HttpResponse::BadRequest().json(no.body()),
    })
}

pub(crate) async fn create_issues(
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let request = match json_body(&req, &body) {
        Ok(request) => request,
        Err(NoBody::NotJsonMediaType) => return unsupported_media_type(),
        Err(NoBody::Unparsable) => return refused(NOT_JSON),
    };
    let Some(updates) = request.get("issueUpdates").and_then(Value::as_array) else {
        return refused("issueUpdates must be an array of issues to create.");
    };
    if updates.len() > MAX_BULK_CREATE {
        return refused(&format!(
            "Number of issues to create exceeds the limit of {MAX_BULK_CREATE}."
        ));
    }
    caller.on_site(&state, |site, base| {
        let mut issues = Vec::new();
        let mut errors = Vec::new();
        for (index, element) in updates.iter().enumerate() {
            match create_one(site, &caller, base, element) {
                Ok(created) => issues.push(created),
                Err(no) => errors.push(json!({
                    "status": 400,
                    "elementErrors": no.body(),
                    "failedElementNumber": index,
                })),
            }
        }
        let status = if issues.is_empty() { StatusCode::BAD_REQUEST } else { StatusCode::CREATED };
        HttpResponse::build(status).json(json!({ "issues": issues, "errors": errors }))
    })
}

const NOT_JSON: &str = "Unexpected character in the request body: it is not valid JSON.";

/// Why a create request has no JSON body: 415, or a body that does not parse (each endpoint
/// answers that in its own shape).
enum NoBody {
    NotJsonMediaType,
    Unparsable,
}

fn json_body(req: &HttpRequest, body: &[u8]) -> Result<Value, NoBody> {
    if !is_json(req) {
        return Err(NoBody::NotJsonMediaType);
    }
    serde_json::from_slice(body).map_err(|_| NoBody::Unparsable)
}

/// Check one element and create it: `{id, key, self}`, or Jira's reasons.
fn create_one(
    site: &mut Site,
    caller: &Caller,
    base: &str,
    element: &Value,
) -> Result<Value, Rejection> {
    let draft = validate::issue_update(site, &caller.account_id, element)?;
    let issue = site.insert_issue(draft).ok_or_else(Rejection::default)?;
    Ok(json!({
        "id": issue.id.to_string(),
        "key": issue.key,
        "self": format!("{base}/rest/api/3/issue/{}", issue.id),
    }))
}

/// A whole bulk request refused, still in the `CreatedIssues` shape the spec gives its 400.
fn refused(message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({
        "issues": [],
        "errors": [{
            "status": 400,
            "elementErrors": { "errorMessages": [message], "errors": {} },
        }],
    }))
}
