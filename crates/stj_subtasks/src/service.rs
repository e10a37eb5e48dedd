//! Preview and apply. An application is one click, named by the client's idempotency key: apply
//! creates what that application still lacks, in typed order, at most 50 per bulk call; a write
//! whose outcome is unknown is resolved by looking at the parent's subtasks (each carries an
//! origin marker), never by creating again.

mod run;
mod types;

pub use types::SUBTASK_TYPE_UNKNOWN;

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use stj_core::{EntityKind, EntityLocks, LockError, LockedEntity};
use stj_privacy::Personal;
use stj_templates::{ParentContext, RenderedAssignee, RenderedSubtask, SubtaskSpec, render};
use stj_validation::ValidationReport;

use crate::ledger::{Ledger, Stamp};
use crate::locks::LocalLocks;
use crate::ports::{
    Caller, GatewayError, IssueGateway, IssueTypeRef, NewSubtask, Origin, ParentIssue,
    ProjectSubtaskTypes,
};
use crate::progress::{Progress, ProgressRegistry};
use run::Run;

/// Jira's bulk-create limit.
pub const BULK_LIMIT: usize = 50;
/// What quick entry typed into the issue view is recorded as (it has no stored template).
pub const QUICK_ENTRY_SOURCE: &str = "quick-entry";

#[derive(Debug, Clone)]
pub struct ApplyRequest {
    pub issue_key: String,
    pub specs: Vec<SubtaskSpec>,
    /// The source line (1-based) of each spec, for problems and reports; missing entries fall
    /// back to the spec's position.
    pub lines: Vec<usize>,
    /// `personal/{id}`, `project/{KEY}/{id}` or [`QUICK_ENTRY_SOURCE`].
    pub source: String,
    /// The user's date for relative due dates.
    pub today: NaiveDate,
    /// The type of lines that name none (`None`: the project's first subtask type).
    pub subtask_type_id: Option<String>,
}

impl ApplyRequest {
    /// The source line of item `index`.
    pub fn line(&self, index: usize) -> usize {
        self.lines.get(index).copied().unwrap_or_else(|| index.saturating_add(1))
    }
}

/// What makes an apply request one particular click.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// The client's idempotency key: the application's id on this parent.
    pub apply_id: String,
    /// Re-create the items of this application whose subtasks no longer exist.
    pub recreate_deleted: bool,
    /// The UTC date recorded for a new application.
    pub applied_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemStatus {
    Created {
        key: String,
    },
    /// Created by an earlier attempt of the same application; nothing new was made.
    AlreadyExisted {
        key: String,
    },
    Rejected {
        message: String,
    },
    NotAttempted,
}

#[derive(Debug, Clone)]
pub struct ItemReport {
    pub line: usize,
    pub summary: Personal<String>,
    pub status: ItemStatus,
}

#[derive(Debug, Clone)]
pub struct ApplyReport {
    pub apply_id: String,
    pub parent_key: String,
    pub items: Vec<ItemReport>,
}

/// One item as it would be created.
#[derive(Debug, Clone)]
pub struct PreviewItem {
    pub line: usize,
    pub rendered: RenderedSubtask,
    pub issue_type: IssueTypeRef,
    /// The assignee's display name, when the assignee is a person Jira let us look up.
    pub assignee_name: Option<Personal<String>>,
}

/// An earlier application of the same template on the parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousApplication {
    pub apply_id: String,
    pub applied_on: Option<NaiveDate>,
    pub total: usize,
    pub created: usize,
    /// Created subtasks still among the parent's subtasks.
    pub present: usize,
}

#[derive(Debug, Clone)]
pub struct Preview {
    pub parent_key: String,
    pub items: Vec<PreviewItem>,
    pub subtask_types: Vec<IssueTypeRef>,
    pub default_type_id: String,
    /// Newest first; empty for quick entry.
    pub previous: Vec<PreviousApplication>,
}

/// What an earlier application recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub total: usize,
    /// Created key per item (`None`: not created yet).
    pub keys: Vec<Option<String>>,
    pub pending: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the template does not render for this issue")]
    Invalid(ValidationReport),
    #[error("{0} is a subtask; subtasks cannot have subtasks")]
    ParentIsSubtask(String),
    #[error("the project has no subtask issue type (subtasks may be disabled)")]
    NoSubtaskType,
    #[error("the subtask type is not one of the project's subtask types")]
    SubtaskTypeInvalid,
    /// The idempotency key names an application of another size on this parent.
    #[error("this idempotency key was used for an application of {recorded} items")]
    KeyReused { recorded: usize },
    /// Another request held this issue's ledger past the wait bound, or the lock service is
    /// down; nothing was done.
    #[error("the issue's ledger could not be locked")]
    Locks(#[from] LockError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// Some items were created; the rest can be created by applying again (no duplicates).
    #[error("stopped part-way; applying again creates only what is missing")]
    Incomplete { report: ApplyReport, cause: GatewayError },
}

#[derive(Debug)]
pub struct SubtaskService {
    gateway: Arc<dyn IssueGateway>,
    ledger_key: String,
    progress: ProgressRegistry,
    /// Serialises each issue's ledger read-modify-write (in process by default).
    locks: Arc<dyn EntityLocks>,
}

impl SubtaskService {
    pub fn new(gateway: Arc<dyn IssueGateway>, app_key: &str) -> Self {
        Self {
            gateway,
            ledger_key: format!("{app_key}.ledger"),
            progress: ProgressRegistry::default(),
            locks: Arc::new(LocalLocks::default()),
        }
    }

    /// Serialises applications per issue through `locks` (shared by every instance on Postgres).
    #[must_use]
    pub fn with_locks(self, locks: Arc<dyn EntityLocks>) -> Self {
        Self { locks, ..self }
    }

    /// The progress of an application while this instance runs it (`None` otherwise).
    pub fn progress(&self, caller: &Caller, issue_key: &str, apply_id: &str) -> Option<Progress> {
        self.progress.get(&caller.client_key, issue_key, apply_id)
    }

    /// Renders against the real parent and validates; writes nothing.
    pub async fn preview(
        &self,
        caller: &Caller,
        request: &ApplyRequest,
    ) -> Result<Preview, ApplyError> {
        let (parent, stored, types) = self.look_up(caller, &request.issue_key).await?;
        let (default_type, items) = self.items(caller, &parent, request, &types, "")?;
        let names = self.display_names(caller, &parent, &items).await;
        let ledger = Ledger::parse(stored.as_ref());
        let previous = if request.source == QUICK_ENTRY_SOURCE {
            Vec::new()
        } else {
            ledger
                .of_source(&request.source)
                .map(|entry| PreviousApplication {
                    apply_id: entry.id.clone(),
                    applied_on: entry.applied_on(),
                    total: entry.total,
                    created: entry.created(),
                    present: entry
                        .keys
                        .iter()
                        .flatten()
                        .filter(|k| parent.subtask_keys.contains(k))
                        .count(),
                })
                .collect()
        };
        let items = items
            .into_iter()
            .map(|(item, rendered)| {
                let issue_type = types
                    .iter()
                    .find(|t| t.id == item.issue_type_id)
                    .cloned()
                    .unwrap_or_else(|| default_type.clone());
                let assignee_name = match &rendered.assignee {
                    RenderedAssignee::Account(id) => names.get(id).cloned(),
                    _ => None,
                };
                PreviewItem {
                    line: request.line(item.origin.index),
                    rendered,
                    issue_type,
                    assignee_name,
                }
            })
            .collect();
        Ok(Preview {
            parent_key: parent.key,
            items,
            default_type_id: default_type.id,
            subtask_types: types,
            previous,
        })
    }

    /// The issue's existing subtasks as template lines (due dates are absolute there, so they
    /// are left out; descriptions stay in Jira).
    pub async fn as_template(
        &self,
        caller: &Caller,
        issue_key: &str,
    ) -> Result<Vec<SubtaskSpec>, GatewayError> {
        let existing = self.gateway.existing_subtasks(caller, issue_key).await?;
        Ok(existing
            .into_iter()
            .map(|subtask| {
                let mut spec = SubtaskSpec::new(subtask.summary.into_inner());
                spec.assignee = subtask.assignee_account_id.map(stj_templates::Assignee::AccountId);
                spec.labels = subtask.labels;
                spec.estimate = subtask
                    .original_estimate
                    .and_then(|e| stj_templates::Estimate::parse(&e.replace(' ', "")).ok());
                spec.priority = subtask.priority_name;
                spec.normalized()
            })
            .collect())
    }

    /// What an earlier application recorded in the parent's ledger.
    pub async fn application(
        &self,
        caller: &Caller,
        issue_key: &str,
        apply_id: &str,
    ) -> Result<Option<Recorded>, GatewayError> {
        let stored = self.gateway.get_issue_property(caller, issue_key, &self.ledger_key).await?;
        Ok(Ledger::parse(stored.as_ref()).find(apply_id).map(|entry| Recorded {
            total: entry.total,
            keys: entry.keys.clone(),
            pending: entry.pending,
        }))
    }

    /// Applies with the parent's ledger locked: overlapping requests for one issue (the same
    /// click sent twice, or two clicks) take turns, so each reads the ledger the previous wrote.
    pub async fn apply(
        &self,
        caller: &Caller,
        request: &ApplyRequest,
        options: &ApplyOptions,
    ) -> Result<ApplyReport, ApplyError> {
        // By the key the client names (upper case, as Jira prints keys): the parent's id is only
        // known after a read that must already be inside the lock.
        let issue = request.issue_key.to_ascii_uppercase();
        let entity = LockedEntity::new(&caller.client_key, EntityKind::IssueLedger, issue);
        let asked = Instant::now();
        let turn = self.locks.lock(&entity).await?;
        let held = Instant::now();
        let result = self.apply_locked(caller, request, options).await;
        drop(turn);
        tracing::debug!(
            apply.id = %options.apply_id,
            lock.wait_ms = held.duration_since(asked).as_millis(),
            lock.held_ms = held.elapsed().as_millis(),
            "issue ledger released"
        );
        result
    }

    async fn apply_locked(
        &self,
        caller: &Caller,
        request: &ApplyRequest,
        options: &ApplyOptions,
    ) -> Result<ApplyReport, ApplyError> {
        let (parent, stored, types) = self.look_up(caller, &request.issue_key).await?;
        if parent.is_subtask {
            return Err(ApplyError::ParentIsSubtask(parent.key));
        }
        let (_, items) = self.items(caller, &parent, request, &types, &options.apply_id)?;
        let items: Vec<NewSubtask> = items.into_iter().map(|(item, _)| item).collect();
        let stamp = Stamp { source: request.source.clone(), on: options.applied_on };
        let mut run =
            Run::start(self, caller, &parent, stored.as_ref(), options, &stamp, &items).await?;
        let running = self.progress.start(
            &caller.client_key,
            &request.issue_key,
            &options.apply_id,
            run.keys().to_vec(),
        );
        let result = run.create_missing(&items, &running).await;
        drop(running);
        let report = run.report(request, &items);
        match result {
            Ok(()) => Ok(report),
            Err(cause) => Err(ApplyError::Incomplete { report, cause }),
        }
    }

    /// The parent with its ledger and its project's subtask types. Looked up together, neither
    /// waiting for the other: the parent with its ledger (one call where the gateway can) and
    /// the subtask types of the project the issue key names.
    async fn look_up(
        &self,
        caller: &Caller,
        issue_key: &str,
    ) -> Result<(ParentIssue, Option<serde_json::Value>, Vec<IssueTypeRef>), ApplyError> {
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

    /// Every item rendered and typed, with its origin marker; all problems at their source lines.
    fn items(
        &self,
        caller: &Caller,
        parent: &ParentIssue,
        request: &ApplyRequest,
        types: &[IssueTypeRef],
        apply_id: &str,
    ) -> Result<(IssueTypeRef, Vec<(NewSubtask, RenderedSubtask)>), ApplyError> {
        let default_type = types::default_type(types, request)?;
        let context = context(caller, parent, request.today);
        let mut report = ValidationReport::new();
        let mut items = Vec::with_capacity(request.specs.len());
        for (index, spec) in request.specs.iter().enumerate() {
            let line = Some(request.line(index));
            let issue_type = report.check(line, types::line_type(types, spec, &default_type));
            match render(spec, &context) {
                Ok(rendered) => {
                    if let Some(issue_type) = issue_type {
                        let origin = Origin { apply_id: apply_id.to_owned(), index };
                        items.push((new_subtask(&rendered, issue_type.id, origin), rendered));
                    }
                }
                Err(problems) => report.merge(line, problems),
            }
        }
        let items = report.into_result(items).map_err(ApplyError::Invalid)?;
        Ok((default_type, items))
    }

    /// Display names of the people items are assigned to; a failed look-up only costs names.
    async fn display_names(
        &self,
        caller: &Caller,
        parent: &ParentIssue,
        items: &[(NewSubtask, RenderedSubtask)],
    ) -> std::collections::HashMap<String, Personal<String>> {
        let mut names = std::collections::HashMap::new();
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
            Err(err) => tracing::debug!(error = %err, "user look-up failed; preview without names"),
        }
        names
    }

    /// The subtask types of the project an issue key names (`DEMO-1`: `DEMO`), or `None` when the
    /// gateway cannot tell; a failure here is left to the look-up by project id that follows.
    async fn types_by_issue_key(
        &self,
        caller: &Caller,
        issue_key: &str,
    ) -> Option<ProjectSubtaskTypes> {
        let (project_key, _) = issue_key.rsplit_once('-')?;
        match self.gateway.project_subtask_types(caller, project_key).await {
            Ok(found) => found,
            Err(err) => {
                tracing::debug!(error = %err, "subtask types by project key failed; asking by id");
                None
            }
        }
    }
}

fn context(caller: &Caller, parent: &ParentIssue, today: NaiveDate) -> ParentContext {
    ParentContext {
        key: parent.key.clone(),
        summary: parent.summary.expose().clone(),
        assignee_account_id: parent.assignee.as_ref().map(|a| a.account_id.clone()),
        assignee_display_name: parent.assignee.as_ref().map(|a| a.display_name.expose().clone()),
        reporter_account_id: parent.reporter_account_id.clone(),
        due_date: parent.due_date,
        today,
        applying_account_id: caller.account_id.expose().clone(),
    }
}

fn new_subtask(rendered: &RenderedSubtask, issue_type_id: String, origin: Origin) -> NewSubtask {
    let rendered = rendered.clone();
    NewSubtask {
        summary: Personal::new(rendered.summary),
        description: rendered.description.map(Personal::new),
        assignee: rendered.assignee,
        labels: rendered.labels,
        original_estimate: rendered.original_estimate,
        priority_name: rendered.priority,
        due_date: rendered.due_date,
        issue_type_id,
        origin,
    }
}

#[cfg(test)]
mod tests;
