//! One site, two doors: a Connect site that installs the Forge app keeps its templates, and what
//! either door writes the other reads (they live in the same Jira properties).

use serde_json::{Value, json};
use stj_jira_sandbox::DEMO_MEMBER_ACCOUNT_ID;

use crate::support::{Door, Response, TestApp, block_on, spawn_app};

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
