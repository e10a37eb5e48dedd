//! Tokens the app signs for its own calls to Jira: `iss` = app key, `qsh` of the exact request,
//! 180 s lifetime (as ACE and jira.js do), HS256 with the tenant's shared secret.

use jwt_simple::prelude::*;
use serde::{Deserialize, Serialize};

use stj_core::{SharedSecret, TenantUrl};

use crate::qsh::qsh;

/// Lifetime of an outgoing app token.
pub const APP_TOKEN_TTL_SECS: u64 = 180;

#[derive(Debug, Serialize, Deserialize)]
struct QshClaim {
    qsh: String,
}

#[derive(Debug, thiserror::Error)]
#[error("failed to sign app token")]
pub struct SignError(#[source] jwt_simple::Error);

/// `Authorization: JWT <token>` value for `method` on `path_and_query` (relative to the tenant base URL,
/// e.g. `/rest/api/3/myself?expand=x`).
pub fn app_authorization(
    app_key: &str,
    tenant: &TenantUrl,
    shared_secret: &SharedSecret,
    method: &str,
    path_and_query: &str,
) -> Result<String, SignError> {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let claims = Claims::with_custom_claims(
        QshClaim { qsh: qsh(method, path, query, tenant.path()) },
        Duration::from_secs(APP_TOKEN_TTL_SECS),
    )
    .with_issuer(app_key);
    let key = HS256Key::from_bytes(shared_secret.expose().as_bytes());
    key.authenticate(claims).map(|token| format!("JWT {token}")).map_err(SignError)
}
