//! `cargo xtask ci`: the checks CI runs, in order, each with a header and a timing, failing fast.
//!
//! The same command runs on a laptop, in `.ci/run` and in `.github/workflows/ci.yml`.

use std::time::Instant;

use anyhow::Context as _;

use crate::db;
use crate::shell::{self, cargo, note, secs};

type Step = fn() -> anyhow::Result<()>;

/// The steps, in order: cheap checks first so a formatting slip fails in seconds.
const STEPS: [(&str, Step); 3] = [("fmt", fmt), ("clippy", clippy), ("test", test)];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    anyhow::ensure!(args.is_empty(), "`ci` takes no arguments, got {args:?}");
    let started = Instant::now();
    let mut timings = Vec::new();
    for (n, (name, step)) in (1..).zip(STEPS) {
        note(format_args!("\n==> ci step {n}/{}: {name}", STEPS.len()));
        let step_started = Instant::now();
        step().with_context(|| {
            format!("ci step `{name}` failed after {}", secs(step_started.elapsed()))
        })?;
        let took = secs(step_started.elapsed());
        note(format_args!("<== {name} ok in {took}"));
        timings.push(format!("{name} {took}"));
    }
    note(format_args!("\nci passed in {} ({})", secs(started.elapsed()), timings.join(", ")));
    Ok(())
}

fn fmt() -> anyhow::Result<()> {
    shell::run(cargo().args(["fmt", "--all", "--", "--check"]))
        .context("formatting differs: run `cargo fmt --all` and commit the result")
}

fn clippy() -> anyhow::Result<()> {
    shell::run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
}

fn test() -> anyhow::Result<()> {
    // Held until the tests finish: a throwaway cluster stops when this drops.
    let postgres = db::discover()?;
    shell::run(cargo().args(["test", "--workspace"]).env("DATABASE_URL", postgres.url()))
}
