//! The bridge's server side: the scripts (`all.js` for the app's iframe, `host.js` and `host.css`
//! for the page), context tokens minted for a rendered page's user, and the subtask list fragment
//! `AP.jira.refreshIssuePage()` re-renders. The tenant's secret never leaves the server.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use stj_connect::qsh::CONTEXT_QSH;

use super::session::HostPage;
use super::view::{issue_view, subtasks_html};
use super::{host_origin, html_response};
use crate::tokens::sign_hs256;
use crate::{Sandbox, SandboxError};

const JS: &str = "text/javascript; charset=utf-8";
/// `frame-channel.js` (what the two doors' frame scripts share) in front of `all.js`, in one
/// function scope so that the shared functions are no globals of the app's frame.
const ALL_JS: &str = concat!(
    "(function () {\n\"use strict\";\n",
    include_str!("../../host/frame-channel.js"),
    include_str!("../../host/all.js"),
    "})();\n"
);
const ASSETS: [(&str, &str, &str); 3] = [
    ("host.js", JS, include_str!("../../host/host.js")),
    ("forge-host.js", JS, include_str!("../../host/forge-host.js")),
    ("host.css", "text/css; charset=utf-8", include_str!("../../host/host.css")),
];

/// `GET /atlassian-connect/all.js`: the `AP` subset the app's pages load cross-origin.
pub(crate) async fn all_js(req: HttpRequest) -> HttpResponse {
    let cross_origin =
        [("Cross-Origin-Resource-Policy", "cross-origin"), ("Access-Control-Allow-Origin", "*")];
    static_file(&req, JS, ALL_JS, "public, max-age=600", &cross_origin)
}

/// `GET /sandbox/static/{file}`: the host page's own script and styles.
pub(crate) async fn asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(name, _, _)| *name == file.as_str()) {
        Some((_, content_type, body)) => static_file(&req, content_type, body, "no-cache", &[]),
        None => HttpResponse::NotFound().content_type("text/plain").body("Not Found"),
    }
}

/// A static file with a content-hash `ETag`; `304` when the browser already has it.
fn static_file(
    req: &HttpRequest,
    content_type: &str,
    body: &'static str,
    cache: &str,
    extra: &[(&'static str, &'static str)],
) -> HttpResponse {
    let etag = format!("\"{:016x}\"", fnv1a(body.as_bytes()));
    let fresh = req
        .headers()
        .get("If-None-Match")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut builder =
        HttpResponse::build(if fresh { StatusCode::NOT_MODIFIED } else { StatusCode::OK });
    builder
        .content_type(content_type)
        .insert_header(("Cache-Control", cache))
        .insert_header(("ETag", etag))
        .insert_header(("X-Content-Type-Options", "nosniff"));
    for header in extra {
        builder.insert_header(*header);
    }
    if fresh { builder.finish() } else { builder.body(body) }
}

/// FNV-1a: a content hash for `ETag`, no crypto needed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenRequest {
    page: String,
}

/// `POST /sandbox/host/context-token` `{"page"}` from the host page's script: a fresh context JWT
/// for that page's user and context. Same-origin only (the app's frame must ask through the bridge).
pub(crate) async fn context_token(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    body: web::Json<TokenRequest>,
) -> HttpResponse {
    let page = match host_page(&req, &sandbox, &body.page) {
        Ok(page) => page,
        Err((status, message)) => return error(status, message),
    };
    match sandbox.page_context_jwt(&page) {
        Ok(token) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "token": token })),
        Err(e) => error(StatusCode::CONFLICT, &e.to_string()),
    }
}

/// `GET /sandbox/host/pages/{page}/subtasks`: the inside of the page's `#subtasks`, as it is now.
pub(crate) async fn subtasks(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    page: web::Path<String>,
) -> HttpResponse {
    let page = match host_page(&req, &sandbox, &page) {
        Ok(page) => page,
        Err((status, message)) => return error(status, message),
    };
    let Some(key) = page.issue_key.as_deref() else {
        return error(StatusCode::NOT_FOUND, "not an issue page");
    };
    let rows = sandbox
        .with_site(&page.client_key, |site| issue_view(site, key, &page.account_id))
        .ok()
        .flatten()
        .map(|view| view.subtasks);
    match rows {
        Some(rows) => html_response(StatusCode::OK, subtasks_html(&rows), (None, None), &[]),
        None => error(StatusCode::NOT_FOUND, "the issue is gone"),
    }
}

/// The rendered page `id`, for a request from the host page's own origin: 403 from elsewhere,
/// 404 for a page this sandbox did not render (the status and message to answer).
pub(crate) fn host_page(
    req: &HttpRequest,
    sandbox: &Sandbox,
    id: &str,
) -> Result<HostPage, (StatusCode, &'static str)> {
    if !same_origin(req) {
        return Err((StatusCode::FORBIDDEN, "for the host page only"));
    }
    sandbox.host.pages.get(id).ok_or((StatusCode::NOT_FOUND, "unknown page; reload it"))
}

/// The request comes from the host page's own origin: `Origin` (sent on every POST and on
/// `fetch`) or, failing that, `Sec-Fetch-Site`.
pub(crate) fn same_origin(req: &HttpRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    match (header("Origin"), header("Sec-Fetch-Site")) {
        (Some(origin), _) => origin == host_origin(req),
        (None, Some(site)) => site == "same-origin",
        (None, None) => false,
    }
}

pub(crate) fn error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "error": message }))
}

impl Sandbox {
    /// A context token as `AP.context.getToken()` gets it in Jira: `qsh: "context-qsh"`, `sub`,
    /// and `context` with the licence, the page's issue and project, and the site URL.
    pub(crate) fn page_context_jwt(&self, page: &HostPage) -> Result<String, SandboxError> {
        let tenant = self.tenant(&page.client_key)?;
        let mut claims =
            self.tenant_claims(&page.client_key, CONTEXT_QSH, Some(&page.account_id))?;
        let mut context = json!({
            "jira": page.jira,
            "user": { "accountId": page.account_id },
            "url": { "displayUrl": tenant.base_url.as_str() },
        });
        if let (Some(active), Some(obj)) = (page.licence, context.as_object_mut()) {
            obj.insert("license".to_owned(), json!({ "active": active }));
        }
        if let Some(obj) = claims.as_object_mut() {
            obj.insert("context".to_owned(), context);
        }
        sign_hs256(tenant.shared_secret.expose(), &claims)
    }
}
