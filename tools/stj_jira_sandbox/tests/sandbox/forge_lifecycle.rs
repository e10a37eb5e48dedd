//! Forge's side of installs and invocations: the Connect `installed` payload names the Forge
//! installation, Forge lifecycle events reach `/forge/events` as system invocations, and the host
//! page's `invokeRemote` goes to the remote with a fresh FIT and user token.

use serde_json::{Value, json};
use stj_jira_sandbox::{
    DEMO_MEMBER_ACCOUNT_ID, ForgeEvent, JiraSandbox, LicenceState, SandboxConfig,
    decode_claims_unverified,
};

use crate::common::{Received, RecorderApp, get};
use crate::host::Host;
use crate::jira::APP;

fn fit_claims(received: &Received) -> Value {
    let fit = received.authorization.as_deref().unwrap().strip_prefix("Bearer ").unwrap();
    decode_claims_unverified(fit).unwrap()
}

#[tokio::test]
async fn connect_names_the_forge_installation_and_forge_sends_its_own_events() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let app = RecorderApp::start("/remote");
    let tenant = sandbox.install(&app.base_url, APP).await.unwrap().tenant;
    let forge = sandbox.forge_site(&tenant.client_key).unwrap();
    let installed = &app.received()[0];
    assert_eq!(installed.body["installationId"], forge.installation_id);

    assert_eq!(sandbox.forge_install(&tenant.client_key, &app.base_url).await.unwrap(), 204);
    assert_eq!(sandbox.forge_uninstall(&tenant.client_key).await.unwrap(), 204);
    let received = app.received();
    let events: Vec<&Received> =
        received.iter().filter(|r| r.path == "/remote/forge/events").collect();
    assert_eq!(events.len(), 2);
    for (event, kind) in events.iter().zip([ForgeEvent::Installed, ForgeEvent::Uninstalled]) {
        assert_eq!(event.method, "POST");
        assert_eq!(event.body["eventType"], kind.event_type());
        assert_eq!(event.body["context"]["cloudId"], forge.cloud_id);
        let claims = fit_claims(event);
        assert!(claims.get("principal").is_none(), "a system invocation");
        assert_eq!(claims["app"]["installationId"], forge.installation_id);
        let system = &event.headers["x-forge-oauth-system"];
        assert_eq!(decode_claims_unverified(system).unwrap()["cloudId"], forge.cloud_id);
        assert!(!event.headers.contains_key("x-forge-oauth-user"));
    }
}

#[tokio::test]
async fn a_forge_only_site_serves_forge_tokens_until_uninstalled() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let app = RecorderApp::start("");
    let (forge, status) = sandbox.install_forge(&app.base_url).await.unwrap();
    assert_eq!(status, 204);
    let tokens = sandbox
        .forge_tokens(&stj_jira_sandbox::ForgeTokenRequest {
            cloud_id: Some(forge.cloud_id.clone()),
            ..Default::default()
        })
        .unwrap();
    let myself = format!("{}/rest/api/3/myself", forge.api_base_url);
    let bearer = format!("Bearer {}", tokens.system_token.expose());
    let call = |url: String, auth: String| {
        tokio::task::spawn_blocking(move || get(&url, Some(&auth)).unwrap().0)
    };
    assert_eq!(call(myself.clone(), bearer.clone()).await.unwrap(), 200);
    sandbox.forge_uninstall(&forge.client_key).await.unwrap();
    assert_eq!(call(myself, bearer).await.unwrap(), 401, "no installation, no access");
    let again = sandbox.send_forge_event(&forge.client_key, ForgeEvent::Installed).await;
    assert!(again.is_err(), "nowhere to send it once uninstalled");
}

fn invoke(host: &Host, body: &Value, origin: Option<&str>) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = origin.map(|o| ("Origin", o)).into_iter().collect();
    let page = host.request("POST", "/__host/forge/invoke", &headers, Some(&body.to_string()));
    (page.status, serde_json::from_str(&page.body).unwrap_or(Value::Null))
}

#[test]
fn invoke_remote_forwards_with_a_fresh_fit_for_the_page_user() {
    let host = Host::with_licence(LicenceState::Active);
    let remote = RecorderApp::start("/remote");
    let ck = host.tenant.client_key.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(host.sandbox.forge_install(&ck, &remote.base_url)).unwrap();
    remote.answer(200);
    let page = host.get("/browse/DEMO-1?as=member", &[]);
    let page_id = page.attr_body("page").unwrap();
    let origin = Some(host.sandbox.base_url());
    let call = json!({ "page": page_id, "path": "/api/v1/x?y=1", "method": "post",
        "headers": { "X-Custom": "1", "Authorization": "JWT forged", "x-forge-oauth-user": "no" },
        "body": { "n": 1 }, "module": "subtask-templates-glance" });
    let (status, answer) = invoke(&host, &call, origin);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["body"], json!({ "path": "/remote/api/v1/x", "method": "POST" }));
    assert_eq!(answer["headers"]["content-type"], json!(["application/json"]));
    let got = remote.received().pop().unwrap();
    assert_eq!(got.body, json!({ "n": 1 }));
    assert_eq!(got.headers.get("x-custom").map(String::as_str), Some("1"));
    let claims = fit_claims(&got);
    assert_eq!(claims["principal"], DEMO_MEMBER_ACCOUNT_ID);
    assert_eq!(claims["context"]["extension"]["issue"]["key"], "DEMO-1");
    assert_eq!(claims["context"]["extension"]["project"]["key"], "DEMO");
    assert_eq!(claims["app"]["license"], json!({ "isActive": true }));
    let user = &got.headers["x-forge-oauth-user"];
    assert_eq!(decode_claims_unverified(user).unwrap()["sub"], DEMO_MEMBER_ACCOUNT_ID);

    // The unlicensed persona's FIT says so; strangers, other origins and bad calls get nothing.
    let page = host.get("/browse/DEMO-1?as=unlicensed", &[]);
    let call = json!({ "page": page.attr_body("page").unwrap(), "path": "/p", "method": "GET" });
    assert_eq!(invoke(&host, &call, origin).0, 200);
    assert_eq!(fit_claims(&remote.received().pop().unwrap())["app"]["license"]["isActive"], false);
    let app_origin = host.app.base_url.trim_end_matches("/app").to_owned();
    assert_eq!(invoke(&host, &call, Some(&app_origin)).0, 403);
    assert_eq!(invoke(&host, &call, None).0, 403);
    assert_eq!(
        invoke(&host, &json!({ "page": "nope", "path": "/p", "method": "GET" }), origin).0,
        404
    );
    let bad = json!({ "page": page_id, "path": "http://elsewhere/p", "method": "GET" });
    assert_eq!(invoke(&host, &bad, origin).0, 400);
    let bad = json!({ "page": page_id, "path": "/p", "method": "TRACE" });
    assert_eq!(invoke(&host, &bad, origin).0, 400);
    // A remote nobody listens on (a port just freed): the install stands, the invoke is a 502.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    assert!(runtime.block_on(host.sandbox.forge_install(&ck, &dead_url)).is_err());
    let (status, answer) = invoke(&host, &call, origin);
    assert_eq!(status, 502, "{answer}");
    assert!(answer["error"].is_string());
}
