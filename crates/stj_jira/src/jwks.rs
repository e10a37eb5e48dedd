//! Forge's JWKS (`forge.jwks_url`): the keys that sign Forge Invocation Tokens. Fetched only when
//! the verifier's cache asks (TTL, or an unknown `kid` at most once per interval).

use async_trait::async_trait;
use stj_core::{JwksError, JwksSource, TenantUrl};

use crate::config::{ConfigError, JiraConfig};
use crate::transport::{Policy, Request, Transport};

#[derive(Debug, Clone)]
pub struct HttpJwksSource {
    transport: Transport,
    url: String,
}

impl HttpJwksSource {
    /// `url` must be https (http only on loopback, for the sandbox), without query or credentials.
    pub fn new(url: &str, config: &JiraConfig) -> Result<Self, ConfigError> {
        let url = TenantUrl::parse(url).map_err(|_| ConfigError::JwksUrl)?;
        Ok(Self {
            transport: Transport::new(config.timeout()?, Policy::fetch()),
            url: url.as_str().to_owned(),
        })
    }
}

#[async_trait]
impl JwksSource for HttpJwksSource {
    /// The route is the configured URL's, which is not a template: only the operation is named.
    #[tracing::instrument(skip_all, fields(jira.op = "forge_jwks", http.method = "GET"))]
    async fn fetch(&self) -> Result<String, JwksError> {
        let request = Request::get(self.url.clone(), "application/json", None);
        let reply = self.transport.send(request).await.map_err(|e| {
            let e = e.into_cause();
            tracing::warn!(error.cause = %e, "Forge JWKS unavailable");
            JwksError::Unavailable(e)
        })?;
        if reply.status == 200 {
            return Ok(reply.body);
        }
        tracing::warn!(http.status = reply.status, "Forge JWKS gave no key set");
        Err(JwksError::Unavailable(anyhow::anyhow!("JWKS answered {}", reply.status)))
    }
}
