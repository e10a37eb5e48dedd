//! The spans around calls that leave the process name the operation, the HTTP method and the
//! route template, and nothing of the request: no issue key, account id, property key or token.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{Value, json};
use stj_jira_sandbox::NewIssue;
use stj_subtasks::{IssueGateway, PropertyStore};
use tracing_subscriber::fmt::format::FmtSpan;

use super::{ALICE, Site, demo, issue, personal};

/// Every span and event of this test binary, one JSON line each, with the thread it began on.
/// A global subscriber, not a scoped one: other tests' threads meeting a callsite while no
/// subscriber is set would otherwise leave it disabled for this test too.
fn captured() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("stj_jira_spans_{}.json", std::process::id()));
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_span_events(FmtSpan::NEW)
            .with_thread_ids(true)
            .with_max_level(tracing::Level::INFO)
            .with_writer(std::fs::File::create(&path).unwrap())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        path
    })
}

#[tokio::test]
async fn spans_name_the_operation_and_route_never_the_content() {
    let path = captured();
    let site = Site::new();
    let key = &site.tenant.client_key;
    site.sandbox.add_issue(key, &NewIssue::new("DEMO", "Task", "Canary parent")).unwrap();
    let alice = site.caller(ALICE);
    site.gateway.parent_with_property(&alice, &issue("DEMO-1"), "canary.property").await.unwrap();
    site.gateway.put(&alice, &personal(ALICE), "canary.user", &json!(1)).await.unwrap();
    site.gateway.keys(&alice, &demo()).await.unwrap();
    assert!(site.gateway.may_write(&alice, &demo()).await.unwrap());

    // This test's lines: a current-thread runtime runs every span on the test's thread.
    let thread = format!("{:?}", std::thread::current().id());
    let lines: Vec<Value> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|line| line.get("threadId").and_then(Value::as_str) == Some(thread.as_str()))
        .collect();
    // Lines still to come go to the unlinked file; nothing is left behind in the temp directory.
    std::fs::remove_file(path).unwrap();
    let spans: Vec<&Value> = lines.iter().filter_map(|line| line.get("span")).collect();
    let field =
        |span: &Value, name: &str| span.get(name).and_then(Value::as_str).map(str::to_owned);
    let seen: Vec<(Option<String>, Option<String>, Option<String>)> = spans
        .iter()
        .map(|s| (field(s, "jira.op"), field(s, "http.method"), field(s, "http.route")))
        .collect();
    let expected = |op: &str, method: &str, route: &str| {
        (Some(op.to_owned()), Some(method.to_owned()), Some(route.to_owned()))
    };
    for span in [
        expected("parent_with_property", "GET", "/rest/api/3/issue/{issueIdOrKey}"),
        expected("user_token", "POST", "/oauth2/token"),
        expected("property_put", "PUT", "/rest/api/3/user/properties/{propertyKey}"),
        expected("property_keys", "GET", "/rest/api/3/project/{projectIdOrKey}/properties"),
        expected("may_write", "GET", "/rest/api/3/mypermissions"),
    ] {
        assert!(seen.contains(&span), "{span:?} not in {seen:?}");
    }
    let text: Vec<String> = spans.iter().map(|span| span.to_string()).collect();
    for canary in ["DEMO", "canary", ALICE, "Bearer", "JWT"] {
        assert!(!text.iter().any(|l| l.contains(canary)), "{canary} reached a span: {text:?}");
    }
}
