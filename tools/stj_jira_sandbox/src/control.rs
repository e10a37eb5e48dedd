//! `/__sandbox/*`: the library API over HTTP, for the binary and for tests in other languages.
//! Never faulted or recorded. It hands out tenant secrets, which is why the sandbox is loopback-only.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use stj_core::ClientKey;

use crate::{Fault, Installed, LicenceState, NewIssue, Sandbox, SandboxError};

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/__sandbox")
            .route("/faults", web::get().to(list_faults))
            .route("/faults", web::post().to(add_fault))
            .route("/faults", web::delete().to(clear_faults))
            .route("/requests", web::get().to(requests))
            .route("/install", web::post().to(install))
            .route("/tokens/install", web::post().to(install_token))
            .route("/forge/tokens", web::post().to(crate::forge::control_tokens))
            .route("/tenants/{client_key}/licence", web::put().to(set_licence))
            .route("/tenants/{client_key}/seed-demo", web::post().to(seed_demo))
            .route("/tenants", web::get().to(tenants))
            .route("/tenants/{client_key}/issues", web::post().to(add_issue))
            .route("/tenants/{client_key}/issues/{key}", web::delete().to(delete_issue))
            .route("/requests/counts", web::get().to(request_counts))
            .route("/tenants/{client_key}/events/{event}", web::post().to(event))
            .route("/tenants/{client_key}/tokens/context", web::post().to(context_token))
            .route("/tenants/{client_key}/tokens/iframe", web::post().to(iframe_token)),
    );
}

async fn list_faults(sandbox: web::Data<Sandbox>) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.faults())
}

async fn add_fault(sandbox: web::Data<Sandbox>, fault: web::Json<Fault>) -> HttpResponse {
    sandbox.add_fault(fault.into_inner());
    HttpResponse::Created().json(sandbox.faults())
}

async fn clear_faults(sandbox: web::Data<Sandbox>) -> HttpResponse {
    sandbox.clear_faults();
    HttpResponse::NoContent().finish()
}

async fn requests(sandbox: web::Data<Sandbox>) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.requests())
}

async fn request_counts(sandbox: web::Data<Sandbox>) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.request_counts())
}

async fn seed_demo(sandbox: web::Data<Sandbox>, client_key: web::Path<String>) -> HttpResponse {
    let result = client_key_of(&client_key).and_then(|ck| sandbox.seed_demo(&ck));
    respond(result.map(|seed| json!(seed)))
}

async fn tenants(sandbox: web::Data<Sandbox>) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.client_keys())
}

/// Test setup for other languages: an issue straight into the site (e.g. a fresh parent).
async fn add_issue(
    sandbox: web::Data<Sandbox>,
    client_key: web::Path<String>,
    issue: web::Json<NewIssue>,
) -> HttpResponse {
    let result = client_key_of(&client_key).and_then(|ck| sandbox.add_issue(&ck, &issue));
    respond(result.map(|created| json!(created)))
}

async fn delete_issue(
    sandbox: web::Data<Sandbox>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (client_key, key) = path.into_inner();
    let result = client_key_of(&client_key).and_then(|ck| sandbox.delete_issue(&ck, &key));
    match result {
        Ok(false) => HttpResponse::NotFound().json(json!({ "error": format!("no issue {key}") })),
        other => respond(other.map(|_| json!({ "deleted": key }))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstallRequest {
    app_base_url: String,
    app_key: String,
}

async fn install(sandbox: web::Data<Sandbox>, body: web::Json<InstallRequest>) -> HttpResponse {
    respond(sandbox.install(&body.app_base_url, &body.app_key).await.map(installed_json))
}

async fn event(sandbox: web::Data<Sandbox>, path: web::Path<(String, String)>) -> HttpResponse {
    let (client_key, event) = path.into_inner();
    let result = async {
        let client_key = client_key_of(&client_key)?;
        Ok(match event.as_str() {
            "installed" => installed_json(sandbox.reinstall(&client_key).await?),
            "uninstalled" => json!({ "status": sandbox.uninstall(&client_key).await? }),
            "enabled" => json!({ "status": sandbox.enable(&client_key).await? }),
            "disabled" => json!({ "status": sandbox.disable(&client_key).await? }),
            _ => return Err(SandboxError::Claims(format!("unknown event {event:?}"))),
        })
    };
    respond(result.await)
}

/// Any claims (a JSON object) signed RS256 with the install key, `kid` in the header: for clients
/// that build their own signed-install calls, such as the DAST hooks (`dast/hooks.py`).
async fn install_token(
    sandbox: web::Data<Sandbox>,
    claims: web::Json<serde_json::Value>,
) -> HttpResponse {
    respond(sandbox.sign_install_token(&claims).map(|token| json!({ "token": token })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LicenceRequest {
    licence: LicenceState,
}

async fn set_licence(
    sandbox: web::Data<Sandbox>,
    client_key: web::Path<String>,
    body: web::Json<LicenceRequest>,
) -> HttpResponse {
    let result = client_key_of(&client_key).and_then(|ck| sandbox.set_licence(&ck, body.licence));
    respond(result.map(|()| json!({ "licence": body.licence })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextTokenRequest {
    account_id: String,
    licence_active: bool,
}

async fn context_token(
    sandbox: web::Data<Sandbox>,
    client_key: web::Path<String>,
    body: web::Json<ContextTokenRequest>,
) -> HttpResponse {
    let result = client_key_of(&client_key)
        .and_then(|ck| sandbox.context_jwt(&ck, &body.account_id, body.licence_active));
    respond(result.map(|token| json!({ "token": token })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IframeTokenRequest {
    method: String,
    path: String,
    #[serde(default)]
    query: String,
    account_id: Option<String>,
    lic: Option<bool>,
}

async fn iframe_token(
    sandbox: web::Data<Sandbox>,
    client_key: web::Path<String>,
    body: web::Json<IframeTokenRequest>,
) -> HttpResponse {
    let result = client_key_of(&client_key).and_then(|ck| {
        let b = &body;
        sandbox.iframe_jwt(&ck, &b.method, &b.path, &b.query, b.account_id.as_deref(), b.lic)
    });
    respond(result.map(|signed| {
        json!({ "url": signed.url, "url_with_jwt": signed.url_with_jwt(), "token": signed.token })
    }))
}

fn installed_json(installed: Installed) -> serde_json::Value {
    json!({
        "client_key": installed.tenant.client_key.as_str(),
        "shared_secret": installed.tenant.shared_secret.expose(),
        "base_url": installed.tenant.base_url.as_str(),
        "status": installed.status,
        "enabled_status": installed.enabled_status,
    })
}

fn client_key_of(raw: &str) -> Result<ClientKey, SandboxError> {
    ClientKey::parse(raw).map_err(|_| SandboxError::UnknownTenant(raw.to_owned()))
}

pub(crate) fn respond(result: Result<serde_json::Value, SandboxError>) -> HttpResponse {
    match result {
        Ok(body) => HttpResponse::Ok().json(body),
        Err(e) => {
            let body = json!({ "error": e.to_string() });
            match e {
                SandboxError::UnknownTenant(_) | SandboxError::NotInstalled(_) => {
                    HttpResponse::NotFound().json(body)
                }
                SandboxError::Claims(_) | SandboxError::AppUrl(_) | SandboxError::Invalid(_) => {
                    HttpResponse::BadRequest().json(body)
                }
                _ => HttpResponse::BadGateway().json(body),
            }
        }
    }
}
