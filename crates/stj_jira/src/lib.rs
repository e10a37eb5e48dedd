#![doc = include_str!("../README.md")]

mod config;
mod http;
mod install_keys;
mod licence;

pub use config::{ATLASSIAN_INSTALL_KEYS_URL, ConfigError, JiraConfig};
pub use install_keys::HttpInstallKeySource;
pub use licence::JiraLicenceSource;
