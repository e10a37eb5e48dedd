//! `/static/…`: the embedded front-end files ([`crate::assets`]) over HTTP.

use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::assets::{ASSETS, gzipped, version};
use crate::problem::Problem;

/// `/static/<version>/<file>` → the asset, cached for a year; any other version is gone (404).
// Public by design (Access::Public): the same files for every tenant, nothing tenant-specific.
// nosemgrep: stj.handler-without-auth-extractor
pub(crate) async fn versioned(
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let (version_asked, file) = path.into_inner();
    if version_asked != version() {
        return Err(not_found());
    }
    let index = ASSETS.iter().position(|a| a.name == file).ok_or_else(not_found)?;
    let asset = ASSETS.get(index).ok_or_else(not_found)?;
    let mut response = HttpResponse::Ok();
    response
        .content_type(asset.content_type)
        .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((VARY, "Accept-Encoding"));
    let accepts_gzip = req
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    match gzipped().get(index).and_then(Option::as_ref) {
        Some(gz) if accepts_gzip => {
            Ok(response.insert_header((CONTENT_ENCODING, "gzip")).body(gz.clone()))
        }
        _ => Ok(response.body(asset.body)),
    }
}

/// `/static/icon.svg`: the descriptor's icon at a stable URL. Jira's page loads it from another
/// origin, so it is the one response marked `Cross-Origin-Resource-Policy: cross-origin`.
// Public by design (Access::Public): Jira loads the icon without a token.
// nosemgrep: stj.handler-without-auth-extractor
pub(crate) async fn icon(file: web::Path<String>) -> Result<HttpResponse, Problem> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == file.as_str() && a.name == "icon.svg")
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .body(asset.body))
}

fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not_found", "Not found", "no such asset")
}
