use serde_json::Value;
use stj_jira_sandbox::{JiraUser, Permissions};

use crate::jira::{ADA, As, MAX, Site};

fn level_of(types: &Value, name: &str) -> i64 {
    let found = types.as_array().unwrap().iter().find(|t| t["name"] == name).unwrap();
    found["hierarchyLevel"].as_i64().unwrap()
}

#[test]
fn projects_carry_their_issue_types_with_hierarchy_levels() {
    let site = Site::populated();
    let reply = site.get("/rest/api/3/project/PROJ", As::App);
    assert_eq!(reply.status, 200, "{}", reply.text);
    let project = &reply.body;
    assert_eq!(
        (project["key"].as_str(), project["simplified"].as_bool()),
        (Some("PROJ"), Some(false))
    );
    assert_eq!(project["projectTypeKey"], "software");
    assert_eq!(project["style"], "classic");
    let types = &project["issueTypes"];
    for (name, level) in [("Task", 0), ("Bug", 0), ("Story", 0), ("Epic", 1), ("Sub-task", -1)] {
        assert_eq!(level_of(types, name), level, "{name}");
    }
    let subtask = types.as_array().unwrap().iter().find(|t| t["hierarchyLevel"] == -1).unwrap();
    assert_eq!(subtask["subtask"], true);
    assert!(subtask.get("scope").is_none(), "company-managed types are shared");

    // By id as well as by key; keys are case-sensitive.
    let id = project["id"].as_str().unwrap();
    assert_eq!(site.get(&format!("/rest/api/3/project/{id}"), As::App).body["key"], "PROJ");
    assert_eq!(site.get("/rest/api/3/project/proj", As::App).status, 404);

    let team = site.get("/rest/api/3/project/TEAM", As::App).body;
    assert_eq!(team["simplified"], true);
    let team_subtask =
        team["issueTypes"].as_array().unwrap().iter().find(|t| t["hierarchyLevel"] == -1).unwrap();
    assert_eq!(team_subtask["name"], "Subtask");
    assert_eq!(team_subtask["scope"]["type"], "PROJECT");
    assert_eq!(team_subtask["scope"]["project"]["id"], team["id"]);
    assert_ne!(team_subtask["id"], subtask["id"], "team-managed projects have their own types");
}

#[test]
fn a_project_the_caller_cannot_browse_does_not_exist() {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let outsider = JiraUser::new("outsider", "Out Sider").in_project("PROJ", Permissions::NONE);
    site.sandbox.add_user(ck, outsider).unwrap();
    let token = site.token("outsider");
    let reply = site.get("/rest/api/3/project/PROJ", As::Bearer(&token));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["errorMessages"][0], "No project could be found with key 'PROJ'.");
    assert_eq!(site.get("/rest/api/3/project/TEAM", As::Bearer(&token)).status, 200);
    assert_eq!(site.get("/rest/api/3/project/NOPE", As::App).status, 404);
}

#[test]
fn issue_types_for_a_project_filter_by_level() {
    let site = Site::populated();
    let project = site.sandbox.project(&site.tenant.client_key, "PROJ").unwrap();
    let path =
        |query: &str| format!("/rest/api/3/issuetype/project?projectId={}{query}", project.id);

    let all = site.get(&path(""), As::App);
    assert_eq!(all.status, 200);
    assert_eq!(all.body.as_array().unwrap().len(), 5);
    let subtasks = site.get(&path("&level=-1"), As::App).body;
    let names: Vec<&str> =
        subtasks.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Sub-task"]);
    assert_eq!(subtasks[0]["id"], project.subtask_type_id().unwrap());
    assert_eq!(site.get(&path("&level=1"), As::App).body[0]["name"], "Epic");
    assert_eq!(site.get(&path("&level=0"), As::App).body.as_array().unwrap().len(), 3);

    for bad in ["/rest/api/3/issuetype/project", "/rest/api/3/issuetype/project?projectId=PROJ"] {
        assert_eq!(site.get(bad, As::App).status, 400, "{bad}");
    }
    assert_eq!(site.get(&path("&level=2"), As::App).status, 400);
    assert_eq!(site.get(&path("&level=x"), As::App).status, 400);
    assert_eq!(site.get("/rest/api/3/issuetype/project?projectId=99999", As::App).status, 404);
    // The key is not accepted where the spec wants the numeric id.
    let token = site.token(MAX);
    assert_eq!(site.get(&path("&level=-1"), As::Bearer(&token)).status, 200);
}

#[test]
fn site_admins_see_issue_types_of_projects_they_cannot_browse() {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let project = site.sandbox.project(ck, "PROJ").unwrap();
    site.sandbox
        .update_user(ck, ADA, |u| {
            u.project_permissions.insert("PROJ".into(), Permissions::NONE);
        })
        .unwrap();
    let token = site.token(ADA);
    let path = format!("/rest/api/3/issuetype/project?projectId={}", project.id);
    assert_eq!(site.get(&path, As::Bearer(&token)).status, 200);
    assert_eq!(site.get("/rest/api/3/project/PROJ", As::Bearer(&token)).status, 404);
}

#[test]
fn priorities_highest_to_lowest_and_the_paged_search() {
    let site = Site::populated();
    let all = site.get("/rest/api/3/priority", As::App).body;
    let names: Vec<(&str, &str)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("1", "Highest"), ("2", "High"), ("3", "Medium"), ("4", "Low"), ("5", "Lowest")]
    );

    let page = site.get("/rest/api/3/priority/search?startAt=1&maxResults=2", As::App).body;
    assert_eq!((page["total"].as_u64(), page["isLast"].as_bool()), (Some(5), Some(false)));
    let ids: Vec<&str> =
        page["values"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["2", "3"]);
    let default = site.get("/rest/api/3/priority/search?onlyDefault=true", As::App).body;
    assert_eq!(default["values"][0]["name"], "Medium");
    assert_eq!(default["values"][0]["isDefault"], true);
    let by_id = site.get("/rest/api/3/priority/search?id=1&id=5", As::App).body;
    assert_eq!(by_id["total"], 2);
    assert_eq!(site.get("/rest/api/3/priority/search?startAt=x", As::App).status, 400);
}

#[test]
fn myself_is_the_app_user_or_the_impersonated_user() {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let app = site.get("/rest/api/3/myself", As::App).body;
    assert_eq!(app["accountId"], site.sandbox.app_account_id(ck).unwrap());
    assert_eq!(app["accountType"], "app");
    assert_eq!(app["displayName"], crate::jira::APP);
    let token = site.token(MAX);
    let max = site.get("/rest/api/3/myself", As::Bearer(&token)).body;
    assert_eq!(
        (max["accountId"].as_str(), max["displayName"].as_str()),
        (Some(MAX), Some("Max Member"))
    );
    assert_eq!(max["accountType"], "atlassian");
}

#[test]
fn my_permissions_answer_per_project_and_refuse_bad_questions() {
    let site = Site::populated();
    let asked = "permissions=ADMINISTER_PROJECTS,ADMINISTER,BROWSE_PROJECTS";
    let have = |who: &str, project: &str| {
        let token = site.token(who);
        let path = format!("/rest/api/3/mypermissions?{project}{asked}");
        let reply = site.get(&path, As::Bearer(&token));
        assert_eq!(reply.status, 200, "{}", reply.text);
        let p = &reply.body["permissions"];
        assert_eq!(p["ADMINISTER_PROJECTS"]["key"], "ADMINISTER_PROJECTS");
        assert_eq!(p.as_object().unwrap().len(), 3, "only what was asked");
        [&p["ADMINISTER_PROJECTS"], &p["ADMINISTER"], &p["BROWSE_PROJECTS"]]
            .map(|one| one["havePermission"].as_bool().unwrap())
    };
    assert_eq!(have(ADA, "projectKey=PROJ&"), [true, true, true]);
    assert_eq!(have(MAX, "projectKey=PROJ&"), [false, false, true]);
    assert_eq!(have(crate::jira::VIEWER, ""), [false, false, true]);
    let project = site.sandbox.project(&site.tenant.client_key, "PROJ").unwrap();
    assert_eq!(
        have(MAX, &format!("projectId={}&projectKey=NOPE&", project.id)),
        [false, false, true]
    );
    let token = site.token(MAX);
    for (path, status) in [
        ("/rest/api/3/mypermissions?projectKey=PROJ", 400),
        ("/rest/api/3/mypermissions?permissions=", 400),
        ("/rest/api/3/mypermissions?permissions=FLY_PROJECTS", 400),
        ("/rest/api/3/mypermissions?projectKey=NOPE&permissions=ADMINISTER", 404),
    ] {
        assert_eq!(site.get(path, As::Bearer(&token)).status, status, "{path}");
    }
}
