//! A context token sent again (as the app's frontend does with `AP.context.getToken()`) is
//! answered from what its first verification established, and every answer stays the one a full
//! verification gives: a re-install, a disable or an uninstall on this instance applies to a token
//! already seen at once, and a context token never opens an iframe page.

use serde_json::json;
use stj_core::ClientKey;

use crate::support::{TestApp, block_on, spawn_app};

const API: &str = "/api/v1/context";

fn call(app: &TestApp, auth: &str) -> (u16, String) {
    let res = app.request("GET", API, Some(auth), None);
    let code = if res.status == 200 {
        String::new()
    } else {
        res.json()["code"].as_str().unwrap_or_default().to_owned()
    };
    (res.status, code)
}

/// A tenant and a context token it has already used twice (so the app has seen it).
fn seen_token(app: &TestApp) -> (ClientKey, String) {
    let tenant = app.install();
    let token = app.context_auth(&tenant, "acct-1");
    for _ in 0..2 {
        let res = app.request("GET", API, Some(&token), None);
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["user"], json!(true));
        assert_eq!(res.json()["licensed"], json!(true));
    }
    (tenant, token)
}

#[test]
fn a_seen_token_is_refused_at_once_after_a_reinstall() {
    let app = spawn_app();
    let (tenant, token) = seen_token(&app);
    assert_eq!(block_on(app.sandbox.reinstall(&tenant)).unwrap().status, 204);
    assert_eq!(call(&app, &token), (401, "token_signature".into()));
    assert_eq!(call(&app, &app.context_auth(&tenant, "acct-1")).0, 200);
}

#[test]
fn a_seen_token_is_refused_after_a_disable_and_an_uninstall() {
    let app = spawn_app();
    let (tenant, token) = seen_token(&app);
    assert_eq!(block_on(app.sandbox.disable(&tenant)).unwrap(), 204);
    assert_eq!(call(&app, &token), (403, "app_disabled".into()));
    assert_eq!(block_on(app.sandbox.enable(&tenant)).unwrap(), 204);
    assert_eq!(call(&app, &token), (200, String::new()));
    assert_eq!(block_on(app.sandbox.uninstall(&tenant)).unwrap(), 204);
    assert_eq!(call(&app, &token), (401, "token_unknown_issuer".into()));
}

#[test]
fn a_seen_context_token_never_opens_a_page() {
    let app = spawn_app();
    let (_tenant, token) = seen_token(&app);
    for _ in 0..2 {
        let res = app.request("GET", "/ui/issue-glance?issueKey=DEMO-1", Some(&token), None);
        assert_eq!(res.status, 401, "{}", res.body);
        assert!(res.body.contains("query string hash"), "{}", res.body);
    }
    assert_eq!(call(&app, &token).0, 200);
}

#[test]
fn a_token_that_differs_only_after_its_signature_is_not_the_seen_one() {
    let app = spawn_app();
    let (_tenant, token) = seen_token(&app);
    // Four parts: jwt-simple's split refuses it, remembered signature or not.
    assert_eq!(call(&app, &format!("{token}.x")), (401, "token_malformed".into()));
    // The same signature on another payload.
    let (_, signature) = token.rsplit_once('.').unwrap();
    let other = format!("JWT eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.{signature}");
    assert_eq!(call(&app, &other), (401, "token_malformed".into()));
}
