//! `PropertyStore` over Jira's user and project property endpoints, as the calling user: Jira
//! lets a user write only their own user properties (unless they administer Jira) and project
//! properties only where they administer the project. Keys, account ids and project keys are
//! checked before a URL is built, so nothing needs percent-encoding.

use async_trait::async_trait;
use serde_json::Value;
use stj_subtasks::{Caller, GatewayError, PropertyStore, PropertyTarget};

use super::{JiraIssueGateway, at, refusal};

fn rejected(problem: stj_validation::Violation) -> GatewayError {
    GatewayError::Rejected(problem.message)
}

/// The collection path and query of `target`'s properties.
fn collection(target: &PropertyTarget) -> Result<(String, String), GatewayError> {
    match target {
        PropertyTarget::User { account_id } => {
            let account_id = account_id.expose();
            stj_validation::id_rules::account_id(account_id).map_err(rejected)?;
            Ok(("/rest/api/3/user/properties".to_owned(), format!("?accountId={account_id}")))
        }
        PropertyTarget::Project { key } => {
            stj_validation::id_rules::project_key(key).map_err(rejected)?;
            Ok((format!("/rest/api/3/project/{key}/properties"), String::new()))
        }
    }
}

/// The route template of `target`'s property collection (`item`: of one property in it).
fn route(target: &PropertyTarget, item: bool) -> &'static str {
    match (target, item) {
        (PropertyTarget::User { .. }, false) => "/rest/api/3/user/properties",
        (PropertyTarget::User { .. }, true) => "/rest/api/3/user/properties/{propertyKey}",
        (PropertyTarget::Project { .. }, false) => {
            "/rest/api/3/project/{projectIdOrKey}/properties"
        }
        (PropertyTarget::Project { .. }, true) => {
            "/rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}"
        }
    }
}

fn property_path(target: &PropertyTarget, key: &str) -> Result<String, GatewayError> {
    stj_validation::id_rules::property_key(key).map_err(rejected)?;
    let (path, query) = collection(target)?;
    Ok(format!("{path}/{key}{query}"))
}

fn json(body: &str) -> Result<Value, GatewayError> {
    serde_json::from_str(body)
        .map_err(|_| GatewayError::Unavailable(anyhow::anyhow!("Jira answered non-JSON")))
}

#[async_trait]
impl PropertyStore for JiraIssueGateway {
    #[tracing::instrument(
        skip_all,
        fields(jira.op = "property_get", http.method = "GET", http.route = route(target, true))
    )]
    async fn get(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        key: &str,
    ) -> Result<Option<Value>, GatewayError> {
        let path = property_path(target, key)?;
        let reply = self.call(caller, "GET", &path, None, true).await?;
        match reply.status {
            200 => Ok(Some(at(&json(&reply.body)?, "/value").clone())),
            404 => Ok(None),
            _ => Err(refusal(&reply)),
        }
    }

    #[tracing::instrument(
        skip_all,
        fields(jira.op = "property_put", http.method = "PUT", http.route = route(target, true))
    )]
    async fn put(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        key: &str,
        value: &Value,
    ) -> Result<(), GatewayError> {
        let path = property_path(target, key)?;
        stj_validation::property::property_value(value).map_err(rejected)?;
        let reply = self.call(caller, "PUT", &path, Some(value), true).await?;
        match reply.status {
            200 | 201 => Ok(()),
            _ => Err(refusal(&reply)),
        }
    }

    #[tracing::instrument(
        skip_all,
        fields(jira.op = "property_delete", http.method = "DELETE", http.route = route(target, true))
    )]
    async fn delete(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        key: &str,
    ) -> Result<(), GatewayError> {
        let path = property_path(target, key)?;
        let reply = self.call(caller, "DELETE", &path, None, true).await?;
        match reply.status {
            // Gone already counts as removed (a retried DELETE lands here too).
            200 | 204 | 404 => Ok(()),
            _ => Err(refusal(&reply)),
        }
    }

    /// Asks Jira only for a project (a user writes their own properties).
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "may_write",
            http.method = "GET",
            http.route = matches!(target, PropertyTarget::Project { .. })
                .then_some("/rest/api/3/mypermissions"),
        )
    )]
    async fn may_write(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
    ) -> Result<bool, GatewayError> {
        let key = match target {
            PropertyTarget::User { account_id } => return Ok(*account_id == caller.account_id),
            PropertyTarget::Project { key } => key,
        };
        stj_validation::id_rules::project_key(key).map_err(rejected)?;
        // Administer Jira lets a user write any project's properties without the project role.
        let path = format!(
            "/rest/api/3/mypermissions?projectKey={key}&permissions=ADMINISTER_PROJECTS,ADMINISTER"
        );
        let reply = self.call(caller, "GET", &path, None, true).await?;
        if reply.status != 200 {
            return Err(refusal(&reply));
        }
        let body = json(&reply.body)?;
        let have = |permission: &str| {
            at(&body, &format!("/permissions/{permission}/havePermission")).as_bool() == Some(true)
        };
        Ok(have("ADMINISTER_PROJECTS") || have("ADMINISTER"))
    }

    #[tracing::instrument(
        skip_all,
        fields(jira.op = "property_keys", http.method = "GET", http.route = route(target, false))
    )]
    async fn keys(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
    ) -> Result<Vec<String>, GatewayError> {
        let (path, query) = collection(target)?;
        let reply = self.call(caller, "GET", &format!("{path}{query}"), None, true).await?;
        if reply.status != 200 {
            return Err(refusal(&reply));
        }
        Ok(at(&json(&reply.body)?, "/keys")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| at(entry, "/key").as_str().map(str::to_owned))
            .collect())
    }
}
