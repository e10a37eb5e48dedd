//! Subtasks as structured JSON items, both ways, for the UI's structured editor: every value is
//! read and written here with the templates crate's own rules, so the browser never re-implements
//! the quick-entry grammar (due dates and estimates travel in their quick-entry spelling).

use serde::Deserialize;
use serde_json::{Value, json};

use stj_templates::{Assignee, Estimate, RelativeDue, SubtaskSpec, check_subtask};
use stj_validation::{ValidationReport, Violation, code, field};

/// One subtask as the UI edits it (`line` is never read: positions number the items).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ItemBody {
    summary: String,
    #[serde(default)]
    description: Option<String>,
    /// `null` or absent: the project's default assignee.
    #[serde(default)]
    assignee: Option<AssigneeBody>,
    #[serde(default)]
    labels: Vec<String>,
    /// A Jira duration: `1d 4h`, `1d4h`, `30m`.
    #[serde(default)]
    estimate: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    /// As in the `due:` marker: `+2d`, `-1d`, `today`, `parent`, `parent+3d`.
    #[serde(default)]
    due: Option<String>,
    /// A subtask issue type name.
    #[serde(default)]
    issue_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct AssigneeBody {
    /// `me`, `parent`, `reporter`, `unassigned`, `account` (with `accountId`), `projectDefault`.
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    account_id: Option<String>,
}

/// The items as subtasks in normal form, or every violation, each at its item's 1-based
/// position. How many there may be is checked where they become a template or an application.
pub(crate) fn to_specs(items: Vec<ItemBody>) -> Result<Vec<SubtaskSpec>, ValidationReport> {
    let mut report = ValidationReport::new();
    let specs = (1..)
        .zip(items)
        .map(|(line, item)| {
            let mut problems = ValidationReport::new();
            let spec = to_spec(item, &mut problems).normalized();
            // Values that could not be read are left out, so the check cannot repeat them.
            problems.merge(None, check_subtask(&spec));
            report.merge(Some(line), problems);
            spec
        })
        .collect();
    report.into_result(specs)
}

fn to_spec(item: ItemBody, report: &mut ValidationReport) -> SubtaskSpec {
    let blank = |value: Option<String>| value.filter(|text| !text.is_empty());
    SubtaskSpec {
        summary: item.summary,
        description: item.description,
        assignee: item.assignee.and_then(|body| report.check(None, assignee(body)).flatten()),
        labels: item.labels,
        estimate: blank(item.estimate).and_then(|text| report.check(None, Estimate::parse(&text))),
        priority: blank(item.priority),
        due: blank(item.due).and_then(|text| report.check(None, RelativeDue::parse(&text))),
        issue_type: blank(item.issue_type),
    }
}

fn assignee(body: AssigneeBody) -> Result<Option<Assignee>, Violation> {
    let keyword = match body.kind.as_str() {
        "projectDefault" => return Ok(None),
        "account" => {
            return match body.account_id {
                Some(id) => Ok(Some(Assignee::AccountId(id))),
                None => Err(Violation::new(
                    field::ASSIGNEE,
                    code::MISSING,
                    "An assignee of type `account` needs its `accountId`.",
                )),
            };
        }
        other => Assignee::from_keyword(other).filter(|_| other == other.to_ascii_lowercase()),
    };
    match (keyword, body.account_id) {
        (Some(keyword), None) => Ok(Some(keyword)),
        (Some(_), Some(_)) => Err(Violation::new(
            field::ASSIGNEE,
            code::BAD_SYNTAX,
            "Only an assignee of type `account` has an `accountId`.",
        )),
        (None, _) => Err(Violation::new(
            field::ASSIGNEE,
            code::UNKNOWN_MARKER,
            "The assignee type is one of me, parent, reporter, unassigned, account, projectDefault.",
        )),
    }
}

/// A subtask as a JSON item; `line` is its source line when it came from text.
pub(crate) fn item_json(spec: &SubtaskSpec, line: Option<usize>) -> Value {
    let assignee = spec.assignee.as_ref().map(|assignee| match assignee {
        Assignee::AccountId(id) => json!({ "type": "account", "accountId": id }),
        Assignee::Me => json!({ "type": "me" }),
        Assignee::ParentAssignee => json!({ "type": "parent" }),
        Assignee::Reporter => json!({ "type": "reporter" }),
        Assignee::Unassigned => json!({ "type": "unassigned" }),
    });
    let mut item = json!({
        "summary": spec.summary,
        "description": spec.description,
        "assignee": assignee,
        "labels": spec.labels,
        "estimate": spec.estimate.map(Estimate::to_jira),
        "priority": spec.priority,
        "due": spec.due.map(RelativeDue::to_text),
        "issueType": spec.issue_type,
    });
    if let (Some(line), Some(object)) = (line, item.as_object_mut()) {
        object.insert("line".to_owned(), json!(line));
    }
    item
}

#[cfg(test)]
mod tests;
