//! What the image ships, accounted for: the CycloneDX SBOM of its binary, and `cargo audit` on
//! the binary read back out of the image.

use std::fs;
use std::path::Path;

use anyhow::Context as _;

use super::Built;
use super::binary::{BIN, FEATURES, TARGET};
use super::container::Container;
use crate::shell::{self, cargo, has_program, target_dir};

pub(super) const SBOM_FILE: &str = "subtask-templates.cdx.json";

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
