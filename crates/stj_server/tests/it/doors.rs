//! One site, two doors: a Connect site that installs the Forge app keeps its templates, and what
//! either door writes the other reads (they live in the same Jira properties). Forge's tokens
//! never reach a log line.

use serde_json::{Value, json};
use stj_jira_sandbox::{DEMO_MEMBER_ACCOUNT_ID, Fault, FaultKind};

use crate::support::{Credentials, Door, Response, TestApp, block_on, captured_logs, spawn_app};

const PERSONAL: &str = "/api/v1/templates?scope=personal";

fn call(
    app: &TestApp,
    door: Door,
    site: &stj_core::ClientKey,
    method: &str,
    body: Option<&Value>,
) -> Response {
    let who = app.credentials(door, site, DEMO_MEMBER_ACCOUNT_ID);
    app.request_as(&who, method, PERSONAL, body.map(Value::to_string).as_deref(), &[])
}

#[test]
fn a_connect_site_moving_to_the_forge_door_keeps_its_templates() {
    let app = spawn_app();
    let site = app.install();
    app.sandbox.seed_demo(&site).unwrap();
    let save = json!({ "revision": 0, "templates": [
        { "id": "kept", "name": "Kept", "quickEntry": "One\nTwo" }] });
    let saved = call(&app, Door::Connect, &site, "PUT", Some(&save));
    assert_eq!(saved.status, 200, "{}", saved.body);

    let status = block_on(app.sandbox.forge_install(&site, &app.url)).unwrap();
    assert!((200..300).contains(&status), "avi:forge:installed:app answered {status}");
    app.sandbox.clear_requests();
    let read = call(&app, Door::Forge, &site, "GET", None);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(
        (read.json()["revision"].clone(), read.json()["templates"][0]["id"].clone()),
        (json!(1), json!("kept"))
    );
    let edit = json!({ "revision": 1, "templates": [
        { "id": "kept", "name": "Kept", "quickEntry": "One\nTwo\nThree" }] });
    let edited = call(&app, Door::Forge, &site, "PUT", Some(&edit));
    assert_eq!(
        (edited.status, edited.json()["revision"].clone()),
        (200, json!(2)),
        "{}",
        edited.body
    );
    let requests = app.sandbox.requests();
    assert!(!requests.is_empty() && requests.iter().all(|r| r.forge), "{requests:?}");

    let back = call(&app, Door::Connect, &site, "GET", None);
    assert_eq!(back.json()["revision"], 2, "{}", back.body);
    assert_eq!(back.json()["templates"][0]["quickEntry"], "One\nTwo\nThree");
}

#[test]
fn forge_tokens_never_reach_a_log_line() {
    let app = spawn_app();
    let site = app.install_through(Door::Forge);
    app.sandbox.seed_demo(&site).unwrap();
    let who = app.credentials(Door::Forge, &site, DEMO_MEMBER_ACCOUNT_ID);
    // A 429 and a 503 on the way, so the retry paths log too.
    let limited = FaultKind::RateLimited { retry_after_secs: 0 };
    app.sandbox.add_fault(Fault::new("GET /rest/api/3/issue/*", limited).times(1));
    let failing = FaultKind::Status { status: 503 };
    app.sandbox.add_fault(Fault::new("GET /rest/api/3/user/bulk", failing).times(1));
    let body = json!({ "quickEntry": "Canary step @me" }).to_string();
    let path = "/api/v1/issues/DEMO-1/subtasks/preview";
    let preview = app.request_as(&who, "POST", path, Some(&body), &[]);
    assert_eq!(preview.status, 200, "{}", preview.body);
    // Refused requests log too: a tampered FIT, and the user token with another site's FIT.
    let tampered = Credentials {
        authorization: format!("{}x", who.authorization),
        headers: who.headers.clone(),
    };
    assert_eq!(app.request_as(&tampered, "GET", PERSONAL, None, &[]).status, 401);
    let other = app.install_through(Door::Forge);
    let elsewhere = app.credentials(Door::Forge, &other, DEMO_MEMBER_ACCOUNT_ID);
    let mixed =
        Credentials { authorization: elsewhere.authorization, headers: who.headers.clone() };
    assert_eq!(app.request_as(&mixed, "GET", PERSONAL, None, &[]).status, 401);

    let logs = captured_logs();
    let fit = who.authorization.trim_start_matches("Bearer ");
    let user = who.headers.iter().map(|(_, v)| v.as_str());
    for token in user.chain([fit]) {
        let parts = token.split('.').filter(|p| p.len() > 10);
        for canary in parts.chain([token]) {
            assert!(!logs.contains(canary), "a Forge token (or part) was logged");
        }
    }
}
