//! The distribution's PostgreSQL server binaries our own cluster is made with.

use std::fs;
use std::path::PathBuf;

/// Where distribution packages put the server binaries, one folder per major version.
const SERVER_BIN_ROOT: &str = "/usr/lib/postgresql";
const SERVER_TOOLS: [&str; 3] = ["initdb", "pg_ctl", "createdb"];

/// The newest `/usr/lib/postgresql/<version>/bin` holding every tool we need.
pub(super) fn server_bin_dir() -> anyhow::Result<PathBuf> {
    let mut complete = Vec::new();
    let mut incomplete = Vec::new();
    if let Ok(entries) = fs::read_dir(SERVER_BIN_ROOT) {
        for entry in entries.flatten() {
            let bin = entry.path().join("bin");
            let missing: Vec<&str> =
                SERVER_TOOLS.into_iter().filter(|tool| !bin.join(tool).is_file()).collect();
            let version = entry.file_name().to_string_lossy().parse::<u32>().unwrap_or(0);
            if missing.is_empty() {
                complete.push((version, bin));
            } else {
                incomplete.push(format!("{} lacks {}", bin.display(), missing.join(", ")));
            }
        }
    }
    complete.sort();
    if let Some((_version, bin)) = complete.pop() {
        return Ok(bin);
    }
    let found = if incomplete.is_empty() { "found none".to_owned() } else { incomplete.join("; ") };
    anyhow::bail!(
        "no PostgreSQL to use: DATABASE_URL is unset or unreachable, nothing answers at \
         127.0.0.1:5432, and there are no server binaries to start one with (need {} in \
         {SERVER_BIN_ROOT}/<version>/bin; {found}); install them with `apt-get install \
         postgresql`, or point DATABASE_URL at a running server",
        SERVER_TOOLS.join(", ")
    )
}
