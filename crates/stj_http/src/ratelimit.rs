//! Per-tenant and per-user request budgets (GCRA via governor). Keys live in memory only.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use stj_core::Principal;

use crate::RateLimitConfig;

/// Above this many tracked keys, idle ones are dropped so memory stays bounded.
const PRUNE_ABOVE: usize = 50_000;

#[derive(Debug)]
pub struct RateLimits {
    tenant: DefaultKeyedRateLimiter<String>,
    user: DefaultKeyedRateLimiter<String>,
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
        })
    }

    /// `Err(wait)` when either budget is spent; `wait` is what `Retry-After` tells the client.
    pub fn check(&self, principal: &Principal) -> Result<(), Duration> {
        let tenant_key = principal.client_key.as_str().to_owned();
        let user_key = match &principal.account_id {
            Some(account) => format!("{tenant_key}\u{0}{}", account.expose()),
            None => format!("{tenant_key}\u{0}"),
        };
        for (limiter, key) in [(&self.tenant, tenant_key), (&self.user, user_key)] {
            if limiter.len() > PRUNE_ABOVE {
                limiter.retain_recent();
            }
            if let Err(not_until) = limiter.check_key(&key) {
                return Err(not_until.wait_time_from(DefaultClock::default().now()));
            }
        }
        Ok(())
    }
}
