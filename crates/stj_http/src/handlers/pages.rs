//! Iframe pages, the descriptor and static assets. Pages carry no inline script (the CSP forbids
//! it) and no request data: the page's script asks Jira for context through the Connect JS API.

use actix_web::http::header::{CACHE_CONTROL, ContentType};
use actix_web::{HttpResponse, web};

use crate::auth::PageCaller;
use crate::headers::CONNECT_CDN;
use crate::problem::Problem;
use crate::state::EdgeState;

const ASSETS: &[(&str, &str, &str)] = &[
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../static/app.js")),
    ("app.css", "text/css; charset=utf-8", include_str!("../../static/app.css")),
    ("icon.svg", "image/svg+xml", include_str!("../../static/icon.svg")),
];

// Public by design (Access::Public): Jira reads the descriptor before any tenant exists.
// nosemgrep: stj.handler-without-auth-extractor
pub(crate) async fn descriptor(state: web::Data<EdgeState>) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::json()).body(state.descriptor_json.clone())
}

// Public by design (Access::Public): static files the pages load, the same for every tenant.
// nosemgrep: stj.handler-without-auth-extractor
pub(crate) async fn asset(file: web::Path<String>) -> Result<HttpResponse, Problem> {
    let (_, content_type, body) =
        ASSETS.iter().find(|(name, _, _)| *name == file.as_str()).ok_or_else(|| {
            Problem::new(
                actix_web::http::StatusCode::NOT_FOUND,
                "not_found",
                "Not found",
                "no such asset",
            )
        })?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .body(*body))
}

pub(crate) async fn issue_glance(PageCaller(_principal): PageCaller) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::html()).body(page(
        "Subtask templates",
        r#"<main id="app" data-view="issue-glance"><h1>Subtask templates</h1><p id="status" role="status">Connecting to Jira…</p><form id="form" hidden><label for="quick-entry">Subtasks, one per line</label><textarea id="quick-entry" spellcheck="true" placeholder="Write tests @me #qa ~2h due:+2d"></textarea><div class="actions"><button type="button" id="preview">Preview</button><button type="button" id="apply" class="primary">Create subtasks</button></div></form><ul id="results" aria-live="polite"></ul></main>"#,
    ))
}

/// A small page for refusals shown inside Jira (licence required, token expired).
pub(crate) fn message_page(title: &str, detail: &str) -> String {
    page(title, &format!("<main><h1>{}</h1><p>{}</p></main>", escape(title), escape(detail)))
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <link rel=\"stylesheet\" href=\"/static/app.css\">\
         <script src=\"{CONNECT_CDN}/all.js\" data-options=\"sizeToParent:true\"></script>\
         <script src=\"/static/app.js\" defer></script></head><body>{body}</body></html>",
        escape(title)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
