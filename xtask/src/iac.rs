//! IaC gate: checkov over `infra/` (Terraform) and `docker/` (Dockerfile), hadolint over the
//! Dockerfile, and `terraform fmt -check` when terraform is installed. All offline: checkov runs
//! with `--skip-download`. Suppressions live next to what they suppress, with their reason:
//! `#checkov:skip=CKV_...:why` in the resource, `# hadolint ignore=DLxxxx` under a comment saying why.

use std::path::Path;
use std::process::Command;

use anyhow::Context as _;

use crate::shell::{self, has_program, note};
use crate::tools::python_tool;

const DOCKERFILE: &str = "docker/Dockerfile";

pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    for (dir, framework) in [("infra", "terraform"), ("docker", "dockerfile")] {
        shell::run(
            Command::new(python_tool("checkov"))
                .current_dir(root)
                .args(["-d", dir, "--framework", framework, "secrets"])
                // --skip-download: no guideline or policy download, nothing leaves the machine.
                .args(["--skip-download", "--compact", "--quiet", "--output", "cli"]),
        )
        .with_context(|| {
            format!("checkov failed checks in {dir}/: fix them, or `#checkov:skip=ID:why` in place")
        })?;
    }
    shell::run(Command::new(python_tool("hadolint")).current_dir(root).args([
        "--failure-threshold",
        "warning",
        DOCKERFILE,
    ]))
    .context("hadolint findings above: fix them, or `# hadolint ignore=DLxxxx` with the reason")?;
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
