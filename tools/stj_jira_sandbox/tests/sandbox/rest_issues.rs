use serde_json::json;
use stj_jira_sandbox::{Entity, JiraUser, NewIssue, Permissions};

use crate::jira::{ADA, As, MAX, Site, adf};

fn site_with_issue() -> Site {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let parent = NewIssue {
        assignee: Some(MAX.to_owned()),
        reporter: Some(ADA.to_owned()),
        due_date: Some("2030-05-01".to_owned()),
        priority: Some("Highest".to_owned()),
        labels: vec!["launch".to_owned()],
        description: Some(adf("Details")),
        ..NewIssue::new("PROJ", "Task", "Launch")
    };
    site.sandbox.add_issue(ck, &parent).unwrap();
    for summary in ["one", "two"] {
        let child = NewIssue {
            parent: Some("PROJ-1".to_owned()),
            ..NewIssue::new("PROJ", "Sub-task", summary)
        };
        site.sandbox.add_issue(ck, &child).unwrap();
    }
    site
}

#[test]
fn get_issue_returns_every_field_by_default() {
    let site = site_with_issue();
    let reply = site.get("/rest/api/3/issue/PROJ-1", As::App);
    assert_eq!(reply.status, 200, "{}", reply.text);
    let issue = &reply.body;
    assert_eq!(issue["key"], "PROJ-1");
    assert_eq!(
        issue["self"],
        format!("{}/rest/api/3/issue/{}", site.tenant.base_url, issue["id"].as_str().unwrap())
    );
    let fields = &issue["fields"];
    assert_eq!(fields["summary"], "Launch");
    assert_eq!(fields["assignee"]["accountId"], MAX);
    assert_eq!(fields["assignee"]["displayName"], "Max Member");
    assert_eq!(fields["reporter"]["accountId"], ADA);
    assert_eq!(fields["duedate"], "2030-05-01");
    assert_eq!(fields["project"]["key"], "PROJ");
    assert_eq!(fields["issuetype"]["name"], "Task");
    assert_eq!(fields["issuetype"]["hierarchyLevel"], 0);
    assert_eq!(
        fields["priority"],
        json!({
            "self": format!("{}/rest/api/3/priority/1", site.tenant.base_url),
            "statusColor": "#d04437",
            "description": "This problem will block progress.",
            "iconUrl": format!("{}/images/icons/priorities/highest.svg", site.tenant.base_url),
            "name": "Highest",
            "id": "1",
        })
    );
    assert_eq!(fields["labels"], json!(["launch"]));
    assert_eq!(fields["description"], adf("Details"));
    assert_eq!(fields["timetracking"], json!({}));
    assert_eq!(fields["timeoriginalestimate"], json!(null));
    assert!(fields.get("parent").is_none(), "no parent, no field");
    let subtasks: Vec<&str> =
        fields["subtasks"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(subtasks, ["PROJ-2", "PROJ-3"]);
    assert_eq!(fields["subtasks"][0]["fields"]["issuetype"]["subtask"], true);

    // By id, and by key in any case, as Jira looks keys up again ignoring case.
    let id = issue["id"].as_str().unwrap();
    assert_eq!(site.get(&format!("/rest/api/3/issue/{id}"), As::App).body["key"], "PROJ-1");
    assert_eq!(site.get("/rest/api/3/issue/proj-1", As::App).body["key"], "PROJ-1");

    let child = site.get("/rest/api/3/issue/PROJ-2", As::App).body;
    assert_eq!(child["fields"]["parent"]["key"], "PROJ-1");
    assert_eq!(child["fields"]["parent"]["fields"]["summary"], "Launch");
    assert_eq!(child["fields"]["assignee"], json!(null));
}

#[test]
fn fields_and_properties_select_what_comes_back() {
    let site = site_with_issue();
    let ck = &site.tenant.client_key;
    let only = site.get("/rest/api/3/issue/PROJ-1?fields=summary,subtasks", As::App).body;
    let names: Vec<&String> = only["fields"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["subtasks", "summary"]);
    let repeated = site.get("/rest/api/3/issue/PROJ-1?fields=summary&fields=duedate", As::App).body;
    assert_eq!(repeated["fields"].as_object().unwrap().len(), 2);
    let without = site.get("/rest/api/3/issue/PROJ-1?fields=-description", As::App).body;
    assert!(
        without["fields"].get("description").is_none()
            && without["fields"].get("summary").is_some()
    );
    assert!(only.get("properties").is_none(), "properties only when asked for");

    site.sandbox.set_entity_property(ck, Entity::Issue("PROJ-1"), "a", json!(1)).unwrap();
    site.sandbox.set_entity_property(ck, Entity::Issue("PROJ-1"), "b", json!(2)).unwrap();
    let all = site.get("/rest/api/3/issue/PROJ-1?fields=summary&properties=*all", As::App).body;
    assert_eq!(all["properties"], json!({ "a": 1, "b": 2 }));
    let some = site.get("/rest/api/3/issue/PROJ-1?properties=*all,-a", As::App).body;
    assert_eq!(some["properties"], json!({ "b": 2 }));
    let named = site.get("/rest/api/3/issue/PROJ-1?properties=a", As::App).body;
    assert_eq!(named["properties"], json!({ "a": 1 }));
}

#[test]
fn an_issue_the_caller_cannot_browse_is_not_found() {
    let site = site_with_issue();
    let ck = &site.tenant.client_key;
    let blind = JiraUser::new("blind", "Blind").in_project("PROJ", Permissions::NONE);
    site.sandbox.add_user(ck, blind).unwrap();
    let token = site.token("blind");
    let reply = site.get("/rest/api/3/issue/PROJ-1", As::Bearer(&token));
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body,
        json!({
            "errorMessages": ["Issue does not exist or you do not have permission to see it."],
            "errors": {},
        })
    );
    assert_eq!(site.get("/rest/api/3/issue/PROJ-99", As::App).status, 404);
    assert_eq!(site.get("/rest/api/3/issue/bulk", As::App).status, 404);
    // The app user loses browse too when an admin takes it away.
    let app = site.sandbox.app_account_id(ck).unwrap();
    site.sandbox.update_user(ck, &app, |u| u.permissions = Permissions::NONE).unwrap();
    assert_eq!(site.get("/rest/api/3/issue/PROJ-1", As::App).status, 404);
}
