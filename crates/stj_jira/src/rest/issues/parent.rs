//! The parent issue as Jira answers it, with its subtask keys and, in the same call, an issue
//! property.

use chrono::NaiveDate;
use serde_json::Value;
use stj_core::IssueKey;
use stj_privacy::Personal;
use stj_subtasks::{Caller, GatewayError, IssueGateway, ParentIssue, UserRef};

use super::properties::checked_property;
use super::{json, string};
use crate::rest::{JiraIssueGateway, at, refusal};

const PARENT_FIELDS: &str = "summary,assignee,reporter,duedate,project,issuetype,subtasks";

/// The parent as `GET /issue/{key}?fields=…` answers it.
fn parent_issue(issue: &Value) -> Result<ParentIssue, GatewayError> {
    let f = &at(issue, "/fields");
    let missing =
        || GatewayError::Unavailable(anyhow::anyhow!("issue answer lacks id, key or project"));
    Ok(ParentIssue {
        id: string(at(issue, "/id")).ok_or_else(missing)?,
        key: at(issue, "/key")
            .as_str()
            .and_then(|k| IssueKey::parse(k).ok())
            .ok_or_else(missing)?,
        project_id: string(at(f, "/project/id")).ok_or_else(missing)?,
        summary: Personal::new(at(f, "/summary").as_str().unwrap_or_default().to_owned()),
        assignee: at(f, "/assignee/accountId").as_str().map(|id| UserRef {
            account_id: id.to_owned(),
            display_name: Personal::new(
                at(f, "/assignee/displayName").as_str().unwrap_or_default().to_owned(),
            ),
        }),
        reporter_account_id: at(f, "/reporter/accountId").as_str().map(str::to_owned),
        due_date: at(f, "/duedate")
            .as_str()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        is_subtask: at(f, "/issuetype/subtask").as_bool().unwrap_or(false)
            || at(f, "/issuetype/hierarchyLevel").as_i64() == Some(-1),
        subtask_keys: keys_of(at(f, "/subtasks")),
    })
}

/// The keys of Jira's `subtasks` field, in its order.
fn keys_of(subtasks: &Value) -> Vec<String> {
    subtasks
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| at(s, "/key").as_str().map(str::to_owned))
        .collect()
}

impl JiraIssueGateway {
    pub(super) async fn read_parent(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
    ) -> Result<ParentIssue, GatewayError> {
        let path = format!("/rest/api/3/issue/{issue_key}?fields={PARENT_FIELDS}");
        parent_issue(&self.get_json(caller, &path).await?)
    }

    pub(super) async fn read_parent_with_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        property_key: &str,
    ) -> Result<(ParentIssue, Option<Value>), GatewayError> {
        let property_key = checked_property(property_key)?;
        if property_key.starts_with('-') {
            // `properties=-key` would mean "all but key": read it on its own instead.
            let parent = self.parent(caller, issue_key).await?;
            let value = self.get_issue_property(caller, &parent.key, property_key).await?;
            return Ok((parent, value));
        }
        let path = format!(
            "/rest/api/3/issue/{issue_key}?fields={PARENT_FIELDS}&properties={property_key}"
        );
        let issue = self.get_json(caller, &path).await?;
        let value = at(&issue, "/properties").get(property_key).cloned();
        Ok((parent_issue(&issue)?, value))
    }

    /// The parent's subtask keys, oldest first.
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "subtask_keys",
            http.method = "GET",
            http.route = "/rest/api/3/issue/{issueIdOrKey}",
        )
    )]
    pub(super) async fn subtask_keys(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<String>, GatewayError> {
        let path = format!("/rest/api/3/issue/{parent_key}?fields=subtasks");
        let reply = self.call(caller, "GET", &path, None, true).await?;
        if reply.status != 200 {
            return Err(refusal(&reply));
        }
        Ok(keys_of(at(&json(&reply.body)?, "/fields/subtasks")))
    }
}
