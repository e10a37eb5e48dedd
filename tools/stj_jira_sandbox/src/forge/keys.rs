//! The keys of the sandbox's Forge platform: an RS256 pair whose public half the JWKS publishes
//! (FITs), a second RS256 pair it never publishes (negative tests: "a key from another JWKS"),
//! and an HS256 key only the sandbox knows (the user and system tokens its REST API accepts).

use std::sync::OnceLock;

use jwt_simple::prelude::*;
use serde_json::{Value, json};

use crate::SandboxError;
use crate::tenants::random_alnum;

/// Which RS256 key signs a FIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignWith {
    /// The key in `GET /forge/.well-known/jwks.json`.
    #[default]
    Published,
    /// A key the JWKS does not hold (it still carries the published `kid` unless told otherwise).
    Unpublished,
}

#[derive(Debug)]
pub(crate) struct ForgeKeys {
    /// The `kid` of the published key, fresh per sandbox.
    pub kid: String,
    published: OnceLock<Result<RS256KeyPair, String>>,
    /// HS256 for user and system tokens; never leaves the sandbox.
    pub oauth: HS256Key,
}

impl ForgeKeys {
    pub fn new() -> Self {
        Self {
            kid: format!("stj-sandbox-forge/{}", random_alnum(16).to_ascii_lowercase()),
            published: OnceLock::new(),
            oauth: HS256Key::generate(),
        }
    }

    /// The published pair with this sandbox's `kid`, made on first use (RSA generation is slow).
    pub fn published(&self) -> Result<&RS256KeyPair, SandboxError> {
        self.published
            .get_or_init(|| Ok(shared_pair(&PUBLISHED)?.clone().with_key_id(&self.kid)))
            .as_ref()
            .map_err(|e| SandboxError::Sign(e.clone()))
    }

    /// The signing pair for `which`, with `kid` in its header.
    pub fn signer(&self, which: SignWith, kid: &str) -> Result<RS256KeyPair, SandboxError> {
        let pair = match which {
            SignWith::Published => self.published()?.clone(),
            SignWith::Unpublished => shared_pair(&UNPUBLISHED).map_err(SandboxError::Sign)?.clone(),
        };
        Ok(pair.with_key_id(kid))
    }

    /// `{"keys": [JWK]}`: `kid`, `kty: RSA`, `alg: RS256`, `use: sig`, `n`, `e` (base64url).
    pub fn jwks(&self) -> Result<Value, SandboxError> {
        let jwk = self.published()?.public_key().to_jwk();
        let jwk: Value =
            serde_json::from_str(&jwk).map_err(|e| SandboxError::Sign(e.to_string()))?;
        Ok(json!({ "keys": [jwk] }))
    }
}

static PUBLISHED: OnceLock<Result<RS256KeyPair, String>> = OnceLock::new();
static UNPUBLISHED: OnceLock<Result<RS256KeyPair, String>> = OnceLock::new();

/// One pair per process for each role, like the install key: 2048-bit generation is slow.
fn shared_pair(
    cell: &'static OnceLock<Result<RS256KeyPair, String>>,
) -> Result<&'static RS256KeyPair, String> {
    cell.get_or_init(|| RS256KeyPair::generate(2048).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}
