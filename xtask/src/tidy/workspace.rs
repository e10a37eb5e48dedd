//! The workspace as the tidy checks see it, read from `cargo metadata`.
//!
//! `cargo metadata --no-deps` gives the members, their manifests, lib targets and declared
//! dependencies (optional and target-specific ones included); the full `cargo metadata`
//! adds the resolved graph. A member's normal dependencies are the union of both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::Value;

use crate::shell::{cargo, output};

#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// Members by package name.
    pub(crate) members: BTreeMap<String, Member>,
}

#[derive(Debug, Default)]
pub(crate) struct Member {
    pub(crate) manifest: PathBuf,
    pub(crate) lib: Option<PathBuf>,
    /// Package names of normal (not dev, not build) dependencies.
    pub(crate) deps: BTreeSet<String>,
}

impl Workspace {
    pub(crate) fn load() -> anyhow::Result<Workspace> {
        let mut workspace = Workspace::from_declared(&metadata(true)?)?;
        workspace.add_resolved(&metadata(false)?)?;
        Ok(workspace)
    }

    /// A fabricated workspace (for testing the rules): `([folder/]crate, [normal deps])`, the
    /// folder `crates` unless named.
    #[cfg(test)]
    pub(crate) fn fabricate(graph: &[(&str, &[&str])]) -> Workspace {
        let members = graph
            .iter()
            .map(|(path, deps)| {
                let (folder, name) = path.split_once('/').unwrap_or(("crates", path));
                let member = Member {
                    manifest: PathBuf::from(format!("{folder}/{name}/Cargo.toml")),
                    lib: None,
                    deps: deps.iter().map(|dep| (*dep).to_owned()).collect(),
                };
                (name.to_owned(), member)
            })
            .collect();
        Workspace { members }
    }

    fn from_declared(metadata: &Value) -> anyhow::Result<Workspace> {
        let mut members = BTreeMap::new();
        for package in packages(metadata)? {
            let name = str_field(package, "name")?.to_owned();
            let manifest = PathBuf::from(str_field(package, "manifest_path")?);
            let lib = array_field(package, "targets")?
                .iter()
                .find(|target| {
                    target["kind"].as_array().is_some_and(|kinds| {
                        kinds.iter().any(|kind| kind == "lib" || kind == "proc-macro")
                    })
                })
                .and_then(|target| target["src_path"].as_str())
                .map(PathBuf::from);
            let deps = array_field(package, "dependencies")?
                .iter()
                .filter(|dep| dep["kind"].is_null())
                .map(|dep| str_field(dep, "name").map(str::to_owned))
                .collect::<anyhow::Result<_>>()?;
            members.insert(name, Member { manifest, lib, deps });
        }
        Ok(Workspace { members })
    }

    fn add_resolved(&mut self, metadata: &Value) -> anyhow::Result<()> {
        // Every package, not only members: dependencies are named through these ids.
        let names: BTreeMap<&str, &str> = array_field(metadata, "packages")?
            .iter()
            .map(|package| Ok((str_field(package, "id")?, str_field(package, "name")?)))
            .collect::<anyhow::Result<_>>()?;
        let nodes = metadata["resolve"]["nodes"].as_array().context("metadata has no resolve")?;
        for node in nodes {
            let Some(member) =
                names.get(str_field(node, "id")?).and_then(|name| self.members.get_mut(*name))
            else {
                continue;
            };
            for dep in array_field(node, "deps")? {
                let normal =
                    array_field(dep, "dep_kinds")?.iter().any(|kind| kind["kind"].is_null());
                if normal {
                    let id = str_field(dep, "pkg")?;
                    let name = names.get(id).with_context(|| format!("unknown package {id}"))?;
                    member.deps.insert((*name).to_owned());
                }
            }
        }
        Ok(())
    }
}

fn metadata(no_deps: bool) -> anyhow::Result<Value> {
    let mut cmd = cargo();
    cmd.args(["metadata", "--format-version", "1"]);
    if no_deps {
        cmd.arg("--no-deps");
    }
    let json = output(&mut cmd)?;
    serde_json::from_str(&json).context("cargo metadata printed invalid JSON")
}

/// The workspace members' entries of `packages` (all packages are members with `--no-deps`).
fn packages(metadata: &Value) -> anyhow::Result<Vec<&Value>> {
    let members: BTreeSet<&str> =
        array_field(metadata, "workspace_members")?.iter().filter_map(Value::as_str).collect();
    let packages = array_field(metadata, "packages")?;
    Ok(packages
        .iter()
        .filter(|package| package["id"].as_str().is_some_and(|id| members.contains(id)))
        .collect())
}

fn str_field<'a>(value: &'a Value, key: &str) -> anyhow::Result<&'a str> {
    value[key].as_str().with_context(|| format!("metadata: `{key}` is not a string"))
}

fn array_field<'a>(value: &'a Value, key: &str) -> anyhow::Result<&'a Vec<Value>> {
    value[key].as_array().with_context(|| format!("metadata: `{key}` is not an array"))
}
