//! Security headers on every response, errors and 404s included, and the request-header size cap.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{Error, ResponseError, web};

use crate::HttpConfig;
use crate::problem::Problem;
use crate::state::EdgeState;

/// Atlassian's Connect JS API, loaded by the app's pages.
pub const CONNECT_CDN: &str = "https://connect-cdn.atl-paas.net";

pub fn content_security_policy(frame_ancestors: &[String]) -> String {
    format!(
        "default-src 'none'; script-src 'self' {CONNECT_CDN}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {}",
        if frame_ancestors.is_empty() { "'none'".to_owned() } else { frame_ancestors.join(" ") }
    )
}

/// Added when a handler did not set its own value; `no-store` unless a handler chose caching.
pub fn security_headers(config: &HttpConfig) -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", content_security_policy(&config.frame_ancestors)))
        .add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Cache-Control", "no-store"))
}

/// 431 when the request's headers together exceed the configured size (actix's own codec limits
/// sit far higher and answer without our headers).
pub async fn limit_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let max =
        req.app_data::<web::Data<EdgeState>>().map_or(16 * 1024, |s| s.config.max_header_bytes);
    let total = req.headers().iter().fold(0usize, |acc, (name, value)| {
        acc.saturating_add(name.as_str().len()).saturating_add(value.len()).saturating_add(4)
    });
    if total > max {
        let problem = Problem::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            "Request header fields too large",
            format!("request headers exceed {max} bytes"),
        );
        return Ok(req.into_response(problem.error_response()).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}
