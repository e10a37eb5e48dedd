use serde_json::json;
use stj_jira_sandbox::{Fault, FaultKind};

use crate::jira::{As, Site, subtask, with_parent};

#[test]
fn a_dropped_response_still_applies_the_bulk_create() {
    let (site, subtask_type) = with_parent();
    let ck = &site.tenant.client_key;
    site.sandbox
        .add_fault(Fault::new("POST /rest/api/3/issue/bulk", FaultKind::DropResponse).times(1));
    let body = json!({ "issueUpdates": [subtask("PROJ", "PROJ-1", &subtask_type, "lost answer")] });
    let sent = site.send(
        "POST",
        "/rest/api/3/issue/bulk",
        Some((&body.to_string(), "application/json")),
        As::App,
    );
    assert!(sent.is_err(), "the client sees no response");
    // ...but Jira created the subtask: a blind retry would duplicate it.
    assert_eq!(site.sandbox.issue_keys(ck).unwrap(), ["PROJ-1", "PROJ-2"]);
    let again = site.post("/rest/api/3/issue/bulk", &body, As::App);
    assert_eq!(again.status, 201);
    assert_eq!(again.body["issues"][0]["key"], "PROJ-3");
    assert_eq!(site.sandbox.request_count("POST /rest/api/3/issue/bulk"), 2);
}

#[test]
fn rate_limits_and_outages_on_rest_routes_change_nothing() {
    let (site, subtask_type) = with_parent();
    let ck = &site.tenant.client_key;
    let route = "POST /rest/api/3/issue/bulk";
    site.sandbox
        .add_fault(Fault::new(route, FaultKind::RateLimited { retry_after_secs: 5 }).times(1));
    site.sandbox.add_fault(Fault::new(route, FaultKind::Status { status: 503 }).times(1));
    let body = json!({ "issueUpdates": [subtask("PROJ", "PROJ-1", &subtask_type, "x")] });
    let limited = site.post("/rest/api/3/issue/bulk", &body, As::App);
    assert_eq!(limited.status, 429);
    assert_eq!(site.post("/rest/api/3/issue/bulk", &body, As::App).status, 503);
    assert_eq!(site.sandbox.issue_keys(ck).unwrap(), ["PROJ-1"], "refused requests create nothing");
    assert_eq!(site.post("/rest/api/3/issue/bulk", &body, As::App).status, 201);

    // Patterns with `*` reach every property route; other routes are untouched.
    site.sandbox.add_fault(
        Fault::new("* /rest/api/3/issue/*/properties/*", FaultKind::DropConnection).times(2),
    );
    assert!(site.send("GET", "/rest/api/3/issue/PROJ-1/properties/k", None, As::App).is_err());
    assert_eq!(site.get("/rest/api/3/issue/PROJ-1", As::App).status, 200);
    let put = site.send(
        "PUT",
        "/rest/api/3/issue/PROJ-1/properties/k",
        Some(("1", "application/json")),
        As::App,
    );
    assert!(put.is_err());
    assert_eq!(
        site.sandbox.entity_property(ck, stj_jira_sandbox::Entity::Issue("PROJ-1"), "k").unwrap(),
        None
    );
}

#[test]
fn faults_match_jira_paths_in_the_per_site_layout() {
    let site = Site::with_config(stj_jira_sandbox::SandboxConfig {
        tenant_paths: true,
        ..stj_jira_sandbox::SandboxConfig::default()
    });
    site.sandbox.add_fault(
        Fault::new("GET /rest/api/3/myself", FaultKind::Status { status: 502 }).times(1),
    );
    assert_eq!(site.get("/rest/api/3/myself", As::App).status, 502);
    assert_eq!(site.get("/rest/api/3/myself", As::App).status, 200);
    let recorded = site.sandbox.requests();
    assert_eq!(recorded[0].path, "/rest/api/3/myself");
    assert_eq!(recorded[0].route.as_deref(), Some("GET /rest/api/3/myself"));
}

#[test]
fn requests_are_recorded_without_credentials_and_counted_per_route() {
    let (site, subtask_type) = with_parent();
    let body = json!({ "issueUpdates": [subtask("PROJ", "PROJ-1", &subtask_type, "x")] });
    site.post("/rest/api/3/issue/bulk", &body, As::App);
    site.get("/rest/api/3/issue/PROJ-2?fields=summary", As::App);
    site.get("/rest/api/3/issue/PROJ-1?fields=summary", As::App);
    site.get("/rest/api/3/nowhere", As::App);

    let recorded = site.sandbox.requests();
    let bulk = &recorded[0];
    assert_eq!((bulk.method.as_str(), bulk.path.as_str()), ("POST", "/rest/api/3/issue/bulk"));
    assert_eq!(bulk.route.as_deref(), Some("POST /rest/api/3/issue/bulk"));
    assert_eq!(bulk.json(), Some(body));
    assert_eq!(bulk.header("Content-Type"), Some("application/json"));
    assert!(bulk.header("authorization").is_none(), "credentials are never recorded");
    assert_eq!(recorded[1].query, "fields=summary");
    assert_eq!(recorded[1].route.as_deref(), Some("GET /rest/api/3/issue/{issueIdOrKey}"));
    assert_eq!(recorded[3].route, None);

    let counts = site.sandbox.request_counts();
    assert_eq!(counts["GET /rest/api/3/issue/{issueIdOrKey}"], 2);
    assert_eq!(counts["POST /rest/api/3/issue/bulk"], 1);
    assert_eq!(counts["GET /rest/api/3/nowhere"], 1);
    assert_eq!(
        site.sandbox
            .request_count("DELETE /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}"),
        0
    );
}

#[test]
fn the_token_endpoint_is_recorded_without_the_assertion() {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let claims = site.sandbox.user_assertion_claims(ck, crate::jira::MAX).unwrap();
    let assertion =
        stj_jira_sandbox::sign_hs256(site.tenant.shared_secret.expose(), &claims).unwrap();
    let form = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
    );
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let status = agent
        .post(&format!("{}/oauth2/token", site.sandbox.auth_server_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form)
        .unwrap()
        .status();
    assert_eq!(status, 200);
    let recorded = site.sandbox.requests().pop().unwrap();
    assert_eq!(recorded.route.as_deref(), Some("POST /oauth2/token"));
    assert!(!recorded.body.contains(&assertion), "{}", recorded.body);
    assert!(recorded.body.contains("assertion=[redacted]"), "{}", recorded.body);
}
