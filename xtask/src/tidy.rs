//! Tidy checks, run by `cargo test`: the dependency rule between crates (`layering`),
//! `[lints] workspace = true` in every crate, a crate doc at the top of every `lib.rs`,
//! no ignored or should-panic tests anywhere in the tree (`test_attributes`), and small files
//! (`file_sizes`).

mod file_sizes;
mod layering;
mod security;
mod test_attributes;
mod workspace;

use std::fs;
use std::sync::OnceLock;

use crate::tidy::workspace::Workspace;

/// The workspace, read once per test run.
fn workspace() -> &'static Workspace {
    static WORKSPACE: OnceLock<Workspace> = OnceLock::new();
    WORKSPACE.get_or_init(|| Workspace::load().unwrap())
}

#[test]
fn every_crate_uses_workspace_lints() {
    let missing: Vec<String> = workspace()
        .members
        .values()
        .filter(|member| !has_workspace_lints(&fs::read_to_string(&member.manifest).unwrap()))
        .map(|member| member.manifest.display().to_string())
        .collect();
    assert!(missing.is_empty(), "add `[lints]\\nworkspace = true` to:\n{}", missing.join("\n"));
}

#[test]
fn every_lib_starts_with_a_crate_doc() {
    let missing: Vec<String> = workspace()
        .members
        .values()
        .filter_map(|member| member.lib.as_ref())
        .filter(|lib| !starts_with_crate_doc(&fs::read_to_string(lib).unwrap()))
        .map(|lib| lib.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "start these with a `//!` crate doc or `#![doc = include_str!(\"../README.md\")]`:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_file_checks_can_bite() {
    assert!(has_workspace_lints("[package]\nname = \"a\"\n\n[lints]\nworkspace = true\n"));
    assert!(has_workspace_lints("lints.workspace = true # inherit\n"));
    assert!(!has_workspace_lints("[lints]\n\n[dependencies]\nworkspace = true\n"));

    assert!(starts_with_crate_doc("\n//! Docs.\nmod a;\n"));
    assert!(starts_with_crate_doc("#![doc = include_str!(\"../README.md\")]\n"));
    assert!(!starts_with_crate_doc("mod a;\n//! Late.\n"));
}

fn has_workspace_lints(manifest: &str) -> bool {
    let mut in_lints = false;
    for line in manifest.lines() {
        let code: String = line
            .split('#')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if code.starts_with('[') {
            in_lints = code == "[lints]";
        } else if code == "lints.workspace=true" || (in_lints && code == "workspace=true") {
            return true;
        }
    }
    false
}

fn starts_with_crate_doc(source: &str) -> bool {
    source
        .lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty())
        .is_some_and(|line| line.starts_with("//!") || line.starts_with("#![doc"))
}
