//! The extractors hand on what the route gate established, and nothing else.

use actix_web::HttpMessage as _;
use actix_web::test::TestRequest;
use stj_core::{ClientKey, JiraAccess, TenantUrl};

use super::*;

fn principal() -> Principal {
    Principal {
        client_key: ClientKey::parse("tenant-1").unwrap(),
        base_url: TenantUrl::parse("https://acme.atlassian.net").unwrap(),
        account_id: None,
        licence_claim: None,
        access: JiraAccess::Connect,
        door: Door::Connect,
    }
}

/// A request as a handler sees it, after a gate with `policy` (or none).
fn request(policy: Option<QshPolicy>) -> HttpRequest {
    let req = TestRequest::get().uri("/api/v1/context?jwt=x").to_http_request();
    if let Some(policy) = policy {
        req.extensions_mut().insert(Authenticated { principal: principal(), policy });
    }
    req
}

fn api(req: &HttpRequest) -> Result<ApiCaller, Problem> {
    ApiCaller::from_request(req, &mut Payload::None).into_inner()
}

fn page(req: &HttpRequest) -> Result<PageCaller, Problem> {
    PageCaller::from_request(req, &mut Payload::None).into_inner()
}

#[test]
fn without_the_gate_an_extractor_is_a_server_error_never_a_second_way_in() {
    // A token in the request changes nothing: the extractors do not authenticate.
    let ungated = request(None);
    let refused = api(&ungated).unwrap_err();
    assert_eq!((refused.status, refused.code), (StatusCode::INTERNAL_SERVER_ERROR, "internal"));
    let refused = page(&ungated).unwrap_err();
    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(refused.page, "a page's refusal is a page");
}

#[test]
fn the_gates_principal_is_handed_on_and_a_page_needs_a_computed_qsh() {
    let ApiCaller(found) = api(&request(Some(QshPolicy::ComputedOrContext))).unwrap();
    assert_eq!(found.client_key.as_str(), "tenant-1");
    assert!(page(&request(Some(QshPolicy::Computed))).is_ok());
    let api_gate = page(&request(Some(QshPolicy::ComputedOrContext))).unwrap_err();
    assert_eq!(api_gate.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn the_principal_is_handed_on_once() {
    // Taken, not cloned: a second caller extractor on one request is a server bug, never a copy.
    let req = request(Some(QshPolicy::ComputedOrContext));
    assert!(api(&req).is_ok());
    assert_eq!(api(&req).unwrap_err().status, StatusCode::INTERNAL_SERVER_ERROR);
}
