//! What every `InstallationRegistry` must do, whatever stores it.

use chrono::{DateTime, TimeZone, Utc};
use stj_core::{
    ClientKey, CloudId, ForgeInstallationId, InstallationRegistry, NewForgeInstallation,
    NewInstallation, RegistryError, SealedSecret, TenantUrl,
};
use stj_registry::Registry;

/// Two columns of `installations`, for tests that damage a row behind the registry's back.
pub mod raw {
    diesel::table! {
        installations (client_key) {
            client_key -> Text,
            base_url -> Text,
        }
    }
}

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

pub fn forge_id(n: u8) -> ForgeInstallationId {
    ForgeInstallationId::parse(&format!(
        "ari:cloud:ecosystem::installation/{n:08x}-b2e9-4b38-aac6-30abc7f3effb"
    ))
    .unwrap()
}

fn forge(n: u8) -> NewForgeInstallation {
    let cloud = format!("{n:08x}-cb0d-4108-8243-8929ac7cc1fa");
    NewForgeInstallation {
        installation_id: forge_id(n),
        cloud_id: CloudId::parse(&cloud).unwrap(),
        api_base_url: TenantUrl::parse(&format!("https://api.atlassian.com/ex/jira/{cloud}"))
            .unwrap(),
    }
}

pub async fn forge_installations_upsert_find_delete(registry: &dyn Registry) {
    assert_eq!(registry.find_forge(&forge_id(1)).await.unwrap(), None);
    let stored = registry.upsert_forge(forge(1), at(0)).await.unwrap();
    assert_eq!(stored.installation_id, forge_id(1));
    assert!(stored.enabled);
    assert_eq!((stored.created_at, stored.updated_at), (at(0), at(0)));
    let mut moved = forge(1);
    moved.api_base_url = TenantUrl::parse("https://api.stg.atlassian.com/ex/jira/x").unwrap();
    let again = registry.upsert_forge(moved.clone(), at(60)).await.unwrap();
    assert_eq!(again.api_base_url, moved.api_base_url);
    assert_eq!((again.created_at, again.updated_at), (at(0), at(60)));
    assert_eq!(registry.find_forge(&forge_id(1)).await.unwrap(), Some(again));
    registry.upsert_forge(forge(2), at(0)).await.unwrap();
    assert!(registry.delete_forge(&forge_id(1)).await.unwrap());
    assert!(!registry.delete_forge(&forge_id(1)).await.unwrap());
    assert_eq!(registry.find_forge(&forge_id(1)).await.unwrap(), None);
    assert!(registry.find_forge(&forge_id(2)).await.unwrap().is_some(), "others stay");
}

pub async fn connect_links_make_one_tenant(registry: &dyn Registry) {
    registry.upsert(installation("acme", 1), at(0)).await.unwrap();
    registry.upsert(installation("beta", 2), at(0)).await.unwrap();
    assert_eq!(registry.linked_client_key(&forge_id(1)).await.unwrap(), None);
    registry.link_connect(&key("acme"), &forge_id(1)).await.unwrap();
    registry.link_connect(&key("beta"), &forge_id(2)).await.unwrap();
    assert_eq!(registry.linked_client_key(&forge_id(1)).await.unwrap(), Some(key("acme")));
    // A re-install naming another installation moves the link; linking again changes nothing.
    registry.link_connect(&key("acme"), &forge_id(3)).await.unwrap();
    registry.link_connect(&key("acme"), &forge_id(3)).await.unwrap();
    assert_eq!(registry.linked_client_key(&forge_id(1)).await.unwrap(), None);
    assert_eq!(registry.linked_client_key(&forge_id(3)).await.unwrap(), Some(key("acme")));
    // Deleting the Connect install removes its link, and only its link.
    assert!(registry.delete(&key("acme")).await.unwrap());
    assert_eq!(registry.linked_client_key(&forge_id(3)).await.unwrap(), None);
    assert_eq!(registry.linked_client_key(&forge_id(2)).await.unwrap(), Some(key("beta")));
}
