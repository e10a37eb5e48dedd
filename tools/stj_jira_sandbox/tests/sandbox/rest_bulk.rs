use serde_json::{Value, json};
use stj_jira_sandbox::{Entity, MAX_BULK_CREATE};

use crate::jira::{As, subtask, with_parent};

#[test]
fn bulk_creates_each_element_independently_in_order() {
    let (site, subtask_type) = with_parent();
    let ck = &site.tenant.client_key;
    let good = |summary: &str| subtask("PROJ", "PROJ-1", &subtask_type, summary);
    let mut marked = good("second");
    marked["properties"] = json!([{ "key": "stj.row", "value": 2 }]);
    let updates = json!({ "issueUpdates": [good("first"), good(""), marked, good("bad\nline"), good("third")] });
    let reply = site.post("/rest/api/3/issue/bulk", &updates, As::App);
    assert_eq!(reply.status, 201, "{}", reply.text);
    let keys: Vec<&str> = reply.body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["PROJ-2", "PROJ-3", "PROJ-4"]);
    let failed: Vec<u64> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["status"], 400);
            e["failedElementNumber"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(failed, [1, 3]);
    assert_eq!(
        reply.body["errors"][0]["elementErrors"]["errors"]["summary"],
        "You must specify a summary of the issue."
    );
    assert_eq!(
        site.sandbox.entity_property(ck, Entity::Issue("PROJ-3"), "stj.row").unwrap(),
        Some(json!(2))
    );

    // Subtasks are listed in creation order.
    let parent = site.sandbox.issue_fields(ck, "PROJ-1").unwrap();
    let subtasks: Vec<&str> =
        parent["subtasks"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(subtasks, ["PROJ-2", "PROJ-3", "PROJ-4"]);
    assert_eq!(parent["subtasks"][1]["fields"]["summary"], "second");

    let all_bad = site.post(
        "/rest/api/3/issue/bulk",
        &json!({ "issueUpdates": [good(""), good("")] }),
        As::App,
    );
    assert_eq!(all_bad.status, 400);
    assert_eq!(all_bad.body["issues"], json!([]));
    assert_eq!(all_bad.body["errors"].as_array().unwrap().len(), 2);
    // Keys are never reused, even after failures.
    let next =
        site.post("/rest/api/3/issue/bulk", &json!({ "issueUpdates": [good("fourth")] }), As::App);
    assert_eq!(next.body["issues"][0]["key"], "PROJ-5");
}

#[test]
fn bulk_takes_at_most_fifty() {
    let (site, subtask_type) = with_parent();
    let ck = &site.tenant.client_key;
    let many = |n: usize| {
        let updates: Vec<Value> =
            (0..n).map(|i| subtask("PROJ", "PROJ-1", &subtask_type, &format!("s{i}"))).collect();
        json!({ "issueUpdates": updates })
    };
    let too_many = site.post("/rest/api/3/issue/bulk", &many(MAX_BULK_CREATE + 1), As::App);
    assert_eq!(too_many.status, 400);
    assert_eq!(too_many.body["issues"], json!([]));
    let message = too_many.body["errors"][0]["elementErrors"]["errorMessages"][0].as_str().unwrap();
    assert!(message.contains("50"), "{message}");
    assert_eq!(site.sandbox.issue_keys(ck).unwrap().len(), 1, "nothing created");

    let fifty = site.post("/rest/api/3/issue/bulk", &many(MAX_BULK_CREATE), As::App);
    assert_eq!(fifty.status, 201);
    assert_eq!(fifty.body["issues"].as_array().unwrap().len(), 50);
    assert_eq!(fifty.body["issues"][49]["key"], "PROJ-51");
    assert_eq!(site.post("/rest/api/3/issue/bulk", &json!({}), As::App).status, 400);
    assert_eq!(
        site.post("/rest/api/3/issue/bulk", &json!({ "issueUpdates": [] }), As::App).status,
        400
    );
}

#[test]
fn bulk_elements_fail_alone_for_permissions_and_bad_properties() {
    let (site, subtask_type) = with_parent();
    let mut big = subtask("PROJ", "PROJ-1", &subtask_type, "big");
    big["properties"] = json!([{ "key": "k", "value": "x".repeat(40_000) }]);
    let mut long_key = subtask("PROJ", "PROJ-1", &subtask_type, "key");
    long_key["properties"] = json!([{ "key": "k".repeat(256), "value": 1 }]);
    let good = subtask("PROJ", "PROJ-1", &subtask_type, "good");
    let reply = site.post(
        "/rest/api/3/issue/bulk",
        &json!({ "issueUpdates": [big, long_key, good] }),
        As::App,
    );
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["issues"].as_array().unwrap().len(), 1);
    assert_eq!(reply.body["errors"].as_array().unwrap().len(), 2);
    assert_eq!(site.sandbox.issue_keys(&site.tenant.client_key).unwrap(), ["PROJ-1", "PROJ-2"]);
}
