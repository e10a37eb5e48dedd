//! Tokens a Jira user's browser carries to the app: iframe loads (computed qsh, `lic` in the
//! query) and context tokens from `AP.context.getToken()` (`qsh: "context-qsh"`).

use serde_json::{Value, json};
use stj_connect::qsh::{CONTEXT_QSH, qsh};
use stj_core::ClientKey;

use crate::lifecycle::url_path;
use crate::tokens::{fresh_claims, sign_hs256};
use crate::{Sandbox, SandboxError};

/// A request to the app as Jira would have the browser make it.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    /// Absolute URL at the app, query (with `lic`, if any) included, without `jwt`.
    pub url: String,
    pub token: String,
}

impl SignedRequest {
    /// The URL with `jwt=<token>` appended, as Jira renders iframe URLs.
    pub fn url_with_jwt(&self) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{separator}jwt={}", self.url, self.token)
    }

    /// `JWT <token>`, for an `Authorization` header instead.
    pub fn authorization(&self) -> String {
        format!("JWT {}", self.token)
    }
}

impl Sandbox {
    /// Sign `method path?query` at the installed app (`path` relative to the app's base URL, as in
    /// the descriptor). `lic` adds `lic=active|none`, covered by the qsh as Jira does.
    pub fn iframe_jwt(
        &self,
        client_key: &ClientKey,
        method: &str,
        path: &str,
        query: &str,
        account_id: Option<&str>,
        lic: Option<bool>,
    ) -> Result<SignedRequest, SandboxError> {
        let app = self.app(client_key)?;
        let base_path = url_path(&app.base_url);
        let query = match lic.map(|active| if active { "lic=active" } else { "lic=none" }) {
            Some(lic) if query.is_empty() => lic.to_owned(),
            Some(lic) => format!("{query}&{lic}"),
            None => query.to_owned(),
        };
        let hash = qsh(method, &format!("{base_path}{path}"), &query, &base_path);
        let claims = self.tenant_claims(client_key, &hash, account_id)?;
        let secret = self.tenant(client_key)?.shared_secret;
        let token = sign_hs256(secret.expose(), &claims)?;
        let url = if query.is_empty() {
            format!("{}{path}", app.base_url)
        } else {
            format!("{}{path}?{query}", app.base_url)
        };
        Ok(SignedRequest { url, token })
    }

    /// A context token for the app's own frontend calls, with `context.license.active`.
    pub fn context_jwt(
        &self,
        client_key: &ClientKey,
        account_id: &str,
        licence_active: bool,
    ) -> Result<String, SandboxError> {
        let mut claims = self.tenant_claims(client_key, CONTEXT_QSH, Some(account_id))?;
        if let Some(obj) = claims.as_object_mut() {
            obj.insert(
                "context".to_owned(),
                json!({ "license": { "active": licence_active }, "user": { "accountId": account_id } }),
            );
        }
        sign_hs256(self.tenant(client_key)?.shared_secret.expose(), &claims)
    }

    /// Claims Jira puts in a tenant-signed token (`iss` = clientKey, `iat`, `exp`, `qsh`, `sub`,
    /// empty `context`): edit them and sign with [`crate::sign_hs256`] to forge variants.
    pub fn tenant_claims(
        &self,
        client_key: &ClientKey,
        qsh: &str,
        account_id: Option<&str>,
    ) -> Result<Value, SandboxError> {
        self.tenant(client_key)?;
        let mut claims =
            fresh_claims(json!({ "iss": client_key.as_str(), "qsh": qsh, "context": {} }));
        if let (Some(obj), Some(account_id)) = (claims.as_object_mut(), account_id) {
            obj.insert("sub".to_owned(), json!(account_id));
        }
        Ok(claims)
    }
}
