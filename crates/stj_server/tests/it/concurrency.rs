//! Issue 12: concurrent requests never duplicate or lose anything, on one instance or several.
//! Real concurrency against the sandbox with latency injected on Jira's REST routes, so the
//! requests overlap; each scenario repeated to make a race likely. Several instances are real
//! processes of the binary on one Postgres (advisory locks); one instance is the in-process app
//! on SQLite (in-process locks).

use std::sync::Barrier;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stj_core::ClientKey;
use stj_jira_sandbox::{
    DEMO_ADMIN_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID, Fault, FaultKind, JiraSandbox,
};

use crate::instance::{Pair, pair};
use crate::subtasks::new_key;
use crate::support::{block_on, spawn_app};

/// What Jira's REST routes take longer, as for a user far from Atlassian's region.
const LATENCY_MS: u64 = 300;

fn quick_entry(prefix: &str, n: usize) -> String {
    (1..=n).map(|i| format!("{prefix} {i:02}\n")).collect()
}

fn slow_jira(sandbox: &JiraSandbox) {
    sandbox.add_fault(Fault::new("* /rest/api/3/*", FaultKind::Latency { ms: LATENCY_MS }));
}

/// The parent's subtask summaries, oldest first.
fn summaries(sandbox: &JiraSandbox, tenant: &ClientKey) -> Vec<String> {
    let parent = sandbox.issue_fields(tenant, "DEMO-1").unwrap();
    parent["subtasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["fields"]["summary"].as_str().unwrap().to_owned())
        .collect()
}

/// `POST url+path` with a context token and headers; status and JSON body.
fn post(
    client: &ureq::Agent,
    url: &str,
    path: &str,
    auth: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = client
        .post(format!("{url}{path}"))
        .header("Authorization", auth)
        .header("Content-Type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut res = request.send(body.to_string()).unwrap();
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .new_agent()
}

/// Sends every `(url, key, body)` at the same moment, one thread each; their answers in order.
fn at_once(auth: &str, sends: &[(String, String, Value)]) -> Vec<(u16, Value)> {
    let barrier = Barrier::new(sends.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = sends
            .iter()
            .map(|(url, key, body)| {
                let barrier = &barrier;
                scope.spawn(move || {
                    let client = agent();
                    barrier.wait();
                    let path = "/api/v1/issues/DEMO-1/subtasks";
                    post(&client, url, path, auth, body, &[("Idempotency-Key", key)])
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn count(report: &Value, field: &str) -> u64 {
    report[field].as_u64().unwrap_or_else(|| panic!("no {field} in {report}"))
}

/// Identical requests (one key) overlapping: one creates, the others report the same subtasks
/// as existing; exactly 60 on the parent.
fn assert_one_application(answers: &[(u16, Value)], subtasks: &[String]) {
    assert_eq!(
        subtasks,
        quick_entry("Step", 60).lines().collect::<Vec<_>>(),
        "exactly 60, in order"
    );
    let mut created = 0;
    for (status, report) in answers {
        assert_eq!(*status, 200, "{report}");
        created = count(report, "created").saturating_add(created);
        assert_eq!(
            count(report, "created").saturating_add(count(report, "existing")),
            60,
            "{report}"
        );
    }
    assert_eq!(created, 60, "created once in all: {answers:?}");
}

#[test]
fn identical_applies_at_once_on_one_instance_create_exactly_60() {
    for (clients, rounds) in [(2, 3), (10, 2)] {
        for _ in 0..rounds {
            let app = spawn_app();
            let tenant = app.install();
            app.sandbox.seed_demo(&tenant).unwrap();
            slow_jira(&app.sandbox);
            let auth = app.context_auth(&tenant, DEMO_MEMBER_ACCOUNT_ID);
            let key = new_key();
            let body = json!({ "quickEntry": quick_entry("Step", 60) });
            let sends: Vec<_> =
                (0..clients).map(|_| (app.url.clone(), key.clone(), body.clone())).collect();
            let answers = at_once(&auth, &sends);
            assert_one_application(&answers, &summaries(&app.sandbox, &tenant));
        }
    }
}

impl Pair {
    /// A fresh tenant with the demo project, installed through A; a member's token.
    fn tenant(&self) -> (ClientKey, String) {
        self.sandbox.clear_faults();
        let installed = block_on(self.sandbox.install(&self.a.url, "io.subtask-templates.jira"));
        let tenant = installed.unwrap().tenant.client_key;
        self.sandbox.seed_demo(&tenant).unwrap();
        let auth = self.sandbox.context_jwt(&tenant, DEMO_MEMBER_ACCOUNT_ID, true).unwrap();
        (tenant, format!("JWT {auth}"))
    }
}

#[test]
fn across_two_instances_on_one_postgres_nothing_is_duplicated_or_lost() {
    let mut pair = pair();

    // The same click split across the two instances (the ALB spreads retries): exactly 60.
    for clients in [2, 2, 2, 10] {
        let (tenant, auth) = pair.tenant();
        slow_jira(&pair.sandbox);
        let key = new_key();
        let body = json!({ "quickEntry": quick_entry("Step", 60) });
        let sends: Vec<_> = (0..clients)
            .map(|i| {
                let url = if i % 2 == 0 { &pair.a.url } else { &pair.b.url };
                (url.clone(), key.clone(), body.clone())
            })
            .collect();
        let answers = at_once(&auth, &sends);
        assert_one_application(&answers, &summaries(&pair.sandbox, &tenant));
    }

    // Two different 30-line applications at once, one per instance: both land, each in order,
    // both in the ledger.
    for _ in 0..2 {
        let (tenant, auth) = pair.tenant();
        slow_jira(&pair.sandbox);
        let (x, y) = (new_key(), new_key());
        let sends = [
            (pair.a.url.clone(), x.clone(), json!({ "quickEntry": quick_entry("Alpha", 30) })),
            (pair.b.url.clone(), y.clone(), json!({ "quickEntry": quick_entry("Beta", 30) })),
        ];
        let answers = at_once(&auth, &sends);
        for (status, report) in &answers {
            assert_eq!((*status, count(report, "created")), (200, 30), "{report}");
        }
        let all = summaries(&pair.sandbox, &tenant);
        assert_eq!(all.len(), 60, "{all:?}");
        for prefix in ["Alpha", "Beta"] {
            let mine: Vec<&str> =
                all.iter().filter(|s| s.starts_with(prefix)).map(String::as_str).collect();
            assert_eq!(mine, quick_entry(prefix, 30).lines().collect::<Vec<_>>(), "typed order");
        }
        pair.sandbox.clear_faults();
        for key in [&x, &y] {
            let path = format!("/api/v1/issues/DEMO-1/applications/{key}");
            let (status, code) = pair.b.get(&path, &auth);
            assert_eq!((status, code.as_str()), (200, ""), "both in the ledger");
        }
    }

    // Two saves of one library from the two instances, both based on revision 0: one 200, one
    // 409 carrying the winner's library; nothing lost.
    for round in 0..3 {
        let (tenant, _) = pair.tenant();
        slow_jira(&pair.sandbox);
        let admin = pair.sandbox.context_jwt(&tenant, DEMO_ADMIN_ACCOUNT_ID, true).unwrap();
        let auth = format!("JWT {admin}");
        let path = "/api/v1/templates?scope=project&project=DEMO";
        let library = |name: &str| json!({ "revision": 0, "templates": [{ "id": name, "name": name, "quickEntry": format!("{name} step") }] });
        let barrier = Barrier::new(2);
        let answers: Vec<(u16, Value)> = std::thread::scope(|scope| {
            let handles: Vec<_> = [(&pair.a.url, "from-a"), (&pair.b.url, "from-b")]
                .into_iter()
                .map(|(url, name)| {
                    let (barrier, auth, body) = (&barrier, &auth, library(name));
                    scope.spawn(move || {
                        let client = agent();
                        barrier.wait();
                        let mut res = client
                            .put(format!("{url}{path}"))
                            .header("Authorization", auth)
                            .header("Content-Type", "application/json")
                            .send(body.to_string())
                            .unwrap();
                        let status = res.status().as_u16();
                        let text = res.body_mut().read_to_string().unwrap_or_default();
                        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}: {answers:?}");
        let (_, conflict) = answers.iter().find(|(s, _)| *s == 409).unwrap();
        let winner = if answers[0].0 == 200 { "from-a" } else { "from-b" };
        assert_eq!(conflict["current"]["revision"], 1, "{conflict}");
        assert_eq!(conflict["current"]["templates"][0]["id"], winner, "the 409 shows the winner");
        pair.sandbox.clear_faults();
        let mut res = agent()
            .get(format!("{}{path}", pair.b.url))
            .header("Authorization", &auth)
            .call()
            .unwrap();
        let stored: Value =
            serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(
            (stored["revision"].clone(), stored["templates"][0]["id"].clone()),
            (json!(1), json!(winner))
        );
    }

    // An instance killed (SIGKILL) while it holds an issue's lock: the other proceeds as soon as
    // Postgres ends the dead session.
    let (tenant, auth) = pair.tenant();
    // A's first read inside the lock hangs, so A is holding the lock when it dies.
    pair.sandbox.add_fault(
        Fault::new("GET /rest/api/3/issue/*", FaultKind::Latency { ms: 20_000 }).times(1),
    );
    let key = new_key();
    let body = json!({ "quickEntry": quick_entry("Step", 60) });
    let a_url = pair.a.url.clone();
    let doomed = std::thread::spawn({
        let (auth, key, body) = (auth.clone(), key.clone(), body.clone());
        move || {
            let path = "/api/v1/issues/DEMO-1/subtasks";
            // Fails when A dies; only the attempt matters.
            let attempt = agent()
                .post(format!("{a_url}{path}"))
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", &key)
                .send(body.to_string());
            attempt.map(|r| r.status().as_u16()).ok()
        }
    });
    std::thread::sleep(Duration::from_millis(1_500));
    pair.a.kill();
    let killed = Instant::now();
    let path = "/api/v1/issues/DEMO-1/subtasks";
    let (status, report) =
        post(&agent(), &pair.b.url, path, &auth, &body, &[("Idempotency-Key", &key)]);
    let proceeded = killed.elapsed();
    assert_eq!(status, 200, "{report}");
    assert_eq!(count(&report, "created"), 60, "{report}");
    assert_eq!(summaries(&pair.sandbox, &tenant).len(), 60);
    assert!(proceeded < Duration::from_secs(3), "the other instance proceeded after {proceeded:?}");
    assert_eq!(doomed.join().unwrap(), None, "A's request died with A");
}

#[test]
fn a_lock_not_had_within_the_wait_bound_is_503_busy_with_retry_after_and_writes_nothing() {
    let app = crate::support::spawn_app_with(
        crate::support::Db::Sqlite,
        &[("APP__LOCKS__WAIT_MS", "300")],
    );
    let tenant = app.install();
    app.sandbox.seed_demo(&tenant).unwrap();
    // The first application's first read inside the lock takes 2 s: the second waits 300 ms.
    app.sandbox.add_fault(
        Fault::new("GET /rest/api/3/issue/*", FaultKind::Latency { ms: 2_000 }).times(1),
    );
    let auth = app.context_auth(&tenant, DEMO_MEMBER_ACCOUNT_ID);
    let (first, second) = (new_key(), new_key());
    let url = app.url.clone();
    let slow = std::thread::spawn({
        let (auth, url) = (auth.clone(), url.clone());
        move || {
            let body = json!({ "quickEntry": quick_entry("First", 3) });
            let path = "/api/v1/issues/DEMO-1/subtasks";
            post(&agent(), &url, path, &auth, &body, &[("Idempotency-Key", &first)])
        }
    });
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let mut res = agent()
        .post(format!("{url}/api/v1/issues/DEMO-1/subtasks"))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", &second)
        .send(json!({ "quickEntry": quick_entry("Second", 3) }).to_string())
        .unwrap();
    let waited = started.elapsed();
    let status = res.status().as_u16();
    let retry_after =
        res.headers().get("Retry-After").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!((status, body["code"].as_str()), (503, Some("busy")), "{body}");
    assert_eq!(retry_after.as_deref(), Some("2"));
    assert!(waited < Duration::from_millis(1_500), "bounded, never a hang: {waited:?}");
    let (status, report) = slow.join().unwrap();
    assert_eq!((status, count(&report, "created")), (200, 3), "{report}");
    let all = summaries(&app.sandbox, &tenant);
    assert_eq!(
        all,
        quick_entry("First", 3).lines().collect::<Vec<_>>(),
        "the busy one wrote nothing"
    );
    // Retried after Retry-After, the second click goes through.
    let path = "/api/v1/issues/DEMO-1/subtasks";
    let body = json!({ "quickEntry": quick_entry("Second", 3) });
    let (status, report) =
        post(&agent(), &url, path, &auth, &body, &[("Idempotency-Key", &second)]);
    assert_eq!((status, count(&report, "created")), (200, 3), "{report}");
}
