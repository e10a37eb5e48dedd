//! What `cargo xtask gates-bite` plants for the DAST gate, and the gate run on a scratch copy.
//!
//! - `unauthenticated-route`: an API handler without the `ApiCaller` extractor, registered beside
//!   the route table (inside it, the table's route gate would still authenticate it) and
//!   documented in the spec like `/api/v1/context`;
//! - `quote-500`: `POST /api/v1/quick-entry/check` answers 500 when the text has a `'`.
//!
//! The copies build into one shared target (`target/bite/target`, seeded from `target/release`
//! the first time), never into `target/release`, so main's binaries stay as they are.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::Context as _;

use crate::dast::{Options, gate};
use crate::shell::{self, target_dir};

/// The message the gate fails with when schemathesis reports findings.
pub(crate) const FINDINGS: &str = "schemathesis found problems";

/// The full DAST gate (build, stack, three runs) on the copy at `root`, with fewer examples.
pub(crate) fn gate_on_copy(root: &Path) -> anyhow::Result<()> {
    let mut options = Options::parse(&[])?.context("no options")?;
    let shared = target_dir().join("bite").join("target");
    if !shared.join("release").exists() && target_dir().join("release").exists() {
        fs::create_dir_all(&shared)?;
        let mut copy = Command::new("cp");
        copy.arg("-a").arg(target_dir().join("release")).arg(&shared);
        shell::run(&mut copy).context("seeding the bite target from target/release")?;
    }
    options.root = root.to_path_buf();
    options.target = shared;
    options.dir = root.join("dast-run");
    options.examples = 10;
    gate(&options)
}

pub(crate) fn plant_unauthenticated_route(copy: &Path) -> anyhow::Result<()> {
    append(
        &copy.join("crates/stj_http/src/handlers/api.rs"),
        "\n/// Planted by gates-bite: an API handler without the `ApiCaller` extractor.\n\
         pub(crate) async fn debug_context() -> HttpResponse {\n    \
         HttpResponse::Ok().json(serde_json::json!({ \"site\": \"any\", \"licensed\": true, \"user\": false }))\n}\n",
    )?;
    // Registered beside the route table, not in it, so no route gate protects it.
    replace_once(
        &copy.join("crates/stj_http/src/lib.rs"),
        ".configure(routes::configure)\n",
        ".configure(routes::configure)\n        \
         .route(\"/api/v1/debug/context\", web::get().to(handlers::api::debug_context))\n",
    )?;
    // Documented like /api/v1/context, so schemathesis fuzzes it.
    let spec = copy.join("openapi/openapi.yaml");
    let text = fs::read_to_string(&spec)?;
    let start = text.find("  /api/v1/context:\n").context("no /api/v1/context in the spec")?;
    let rest = text.get(start..).unwrap_or_default();
    let end = rest.find("\n\n  /").map_or(rest.len(), |i| i.saturating_add(2));
    let block = rest.get(..end).unwrap_or_default();
    let planted = block
        .replace("/api/v1/context:", "/api/v1/debug/context:")
        .replace("operationId: context", "operationId: debugContext");
    fs::write(&spec, text.replacen(block, &format!("{block}{planted}"), 1))?;
    Ok(())
}

pub(crate) fn plant_quote_500(copy: &Path) -> anyhow::Result<()> {
    replace_once(
        &copy.join("crates/stj_http/src/handlers/text.rs"),
        "    let (specs, lines) = parse_quick_entry_mapped(checked(&body)?).map_err(invalid)?;\n",
        "    if body.text.contains('\\'') {\n        \
         return Ok(HttpResponse::InternalServerError().finish()); // planted by gates-bite\n    }\n    \
         let (specs, lines) = parse_quick_entry_mapped(checked(&body)?).map_err(invalid)?;\n",
    )
}

fn append(file: &Path, text: &str) -> anyhow::Result<()> {
    let mut content = fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
    content.push_str(text);
    fs::write(file, content).with_context(|| format!("{}", file.display()))
}

fn replace_once(file: &Path, from: &str, to: &str) -> anyhow::Result<()> {
    let content = fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
    anyhow::ensure!(content.contains(from), "{} no longer has {from:?}", file.display());
    fs::write(file, content.replacen(from, to, 1)).with_context(|| format!("{}", file.display()))
}
