//! Iframe pages and the descriptor. A page is a shell: no inline script or style (the CSP forbids
//! them) and no request data; its module asks the host for context through the host seam
//! (`static/host.js`) and renders itself.

use actix_web::http::header::{CONTENT_TYPE, ContentType, HeaderValue};
use actix_web::{HttpResponse, web};

use crate::assets;
use crate::auth::PageCaller;
use crate::html::{document, escape};
use crate::state::EdgeState;

// Public by design (Access::Public): Jira reads the descriptor before any tenant exists.
// nosemgrep: stj.handler-without-auth-extractor
pub(crate) async fn descriptor(state: web::Data<EdgeState>) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::json()).body(state.descriptor_json.clone())
}

/// The issue view module: template picker, quick entry, preview, create, results.
pub(crate) async fn issue_glance(
    state: web::Data<EdgeState>,
    PageCaller(_principal): PageCaller,
) -> HttpResponse {
    app_page(&state, 0, "Subtask templates", "issue", "issue.js")
}

/// "My subtask templates": the user's personal library.
pub(crate) async fn my_templates(
    state: web::Data<EdgeState>,
    PageCaller(_principal): PageCaller,
) -> HttpResponse {
    app_page(&state, 1, "My subtask templates", "my-templates", "manager.js")
}

/// A project's shared library: project admins edit it, everyone else reads it.
pub(crate) async fn project_templates(
    state: web::Data<EdgeState>,
    PageCaller(_principal): PageCaller,
) -> HttpResponse {
    app_page(&state, 2, "Shared subtask templates", "project-templates", "manager.js")
}

/// Page number `slot` of the cache, rendered once.
fn app_page(state: &EdgeState, slot: usize, title: &str, view: &str, module: &str) -> HttpResponse {
    let page = match state.pages.0.get(slot) {
        Some(cell) => cell.get_or_init(|| render(state, title, view, module).into()).clone(),
        None => render(state, title, view, module).into(),
    };
    HttpResponse::Ok().insert_header((CONTENT_TYPE, HTML)).body(page)
}

/// `ContentType::html()`'s value, built once: the typed header formats its mime on every response.
const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

fn render(state: &EdgeState, title: &str, view: &str, module: &str) -> String {
    let v = assets::version();
    // Preloading every module saves one round trip per import level on a cold cache.
    let preloads: String = assets::imports_of(module)
        .iter()
        .map(|name| format!("<link rel=\"modulepreload\" href=\"/static/{v}/{name}\">"))
        .collect();
    let head = format!(
        "{preloads}<script src=\"{}\"></script><script type=\"module\" src=\"/static/{v}/{module}\"></script>",
        escape(&state.config.connect_js_url)
    );
    let body = format!(
        "<main id=\"app\" data-view=\"{view}\"><p class=\"loading\" role=\"status\">Loading…</p></main>"
    );
    document(title, &head, &body)
}
