//! Fault injection: make a route slow, rate-limited, failing, hanging or cut off, so adapters can
//! be tested against what Jira and the install-key CDN really do on a bad day.

mod middleware;

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

pub(crate) use self::middleware::inject;

/// What happens to a matching request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultKind {
    /// Answer normally, after `ms` milliseconds.
    Latency { ms: u64 },
    /// `429 Too Many Requests` with `Retry-After: {retry_after_secs}`, as Jira rate-limits.
    RateLimited { retry_after_secs: u64 },
    /// Answer `status` (meant for 5xx) with a Jira-style error body.
    Status { status: u16 },
    /// Hold the request for `ms` (set it past the client's timeout), then drop the connection.
    Timeout { ms: u64 },
    /// Close the connection without a complete response.
    DropConnection,
    /// Handle the request (its effects stay: a bulk create is applied), then close the connection
    /// instead of answering, as when a response is lost on the way back.
    DropResponse,
    /// `302 Found` to `location`: clients must not follow redirects to other hosts.
    Redirect { location: String },
}

/// A fault on the requests matching `route`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// `METHOD /path`, e.g. `GET /install-keys/*`. `*` as the method matches any method; a `*`
    /// segment matches one path segment, and a trailing `*` matches the rest of the path. Paths are
    /// Jira paths: a tenant's `/site/{n}` or Forge `/ex/jira/{cloudId}` prefix is ignored.
    pub route: String,
    pub fault: FaultKind,
    /// Only the next `times` matching requests; `None` until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    /// A fault that stays until [`crate::JiraSandbox::clear_faults`].
    pub fn new(route: &str, fault: FaultKind) -> Self {
        Self { route: route.to_owned(), fault, times: None }
    }

    /// Limit the fault to the next `n` matching requests.
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let (want_method, pattern) = self.route.split_once(' ').unwrap_or(("*", &self.route));
        (want_method == "*" || want_method.eq_ignore_ascii_case(method))
            && path_matches(pattern.trim(), path)
    }
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.trim_matches('/').split('/').peekable();
    let mut got = path.trim_matches('/').split('/');
    while let Some(segment) = want.next() {
        let is_last = want.peek().is_none();
        match got.next() {
            None => return false,
            Some(_) if segment == "*" && is_last => return true,
            Some(actual) if segment == "*" || segment == actual => {}
            Some(_) => return false,
        }
    }
    got.next().is_none()
}

/// Active faults, first added first served.
#[derive(Debug, Default)]
pub(crate) struct FaultTable(Mutex<Vec<Fault>>);

impl FaultTable {
    pub fn add(&self, fault: Fault) {
        crate::server::lock(&self.0).push(fault);
    }

    pub fn clear(&self) {
        crate::server::lock(&self.0).clear();
    }

    pub fn list(&self) -> Vec<Fault> {
        crate::server::lock(&self.0).clone()
    }

    /// The fault for this request, if any, counting it against the fault's `times`.
    fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut faults = crate::server::lock(&self.0);
        let index = faults.iter().position(|f| f.matches(method, path))?;
        let fault = faults.get_mut(index)?;
        let kind = fault.fault.clone();
        match fault.times {
            Some(n) if n <= 1 => {
                faults.remove(index);
            }
            Some(n) => fault.times = Some(n.saturating_sub(1)),
            None => {}
        }
        Some(kind)
    }
}

/// `/site/{n}/rest/...` and `/ex/jira/{cloudId}/rest/...` → `/rest/...`, so fault patterns read like Jira paths in both layouts.
pub(crate) fn strip_site(path: &str) -> &str {
    path.strip_prefix("/site/")
        .or_else(|| path.strip_prefix("/ex/jira/"))
        .and_then(|rest| rest.find('/').and_then(|i| rest.get(i..)))
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_patterns() {
        let f = |route: &str| Fault::new(route, FaultKind::DropConnection);
        assert!(f("GET /install-keys/*").matches("GET", "/install-keys/abc"));
        assert!(f("GET /install-keys/*").matches("get", "/install-keys/micros/key/1"));
        assert!(!f("GET /install-keys/*").matches("GET", "/install-keys"));
        assert!(!f("POST /install-keys/*").matches("GET", "/install-keys/abc"));
        assert!(
            f("* /rest/api/3/issue/*/properties/x")
                .matches("PUT", "/rest/api/3/issue/1/properties/x")
        );
        assert!(
            !f("GET /rest/api/3/issue/*/properties")
                .matches("GET", "/rest/api/3/issue/1/properties/x")
        );
        assert!(f("GET /rest/api/3/myself").matches("GET", "/rest/api/3/myself/"));
        assert_eq!(strip_site("/site/2/rest/x"), "/rest/x");
        assert_eq!(strip_site("/rest/x"), "/rest/x");
        assert_eq!(strip_site("/ex/jira/c-1/rest/x"), "/rest/x");
    }

    #[test]
    fn fault_json() {
        let fault: Fault = serde_json::from_str(
            r#"{"route":"GET /x","fault":{"type":"rate_limited","retry_after_secs":7},"times":2}"#,
        )
        .unwrap();
        assert_eq!(
            fault,
            Fault::new("GET /x", FaultKind::RateLimited { retry_after_secs: 7 }).times(2)
        );
        assert!(
            serde_json::from_str::<Fault>(
                r#"{"route":"GET /x","fault":{"type":"latency","ms":1,"x":1}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn times_limit_the_fault() {
        let table = FaultTable::default();
        table.add(Fault::new("GET /x", FaultKind::DropConnection).times(2));
        assert!(table.take("GET", "/x").is_some());
        assert!(table.take("GET", "/x").is_some());
        assert!(table.take("GET", "/x").is_none());
        assert!(table.list().is_empty());
    }
}
