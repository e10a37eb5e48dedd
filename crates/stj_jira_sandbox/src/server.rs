//! Shared state and the actix server that plays Jira and the install-key service.

use std::net::TcpListener;
use std::sync::{Mutex, MutexGuard, PoisonError};

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use jwt_simple::prelude::RS256KeyPair;
use serde::Serialize;

use crate::control;
use crate::faults::{self, FaultTable};
use crate::tenants::{LicenceState, Tenant};
use crate::verify;

/// A request as the sandbox received it (path without a tenant's `/site/{n}` prefix, no query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
}

/// The simulated Jira: its tenants, install key, faults and request log. Reached through a running
/// [`crate::JiraSandbox`] (which derefs to it) or, inside the server, as actix app data.
#[derive(Debug)]
pub struct Sandbox {
    pub(crate) root_url: String,
    pub(crate) tenant_paths: bool,
    pub(crate) kid: String,
    pub(crate) key_pair: RS256KeyPair,
    pub(crate) public_pem: String,
    pub(crate) tenants: Mutex<Vec<Tenant>>,
    pub(crate) fault_table: FaultTable,
    pub(crate) request_log: Mutex<Vec<RecordedRequest>>,
    /// Client for the lifecycle callbacks: no redirects, statuses returned rather than raised.
    pub(crate) agent: ureq::Agent,
}

impl Sandbox {
    pub(crate) fn record(&self, method: &str, path: &str) {
        lock(&self.request_log)
            .push(RecordedRequest { method: method.to_owned(), path: path.to_owned() });
    }
}

/// A panic while holding a lock leaves plain data behind; the sandbox keeps serving it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn build(state: web::Data<Sandbox>, listener: TcpListener) -> std::io::Result<Server> {
    Ok(HttpServer::new(move || {
        App::new().app_data(state.clone()).wrap(from_fn(faults::inject)).configure(routes)
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(0)
    .listen(listener)?
    .run())
}

fn routes(cfg: &mut web::ServiceConfig) {
    const ADDON: &str = "/rest/atlassian-connect/1/addons/{app_key}";
    cfg.route("/install-keys/{kid:.+}", web::get().to(install_key))
        .route(ADDON, web::get().to(addon))
        .route(&format!("/site/{{site}}{ADDON}"), web::get().to(addon))
        .configure(control::routes);
}

/// The install-key service: `GET /{kid}` → the PEM public key, as `connect-install-keys` serves it.
async fn install_key(req: HttpRequest, state: web::Data<Sandbox>) -> HttpResponse {
    match req.match_info().get("kid") {
        Some(kid) if kid == state.kid => {
            HttpResponse::Ok().content_type("text/plain").body(state.public_pem.clone())
        }
        _ => HttpResponse::NotFound().content_type("text/plain").body("Not Found"),
    }
}

/// `GET /rest/atlassian-connect/1/addons/{appKey}`: the app's own record, licence included.
async fn addon(req: HttpRequest, state: web::Data<Sandbox>) -> HttpResponse {
    let site = req.match_info().get("site");
    let authorization = req.headers().get("Authorization").and_then(|v| v.to_str().ok());
    let call = verify::AppCall {
        site,
        method: req.method().as_str(),
        raw_path: req.uri().path(),
        raw_query: req.query_string(),
        authorization,
    };
    let tenant = match verify::app_call(&state, &call) {
        Ok(tenant) => tenant,
        Err(reason) => {
            tracing::info!(reason, path = call.raw_path, "sandbox refused an app token");
            return HttpResponse::Unauthorized().json(serde_json::json!({
                "message": "Client must be authenticated to access this resource.",
                "status-code": 401,
            }));
        }
    };
    let app_key = req.match_info().get("app_key").unwrap_or_default();
    let Some(app) = tenant.app.as_ref().filter(|app| app.key == app_key) else {
        return HttpResponse::NotFound()
            .json(serde_json::json!({ "errorMessages": ["The app is not installed."] }));
    };
    let mut body = serde_json::json!({ "key": app.key, "enabled": app.enabled });
    if let (Some(obj), Some(active)) = (body.as_object_mut(), licence_active(tenant.licence)) {
        obj.insert(
            "license".to_owned(),
            serde_json::json!({
                "active": active,
                "type": "COMMERCIAL",
                "evaluation": false,
                "supportEntitlementNumber": null,
            }),
        );
    }
    HttpResponse::Ok().json(body)
}

fn licence_active(state: LicenceState) -> Option<bool> {
    match state {
        LicenceState::Active => Some(true),
        LicenceState::Inactive => Some(false),
        LicenceState::Absent => None,
    }
}
