//! Lifecycle callbacks. Verification and storage live in `stj_connect::Lifecycle`; this maps
//! outcomes to status codes. Success is 204, which Jira accepts for `installed`.

use actix_web::http::StatusCode;
use actix_web::{Handler, HttpRequest, HttpResponse, web};

use stj_connect::LifecycleError;

use crate::auth::{auth_problem, facts};
use crate::problem::Problem;
use crate::state::EdgeState;

/// Which callback Jira sends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Installed,
    Uninstalled,
    Enabled,
    Disabled,
}

/// What a callback's handler reads: the body as it came (its token is checked over the raw bytes).
type Callback = (web::Data<EdgeState>, HttpRequest, web::Bytes);

/// The handler of `event`'s route.
pub(crate) fn on(event: Event) -> impl Handler<Callback, Output = Result<HttpResponse, Problem>> {
    move |state: web::Data<EdgeState>, req: HttpRequest, body: web::Bytes| async move {
        handle(&state, &req, &body, event).await
    }
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
