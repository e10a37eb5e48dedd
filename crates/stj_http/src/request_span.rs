//! One span per request, and one line for it when the request ends (the access log). Its fields are
//! the only request facts logged: method, route pattern (never the raw path, which carries issue
//! keys and, in a query, tokens), status, duration, and once the gate has authenticated it, the
//! tenant's site host and the door. LOGGING.md lists every field and why it is safe.
//!
//! Work a request hands to other threads (`spawn_blocking` in the Jira and registry adapters)
//! enters this span there, so whatever it logs carries the request's fields.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing::Instrument as _;
use tracing::field::Empty;

/// The log target of request spans: the access log.
pub const TARGET: &str = "access";
/// What `http.route` says of a request no route matched (a 404, or refused before routing).
pub const UNMATCHED: &str = "unmatched";

pub(crate) async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let span = tracing::info_span!(
        target: TARGET,
        "request",
        http.method = req.method().as_str(),
        http.route = Empty,
        http.status = Empty,
        http.duration_us = Empty,
        tenant.host = Empty,
        auth.door = Empty,
    );
    let result = next.call(req).instrument(span.clone()).await;
    let (status, route) = match &result {
        Ok(res) => (res.status().as_u16(), res.request().match_name()),
        Err(err) => (err.as_response_error().status_code().as_u16(), None),
    };
    let duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let route = route.unwrap_or(UNMATCHED);
    // One record for the three: each record is a dispatch and an append to the span's JSON.
    tracing::record_all!(
        span,
        http.route = route,
        http.status = status,
        http.duration_us = duration_us
    );
    // The access line: an event in the span, so it carries every field above.
    span.in_scope(|| tracing::info!(target: TARGET, "request"));
    result
}

/// Called by the route gate once it knows who is calling: adds the tenant's site host and the door
/// to the current request span. A host names a customer organisation's Jira site, not a person.
pub(crate) fn record_tenant(host: &str, door: stj_core::Door) {
    let span = tracing::Span::current();
    let door = match door {
        stj_core::Door::Connect => "connect",
        stj_core::Door::Forge => "forge",
    };
    tracing::record_all!(span, tenant.host = host, auth.door = door);
}
