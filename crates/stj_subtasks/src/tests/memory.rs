//! An in-memory `PropertyStore` with the faults the service must survive.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::Value;

use crate::ports::{Caller, GatewayError};
use crate::properties::{PropertyStore, PropertyTarget};

pub type Properties = HashMap<(PropertyTarget, String), Value>;

#[derive(Debug, Default)]
pub struct MemoryStore {
    pub props: Mutex<Properties>,
    /// PUTs of keys ending so fail (as Jira unavailable), while set.
    pub failing_puts: Mutex<Vec<String>>,
    /// Swapped in for `props` on the first GET of a shard (another save switching generations).
    pub on_shard_get: Mutex<Option<Properties>>,
    pub calls: Mutex<usize>,
}

impl MemoryStore {
    pub fn snapshot(&self) -> Properties {
        self.props.lock().unwrap().clone()
    }

    pub fn keys_of(&self, target: &PropertyTarget) -> Vec<String> {
        let mut keys: Vec<String> = self
            .props
            .lock()
            .unwrap()
            .keys()
            .filter(|(t, _)| t == target)
            .map(|(_, k)| k.clone())
            .collect();
        keys.sort();
        keys
    }

    pub fn set(&self, target: &PropertyTarget, key: &str, value: Value) {
        self.props.lock().unwrap().insert((target.clone(), key.to_owned()), value);
    }

    pub fn calls(&self) -> usize {
        *self.calls.lock().unwrap()
    }

    fn count(&self) {
        let mut calls = self.calls.lock().unwrap();
        *calls = calls.saturating_add(1);
    }
}

#[async_trait]
impl PropertyStore for MemoryStore {
    async fn get(
        &self,
        _: &Caller,
        target: &PropertyTarget,
        key: &str,
    ) -> Result<Option<Value>, GatewayError> {
        self.count();
        // Yield, so concurrent saves really interleave.
        tokio::task::yield_now().await;
        if key.contains(".g")
            && let Some(next) = self.on_shard_get.lock().unwrap().take()
        {
            *self.props.lock().unwrap() = next;
        }
        Ok(self.props.lock().unwrap().get(&(target.clone(), key.to_owned())).cloned())
    }

    async fn put(
        &self,
        _: &Caller,
        target: &PropertyTarget,
        key: &str,
        value: &Value,
    ) -> Result<(), GatewayError> {
        self.count();
        tokio::task::yield_now().await;
        if self.failing_puts.lock().unwrap().iter().any(|k| key.ends_with(k.as_str())) {
            return Err(GatewayError::Unavailable(anyhow::anyhow!("injected")));
        }
        self.set(target, key, value.clone());
        Ok(())
    }

    async fn delete(
        &self,
        _: &Caller,
        target: &PropertyTarget,
        key: &str,
    ) -> Result<(), GatewayError> {
        self.count();
        self.props.lock().unwrap().remove(&(target.clone(), key.to_owned()));
        Ok(())
    }

    async fn may_write(&self, _: &Caller, _: &PropertyTarget) -> Result<bool, GatewayError> {
        Ok(true)
    }

    async fn keys(&self, _: &Caller, target: &PropertyTarget) -> Result<Vec<String>, GatewayError> {
        self.count();
        Ok(self.keys_of(target))
    }
}
