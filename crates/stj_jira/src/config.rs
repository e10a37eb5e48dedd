//! The `[jira]` config section: where Atlassian's services are and how long to wait for them.

use std::time::Duration;

use serde::Deserialize;

/// Atlassian's documented install-key service (`GET {this}/{kid}` → PEM).
pub const ATLASSIAN_INSTALL_KEYS_URL: &str = "https://connect-install-keys.atlassian.com";

/// Outbound calls to Atlassian. The app key is not here: it belongs to `[connect]` and is handed
/// to [`crate::JiraLicenceSource::new`], so there is one source of truth for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiraConfig {
    /// Base URL of the install-key service; a key is fetched from `{install_keys_url}/{kid}`.
    /// Must be https; plain http is accepted only on loopback (the sandbox in tests and local runs).
    #[serde(default = "default_install_keys_url")]
    pub install_keys_url: String,
    /// Whole-call timeout (connect, send, read) for every call to Atlassian, in milliseconds,
    /// 1 to 60000. Kept short: both calls sit on a request path that Jira itself times out.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Atlassian's OAuth 2.0 authorization server, for acting as a user (JWT bearer grant).
    #[serde(default = "default_oauth_server_url")]
    pub oauth_server_url: String,
    #[serde(default)]
    pub retry: RetryConfig,
}

/// Atlassian's documented backoff: honour `Retry-After`, else double from the initial delay up to
/// the cap, with jitter; a bounded number of retries for transient failures (5xx, timeouts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    pub rate_limit_retries: u32,
    pub transient_retries: u32,
    pub initial_backoff_ms: u64,
    pub max_backoff_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            rate_limit_retries: 4,
            transient_retries: 2,
            initial_backoff_ms: 5_000,
            max_backoff_ms: 30_000,
        }
    }
}

impl Default for JiraConfig {
    fn default() -> Self {
        Self {
            install_keys_url: default_install_keys_url(),
            timeout_ms: default_timeout_ms(),
            oauth_server_url: default_oauth_server_url(),
            retry: RetryConfig::default(),
        }
    }
}

/// Where `POST /oauth2/token` lives (the assertion's `aud`).
pub const ATLASSIAN_OAUTH_SERVER_URL: &str =
    "https://oauth-2-authorization-server.services.atlassian.com";

fn default_oauth_server_url() -> String {
    ATLASSIAN_OAUTH_SERVER_URL.to_owned()
}

fn default_install_keys_url() -> String {
    ATLASSIAN_INSTALL_KEYS_URL.to_owned()
}

const fn default_timeout_ms() -> u64 {
    5_000
}

const MAX_TIMEOUT_MS: u64 = 60_000;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "jira.install_keys_url must be an https URL (http only on loopback) without credentials, \
         query or fragment"
    )]
    InstallKeysUrl,
    #[error(
        "forge.jwks_url must be an https URL (http only on loopback) without credentials, query \
         or fragment"
    )]
    JwksUrl,
    #[error("jira.timeout_ms must be between 1 and {MAX_TIMEOUT_MS}")]
    Timeout,
    #[error("the app key must match ^[a-zA-Z0-9-._]+$ and be at most 64 characters")]
    AppKey,
}

impl JiraConfig {
    pub(crate) fn timeout(&self) -> Result<Duration, ConfigError> {
        match self.timeout_ms {
            1..=MAX_TIMEOUT_MS => Ok(Duration::from_millis(self.timeout_ms)),
            _ => Err(ConfigError::Timeout),
        }
    }

    /// The install-key base URL without a trailing slash, once it passed the https-or-loopback rule.
    pub(crate) fn install_keys_base(&self) -> Result<String, ConfigError> {
        let url =
            url::Url::parse(&self.install_keys_url).map_err(|_| ConfigError::InstallKeysUrl)?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name == "localhost",
            None => return Err(ConfigError::InstallKeysUrl),
        };
        let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
        let plain = url.username().is_empty()
            && url.password().is_none()
            && url.query().is_none()
            && url.fragment().is_none();
        if !scheme_ok || !plain {
            return Err(ConfigError::InstallKeysUrl);
        }
        Ok(self.install_keys_url.trim_end_matches('/').to_owned())
    }
}

/// App keys go into a URL path and into the qsh, so only the descriptor's charset is accepted.
pub(crate) fn check_app_key(app_key: &str) -> Result<(), ConfigError> {
    let charset_ok =
        app_key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if app_key.is_empty() || app_key.len() > 64 || !charset_ok {
        Err(ConfigError::AppKey)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_url(url: &str) -> JiraConfig {
        JiraConfig { install_keys_url: url.to_owned(), ..JiraConfig::default() }
    }

    #[test]
    fn install_keys_url_must_be_https_unless_loopback() {
        assert_eq!(JiraConfig::default().install_keys_base().unwrap(), ATLASSIAN_INSTALL_KEYS_URL);
        assert_eq!(
            with_url("https://keys.example/x/").install_keys_base().unwrap(),
            "https://keys.example/x"
        );
        for ok in ["http://127.0.0.1:9000/install-keys", "http://localhost:1", "http://[::1]:8/k"] {
            assert!(with_url(ok).install_keys_base().is_ok(), "{ok}");
        }
        for bad in [
            "http://connect-install-keys.atlassian.com",
            "http://10.0.0.1/keys",
            "https://u:p@keys.example",
            "https://keys.example/?a=b",
            "https://keys.example/#f",
            "ftp://keys.example",
            "keys.example",
        ] {
            assert!(with_url(bad).install_keys_base().is_err(), "{bad}");
        }
    }

    #[test]
    fn config_section_denies_unknown_keys_and_bounds_the_timeout() {
        let config: JiraConfig = serde_json::from_str(r#"{"timeout_ms": 250}"#).unwrap();
        assert_eq!(config.install_keys_url, ATLASSIAN_INSTALL_KEYS_URL);
        assert_eq!(config.timeout().unwrap(), Duration::from_millis(250));
        assert!(
            serde_json::from_str::<JiraConfig>(r#"{"timeout_ms": 250, "app_key": "x"}"#).is_err()
        );
        for bad in [0, 60_001] {
            assert!(JiraConfig { timeout_ms: bad, ..JiraConfig::default() }.timeout().is_err());
        }
    }

    #[test]
    fn app_keys() {
        assert!(check_app_key("io.subtask-templates.jira").is_ok());
        for bad in ["", "a/b", "a b", "a?b", &"k".repeat(65)] {
            assert!(check_app_key(bad).is_err(), "{bad}");
        }
    }
}
