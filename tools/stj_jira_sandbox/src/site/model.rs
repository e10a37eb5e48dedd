//! The public types tests build a sandbox site from and read it back as; the records behind
//! them are `site::records`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Project permissions, as a permission scheme grants them to one user in one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Permissions {
    /// *Browse projects*: see the project and its issues. Without it they do not exist (404).
    pub browse: bool,
    /// *Create issues*, subtasks included.
    pub create_issues: bool,
    /// *Edit issues*, which writing issue properties needs too.
    pub edit_issues: bool,
    /// *Administer projects*: write project properties.
    pub administer_project: bool,
}

impl Permissions {
    pub const NONE: Self =
        Self { browse: false, create_issues: false, edit_issues: false, administer_project: false };
    pub const READ_ONLY: Self = Self { browse: true, ..Self::NONE };
    /// What the default scheme gives members: browse, create and edit, no administration.
    pub const MEMBER: Self =
        Self { browse: true, create_issues: true, edit_issues: true, ..Self::NONE };
    pub const ALL: Self =
        Self { browse: true, create_issues: true, edit_issues: true, administer_project: true };
}

/// A user of a sandbox site: a person, or a Connect app's own user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JiraUser {
    pub account_id: String,
    pub display_name: String,
    /// An inactive user has no permissions and cannot be assigned or impersonated.
    pub active: bool,
    /// `atlassian` for people, `app` for a Connect app's user.
    pub account_type: String,
    /// *Administer Jira*, the global permission: any user's properties, any project's properties.
    pub site_admin: bool,
    /// Project permissions in every project not listed in `project_permissions`.
    pub permissions: Permissions,
    /// Per-project exceptions, by project key.
    pub project_permissions: BTreeMap<String, Permissions>,
}

impl JiraUser {
    /// An active person with [`Permissions::MEMBER`] everywhere, not an admin.
    pub fn new(account_id: &str, display_name: &str) -> Self {
        Self {
            account_id: account_id.to_owned(),
            display_name: display_name.to_owned(),
            active: true,
            account_type: "atlassian".to_owned(),
            site_admin: false,
            permissions: Permissions::MEMBER,
            project_permissions: BTreeMap::new(),
        }
    }

    /// *Administer Jira* and every project permission.
    #[must_use]
    pub fn admin(mut self) -> Self {
        self.site_admin = true;
        self.permissions = Permissions::ALL;
        self
    }

    #[must_use]
    pub fn with_permissions(mut self, permissions: Permissions) -> Self {
        self.permissions = permissions;
        self
    }

    /// Different permissions in one project.
    #[must_use]
    pub fn in_project(mut self, project_key: &str, permissions: Permissions) -> Self {
        self.project_permissions.insert(project_key.to_owned(), permissions);
        self
    }

    #[must_use]
    pub fn inactive(mut self) -> Self {
        self.active = false;
        self
    }

    /// The user's permissions in `project_key`; none at all while inactive.
    pub fn permissions_in(&self, project_key: &str) -> Permissions {
        if !self.active {
            return Permissions::NONE;
        }
        self.project_permissions.get(project_key).copied().unwrap_or(self.permissions)
    }

    /// *Administer Jira*, and active.
    pub fn is_site_admin(&self) -> bool {
        self.active && self.site_admin
    }
}

/// A project to create with [`crate::Sandbox::add_project`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub key: String,
    pub name: String,
    /// `software`, `business` or `service_desk`.
    pub project_type_key: String,
    /// Team-managed ("next-gen", `simplified: true`): issue types of its own, scoped to it.
    pub team_managed: bool,
}

impl NewProject {
    /// A company-managed software project using the site's shared issue types.
    pub fn company_managed(key: &str, name: &str) -> Self {
        Self {
            key: key.to_owned(),
            name: name.to_owned(),
            project_type_key: "software".to_owned(),
            team_managed: false,
        }
    }

    /// A team-managed software project with its own Task, Bug, Story, Epic and Subtask types.
    pub fn team_managed(key: &str, name: &str) -> Self {
        Self { team_managed: true, ..Self::company_managed(key, name) }
    }
}

/// A project as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectInfo {
    pub id: String,
    pub key: String,
    pub name: String,
    pub team_managed: bool,
    pub issue_types: Vec<IssueTypeInfo>,
}

impl ProjectInfo {
    /// The id of the project's issue type called `name` (e.g. `Sub-task`, `Subtask`, `Task`).
    pub fn issue_type_id(&self, name: &str) -> Option<&str> {
        self.issue_types.iter().find(|t| t.name == name).map(|t| t.id.as_str())
    }

    /// The first subtask type (hierarchy level -1), as the app should pick it.
    pub fn subtask_type_id(&self) -> Option<&str> {
        self.issue_types.iter().find(|t| t.hierarchy_level == -1).map(|t| t.id.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueTypeInfo {
    pub id: String,
    pub name: String,
    /// -1 subtask, 0 standard, 1 epic.
    pub hierarchy_level: i32,
}

/// An issue to put straight into a site with [`crate::Sandbox::add_issue`]: test setup, so no
/// permission checks, but references (project, type, parent, users, priority) must exist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewIssue {
    pub project_key: String,
    /// Issue type name, e.g. `Task` or `Sub-task`.
    pub issue_type: String,
    pub summary: String,
    /// Parent issue key.
    pub parent: Option<String>,
    pub assignee: Option<String>,
    /// Defaults to the app user.
    pub reporter: Option<String>,
    /// `yyyy-MM-dd`.
    pub due_date: Option<String>,
    /// Priority name; `Medium` when absent.
    pub priority: Option<String>,
    pub labels: Vec<String>,
    /// ADF document.
    pub description: Option<Value>,
}

impl NewIssue {
    pub fn new(project_key: &str, issue_type: &str, summary: &str) -> Self {
        Self {
            project_key: project_key.to_owned(),
            issue_type: issue_type.to_owned(),
            summary: summary.to_owned(),
            ..Self::default()
        }
    }
}

/// An issue's id and key, as create answers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueRef {
    pub id: String,
    pub key: String,
}

/// An entity that carries properties, named as in its REST path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity<'a> {
    /// Issue id or key.
    Issue(&'a str),
    /// Account id.
    User(&'a str),
    /// Project id or key.
    Project(&'a str),
}
