//! The static, auditable release binary the image carries, and the checks it must pass before it
//! goes in: statically linked, and no Jira sandbox.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

#[cfg(test)]
use crate::shell::output;
use crate::shell::{self, cargo, has_program, note, target_dir};

/// The target triple named explicitly, so `+crt-static` applies to the binary and not to build
/// scripts, and the static build has its own directory beside `target/release`.
pub(super) const TARGET: &str = "x86_64-unknown-linux-gnu";
pub(super) const BIN: &str = "subtask-templates";
/// Features of the image build: never `sandbox`.
pub(super) const FEATURES: &str = "bundled-sqlite";

/// The static, auditable release binary (built unless `build` is false).
pub(super) fn binary(root: &Path, build: bool) -> anyhow::Result<PathBuf> {
    if build {
        anyhow::ensure!(
            has_program("cargo-auditable"),
            "cargo-auditable is missing: run `cargo xtask tools`"
        );
        let mut cmd = cargo();
        cmd.current_dir(root)
            .args(["auditable", "build", "--release", "--locked", "-p", "stj_server"])
            .args(["--bin", BIN, "--features", FEATURES, "--target", TARGET])
            .env("RUSTFLAGS", "-C target-feature=+crt-static");
        shell::run(&mut cmd)?;
    }
    let binary = target_dir().join(TARGET).join("release").join(BIN);
    anyhow::ensure!(binary.is_file(), "no binary at {}", binary.display());
    Ok(binary)
}

/// Statically linked (no ELF interpreter: nothing to load from a `FROM scratch` image), and
/// no Jira sandbox linked in.
pub(super) fn check_binary(binary: &Path) -> anyhow::Result<()> {
    let bytes = fs::read(binary).with_context(|| format!("cannot read {}", binary.display()))?;
    anyhow::ensure!(
        !has_interpreter(&bytes)?,
        "{} is dynamically linked; the image has no shared objects",
        binary.display()
    );
    anyhow::ensure!(
        !has_sandbox(&bytes),
        "{} links the Jira sandbox (stj_jira_sandbox); the image build must not enable the \
         `sandbox` feature",
        binary.display()
    );
    note("image: the binary is static and has no Jira sandbox");
    Ok(())
}

/// The same check as `stj_server`'s `tests/it/no_sandbox.rs`: a linked crate leaves its name
/// in the binary (module paths of log events, panic locations), stripped or not.
pub(super) fn has_sandbox(bytes: &[u8]) -> bool {
    let needle = b"stj_jira_sandbox";
    bytes.windows(needle.len()).any(|window| window == needle)
}

/// Whether a 64-bit little-endian ELF file has a `PT_INTERP` program header.
fn has_interpreter(elf: &[u8]) -> anyhow::Result<bool> {
    anyhow::ensure!(elf.get(..4) == Some(b"\x7fELF".as_slice()), "not an ELF file");
    let read = |at: usize, len: usize| -> anyhow::Result<u64> {
        let end = at.checked_add(len).context("ELF offset overflow")?;
        let raw = elf.get(at..end).context("truncated ELF header")?;
        Ok(raw.iter().rev().fold(0_u64, |acc, byte| (acc << 8) | u64::from(*byte)))
    };
    let phoff = usize::try_from(read(0x20, 8)?)?;
    let phentsize = usize::try_from(read(0x36, 2)?)?;
    let phnum = usize::try_from(read(0x38, 2)?)?;
    for index in 0..phnum {
        let at = index.checked_mul(phentsize).and_then(|o| o.checked_add(phoff));
        let at = at.context("ELF program header offset overflow")?;
        if read(at, 4)? == 3 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The crates the image build links (`cargo tree`, normal dependencies, the image's features
/// and target), one package name a line.
#[cfg(test)]
fn linked_crates(features: &str) -> anyhow::Result<Vec<String>> {
    let tree = output(
        cargo()
            .args(["tree", "--locked", "--offline", "-p", "stj_server", "-e", "normal"])
            .args(["--features", features, "--target", TARGET, "--prefix", "none"])
            .args(["--format", "{p}"]),
    )?;
    Ok(tree.lines().filter_map(|line| line.split_whitespace().next()).map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::{FEATURES, has_interpreter, has_sandbox, linked_crates};

    /// Before any build: the production build's dependency graph has no sandbox; with the
    /// `sandbox` feature (what `cargo xtask dev` and `ui` build) it has.
    #[test]
    fn the_image_build_does_not_link_the_sandbox() {
        let image = linked_crates(FEATURES).unwrap();
        assert!(image.iter().any(|name| name == "stj_http"), "cargo tree was misread: {image:?}");
        assert!(!image.iter().any(|name| name == "stj_jira_sandbox"));
        let dev = linked_crates(&format!("{FEATURES},sandbox")).unwrap();
        assert!(dev.iter().any(|name| name == "stj_jira_sandbox"));
    }

    #[test]
    fn the_binary_checks_see_what_they_look_for() {
        // This test program is dynamically linked: it has an interpreter.
        let this = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(has_interpreter(&this).unwrap());
        assert!(has_interpreter(b"not an elf").is_err());
        assert!(has_sandbox(b"..stj_jira_sandbox::server.."));
        assert!(!has_sandbox(b"stj_jira::rest"));
    }
}
