//! buildah, and the working containers it makes: removed on drop unless committed.

use std::path::PathBuf;
use std::process::Command;

use crate::shell::output;

/// `buildah` with the storage driver that works without kernel overlay support.
pub(super) fn buildah() -> Command {
    let mut cmd = Command::new("buildah");
    cmd.args(["--storage-driver", "vfs"]);
    cmd
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

    pub(super) fn committed(&self) {
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
