//! The Forge door's ids and ports: installations (no shared secret: Forge signs every call),
//! the Connect link, and the JWKS the Forge Invocation Token verifier reads its keys from.

use std::fmt::{self, Debug};
use std::sync::LazyLock;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use regex::Regex;

use crate::{ClientKey, IdError, RegistryError, TenantUrl};

#[expect(clippy::unwrap_used, reason = "literal pattern, covered by tests")]
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$").unwrap()
});

/// Prefix of the tenant key of a Forge installation no Connect install links.
pub const UNLINKED_FORGE_PREFIX: &str = "forge:";

const INSTALLATION_ARI: &str = "ari:cloud:ecosystem::installation/";

fn uuid(raw: &str, what: &'static str) -> Result<String, IdError> {
    let lower = raw.to_ascii_lowercase();
    if UUID.is_match(&lower) {
        Ok(lower)
    } else {
        Err(IdError::Charset { what, allowed: "a uuid (8-4-4-4-12 hex)" })
    }
}

/// A Forge installation: the uuid of `ari:cloud:ecosystem::installation/{uuid}`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ForgeInstallationId(String);

impl ForgeInstallationId {
    /// Takes the ARI (as in the FIT's `app.installationId`) or the bare uuid (as Connect's
    /// `installed` payload may carry it).
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        uuid(raw.strip_prefix(INSTALLATION_ARI).unwrap_or(raw), "installationId").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn ari(&self) -> String {
        format!("{INSTALLATION_ARI}{}", self.0)
    }

    /// The tenant key of an installation no Connect install links: `forge:{uuid}`. It cannot
    /// collide with a Connect `clientKey` that Jira issues (those are uuids without a prefix).
    pub fn unlinked_tenant_key(&self) -> Result<ClientKey, IdError> {
        ClientKey::parse(&format!("{UNLINKED_FORGE_PREFIX}{}", self.0))
    }
}

impl Debug for ForgeInstallationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ForgeInstallationId({})", self.0)
    }
}

/// A Jira site's cloud id (uuid). Not personal data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CloudId(String);

impl CloudId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        uuid(raw, "cloudId").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Forge installation as stored: only installation metadata (`STORABLE_INSTALLATION_FIELDS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeInstallation {
    pub installation_id: ForgeInstallationId,
    pub cloud_id: CloudId,
    /// `app.apiBaseUrl` from the verified FIT (`https://api.atlassian.com/ex/jira/{cloudId}`).
    pub api_base_url: TenantUrl,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a verified `avi:forge:installed:app` event writes. An existing row keeps `created_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewForgeInstallation {
    pub installation_id: ForgeInstallationId,
    pub cloud_id: CloudId,
    pub api_base_url: TenantUrl,
}

/// Where Forge installations and their Connect links live (same store as Connect installs).
#[async_trait]
pub trait ForgeRegistry: Send + Sync + Debug {
    /// Insert or refresh (enabled, cloud id, API base URL), keeping `created_at`.
    async fn upsert_forge(
        &self,
        new: NewForgeInstallation,
        now: DateTime<Utc>,
    ) -> Result<ForgeInstallation, RegistryError>;
    async fn find_forge(
        &self,
        id: &ForgeInstallationId,
    ) -> Result<Option<ForgeInstallation>, RegistryError>;
    /// `Ok(false)` when no such installation existed.
    async fn delete_forge(&self, id: &ForgeInstallationId) -> Result<bool, RegistryError>;
    /// Records that the Connect install `client_key` is installation `id` (its verified `installed`
    /// payload carried `installationId`; ACE's approach). Replaces an earlier link of either.
    /// The link goes when the Connect install is deleted.
    async fn link_connect(
        &self,
        client_key: &ClientKey,
        id: &ForgeInstallationId,
    ) -> Result<(), RegistryError>;
    /// The Connect install whose `installed` payload carried this installation id, if any.
    async fn linked_client_key(
        &self,
        id: &ForgeInstallationId,
    ) -> Result<Option<ClientKey>, RegistryError>;
}

#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    /// Unreachable, timed out, non-2xx or not JSON: the edge answers 503, never 401.
    #[error("JWKS unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// The key set that signs Forge Invocation Tokens (`forge.jwks_url`). Returns the raw JSON
/// document; parsing and the choice of keys stay in the verifier.
#[async_trait]
pub trait JwksSource: Send + Sync + Debug {
    async fn fetch(&self) -> Result<String, JwksError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installation_ids_take_the_ari_or_the_uuid() {
        let uuid = "8D5F651A-B2E9-4B38-AAC6-30ABC7F3EFFB";
        let from_ari = ForgeInstallationId::parse(&format!("{INSTALLATION_ARI}{uuid}")).unwrap();
        assert_eq!(from_ari, ForgeInstallationId::parse(uuid).unwrap());
        assert_eq!(from_ari.as_str(), "8d5f651a-b2e9-4b38-aac6-30abc7f3effb");
        assert_eq!(
            from_ari.unlinked_tenant_key().unwrap().as_str(),
            format!("forge:{}", from_ari.as_str())
        );
        for bad in [
            "",
            "x",
            "ari:cloud:ecosystem::app/8d5f651a-b2e9-4b38-aac6-30abc7f3effb",
            "8d5f651a-b2e9-4b38-aac6-30abc7f3effb/..",
        ] {
            assert!(ForgeInstallationId::parse(bad).is_err(), "{bad}");
        }
        assert!(CloudId::parse("4869c4ef-cb0d-4108-8243-8929ac7cc1fa").is_ok());
        assert!(CloudId::parse("4869c4ef").is_err());
    }
}
