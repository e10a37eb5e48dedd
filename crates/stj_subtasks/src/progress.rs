//! Progress of the applications this instance is running, for "n of N" while a create runs.
//! In memory only, per instance, and only while running: keys and counts, no content. Once an
//! application ends its entry goes and the ledger (in Jira) answers instead.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use stj_core::ClientKey;

/// Tenant, parent issue key (as the request named it), application id.
type Key = (ClientKey, String, String);

/// What a running application has done so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    /// Created key per item so far (`None`: not yet).
    pub keys: Vec<Option<String>>,
}

impl Progress {
    pub fn done(&self) -> usize {
        self.keys.iter().flatten().count()
    }
}

#[derive(Debug, Default)]
pub struct ProgressRegistry {
    /// Each entry with the ticket of the run that owns it.
    entries: Mutex<HashMap<Key, (u64, Progress)>>,
    tickets: Mutex<u64>,
}

impl ProgressRegistry {
    pub fn get(&self, client_key: &ClientKey, issue_key: &str, apply_id: &str) -> Option<Progress> {
        let key = (client_key.clone(), issue_key.to_owned(), apply_id.to_owned());
        self.entries().get(&key).map(|(_, progress)| progress.clone())
    }

    /// Registers a running application; it is forgotten when the returned guard drops (on
    /// success, error or cancellation alike).
    pub(crate) fn start(
        &self,
        client_key: &ClientKey,
        issue_key: &str,
        apply_id: &str,
        keys: Vec<Option<String>>,
    ) -> Running<'_> {
        let ticket = {
            let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
            *tickets = tickets.wrapping_add(1);
            *tickets
        };
        let key = (client_key.clone(), issue_key.to_owned(), apply_id.to_owned());
        let progress = Progress { total: keys.len(), keys };
        self.entries().insert(key.clone(), (ticket, progress));
        Running { registry: self, key, ticket }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (u64, Progress)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries().len()
    }
}

/// A running application's entry; updated after each bulk call.
#[derive(Debug)]
pub(crate) struct Running<'a> {
    registry: &'a ProgressRegistry,
    key: Key,
    ticket: u64,
}

impl Running<'_> {
    pub(crate) fn update(&self, keys: &[Option<String>]) {
        if let Some((ticket, progress)) = self.registry.entries().get_mut(&self.key)
            && *ticket == self.ticket
        {
            progress.keys = keys.to_vec();
        }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut entries = self.registry.entries();
        // Only its own: a later run of the same application may have replaced it.
        if entries.get(&self.key).is_some_and(|(ticket, _)| *ticket == self.ticket) {
            entries.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lives_while_its_run_does_and_a_later_run_keeps_its_own() {
        let registry = ProgressRegistry::default();
        let tenant = ClientKey::parse("t").unwrap();
        assert_eq!(registry.get(&tenant, "DEMO-1", "a"), None, "nothing before the start");
        let first = registry.start(&tenant, "DEMO-1", "a", vec![None, None]);
        first.update(&[Some("DEMO-2".into()), None]);
        let seen = registry.get(&tenant, "DEMO-1", "a").unwrap();
        assert_eq!((seen.done(), seen.total), (1, 2));
        let second = registry.start(&tenant, "DEMO-1", "a", vec![Some("DEMO-2".into()), None]);
        first.update(&[None, None]);
        drop(first);
        assert_eq!(registry.get(&tenant, "DEMO-1", "a").map(|p| p.done()), Some(1), "not removed");
        drop(second);
        assert_eq!(registry.len(), 0);
    }
}
