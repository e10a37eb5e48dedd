//! `LibraryService` over the Jira adapter: round trips, shards, conflicts, crashes, hand edits,
//! permissions.

use serde_json::{Value, json};
use stj_jira_sandbox::{Entity, Fault, FaultKind, conformance};
use stj_subtasks::{GatewayError, LibraryError, PropertyTarget};

use super::{ADA, ALICE, BOB, INDEX, Site, demo, library, personal};

/// The shard keys the index of `entity` names.
fn shard_keys(site: &Site, entity: Entity<'_>) -> Vec<String> {
    let index = site.property(entity, INDEX).unwrap();
    let generation = index.pointer("/generation").and_then(Value::as_u64).unwrap();
    let shards = index.pointer("/shards").and_then(Value::as_u64).unwrap();
    (0..shards).map(|i| format!("{INDEX}.g{generation}.{i}")).collect()
}

#[tokio::test]
async fn personal_and_project_libraries_round_trip() {
    let site = Site::new();
    let (alice, bob) = (site.caller(ALICE), site.caller(BOB));
    let mine = library("mine", 2, 3, 1);
    let shared = library("shared", 3, 2, 1);
    assert_eq!(site.service.save(&alice, &personal(ALICE), &mine, 0).await.unwrap(), 1);
    assert_eq!(site.service.save(&alice, &demo(), &shared, 0).await.unwrap(), 1);
    let stored = site.service.load(&alice, &personal(ALICE)).await.unwrap();
    assert_eq!((stored.revision, stored.library.templates), (1, mine.templates));
    let stored = site.service.load(&bob, &demo()).await.unwrap();
    assert_eq!((stored.revision, stored.library.templates), (1, shared.templates.clone()));
    let bobs = site.service.load(&bob, &PropertyTarget::personal(&bob)).await.unwrap();
    assert_eq!((bobs.revision, bobs.library.templates.len()), (0, 0));
    let edited = library("edited", 1, 1, 1);
    assert_eq!(site.service.save(&alice, &demo(), &edited, 1).await.unwrap(), 2);
    assert_eq!(site.service.load(&bob, &demo()).await.unwrap().library.templates, edited.templates);
    assert_eq!(site.keys(ALICE, &demo()).await.len(), 2, "index and one shard, nothing else");
}

#[tokio::test]
async fn a_library_over_32_kib_is_split_across_properties() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    let big = library("big", 5, 60, 100);
    site.service.save(&alice, &personal(ALICE), &big, 0).await.unwrap();
    let keys = shard_keys(&site, Entity::User(ALICE));
    assert!(keys.len() >= 3, "{keys:?}");
    let mut total = 0usize;
    for key in &keys {
        let value = site.property(Entity::User(ALICE), key).unwrap();
        let size = serde_json::to_string(&value).unwrap().len();
        assert!(size <= 32_768, "{key}: {size}");
        total = total.saturating_add(size);
    }
    assert!(total > 65_536, "{total}");
    let stored = site.service.load(&alice, &personal(ALICE)).await.unwrap();
    assert_eq!(stored.library.templates, big.templates);
}

#[tokio::test]
async fn a_stale_save_is_refused_and_both_versions_survive() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    let tab_one = library("one", 1, 2, 1);
    let tab_two = library("two", 1, 3, 1);
    site.service.save(&alice, &demo(), &tab_one, 0).await.unwrap();
    let stored_before = site.property(Entity::Project("DEMO"), INDEX);
    let error = site.service.save(&alice, &demo(), &tab_two, 0).await.unwrap_err();
    let LibraryError::Conflict { current } = error else { panic!("{error:?}") };
    assert_eq!((current.revision, &current.library.templates), (1, &tab_one.templates));
    assert_eq!(site.property(Entity::Project("DEMO"), INDEX), stored_before, "nothing written");
    // The client still holds its own version and can save it on top of the current one.
    assert_eq!(site.service.save(&alice, &demo(), &tab_two, current.revision).await.unwrap(), 2);
    let stored = site.service.load(&alice, &demo()).await.unwrap();
    assert_eq!(stored.library.templates, tab_two.templates);
}

#[tokio::test]
async fn a_save_failing_at_the_switch_leaves_the_old_library_and_the_next_save_cleans_up() {
    for fault in [FaultKind::Status { status: 503 }, FaultKind::DropConnection] {
        let site = Site::new();
        let alice = site.caller(ALICE);
        let old = library("old", 2, 2, 1);
        site.service.save(&alice, &personal(ALICE), &old, 0).await.unwrap();
        let index_route = format!("PUT /rest/api/3/user/properties/{INDEX}");
        site.sandbox.add_fault(Fault::new(&index_route, fault.clone()));
        let big = library("big", 4, 60, 100);
        let error = site.service.save(&alice, &personal(ALICE), &big, 1).await.unwrap_err();
        assert!(
            matches!(error, LibraryError::Gateway(GatewayError::Unavailable(_))),
            "{fault:?}: {error:?}"
        );
        let stored = site.service.load(&alice, &personal(ALICE)).await.unwrap();
        assert_eq!((stored.revision, stored.library.templates), (1, old.templates), "{fault:?}");
        assert!(site.keys(ALICE, &personal(ALICE)).await.len() > 3, "the new shards are debris");
        site.sandbox.clear_faults();
        let newer = library("newer", 1, 1, 1);
        assert_eq!(site.service.save(&alice, &personal(ALICE), &newer, 1).await.unwrap(), 2);
        let mut expected = shard_keys(&site, Entity::User(ALICE));
        expected.insert(0, INDEX.to_owned());
        assert_eq!(site.keys(ALICE, &personal(ALICE)).await, expected, "{fault:?}");
        let stored = site.service.load(&alice, &personal(ALICE)).await.unwrap();
        assert_eq!(stored.library.templates, newer.templates);
    }
}

#[tokio::test]
async fn a_lost_answer_to_the_switch_leaves_the_new_library_whole() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    site.service.save(&alice, &demo(), &library("old", 1, 1, 1), 0).await.unwrap();
    let route = format!("PUT /rest/api/3/project/DEMO/properties/{INDEX}");
    site.sandbox.add_fault(Fault::new(&route, FaultKind::DropResponse));
    let big = library("big", 4, 60, 100);
    let error = site.service.save(&alice, &demo(), &big, 1).await.unwrap_err();
    assert!(matches!(error, LibraryError::Gateway(GatewayError::Unavailable(_))), "{error:?}");
    site.sandbox.clear_faults();
    // The switch landed although its answer was lost: readers get the new library, all of it.
    let stored = site.service.load(&alice, &demo()).await.unwrap();
    assert_eq!((stored.revision, &stored.library.templates), (2, &big.templates));
    // Retrying from the old revision shows the client its own save, already in place.
    let retry = site.service.save(&alice, &demo(), &big, 1).await.unwrap_err();
    let LibraryError::Conflict { current } = retry else { panic!("{retry:?}") };
    assert_eq!(current.library.templates, big.templates);
}

#[tokio::test]
async fn hand_edited_properties_are_reported_as_corrupt() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    let mine = personal(ALICE);
    site.service.save(&alice, &mine, &library("a", 1, 1, 1), 0).await.unwrap();
    let shard = shard_keys(&site, Entity::User(ALICE)).remove(0);
    let cases = [
        (shard.as_str(), json!("{\"version\": 1, \"revisi"), "not JSON"),
        (shard.as_str(), json!("{\"templates\": []}"), "no format version"),
        (shard.as_str(), json!(42), "not text"),
        (INDEX, json!({"v": 1, "revision": 1, "generation": 5, "shards": 1}), "is missing"),
        (INDEX, json!({"v": 1, "revision": 1, "generation": 5, "shards": 1000}), "names 1000"),
        (INDEX, json!({"some": "other app"}), "no format version"),
        (INDEX, json!("garbage"), "no format version"),
    ];
    for (key, value, expected) in cases {
        let original = site.property(Entity::User(ALICE), key).unwrap();
        site.edit(Entity::User(ALICE), key, value);
        let error = site.service.load(&alice, &mine).await.unwrap_err();
        let LibraryError::Corrupt { report, .. } = &error else { panic!("{error:?}") };
        assert!(report.to_string().contains(expected), "{key}: {report}");
        site.edit(Entity::User(ALICE), key, original);
    }
    // A damaged library can be replaced by naming the revision the error reported.
    site.edit(Entity::User(ALICE), &shard, json!("]"));
    let error = site.service.load(&alice, &mine).await.unwrap_err();
    let LibraryError::Corrupt { revision, .. } = error else { panic!("{error:?}") };
    let fresh = library("fresh", 1, 1, 1);
    assert_eq!(site.service.save(&alice, &mine, &fresh, revision).await.unwrap(), 2);
    assert_eq!(site.service.load(&alice, &mine).await.unwrap().library.templates, fresh.templates);
}

#[tokio::test]
async fn only_project_administrators_save_project_templates() {
    let site = Site::new();
    let bob = site.caller(BOB);
    let error = site.service.save(&bob, &demo(), &library("b", 1, 1, 1), 0).await.unwrap_err();
    assert!(matches!(error, LibraryError::Gateway(GatewayError::Forbidden)), "{error:?}");
    assert!(site.keys(BOB, &demo()).await.is_empty(), "nothing written");
}

#[tokio::test]
async fn another_users_personal_library_is_never_read() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    site.service.save(&alice, &personal(ALICE), &library("a", 1, 1, 1), 0).await.unwrap();
    let sent = site.sandbox.requests().len();
    let theirs = personal(ALICE);
    let replacement = library("x", 1, 1, 1);
    for other in [site.caller(BOB), site.caller(ADA)] {
        let error = site.service.load(&other, &theirs).await.unwrap_err();
        assert!(matches!(error, LibraryError::Gateway(GatewayError::Forbidden)), "{error:?}");
        let error = site.service.save(&other, &theirs, &replacement, 1).await.unwrap_err();
        assert!(matches!(error, LibraryError::Gateway(GatewayError::Forbidden)), "{error:?}");
    }
    assert_eq!(site.sandbox.requests().len(), sent, "refused before asking Jira");
}

#[tokio::test]
async fn every_request_matches_jiras_published_spec() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    site.service.save(&alice, &demo(), &library("big", 4, 60, 100), 0).await.unwrap();
    site.service.save(&alice, &demo(), &library("small", 1, 1, 1), 1).await.unwrap();
    site.service.load(&alice, &demo()).await.unwrap();
    site.service.save(&alice, &personal(ALICE), &library("a", 1, 1, 1), 0).await.unwrap();
    let requests = site.sandbox.requests();
    assert!(requests.len() > 10);
    for request in &requests {
        conformance::check_recorded(request).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn can_edit_follows_jiras_permissions_as_the_user() {
    let site = Site::new();
    let can_edit = |account: &'static str, target: PropertyTarget| {
        let (site, caller) = (&site, site.caller(account));
        async move { site.service.can_edit(&caller, &target).await }
    };
    assert!(can_edit(ALICE, demo()).await.unwrap(), "administers DEMO");
    assert!(!can_edit(BOB, demo()).await.unwrap(), "a member");
    assert!(can_edit(ADA, demo()).await.unwrap(), "administers Jira");
    assert!(can_edit(BOB, personal(BOB)).await.unwrap(), "their own library");
    let sent = site.sandbox.requests().len();
    assert!(!can_edit(BOB, personal(ALICE)).await.unwrap(), "someone else's library");
    assert_eq!(site.sandbox.requests().len(), sent, "decided without asking Jira");
    let error = can_edit(ALICE, PropertyTarget::project("NOPE")).await.unwrap_err();
    assert!(matches!(error, LibraryError::Gateway(GatewayError::NotFound)), "{error:?}");
    for request in site.sandbox.requests() {
        conformance::check_recorded(&request).unwrap_or_else(|e| panic!("{e}"));
    }
}
