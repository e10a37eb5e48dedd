//! Template libraries stored in Jira only: a user's personal library in user properties, a
//! project's shared library in project properties (see `layout` for the keys and format).
//!
//! **Crash safety.** A save writes a fresh generation of shards under new keys, then the index
//! (one PUT switches from the old generation to the new one), then removes the old generation.
//! Until the index is written, readers see the old library whole; afterwards, the new one. A save
//! interrupted before the switch leaves unreferenced shards, which the next save removes.
//!
//! **Concurrent edits.** Every save names the revision it was based on; a stale one is refused
//! with [`LibraryError::Conflict`], which carries the current library, so the client keeps both.
//! Inside one process, saves of the same library take turns. Across instances Jira offers no
//! compare-and-set: the index is read again right before it is written, so only a save on another
//! instance in the few milliseconds between that read and the write can be lost (last write wins;
//! both generations are complete, and each save writes its own keys, so nothing is ever mixed).

mod layout;
mod locks;
mod save;

use std::sync::Arc;

use futures_util::future::try_join_all;
use serde_json::Value;
use stj_templates::{Library, Scope, Template, ValidationReport, Violation, code, decode_library};

use stj_core::{EntityLocks, LockError};

use crate::ports::{Caller, GatewayError};
use crate::properties::{PropertyStore, PropertyTarget};
pub use layout::{INDEX_VERSION, MAX_LIBRARY_BYTES, MAX_SHARDS, SHARD_MAX_BYTES};
use layout::{Index, Keys, corrupt};

/// How often a load starts over when the generation it was reading was replaced under it.
const LOAD_RETRIES: usize = 2;

/// A library as read from Jira, at the revision a save must name to replace it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredLibrary {
    /// 0 when nothing was ever saved.
    pub revision: u64,
    /// Its `revision` equals the one above.
    pub library: Library,
}

/// Messages name no template content: the reports carry the details for the user.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The library to save breaks a rule (templates, fields, total size); nothing was written.
    #[error("the templates are not valid")]
    Invalid(ValidationReport),
    /// The save was based on an older revision; nothing was written. `current` is what is stored.
    #[error("the templates changed since they were read (now revision {})", current.revision)]
    Conflict { current: StoredLibrary },
    /// What Jira holds is not a readable library (edited by hand, or by something else). Saving
    /// with `revision` as the expected revision replaces it.
    #[error("the stored templates are unreadable")]
    Corrupt { revision: u64, report: ValidationReport },
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// Another save of this library (on any instance) held it past the wait bound, or the lock
    /// service is down; nothing was written.
    #[error("the library is busy")]
    Locks(#[from] LockError),
    /// The library has no template with this id.
    #[error("no template with this id in this library")]
    TemplateNotFound,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum IndexState {
    Absent,
    Valid(Index),
    Unreadable(Violation),
}

impl IndexState {
    /// The revision a save must name: an absent or unreadable index counts as 0.
    fn revision(&self) -> u64 {
        match self {
            Self::Valid(index) => index.revision,
            Self::Absent | Self::Unreadable(_) => 0,
        }
    }
}

#[derive(Debug)]
pub struct LibraryService {
    store: Arc<dyn PropertyStore>,
    keys: Keys,
    locks: locks::SaveLocks,
    /// Shared by every instance (Postgres advisory locks); `None` for a single process.
    entity_locks: Option<Arc<dyn EntityLocks>>,
}

impl LibraryService {
    /// Refuses an app key that cannot prefix Jira property keys.
    pub fn new(store: Arc<dyn PropertyStore>, app_key: &str) -> Result<Self, Violation> {
        Ok(Self {
            store,
            keys: Keys::new(app_key)?,
            locks: locks::SaveLocks::default(),
            entity_locks: None,
        })
    }

    /// Serialises saves across instances too, through `locks`.
    #[must_use]
    pub fn with_locks(self, locks: Arc<dyn EntityLocks>) -> Self {
        Self { entity_locks: Some(locks), ..self }
    }

    /// The library of `target`: empty at revision 0 when none was saved.
    pub async fn load(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
    ) -> Result<StoredLibrary, LibraryError> {
        own(caller, target)?;
        let mut state = self.read_index(caller, target).await?;
        let mut retries = 0;
        loop {
            let index = match state {
                IndexState::Absent => return Ok(StoredLibrary::default()),
                IndexState::Unreadable(problem) => return Err(unreadable(0, problem)),
                IndexState::Valid(index) => index,
            };
            let keys = self.keys.shards_of(&index);
            let parts =
                try_join_all(keys.iter().map(|k| self.store.get(caller, target, k))).await?;
            let Some(missing) = parts.iter().position(Option::is_none) else {
                let parts: Vec<Value> = parts.into_iter().flatten().collect();
                return decode(&index, &parts, target.scope());
            };
            // A save may have switched to a new generation and removed this one since the
            // index was read: look again before calling the library broken.
            state = self.read_index(caller, target).await?;
            if retries >= LOAD_RETRIES || state == IndexState::Valid(index) {
                let message = format!(
                    "Part {missing} of {} of the stored templates is missing.",
                    index.shards
                );
                return Err(unreadable(index.revision, corrupt(code::MISSING, message)));
            }
            retries = retries.saturating_add(1);
        }
    }

    /// Whether the caller may save `target`'s library: always for their own personal library,
    /// for a project's when Jira says they administer it.
    pub async fn can_edit(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
    ) -> Result<bool, LibraryError> {
        if own(caller, target).is_err() {
            return Ok(false);
        }
        Ok(self.store.may_write(caller, target).await?)
    }

    /// The template `id` of `target`'s library, with the library's revision.
    pub async fn template(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        id: &str,
    ) -> Result<(u64, Template), LibraryError> {
        let stored = self.load(caller, target).await?;
        let found = stored.library.templates.into_iter().find(|t| t.id.as_str() == id);
        found.map(|template| (stored.revision, template)).ok_or(LibraryError::TemplateNotFound)
    }

    /// Removes the template `id`, if the library is still at `expected_revision`; returns the
    /// new revision.
    pub async fn remove(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        id: &str,
        expected_revision: u64,
    ) -> Result<u64, LibraryError> {
        let mut library = self.load(caller, target).await?.library;
        let before = library.templates.len();
        library.templates.retain(|t| t.id.as_str() != id);
        if library.templates.len() == before {
            return Err(LibraryError::TemplateNotFound);
        }
        self.save(caller, target, &library, expected_revision).await
    }

    async fn read_index(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
    ) -> Result<IndexState, GatewayError> {
        Ok(match self.store.get(caller, target, self.keys.index()).await? {
            None => IndexState::Absent,
            Some(value) => match Index::parse(&value) {
                Ok(index) => IndexState::Valid(index),
                Err(problem) => IndexState::Unreadable(problem),
            },
        })
    }
}

/// Personal libraries are always the caller's own, whatever Jira would let an admin read.
fn own(caller: &Caller, target: &PropertyTarget) -> Result<(), LibraryError> {
    match target {
        PropertyTarget::User { account_id } if *account_id != caller.account_id => {
            Err(GatewayError::Forbidden.into())
        }
        _ => Ok(()),
    }
}

fn decode(index: &Index, parts: &[Value], scope: Scope) -> Result<StoredLibrary, LibraryError> {
    let revision = index.revision;
    let document = layout::join(parts).map_err(|problem| unreadable(revision, problem))?;
    let value: Value = serde_json::from_str(&document).map_err(|error| {
        let message = format!("The stored templates are not JSON: {error}.");
        unreadable(revision, corrupt(code::BAD_SYNTAX, message))
    })?;
    let library = decode_library(&value, scope)
        .map_err(|report| LibraryError::Corrupt { revision, report })?;
    if library.revision != revision {
        let message = format!(
            "The stored templates say revision {}, their index says {revision}.",
            library.revision
        );
        return Err(unreadable(revision, corrupt(code::BAD_SYNTAX, message)));
    }
    Ok(StoredLibrary { revision, library })
}

fn unreadable(revision: u64, problem: Violation) -> LibraryError {
    LibraryError::Corrupt { revision, report: problem.into() }
}

#[cfg(test)]
mod tests;
