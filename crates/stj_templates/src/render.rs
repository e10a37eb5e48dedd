//! Filling a subtask in from its parent issue: variables, assignee, due date, estimate.

use chrono::{NaiveDate, TimeDelta};
use stj_validation::{ValidationReport, Violation, code, field, text};

use crate::check::check_subtask;
use crate::model::{Assignee, DueAnchor, SubtaskSpec};
use crate::variables::{Piece, Variable, has_variables, pieces};

/// What the parent issue and the applying user supply. Account ids and names are personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentContext {
    pub key: String,
    pub summary: String,
    pub assignee_account_id: Option<String>,
    /// What `{{parent.assignee}}` becomes; `None` (unassigned) renders as an empty string.
    pub assignee_display_name: Option<String>,
    pub reporter_account_id: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// The day the template is applied, in the user's time zone (the caller knows it).
    pub today: NaiveDate,
    pub applying_account_id: String,
}

/// Who Jira should assign: the three cases must stay apart, because leaving the field out gives
/// the project's default assignee (often the project lead), which is not "unassigned".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderedAssignee {
    /// Leave the field out of the create request.
    ProjectDefault,
    /// Send `"assignee": null`.
    Unassigned,
    /// Send `"assignee": {"id": …}`.
    Account(String),
}

/// A subtask ready for Jira's create-issue request (every value final and validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedSubtask {
    pub summary: String,
    /// Plain text; the adapter turns it into ADF.
    pub description: Option<String>,
    pub assignee: RenderedAssignee,
    pub labels: Vec<String>,
    /// Jira's `timetracking.originalEstimate`, e.g. `1d 4h`.
    pub original_estimate: Option<String>,
    pub priority: Option<String>,
    pub due_date: Option<NaiveDate>,
}

/// Renders one subtask for `parent`. Problems carry no line; [`render_all`] adds them.
pub fn render(
    spec: &SubtaskSpec,
    parent: &ParentContext,
) -> Result<RenderedSubtask, ValidationReport> {
    let mut report = check_subtask(spec);
    if !report.is_empty() {
        return Err(report);
    }
    let summary =
        fill(&spec.summary, field::SUMMARY, parent).map(|filled| filled.trim().to_owned());
    if let Some(summary) = &summary {
        let used_variables =
            pieces(field::SUMMARY, &spec.summary).is_ok_and(|found| has_variables(&found));
        report.check(
            None,
            text::summary(summary).map_err(|problem| match (problem.code, used_variables) {
                (code::TOO_LONG, true) => Violation {
                    message: format!(
                        "Summary must be less than 255 characters once the parent's values are \
                         filled in (it has {}).",
                        text::jira_len(summary)
                    ),
                    ..problem
                },
                _ => problem,
            }),
        );
    }
    let description =
        spec.description.as_deref().and_then(|template| fill(template, field::DESCRIPTION, parent));
    if let Some(description) = &description {
        report.check(None, text::description(description));
    }
    let assignee = report.check(None, assignee(spec.assignee.as_ref(), parent));
    let due_date = match spec.due {
        Some(due) => report.check(None, due_date(due.days, due.anchor, parent)).map(Some),
        None => Some(None),
    };
    match (summary, assignee, due_date) {
        (Some(summary), Some(assignee), Some(due_date)) if report.is_empty() => {
            Ok(RenderedSubtask {
                summary,
                description,
                assignee,
                labels: spec.labels.clone(),
                original_estimate: spec.estimate.map(|estimate| estimate.to_jira()),
                priority: spec.priority.clone(),
                due_date,
            })
        }
        _ => Err(report),
    }
}

/// Renders every subtask, in order; problems carry the subtask's 1-based position as `line`.
pub fn render_all(
    specs: &[SubtaskSpec],
    parent: &ParentContext,
) -> Result<Vec<RenderedSubtask>, ValidationReport> {
    let mut report = ValidationReport::new();
    let mut rendered = Vec::with_capacity(specs.len());
    for (line, spec) in (1..).zip(specs) {
        match render(spec, parent) {
            Ok(subtask) => rendered.push(subtask),
            Err(problems) => report.merge(Some(line), problems),
        }
    }
    report.into_result(rendered)
}

/// `template` with its variables replaced; `None` only if the variables are malformed, which
/// `check_subtask` has already reported.
fn fill(template: &str, field: &'static str, parent: &ParentContext) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(field, template).ok()? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Var(Variable::ParentSummary) => out.push_str(&parent.summary),
            Piece::Var(Variable::ParentKey) => out.push_str(&parent.key),
            Piece::Var(Variable::ParentAssignee) => {
                out.push_str(parent.assignee_display_name.as_deref().unwrap_or(""));
            }
            Piece::Var(Variable::ParentDue) => {
                out.push_str(&parent.due_date.map(iso).unwrap_or_default());
            }
            Piece::Var(Variable::Today) => out.push_str(&iso(parent.today)),
        }
    }
    Some(out)
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn assignee(
    assignee: Option<&Assignee>,
    parent: &ParentContext,
) -> Result<RenderedAssignee, Violation> {
    Ok(match assignee {
        None => RenderedAssignee::ProjectDefault,
        Some(Assignee::Unassigned) => RenderedAssignee::Unassigned,
        Some(Assignee::AccountId(id)) => RenderedAssignee::Account(id.clone()),
        Some(Assignee::Me) => RenderedAssignee::Account(parent.applying_account_id.clone()),
        Some(Assignee::ParentAssignee) => match &parent.assignee_account_id {
            Some(id) => RenderedAssignee::Account(id.clone()),
            None => RenderedAssignee::Unassigned,
        },
        Some(Assignee::Reporter) => match &parent.reporter_account_id {
            Some(id) => RenderedAssignee::Account(id.clone()),
            None => {
                return Err(Violation::new(
                    field::ASSIGNEE,
                    code::MISSING,
                    format!("`@reporter`: {} has no reporter to assign.", parent.key),
                ));
            }
        },
    })
}

fn due_date(days: i32, anchor: DueAnchor, parent: &ParentContext) -> Result<NaiveDate, Violation> {
    let base = match anchor {
        DueAnchor::Today => parent.today,
        DueAnchor::ParentDue => parent.due_date.ok_or_else(|| {
            Violation::new(
                field::DUE,
                code::MISSING,
                format!(
                    "The due date is counted from the parent's due date, but {} has none: set \
                     one on {} or count from today (due:+Nd).",
                    parent.key, parent.key
                ),
            )
        })?,
    };
    TimeDelta::try_days(i64::from(days))
        .and_then(|delta| base.checked_add_signed(delta))
        .ok_or_else(|| {
            Violation::new(field::DUE, code::TOO_LARGE, "The due date falls outside the calendar.")
        })
}

#[cfg(test)]
mod tests;
