//! The Forge Remote door: the same backend answers a Forge app whose Custom UI invokes it. Forge
//! signs every invocation with a Forge Invocation Token (RS256, keys from Forge's JWKS); there is
//! no shared secret. No HTTP server or client lives here: requests arrive as `RequestFacts`, the
//! JWKS and the registry through `stj_core` ports.

pub mod authenticator;
pub mod claims;
pub mod config;
pub mod events;
pub mod keys;
pub mod licence;
pub mod links;
pub mod verifier;

pub use authenticator::ForgeAuthenticator;
pub use claims::VerifiedFit;
pub use config::{FORGE_JWKS_URL, ForgeConfig};
pub use events::{EventError, ForgeEvents};
pub use keys::{ForgeKeys, KeyError};
pub use licence::DoorLicenceGate;
pub use links::InstallationLinks;
pub use verifier::{FIT_ISSUER, FitVerifier};
