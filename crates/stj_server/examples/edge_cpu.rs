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
use stj_server::Application;
use stj_server::settings::TelemetryConfig;

#[path = "../tests/support/edge_tenant.rs"]
mod edge_tenant;
use edge_tenant::{PAGE_PATH, PAGE_QUERY};

const BATCH: u32 = 20_000;
const UNREACHABLE: &str = "1000000000";

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
    let settings = edge_tenant::settings(&[
        ("APP__HTTP__RATE_LIMIT__TENANT_PER_SECOND", UNREACHABLE),
        ("APP__HTTP__RATE_LIMIT__TENANT_BURST", UNREACHABLE),
        ("APP__HTTP__RATE_LIMIT__USER_PER_SECOND", UNREACHABLE),
        ("APP__HTTP__RATE_LIMIT__USER_BURST", UNREACHABLE),
    ]);
    // Production's log: JSON lines at info, every request's access line formatted, then dropped.
    let telemetry = TelemetryConfig { filter: "info".into(), format: "json".into() };
    stj_server::telemetry::init(&telemetry, std::io::sink);
    let state = Application::state(&settings).await.expect("edge state");
    edge_tenant::install(&settings, &state).await;
    let app = init_service(stj_http::app(web::Data::new(state))).await;

    let healthz = per_request!(&app, TestRequest::get().uri("/healthz"));
    let page_token = edge_tenant::page_token();
    let page_uri = format!("{PAGE_PATH}?{PAGE_QUERY}");
    let page = per_request!(
        &app,
        TestRequest::get().uri(&page_uri).insert_header(("Authorization", page_token.as_str()))
    );
    let api_token = edge_tenant::context_token();
    let api = per_request!(
        &app,
        TestRequest::get()
            .uri("/api/v1/context")
            .insert_header(("Authorization", api_token.as_str()))
    );
    let report = serde_json::json!({ "healthz_ns": healthz, "page_ns": page, "api_ns": api });
    println!("{report}");
}
