//! RFC 9457 problem details with stable `code`s. A client mistake is always 4xx; internal causes
//! are logged once here and never echoed to the client.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, HttpResponse, ResponseError, dev, web};

#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub retry_after_secs: Option<u64>,
    /// Render as an HTML page (for iframes) instead of problem+json.
    pub page: bool,
    /// Extension members (RFC 9457 §3.2), e.g. per-line `problems` or partial `items`.
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl Problem {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
            retry_after_secs: None,
            page: false,
            extensions: serde_json::Map::new(),
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "Bad request", detail)
    }

    pub fn unavailable(code: &'static str, cause: &dyn std::error::Error) -> Self {
        tracing::error!(error.code = code, error.cause = %error_chain(cause), "dependency unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code,
            "Service temporarily unavailable",
            "A backing service is unavailable; retry shortly.",
        )
    }

    pub fn as_page(mut self) -> Self {
        self.page = true;
        self
    }

    pub fn with(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extensions.insert(name.to_owned(), value);
        self
    }

    fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({
            "type": format!("/problems/{}", self.code),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        if let Some(map) = body.as_object_mut() {
            for (name, value) in &self.extensions {
                map.entry(name.clone()).or_insert_with(|| value.clone());
            }
        }
        body
    }
}

/// `cause: outer: inner` for logs; errors here never carry secrets (see `stj_privacy`).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        out.push_str(": ");
        out.push_str(&inner.to_string());
        source = inner.source();
    }
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.title, self.code)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.page {
            return res
                .content_type(ContentType::html())
                .body(crate::html::message_page(self.title, &self.detail));
        }
        res.content_type(PROBLEM_JSON).body(self.body().to_string())
    }
}

pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, Problem> {
    Err(Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Not found",
        format!("no {} route for this path", req.method()),
    ))
}

/// JSON bodies: malformed → 400, too large → 413, wrong content type → 415, each as problem+json.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(|err, _req| {
        use actix_web::error::JsonPayloadError as E;
        let problem = match &err {
            E::OverflowKnownLength { .. } | E::Overflow { .. } => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "Body too large",
                err.to_string(),
            ),
            E::ContentType => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "send application/json",
            ),
            _ => Problem::bad_request(
                "body_malformed",
                "request body is not valid JSON for this operation",
            ),
        };
        problem.into()
    })
}

/// Turns actix's own plain-text error responses (405, 413, 400 from extractors…) into problem+json.
pub fn problem_errors<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: dev::ServiceResponse<B>| {
        let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
            v.to_str().is_ok_and(|s| s.starts_with(PROBLEM_JSON) || s.starts_with("text/html"))
        });
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (req, old) = res.into_parts();
        let (code, title) = generic(status);
        let mut problem = Problem::new(status, code, title, title);
        problem.retry_after_secs = old
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v: &HeaderValue| v.to_str().ok()?.parse().ok());
        let new = dev::ServiceResponse::new(req, problem.error_response()).map_into_right_body();
        Ok(ErrorHandlerResponse::Response(new))
    })
}

fn generic(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad_request", "Bad request"),
        404 => ("not_found", "Not found"),
        405 => ("method_not_allowed", "Method not allowed"),
        413 => ("body_too_large", "Body too large"),
        415 => ("unsupported_media_type", "Unsupported media type"),
        431 => ("headers_too_large", "Request header fields too large"),
        s if s >= 500 => ("internal", "Internal error"),
        _ => ("request_refused", "Request refused"),
    }
}
