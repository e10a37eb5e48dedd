//! The Forge door's auth matrix: every route that accepts a Forge Invocation Token, walked through
//! the real HTTP server with every kind of bad FIT the sandbox (playing Forge) can mint. Each must
//! be 401 with its code; a JWKS outage is 503; a flood of unknown `kid`s costs a bounded number of
//! JWKS fetches, counted at the JWKS server.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use stj_core::ClientKey;
use stj_http::{Access, Doors, RouteSpec, routes};
use stj_jira_sandbox::{ForgeTokenRequest, ForgeTokens, SignWith, sign_hs256, tokens::now_secs};

use crate::support::{Db, Response, TestApp, spawn_app, spawn_app_with};

const ACCOUNT: &str = stj_jira_sandbox::DEMO_MEMBER_ACCOUNT_ID;

struct Case {
    name: &'static str,
    fit: String,
    user_token: Option<String>,
    code: &'static str,
}

fn forge_routes() -> Vec<RouteSpec> {
    routes()
        .into_iter()
        .filter(|r| r.access != Access::Public && r.doors != Doors::Connect)
        .collect()
}

/// Tokens for one invocation on `tenant`; `account` none is a system invocation.
fn mint(
    app: &TestApp,
    tenant: &ClientKey,
    account: Option<&str>,
    edit: &dyn Fn(&mut ForgeTokenRequest),
) -> ForgeTokens {
    let mut request = ForgeTokenRequest {
        client_key: Some(tenant.as_str().to_owned()),
        account_id: account.map(str::to_owned),
        ..ForgeTokenRequest::default()
    };
    edit(&mut request);
    app.sandbox.forge_tokens(&request).unwrap()
}

/// `GET /api/v1/context` through the Forge door: `tokens`' FIT with the user token `user`.
fn get_context(app: &TestApp, tokens: &ForgeTokens, user: &str) -> Response {
    app.request_with(
        "GET",
        "/api/v1/context",
        Some(&format!("Bearer {}", tokens.fit.expose())),
        None,
        &[("x-forge-oauth-user", user)],
    )
}

fn claims(pairs: &[(&str, Value)]) -> serde_json::Map<String, Value> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn payload(fit: &str) -> Value {
    let body = fit.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap()
}

fn faults(
    app: &TestApp,
    tenant: &ClientKey,
    other: &ClientKey,
    account: Option<&str>,
) -> Vec<Case> {
    let now = now_secs();
    let good = mint(app, tenant, account, &|_| {});
    let user = good.user_token.as_ref().map(|t| t.expose().clone());
    let case = |name, edit: &dyn Fn(&mut ForgeTokenRequest), code| Case {
        name,
        fit: mint(app, tenant, account, edit).fit.expose().clone(),
        user_token: user.clone(),
        code,
    };
    let fit = good.fit.expose().clone();
    let parts: Vec<&str> = fit.split('.').collect();
    let mut tampered = payload(&fit);
    tampered["app"]["installationId"] =
        json!(mint(app, other, account, &|_| {}).site.installation_id);
    let tampered =
        format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(tampered.to_string()), parts[2]);
    let header = json!({"alg": "none", "kid": app.sandbox.forge_kid(), "typ": "JWT"});
    let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(header.to_string()), parts[1]);
    let pem = app.sandbox.forge_public_key_pem().unwrap();
    let hs256 = sign_hs256(&pem, &payload(&fit)).unwrap();
    let mut cases = vec![
        case(
            "wrong iss",
            &|r| r.claims = claims(&[("iss", json!("forge/other-token"))]),
            "token_claims",
        ),
        case(
            "wrong aud",
            &|r| {
                r.claims = claims(&[(
                    "aud",
                    json!("ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000"),
                )])
            },
            "token_claims",
        ),
        case(
            "expired",
            &|r| {
                r.claims = claims(&[
                    ("iat", json!(now.saturating_sub(900))),
                    ("nbf", json!(now.saturating_sub(900))),
                    ("exp", json!(now.saturating_sub(600))),
                ])
            },
            "token_expired",
        ),
        case(
            "nbf in the future",
            &|r| r.claims = claims(&[("nbf", json!(now.saturating_add(600)))]),
            "token_expired",
        ),
        case("no exp", &|r| r.claims = claims(&[("exp", Value::Null)]), "token_expired"),
        case(
            "unknown kid",
            &|r| r.kid = Some("stj-sandbox-forge/not-published".into()),
            "token_unknown_key",
        ),
        case("key from another JWKS", &|r| r.sign_with = SignWith::Unpublished, "token_signature"),
        Case { name: "alg none", fit: none, user_token: user.clone(), code: "token_algorithm" },
        Case {
            name: "HS256 keyed with the public key",
            fit: hs256,
            user_token: user.clone(),
            code: "token_algorithm",
        },
        Case {
            name: "tampered payload",
            fit: tampered,
            user_token: user.clone(),
            code: "token_signature",
        },
    ];
    if account.is_some() {
        // Another site's genuine FIT, sent with this site's user token.
        let theirs = mint(app, other, account, &|_| {});
        cases.push(Case {
            name: "another installation's FIT with this installation's user token",
            fit: theirs.fit.expose().clone(),
            user_token: user.clone(),
            code: "token_installation",
        });
        cases.push(Case {
            name: "no user token",
            fit: fit.clone(),
            user_token: None,
            code: "token_missing",
        });
    }
    cases
}

fn send(
    app: &TestApp,
    spec: &RouteSpec,
    authorization: &str,
    user_token: Option<&str>,
) -> Response {
    let mut headers = Vec::new();
    if let Some(token) = user_token {
        headers.push(("x-forge-oauth-user", token));
    }
    let body = (spec.access == Access::Lifecycle)
        .then(|| json!({"eventType": "avi:forge:installed:app"}).to_string());
    app.request_with(
        spec.method.as_str(),
        spec.example,
        Some(authorization),
        body.as_deref(),
        &headers,
    )
}

#[test]
fn every_forge_route_refuses_every_bad_fit() {
    let app = spawn_app();
    let tenant = app.install();
    let other = app.install();
    app.sandbox.seed_demo(&tenant).unwrap();
    let mut checked = 0;
    for spec in forge_routes() {
        let account = (spec.access != Access::Lifecycle).then_some(ACCOUNT);
        for case in faults(&app, &tenant, &other, account) {
            let res =
                send(&app, &spec, &format!("Bearer {}", case.fit), case.user_token.as_deref());
            assert_eq!(
                (res.status, res.json()["code"].as_str().unwrap_or_default()),
                (401, case.code),
                "{} {} with {}: {}",
                spec.method,
                spec.example,
                case.name,
                res.body
            );
            checked += 1;
        }
        // A good invocation still passes authentication afterwards.
        let good = mint(&app, &tenant, account, &|_| {});
        let user = good.user_token.as_ref().map(|t| t.expose().as_str());
        let res = send(&app, &spec, &format!("Bearer {}", good.fit.expose()), user);
        res.assert_authenticated(&format!("good FIT on {} {}", spec.method, spec.example));
    }
    assert!(checked >= 150, "the matrix ran {checked} cases");
}

#[test]
fn a_door_the_route_does_not_take_is_refused() {
    let app = spawn_app();
    let tenant = app.install();
    let good = mint(&app, &tenant, Some(ACCOUNT), &|_| {});
    let bearer = format!("Bearer {}", good.fit.expose());
    let user = good.user_token.as_ref().unwrap().expose().clone();
    for spec in routes().iter().filter(|r| r.access == Access::Page) {
        let res = app.request_with(
            "GET",
            spec.example,
            Some(&bearer),
            None,
            &[("x-forge-oauth-user", &user)],
        );
        assert_eq!(res.status, 401, "{}: {}", spec.example, res.body);
        assert!(
            res.body.contains("door_not_accepted")
                || res.header("content-type").is_some_and(|c| c.contains("text/html"))
        );
    }
    let body = json!({"eventType": "avi:forge:installed:app"}).to_string();
    let connect = app.context_auth(&tenant, ACCOUNT);
    let res = app.request("POST", "/forge/events", Some(&connect), Some(&body));
    assert_eq!((res.status, res.json()["code"].as_str()), (401, Some("door_not_accepted")));
}

#[test]
fn a_jwks_outage_is_503_never_401() {
    // Nothing listens on port 9 of loopback: the JWKS cannot be fetched.
    let app =
        spawn_app_with(Db::Sqlite, &[("APP__FORGE__JWKS_URL", "http://127.0.0.1:9/jwks.json")]);
    let tenant = app.install();
    for _ in 0..3 {
        let good = mint(&app, &tenant, Some(ACCOUNT), &|_| {});
        let user = good.user_token.as_ref().unwrap().expose().clone();
        let res = get_context(&app, &good, &user);
        assert_eq!(
            (res.status, res.json()["code"].as_str()),
            (503, Some("auth_unavailable")),
            "{}",
            res.body
        );
    }
}

/// The stated bound: at most 1 + ⌈elapsed / forge.jwks_min_refetch_secs⌉ fetches, however many
/// unknown `kid`s arrive (30 s interval here, so 1,000 requests in well under 30 s cost at most 2).
#[test]
fn a_thousand_random_unknown_kids_cost_at_most_two_jwks_fetches() {
    let app = spawn_app();
    let tenant = app.install();
    let jwks_fetches = || -> u64 {
        app.sandbox
            .request_counts()
            .iter()
            .filter(|(route, _)| route.contains("jwks"))
            .map(|(_, n)| n)
            .sum()
    };
    let before = jwks_fetches();
    let good = mint(&app, &tenant, Some(ACCOUNT), &|_| {});
    let user = good.user_token.as_ref().unwrap().expose().clone();
    let started = std::time::Instant::now();
    for i in 0..1_000 {
        let kid = format!("random-{i}-{:016x}", rand::random::<u64>());
        let fit = mint(&app, &tenant, Some(ACCOUNT), &|r| r.kid = Some(kid.clone()));
        let res = get_context(&app, &fit, &user);
        assert_eq!(res.json()["code"], "token_unknown_key", "{}", res.body);
    }
    let elapsed = started.elapsed().as_secs();
    let fetched = jwks_fetches().saturating_sub(before);
    let bound = elapsed.div_ceil(30).saturating_add(1);
    assert!(
        fetched >= 1 && fetched <= bound,
        "{fetched} JWKS fetches in {elapsed} s (bound {bound})"
    );
    // The door still works: a published kid verifies.
    let res = get_context(&app, &good, &user);
    assert_eq!(res.status, 200, "{}", res.body);
}
