//! Process and output helpers shared by every subcommand.
//!
//! All human-readable output goes to stderr through `note`; only machine-readable results
//! (such as `dev-db`'s URL) go to stdout through `emit`.

use std::fmt::Display;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context as _;

/// The workspace root: the parent of `xtask/`.
pub(crate) fn project_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// A `cargo` command run from the workspace root, with the cargo that runs xtask.
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(env_var("CARGO").unwrap_or_else(|| "cargo".to_owned()));
    cmd.current_dir(project_root());
    cmd
}

/// Cargo's target directory: `CARGO_TARGET_DIR` (relative to the workspace root) or `target/`.
pub(crate) fn target_dir() -> PathBuf {
    let root = project_root();
    env_var("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

/// A port on 127.0.0.1 that nothing listened on a moment ago.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("failed to find a free port")?;
    Ok(listener.local_addr().context("failed to find a free port")?.port())
}

/// Reads an environment variable; empty counts as unset.
#[expect(
    clippy::disallowed_methods,
    reason = "xtask is dev tooling: it reads CARGO and DATABASE_URL, never app configuration"
)]
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Human-readable progress and errors, on stderr.
#[expect(clippy::print_stderr, reason = "xtask's single channel for progress output")]
pub(crate) fn note(msg: impl Display) {
    eprintln!("{msg}");
}

/// A machine-readable result, on stdout.
#[expect(clippy::print_stdout, reason = "xtask's single channel for results meant for scripts")]
pub(crate) fn emit(msg: impl Display) {
    println!("{msg}");
}

/// Runs `cmd` with inherited stdio after echoing it; a non-zero exit is an error.
pub(crate) fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let line = describe(cmd);
    note(format_args!("$ {line}"));
    let status = cmd.status().with_context(|| format!("failed to start `{line}`"))?;
    anyhow::ensure!(status.success(), "`{line}` failed ({status})");
    Ok(())
}

/// Runs `cmd` quietly and returns its stdout; on failure the error carries its output.
pub(crate) fn output(cmd: &mut Command) -> anyhow::Result<String> {
    let line = describe(cmd);
    let out =
        cmd.stdin(Stdio::null()).output().with_context(|| format!("failed to start `{line}`"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        anyhow::bail!(
            "`{line}` failed ({}):\n{}{}",
            out.status,
            stdout.trim_end(),
            stderr.trim_end()
        );
    }
    Ok(stdout)
}

/// Whether a program with this name or path can be started at all.
pub(crate) fn has_program(program: impl AsRef<std::ffi::OsStr>) -> bool {
    let program = Path::new(program.as_ref());
    if program.components().count() > 1 {
        return program.is_file();
    }
    env_var("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// A child process that is killed and reaped when this is dropped, so that no path out of a
/// command, error or not, leaves it running.
#[derive(Debug)]
pub(crate) struct Background {
    name: String,
    child: Child,
}

impl Background {
    /// Starts `cmd` (after echoing it) as `name`.
    pub(crate) fn spawn(name: &str, cmd: &mut Command) -> anyhow::Result<Self> {
        let line = describe(cmd);
        note(format_args!("$ {line} &"));
        let child = cmd
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("failed to start `{line}`"))?;
        Ok(Self { name: name.to_owned(), child })
    }

    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// The child's stdout, if it was piped and not taken yet.
    pub(crate) fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }

    /// An error if the process has already exited.
    pub(crate) fn ensure_running(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait().with_context(|| format!("cannot check on {}", self.name))? {
            None => Ok(()),
            Some(status) => anyhow::bail!("{} exited early ({status})", self.name),
        }
    }

    /// Kills the process (`SIGKILL`, unless it has exited) and reaps it.
    fn kill_and_wait(&mut self) -> anyhow::Result<()> {
        if self.child.try_wait()?.is_none() {
            self.child.kill().with_context(|| format!("cannot stop {}", self.name))?;
            self.child.wait()?;
        }
        Ok(())
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Err(err) = self.kill_and_wait() {
            note(format_args!("{}: {err:#}", self.name));
        }
    }
}

/// `1.2s`, for step timings.
pub(crate) fn secs(elapsed: Duration) -> String {
    format!("{:.1}s", elapsed.as_secs_f64())
}

/// The command line as a shell would show it, with URL passwords hidden.
pub(crate) fn describe(cmd: &Command) -> String {
    let envs = cmd.get_envs().filter_map(|(key, value)| {
        value.map(|value| {
            format!("{}={}", key.to_string_lossy(), redact_url(&value.to_string_lossy()))
        })
    });
    let program = std::iter::once(cmd.get_program().to_string_lossy().into_owned());
    let args = cmd.get_args().map(|arg| redact_url(&arg.to_string_lossy()));
    envs.chain(program).chain(args).collect::<Vec<_>>().join(" ")
}

/// Hides the password of a `scheme://user:password@host` URL; other text is returned as is.
pub(crate) fn redact_url(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else { return text.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else { return text.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::redact_url;

    #[test]
    fn redact_url_hides_only_the_password() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db?x=1"),
            "postgres://u:***@h:5432/db?x=1"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact_url("--workspace"), "--workspace");
    }
}
