//! Walks every route the router exposes (`stj_http::routes()`, the table the router is built from)
//! with every kind of bad token. Public routes must be exactly the allow-list below; every other
//! route must refuse each fault with 401/403 and change nothing.

use serde_json::json;
use stj_core::ClientKey;
use stj_http::{Access, Doors, RouteSpec, routes};
use stj_jira_sandbox::{LifecycleEvent, sign_hs256, unsigned_token};

use crate::support::{Response, TestApp, spawn_app};

const PUBLIC: &[&str] = &[
    "/healthz",
    "/readyz",
    "/atlassian-connect.json",
    "/static/{file}",
    "/static/{version}/{file}",
];
const ACCOUNT: &str = "5b10ac8d82e05b22cc7d4ef5";

struct Fault {
    name: &'static str,
    authorization: Option<String>,
    /// Token in the `jwt` query parameter instead of the header.
    in_query: Option<String>,
    want: u16,
}

fn fault(name: &'static str, authorization: Option<String>, want: u16) -> Fault {
    Fault { name, authorization, in_query: None, want }
}

/// The qsh Jira would compute for this route.
fn route_qsh(spec: &RouteSpec, query: &str) -> String {
    stj_connect::qsh::qsh(spec.method.as_str(), spec.example, query, "")
}

fn tenant_token_faults(app: &TestApp, tenant: &ClientKey, spec: &RouteSpec) -> Vec<Fault> {
    let secret = app.sandbox.tenant(tenant).unwrap().shared_secret;
    let secret = secret.expose();
    let good_qsh = route_qsh(spec, "lic=active");
    let claims = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut c = app.sandbox.tenant_claims(tenant, &good_qsh, Some(ACCOUNT)).unwrap();
        edit(&mut c);
        c
    };
    let jwt = |token: String| Some(format!("JWT {token}"));
    let mut faults = vec![
        fault("no token", None, 401),
        fault("not a JWT", jwt("garbage".into()), 401),
        fault("Bearer scheme", Some("Bearer abc.def.ghi".into()), 401),
        fault(
            "expired",
            jwt(sign_hs256(
                secret,
                &claims(&|c| {
                    c["exp"] = json!(1_000_000);
                    c["iat"] = json!(999_000)
                }),
            )
            .unwrap()),
            401,
        ),
        fault(
            "no exp",
            jwt(sign_hs256(
                secret,
                &claims(&|c| {
                    c.as_object_mut().unwrap().remove("exp");
                }),
            )
            .unwrap()),
            401,
        ),
        fault(
            "no iat",
            jwt(sign_hs256(
                secret,
                &claims(&|c| {
                    c.as_object_mut().unwrap().remove("iat");
                }),
            )
            .unwrap()),
            401,
        ),
        fault(
            "issued in the future",
            jwt(sign_hs256(
                secret,
                &claims(&|c| {
                    c["iat"] = json!(stj_jira_sandbox::tokens::now_secs().saturating_add(3600));
                    c["exp"] = json!(stj_jira_sandbox::tokens::now_secs().saturating_add(7200))
                }),
            )
            .unwrap()),
            401,
        ),
        fault("wrong secret", jwt(sign_hs256(&"x".repeat(40), &claims(&|_| {})).unwrap()), 401),
        fault(
            "wrong qsh",
            jwt(sign_hs256(secret, &claims(&|c| c["qsh"] = json!(route_qsh(spec, "other=1"))))
                .unwrap()),
            401,
        ),
        fault(
            "no qsh",
            jwt(sign_hs256(
                secret,
                &claims(&|c| {
                    c.as_object_mut().unwrap().remove("qsh");
                }),
            )
            .unwrap()),
            401,
        ),
        fault("alg none", jwt(unsigned_token(&claims(&|_| {}))), 401),
        fault(
            "RS256 signed by the install key",
            jwt(app.sandbox.sign_install_token(&claims(&|_| {})).unwrap()),
            401,
        ),
        fault(
            "HS256 keyed with the install public key",
            jwt(sign_hs256(app.sandbox.install_public_key_pem(), &claims(&|_| {})).unwrap()),
            401,
        ),
        fault(
            "unknown issuer",
            jwt(sign_hs256(secret, &claims(&|c| c["iss"] = json!("unknown-tenant"))).unwrap()),
            401,
        ),
        Fault {
            name: "header and query disagree",
            authorization: jwt(sign_hs256(secret, &claims(&|_| {})).unwrap()),
            in_query: Some("other.token.value".into()),
            want: 401,
        },
    ];
    match spec.access {
        Access::Api => {
            let unlicensed = app.sandbox.context_jwt(tenant, ACCOUNT, false).unwrap();
            faults.push(fault("unlicensed context token", jwt(unlicensed), 403));
        }
        Access::Page => {
            let unlicensed =
                sign_hs256(secret, &claims(&|c| c["qsh"] = json!(route_qsh(spec, "lic=none"))))
                    .unwrap();
            faults.push(Fault {
                name: "unlicensed iframe (lic=none)",
                authorization: None,
                in_query: Some(unlicensed),
                want: 403,
            });
        }
        Access::Lifecycle | Access::Public => {}
    }
    faults
}

fn lifecycle_faults(app: &TestApp, tenant: &ClientKey, spec: &RouteSpec) -> Vec<Fault> {
    let event = match spec.example {
        "/installed" => LifecycleEvent::Installed,
        "/uninstalled" => LifecycleEvent::Uninstalled,
        "/enabled" => LifecycleEvent::Enabled,
        "/disabled" => LifecycleEvent::Disabled,
        other => panic!("unknown lifecycle route {other}: add its faults here"),
    };
    let secret = app.sandbox.tenant(tenant).unwrap().shared_secret;
    let good = app.sandbox.lifecycle_claims(tenant, event).unwrap();
    let with = |key: &str, value: serde_json::Value| {
        let mut c = good.clone();
        c[key] = value;
        c
    };
    let signed_install = matches!(event, LifecycleEvent::Installed | LifecycleEvent::Uninstalled);
    let sign = |claims: &serde_json::Value| {
        let token = if signed_install {
            app.sandbox.sign_install_token(claims).unwrap()
        } else {
            sign_hs256(secret.expose(), claims).unwrap()
        };
        Some(format!("JWT {token}"))
    };
    let mut faults = vec![
        fault("no token", None, 401),
        fault("not a JWT", Some("JWT garbage".into()), 401),
        fault("alg none", Some(format!("JWT {}", unsigned_token(&good))), 401),
        fault("expired", sign(&with("exp", json!(1_000_000))), 401),
        fault("wrong qsh", sign(&with("qsh", json!("0".repeat(64)))), 401),
        fault("unknown issuer", sign(&with("iss", json!("unknown-tenant"))), 401),
    ];
    if signed_install {
        faults.push(fault(
            "HS256 with the shared secret",
            Some(format!("JWT {}", sign_hs256(secret.expose(), &good).unwrap())),
            401,
        ));
        faults.push(fault(
            "wrong aud",
            sign(&with("aud", json!(["https://evil.example.com"]))),
            401,
        ));
    } else {
        faults.push(fault(
            "RS256 instead of HS256",
            Some(format!("JWT {}", app.sandbox.sign_install_token(&good).unwrap())),
            401,
        ));
        faults.push(fault(
            "wrong secret",
            Some(format!("JWT {}", sign_hs256(&"y".repeat(40), &good).unwrap())),
            401,
        ));
    }
    faults
}

fn send(app: &TestApp, tenant: &ClientKey, spec: &RouteSpec, fault: &Fault) -> Response {
    let mut path = spec.example.to_owned();
    if spec.access == Access::Page {
        path.push_str("?lic=active");
    }
    if let Some(token) = &fault.in_query {
        path = format!(
            "{}?lic={}&jwt={token}",
            spec.example,
            if fault.want == 403 { "none" } else { "active" }
        );
    }
    let body = match spec.access {
        Access::Lifecycle => {
            let event = match spec.example {
                "/installed" => LifecycleEvent::Installed,
                "/uninstalled" => LifecycleEvent::Uninstalled,
                "/enabled" => LifecycleEvent::Enabled,
                _ => LifecycleEvent::Disabled,
            };
            Some(app.sandbox.lifecycle_payload(tenant, event).unwrap().to_string())
        }
        _ => None,
    };
    app.request(spec.method.as_str(), &path, fault.authorization.as_deref(), body.as_deref())
}

#[test]
fn public_routes_are_exactly_the_allow_list() {
    let public: Vec<&str> =
        routes().iter().filter(|r| r.access == Access::Public).map(|r| r.path).collect();
    assert_eq!(public, PUBLIC, "a new public route needs a deliberate entry here");
    let app = spawn_app();
    for spec in routes().iter().filter(|r| r.access == Access::Public) {
        // Asset URLs carry the release's hash, known only at run time.
        let path = if spec.path == "/static/{version}/{file}" {
            stj_http::asset_path("issue.js")
        } else {
            spec.example.to_owned()
        };
        let res = app.request(spec.method.as_str(), &path, None, None);
        assert_eq!(res.status, 200, "{} {path}", spec.method);
    }
}

#[test]
fn every_protected_route_refuses_every_bad_token_and_changes_nothing() {
    let app = spawn_app();
    let tenant = app.install();
    let mut checked = 0;
    // The Connect door's matrix; the Forge door's is `forge_matrix`.
    for spec in routes().iter().filter(|r| r.access != Access::Public && r.doors != Doors::Forge) {
        let faults = match spec.access {
            Access::Lifecycle => lifecycle_faults(&app, &tenant, spec),
            _ => tenant_token_faults(&app, &tenant, spec),
        };
        for fault in &faults {
            let res = send(&app, &tenant, spec, fault);
            assert_eq!(
                res.status, fault.want,
                "{} {} with {}: {}",
                spec.method, spec.example, fault.name, res.body
            );
            assert!(
                res.header("content-type")
                    .is_some_and(|c| c.contains("problem+json") || c.contains("text/html"))
            );
            assert_eq!(
                res.header("strict-transport-security"),
                Some("max-age=31536000; includeSubDomains")
            );
            checked += 1;
        }
        // Nothing changed: the tenant is still installed, enabled, with the same secret.
        let res =
            app.request("GET", "/api/v1/context", Some(&app.context_auth(&tenant, ACCOUNT)), None);
        assert_eq!(res.status, 200, "after faults on {}: {}", spec.example, res.body);
    }
    assert!(checked >= 60, "the matrix ran {checked} cases");
}

#[test]
fn every_protected_route_accepts_a_good_token() {
    let app = spawn_app();
    let tenant = app.install();
    app.sandbox.seed_demo(&tenant).unwrap();
    let member = stj_jira_sandbox::DEMO_MEMBER_ACCOUNT_ID;
    for spec in routes().iter().filter(|r| matches!(r.access, Access::Api | Access::Page)) {
        let res = match spec.access {
            Access::Api => app.request(
                spec.method.as_str(),
                spec.example,
                Some(&app.context_auth(&tenant, member)),
                None,
            ),
            _ => {
                let signed = app
                    .sandbox
                    .iframe_jwt(
                        &tenant,
                        spec.method.as_str(),
                        spec.example,
                        "",
                        Some(ACCOUNT),
                        Some(true),
                    )
                    .unwrap();
                let path = signed.url_with_jwt().trim_start_matches(&app.url).to_owned();
                app.request(spec.method.as_str(), &path, None, None)
            }
        };
        res.assert_authenticated(&format!("{} {}", spec.method, spec.example));
    }
}

#[test]
fn context_tokens_are_refused_on_iframe_pages() {
    let app = spawn_app();
    let tenant = app.install();
    for spec in routes().iter().filter(|r| r.access == Access::Page) {
        let res = app.request(
            spec.method.as_str(),
            spec.example,
            Some(&app.context_auth(&tenant, ACCOUNT)),
            None,
        );
        assert_eq!(res.status, 401, "{}", spec.example);
    }
}
