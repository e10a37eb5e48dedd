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
    assert!(logs.contains("jwt=[redacted]"), "the query token is logged redacted");
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
