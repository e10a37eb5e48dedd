//! The route gate and the extractors it feeds. The gate (on every `Access::Api` and `Access::Page`
//! route, added by the route table) is the one way a request is authenticated; `ApiCaller` and
//! `PageCaller` only hand on what it established, so a handler that takes one cannot run before
//! the token, rate limit and licence are checked.

use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, ResponseError as _, web};

use stj_core::{AuthError, Door, Licence, Principal, QshPolicy, RequestFacts};

use crate::doors::Doors;
use crate::problem::Problem;
use crate::state::EdgeState;

/// A caller of the app's JSON API (its own frontend, with a context token).
#[derive(Debug)]
pub struct ApiCaller(pub Principal);

/// A Jira iframe page load (computed qsh; `lic` from the URL).
#[derive(Debug)]
pub struct PageCaller(pub Principal);

impl FromRequest for ApiCaller {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(gated(req, |_| true).map(ApiCaller))
    }
}

impl FromRequest for PageCaller {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let page = |policy| policy == QshPolicy::Computed;
        ready(gated(req, page).map(PageCaller).map_err(Problem::as_page))
    }
}

/// The principal the route gate established with a policy `fits`. Without one the handler is
/// routed around the gate (the route table puts a gate on every route whose handler takes an
/// extractor): a server bug, so 500, never a second way in.
fn gated(req: &HttpRequest, fits: impl Fn(QshPolicy) -> bool) -> Result<Principal, Problem> {
    // Taken, not cloned: a handler has one caller extractor, which runs once.
    let done = req.extensions_mut().remove::<Authenticated>().filter(|done| fits(done.policy));
    done.map(|done| done.principal).ok_or_else(|| {
        tracing::error!(
            http.route = req.match_name().unwrap_or(crate::request_span::UNMATCHED),
            "an extractor ran on a route without the route gate"
        );
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "")
    })
}

/// What a route gate established, for the extractors.
#[derive(Debug, Clone)]
struct Authenticated {
    principal: Principal,
    policy: QshPolicy,
}

/// Route middleware on every `Access::Api` and `Access::Page` route (the route table adds it with
/// the route's QSH policy and doors): door, token, rate limits and licence are checked to the end
/// before any extractor runs. Extractors run together and a failing one (a malformed body) drops
/// the rest, so without this a bad body could answer before a bad token, and a registry read could
/// be cancelled mid-statement, which panics in the SQLite adapter on actix's current-thread
/// runtime. Both found by `cargo xtask dast`. Page refusals are HTML pages.
pub async fn gate<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
    policy: QshPolicy,
    doors: Doors,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    match authorize(req.request(), policy, doors).await {
        Ok(principal) => {
            crate::request_span::record_tenant(principal.base_url.host(), principal.door);
            req.extensions_mut().insert(Authenticated { principal, policy });
            next.call(req).await.map(ServiceResponse::map_into_left_body)
        }
        Err(problem) => {
            let problem = if policy == QshPolicy::Computed { problem.as_page() } else { problem };
            Ok(req.into_response(problem.error_response()).map_into_right_body())
        }
    }
}

/// The door a request knocks on: `Authorization: Bearer …` is a Forge Invocation Token; anything
/// else (`JWT …`, `?jwt=`, or no token at all) is Connect's, whose authenticator explains a refusal.
pub fn door_of(facts: &RequestFacts<'_>) -> Door {
    let bearer = facts
        .authorization
        .and_then(|value| value.split_once(' '))
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"));
    if bearer { Door::Forge } else { Door::Connect }
}

/// The header a Forge invocation carries the user's Jira token in.
pub const FORGE_USER: &str = "x-forge-oauth-user";

pub fn facts(req: &HttpRequest) -> RequestFacts<'_> {
    let mut facts = RequestFacts {
        method: req.method().as_str(),
        raw_path: req.uri().path(),
        raw_query: req.query_string(),
        authorization: req.headers().get(AUTHORIZATION).and_then(header_text),
        forge_user_token: None,
    };
    // Only the Forge door reads the user's token; other requests skip the look-up.
    if door_of(&facts) == Door::Forge {
        facts.forge_user_token = req.headers().get(FORGE_USER).and_then(header_text);
    }
    facts
}

/// `HeaderValue::to_str`'s rule (visible ASCII or tab, else `None`), checked over the whole value
/// without an early exit so it runs as wide comparisons: a JWT header is hundreds of bytes.
fn header_text(value: &HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    let visible = bytes.iter().fold(true, |ok, &b| ok & (((32..127).contains(&b)) | (b == b'\t')));
    if visible { std::str::from_utf8(bytes).ok() } else { None }
}

async fn authorize(
    req: &HttpRequest,
    policy: QshPolicy,
    doors: Doors,
) -> Result<Principal, Problem> {
    let state = req.app_data::<web::Data<EdgeState>>().ok_or_else(|| {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "")
    })?;
    let facts = facts(req);
    let door = door_of(&facts);
    let authenticator = match door {
        Door::Connect => Some(&state.authenticator),
        Door::Forge => state.forge.as_ref(),
    }
    .filter(|_| doors.accepts(door))
    .ok_or_else(|| auth_problem(AuthError::DoorNotAccepted))?;
    let principal = authenticator.authenticate(&facts, policy).await.map_err(auth_problem)?;
    if let Err(wait) = state.limits.check(&principal) {
        let mut problem = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
            "request budget for this site or user is spent; retry after the given delay",
        );
        problem.retry_after_secs = Some(wait.as_secs().saturating_add(1));
        return Err(problem);
    }
    match state.licence.licence(&principal).await {
        Ok(Licence::Active) => Ok(principal),
        Ok(Licence::Inactive) => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "licence_inactive",
            "Licence required",
            "Subtask Templates needs an active licence on this Jira site. Ask a site admin to \
             start a trial or subscribe in Manage apps.",
        )),
        Err(e) => Err(Problem::unavailable("licence_unavailable", &e)),
    }
}

pub fn auth_problem(err: AuthError) -> Problem {
    match err {
        AuthError::Unavailable(_) => Problem::unavailable(err.code(), &err),
        AuthError::Disabled => {
            Problem::new(StatusCode::FORBIDDEN, err.code(), "App disabled", err.to_string())
        }
        _ => Problem::new(StatusCode::UNAUTHORIZED, err.code(), "Unauthorized", err.to_string()),
    }
}

#[cfg(test)]
mod tests;
