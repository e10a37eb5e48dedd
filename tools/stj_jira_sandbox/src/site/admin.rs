//! The library API over a tenant's Jira content: what tests set up before the app calls Jira, and
//! what they read back afterwards without going through REST.

use serde_json::Value;
use stj_core::ClientKey;

use super::model::{Entity, IssueRef, JiraUser, NewIssue, NewProject, ProjectInfo};
use super::records::IssueDraft;
use super::render::{ISSUE_FIELDS, Render};
use super::{Site, random_account_id};
use crate::server::lock;
use crate::{Sandbox, SandboxError};

impl Sandbox {
    pub(crate) fn with_site<T>(
        &self,
        client_key: &ClientKey,
        f: impl FnOnce(&mut Site) -> T,
    ) -> Result<T, SandboxError> {
        let mut sites = lock(&self.sites);
        let site = sites
            .get_mut(client_key.as_str())
            .ok_or_else(|| SandboxError::UnknownTenant(client_key.to_string()))?;
        Ok(f(site))
    }

    /// Add a user to the site; refused if the account id is taken.
    pub fn add_user(&self, client_key: &ClientKey, user: JiraUser) -> Result<(), SandboxError> {
        self.with_site(client_key, |site| {
            if site.user(&user.account_id).is_some() {
                return Err(invalid(format!("user {} already exists", user.account_id)));
            }
            site.users.push(user);
            Ok(())
        })?
    }

    /// A user as the site has it now.
    pub fn user(&self, client_key: &ClientKey, account_id: &str) -> Result<JiraUser, SandboxError> {
        self.with_site(client_key, |site| site.user(account_id).cloned())?
            .ok_or_else(|| invalid(format!("no user {account_id}")))
    }

    /// Change a user in place: revoke a permission, deactivate, make admin.
    pub fn update_user(
        &self,
        client_key: &ClientKey,
        account_id: &str,
        change: impl FnOnce(&mut JiraUser),
    ) -> Result<(), SandboxError> {
        self.with_site(client_key, |site| site.user_mut(account_id).map(change))?
            .ok_or_else(|| invalid(format!("no user {account_id}")))
    }

    /// The account id of the installed app's own user, which app-JWT calls act as. It is in the
    /// `atlassian-addons-admin` group: *Administer Jira* and every project permission, until a
    /// test takes them away with [`Self::update_user`].
    pub fn app_account_id(&self, client_key: &ClientKey) -> Result<String, SandboxError> {
        self.with_site(client_key, |site| site.app_account_id.clone())?
            .ok_or_else(|| SandboxError::NotInstalled(client_key.to_string()))
    }

    pub fn add_project(
        &self,
        client_key: &ClientKey,
        project: &NewProject,
    ) -> Result<ProjectInfo, SandboxError> {
        self.with_site(client_key, |site| site.add_project(project))?.map_err(invalid)
    }

    /// Add an issue type to a project (e.g. a second subtask type, `hierarchy_level` -1); its id.
    pub fn add_issue_type(
        &self,
        client_key: &ClientKey,
        project_key: &str,
        name: &str,
        hierarchy_level: i32,
    ) -> Result<String, SandboxError> {
        self.with_site(client_key, |site| {
            site.add_project_issue_type(project_key, name, hierarchy_level)
        })?
        .ok_or_else(|| invalid(format!("no project {project_key}")))
    }

    pub fn project(
        &self,
        client_key: &ClientKey,
        id_or_key: &str,
    ) -> Result<ProjectInfo, SandboxError> {
        self.with_site(client_key, |site| site.project_info(id_or_key))?
            .ok_or_else(|| invalid(format!("no project {id_or_key}")))
    }

    /// Put an issue straight into the site (no REST, no permission checks) for test setup.
    pub fn add_issue(
        &self,
        client_key: &ClientKey,
        issue: &NewIssue,
    ) -> Result<IssueRef, SandboxError> {
        self.with_site(client_key, |site| {
            let draft = draft_of(site, issue)?;
            let created = site.insert_issue(draft).ok_or_else(|| invalid("project vanished"))?;
            Ok(IssueRef { id: created.id.to_string(), key: created.key.clone() })
        })?
    }

    /// The client keys of every tenant, in creation order.
    pub fn client_keys(&self) -> Vec<String> {
        lock(&self.tenants).iter().map(|t| t.client_key.to_string()).collect()
    }

    /// Every field of an issue, rendered as `GET /rest/api/3/issue/{id}` would (`fields` object).
    pub fn issue_fields(
        &self,
        client_key: &ClientKey,
        id_or_key: &str,
    ) -> Result<Value, SandboxError> {
        let base = self.tenant(client_key)?.base_url;
        self.with_site(client_key, |site| {
            let issue = site.issue(id_or_key)?;
            let rendered = Render { site, base: base.as_str() }.issue(issue, &ISSUE_FIELDS, None);
            rendered.get("fields").cloned()
        })?
        .ok_or_else(|| invalid(format!("no issue {id_or_key}")))
    }

    /// Delete an issue and its subtasks, as a user deleting it in Jira would (no REST); `false`
    /// when there is no such issue.
    pub fn delete_issue(
        &self,
        client_key: &ClientKey,
        id_or_key: &str,
    ) -> Result<bool, SandboxError> {
        self.with_site(client_key, |site| {
            let Some(id) = site.issue(id_or_key).map(|i| i.id) else {
                return false;
            };
            site.issues.retain(|i| i.id != id && i.fields.parent_id != Some(id));
            true
        })
    }

    /// Keys of every issue on the site, oldest first.
    pub fn issue_keys(&self, client_key: &ClientKey) -> Result<Vec<String>, SandboxError> {
        self.with_site(client_key, |site| site.issues.iter().map(|i| i.key.clone()).collect())
    }

    /// A property's value, `None` when the entity has no such property.
    pub fn entity_property(
        &self,
        client_key: &ClientKey,
        entity: Entity<'_>,
        key: &str,
    ) -> Result<Option<Value>, SandboxError> {
        self.with_site(client_key, |site| {
            properties_of(site, entity).map(|props| props.get(key).cloned())
        })?
        .ok_or_else(|| invalid(format!("no {entity:?}")))
    }

    /// Set a property without REST (seeding, or simulating another app's write).
    pub fn set_entity_property(
        &self,
        client_key: &ClientKey,
        entity: Entity<'_>,
        key: &str,
        value: Value,
    ) -> Result<(), SandboxError> {
        self.with_site(client_key, |site| {
            properties_of(site, entity).map(|props| props.insert(key.to_owned(), value))
        })?
        .map(drop)
        .ok_or_else(|| invalid(format!("no {entity:?}")))
    }

    /// Called when an app is installed: Jira creates its user, an admin through
    /// `atlassian-addons-admin`, named after the app.
    pub(crate) fn create_app_user(
        &self,
        client_key: &ClientKey,
        app_key: &str,
    ) -> Result<(), SandboxError> {
        self.with_site(client_key, |site| {
            if site.app_account_id.is_some() {
                return;
            }
            let account_id = random_account_id();
            let mut user = JiraUser::new(&account_id, app_key).admin();
            user.account_type = "app".to_owned();
            site.users.push(user);
            site.app_account_id = Some(account_id);
        })
    }
}

/// The properties map of `entity`; user properties exist for any known user.
pub(crate) fn properties_of<'s>(
    site: &'s mut Site,
    entity: Entity<'_>,
) -> Option<&'s mut std::collections::BTreeMap<String, Value>> {
    match entity {
        Entity::Issue(id_or_key) => site.issue_mut(id_or_key).map(|i| &mut i.fields.properties),
        Entity::Project(id_or_key) => site.project_mut(id_or_key).map(|p| &mut p.properties),
        Entity::User(account_id) => {
            site.user(account_id)?;
            Some(site.user_properties.entry(account_id.to_owned()).or_default())
        }
    }
}

fn draft_of(site: &Site, issue: &NewIssue) -> Result<IssueDraft, SandboxError> {
    let project = site
        .project(&issue.project_key)
        .ok_or_else(|| invalid(format!("no project {}", issue.project_key)))?;
    let issue_type = site
        .project_issue_types(project)
        .into_iter()
        .find(|t| t.name == issue.issue_type)
        .ok_or_else(|| invalid(format!("no issue type {} in {}", issue.issue_type, project.key)))?;
    let parent_id = match &issue.parent {
        Some(key) => Some(site.issue(key).ok_or_else(|| invalid(format!("no issue {key}")))?.id),
        None => None,
    };
    let user = |id: &str| site.user(id).map(|u| u.account_id.clone());
    let assignee = match &issue.assignee {
        Some(id) => Some(user(id).ok_or_else(|| invalid(format!("no user {id}")))?),
        None => None,
    };
    let reporter = match &issue.reporter {
        Some(id) => user(id).ok_or_else(|| invalid(format!("no user {id}")))?,
        None => site.app_account_id.clone().unwrap_or_default(),
    };
    let priority = match &issue.priority {
        Some(name) => site.priority(name),
        None => site.default_priority(),
    }
    .ok_or_else(|| invalid(format!("no priority {:?}", issue.priority)))?;
    Ok(IssueDraft {
        project_id: project.id,
        issue_type_id: issue_type.id.clone(),
        summary: issue.summary.clone(),
        parent_id,
        assignee,
        reporter,
        due_date: issue.due_date.clone(),
        priority_id: priority.id.clone(),
        labels: issue.labels.clone(),
        original_estimate_secs: None,
        description: issue.description.clone(),
        properties: Default::default(),
    })
}

fn invalid(why: impl Into<String>) -> SandboxError {
    SandboxError::Invalid(why.into())
}
