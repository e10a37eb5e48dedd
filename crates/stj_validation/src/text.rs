//! Rules for the free-text fields of a subtask and a template.
//!
//! Lengths are counted as Jira counts them: Jira is Java, and a Java `String`'s length is its
//! number of UTF-16 code units. That equals the number of characters for everything in the Basic
//! Multilingual Plane (Latin, Cyrillic, CJK, ...) and counts an emoji or another astral character
//! twice, which is exactly when Jira would refuse a text we counted as short enough.

use std::collections::HashSet;

use crate::report::{Violation, code, field};

/// Jira's "Summary must be less than 255 characters".
pub const SUMMARY_MAX: usize = 254;
/// Jira's limit for one label.
pub const LABEL_MAX: usize = 255;
/// Jira's limit for a priority name.
pub const PRIORITY_MAX: usize = 255;
/// Jira's limit for a text field (`jira.text.field.character.limit`, default 32,767).
pub const DESCRIPTION_MAX: usize = 32_767;
/// Jira's limit for an issue type's name ("must not exceed 60 characters").
pub const ISSUE_TYPE_NAME_MAX: usize = 60;
/// The app's limit for a template's name.
pub const TEMPLATE_NAME_MAX: usize = 255;

/// The length of `text` as Jira counts it: UTF-16 code units (see the module docs).
pub fn jira_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Whether `c` ends a line somewhere: in Jira, in a browser or in a text editor.
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// The summary Jira will receive: 1 to [`SUMMARY_MAX`] characters, not blank, one line.
pub fn summary(text: &str) -> Result<(), Violation> {
    one_line(field::SUMMARY, "summary", text)?;
    at_most(field::SUMMARY, "Summary", text, SUMMARY_MAX)
}

/// One label: not empty, no whitespace (Jira splits labels on it), at most [`LABEL_MAX`].
pub fn label(text: &str) -> Result<(), Violation> {
    if text.is_empty() {
        return Err(Violation::new(field::LABELS, code::EMPTY, "A label cannot be empty."));
    }
    if text.chars().any(char::is_whitespace) {
        return Err(Violation::new(
            field::LABELS,
            code::WHITESPACE,
            format!("Label `{}` contains whitespace, which Jira labels cannot.", excerpt(text)),
        ));
    }
    at_most(field::LABELS, "A label", text, LABEL_MAX)
}

/// Every label of one subtask: each valid, none twice (Jira would keep one silently).
pub fn labels(labels: &[String]) -> Vec<Violation> {
    let mut seen = HashSet::new();
    let mut problems = Vec::new();
    for text in labels {
        if let Err(problem) = label(text) {
            problems.push(problem);
        } else if !seen.insert(text.as_str()) {
            problems.push(Violation::new(
                field::LABELS,
                code::DUPLICATE,
                format!("Label `{}` is given twice.", excerpt(text)),
            ));
        }
    }
    problems
}

/// A description: at most [`DESCRIPTION_MAX`] characters. Empty is fine (it means none).
pub fn description(text: &str) -> Result<(), Violation> {
    at_most(field::DESCRIPTION, "The description", text, DESCRIPTION_MAX)
}

/// A priority's name as the user typed it (the adapter matches it against the site's list):
/// not blank, one line, at most [`PRIORITY_MAX`].
pub fn priority(text: &str) -> Result<(), Violation> {
    one_line(field::PRIORITY, "priority name", text)?;
    at_most(field::PRIORITY, "The priority name", text, PRIORITY_MAX)
}

/// An issue type's name, as a subtask line or a template names it: not blank, one line, at
/// most [`ISSUE_TYPE_NAME_MAX`]. Whether the project has such a type is known only when applied.
pub fn issue_type_name(text: &str) -> Result<(), Violation> {
    one_line(field::ISSUE_TYPE, "issue type name", text)?;
    at_most(field::ISSUE_TYPE, "The issue type name", text, ISSUE_TYPE_NAME_MAX)
}

/// A template's name: not blank, one line, at most [`TEMPLATE_NAME_MAX`].
pub fn template_name(text: &str) -> Result<(), Violation> {
    one_line(field::TEMPLATE_NAME, "template name", text)?;
    at_most(field::TEMPLATE_NAME, "The template name", text, TEMPLATE_NAME_MAX)
}

/// Not blank and on one line: "The {what} is empty.", "The {what} must be a single line.".
pub fn one_line(field: &'static str, what: &str, text: &str) -> Result<(), Violation> {
    if text.trim().is_empty() {
        return Err(Violation::new(field, code::EMPTY, format!("The {what} is empty.")));
    }
    if text.chars().any(is_line_break) {
        return Err(Violation::new(
            field,
            code::MULTI_LINE,
            format!("The {what} must be a single line."),
        ));
    }
    Ok(())
}

/// At most 40 characters of `text`, for messages that quote a value which may be huge.
pub fn excerpt(text: &str) -> String {
    const KEEP: usize = 40;
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(KEEP).collect();
    if chars.next().is_some() { format!("{head}…") } else { head }
}

fn at_most(field: &'static str, what: &str, text: &str, max: usize) -> Result<(), Violation> {
    let len = jira_len(text);
    if len > max {
        // Jira words its summary rule as "less than 255"; keep that phrasing for every limit.
        let limit = max.saturating_add(1);
        return Err(Violation::new(
            field,
            code::TOO_LONG,
            format!("{what} must be less than {limit} characters (it has {len})."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
