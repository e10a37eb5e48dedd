//! `key: value` attributes shared by the Multiple Subtasks and Quick Subtasks formats.

use stj_validation::text::{self, excerpt};
use stj_validation::{Violation, code, field};

use crate::check;
use crate::model::{
    Assignee, DueAnchor, Estimate, RelativeDue, SubtaskSpec, normalize_description,
};
use crate::quick::parse_due;

/// Attributes of the rival apps that have no equivalent here: reported, never dropped silently.
const UNSUPPORTED: [&str; 11] = [
    "reporter",
    "component",
    "components",
    "watcher",
    "watchers",
    "fixversion",
    "fixversions",
    "affectedversion",
    "affectedversions",
    "cfield",
    "link",
];

/// Applies one attribute to `spec`. `key` is matched ignoring ASCII case.
pub(crate) fn apply(key: &str, value: &str, spec: &mut SubtaskSpec) -> Result<(), Violation> {
    let lower = key.to_ascii_lowercase();
    let value = value.trim();
    if value.is_empty() {
        return Err(Violation::new(
            field::LINE,
            code::EMPTY,
            format!("`{}` has no value.", excerpt(key)),
        ));
    }
    match lower.as_str() {
        "description" => {
            let description = value.replace("{n}", "\n");
            set(&mut spec.description, normalize_description(&description), field::DESCRIPTION, key)
        }
        "assignee" => {
            let assignee = match value {
                "@current" => Assignee::Me,
                "@inherit" => Assignee::ParentAssignee,
                _ => {
                    check::account_id(value).map_err(|problem| Violation {
                        message: format!(
                            "{} Jira Cloud assigns by account id, not by user name: replace \
                                 it, or use @current or @inherit.",
                            problem.message
                        ),
                        ..problem
                    })?;
                    Assignee::AccountId(value.to_owned())
                }
            };
            set(&mut spec.assignee, Some(assignee), field::ASSIGNEE, key)
        }
        "label" | "labels" => labels(value, spec),
        "estimate" => set(&mut spec.estimate, Some(Estimate::parse(value)?), field::ESTIMATE, key),
        "priority" => {
            text::priority(value)?;
            set(&mut spec.priority, Some(value.to_owned()), field::PRIORITY, key)
        }
        "duedate" | "due" => set(&mut spec.due, Some(due(value)?), field::DUE, key),
        "issuetype" => set(&mut spec.issue_type, Some(issue_type(value)?), field::ISSUE_TYPE, key),
        _ if UNSUPPORTED.contains(&lower.as_str()) || lower.starts_with("customfield") => {
            Err(Violation::new(
                field::LINE,
                code::UNSUPPORTED,
                format!(
                    "`{}` is not supported by this app: the subtask would be created without it. \
                     Remove the attribute, or set the field in Jira afterwards.",
                    excerpt(key)
                ),
            ))
        }
        _ => Err(Violation::new(
            field::LINE,
            code::UNSUPPORTED,
            format!(
                "Unknown attribute `{}`: this app reads description, assignee, label, labels, \
                 estimate, priority, dueDate and issueType.",
                excerpt(key)
            ),
        )),
    }
}

/// A subtask type by name; an id (digits) means nothing on another site.
fn issue_type(value: &str) -> Result<String, Violation> {
    if value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(Violation::new(
            field::ISSUE_TYPE,
            code::UNSUPPORTED,
            format!(
                "The issue type `{}` is an id, which differs between Jira sites: write the \
                 subtask type's name instead.",
                excerpt(value)
            ),
        ));
    }
    text::issue_type_name(value)?;
    Ok(value.to_owned())
}

/// Sets a single-valued field, refusing a second value.
fn set<T>(
    slot: &mut Option<T>,
    value: Option<T>,
    field: &'static str,
    key: &str,
) -> Result<(), Violation> {
    if slot.is_some() {
        return Err(Violation::new(
            field,
            code::DUPLICATE,
            format!("`{}` is given twice for this subtask.", excerpt(key)),
        ));
    }
    *slot = value;
    Ok(())
}

/// `a, b` or one label; `@inherit` (the parent's labels) is not supported.
fn labels(value: &str, spec: &mut SubtaskSpec) -> Result<(), Violation> {
    if value == "@inherit" {
        return Err(Violation::new(
            field::LABELS,
            code::UNSUPPORTED,
            "Copying the parent's labels (`@inherit`) is not supported: list the labels instead.",
        ));
    }
    for label in value.split(',').map(str::trim).filter(|label| !label.is_empty()) {
        text::label(label)?;
        if spec.labels.iter().any(|known| known == label) {
            return Err(Violation::new(
                field::LABELS,
                code::DUPLICATE,
                format!("Label `{}` is given twice.", excerpt(label)),
            ));
        }
        spec.labels.push(label.to_owned());
    }
    Ok(())
}

/// Multiple Subtasks' relative dates (`@inherit`, `@inherit - 2d`, `@now + 1w`; a week is 7
/// calendar days) and this app's own (`+2d`, `parent-1d`). Absolute dates cannot be templated.
fn due(value: &str) -> Result<RelativeDue, Violation> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let (anchor, offset) = if let Some(offset) = compact.strip_prefix("@inherit") {
        (DueAnchor::ParentDue, offset)
    } else if let Some(offset) = compact.strip_prefix("@now") {
        (DueAnchor::Today, offset)
    } else if let Some((days, anchor)) = parse_due(&compact) {
        return RelativeDue::new(days, anchor);
    } else if is_absolute_date(&compact) {
        return Err(Violation::new(
            field::DUE,
            code::UNSUPPORTED,
            format!(
                "The due date `{}` is a fixed date, which would be wrong the next time the \
                 template is used: write it relative to today (`@now + 2d`) or to the parent \
                 (`@inherit - 1d`).",
                excerpt(value)
            ),
        ));
    } else {
        return Err(bad_due(value));
    };
    let days = if offset.is_empty() {
        0
    } else {
        let (sign, amount) = match offset.strip_prefix('+') {
            Some(amount) => (1, amount),
            None => (-1, offset.strip_prefix('-').ok_or_else(|| bad_due(value))?),
        };
        let (digits, per) = match (amount.strip_suffix('d'), amount.strip_suffix('w')) {
            (Some(digits), _) => (digits, 1),
            (_, Some(digits)) => (digits, 7),
            _ => return Err(bad_due(value)),
        };
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(bad_due(value));
        }
        digits
            .parse::<i32>()
            .ok()
            .and_then(|n| n.checked_mul(per))
            .and_then(|n| n.checked_mul(sign))
            .unwrap_or(i32::MAX)
    };
    RelativeDue::new(days, anchor)
}

fn is_absolute_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
}

fn bad_due(value: &str) -> Violation {
    Violation::new(
        field::DUE,
        code::BAD_SYNTAX,
        format!(
            "The due date `{}` is not one this app reads: use @inherit, @inherit - 2d, @now or \
             @now + 1w.",
            excerpt(value)
        ),
    )
}
