//! SAST gate: semgrep with the project's own rules (`.semgrep/rules.yml`), offline.
//!
//! First the rules' own tests (`.semgrep/rules.rs`, annotated `// ruleid:` / `// ok:`), so a rule
//! that stopped matching fails here rather than silently passing; then the scan of the sources.
//! Findings print as `file:line` with the rule's message; suppress one only in place with
//! `// nosemgrep: <rule-id>` and the reason on the line above.

use std::path::Path;
use std::process::Command;

use anyhow::Context as _;

use crate::shell;
use crate::tools::python_tool;

/// The directories scanned, relative to the workspace root.
const SCANNED: [&str; 3] = ["crates", "tools", "xtask"];

pub(crate) fn semgrep(root: &Path) -> anyhow::Result<()> {
    shell::run(semgrep_cmd(root).args(["--test", ".semgrep/"]))
        .context("the semgrep rules' own tests failed (.semgrep/rules.rs)")?;
    shell::run(
        semgrep_cmd(root)
            .args(["--config", ".semgrep/rules.yml", "--error", "--quiet"])
            .args(["--max-lines-per-finding", "4"])
            .args(SCANNED),
    )
    .context("semgrep found the patterns above: fix them, or suppress one in place with a reason")
}

/// `semgrep scan` from `root`, without telemetry, version checks or registry rules.
fn semgrep_cmd(root: &Path) -> Command {
    let mut cmd = Command::new(python_tool("semgrep"));
    cmd.current_dir(root)
        .args(["scan", "--metrics", "off", "--disable-version-check"])
        .env("SEMGREP_ENABLE_VERSION_CHECK", "0")
        .env("SEMGREP_SEND_METRICS", "off");
    cmd
}
