//! The Forge app (`forge/`): `forge-build` assembles the Custom UI resources, `forge-check` (the
//! `forge` ci step) builds them and validates `forge/manifest.yml` with Atlassian's pinned
//! `@forge/manifest`, then shows its validators failing on broken copies (`forge/test/`).
//!
//! The Custom UI build is the same front end as the Connect pages (`crates/stj_http/static/`),
//! with the host seam's Forge flavour (`forge/src/host.js`) in place of `host.js` and
//! `@forge/bridge` bundled into one ES module by the pinned esbuild (the package is CommonJS, so a
//! browser cannot import it as is). One folder per manifest resource under
//! `target/forge/custom-ui/<resource>/`, each with an `index.html` that has no inline script or
//! style (Forge's Custom UI CSP forbids both; so does ours).

mod page;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use self::page::{check_no_inline, index_html};
use crate::shell::{self, note, project_root, target_dir};

/// Manifest resource key → (page title, `data-view`, entry module); as `handlers/pages.rs`.
pub(crate) const RESOURCES: [(&str, &str, &str, &str); 3] = [
    ("issue", "Subtask templates", "issue", "issue.js"),
    ("my-templates", "My subtask templates", "my-templates", "manager.js"),
    ("project-templates", "Shared subtask templates", "project-templates", "manager.js"),
];

/// The manifest's Custom UI modules (key, type, resource), written to `modules.json` for the Jira
/// sandbox's Forge door; their keys are the Connect descriptor's, so it pairs the two.
const MODULES: [(&str, &str, &str); 3] = [
    ("subtask-templates-glance", "jira:issueContext", "issue"),
    ("my-subtask-templates", "jira:personalSettingsPage", "my-templates"),
    ("project-subtask-templates", "jira:projectSettingsPage", "project-templates"),
];

/// Where the build lands (the manifest's `resources` point here).
pub(crate) fn custom_ui_dir() -> PathBuf {
    target_dir().join("forge").join("custom-ui")
}

/// `cargo xtask forge-build`.
pub(crate) fn build(_args: &[String]) -> anyhow::Result<()> {
    let forge = project_root().join("forge");
    npm_ci(&forge)?;
    let out = custom_ui_dir();
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("cannot clear {}", out.display()))?;
    }
    fs::create_dir_all(&out)?;
    let bridge = target_dir().join("forge").join("forge-bridge.js");
    shell::run(
        Command::new(forge.join("node_modules/.bin/esbuild"))
            .arg("src/bridge-entry.js")
            .args(["--bundle", "--format=esm", "--platform=browser", "--target=es2022"])
            .args(["--minify", "--legal-comments=none", "--log-level=warning"])
            .arg(format!("--outfile={}", bridge.display()))
            .current_dir(&forge),
    )
    .context("bundling @forge/bridge failed")?;
    let bridge_js = fs::read_to_string(&bridge)?;
    let static_dir = project_root().join("crates/stj_http/static");
    let forge_host = fs::read_to_string(forge.join("src/host.js"))?;
    for (resource, title, view, entry) in RESOURCES {
        let dir = out.join(resource);
        fs::create_dir_all(&dir)?;
        for file in fs::read_dir(&static_dir)? {
            let path = file?.path();
            let name = file_name(&path);
            if name != "host.js" {
                fs::copy(&path, dir.join(&name))?;
            }
        }
        fs::write(dir.join("host.js"), &forge_host)?;
        fs::write(dir.join("forge-bridge.js"), &bridge_js)?;
        fs::write(dir.join("index.html"), index_html(&dir, title, view, entry)?)?;
        check_no_inline(&dir)?;
    }
    let modules: Vec<serde_json::Value> = MODULES
        .iter()
        .map(|(key, kind, resource)| serde_json::json!({"key": key, "type": kind, "resource": resource}))
        .collect();
    fs::write(out.join("modules.json"), serde_json::to_vec_pretty(&modules)?)?;
    check_manifest_modules(&forge.join("manifest.yml"))?;
    note(format_args!(
        "forge-build: {} resources in {} (@forge/bridge bundle {} KiB)",
        RESOURCES.len(),
        out.display(),
        bridge_js.len() / 1024
    ));
    Ok(())
}

/// `cargo xtask forge-check` (ci step `forge`): build, validate, and the broken-manifest tests.
pub(crate) fn check(_args: &[String]) -> anyhow::Result<()> {
    build(&[])?;
    let forge = project_root().join("forge");
    let ui = custom_ui_dir();
    let node = |args: &[&str]| {
        let mut cmd = Command::new("node");
        cmd.args(args).current_dir(&forge).env("STJ_FORGE_CUSTOM_UI", &ui);
        cmd
    };
    shell::run(&mut node(&["validate.mjs", "manifest.yml"]))
        .context("forge/manifest.yml does not pass @forge/manifest's validators")?;
    shell::run(&mut node(&["--test", "--test-reporter=spec", "test/"]))
        .context("the manifest validation tests failed")
}

/// `MODULES` must be the manifest's: every key, type and resource appears in it.
fn check_manifest_modules(manifest: &Path) -> anyhow::Result<()> {
    let text = fs::read_to_string(manifest)?;
    for (key, kind, resource) in MODULES {
        let found = [format!("- key: {key}"), format!("{kind}:"), format!("resource: {resource}")];
        anyhow::ensure!(
            found.iter().all(|needle| text.contains(needle.as_str())),
            "{}: no {kind} module {key} with resource {resource} (xtask/src/forge.rs MODULES)",
            manifest.display()
        );
    }
    Ok(())
}

fn npm_ci(dir: &Path) -> anyhow::Result<()> {
    // npm writes node_modules/.package-lock.json last: newer than both manifests means this exact
    // lockfile is installed (forge-check and ui both build; the second skips ~10 s of reinstall).
    let modified = |name: &str| fs::metadata(dir.join(name)).and_then(|m| m.modified()).ok();
    let installed = modified("node_modules/.package-lock.json");
    if installed.is_some_and(|at| {
        [modified("package-lock.json"), modified("package.json")]
            .iter()
            .all(|m| m.is_some_and(|m| m <= at))
    }) {
        return Ok(());
    }
    // `npm ci` refuses a lockfile that does not match package.json: every version stays pinned.
    shell::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"])
            .current_dir(dir),
    )
    .with_context(|| format!("npm ci in {} failed", dir.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
