use serde_json::json;
use stj_jira_sandbox::{Entity, NewIssue, Permissions};

use crate::jira::{ADA, As, MAX, Site, VIEWER};

fn site_with_issue() -> Site {
    let site = Site::populated();
    site.sandbox
        .add_issue(&site.tenant.client_key, &NewIssue::new("PROJ", "Task", "Parent"))
        .unwrap();
    site
}

#[test]
fn put_creates_then_updates_get_lists_and_delete_removes() {
    let site = site_with_issue();
    let path = "/rest/api/3/issue/PROJ-1/properties/stj.templates";
    let created = site.put(path, &json!({ "v": 1 }), As::App);
    assert_eq!((created.status, created.text.as_str()), (201, ""));
    assert_eq!(site.put(path, &json!({ "v": 2 }), As::App).status, 200);
    let got = site.get(path, As::App);
    assert_eq!(got.body, json!({ "key": "stj.templates", "value": { "v": 2 } }));

    // Any JSON value, not only objects; last write wins.
    let other = "/rest/api/3/issue/PROJ-1/properties/other";
    assert_eq!(site.put(other, &json!("text"), As::App).status, 201);
    assert_eq!(site.put(other, &json!([1, 2]), As::App).status, 200);
    assert_eq!(site.get(other, As::App).body["value"], json!([1, 2]));

    let keys = site.get("/rest/api/3/issue/PROJ-1/properties", As::App).body;
    let id = site.get("/rest/api/3/issue/PROJ-1", As::App).body["id"].as_str().unwrap().to_owned();
    assert_eq!(keys["keys"][0]["key"], "other");
    assert_eq!(
        keys["keys"][1]["self"],
        format!("{}/rest/api/3/issue/{id}/properties/stj.templates", site.tenant.base_url)
    );
    assert_eq!(site.delete(path, As::App).status, 204);
    assert_eq!(site.delete(path, As::App).status, 404);
    let missing = site.get(path, As::App);
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body["errorMessages"][0],
        "The property with key 'stj.templates' does not exist."
    );
    assert_eq!(site.get("/rest/api/3/issue/PROJ-9/properties/x", As::App).status, 404);
}

#[test]
fn values_must_be_json_of_at_most_32768_bytes_and_keys_255_characters() {
    let site = site_with_issue();
    let path = "/rest/api/3/issue/PROJ-1/properties/k";
    // Exactly at the limit: a JSON string of 32 768 bytes, quotes included.
    let at_limit = json!("x".repeat(32_766));
    assert_eq!(site.put(path, &at_limit, As::App).status, 201);
    let over = site.put(path, &json!("x".repeat(32_767)), As::App);
    assert_eq!(over.status, 400);
    assert_eq!(
        over.body["errorMessages"][0],
        "The property value can not be longer than 32768 bytes."
    );
    for bad in ["", "   ", "{not json", "{\"a\":}"] {
        assert_eq!(site.call("PUT", path, Some(bad), As::App).status, 400, "{bad:?}");
    }
    let reply = site.send("PUT", path, Some(("{}", "text/plain")), As::App).unwrap();
    assert_eq!(reply.status, 415);
    let long_key = format!("/rest/api/3/issue/PROJ-1/properties/{}", "k".repeat(256));
    assert_eq!(site.put(&long_key, &json!(1), As::App).status, 400);
    let max_key = format!("/rest/api/3/issue/PROJ-1/properties/{}", "k".repeat(255));
    assert_eq!(site.put(&max_key, &json!(1), As::App).status, 201);
}

#[test]
fn issue_properties_need_browse_to_read_and_edit_to_write() {
    let site = site_with_issue();
    let ck = &site.tenant.client_key;
    site.sandbox.set_entity_property(ck, Entity::Issue("PROJ-1"), "k", json!(1)).unwrap();
    let viewer = site.token(VIEWER);
    let path = "/rest/api/3/issue/PROJ-1/properties/k";
    assert_eq!(site.get(path, As::Bearer(&viewer)).status, 200);
    let refused = site.put(path, &json!(2), As::Bearer(&viewer));
    assert_eq!(refused.status, 403);
    assert_eq!(site.delete(path, As::Bearer(&viewer)).status, 403);
    site.sandbox.update_user(ck, VIEWER, |u| u.permissions = Permissions::NONE).unwrap();
    assert_eq!(site.get(path, As::Bearer(&viewer)).status, 404);
    let max = site.token(MAX);
    assert_eq!(site.put(path, &json!(3), As::Bearer(&max)).status, 200);
    assert_eq!(
        site.sandbox.entity_property(ck, Entity::Issue("PROJ-1"), "k").unwrap(),
        Some(json!(3))
    );
}

#[test]
fn user_properties_are_the_users_own_unless_admin() {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let max = site.token(MAX);
    let mine = format!("/rest/api/3/user/properties/stj.templates?accountId={MAX}");
    assert_eq!(site.put(&mine, &json!({ "templates": [] }), As::Bearer(&max)).status, 201);
    assert_eq!(site.get(&mine, As::Bearer(&max)).body["value"], json!({ "templates": [] }));
    let listed =
        site.get(&format!("/rest/api/3/user/properties?accountId={MAX}"), As::Bearer(&max)).body;
    assert_eq!(listed["keys"][0]["key"], "stj.templates");
    assert!(listed["keys"][0]["self"].as_str().unwrap().ends_with(&format!("?accountId={MAX}")));

    let adas = format!("/rest/api/3/user/properties/stj.templates?accountId={ADA}");
    for reply in [site.get(&adas, As::Bearer(&max)), site.put(&adas, &json!(1), As::Bearer(&max))] {
        assert_eq!(reply.status, 403);
    }
    // The admin, and the app (an admin through atlassian-addons-admin), may touch anyone's.
    let ada = site.token(ADA);
    assert_eq!(site.get(&mine, As::Bearer(&ada)).status, 200);
    assert_eq!(site.put(&mine, &json!(2), As::App).status, 200);
    assert_eq!(
        site.sandbox.entity_property(ck, Entity::User(MAX), "stj.templates").unwrap(),
        Some(json!(2))
    );
    // Without Administer Jira, the app is just another user.
    let app = site.sandbox.app_account_id(ck).unwrap();
    site.sandbox.update_user(ck, &app, |u| u.site_admin = false).unwrap();
    assert_eq!(site.get(&mine, As::App).status, 403);

    assert_eq!(site.get("/rest/api/3/user/properties/stj.templates", As::Bearer(&max)).status, 400);
    assert_eq!(site.get("/rest/api/3/user/properties", As::Bearer(&max)).status, 400);
    let too_long = format!("/rest/api/3/user/properties/k?accountId={}", "a".repeat(129));
    assert_eq!(site.get(&too_long, As::Bearer(&ada)).status, 400);
    assert_eq!(
        site.get("/rest/api/3/user/properties/k?accountId=ghost", As::Bearer(&ada)).status,
        404
    );
    assert_eq!(site.delete(&mine, As::Bearer(&max)).status, 204);
}

#[test]
fn project_properties_need_project_or_site_administration_to_write() {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let path = "/rest/api/3/project/PROJ/properties/stj.config";
    let max = site.token(MAX);
    let refused = site.put(path, &json!({ "enabled": true }), As::Bearer(&max));
    assert_eq!(refused.status, 403);
    let ada = site.token(ADA);
    assert_eq!(site.put(path, &json!({ "enabled": true }), As::Bearer(&ada)).status, 201);
    assert_eq!(site.get(path, As::Bearer(&max)).body["value"]["enabled"], true);
    assert_eq!(site.delete(path, As::Bearer(&max)).status, 403);

    site.sandbox
        .update_user(ck, MAX, |u| {
            u.project_permissions.insert("PROJ".into(), Permissions::ALL);
        })
        .unwrap();
    assert_eq!(site.put(path, &json!(2), As::Bearer(&max)).status, 200);
    let id = site.sandbox.project(ck, "PROJ").unwrap().id;
    let by_id = site.get(&format!("/rest/api/3/project/{id}/properties"), As::Bearer(&max)).body;
    assert_eq!(
        by_id["keys"][0]["self"],
        format!("{}/rest/api/3/project/{id}/properties/stj.config", site.tenant.base_url)
    );
    assert_eq!(site.delete(path, As::Bearer(&max)).status, 204);
    assert_eq!(site.get(path, As::Bearer(&max)).status, 404);
    assert_eq!(site.get("/rest/api/3/project/NOPE/properties/x", As::App).status, 404);
}
