//! Site records as Jira's REST API v3 renders them (`self` links under the tenant's base URL).

use serde_json::{Map, Value, json};

use super::Site;
use super::model::JiraUser;
use super::records::{Issue, IssueType, Priority, Project};

/// Renders one site's records for responses at `base` (the tenant base URL).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Render<'a> {
    pub site: &'a Site,
    pub base: &'a str,
}

/// Fields `GET /issue` returns by default (`*all`), in Jira's order.
pub(crate) const ISSUE_FIELDS: [&str; 17] = [
    "summary",
    "issuetype",
    "project",
    "parent",
    "subtasks",
    "status",
    "priority",
    "assignee",
    "reporter",
    "labels",
    "duedate",
    "description",
    "timetracking",
    "timeoriginalestimate",
    "timeestimate",
    "created",
    "updated",
];

impl Render<'_> {
    pub fn user(&self, user: &JiraUser) -> Value {
        json!({
            "self": format!("{}/rest/api/3/user?accountId={}", self.base, user.account_id),
            "accountId": user.account_id,
            "accountType": user.account_type,
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": "Etc/UTC",
            "avatarUrls": self.avatars("secure/useravatar?ownerId=", &user.account_id),
        })
    }

    /// A user by account id, or `null` when there is none (an unassigned issue).
    pub fn user_ref(&self, account_id: Option<&str>) -> Value {
        account_id.and_then(|id| self.site.user(id)).map_or(Value::Null, |u| self.user(u))
    }

    pub fn issue_type(&self, issue_type: &IssueType) -> Value {
        let mut value = json!({
            "self": format!("{}/rest/api/3/issuetype/{}", self.base, issue_type.id),
            "id": issue_type.id,
            "description": issue_type.description,
            "iconUrl": format!(
                "{}/rest/api/2/universal_avatar/view/type/issuetype/avatar/{}?size=medium",
                self.base, issue_type.avatar_id
            ),
            "name": issue_type.name,
            "subtask": issue_type.hierarchy_level == -1,
            "avatarId": issue_type.avatar_id,
            "hierarchyLevel": issue_type.hierarchy_level,
        });
        if let (Some(obj), Some(project), Some(entity_id)) =
            (value.as_object_mut(), issue_type.scope_project, &issue_type.entity_id)
        {
            obj.insert("entityId".to_owned(), json!(entity_id));
            obj.insert(
                "scope".to_owned(),
                json!({ "type": "PROJECT", "project": { "id": project.to_string() } }),
            );
        }
        value
    }

    /// The project as `GET /project/{projectIdOrKey}` answers it, issue types included.
    pub fn project(&self, project: &Project) -> Value {
        let issue_types: Vec<Value> = self
            .site
            .project_issue_types(project)
            .into_iter()
            .map(|t| self.issue_type(t))
            .collect();
        let mut value = self.project_ref(project);
        if let Some(obj) = value.as_object_mut() {
            obj.extend(
                json!({
                    "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
                    "description": "",
                    "assigneeType": "UNASSIGNED",
                    "components": [],
                    "versions": [],
                    "issueTypes": issue_types,
                    "roles": {},
                    "isPrivate": false,
                    "properties": {},
                    "style": if project.team_managed { "next-gen" } else { "classic" },
                    "uuid": project.uuid,
                })
                .as_object()
                .cloned()
                .unwrap_or_default(),
            );
        }
        value
    }

    /// The short form nested in issues.
    pub fn project_ref(&self, project: &Project) -> Value {
        json!({
            "self": format!("{}/rest/api/3/project/{}", self.base, project.id),
            "id": project.id.to_string(),
            "key": project.key,
            "name": project.name,
            "projectTypeKey": project.project_type_key,
            "simplified": project.team_managed,
            "avatarUrls": self.avatars("secure/projectavatar?pid=", &project.id.to_string()),
        })
    }

    pub fn priority(&self, priority: &Priority) -> Value {
        json!({
            "self": format!("{}/rest/api/3/priority/{}", self.base, priority.id),
            "statusColor": priority.color,
            "description": priority.description,
            "iconUrl": format!("{}{}", self.base, priority.icon),
            "name": priority.name,
            "id": priority.id,
        })
    }

    /// `GET /issue/{issueIdOrKey}`: only `fields` selected; `properties` only when asked for.
    pub fn issue(&self, issue: &Issue, fields: &[&str], properties: Option<&[&str]>) -> Value {
        let mut rendered = Map::new();
        for field in fields {
            if let Some(value) = self.field(issue, field) {
                rendered.insert((*field).to_owned(), value);
            }
        }
        let mut value = json!({
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue.id.to_string(),
            "self": self.issue_self(issue),
            "key": issue.key,
            "fields": rendered,
        });
        if let (Some(obj), Some(keys)) = (value.as_object_mut(), properties) {
            let props: Map<String, Value> = issue
                .fields
                .properties
                .iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            obj.insert("properties".to_owned(), Value::Object(props));
        }
        value
    }

    pub fn issue_self(&self, issue: &Issue) -> String {
        format!("{}/rest/api/3/issue/{}", self.base, issue.id)
    }

    /// One field's value; `None` for fields the issue does not have (an unparented `parent`).
    fn field(&self, issue: &Issue, field: &str) -> Option<Value> {
        let (site, fields) = (self.site, &issue.fields);
        Some(match field {
            "summary" => json!(fields.summary),
            "issuetype" => site.issue_type(&fields.issue_type_id).map(|t| self.issue_type(t))?,
            "project" => site.project_by_id(fields.project_id).map(|p| self.project_ref(p))?,
            "parent" => site.issue_by_id(fields.parent_id?).map(|p| self.linked_issue(p))?,
            "subtasks" => site.children(issue.id).map(|c| self.linked_issue(c)).collect(),
            "status" => self.status(),
            "priority" => site.priority(&fields.priority_id).map(|p| self.priority(p))?,
            "assignee" => self.user_ref(fields.assignee.as_deref()),
            "reporter" => self.user_ref(Some(&fields.reporter)),
            "labels" => json!(fields.labels),
            "duedate" => json!(fields.due_date),
            "description" => fields.description.clone().unwrap_or(Value::Null),
            "timetracking" => timetracking(fields.original_estimate_secs),
            "timeoriginalestimate" | "timeestimate" => json!(fields.original_estimate_secs),
            "created" | "updated" => json!(issue.created),
            _ => return None,
        })
    }

    /// How a parent or a subtask appears inside another issue.
    fn linked_issue(&self, issue: &Issue) -> Value {
        let fields = ["summary", "status", "priority", "issuetype"];
        let mut value = self.issue(issue, &fields, None);
        if let Some(obj) = value.as_object_mut() {
            obj.remove("expand");
        }
        value
    }

    /// Every issue is in the first status of the default workflow.
    fn status(&self) -> Value {
        json!({
            "self": format!("{}/rest/api/3/status/10000", self.base),
            "description": "",
            "iconUrl": format!("{}/images/icons/statuses/open.png", self.base),
            "name": "To Do",
            "id": "10000",
            "statusCategory": {
                "self": format!("{}/rest/api/3/statuscategory/2", self.base),
                "id": 2,
                "key": "new",
                "colorName": "blue-gray",
                "name": "To Do",
            },
        })
    }

    fn avatars(&self, path: &str, owner: &str) -> Value {
        let url = |size: u32| format!("{}/{path}{owner}&size={size}", self.base);
        json!({ "48x48": url(48), "24x24": url(24), "16x16": url(16), "32x32": url(32) })
    }
}

/// `timetracking` as Jira shows it: `{}` without an estimate.
fn timetracking(original_secs: Option<u64>) -> Value {
    match original_secs {
        None => json!({}),
        Some(secs) => json!({
            "originalEstimate": crate::rest::duration::format(secs),
            "remainingEstimate": crate::rest::duration::format(secs),
            "originalEstimateSeconds": secs,
            "remainingEstimateSeconds": secs,
        }),
    }
}
