//! Building the image from scratch around the binary, committing it and writing the OCI archive.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use super::binary::BIN;
use super::container::{Container, buildah};
use super::{Built, IMAGE_NAME, file_size};
use crate::shell::{self, note, output};

const UID: &str = "65532";

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
