//! The adapters through the Forge door: `{apiBaseUrl}/rest/api/3/...` with the request's own
//! user token; the same properties (a site moving doors keeps its templates), retries, backoff
//! and unknown outcomes as the Connect door, and no renewal of a refused token.

use chrono::NaiveDate;
use serde_json::json;
use stj_jira_sandbox::{Fault, FaultKind, NewIssue};
use stj_privacy::Personal;
use stj_subtasks::{GatewayError, IssueGateway, NewSubtask, Origin, PropertyStore};
use stj_templates::RenderedAssignee;

use super::{ALICE, BOB, Site, demo, issue, library, personal};

const PROPERTY: &str = "PUT /rest/api/3/user/properties/{propertyKey}";

#[tokio::test]
async fn templates_saved_through_connect_are_read_and_edited_through_forge() {
    let site = Site::new();
    let (alice, bob) = (site.caller(ALICE), site.caller(BOB));
    let mine = library("mine", 2, 3, 1);
    let shared = library("shared", 3, 2, 1);
    site.service.save(&alice, &personal(ALICE), &mine, 0).await.unwrap();
    site.service.save(&alice, &demo(), &shared, 0).await.unwrap();
    let grants = site.sandbox.request_count("POST /oauth2/token");
    site.sandbox.clear_requests();

    let forge_alice = site.forge_caller(ALICE);
    let stored = site.service.load(&forge_alice, &personal(ALICE)).await.unwrap();
    assert_eq!((stored.revision, stored.library.templates), (1, mine.templates));
    let stored = site.service.load(&site.forge_caller(BOB), &demo()).await.unwrap();
    assert_eq!((stored.revision, stored.library.templates), (1, shared.templates));
    let edited = library("edited", 1, 2, 1);
    assert_eq!(site.service.save(&forge_alice, &demo(), &edited, 1).await.unwrap(), 2);
    let requests = site.sandbox.requests();
    assert!(!requests.is_empty() && requests.iter().all(|r| r.forge), "{requests:?}");
    assert_eq!(site.sandbox.request_count("POST /oauth2/token"), 0, "no grant for Forge");

    // And back: the Connect door reads what the Forge door wrote.
    let stored = site.service.load(&bob, &demo()).await.unwrap();
    assert_eq!((stored.revision, stored.library.templates), (2, edited.templates));
    assert!(grants > 0);
}

#[tokio::test]
async fn a_refused_forge_token_is_the_users_refusal_and_is_never_renewed() {
    let site = Site::new();
    let expired = site.forge_caller_with(ALICE, json!({ "exp": 1_000_000 }));
    let read = site.gateway.get(&expired, &personal(ALICE), "app.k").await;
    assert!(matches!(read, Err(GatewayError::Forbidden)), "{read:?}");
    let write = site.gateway.put(&expired, &personal(ALICE), "app.k", &json!(1)).await;
    assert!(matches!(write, Err(GatewayError::Forbidden)), "{write:?}");
    let counts = site.sandbox.request_counts();
    assert_eq!(counts.get(PROPERTY), Some(&1), "sent once, not retried: {counts:?}");
    assert_eq!(counts.get("POST /oauth2/token"), None, "{counts:?}");
    // Jira's own refusal (Bob may not write Alice's properties) reads the same through Forge.
    let bob = site.forge_caller(BOB);
    let write = site.gateway.put(&bob, &personal(ALICE), "app.k", &json!(1)).await;
    assert!(matches!(write, Err(GatewayError::Forbidden)), "{write:?}");
}

#[tokio::test]
async fn rate_limits_failures_and_lost_writes_as_on_the_connect_door() {
    let site = Site::new();
    let alice = site.forge_caller(ALICE);
    let limited = FaultKind::RateLimited { retry_after_secs: 0 };
    site.sandbox.add_fault(Fault::new("PUT /rest/api/3/user/properties/*", limited).times(1));
    site.gateway.put(&alice, &personal(ALICE), "app.k", &json!(1)).await.unwrap();
    assert_eq!(site.sandbox.request_count(PROPERTY), 2, "the 429 was retried");
    let failing = FaultKind::Status { status: 503 };
    site.sandbox.add_fault(Fault::new("GET /rest/api/3/user/properties/*", failing).times(1));
    let read = site.gateway.get(&alice, &personal(ALICE), "app.k").await.unwrap();
    assert_eq!(read, Some(json!(1)), "an idempotent read is retried after a 503");

    let key = &site.tenant.client_key;
    site.sandbox.add_issue(key, &NewIssue::new("DEMO", "Task", "Parent")).unwrap();
    let parent = site.gateway.parent(&alice, &issue("DEMO-1")).await.unwrap();
    let types = site.gateway.subtask_types(&alice, &parent.project_id).await.unwrap();
    let item = NewSubtask {
        summary: Personal::new("Check".to_owned()),
        description: None,
        assignee: RenderedAssignee::ProjectDefault,
        labels: Vec::new(),
        original_estimate: None,
        priority_name: None,
        due_date: NaiveDate::from_ymd_opt(2030, 1, 2),
        issue_type_id: types.first().unwrap().id.clone(),
        origin: Origin { apply_id: "a1".to_owned(), index: 0 },
    };
    let bulk = "POST /rest/api/3/issue/bulk";
    site.sandbox.add_fault(Fault::new(bulk, FaultKind::DropResponse).times(1));
    let lost = site.gateway.bulk_create(&alice, &parent, std::slice::from_ref(&item)).await;
    assert!(matches!(lost, Err(GatewayError::Uncertain(_))), "{lost:?}");
    assert_eq!(site.sandbox.request_count(bulk), 1, "a write with unknown outcome is not resent");
    assert_eq!(site.sandbox.issue_keys(key).unwrap(), ["DEMO-1", "DEMO-2"], "it was applied");
}
