//! One `IssueUpdateDetails` (single or bulk create) checked as Jira checks it, with Jira's messages:
//! every field error at once in `errors`, request-level problems in `errorMessages`.

mod fields;

use serde_json::{Map, Value, json};

use crate::site::Site;
use crate::site::records::{IssueDraft, Project};
use fields::{ADF_MESSAGE, estimate, is_adf_doc, is_date, labels, properties, summary};
pub(crate) use fields::{KEY_TOO_LONG, VALUE_TOO_LONG};

/// Why an element was refused: Jira's `ErrorCollection`.
#[derive(Debug, Default)]
pub(crate) struct Rejection {
    pub messages: Vec<String>,
    pub errors: Map<String, Value>,
}

impl Rejection {
    fn field(&mut self, name: &str, message: impl Into<String>) {
        self.errors.entry(name.to_owned()).or_insert_with(|| json!(message.into()));
    }

    pub fn body(&self) -> Value {
        json!({ "errorMessages": self.messages, "errors": self.errors })
    }
}

/// The fields create accepts; anything else is "not on the appropriate screen".
const SETTABLE: [&str; 11] = [
    "project",
    "issuetype",
    "summary",
    "parent",
    "assignee",
    "reporter",
    "priority",
    "labels",
    "duedate",
    "timetracking",
    "description",
];

/// Check `element` for `caller` (an account id); the issue to create, or why not.
pub(crate) fn issue_update(
    site: &Site,
    caller: &str,
    element: &Value,
) -> Result<IssueDraft, Rejection> {
    let mut no = Rejection::default();
    let empty = Map::new();
    let Some(element) = element.as_object() else {
        no.messages.push("Can not deserialize the issue: expected an object.".to_owned());
        return Err(no);
    };
    if element.get("update").and_then(Value::as_object).is_some_and(|u| !u.is_empty()) {
        no.messages.push(
            "The sandbox creates issues from `fields` only; `update` is not simulated.".to_owned(),
        );
    }
    let fields = element.get("fields").and_then(Value::as_object).unwrap_or(&empty);
    for name in fields.keys().filter(|k| !SETTABLE.contains(&k.as_str())) {
        no.field(
            name,
            format!(
                "Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
            ),
        );
    }
    let project = match fields.get("project").and_then(|v| reference(v, "key")) {
        None => None,
        Some(r) => site.project(&r).filter(|p| site.permissions(caller, p).browse),
    };
    if project.is_none() {
        no.field("project", "Specify a valid project ID or key");
    }
    if project.is_some_and(|p| !site.permissions(caller, p).create_issues) {
        no.messages.push("You do not have permission to create issues in this project.".to_owned());
    }
    let issue_type = match (fields.get("issuetype").and_then(|v| reference(v, "name")), project) {
        (None, _) => {
            no.field("issuetype", "Specify an issue type");
            None
        }
        (Some(wanted), Some(project)) => {
            let found = site
                .project_issue_types(project)
                .into_iter()
                .find(|t| t.id == wanted || t.name.eq_ignore_ascii_case(&wanted));
            if found.is_none() {
                no.field("issuetype", "The issue type selected is invalid.");
            }
            found
        }
        (Some(_), None) => None,
    };
    let summary = summary(fields.get("summary"), &mut no);
    let parent_id = parent(
        site,
        caller,
        fields.get("parent"),
        project,
        issue_type.map(|t| t.hierarchy_level),
        &mut no,
    );
    let assignee = user_field(site, fields.get("assignee"), project, "assignee", &mut no).flatten();
    let reporter = user_field(site, fields.get("reporter"), project, "reporter", &mut no)
        .flatten()
        .unwrap_or_else(|| caller.to_owned());
    let priority = match fields.get("priority") {
        None | Some(Value::Null) => site.default_priority(),
        Some(v) => reference(v, "name").and_then(|r| site.priority(&r)),
    };
    if priority.is_none() {
        no.field("priority", "The priority selected is invalid.");
    }
    let labels = labels(fields.get("labels"), &mut no);
    let due_date = match fields.get("duedate") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if is_date(s) => Some(s.clone()),
        Some(other) => {
            let text = other.as_str().map_or_else(|| other.to_string(), str::to_owned);
            no.field("duedate", format!("Error parsing date string: {text}"));
            None
        }
    };
    let original_estimate_secs = estimate(fields.get("timetracking"), &mut no);
    let description = match fields.get("description") {
        None | Some(Value::Null) => None,
        Some(doc) if is_adf_doc(doc) => Some(doc.clone()),
        Some(_) => {
            no.field("description", ADF_MESSAGE);
            None
        }
    };
    let properties = properties(element.get("properties"), &mut no);
    match (project, issue_type, priority) {
        (Some(project), Some(issue_type), Some(priority))
            if no.messages.is_empty() && no.errors.is_empty() =>
        {
            Ok(IssueDraft {
                project_id: project.id,
                issue_type_id: issue_type.id.clone(),
                summary,
                parent_id,
                assignee,
                reporter,
                due_date,
                priority_id: priority.id.clone(),
                labels,
                original_estimate_secs,
                description,
                properties,
            })
        }
        _ => Err(no),
    }
}

/// `{"id": …}` (string or number) or `{"<alt>": …}`, e.g. `{"key": "PROJ"}`, `{"name": "Task"}`.
fn reference(value: &Value, alt: &str) -> Option<String> {
    let obj = value.as_object()?;
    match obj.get("id") {
        Some(Value::String(id)) => Some(id.clone()),
        Some(Value::Number(id)) => Some(id.to_string()),
        _ => obj.get(alt).and_then(Value::as_str).map(str::to_owned),
    }
}

/// Subtasks need a parent in their own project; standard issues may have an epic parent; epics none.
fn parent(
    site: &Site,
    caller: &str,
    value: Option<&Value>,
    project: Option<&Project>,
    level: Option<i32>,
    no: &mut Rejection,
) -> Option<u64> {
    let wanted = value.filter(|v| !v.is_null()).map(|v| reference(v, "key"));
    let Some(wanted) = wanted else {
        if level == Some(-1) {
            no.messages.push(
                "Issue type is a sub-task but parent issue key or id not specified.".to_owned(),
            );
        }
        return None;
    };
    let visible = wanted.and_then(|w| site.issue(&w)).filter(|parent| {
        site.project_by_id(parent.fields.project_id)
            .is_some_and(|p| site.permissions(caller, p).browse)
    });
    let Some(parent) = visible else {
        no.field("parent", "Could not find issue by id or key.");
        return None;
    };
    let parent_level = site.issue_type(&parent.fields.issue_type_id).map(|t| t.hierarchy_level);
    let same_project = project.is_some_and(|p| p.id == parent.fields.project_id);
    match level {
        Some(-1) if parent_level == Some(-1) => {
            no.field("parent", "Given parent work item does not belong to appropriate hierarchy.");
        }
        Some(-1) if !same_project => {
            no.field("project", "Sub-tasks must be created in the same project as the parent.");
        }
        Some(0)
            if parent_level != Some(1)
                || (!same_project && project.is_some_and(|p| p.team_managed)) =>
        {
            no.field("parent", "Given parent work item does not belong to appropriate hierarchy.");
        }
        Some(level) if level >= 1 => {
            no.field("parent", "Given parent work item does not belong to appropriate hierarchy.");
        }
        _ => {}
    }
    Some(parent.id)
}

/// `None`: field absent. `Some(None)`: explicitly nobody (`null`, or `-1` automatic = unassigned).
fn user_field(
    site: &Site,
    value: Option<&Value>,
    project: Option<&Project>,
    name: &str,
    no: &mut Rejection,
) -> Option<Option<String>> {
    let value = value?;
    if value.is_null() {
        return Some(None);
    }
    let id = reference(value, "accountId");
    match id.as_deref() {
        Some("-1") if name == "assignee" => Some(None),
        Some(id) if project.is_some_and(|p| site.permissions(id, p).browse) => {
            Some(Some(id.to_owned()))
        }
        Some(id) => {
            no.field(name, format!("User '{id}' cannot be assigned issues."));
            Some(None)
        }
        None => {
            no.field(name, "Specify the user by accountId.");
            Some(None)
        }
    }
}
