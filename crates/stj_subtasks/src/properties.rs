//! Entity properties of users and projects: where template libraries live. Every call acts as the
//! calling user, so Jira's rules decide: a user writes only their own user properties (unless they
//! administer Jira), and writing a project property needs *Administer projects*.

use std::fmt::Debug;

use async_trait::async_trait;
use serde_json::Value;

use stj_core::AccountId;
use stj_templates::Scope;

use crate::ports::{Caller, GatewayError};

/// The entity whose properties are read or written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PropertyTarget {
    /// A user property (`/rest/api/3/user/properties/{key}?accountId=…`).
    User { account_id: AccountId },
    /// A project property (`/rest/api/3/project/{projectKey}/properties/{key}`).
    Project { key: String },
}

impl PropertyTarget {
    /// The caller's own user: where their personal templates live.
    pub fn personal(caller: &Caller) -> Self {
        Self::User { account_id: caller.account_id.clone() }
    }

    pub fn project(key: impl Into<String>) -> Self {
        Self::Project { key: key.into() }
    }

    /// Which library a target holds, and so which limits apply.
    pub fn scope(&self) -> Scope {
        match self {
            Self::User { .. } => Scope::Personal,
            Self::Project { .. } => Scope::Project,
        }
    }
}

#[async_trait]
pub trait PropertyStore: Send + Sync + Debug {
    /// The property's value; `None` when it does not exist.
    async fn get(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        key: &str,
    ) -> Result<Option<Value>, GatewayError>;

    /// Creates or replaces the property (Jira: last write wins, no compare-and-set).
    async fn put(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        key: &str,
        value: &Value,
    ) -> Result<(), GatewayError>;

    /// Removes the property; one that does not exist counts as removed.
    async fn delete(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
        key: &str,
    ) -> Result<(), GatewayError>;

    /// Whether Jira would let the caller write the target's properties: their own user, or a
    /// project they administer (*Administer projects*, or *Administer Jira*). Asked so the UI can
    /// offer editing only where a save would succeed; Jira still decides on every write.
    async fn may_write(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
    ) -> Result<bool, GatewayError>;

    /// The keys of every property the target has (to find leftovers of an interrupted save).
    async fn keys(
        &self,
        caller: &Caller,
        target: &PropertyTarget,
    ) -> Result<Vec<String>, GatewayError>;
}
