//! The look-ups an application starts with: the parent with its ledger in one call, the subtask
//! types of the project its key names alongside, and one token grant for calls made together.

use serde_json::json;
use stj_jira_sandbox::{Entity, NewIssue, NewProject};
use stj_subtasks::IssueGateway;

use super::{BOB, Site, issue};

const LEDGER: &str = "io.subtask-templates.jira.ledger";

#[tokio::test]
async fn the_parent_comes_with_its_ledger_and_the_types_alongside_on_one_grant() {
    let site = Site::new();
    let key = &site.tenant.client_key;
    site.sandbox.add_issue(key, &NewIssue::new("DEMO", "Task", "Parent")).unwrap();
    site.sandbox.add_issue(key, &NewIssue::new("DEMO", "Task", "No ledger")).unwrap();
    site.edit(Entity::Issue("DEMO-1"), LEDGER, json!({ "v": 1, "applies": [] }));
    let bob = site.caller(BOB);

    let demo_1 = issue("DEMO-1");
    let (looked_up, by_key) = tokio::join!(
        site.gateway.parent_with_property(&bob, &demo_1, LEDGER),
        site.gateway.project_subtask_types(&bob, "DEMO"),
    );
    let (parent, ledger) = looked_up.unwrap();
    assert_eq!(parent.key.as_str(), "DEMO-1");
    assert_eq!(ledger, Some(json!({ "v": 1, "applies": [] })));
    let by_key = by_key.unwrap().unwrap();
    assert_eq!(by_key.project_id, parent.project_id);
    assert!(!by_key.types.is_empty());
    let counts = site.sandbox.request_counts();
    assert_eq!(counts.get("POST /oauth2/token"), Some(&1), "one grant: {counts:?}");
    assert_eq!(counts.get("GET /rest/api/3/issue/{issueIdOrKey}"), Some(&1), "{counts:?}");
    let property = "GET /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}";
    assert_eq!(counts.get(property), None, "the ledger came with the parent: {counts:?}");

    // The same types as the look-up by project id, for both kinds of project.
    let by_id = site.gateway.subtask_types(&bob, &parent.project_id).await.unwrap();
    assert_eq!(by_key.types, by_id);
    let team = site.sandbox.add_project(key, &NewProject::team_managed("TEAM", "Team")).unwrap();
    let team_types = site.gateway.project_subtask_types(&bob, "TEAM").await.unwrap().unwrap();
    assert_eq!(team_types.project_id, team.id);
    assert_eq!(team_types.types, site.gateway.subtask_types(&bob, &team.id).await.unwrap());
    assert_ne!(team_types.types, by_id, "team-managed projects have types of their own");

    let (_, none) =
        site.gateway.parent_with_property(&bob, &issue("DEMO-2"), LEDGER).await.unwrap();
    assert_eq!(none, None, "no ledger yet");
    let missing = site.gateway.project_subtask_types(&bob, "NOPE").await;
    assert!(matches!(missing, Err(stj_subtasks::GatewayError::NotFound)), "{missing:?}");
    assert_eq!(site.sandbox.request_count("POST /oauth2/token"), 1, "the token was cached");
}
