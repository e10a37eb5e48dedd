//! What the backend knows about a tenant, and nothing more (see `stj_privacy::STORABLE_INSTALLATION_FIELDS`).

use chrono::{DateTime, Utc};
use stj_privacy::Secret;

use crate::{ClientKey, TenantUrl};

/// The tenant's HS256 secret, as sent in the `installed` payload (up to 128 characters).
pub type SharedSecret = Secret<String>;

/// A shared secret sealed with AES-256-GCM. `ciphertext` carries the tag; the client key is the
/// associated data, so a sealed secret copied to another tenant's row does not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedSecret {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// An installation as stored by the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    pub client_key: ClientKey,
    pub base_url: TenantUrl,
    pub display_url: Option<TenantUrl>,
    pub sealed_secret: SealedSecret,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Client id for the OAuth 2.0 JWT bearer grant (acting as a user); sent on install.
    pub oauth_client_id: Option<String>,
}

/// What a verified `installed` callback writes. An existing row keeps its `created_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstallation {
    pub client_key: ClientKey,
    pub base_url: TenantUrl,
    pub display_url: Option<TenantUrl>,
    pub sealed_secret: SealedSecret,
    pub enabled: bool,
    pub oauth_client_id: Option<String>,
}
