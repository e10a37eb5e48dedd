//! Ids that cross trust boundaries. Each has one validating constructor; fields stay private.

use std::fmt;
use std::sync::{Arc, LazyLock};

use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what} must be 1 to {max} characters")]
    Length { what: &'static str, max: usize },
    #[error("{what} contains characters outside {allowed}")]
    Charset { what: &'static str, allowed: &'static str },
    #[error("{what} must be an https URL with a host and no query, credentials or fragment")]
    Url { what: &'static str },
}

fn checked(
    raw: &str,
    what: &'static str,
    max: usize,
    re: &Regex,
    allowed: &'static str,
) -> Result<String, IdError> {
    if raw.is_empty() || raw.chars().count() > max {
        return Err(IdError::Length { what, max });
    }
    if !re.is_match(raw) {
        return Err(IdError::Charset { what, allowed });
    }
    Ok(raw.to_owned())
}

#[expect(clippy::unwrap_used, reason = "literal pattern, covered by tests")]
fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap()
}

static CLIENT_KEY: LazyLock<Regex> = LazyLock::new(|| regex(r"^[A-Za-z0-9:._\-]+$"));
static KEY_ID: LazyLock<Regex> = LazyLock::new(|| regex(r"^[A-Za-z0-9_\-/]+$"));

/// The tenant id Jira sends as `clientKey` (and as `iss` on its JWTs). Not personal data.
/// Shared, not copied: every authenticated request hands its tenant's key on.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientKey(Arc<str>);

impl ClientKey {
    pub const MAX_LEN: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, IdError> {
        checked(raw, "clientKey", Self::MAX_LEN, &CLIENT_KEY, "A-Z a-z 0-9 : . _ -")
            .map(|key| Self(key.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lets maps keyed by `ClientKey` be searched with a `&str` straight from a token (the derived
/// `Hash` and `Eq` are the inner string's, as `Borrow` requires).
impl std::borrow::Borrow<str> for ClientKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientKey({})", self.0)
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `kid` of a signed-install token. It ends up in a URL path, so the charset is tight.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyId(String);

impl KeyId {
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, IdError> {
        if raw.contains("..") || raw.starts_with('/') {
            return Err(IdError::Charset { what: "kid", allowed: "A-Z a-z 0-9 _ - / (no '..')" });
        }
        checked(raw, "kid", Self::MAX_LEN, &KEY_ID, "A-Z a-z 0-9 _ - /").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tenant site URL (`baseUrl`, `displayUrl`): https (http only on loopback, for the sandbox),
/// no credentials, query or fragment, no trailing slash. Shared, not copied, like [`ClientKey`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TenantUrl(Arc<str>);

impl TenantUrl {
    pub const MAX_LEN: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, IdError> {
        const WHAT: &str = "tenant URL";
        let err = IdError::Url { what: WHAT };
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(IdError::Length { what: WHAT, max: Self::MAX_LEN });
        }
        let url = url::Url::parse(raw).map_err(|_| err.clone())?;
        let host = url.host_str().ok_or_else(|| err.clone())?;
        let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
        let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
        if !scheme_ok
            || !url.username().is_empty()
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(err);
        }
        Ok(Self(raw.trim_end_matches('/').into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path part (Confluence's `/wiki`; empty for Jira Cloud), stripped before computing qsh.
    pub fn path(&self) -> &str {
        let after_scheme = self.0.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.find('/').and_then(|i| after_scheme.get(i..)).unwrap_or("")
    }

    /// Host (and port) only; what is logged to tell tenants apart.
    pub fn host(&self) -> &str {
        let after_scheme = self.0.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.split('/').next().unwrap_or(after_scheme)
    }
}

impl fmt::Debug for TenantUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantUrl({})", self.0)
    }
}

impl fmt::Display for TenantUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_keys() {
        assert!(ClientKey::parse("jira:1234-5678-9000").is_ok());
        assert!(ClientKey::parse("a4c1e7b2-55d4-3c33-9b43-1f3b7b3d4a6e").is_ok());
        for bad in ["", "a b", "x/y", "é", "a?b", &"k".repeat(256)] {
            assert!(ClientKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_ids() {
        assert!(KeyId::parse("4a1d3e0c-7a4b-4f5e-8f0a-2a7e1f8b9c0d").is_ok());
        assert!(KeyId::parse("micros/connect-install/key1").is_ok());
        for bad in ["", "../etc", "/abs", "a?b", "a b", "a%2f", "a..b"] {
            assert!(KeyId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tenant_urls() {
        let url = TenantUrl::parse("https://acme.atlassian.net/").unwrap();
        assert_eq!(url.as_str(), "https://acme.atlassian.net");
        assert_eq!(url.path(), "");
        assert_eq!(url.host(), "acme.atlassian.net");
        let wiki = TenantUrl::parse("https://acme.atlassian.net/wiki").unwrap();
        assert_eq!(wiki.path(), "/wiki");
        assert!(TenantUrl::parse("http://127.0.0.1:8081").is_ok());
        for bad in [
            "",
            "http://acme.atlassian.net",
            "ftp://acme.atlassian.net",
            "https://u:p@acme.atlassian.net",
            "https://acme.atlassian.net?x=1",
            "https://acme.atlassian.net#f",
            "not a url",
        ] {
            assert!(TenantUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
