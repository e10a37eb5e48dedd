use std::collections::HashSet;

use jwt_simple::prelude::*;
use serde_json::{Map, Value, json};
use stj_connect::qsh::qsh;
use stj_jira_sandbox::{JiraSandbox, LifecycleEvent, SandboxConfig, SandboxError};

use crate::common::{Received, RecorderApp, get};

const APP: &str = "stj-subtask-templates";

fn token(received: &Received) -> &str {
    received.authorization.as_deref().unwrap().strip_prefix("JWT ").unwrap()
}

/// Verify a signed-install token the way the app must: fetch the key by `kid`, check RS256 and `aud`.
fn verify_signed_install(
    sandbox: &JiraSandbox,
    received: &Received,
    aud: &str,
) -> JWTClaims<Map<String, Value>> {
    let token = token(received);
    let metadata = Token::decode_metadata(token).unwrap();
    assert_eq!(metadata.algorithm(), "RS256");
    let kid = metadata.key_id().unwrap();
    let (status, pem) = get(&format!("{}/{kid}", sandbox.install_keys_url()), None).unwrap();
    assert_eq!(status, 200);
    let options = VerificationOptions {
        allowed_audiences: Some(HashSet::from([aud.to_owned()])),
        ..VerificationOptions::default()
    };
    RS256PublicKey::from_pem(&pem).unwrap().verify_token(token, Some(options)).unwrap()
}

fn verify_hs256(received: &Received, secret: &str) -> JWTClaims<Map<String, Value>> {
    HS256Key::from_bytes(secret.as_bytes()).verify_token(token(received), None).unwrap()
}

#[tokio::test]
async fn install_sends_a_signed_installed_then_an_hs256_enabled() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let app = RecorderApp::start("/connect");
    let installed = sandbox.install(&app.base_url, APP).await.unwrap();
    assert_eq!((installed.status, installed.enabled_status), (204, Some(204)));
    let tenant = installed.tenant;

    let received = app.received();
    assert_eq!(received.len(), 2);
    let (install, enable) = (&received[0], &received[1]);
    assert_eq!((install.method.as_str(), install.path.as_str()), ("POST", "/connect/installed"));
    let body = &install.body;
    assert_eq!(body["eventType"], "installed");
    assert_eq!(body["key"], APP);
    assert_eq!(body["clientKey"], tenant.client_key.as_str());
    assert_eq!(body["sharedSecret"], tenant.shared_secret.expose().as_str());
    assert_eq!(body["baseUrl"], tenant.base_url.as_str());
    assert_eq!(body["productType"], "jira");
    for field in
        ["displayUrl", "description", "serverVersion", "pluginsVersion", "serviceEntitlementNumber"]
    {
        assert!(body[field].is_string(), "{field}");
    }

    let claims = verify_signed_install(&sandbox, install, &app.base_url);
    assert_eq!(claims.issuer.as_deref(), Some(tenant.client_key.as_str()));
    assert_eq!(claims.custom["qsh"], qsh("POST", "/connect/installed", "", "/connect"));
    assert_eq!(claims.custom["qsh"], qsh("POST", "/installed", "", ""));
    let lifetime = claims.expires_at.unwrap().as_secs() - claims.issued_at.unwrap().as_secs();
    assert_eq!(lifetime, 180);

    assert_eq!(enable.path, "/connect/enabled");
    assert_eq!(enable.body["eventType"], "enabled");
    let claims = verify_hs256(enable, tenant.shared_secret.expose());
    assert_eq!(claims.issuer.as_deref(), Some(tenant.client_key.as_str()));
    assert_eq!(claims.custom["qsh"], qsh("POST", "/enabled", "", ""));
    assert!(Token::decode_metadata(token(enable)).unwrap().key_id().is_none());
}

#[tokio::test]
async fn uninstall_disable_and_reinstall() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let app = RecorderApp::start("");
    let tenant = sandbox.install(&app.base_url, APP).await.unwrap().tenant;

    app.answer(200);
    assert_eq!(sandbox.disable(&tenant.client_key).await.unwrap(), 200);
    let reinstalled = sandbox.reinstall(&tenant.client_key).await.unwrap();
    assert_ne!(
        reinstalled.tenant.shared_secret.expose(),
        tenant.shared_secret.expose(),
        "secret rotates"
    );
    assert_eq!(sandbox.uninstall(&tenant.client_key).await.unwrap(), 200);

    let received = app.received();
    let events: Vec<&str> =
        received.iter().map(|r| r.body["eventType"].as_str().unwrap()).collect();
    assert_eq!(events, ["installed", "enabled", "disabled", "installed", "enabled", "uninstalled"]);
    verify_hs256(&received[2], tenant.shared_secret.expose());
    let claims = verify_signed_install(&sandbox, &received[5], &app.base_url);
    assert_eq!(claims.custom["qsh"], qsh("POST", "/uninstalled", "", ""));
    assert!(matches!(sandbox.enable(&tenant.client_key).await, Err(SandboxError::NotInstalled(_))));
}

#[tokio::test]
async fn a_refused_install_leaves_no_app_behind() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let app = RecorderApp::start("");
    app.answer(401);
    let installed = sandbox.install(&app.base_url, APP).await.unwrap();
    assert_eq!((installed.status, installed.enabled_status), (401, None));
    assert_eq!(app.received().len(), 1);
    let err = sandbox
        .iframe_jwt(&installed.tenant.client_key, "GET", "/panel", "", None, None)
        .unwrap_err();
    assert!(matches!(err, SandboxError::NotInstalled(_)));
}

#[tokio::test]
async fn forged_lifecycle_calls_reach_the_app_as_given() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let app = RecorderApp::start("");
    let tenant = sandbox.install(&app.base_url, APP).await.unwrap().tenant;
    let mut payload =
        sandbox.lifecycle_payload(&tenant.client_key, LifecycleEvent::Installed).unwrap();
    payload["clientKey"] = json!("someone-else");
    let status =
        sandbox.post_json(&format!("{}/installed", app.base_url), &payload, None).await.unwrap();
    assert_eq!(status, 204);
    let last = app.received().pop().unwrap();
    assert_eq!(last.body["clientKey"], "someone-else");
    assert!(last.authorization.is_none());
    assert!(matches!(sandbox.install("ftp://x", APP).await, Err(SandboxError::AppUrl(_))));
}

#[tokio::test]
async fn iframe_and_context_tokens_are_what_jira_sends_a_browser() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let app = RecorderApp::start("/connect");
    let tenant = sandbox.install(&app.base_url, APP).await.unwrap().tenant;
    let key = HS256Key::from_bytes(tenant.shared_secret.expose().as_bytes());

    let signed = sandbox
        .iframe_jwt(
            &tenant.client_key,
            "GET",
            "/panel",
            "issueKey=PROJ-1",
            Some("5b10ac8d82e05b22cc7d4ef5"),
            Some(true),
        )
        .unwrap();
    assert_eq!(signed.url, format!("{}/panel?issueKey=PROJ-1&lic=active", app.base_url));
    assert!(signed.url_with_jwt().ends_with(&format!("&jwt={}", signed.token)));
    let claims: JWTClaims<Map<String, Value>> = key.verify_token(&signed.token, None).unwrap();
    assert_eq!(claims.issuer.as_deref(), Some(tenant.client_key.as_str()));
    assert_eq!(claims.subject.as_deref(), Some("5b10ac8d82e05b22cc7d4ef5"));
    assert_eq!(
        claims.custom["qsh"],
        qsh("GET", "/connect/panel", "lic=active&issueKey=PROJ-1", "/connect")
    );

    let anonymous =
        sandbox.iframe_jwt(&tenant.client_key, "GET", "/panel", "", None, Some(false)).unwrap();
    assert!(anonymous.url.ends_with("/panel?lic=none"));
    let claims: JWTClaims<Map<String, Value>> = key.verify_token(&anonymous.token, None).unwrap();
    assert!(claims.subject.is_none());

    let context =
        sandbox.context_jwt(&tenant.client_key, "5b10ac8d82e05b22cc7d4ef5", false).unwrap();
    let claims: JWTClaims<Map<String, Value>> = key.verify_token(&context, None).unwrap();
    assert_eq!(claims.custom["qsh"], "context-qsh");
    assert_eq!(claims.custom["context"]["license"]["active"], false);
}

#[tokio::test]
async fn install_over_http_for_the_binary() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let app = RecorderApp::start("");
    let base = sandbox.base_url().to_owned();
    let app_url = app.base_url.clone();
    let (installed, licence) = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut response = agent
            .post(&format!("{base}/__sandbox/install"))
            .send_json(json!({ "app_base_url": app_url, "app_key": APP }))
            .unwrap();
        let installed: Value = response.body_mut().read_json().unwrap();
        let client_key = installed["client_key"].as_str().unwrap();
        let licence = agent
            .put(&format!("{base}/__sandbox/tenants/{client_key}/licence"))
            .send_json(json!({ "licence": "inactive" }))
            .unwrap()
            .status()
            .as_u16();
        (installed, licence)
    })
    .await
    .unwrap();
    assert_eq!(installed["status"], 204);
    assert_eq!(installed["enabled_status"], 204);
    assert_eq!(installed["base_url"], sandbox.base_url());
    assert_eq!(licence, 200);
    assert_eq!(app.received()[0].body["sharedSecret"], installed["shared_secret"]);
}
