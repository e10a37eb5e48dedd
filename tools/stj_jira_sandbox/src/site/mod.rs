//! One Jira site's content: users and their permissions, projects with their issue types,
//! priorities, issues, entity properties, and the access tokens of the user-impersonation grant.
//! Ids are allocated per site as Jira does (projects and issues from 10000, keys per project).

pub(crate) mod admin;
pub(crate) mod model;
pub(crate) mod records;
pub(crate) mod render;
pub(crate) mod seed;

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use rand::Rng as _;

use crate::tenants::random_client_key;
use model::{IssueTypeInfo, JiraUser, NewProject, Permissions, ProjectInfo};
use records::{Grant, Issue, IssueDraft, IssueType, Priority, Project};

/// Jira's first ids for projects and issues on a new site.
const FIRST_ID: u64 = 10_000;

#[derive(Debug)]
pub(crate) struct Site {
    pub users: Vec<JiraUser>,
    pub user_properties: BTreeMap<String, BTreeMap<String, Value>>,
    pub app_account_id: Option<String>,
    pub issue_types: Vec<IssueType>,
    pub priorities: Vec<Priority>,
    pub projects: Vec<Project>,
    /// In creation order, which is also the order of every parent's `subtasks`.
    pub issues: Vec<Issue>,
    pub tokens: HashMap<String, Grant>,
    next_project_id: u64,
    next_issue_id: u64,
    next_issue_type_id: u64,
}

impl Site {
    pub fn new() -> Self {
        let mut site = Self {
            users: Vec::new(),
            user_properties: BTreeMap::new(),
            app_account_id: None,
            issue_types: Vec::new(),
            priorities: default_priorities(),
            projects: Vec::new(),
            issues: Vec::new(),
            tokens: HashMap::new(),
            next_project_id: FIRST_ID,
            next_issue_id: FIRST_ID,
            next_issue_type_id: FIRST_ID,
        };
        // The shared types every company-managed project uses.
        for (name, level) in SHARED_TYPES {
            site.new_issue_type(name, level, None);
        }
        site
    }

    pub fn user(&self, account_id: &str) -> Option<&JiraUser> {
        self.users.iter().find(|u| u.account_id == account_id)
    }

    pub fn user_mut(&mut self, account_id: &str) -> Option<&mut JiraUser> {
        self.users.iter_mut().find(|u| u.account_id == account_id)
    }

    /// What `account_id` may do in `project`; nothing for unknown or inactive users.
    pub fn permissions(&self, account_id: &str, project: &Project) -> Permissions {
        self.user(account_id).map_or(Permissions::NONE, |u| u.permissions_in(&project.key))
    }

    pub fn is_site_admin(&self, account_id: &str) -> bool {
        self.user(account_id).is_some_and(JiraUser::is_site_admin)
    }

    /// By numeric id, or by key (case-sensitive, as the REST API documents).
    pub fn project(&self, id_or_key: &str) -> Option<&Project> {
        match id_or_key.parse::<u64>() {
            Ok(id) => self.project_by_id(id),
            Err(_) => self.projects.iter().find(|p| p.key == id_or_key),
        }
    }

    pub fn project_mut(&mut self, id_or_key: &str) -> Option<&mut Project> {
        let id = self.project(id_or_key)?.id;
        self.projects.iter_mut().find(|p| p.id == id)
    }

    pub fn project_by_id(&self, id: u64) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    /// By numeric id, or by key (case-insensitive: Jira searches again ignoring case).
    pub fn issue(&self, id_or_key: &str) -> Option<&Issue> {
        match id_or_key.parse::<u64>() {
            Ok(id) => self.issues.iter().find(|i| i.id == id),
            Err(_) => self.issues.iter().find(|i| i.key.eq_ignore_ascii_case(id_or_key)),
        }
    }

    pub fn issue_mut(&mut self, id_or_key: &str) -> Option<&mut Issue> {
        let id = self.issue(id_or_key)?.id;
        self.issues.iter_mut().find(|i| i.id == id)
    }

    pub fn issue_by_id(&self, id: u64) -> Option<&Issue> {
        self.issues.iter().find(|i| i.id == id)
    }

    pub fn issue_type(&self, id: &str) -> Option<&IssueType> {
        self.issue_types.iter().find(|t| t.id == id)
    }

    /// The issue types `project` offers, in the order Jira lists them.
    pub fn project_issue_types(&self, project: &Project) -> Vec<&IssueType> {
        project.issue_type_ids.iter().filter_map(|id| self.issue_type(id)).collect()
    }

    /// By id, or by name (case-insensitive).
    pub fn priority(&self, id_or_name: &str) -> Option<&Priority> {
        self.priorities
            .iter()
            .find(|p| p.id == id_or_name || p.name.eq_ignore_ascii_case(id_or_name))
    }

    pub fn default_priority(&self) -> Option<&Priority> {
        self.priority(DEFAULT_PRIORITY)
    }

    /// `parent`'s subtasks (and team-managed children), oldest first.
    pub fn children(&self, parent: u64) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(move |i| i.fields.parent_id == Some(parent))
    }

    pub fn add_project(&mut self, new: &NewProject) -> Result<ProjectInfo, String> {
        let valid_key = new.key.len() >= 2
            && new.key.len() <= 10
            && new.key.starts_with(|c: char| c.is_ascii_uppercase())
            && new.key.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !valid_key {
            return Err(format!("project key {:?} is not 2-10 upper-case letters/digits", new.key));
        }
        if self.projects.iter().any(|p| p.key == new.key) {
            return Err(format!("project {} already exists", new.key));
        }
        let id = self.next_project_id;
        self.next_project_id = id.saturating_add(1);
        let issue_type_ids = if new.team_managed {
            TEAM_TYPES
                .iter()
                .map(|(name, level)| self.new_issue_type(name, *level, Some(id)))
                .collect()
        } else {
            self.issue_types
                .iter()
                .filter(|t| t.scope_project.is_none())
                .map(|t| t.id.clone())
                .collect()
        };
        self.projects.push(Project {
            id,
            key: new.key.clone(),
            name: new.name.clone(),
            project_type_key: new.project_type_key.clone(),
            team_managed: new.team_managed,
            uuid: uuid_like(),
            issue_type_ids,
            next_number: 1,
            properties: BTreeMap::new(),
        });
        self.project_info(&new.key).ok_or_else(|| "project vanished".to_owned())
    }

    pub fn project_info(&self, id_or_key: &str) -> Option<ProjectInfo> {
        let project = self.project(id_or_key)?;
        let issue_types = self
            .project_issue_types(project)
            .into_iter()
            .map(|t| IssueTypeInfo {
                id: t.id.clone(),
                name: t.name.clone(),
                hierarchy_level: t.hierarchy_level,
            })
            .collect();
        Some(ProjectInfo {
            id: project.id.to_string(),
            key: project.key.clone(),
            name: project.name.clone(),
            team_managed: project.team_managed,
            issue_types,
        })
    }

    /// Allocate the id and the next key of the draft's project, and store the issue.
    pub fn insert_issue(&mut self, draft: IssueDraft) -> Option<&Issue> {
        let project = self.projects.iter_mut().find(|p| p.id == draft.project_id)?;
        let key = format!("{}-{}", project.key, project.next_number);
        project.next_number = project.next_number.saturating_add(1);
        let id = self.next_issue_id;
        self.next_issue_id = id.saturating_add(1);
        let created = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string();
        self.issues.push(Issue { id, key, created, fields: draft });
        self.issues.last()
    }

    /// One more issue type, offered by `project_key` (its own type when team-managed; a shared
    /// type that joins this project's scheme when company-managed). `None`: no such project.
    pub fn add_project_issue_type(
        &mut self,
        project_key: &str,
        name: &str,
        level: i32,
    ) -> Option<String> {
        let project = self.project(project_key)?;
        let scope = project.team_managed.then_some(project.id);
        let id = self.new_issue_type(name, level, scope);
        self.project_mut(project_key)?.issue_type_ids.push(id.clone());
        Some(id)
    }

    fn new_issue_type(&mut self, name: &str, level: i32, scope_project: Option<u64>) -> String {
        let id = self.next_issue_type_id.to_string();
        self.next_issue_type_id = self.next_issue_type_id.saturating_add(1);
        let description = match level {
            -1 => "A small piece of work that's part of a larger task.",
            1 => "A collection of related bugs, stories, and tasks.",
            _ if name == "Bug" => "A problem or error.",
            _ if name == "Story" => "Functionality or a feature expressed as a user goal.",
            _ => "A small, distinct piece of work.",
        };
        self.issue_types.push(IssueType {
            id: id.clone(),
            name: name.to_owned(),
            description: description.to_owned(),
            hierarchy_level: level,
            avatar_id: 10_300_u64.saturating_add(u64::from(level.unsigned_abs())),
            scope_project,
            entity_id: scope_project.map(|_| uuid_like()),
        });
        id
    }
}

/// Company-managed projects share these; the old `Sub-task` name is what long-lived sites have.
const SHARED_TYPES: [(&str, i32); 5] =
    [("Task", 0), ("Bug", 0), ("Story", 0), ("Epic", 1), ("Sub-task", -1)];
/// Each team-managed project gets its own copies, with the newer `Subtask` name.
const TEAM_TYPES: [(&str, i32); 5] =
    [("Task", 0), ("Bug", 0), ("Story", 0), ("Epic", 1), ("Subtask", -1)];

const DEFAULT_PRIORITY: &str = "3";

fn default_priorities() -> Vec<Priority> {
    let levels = [
        ("1", "Highest", "This problem will block progress.", "#d04437"),
        ("2", "High", "Serious problem that could block progress.", "#f15c75"),
        ("3", "Medium", "Has the potential to affect progress.", "#f79232"),
        ("4", "Low", "Minor problem or easily worked around.", "#707070"),
        ("5", "Lowest", "Trivial problem with little or no impact on progress.", "#999999"),
    ];
    levels
        .into_iter()
        .map(|(id, name, description, color)| Priority {
            id: id.to_owned(),
            name: name.to_owned(),
            description: description.to_owned(),
            color: color.to_owned(),
            icon: format!("/images/icons/priorities/{}.svg", name.to_ascii_lowercase()),
        })
        .collect()
}

/// A random UUID-shaped string, for `entityId` and project `uuid`.
pub(crate) fn uuid_like() -> String {
    random_client_key()
}

/// 24 hex digits, the shape of most Atlassian account ids.
pub(crate) fn random_account_id() -> String {
    let bytes: [u8; 12] = rand::thread_rng().r#gen();
    hex::encode(bytes)
}
