//! Acting as a user: the OAuth 2.0 JWT bearer grant Connect apps with `ACT_AS_USER` use. Tokens are
//! cached per tenant and user until shortly before they expire, and asked for once: calls made
//! together for the same user (the parent and the project, looked up side by side) wait for one
//! grant instead of each making their own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jwt_simple::prelude::*;
use serde::{Deserialize, Serialize};
use stj_core::{ClientKey, TenantCredentials};
use stj_privacy::Secret;
use stj_subtasks::GatewayError;

use crate::transport::{Request, Transport};

/// Renew this long before Jira says the token expires.
const RENEW_MARGIN: Duration = Duration::from_secs(60);
/// Assertions live 60 s (Atlassian refuses ones valid for more than about 120 s).
const ASSERTION_TTL_SECS: u64 = 60;
const MAX_CACHED: usize = 10_000;

#[derive(Debug, Serialize, Deserialize)]
struct TenantClaim {
    tnt: String,
}

#[derive(Debug, Deserialize)]
struct TokenReply {
    access_token: String,
    expires_in: u64,
}

type Key = (ClientKey, String);
/// Held while a grant for one tenant and user is being asked for.
type Turn = Arc<tokio::sync::Mutex<()>>;

#[derive(Debug)]
pub(crate) struct UserTokens {
    server_url: String,
    cache: Mutex<HashMap<Key, (Secret<String>, Instant)>>,
    /// One grant in flight per tenant and user; an entry lives while someone holds or awaits it.
    grants: Mutex<HashMap<Key, Turn>>,
}

impl UserTokens {
    pub(crate) fn new(server_url: &str) -> Self {
        Self {
            server_url: server_url.trim_end_matches('/').to_owned(),
            cache: Mutex::new(HashMap::new()),
            grants: Mutex::new(HashMap::new()),
        }
    }

    /// The turn for `key`, shared with whoever is asking for the same grant.
    fn turn(&self, key: &Key) -> Option<Turn> {
        let mut grants = self.grants.lock().ok()?;
        if grants.len() >= MAX_CACHED {
            // Left behind by callers that were cancelled while waiting.
            grants.retain(|_, turn| Arc::strong_count(turn) > 1);
        }
        Some(Arc::clone(grants.entry(key.clone()).or_default()))
    }

    /// Drops the turn for `key` once no one else holds or awaits it.
    fn release(&self, key: &Key, turn: Turn) {
        if let Ok(mut grants) = self.grants.lock()
            && Arc::strong_count(&turn) <= 2
        {
            grants.remove(key);
        }
    }

    pub(crate) fn forget(&self, client_key: &ClientKey, account_id: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&(client_key.clone(), account_id.to_owned()));
        }
    }

    pub(crate) async fn bearer(
        &self,
        transport: &Transport,
        tenant: &TenantCredentials,
        account_id: &str,
    ) -> Result<Secret<String>, GatewayError> {
        let key = (tenant.client_key.clone(), account_id.to_owned());
        if let Some(token) = self.cached(&key) {
            return Ok(bearer(&token));
        }
        let Some(turn) = self.turn(&key) else {
            return self.grant(transport, tenant, account_id, key).await;
        };
        let held = turn.lock().await;
        // Whoever held the turn before may have just cached a token.
        let result = match self.cached(&key) {
            Some(token) => Ok(bearer(&token)),
            None => self.grant(transport, tenant, account_id, key.clone()).await,
        };
        drop(held);
        self.release(&key, turn);
        result
    }

    /// Asks the authorization server for a token (the JWT bearer grant) and caches it.
    #[tracing::instrument(
        skip_all,
        fields(jira.op = "user_token", http.method = "POST", http.route = "/oauth2/token")
    )]
    async fn grant(
        &self,
        transport: &Transport,
        tenant: &TenantCredentials,
        account_id: &str,
        key: Key,
    ) -> Result<Secret<String>, GatewayError> {
        let client_id = tenant.oauth_client_id.as_deref().ok_or(GatewayError::Forbidden)?;
        let claims = Claims::with_custom_claims(
            TenantClaim { tnt: tenant.base_url.as_str().to_owned() },
            jwt_simple::prelude::Duration::from_secs(ASSERTION_TTL_SECS),
        )
        .with_issuer(format!("urn:atlassian:connect:clientid:{client_id}"))
        .with_subject(format!("urn:atlassian:connect:useraccountid:{account_id}"))
        .with_audience(&self.server_url);
        let assertion = HS256Key::from_bytes(tenant.shared_secret.expose().as_bytes())
            .authenticate(claims)
            .map_err(|e| {
                GatewayError::Unavailable(anyhow::anyhow!("signing the assertion failed: {e}"))
            })?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
            .append_pair("assertion", &assertion)
            .finish();
        let request = Request {
            method: "POST",
            url: format!("{}/oauth2/token", self.server_url),
            accept: "application/json",
            authorization: None,
            content_type: Some("application/x-www-form-urlencoded"),
            body: Some(body),
            // Asking for a token twice is harmless.
            idempotent: true,
        };
        let reply = transport.send(request).await?;
        if reply.status != 200 {
            tracing::warn!(http.status = reply.status, installation.client_key = %tenant.client_key, "user token refused");
            return Err(GatewayError::Forbidden);
        }
        let token: TokenReply = serde_json::from_str(&reply.body).map_err(|_| {
            GatewayError::Unavailable(anyhow::anyhow!("token endpoint answered non-JSON"))
        })?;
        let expires = Instant::now()
            .checked_add(Duration::from_secs(token.expires_in).saturating_sub(RENEW_MARGIN))
            .unwrap_or_else(Instant::now);
        let token = Secret::new(token.access_token);
        let authorization = bearer(&token);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.retain(|_, (_, at)| *at > Instant::now());
            }
            cache.insert(key, (token, expires));
        }
        Ok(authorization)
    }

    fn cached(&self, key: &Key) -> Option<Secret<String>> {
        let cache = self.cache.lock().ok()?;
        let (token, expires) = cache.get(key)?;
        (Instant::now() < *expires).then(|| token.clone())
    }
}

/// The `Authorization` value for a bearer token (both doors' user tokens go this way).
pub(crate) fn bearer(token: &Secret<String>) -> Secret<String> {
    Secret::new(format!("Bearer {}", token.expose()))
}
