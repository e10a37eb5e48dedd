//! Preview and apply. Apply creates what is missing, in typed order, at most 50 per bulk call; a
//! write whose outcome is unknown is resolved by looking at the parent's subtasks (each carries an
//! origin marker), never by creating again.

use std::sync::Arc;

use chrono::NaiveDate;
use stj_privacy::Personal;
use stj_templates::{ParentContext, RenderedAssignee, RenderedSubtask, SubtaskSpec, render_all};
use stj_validation::ValidationReport;

use crate::ledger::{ApplyEntry, Ledger};
use crate::ports::{
    Caller, GatewayError, IssueGateway, ItemOutcome, NewSubtask, Origin, ParentIssue,
};

/// Jira's bulk-create limit.
pub const BULK_LIMIT: usize = 50;
/// Attempts to resolve an uncertain write before giving up (the user can retry safely).
const MAX_RECOVERIES: usize = 3;

#[derive(Debug, Clone)]
pub struct ApplyRequest {
    pub issue_key: String,
    pub specs: Vec<SubtaskSpec>,
    /// Identifies the template (e.g. `personal/weekly-release`) or `quick-entry`.
    pub source_id: String,
    /// Set to apply the same template again on purpose (a new application, not a retry).
    pub repeat: Option<String>,
    pub today: NaiveDate,
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
    pub summary: Personal<String>,
    pub status: ItemStatus,
}

#[derive(Debug, Clone)]
pub struct ApplyReport {
    pub apply_id: String,
    pub parent_key: String,
    pub items: Vec<ItemReport>,
}

#[derive(Debug, Clone)]
pub struct Preview {
    pub parent_key: String,
    pub items: Vec<RenderedSubtask>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the template does not render for this issue")]
    Invalid(ValidationReport),
    #[error("{0} is a subtask; subtasks cannot have subtasks")]
    ParentIsSubtask(String),
    #[error("the project has no subtask issue type (subtasks may be disabled)")]
    NoSubtaskType,
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
}

impl SubtaskService {
    pub fn new(gateway: Arc<dyn IssueGateway>, app_key: &str) -> Self {
        Self { gateway, ledger_key: format!("{app_key}.ledger") }
    }

    /// Renders against the real parent and validates; writes nothing.
    pub async fn preview(
        &self,
        caller: &Caller,
        request: &ApplyRequest,
    ) -> Result<Preview, ApplyError> {
        let parent = self.gateway.parent(caller, &request.issue_key).await?;
        let items = render(caller, &parent, request)?;
        Ok(Preview { parent_key: parent.key, items })
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

    /// What an earlier application recorded: the created key per item (`None`: not created yet).
    pub async fn application(
        &self,
        caller: &Caller,
        issue_key: &str,
        apply_id: &str,
    ) -> Result<Option<Vec<Option<String>>>, GatewayError> {
        let stored = self.gateway.get_issue_property(caller, issue_key, &self.ledger_key).await?;
        Ok(Ledger::parse(stored.as_ref()).find(apply_id).map(|entry| entry.keys.clone()))
    }

    pub async fn apply(
        &self,
        caller: &Caller,
        request: &ApplyRequest,
    ) -> Result<ApplyReport, ApplyError> {
        let parent = self.gateway.parent(caller, &request.issue_key).await?;
        if parent.is_subtask {
            return Err(ApplyError::ParentIsSubtask(parent.key));
        }
        let rendered = render(caller, &parent, request)?;
        let types = self.gateway.subtask_types(caller, &parent.project_id).await?;
        let issue_type = types.first().ok_or(ApplyError::NoSubtaskType)?.id.clone();
        let apply_id = apply_id(&parent.key, request, &rendered);
        let items: Vec<NewSubtask> = rendered
            .into_iter()
            .enumerate()
            .map(|(index, r)| new_subtask(r, Origin { apply_id: apply_id.clone(), index }))
            .collect();
        let mut run = Run::start(self, caller, &parent, &apply_id, items.len()).await?;
        let result = run.create_missing(&issue_type, &items).await;
        let report = run.report(&items);
        match result {
            Ok(()) => Ok(report),
            Err(cause) => Err(ApplyError::Incomplete { report, cause }),
        }
    }
}

/// One application in progress: the ledger entry and what this attempt created.
struct Run<'a> {
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
    async fn start(
        service: &'a SubtaskService,
        caller: &'a Caller,
        parent: &'a ParentIssue,
        apply_id: &str,
        n: usize,
    ) -> Result<Self, GatewayError> {
        let stored =
            service.gateway.get_issue_property(caller, &parent.key, &service.ledger_key).await?;
        let mut ledger = Ledger::parse(stored.as_ref());
        let entry = ledger.take(apply_id, n);
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

    async fn create_missing(
        &mut self,
        issue_type: &str,
        items: &[NewSubtask],
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
            match self
                .service
                .gateway
                .bulk_create(self.caller, self.parent, issue_type, &batch)
                .await
            {
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
                    tracing::warn!(apply.id = %self.entry.id, error = %cause, "bulk create outcome unknown; recovering");
                    self.recover().await?;
                }
                Err(err) => {
                    self.save().await.ok();
                    return Err(err);
                }
            }
            missing = self.entry.missing();
        }
        self.entry.pending = false;
        self.save().await
    }

    fn report(&self, items: &[NewSubtask]) -> ApplyReport {
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
                ItemReport { summary: item.summary.clone(), status }
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

fn render(
    caller: &Caller,
    parent: &ParentIssue,
    request: &ApplyRequest,
) -> Result<Vec<RenderedSubtask>, ApplyError> {
    let context = ParentContext {
        key: parent.key.clone(),
        summary: parent.summary.expose().clone(),
        assignee_account_id: parent.assignee.as_ref().map(|a| a.account_id.clone()),
        assignee_display_name: parent.assignee.as_ref().map(|a| a.display_name.expose().clone()),
        reporter_account_id: parent.reporter_account_id.clone(),
        due_date: parent.due_date,
        today: request.today,
        applying_account_id: caller.account_id.expose().clone(),
    };
    render_all(&request.specs, &context).map_err(ApplyError::Invalid)
}

fn new_subtask(rendered: RenderedSubtask, origin: Origin) -> NewSubtask {
    NewSubtask {
        summary: Personal::new(rendered.summary),
        description: rendered.description.map(Personal::new),
        assignee: rendered.assignee,
        labels: rendered.labels,
        original_estimate: rendered.original_estimate,
        priority_name: rendered.priority,
        due_date: rendered.due_date,
        origin,
    }
}

/// Same parent, same source, same rendered items (and same `repeat` tag) → same application.
fn apply_id(parent_key: &str, request: &ApplyRequest, rendered: &[RenderedSubtask]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for part in [parent_key, &request.source_id, request.repeat.as_deref().unwrap_or("")] {
        ctx.update(part.as_bytes());
        ctx.update(&[0]);
    }
    for item in rendered {
        let assignee = match &item.assignee {
            RenderedAssignee::ProjectDefault => "default".to_owned(),
            RenderedAssignee::Unassigned => "none".to_owned(),
            RenderedAssignee::Account(id) => format!("id:{id}"),
        };
        let fields = [
            item.summary.as_str(),
            item.description.as_deref().unwrap_or(""),
            &assignee,
            &item.labels.join(" "),
            item.original_estimate.as_deref().unwrap_or(""),
            item.priority.as_deref().unwrap_or(""),
            &item.due_date.map(|d| d.to_string()).unwrap_or_default(),
        ];
        for field in fields {
            ctx.update(field.as_bytes());
            ctx.update(&[0]);
        }
        ctx.update(&[1]);
    }
    let digest = ctx.finish();
    hex::encode(digest.as_ref().get(..16).unwrap_or_default())
}
