//! Lifecycle callbacks. Verification and storage live in `stj_connect::Lifecycle`; this maps
//! outcomes to status codes. Success is 204, which Jira accepts for `installed`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use stj_connect::LifecycleError;

use crate::auth::{auth_problem, facts};
use crate::problem::Problem;
use crate::state::EdgeState;

#[derive(Debug, Clone, Copy)]
enum Event {
    Installed,
    Uninstalled,
    Enabled,
    Disabled,
}

pub(crate) async fn installed(
    state: web::Data<EdgeState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    handle(&state, &req, &body, Event::Installed).await
}

pub(crate) async fn uninstalled(
    state: web::Data<EdgeState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    handle(&state, &req, &body, Event::Uninstalled).await
}

pub(crate) async fn enabled(
    state: web::Data<EdgeState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    handle(&state, &req, &body, Event::Enabled).await
}

pub(crate) async fn disabled(
    state: web::Data<EdgeState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    handle(&state, &req, &body, Event::Disabled).await
}

async fn handle(
    state: &EdgeState,
    req: &HttpRequest,
    body: &[u8],
    event: Event,
) -> Result<HttpResponse, Problem> {
    let facts = facts(req);
    let lifecycle = &state.lifecycle;
    let outcome = match event {
        Event::Installed => lifecycle.installed(&facts, body).await,
        Event::Uninstalled => lifecycle.uninstalled(&facts, body).await,
        Event::Enabled => lifecycle.set_enabled(&facts, body, true).await,
        Event::Disabled => lifecycle.set_enabled(&facts, body, false).await,
    };
    match outcome {
        Ok(client_key) => {
            tracing::info!(installation.client_key = %client_key, lifecycle.event = ?event, "lifecycle event applied");
            Ok(HttpResponse::NoContent().finish())
        }
        Err(err) => {
            tracing::warn!(lifecycle.event = ?event, error.code = err.code(), "lifecycle event refused");
            Err(lifecycle_problem(err))
        }
    }
}

fn lifecycle_problem(err: LifecycleError) -> Problem {
    match err {
        LifecycleError::Unauthorized(auth) => auth_problem(auth),
        LifecycleError::BadPayload(detail) => {
            Problem::bad_request("lifecycle_payload_invalid", detail)
        }
        LifecycleError::KeyServiceUnavailable => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "install_keys_unavailable",
            "Install key service unavailable",
            "the signing key could not be fetched; nothing was stored, retry the install",
        ),
        LifecycleError::Unavailable(ref cause) => Problem::unavailable(err.code(), cause.as_ref()),
    }
}
