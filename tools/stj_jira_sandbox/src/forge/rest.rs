//! Who calls `/ex/jira/{cloudId}/rest/api/3/...`: only a user or system token the sandbox minted
//! for that very `cloudId`, unexpired, on a site with the app installed, for an active account;
//! with the token's scopes, which the REST gate checks against the operation.

use crate::rest::Caller;
use crate::server::lock;
use crate::{Sandbox, SandboxError};

impl Sandbox {
    /// The caller behind `authorization` on the Forge API base URL of `cloud_id`, or why not
    /// (a fixed reason, never the token).
    pub(crate) fn forge_caller(
        &self,
        cloud_id: &str,
        authorization: Option<&str>,
    ) -> Result<(Caller, Option<Vec<String>>), &'static str> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or("missing Authorization: Bearer header")?;
        let grant = self.check_forge_token(token.trim())?;
        if grant.cloud_id != cloud_id {
            return Err("token for another site");
        }
        let site = self.forge_site_by_cloud(cloud_id).map_err(|_| "unknown cloudId")?;
        let installed = lock(&self.tenants)
            .iter()
            .any(|t| t.cloud_id == cloud_id && (t.app.is_some() || t.forge_remote.is_some()));
        let active = self
            .with_site(&site.client_key, |s| s.user(&grant.account_id).is_some_and(|u| u.active))
            .map_err(|_: SandboxError| "no site content")?;
        if !installed || !active {
            return Err("app not installed or account inactive");
        }
        let caller = Caller {
            client_key: site.client_key,
            base_url: site.api_base_url,
            account_id: grant.account_id,
        };
        Ok((caller, grant.scopes))
    }
}
