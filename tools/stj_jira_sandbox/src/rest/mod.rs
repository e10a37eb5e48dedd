//! Jira Cloud's REST API v3, as far as subtask templates use it: projects, issue types,
//! priorities, issues (read, create, bulk create), entity properties, and the OAuth 2.0 token
//! endpoint of user impersonation. Route patterns name their parameters as the OpenAPI spec does,
//! so a recorded route is the spec's path template.

mod auth;
mod create;
pub(crate) mod duration;
mod issues;
mod oauth;
mod permissions;
mod projects;
mod properties;
mod validate;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

pub(crate) use auth::{Caller, unauthorized};
pub use create::MAX_BULK_CREATE;
pub use oauth::{ACCESS_TOKEN_TTL_SECS, MAX_ASSERTION_LIFETIME_SECS};

use crate::Sandbox;
use crate::site::Site;

/// Where the Forge door's `apiBaseUrl` points: the same REST, reached with Forge tokens.
pub(crate) const FORGE_PREFIX: &str = "/ex/jira/{cloudId}";

/// Issue and project properties take JSON values up to this many bytes.
pub(crate) const MAX_PROPERTY_BYTES: usize = 32_768;
/// Property keys (issue, user, project) up to this many characters.
pub(crate) const MAX_PROPERTY_KEY_CHARS: usize = 255;

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    // The authorization server is its own host in Jira Cloud; here it is the sandbox root.
    cfg.route("/oauth2/token", web::post().to(oauth::token));
    for prefix in ["", "/site/{site}", FORGE_PREFIX] {
        let at = |path: &str| web::resource(format!("{prefix}/rest/api/3{path}"));
        cfg.service(at("/myself").get(projects::myself))
            .service(at("/mypermissions").get(permissions::my_permissions))
            .service(at("/user/bulk").get(projects::users))
            .service(at("/project/{projectIdOrKey}").get(projects::project))
            .service(at("/issuetype/project").get(projects::issue_types))
            .service(at("/priority").get(projects::priorities))
            .service(at("/priority/search").get(projects::search_priorities))
            .service(at("/issue").post(create::create_issue))
            // Before `{issueIdOrKey}`: GET /issue/bulk is just an issue that does not exist.
            .service(at("/issue/bulk").post(create::create_issues).get(issues::issue))
            .service(at("/issue/{issueIdOrKey}").get(issues::issue))
            .service(at("/issue/{issueIdOrKey}/properties").get(properties::keys))
            .service(at("/user/properties").get(properties::keys))
            .service(at("/project/{projectIdOrKey}/properties").get(properties::keys))
            .configure(|cfg| {
                for entity in ["/issue/{issueIdOrKey}", "/user", "/project/{projectIdOrKey}"] {
                    cfg.service(
                        at(&format!("{entity}/properties/{{propertyKey}}"))
                            .get(properties::get)
                            .put(properties::put)
                            .delete(properties::delete),
                    );
                }
            });
    }
}

impl Caller {
    /// Run `answer` on the caller's site with a renderer for the caller's base URL.
    pub(crate) fn on_site(
        &self,
        state: &Sandbox,
        answer: impl FnOnce(&mut Site, &str) -> HttpResponse,
    ) -> HttpResponse {
        state
            .with_site(&self.client_key, |site| answer(site, &self.base_url))
            .unwrap_or_else(|_| unauthorized())
    }
}

/// Jira's `ErrorCollection` body: messages, and field errors.
pub(crate) fn error_collection(messages: &[&str], errors: &Map<String, Value>) -> Value {
    json!({ "errorMessages": messages, "errors": errors })
}

/// A refusal kept small until it becomes a response (`ErrorCollection` with one message).
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }

    pub(crate) fn respond(&self) -> HttpResponse {
        error(self.status, &self.message)
    }
}

pub(crate) fn error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(error_collection(&[message], &Map::new()))
}

/// Every value of the repeatable query parameter `name`, comma-separated lists split.
pub(crate) fn query_list(req: &HttpRequest, name: &str) -> Option<Vec<String>> {
    let values: Vec<String> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_owned()).collect::<Vec<_>>())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() { None } else { Some(values) }
}

/// The single value of query parameter `name`.
pub(crate) fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A path parameter (always present when the route matched).
pub(crate) fn path_param<'r>(req: &'r HttpRequest, name: &str) -> &'r str {
    req.match_info().get(name).unwrap_or_default()
}

/// Jira answers 415 to a body that does not say it is JSON.
pub(crate) fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

pub(crate) fn unsupported_media_type() -> HttpResponse {
    HttpResponse::UnsupportedMediaType().finish()
}
