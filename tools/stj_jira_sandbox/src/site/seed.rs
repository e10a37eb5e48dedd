//! The demo site for local runs: something to open the app on without setting Jira up by hand.

use serde::Serialize;
use serde_json::json;
use stj_core::ClientKey;

use super::model::{JiraUser, NewIssue, NewProject};
use crate::{Sandbox, SandboxError};

/// Fixed ids, so a local run can be driven (and bookmarked) the same way every time.
pub const DEMO_ADMIN_ACCOUNT_ID: &str = "5d1c3a0e7b2f4a0c9e8d7f61";
pub const DEMO_MEMBER_ACCOUNT_ID: &str = "5d1c3a0e7b2f4a0c9e8d7f62";

/// DEMO's second subtask type.
pub const QA_CHECK_TYPE: &str = "QA check";

/// What [`Sandbox::seed_demo`] created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoSeed {
    /// *Administer Jira*, every project permission.
    pub admin_account_id: String,
    /// Browse, create and edit issues; no administration.
    pub member_account_id: String,
    /// `DEMO`, company-managed (shared issue types, `Sub-task`).
    pub project_key: String,
    pub project_id: String,
    pub subtask_type_id: String,
    /// `QA check`, DEMO's second subtask type (after `Sub-task`), so type pickers have a choice.
    pub qa_subtask_type_id: String,
    /// `DEMO-1`, "Launch the new onboarding flow", due in 30 days, assigned to the member.
    pub parent_issue_key: String,
    pub parent_issue_id: String,
    /// `TEAM`, team-managed (its own `Subtask` type).
    pub team_project_key: String,
    pub team_project_id: String,
    pub team_subtask_type_id: String,
    /// `TEAM-1`, a parent in the team-managed project.
    pub team_issue_key: String,
}

impl Sandbox {
    /// Seed a tenant with the demo content: an admin and a member, the company-managed project
    /// `DEMO` (subtask types `Sub-task` and `QA check`) with parent issue `DEMO-1`, and the
    /// team-managed project `TEAM` with `TEAM-1`.
    /// Refused if the tenant already has a `DEMO` project.
    pub fn seed_demo(&self, client_key: &ClientKey) -> Result<DemoSeed, SandboxError> {
        let admin = JiraUser::new(DEMO_ADMIN_ACCOUNT_ID, "Ada Admin").admin();
        let member = JiraUser::new(DEMO_MEMBER_ACCOUNT_ID, "Max Member");
        let demo = self.add_project(client_key, &NewProject::company_managed("DEMO", "Demo"))?;
        let team =
            self.add_project(client_key, &NewProject::team_managed("TEAM", "Team Onboarding"))?;
        let qa_subtask_type_id = self.add_issue_type(client_key, "DEMO", QA_CHECK_TYPE, -1)?;
        self.add_user(client_key, admin)?;
        self.add_user(client_key, member)?;
        let now = chrono::Utc::now();
        let due = now.checked_add_days(chrono::Days::new(30)).unwrap_or(now);
        let due = due.format("%Y-%m-%d").to_string();
        let parent = self.add_issue(
            client_key,
            &NewIssue {
                assignee: Some(DEMO_MEMBER_ACCOUNT_ID.to_owned()),
                reporter: Some(DEMO_ADMIN_ACCOUNT_ID.to_owned()),
                due_date: Some(due),
                priority: Some("High".to_owned()),
                labels: vec!["onboarding".to_owned()],
                description: Some(paragraph(
                    "Ship the redesigned onboarding flow to every new customer.",
                )),
                ..NewIssue::new("DEMO", "Task", "Launch the new onboarding flow")
            },
        )?;
        let team_issue = self.add_issue(
            client_key,
            &NewIssue {
                reporter: Some(DEMO_ADMIN_ACCOUNT_ID.to_owned()),
                ..NewIssue::new("TEAM", "Task", "Welcome the spring cohort")
            },
        )?;
        let subtask =
            |p: &super::model::ProjectInfo| p.subtask_type_id().unwrap_or_default().to_owned();
        Ok(DemoSeed {
            admin_account_id: DEMO_ADMIN_ACCOUNT_ID.to_owned(),
            member_account_id: DEMO_MEMBER_ACCOUNT_ID.to_owned(),
            subtask_type_id: subtask(&demo),
            qa_subtask_type_id,
            project_key: demo.key,
            project_id: demo.id,
            parent_issue_key: parent.key,
            parent_issue_id: parent.id,
            team_subtask_type_id: subtask(&team),
            team_project_key: team.key,
            team_project_id: team.id,
            team_issue_key: team_issue.key,
        })
    }
}

fn paragraph(text: &str) -> serde_json::Value {
    json!({
        "type": "doc",
        "version": 1,
        "content": [{ "type": "paragraph", "content": [{ "type": "text", "text": text }] }],
    })
}
