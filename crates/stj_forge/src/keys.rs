//! Forge's signing keys, read from the JWKS and kept parsed in memory, so a verified request costs
//! one map look-up and no fetch. The set is refetched when its TTL runs out, or when a token names
//! a `kid` the set lacks — at most once per `min_refetch` interval, and by one caller at a time
//! (the others wait for its answer): a flood of unknown `kid`s costs at most one fetch per
//! interval. A fetch that fails leaves the last good set in place until its TTL runs out; a stale
//! or missing set while the JWKS is down is `Unavailable` (503), never a refusal.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;

use stj_core::JwksSource;

/// Most keys kept from one JWKS document (Forge publishes a handful).
const MAX_KEYS: usize = 32;
/// Longest `kid` looked up; longer ones are refused before any look-up.
pub const MAX_KID_LEN: usize = 256;
/// Smallest RSA modulus accepted (2048 bits).
const MIN_MODULUS_BYTES: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no key with this kid in the JWKS")]
    Unknown,
    #[error("JWKS unavailable")]
    Unavailable(#[source] anyhow::Error),
}

#[derive(Default)]
struct KeySet {
    keys: HashMap<String, Arc<DecodingKey>>,
    fetched_at: Option<Instant>,
    attempted_at: Option<Instant>,
}

/// By hand: the keys print as their ids (`DecodingKey` has no `Debug`).
impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .field("fetched_at", &self.fetched_at)
            .field("attempted_at", &self.attempted_at)
            .finish()
    }
}

enum Lookup {
    Hit(Arc<DecodingKey>),
    Unknown,
    Unavailable,
    Fetch,
}

#[derive(Debug)]
pub struct ForgeKeys {
    source: Arc<dyn JwksSource>,
    ttl: Duration,
    min_refetch: Duration,
    set: Mutex<KeySet>,
    /// Single flight: whoever holds it fetches; the others re-read the set afterwards.
    fetching: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

impl ForgeKeys {
    /// `min_refetch` is capped at `ttl`, so a set is never stale while fetching is barred.
    pub fn new(source: Arc<dyn JwksSource>, ttl: Duration, min_refetch: Duration) -> Self {
        Self {
            source,
            ttl,
            min_refetch: min_refetch.min(ttl),
            set: Mutex::new(KeySet::default()),
            fetching: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many times the JWKS was fetched (for logs, benches and tests).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The RS256 key for `kid`.
    pub async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, KeyError> {
        if let Lookup::Hit(key) = self.lookup(kid) {
            return Ok(key);
        }
        // Anything but a hit waits for a fetch in flight before it answers: while the first
        // fetch runs, the set is empty and barred, and answering then would refuse (or 503) a
        // burst of valid tokens at start-up.
        let _flight = self.fetching.lock().await;
        if let Some(answer) = self.answer(self.lookup(kid)) {
            return answer;
        }
        self.refresh().await?;
        match self.lookup(kid) {
            Lookup::Hit(key) => Ok(key),
            _ => Err(KeyError::Unknown),
        }
    }

    fn answer(&self, lookup: Lookup) -> Option<Result<Arc<DecodingKey>, KeyError>> {
        match lookup {
            Lookup::Hit(key) => Some(Ok(key)),
            Lookup::Unknown => Some(Err(KeyError::Unknown)),
            Lookup::Unavailable => Some(Err(KeyError::Unavailable(anyhow::anyhow!(
                "JWKS fetch failed within the refetch interval"
            )))),
            Lookup::Fetch => None,
        }
    }

    fn lookup(&self, kid: &str) -> Lookup {
        let Ok(set) = self.set.lock() else { return Lookup::Unavailable };
        let now = Instant::now();
        let fresh = set.fetched_at.is_some_and(|at| now.duration_since(at) < self.ttl);
        let may_fetch =
            set.attempted_at.is_none_or(|at| now.duration_since(at) >= self.min_refetch);
        match (fresh, set.keys.get(kid)) {
            (true, Some(key)) => Lookup::Hit(key.clone()),
            _ if may_fetch => Lookup::Fetch,
            (true, None) => Lookup::Unknown,
            // Stale and barred: the last attempt (within the interval) failed.
            (false, _) => Lookup::Unavailable,
        }
    }

    async fn refresh(&self) -> Result<(), KeyError> {
        if let Ok(mut set) = self.set.lock() {
            set.attempted_at = Some(Instant::now());
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let text = self.source.fetch().await.map_err(|e| KeyError::Unavailable(e.into()))?;
        let keys = parse_jwks(&text).map_err(KeyError::Unavailable)?;
        if let Ok(mut set) = self.set.lock() {
            set.keys = keys;
            set.fetched_at = Some(Instant::now());
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Debug, Deserialize)]
struct Jwk {
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    kty: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

/// The usable keys of a JWKS document: `kty: RSA`, `alg` RS256 (or absent: then pinned to RS256,
/// the only algorithm this door accepts), `use` absent or `sig`, a `kid`, 2048-bit modulus or
/// more. Any other entry is skipped; a document with no usable key is an error.
pub(crate) fn parse_jwks(text: &str) -> anyhow::Result<HashMap<String, Arc<DecodingKey>>> {
    let jwks: Jwks = serde_json::from_str(text)?;
    let mut keys = HashMap::new();
    for jwk in jwks.keys.into_iter().take(MAX_KEYS) {
        if let Some((kid, key)) = usable(jwk) {
            keys.insert(kid, Arc::new(key));
        }
    }
    anyhow::ensure!(!keys.is_empty(), "JWKS holds no usable RS256 key");
    Ok(keys)
}

fn usable(jwk: Jwk) -> Option<(String, DecodingKey)> {
    let rs256 = jwk.kty.as_deref() == Some("RSA")
        && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256")
        && jwk.usage.as_deref().is_none_or(|usage| usage == "sig");
    let kid = jwk.kid.filter(|kid| rs256 && !kid.is_empty() && kid.len() <= MAX_KID_LEN)?;
    let (n, e) = (jwk.n?, jwk.e?);
    let modulus = URL_SAFE_NO_PAD.decode(n.trim_end_matches('=')).ok()?;
    let exponent = URL_SAFE_NO_PAD.decode(e.trim_end_matches('=')).ok()?;
    if modulus.iter().skip_while(|b| **b == 0).count() < MIN_MODULUS_BYTES || exponent.is_empty() {
        return None;
    }
    DecodingKey::from_rsa_components(&n, &e).ok().map(|key| (kid, key))
}
