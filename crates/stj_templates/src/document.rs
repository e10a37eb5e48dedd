//! The stored JSON document: a library as one Jira entity property.
//!
//! Anyone who can edit the entity can rewrite the property by hand, so reading it trusts nothing:
//! the JSON goes into loose types first, then every value is checked and every problem reported.

use serde::{Deserialize, Serialize};
use stj_validation::{ValidationReport, Violation, code, field, property, text};

use crate::check::{check_library, check_library_shape, check_template_fields, in_template};
use crate::model::{
    Assignee, DueAnchor, Estimate, Library, RelativeDue, Scope, SubtaskSpec, Template, TemplateId,
    normalize_description,
};

/// The version this code writes and reads; a document of any other version is refused.
pub const DOCUMENT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredLibrary {
    version: u32,
    revision: u64,
    templates: Vec<StoredTemplate>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredTemplate {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// The default subtask issue type name; absent in documents written before types existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subtask_type: Option<String>,
    subtasks: Vec<StoredSubtask>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredSubtask {
    summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assignee: Option<StoredAssignee>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    estimate_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    priority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due: Option<StoredDue>,
    /// A subtask issue type name; absent in documents written before types existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issue_type: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum StoredAssignee {
    Account { account_id: String },
    Me,
    Parent,
    Reporter,
    Unassigned,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredDue {
    days: i32,
    anchor: StoredAnchor,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredAnchor {
    Today,
    Parent,
}

/// Reads a stored library (the property's `value`), checking everything [`check_library`]
/// checks. Descriptions and summaries come back in normal form.
pub fn decode_library(
    value: &serde_json::Value,
    scope: Scope,
) -> Result<Library, ValidationReport> {
    match value.get("version").map(serde_json::Value::as_u64) {
        Some(Some(version)) if version == u64::from(DOCUMENT_VERSION) => {}
        Some(Some(version)) => {
            return Err(document_problem(format!(
                "The stored templates are in format version {version}; this app reads version \
                 {DOCUMENT_VERSION}."
            )));
        }
        _ => {
            return Err(document_problem(
                "The stored templates have no format version.".to_owned(),
            ));
        }
    }
    let stored = StoredLibrary::deserialize(value).map_err(|error| {
        document_problem(format!("The stored templates are not in the expected shape: {error}."))
    })?;
    let mut report = ValidationReport::new();
    let mut templates = Vec::with_capacity(stored.templates.len());
    for template in stored.templates {
        let name = template.name.clone();
        let (template, problems) = read_template(template);
        report.merge(None, in_template(&name, problems));
        templates.extend(template);
    }
    let library = Library { revision: stored.revision, templates };
    let mut problems = check_library_shape(&library, scope);
    problems.merge(None, report);
    problems.into_result(library)
}

/// Checks `library` for `scope` and serialises it as the property value to send, refusing a
/// document over Jira's 32,768 bytes.
pub fn encode_library(library: &Library, scope: Scope) -> Result<String, ValidationReport> {
    let json = encode_library_unbounded(library, scope)?;
    property::property_value_json(&json)?;
    Ok(json)
}

/// [`encode_library`] without the one-property size limit, for a store that splits the
/// document across several properties (and enforces its own total limit).
pub fn encode_library_unbounded(
    library: &Library,
    scope: Scope,
) -> Result<String, ValidationReport> {
    let report = check_library(library, scope);
    if !report.is_empty() {
        return Err(report);
    }
    let stored = StoredLibrary {
        version: DOCUMENT_VERSION,
        revision: library.revision,
        templates: library.templates.iter().map(write_template).collect(),
    };
    serde_json::to_value(&stored).and_then(|value| serde_json::to_string(&value)).map_err(|error| {
        document_problem(format!("The templates could not be serialised: {error}."))
    })
}

fn document_problem(message: String) -> ValidationReport {
    Violation::new(field::DOCUMENT, code::BAD_SYNTAX, message).into()
}

/// The template (unless its id is unreadable) and every problem found in it.
fn read_template(stored: StoredTemplate) -> (Option<Template>, ValidationReport) {
    let mut report = ValidationReport::new();
    let id = report.check(None, TemplateId::new(stored.id));
    let mut subtasks = Vec::with_capacity(stored.subtasks.len());
    for (line, subtask) in (1..).zip(stored.subtasks) {
        let mut problems = ValidationReport::new();
        subtasks.push(read_subtask(subtask, &mut problems).normalized());
        report.merge(Some(line), problems);
    }
    let description = stored.description.as_deref().and_then(normalize_description);
    report.merge(None, check_template_fields(&stored.name, description.as_deref(), &subtasks));
    if let Some(subtask_type) = &stored.subtask_type {
        report.check(None, text::issue_type_name(subtask_type));
    }
    let subtask_type = stored.subtask_type;
    let template =
        id.map(|id| Template { id, name: stored.name, description, subtask_type, subtasks });
    (template, report)
}

fn read_subtask(stored: StoredSubtask, report: &mut ValidationReport) -> SubtaskSpec {
    SubtaskSpec {
        summary: stored.summary,
        description: stored.description,
        assignee: stored.assignee.map(|assignee| match assignee {
            StoredAssignee::Account { account_id } => Assignee::AccountId(account_id),
            StoredAssignee::Me => Assignee::Me,
            StoredAssignee::Parent => Assignee::ParentAssignee,
            StoredAssignee::Reporter => Assignee::Reporter,
            StoredAssignee::Unassigned => Assignee::Unassigned,
        }),
        labels: stored.labels,
        estimate: stored
            .estimate_minutes
            .and_then(|minutes| report.check(None, Estimate::from_minutes(minutes))),
        priority: stored.priority,
        due: stored.due.and_then(|due| {
            let anchor = match due.anchor {
                StoredAnchor::Today => DueAnchor::Today,
                StoredAnchor::Parent => DueAnchor::ParentDue,
            };
            report.check(None, RelativeDue::new(due.days, anchor))
        }),
        issue_type: stored.issue_type,
    }
}

fn write_template(template: &Template) -> StoredTemplate {
    StoredTemplate {
        id: template.id.to_string(),
        name: template.name.clone(),
        description: template.description.clone(),
        subtask_type: template.subtask_type.clone(),
        subtasks: template.subtasks.iter().map(write_subtask).collect(),
    }
}

fn write_subtask(spec: &SubtaskSpec) -> StoredSubtask {
    StoredSubtask {
        summary: spec.summary.clone(),
        description: spec.description.clone(),
        assignee: spec.assignee.as_ref().map(|assignee| match assignee {
            Assignee::AccountId(id) => StoredAssignee::Account { account_id: id.clone() },
            Assignee::Me => StoredAssignee::Me,
            Assignee::ParentAssignee => StoredAssignee::Parent,
            Assignee::Reporter => StoredAssignee::Reporter,
            Assignee::Unassigned => StoredAssignee::Unassigned,
        }),
        labels: spec.labels.clone(),
        estimate_minutes: spec.estimate.map(Estimate::minutes),
        priority: spec.priority.clone(),
        due: spec.due.map(|due| StoredDue {
            days: due.days,
            anchor: match due.anchor {
                DueAnchor::Today => StoredAnchor::Today,
                DueAnchor::ParentDue => StoredAnchor::Parent,
            },
        }),
        issue_type: spec.issue_type.clone(),
    }
}

#[cfg(test)]
mod tests;
