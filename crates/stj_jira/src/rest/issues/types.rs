//! The subtask issue types a project offers, read two ways: with the project, or on their own.

use serde_json::Value;
use stj_subtasks::{Caller, GatewayError, IssueTypeRef, ProjectSubtaskTypes};

use super::{json, string};
use crate::rest::{JiraIssueGateway, at, refusal};

/// Subtask types (hierarchy level -1) among issue types as Jira lists them, in Jira's order.
fn subtask_types_in(types: &Value) -> Vec<IssueTypeRef> {
    types
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            at(t, "/hierarchyLevel").as_i64() == Some(-1)
                || at(t, "/subtask").as_bool() == Some(true)
        })
        .filter_map(|t| {
            Some(IssueTypeRef {
                id: string(at(t, "/id"))?,
                name: at(t, "/name").as_str()?.to_owned(),
            })
        })
        .collect()
}

impl JiraIssueGateway {
    pub(super) async fn read_project_subtask_types(
        &self,
        caller: &Caller,
        project_key: &str,
    ) -> Result<Option<ProjectSubtaskTypes>, GatewayError> {
        stj_validation::id_rules::project_key(project_key)
            .map_err(|p| GatewayError::Rejected(p.message))?;
        let project = self.get_json(caller, &format!("/rest/api/3/project/{project_key}")).await?;
        let project_id = string(at(&project, "/id")).ok_or_else(|| {
            GatewayError::Unavailable(anyhow::anyhow!("project answer lacks its id"))
        })?;
        Ok(Some(ProjectSubtaskTypes {
            project_id,
            types: subtask_types_in(at(&project, "/issueTypes")),
        }))
    }

    pub(super) async fn read_subtask_types(
        &self,
        caller: &Caller,
        project_id: &str,
    ) -> Result<Vec<IssueTypeRef>, GatewayError> {
        if project_id.is_empty() || !project_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GatewayError::Rejected("project id must be numeric".into()));
        }
        let path = format!("/rest/api/3/issuetype/project?projectId={project_id}&level=-1");
        let reply = self.call(caller, "GET", &path, None, true).await?;
        if reply.status != 200 {
            return Err(refusal(&reply));
        }
        Ok(json(&reply.body)?
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some(IssueTypeRef {
                    id: string(at(t, "/id"))?,
                    name: at(t, "/name").as_str()?.to_owned(),
                })
            })
            .collect())
    }
}
