//! The in-process adapter of the `EntityLocks` port: one async mutex per entity, for a single
//! instance (the local run on SQLite, and unit tests). Several instances need a shared lock
//! service instead (`stj_registry::PgEntityLocks`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use stj_core::{EntityLock, EntityLocks, LockError, LockedEntity};
use tokio::sync::Mutex as AsyncMutex;

type Slot = Arc<AsyncMutex<()>>;

#[derive(Debug)]
pub struct LocalLocks {
    slots: Mutex<HashMap<LockedEntity, Slot>>,
    wait: Duration,
}

impl LocalLocks {
    pub fn new(wait: Duration) -> Self {
        Self { slots: Mutex::new(HashMap::new()), wait }
    }

    /// Entities someone holds or waits for.
    pub fn in_use(&self) -> usize {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.values().filter(|slot| Arc::strong_count(slot) > 1).count()
    }
}

impl Default for LocalLocks {
    /// The default wait bound: 20 s, well inside a browser's or load balancer's patience.
    fn default() -> Self {
        Self::new(Duration::from_secs(20))
    }
}

#[async_trait]
impl EntityLocks for LocalLocks {
    async fn lock(&self, entity: &LockedEntity) -> Result<EntityLock, LockError> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            // A slot only the map holds has no holder and no waiter: drop it, so the map stays
            // as small as the number of locks in use.
            slots.retain(|_, slot| Arc::strong_count(slot) > 1);
            Arc::clone(slots.entry(entity.clone()).or_default())
        };
        match tokio::time::timeout(self.wait, slot.lock_owned()).await {
            Ok(guard) => Ok(EntityLock::new(guard)),
            Err(_) => Err(LockError::Busy),
        }
    }

    fn wait_bound(&self) -> Duration {
        self.wait
    }
}

#[cfg(test)]
mod tests {
    use stj_core::{ClientKey, EntityKind};

    use super::*;

    #[tokio::test]
    async fn one_holder_per_entity_bounded_waits_and_nothing_kept() {
        let locks = LocalLocks::new(Duration::from_millis(50));
        let tenant = ClientKey::parse("t").unwrap();
        let issue = LockedEntity::new(&tenant, EntityKind::IssueLedger, "DEMO-1");
        let other = LockedEntity::new(&tenant, EntityKind::IssueLedger, "DEMO-2");
        let held = locks.lock(&issue).await.unwrap();
        assert!(matches!(locks.lock(&issue).await, Err(LockError::Busy)), "bounded wait");
        let _independent = locks.lock(&other).await.unwrap();
        drop(held);
        drop(locks.lock(&issue).await.unwrap());
        drop(_independent);
        // A cancelled waiter leaves nothing behind.
        let held = locks.lock(&issue).await.unwrap();
        let waiter = locks.lock(&issue);
        drop(tokio::time::timeout(Duration::from_millis(5), waiter).await);
        drop(held);
        assert_eq!(locks.in_use(), 0);
    }
}
