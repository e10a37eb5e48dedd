use std::time::{Duration, Instant};

use stj_jira_sandbox::{Fault, FaultKind, JiraSandbox, RecordedRequest, SandboxConfig};

use crate::common::get;

fn key_url(sandbox: &JiraSandbox) -> String {
    format!("{}/{}", sandbox.install_keys_url(), sandbox.install_kid())
}

#[test]
fn rate_limit_and_status_faults_fire_for_the_next_n_requests_only() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    sandbox.add_fault(
        Fault::new("GET /install-keys/*", FaultKind::RateLimited { retry_after_secs: 7 }).times(1),
    );
    sandbox
        .add_fault(Fault::new("GET /install-keys/*", FaultKind::Status { status: 503 }).times(2));

    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let limited = agent.get(&key_url(&sandbox)).call().unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers().get("Retry-After").unwrap(), "7");
    assert_eq!(get(&key_url(&sandbox), None).unwrap().0, 503);
    assert_eq!(get(&key_url(&sandbox), None).unwrap().0, 503);
    assert_eq!(get(&key_url(&sandbox), None).unwrap().0, 200);
    assert!(sandbox.faults().is_empty());
}

#[test]
fn faults_only_touch_matching_routes() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    sandbox.add_fault(Fault::new("POST /install-keys/*", FaultKind::Status { status: 500 }));
    sandbox.add_fault(Fault::new("GET /rest/*", FaultKind::Status { status: 500 }));
    assert_eq!(get(&key_url(&sandbox), None).unwrap().0, 200);
    sandbox.clear_faults();
    assert!(sandbox.faults().is_empty());
}

#[test]
fn latency_delays_then_answers() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    sandbox.add_fault(Fault::new("GET /install-keys/*", FaultKind::Latency { ms: 300 }).times(1));
    let started = Instant::now();
    assert_eq!(get(&key_url(&sandbox), None).unwrap().0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn dropped_connection_and_timeout_fail_the_client() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    sandbox.add_fault(Fault::new("GET /install-keys/*", FaultKind::DropConnection).times(1));
    assert!(get(&key_url(&sandbox), None).is_err());

    sandbox
        .add_fault(Fault::new("GET /install-keys/*", FaultKind::Timeout { ms: 10_000 }).times(1));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(300)))
        .build()
        .into();
    let started = Instant::now();
    assert!(agent.get(&key_url(&sandbox)).call().is_err());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(get(&key_url(&sandbox), None).unwrap().0, 200);
}

#[test]
fn redirect_fault_points_elsewhere() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    sandbox.add_fault(Fault::new(
        "* /install-keys/*",
        FaultKind::Redirect { location: "https://evil.test/k".into() },
    ));
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let response = agent.get(&key_url(&sandbox)).call().unwrap();
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(response.headers().get("Location").unwrap(), "https://evil.test/k");
}

#[test]
fn faults_over_http_for_the_binary() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let control = format!("{}/__sandbox/faults", sandbox.base_url());
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let fault = serde_json::json!({ "route": "GET /install-keys/*", "fault": { "type": "status", "status": 502 }, "times": 1 });
    assert_eq!(agent.post(&control).send_json(&fault).unwrap().status().as_u16(), 201);
    let bad = serde_json::json!({ "route": "GET /x", "fault": { "type": "explode" } });
    assert_eq!(agent.post(&control).send_json(&bad).unwrap().status().as_u16(), 400);
    assert_eq!(sandbox.faults().len(), 1);
    assert_eq!(get(&key_url(&sandbox), None).unwrap().0, 502);
    assert_eq!(get(&key_url(&sandbox), None).unwrap().0, 200);

    assert_eq!(agent.post(&control).send_json(&fault).unwrap().status().as_u16(), 201);
    assert_eq!(agent.delete(&control).call().unwrap().status().as_u16(), 204);
    assert!(sandbox.faults().is_empty());
}

#[test]
fn records_requests_but_not_control_calls() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    get(&key_url(&sandbox), None).unwrap();
    get(&format!("{}/__sandbox/faults", sandbox.base_url()), None).unwrap();
    let path = format!("/install-keys/{}", sandbox.install_kid());
    let recorded: Vec<RecordedRequest> = sandbox.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!((recorded[0].method.as_str(), recorded[0].path.as_str()), ("GET", path.as_str()));
    assert_eq!(recorded[0].route.as_deref(), Some("GET /install-keys/{kid:.+}"));
    assert_eq!(sandbox.request_count("GET /install-keys/{kid:.+}"), 1);
    sandbox.clear_requests();
    assert!(sandbox.requests().is_empty());
    assert!(sandbox.request_counts().is_empty());
}
