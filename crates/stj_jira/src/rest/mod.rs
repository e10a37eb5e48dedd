//! Jira REST as the calling user: the `IssueGateway` and `PropertyStore` ports over blocking ureq,
//! through either door (Connect: the JWT bearer grant; Forge: the request's own user token).

mod adf;
mod issues;
mod oauth;
mod properties;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use stj_core::{CredentialsError, JiraAccess, TenantCredentialsSource, TenantUrl};
use stj_privacy::Secret;
use stj_subtasks::{Caller, GatewayError};

use crate::transport::{Policy, Reply, Request, Transport};
use crate::{ConfigError, JiraConfig};
use oauth::{UserTokens, bearer};

#[derive(Debug)]
pub struct JiraIssueGateway {
    transport: Transport,
    credentials: Arc<dyn TenantCredentialsSource>,
    tokens: UserTokens,
    origin_key: String,
}

impl JiraIssueGateway {
    pub fn new(
        app_key: &str,
        config: &JiraConfig,
        credentials: Arc<dyn TenantCredentialsSource>,
    ) -> Result<Self, ConfigError> {
        let timeout = config.timeout()?;
        Ok(Self {
            transport: Transport::new(
                timeout.max(Duration::from_secs(1)),
                Policy::rest(config.retry.clone()),
            ),
            credentials,
            tokens: UserTokens::new(&config.oauth_server_url),
            origin_key: format!("{app_key}.origin"),
        })
    }

    /// One call to the site's Jira as `caller`, through the caller's door. Forge: the request's
    /// own user token, sent once to `apiBaseUrl`; nothing can renew it, so a 401 comes back as the
    /// user's refusal. Connect: a user token from the bearer grant, renewed once on a 401.
    async fn call(
        &self,
        caller: &Caller,
        method: &'static str,
        path_and_query: &str,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Reply, GatewayError> {
        let call = Call { method, path_and_query, body, idempotent };
        match &caller.access {
            JiraAccess::ForgeUser { api_base_url, token } => {
                Ok(self.transport.send(call.to(api_base_url, bearer(token))).await?)
            }
            JiraAccess::Connect => self.call_as_connect_user(caller, &call).await,
        }
    }

    async fn call_as_connect_user(
        &self,
        caller: &Caller,
        call: &Call<'_>,
    ) -> Result<Reply, GatewayError> {
        let tenant =
            self.credentials.credentials(&caller.client_key).await.map_err(|e| match e {
                CredentialsError::NotInstalled => GatewayError::Forbidden,
                CredentialsError::Unavailable(cause) => GatewayError::Unavailable(cause),
            })?;
        let account = caller.account_id.expose();
        for attempt in 0..2 {
            let authorization = self.tokens.bearer(&self.transport, &tenant, account).await?;
            let reply = self.transport.send(call.to(&tenant.base_url, authorization)).await?;
            if reply.status == 401 && attempt == 0 {
                self.tokens.forget(&caller.client_key, account);
                continue;
            }
            return Ok(reply);
        }
        Err(GatewayError::Forbidden)
    }
}

/// One Jira REST call, before it is known where it goes and with which credential.
struct Call<'a> {
    method: &'static str,
    path_and_query: &'a str,
    body: Option<&'a Value>,
    idempotent: bool,
}

impl Call<'_> {
    fn to(&self, base_url: &TenantUrl, authorization: Secret<String>) -> Request {
        Request {
            method: self.method,
            url: format!("{base_url}{}", self.path_and_query),
            accept: "application/json",
            authorization: Some(authorization),
            content_type: self.body.map(|_| "application/json"),
            body: self.body.map(Value::to_string),
            idempotent: self.idempotent,
        }
    }
}

/// Maps Jira's refusals; the message keeps Jira's field errors, which name fields, not content.
fn refusal(reply: &Reply) -> GatewayError {
    match reply.status {
        401 | 403 => GatewayError::Forbidden,
        404 => GatewayError::NotFound,
        _ => GatewayError::Rejected(error_text(&reply.body)),
    }
}

fn error_text(body: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return "Jira refused the request".into();
    };
    let mut parts: Vec<String> = at(&value, "/errorMessages")
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    if let Some(errors) = at(&value, "/errors").as_object() {
        parts.extend(
            errors
                .iter()
                .map(|(field, msg)| format!("{field}: {}", msg.as_str().unwrap_or("invalid"))),
        );
    }
    if parts.is_empty() { "Jira refused the request".into() } else { parts.join("; ") }
}

/// `value` at a JSON pointer, or `null`: Jira answers are read leniently and checked by the caller.
pub(crate) fn at<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}
