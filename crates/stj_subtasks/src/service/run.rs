//! One application in progress: its ledger entry, what this attempt created, and the bulk calls.

use serde_json::Value;

use super::request::Subtasks;
use super::{
    ApplyError, ApplyOptions, ApplyReport, BULK_LIMIT, ItemReport, ItemStatus, SubtaskService,
};
use crate::ledger::{ApplyEntry, Ledger, Stamp};
use crate::ports::{Caller, GatewayError, ItemOutcome, NewSubtask, ParentIssue};
use crate::progress::Running;

/// Attempts to resolve an uncertain write before giving up (the user can retry safely).
const MAX_RECOVERIES: usize = 3;

pub(super) struct Run<'a> {
    service: &'a SubtaskService,
    caller: &'a Caller,
    parent: &'a ParentIssue,
    ledger: Ledger,
    entry: ApplyEntry,
    /// Keys present before this attempt started (reported as already existing).
    existed: Vec<Option<String>>,
    rejected: Vec<Option<String>>,
}

impl<'a> Run<'a> {
    pub(super) async fn start(
        service: &'a SubtaskService,
        caller: &'a Caller,
        parent: &'a ParentIssue,
        stored_ledger: Option<&Value>,
        options: &ApplyOptions,
        stamp: &Stamp,
        items: &[NewSubtask],
    ) -> Result<Self, ApplyError> {
        let n = items.len();
        let mut ledger = Ledger::parse(stored_ledger);
        let entry = ledger
            .take(&options.apply_id, n, stamp)
            .map_err(|recorded| ApplyError::KeyReused { recorded })?;
        let needs_recovery = ledger.untrusted() || entry.pending;
        let mut run = Self {
            service,
            caller,
            parent,
            ledger,
            entry,
            existed: Vec::new(),
            rejected: vec![None; n],
        };
        if needs_recovery {
            run.recover().await?;
        }
        if options.recreate_deleted {
            // "Create only the missing ones": forget what no longer exists under the parent.
            for slot in &mut run.entry.keys {
                if slot.as_ref().is_some_and(|key| !parent.subtask_keys.contains(key)) {
                    *slot = None;
                }
            }
        }
        run.existed = run.entry.keys.clone();
        Ok(run)
    }

    /// Fills ledger slots from the origin markers of the parent's subtasks.
    async fn recover(&mut self) -> Result<(), GatewayError> {
        let origins = self.service.gateway.subtask_origins(self.caller, &self.parent.key).await?;
        for (key, origin) in origins {
            if let Some(origin) = origin.filter(|o| o.apply_id == self.entry.id)
                && let Some(slot) = self.entry.keys.get_mut(origin.index)
            {
                slot.get_or_insert(key);
            }
        }
        Ok(())
    }

    async fn save(&self) -> Result<(), GatewayError> {
        let value = self.ledger.with(&self.entry).to_value();
        self.service
            .gateway
            .put_issue_property(self.caller, &self.parent.key, &self.service.ledger_key, &value)
            .await
    }

    /// Created key per item so far.
    pub(super) fn keys(&self) -> &[Option<String>] {
        &self.entry.keys
    }

    pub(super) async fn create_missing(
        &mut self,
        items: &[NewSubtask],
        progress: &Running<'_>,
    ) -> Result<(), GatewayError> {
        let mut missing = self.entry.missing();
        if missing.is_empty() {
            return Ok(());
        }
        // Recorded before writing: a crash from here on is recovered from origin markers.
        self.entry.pending = true;
        self.save().await?;
        let mut recoveries = 0;
        while let Some(chunk) = next_chunk(&missing, &self.rejected) {
            let batch: Vec<NewSubtask> =
                chunk.iter().filter_map(|&i| items.get(i).cloned()).collect();
            match self.service.gateway.bulk_create(self.caller, self.parent, &batch).await {
                Ok(outcomes) => {
                    for (&index, outcome) in chunk.iter().zip(outcomes) {
                        match outcome {
                            ItemOutcome::Created { key } => {
                                if let Some(slot) = self.entry.keys.get_mut(index) {
                                    *slot = Some(key);
                                }
                            }
                            ItemOutcome::Rejected { message } => {
                                if let Some(slot) = self.rejected.get_mut(index) {
                                    *slot = Some(message);
                                }
                            }
                        }
                    }
                }
                Err(GatewayError::Uncertain(cause)) if recoveries < MAX_RECOVERIES => {
                    recoveries = recoveries.saturating_add(1);
                    tracing::warn!(apply.id = %self.entry.id, error.cause = %cause, "bulk create outcome unknown; recovering");
                    self.recover().await?;
                }
                Err(err) => {
                    self.save().await.ok();
                    return Err(err);
                }
            }
            progress.update(&self.entry.keys);
            missing = self.entry.missing();
        }
        self.entry.pending = false;
        self.save().await
    }

    pub(super) fn report(&self, subtasks: &Subtasks, items: &[NewSubtask]) -> ApplyReport {
        let keys = &self.entry.keys;
        let reports = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let key = keys.get(i).cloned().flatten();
                let existed = self.existed.get(i).cloned().flatten();
                let rejected = self.rejected.get(i).cloned().flatten();
                let status = match (existed, key, rejected) {
                    (Some(key), _, _) => ItemStatus::AlreadyExisted { key },
                    (None, Some(key), _) => ItemStatus::Created { key },
                    (None, None, Some(message)) => ItemStatus::Rejected { message },
                    (None, None, None) => ItemStatus::NotAttempted,
                };
                ItemReport { line: subtasks.line(i), summary: item.summary.clone(), status }
            })
            .collect();
        ApplyReport {
            apply_id: self.entry.id.clone(),
            parent_key: self.parent.key.clone(),
            items: reports,
        }
    }
}

/// The first ≤ 50 missing items that Jira has not rejected, in typed order.
fn next_chunk(missing: &[usize], rejected: &[Option<String>]) -> Option<Vec<usize>> {
    let chunk: Vec<usize> = missing
        .iter()
        .copied()
        .filter(|&i| rejected.get(i).is_none_or(Option::is_none))
        .take(BULK_LIMIT)
        .collect();
    (!chunk.is_empty()).then_some(chunk)
}
