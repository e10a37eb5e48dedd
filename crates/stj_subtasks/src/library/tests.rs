use std::sync::Arc;

use serde_json::json;
use stj_core::ClientKey;
use stj_privacy::Personal;
use stj_templates::{SubtaskSpec, Template, TemplateId, field};

use super::*;
use crate::tests::memory::MemoryStore;

const APP: &str = "io.subtask-templates.jira";
const INDEX: &str = "io.subtask-templates.jira.templates";

fn caller(account: &str) -> Caller {
    Caller {
        client_key: ClientKey::parse("tenant-1").unwrap(),
        account_id: Personal::new(account.to_owned()),
        access: stj_core::JiraAccess::Connect,
    }
}

fn template(id: &str, subtasks: usize, summary_len: usize) -> Template {
    Template {
        id: TemplateId::new(id).unwrap(),
        name: format!("Template {id}"),
        description: None,
        subtask_type: None,
        subtasks: (0..subtasks)
            .map(|n| SubtaskSpec::new(format!("{n} \"{}\"", "é".repeat(summary_len))))
            .collect(),
    }
}

fn library(templates: Vec<Template>) -> Library {
    Library { revision: 0, templates }
}

fn service() -> (Arc<MemoryStore>, LibraryService) {
    let store = Arc::new(MemoryStore::default());
    let service = LibraryService::new(store.clone(), APP).unwrap();
    (store, service)
}

fn index_of(store: &MemoryStore, target: &PropertyTarget) -> Index {
    let value = store.snapshot().get(&(target.clone(), INDEX.to_owned())).cloned().unwrap();
    Index::parse(&value).unwrap()
}

#[tokio::test]
async fn nothing_saved_reads_as_an_empty_library_at_revision_zero() {
    let (_, service) = service();
    let me = caller("alice");
    let stored = service.load(&me, &PropertyTarget::personal(&me)).await.unwrap();
    assert_eq!(stored, StoredLibrary::default());
}

#[tokio::test]
async fn saves_and_loads_personal_and_project_libraries_with_rising_revisions() {
    let (store, service) = service();
    let me = caller("alice");
    for target in [PropertyTarget::personal(&me), PropertyTarget::project("DEMO")] {
        let first = library(vec![template("a", 2, 3)]);
        assert_eq!(service.save(&me, &target, &first, 0).await.unwrap(), 1);
        let stored = service.load(&me, &target).await.unwrap();
        assert_eq!((stored.revision, &stored.library.templates), (1, &first.templates));
        assert_eq!(stored.library.revision, 1);
        let second = library(vec![template("a", 1, 1), template("b", 3, 1)]);
        assert_eq!(service.save(&me, &target, &second, 1).await.unwrap(), 2);
        assert_eq!(service.load(&me, &target).await.unwrap().library.templates, second.templates);
        let index = index_of(&store, &target);
        let mut expected = vec![INDEX.to_owned(), format!("{INDEX}.g{}.0", index.generation)];
        expected.sort();
        assert_eq!(store.keys_of(&target), expected, "the first generation was removed");
    }
}

#[tokio::test]
async fn a_library_over_32_kib_is_split_and_read_back() {
    let (store, service) = service();
    let me = caller("alice");
    let target = PropertyTarget::project("DEMO");
    let big = library((0..6).map(|n| template(&format!("t{n}"), 60, 100)).collect());
    service.save(&me, &target, &big, 0).await.unwrap();
    let index = index_of(&store, &target);
    assert!(index.shards > 2, "{index:?}");
    for (key, value) in store.snapshot() {
        assert!(serde_json::to_string(&value).unwrap().len() <= SHARD_MAX_BYTES, "{}", key.1);
    }
    assert_eq!(service.load(&me, &target).await.unwrap().library.templates, big.templates);
}

#[tokio::test]
async fn a_stale_save_is_refused_with_the_current_library() {
    let (store, service) = service();
    let me = caller("alice");
    let target = PropertyTarget::personal(&me);
    let tab_one = library(vec![template("one", 1, 1)]);
    let tab_two = library(vec![template("two", 1, 1)]);
    service.save(&me, &target, &tab_one, 0).await.unwrap();
    let before = store.snapshot();
    let error = service.save(&me, &target, &tab_two, 0).await.unwrap_err();
    let LibraryError::Conflict { current } = error else { panic!("{error:?}") };
    assert_eq!((current.revision, current.library.templates), (1, tab_one.templates));
    assert_eq!(store.snapshot(), before, "nothing written");
    assert_eq!(service.save(&me, &target, &tab_two, 1).await.unwrap(), 2, "merged and retried");
}

#[tokio::test]
async fn concurrent_saves_in_one_process_take_turns() {
    let (store, service) = service();
    let me = caller("alice");
    let target = PropertyTarget::personal(&me);
    let (a, b) = (library(vec![template("a", 1, 1)]), library(vec![template("b", 1, 1)]));
    let (first, second) =
        tokio::join!(service.save(&me, &target, &a, 0), service.save(&me, &target, &b, 0));
    let outcomes = [first.is_ok(), second.is_ok()];
    assert!(outcomes.contains(&true) && outcomes.contains(&false), "{first:?} {second:?}");
    let loser = if first.is_ok() { second } else { first };
    assert!(matches!(loser, Err(LibraryError::Conflict { .. })), "{loser:?}");
    assert_eq!(store.keys_of(&target).len(), 2, "one index, one shard: no debris");
    assert_eq!(service.locks.in_use(), 0, "no lock is kept once the saves are done");
}

#[tokio::test]
async fn an_interrupted_save_leaves_the_old_library_and_debris_the_next_save_removes() {
    let (store, service) = service();
    let me = caller("alice");
    let target = PropertyTarget::project("DEMO");
    let old = library(vec![template("old", 2, 1)]);
    service.save(&me, &target, &old, 0).await.unwrap();
    store.failing_puts.lock().unwrap().push(INDEX.to_owned());
    let big = library((0..4).map(|n| template(&format!("t{n}"), 60, 100)).collect());
    let error = service.save(&me, &target, &big, 1).await.unwrap_err();
    assert!(matches!(error, LibraryError::Gateway(GatewayError::Unavailable(_))), "{error:?}");
    assert!(store.keys_of(&target).len() > 3, "the new shards stay: the switch may have landed");
    assert_eq!(service.load(&me, &target).await.unwrap().library.templates, old.templates);
    store.failing_puts.lock().unwrap().clear();
    let newer = library(vec![template("newer", 1, 1)]);
    assert_eq!(service.save(&me, &target, &newer, 1).await.unwrap(), 2);
    assert_eq!(store.keys_of(&target).len(), 2, "debris removed: {:?}", store.keys_of(&target));
    assert_eq!(service.load(&me, &target).await.unwrap().library.templates, newer.templates);
}

#[tokio::test]
async fn a_failed_shard_write_leaves_nothing_behind() {
    let (store, service) = service();
    let me = caller("alice");
    let target = PropertyTarget::personal(&me);
    store.failing_puts.lock().unwrap().push(".1".to_owned());
    let big = library((0..4).map(|n| template(&format!("t{n}"), 60, 100)).collect());
    assert!(service.save(&me, &target, &big, 0).await.is_err());
    assert!(store.keys_of(&target).is_empty(), "{:?}", store.keys_of(&target));
}

#[tokio::test]
async fn a_load_racing_a_save_reads_the_new_generation() {
    let (store, service) = service();
    let me = caller("alice");
    let target = PropertyTarget::personal(&me);
    service.save(&me, &target, &library(vec![template("a", 1, 1)]), 0).await.unwrap();
    let before = store.snapshot();
    let b = library(vec![template("b", 1, 1)]);
    service.save(&me, &target, &b, 1).await.unwrap();
    let after = store.snapshot();
    *store.props.lock().unwrap() = before;
    *store.on_shard_get.lock().unwrap() = Some(after);
    let stored = service.load(&me, &target).await.unwrap();
    assert_eq!((stored.revision, stored.library.templates), (2, b.templates));
}

#[tokio::test]
async fn hand_edited_properties_are_reported_never_trusted() {
    let me = caller("alice");
    let target = PropertyTarget::personal(&me);
    let good = library(vec![template("a", 1, 1)]);
    let cases: Vec<(&str, Value, &str)> = vec![
        (INDEX, json!("edited"), "no format version"),
        (INDEX, json!({"v": 1, "revision": 1, "generation": 1, "shards": 40}), "names 40 parts"),
        (INDEX, json!({"v": 1, "revision": 1, "generation": 777, "shards": 1}), "Part 0 of 1"),
        ("SHARD", json!({"not": "text"}), "Part 0 of the stored templates is not text"),
        ("SHARD", json!("{\"version\":1,"), "not JSON"),
        ("SHARD", json!("{\"foreign\":true}"), "no format version"),
        (
            "SHARD",
            json!("{\"version\":1,\"revision\":1,\"templates\":[{\"id\":\"Bad Id\"}]}"),
            "shape",
        ),
        ("SHARD", json!("{\"version\":1,\"revision\":5,\"templates\":[]}"), "say revision 5"),
    ];
    for (key, value, expected) in cases {
        let (store, service) = service();
        service.save(&me, &target, &good, 0).await.unwrap();
        let index = index_of(&store, &target);
        let key =
            if key == "SHARD" { format!("{INDEX}.g{}.0", index.generation) } else { key.into() };
        store.set(&target, &key, value);
        let error = service.load(&me, &target).await.unwrap_err();
        let LibraryError::Corrupt { revision, report } = error else { panic!("{error:?}") };
        assert!(report.to_string().contains(expected), "{expected}: {report}");
        assert!(report.violations.iter().all(|p| p.field == field::DOCUMENT || p.line.is_some()));
        // A stale save reports the damage; naming the revision it gave replaces the library.
        let replacement = library(vec![template("fresh", 1, 1)]);
        let stale =
            service.save(&me, &target, &replacement, revision.saturating_add(1)).await.unwrap_err();
        assert!(matches!(stale, LibraryError::Corrupt { .. }), "{stale:?}");
        let saved = service.save(&me, &target, &replacement, revision).await.unwrap();
        assert_eq!(service.load(&me, &target).await.unwrap().revision, saved);
    }
}

#[tokio::test]
async fn rules_and_size_are_checked_before_anything_is_written() {
    let (store, service) = service();
    let me = caller("alice");
    let target = PropertyTarget::personal(&me);
    let too_many = library((0..101).map(|n| template(&format!("t{n}"), 1, 1)).collect());
    let error = service.save(&me, &target, &too_many, 0).await.unwrap_err();
    let LibraryError::Invalid(report) = error else { panic!("{error:?}") };
    assert!(report.has(code::TOO_MANY), "{report}");
    let huge = library((0..30).map(|n| template(&format!("t{n}"), 100, 120)).collect());
    let error = service.save(&me, &target, &huge, 0).await.unwrap_err();
    let LibraryError::Invalid(report) = error else { panic!("{error:?}") };
    assert!(report.to_string().contains("at most 300000"), "{report}");
    assert_eq!(store.calls(), 0);
}

#[tokio::test]
async fn another_users_personal_library_is_out_of_reach() {
    let (store, service) = service();
    let alice = caller("alice");
    let bob = caller("bob");
    service.save(&alice, &PropertyTarget::personal(&alice), &library(vec![]), 0).await.unwrap();
    let calls = store.calls();
    let alices = PropertyTarget::personal(&alice);
    let read = service.load(&bob, &alices).await.unwrap_err();
    assert!(matches!(read, LibraryError::Gateway(GatewayError::Forbidden)), "{read:?}");
    let write = service.save(&bob, &alices, &library(vec![]), 1).await.unwrap_err();
    assert!(matches!(write, LibraryError::Gateway(GatewayError::Forbidden)), "{write:?}");
    assert_eq!(store.calls(), calls, "refused without asking Jira");
}

#[tokio::test]
async fn one_template_is_read_and_removed_by_its_id() {
    let (_, service) = service();
    let me = caller("alice");
    let target = PropertyTarget::personal(&me);
    let both = library(vec![template("a", 1, 1), template("b", 2, 1)]);
    service.save(&me, &target, &both, 0).await.unwrap();
    let (revision, b) = service.template(&me, &target, "b").await.unwrap();
    assert_eq!((revision, b.subtasks.len()), (1, 2));
    let missing = service.template(&me, &target, "c").await.unwrap_err();
    assert!(matches!(missing, LibraryError::TemplateNotFound), "{missing:?}");
    let missing = service.remove(&me, &target, "c", 1).await.unwrap_err();
    assert!(matches!(missing, LibraryError::TemplateNotFound), "{missing:?}");
    let stale = service.remove(&me, &target, "a", 0).await.unwrap_err();
    assert!(matches!(stale, LibraryError::Conflict { .. }), "{stale:?}");
    assert_eq!(service.remove(&me, &target, "a", 1).await.unwrap(), 2);
    let left = service.load(&me, &target).await.unwrap().library.templates;
    assert_eq!(left.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["b"]);
}
