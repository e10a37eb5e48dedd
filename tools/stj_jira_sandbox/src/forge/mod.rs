//! The sandbox plays Forge too: the JWKS a remote verifies FITs against, the FIT signer, the user
//! and system tokens, and each site's Forge identity (`cloudId`, installation id, `apiBaseUrl`).

mod control;
mod fit;
mod invoke;
mod keys;
mod lifecycle;
mod oauth;
mod rest;
mod scopes;

use actix_web::{HttpResponse, web};
use stj_core::ClientKey;

pub(crate) use control::tokens as control_tokens;
pub use fit::{FIT_ISSUER, ForgeTokenRequest, ForgeTokens};
pub use keys::SignWith;
pub use lifecycle::{FORGE_EVENTS_PATH, ForgeEvent};
pub use oauth::FORGE_TOKEN_TTL_SECS;
pub(crate) use scopes::covers as scopes_cover;

use crate::server::lock;
use crate::tenants::{Tenant, random_client_key};
use crate::{Sandbox, SandboxError};

/// The Forge app id (a uuid) of the sandbox's app in dev and tests; the app's dev config names it.
pub const FORGE_APP_ID: &str = "5f0b8a52-3c1e-4d7a-9b6e-2a41c7d0e9f3";

const JWKS_PATH: &str = "/forge/.well-known/jwks.json";

/// The Forge platform's state in one sandbox.
#[derive(Debug)]
pub(crate) struct Forge {
    pub keys: keys::ForgeKeys,
    pub app_id: String,
    /// `app.environment.id`: one development environment per sandbox.
    pub environment_id: String,
    /// The manifest's `permissions.scopes`, when a test sets them.
    pub scopes: std::sync::Mutex<Option<Vec<String>>>,
}

impl Forge {
    pub fn new(app_id: &str) -> Self {
        Self {
            keys: keys::ForgeKeys::new(),
            app_id: app_id.to_owned(),
            environment_id: random_client_key(),
            scopes: std::sync::Mutex::new(None),
        }
    }
}

/// A site as the Forge side names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeSite {
    pub client_key: ClientKey,
    pub cloud_id: String,
    /// `ari:cloud:ecosystem::installation/{uuid}`.
    pub installation_id: String,
    /// `{sandbox}/ex/jira/{cloudId}`: where the remote calls Jira with a user or system token.
    pub api_base_url: String,
    /// The site's URL (`context.siteUrl`), the Connect `baseUrl`.
    pub site_url: String,
}

/// `ari:cloud:ecosystem::app/{appId}`: the FIT's `aud` and `app.id`.
pub fn app_ari(app_id: &str) -> String {
    format!("ari:cloud:ecosystem::app/{app_id}")
}

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(JWKS_PATH, web::get().to(jwks))
        .route("/__host/forge/invoke", web::post().to(invoke::invoke));
}

async fn jwks(state: web::Data<Sandbox>) -> HttpResponse {
    match state.forge.keys.jwks() {
        Ok(body) => HttpResponse::Ok().insert_header(("Cache-Control", "max-age=300")).json(body),
        Err(e) => {
            HttpResponse::InternalServerError().json(serde_json::json!({ "error": e.to_string() }))
        }
    }
}

impl Sandbox {
    /// `GET` here for the JWKS: the app's `forge.jwks_url` in dev and tests.
    pub fn forge_jwks_url(&self) -> String {
        format!("{}{JWKS_PATH}", self.root_url)
    }

    /// The Forge app id (a bare uuid; the `aud` is [`app_ari`] of it).
    pub fn forge_app_id(&self) -> &str {
        &self.forge.app_id
    }

    /// The `kid` of the published FIT key.
    pub fn forge_kid(&self) -> &str {
        &self.forge.keys.kid
    }

    /// The published FIT key in PEM (to forge an HS256 token keyed with it, say).
    pub fn forge_public_key_pem(&self) -> Result<String, SandboxError> {
        let pair = self.forge.keys.published()?;
        pair.public_key().to_pem().map_err(|e| SandboxError::Sign(e.to_string()))
    }

    pub fn forge_site(&self, client_key: &ClientKey) -> Result<ForgeSite, SandboxError> {
        self.with_tenant(client_key, |t| self.site_of(t))
    }

    pub fn forge_site_by_cloud(&self, cloud_id: &str) -> Result<ForgeSite, SandboxError> {
        lock(&self.tenants)
            .iter()
            .find(|t| t.cloud_id == cloud_id)
            .map(|t| self.site_of(t))
            .ok_or_else(|| SandboxError::UnknownTenant(cloud_id.to_owned()))
    }

    fn site_of(&self, tenant: &Tenant) -> ForgeSite {
        ForgeSite {
            client_key: tenant.client_key.clone(),
            cloud_id: tenant.cloud_id.clone(),
            installation_id: tenant.forge_installation_ari(),
            api_base_url: format!("{}/ex/jira/{}", self.root_url, tenant.cloud_id),
            site_url: tenant.base_url.as_str().to_owned(),
        }
    }
}
