//! Subtasks to quick-entry text, such that parsing the text gives the same subtasks back.

use super::escape::{escape_summary, priority_marker, type_marker};
use crate::line_map::LineMap;
use crate::model::{Assignee, DueAnchor, RelativeDue, SubtaskSpec};

/// Writes subtasks as quick-entry text: the summary, then its markers in a fixed order
/// (assignee, labels, estimate, priority, due, type), then the description indented by two spaces
/// with its empty lines left empty. Lines are joined by `\n`, with no final line break.
///
/// For every subtask that `check_subtask` accepts and that is in normal form
/// (`spec.clone().normalized() == spec`), `parse_quick_entry(&format_quick_entry(specs))`
/// gives `specs` back.
pub fn format_quick_entry(specs: &[SubtaskSpec]) -> String {
    format_quick_entry_mapped(specs).0
}

/// [`format_quick_entry`], with the line each subtask starts at in that text: the numbering a
/// stored template's problems use, since users see and edit it as this text.
pub fn format_quick_entry_mapped(specs: &[SubtaskSpec]) -> (String, LineMap) {
    let mut lines = Vec::new();
    let mut starts = Vec::with_capacity(specs.len());
    for spec in specs {
        starts.push(lines.len().saturating_add(1));
        let mut line = escape_summary(&spec.summary);
        for marker in markers(spec) {
            line.push(' ');
            line.push_str(&marker);
        }
        lines.push(line);
        for text in spec.description.iter().flat_map(|description| description.split('\n')) {
            lines.push(if text.is_empty() { String::new() } else { format!("  {text}") });
        }
    }
    (lines.join("\n"), LineMap::new(starts))
}

fn markers(spec: &SubtaskSpec) -> Vec<String> {
    let mut markers = Vec::new();
    if let Some(assignee) = &spec.assignee {
        markers.push(match assignee {
            Assignee::AccountId(id) => format!("@{id}"),
            Assignee::Me => "@me".to_owned(),
            Assignee::ParentAssignee => "@parent".to_owned(),
            Assignee::Reporter => "@reporter".to_owned(),
            Assignee::Unassigned => "@unassigned".to_owned(),
        });
    }
    markers.extend(spec.labels.iter().map(|label| format!("#{label}")));
    if let Some(estimate) = spec.estimate {
        markers.push(format!("~{}", estimate.to_jira().replace(' ', "")));
    }
    if let Some(priority) = &spec.priority {
        markers.push(priority_marker(priority));
    }
    if let Some(due) = spec.due {
        markers.push(due_marker(due));
    }
    if let Some(issue_type) = &spec.issue_type {
        markers.push(type_marker(issue_type));
    }
    markers
}

/// `due:today`, `due:+2d`, `due:-1d`, `due:parent`, `due:parent+2d`, `due:parent-1d`.
pub(crate) fn due_marker(due: RelativeDue) -> String {
    let anchor = match due.anchor {
        DueAnchor::Today if due.days == 0 => return "due:today".to_owned(),
        DueAnchor::Today => "",
        DueAnchor::ParentDue => "parent",
    };
    match due.days {
        0 => format!("due:{anchor}"),
        days if days > 0 => format!("due:{anchor}+{days}d"),
        days => format!("due:{anchor}{days}d"),
    }
}
