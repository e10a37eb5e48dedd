use serde_json::{Value, json};
use stj_connect::outgoing::app_authorization;
use stj_connect::qsh::qsh;
use stj_jira_sandbox::tokens::{fresh_claims, now_secs};
use stj_jira_sandbox::{
    JiraSandbox, LicenceState, SandboxConfig, TenantInfo, sign_hs256, unsigned_token,
};

use crate::common::{RecorderApp, get};

const APP: &str = "stj-subtask-templates";
const ADDON: &str = "/rest/atlassian-connect/1/addons/stj-subtask-templates";

async fn installed(config: SandboxConfig) -> (JiraSandbox, RecorderApp, TenantInfo) {
    let sandbox = JiraSandbox::start(config).unwrap();
    let app = RecorderApp::start("");
    let tenant = sandbox.install(&app.base_url, APP).await.unwrap().tenant;
    (sandbox, app, tenant)
}

fn call(tenant: &TenantInfo, path: &str, authorization: Option<&str>) -> (u16, Value) {
    let (status, body) = get(&format!("{}{path}", tenant.base_url), authorization).unwrap();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn app_auth(tenant: &TenantInfo, path: &str) -> String {
    app_authorization(APP, &tenant.base_url, &tenant.shared_secret, "GET", path).unwrap()
}

#[tokio::test]
async fn reports_the_licence_to_a_correctly_signed_app() {
    let (sandbox, _app, tenant) = installed(SandboxConfig::default()).await;
    let (status, body) = call(&tenant, ADDON, Some(&app_auth(&tenant, ADDON)));
    assert_eq!(status, 200);
    assert_eq!(body["key"], APP);
    assert_eq!(body["enabled"], true);
    assert_eq!(
        body["license"],
        json!({ "active": true, "type": "COMMERCIAL", "evaluation": false, "supportEntitlementNumber": null })
    );

    sandbox.set_licence(&tenant.client_key, LicenceState::Inactive).unwrap();
    let (_, body) = call(&tenant, ADDON, Some(&app_auth(&tenant, ADDON)));
    assert_eq!(body["license"]["active"], false);

    sandbox.set_licence(&tenant.client_key, LicenceState::Absent).unwrap();
    let (status, body) = call(&tenant, ADDON, Some(&app_auth(&tenant, ADDON)));
    assert_eq!(status, 200);
    assert!(body.get("license").is_none());
}

#[tokio::test]
async fn refuses_bad_app_tokens() {
    let (sandbox, _app, tenant) = installed(SandboxConfig::default()).await;
    let secret = tenant.shared_secret.expose().clone();
    let good_qsh = qsh("GET", ADDON, "", "");
    let claims = |extra: Value| {
        let mut claims = fresh_claims(json!({ "iss": APP, "qsh": good_qsh }));
        claims.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        claims
    };
    let now = now_secs();
    let hs = |claims: &Value| format!("JWT {}", sign_hs256(&secret, claims).unwrap());

    // The forged-token toolkit signs a good token too, so every refusal below is for its one flaw.
    assert_eq!(call(&tenant, ADDON, Some(&hs(&claims(json!({}))))).0, 200);
    // Inside the 30 s leeway Jira allows.
    assert_eq!(
        call(&tenant, ADDON, Some(&hs(&claims(json!({ "exp": now.saturating_sub(10) }))))).0,
        200
    );

    let mut no_iat = claims(json!({}));
    no_iat.as_object_mut().unwrap().remove("iat");
    let mut no_qsh = claims(json!({}));
    no_qsh.as_object_mut().unwrap().remove("qsh");
    let wrong_secret = format!(
        "JWT {}",
        sign_hs256("a-different-secret-of-some-length", &claims(json!({}))).unwrap()
    );
    let rs256 = format!("JWT {}", sandbox.sign_install_token(&claims(json!({}))).unwrap());
    let bad = [
        ("no header", None),
        ("bearer", Some(format!("Bearer {}", sign_hs256(&secret, &claims(json!({}))).unwrap()))),
        ("garbage", Some("JWT not.a.token".to_owned())),
        ("wrong secret", Some(wrong_secret)),
        (
            "expired",
            Some(hs(&claims(
                json!({ "exp": now.saturating_sub(60), "iat": now.saturating_sub(300) }),
            ))),
        ),
        (
            "issued in the future",
            Some(hs(&claims(
                json!({ "iat": now.saturating_add(600), "exp": now.saturating_add(900) }),
            ))),
        ),
        ("no iat", Some(hs(&no_iat))),
        ("no qsh", Some(hs(&no_qsh))),
        (
            "qsh of another request",
            Some(hs(&claims(json!({ "qsh": qsh("GET", "/rest/api/3/myself", "", "") })))),
        ),
        ("context qsh", Some(hs(&claims(json!({ "qsh": "context-qsh" }))))),
        (
            "iss is the tenant, not the app",
            Some(hs(&claims(json!({ "iss": tenant.client_key.as_str() })))),
        ),
        ("alg none", Some(format!("JWT {}", unsigned_token(&claims(json!({})))))),
        ("RS256 instead of HS256", Some(rs256)),
    ];
    for (why, authorization) in bad {
        let (status, body) = call(&tenant, ADDON, authorization.as_deref());
        assert_eq!(status, 401, "{why}");
        assert_eq!(body["status-code"], 401, "{why}");
    }

    let other = "/rest/atlassian-connect/1/addons/someone-else";
    assert_eq!(call(&tenant, other, Some(&app_auth(&tenant, other))).0, 404);
}

#[tokio::test]
async fn query_strings_are_part_of_the_qsh() {
    let (_sandbox, _app, tenant) = installed(SandboxConfig::default()).await;
    let with_query = format!("{ADDON}?expand=license");
    assert_eq!(call(&tenant, &with_query, Some(&app_auth(&tenant, &with_query))).0, 200);
    assert_eq!(call(&tenant, &with_query, Some(&app_auth(&tenant, ADDON))).0, 401);
}

#[tokio::test]
async fn each_tenant_only_accepts_its_own_secret_in_the_per_site_layout() {
    let config = SandboxConfig { tenant_paths: true, ..SandboxConfig::default() };
    let sandbox = JiraSandbox::start(config).unwrap();
    let app = RecorderApp::start("");
    let first = sandbox.install(&app.base_url, APP).await.unwrap().tenant;
    let second = sandbox.install(&app.base_url, APP).await.unwrap().tenant;
    assert_eq!(first.base_url.path(), "/site/1");
    assert_eq!(second.base_url.path(), "/site/2");
    assert_eq!(call(&first, ADDON, Some(&app_auth(&first, ADDON))).0, 200);
    assert_eq!(call(&second, ADDON, Some(&app_auth(&second, ADDON))).0, 200);
    // The first tenant's token at the second site: right app, wrong secret for that site.
    assert_eq!(call(&second, ADDON, Some(&app_auth(&first, ADDON))).0, 401);
}

#[tokio::test]
async fn root_layout_finds_the_tenant_by_secret_and_forgets_uninstalled_ones() {
    let (sandbox, app, first) = installed(SandboxConfig::default()).await;
    let second = sandbox.install(&app.base_url, APP).await.unwrap().tenant;
    assert_eq!(first.base_url, second.base_url);
    sandbox.set_licence(&second.client_key, LicenceState::Inactive).unwrap();
    assert_eq!(call(&first, ADDON, Some(&app_auth(&first, ADDON))).1["license"]["active"], true);
    assert_eq!(call(&second, ADDON, Some(&app_auth(&second, ADDON))).1["license"]["active"], false);

    sandbox.uninstall(&first.client_key).await.unwrap();
    assert_eq!(call(&first, ADDON, Some(&app_auth(&first, ADDON))).0, 401);
}
