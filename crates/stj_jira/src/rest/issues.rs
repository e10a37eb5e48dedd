//! The calls behind `IssueGateway`: the parent, its project's subtask types, bulk create, the
//! parent's subtasks with their origin markers, and issue properties.

use async_trait::async_trait;
use chrono::NaiveDate;
use serde_json::{Value, json};
use stj_core::IssueKey;
use stj_privacy::Personal;
use stj_subtasks::{
    Caller, ExistingSubtask, GatewayError, IssueGateway, IssueTypeRef, ItemOutcome, NewSubtask,
    Origin, ParentIssue, ProjectSubtaskTypes, UserRef,
};
use stj_templates::RenderedAssignee;

use super::{JiraIssueGateway, adf, at, refusal};

const PARENT_FIELDS: &str = "summary,assignee,reporter,duedate,project,issuetype,subtasks";
/// Jira's `user/bulk` answers pages of at most this many users (its own default is 10).
const USERS_PER_CALL: usize = 100;

/// A key Jira listed (a subtask's), as the key every call takes.
fn checked_key(issue_key: &str) -> Result<IssueKey, GatewayError> {
    IssueKey::parse(issue_key).map_err(|e| GatewayError::Rejected(e.to_string()))
}

fn json(body: &str) -> Result<Value, GatewayError> {
    serde_json::from_str(body)
        .map_err(|_| GatewayError::Unavailable(anyhow::anyhow!("Jira answered non-JSON")))
}

fn string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn fields(item: &NewSubtask, parent: &ParentIssue) -> Value {
    let mut fields = json!({
        "project": { "id": parent.project_id },
        "parent": { "key": parent.key.as_str() },
        "issuetype": { "id": item.issue_type_id },
        "summary": item.summary.expose(),
    });
    let map = fields.as_object_mut();
    if let Some(map) = map {
        if let Some(text) = &item.description {
            map.insert("description".into(), adf::paragraphs(text.expose()));
        }
        match &item.assignee {
            RenderedAssignee::ProjectDefault => {}
            RenderedAssignee::Unassigned => {
                map.insert("assignee".into(), Value::Null);
            }
            RenderedAssignee::Account(id) => {
                map.insert("assignee".into(), json!({ "id": id }));
            }
        }
        if !item.labels.is_empty() {
            map.insert("labels".into(), json!(item.labels));
        }
        if let Some(estimate) = &item.original_estimate {
            map.insert("timetracking".into(), json!({ "originalEstimate": estimate }));
        }
        if let Some(priority) = &item.priority_name {
            map.insert("priority".into(), json!({ "name": priority }));
        }
        if let Some(due) = item.due_date {
            map.insert("duedate".into(), json!(due.format("%Y-%m-%d").to_string()));
        }
    }
    fields
}

/// `issues[]` lists only successes, in submission order; failures name their index.
fn outcomes(body: &Value, n: usize) -> Vec<ItemOutcome> {
    let mut failed: Vec<Option<String>> = vec![None; n];
    for error in at(body, "/errors").as_array().into_iter().flatten() {
        let index =
            at(error, "/failedElementNumber").as_u64().and_then(|i| usize::try_from(i).ok());
        let element = &at(error, "/elementErrors");
        let mut parts: Vec<String> = at(element, "/errorMessages")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_owned))
            .collect();
        if let Some(map) = at(element, "/errors").as_object() {
            parts.extend(
                map.iter().map(|(f, m)| format!("{f}: {}", m.as_str().unwrap_or("invalid"))),
            );
        }
        if let Some(slot) = index.and_then(|i| failed.get_mut(i)) {
            *slot =
                Some(if parts.is_empty() { "rejected by Jira".into() } else { parts.join("; ") });
        }
    }
    let mut created =
        at(body, "/issues").as_array().into_iter().flatten().filter_map(|i| at(i, "/key").as_str());
    failed
        .into_iter()
        .map(|f| match f {
            Some(message) => ItemOutcome::Rejected { message },
            None => match created.next() {
                Some(key) => ItemOutcome::Created { key: key.to_owned() },
                None => ItemOutcome::Rejected { message: "Jira did not report this item".into() },
            },
        })
        .collect()
}

/// The parent as `GET /issue/{key}?fields=…` answers it.
fn parent_issue(issue: &Value) -> Result<ParentIssue, GatewayError> {
    let f = &at(issue, "/fields");
    let missing =
        || GatewayError::Unavailable(anyhow::anyhow!("issue answer lacks id, key or project"));
    Ok(ParentIssue {
        id: string(at(issue, "/id")).ok_or_else(missing)?,
        key: at(issue, "/key")
            .as_str()
            .and_then(|k| IssueKey::parse(k).ok())
            .ok_or_else(missing)?,
        project_id: string(at(f, "/project/id")).ok_or_else(missing)?,
        summary: Personal::new(at(f, "/summary").as_str().unwrap_or_default().to_owned()),
        assignee: at(f, "/assignee/accountId").as_str().map(|id| UserRef {
            account_id: id.to_owned(),
            display_name: Personal::new(
                at(f, "/assignee/displayName").as_str().unwrap_or_default().to_owned(),
            ),
        }),
        reporter_account_id: at(f, "/reporter/accountId").as_str().map(str::to_owned),
        due_date: at(f, "/duedate")
            .as_str()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        is_subtask: at(f, "/issuetype/subtask").as_bool().unwrap_or(false)
            || at(f, "/issuetype/hierarchyLevel").as_i64() == Some(-1),
        subtask_keys: keys_of(at(f, "/subtasks")),
    })
}

/// The keys of Jira's `subtasks` field, in its order.
fn keys_of(subtasks: &Value) -> Vec<String> {
    subtasks
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| at(s, "/key").as_str().map(str::to_owned))
        .collect()
}

/// Subtask types (hierarchy level -1) among issue types as Jira lists them, in Jira's order.
fn subtask_types_in(types: &Value) -> Vec<IssueTypeRef> {
    types
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            at(t, "/hierarchyLevel").as_i64() == Some(-1)
                || at(t, "/subtask").as_bool() == Some(true)
        })
        .filter_map(|t| {
            Some(IssueTypeRef {
                id: string(at(t, "/id"))?,
                name: at(t, "/name").as_str()?.to_owned(),
            })
        })
        .collect()
}

impl JiraIssueGateway {
    /// `GET path` answered 200 with JSON; other statuses map to the gateway's errors.
    async fn get_json(&self, caller: &Caller, path: &str) -> Result<Value, GatewayError> {
        let reply = self.call(caller, "GET", path, None, true).await?;
        if reply.status != 200 {
            return Err(refusal(&reply));
        }
        json(&reply.body)
    }
}

impl JiraIssueGateway {
    /// The parent's subtask keys, oldest first.
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "subtask_keys",
            http.method = "GET",
            http.route = "/rest/api/3/issue/{issueIdOrKey}",
        )
    )]
    async fn subtask_keys(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<String>, GatewayError> {
        let path = format!("/rest/api/3/issue/{parent_key}?fields=subtasks");
        let reply = self.call(caller, "GET", &path, None, true).await?;
        if reply.status != 200 {
            return Err(refusal(&reply));
        }
        Ok(keys_of(at(&json(&reply.body)?, "/fields/subtasks")))
    }
}

#[async_trait]
impl IssueGateway for JiraIssueGateway {
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "parent",
            http.method = "GET",
            http.route = "/rest/api/3/issue/{issueIdOrKey}",
        )
    )]
    async fn parent(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
    ) -> Result<ParentIssue, GatewayError> {
        let path = format!("/rest/api/3/issue/{issue_key}?fields={PARENT_FIELDS}");
        parent_issue(&self.get_json(caller, &path).await?)
    }

    /// One call: Jira returns the issue's properties named in `properties=` with its fields.
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "parent_with_property",
            http.method = "GET",
            http.route = "/rest/api/3/issue/{issueIdOrKey}",
        )
    )]
    async fn parent_with_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        property_key: &str,
    ) -> Result<(ParentIssue, Option<Value>), GatewayError> {
        let property_key = checked_property(property_key)?;
        if property_key.starts_with('-') {
            // `properties=-key` would mean "all but key": read it on its own instead.
            let parent = self.parent(caller, issue_key).await?;
            let value = self.get_issue_property(caller, &parent.key, property_key).await?;
            return Ok((parent, value));
        }
        let path = format!(
            "/rest/api/3/issue/{issue_key}?fields={PARENT_FIELDS}&properties={property_key}"
        );
        let issue = self.get_json(caller, &path).await?;
        let value = at(&issue, "/properties").get(property_key).cloned();
        Ok((parent_issue(&issue)?, value))
    }

    /// `GET /project/{key}`: the project's id and issue types in one answer.
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "project_subtask_types",
            http.method = "GET",
            http.route = "/rest/api/3/project/{projectIdOrKey}",
        )
    )]
    async fn project_subtask_types(
        &self,
        caller: &Caller,
        project_key: &str,
    ) -> Result<Option<ProjectSubtaskTypes>, GatewayError> {
        stj_validation::id_rules::project_key(project_key)
            .map_err(|p| GatewayError::Rejected(p.message))?;
        let project = self.get_json(caller, &format!("/rest/api/3/project/{project_key}")).await?;
        let project_id = string(at(&project, "/id")).ok_or_else(|| {
            GatewayError::Unavailable(anyhow::anyhow!("project answer lacks its id"))
        })?;
        Ok(Some(ProjectSubtaskTypes {
            project_id,
            types: subtask_types_in(at(&project, "/issueTypes")),
        }))
    }

    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "subtask_types",
            http.method = "GET",
            http.route = "/rest/api/3/issuetype/project",
        )
    )]
    async fn subtask_types(
        &self,
        caller: &Caller,
        project_id: &str,
    ) -> Result<Vec<IssueTypeRef>, GatewayError> {
        if project_id.is_empty() || !project_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GatewayError::Rejected("project id must be numeric".into()));
        }
        let path = format!("/rest/api/3/issuetype/project?projectId={project_id}&level=-1");
        let reply = self.call(caller, "GET", &path, None, true).await?;
        if reply.status != 200 {
            return Err(refusal(&reply));
        }
        Ok(json(&reply.body)?
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some(IssueTypeRef {
                    id: string(at(t, "/id"))?,
                    name: at(t, "/name").as_str()?.to_owned(),
                })
            })
            .collect())
    }

    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "bulk_create",
            http.method = "POST",
            http.route = "/rest/api/3/issue/bulk",
        )
    )]
    async fn bulk_create(
        &self,
        caller: &Caller,
        parent: &ParentIssue,
        items: &[NewSubtask],
    ) -> Result<Vec<ItemOutcome>, GatewayError> {
        let updates: Vec<Value> = items
            .iter()
            .map(|item| {
                json!({
                    "fields": fields(item, parent),
                    "properties": [{
                        "key": self.origin_key,
                        "value": { "apply": item.origin.apply_id, "index": item.origin.index }
                    }]
                })
            })
            .collect();
        let body = json!({ "issueUpdates": updates });
        let reply = self.call(caller, "POST", "/rest/api/3/issue/bulk", Some(&body), false).await?;
        match reply.status {
            201 | 400 if reply.body.contains("\"issues\"") => {
                Ok(outcomes(&json(&reply.body)?, items.len()))
            }
            _ => Err(refusal(&reply)),
        }
    }

    /// `GET /user/bulk?accountId=…&maxResults=100`: one call for up to 100 accounts; more are
    /// left out (names are a courtesy of the preview, not something to spend calls on).
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "users",
            http.method = "GET",
            http.route = "/rest/api/3/user/bulk",
        )
    )]
    async fn users(
        &self,
        caller: &Caller,
        account_ids: &[String],
    ) -> Result<Vec<UserRef>, GatewayError> {
        let ids: Vec<&String> = account_ids
            .iter()
            .filter(|id| stj_validation::id_rules::account_id(id).is_ok())
            .take(USERS_PER_CALL)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut path = format!("/rest/api/3/user/bulk?maxResults={USERS_PER_CALL}");
        for id in ids {
            path.push_str("&accountId=");
            path.extend(url::form_urlencoded::byte_serialize(id.as_bytes()));
        }
        let page = self.get_json(caller, &path).await?;
        Ok(at(&page, "/values")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| {
                Some(UserRef {
                    account_id: at(u, "/accountId").as_str()?.to_owned(),
                    display_name: Personal::new(at(u, "/displayName").as_str()?.to_owned()),
                })
            })
            .collect())
    }

    #[tracing::instrument(skip_all, fields(jira.op = "subtask_origins"))]
    async fn subtask_origins(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<(String, Option<Origin>)>, GatewayError> {
        let keys = self.subtask_keys(caller, parent_key).await?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let checked = checked_key(&key)?;
            let value = self.get_issue_property(caller, &checked, &self.origin_key).await?;
            let origin = value.and_then(|v| {
                Some(Origin {
                    apply_id: at(&v, "/apply").as_str()?.to_owned(),
                    index: usize::try_from(at(&v, "/index").as_u64()?).ok()?,
                })
            });
            out.push((key, origin));
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(jira.op = "existing_subtasks"))]
    async fn existing_subtasks(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<ExistingSubtask>, GatewayError> {
        let keys = self.subtask_keys(caller, parent_key).await?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let path = format!(
                "/rest/api/3/issue/{}?fields=summary,assignee,labels,priority,timetracking",
                checked_key(&key)?
            );
            let reply = self.call(caller, "GET", &path, None, true).await?;
            if reply.status != 200 {
                return Err(refusal(&reply));
            }
            let issue = json(&reply.body)?;
            let f = at(&issue, "/fields");
            out.push(ExistingSubtask {
                summary: Personal::new(at(f, "/summary").as_str().unwrap_or_default().to_owned()),
                assignee_account_id: at(f, "/assignee/accountId").as_str().map(str::to_owned),
                labels: at(f, "/labels")
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|l| l.as_str().map(str::to_owned))
                    .collect(),
                original_estimate: at(f, "/timetracking/originalEstimate")
                    .as_str()
                    .map(str::to_owned),
                priority_name: at(f, "/priority/name").as_str().map(str::to_owned),
            });
        }
        Ok(out)
    }

    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "get_issue_property",
            http.method = "GET",
            http.route = "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        )
    )]
    async fn get_issue_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        key: &str,
    ) -> Result<Option<Value>, GatewayError> {
        let path = format!("/rest/api/3/issue/{issue_key}/properties/{}", checked_property(key)?);
        let reply = self.call(caller, "GET", &path, None, true).await?;
        match reply.status {
            200 => Ok(json(&reply.body)?.get("value").cloned()),
            404 => Ok(None),
            _ => Err(refusal(&reply)),
        }
    }

    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "put_issue_property",
            http.method = "PUT",
            http.route = "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        )
    )]
    async fn put_issue_property(
        &self,
        caller: &Caller,
        issue_key: &IssueKey,
        key: &str,
        value: &Value,
    ) -> Result<(), GatewayError> {
        let path = format!("/rest/api/3/issue/{issue_key}/properties/{}", checked_property(key)?);
        let reply = self.call(caller, "PUT", &path, Some(value), true).await?;
        match reply.status {
            200 | 201 => Ok(()),
            _ => Err(refusal(&reply)),
        }
    }
}

fn checked_property(key: &str) -> Result<&str, GatewayError> {
    stj_validation::id_rules::property_key(key).map_err(|p| GatewayError::Rejected(p.message))?;
    Ok(key)
}
