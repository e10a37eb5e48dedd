//! SCA gates, offline against the RustSec snapshot (`sca::advisory_db`):
//!
//! - `sca-deps`: `cargo deny check` (advisories, licence allow-list, bans, crates.io as the only
//!   source; policy in `deny.toml`) and `cargo audit` of `Cargo.lock`;
//! - `sca-binary`: `cargo auditable build --release -p stj_server`, then `cargo audit bin` of the
//!   binary that would ship, so what is scanned is what runs.
//!
//! Every vulnerability advisory fails (HIGH and CRITICAL ones included) unless `deny.toml` lists
//! an exception with a reason and a review date; a date in the past fails too
//! (`sca::exceptions`). The database's age is printed, never a reason to fail.

mod advisory_db;
mod days;
pub(crate) mod exceptions;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use crate::shell::{self, cargo, env_var, has_program, note};

/// The shipped binary: package and executable.
const SERVER_PACKAGE: &str = "stj_server";
const SERVER_BIN: &str = "subtask-templates";

/// `sca-deps`: cargo-deny, then cargo-audit over the lockfile.
pub(crate) fn deps(root: &Path) -> anyhow::Result<()> {
    cargo_deny(root)?;
    cargo_audit_lockfile(root)
}

/// `cargo deny --offline --locked check` against a copy of the snapshot.
pub(crate) fn cargo_deny(root: &Path) -> anyhow::Result<()> {
    let db = advisory_db::locate(root)?;
    advisory_db::describe(&db);
    for e in current_exceptions(root)? {
        note(format_args!(
            "advisory exception: {} until {} (deny.toml:{})",
            e.id, e.review_by, e.line
        ));
    }
    // `--offline` reaches `cargo metadata` too: every locked crate must be on disk first.
    shell::run(cargo_in(root).args(["fetch", "--locked", "--quiet"]))?;
    let copy = advisory_db::working_copy(&db)?;
    shell::run(
        cargo_in(root)
            .args(["deny", "--offline", "--locked", "check"])
            .env("ADVISORY_DB_ROOT", copy.deny_root),
    )
    .context("cargo deny found the problems above (policy and exceptions: deny.toml)")
}

/// `cargo audit` of `Cargo.lock`, a second reading of the same database.
pub(crate) fn cargo_audit_lockfile(root: &Path) -> anyhow::Result<()> {
    let mut cmd = audit(root)?;
    cmd.arg("--file").arg(root.join("Cargo.lock"));
    run_audit(&mut cmd, "Cargo.lock")
}

/// `sca-binary`: builds the release binary with its dependency list embedded, then scans it.
pub(crate) fn binary(root: &Path) -> anyhow::Result<()> {
    binary_in(root, &target_dir_of(root))
}

/// `sca-binary` with the build in `target_dir`.
pub(crate) fn binary_in(root: &Path, target_dir: &Path) -> anyhow::Result<()> {
    let db = advisory_db::locate(root)?;
    advisory_db::describe(&db);
    let binary = auditable_release_binary(root, target_dir)?;
    let scanned = without_debug_info(&binary)?;
    let mut cmd = audit(root)?;
    cmd.arg("bin").arg(&scanned);
    run_audit(&mut cmd, &format!("the binary {}", binary.display()))
}

/// `cargo auditable build --release -p stj_server -p stj_jira_sandbox` (the DAST gate builds
/// the same, so neither rebuilds the other's artifacts); the path of the server binary.
pub(crate) fn auditable_release_binary(root: &Path, target_dir: &Path) -> anyhow::Result<PathBuf> {
    shell::run(
        cargo_in(root)
            .args(["auditable", "build", "--release", "--locked"])
            .args(["-p", SERVER_PACKAGE, "-p", "stj_jira_sandbox", "--target-dir"])
            .arg(target_dir),
    )?;
    let binary = target_dir.join("release").join(SERVER_BIN);
    anyhow::ensure!(binary.is_file(), "the build left no {}", binary.display());
    Ok(binary)
}

/// cargo-audit refuses binaries over 100 MiB, and the release profile keeps line tables: it
/// scans a copy without debug sections (`.dep-v0`, the embedded dependency list, stays).
fn without_debug_info(binary: &Path) -> anyhow::Result<PathBuf> {
    if !has_program("objcopy") {
        note("sca: objcopy (binutils) is missing; scanning the binary as built");
        return Ok(binary.to_path_buf());
    }
    let copy = binary.with_extension("audit");
    shell::run(Command::new("objcopy").arg("--strip-debug").arg(binary).arg(&copy))?;
    Ok(copy)
}

/// `cargo audit bin` of `binary` (built with cargo-auditable), e.g. the one inside the image.
pub(crate) fn audit_binary(root: &Path, binary: &Path) -> anyhow::Result<()> {
    let mut cmd = audit(root)?;
    cmd.arg("bin").arg(binary);
    run_audit(&mut cmd, &format!("the binary {}", binary.display()))
}

/// Runs cargo-audit: exit status 1 means findings, anything else that it could not scan.
fn run_audit(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let line = shell::describe(cmd);
    note(format_args!("$ {line}"));
    let status = cmd.status().with_context(|| format!("failed to start `{line}`"))?;
    match status.code() {
        Some(0) => Ok(()),
        Some(1) => anyhow::bail!("cargo audit found vulnerable crates in {what} (listed above)"),
        _ => anyhow::bail!("cargo audit could not scan {what} ({status}): `{line}`"),
    }
}

/// `cargo audit --no-fetch --db <copy of the snapshot>` with deny.toml's exceptions as `--ignore`.
fn audit(root: &Path) -> anyhow::Result<Command> {
    let copy = advisory_db::working_copy(&advisory_db::locate(root)?)?;
    let mut cmd = cargo_in(root);
    cmd.args(["audit", "--no-fetch", "--db"]).arg(copy.db);
    for exception in current_exceptions(root)? {
        cmd.args(["--ignore", &exception.id]);
    }
    Ok(cmd)
}

/// The exceptions of `root/deny.toml`, or an error if one is undated or past its review date.
fn current_exceptions(root: &Path) -> anyhow::Result<Vec<exceptions::Exception>> {
    let path = root.join("deny.toml");
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let list = exceptions::parse(&text)?;
    exceptions::ensure_current(&list, days::today()?)?;
    Ok(list)
}

fn cargo_in(root: &Path) -> Command {
    let mut cmd = cargo();
    cmd.current_dir(root);
    cmd
}

/// Cargo's target directory for a workspace at `root`.
pub(crate) fn target_dir_of(root: &Path) -> PathBuf {
    env_var("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}
