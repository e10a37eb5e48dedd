//! Issue properties: read one (absent is `None`), write one; keys are checked before they reach
//! a path.

use serde_json::Value;
use stj_core::IssueKey;
use stj_subtasks::{Caller, GatewayError};

use super::json;
use crate::rest::{JiraIssueGateway, refusal};

pub(super) fn checked_property(key: &str) -> Result<&str, GatewayError> {
    stj_validation::id_rules::property_key(key).map_err(|p| GatewayError::Rejected(p.message))?;
    Ok(key)
}

impl JiraIssueGateway {
    pub(super) async fn read_issue_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        key: &str,
    ) -> Result<Option<Value>, GatewayError> {
        let path = format!("/rest/api/3/issue/{issue_key}/properties/{}", checked_property(key)?);
        let reply = self.call(caller, "GET", &path, None, true).await?;
        match reply.status {
            200 => Ok(json(&reply.body)?.get("value").cloned()),
            404 => Ok(None),
            _ => Err(refusal(&reply)),
        }
    }

    pub(super) async fn write_issue_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        key: &str,
        value: &Value,
    ) -> Result<(), GatewayError> {
        let path = format!("/rest/api/3/issue/{issue_key}/properties/{}", checked_property(key)?);
        let reply = self.call(caller, "PUT", &path, Some(value), true).await?;
        match reply.status {
            200 | 201 => Ok(()),
            _ => Err(refusal(&reply)),
        }
    }
}
