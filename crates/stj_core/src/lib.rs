#![doc = include_str!("../README.md")]

pub mod auth;
pub mod forge;
pub mod ids;
pub mod installation;
pub mod ports;
pub mod sealing;

pub use auth::{
    AccountId, AuthError, Authenticator, Door, JiraAccess, LicenceCheckError, LicenceGate,
    Principal, QshPolicy, RequestFacts,
};
pub use forge::{
    CloudId, ForgeInstallation, ForgeInstallationId, ForgeRegistry, JwksError, JwksSource,
    NewForgeInstallation, UNLINKED_FORGE_PREFIX,
};
pub use ids::{ClientKey, IdError, IssueKey, KeyId, TenantUrl};
pub use installation::{Installation, NewInstallation, SealedSecret, SharedSecret};
pub use ports::{
    Clock, CredentialsError, EntityKind, EntityLock, EntityLocks, InstallKeyError,
    InstallKeySource, InstallationRegistry, Licence, LicenceError, LicenceSource, LockError,
    LockedEntity, RegistryError, SystemClock, TenantCredentials, TenantCredentialsSource,
};
pub use sealing::{SealError, SealingKey, SecretSealer};
