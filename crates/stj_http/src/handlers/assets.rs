//! The front end's files, embedded in the binary (no Node.js at run time). They are served under
//! a directory named by a hash of all of them (`/static/<version>/issue.js`) with a year of
//! immutable caching: a release changes every URL at once, a browser never mixes two releases,
//! and the ES modules import each other by relative names.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, VARY};
use actix_web::{HttpResponse, web};

use crate::problem::Problem;

pub(crate) struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_str!(concat!("../../static/", $name)),
        }
    };
}

pub(crate) const ASSETS: &[Asset] = &[
    asset!("tokens.css", CSS),
    asset!("app.css", CSS),
    asset!("host.js", JS),
    asset!("dom.js", JS),
    asset!("api.js", JS),
    asset!("ui.js", JS),
    asset!("quick.js", JS),
    asset!("picker.js", JS),
    asset!("tables.js", JS),
    asset!("issue.js", JS),
    asset!("editor.js", JS),
    asset!("manager.js", JS),
    asset!("icon.svg", "image/svg+xml"),
];

/// The hash naming this release's asset directory (16 hex characters of SHA-256).
pub(crate) fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        for asset in ASSETS {
            ctx.update(asset.name.as_bytes());
            ctx.update(&[0]);
            ctx.update(asset.body.as_bytes());
            ctx.update(&[0]);
        }
        hex::encode(ctx.finish().as_ref().get(..8).unwrap_or_default())
    });
    &VERSION
}

/// `/static/<version>/<file>` → the asset, cached for a year; any other version is gone (404).
// Public by design (Access::Public): the same files for every tenant, nothing tenant-specific.
// nosemgrep: stj.handler-without-auth-extractor
pub(crate) async fn versioned(path: web::Path<(String, String)>) -> Result<HttpResponse, Problem> {
    let (version_asked, file) = path.into_inner();
    if version_asked != version() {
        return Err(not_found());
    }
    let asset = ASSETS.iter().find(|a| a.name == file).ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((VARY, "Accept-Encoding"))
        .body(asset.body))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_the_content() {
        assert_eq!(version().len(), 16);
        assert!(version().bytes().all(|b| b.is_ascii_hexdigit()));
        let names: Vec<&str> = ASSETS.iter().map(|a| a.name).collect();
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(names, unique);
    }

    /// Every relative module import names an embedded asset, so no page asks for a missing file.
    #[test]
    fn every_module_import_is_embedded() {
        let import = regex_lite_imports();
        for asset in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            for name in import(asset.body) {
                assert!(
                    ASSETS.iter().any(|a| a.name == name),
                    "{} imports missing {name}",
                    asset.name
                );
            }
        }
    }

    fn regex_lite_imports() -> impl Fn(&str) -> Vec<String> {
        |body| {
            body.split("from \"./")
                .skip(1)
                .chain(body.split("import(\"./").skip(1))
                .filter_map(|rest| rest.split('"').next().map(str::to_owned))
                .collect()
        }
    }
}
