//! Context tokens verified recently. The app's frontend gets a context token from Jira
//! (`AP.context.getToken()`: `qsh` is `context-qsh`, valid for minutes) and sends it with each of
//! its calls until it nears expiry, so one token arrives many times; verifying it in full each time
//! (base64, HMAC, claims) was most of an API call's cost. A token that verified is remembered with
//! what verification established, tied to the tenant entry, and so the key, it verified against:
//! once that entry is replaced (a registry read after at most `connect.tenant_cache_secs`, or at
//! once on a lifecycle change or a re-install seen by this instance) the token is verified in full
//! again. Its times are checked on every use, and the route's qsh policy too, in the order the full
//! path checks them, so every answer is the one the full path gives.
//!
//! Only `context-qsh` tokens are remembered: a computed-qsh token signs one request (an iframe
//! load) and is not sent again.

use std::sync::Arc;

use stj_core::{AuthError, Licence};

use crate::jwt::{Times, check_times};
use crate::tenants::Entry;

/// Bound on remembered tokens: when full, all are forgotten (each is verified again on next use).
pub(crate) const MAX_REMEMBERED: usize = 2048;
/// Longest token remembered (Jira's context tokens are under 1 KiB; a longer one is verified each
/// time), so the map holds at most about 5 MiB whatever tokens a tenant mints with its own secret.
pub(crate) const MAX_REMEMBERED_LEN: usize = 2048;

/// What a verified context token established, and against which tenant entry.
#[derive(Debug)]
pub(crate) struct Remembered {
    /// The whole token, compared on every hit: the key is only its signature.
    token: Box<str>,
    /// The client key as the token's `iss` states it, to find the tenant's current entry.
    issuer: Box<str>,
    pub(crate) entry: Arc<Entry>,
    times: Times,
    pub(crate) subject: Option<String>,
    pub(crate) context_licence: Option<Licence>,
}

#[derive(Debug, Default)]
pub(crate) struct ContextTokens {
    /// Keyed by the token's signature (its third part): short to hash, and distinct per token.
    map: papaya::HashMap<Box<str>, Arc<Remembered>>,
}

/// The third part of a token with exactly three.
fn signature(token: &str) -> Option<&str> {
    let (signed, signature) = token.rsplit_once('.')?;
    let (_header, payload) = signed.split_once('.')?;
    (!payload.contains('.')).then_some(signature)
}

impl ContextTokens {
    /// The token's remembered verification, if it verified against the tenant's current entry
    /// (`current`: the tenant directory's fresh entry for a client key); `Err(Expired)` once its
    /// times no longer hold (and it is forgotten).
    pub(crate) fn recall(
        &self,
        token: &str,
        current: impl FnOnce(&str) -> Option<Arc<Entry>>,
    ) -> Option<Result<Arc<Remembered>, AuthError>> {
        let key = signature(token)?;
        let map = self.map.pin();
        let hit = map.get(key).filter(|hit| &*hit.token == token)?;
        let current = current(&hit.issuer).filter(|entry| Arc::ptr_eq(entry, &hit.entry));
        if current.is_none() {
            map.remove(key);
            return None;
        }
        if let Err(expired) = check_times(&hit.times) {
            map.remove(key);
            return Some(Err(expired));
        }
        Some(Ok(Arc::clone(hit)))
    }

    /// Remembers a context token that has just verified in full against `entry`.
    pub(crate) fn remember(
        &self,
        token: &str,
        issuer: &str,
        entry: &Arc<Entry>,
        times: Times,
        subject: Option<&str>,
        context_licence: Option<Licence>,
    ) {
        let Some(key) = signature(token).filter(|_| token.len() <= MAX_REMEMBERED_LEN) else {
            return;
        };
        let map = self.map.pin();
        if map.len() >= MAX_REMEMBERED {
            map.clear();
        }
        let remembered = Remembered {
            token: token.into(),
            issuer: issuer.into(),
            entry: Arc::clone(entry),
            times,
            subject: subject.map(str::to_owned),
            context_licence,
        };
        map.insert(key.into(), Arc::new(remembered));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.pin().len()
    }
}

#[cfg(test)]
mod tests {
    use jwt_simple::prelude::{Clock, Duration as Coarse};
    use stj_core::{ClientKey, TenantUrl};
    use stj_privacy::Secret;

    use super::*;
    use crate::tenants::Tenant;

    const TOKEN: &str = "aGVhZGVy.cGF5bG9hZA.c2lnbmF0dXJl";

    fn entry() -> Arc<Entry> {
        Arc::new(Entry::new(Some(Tenant {
            client_key: ClientKey::parse("remembering-tenant").unwrap(),
            base_url: TenantUrl::parse("https://remembering.atlassian.net").unwrap(),
            shared_secret: Secret::new("a-secret-of-some-length".to_owned()),
            enabled: true,
            oauth_client_id: None,
        })))
    }

    /// Issued a minute ago, expiring `exp_secs` from now (negative: in the past).
    fn times(exp_secs: i64) -> Times {
        let now = Clock::now_since_epoch().as_ticks();
        let secs = |s: u64| Coarse::from_secs(s).as_ticks();
        let exp = if exp_secs >= 0 {
            now.saturating_add(secs(exp_secs.unsigned_abs()))
        } else {
            now.saturating_sub(secs(exp_secs.unsigned_abs()))
        };
        Times {
            issued_at: Some(now.saturating_sub(secs(60))),
            expires_at: Some(exp),
            invalid_before: None,
        }
    }

    fn remember(tokens: &ContextTokens, token: &str, entry: &Arc<Entry>, times: Times) {
        tokens.remember(token, "remembering-tenant", entry, times, Some("acct"), None);
    }

    #[test]
    fn a_token_is_recalled_only_against_the_entry_it_verified_with() {
        let (tokens, first) = (ContextTokens::default(), entry());
        remember(&tokens, TOKEN, &first, times(600));
        let hit = tokens.recall(TOKEN, |_| Some(Arc::clone(&first))).unwrap().unwrap();
        assert_eq!(hit.subject.as_deref(), Some("acct"));
        // Another token with the same signature is not this one.
        assert!(
            tokens.recall("aGVhZGVy.b3RoZXI.c2lnbmF0dXJl", |_| Some(Arc::clone(&first))).is_none()
        );
        // The tenant was read again (a new secret, perhaps): verify in full, and forget.
        assert!(tokens.recall(TOKEN, |_| Some(entry())).is_none());
        assert_eq!(tokens.len(), 0);
        remember(&tokens, TOKEN, &first, times(600));
        assert!(tokens.recall(TOKEN, |_| None).is_none(), "tenant no longer cached");
        assert_eq!(tokens.len(), 0);
    }

    #[test]
    fn times_are_checked_on_every_recall_with_the_leeway() {
        let (tokens, entry) = (ContextTokens::default(), entry());
        // Expired 10 s ago: still inside the 30 s leeway, as on the full path.
        remember(&tokens, TOKEN, &entry, times(-10));
        assert!(tokens.recall(TOKEN, |_| Some(Arc::clone(&entry))).unwrap().is_ok());
        remember(&tokens, TOKEN, &entry, times(-40));
        let answer = tokens.recall(TOKEN, |_| Some(Arc::clone(&entry))).unwrap();
        assert!(matches!(answer, Err(AuthError::Expired)), "{answer:?}");
        assert_eq!(tokens.len(), 0, "an expired token is forgotten");
    }

    #[test]
    fn a_long_token_is_not_remembered() {
        let (tokens, entry) = (ContextTokens::default(), entry());
        let long = format!("h.{}.s", "p".repeat(MAX_REMEMBERED_LEN));
        remember(&tokens, &long, &entry, times(600));
        assert_eq!(tokens.len(), 0);
        let longest = format!("h.{}.s", "p".repeat(MAX_REMEMBERED_LEN - 4));
        remember(&tokens, &longest, &entry, times(600));
        assert_eq!(tokens.len(), 1);
    }

    #[test]
    fn a_full_map_is_emptied_before_it_grows() {
        let (tokens, entry) = (ContextTokens::default(), entry());
        for i in 0..=MAX_REMEMBERED {
            remember(&tokens, &format!("h.p.s{i}"), &entry, times(600));
        }
        assert_eq!(tokens.len(), 1);
    }

    #[test]
    fn the_signature_is_the_third_of_exactly_three_parts() {
        assert_eq!(signature("a.b.c"), Some("c"));
        assert_eq!(signature("a.b."), Some(""));
        assert_eq!(signature("a.b"), None);
        assert_eq!(signature("a.b.c.d"), None);
        assert_eq!(signature("abc"), None);
    }
}
