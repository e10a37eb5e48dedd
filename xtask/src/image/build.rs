//! Building the binary and the image, the SBOM, and auditing the binary inside the image.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use super::{Built, IMAGE_NAME, file_size};
use crate::shell::{self, cargo, has_program, note, output, target_dir};

/// The target triple named explicitly, so `+crt-static` applies to the binary and not to build
/// scripts, and the static build has its own directory beside `target/release`.
pub(super) const TARGET: &str = "x86_64-unknown-linux-gnu";
pub(super) const SBOM_FILE: &str = "subtask-templates.cdx.json";
const BIN: &str = "subtask-templates";
/// Features of the image build: never `sandbox`.
const FEATURES: &str = "bundled-sqlite";
const UID: &str = "65532";

/// `buildah` with the storage driver that works without kernel overlay support.
pub(super) fn buildah() -> Command {
    let mut cmd = Command::new("buildah");
    cmd.args(["--storage-driver", "vfs"]);
    cmd
}

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

/// Builds the image from scratch, commits it and writes the OCI archive.
pub(super) fn image(root: &Path, binary: &Path, out: &Path) -> anyhow::Result<Built> {
    let staged = out.join(BIN);
    // Debug sections off (the line tables are for local backtraces); the embedded dependency
    // list (`.dep-v0`) and the symbols stay.
    shell::run(Command::new("objcopy").arg("--strip-debug").arg(binary).arg(&staged))?;
    let passwd = out.join("passwd");
    fs::write(&passwd, format!("nonroot:x:{UID}:{UID}:nonroot:/nonexistent:/sbin/nologin\n"))?;
    let group = out.join("group");
    fs::write(&group, format!("nonroot:x:{UID}:\n"))?;
    let rds_ca = rds_ca_bundle(root, out)?;

    let container = Container::from("scratch")?;
    let ctr = container.name.as_str();
    let copy = |mode: &str, sources: &[&Path], dest: &str| {
        shell::run(
            buildah()
                .args(["copy", "--chown", "0:0", "--chmod", mode, ctr])
                .args(sources)
                .arg(dest),
        )
    };
    copy("0555", &[&staged], "/app/subtask-templates")?;
    // Only the production layers: local.toml enables the sandbox with a development key.
    let config = root.join("config");
    copy("0444", &[&config.join("base.toml"), &config.join("production.toml")], "/app/config/")?;
    copy("0444", &[&rds_ca], "/app/certs/rds-ca.pem")?;
    copy("0444", &[Path::new("/etc/ssl/certs/ca-certificates.crt")], "/etc/ssl/certs/")?;
    copy("0444", &[&passwd], "/etc/passwd")?;
    copy("0444", &[&group], "/etc/group")?;
    shell::run(buildah().args(["config", "--user", &format!("{UID}:{UID}")]).args([
        "--workingdir",
        "/app",
        "--env",
        "APP_ENVIRONMENT=production",
        "--env",
        "APP_CONFIG_DIR=/app/config",
        "--entrypoint",
        r#"["/app/subtask-templates"]"#,
        "--cmd",
        "serve",
        "--port",
        "8080/tcp",
        "--os",
        "linux",
        "--arch",
        "amd64",
        "--label",
        "org.opencontainers.image.title=subtask-templates",
        ctr,
    ]))?;
    let reference = format!("{IMAGE_NAME}:latest");
    shell::run(buildah().args(["commit", "--squash", "--rm", ctr, &reference]))?;
    container.committed();
    // The previous build's image is now untagged: drop it (vfs keeps full copies of each).
    drop(output(buildah().args(["rmi", "--prune"])));

    let archive = out.join("subtask-templates.oci.tar");
    drop(fs::remove_file(&archive));
    let digest_file = out.join("digest");
    shell::run(
        buildah()
            .args(["push", "--digestfile"])
            .arg(&digest_file)
            .arg(&reference)
            .arg(format!("oci-archive:{}:subtask-templates:latest", archive.display())),
    )?;
    let digest = fs::read_to_string(&digest_file)?.trim().to_owned();
    let rootfs = Container::from(&reference)?;
    let rootfs_bytes = dir_size(&rootfs.mount()?)?;
    Ok(Built {
        reference,
        digest,
        archive_bytes: file_size(&archive)?,
        archive,
        rootfs_bytes,
        binary_bytes: file_size(&staged)?,
    })
}

/// `docker/rds-ca.pem` (RDS's eu-west-1 bundle, committed by the operator: docs/runbook.md), or
/// an empty placeholder with a warning: production start-up then refuses to connect.
fn rds_ca_bundle(root: &Path, out: &Path) -> anyhow::Result<PathBuf> {
    let bundle = root.join("docker").join("rds-ca.pem");
    if bundle.is_file() {
        return Ok(bundle);
    }
    note(
        "image: WARNING docker/rds-ca.pem is missing: the image carries an empty \
         /app/certs/rds-ca.pem and refuses to start against RDS until it is added \
         (docs/runbook.md, \"RDS CA bundle\")",
    );
    let placeholder = out.join("rds-ca.pem");
    fs::write(&placeholder, "")?;
    Ok(placeholder)
}

/// The CycloneDX SBOM of the image's binary; returns its component count.
pub(super) fn sbom(root: &Path, out: &Path) -> anyhow::Result<usize> {
    anyhow::ensure!(
        has_program("cargo-cyclonedx"),
        "cargo-cyclonedx is missing: run `cargo xtask tools`"
    );
    let manifest = root.join("crates").join("stj_server").join("Cargo.toml");
    shell::run(
        cargo()
            .current_dir(root)
            .args(["cyclonedx", "--manifest-path"])
            .arg(&manifest)
            .args(["--format", "json", "--target", TARGET, "--features", FEATURES])
            // What ships: build scripts and proc-macros run at build time only.
            .args(["--no-build-deps", "--override-filename", "subtask-templates.cdx"]),
    )?;
    let written = root.join("crates").join("stj_server").join(SBOM_FILE);
    let target = out.join(SBOM_FILE);
    fs::rename(&written, &target)
        .or_else(|_| fs::copy(&written, &target).map(drop))
        .with_context(|| format!("cargo cyclonedx left no {}", written.display()))?;
    // It writes one beside every workspace member's manifest; only the server's is kept.
    for dir in ["crates", "tools", "."] {
        // `.` covers xtask/.
        for entry in fs::read_dir(root.join(dir))?.flatten() {
            drop(fs::remove_file(entry.path().join(SBOM_FILE)));
        }
    }
    let text = fs::read_to_string(&target)?;
    let sbom: serde_json::Value = serde_json::from_str(&text).context("SBOM is not JSON")?;
    let components = sbom.get("components").and_then(|c| c.as_array()).map_or(0, Vec::len);
    anyhow::ensure!(components > 0, "the SBOM lists no components");
    Ok(components)
}

/// `cargo audit bin` on the binary read back out of the image (what ships, not what was built).
pub(super) fn audit_image_binary(root: &Path, built: &Built) -> anyhow::Result<()> {
    let container = Container::from(&built.reference)?;
    let rootfs = container.mount()?;
    let inside = rootfs.join("app").join(BIN);
    let copy = target_dir().join("image").join("subtask-templates.from-image");
    fs::copy(&inside, &copy).with_context(|| format!("cannot read {}", inside.display()))?;
    drop(container);
    crate::sca::audit_binary(root, &copy)
}

fn dir_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0_u64;
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            total = total.saturating_add(dir_size(&entry.path())?);
        } else if kind.is_file() {
            total = total.saturating_add(entry.metadata()?.len());
        }
    }
    Ok(total)
}

/// A buildah working container, removed on drop (unless committed with `--rm`).
#[derive(Debug)]
pub(super) struct Container {
    pub(super) name: String,
    removed: std::cell::Cell<bool>,
}

impl Container {
    pub(super) fn from(image: &str) -> anyhow::Result<Self> {
        let name = output(buildah().args(["from", "--pull=never", image]))?.trim().to_owned();
        anyhow::ensure!(!name.is_empty(), "buildah from {image} named no container");
        Ok(Self { name, removed: std::cell::Cell::new(false) })
    }

    /// The container's root filesystem on the host (root only; rootless needs `buildah unshare`).
    pub(super) fn mount(&self) -> anyhow::Result<PathBuf> {
        let path = output(buildah().args(["mount", &self.name]))?.trim().to_owned();
        Ok(PathBuf::from(path))
    }

    fn committed(&self) {
        self.removed.set(true);
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        if !self.removed.get() {
            drop(output(buildah().args(["rm", &self.name])));
        }
    }
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
