//! The middleware that records each Jira request and applies the first matching fault to it.

use std::io;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{Error, HttpResponse};

use super::{FaultKind, strip_site};
use crate::Sandbox;

/// Middleware: record the request, then apply the first matching fault. Control routes under
/// `/__sandbox` and the browser's host pages are never faulted or recorded.
pub(crate) async fn inject(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let path = req.uri().path().to_owned();
    let Some(state) = req.app_data::<web::Data<Sandbox>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    // `/__sandbox/*` (control) and `/__host/*` (the host pages' Forge proxy) are the sandbox's own.
    if path.starts_with("/__") || crate::host::is_host_path(&path) {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let jira_path = strip_site(&path);
    state.record(crate::record::capture(&mut req, jira_path).await?);
    let fault = state.fault_table.take(req.method().as_str(), jira_path);
    tracing::debug!(method = %req.method(), path = jira_path, ?fault, "sandbox request");
    let response = match fault {
        None => return next.call(req).await.map(ServiceResponse::map_into_boxed_body),
        Some(FaultKind::Latency { ms }) => {
            actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
            return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
        }
        Some(FaultKind::DropResponse) => {
            let served = next.call(req).await?;
            tracing::debug!(status = %served.status(), "sandbox applied a request, dropping its response");
            return Ok(served.into_response(dropped()));
        }
        Some(FaultKind::Timeout { ms }) => {
            actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
            dropped()
        }
        Some(FaultKind::DropConnection) => dropped(),
        Some(FaultKind::RateLimited { retry_after_secs }) => HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", retry_after_secs.to_string()))
            .insert_header(("RateLimit-Reason", "jira-quota-based"))
            .json(serde_json::json!({ "errorMessages": ["Rate limit exceeded."] })),
        Some(FaultKind::Status { status }) => {
            let status = actix_web::http::StatusCode::from_u16(status)
                .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
            HttpResponse::build(status)
                .json(serde_json::json!({ "errorMessages": ["Injected by the sandbox."] }))
        }
        Some(FaultKind::Redirect { location }) => {
            HttpResponse::Found().insert_header(("Location", location)).finish()
        }
    };
    Ok(req.into_response(response))
}

/// A response whose body fails at once: actix aborts the connection instead of finishing it.
fn dropped() -> HttpResponse {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, io::Error>(io::Error::new(io::ErrorKind::ConnectionAborted, "sandbox fault"))
    });
    HttpResponse::Ok().content_type("application/json").streaming(failing)
}
