//! Preview and apply. Apply creates what is missing, in typed order, at most 50 per bulk call; a
//! write whose outcome is unknown is resolved by looking at the parent's subtasks (each carries an
//! origin marker), never by creating again.

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;
use stj_privacy::Personal;
use stj_templates::{ParentContext, RenderedAssignee, RenderedSubtask, SubtaskSpec, render_all};
use stj_validation::ValidationReport;

use crate::ledger::{ApplyEntry, Ledger};
use crate::ports::{
    Caller, GatewayError, IssueGateway, ItemOutcome, NewSubtask, Origin, ParentIssue,
    ProjectSubtaskTypes,
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
        // Looked up together, neither waiting for the other: the parent with its ledger (one call
        // where the gateway can) and the subtask types of the project the issue key names.
        let (looked_up, by_key) = tokio::join!(
            self.gateway.parent_with_property(caller, &request.issue_key, &self.ledger_key),
            self.types_by_issue_key(caller, &request.issue_key),
        );
        let (parent, stored_ledger) = looked_up?;
        if parent.is_subtask {
            return Err(ApplyError::ParentIsSubtask(parent.key));
        }
        let rendered = render(caller, &parent, request)?;
        let types = match by_key {
            // Only if the key's project is the parent's (a moved issue keeps its old keys).
            Some(found) if found.project_id == parent.project_id => found.types,
            _ => self.gateway.subtask_types(caller, &parent.project_id).await?,
        };
        let issue_type = types.first().ok_or(ApplyError::NoSubtaskType)?.id.clone();
        let apply_id = apply_id(&parent.key, request, &rendered);
        let items: Vec<NewSubtask> = rendered
            .into_iter()
            .enumerate()
            .map(|(index, r)| new_subtask(r, Origin { apply_id: apply_id.clone(), index }))
            .collect();
        let mut run =
            Run::start(self, caller, &parent, stored_ledger.as_ref(), &apply_id, items.len())
                .await?;
        let result = run.create_missing(&issue_type, &items).await;
        let report = run.report(&items);
        match result {
            Ok(()) => Ok(report),
            Err(cause) => Err(ApplyError::Incomplete { report, cause }),
        }
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
        stored_ledger: Option<&Value>,
        apply_id: &str,
        n: usize,
    ) -> Result<Self, GatewayError> {
        let mut ledger = Ledger::parse(stored_ledger);
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use serde_json::Value;
    use stj_core::ClientKey;
    use stj_privacy::Personal;
    use stj_templates::SubtaskSpec;

    use crate::ports::{
        Caller, ExistingSubtask, GatewayError, IssueGateway, IssueTypeRef, ItemOutcome, NewSubtask,
        Origin, ParentIssue, ProjectSubtaskTypes,
    };
    use crate::service::{ApplyRequest, ItemStatus, SubtaskService};

    /// A parent `DEMO-1` in project 10000, whatever key it is asked by; records every call.
    #[derive(Debug)]
    struct Fake {
        /// What the look-up by project key answers.
        by_key: fn() -> Result<Option<ProjectSubtaskTypes>, GatewayError>,
        ledger: Mutex<Option<Value>>,
        calls: Mutex<Vec<String>>,
    }

    impl Fake {
        fn new(by_key: fn() -> Result<Option<ProjectSubtaskTypes>, GatewayError>) -> Self {
            Self { by_key, ledger: Mutex::new(None), calls: Mutex::new(Vec::new()) }
        }

        fn log(&self, call: String) {
            self.calls.lock().unwrap().push(call);
        }

        fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }
    }

    fn types(id: &str) -> Vec<IssueTypeRef> {
        vec![IssueTypeRef { id: id.to_owned(), name: "Sub-task".to_owned() }]
    }

    #[async_trait]
    impl IssueGateway for Fake {
        async fn existing_subtasks(
            &self,
            _: &Caller,
            _: &str,
        ) -> Result<Vec<ExistingSubtask>, GatewayError> {
            Ok(Vec::new())
        }

        async fn parent(&self, _: &Caller, issue_key: &str) -> Result<ParentIssue, GatewayError> {
            self.log(format!("parent {issue_key}"));
            Ok(ParentIssue {
                id: "10001".to_owned(),
                key: "DEMO-1".to_owned(),
                project_id: "10000".to_owned(),
                summary: Personal::new("Parent".to_owned()),
                assignee: None,
                reporter_account_id: None,
                due_date: None,
                is_subtask: false,
            })
        }

        async fn project_subtask_types(
            &self,
            _: &Caller,
            project_key: &str,
        ) -> Result<Option<ProjectSubtaskTypes>, GatewayError> {
            self.log(format!("project {project_key}"));
            (self.by_key)()
        }

        async fn subtask_types(
            &self,
            _: &Caller,
            project_id: &str,
        ) -> Result<Vec<IssueTypeRef>, GatewayError> {
            self.log(format!("types {project_id}"));
            Ok(types("by-id"))
        }

        async fn bulk_create(
            &self,
            _: &Caller,
            _: &ParentIssue,
            issue_type_id: &str,
            items: &[NewSubtask],
        ) -> Result<Vec<ItemOutcome>, GatewayError> {
            self.log(format!("bulk {issue_type_id} {}", items.len()));
            Ok(items
                .iter()
                .map(|i| ItemOutcome::Created {
                    key: format!("DEMO-{}", i.origin.index.saturating_add(2)),
                })
                .collect())
        }

        async fn subtask_origins(
            &self,
            _: &Caller,
            _: &str,
        ) -> Result<Vec<(String, Option<Origin>)>, GatewayError> {
            self.log("origins".to_owned());
            Ok(Vec::new())
        }

        async fn get_issue_property(
            &self,
            _: &Caller,
            issue_key: &str,
            _: &str,
        ) -> Result<Option<Value>, GatewayError> {
            self.log(format!("get ledger {issue_key}"));
            Ok(self.ledger.lock().unwrap().clone())
        }

        async fn put_issue_property(
            &self,
            _: &Caller,
            issue_key: &str,
            _: &str,
            value: &Value,
        ) -> Result<(), GatewayError> {
            self.log(format!("put ledger {issue_key}"));
            *self.ledger.lock().unwrap() = Some(value.clone());
            Ok(())
        }
    }

    async fn apply(fake: &Arc<Fake>, issue_key: &str) -> Vec<ItemStatus> {
        let service = SubtaskService::new(fake.clone(), "app");
        let caller = Caller {
            client_key: ClientKey::parse("tenant-1").unwrap(),
            account_id: Personal::new("user-1".to_owned()),
        };
        let request = ApplyRequest {
            issue_key: issue_key.to_owned(),
            specs: vec![SubtaskSpec::new("One"), SubtaskSpec::new("Two")],
            source_id: "quick-entry".to_owned(),
            repeat: None,
            today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        let report = service.apply(&caller, &request).await.unwrap();
        report.items.into_iter().map(|i| i.status).collect()
    }

    fn created(keys: &[&str]) -> Vec<ItemStatus> {
        keys.iter().map(|k| ItemStatus::Created { key: (*k).to_owned() }).collect()
    }

    #[tokio::test]
    async fn the_types_of_the_keys_project_are_used_when_it_is_the_parents() {
        let fake = Arc::new(Fake::new(|| {
            Ok(Some(ProjectSubtaskTypes { project_id: "10000".into(), types: types("by-key") }))
        }));
        assert_eq!(apply(&fake, "DEMO-1").await, created(&["DEMO-2", "DEMO-3"]));
        let calls = fake.calls();
        assert_eq!(calls.len(), 6, "{calls:?}");
        let (together, rest) = calls.split_at(3);
        let mut together = together.to_vec();
        together.sort();
        assert_eq!(together, ["get ledger DEMO-1", "parent DEMO-1", "project DEMO"]);
        assert_eq!(rest, ["put ledger DEMO-1", "bulk by-key 2", "put ledger DEMO-1"]);
    }

    #[tokio::test]
    async fn otherwise_the_types_are_asked_for_by_the_parents_project_id() {
        // The issue was moved: its old key names a project it is no longer in.
        let moved =
            || Ok(Some(ProjectSubtaskTypes { project_id: "20000".into(), types: types("by-key") }));
        let failed = || Err(GatewayError::NotFound);
        let unsupported = || Ok(None);
        for by_key in [moved, failed, unsupported] {
            let fake = Arc::new(Fake::new(by_key));
            assert_eq!(apply(&fake, "OLD-7").await, created(&["DEMO-2", "DEMO-3"]));
            let calls = fake.calls();
            assert!(calls.contains(&"types 10000".to_owned()), "{calls:?}");
            assert!(calls.contains(&"bulk by-id 2".to_owned()), "{calls:?}");
            assert!(calls.contains(&"get ledger DEMO-1".to_owned()), "ledger of the parent");
        }
    }
}
