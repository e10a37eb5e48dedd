//! Which subtask type each item gets: the line's own (a stored template's lines carry the
//! template's type when they name none), else the request's, else the project's first.

use stj_templates::SubtaskSpec;
use stj_validation::{Violation, field};

use super::{ApplyError, ApplyRequest};
use crate::ports::IssueTypeRef;

/// The code of a problem about a line naming a type the project does not have.
pub const SUBTASK_TYPE_UNKNOWN: &str = "subtask_type_unknown";

/// The type of lines that name none.
pub(super) fn default_type(
    types: &[IssueTypeRef],
    request: &ApplyRequest,
) -> Result<IssueTypeRef, ApplyError> {
    if let Some(id) = &request.subtask_type_id {
        return types.iter().find(|t| t.id == *id).cloned().ok_or(ApplyError::SubtaskTypeInvalid);
    }
    types.first().cloned().ok_or(ApplyError::NoSubtaskType)
}

/// The type of one line: the one it names (by name, ignoring case), else `default`.
pub(super) fn line_type(
    types: &[IssueTypeRef],
    spec: &SubtaskSpec,
    default: &IssueTypeRef,
) -> Result<IssueTypeRef, Violation> {
    let Some(name) = spec.issue_type.as_deref() else {
        return Ok(default.clone());
    };
    let wanted = name.trim().to_lowercase();
    types.iter().find(|t| t.name.to_lowercase() == wanted).cloned().ok_or_else(|| {
        let known: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        Violation::new(
            field::ISSUE_TYPE,
            SUBTASK_TYPE_UNKNOWN,
            format!(
                "This project has no subtask type \"{name}\"; its subtask types: {}.",
                known.join(", ")
            ),
        )
    })
}
