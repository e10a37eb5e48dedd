//! `PropertyStore` for `JiraIssueGateway`: paths, status mapping, and checks before any request.

use serde_json::json;
use stj_jira_sandbox::{Entity, Fault, FaultKind};
use stj_subtasks::{GatewayError, PropertyStore, PropertyTarget};

use super::{ADA, ALICE, BOB, Site, demo, personal};

#[tokio::test]
async fn user_and_project_properties_round_trip_as_the_user() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    for target in [personal(ALICE), demo()] {
        assert_eq!(site.gateway.get(&alice, &target, "app.k").await.unwrap(), None);
        site.gateway.put(&alice, &target, "app.k", &json!({"a": [1, "ü"]})).await.unwrap();
        site.gateway.put(&alice, &target, "app.k2", &json!("text")).await.unwrap();
        let value = site.gateway.get(&alice, &target, "app.k").await.unwrap();
        assert_eq!(value, Some(json!({"a": [1, "ü"]})));
        assert_eq!(site.keys(ALICE, &target).await, ["app.k", "app.k2"]);
        site.gateway.delete(&alice, &target, "app.k").await.unwrap();
        site.gateway.delete(&alice, &target, "app.k").await.unwrap();
        assert_eq!(site.gateway.get(&alice, &target, "app.k").await.unwrap(), None);
    }
    assert_eq!(site.property(Entity::User(ALICE), "app.k2"), Some(json!("text")));
    assert_eq!(site.property(Entity::Project("DEMO"), "app.k2"), Some(json!("text")));
    let paths: Vec<String> = site
        .sandbox
        .requests()
        .iter()
        .filter_map(|r| r.route.clone())
        .filter(|r| r.contains("properties"))
        .collect();
    assert!(paths.contains(&"PUT /rest/api/3/user/properties/{propertyKey}".to_owned()));
    let delete = "DELETE /rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}";
    assert!(paths.contains(&delete.to_owned()));
}

#[tokio::test]
async fn jira_refusals_map_to_gateway_errors() {
    let site = Site::new();
    let (alice, bob, ada) = (site.caller(ALICE), site.caller(BOB), site.caller(ADA));
    site.gateway.put(&alice, &personal(ALICE), "app.k", &json!(1)).await.unwrap();
    // Someone else's user properties: Jira answers 403 to a non-admin, reading or writing.
    let read = site.gateway.get(&bob, &personal(ALICE), "app.k").await;
    assert!(matches!(read, Err(GatewayError::Forbidden)), "{read:?}");
    let write = site.gateway.put(&bob, &personal(ALICE), "app.k", &json!(2)).await;
    assert!(matches!(write, Err(GatewayError::Forbidden)), "{write:?}");
    assert_eq!(site.gateway.get(&ada, &personal(ALICE), "app.k").await.unwrap(), Some(json!(1)));
    // Project properties: members read, only project administrators write.
    site.gateway.put(&alice, &demo(), "app.k", &json!(1)).await.unwrap();
    assert_eq!(site.gateway.get(&bob, &demo(), "app.k").await.unwrap(), Some(json!(1)));
    let write = site.gateway.put(&bob, &demo(), "app.k", &json!(2)).await;
    assert!(matches!(write, Err(GatewayError::Forbidden)), "{write:?}");
    let delete = site.gateway.delete(&bob, &demo(), "app.k").await;
    assert!(matches!(delete, Err(GatewayError::Forbidden)), "{delete:?}");
    // A project that does not exist: nothing to read, nowhere to write.
    let nowhere = PropertyTarget::project("NOPE");
    assert_eq!(site.gateway.get(&alice, &nowhere, "app.k").await.unwrap(), None);
    let write = site.gateway.put(&alice, &nowhere, "app.k", &json!(1)).await;
    assert!(matches!(write, Err(GatewayError::NotFound)), "{write:?}");
    // Jira's 400 (here injected) is a rejection carrying Jira's message.
    let route = "PUT /rest/api/3/project/DEMO/properties/app.k";
    site.sandbox.add_fault(Fault::new(route, FaultKind::Status { status: 400 }).times(1));
    let write = site.gateway.put(&alice, &demo(), "app.k", &json!(2)).await;
    assert!(matches!(write, Err(GatewayError::Rejected(_))), "{write:?}");
}

#[tokio::test]
async fn keys_ids_and_values_are_checked_before_any_request() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    let long_key = "k".repeat(256);
    let big = json!("x".repeat(32_768));
    let cases = [
        (personal(ALICE), "a b", json!(1)),
        (personal(ALICE), "a/../b", json!(1)),
        (personal(ALICE), long_key.as_str(), json!(1)),
        (personal(ALICE), "app.k", big),
        (personal("x&accountId=other"), "app.k", json!(1)),
        (PropertyTarget::project("DEMO/../X"), "app.k", json!(1)),
        (PropertyTarget::project("demo"), "app.k", json!(1)),
    ];
    for (target, key, value) in cases {
        let write = site.gateway.put(&alice, &target, key, &value).await;
        assert!(matches!(write, Err(GatewayError::Rejected(_))), "{target:?} {key}: {write:?}");
        if key.len() < 256 && value.is_number() {
            let read = site.gateway.get(&alice, &target, key).await;
            assert!(matches!(read, Err(GatewayError::Rejected(_))), "{target:?} {key}: {read:?}");
        }
    }
    let largest = json!("x".repeat(32_766));
    site.gateway.put(&alice, &personal(ALICE), "app.big", &largest).await.unwrap();
    let sent: Vec<_> = site.sandbox.requests().into_iter().filter(|r| r.method != "POST").collect();
    assert_eq!(sent.len(), 1, "only the valid write reached Jira: {sent:?}");
}

/// Atlassian's `Retry-After` is honoured only up to `max_backoff_ms` (50 ms here): a longer wait
/// would hold the user's request, so the call gives up at once instead, without asking again.
#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_unavailable_at_once() {
    let site = Site::new();
    let alice = site.caller(ALICE);
    site.gateway.put(&alice, &personal(ALICE), "app.k", &json!(1)).await.unwrap();
    let route = "GET /rest/api/3/user/properties/{propertyKey}";
    let limited = FaultKind::RateLimited { retry_after_secs: 30 };
    site.sandbox.add_fault(Fault::new("GET /rest/api/3/user/properties/*", limited).times(1));
    let started = std::time::Instant::now();
    let read = site.gateway.get(&alice, &personal(ALICE), "app.k").await;
    assert!(matches!(read, Err(GatewayError::Unavailable(_))), "{read:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(site.sandbox.request_count(route), 1, "not asked again");
    // Within the cap it waits and asks again.
    let limited = FaultKind::RateLimited { retry_after_secs: 0 };
    site.sandbox.add_fault(Fault::new("GET /rest/api/3/user/properties/*", limited).times(1));
    assert_eq!(site.gateway.get(&alice, &personal(ALICE), "app.k").await.unwrap(), Some(json!(1)));
    assert_eq!(site.sandbox.request_count(route), 3);
}
