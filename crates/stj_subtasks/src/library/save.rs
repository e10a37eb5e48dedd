//! Saving a library: a fresh generation of shards, then the index that switches to it, then the
//! old generation's removal (see the crash-safety notes in [`super`]).

use futures_util::future::{join_all, try_join_all};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;
use stj_core::{EntityKind, LockedEntity};
use stj_templates::{Library, code, encode_library_unbounded};

use super::layout::{self, Index, corrupt};
use super::{IndexState, LibraryError, LibraryService, own};
use crate::ports::{Caller, GatewayError};
use crate::properties::PropertyTarget;

/// Generation ids stay below 2^53, so that any JSON tool reads them exactly.
const GENERATION_MASK: u64 = u64::MAX >> 11;

impl LibraryService {
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
                tracing::warn!(error.cause = %error, "listing template shards failed; left for the next save");
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
