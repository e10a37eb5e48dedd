//! The Forge door end to end: lifecycle events recorded in the registry, one site one tenant
//! through either door (shared rate limits), and the licence taken from the verified FIT.

use serde_json::{Value, json};
use stj_core::{ClientKey, ForgeInstallationId};
use stj_jira_sandbox::{ForgeTokenRequest, LicenceState};

use crate::support::{Db, Response, TestApp, block_on, postgres_url, spawn_app_with};

const ACCOUNT: &str = "5b10ac8d82e05b22cc7d4ef5";

fn forge_get(app: &TestApp, tenant: &ClientKey, claims: &[(&str, Value)]) -> Response {
    let request = ForgeTokenRequest {
        claims: claims.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        ..ForgeTokenRequest::user(tenant, ACCOUNT)
    };
    let tokens = app.sandbox.forge_tokens(&request).unwrap();
    let user = tokens.user_token.unwrap().expose().clone();
    app.request_with(
        "GET",
        "/api/v1/context",
        Some(&format!("Bearer {}", tokens.fit.expose())),
        None,
        &[("x-forge-oauth-user", &user)],
    )
}

#[test]
fn forge_lifecycle_events_record_and_forget_the_installation() {
    let app = spawn_app_with(Db::Postgres, &[]);
    let registry = block_on(stj_registry::open(&stj_registry::RegistryConfig {
        url: stj_privacy::Secret::new(postgres_url()),
        max_connections: 1,
        connect_timeout_ms: 5_000,
        sslmode: stj_registry::SslMode::Disable,
        ca_file: None,
    }))
    .unwrap();
    let tenant = app.install();
    let site = app.sandbox.forge_site(&tenant).unwrap();
    let id = ForgeInstallationId::parse(&site.installation_id).unwrap();
    // The Connect install carried the installation id: the link exists before any Forge event.
    assert_eq!(block_on(registry.linked_client_key(&id)).unwrap(), Some(tenant.clone()));
    assert_eq!(block_on(app.sandbox.forge_install(&tenant, &app.url)).unwrap(), 204);
    let stored = block_on(registry.find_forge(&id)).unwrap().expect("recorded");
    assert_eq!(stored.cloud_id.as_str(), site.cloud_id);
    assert_eq!(stored.api_base_url.as_str(), site.api_base_url);
    // An event the app does not know: 400, nothing changes.
    let system = app.sandbox.forge_tokens(&ForgeTokenRequest {
        client_key: Some(tenant.as_str().to_owned()),
        ..ForgeTokenRequest::default()
    });
    let bearer = format!("Bearer {}", system.unwrap().fit.expose());
    let body = json!({"eventType": "avi:forge:upgraded:app"}).to_string();
    let res = app.request("POST", "/forge/events", Some(&bearer), Some(&body));
    assert_eq!((res.status, res.json()["code"].as_str()), (400, Some("forge_event_invalid")));
    assert!(block_on(registry.find_forge(&id)).unwrap().is_some());
    assert_eq!(block_on(app.sandbox.forge_uninstall(&tenant)).unwrap(), 204);
    assert_eq!(block_on(registry.find_forge(&id)).unwrap(), None);
}

#[test]
fn one_site_is_one_tenant_through_either_door() {
    let app = spawn_app_with(
        Db::Sqlite,
        &[
            ("APP__HTTP__RATE_LIMIT__TENANT_BURST", "4"),
            ("APP__HTTP__RATE_LIMIT__TENANT_PER_SECOND", "1"),
        ],
    );
    let tenant = app.install();
    let connect = app.context_auth(&tenant, ACCOUNT);
    for _ in 0..4 {
        assert_eq!(app.request("GET", "/api/v1/context", Some(&connect), None).status, 200);
    }
    // The Connect door spent the site's budget; the Forge door is the same tenant.
    let res = forge_get(&app, &tenant, &[]);
    assert_eq!((res.status, res.json()["code"].as_str()), (429, Some("rate_limited")));
    // A Forge-only site (no Connect install, no link) is a tenant of its own.
    let (site, status) = block_on(app.sandbox.install_forge(&app.url)).unwrap();
    assert_eq!(status, 204);
    let res = forge_get(&app, &site.client_key, &[]);
    assert_eq!(res.status, 200, "{}", res.body);
}

#[test]
fn the_licence_comes_from_the_verified_fit() {
    let app = spawn_app_with(Db::Sqlite, &[("APP__CONNECT__LICENCE_CACHE_SECS", "0")]);
    let tenant = app.install();
    app.sandbox.set_licence(&tenant, LicenceState::Inactive).unwrap();
    let res = forge_get(&app, &tenant, &[]);
    assert_eq!((res.status, res.json()["code"].as_str()), (403, Some("licence_inactive")));
    app.sandbox.set_licence(&tenant, LicenceState::Active).unwrap();
    assert_eq!(forge_get(&app, &tenant, &[]).status, 200);
    // A production FIT without app.license: a linked site asks Jira through its Connect install
    // (active here); an unlinked one is refused (Forge sends the licence of every paid app).
    let production = [("app.environment.type", json!("PRODUCTION")), ("app.license", Value::Null)];
    assert_eq!(forge_get(&app, &tenant, &production).status, 200);
    let (site, _) = block_on(app.sandbox.install_forge(&app.url)).unwrap();
    let res = forge_get(&app, &site.client_key, &production);
    assert_eq!((res.status, res.json()["code"].as_str()), (403, Some("licence_inactive")));
    // Outside production Forge sends no licence at all: the app counts as licensed.
    let development = [("app.license", Value::Null)];
    assert_eq!(forge_get(&app, &site.client_key, &development).status, 200);
}
