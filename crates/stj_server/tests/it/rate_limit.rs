//! Per-user and per-tenant budgets: 429 with Retry-After, and one user's burst does not starve
//! another tenant.

use crate::support::{Db, spawn_app_with};

#[test]
fn a_user_over_budget_gets_429_with_retry_after() {
    let app = spawn_app_with(
        Db::Sqlite,
        &[
            ("APP__HTTP__RATE_LIMIT__USER_BURST", "3"),
            ("APP__HTTP__RATE_LIMIT__USER_PER_SECOND", "1"),
        ],
    );
    let tenant = app.install();
    let other = app.install();
    let auth = app.context_auth(&tenant, "busy-user");
    let statuses: Vec<u16> =
        (0..6).map(|_| app.request("GET", "/api/v1/context", Some(&auth), None).status).collect();
    assert_eq!(&statuses[..3], &[200, 200, 200]);
    let limited = app.request("GET", "/api/v1/context", Some(&auth), None);
    assert_eq!(limited.status, 429, "{statuses:?}");
    assert_eq!(limited.json()["code"], "rate_limited");
    let retry: u64 = limited.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let calm =
        app.request("GET", "/api/v1/context", Some(&app.context_auth(&other, "calm-user")), None);
    assert_eq!(calm.status, 200, "another tenant's user is unaffected");
}

#[test]
fn a_tenant_over_budget_gets_429_for_all_its_users() {
    let app = spawn_app_with(
        Db::Sqlite,
        &[
            ("APP__HTTP__RATE_LIMIT__TENANT_BURST", "4"),
            ("APP__HTTP__RATE_LIMIT__TENANT_PER_SECOND", "1"),
        ],
    );
    let tenant = app.install();
    for n in 0..4 {
        let res = app.request(
            "GET",
            "/api/v1/context",
            Some(&app.context_auth(&tenant, &format!("u{n}"))),
            None,
        );
        assert_eq!(res.status, 200);
    }
    let res =
        app.request("GET", "/api/v1/context", Some(&app.context_auth(&tenant, "fresh-user")), None);
    assert_eq!(res.status, 429);
}
