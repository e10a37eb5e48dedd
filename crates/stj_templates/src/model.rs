//! The templates model. Field values are the user's own text (customer content): `Debug` prints
//! them, so log counts and ids, never these values.

use std::fmt;

use stj_validation::{Violation, duration, id_rules, limits};

/// A template's id: a lower-case slug (`[a-z0-9-]`, 1 to 64), stable across renames.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TemplateId(String);

impl TemplateId {
    pub fn new(id: impl Into<String>) -> Result<Self, Violation> {
        let id = id.into();
        id_rules::template_id(&id)?;
        Ok(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TemplateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A named list of subtasks to create on an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    pub description: Option<String>,
    /// The subtask issue type NAME for subtasks that name none (see [`Template::specs`]).
    pub subtask_type: Option<String>,
    /// In the order they are created.
    pub subtasks: Vec<SubtaskSpec>,
}

impl Template {
    /// The subtasks to apply: each without a type of its own gets the template's
    /// `subtask_type`, so applying never needs to know where a type came from.
    pub fn specs(&self) -> Vec<SubtaskSpec> {
        self.subtasks
            .iter()
            .map(|spec| SubtaskSpec {
                issue_type: spec.issue_type.clone().or_else(|| self.subtask_type.clone()),
                ..spec.clone()
            })
            .collect()
    }
}

/// One subtask of a template, before the parent's values are filled in: `summary` and
/// `description` may hold `{{parent.…}}` variables (see [`crate::Variable`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubtaskSpec {
    pub summary: String,
    pub description: Option<String>,
    /// `None`: leave it to Jira (the project's default assignee).
    pub assignee: Option<Assignee>,
    pub labels: Vec<String>,
    pub estimate: Option<Estimate>,
    /// A priority name, matched against the site's priorities when applied.
    pub priority: Option<String>,
    pub due: Option<RelativeDue>,
    /// A subtask issue type NAME (`Sub-task`, `Code review`), matched against the project's
    /// subtask types when applied; `None`: the template's or the request's default.
    pub issue_type: Option<String>,
}

impl SubtaskSpec {
    /// A subtask with only a summary.
    pub fn new(summary: impl Into<String>) -> Self {
        Self { summary: summary.into(), ..Self::default() }
    }

    /// The normal form every parser and decoder returns: the summary without leading or
    /// trailing spaces and tabs, the description in [`normalize_description`]'s form.
    #[must_use]
    pub fn normalized(self) -> Self {
        Self {
            summary: self.summary.trim_matches([' ', '\t']).to_owned(),
            description: self.description.as_deref().and_then(normalize_description),
            ..self
        }
    }
}

/// `None` for a description that is blank; otherwise its lines separated by `\n` (any `\r\n`
/// or `\r` becomes `\n`), lines of only spaces and tabs emptied, and no empty first or last line.
/// Quick entry cannot tell such lines apart, so every description is kept in this form.
pub fn normalize_description(text: &str) -> Option<String> {
    let lines: Vec<&str> = crate::lines::split_lines(text)
        .map(|line| if crate::lines::is_blank(line) { "" } else { line })
        .collect();
    let first = lines.iter().position(|line| !line.is_empty())?;
    let last = lines.iter().rposition(|line| !line.is_empty())?;
    lines.get(first..=last).map(|kept| kept.join("\n"))
}

/// Who gets the subtask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    /// A fixed person, by Atlassian account id.
    AccountId(String),
    /// The user applying the template.
    Me,
    /// Whoever the parent issue is assigned to (unassigned if the parent is).
    ParentAssignee,
    /// The parent issue's reporter.
    Reporter,
    /// Explicitly nobody (not the project's default assignee).
    Unassigned,
}

/// The words that name an [`Assignee`] other than an account id; never valid as account ids.
pub const ASSIGNEE_KEYWORDS: [&str; 4] = ["me", "parent", "reporter", "unassigned"];

impl Assignee {
    /// The assignee a keyword names, ignoring ASCII case.
    pub fn from_keyword(word: &str) -> Option<Self> {
        let word = word.to_ascii_lowercase();
        match word.as_str() {
            "me" => Some(Self::Me),
            "parent" => Some(Self::ParentAssignee),
            "reporter" => Some(Self::Reporter),
            "unassigned" => Some(Self::Unassigned),
            _ => None,
        }
    }
}

/// An original estimate in minutes, positive and at most 52 weeks, with Jira's default 8-hour
/// days and 5-day weeks (see `stj_validation::duration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Estimate(u32);

impl Estimate {
    pub fn from_minutes(minutes: u32) -> Result<Self, Violation> {
        duration::estimate_minutes(minutes)?;
        Ok(Self(minutes))
    }

    /// Parses a Jira duration such as `1w 2d 3h 30m` or `1d4h`.
    pub fn parse(text: &str) -> Result<Self, Violation> {
        duration::parse_duration(text).map(Self)
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    /// The value for Jira's `timetracking.originalEstimate`, e.g. `1d 4h`.
    pub fn to_jira(self) -> String {
        duration::format_duration(self.0)
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_jira())
    }
}

/// A due date counted in calendar days from an anchor known only when the template is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelativeDue {
    /// Calendar days after (positive) or before (negative) the anchor; at most
    /// `stj_validation::limits::MAX_DUE_OFFSET_DAYS` either way.
    pub days: i32,
    pub anchor: DueAnchor,
}

impl RelativeDue {
    pub fn new(days: i32, anchor: DueAnchor) -> Result<Self, Violation> {
        limits::due_offset_days(days)?;
        Ok(Self { days, anchor })
    }

    /// The value of a `due:` marker without `due:`: `+2d`, `-1d`, `today`, `parent`,
    /// `parent+3d`, `parent-1d` (what structured editors send, so no client re-implements it).
    pub fn parse(text: &str) -> Result<Self, Violation> {
        let (days, anchor) = crate::quick::parse_due(text).ok_or_else(|| {
            Violation::new(
                stj_validation::field::DUE,
                stj_validation::code::BAD_SYNTAX,
                format!(
                    "`{}` is not a due date: write +Nd or -Nd from today, today, or parent, \
                     parent+Nd, parent-Nd from the parent's due date (calendar days).",
                    stj_validation::text::excerpt(text)
                ),
            )
        })?;
        Self::new(days, anchor)
    }

    /// The form [`RelativeDue::parse`] reads, as in the `due:` marker.
    pub fn to_text(self) -> String {
        let marker = crate::quick::due_marker(self);
        marker.strip_prefix("due:").unwrap_or(&marker).to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DueAnchor {
    /// The day the template is applied.
    Today,
    /// The parent issue's due date; applying fails if the parent has none.
    ParentDue,
}

/// All the templates of one owner, stored as one Jira entity property.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Library {
    /// Bumped on every save, so a save based on a stale read can be refused (Jira properties
    /// have no concurrency control of their own: the last write wins).
    pub revision: u64,
    pub templates: Vec<Template>,
}

/// Whose library: where the adapter keeps it and how many templates it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One user's own templates (a user property).
    Personal,
    /// Templates shared in one project (a project property).
    Project,
}

impl Scope {
    pub fn max_templates(self) -> usize {
        match self {
            Self::Personal => limits::MAX_PERSONAL_TEMPLATES,
            Self::Project => limits::MAX_PROJECT_TEMPLATES,
        }
    }
}
