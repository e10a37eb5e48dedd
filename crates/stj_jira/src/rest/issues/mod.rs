//! The calls behind `IssueGateway`: the parent, its project's subtask types, bulk create, the
//! parent's subtasks with their origin markers, and issue properties.
//!
//! This file is the gateway's surface: each call and its span (operation, method, route). The
//! work lives beside it: `parent` (the parent and its subtask keys), `types` (subtask types),
//! `create` (bulk create), `subtasks` (what the parent's subtasks hold), `users` and
//! `properties` (issue properties).

mod create;
mod parent;
mod properties;
mod subtasks;
mod types;
mod users;

use async_trait::async_trait;
use serde_json::Value;
use stj_core::IssueKey;
use stj_subtasks::{
    Caller, ExistingSubtask, GatewayError, IssueGateway, IssueTypeRef, ItemOutcome, NewSubtask,
    Origin, ParentIssue, ProjectSubtaskTypes, UserRef,
};

use super::{JiraIssueGateway, refusal};

/// A key Jira listed (a subtask's), as the key every call takes.
fn checked_key(issue_key: &str) -> Result<IssueKey, GatewayError> {
    IssueKey::parse(issue_key).map_err(|e| GatewayError::Rejected(e.to_string()))
}

fn json(body: &str) -> Result<Value, GatewayError> {
    serde_json::from_str(body)
        .map_err(|_| GatewayError::Unavailable(anyhow::anyhow!("Jira answered non-JSON")))
}

fn string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl JiraIssueGateway {
    /// `GET path` answered 200 with JSON; other statuses map to the gateway's errors.
    async fn get_json(&self, caller: &Caller, path: &str) -> Result<Value, GatewayError> {
        let reply = self.call(caller, "GET", path, None, true).await?;
        if reply.status != 200 {
            return Err(refusal(&reply));
        }
        json(&reply.body)
    }
}

#[async_trait]
impl IssueGateway for JiraIssueGateway {
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "parent",
            http.method = "GET",
            http.route = "/rest/api/3/issue/{issueIdOrKey}",
        )
    )]
    async fn parent(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
    ) -> Result<ParentIssue, GatewayError> {
        self.read_parent(caller, issue_key).await
    }

    /// One call: Jira returns the issue's properties named in `properties=` with its fields.
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "parent_with_property",
            http.method = "GET",
            http.route = "/rest/api/3/issue/{issueIdOrKey}",
        )
    )]
    async fn parent_with_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        property_key: &str,
    ) -> Result<(ParentIssue, Option<Value>), GatewayError> {
        self.read_parent_with_property(caller, issue_key, property_key).await
    }

    /// `GET /project/{key}`: the project's id and issue types in one answer.
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "project_subtask_types",
            http.method = "GET",
            http.route = "/rest/api/3/project/{projectIdOrKey}",
        )
    )]
    async fn project_subtask_types(
        &self,
        caller: &Caller,
        project_key: &str,
    ) -> Result<Option<ProjectSubtaskTypes>, GatewayError> {
        self.read_project_subtask_types(caller, project_key).await
    }

    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "subtask_types",
            http.method = "GET",
            http.route = "/rest/api/3/issuetype/project",
        )
    )]
    async fn subtask_types(
        &self,
        caller: &Caller,
        project_id: &str,
    ) -> Result<Vec<IssueTypeRef>, GatewayError> {
        self.read_subtask_types(caller, project_id).await
    }

    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "bulk_create",
            http.method = "POST",
            http.route = "/rest/api/3/issue/bulk",
        )
    )]
    async fn bulk_create(
        &self,
        caller: &Caller,
        parent: &ParentIssue,
        items: &[NewSubtask],
    ) -> Result<Vec<ItemOutcome>, GatewayError> {
        self.create_subtasks(caller, parent, items).await
    }

    /// `GET /user/bulk?accountId=…&maxResults=100`: one call for up to 100 accounts; more are
    /// left out (names are a courtesy of the preview, not something to spend calls on).
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "users",
            http.method = "GET",
            http.route = "/rest/api/3/user/bulk",
        )
    )]
    async fn users(
        &self,
        caller: &Caller,
        account_ids: &[String],
    ) -> Result<Vec<UserRef>, GatewayError> {
        self.read_users(caller, account_ids).await
    }

    #[tracing::instrument(skip_all, fields(jira.op = "subtask_origins"))]
    async fn subtask_origins(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<(String, Option<Origin>)>, GatewayError> {
        self.read_subtask_origins(caller, parent_key).await
    }

    #[tracing::instrument(skip_all, fields(jira.op = "existing_subtasks"))]
    async fn existing_subtasks(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<ExistingSubtask>, GatewayError> {
        self.read_existing_subtasks(caller, parent_key).await
    }

    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "get_issue_property",
            http.method = "GET",
            http.route = "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        )
    )]
    async fn get_issue_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        key: &str,
    ) -> Result<Option<Value>, GatewayError> {
        self.read_issue_property(caller, issue_key, key).await
    }

    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "put_issue_property",
            http.method = "PUT",
            http.route = "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        )
    )]
    async fn put_issue_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        key: &str,
        value: &Value,
    ) -> Result<(), GatewayError> {
        self.write_issue_property(caller, issue_key, key, value).await
    }
}
