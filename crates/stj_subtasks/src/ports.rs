//! What the service needs from Jira. Every call acts as the calling user, so Jira's own
//! permissions apply and the user is the reporter of what is created.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::NaiveDate;
use serde_json::Value;

use stj_core::{AccountId, ClientKey, IssueKey, JiraAccess};
use stj_privacy::Personal;
use stj_templates::RenderedAssignee;

/// The user on whose behalf the app calls Jira.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_key: ClientKey,
    pub account_id: AccountId,
    /// The credential the adapters use for this request (copied from the principal).
    pub access: JiraAccess,
}

#[derive(Debug, Clone)]
pub struct UserRef {
    pub account_id: String,
    pub display_name: Personal<String>,
}

/// The issue subtasks are created under. Its text is customer content: it lives only in memory.
#[derive(Debug, Clone)]
pub struct ParentIssue {
    pub id: String,
    pub key: IssueKey,
    pub project_id: String,
    pub summary: Personal<String>,
    pub assignee: Option<UserRef>,
    pub reporter_account_id: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// A subtask cannot have subtasks.
    pub is_subtask: bool,
    /// Keys of its subtasks as Jira lists them (to tell which created ones still exist).
    pub subtask_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueTypeRef {
    pub id: String,
    pub name: String,
}

/// A project's id and its subtask issue types, found by the project's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSubtaskTypes {
    pub project_id: String,
    pub types: Vec<IssueTypeRef>,
}

/// Marks a created subtask with the application and the item it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub apply_id: String,
    pub index: usize,
}

/// One subtask to create, fully rendered.
#[derive(Debug, Clone)]
pub struct NewSubtask {
    pub summary: Personal<String>,
    pub description: Option<Personal<String>>,
    pub assignee: RenderedAssignee,
    pub labels: Vec<String>,
    pub original_estimate: Option<String>,
    pub priority_name: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// Jira's bulk create takes the issue type per issue, so items of one call may differ.
    pub issue_type_id: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    Created {
        key: String,
    },
    /// Jira refused this element (its message, which names a field, never content).
    Rejected {
        message: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("not found or not visible to this user")]
    NotFound,
    #[error("Jira refused: the user lacks permission")]
    Forbidden,
    /// Jira's own reason, for the API answer only: Display leaves it out so that logging this
    /// error (`error.cause = %err`) never copies Jira's text, which may quote customer content.
    #[error("Jira rejected the request")]
    Rejected(String),
    /// Nothing was applied (connection refused, 429/5xx after retries before a write).
    #[error("Jira unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A write may or may not have been applied (timeout, dropped connection, 5xx after sending).
    #[error("Jira outcome unknown")]
    Uncertain(#[source] anyhow::Error),
}

/// An existing subtask, read to turn an issue's subtasks into a template.
#[derive(Debug, Clone)]
pub struct ExistingSubtask {
    pub summary: Personal<String>,
    pub assignee_account_id: Option<String>,
    pub labels: Vec<String>,
    /// Jira's `timetracking.originalEstimate`, e.g. `1d 4h`.
    pub original_estimate: Option<String>,
    pub priority_name: Option<String>,
}

#[async_trait]
pub trait IssueGateway: Send + Sync + Debug {
    /// The parent's subtasks with the fields a template keeps, oldest first.
    async fn existing_subtasks(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<ExistingSubtask>, GatewayError>;

    async fn parent(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
    ) -> Result<ParentIssue, GatewayError>;

    /// The parent and one of its issue properties (`None`: not set). Adapters that can read both
    /// in one call should: this default makes two, the property read after the parent's.
    async fn parent_with_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        property_key: &str,
    ) -> Result<(ParentIssue, Option<Value>), GatewayError> {
        let parent = self.parent(caller, issue_key).await?;
        let value = self.get_issue_property(caller, &parent.key, property_key).await?;
        Ok((parent, value))
    }

    /// The id and subtask types of the project with this key, so they can be looked up while the
    /// parent is (its key names its project). `Ok(None)`: not supported, use [`Self::subtask_types`].
    async fn project_subtask_types(
        &self,
        _caller: &Caller,
        _project_key: &str,
    ) -> Result<Option<ProjectSubtaskTypes>, GatewayError> {
        Ok(None)
    }

    /// Subtask issue types (hierarchy level −1) of the project.
    async fn subtask_types(
        &self,
        caller: &Caller,
        project_id: &str,
    ) -> Result<Vec<IssueTypeRef>, GatewayError>;

    /// One bulk create call (at most 50 items). Outcomes are in input order.
    async fn bulk_create(
        &self,
        caller: &Caller,
        parent: &ParentIssue,
        items: &[NewSubtask],
    ) -> Result<Vec<ItemOutcome>, GatewayError>;

    /// Users by account id (one call for all), for display names in a preview. Unknown or
    /// invisible accounts are left out; an empty answer is always acceptable.
    async fn users(
        &self,
        _caller: &Caller,
        _account_ids: &[String],
    ) -> Result<Vec<UserRef>, GatewayError> {
        Ok(Vec::new())
    }

    /// The parent's subtasks, oldest first, with the origin marker each carries (if any).
    async fn subtask_origins(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<(String, Option<Origin>)>, GatewayError>;

    async fn get_issue_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        key: &str,
    ) -> Result<Option<Value>, GatewayError>;

    async fn put_issue_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        key: &str,
        value: &Value,
    ) -> Result<(), GatewayError>;
}
