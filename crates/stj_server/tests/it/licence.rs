//! Licence: the verified token claim wins; without one, Jira's licence endpoint is asked and the
//! answer cached per tenant; unlicensed is a JSON 403 for the API and a page for iframes.

use stj_jira_sandbox::{Fault, FaultKind, LicenceState};

use crate::support::{Db, spawn_app, spawn_app_with};

#[test]
fn iframe_without_lic_asks_jira_and_caches_the_answer() {
    let app = spawn_app();
    let tenant = app.install();
    let page = |app: &crate::support::TestApp| {
        let signed = app
            .sandbox
            .iframe_jwt(&tenant, "GET", "/ui/issue-glance", "issueKey=DEMO-1", Some("acct"), None)
            .unwrap();
        let path = signed.url_with_jwt().trim_start_matches(&app.url).to_owned();
        app.request("GET", &path, None, None)
    };
    app.sandbox.set_licence(&tenant, LicenceState::Inactive).unwrap();
    let res = page(&app);
    assert_eq!(res.status, 403);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    assert!(res.body.contains("Licence required"));
    let calls = |app: &crate::support::TestApp| {
        app.sandbox
            .requests()
            .iter()
            .filter(|r| r.path.contains("/rest/atlassian-connect/1/addons/"))
            .count()
    };
    let before = calls(&app);
    app.sandbox.set_licence(&tenant, LicenceState::Active).unwrap();
    assert_eq!(page(&app).status, 403, "cached answer is reused");
    assert_eq!(calls(&app), before, "no second licence call inside the cache window");
}

#[test]
fn active_licence_from_jira_lets_pages_load() {
    let app = spawn_app_with(Db::Sqlite, &[("APP__CONNECT__LICENCE_CACHE_SECS", "0")]);
    let tenant = app.install();
    app.sandbox.set_licence(&tenant, LicenceState::Active).unwrap();
    let signed =
        app.sandbox.iframe_jwt(&tenant, "GET", "/ui/issue-glance", "", Some("acct"), None).unwrap();
    let res = app.request("GET", signed.url_with_jwt().trim_start_matches(&app.url), None, None);
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("https://connect-cdn.atl-paas.net/all.js"));
}

#[test]
fn licence_service_down_is_503_not_a_pass() {
    let app = spawn_app_with(Db::Sqlite, &[("APP__CONNECT__LICENCE_CACHE_SECS", "0")]);
    let tenant = app.install();
    app.sandbox.add_fault(Fault::new(
        "GET /rest/atlassian-connect/1/addons/*",
        FaultKind::Status { status: 500 },
    ));
    let signed =
        app.sandbox.iframe_jwt(&tenant, "GET", "/ui/issue-glance", "", Some("acct"), None).unwrap();
    let res = app.request("GET", signed.url_with_jwt().trim_start_matches(&app.url), None, None);
    assert_eq!(res.status, 503);
}

#[test]
fn unlicensed_api_calls_get_a_json_403() {
    let app = spawn_app();
    let tenant = app.install();
    let token = app.sandbox.context_jwt(&tenant, "acct", false).unwrap();
    let res = app.request("GET", "/api/v1/context", Some(&format!("JWT {token}")), None);
    assert_eq!(res.status, 403);
    assert_eq!(res.json()["code"], "licence_inactive");
}
