//! `cargo xtask <command>`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! Each subcommand is a module with a `run(args)` function and one arm in `main`'s match.
//! The tidy checks (`tidy`) are `#[test]`s, so `cargo test --workspace` runs them too.

mod ci;
mod db;
mod dev_db;
mod shell;
#[cfg(test)]
mod tidy;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  ci        cargo fmt --check, clippy -D warnings, cargo test (with a PostgreSQL), failing fast
  dev-db    print a DATABASE_URL for a reachable PostgreSQL, starting one under target/ if needed;
            `dev-db stop` stops the one it started";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("", &[][..]),
    };
    let res = match command {
        "ci" => ci::run(rest),
        "dev-db" => dev_db::run(rest),
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
