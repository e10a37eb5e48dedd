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

use std::sync::Arc;

use futures_util::future::{join_all, try_join_all};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;
use stj_templates::{Library, Scope, ValidationReport, Violation, decode_library};
use stj_templates::{code, encode_library_unbounded};

use stj_core::{EntityKind, EntityLocks, LockError, LockedEntity};

use crate::ports::{Caller, GatewayError};
use crate::properties::{PropertyStore, PropertyTarget};
pub use layout::{INDEX_VERSION, MAX_LIBRARY_BYTES, MAX_SHARDS, SHARD_MAX_BYTES};
use layout::{Index, Keys, corrupt};

/// How often a load starts over when the generation it was reading was replaced under it.
const LOAD_RETRIES: usize = 2;
/// Generation ids stay below 2^53, so that any JSON tool reads them exactly.
const GENERATION_MASK: u64 = u64::MAX >> 11;

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

    /// Replaces the library of `target`, if it is still at `expected_revision`; returns the new
    /// revision. Checks every rule before writing anything.
    pub async fn save(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        library: &Library,
        expected_revision: u64,
    ) -> Result<u64, LibraryError> {
        own(caller, target)?;
        let revision = expected_revision.checked_add(1).ok_or_else(|| {
            LibraryError::Invalid(
                corrupt(code::TOO_LARGE, "The revision cannot grow further.".to_owned()).into(),
            )
        })?;
        let next = Library { revision, templates: library.templates.clone() };
        let document =
            encode_library_unbounded(&next, target.scope()).map_err(LibraryError::Invalid)?;
        let parts = layout::split(&document).map_err(|p| LibraryError::Invalid(p.into()))?;

        let _turn = self.locks.lock(&caller.client_key, target).await;
        // Across instances: the read-check-write below is the critical section.
        let _shared = match &self.entity_locks {
            Some(locks) => Some(locks.lock(&locked_entity(caller, target)).await?),
            None => None,
        };
        let before = self.read_index(caller, target).await?;
        if before.revision() != expected_revision {
            return Err(self.conflict(caller, target).await);
        }
        let index = Index::new(revision, fresh_generation(&before), parts.len());
        let shard_keys = self.keys.shards_of(&index);
        let values: Vec<Value> = parts.into_iter().map(Value::String).collect();
        let writes = shard_keys
            .iter()
            .zip(&values)
            .map(|(key, value)| self.store.put(caller, target, key, value));
        if let Err(error) = try_join_all(writes).await {
            // Unreferenced, so safe to remove; after a refusal removing would be refused too (the
            // next save clears whatever is left).
            if !matches!(error, GatewayError::Forbidden) {
                self.discard(caller, target, &shard_keys).await;
            }
            return Err(error.into());
        }
        // The last look before the switch: a save elsewhere since the first read is a conflict.
        match self.read_index(caller, target).await {
            Ok(now) if now == before => {}
            outcome => {
                self.discard(caller, target, &shard_keys).await;
                return Err(match outcome {
                    Err(error) => error.into(),
                    Ok(_) => self.conflict(caller, target).await,
                });
            }
        }
        if let Err(error) =
            self.store.put(caller, target, self.keys.index(), &index.to_value()).await
        {
            // Jira refused the switch for sure: the new shards are unreferenced. Otherwise the
            // write may have landed, and the shards must stay (the next save sorts it out).
            if matches!(
                error,
                GatewayError::Forbidden | GatewayError::NotFound | GatewayError::Rejected(_)
            ) {
                self.discard(caller, target, &shard_keys).await;
            }
            return Err(error.into());
        }
        self.clean_up(caller, target, &index).await;
        Ok(revision)
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

    /// The error for a stale save: the current library, or why it cannot be read.
    async fn conflict(&self, caller: &Caller, target: &PropertyTarget) -> LibraryError {
        match self.load(caller, target).await {
            Ok(current) => LibraryError::Conflict { current },
            Err(error) => error,
        }
    }

    /// Removes every shard-like property but the generation `index` names (the one replaced,
    /// and leftovers of interrupted saves). Best effort: what stays is removed by the next save.
    async fn clean_up(&self, caller: &Caller, target: &PropertyTarget, index: &Index) {
        // Only while the index still names this save: another instance may have switched it
        // since, and the shards it points at must stay.
        match self.read_index(caller, target).await {
            Ok(IndexState::Valid(now)) if now == *index => {}
            _ => return,
        }
        let keys = match self.store.keys(caller, target).await {
            Ok(keys) => keys,
            Err(error) => {
                tracing::warn!(error = %error, "listing template shards failed; left for the next save");
                return;
            }
        };
        let live = self.keys.shards_of(index);
        let stale: Vec<String> = keys
            .into_iter()
            .filter(|key| self.keys.in_shard_space(key) && !live.contains(key))
            .collect();
        self.discard(caller, target, &stale).await;
    }

    async fn discard(&self, caller: &Caller, target: &PropertyTarget, keys: &[String]) {
        let results = join_all(keys.iter().map(|k| self.store.delete(caller, target, k))).await;
        let failed = results.iter().filter(|r| r.is_err()).count();
        if failed > 0 {
            tracing::warn!(
                installation.client_key = %caller.client_key,
                shards.failed = failed,
                "removing template shards failed; left for the next save"
            );
        }
    }
}

/// What a save of `target` locks: the tenant's user (account id) or project (key) library.
fn locked_entity(caller: &Caller, target: &PropertyTarget) -> LockedEntity {
    match target {
        PropertyTarget::User { account_id } => {
            LockedEntity::new(&caller.client_key, EntityKind::PersonalLibrary, account_id.expose())
        }
        PropertyTarget::Project { key } => {
            LockedEntity::new(&caller.client_key, EntityKind::ProjectLibrary, key)
        }
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

/// A new generation id, different from the one in place, so no two saves share shard keys.
fn fresh_generation(before: &IndexState) -> u64 {
    let old = match before {
        IndexState::Valid(index) => Some(index.generation),
        IndexState::Absent | IndexState::Unreadable(_) => None,
    };
    let mut bytes = [0u8; 8];
    let drawn =
        SystemRandom::new().fill(&mut bytes).map(|()| u64::from_be_bytes(bytes) & GENERATION_MASK);
    match (drawn, old) {
        (Ok(generation), Some(old)) if generation != old => generation,
        (Ok(generation), None) => generation,
        (_, old) => old.map_or(1, |old| old.wrapping_add(1) & GENERATION_MASK),
    }
}

#[cfg(test)]
mod tests;
