//! `cargo xtask ci`: the checks CI runs, in order, each with a header and a timing, failing fast.
//!
//! The same command runs on a laptop, in `.ci/run` and in `.github/workflows/ci.yml`. Order:
//! tool bootstrap, then cheap static checks (fmt, clippy, semgrep) so a slip fails in seconds,
//! then the tests, then the supply-chain and infrastructure scans (SCA, IaC), then the dynamic
//! gate (DAST) last. `cargo xtask gates-bite` shows the gates failing on planted problems.

use std::time::Instant;

use anyhow::Context as _;

use crate::shell::{self, cargo, note, project_root, secs};
use crate::{dast, db, forge, iac, image, openapi, sast, sca, tools, ui};

pub(crate) type Step = fn() -> anyhow::Result<()>;

/// The steps, in order (see the module doc).
pub(crate) const STEPS: [(&str, Step); 14] = [
    ("tools", tools::ensure),
    ("fmt", fmt),
    ("clippy", clippy),
    ("machete", machete),
    ("sast-semgrep", || sast::semgrep(&project_root())),
    ("openapi", openapi::validate),
    // The Forge manifest through Atlassian's validators (needs the Custom UI build it names).
    ("forge", || forge::check(&[])),
    ("test", test),
    ("ui", || ui::run(&[])),
    ("sca-deps", || sca::deps(&project_root())),
    ("sca-binary", || sca::binary(&project_root())),
    // The production image: buildah, SBOM, `cargo audit bin` inside it, smoke test (root).
    ("image", image::ci),
    ("iac", || iac::run(&project_root())),
    ("dast", dast::ci),
];

/// `ci` runs every step; `ci STEP ...` only those (in the usual order), e.g. `ci sca-deps iac`.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let known: Vec<&str> = STEPS.iter().map(|(name, _)| *name).collect();
    if let Some(unknown) = args.iter().find(|arg| !known.contains(&arg.as_str())) {
        anyhow::bail!("unknown ci step `{unknown}`; the steps are: {}", known.join(", "));
    }
    let steps: Vec<(&str, Step)> = STEPS
        .into_iter()
        .filter(|(name, _)| args.is_empty() || args.iter().any(|arg| arg == name))
        .collect();
    let started = Instant::now();
    let mut timings = Vec::new();
    for (n, (name, step)) in (1..).zip(steps.iter().copied()) {
        note(format_args!("\n==> ci step {n}/{}: {name}", steps.len()));
        let step_started = Instant::now();
        step().with_context(|| {
            format!("ci step `{name}` failed after {}", secs(step_started.elapsed()))
        })?;
        let took = secs(step_started.elapsed());
        note(format_args!("<== {name} ok in {took}"));
        timings.push(format!("{name} {took}"));
    }
    note(format_args!("\nci passed in {} ({})", secs(started.elapsed()), timings.join(", ")));
    Ok(())
}

fn fmt() -> anyhow::Result<()> {
    shell::run(cargo().args(["fmt", "--all", "--", "--check"]))
        .context("formatting differs: run `cargo fmt --all` and commit the result")
}

fn clippy() -> anyhow::Result<()> {
    shell::run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
}

/// Every declared dependency is used: cargo-machete searches each crate's sources for it. A true
/// false positive (a dependency only there to turn on a feature) goes in that crate's
/// `[package.metadata.cargo-machete] ignored`, with a comment saying why.
fn machete() -> anyhow::Result<()> {
    // cargo-machete takes itself for `cargo run` (and `machete` for a path) when it inherits
    // `CARGO_PKG_NAME`, which `cargo xtask` (a `cargo run` alias) sets.
    shell::run(cargo().args(["machete", "--skip-target-dir"]).env_remove("CARGO_PKG_NAME")).context(
        "unused dependencies (listed above): remove them, or ignore a false positive in \
         [package.metadata.cargo-machete] with a comment why",
    )
}

fn test() -> anyhow::Result<()> {
    // Held until the tests finish: a throwaway cluster stops when this drops.
    let postgres = db::discover()?;
    shell::run(cargo().args(["test", "--workspace"]).env("DATABASE_URL", postgres.url()))
}
