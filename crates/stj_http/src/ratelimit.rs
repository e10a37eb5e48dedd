//! Per-tenant and per-user request budgets (GCRA via governor). Keys live in memory only.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use stj_core::{ClientKey, Principal};

use crate::RateLimitConfig;

/// Above this many tracked keys, idle ones are dropped so memory stays bounded.
const PRUNE_ABOVE: usize = 50_000;
/// Counting the keys visits every shard of the map, so it happens once per this many checks
/// (the bound may be passed by at most as many keys in between).
const PRUNE_CHECK_EVERY: u64 = 1024;

#[derive(Debug)]
pub struct RateLimits {
    /// Keyed by the tenant's `ClientKey` itself: shared, so a check copies nothing.
    tenant: DefaultKeyedRateLimiter<ClientKey>,
    user: DefaultKeyedRateLimiter<String>,
    checks: AtomicU64,
}

#[derive(Debug, PartialEq, Eq)]
pub struct InvalidRateLimit(pub &'static str);

fn quota(per_second: u32, burst: u32, what: &'static str) -> Result<Quota, InvalidRateLimit> {
    let rate = NonZeroU32::new(per_second).ok_or(InvalidRateLimit(what))?;
    let burst = NonZeroU32::new(burst).ok_or(InvalidRateLimit(what))?;
    Ok(Quota::per_second(rate).allow_burst(burst))
}

impl RateLimits {
    pub fn new(config: &RateLimitConfig) -> Result<Self, InvalidRateLimit> {
        Ok(Self {
            tenant: RateLimiter::keyed(quota(
                config.tenant_per_second,
                config.tenant_burst,
                "tenant",
            )?),
            user: RateLimiter::keyed(quota(config.user_per_second, config.user_burst, "user")?),
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
        let user_key = match &principal.account_id {
            Some(account) => format!("{tenant}\u{0}{}", account.expose()),
            None => format!("{tenant}\u{0}"),
        };
        self.user.check_key(&user_key).map_err(wait)?;
        Ok(())
    }
}
