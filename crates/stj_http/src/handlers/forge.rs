//! `POST /forge/events`: Forge's lifecycle events for the remote (system invocations with a FIT).
//! Verification and storage live in `stj_forge::ForgeEvents`; this maps outcomes to statuses.

use actix_web::{HttpRequest, HttpResponse, web};

use stj_core::{AuthError, Door};
use stj_forge::EventError;

use crate::auth::{auth_problem, door_of, facts};
use crate::problem::Problem;
use crate::state::EdgeState;

pub(crate) async fn events(
    state: web::Data<EdgeState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    let facts = facts(&req);
    let Some(events) = state.forge_events.as_ref().filter(|_| door_of(&facts) == Door::Forge)
    else {
        return Err(auth_problem(AuthError::DoorNotAccepted));
    };
    match events.handle(facts.authorization, &body).await {
        Ok(event) => {
            tracing::info!(forge.event = event, "forge event applied");
            Ok(HttpResponse::NoContent().finish())
        }
        Err(err) => {
            tracing::warn!(error.code = err.code(), "forge event refused");
            Err(match err {
                EventError::Unauthorized(auth) => auth_problem(auth),
                EventError::BadPayload(detail) => {
                    Problem::bad_request("forge_event_invalid", detail)
                }
                EventError::Unavailable(ref cause) => {
                    Problem::unavailable(err.code(), cause.as_ref())
                }
            })
        }
    }
}
