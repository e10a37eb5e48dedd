use serde_json::Value;
use stj_jira_sandbox::{
    DEMO_ADMIN_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID, JiraSandbox, QA_CHECK_TYPE, SandboxConfig,
    SandboxError,
};

use crate::jira::{APP, As, Site};

#[test]
fn the_demo_seed_has_two_projects_two_users_and_a_parent_issue() {
    let site = Site::new();
    let ck = &site.tenant.client_key;
    let seed = site.sandbox.seed_demo(ck).unwrap();
    assert_eq!((seed.project_key.as_str(), seed.parent_issue_key.as_str()), ("DEMO", "DEMO-1"));
    assert_eq!((seed.team_project_key.as_str(), seed.team_issue_key.as_str()), ("TEAM", "TEAM-1"));
    assert_eq!(seed.admin_account_id, DEMO_ADMIN_ACCOUNT_ID);
    assert_eq!(seed.member_account_id, DEMO_MEMBER_ACCOUNT_ID);

    let parent = site.get("/rest/api/3/issue/DEMO-1", As::App).body;
    let fields = &parent["fields"];
    assert_eq!(fields["summary"], "Launch the new onboarding flow");
    assert_eq!(fields["assignee"]["accountId"], DEMO_MEMBER_ACCOUNT_ID);
    assert_eq!(fields["reporter"]["accountId"], DEMO_ADMIN_ACCOUNT_ID);
    assert!(fields["duedate"].as_str().is_some_and(|d| d.len() == 10));
    assert_eq!(fields["issuetype"]["hierarchyLevel"], 0);
    assert_eq!(parent["id"], seed.parent_issue_id);

    let demo = site.get("/rest/api/3/project/DEMO", As::App).body;
    assert_eq!(demo["simplified"], false);
    let team = site.get("/rest/api/3/project/TEAM", As::App).body;
    assert_eq!(team["simplified"], true);
    let subtask_of = |project: &Value| {
        project["issueTypes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["hierarchyLevel"] == -1)
            .unwrap()["id"]
            .clone()
    };
    assert_eq!(subtask_of(&demo), seed.subtask_type_id.as_str());
    assert_eq!(subtask_of(&team), seed.team_subtask_type_id.as_str());
    let subtask_types = |project: &Value| -> Vec<(String, String)> {
        project["issueTypes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["hierarchyLevel"] == -1)
            .map(|t| (t["id"].as_str().unwrap().to_owned(), t["name"].as_str().unwrap().to_owned()))
            .collect()
    };
    assert_eq!(
        subtask_types(&demo),
        [
            (seed.subtask_type_id.clone(), "Sub-task".to_owned()),
            (seed.qa_subtask_type_id.clone(), QA_CHECK_TYPE.to_owned())
        ],
        "DEMO offers two subtask types, Sub-task first"
    );
    assert_eq!(subtask_types(&team).len(), 1);

    assert!(site.sandbox.user(ck, DEMO_ADMIN_ACCOUNT_ID).unwrap().site_admin);
    let member = site.sandbox.user(ck, DEMO_MEMBER_ACCOUNT_ID).unwrap();
    assert!(
        !member.site_admin
            && member.permissions.create_issues
            && !member.permissions.administer_project
    );
    assert!(matches!(site.sandbox.seed_demo(ck), Err(SandboxError::Invalid(_))), "seeding twice");
}

#[tokio::test]
async fn a_seeding_sandbox_seeds_every_new_tenant_and_over_http() {
    let sandbox =
        JiraSandbox::start(SandboxConfig { seed_demo: true, ..SandboxConfig::default() }).unwrap();
    let tenant = sandbox.add_installed_tenant("http://127.0.0.1:9/app", APP).unwrap();
    assert_eq!(sandbox.issue_keys(&tenant.client_key).unwrap(), ["DEMO-1", "TEAM-1"]);

    let plain = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let tenant = plain.add_installed_tenant("http://127.0.0.1:9/app", APP).unwrap();
    assert!(plain.issue_keys(&tenant.client_key).unwrap().is_empty());
    let url =
        format!("{}/__sandbox/tenants/{}/seed-demo", plain.base_url(), tenant.client_key.as_str());
    let (first, second) = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut first = agent.post(&url).send_empty().unwrap();
        let body: Value = first.body_mut().read_json().unwrap();
        let second = agent.post(&url).send_empty().unwrap().status().as_u16();
        ((first.status().as_u16(), body), second)
    })
    .await
    .unwrap();
    assert_eq!(first.0, 200);
    assert_eq!(first.1["parent_issue_key"], "DEMO-1");
    assert_eq!(second, 400, "already seeded");
}
