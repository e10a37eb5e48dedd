//! The authentication port. The HTTP edge asks an `Authenticator` who is calling; Connect JWTs
//! are one implementation, a Forge Invocation Token verifier can be another, and handlers never change.

use std::fmt::Debug;

use async_trait::async_trait;
use stj_privacy::{Personal, Secret};

use crate::{ClientKey, Licence, TenantUrl};

/// An Atlassian account id (personal data: redacted when printed).
pub type AccountId = Personal<String>;

/// The parts of an incoming request that authentication may look at, taken raw from the wire.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    pub method: &'a str,
    /// Path as the client sent it, not percent-decoded.
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    /// The `Authorization` header value, if any.
    pub authorization: Option<&'a str>,
    /// The `x-forge-oauth-user` header (Forge door only): a credential, never logged.
    pub forge_user_token: Option<&'a str>,
}

/// How the token's query string hash must relate to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QshPolicy {
    /// Iframe pages, webhooks, lifecycle: the qsh must be computed from this exact request.
    Computed,
    /// Endpoints the app's own frontend calls with `AP.context.getToken()`: `context-qsh` or computed.
    ComputedOrContext,
}

/// Which front door a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// Atlassian Connect: a tenant HS256 JWT (`Authorization: JWT …` or `?jwt=`).
    Connect,
    /// Forge Remote: an RS256 Forge Invocation Token (`Authorization: Bearer …`).
    Forge,
}

/// How the adapters reach Jira for this principal.
#[derive(Debug, Clone)]
pub enum JiraAccess {
    /// Connect door: act as the user through the OAuth 2.0 JWT bearer grant (the install's secret).
    Connect,
    /// Forge door: the request's own `x-forge-oauth-user` token, valid for this request only
    /// (never stored, never logged, never reused across requests).
    ForgeUser { api_base_url: TenantUrl, token: Secret<String> },
}

/// Who is calling, established from a verified token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub client_key: ClientKey,
    pub base_url: TenantUrl,
    /// Absent for system calls (webhooks, lifecycle) and anonymous users.
    pub account_id: Option<AccountId>,
    /// The licence the verified token itself states (`lic` query parameter covered by the qsh, or
    /// the context token's `context.license.active`); `None` means "ask Jira".
    pub licence_claim: Option<Licence>,
    /// How to reach Jira as this principal.
    pub access: JiraAccess,
    pub door: Door,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "no token: send `Authorization: JWT <token>` or a `jwt` query parameter (Connect), or \
         `Authorization: Bearer <FIT>` (Forge)"
    )]
    Missing,
    #[error("token is malformed")]
    Malformed,
    #[error("token algorithm is not accepted here")]
    Algorithm,
    #[error("token issuer is not an installed tenant")]
    UnknownIssuer,
    #[error("token signature does not verify")]
    Signature,
    #[error("token is expired, not yet valid, or lacks exp/iat")]
    Expired,
    #[error("token query string hash does not match this request")]
    Qsh,
    #[error("token key id is not in the signer's key set")]
    UnknownKey,
    #[error("token issuer, audience or app claims are not this app's")]
    Claims,
    #[error(
        "token and forwarded credentials name different installations, or the installation is unknown"
    )]
    Installation,
    #[error("this route does not accept this kind of token")]
    DoorNotAccepted,
    #[error("the app is disabled on this site")]
    Disabled,
    #[error("authentication backend unavailable")]
    Unavailable(#[source] anyhow::Error),
}

impl AuthError {
    /// Stable machine-readable code for problem+json bodies.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Missing => "token_missing",
            Self::Malformed => "token_malformed",
            Self::Algorithm => "token_algorithm",
            Self::UnknownIssuer => "token_unknown_issuer",
            Self::Signature => "token_signature",
            Self::Expired => "token_expired",
            Self::Qsh => "token_qsh",
            Self::UnknownKey => "token_unknown_key",
            Self::Claims => "token_claims",
            Self::Installation => "token_installation",
            Self::DoorNotAccepted => "door_not_accepted",
            Self::Disabled => "app_disabled",
            Self::Unavailable(_) => "auth_unavailable",
        }
    }
}

#[async_trait]
pub trait Authenticator: Send + Sync + Debug {
    async fn authenticate(
        &self,
        request: &RequestFacts<'_>,
        policy: QshPolicy,
    ) -> Result<Principal, AuthError>;
}

#[derive(Debug, thiserror::Error)]
pub enum LicenceCheckError {
    #[error("licence state unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// Decides whether a principal's tenant holds an active licence.
#[async_trait]
pub trait LicenceGate: Send + Sync + Debug {
    async fn licence(&self, principal: &Principal) -> Result<Licence, LicenceCheckError>;
}
