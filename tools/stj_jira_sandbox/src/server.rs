//! Shared state and the actix server that plays Jira and the install-key service.

use std::collections::{BTreeMap, HashMap};
use std::net::TcpListener;
use std::sync::{Mutex, MutexGuard, PoisonError};

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use jwt_simple::prelude::RS256KeyPair;

use crate::control;
use crate::faults::{self, FaultTable};
use crate::record::RecordedRequest;
use crate::rest;
use crate::site::Site;
use crate::tenants::{LicenceState, Tenant};
use crate::verify;

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
    pub(crate) route_counts: Mutex<BTreeMap<String, u64>>,
    /// Jira content per tenant, by client key.
    pub(crate) sites: Mutex<HashMap<String, Site>>,
    /// Seed every new tenant with the demo content.
    pub(crate) seed_new_tenants: bool,
    /// Client for the lifecycle callbacks: no redirects, statuses returned rather than raised.
    pub(crate) agent: ureq::Agent,
    /// The host pages' descriptor cache and open pages.
    pub(crate) host: crate::host::HostState,
    /// Keys, app id and environment of the Forge platform the sandbox also plays.
    pub(crate) forge: crate::forge::Forge,
}

/// A panic while holding a lock leaves plain data behind; the sandbox keeps serving it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

const BODY_LIMIT_BYTES: usize = 8 * 1024 * 1024;

/// One server on every listener (the sandbox's own and its Forge CDN's).
pub(crate) fn build(
    state: web::Data<Sandbox>,
    listeners: [TcpListener; 2],
) -> std::io::Result<Server> {
    let [main, cdn] = listeners;
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            // Bulk creates of 50 issues with descriptions outgrow actix's 256 kB default.
            .app_data(web::PayloadConfig::new(BODY_LIMIT_BYTES))
            .wrap(from_fn(faults::inject))
            .configure(routes)
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(0)
    .listen(main)?
    .listen(cdn)?
    .run())
}

fn routes(cfg: &mut web::ServiceConfig) {
    const ADDON: &str = "/rest/atlassian-connect/1/addons/{appKey}";
    cfg.route("/install-keys/{kid:.+}", web::get().to(install_key))
        .route(ADDON, web::get().to(addon))
        .route(&format!("/site/{{site}}{ADDON}"), web::get().to(addon))
        .configure(rest::routes)
        .configure(crate::forge::routes)
        .configure(crate::host::routes)
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
    let Some(tenant) = verify::app_request(&state, &req) else {
        return rest::unauthorized();
    };
    let app_key = req.match_info().get("appKey").unwrap_or_default();
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

pub(crate) fn licence_active(state: LicenceState) -> Option<bool> {
    match state {
        LicenceState::Active => Some(true),
        LicenceState::Inactive => Some(false),
        LicenceState::Absent => None,
    }
}
