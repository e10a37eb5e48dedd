//! Imports from rival apps' text formats, for their users moving to Jira Cloud.

mod attributes;
mod multiple;
mod quick_subtasks;

use stj_validation::{ValidationReport, Violation, code, field};

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
    let (_, drafts, unmapped) = read(text)?;
    let mut report = ValidationReport::new();
    for item in unmapped {
        report.push(item.violation);
    }
    finish(drafts, report)
}

/// What [`import_leniently`] could read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub format: ImportFormat,
    pub specs: Vec<SubtaskSpec>,
    /// What could not be mapped and was left out, in line order.
    pub unmapped: Vec<Unmapped>,
}

/// A line, or one attribute of a line, that an import left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// The text as written (the line, or the `key:"value"` attribute), trimmed.
    pub text: String,
    /// Why, with `line` set.
    pub violation: Violation,
}

impl Unmapped {
    pub(crate) fn new(line: usize, text: &str, violation: Violation) -> Self {
        Self { text: text.trim().to_owned(), violation: violation.at_line(line) }
    }

    /// A line in neither shape the format allows.
    pub(crate) fn bad_syntax(line: usize, text: &str, message: &str) -> Self {
        Self::new(line, text, Violation::new(field::LINE, code::BAD_SYNTAX, message))
    }
}

/// [`import_text`] keeping what it can: attributes and lines with no equivalent here (or with
/// a value this app cannot read) are left out and listed in `unmapped`, with the reason, instead
/// of refusing the whole text. Still an error: text in neither format, and subtasks that would
/// be invalid (an empty summary, an unknown `{{variable}}`).
pub fn import_leniently(text: &str) -> Result<Import, ValidationReport> {
    let (format, drafts, mut unmapped) = read(text)?;
    let specs = finish(drafts, ValidationReport::new())?;
    unmapped.sort_by_key(|item| item.violation.line);
    Ok(Import { format, specs, unmapped })
}

/// The drafts and what could not be read, or why the text is in neither format.
fn read(text: &str) -> Result<(ImportFormat, Vec<Draft>, Vec<Unmapped>), ValidationReport> {
    let Some(format) = detect_format(text) else {
        let line = filled_lines(text).next().map(|(n, _)| n);
        let problem = Violation::new(
            field::LINE,
            code::BAD_SYNTAX,
            "No subtasks found: in Multiple Subtasks and Quick Subtasks text every subtask \
             starts with `- `.",
        );
        return Err(ValidationReport::from(Violation { line, ..problem }));
    };
    let (drafts, unmapped) = match format {
        ImportFormat::MultipleSubtasks => multiple::parse(text),
        ImportFormat::QuickSubtasks => quick_subtasks::parse(text),
    };
    Ok((format, drafts, unmapped))
}

/// The drafts as subtasks in normal form, each checked at its line, with `report`'s problems.
fn finish(
    drafts: Vec<Draft>,
    mut report: ValidationReport,
) -> Result<Vec<SubtaskSpec>, ValidationReport> {
    let specs = drafts
        .into_iter()
        .map(|draft| {
            let spec = draft.spec.normalized();
            report.merge(Some(draft.line), check_subtask(&spec));
            spec
        })
        .collect();
    report.violations.sort_by_key(|problem| problem.line);
    report.into_result(specs)
}

/// The lines that are not blank, trimmed, with their 1-based numbers.
fn filled_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    (1..)
        .zip(split_lines(text))
        .map(|(n, line)| (n, line.trim()))
        .filter(|(_, line)| !line.is_empty())
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
