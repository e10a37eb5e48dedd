//! One installed tenant and its tokens, for the in-process edge measurements: the allocation budget
//! (`tests/alloc_budget.rs`) and the `edge_cpu` bench example. Both include this file by path.

use jwt_simple::prelude::*;
use stj_core::{ClientKey, NewInstallation, SecretSealer, SharedSecret, TenantUrl};
use stj_privacy::Secret;
use stj_server::{Environment, Settings};

pub const CLIENT_KEY: &str = "edge-measurement-tenant";
const SECRET: &str = "an-edge-measurement-shared-secret-of-forty";
pub const PAGE_PATH: &str = "/ui/issue-glance";
pub const PAGE_QUERY: &str = "issueKey=ABC-1&projectKey=ABC&lic=active";

#[derive(Serialize, Deserialize)]
struct Custom {
    qsh: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<serde_json::Value>,
}

/// `JWT …` as Jira signs it (atlassian-jwt's header), valid for an hour.
fn token(qsh: String, context: Option<serde_json::Value>) -> String {
    let claims = Claims::with_custom_claims(Custom { qsh, context }, Duration::from_hours(1))
        .with_issuer(CLIENT_KEY)
        .with_subject("557058:edge-measurement-user");
    let token = HS256Key::from_bytes(SECRET.as_bytes()).authenticate(claims).expect("signs");
    format!("JWT {token}")
}

/// The iframe page's token: qsh computed for `PAGE_PATH?PAGE_QUERY`.
pub fn page_token() -> String {
    token(stj_connect::qsh::qsh("GET", PAGE_PATH, PAGE_QUERY, ""), None)
}

/// A context token (`context-qsh`) whose context says the licence is active.
pub fn context_token() -> String {
    token("context-qsh".to_owned(), Some(serde_json::json!({ "license": { "active": true } })))
}

/// The test environment's settings with `overrides` (`APP__…` names).
pub fn settings(overrides: &[(&str, &str)]) -> Settings {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let overrides = overrides.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned()));
    Settings::load(&dir, Environment::Test, overrides).expect("settings load")
}

/// Installs the tenant in the state's registry, enabled.
pub async fn install(settings: &Settings, state: &stj_http::EdgeState) {
    let sealer = SecretSealer::new(&settings.sealing.active_key_id, &settings.sealing.keys())
        .expect("sealing keys");
    let client_key = ClientKey::parse(CLIENT_KEY).expect("client key");
    let secret: SharedSecret = Secret::new(SECRET.to_owned());
    let new = NewInstallation {
        sealed_secret: sealer.seal(&client_key, &secret).expect("seals"),
        client_key,
        base_url: TenantUrl::parse("https://edge-measurement.atlassian.net").expect("url"),
        display_url: None,
        enabled: true,
        oauth_client_id: None,
    };
    state.registry.upsert(new, chrono::Utc::now()).await.expect("installs");
}
