//! The front end's files, embedded in the binary (no Node.js at run time). They are served under
//! a directory named by a hash of all of them (`/static/<version>/issue.js`) with a year of
//! immutable caching: a release changes every URL at once, a browser never mixes two releases,
//! and the ES modules import each other by relative names.

use std::io::Write as _;
use std::sync::LazyLock;

pub(crate) struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset { name: $name, content_type: $type, body: include_str!(concat!("../static/", $name)) }
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
pub(crate) fn gzipped() -> &'static [Option<Vec<u8>>] {
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
