#![doc = include_str!("../README.md")]

mod query;
mod wrappers;

pub use query::{CREDENTIAL_PARAMS, redact_query};
pub use wrappers::{Personal, Secret};

/// The only columns the backend may store, in any table: installation metadata. Anything else
/// Jira sends on install (descriptions, SEN, product versions) is dropped at the edge. The shared
/// secret is stored only sealed (AES-256-GCM): the id of the sealing key, the nonce and the
/// ciphertext. The Forge door adds a Forge installation's ids and where its Jira API lives
/// (installation metadata, like `base_url`, all of it from Forge's signed invocation token):
/// `installation_id` (also what links a Connect install to it), `cloud_id` and `api_base_url`.
/// `stj_registry`'s `tests/registry/schema.rs` compares this list with the columns both
/// migration trees make.
pub const STORABLE_INSTALLATION_FIELDS: &[&str] = &[
    "client_key",
    "base_url",
    "display_url",
    "secret_key_id",
    "secret_nonce",
    "secret_ciphertext",
    "enabled",
    "oauth_client_id",
    "created_at",
    "updated_at",
    "installation_id",
    "cloud_id",
    "api_base_url",
];

/// What `Debug`/`Display` print in place of a protected value.
pub const REDACTED: &str = "[redacted]";

#[cfg(test)]
mod tests;
