//! `cargo xtask tools`: the gate tools at pinned versions, installed when missing (`ci` runs it
//! first). This file is the one list of them.
//!
//! - cargo subcommands through `cargo install --locked --version V` (into cargo's own `bin/`);
//! - Python tools in one virtual environment outside the repository: `$STJ_TOOLS_DIR/venv`, by
//!   default `~/.cache/stj-tools/venv`. Other gates find them with [`python_tool`].
//!
//! Nothing is downloaded when every pinned version is already there. Only the package
//! registries (crates.io, PyPI) are used.

mod cargo_tools;
mod python_tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use self::cargo_tools::ensure_cargo_tools;
use self::python_tools::ensure_python_tools;
pub(crate) use self::python_tools::python_tool;
use crate::shell::{self, env_var, note};

/// cargo subcommands: (crate, version). Versions that build with the pinned toolchain.
const CARGO_TOOLS: &[(&str, &str)] = &[
    ("cargo-deny", "0.20.2"),
    ("cargo-auditable", "0.7.7"),
    ("cargo-audit", "0.22.2"),
    // The image's SBOM (CycloneDX JSON), from the OWASP CycloneDX project's cargo plugin.
    ("cargo-cyclonedx", "0.5.9"),
    // Unused dependencies (`ci machete`): reads the sources, builds nothing, so it takes seconds.
    ("cargo-machete", "0.9.2"),
];

/// PyPI packages, installed together so that pip resolves them as one set (`pip check` clean).
const PYTHON_TOOLS: &[(&str, &str)] = &[
    ("semgrep", "1.185.0"),
    ("schemathesis", "4.32.5"),
    ("checkov", "3.3.30"),
    // 0.9 needs jsonschema >= 4.26, which semgrep 1.185 (jsonschema ~= 4.25.1) excludes.
    ("openapi-spec-validator", "0.8.5"),
    ("PyJWT", "2.15.1"),
];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    anyhow::ensure!(args.is_empty(), "`tools` takes no arguments, got {args:?}");
    ensure()
}

/// Installs whatever is missing or at another version; says what it found and what it did.
pub(crate) fn ensure() -> anyhow::Result<()> {
    ensure_cargo_tools()?;
    ensure_python_tools()?;
    ensure_debian_packages()
}

/// Debian packages the gates run: Chromium for the browser tests (`cargo xtask ui`), buildah
/// for the image (`cargo xtask image`, no daemon), wrk for the edge benchmark (`cargo xtask
/// bench`: a C load generator that stays far from saturating before the app does) and nginx for
/// its machine floor (run in the foreground by the bench; the package's own service is not
/// started where `policy-rc.d` forbids it, as in containers). Installed
/// with apt-get when missing (CI runs as root; elsewhere the message says what to install).
fn ensure_debian_packages() -> anyhow::Result<()> {
    const PACKAGES: &[(&str, &str)] = &[
        ("chromium", "/usr/bin/chromium"),
        ("buildah", "/usr/bin/buildah"),
        ("wrk", "/usr/bin/wrk"),
        ("nginx", "/usr/sbin/nginx"),
    ];
    // A browser named by STJ_CHROMIUM (e.g. a CI runner's Chrome) stands in for Debian's.
    let browser_given = env_var("STJ_CHROMIUM").is_some_and(|path| Path::new(&path).exists());
    let missing: Vec<&str> = PACKAGES
        .iter()
        .filter(|(name, _)| !(browser_given && *name == "chromium"))
        .filter(|(_, path)| !Path::new(path).exists())
        .map(|(name, _)| *name)
        .collect();
    if missing.is_empty() {
        note("tools: chromium, buildah, wrk, nginx present");
        return Ok(());
    }
    note(format_args!("tools: installing Debian packages {missing:?}"));
    shell::run(Command::new("apt-get").arg("update").arg("-q"))
        .context("apt-get update failed (installing Debian packages needs root)")?;
    shell::run(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing),
    )
    .with_context(|| format!("apt-get install {missing:?} failed"))
}

/// The root of the tool cache: `$STJ_TOOLS_DIR`, else `$XDG_CACHE_HOME/stj-tools`, else
/// `~/.cache/stj-tools`.
pub(crate) fn tools_dir() -> PathBuf {
    if let Some(dir) = env_var("STJ_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    let cache = env_var("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env_var("HOME").unwrap_or_else(|| ".".to_owned())).join(".cache")
    });
    cache.join("stj-tools")
}
