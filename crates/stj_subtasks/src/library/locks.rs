//! One save at a time per (tenant, library) inside this process, so two tabs hitting the same
//! instance cannot interleave their reads and writes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use stj_core::ClientKey;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::properties::PropertyTarget;

type Slot = Arc<AsyncMutex<()>>;

#[derive(Debug, Default)]
pub(crate) struct SaveLocks(Mutex<HashMap<(ClientKey, PropertyTarget), Slot>>);

impl SaveLocks {
    /// Waits for the library's turn; the turn ends when the guard drops.
    pub async fn lock(
        &self,
        client_key: &ClientKey,
        target: &PropertyTarget,
    ) -> OwnedMutexGuard<()> {
        let slot = {
            let mut slots = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            // A slot only the map holds has no holder and no waiter: drop it, so the map stays
            // as small as the number of saves in flight.
            slots.retain(|_, slot| Arc::strong_count(slot) > 1);
            Arc::clone(slots.entry((client_key.clone(), target.clone())).or_default())
        };
        slot.lock_owned().await
    }

    /// Slots someone holds or waits for.
    #[cfg(test)]
    pub fn in_use(&self) -> usize {
        let slots = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        slots.values().filter(|slot| Arc::strong_count(slot) > 1).count()
    }
}
