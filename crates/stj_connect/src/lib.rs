//! Atlassian Connect protocol: qsh, JWT verification and signing, signed install, lifecycle and
//! licence policy, and the app descriptor. No HTTP server and no HTTP client live here: requests
//! arrive as `RequestFacts`, and key and licence look-ups go through `stj_core` ports.

mod claims;
pub mod config;
mod context_tokens;
pub mod descriptor;
// Test-only: the lean token path against the jwt-simple path it replaced.
#[cfg(test)]
#[path = "tests/equivalence.rs"]
mod equivalence;
pub mod install_keys;
mod jwt;
pub mod licence;
pub mod lifecycle;
pub mod outgoing;
pub mod qsh;
pub mod tenants;
pub mod token;

pub use config::ConnectConfig;
pub use install_keys::InstallKeys;
pub use licence::ConnectLicenceGate;
pub use lifecycle::{Lifecycle, LifecycleError};
pub use tenants::{Tenant, TenantDirectory};
pub use token::ConnectJwtAuthenticator;
