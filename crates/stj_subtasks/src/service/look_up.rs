//! What an application reads from Jira before it writes: the parent with its ledger, the
//! subtask types of its project, and (for a preview) the display names of assignees.

use std::collections::HashMap;

use serde_json::Value;
use stj_core::IssueKey;
use stj_privacy::Personal;
use stj_templates::{RenderedAssignee, RenderedSubtask};

use super::{ApplyError, SubtaskService};
use crate::ports::{Caller, IssueTypeRef, NewSubtask, ParentIssue, ProjectSubtaskTypes};

impl SubtaskService {
    /// The parent with its ledger and its project's subtask types. Looked up together, neither
    /// waiting for the other: the parent with its ledger (one call where the gateway can) and
    /// the subtask types of the project the issue key names.
    pub(super) async fn look_up(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
    ) -> Result<(ParentIssue, Option<Value>, Vec<IssueTypeRef>), ApplyError> {
        let (looked_up, by_key) = tokio::join!(
            self.gateway.parent_with_property(caller, issue_key, &self.ledger_key),
            self.types_by_issue_key(caller, issue_key),
        );
        let (parent, stored) = looked_up?;
        let types = match by_key {
            // Only if the key's project is the parent's (a moved issue keeps its old keys).
            Some(found) if found.project_id == parent.project_id => found.types,
            _ => self.gateway.subtask_types(caller, &parent.project_id).await?,
        };
        Ok((parent, stored, types))
    }

    /// The subtask types of the project an issue key names (`DEMO-1`: `DEMO`), or `None` when the
    /// gateway cannot tell; a failure here is left to the look-up by project id that follows.
    async fn types_by_issue_key(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
    ) -> Option<ProjectSubtaskTypes> {
        match self.gateway.project_subtask_types(caller, issue_key.project_key()).await {
            Ok(found) => found,
            Err(err) => {
                tracing::debug!(error.cause = %err, "subtask types by project key failed; asking by id");
                None
            }
        }
    }

    /// Display names of the people items are assigned to; a failed look-up only costs names.
    pub(super) async fn display_names(
        &self,
        caller: &Caller,
        parent: &ParentIssue,
        items: &[(NewSubtask, RenderedSubtask)],
    ) -> HashMap<String, Personal<String>> {
        let mut names = HashMap::new();
        if let Some(assignee) = &parent.assignee {
            names.insert(assignee.account_id.clone(), assignee.display_name.clone());
        }
        let mut wanted: Vec<String> = items
            .iter()
            .filter_map(|(_, r)| match &r.assignee {
                RenderedAssignee::Account(id) if !names.contains_key(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return names;
        }
        match self.gateway.users(caller, &wanted).await {
            Ok(users) => {
                names.extend(users.into_iter().map(|u| (u.account_id, u.display_name)));
            }
            Err(err) => {
                tracing::debug!(error.cause = %err, "user look-up failed; preview without names")
            }
        }
        names
    }
}
