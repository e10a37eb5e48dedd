//! The request log: every non-control request as it arrived (credentials left out), and a count
//! per route, so tests can check what the app sent, how often, and validate it against the spec.

use std::collections::BTreeMap;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::web::Bytes;
use serde::Serialize;
use serde_json::Value;
use stj_privacy::redact_query;

use crate::Sandbox;
use crate::server::lock;

/// A request as the sandbox received it. Paths are Jira paths (a tenant's `/site/{n}` or the
/// Forge door's `/ex/jira/{cloudId}` removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The route that matched, as `METHOD /template` with the OpenAPI spec's parameter names
    /// (`GET /rest/api/3/issue/{issueIdOrKey}`); `None` when nothing matched (a 404).
    pub route: Option<String>,
    /// The raw query string, `jwt` redacted.
    pub query: String,
    /// Header names in lower case; `Authorization` is never recorded.
    pub headers: BTreeMap<String, String>,
    /// The body as text (lossy UTF-8); the token endpoint's `assertion` is redacted.
    pub body: String,
    /// It came through the Forge door (`/ex/jira/{cloudId}/...`, a Forge user or system token).
    pub forge: bool,
}

impl RecordedRequest {
    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// What [`Sandbox::request_counts`] counts this request under: its route, or `METHOD path`.
    pub fn counted_as(&self) -> String {
        self.route.clone().unwrap_or_else(|| format!("{} {}", self.method, self.path))
    }
}

impl Sandbox {
    pub(crate) fn record(&self, request: RecordedRequest) {
        let counted_as = request.counted_as();
        let mut counts = lock(&self.route_counts);
        let count = counts.entry(counted_as).or_insert(0);
        *count = count.saturating_add(1);
        drop(counts);
        lock(&self.request_log).push(request);
    }

    /// Requests per route (`POST /rest/api/3/issue/bulk` → 3), since start or the last
    /// [`Self::clear_requests`]. Faulted requests count too: they reached the sandbox.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.route_counts).clone()
    }

    /// Requests to one route, e.g. `request_count("POST /rest/api/3/issue/bulk")`.
    pub fn request_count(&self, route: &str) -> u64 {
        lock(&self.route_counts).get(route).copied().unwrap_or(0)
    }
}

/// Read the body (handing it back to the request for the handler) and describe the request.
pub(crate) async fn capture(
    req: &mut ServiceRequest,
    jira_path: &str,
) -> Result<RecordedRequest, actix_web::Error> {
    let body = req.extract::<Bytes>().await?;
    req.set_payload(Payload::from(body.clone()));
    let route = req.match_pattern().map(|pattern| {
        let template = pattern
            .strip_prefix("/site/{site}")
            .or_else(|| pattern.strip_prefix(crate::rest::FORGE_PREFIX))
            .unwrap_or(&pattern);
        format!("{} {template}", req.method())
    });
    let headers = req
        .headers()
        .iter()
        .filter(|(name, _)| *name != "authorization")
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect();
    let mut body = String::from_utf8_lossy(&body).into_owned();
    if jira_path == "/oauth2/token" {
        body = redact_form(&body);
    }
    let query = redact_query(&format!("?{}", req.query_string()));
    Ok(RecordedRequest {
        method: req.method().to_string(),
        path: jira_path.to_owned(),
        route,
        query: query.strip_prefix('?').unwrap_or_default().to_owned(),
        headers,
        body,
        forge: req.path().starts_with("/ex/jira/"),
    })
}

/// `a=1&assertion=…` with every credential parameter's value redacted.
fn redact_form(body: &str) -> String {
    let redacted = redact_query(&format!("?{body}"));
    redacted.strip_prefix('?').unwrap_or_default().to_owned()
}
