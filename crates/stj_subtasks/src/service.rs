//! Preview and apply. An application is one click, named by the client's idempotency key: apply
//! creates what that application still lacks, in typed order, at most 50 per bulk call; a write
//! whose outcome is unknown is resolved by looking at the parent's subtasks (each carries an
//! origin marker), never by creating again. What is applied comes as an [`ApplySource`], read
//! here (`request`), so the edge only names it.

mod lines;
mod look_up;
mod report;
mod request;
mod run;
mod subtask_types;

pub use report::{
    ApplyError, ApplyReport, ItemReport, ItemStatus, Preview, PreviewItem, PreviousApplication,
    Recorded,
};
pub use request::{ApplyOptions, ApplyRequest, ApplySource, QUICK_ENTRY_SOURCE};
pub use subtask_types::SUBTASK_TYPE_UNKNOWN;

use std::sync::Arc;
use std::time::Instant;

use stj_core::{EntityKind, EntityLocks, IssueKey, LockedEntity};
use stj_templates::{RenderedAssignee, SubtaskSpec};

use crate::ledger::{Ledger, Stamp};
use crate::library::LibraryService;
use crate::locks::LocalLocks;
use crate::ports::{Caller, GatewayError, IssueGateway, NewSubtask};
use crate::progress::{Progress, ProgressRegistry};
use request::Subtasks;
use run::Run;

/// Jira's bulk-create limit.
pub const BULK_LIMIT: usize = 50;

#[derive(Debug)]
pub struct SubtaskService {
    gateway: Arc<dyn IssueGateway>,
    /// Where stored templates are read from.
    library: Arc<LibraryService>,
    ledger_key: String,
    progress: ProgressRegistry,
    /// Serialises each issue's ledger read-modify-write (in process by default).
    locks: Arc<dyn EntityLocks>,
}

impl SubtaskService {
    pub fn new(
        gateway: Arc<dyn IssueGateway>,
        library: Arc<LibraryService>,
        app_key: &str,
    ) -> Self {
        Self {
            gateway,
            library,
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
    pub fn progress(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        apply_id: &str,
    ) -> Option<Progress> {
        self.progress.get(&caller.client_key, issue_key.as_str(), apply_id)
    }

    /// Renders against the real parent and validates; writes nothing.
    pub async fn preview(
        &self,
        caller: &Caller,
        request: &ApplyRequest,
    ) -> Result<Preview, ApplyError> {
        let subtasks = Subtasks::read(&self.library, caller, &request.source).await?;
        let (parent, stored, types) = self.look_up(caller, &request.issue_key).await?;
        let (default_type, items) =
            lines::typed_items(caller, &parent, request, &subtasks, &types, "")?;
        let names = self.display_names(caller, &parent, &items).await;
        let previous = match request.source {
            ApplySource::QuickEntry(_) => Vec::new(),
            ApplySource::Template { .. } => {
                let ledger = Ledger::parse(stored.as_ref());
                PreviousApplication::all_of(&ledger, &subtasks.source, &parent.subtask_keys)
            }
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
                let line = subtasks.line(item.origin.index);
                PreviewItem { line, rendered, issue_type, assignee_name }
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
        issue_key: &IssueKey,
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
        issue_key: &IssueKey,
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
        let subtasks = Subtasks::read(&self.library, caller, &request.source).await?;
        // By the key the client names: the parent's id is only known after a read that must
        // already be inside the lock.
        let issue = request.issue_key.as_str();
        let entity = LockedEntity::new(&caller.client_key, EntityKind::IssueLedger, issue);
        let asked = Instant::now();
        let turn = self.locks.lock(&entity).await?;
        let held = Instant::now();
        let result = self.apply_locked(caller, request, &subtasks, options).await;
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
        subtasks: &Subtasks,
        options: &ApplyOptions,
    ) -> Result<ApplyReport, ApplyError> {
        let (parent, stored, types) = self.look_up(caller, &request.issue_key).await?;
        if parent.is_subtask {
            return Err(ApplyError::ParentIsSubtask(parent.key));
        }
        let (_, items) =
            lines::typed_items(caller, &parent, request, subtasks, &types, &options.apply_id)?;
        let items: Vec<NewSubtask> = items.into_iter().map(|(item, _)| item).collect();
        let stamp = Stamp { source: subtasks.source.clone(), on: options.applied_on };
        let mut run =
            Run::start(self, caller, &parent, stored.as_ref(), options, &stamp, &items).await?;
        let running = self.progress.start(
            &caller.client_key,
            request.issue_key.as_str(),
            &options.apply_id,
            run.keys().to_vec(),
        );
        let result = run.create_missing(&items, &running).await;
        drop(running);
        let report = run.report(subtasks, &items);
        match result {
            Ok(()) => Ok(report),
            Err(cause) => Err(ApplyError::Incomplete { report, cause }),
        }
    }
}

#[cfg(test)]
mod tests;
