//! No ignored or should-panic tests anywhere in the tree: a test runs, and fails with a clear
//! message or returns a `Result` rather than expecting a panic.

use std::fs;
use std::path::{Path, PathBuf};

use crate::shell::project_root;

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
fn the_attribute_check_can_bite() {
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
