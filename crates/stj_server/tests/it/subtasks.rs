//! Subtask creation end to end: the app's HTTP API → `SubtaskService` → Jira REST (as the user)
//! → the sandbox. Typed order, rendered fields, the user as reporter, no duplicates under faults.

use serde_json::{Value, json};
use stj_core::ClientKey;
use stj_jira_sandbox::conformance::{Checked, check_recorded};
use stj_jira_sandbox::{DEMO_ADMIN_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID, DemoSeed, Fault, FaultKind};

use crate::support::{Door, Response, TestApp, spawn_app};

/// The demo site and the door its users come through.
struct Demo {
    app: TestApp,
    tenant: ClientKey,
    seed: DemoSeed,
    door: Door,
}

fn demo() -> Demo {
    demo_through(Door::Connect)
}

/// A demo site installed through `door`: for Forge, a site that never had the Connect app.
fn demo_through(door: Door) -> Demo {
    let app = spawn_app();
    let tenant = app.install_through(door);
    let seed = app.sandbox.seed_demo(&tenant).unwrap();
    Demo { app, tenant, seed, door }
}

impl Demo {
    /// One request as `account` through the demo's door.
    fn call(&self, method: &str, path: &str, account: &str, body: Option<&Value>) -> Response {
        let who = self.app.credentials(self.door, &self.tenant, account);
        self.app.request_as(&who, method, path, body.map(Value::to_string).as_deref(), &[])
    }

    /// A POST as `account`; one to `…/subtasks` is a new click (a new idempotency key).
    fn post(&self, path: &str, account: &str, body: &Value) -> Response {
        let who = self.app.credentials(self.door, &self.tenant, account);
        let key = new_key();
        let headers: &[(&str, &str)] =
            if path.ends_with("/subtasks") { &[("Idempotency-Key", &key)] } else { &[] };
        self.app.request_as(&who, "POST", path, Some(&body.to_string()), headers)
    }

    /// One click: a new idempotency key.
    fn apply(&self, body: &Value) -> Response {
        self.apply_as(&new_key(), body)
    }

    /// The click that `key` names (a retry when it was sent before).
    fn apply_as(&self, key: &str, body: &Value) -> Response {
        let who = self.app.credentials(self.door, &self.tenant, DEMO_MEMBER_ACCOUNT_ID);
        let path = format!("/api/v1/issues/{}/subtasks", self.seed.parent_issue_key);
        let headers = [("Idempotency-Key", key)];
        self.app.request_as(&who, "POST", &path, Some(&body.to_string()), &headers)
    }

    /// Every Jira call went through this demo's door (`/ex/jira/{cloudId}` for Forge), and none
    /// asked for a Connect user token when the door is Forge.
    fn assert_jira_reached_through_the_door(&self) {
        let requests = self.app.sandbox.requests();
        let rest: Vec<_> = requests.iter().filter(|r| r.path.starts_with("/rest/api/3/")).collect();
        assert!(!rest.is_empty());
        let forge = self.door == Door::Forge;
        assert!(rest.iter().all(|r| r.forge == forge), "{:?}: {rest:?}", self.door);
        let grants = self.app.sandbox.request_count("POST /oauth2/token");
        assert_eq!(grants == 0, forge, "{:?}: {grants} bearer grants", self.door);
    }

    /// The parent's subtasks as the sandbox stores them, oldest first.
    fn subtasks(&self) -> Vec<Value> {
        let parent =
            self.app.sandbox.issue_fields(&self.tenant, &self.seed.parent_issue_key).unwrap();
        parent["subtasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                self.app.sandbox.issue_fields(&self.tenant, s["key"].as_str().unwrap()).unwrap()
            })
            .collect()
    }

    fn summaries(&self) -> Vec<String> {
        self.subtasks().iter().map(|s| s["summary"].as_str().unwrap().to_owned()).collect()
    }
}

/// A fresh idempotency key, as the browser draws one per click.
pub fn new_key() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{:08x}{:08x}{n:016x}", std::process::id(), nanos)
}

fn quick_entry(n: usize) -> String {
    (1..=n).map(|i| format!("Step {i:03} for {{{{parent.key}}}} #batch ~1h\n")).collect()
}

fn expected(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("Step {i:03} for DEMO-1")).collect()
}

#[test]
fn preview_renders_against_the_parent_and_writes_nothing() {
    Door::ALL.into_iter().for_each(preview_through);
}

fn preview_through(door: Door) {
    let demo = demo_through(door);
    let text = "Write release notes for {{parent.summary}} @parent #docs ~2h !High due:parent-1d\n  Mention the new flow";
    let res = demo.post(
        "/api/v1/issues/DEMO-1/subtasks/preview",
        DEMO_MEMBER_ACCOUNT_ID,
        &json!({ "quickEntry": text }),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let item = &res.json()["subtasks"][0];
    assert_eq!(item["summary"], "Write release notes for Launch the new onboarding flow");
    assert_eq!(
        item["assignee"],
        json!({ "type": "account", "accountId": DEMO_MEMBER_ACCOUNT_ID, "displayName": "Max Member" }),
        "the display name, looked up in Jira"
    );
    assert_eq!(item["labels"], json!(["docs"]));
    assert_eq!(item["priority"], "High");
    assert_eq!(item["description"], "Mention the new flow");
    assert!(item["dueDate"].is_string());
    assert!(demo.subtasks().is_empty(), "preview creates nothing");
    assert_eq!(demo.app.sandbox.request_count("POST /rest/api/3/issue/bulk"), 0);
    demo.assert_jira_reached_through_the_door();
}

#[test]
fn apply_creates_120_subtasks_in_typed_order_as_the_user_and_reapply_creates_nothing() {
    Door::ALL.into_iter().for_each(apply_120_through);
}

fn apply_120_through(door: Door) {
    let demo = demo_through(door);
    let body = json!({ "quickEntry": quick_entry(120) });
    let key = new_key();
    let res = demo.apply_as(&key, &body);
    assert_eq!(res.status, 200, "{}", res.body);
    let report = res.json();
    assert_eq!((report["created"].as_u64(), report["existing"].as_u64()), (Some(120), Some(0)));
    let subtasks = demo.subtasks();
    assert_eq!(demo.summaries(), expected(120), "typed order");
    for subtask in &subtasks {
        assert_eq!(
            subtask["reporter"]["accountId"], DEMO_MEMBER_ACCOUNT_ID,
            "the user is the reporter"
        );
        assert_eq!(subtask["labels"], json!(["batch"]));
        assert_eq!(subtask["issuetype"]["id"], demo.seed.subtask_type_id.as_str());
        assert_eq!(subtask["parent"]["key"], "DEMO-1");
    }
    assert_eq!(
        demo.app.sandbox.request_count("POST /rest/api/3/issue/bulk"),
        3,
        "⌈120/50⌉ bulk calls"
    );

    let again = demo.apply_as(&key, &body);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        (again.json()["created"].as_u64(), again.json()["existing"].as_u64()),
        (Some(0), Some(120))
    );
    assert_eq!(demo.subtasks().len(), 120, "re-apply creates nothing new");
    assert_eq!(demo.app.sandbox.request_count("POST /rest/api/3/issue/bulk"), 3);

    let apply_id = report["applyId"].as_str().unwrap();
    assert_eq!(apply_id, key, "the idempotency key is the application id");
    let path = format!("/api/v1/issues/DEMO-1/applications/{apply_id}");
    let result = demo.call("GET", &path, DEMO_MEMBER_ACCOUNT_ID, None);
    assert_eq!(result.status, 200, "{}", result.body);
    assert_eq!(result.json()["complete"], true);
    assert_eq!(result.json()["state"], "done");
    assert_eq!(
        (result.json()["done"].clone(), result.json()["total"].clone()),
        (json!(120), json!(120))
    );
    assert_eq!(result.json()["keys"].as_array().unwrap().len(), 120);
    let path = format!("/api/v1/issues/DEMO-1/applications/{}", new_key());
    let unknown = demo.call("GET", &path, DEMO_MEMBER_ACCOUNT_ID, None);
    assert_eq!(
        (unknown.status, unknown.json()["code"].clone()),
        (404, json!("application_not_found"))
    );

    // Every request the app sent to Jira conforms to Atlassian's published spec.
    let mut validated = 0_u32;
    for request in
        demo.app.sandbox.requests().into_iter().filter(|r| r.path.starts_with("/rest/api/3/"))
    {
        match check_recorded(&request) {
            Ok(Checked::Validated) => validated = validated.saturating_add(1),
            Ok(Checked::NotInSpec) => {}
            Err(e) => panic!("{} {} does not conform: {e}", request.method, request.path),
        }
    }
    assert!(validated >= 6, "validated {validated} requests");
    demo.assert_jira_reached_through_the_door();
}

/// Applies until Jira lets it finish, as a user pressing "retry" would; at most `tries`.
fn apply_until_done(demo: &Demo, body: &Value, tries: usize) -> Value {
    let key = new_key();
    for _ in 0..tries {
        let res = demo.apply_as(&key, body);
        match res.status {
            200 => return res.json(),
            503 => continue,
            other => panic!("unexpected {other}: {}", res.body),
        }
    }
    panic!("still incomplete after {tries} tries");
}

#[test]
fn faults_at_every_step_end_with_exactly_the_120_subtasks_in_order() {
    let faults = [
        ("GET /rest/api/3/issue/*", FaultKind::Status { status: 503 }, 2),
        ("GET /rest/api/3/issue/*", FaultKind::RateLimited { retry_after_secs: 1 }, 1),
        ("POST /oauth2/token", FaultKind::Status { status: 500 }, 1),
        ("GET /rest/api/3/issuetype/project", FaultKind::DropConnection, 1),
        // The types by project key fail: they are asked for by the parent's project id instead.
        ("GET /rest/api/3/project/*", FaultKind::Status { status: 503 }, 3),
        ("GET /rest/api/3/project/*", FaultKind::DropConnection, 2),
        ("GET /rest/api/3/issue/*/properties/*", FaultKind::Status { status: 502 }, 1),
        ("PUT /rest/api/3/issue/*/properties/*", FaultKind::DropConnection, 1),
        ("POST /rest/api/3/issue/bulk", FaultKind::RateLimited { retry_after_secs: 1 }, 2),
        ("POST /rest/api/3/issue/bulk", FaultKind::Status { status: 500 }, 1),
        ("POST /rest/api/3/issue/bulk", FaultKind::DropResponse, 2),
        ("POST /rest/api/3/issue/bulk", FaultKind::DropConnection, 1),
        ("POST /rest/api/3/issue/bulk", FaultKind::Timeout { ms: 7_000 }, 1),
    ];
    let cases = Door::ALL.into_iter().flat_map(|door| faults.iter().map(move |f| (door, f)));
    // The bearer grant is Connect's: the Forge door has no token endpoint to fail.
    let cases =
        cases.filter(|(door, (route, ..))| *door == Door::Connect || !route.contains("oauth2"));
    for (door, (route, fault, times)) in cases {
        let (route, times) = (*route, *times);
        let demo = demo_through(door);
        demo.app.sandbox.add_fault(Fault::new(route, fault.clone()).times(times));
        let body = json!({ "quickEntry": quick_entry(120) });
        let report = apply_until_done(&demo, &body, 6);
        assert_eq!(
            demo.summaries(),
            expected(120),
            "{door:?} {route} {fault:?}: exactly 120, in order, no duplicate"
        );
        assert_eq!(report["created"].as_u64().unwrap() + report["existing"].as_u64().unwrap(), 120);
    }
}

#[test]
fn bad_input_is_a_clear_400_naming_the_line_and_writes_nothing() {
    let demo = demo();
    let cases = [
        (json!({ "quickEntry": "Fine\nBroken ~2x\n" }), "subtasks_invalid", Some(2)),
        (json!({ "quickEntry": "Uses {{parent.nope}}" }), "subtasks_invalid", Some(1)),
        (json!({ "quickEntry": "x".repeat(300) }), "subtasks_invalid", Some(1)),
        (json!({ "quickEntry": quick_entry(201) }), "subtasks_invalid", None),
        (json!({ "quickEntry": "" }), "subtasks_invalid", None),
        (json!({ "quickEntry": "ok", "today": "29/11/2026" }), "today_invalid", None),
        (json!({ "quickEntry": "ok", "extra": 1 }), "body_malformed", None),
        (json!({ "quickEntry": "ok", "sourceId": "quick-entry" }), "body_malformed", None),
        (json!({ "quickEntry": "ok", "repeat": "x" }), "body_malformed", None),
        (json!({ "quickEntry": "ok", "subtaskTypeId": "x1" }), "subtask_type_invalid", None),
        // Render problems and unknown types are at the source line, as parse errors are.
        (
            json!({ "quickEntry": "Fine\n  described\nOther type:Nope" }),
            "subtasks_invalid",
            Some(3),
        ),
        (
            json!({ "quickEntry": "Fine\n\n  described\nUses {{parent.nope}}" }),
            "subtasks_invalid",
            Some(4),
        ),
        (json!({ "quickEntry": "ok", "subtaskTypeId": "999" }), "subtask_type_invalid", None),
    ];
    for (body, code, line) in cases {
        let res = demo.apply(&body);
        assert_eq!(res.status, 400, "{body}: {}", res.body);
        assert_eq!(res.json()["code"], code, "{body}: {}", res.body);
        if let Some(line) = line {
            assert_eq!(res.json()["problems"][0]["line"], line, "{}", res.body);
        }
    }
    let auth = demo.app.context_auth(&demo.tenant, DEMO_MEMBER_ACCOUNT_ID);
    let ok = json!({ "quickEntry": "ok" }).to_string();
    for bad in [
        None,
        Some(""),
        Some("ABCDEF0123456789ABCDEF0123456789"),
        Some("0123"),
        Some(&*"a".repeat(33)),
    ] {
        let headers: Vec<(&str, &str)> = bad.map(|k| ("Idempotency-Key", k)).into_iter().collect();
        let res = demo.app.request_with(
            "POST",
            "/api/v1/issues/DEMO-1/subtasks",
            Some(&auth),
            Some(&ok),
            &headers,
        );
        assert_eq!(
            (res.status, res.json()["code"].clone()),
            (400, json!("idempotency_key_invalid")),
            "{bad:?}"
        );
    }
    let res = demo.app.request_with(
        "POST",
        "/api/v1/issues/not-a-key/subtasks",
        Some(&auth),
        Some(&ok),
        &[("Idempotency-Key", &new_key())],
    );
    assert_eq!((res.status, res.json()["code"].clone()), (400, json!("issue_key_invalid")));
    assert!(demo.subtasks().is_empty());
    assert_eq!(demo.app.sandbox.request_count("POST /rest/api/3/issue/bulk"), 0, "nothing written");
}

#[test]
fn jira_permissions_apply_because_calls_act_as_the_user() {
    let demo = demo();
    demo.app
        .sandbox
        .update_user(&demo.tenant, DEMO_MEMBER_ACCOUNT_ID, |u| {
            u.permissions = stj_jira_sandbox::Permissions::READ_ONLY
        })
        .unwrap();
    let res = demo.apply(&json!({ "quickEntry": "Not allowed" }));
    assert_eq!(
        (res.status, res.json()["code"].clone()),
        (403, json!("jira_forbidden")),
        "{}",
        res.body
    );
    assert!(demo.subtasks().is_empty());
    let admin = demo.post(
        "/api/v1/issues/DEMO-1/subtasks",
        DEMO_ADMIN_ACCOUNT_ID,
        &json!({ "quickEntry": "Allowed" }),
    );
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert_eq!(demo.subtasks()[0]["reporter"]["accountId"], DEMO_ADMIN_ACCOUNT_ID);
    let missing = demo.post(
        "/api/v1/issues/DEMO-999/subtasks",
        DEMO_ADMIN_ACCOUNT_ID,
        &json!({ "quickEntry": "x" }),
    );
    assert_eq!((missing.status, missing.json()["code"].clone()), (404, json!("issue_not_found")));
}

#[test]
fn rival_formats_import_into_quick_entry_and_quick_entry_checks_per_line() {
    let demo = demo();
    let multiple = "- Prepare demo\n  assignee: @current\n  estimate: 2h\n  labels: demo, sales\n- Send invites\n";
    let res = demo.post(
        "/api/v1/quick-entry/import",
        DEMO_MEMBER_ACCOUNT_ID,
        &json!({ "text": multiple }),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["format"], "multiple-subtasks");
    assert_eq!(res.json()["count"], 2);
    let quick = res.json()["quickEntry"].as_str().unwrap().to_owned();
    assert!(quick.starts_with("Prepare demo"), "{quick}");
    let quick_subtasks = "- Review / assignee:\"@current\" / estimate:\"1h\"\n- Ship it\n";
    let res = demo.post(
        "/api/v1/quick-entry/import",
        DEMO_MEMBER_ACCOUNT_ID,
        &json!({ "text": quick_subtasks }),
    );
    assert_eq!(
        (res.status, res.json()["format"].clone()),
        (200, json!("quick-subtasks")),
        "{}",
        res.body
    );
    let res = demo.post(
        "/api/v1/quick-entry/import",
        DEMO_MEMBER_ACCOUNT_ID,
        &json!({ "text": "- Task\n  reporter: bob\n" }),
    );
    assert_eq!(
        (res.status, res.json()["unmapped"][0]["line"].clone()),
        (200, json!(2)),
        "{}",
        res.body
    );

    let res =
        demo.post("/api/v1/quick-entry/check", DEMO_MEMBER_ACCOUNT_ID, &json!({ "text": quick }));
    assert_eq!((res.status, res.json()["count"].clone()), (200, json!(2)), "{}", res.body);
    let res = demo.post(
        "/api/v1/quick-entry/check",
        DEMO_MEMBER_ACCOUNT_ID,
        &json!({ "text": "ok\nbad !\n" }),
    );
    assert_eq!(
        (res.status, res.json()["problems"][0]["line"].clone()),
        (400, json!(2)),
        "{}",
        res.body
    );
}

#[test]
fn save_a_template_then_preview_and_apply_it_from_the_library() {
    Door::ALL.into_iter().for_each(templates_through);
}

fn templates_through(door: Door) {
    let demo = demo_through(door);
    let member = |method: &str, path: &str, body: Option<&Value>| {
        demo.call(method, path, DEMO_MEMBER_ACCOUNT_ID, body)
    };
    let library = member("GET", "/api/v1/templates?scope=personal", None);
    assert_eq!(
        (library.status, library.json()["revision"].clone()),
        (200, json!(0)),
        "{}",
        library.body
    );
    let save = json!({ "revision": 0, "templates": [
        { "id": "launch", "name": "Launch checklist", "quickEntry": quick_entry(120) },
        { "id": "tiny", "name": "Tiny", "description": "two steps", "quickEntry": "One @me\nTwo #x" }
    ]});
    let saved = member("PUT", "/api/v1/templates?scope=personal", Some(&save));
    assert_eq!((saved.status, saved.json()["revision"].clone()), (200, json!(1)), "{}", saved.body);

    // A second tab still holding revision 0 is refused, and is shown the current library.
    let empty = json!({ "revision": 0, "templates": [] });
    let stale = member("PUT", "/api/v1/templates?scope=personal", Some(&empty));
    assert_eq!(
        (stale.status, stale.json()["code"].clone()),
        (409, json!("revision_conflict")),
        "{}",
        stale.body
    );
    assert_eq!(stale.json()["current"]["templates"].as_array().unwrap().len(), 2);

    let one = member("GET", "/api/v1/templates/tiny?scope=personal", None);
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.json()["template"]["quickEntry"], "One @me\nTwo #x");

    let source = json!({ "template": { "scope": "personal", "id": "launch" } });
    let preview =
        demo.post("/api/v1/issues/DEMO-1/subtasks/preview", DEMO_MEMBER_ACCOUNT_ID, &source);
    assert_eq!(
        (preview.status, preview.json()["subtasks"].as_array().map(Vec::len)),
        (200, Some(120)),
        "{}",
        preview.body
    );
    let applied = demo.apply(&source);
    assert_eq!(
        (applied.status, applied.json()["created"].clone()),
        (200, json!(120)),
        "{}",
        applied.body
    );
    assert_eq!(demo.summaries(), expected(120));
    let key = applied.json()["applyId"].as_str().unwrap().to_owned();
    assert_eq!(
        demo.apply_as(&key, &source).json()["existing"],
        120,
        "retrying the click creates nothing"
    );

    let deleted = member("DELETE", "/api/v1/templates/tiny?scope=personal&revision=1", None);
    assert_eq!(
        (deleted.status, deleted.json()["revision"].clone()),
        (200, json!(2)),
        "{}",
        deleted.body
    );
    let gone = member("GET", "/api/v1/templates/tiny?scope=personal", None);
    assert_eq!(gone.status, 404);

    // Bad templates are refused per template and line, and nothing is written.
    let bad = json!({ "revision": 2, "templates": [{ "id": "Bad Id", "name": "x", "quickEntry": "ok\nbroken ~2x" }] });
    let res = member("PUT", "/api/v1/templates?scope=personal", Some(&bad));
    assert_eq!(
        (res.status, res.json()["code"].clone()),
        (400, json!("subtasks_invalid")),
        "{}",
        res.body
    );
    let after = member("GET", "/api/v1/templates?scope=personal", None);
    assert_eq!(after.json()["revision"], 2);

    // Shared templates need project administration; the member may not write them.
    let shared =
        json!({ "revision": 0, "templates": [{ "id": "t", "name": "t", "quickEntry": "x" }] });
    let res = member("PUT", "/api/v1/templates?scope=project&project=DEMO", Some(&shared));
    assert_eq!(res.status, 403, "{}", res.body);
    let res = demo.call(
        "PUT",
        "/api/v1/templates?scope=project&project=DEMO",
        DEMO_ADMIN_ACCOUNT_ID,
        Some(&shared),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let res = member("GET", "/api/v1/templates?scope=project&project=DEMO", None);
    assert_eq!(res.json()["templates"][0]["id"], "t", "members read shared templates");
    demo.assert_jira_reached_through_the_door();
}

#[test]
fn an_issues_existing_subtasks_become_a_template() {
    let demo = demo();
    let text = format!("Draft plan @{DEMO_MEMBER_ACCOUNT_ID} #plan ~2h !High\nReview plan #review");
    let applied = demo.apply(&json!({ "quickEntry": text }));
    assert_eq!(applied.json()["created"], 2, "{}", applied.body);
    assert_eq!(applied.status, 200, "{}", applied.body);
    let auth = demo.app.context_auth(&demo.tenant, DEMO_MEMBER_ACCOUNT_ID);
    let res =
        demo.app.request("GET", "/api/v1/issues/DEMO-1/subtasks/as-template", Some(&auth), None);
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["count"], 2);
    let quick = res.json()["quickEntry"].as_str().unwrap().to_owned();
    assert!(quick.starts_with(&format!("Draft plan @{DEMO_MEMBER_ACCOUNT_ID}")), "{quick}");
    assert!(quick.contains("#plan") && quick.contains("~2h") && quick.contains("!High"), "{quick}");
    assert!(quick.contains("Review plan #review"), "{quick}");
}

#[test]
fn a_click_is_one_application_reapplying_says_what_was_before_and_recreates_only_the_missing() {
    let demo = demo();
    let auth = demo.app.context_auth(&demo.tenant, DEMO_MEMBER_ACCOUNT_ID);
    let save = json!({ "revision": 0, "templates": [
        { "id": "five", "name": "Five", "quickEntry": format!("One @{DEMO_MEMBER_ACCOUNT_ID}\n  described\nTwo\nThree\nFour\nFive due:+2d") }
    ]});
    let saved = demo.app.request(
        "PUT",
        "/api/v1/templates?scope=personal",
        Some(&auth),
        Some(&save.to_string()),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let source = json!({ "template": { "scope": "personal", "id": "five" } });
    let preview_path = "/api/v1/issues/DEMO-1/subtasks/preview";
    let first = demo.post(preview_path, DEMO_MEMBER_ACCOUNT_ID, &source).json();
    assert_eq!(first["previous"], json!([]), "{first}");
    assert_eq!(first["defaultSubtaskTypeId"], demo.seed.subtask_type_id.as_str());
    assert!(
        first["subtaskTypes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == demo.seed.subtask_type_id.as_str())
    );
    let item = &first["subtasks"][0];
    assert_eq!(item["issueType"]["id"], demo.seed.subtask_type_id.as_str());
    assert_eq!(item["assignee"]["accountId"], DEMO_MEMBER_ACCOUNT_ID);
    assert!(item["assignee"]["displayName"].as_str().is_some_and(|n| !n.is_empty()), "{item}");
    assert_eq!(
        (first["subtasks"][0]["line"].clone(), first["subtasks"][1]["line"].clone()),
        (json!(1), json!(3)),
        "lines of the template's quick entry, description lines counted"
    );

    let key = new_key();
    let applied = demo.apply_as(&key, &source);
    assert_eq!(
        (applied.status, applied.json()["created"].clone()),
        (200, json!(5)),
        "{}",
        applied.body
    );
    assert_eq!(applied.json()["items"][4]["line"], 6);
    // The same click again, the next day's rendering aside, is the same application.
    let retry = demo.apply_as(
        &key,
        &json!({ "template": { "scope": "personal", "id": "five" }, "today": "2030-01-01" }),
    );
    assert_eq!(retry.json()["existing"], 5, "{}", retry.body);
    // Someone deletes two of them: the preview says so; a new click creates all again.
    let keys: Vec<String> = applied.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect();
    for gone in &keys[1..3] {
        demo.app.sandbox.delete_issue(&demo.tenant, gone).unwrap();
    }
    let before = demo.post(preview_path, DEMO_MEMBER_ACCOUNT_ID, &source).json();
    let previous = &before["previous"][0];
    assert_eq!(previous["applyId"], key.as_str());
    assert_eq!(
        (
            previous["total"].clone(),
            previous["created"].clone(),
            previous["present"].clone(),
            previous["deleted"].clone()
        ),
        (json!(5), json!(5), json!(3), json!(2)),
        "{before}"
    );
    assert_eq!(previous["appliedOn"], chrono_today());
    let missing = demo.apply_as(
        &key,
        &json!({ "template": { "scope": "personal", "id": "five" }, "recreateDeleted": true }),
    );
    assert_eq!(
        (missing.status, missing.json()["created"].clone(), missing.json()["existing"].clone()),
        (200, json!(2), json!(3)),
        "{}",
        missing.body
    );
    assert_eq!(demo.subtasks().len(), 5, "only the missing ones");
    let again = demo.apply(&source);
    assert_eq!(again.json()["created"], 5, "a new click is a new application");
    assert_eq!(demo.subtasks().len(), 10);
    let listed = demo.post(preview_path, DEMO_MEMBER_ACCOUNT_ID, &source).json();
    assert_eq!(listed["previous"].as_array().unwrap().len(), 2, "{listed}");
    assert_eq!(listed["previous"][1]["applyId"], key.as_str(), "newest first");
    let quick =
        demo.post(preview_path, DEMO_MEMBER_ACCOUNT_ID, &json!({ "quickEntry": "x" })).json();
    assert_eq!(quick["previous"], json!([]));

    // A key used for another application on this parent is refused, not merged.
    let reused = demo.apply_as(&key, &json!({ "quickEntry": "Only one" }));
    assert_eq!(
        (reused.status, reused.json()["code"].clone()),
        (409, json!("idempotency_key_reused")),
        "{}",
        reused.body
    );
    let bad = demo.post(
        preview_path,
        DEMO_MEMBER_ACCOUNT_ID,
        &json!({ "quickEntry": "x", "recreateDeleted": true }),
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn a_rejected_item_carries_jiras_reason_and_its_line() {
    let demo = demo();
    // Jira refuses one item (no such assignee): the others are created.
    let text = "Fine\n  described\nAssigned to a ghost @ghost-account-1\nAlso fine";
    let res = demo.apply(&json!({ "quickEntry": text }));
    assert_eq!(res.status, 200, "{}", res.body);
    let report = res.json();
    let typed =
        demo.apply(&json!({ "quickEntry": "Typed type:sub-task\nChecked type:\"qa check\"" }));
    assert_eq!(typed.json()["created"], 2, "a line's type, by name, any case: {}", typed.body);
    let types: Vec<String> = typed.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let key = i["key"].as_str().unwrap();
            let fields = demo.app.sandbox.issue_fields(&demo.tenant, key).unwrap();
            fields["issuetype"]["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        types,
        [demo.seed.subtask_type_id.clone(), demo.seed.qa_subtask_type_id.clone()],
        "one bulk call, a type per item"
    );
    let chosen = demo.apply(
        &json!({ "quickEntry": "Default here", "subtaskTypeId": demo.seed.qa_subtask_type_id }),
    );
    let key = chosen.json()["items"][0]["key"].as_str().unwrap().to_owned();
    let fields = demo.app.sandbox.issue_fields(&demo.tenant, &key).unwrap();
    assert_eq!(
        fields["issuetype"]["id"],
        demo.seed.qa_subtask_type_id.as_str(),
        "the request's type"
    );
    let unknown = demo.apply(&json!({ "quickEntry": "One\nTwo type:Nope" }));
    assert_eq!(unknown.json()["problems"][0]["code"], "subtask_type_unknown", "{}", unknown.body);
    assert_eq!(
        (report["created"].clone(), report["rejected"].clone()),
        (json!(2), json!(1)),
        "{report}"
    );
    let rejected = &report["items"][1];
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["line"], 3, "the source line: the description shifts it");
    assert!(rejected["message"].as_str().is_some_and(|m| m.contains("assignee")), "{rejected}");
}

fn chrono_today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

#[test]
fn progress_n_of_n_is_visible_while_a_create_runs_then_the_ledger_answers() {
    let demo = demo();
    // Each bulk call takes 400 ms: long enough to see the count between calls.
    demo.app
        .sandbox
        .add_fault(Fault::new("POST /rest/api/3/issue/bulk", FaultKind::Latency { ms: 400 }));
    let key = new_key();
    let path = format!("/api/v1/issues/DEMO-1/applications/{key}");
    let auth = demo.app.context_auth(&demo.tenant, DEMO_MEMBER_ACCOUNT_ID);
    let before = demo.app.request("GET", &path, Some(&auth), None);
    assert_eq!(before.status, 404, "nothing before the start: {}", before.body);
    let body = json!({ "quickEntry": quick_entry(120) });
    let seen = std::thread::scope(|scope| {
        let create = scope.spawn(|| demo.apply_as(&key, &body));
        let mut seen = Vec::new();
        while !create.is_finished() {
            let res = demo.app.request("GET", &path, Some(&auth), None);
            if res.status == 200 {
                let now = res.json();
                seen.push((
                    now["state"].as_str().unwrap().to_owned(),
                    now["done"].as_u64().unwrap(),
                ));
                assert_eq!(now["total"], 120, "{now}");
            } else {
                assert_eq!(res.status, 404, "{}", res.body);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(create.join().unwrap().status, 200);
        seen
    });
    assert!(
        seen.iter().any(|(state, done)| state == "running" && (1..120).contains(done)),
        "n of N seen while running: {seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1), "never goes back: {seen:?}");
    let after = demo.app.request("GET", &path, Some(&auth), None).json();
    assert_eq!((after["state"].clone(), after["done"].clone()), (json!("done"), json!(120)));
}
