//! Imports from rival apps' text formats, for their users moving to Jira Cloud.

mod attributes;
mod multiple;
mod quick_subtasks;

use stj_validation::{Problem, ValidationReport, code, field};

use crate::check::check_subtask;
use crate::lines::split_lines;
use crate::model::SubtaskSpec;

/// The text formats [`import_text`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportFormat {
    /// Multiple Subtasks for Jira (codescape): `- summary` then `key: value` lines.
    MultipleSubtasks,
    /// Quick Subtasks for Jira (hascode): `- summary / key:"value"` on one line.
    QuickSubtasks,
}

/// Which format `text` is in: Quick Subtasks if a `- ` line has a `key:"value"` attribute after
/// a `/`, else Multiple Subtasks if any line starts with `-`, else neither.
pub fn detect_format(text: &str) -> Option<ImportFormat> {
    let dashed: Vec<&str> =
        split_lines(text).map(str::trim).filter(|line| line.starts_with('-')).collect();
    if dashed.is_empty() {
        return None;
    }
    let quick = dashed.iter().any(|line| {
        line.split_once('/').is_some_and(|(_, attributes)| {
            attributes.split_once(':').is_some_and(|(_, value)| value.trim_start().starts_with('"'))
        })
    });
    Some(if quick { ImportFormat::QuickSubtasks } else { ImportFormat::MultipleSubtasks })
}

/// Reads subtasks in a rival app's format (detected by [`detect_format`]). Every problem is
/// reported with its line; unsupported attributes are problems, never dropped silently.
pub fn import_text(text: &str) -> Result<Vec<SubtaskSpec>, ValidationReport> {
    let (drafts, mut report) = match detect_format(text) {
        Some(ImportFormat::MultipleSubtasks) => multiple::parse(text),
        Some(ImportFormat::QuickSubtasks) => quick_subtasks::parse(text),
        None => {
            let line = (1..)
                .zip(split_lines(text))
                .find(|(_, line)| !line.trim().is_empty())
                .map(|(n, _)| n);
            let problem = Problem::new(
                field::LINE,
                code::BAD_SYNTAX,
                "No subtasks found: in Multiple Subtasks and Quick Subtasks text every subtask \
                 starts with `- `.",
            );
            return Err(ValidationReport::from(Problem { line, ..problem }));
        }
    };
    let specs = drafts
        .into_iter()
        .map(|draft| {
            let spec = draft.spec.normalized();
            report.merge(Some(draft.line), check_subtask(&spec));
            spec
        })
        .collect();
    report.problems.sort_by_key(|problem| problem.line);
    report.into_result(specs)
}

/// A subtask being read, and the line it starts on.
struct Draft {
    line: usize,
    spec: SubtaskSpec,
}

impl Draft {
    fn new(line: usize, summary: String) -> Self {
        Self { line, spec: SubtaskSpec::new(summary) }
    }
}

#[cfg(test)]
mod tests;
