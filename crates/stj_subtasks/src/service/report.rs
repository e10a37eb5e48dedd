//! What preview and apply answer: the items as they would be or were created, earlier
//! applications, and why an application could not be done.

use chrono::NaiveDate;
use stj_core::{IssueKey, LockError};
use stj_privacy::Personal;
use stj_templates::RenderedSubtask;
use stj_validation::ValidationReport;

use crate::ledger::Ledger;
use crate::library::LibraryError;
use crate::ports::{GatewayError, IssueTypeRef};

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
    pub parent_key: IssueKey,
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

impl PreviousApplication {
    /// Every application of `source` the ledger records, newest first; `present` are the keys
    /// of the parent's subtasks now.
    pub(super) fn all_of(ledger: &Ledger, source: &str, present: &[String]) -> Vec<Self> {
        ledger
            .of_source(source)
            .map(|entry| Self {
                apply_id: entry.id.clone(),
                applied_on: entry.applied_on(),
                total: entry.total,
                created: entry.created(),
                present: entry.keys.iter().flatten().filter(|k| present.contains(k)).count(),
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Preview {
    pub parent_key: IssueKey,
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
    /// The source's text, its number of subtasks, or what it renders to for this issue.
    #[error("the subtasks are not valid for this issue")]
    Invalid(ValidationReport),
    /// The stored template could not be read (missing, unreadable, Jira unavailable).
    #[error("the template could not be read")]
    Library(#[from] LibraryError),
    #[error("{0} is a subtask; subtasks cannot have subtasks")]
    ParentIsSubtask(IssueKey),
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
