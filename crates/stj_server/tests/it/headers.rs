//! Security headers on every response, errors and 404s included; size limits answer 413/431.

use crate::support::{Response, spawn_app};

fn assert_security_headers(res: &Response, what: &str) {
    let want = [
        ("strict-transport-security", "max-age=31536000; includeSubDomains"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-resource-policy", "same-origin"),
    ];
    for (name, value) in want {
        assert_eq!(res.header(name), Some(value), "{what}: {name}");
    }
    let csp = res.header("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert!(csp.contains("script-src 'self' https://connect-cdn.atl-paas.net"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors https://*.atlassian.net"), "{what}: {csp}");
    assert!(res.header("permissions-policy").is_some_and(|p| p.contains("camera=()")), "{what}");
}

#[test]
fn every_kind_of_response_carries_the_security_headers() {
    let app = spawn_app();
    let tenant = app.install();
    let big_body = format!("{{\"pad\":\"{}\"}}", "a".repeat(70_000));
    let big_header = "h".repeat(20_000);
    let cases: Vec<(&str, Response, u16)> = vec![
        ("health", app.request("GET", "/healthz", None, None), 200),
        ("descriptor", app.request("GET", "/atlassian-connect.json", None, None), 200),
        ("asset", app.request("GET", &stj_http::asset_path("issue.js"), None, None), 200),
        (
            "api",
            app.request("GET", "/api/v1/context", Some(&app.context_auth(&tenant, "a")), None),
            200,
        ),
        ("unknown path", app.request("GET", "/nope", None, None), 404),
        ("unknown asset", app.request("GET", "/static/nope.js", None, None), 404),
        ("wrong method", app.request("DELETE", "/healthz", None, None), 405),
        ("no token", app.request("GET", "/api/v1/context", None, None), 401),
        ("oversized body", app.request("POST", "/installed", None, Some(&big_body)), 413),
        (
            "oversized headers",
            app.request_with("GET", "/healthz", None, None, &[("x-pad", &big_header)]),
            431,
        ),
    ];
    for (what, res, want) in &cases {
        assert_eq!(res.status, *want, "{what}: {}", res.body);
        assert_security_headers(res, what);
        if *want >= 400 {
            assert!(
                res.header("content-type")
                    .is_some_and(|c| c.starts_with("application/problem+json")),
                "{what}"
            );
            assert_eq!(res.json()["status"], *want, "{what}");
            assert!(res.json()["code"].is_string(), "{what}");
        }
    }
    let api = &cases[3].1;
    assert_eq!(
        api.header("cache-control"),
        Some("no-store"),
        "authenticated responses are not cached"
    );
}
