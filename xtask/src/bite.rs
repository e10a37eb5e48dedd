//! `cargo xtask gates-bite [NAME ...] [--with-binary]`: shows that the gates fail when they should.
//!
//! Each bite copies the working tree (tracked and untracked files, not `target/`) into
//! `target/bite/<name>/`, plants one known problem there, runs the gates that must catch it, and
//! fails unless every one of them fails. `main`'s tree is never touched. Add a bite by adding an
//! entry to `BITES`; a gate is any `fn(&Path) -> anyhow::Result<()>` taking the workspace root.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context as _;

use crate::shell::{self, cargo, env_var, note, output, project_root, secs};
use crate::{dast, sast, sca};

type Gate = fn(&Path) -> anyhow::Result<()>;

struct Bite {
    name: &'static str,
    /// What is planted, for the report.
    planted: &'static str,
    plant: fn(&Path) -> anyhow::Result<()>,
    /// `(gate, check, expected)`: each must fail on the planted copy with an error containing
    /// `expected`, the message a gate gives for findings (not for a broken setup).
    gates: &'static [(&'static str, Gate, &'static str)],
    /// Needs a release build of the copy (minutes): only with `--with-binary`.
    slow: bool,
}

const BITES: &[Bite] = &[
    Bite {
        name: "vulnerable-crate",
        planted: "smallvec =0.6.13 in stj_core (RUSTSEC-2021-0003, CVSS 9.8 critical)",
        plant: plant_vulnerable_crate,
        gates: &[
            ("sca-deps: cargo deny", sca::cargo_deny, "cargo deny found the problems above"),
            ("sca-deps: cargo audit", sca::cargo_audit_lockfile, "cargo audit found vulnerable"),
        ],
        slow: false,
    },
    Bite {
        name: "expired-exception",
        planted: "every deny.toml advisory exception's review date moved to 2000-01-01",
        plant: plant_expired_exception,
        gates: &[("sca-deps: exceptions", sca::cargo_deny, "expired advisory exceptions")],
        slow: false,
    },
    Bite {
        name: "semgrep-line",
        planted: "`tracing::info!(token = %jwt, ...)` in stj_http/src/handlers/api.rs",
        plant: plant_semgrep_line,
        gates: &[("sast-semgrep", sast::semgrep, "semgrep found the patterns above")],
        slow: false,
    },
    Bite {
        name: "unauthenticated-route",
        planted: "GET /api/v1/debug/context, documented, outside the route table, no ApiCaller",
        plant: dast::bite::plant_unauthenticated_route,
        gates: &[("dast", dast::bite::gate_on_copy, dast::bite::FINDINGS)],
        slow: true,
    },
    Bite {
        name: "quote-500",
        planted: "POST /api/v1/quick-entry/check answers 500 when the text holds a `'`",
        plant: dast::bite::plant_quote_500,
        gates: &[("dast", dast::bite::gate_on_copy, dast::bite::FINDINGS)],
        slow: true,
    },
    Bite {
        name: "vulnerable-binary",
        planted: "smallvec =0.6.13 in stj_core, built into the release binary with cargo auditable",
        plant: plant_vulnerable_crate,
        gates: &[(
            "sca-binary: cargo audit bin",
            bite_binary,
            "cargo audit found vulnerable crates in the binary",
        )],
        slow: true,
    },
];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let with_binary = args.iter().any(|a| a == "--with-binary");
    let names: Vec<&str> =
        args.iter().map(String::as_str).filter(|a| *a != "--with-binary").collect();
    for name in &names {
        anyhow::ensure!(
            BITES.iter().any(|b| b.name == *name),
            "unknown bite `{name}`; known: {}",
            BITES.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
        );
    }
    let chosen: Vec<&Bite> = BITES
        .iter()
        .filter(|b| if names.is_empty() { with_binary || !b.slow } else { names.contains(&b.name) })
        .collect();
    let mut report = Vec::new();
    for bite in chosen {
        note(format_args!("\n==> bite {}: planting {}", bite.name, bite.planted));
        let copy = scratch_copy(bite.name)?;
        (bite.plant)(&copy).with_context(|| format!("planting `{}` failed", bite.name))?;
        for (gate, check, expected) in bite.gates {
            note(format_args!("--> bite {}: running {gate} on {}", bite.name, copy.display()));
            let started = Instant::now();
            let result = check(&copy);
            let took = secs(started.elapsed());
            let line = match result {
                Err(err) if format!("{err:#}").contains(expected) => {
                    format!("{}: {gate} FAILED as it should, in {took}: {err:#}", bite.name)
                }
                Err(err) => {
                    anyhow::bail!("bite {}: {gate} failed for another reason: {err:#}", bite.name)
                }
                Ok(()) => anyhow::bail!("bite {}: {gate} PASSED on the planted copy", bite.name),
            };
            note(format_args!("<-- {line}"));
            report.push(line);
        }
    }
    note(format_args!("\ngates-bite: every gate bit\n{}", report.join("\n")));
    Ok(())
}

/// A fresh copy of the working tree's files (as git sees them, ignored files excluded).
fn scratch_copy(name: &str) -> anyhow::Result<PathBuf> {
    let root = project_root();
    let copy = sca::target_dir_of(&project_root()).join("bite").join(name);
    if copy.exists() {
        fs::remove_dir_all(&copy).with_context(|| format!("cannot remove {}", copy.display()))?;
    }
    let files = output(Command::new("git").current_dir(&root).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]))?;
    for file in files.split('\0').filter(|f| !f.is_empty()) {
        let from = root.join(file);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = copy.join(file);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::copy(&from, &to).with_context(|| format!("cannot copy {}", from.display()))?;
    }
    // Its own repository, as a fresh clone would be: tools that read .gitignore or anchor paths
    // at the repository root (semgrep) must not see main's `/target` rule above the copy.
    shell::run(Command::new("git").current_dir(&copy).args(["init", "--quiet"]))?;
    shell::run(Command::new("git").current_dir(&copy).args(["add", "--all"]))?;
    Ok(copy)
}

/// Adds `smallvec = "=0.6.13"` to stj_core and lets cargo resolve it into Cargo.lock.
fn plant_vulnerable_crate(copy: &Path) -> anyhow::Result<()> {
    let manifest = copy.join("crates/stj_core/Cargo.toml");
    let text = fs::read_to_string(&manifest)?;
    let planted = text.replacen(
        "[dependencies]\n",
        "[dependencies]\nsmallvec = \"=0.6.13\" # planted by gates-bite\n",
        1,
    );
    anyhow::ensure!(planted != text, "{} has no [dependencies] table", manifest.display());
    fs::write(&manifest, planted)?;
    shell::run(cargo().current_dir(copy).args(["fetch", "--quiet"]))
}

/// Moves every `review-by YYYY-MM-DD` in deny.toml into the past.
fn plant_expired_exception(copy: &Path) -> anyhow::Result<()> {
    let file = copy.join("deny.toml");
    let text = fs::read_to_string(&file)?;
    let mut planted = String::new();
    let mut rest = text.as_str();
    while let Some((before, after)) = rest.split_once("review-by ") {
        planted.push_str(before);
        planted.push_str("review-by 2000-01-01");
        rest = after.get(10..).context("a review-by without a date")?;
    }
    planted.push_str(rest);
    anyhow::ensure!(planted != text, "deny.toml has no dated exception to expire");
    fs::write(&file, planted)?;
    Ok(())
}

/// Appends a function that logs a JWT to a handler module.
fn plant_semgrep_line(copy: &Path) -> anyhow::Result<()> {
    let file = copy.join("crates/stj_http/src/handlers/api.rs");
    let mut text = fs::read_to_string(&file)?;
    text.push_str(
        "\n/// Planted by `cargo xtask gates-bite`.\n\
         pub(crate) fn planted(jwt: &str) {\n    tracing::info!(token = %jwt, \"verified\");\n}\n",
    );
    fs::write(&file, text)?;
    Ok(())
}

/// `sca-binary` on the copy, building into its own target directory (`$STJ_BITE_TARGET_DIR`,
/// default `target/bite-target`) so that main's `target/release` binary is never replaced by
/// the planted one.
fn bite_binary(copy: &Path) -> anyhow::Result<()> {
    let target = env_var("STJ_BITE_TARGET_DIR")
        .map_or_else(|| sca::target_dir_of(&project_root()).join("bite-target"), PathBuf::from);
    sca::binary_in(copy, &target)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plant edits source lines by their text: when the code they name changes, the bite would
    /// fail to plant only when someone runs it. Every plant must still apply to today's tree.
    #[test]
    fn every_plant_applies_to_the_current_tree() {
        for bite in BITES {
            let copy = scratch_copy(&format!("plant-check-{}", bite.name)).unwrap();
            (bite.plant)(&copy)
                .unwrap_or_else(|e| panic!("bite {} no longer plants: {e:#}", bite.name));
            fs::remove_dir_all(&copy).unwrap();
        }
    }
}
