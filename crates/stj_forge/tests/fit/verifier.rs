use std::sync::OnceLock;
use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_simple::prelude::*;
use serde_json::{Value, json};
use stj_core::{AuthError, Licence};

use crate::jwks_server::{self, APP_ID, document};

const INSTALLATION: &str = "ari:cloud:ecosystem::installation/8d5f651a-b2e9-4b38-aac6-30abc7f3effb";
const CLOUD_ID: &str = "4869c4ef-cb0d-4108-8243-8929ac7cc1fa";

fn pair(which: usize) -> RS256KeyPair {
    static PAIRS: OnceLock<Vec<RS256KeyPair>> = OnceLock::new();
    let pairs =
        PAIRS.get_or_init(|| (0..2).map(|_| RS256KeyPair::generate(2048).unwrap()).collect());
    pairs[which].clone().with_key_id(&format!("test-key-{which}"))
}

fn custom() -> Value {
    json!({
        "app": {
            "id": format!("ari:cloud:ecosystem::app/{APP_ID}"),
            "installationId": INSTALLATION,
            "apiBaseUrl": format!("https://api.atlassian.com/ex/jira/{CLOUD_ID}"),
            "environment": {"type": "PRODUCTION", "id": "env"},
            "license": {"isActive": true},
        },
        "context": {"cloudId": CLOUD_ID, "siteUrl": "https://example.atlassian.net"},
        "principal": "5b10ac8d82e05b22cc7d4ef5",
    })
}

fn claims(custom: Value) -> JWTClaims<Value> {
    Claims::with_custom_claims(custom, Duration::from_secs(300))
        .with_issuer("forge/invocation-token")
        .with_audience(format!("ari:cloud:ecosystem::app/{APP_ID}"))
}

fn sign(pair: &RS256KeyPair, claims: JWTClaims<Value>) -> String {
    format!("Bearer {}", pair.sign(claims).unwrap())
}

fn segment(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn a_good_fit_verifies_and_yields_only_token_facts() {
    let server = jwks_server::start(document(&[&pair(0)]));
    let verifier =
        jwks_server::verifier(&server, StdDuration::from_secs(600), StdDuration::from_secs(30));
    let fit = verifier.verify(Some(&sign(&pair(0), claims(custom())))).await.unwrap();
    assert_eq!(fit.installation_id.as_str(), "8d5f651a-b2e9-4b38-aac6-30abc7f3effb");
    assert_eq!(fit.cloud_id.unwrap().as_str(), CLOUD_ID);
    assert_eq!(fit.site_url.unwrap().as_str(), "https://example.atlassian.net");
    assert_eq!(fit.licence, Some(Licence::Active));
    // The second verification uses the cached key.
    verifier.verify(Some(&sign(&pair(0), claims(custom())))).await.unwrap();
    assert_eq!(server.state.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn every_bad_token_is_refused() {
    let server = jwks_server::start(document(&[&pair(0)]));
    let verifier =
        jwks_server::verifier(&server, StdDuration::from_secs(600), StdDuration::from_secs(30));
    let now = Clock::now_since_epoch();
    let edit = |f: &dyn Fn(&mut JWTClaims<Value>)| {
        let mut c = claims(custom());
        f(&mut c);
        sign(&pair(0), c)
    };
    let good = edit(&|_| {});
    let parts: Vec<&str> = good.trim_start_matches("Bearer ").split('.').collect();
    let mut tampered = custom();
    tampered["app"]["installationId"] =
        json!("ari:cloud:ecosystem::installation/00000000-0000-4000-8000-000000000000");
    let tampered = format!(
        "Bearer {}.{}.{}",
        parts[0],
        segment(&serde_json::to_value(claims(tampered)).unwrap()),
        parts[2]
    );
    let none = format!(
        "Bearer {}.{}.",
        segment(&json!({"alg": "none", "kid": "test-key-0", "typ": "JWT"})),
        segment(&serde_json::to_value(claims(custom())).unwrap())
    );
    let pem = pair(0).public_key().to_pem().unwrap();
    let hs256 = HS256Key::from_bytes(pem.as_bytes()).with_key_id("test-key-0");
    let hs256 = format!("Bearer {}", hs256.authenticate(claims(custom())).unwrap());
    let mut other_app = custom();
    other_app["app"]["id"] = json!("ari:cloud:ecosystem::app/11111111-1111-4111-8111-111111111111");
    let cases: Vec<(&str, String, &str)> = vec![
        ("wrong iss", edit(&|c| c.issuer = Some("forge/other".into())), "token_claims"),
        (
            "wrong aud",
            edit(&|c| {
                c.audiences = Some(Audiences::AsString("ari:cloud:ecosystem::app/other".into()))
            }),
            "token_claims",
        ),
        ("app.id not this app", sign(&pair(0), claims(other_app)), "token_claims"),
        (
            "expired",
            edit(&|c| {
                c.issued_at = Some(now - Duration::from_secs(900));
                c.invalid_before = c.issued_at;
                c.expires_at = Some(now - Duration::from_secs(600));
            }),
            "token_expired",
        ),
        (
            "nbf in the future",
            edit(&|c| c.invalid_before = Some(now + Duration::from_secs(600))),
            "token_expired",
        ),
        ("no exp", edit(&|c| c.expires_at = None), "token_expired"),
        ("no nbf", edit(&|c| c.invalid_before = None), "token_expired"),
        ("no iat", edit(&|c| c.issued_at = None), "token_expired"),
        ("alg none", none, "token_algorithm"),
        ("HS256 keyed with the public key", hs256, "token_algorithm"),
        (
            "unknown kid",
            sign(&pair(1).with_key_id("not-published"), claims(custom())),
            "token_unknown_key",
        ),
        (
            "key from another JWKS",
            sign(&pair(1).with_key_id("test-key-0"), claims(custom())),
            "token_signature",
        ),
        ("tampered payload", tampered, "token_signature"),
        ("JWT scheme", good.replace("Bearer ", "JWT "), "token_malformed"),
        ("no token", String::new(), "token_missing"),
    ];
    for (name, authorization, code) in cases {
        let got =
            verifier.verify((!authorization.is_empty()).then_some(authorization.as_str())).await;
        let err = got.err().unwrap_or_else(|| panic!("{name} was accepted"));
        assert_eq!(err.code(), code, "{name}: {err}");
    }
    verifier.verify(Some(&good)).await.unwrap();
}

#[tokio::test]
async fn jwks_down_is_unavailable_never_a_refusal() {
    let server = jwks_server::start(document(&[&pair(0)]));
    server.state.down.store(true, Ordering::SeqCst);
    let verifier =
        jwks_server::verifier(&server, StdDuration::from_secs(600), StdDuration::from_secs(30));
    for _ in 0..5 {
        let got = verifier.verify(Some(&sign(&pair(0), claims(custom())))).await;
        assert!(matches!(got, Err(AuthError::Unavailable(_))), "{got:?}");
    }
    // One fetch failed; the next ones wait for the refetch interval.
    assert_eq!(server.state.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_flood_of_unknown_kids_costs_one_fetch_per_interval() {
    let server = jwks_server::start(document(&[&pair(0)]));
    let verifier = std::sync::Arc::new(jwks_server::verifier(
        &server,
        StdDuration::from_secs(600),
        StdDuration::from_secs(30),
    ));
    verifier.verify(Some(&sign(&pair(0), claims(custom())))).await.unwrap();
    let signer = pair(1);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let verifier = verifier.clone();
        let token = sign(
            &signer.clone().with_key_id(&format!("random-{i}-{}", rand_suffix(i))),
            claims(custom()),
        );
        tasks.push(tokio::spawn(async move {
            verifier.verify(Some(&token)).await.err().map(|e| e.code())
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), Some("token_unknown_key"));
    }
    // Only the first fetch: every unknown kid came within the refetch interval of it.
    assert_eq!(server.state.fetches.load(Ordering::SeqCst), 1);
    assert_eq!(verifier.keys().fetches(), 1);
}

#[tokio::test]
async fn a_burst_of_good_fits_on_a_cold_cache_waits_for_the_one_fetch() {
    // The first FITs after start-up arrive together while the JWKS answers slowly: every one of
    // them verifies once the single fetch lands (none is refused or answered 503 meanwhile).
    let server = jwks_server::start(document(&[&pair(0)]));
    server.state.delay_ms.store(300, Ordering::SeqCst);
    let verifier = std::sync::Arc::new(jwks_server::verifier(
        &server,
        StdDuration::from_secs(600),
        StdDuration::from_secs(30),
    ));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let verifier = verifier.clone();
        let token = sign(&pair(0), claims(custom()));
        tasks.push(tokio::spawn(async move {
            verifier.verify(Some(&token)).await.err().map(|e| e.code())
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), None);
    }
    assert_eq!(server.state.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_rotated_key_is_found_by_refetching_after_the_interval() {
    let server = jwks_server::start(document(&[&pair(0)]));
    let verifier =
        jwks_server::verifier(&server, StdDuration::from_secs(600), StdDuration::from_millis(200));
    verifier.verify(Some(&sign(&pair(0), claims(custom())))).await.unwrap();
    *server.state.document.lock().unwrap() = document(&[&pair(0), &pair(1)]);
    tokio::time::sleep(StdDuration::from_millis(250)).await;
    verifier.verify(Some(&sign(&pair(1), claims(custom())))).await.unwrap();
    assert_eq!(server.state.fetches.load(Ordering::SeqCst), 2);
}

fn rand_suffix(i: u32) -> u64 {
    u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}
