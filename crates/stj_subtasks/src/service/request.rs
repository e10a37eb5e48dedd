//! What an application is asked to do: which subtasks (an [`ApplySource`], read here into lines
//! within the count rule), on which issue, for which click.

use chrono::NaiveDate;
use stj_core::IssueKey;
use stj_templates::{SubtaskSpec, format_quick_entry_mapped, parse_quick_entry_mapped};
use stj_validation::limits;

use super::ApplyError;
use crate::library::LibraryService;
use crate::ports::Caller;
use crate::properties::PropertyTarget;

/// What quick entry typed into the issue view is recorded as (it has no stored template).
pub const QUICK_ENTRY_SOURCE: &str = "quick-entry";

/// What is applied: quick-entry text as typed, or a stored template by its library and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplySource {
    QuickEntry(String),
    Template { target: PropertyTarget, id: String },
}

impl ApplySource {
    /// The source's name in the ledger, where earlier applications of it are found:
    /// [`QUICK_ENTRY_SOURCE`], `personal/{id}` or `project/{KEY}/{id}`.
    pub fn id(&self) -> String {
        match self {
            Self::QuickEntry(_) => QUICK_ENTRY_SOURCE.to_owned(),
            Self::Template { target: PropertyTarget::User { .. }, id } => format!("personal/{id}"),
            Self::Template { target: PropertyTarget::Project { key }, id } => {
                format!("project/{key}/{id}")
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApplyRequest {
    pub issue_key: IssueKey,
    pub source: ApplySource,
    /// The user's date for relative due dates.
    pub today: NaiveDate,
    /// The type of lines that name none (`None`: the project's first subtask type).
    pub subtask_type_id: Option<String>,
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

/// The subtasks a source holds, each with its source line: of the text sent, or of the stored
/// template's quick entry as the templates API shows it, so every problem is where the user
/// sees it. A stored template's lines carry its subtask type where they name none.
#[derive(Debug, Clone)]
pub(crate) struct Subtasks {
    pub(crate) specs: Vec<SubtaskSpec>,
    lines: Vec<usize>,
    /// [`ApplySource::id`].
    pub(crate) source: String,
}

impl Subtasks {
    /// Reads `source` (a stored one through `library`, as `caller`) and checks the count rule:
    /// the one place an application's number of subtasks is checked.
    pub(crate) async fn read(
        library: &LibraryService,
        caller: &Caller,
        source: &ApplySource,
    ) -> Result<Self, ApplyError> {
        let (specs, lines) = match source {
            ApplySource::QuickEntry(text) => {
                parse_quick_entry_mapped(text).map_err(ApplyError::Invalid)?
            }
            ApplySource::Template { target, id } => {
                let (_, template) = library.template(caller, target, id).await?;
                let (_, lines) = format_quick_entry_mapped(&template.subtasks);
                (template.specs(), lines)
            }
        };
        limits::subtask_count(specs.len()).map_err(|v| ApplyError::Invalid(v.into()))?;
        Ok(Self { specs, lines: lines.lines().to_vec(), source: source.id() })
    }

    /// The source line of item `index` (its position, should the map be short).
    pub(crate) fn line(&self, index: usize) -> usize {
        self.lines.get(index).copied().unwrap_or_else(|| index.saturating_add(1))
    }
}
