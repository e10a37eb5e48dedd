//! Per-tenant and per-user request budgets (GCRA via governor). Keys live in memory only.

use std::hash::BuildHasher;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

use stj_core::{ClientKey, Principal};

use crate::RateLimitConfig;

/// Above this many tracked keys, idle ones are dropped so memory stays bounded.
const PRUNE_ABOVE: usize = 50_000;
/// Counting the keys visits every shard of the map, so it happens once per this many checks
/// (the bound may be passed by at most as many keys in between).
const PRUNE_CHECK_EVERY: u64 = 1024;

/// A keyed GCRA limiter on governor's DashMap, hashed with aHash (randomly keyed per process, as
/// std's SipHash is, and several times faster on these short keys).
type Limiter<K> = RateLimiter<K, DashMapStateStore<K, KeyHasher>, DefaultClock>;

#[derive(Debug)]
pub struct RateLimits {
    /// Keyed by the tenant's `ClientKey` itself: shared, so a check copies nothing.
    tenant: Limiter<ClientKey>,
    user: Limiter<String>,
    checks: AtomicU64,
}

#[derive(Debug, PartialEq, Eq)]
pub struct InvalidRateLimit(pub &'static str);

fn quota(per_second: u32, burst: u32, what: &'static str) -> Result<Quota, InvalidRateLimit> {
    let rate = NonZeroU32::new(per_second).ok_or(InvalidRateLimit(what))?;
    let burst = NonZeroU32::new(burst).ok_or(InvalidRateLimit(what))?;
    Ok(Quota::per_second(rate).allow_burst(burst))
}

/// aHash keyed from std's per-process random SipHash keys (which std takes from the kernel), so
/// key hashes cannot be predicted from outside. aHash's own runtime RNG is left off: it cannot find
/// the kernel's getrandom in the static image and panics there.
#[derive(Debug, Clone)]
struct KeyHasher(ahash::RandomState);

impl Default for KeyHasher {
    fn default() -> Self {
        let keys = std::hash::RandomState::new();
        let seed = |n: u8| keys.hash_one(n);
        Self(ahash::RandomState::with_seeds(seed(0), seed(1), seed(2), seed(3)))
    }
}

impl BuildHasher for KeyHasher {
    type Hasher = ahash::AHasher;

    fn build_hasher(&self) -> ahash::AHasher {
        self.0.build_hasher()
    }
}

impl RateLimits {
    pub fn new(config: &RateLimitConfig) -> Result<Self, InvalidRateLimit> {
        Ok(Self {
            tenant: RateLimiter::dashmap_with_hasher(
                quota(config.tenant_per_second, config.tenant_burst, "tenant")?,
                KeyHasher::default(),
            ),
            user: RateLimiter::dashmap_with_hasher(
                quota(config.user_per_second, config.user_burst, "user")?,
                KeyHasher::default(),
            ),
            checks: AtomicU64::new(0),
        })
    }

    /// `Err(wait)` when either budget is spent; `wait` is what `Retry-After` tells the client.
    pub fn check(&self, principal: &Principal) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(PRUNE_CHECK_EVERY) {
            if self.tenant.len() > PRUNE_ABOVE {
                self.tenant.retain_recent();
            }
            if self.user.len() > PRUNE_ABOVE {
                self.user.retain_recent();
            }
        }
        let wait = |not_until: governor::NotUntil<_>| {
            not_until.wait_time_from(DefaultClock::default().now())
        };
        self.tenant.check_key(&principal.client_key).map_err(wait)?;
        let tenant = principal.client_key.as_str();
        let account = principal.account_id.as_ref().map_or("", |account| account.expose().as_str());
        let mut user_key =
            String::with_capacity(tenant.len().saturating_add(account.len()).saturating_add(1));
        user_key.push_str(tenant);
        user_key.push('\0');
        user_key.push_str(account);
        self.user.check_key(&user_key).map_err(wait)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher as _;

    use super::KeyHasher;

    #[test]
    fn key_hashes_are_stable_per_hasher_and_keyed_per_hasher() {
        let (one, two) = (KeyHasher::default(), KeyHasher::default());
        let key = "tenant-1\u{0}user-1";
        assert_eq!(one.hash_one(key), one.clone().hash_one(key));
        assert_ne!(one.hash_one(key), two.hash_one(key), "each hasher has its own random keys");
    }
}
