//! CPU per request at the edge, in process: the app as the binary wires it (JSON access log on,
//! written to a sink), one thread, no sockets, so what is timed is the app's own work and the
//! figure holds steady on a shared machine where wrk's ratios drift. `cargo xtask bench --only
//! edge` runs it next to the wrk rounds; alone: `cargo run --release -p stj_server --example
//! edge_cpu`. Prints one JSON line: nanoseconds per request (best of five batches) for
//! `/healthz`, the iframe page with a computed-qsh token and the JSON API with a context token.
//! For a profiler (`valgrind --tool=callgrind`, `perf`): `edge_cpu page 2000` runs one scenario
//! (`healthz`, `page` or `api`) with batches of 2,000 requests.
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

const DEFAULT_BATCH: u32 = 20_000;
const UNREACHABLE: &str = "1000000000";

/// Nanoseconds per request: the fastest of five batches, after a warm-up batch.
macro_rules! per_request {
    ($app:expr, $batch:expr, $make:expr) => {{
        let mut best = f64::MAX;
        for batch in 0..6 {
            let started = std::time::Instant::now();
            for _ in 0..$batch {
                let response = call_service($app, $make.to_request()).await;
                assert_eq!(response.status().as_u16(), 200, "request refused");
            }
            if batch > 0 {
                best = best.min(started.elapsed().as_nanos() as f64 / f64::from($batch));
            }
        }
        best
    }};
}

#[actix_web::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let only = args.next();
    let batch: u32 = args.next().map_or(DEFAULT_BATCH, |n| n.parse().expect("batch size"));
    let runs = |name: &str| only.as_deref().is_none_or(|o| o == name);
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

    let mut report = serde_json::Map::new();
    if runs("healthz") {
        let ns = per_request!(&app, batch, TestRequest::get().uri("/healthz"));
        report.insert("healthz_ns".into(), ns.into());
    }
    if runs("page") {
        let token = edge_tenant::page_token();
        let uri = format!("{PAGE_PATH}?{PAGE_QUERY}");
        let ns = per_request!(
            &app,
            batch,
            TestRequest::get().uri(&uri).insert_header(("Authorization", token.as_str()))
        );
        report.insert("page_ns".into(), ns.into());
    }
    if runs("api") {
        let token = edge_tenant::context_token();
        let ns = per_request!(
            &app,
            batch,
            TestRequest::get()
                .uri("/api/v1/context")
                .insert_header(("Authorization", token.as_str()))
        );
        report.insert("api_ns".into(), ns.into());
    }
    let report = serde_json::Value::Object(report);
    println!("{report}");
}
