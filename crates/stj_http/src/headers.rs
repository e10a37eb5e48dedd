//! Security headers on every response, errors and 404s included, and the request-header size cap.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{Error, ResponseError, web};

use crate::HttpConfig;
use crate::problem::Problem;
use crate::state::EdgeState;

/// The CSP of every response. Scripts come from the app itself and from the origin of the
/// configured Connect JS API (`connect_js_url`: Atlassian's CDN in production, the Jira sandbox's
/// bridge in local runs); no inline script or style and no `eval` anywhere.
pub fn content_security_policy(config: &HttpConfig) -> String {
    let frame_ancestors = if config.frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        config.frame_ancestors.join(" ")
    };
    format!(
        "default-src 'none'; script-src 'self' {}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}",
        origin(&config.connect_js_url)
    )
}

/// `https://host:port` of an absolute URL (the whole string if it has no path).
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i.saturating_add(3));
    match url.get(after_scheme..).and_then(|rest| rest.find('/')) {
        Some(slash) => url.get(..after_scheme.saturating_add(slash)).unwrap_or(url),
        None => url,
    }
}

/// Added when a handler did not set its own value; `no-store` unless a handler chose caching.
pub fn security_headers(config: &HttpConfig) -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", content_security_policy(config)))
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_script_origin_is_the_connect_js_origin() {
        assert_eq!(
            super::origin("https://connect-cdn.atl-paas.net/all.js"),
            "https://connect-cdn.atl-paas.net"
        );
        assert_eq!(
            super::origin("http://127.0.0.1:8081/atlassian-connect/all.js"),
            "http://127.0.0.1:8081"
        );
        assert_eq!(super::origin("https://cdn.example"), "https://cdn.example");
    }
}
