//! The cargo subcommands of [`CARGO_TOOLS`], checked against `cargo install --list` and
//! installed with `cargo install --locked --version V` when missing or at another version.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::CARGO_TOOLS;
use crate::shell::{self, cargo, env_var, has_program, note, output};

pub(super) fn ensure_cargo_tools() -> anyhow::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::parse_install_list;

    #[test]
    fn reads_cargo_install_list() {
        let list =
            "cargo-audit v0.22.2:\n    cargo-audit\ncargo-deny v0.20.2 (/src):\n    cargo-deny\n";
        let tools = parse_install_list(list);
        assert_eq!(tools.get("cargo-audit").map(String::as_str), Some("0.22.2"));
        assert_eq!(tools.get("cargo-deny").map(String::as_str), Some("0.20.2"));
        assert_eq!(tools.len(), 2);
    }
}
