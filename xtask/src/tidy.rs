//! Tidy checks, run by `cargo test`: the dependency rule between crates (`layering`),
//! `[lints] workspace = true` in every crate, a crate doc at the top of every `lib.rs`,
//! and no ignored or should-panic tests anywhere in the tree.

mod layering;
mod security;
mod workspace;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::shell::project_root;
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
fn no_ignored_or_should_panic_tests() {
    let mut files = Vec::new();
    rust_files(&project_root(), &mut files);
    assert!(files.len() > 1, "found no Rust files under {}", project_root().display());
    let hits: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let source = fs::read_to_string(file).unwrap();
            forbidden_attributes(&source)
                .into_iter()
                .map(|(line, attr)| format!("{}:{line}: {attr}", file.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        hits.is_empty(),
        "tests must run and must not panic: make them fail with a clear message or return \
         a Result instead:\n{}",
        hits.join("\n")
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

    let source = format!("fn a() {{}}\n{}]\n{} = \"slow\"]\n", FORBIDDEN[0], FORBIDDEN[0]);
    assert_eq!(forbidden_attributes(&source), [(2, FORBIDDEN[0]), (3, FORBIDDEN[0])]);
    let source = format!("{}(expected = \"boom\")]\n{}_later]\n", FORBIDDEN[1], FORBIDDEN[0]);
    assert_eq!(forbidden_attributes(&source), [(1, FORBIDDEN[1])]);
}

/// Spelled in two halves so this file does not trip its own check.
const FORBIDDEN: [&str; 2] = [concat!("#[", "ignore"), concat!("#[", "should_panic")];

/// `(line number, attribute)` for each forbidden test attribute in `source`.
fn forbidden_attributes(source: &str) -> Vec<(usize, &'static str)> {
    let mut hits = Vec::new();
    for (line_number, line) in (1..).zip(source.lines()) {
        for attr in FORBIDDEN {
            let found = line.match_indices(attr).any(|(at, _)| {
                let rest = line.get(at..).and_then(|rest| rest.strip_prefix(attr)).unwrap_or("");
                !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if found {
                hits.push((line_number, attr));
            }
        }
    }
    hits
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

/// Every `.rs` file under `dir`, skipping `target/`, `node_modules/` and hidden folders.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                rust_files(&path, files);
            }
        } else if name.ends_with(".rs") {
            files.push(path);
        }
    }
}
