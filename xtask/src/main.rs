//! `cargo xtask <command>`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! Each subcommand is a module with a `run(args)` function and one arm in `main`'s match.
//! The tidy checks (`tidy`) are `#[test]`s, so `cargo test --workspace` runs them too.
#![expect(
    clippy::disallowed_methods,
    reason = "xtask is where processes are started (clippy.toml)"
)]

mod bench;
mod bite;
mod ci;
mod dast;
mod db;
mod dev;
mod dev_db;
mod forge;
mod iac;
mod image;
mod openapi;
mod sast;
mod sca;
mod shell;
mod stack;
#[cfg(test)]
mod tidy;
mod tools;
mod ui;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  dev       run the app locally (config/local.toml): migrate .local/stj.sqlite, then serve on
            127.0.0.1:8080 with the Jira sandbox on 127.0.0.1:8081, installed; Ctrl-C stops it
  ci        every gate, in order, failing fast: tools, fmt, clippy -D warnings, semgrep (SAST),
            cargo test (with a PostgreSQL), cargo deny + cargo audit (SCA, offline RustSec
            snapshot), cargo audit bin on the auditable release binary, checkov (IaC), the image (buildah)
  tools     install the gate tools at pinned versions when missing (cargo install; one Python
            venv in $STJ_TOOLS_DIR or ~/.cache/stj-tools); `ci` runs it first
  gates-bite [NAME ...] [--with-binary]: in scratch copies under target/bite/, plant a
            vulnerable crate and a semgrep-matching line and show the gates failing
  bench     [--only edge|subtasks] [--seconds N] [--threads N] [--warmup N] [--rounds N]:
            release build; edge: req/s and p50/p99 of GET /api/v1/context (JWT) against
            GET /healthz, their ratio (target >= 80%) and the app's peak RSS
            (target/bench/edge.json); subtasks: one apply of 200 subtasks with 50 ms added to
            every Jira call, wall time against the ideal (target <= 1.15x) and the Jira calls
            by route (target/bench/subtasks.json)
  dast      [--app-port N] [--sandbox-port N] [--dir DIR] [--examples N] [--seed N] [--keep]:
            release build, app + Jira sandbox on 127.0.0.1, installed; schemathesis over
            openapi/openapi.yaml with valid, no and tampered tokens (`dast --help`)
  image     [--no-build] [--no-smoke]: the production image with buildah (FROM scratch, static
            auditable binary, CA roots, production config, uid 65532), SBOM (cargo-cyclonedx),
            cargo audit bin on the binary in the image, then the smoke test: the image's root
            read-only, /healthz and /readyz over HTTPS against a TLS PostgreSQL (needs root)
  ui        [NAME ...] [--grep=PATTERN] [--door=connect|forge] [--keep]: browser tests
            (ui/tests/NAME.test.mjs) in headless Chromium against the app + Jira sandbox as `dev`
            starts them, through the sandbox's host pages, once per door (Connect iframes, then the
            Forge app's Custom UI); screenshots, axe results and timings in target/ui/
  forge-build  the Forge Custom UI (target/forge/custom-ui/<resource>/): the front end with the
            host seam's Forge flavour and @forge/bridge bundled by esbuild (forge/package.json)
  forge-check  forge-build, then forge/manifest.yml through @forge/manifest's validators and
            the tests that broken manifests fail them (ci step `forge`)
  dev-db    print a DATABASE_URL for a reachable PostgreSQL, starting one under target/ if needed;
            `dev-db stop` stops the one it started";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("", &[][..]),
    };
    let res = match command {
        "dev" => dev::run(rest),
        "ci" => ci::run(rest),
        "tools" => tools::run(rest),
        "gates-bite" => bite::run(rest),
        "dast" => dast::run(rest),
        "bench" => bench::run(rest),
        "dev-db" => dev_db::run(rest),
        "image" => image::run(rest),
        "ui" => ui::run(rest),
        "forge-build" => forge::build(rest),
        "forge-check" => forge::check(rest),
        "" | "help" | "-h" | "--help" => {
            shell::note(USAGE);
            return ExitCode::SUCCESS;
        }
        other => Err(anyhow::format_err!("unknown command `{other}`\n\n{USAGE}")),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            shell::note(format_args!("\nxtask {command}: error: {err:#}"));
            ExitCode::FAILURE
        }
    }
}
