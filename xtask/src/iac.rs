//! IaC gate: checkov over `infra/` (Terraform, and secrets), and `terraform fmt -check` when
//! terraform is installed. All offline: checkov runs with `--skip-download`. Suppressions live
//! next to what they suppress, with their reason: `#checkov:skip=CKV_...:why` in the resource.
//! There is no Dockerfile to lint: the image is built by `cargo xtask image` (`FROM scratch`,
//! no package manager, no shell), whose checks are in code.

use std::path::Path;
use std::process::Command;

use anyhow::Context as _;

use crate::shell::{self, has_program, note};
use crate::tools::python_tool;

pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    shell::run(
        Command::new(python_tool("checkov"))
            .current_dir(root)
            .args(["-d", "infra", "--framework", "terraform", "secrets"])
            // --skip-download: no guideline or policy download, nothing leaves the machine.
            .args(["--skip-download", "--compact", "--quiet", "--output", "cli"]),
    )
    .context("checkov failed checks in infra/: fix them, or `#checkov:skip=ID:why` in place")?;
    if has_program("terraform") {
        shell::run(
            Command::new("terraform")
                .current_dir(root)
                .args(["fmt", "-check", "-recursive", "-diff", "infra"])
                // fmt needs no CLI configuration; a missing ~/.terraformrc only adds a warning.
                .env("TF_CLI_CONFIG_FILE", "/dev/null"),
        )
        .context("Terraform is not formatted: run `terraform fmt -recursive infra`")?;
    } else {
        note("iac: terraform is not installed; skipping `terraform fmt -check` (optional)");
    }
    Ok(())
}
