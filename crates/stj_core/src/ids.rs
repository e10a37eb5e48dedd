//! Ids that cross trust boundaries, the one home of id types: each is parsed once, where it enters
//! (the HTTP edge, a token, an adapter reading Jira), by its one validating constructor, and
//! travels typed from there; fields stay private. The grammar of identifiers written inside
//! templates and property keys, reported per line, is `stj_validation::id_rules`.

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
    #[error("`{value}` is not {what} such as `{example}`")]
    Shape { what: &'static str, example: &'static str, value: String },
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
/// Jira's default project key pattern, a dash, and an issue number without leading zeros.
static ISSUE_KEY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]{0,9}$"));

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

/// A Jira issue key such as `PROJ-123`: a project key (a capital letter, then 1 to 9 capitals,
/// digits or `_`), a dash and an issue number. Issue content is personal; its key is not.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IssueKey(Arc<str>);

impl IssueKey {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        if !ISSUE_KEY.is_match(raw) {
            let value: String = raw.chars().take(40).collect();
            return Err(IdError::Shape { what: "an issue key", example: "PROJ-123", value });
        }
        Ok(Self(raw.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key of the project the key names (`DEMO` of `DEMO-1`); an issue moved since keeps
    /// its old key, so this is not always the project it is in now.
    pub fn project_key(&self) -> &str {
        self.0.rsplit_once('-').map_or(&self.0, |(project, _)| project)
    }
}

impl fmt::Debug for IssueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssueKey({})", self.0)
    }
}

impl fmt::Display for IssueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
mod tests;
