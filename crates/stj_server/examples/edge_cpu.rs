//! CPU per request at the edge, in process: the app as the binary wires it (JSON access log on,
//! written to a sink), one thread, no sockets, so what is timed is the app's own work and the
//! figure holds steady on a shared machine where wrk's ratios drift. `cargo xtask bench --only
//! edge` runs it next to the wrk rounds; alone: `cargo run --release -p stj_server --example
//! edge_cpu`. Prints one JSON line: nanoseconds per request (best of five batches) for
//! `/healthz`, the iframe page with a computed-qsh token and the JSON API with a context token.
#![expect(
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    clippy::float_arithmetic,
    reason = "a benchmark: a failed set-up ends it, and the figures are its output"
)]

use actix_web::test::{TestRequest, call_service, init_service};
use actix_web::web;
use jwt_simple::prelude::*;
use stj_core::{ClientKey, NewInstallation, SecretSealer, SharedSecret, TenantUrl};
use stj_privacy::Secret;
use stj_server::settings::TelemetryConfig;
use stj_server::{Application, Environment, Settings};

const CLIENT_KEY: &str = "edge-cpu-tenant";
const SECRET: &str = "an-edge-cpu-benchmark-shared-secret-of-forty";
const PAGE_PATH: &str = "/ui/issue-glance";
const PAGE_QUERY: &str = "issueKey=ABC-1&projectKey=ABC&lic=active";
const BATCH: u32 = 20_000;
const UNREACHABLE: &str = "1000000000";

#[derive(Serialize, Deserialize)]
struct Custom {
    qsh: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<serde_json::Value>,
}

/// `JWT …` as Jira signs it (atlassian-jwt's header), valid for an hour.
fn token(qsh: String, context: Option<serde_json::Value>) -> String {
    let claims = Claims::with_custom_claims(Custom { qsh, context }, Duration::from_hours(1))
        .with_issuer(CLIENT_KEY)
        .with_subject("557058:edge-cpu-user");
    let token = HS256Key::from_bytes(SECRET.as_bytes()).authenticate(claims).expect("signs");
    format!("JWT {token}")
}

fn settings() -> Settings {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let limit = |name: &str| (format!("APP__HTTP__RATE_LIMIT__{name}"), UNREACHABLE.to_owned());
    let overrides = [
        limit("TENANT_PER_SECOND"),
        limit("TENANT_BURST"),
        limit("USER_PER_SECOND"),
        limit("USER_BURST"),
    ];
    Settings::load(&dir, Environment::Test, overrides).expect("settings load")
}

async fn install(settings: &Settings, state: &stj_http::EdgeState) {
    let sealer = SecretSealer::new(&settings.sealing.active_key_id, &settings.sealing.keys())
        .expect("sealing keys");
    let client_key = ClientKey::parse(CLIENT_KEY).expect("client key");
    let secret: SharedSecret = Secret::new(SECRET.to_owned());
    let new = NewInstallation {
        sealed_secret: sealer.seal(&client_key, &secret).expect("seals"),
        client_key,
        base_url: TenantUrl::parse("https://edge-cpu.atlassian.net").expect("url"),
        display_url: None,
        enabled: true,
        oauth_client_id: None,
    };
    state.registry.upsert(new, chrono::Utc::now()).await.expect("installs");
}

/// Nanoseconds per request: the fastest of five batches, after a warm-up batch.
macro_rules! per_request {
    ($app:expr, $make:expr) => {{
        let mut best = f64::MAX;
        for batch in 0..6 {
            let started = std::time::Instant::now();
            for _ in 0..BATCH {
                let response = call_service($app, $make.to_request()).await;
                assert_eq!(response.status().as_u16(), 200, "request refused");
            }
            if batch > 0 {
                best = best.min(started.elapsed().as_nanos() as f64 / f64::from(BATCH));
            }
        }
        best
    }};
}

#[actix_web::main]
async fn main() {
    let settings = settings();
    // Production's log: JSON lines at info, every request's access line formatted, then dropped.
    let telemetry = TelemetryConfig { filter: "info".into(), format: "json".into() };
    stj_server::telemetry::init(&telemetry, std::io::sink);
    let state = Application::state(&settings).await.expect("edge state");
    install(&settings, &state).await;
    let app = init_service(stj_http::app(web::Data::new(state))).await;

    let healthz = per_request!(&app, TestRequest::get().uri("/healthz"));
    let page_token = token(stj_connect::qsh::qsh("GET", PAGE_PATH, PAGE_QUERY, ""), None);
    let page_uri = format!("{PAGE_PATH}?{PAGE_QUERY}");
    let page = per_request!(
        &app,
        TestRequest::get().uri(&page_uri).insert_header(("Authorization", page_token.as_str()))
    );
    let context = serde_json::json!({ "license": { "active": true } });
    let api_token = token("context-qsh".to_owned(), Some(context));
    let api = per_request!(
        &app,
        TestRequest::get()
            .uri("/api/v1/context")
            .insert_header(("Authorization", api_token.as_str()))
    );
    let report = serde_json::json!({ "healthz_ns": healthz, "page_ns": page, "api_ns": api });
    println!("{report}");
}
