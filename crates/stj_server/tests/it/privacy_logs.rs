//! Canary values (shared secret, tokens, account id, sealing key) go through install and
//! authenticated requests; none of them may appear in the captured logs.

use crate::support::{captured_logs, settings, spawn_app};

#[test]
fn no_secret_token_or_account_id_reaches_a_log_line() {
    let app = spawn_app();
    let tenant = app.install();
    let canary_account = "canary-account-5b10ac8d82e05b22cc7d4ef5";
    let context_token = app.sandbox.context_jwt(&tenant, canary_account, true).unwrap();
    let iframe = app
        .sandbox
        .iframe_jwt(
            &tenant,
            "GET",
            "/ui/issue-glance",
            "issueKey=CANARY-1",
            Some(canary_account),
            Some(true),
        )
        .unwrap();

    assert_eq!(
        app.request("GET", "/api/v1/context", Some(&format!("JWT {context_token}")), None).status,
        200
    );
    let iframe_path = iframe.url_with_jwt().trim_start_matches(&app.url).to_owned();
    assert_eq!(app.request("GET", &iframe_path, None, None).status, 200);
    // Refused requests log too: a tampered token in the query, and a bad install body.
    let tampered = format!("/api/v1/context?jwt={}x", context_token);
    assert_eq!(app.request("GET", &tampered, None, None).status, 401);
    assert_eq!(
        app.request("POST", "/installed", None, Some("{\"sharedSecret\":\"canary-in-body\"}"))
            .status,
        401
    );
    // A re-install logs the rotation; the new secret is a canary too.
    let reinstalled = crate::support::block_on(app.sandbox.reinstall(&tenant)).unwrap();

    let logs = captured_logs();
    assert!(logs.contains("\"target\":\"access\""), "access log lines are captured");
    // Access lines name the route pattern and the tenant's site, never the raw path or query.
    let access: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|json| json["target"] == "access")
        .collect();
    let host = app.sandbox.base_url().split("://").nth(1).unwrap().trim_end_matches('/');
    // Other tests in this binary log too: this test's page load is the one on its own sandbox.
    let page_line = access.iter().find(|json| {
        let span = &json["spans"][0];
        span["http.route"] == "/ui/issue-glance" && span["tenant.host"] == host
    });
    let page_line = page_line.expect("the page load's access line, with the tenant's host");
    assert_eq!(page_line["spans"][0]["auth.door"], "connect", "{page_line}");
    assert!(!logs.contains("CANARY-1"), "the raw query reached the logs");
    assert!(logs.contains(tenant.as_str()), "the tenant id (not personal) is logged");
    let secret = app.sandbox.tenant(&tenant).unwrap().shared_secret;
    let sealing_keys = settings(stj_server::Environment::Test, &[]).sealing.keys;
    let mut canaries: Vec<String> = vec![
        secret.expose().clone(),
        reinstalled.tenant.shared_secret.expose().clone(),
        context_token.clone(),
        iframe.token.clone(),
        canary_account.to_owned(),
        "canary-in-body".to_owned(),
    ];
    // Token parts on their own, too: a signature or payload segment is as bad as the whole token.
    canaries.extend(context_token.split('.').filter(|p| p.len() > 10).map(str::to_owned));
    canaries.extend(sealing_keys.values().map(|k| k.expose().clone()));
    for canary in &canaries {
        assert!(
            !logs.contains(canary.as_str()),
            "a canary reached the logs: {}…",
            &canary[..8.min(canary.len())]
        );
    }
}

/// Customer content and user credentials through every Jira-calling endpoint (preview, apply,
/// templates, quick-entry check, as-template): issue text, summaries, descriptions, template
/// names, account ids and the user access tokens the app obtained must stay out of the logs.
#[test]
fn no_customer_content_or_user_token_reaches_a_log_line() {
    use serde_json::json;
    use stj_jira_sandbox::{DEMO_MEMBER_ACCOUNT_ID, NewIssue};

    let app = spawn_app();
    let tenant = app.install();
    let seed = app.sandbox.seed_demo(&tenant).unwrap();
    let parent_text = "canary-parent-summary-8d1f3a";
    let parent = app
        .sandbox
        .add_issue(&tenant, &NewIssue::new(&seed.project_key, "Task", parent_text))
        .unwrap();
    let auth = app.context_auth(&tenant, DEMO_MEMBER_ACCOUNT_ID);
    let quick_entry = "canary-subtask-summary-41c7 for {{parent.summary}} #canarylabel\n  \
                       canary-description-9e02\n";
    let body = json!({ "quickEntry": quick_entry }).to_string();
    let post = |path: &str, body: &str, headers: &[(&str, &str)]| {
        app.request_with("POST", path, Some(&auth), Some(body), headers)
    };
    let preview = post(&format!("/api/v1/issues/{}/subtasks/preview", parent.key), &body, &[]);
    assert_eq!(preview.status, 200, "{}", preview.body);
    let key = ("Idempotency-Key", "0123456789abcdef0123456789abcdef");
    let apply = post(&format!("/api/v1/issues/{}/subtasks", parent.key), &body, &[key]);
    assert_eq!(apply.status, 200, "{}", apply.body);
    let as_template = format!("/api/v1/issues/{}/subtasks/as-template", parent.key);
    assert_eq!(app.request("GET", &as_template, Some(&auth), None).status, 200);
    let check = json!({ "text": quick_entry }).to_string();
    assert_eq!(post("/api/v1/quick-entry/check", &check, &[]).status, 200);
    let templates = json!({ "revision": 0, "templates": [{
        "id": "canary", "name": "canary-template-name-77aa",
        "description": "canary-template-description-5c3e", "quickEntry": quick_entry }] });
    let save = app.request(
        "PUT",
        "/api/v1/templates?scope=personal",
        Some(&auth),
        Some(&templates.to_string()),
    );
    assert_eq!(save.status, 200, "{}", save.body);
    let list = app.request("GET", "/api/v1/templates?scope=personal", Some(&auth), None);
    assert!(list.body.contains("canary-template-name-77aa"));
    // A refused line: the problem quotes it back to the caller, never into a log line.
    let bad = json!({ "quickEntry": "canary-bad-line-0b6d ~99x" }).to_string();
    assert_eq!(post("/api/v1/quick-entry/check", &bad, &[]).status, 400);

    let logs = captured_logs();
    let mut canaries: Vec<String> = [
        parent_text,
        "canary-subtask-summary",
        "canary-description-9e02",
        "canarylabel",
        "canary-template-name-77aa",
        "canary-template-description-5c3e",
        "canary-bad-line-0b6d",
        DEMO_MEMBER_ACCOUNT_ID,
    ]
    .map(str::to_owned)
    .to_vec();
    let user_tokens = app.sandbox.issued_access_tokens(&tenant).unwrap();
    assert!(!user_tokens.is_empty(), "the app acted as the user through the grant");
    canaries.extend(user_tokens);
    canaries.push(auth.trim_start_matches("JWT ").to_owned());
    for canary in &canaries {
        assert!(
            !logs.contains(canary.as_str()),
            "a canary reached the logs: {}…",
            &canary[..12.min(canary.len())]
        );
    }
}
