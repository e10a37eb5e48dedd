#![doc = include_str!("../README.md")]

mod query;
mod wrappers;

pub use query::{CREDENTIAL_PARAMS, redact_query};
pub use wrappers::{Personal, Secret};

/// The only installation fields the backend may persist. Anything else Jira sends on install
/// (descriptions, SEN, product versions) is dropped at the edge. The Forge door adds a Forge
/// installation's ids and where its Jira API lives — installation metadata, like `base_url`, and
/// all of it taken from Forge's signed invocation token: `installation_id` (also what links a
/// Connect install to it), `cloud_id` and `api_base_url`.
pub const STORABLE_INSTALLATION_FIELDS: &[&str] = &[
    "client_key",
    "base_url",
    "display_url",
    "sealed_shared_secret",
    "key_id",
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
