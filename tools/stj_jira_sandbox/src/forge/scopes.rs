//! The Forge app's OAuth scopes (the manifest's `permissions.scopes`): once set, every user and
//! system token carries them, and a call through the Forge door is allowed only when they cover
//! one of the operation's scope sets in Atlassian's spec, as on Forge (401 "scope does not match").

use crate::Sandbox;
use crate::conformance::operation_scopes;
use crate::server::lock;

impl Sandbox {
    /// The app's scopes from now on; `None` (the default): tokens carry none and nothing is checked.
    pub fn set_forge_scopes(&self, scopes: Option<Vec<String>>) {
        *lock(&self.forge.scopes) = scopes;
    }

    pub(crate) fn forge_scopes(&self) -> Option<Vec<String>> {
        lock(&self.forge.scopes).clone()
    }
}

/// Whether `granted` covers `METHOD /template`: every scope of one of its sets. An operation the
/// spec gives no scopes needs none; one the spec cannot be read for is refused.
pub(crate) fn covers(granted: &[String], method: &str, template: &str) -> bool {
    match operation_scopes(method, template) {
        Ok(sets) if sets.is_empty() => true,
        Ok(sets) => sets.iter().any(|set| set.iter().all(|s| granted.contains(s))),
        Err(e) => {
            tracing::warn!(error = %e, "sandbox cannot check Forge scopes without the spec");
            false
        }
    }
}
