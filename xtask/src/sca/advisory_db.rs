//! The RustSec advisory database, offline: a snapshot folder (`../shared/advisory-db`, see its
//! `SOURCE.txt`), never fetched. cargo-audit reads it in place; cargo-deny wants a writable,
//! git-looking copy under its hashed name, made under `target/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::sca::days::{day_number, today};
use crate::sca::target_dir_of;
use crate::shell::{env_var, note, project_root};

/// cargo-deny's folder name for the default URL `https://github.com/rustsec/advisory-db`:
/// `<last segment>-<xxhash64 of the lower-cased URL>`.
const DENY_DB_NAME: &str = "advisory-db-3157b0e258782691";

/// Above this age the header says the snapshot is stale; it never fails the gate (findings do).
const STALE_AFTER_DAYS: i64 = 90;

/// `$STJ_ADVISORY_DB`, else `$STJ_SHARED_DIR/advisory-db`, else `shared/advisory-db` beside the
/// workspace or inside it.
pub(crate) fn locate(root: &Path) -> anyhow::Result<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(db) = env_var("STJ_ADVISORY_DB") {
        candidates.push(PathBuf::from(db));
    }
    if let Some(shared) = env_var("STJ_SHARED_DIR") {
        candidates.push(PathBuf::from(shared).join("advisory-db"));
    }
    // `root` may be a scratch copy (gates-bite); the project's own place comes after it.
    for dir in [root.to_path_buf(), project_root()] {
        if let Some(parent) = dir.parent() {
            candidates.push(parent.join("shared/advisory-db"));
        }
        candidates.push(dir.join("shared/advisory-db"));
    }
    candidates.iter().find(|dir| dir.join("crates").is_dir()).cloned().with_context(|| {
        let tried: Vec<String> = candidates.iter().map(|d| d.display().to_string()).collect();
        format!(
            "no RustSec advisory database (a folder with crates/) at {}; set STJ_ADVISORY_DB",
            tried.join(", ")
        )
    })
}

/// Prints which snapshot is used and how old it is; an unreadable SOURCE.txt is only noted.
pub(crate) fn describe(db: &Path) {
    let source = fs::read_to_string(db.join("SOURCE.txt")).unwrap_or_default();
    let field = |key: &str| {
        source.lines().find_map(|line| line.strip_prefix(key)?.strip_prefix(':')).map(str::trim)
    };
    let commit = field("commit").map_or("unknown commit", |c| c.get(..12).unwrap_or(c));
    let Some(date) = field("commit_date") else {
        note(format_args!("advisory db: {} (no SOURCE.txt date; age unknown)", db.display()));
        return;
    };
    let age = today().ok().zip(day_number(date)).and_then(|(now, then)| now.checked_sub(then));
    let age_text = age.map_or_else(|| "age unknown".to_owned(), |days| format!("{days} days old"));
    let stale = if age.is_some_and(|days| days > STALE_AFTER_DAYS) {
        format!("; older than {STALE_AFTER_DAYS} days: advisories published since are not checked")
    } else {
        String::new()
    };
    note(format_args!(
        "advisory db: RustSec snapshot {commit} of {} ({age_text}{stale}) from {}. It is a \
         snapshot, not a live feed: it changes only when shared/ is refreshed.",
        date.get(..10).unwrap_or(date),
        db.display()
    ));
}

/// A fresh, writable copy of the snapshot under `target/`, laid out as cargo-deny expects.
#[derive(Debug)]
pub(crate) struct WorkingCopy {
    /// The value for cargo-deny's `ADVISORY_DB_ROOT` (deny.toml's `db-path`).
    pub(crate) deny_root: PathBuf,
    /// The database itself, for `cargo audit --db` (which takes a lock beside it, so not shared/).
    pub(crate) db: PathBuf,
}

/// Copies `db` where cargo-deny looks for it. The empty `.git/FETCH_HEAD` stands in for a
/// fetch, so cargo-deny takes the copy as current; the snapshot's real age is printed by
/// `describe`.
pub(crate) fn working_copy(db: &Path) -> anyhow::Result<WorkingCopy> {
    let deny_root = target_dir_of(&project_root()).join("advisory-dbs");
    let copy = deny_root.join(DENY_DB_NAME);
    if copy.exists() {
        fs::remove_dir_all(&copy).with_context(|| format!("cannot remove {}", copy.display()))?;
    }
    copy_dir(db, &copy)?;
    fs::create_dir_all(copy.join(".git"))?;
    fs::write(copy.join(".git/FETCH_HEAD"), "")?;
    Ok(WorkingCopy { deny_root, db: copy })
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}
