//! Install, re-install, enable/disable, uninstall through the real handshake, and installs that
//! must store nothing.

use serde_json::json;
use stj_core::ClientKey;
use stj_jira_sandbox::{Fault, FaultKind, LifecycleEvent, sign_hs256, sign_rs256};

use crate::support::{Db, TestApp, block_on, spawn_app, spawn_app_with};

const API: &str = "/api/v1/context";

fn api_status(app: &TestApp, client_key: &ClientKey) -> (u16, String) {
    let res = app.request("GET", API, Some(&app.context_auth(client_key, "acct-1")), None);
    let code = if res.status == 200 {
        String::new()
    } else {
        res.json()["code"].as_str().unwrap_or_default().to_owned()
    };
    (res.status, code)
}

#[test]
fn install_then_authenticated_calls_work() {
    let app = spawn_app();
    let tenant = app.install();
    let res = app.request("GET", API, Some(&app.context_auth(&tenant, "acct-1")), None);
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["site"], app.sandbox.base_url().trim_start_matches("http://"));
    assert_eq!(res.json()["licensed"], true);
}

#[test]
fn the_same_flow_works_on_postgres() {
    let app = spawn_app_with(Db::Postgres, &[]);
    let tenant = app.install();
    assert_eq!(api_status(&app, &tenant).0, 200);
    assert_eq!(block_on(app.sandbox.uninstall(&tenant)).unwrap(), 204);
    assert_eq!(api_status(&app, &tenant), (401, "token_unknown_issuer".into()));
}

#[test]
fn reinstall_rotates_the_secret() {
    let app = spawn_app();
    let tenant = app.install();
    let old_token = app.context_auth(&tenant, "acct-1");
    let reinstalled = block_on(app.sandbox.reinstall(&tenant)).unwrap();
    assert_eq!(reinstalled.status, 204);
    let res = app.request("GET", API, Some(&old_token), None);
    assert_eq!((res.status, res.json()["code"].clone()), (401, json!("token_signature")));
    assert_eq!(api_status(&app, &tenant).0, 200);
}

#[test]
fn disable_refuses_and_enable_restores() {
    let app = spawn_app();
    let tenant = app.install();
    assert_eq!(block_on(app.sandbox.disable(&tenant)).unwrap(), 204);
    assert_eq!(api_status(&app, &tenant), (403, "app_disabled".into()));
    assert_eq!(block_on(app.sandbox.enable(&tenant)).unwrap(), 204);
    assert_eq!(api_status(&app, &tenant).0, 200);
}

#[test]
fn uninstall_deletes_the_installation() {
    let app = spawn_app();
    let tenant = app.install();
    assert_eq!(block_on(app.sandbox.uninstall(&tenant)).unwrap(), 204);
    assert_eq!(api_status(&app, &tenant), (401, "token_unknown_issuer".into()));
    // A late, unsigned `disabled` (AC-2561) is refused and changes nothing.
    let payload = app.sandbox.lifecycle_payload(&tenant, LifecycleEvent::Disabled);
    if let Ok(payload) = payload {
        let status =
            block_on(app.sandbox.post_json(&format!("{}/disabled", app.url), &payload, None))
                .unwrap();
        assert_eq!(status, 401);
    }
}

/// A tenant the sandbox knows but that never completed an install with the app.
fn pending_tenant(app: &TestApp) -> ClientKey {
    app.sandbox.add_installed_tenant(&app.url, &app.app_key).unwrap().client_key
}

fn post_installed(
    app: &TestApp,
    tenant: &ClientKey,
    claims: &serde_json::Value,
    token: Option<String>,
) -> u16 {
    let payload = app.sandbox.lifecycle_payload(tenant, LifecycleEvent::Installed).unwrap();
    let token = token.unwrap_or_else(|| app.sandbox.sign_install_token(claims).unwrap());
    block_on(app.sandbox.post_json(
        &format!("{}/installed", app.url),
        &payload,
        Some(&format!("JWT {token}")),
    ))
    .unwrap()
}

fn assert_not_installed(app: &TestApp, tenant: &ClientKey) {
    assert_eq!(
        api_status(app, tenant),
        (401, "token_unknown_issuer".into()),
        "nothing may be stored"
    );
}

#[test]
fn installs_with_bad_signatures_or_claims_store_nothing() {
    let app = spawn_app();
    let tenant = pending_tenant(&app);
    let good = app.sandbox.lifecycle_claims(&tenant, LifecycleEvent::Installed).unwrap();
    let with = |key: &str, value: serde_json::Value| {
        let mut claims = good.clone();
        claims[key] = value;
        claims
    };
    let other_key = jwt_simple::prelude::RS256KeyPair::generate(2048)
        .unwrap()
        .with_key_id(app.sandbox.install_kid());
    let secret = app.sandbox.tenant(&tenant).unwrap().shared_secret;
    let cases: Vec<(&str, u16, Option<String>, serde_json::Value)> = vec![
        ("signed by another key", 401, Some(sign_rs256(&other_key, &good).unwrap()), good.clone()),
        ("wrong aud", 401, None, with("aud", json!(["https://evil.example.com"]))),
        ("missing aud", 401, None, {
            let mut c = good.clone();
            c.as_object_mut().unwrap().remove("aud");
            c
        }),
        ("expired", 401, None, with("exp", json!(1_000_000))),
        ("wrong qsh", 401, None, with("qsh", json!("0".repeat(64)))),
        ("iss is another tenant", 401, None, with("iss", json!("another-tenant"))),
        (
            "HS256 with the shared secret",
            401,
            Some(sign_hs256(secret.expose(), &good).unwrap()),
            good.clone(),
        ),
        (
            "HS256 keyed with the install public key (alg confusion)",
            401,
            Some(sign_hs256(app.sandbox.install_public_key_pem(), &good).unwrap()),
            good.clone(),
        ),
        ("alg none", 401, Some(stj_jira_sandbox::unsigned_token(&good)), good.clone()),
    ];
    for (name, want, token, claims) in cases {
        assert_eq!(post_installed(&app, &tenant, &claims, token), want, "{name}");
        assert_not_installed(&app, &tenant);
    }
    // The same tenant then installs fine: the refusals left nothing half-written.
    assert_eq!(post_installed(&app, &tenant, &good, None), 204);
    assert_eq!(api_status(&app, &tenant).0, 200);
}

#[test]
fn an_unreachable_key_service_stores_nothing_and_is_retryable() {
    let app = spawn_app();
    let tenant = pending_tenant(&app);
    let claims = app.sandbox.lifecycle_claims(&tenant, LifecycleEvent::Installed).unwrap();
    app.sandbox
        .add_fault(Fault::new("GET /install-keys/*", FaultKind::Status { status: 503 }).times(1));
    assert_eq!(post_installed(&app, &tenant, &claims, None), 503);
    assert_not_installed(&app, &tenant);
    app.sandbox.add_fault(Fault::new("GET /install-keys/*", FaultKind::DropConnection).times(1));
    assert_eq!(post_installed(&app, &tenant, &claims, None), 503);
    assert_not_installed(&app, &tenant);
    assert_eq!(
        post_installed(&app, &tenant, &claims, None),
        204,
        "works once the key service is back"
    );
}

#[test]
fn a_bad_payload_with_a_good_signature_is_a_400_and_stores_nothing() {
    let app = spawn_app();
    let tenant = pending_tenant(&app);
    let authorization =
        app.sandbox.lifecycle_authorization(&tenant, LifecycleEvent::Installed).unwrap();
    let good = app.sandbox.lifecycle_payload(&tenant, LifecycleEvent::Installed).unwrap();
    let mut wrong_app = good.clone();
    wrong_app["key"] = json!("some.other.app");
    let mut short_secret = good.clone();
    short_secret["sharedSecret"] = json!("short");
    let mut bad_url = good.clone();
    bad_url["baseUrl"] = json!("ftp://acme.example.com");
    for (name, body) in
        [("wrong app key", wrong_app), ("short secret", short_secret), ("bad baseUrl", bad_url)]
    {
        let res = app.request("POST", "/installed", Some(&authorization), Some(&body.to_string()));
        assert_eq!(res.status, 400, "{name}: {}", res.body);
        assert_eq!(res.json()["code"], "lifecycle_payload_invalid");
        assert_not_installed(&app, &tenant);
    }
    let res = app.request("POST", "/installed", Some(&authorization), Some("{not json"));
    assert_eq!(res.status, 400);
    assert!(!res.body.contains(good["sharedSecret"].as_str().unwrap()));
    assert_not_installed(&app, &tenant);
}
