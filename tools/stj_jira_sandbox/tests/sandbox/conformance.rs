//! Every operation the sandbox serves from Jira's platform spec, exercised for success and errors,
//! with each request body sent and each response body received validated against the spec.
//! Skipped on purpose: 401 bodies (Jira's Connect filter writes `{"message", "status-code"}`, not
//! the `ErrorCollection` some operations document) and routes outside the platform spec.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use stj_jira_sandbox::conformance::{
    Checked, ConformanceError, NOT_IN_PLATFORM_SPEC, check_recorded, check_request, check_response,
};
use stj_jira_sandbox::{NewIssue, RecordedRequest};

use crate::jira::{As, MAX, Reply, Site, VIEWER, adf, subtask};

/// The operations served from the platform spec.
const SERVED: [&str; 22] = [
    "GET /rest/api/3/myself",
    "GET /rest/api/3/mypermissions",
    "GET /rest/api/3/user/bulk",
    "GET /rest/api/3/project/{projectIdOrKey}",
    "GET /rest/api/3/issuetype/project",
    "GET /rest/api/3/priority",
    "GET /rest/api/3/priority/search",
    "GET /rest/api/3/issue/{issueIdOrKey}",
    "POST /rest/api/3/issue",
    "POST /rest/api/3/issue/bulk",
    "GET /rest/api/3/issue/{issueIdOrKey}/properties",
    "GET /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    "PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    "DELETE /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    "GET /rest/api/3/user/properties",
    "GET /rest/api/3/user/properties/{propertyKey}",
    "PUT /rest/api/3/user/properties/{propertyKey}",
    "DELETE /rest/api/3/user/properties/{propertyKey}",
    "GET /rest/api/3/project/{projectIdOrKey}/properties",
    "GET /rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}",
    "PUT /rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}",
    "DELETE /rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}",
];

/// Calls that check what they send and what comes back, and remember which statuses each
/// operation was seen with.
struct Checker {
    site: Site,
    seen: BTreeSet<(String, u16)>,
}

impl Checker {
    fn call(&mut self, route: &str, path: &str, body: Option<Value>, who: As<'_>) -> Reply {
        let (method, template) = route.split_once(' ').unwrap();
        if let Some(body) = &body {
            let checked = check_request(method, template, Some(body));
            assert!(checked.is_ok(), "{route} {path}: {checked:?}");
        }
        let reply = self.site.call(method, path, body.map(|b| b.to_string()).as_deref(), who);
        let received = (!reply.text.is_empty()).then_some(&reply.body);
        if reply.status != 401 {
            let checked = check_response(method, template, reply.status, received);
            assert!(checked.is_ok(), "{route} {path}: {checked:?}\n{}", reply.text);
        }
        self.seen.insert((route.to_owned(), reply.status));
        reply
    }
}

#[test]
fn every_served_operation_conforms_to_the_platform_spec() {
    let site = Site::populated();
    let ck = site.tenant.client_key.clone();
    site.sandbox
        .add_issue(
            &ck,
            &NewIssue { description: Some(adf("d")), ..NewIssue::new("PROJ", "Task", "Parent") },
        )
        .unwrap();
    let project = site.sandbox.project(&ck, "PROJ").unwrap();
    let sub = project.subtask_type_id().unwrap().to_owned();
    let max = site.token(MAX);
    let viewer = site.token(VIEWER);
    let mut c = Checker { site, seen: BTreeSet::new() };

    c.call("GET /rest/api/3/myself", "/rest/api/3/myself", None, As::App);
    c.call("GET /rest/api/3/myself", "/rest/api/3/myself", None, As::Nobody);
    let route = "GET /rest/api/3/mypermissions";
    let asked = "permissions=ADMINISTER_PROJECTS,ADMINISTER";
    c.call(route, &format!("/rest/api/3/mypermissions?projectKey=PROJ&{asked}"), None, As::App);
    c.call(route, &format!("/rest/api/3/mypermissions?{asked}"), None, As::Bearer(&viewer));
    c.call(route, "/rest/api/3/mypermissions?projectKey=PROJ", None, As::App);
    c.call(route, "/rest/api/3/mypermissions?permissions=FLY", None, As::App);
    c.call(route, &format!("/rest/api/3/mypermissions?projectKey=NOPE&{asked}"), None, As::App);
    let route = "GET /rest/api/3/user/bulk";
    let both = format!("/rest/api/3/user/bulk?accountId={MAX}&accountId=ghost&accountId={VIEWER}");
    let reply = c.call(route, &both, None, As::App);
    let names: Vec<&str> = reply.body["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["accountId"].as_str().unwrap())
        .collect();
    assert_eq!(names, [MAX, VIEWER], "known users, in the order asked");
    let paged = format!("/rest/api/3/user/bulk?accountId={MAX}&accountId={VIEWER}&maxResults=1");
    assert_eq!(c.call(route, &paged, None, As::App).body["isLast"], false);
    c.call(route, "/rest/api/3/user/bulk", None, As::App);
    let route = "GET /rest/api/3/project/{projectIdOrKey}";
    c.call(route, "/rest/api/3/project/PROJ", None, As::App);
    c.call(route, "/rest/api/3/project/TEAM", None, As::App);
    c.call(route, "/rest/api/3/project/NOPE", None, As::App);
    let route = "GET /rest/api/3/issuetype/project";
    c.call(
        route,
        &format!("/rest/api/3/issuetype/project?projectId={}&level=-1", project.id),
        None,
        As::App,
    );
    c.call(route, "/rest/api/3/issuetype/project", None, As::App);
    c.call(route, "/rest/api/3/issuetype/project?projectId=1", None, As::App);
    c.call("GET /rest/api/3/priority", "/rest/api/3/priority", None, As::App);
    c.call("GET /rest/api/3/priority", "/rest/api/3/priority", None, As::Nobody);
    let route = "GET /rest/api/3/priority/search";
    c.call(route, "/rest/api/3/priority/search?maxResults=2", None, As::App);
    c.call(route, "/rest/api/3/priority/search", None, As::Nobody);

    let mut full = subtask("PROJ", "PROJ-1", &sub, "Full");
    full["fields"]["description"] = adf("body");
    full["fields"]["labels"] = json!(["a"]);
    full["fields"]["duedate"] = json!("2030-01-01");
    full["fields"]["timetracking"] = json!({ "originalEstimate": "2h" });
    full["properties"] = json!([{ "key": "stj.origin", "value": { "run": 1 } }]);
    let route = "POST /rest/api/3/issue";
    c.call(route, "/rest/api/3/issue", Some(full.clone()), As::App);
    c.call(route, "/rest/api/3/issue", Some(subtask("PROJ", "PROJ-1", &sub, "")), As::App);
    c.call(route, "/rest/api/3/issue", Some(full.clone()), As::Nobody);
    let route = "POST /rest/api/3/issue/bulk";
    let mixed = json!({ "issueUpdates": [full.clone(), subtask("PROJ", "PROJ-1", &sub, "")] });
    c.call(route, "/rest/api/3/issue/bulk", Some(mixed), As::App);
    let bad = json!({ "issueUpdates": [subtask("PROJ", "NOPE-1", &sub, "x")] });
    c.call(route, "/rest/api/3/issue/bulk", Some(bad), As::App);
    let too_many: Vec<Value> = (0..51).map(|_| full.clone()).collect();
    c.call(route, "/rest/api/3/issue/bulk", Some(json!({ "issueUpdates": too_many })), As::App);

    let route = "GET /rest/api/3/issue/{issueIdOrKey}";
    c.call(route, "/rest/api/3/issue/PROJ-1", None, As::App);
    c.call(route, "/rest/api/3/issue/PROJ-2?fields=summary,parent&properties=*all", None, As::App);
    c.call(route, "/rest/api/3/issue/PROJ-404", None, As::App);

    for (entity, who) in
        [("issue/PROJ-1", As::App), ("user", As::Bearer(&max)), ("project/PROJ", As::App)]
    {
        let query = if entity == "user" { format!("?accountId={MAX}") } else { String::new() };
        let template = match entity {
            "issue/PROJ-1" => "/rest/api/3/issue/{issueIdOrKey}/properties",
            "user" => "/rest/api/3/user/properties",
            _ => "/rest/api/3/project/{projectIdOrKey}/properties",
        };
        let keys = format!("/rest/api/3/{entity}/properties{query}");
        let one = format!("/rest/api/3/{entity}/properties/stj.k{query}");
        let long = format!("/rest/api/3/{entity}/properties/{}{query}", "k".repeat(256));
        c.call(&format!("PUT {template}/{{propertyKey}}"), &one, Some(json!({ "v": 1 })), who);
        c.call(&format!("PUT {template}/{{propertyKey}}"), &one, Some(json!({ "v": 2 })), who);
        c.call(&format!("PUT {template}/{{propertyKey}}"), &long, Some(json!(1)), who);
        c.call(&format!("GET {template}"), &keys, None, who);
        c.call(&format!("GET {template}/{{propertyKey}}"), &one, None, who);
        c.call(&format!("DELETE {template}/{{propertyKey}}"), &one, None, who);
        c.call(&format!("DELETE {template}/{{propertyKey}}"), &one, None, who);
        c.call(&format!("GET {template}/{{propertyKey}}"), &one, None, who);
    }
    let route = "PUT /rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}";
    c.call(route, "/rest/api/3/project/PROJ/properties/x", Some(json!(1)), As::Bearer(&viewer));
    let route = "DELETE /rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}";
    c.call(route, "/rest/api/3/project/PROJ/properties/x", None, As::Bearer(&viewer));
    let route = "GET /rest/api/3/issue/{issueIdOrKey}/properties";
    c.call(route, "/rest/api/3/issue/PROJ-404/properties", None, As::App);
    let route = "GET /rest/api/3/project/{projectIdOrKey}/properties";
    c.call(route, "/rest/api/3/project/NOPE/properties", None, As::App);
    let route = "GET /rest/api/3/user/properties/{propertyKey}";
    c.call(route, "/rest/api/3/user/properties/x", None, As::Bearer(&max));
    c.call(
        route,
        &format!("/rest/api/3/user/properties/x?accountId={VIEWER}"),
        None,
        As::Bearer(&max),
    );
    c.call(
        "GET /rest/api/3/user/properties",
        "/rest/api/3/user/properties?accountId=ghost",
        None,
        As::App,
    );

    for op in SERVED {
        let statuses: Vec<u16> = c.seen.iter().filter(|(r, _)| r == op).map(|(_, s)| *s).collect();
        assert!(statuses.iter().any(|s| *s < 300), "{op}: no success among {statuses:?}");
        assert!(statuses.iter().any(|s| *s >= 400), "{op}: no error among {statuses:?}");
    }
    // Every request the sandbox recorded is a spec operation with a valid body, and every
    // operation it served is in SERVED.
    for recorded in c.site.sandbox.requests() {
        assert_eq!(check_recorded(&recorded).unwrap(), Checked::Validated, "{recorded:?}");
        assert!(SERVED.contains(&recorded.route.as_deref().unwrap()), "{recorded:?}");
    }
}

#[test]
fn the_checks_catch_what_jira_would_not_take() {
    let bulk = "/rest/api/3/issue/bulk";
    assert!(check_request("POST", bulk, Some(&json!({ "issueUpdates": [] }))).is_ok());
    let wrong = check_request("POST", bulk, Some(&json!({ "issueUpdates": { "fields": {} } })));
    assert!(matches!(wrong, Err(ConformanceError::Mismatch { .. })), "{wrong:?}");
    let props = json!({ "issueUpdates": [{ "properties": [{ "key": 1 }] }] });
    assert!(check_request("POST", bulk, Some(&props)).is_err());
    assert!(
        check_request("GET", "/rest/api/3/myself", Some(&json!({}))).is_err(),
        "GET takes no body"
    );
    assert!(check_request("POST", bulk, None).is_err(), "the body is required");
    assert!(matches!(
        check_request("GET", "/rest/api/3/nowhere", None),
        Err(ConformanceError::UnknownOperation(_))
    ));

    let created = json!({ "issues": [{ "id": "1", "key": "A-1", "self": "https://x.atlassian.net/rest/api/3/issue/1" }], "errors": [] });
    assert!(check_response("POST", bulk, 201, Some(&created)).is_ok());
    let extra = json!({ "issues": [], "errors": [], "errorMessages": [] });
    assert!(
        check_response("POST", bulk, 400, Some(&extra)).is_err(),
        "CreatedIssues has no errorMessages"
    );
    assert!(matches!(
        check_response("POST", bulk, 418, None),
        Err(ConformanceError::UndocumentedStatus { status: 418, .. })
    ));
    let property = "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}";
    assert!(check_response("PUT", property, 201, None).is_ok(), "an empty 201 is fine");
    assert!(check_response("GET", property, 200, Some(&json!({ "key": 1 }))).is_err());

    for route in NOT_IN_PLATFORM_SPEC {
        let (method, path) = route.split_once(' ').unwrap();
        let recorded = RecordedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            route: Some(route.to_owned()),
            query: String::new(),
            headers: Default::default(),
            body: String::new(),
            forge: false,
        };
        assert_eq!(check_recorded(&recorded).unwrap(), Checked::NotInSpec);
    }
}
