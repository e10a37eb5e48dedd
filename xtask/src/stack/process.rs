//! The app's and the sandbox's processes: where their binaries are, where their output goes, and
//! waiting until one answers.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::shell::{self, Background};

/// Long enough for a debug build's first RSA key (the in-process sandbox) on a loaded machine.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// The binary `name` in `bin_dir` (`target/release`, `target/debug`).
pub(crate) fn exe(bin_dir: &Path, name: &str) -> PathBuf {
    bin_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Points `cmd`'s stdout and stderr at `path`, emptied first.
pub(crate) fn log_to(cmd: &mut Command, path: &Path) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let copy = file.try_clone().with_context(|| format!("cannot share {}", path.display()))?;
    cmd.stdout(Stdio::from(file)).stderr(Stdio::from(copy));
    Ok(())
}

/// Polls `url` until it answers 200, `process` dies, or [`READY_TIMEOUT`] passes.
pub(crate) fn wait_ready(
    agent: &ureq::Agent,
    process: &mut Background,
    url: &str,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    while started.elapsed() < READY_TIMEOUT {
        process.ensure_running()?;
        match agent.get(url).call() {
            Ok(response) if response.status().as_u16() == 200 => return Ok(()),
            Ok(response) => last = format!("status {}", response.status()),
            Err(err) => last = err.to_string(),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    anyhow::bail!("{url} did not answer 200 within {} ({last})", shell::secs(READY_TIMEOUT))
}
