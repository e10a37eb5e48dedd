//! The edge's allocation budget: heap allocations for one authenticated request through the route
//! gate, counted by a counting global allocator (dhat's, in testing mode) in this test binary of
//! its own. Wall-clock benchmarks are noisy on shared machines, so CI gates on this count
//! instead: a change that makes verification allocate more fails here, whatever the machine.
//!
//! The request is in process (`stj_http::app` with the binary's own wiring, a migrated in-memory
//! registry holding one tenant): the iframe page with a computed-qsh HS256 token in the header,
//! and the JSON API with a context token. Each is sent twice first, so the tenant cache and lazy
//! statics are warm, as they are on a serving instance.

#![expect(
    clippy::expect_used,
    clippy::print_stderr,
    reason = "a test: failed expectations fail it, and the counts are its report"
)]

use actix_web::test::{TestRequest, call_service, init_service};
use actix_web::web;
use stj_server::Application;

#[path = "support/edge_tenant.rs"]
mod edge_tenant;
use edge_tenant::{PAGE_PATH, PAGE_QUERY};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Allocations one authenticated request may make, end to end through the app's middleware (access
/// log, security headers, problem mapping), the gate (token, tenant, rate limits, licence) and
/// the handler. Measured with jwt-simple's verification, a locked tenant cache and pages rendered
/// per request: page 156, API 71. With the lean path (token decoded once, ring's HMAC, qsh hashed
/// in place, lock-free cache), pages rendered once, the access log's redaction in one string,
/// shared (`Arc<str>`) client keys and site URLs and a rate-limit key less: page 30, API 35
/// (`/healthz` 17); with the request span's fields appended in place, page 23, API 30 (`/healthz`
/// 15). Then the principal handed to the handler instead of cloned, Atlassian's two header texts
/// known without decoding, the rate-limit key built without formatting and the context answer
/// serialised from a struct: page 18, API 20; a context token seen before recalled, not verified
/// anew (`stj_connect::context_tokens`): API 19; the claims' duplicate check in a bit set and the
/// page's content type a pre-built value: page 16. The budgets leave four for noise.
const PAGE_BUDGET: u64 = 20;
const API_BUDGET: u64 = 23;

/// Heap allocations (blocks, reallocations included) while the app serves the request `$make`
/// builds, after two warm-up requests.
macro_rules! allocations {
    ($app:expr, $make:expr) => {{
        for _ in 0..2 {
            let response = call_service($app, $make.to_request()).await;
            assert_eq!(response.status().as_u16(), 200, "warm-up request refused");
        }
        let request = $make.to_request();
        let before = dhat::HeapStats::get().total_blocks;
        let response = call_service($app, request).await;
        let after = dhat::HeapStats::get().total_blocks;
        assert_eq!(response.status().as_u16(), 200);
        drop(response);
        after.saturating_sub(before)
    }};
}

#[actix_web::test]
async fn one_authenticated_request_stays_within_its_allocation_budget() {
    let settings = edge_tenant::settings(&[("APP__TELEMETRY__FILTER", "off")]);
    let state = Application::state(&settings).await.expect("edge state");
    edge_tenant::install(&settings, &state).await;
    let app = init_service(stj_http::app(web::Data::new(state))).await;
    let _profiler = dhat::Profiler::builder().testing().build();

    let healthz = allocations!(&app, TestRequest::get().uri("/healthz"));

    let page_token = edge_tenant::page_token();
    let page_uri = format!("{PAGE_PATH}?{PAGE_QUERY}");
    let page = allocations!(
        &app,
        TestRequest::get().uri(&page_uri).insert_header(("Authorization", page_token.as_str()))
    );

    let api_token = edge_tenant::context_token();
    let api = allocations!(
        &app,
        TestRequest::get()
            .uri("/api/v1/context")
            .insert_header(("Authorization", api_token.as_str()))
    );

    eprintln!(
        "allocations per request: /healthz {healthz} (the middleware's share), \
         page {page} (budget {PAGE_BUDGET}), API {api} (budget {API_BUDGET})"
    );
    assert!(page <= PAGE_BUDGET, "the page request made {page} allocations, budget {PAGE_BUDGET}");
    assert!(api <= API_BUDGET, "the API request made {api} allocations, budget {API_BUDGET}");
}
