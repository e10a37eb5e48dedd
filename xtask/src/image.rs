//! `cargo xtask image`: the production image, built and run on this machine.
//!
//! 1. `cargo auditable build --release` of `stj_server` as a static-pie binary
//!    (`+crt-static`, SQLite from source), without the `sandbox` feature;
//! 2. checks on that binary: statically linked, no Jira sandbox inside;
//! 3. an OCI image with buildah, `FROM scratch`: the binary (debug info stripped), CA roots,
//!    `/app/config` with the production layers only, `/app/certs/rds-ca.pem` (RDS's bundle from
//!    `docker/rds-ca.pem`, see docs/runbook.md), uid 65532, no shell;
//! 4. `target/image/`: the OCI archive, the CycloneDX SBOM (cargo-cyclonedx), `image.json`
//!    (sizes, digest, SBOM component count);
//! 5. `cargo audit bin` on the binary read back out of the image;
//! 6. the smoke test (`image::smoke`): the image's root filesystem, mounted read-only, serves
//!    `/healthz` and `/readyz` over HTTPS against a TLS PostgreSQL with verify-full.
//!
//! The one recipe for the image: the GitHub workflow runs this same command.

mod binary;
mod build;
mod container;
mod sbom;
mod smoke;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::shell::{note, project_root, target_dir};

/// The image's upper bound (uncompressed root filesystem).
const MAX_IMAGE_BYTES: u64 = 30 * 1024 * 1024;
pub(crate) const IMAGE_NAME: &str = "localhost/subtask-templates";

#[derive(Debug, Default)]
struct Options {
    /// Reuse the binary already built (`target/x86_64-unknown-linux-gnu/release`).
    no_build: bool,
    /// Build only; no smoke test (it needs root for mount and chroot).
    no_smoke: bool,
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let mut options = Options::default();
    for arg in args {
        match arg.as_str() {
            "--no-build" => options.no_build = true,
            "--no-smoke" => options.no_smoke = true,
            other => anyhow::bail!("`image` takes --no-build and --no-smoke, not {other:?}"),
        }
    }
    image(&options)
}

/// The `ci` step: build, audit and smoke-test the image.
pub(crate) fn ci() -> anyhow::Result<()> {
    image(&Options::default())
}

fn image(options: &Options) -> anyhow::Result<()> {
    let root = project_root();
    let out = target_dir().join("image");
    fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let binary = binary::binary(&root, !options.no_build)?;
    binary::check_binary(&binary)?;
    let built = build::image(&root, &binary, &out)?;
    note(format_args!(
        "image: {} {}; root filesystem {:.1} MB, OCI archive {:.1} MB, binary {:.1} MB",
        built.reference,
        built.digest,
        mb(built.rootfs_bytes),
        mb(built.archive_bytes),
        mb(built.binary_bytes),
    ));
    anyhow::ensure!(
        built.rootfs_bytes <= MAX_IMAGE_BYTES,
        "the image is {:.1} MB, over the {:.0} MB bound",
        mb(built.rootfs_bytes),
        mb(MAX_IMAGE_BYTES)
    );
    if options.no_smoke {
        note("image: smoke test skipped (--no-smoke)");
    } else {
        smoke::run(&built)?;
    }
    let sbom_components = sbom::sbom(&root, &out)?;
    sbom::audit_image_binary(&root, &built)?;
    let summary = serde_json::json!({
        "image": built.reference,
        "digest": built.digest,
        "archive": built.archive.display().to_string(),
        "archive_bytes": built.archive_bytes,
        "rootfs_bytes": built.rootfs_bytes,
        "binary_bytes": built.binary_bytes,
        "sbom": out.join(sbom::SBOM_FILE).display().to_string(),
        "sbom_components": sbom_components,
    });
    fs::write(out.join("image.json"), format!("{summary:#}\n"))?;
    note(format_args!(
        "image: done; SBOM {} components, cargo audit bin clean, summary in {}",
        sbom_components,
        out.join("image.json").display()
    ));
    Ok(())
}

#[expect(clippy::as_conversions, reason = "a size for people to read")]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// What `build::image` made.
#[derive(Debug)]
pub(crate) struct Built {
    reference: String,
    digest: String,
    archive: PathBuf,
    archive_bytes: u64,
    rootfs_bytes: u64,
    binary_bytes: u64,
}

fn file_size(path: &Path) -> anyhow::Result<u64> {
    Ok(fs::metadata(path).with_context(|| format!("cannot stat {}", path.display()))?.len())
}
