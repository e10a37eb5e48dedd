use serde_json::{Value, json};
use stj_jira_sandbox::{Entity, NewIssue};

use crate::jira::{As, MAX, Site, VIEWER, adf, subtask, with_parent};

fn field_errors(site: &Site, fields: Value) -> Value {
    let reply = site.post("/rest/api/3/issue", &json!({ "fields": fields }), As::App);
    assert_eq!(reply.status, 400, "{}", reply.text);
    reply.body
}

#[test]
fn single_create_makes_a_subtask_reported_by_the_caller() {
    let (site, subtask_type) = with_parent();
    let ck = &site.tenant.client_key;
    let mut body = subtask("PROJ", "PROJ-1", &subtask_type, "Write release notes");
    body["fields"]["assignee"] = json!({ "id": MAX });
    body["fields"]["labels"] = json!(["docs", "release"]);
    body["fields"]["duedate"] = json!("2030-01-31");
    body["fields"]["priority"] = json!({ "name": "High" });
    body["fields"]["timetracking"] = json!({ "originalEstimate": "1h 30m" });
    body["fields"]["description"] = adf("From template X");
    body["properties"] = json!([{ "key": "stj.origin", "value": { "run": "r-42" } }]);
    let reply = site.post("/rest/api/3/issue", &body, As::App);
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["key"], "PROJ-2");
    let id = reply.body["id"].as_str().unwrap();
    assert_eq!(reply.body["self"], format!("{}/rest/api/3/issue/{id}", site.tenant.base_url));

    let fields = site.sandbox.issue_fields(ck, "PROJ-2").unwrap();
    assert_eq!(fields["reporter"]["accountId"], site.sandbox.app_account_id(ck).unwrap());
    assert_eq!(fields["assignee"]["displayName"], "Max Member");
    assert_eq!(fields["parent"]["key"], "PROJ-1");
    assert_eq!(fields["timeoriginalestimate"], 5_400);
    assert_eq!(fields["timetracking"]["originalEstimate"], "1h 30m");
    assert_eq!(fields["priority"]["name"], "High");
    let origin = site.sandbox.entity_property(ck, Entity::Issue("PROJ-2"), "stj.origin").unwrap();
    assert_eq!(origin, Some(json!({ "run": "r-42" })));

    // As a user, that user reports.
    let token = site.token(MAX);
    let reply = site.post(
        "/rest/api/3/issue",
        &subtask("PROJ", "PROJ-1", &subtask_type, "Mine"),
        As::Bearer(&token),
    );
    assert_eq!(reply.status, 201);
    assert_eq!(site.sandbox.issue_fields(ck, "PROJ-3").unwrap()["reporter"]["accountId"], MAX);
}

#[test]
fn create_refuses_what_jira_refuses_with_its_messages() {
    let (site, subtask_type) = with_parent();
    let base = || subtask("PROJ", "PROJ-1", &subtask_type, "Fine")["fields"].clone();
    let with = |name: &str, value: Value| {
        let mut fields = base();
        fields[name] = value;
        fields
    };
    let cases = [
        (with("summary", json!("")), "summary", "You must specify a summary of the issue."),
        (
            with("summary", json!("two\nlines")),
            "summary",
            "The summary is invalid because it contains newline characters.",
        ),
        (
            with("summary", json!("x".repeat(255))),
            "summary",
            "Summary must be less than 255 characters.",
        ),
        (
            with("issuetype", json!({ "id": "424242" })),
            "issuetype",
            "The issue type selected is invalid.",
        ),
        (with("priority", json!({ "id": "9" })), "priority", "The priority selected is invalid."),
        (
            with("assignee", json!({ "id": "nobody" })),
            "assignee",
            "User 'nobody' cannot be assigned issues.",
        ),
        (
            with("labels", json!(["two words"])),
            "labels",
            "The label 'two words' contains spaces which is invalid.",
        ),
        (with("duedate", json!("31/01/2030")), "duedate", "Error parsing date string: 31/01/2030"),
        (with("duedate", json!("2030-02-30")), "duedate", "Error parsing date string: 2030-02-30"),
        (
            with("timetracking", json!({ "originalEstimate": "soon" })),
            "timetracking_originalestimate",
            "The original estimate specified is not valid.",
        ),
        (
            with("description", json!("plain text")),
            "description",
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
        ),
        (
            with("parent", json!({ "key": "PROJ-99" })),
            "parent",
            "Could not find issue by id or key.",
        ),
        (with("project", json!({ "key": "NOPE" })), "project", "Specify a valid project ID or key"),
        (
            with("customfield_10010", json!("x")),
            "customfield_10010",
            "Field 'customfield_10010' cannot be set. It is not on the appropriate screen, or unknown.",
        ),
    ];
    for (fields, field, message) in cases {
        let body = field_errors(&site, fields);
        assert_eq!(body["errors"][field], message, "{body}");
    }
    assert_eq!(
        site.post(
            "/rest/api/3/issue",
            &json!({ "fields": with("summary", json!("x".repeat(254))) }),
            As::App
        )
        .status,
        201
    );

    let mut no_parent = base();
    no_parent.as_object_mut().unwrap().remove("parent");
    let body = field_errors(&site, no_parent);
    assert_eq!(
        body["errorMessages"][0],
        "Issue type is a sub-task but parent issue key or id not specified."
    );
    let mut no_type = base();
    no_type.as_object_mut().unwrap().remove("issuetype");
    assert_eq!(field_errors(&site, no_type)["errors"]["issuetype"], "Specify an issue type");
}

#[test]
fn subtasks_stay_in_their_parents_project_and_under_standard_issues() {
    let (site, subtask_type) = with_parent();
    let ck = &site.tenant.client_key;
    let team = site.sandbox.project(ck, "TEAM").unwrap();
    site.sandbox.add_issue(ck, &NewIssue::new("TEAM", "Task", "Team parent")).unwrap();
    let team_subtask = team.subtask_type_id().unwrap();

    // A PROJ subtask type under a TEAM parent, and a TEAM subtask under a PROJ parent.
    let body = field_errors(&site, subtask("TEAM", "PROJ-1", team_subtask, "x")["fields"].clone());
    assert_eq!(
        body["errors"]["project"],
        "Sub-tasks must be created in the same project as the parent."
    );
    let body = field_errors(&site, subtask("PROJ", "PROJ-1", team_subtask, "x")["fields"].clone());
    assert_eq!(body["errors"]["issuetype"], "The issue type selected is invalid.");

    let created =
        site.post("/rest/api/3/issue", &subtask("PROJ", "PROJ-1", &subtask_type, "child"), As::App);
    let child = created.body["key"].as_str().unwrap().to_owned();
    let body =
        field_errors(&site, subtask("PROJ", &child, &subtask_type, "grandchild")["fields"].clone());
    assert!(body["errors"]["parent"].as_str().unwrap().contains("hierarchy"), "{body}");
    let reply =
        site.post("/rest/api/3/issue", &subtask("TEAM", "TEAM-1", team_subtask, "ok"), As::App);
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[test]
fn create_needs_browse_and_create_permissions_and_json() {
    let (site, subtask_type) = with_parent();
    let token = site.token(VIEWER);
    let reply = site.post(
        "/rest/api/3/issue",
        &subtask("PROJ", "PROJ-1", &subtask_type, "x"),
        As::Bearer(&token),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["errorMessages"][0],
        "You do not have permission to create issues in this project."
    );
    let body = subtask("PROJ", "PROJ-1", &subtask_type, "x").to_string();
    let reply =
        site.send("POST", "/rest/api/3/issue", Some((&body, "text/plain")), As::App).unwrap();
    assert_eq!(reply.status, 415);
    assert_eq!(site.call("POST", "/rest/api/3/issue", Some("{"), As::App).status, 400);
    assert_eq!(
        site.post("/rest/api/3/issue", &subtask("PROJ", "PROJ-1", &subtask_type, "x"), As::Nobody)
            .status,
        401
    );
}
