//! Which subtask type each item gets: the line's own, else the request's, else the template's,
//! else the project's first subtask type.

use stj_templates::SubtaskSpec;
use stj_validation::Problem;

use super::{ApplyError, ApplyRequest};
use crate::ports::IssueTypeRef;

/// The type of lines that name none.
pub(super) fn default_type(
    types: &[IssueTypeRef],
    request: &ApplyRequest,
) -> Result<IssueTypeRef, ApplyError> {
    if let Some(id) = &request.subtask_type_id {
        return types.iter().find(|t| t.id == *id).cloned().ok_or(ApplyError::SubtaskTypeInvalid);
    }
    // A template may be applied in several projects: a type it names that this project lacks
    // is no reason to refuse, the project's first type stands in.
    let by_template =
        request.template_subtask_type.as_deref().and_then(|wanted| find(types, wanted));
    by_template.or_else(|| types.first()).cloned().ok_or(ApplyError::NoSubtaskType)
}

/// The type of one line.
pub(super) fn line_type(
    _types: &[IssueTypeRef],
    _spec: &SubtaskSpec,
    default: &IssueTypeRef,
) -> Result<IssueTypeRef, Problem> {
    Ok(default.clone())
}

/// A type by id, else by name ignoring case.
fn find<'a>(types: &'a [IssueTypeRef], wanted: &str) -> Option<&'a IssueTypeRef> {
    types
        .iter()
        .find(|t| t.id == wanted)
        .or_else(|| types.iter().find(|t| t.name.to_lowercase() == wanted.to_lowercase()))
}
