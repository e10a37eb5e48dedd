//! How the app presents itself to Jira. Read from `config/*.toml` by the binary.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectConfig {
    /// App key: `iss` of every token the app signs; `^[a-zA-Z0-9-._]+$`, at most 64 characters.
    pub app_key: String,
    pub name: String,
    pub description: String,
    /// Public https URL Jira calls (`baseUrl` in the descriptor); `aud` of signed-install tokens.
    pub base_url: String,
    pub vendor_name: String,
    pub vendor_url: String,
    /// Seconds a tenant's registry row (and unsealed secret) stays in memory before it is re-read.
    pub tenant_cache_secs: u64,
    /// Seconds a licence answer from Jira's licence endpoint is reused (at most 300).
    pub licence_cache_secs: u64,
}
