use actix_web::{HttpResponse, web};

use crate::problem::Problem;
use crate::state::EdgeState;

/// Liveness: the process answers. Never touches dependencies.
pub(crate) async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the registry answers a round trip. 503 while the database is down.
pub(crate) async fn ready(state: web::Data<EdgeState>) -> Result<HttpResponse, Problem> {
    state.registry.ping().await.map_err(|e| Problem::unavailable("registry_unavailable", &e))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
