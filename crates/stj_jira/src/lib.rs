#![doc = include_str!("../README.md")]

mod config;
mod install_keys;
mod jwks;
mod licence;
mod rest;
mod transport;

pub use config::{
    ATLASSIAN_INSTALL_KEYS_URL, ATLASSIAN_OAUTH_SERVER_URL, ConfigError, JiraConfig, RetryConfig,
};
pub use install_keys::HttpInstallKeySource;
pub use jwks::HttpJwksSource;
pub use licence::JiraLicenceSource;
pub use rest::JiraIssueGateway;
