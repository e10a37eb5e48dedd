//! The text API end to end: quick entry checked into structured items at their source lines,
//! items formatted back into quick entry, rival text imported with what was left out, and the
//! template library's subtask type.

use serde_json::{Value, json};
use stj_core::ClientKey;
use stj_jira_sandbox::{DEMO_ADMIN_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID, Fault, FaultKind};

use crate::support::{Response, TestApp, spawn_app};

struct Site {
    app: TestApp,
    tenant: ClientKey,
}

fn site() -> Site {
    let app = spawn_app();
    let tenant = app.install();
    app.sandbox.seed_demo(&tenant).unwrap();
    Site { app, tenant }
}

impl Site {
    fn call(&self, method: &str, path: &str, account: &str, body: Option<&Value>) -> Response {
        let auth = self.app.context_auth(&self.tenant, account);
        let body = body.map(Value::to_string);
        self.app.request(method, path, Some(&auth), body.as_deref())
    }

    fn post(&self, path: &str, body: &Value) -> Response {
        self.call("POST", path, DEMO_MEMBER_ACCOUNT_ID, Some(body))
    }
}

fn lines(problems: &Value) -> Vec<Value> {
    problems.as_array().unwrap().iter().map(|p| p["line"].clone()).collect()
}

#[test]
fn check_gives_items_at_their_source_lines_and_format_gives_the_text_back() {
    let site = site();
    let text = "Plan @me ~2h type:\"Code review\"\n  what to do\n\n  more\n\nBuild #ci due:+2d\n\nShip !High";
    let res = site.post("/api/v1/quick-entry/check", &json!({ "text": text }));
    assert_eq!(res.status, 200, "{}", res.body);
    let body = res.json();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.iter().map(|i| i["line"].clone()).collect::<Vec<_>>(), [1, 6, 8]);
    assert_eq!(
        items[0],
        json!({"line": 1, "summary": "Plan", "description": "what to do\n\nmore",
            "assignee": {"type": "me"}, "labels": [], "estimate": "2h", "priority": null,
            "due": null, "issueType": "Code review"})
    );
    assert_eq!(items[1]["due"], "+2d");

    // The structured editor sends the items back (without `line`): the same quick entry.
    let back: Vec<Value> = items
        .iter()
        .map(|i| {
            let mut i = i.clone();
            i.as_object_mut().unwrap().remove("line");
            i
        })
        .collect();
    let res = site.post("/api/v1/quick-entry/format", &json!({ "items": back }));
    assert_eq!((res.status, res.json()["quickEntry"].clone()), (200, body["quickEntry"].clone()));

    // Problems: parse errors at source lines, after descriptions and blank lines.
    let res = site.post("/api/v1/quick-entry/check", &json!({ "text": "A\n  d\n\nB ~2x\n\nC !" }));
    assert_eq!(res.status, 400, "{}", res.body);
    assert_eq!(lines(&res.json()["problems"]), [json!(4), json!(6)]);

    // Format: problems by item (1-based), nothing else.
    let bad = json!({ "items": [{ "summary": "ok" }, { "summary": "x", "due": "tomorrow" }, { "summary": "" }] });
    let res = site.post("/api/v1/quick-entry/format", &bad);
    assert_eq!((res.status, res.json()["code"].clone()), (400, json!("subtasks_invalid")));
    assert_eq!(lines(&res.json()["problems"]), [json!(2), json!(3)]);
    let res = site
        .post("/api/v1/quick-entry/format", &json!({ "items": [{ "summary": "x", "line": 1 }] }));
    assert_eq!(res.status, 400, "{}", res.body);
}

#[test]
fn import_lists_what_it_could_not_map_by_line() {
    let site = site();
    let text = "- Task\n  reporter: bob\n  estimate: 2h\n  issueType: Sub-task\n- Other / \n";
    let res = site.post("/api/v1/quick-entry/import", &json!({ "text": text }));
    assert_eq!(res.status, 200, "{}", res.body);
    let body = res.json();
    assert_eq!(body["count"], 2);
    assert_eq!(body["quickEntry"], "Task ~2h type:Sub-task\nOther /");
    assert_eq!(body["unmapped"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["unmapped"][0]["line"], 2);
    assert_eq!(body["unmapped"][0]["text"], "reporter: bob");
    assert!(body["unmapped"][0]["reason"].as_str().unwrap().contains("not supported"));
    // Text in neither format is still refused, at its first line.
    let res = site.post("/api/v1/quick-entry/import", &json!({ "text": "\nWrite tests" }));
    assert_eq!((res.status, lines(&res.json()["problems"])), (400, vec![json!(2)]));
}

#[test]
fn a_templates_subtask_type_is_saved_and_read_back() {
    let site = site();
    let save = json!({ "revision": 0, "templates": [
        { "id": "review", "name": "Review", "subtaskType": "Sub-task", "quickEntry": "Read\nFix type:Bug" },
        { "id": "plain", "name": "Plain", "subtaskType": "", "quickEntry": "One" }
    ]});
    let res =
        site.call("PUT", "/api/v1/templates?scope=personal", DEMO_MEMBER_ACCOUNT_ID, Some(&save));
    assert_eq!(res.status, 200, "{}", res.body);
    let res = site.call("GET", "/api/v1/templates?scope=personal", DEMO_MEMBER_ACCOUNT_ID, None);
    let templates = res.json()["templates"].clone();
    assert_eq!(templates[0]["subtaskType"], "Sub-task");
    assert_eq!(templates[0]["quickEntry"], "Read\nFix type:Bug");
    assert_eq!(templates[1]["subtaskType"], Value::Null);

    let bad = json!({ "revision": 1, "templates": [
        { "id": "review", "name": "Review", "subtaskType": " ", "quickEntry": "Read" }
    ]});
    let res =
        site.call("PUT", "/api/v1/templates?scope=personal", DEMO_MEMBER_ACCOUNT_ID, Some(&bad));
    assert_eq!(
        (res.status, res.json()["problems"][0]["field"].clone()),
        (400, json!("issue_type"))
    );
    let res = site.call("GET", "/api/v1/templates?scope=personal", DEMO_MEMBER_ACCOUNT_ID, None);
    assert_eq!(res.json()["revision"], 1, "nothing was written");
}

#[test]
fn only_project_admins_may_edit_a_project_library_and_a_refused_save_changes_nothing() {
    let site = site();
    let can_edit = |account: &str, query: &str| {
        let res = site.call("GET", &format!("/api/v1/templates?{query}"), account, None);
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()["canEdit"].clone()
    };
    let project = "scope=project&project=DEMO";
    assert_eq!(can_edit(DEMO_ADMIN_ACCOUNT_ID, project), json!(true));
    assert_eq!(can_edit(DEMO_MEMBER_ACCOUNT_ID, project), json!(false));
    assert_eq!(can_edit(DEMO_MEMBER_ACCOUNT_ID, "scope=personal"), json!(true));

    let shared =
        json!({ "revision": 0, "templates": [{ "id": "t", "name": "T", "quickEntry": "x" }] });
    let path = format!("/api/v1/templates?{project}");
    let res = site.call("PUT", &path, DEMO_MEMBER_ACCOUNT_ID, Some(&shared));
    assert_eq!(
        (res.status, res.json()["code"].clone()),
        (403, json!("jira_forbidden")),
        "{}",
        res.body
    );
    assert!(res.json()["detail"].as_str().unwrap().contains("Administer Projects"), "{}", res.body);
    let res = site.call("GET", &path, DEMO_ADMIN_ACCOUNT_ID, None);
    assert_eq!(
        (res.json()["revision"].clone(), res.json()["templates"].clone()),
        (json!(0), json!([]))
    );
    let res = site.call("PUT", &path, DEMO_ADMIN_ACCOUNT_ID, Some(&shared));
    assert_eq!(res.status, 200, "{}", res.body);
    // Deleting is saving too: refused for the member, the template stays.
    let res = site.call(
        "DELETE",
        &format!("/api/v1/templates/t?{project}&revision=1"),
        DEMO_MEMBER_ACCOUNT_ID,
        None,
    );
    assert_eq!(res.status, 403, "{}", res.body);
    let res = site.call("GET", &path, DEMO_MEMBER_ACCOUNT_ID, None);
    assert_eq!(
        (res.json()["revision"].clone(), res.json()["templates"][0]["id"].clone()),
        (json!(1), json!("t"))
    );
}

#[test]
fn when_jira_cannot_say_the_library_is_still_listed_read_only() {
    let site = site();
    let fault = Fault::new("GET /rest/api/3/mypermissions", FaultKind::Status { status: 503 });
    site.app.sandbox.add_fault(fault);
    let path = "/api/v1/templates?scope=project&project=DEMO";
    let res = site.call("GET", path, DEMO_ADMIN_ACCOUNT_ID, None);
    assert_eq!((res.status, res.json()["canEdit"].clone()), (200, json!(false)), "{}", res.body);
    assert_eq!(res.json()["templates"], json!([]));
}
