//! SECURITY.md as a contract: each row of its "Policy commitments" table names the code that
//! keeps the commitment and the test or gate that proves it. These checks fail `cargo test`
//! (and so `cargo xtask ci`) when a row names a test that does not exist, a ci step that does
//! not exist or a file that is gone, or when a row has no proof at all. They also hold the two
//! Terraform validations the policy rests on (eu-west-1 only, logs kept at least 365 days).

use std::fs;

use crate::ci::STEPS;
use crate::shell::project_root;

/// The rows of the table: (commitment, every backticked reference in the row).
fn rows() -> Vec<(String, Vec<String>)> {
    let text = fs::read_to_string(project_root().join("SECURITY.md")).unwrap();
    let section =
        text.split("## Policy commitments").nth(1).expect("a \"Policy commitments\" section");
    let section = section.split("\n## ").next().unwrap_or_default();
    section
        .lines()
        .filter(|line| {
            line.starts_with('|') && !line.starts_with("|--") && !line.starts_with("| Commitment")
        })
        .map(|line| {
            let commitment = line.split('|').nth(1).unwrap_or_default().trim().to_owned();
            let refs = line.split('`').skip(1).step_by(2).map(str::to_owned).collect();
            (commitment, refs)
        })
        .collect()
}

/// What is wrong with one reference, if anything.
fn problem(reference: &str) -> Option<String> {
    let root = project_root();
    if let Some(step) = reference.strip_prefix("ci:") {
        return (!STEPS.iter().any(|(name, _)| *name == step))
            .then(|| format!("`{reference}`: no such `cargo xtask ci` step"));
    }
    if let Some((file, test)) = reference.split_once("::") {
        let Ok(source) = fs::read_to_string(root.join(file)) else {
            return Some(format!("`{reference}`: no file {file}"));
        };
        return (!source.contains(&format!("fn {test}(")))
            .then(|| format!("`{reference}`: no test `{test}` in {file}"));
    }
    let looks_like_path = reference.contains('/')
        || [".rs", ".tf", ".md", ".toml", ".yml", ".yaml"]
            .iter()
            .any(|ext| reference.ends_with(ext));
    (looks_like_path && !root.join(reference).exists())
        .then(|| format!("`{reference}`: no such file"))
}

#[test]
fn every_commitment_names_proof_that_exists() {
    let rows = rows();
    assert!(rows.len() >= 20, "the table lists {} commitments; the policy has more", rows.len());
    let mut problems = Vec::new();
    for (commitment, refs) in &rows {
        let proofs = refs.iter().filter(|r| r.starts_with("ci:") || r.contains("::")).count();
        if proofs == 0 {
            problems
                .push(format!("\"{commitment}\": names no test (`file::fn`) or gate (`ci:step`)"));
        }
        problems.extend(refs.iter().filter_map(|r| problem(r)));
    }
    assert!(problems.is_empty(), "SECURITY.md's table:\n{}", problems.join("\n"));
}

#[test]
fn a_missing_test_or_step_is_caught() {
    assert!(problem("crates/stj_server/tests/it/headers.rs::no_such_test").is_some());
    assert!(problem("ci:no-such-step").is_some());
    assert!(problem("infra/no-such.tf").is_some());
    assert!(problem("ci:test").is_none());
}

#[test]
fn terraform_pins_the_region_and_a_year_of_logs() {
    let variables = fs::read_to_string(project_root().join("infra/variables.tf")).unwrap();
    assert!(variables.contains("condition     = var.region == \"eu-west-1\""), "region validation");
    assert!(
        variables.contains("condition     = var.log_retention_days >= 365"),
        "log retention validation"
    );
}
