//! What every `InstallationRegistry` must do, whatever stores it.

use chrono::{DateTime, TimeZone, Utc};
use stj_core::{
    ClientKey, InstallationRegistry, NewInstallation, RegistryError, SealedSecret, TenantUrl,
};

pub fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_750_000_000_i64.checked_add(secs).unwrap(), 0).unwrap()
}

pub fn key(raw: &str) -> ClientKey {
    ClientKey::parse(raw).unwrap()
}

pub fn installation(client_key: &str, secret: u8) -> NewInstallation {
    NewInstallation {
        client_key: key(client_key),
        base_url: TenantUrl::parse(&format!("https://{client_key}.atlassian.net")).unwrap(),
        display_url: None,
        sealed_secret: SealedSecret {
            key_id: format!("k{secret}"),
            nonce: vec![secret; 12],
            ciphertext: vec![secret; 48],
        },
        enabled: true,
        oauth_client_id: Some(format!("oauth-{client_key}")),
    }
}

pub async fn insert_and_find(registry: &dyn InstallationRegistry) {
    let mut new = installation("acme", 1);
    new.display_url = Some(TenantUrl::parse("https://jira.acme.com").unwrap());
    let stored = registry.upsert(new.clone(), at(0)).await.unwrap();
    assert_eq!(stored.client_key, new.client_key);
    assert_eq!(stored.base_url, new.base_url);
    assert_eq!(stored.display_url, new.display_url);
    assert_eq!(stored.sealed_secret, new.sealed_secret);
    assert!(stored.enabled);
    assert_eq!((stored.created_at, stored.updated_at), (at(0), at(0)));
    assert_eq!(registry.find(&new.client_key).await.unwrap(), Some(stored));
}

pub async fn upsert_overwrites_and_keeps_created_at(registry: &dyn InstallationRegistry) {
    registry.upsert(installation("acme", 1), at(0)).await.unwrap();
    let mut again = installation("acme", 2);
    again.base_url = TenantUrl::parse("https://acme-renamed.atlassian.net").unwrap();
    again.display_url = Some(TenantUrl::parse("https://jira.acme.com").unwrap());
    again.enabled = false;
    again.oauth_client_id = Some("rotated-client-id".into());
    let stored = registry.upsert(again.clone(), at(60)).await.unwrap();
    assert_eq!(stored.oauth_client_id.as_deref(), Some("rotated-client-id"));
    assert_eq!(stored.sealed_secret, again.sealed_secret);
    assert_eq!(stored.base_url, again.base_url);
    assert_eq!(stored.display_url, again.display_url);
    assert!(!stored.enabled);
    assert_eq!((stored.created_at, stored.updated_at), (at(0), at(60)));
    assert_eq!(registry.find(&again.client_key).await.unwrap(), Some(stored));
}

pub async fn set_enabled_updates_only_existing(registry: &dyn InstallationRegistry) {
    assert!(!registry.set_enabled(&key("missing"), true, at(0)).await.unwrap());
    assert_eq!(registry.find(&key("missing")).await.unwrap(), None);
    registry.upsert(installation("acme", 1), at(0)).await.unwrap();
    assert!(registry.set_enabled(&key("acme"), false, at(30)).await.unwrap());
    let found = registry.find(&key("acme")).await.unwrap().unwrap();
    assert!(!found.enabled);
    assert_eq!((found.created_at, found.updated_at), (at(0), at(30)));
}

pub async fn delete_removes_once(registry: &dyn InstallationRegistry) {
    registry.upsert(installation("acme", 1), at(0)).await.unwrap();
    assert!(registry.delete(&key("acme")).await.unwrap());
    assert_eq!(registry.find(&key("acme")).await.unwrap(), None);
    assert!(!registry.delete(&key("acme")).await.unwrap());
}

pub async fn find_missing_is_none(registry: &dyn InstallationRegistry) {
    assert_eq!(registry.find(&key("nobody")).await.unwrap(), None);
}

pub async fn tenants_are_isolated(registry: &dyn InstallationRegistry) {
    for (secret, tenant) in [(1, "jira-a"), (2, "jira-b"), (3, "jira-c")] {
        registry.upsert(installation(tenant, secret), at(0)).await.unwrap();
    }
    assert!(registry.set_enabled(&key("jira-b"), false, at(1)).await.unwrap());
    assert!(registry.delete(&key("jira-c")).await.unwrap());
    let a = registry.find(&key("jira-a")).await.unwrap().unwrap();
    assert!(a.enabled);
    assert_eq!(a.sealed_secret, installation("jira-a", 1).sealed_secret);
    let b = registry.find(&key("jira-b")).await.unwrap().unwrap();
    assert!(!b.enabled);
    assert_eq!(b.sealed_secret, installation("jira-b", 2).sealed_secret);
    assert_eq!(registry.find(&key("jira-c")).await.unwrap(), None);
}

pub async fn ping_answers(registry: &dyn InstallationRegistry) {
    registry.ping().await.unwrap();
}

/// `corrupt` rewrites the row's `base_url` behind the registry's back.
pub async fn corrupt_row_is_reported(
    registry: &dyn InstallationRegistry,
    corrupt: impl AsyncFnOnce(&ClientKey),
) {
    registry.upsert(installation("acme", 1), at(0)).await.unwrap();
    corrupt(&key("acme")).await;
    let err = registry.find(&key("acme")).await.unwrap_err();
    assert!(matches!(&err, RegistryError::Corrupt(msg) if msg.starts_with("base_url")), "{err:?}");
    // The row can still be removed, which is what uninstall needs.
    assert!(registry.delete(&key("acme")).await.unwrap());
}
