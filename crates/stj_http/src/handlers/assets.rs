//! The front end's files, embedded in the binary (no Node.js at run time). They are served under
//! a directory named by a hash of all of them (`/static/<version>/issue.js`) with a year of
//! immutable caching: a release changes every URL at once, a browser never mixes two releases,
//! and the ES modules import each other by relative names.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use std::io::Write as _;

use actix_web::http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use actix_web::{HttpRequest, HttpResponse, web};

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

/// Each asset gzipped once, at first use: browsers get the compressed bytes without the server
/// compressing the same files on every request (same order as [`ASSETS`]).
fn gzipped() -> &'static [Option<Vec<u8>>] {
    static GZIPPED: LazyLock<Vec<Option<Vec<u8>>>> = LazyLock::new(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                encoder.write_all(asset.body.as_bytes()).ok()?;
                encoder.finish().ok()
            })
            .collect()
    });
    &GZIPPED
}

/// The modules `entry` imports, directly or not (for `modulepreload` links).
pub(crate) fn imports_of(entry: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = Vec::new();
    let mut queue = vec![entry.to_owned()];
    while let Some(name) = queue.pop() {
        let Some(asset) = ASSETS.iter().find(|a| a.name == name) else { continue };
        for imported in relative_imports(asset.body) {
            if let Some(known) = ASSETS.iter().find(|a| a.name == imported)
                && !found.contains(&known.name)
                && known.name != entry
            {
                found.push(known.name);
                queue.push(imported);
            }
        }
    }
    found
}

/// `./x.js` names in `import … from "./x.js"` (the modules are ours: one import per line).
fn relative_imports(body: &str) -> Vec<String> {
    body.lines()
        .filter(|line| line.starts_with("import "))
        .filter_map(|line| line.split("from \"./").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

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
        for asset in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            let all = asset.body.matches("from \"./").count();
            let found = relative_imports(asset.body);
            assert_eq!(found.len(), all, "{}: one import per line, at its start", asset.name);
            for name in found {
                assert!(ASSETS.iter().any(|a| a.name == name), "{} imports {name}", asset.name);
            }
        }
    }

    #[test]
    fn a_page_preloads_exactly_its_module_graph() {
        let mut issue = imports_of("issue.js");
        issue.sort_unstable();
        assert_eq!(
            issue,
            ["api.js", "dom.js", "host.js", "picker.js", "quick.js", "tables.js", "ui.js"]
        );
        assert!(imports_of("manager.js").contains(&"editor.js"));
        assert!(!imports_of("issue.js").contains(&"manager.js"));
    }

    #[test]
    fn every_asset_has_its_gzip() {
        assert_eq!(gzipped().len(), ASSETS.len());
        assert!(gzipped().iter().all(Option::is_some));
    }
}
