//! `Violation` and `ValidationReport`: what every check returns, so one report can carry all the
//! violations of a paste or a stored document at once instead of stopping at the first.
//!
//! A `Violation` is a line's fault, for the user to fix; it knows nothing of HTTP. The edge's
//! `stj_http::problem::Problem` (an RFC 9457 document) carries a report's violations to the
//! client in its `problems` member.

use std::fmt;

/// One broken rule, located by line (when there is one) and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// 1-based line of the text being parsed, or 1-based position of the subtask in a template.
    /// `None` for problems of the whole template or document.
    pub line: Option<usize>,
    /// Which field broke the rule; one of the constants in [`crate::field`].
    pub field: &'static str,
    /// Stable machine-readable code; one of the constants in [`crate::code`].
    pub code: &'static str,
    /// A sentence for a person, naming the offending value where that helps.
    pub message: String,
}

impl Violation {
    /// A problem not yet tied to a line.
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self { line: None, field, code, message: message.into() }
    }

    /// The same problem, located at `line` (1-based).
    #[must_use]
    pub fn at_line(self, line: usize) -> Self {
        Self { line: Some(line), ..self }
    }

    /// The same problem, reported against `field`: a rule written for account ids reports
    /// against `assignee` when it checks an assignee.
    #[must_use]
    pub fn in_field(self, field: &'static str) -> Self {
        Self { field, ..self }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Every violation found, in the order found. Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationReport {
    pub violations: Vec<Violation>,
}

impl ValidationReport {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, problem: Violation) {
        self.violations.push(problem);
    }

    /// Records the outcome of one rule: nothing for `Ok`, the problem (placed at `line`) for `Err`.
    pub fn check<T>(&mut self, line: Option<usize>, outcome: Result<T, Violation>) -> Option<T> {
        match outcome {
            Ok(value) => Some(value),
            Err(problem) => {
                self.push(Violation { line: line.or(problem.line), ..problem });
                None
            }
        }
    }

    /// Appends another report's problems; those without a line get `line`.
    pub fn merge(&mut self, line: Option<usize>, other: ValidationReport) {
        for problem in other.violations {
            self.push(Violation { line: problem.line.or(line), ..problem });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }

    pub fn len(&self) -> usize {
        self.violations.len()
    }

    /// Whether any problem has `code` (tests and callers that branch on one kind of problem).
    pub fn has(&self, code: &str) -> bool {
        self.violations.iter().any(|problem| problem.code == code)
    }

    /// `Ok(value)` when no problem was found, else the report.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationReport> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<Violation> for ValidationReport {
    fn from(problem: Violation) -> Self {
        Self { violations: vec![problem] }
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.violations.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationReport {}

/// Field names used in [`Violation::field`].
pub mod field {
    pub const SUMMARY: &str = "summary";
    pub const DESCRIPTION: &str = "description";
    pub const ASSIGNEE: &str = "assignee";
    pub const LABELS: &str = "labels";
    pub const ESTIMATE: &str = "estimate";
    pub const PRIORITY: &str = "priority";
    pub const DUE: &str = "due";
    /// A subtask issue type's name, on a line or as a template's default.
    pub const ISSUE_TYPE: &str = "issue_type";
    pub const TEMPLATE_NAME: &str = "name";
    pub const TEMPLATE_ID: &str = "id";
    pub const SUBTASKS: &str = "subtasks";
    pub const TEMPLATES: &str = "templates";
    pub const PROPERTY_KEY: &str = "property_key";
    pub const PROPERTY_VALUE: &str = "property_value";
    pub const PROJECT_KEY: &str = "project_key";
    pub const ACCOUNT_ID: &str = "account_id";
    /// A line of text that is not any one field: a marker, an attribute, an indented line.
    pub const LINE: &str = "line";
    /// The stored document as a whole: JSON syntax, version.
    pub const DOCUMENT: &str = "document";
}

/// Stable codes used in [`Violation::code`]; clients may branch on them.
pub mod code {
    /// Required but empty or blank.
    pub const EMPTY: &str = "empty";
    /// Longer than Jira (or the app) allows.
    pub const TOO_LONG: &str = "too_long";
    /// A line break where Jira wants a single line.
    pub const MULTI_LINE: &str = "multi_line";
    /// Whitespace where Jira allows none (labels).
    pub const WHITESPACE: &str = "whitespace";
    /// A character outside the allowed set.
    pub const BAD_CHARSET: &str = "bad_charset";
    /// Not in the expected shape (keys, durations, dates).
    pub const BAD_SYNTAX: &str = "bad_syntax";
    /// Zero or negative where a positive amount is needed.
    pub const NOT_POSITIVE: &str = "not_positive";
    /// A number beyond the sane maximum.
    pub const TOO_LARGE: &str = "too_large";
    /// More items than allowed (subtasks, templates).
    pub const TOO_MANY: &str = "too_many";
    /// The same value twice where each must be unique.
    pub const DUPLICATE: &str = "duplicate";
    /// A quick-entry marker that is not one of the known ones.
    pub const UNKNOWN_MARKER: &str = "unknown_marker";
    /// A `{{…}}` variable that does not exist.
    pub const UNKNOWN_VARIABLE: &str = "unknown_variable";
    /// An attribute of a rival app's format that this app does not support.
    pub const UNSUPPORTED: &str = "unsupported";
    /// A value the rendering needs but the parent issue does not have (e.g. its due date).
    pub const MISSING: &str = "missing";
    /// A reserved word used as a value (an account id spelled `me`).
    pub const RESERVED: &str = "reserved";
}

#[cfg(test)]
mod tests;
