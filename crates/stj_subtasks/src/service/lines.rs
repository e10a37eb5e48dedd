//! Every line rendered against the parent and typed, with its origin marker; all violations at
//! their source lines.

use chrono::NaiveDate;
use stj_privacy::Personal;
use stj_templates::{ParentContext, RenderedSubtask, render};
use stj_validation::ValidationReport;

use super::request::Subtasks;
use super::{ApplyError, ApplyRequest, subtask_types};
use crate::ports::{Caller, IssueTypeRef, NewSubtask, Origin, ParentIssue};

/// The type of lines that name none, and each item ready to create with what it rendered to.
pub(super) type Typed = (IssueTypeRef, Vec<(NewSubtask, RenderedSubtask)>);

pub(super) fn typed_items(
    caller: &Caller,
    parent: &ParentIssue,
    request: &ApplyRequest,
    subtasks: &Subtasks,
    types: &[IssueTypeRef],
    apply_id: &str,
) -> Result<Typed, ApplyError> {
    let default_type = subtask_types::default_type(types, request)?;
    let context = context(caller, parent, request.today);
    let mut report = ValidationReport::new();
    let mut items = Vec::with_capacity(subtasks.specs.len());
    for (index, spec) in subtasks.specs.iter().enumerate() {
        let line = Some(subtasks.line(index));
        let issue_type = report.check(line, subtask_types::line_type(types, spec, &default_type));
        match render(spec, &context) {
            Ok(rendered) => {
                if let Some(issue_type) = issue_type {
                    let origin = Origin { apply_id: apply_id.to_owned(), index };
                    items.push((new_subtask(&rendered, issue_type.id, origin), rendered));
                }
            }
            Err(violations) => report.merge(line, violations),
        }
    }
    let items = report.into_result(items).map_err(ApplyError::Invalid)?;
    Ok((default_type, items))
}

fn context(caller: &Caller, parent: &ParentIssue, today: NaiveDate) -> ParentContext {
    ParentContext {
        key: parent.key.to_string(),
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
