//! The dependency rule between workspace crates, and `LAYERS`, the table classifying them.
//!
//! - Domain crates depend only on domain crates, and on no framework or IO library
//!   (`actix-*`, `diesel*`, `ureq`, `tracing-subscriber`).
//! - Adapters depend on domain crates, never on one another.
//! - Dev tools (`stj_jira_sandbox`, a Jira simulator; `stj_test_postgres`) depend only on domain
//!   crates.
//! - Only the binary `stj_server` depends on adapters; nothing depends on the binary.
//! - Each crate lives where its layer says: the product (domain, adapters, binary) in `crates/`,
//!   dev tools in `tools/`, so `crates/` shows the product alone.
//!
//! Workspace edges count transitively; third-party ones count where they are declared.
//! Only normal dependencies count: dev- and build-dependencies are free.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use crate::tidy::workspace::Workspace;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    Domain,
    Adapter,
    DevTool,
    Binary,
    /// `xtask`.
    Tooling,
}

/// Every workspace crate and its layer; a crate missing here fails `layering_is_respected`.
/// Listed crates that do not exist (yet) are fine.
pub(crate) const LAYERS: &[(&str, Layer)] = &[
    ("stj_privacy", Layer::Domain),
    ("stj_core", Layer::Domain),
    ("stj_connect", Layer::Domain),
    ("stj_forge", Layer::Domain),
    ("stj_validation", Layer::Domain),
    ("stj_templates", Layer::Domain),
    ("stj_subtasks", Layer::Domain),
    ("stj_http", Layer::Adapter),
    ("stj_jira", Layer::Adapter),
    ("stj_registry", Layer::Adapter),
    ("stj_jira_sandbox", Layer::DevTool),
    ("stj_test_postgres", Layer::DevTool),
    ("stj_server", Layer::Binary),
    ("xtask", Layer::Tooling),
];

impl Layer {
    fn may_depend_on(self, other: Layer) -> bool {
        match self {
            Layer::Domain | Layer::Adapter | Layer::DevTool => other == Layer::Domain,
            Layer::Binary => matches!(other, Layer::Domain | Layer::Adapter | Layer::DevTool),
            Layer::Tooling => matches!(other, Layer::Domain | Layer::DevTool),
        }
    }
}

impl Layer {
    /// The folder of the workspace root that crates of this layer live in (`xtask` has its own).
    fn folder(self) -> Option<&'static str> {
        match self {
            Layer::Domain | Layer::Adapter | Layer::Binary => Some("crates"),
            Layer::DevTool => Some("tools"),
            Layer::Tooling => None,
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Domain => "domain",
            Layer::Adapter => "adapter",
            Layer::DevTool => "dev tool",
            Layer::Binary => "binary",
            Layer::Tooling => "tooling",
        })
    }
}

/// Third-party crates that tie code to a web framework, a database or an HTTP client.
fn is_framework(package: &str) -> bool {
    let package = package.replace('_', "-");
    package.starts_with("actix")
        || package.starts_with("diesel")
        || package == "ureq"
        || package == "tracing-subscriber"
}

/// Every breach of the rule in `workspace`, one message each; empty when it holds.
pub(crate) fn violations(workspace: &Workspace, layers: &[(&str, Layer)]) -> Vec<String> {
    let layer_of =
        |name: &str| layers.iter().find(|(listed, _)| *listed == name).map(|(_, layer)| *layer);
    let mut found = Vec::new();
    for (name, member) in &workspace.members {
        let Some(layer) = layer_of(name) else {
            found.push(format!(
                "crate `{name}` ({}) is not classified: list it in LAYERS in \
                 xtask/src/tidy/layering.rs as Domain, Adapter, DevTool or Binary",
                member.manifest.display()
            ));
            continue;
        };
        // `<root>/<folder>/<crate>/Cargo.toml`
        let folder = member.manifest.iter().rev().nth(2).and_then(|f| f.to_str());
        if let Some(expected) = layer.folder()
            && folder != Some(expected)
        {
            found.push(format!(
                "{name} ({layer}) belongs in {expected}/, not at {}",
                member.manifest.display()
            ));
        }
        for (dep, path) in reachable(workspace, name) {
            if let Some(dep_layer) = layer_of(&dep)
                && !layer.may_depend_on(dep_layer)
            {
                found.push(format!(
                    "{name} ({layer}) must not depend on {dep} ({dep_layer}): {path}"
                ));
            }
        }
        if layer == Layer::Domain {
            for dep in member.deps.iter().filter(|dep| !workspace.members.contains_key(*dep)) {
                if is_framework(dep) {
                    found.push(format!("{name} ({layer}) must not depend on {dep}"));
                }
            }
        }
    }
    found
}

/// The one crate that speaks SQL: no other workspace crate depends on diesel.
pub(crate) const SQL_CRATE: &str = "stj_registry";

/// Every crate but `sql_crate` that depends on a diesel crate, one message each.
pub(crate) fn sql_outside(workspace: &Workspace, sql_crate: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (name, member) in workspace.members.iter().filter(|(name, _)| name.as_str() != sql_crate) {
        for dep in member.deps.iter().filter(|dep| dep.replace('_', "-").starts_with("diesel")) {
            found.push(format!("{name} must not depend on {dep}: SQL lives in {sql_crate} alone"));
        }
    }
    found
}

/// Workspace crates reachable from `start` through normal dependencies, each with the
/// shortest path to it (`a -> b -> c`).
fn reachable(workspace: &Workspace, start: &str) -> BTreeMap<String, String> {
    let mut paths = BTreeMap::new();
    let mut queue = VecDeque::from([(start.to_owned(), start.to_owned())]);
    while let Some((name, path)) = queue.pop_front() {
        let Some(member) = workspace.members.get(&name) else { continue };
        for dep in &member.deps {
            if workspace.members.contains_key(dep) && dep != start && !paths.contains_key(dep) {
                let dep_path = format!("{path} -> {dep}");
                paths.insert(dep.clone(), dep_path.clone());
                queue.push_back((dep.clone(), dep_path));
            }
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use crate::tidy::layering::{LAYERS, Layer, SQL_CRATE, sql_outside, violations};
    use crate::tidy::workspace::Workspace;

    #[test]
    fn layering_is_respected() {
        let workspace = crate::tidy::workspace();
        let xtask = workspace.members.get("xtask").map(|xtask| &xtask.deps);
        assert!(xtask.is_some_and(|deps| deps.contains("anyhow")), "cargo metadata was misread");
        let found = violations(workspace, LAYERS);
        assert!(found.is_empty(), "the dependency rule is broken:\n{}", found.join("\n"));
        let found = sql_outside(workspace, SQL_CRATE);
        assert!(found.is_empty(), "SQL outside the registry:\n{}", found.join("\n"));
    }

    #[test]
    fn sql_outside_the_registry_is_reported() {
        let workspace = Workspace::fabricate(&[
            ("registry", &["diesel-async", "diesel_migrations"]),
            ("adapter_x", &["diesel", "ureq"]),
            ("server", &["registry"]),
        ]);
        assert_eq!(
            sql_outside(&workspace, "registry"),
            ["adapter_x must not depend on diesel: SQL lives in registry alone"]
        );
    }

    const FABRICATED_LAYERS: &[(&str, Layer)] = &[
        ("dom_a", Layer::Domain),
        ("dom_b", Layer::Domain),
        ("dom_c", Layer::Domain),
        ("adapter_x", Layer::Adapter),
        ("adapter_y", Layer::Adapter),
        ("dom_d", Layer::Domain),
        ("sandbox", Layer::DevTool),
        ("tool", Layer::DevTool),
        ("server", Layer::Binary),
    ];

    #[test]
    fn layering_rule_reports_every_kind_of_violation() {
        let workspace = Workspace::fabricate(&[
            ("dom_a", &["dom_b", "serde"]),
            ("dom_b", &["adapter_x"]),
            ("dom_c", &["actix-web", "diesel-async", "tokio", "tracing_subscriber", "ureq"]),
            ("adapter_x", &["adapter_y", "actix-web"]),
            ("adapter_y", &["dom_c", "diesel"]),
            ("tools/sandbox", &["adapter_y", "actix-web"]),
            ("server", &["adapter_x", "adapter_y", "sandbox", "dom_a"]),
            ("newcomer", &[]),
            ("tools/dom_d", &[]),
            ("crates/tool", &[]),
        ]);
        let expected = [
            "adapter_x (adapter) must not depend on adapter_y (adapter): adapter_x -> adapter_y",
            "dom_a (domain) must not depend on adapter_x (adapter): dom_a -> dom_b -> adapter_x",
            "dom_a (domain) must not depend on adapter_y (adapter): dom_a -> dom_b -> adapter_x -> adapter_y",
            "dom_b (domain) must not depend on adapter_x (adapter): dom_b -> adapter_x",
            "dom_b (domain) must not depend on adapter_y (adapter): dom_b -> adapter_x -> adapter_y",
            "dom_c (domain) must not depend on actix-web",
            "dom_c (domain) must not depend on diesel-async",
            "dom_c (domain) must not depend on tracing_subscriber",
            "dom_c (domain) must not depend on ureq",
            "dom_d (domain) belongs in crates/, not at tools/dom_d/Cargo.toml",
            "crate `newcomer` (crates/newcomer/Cargo.toml) is not classified: list it in LAYERS in \
             xtask/src/tidy/layering.rs as Domain, Adapter, DevTool or Binary",
            "sandbox (dev tool) must not depend on adapter_y (adapter): sandbox -> adapter_y",
            "tool (dev tool) belongs in tools/, not at crates/tool/Cargo.toml",
        ];
        assert_eq!(violations(&workspace, FABRICATED_LAYERS), expected);
    }

    #[test]
    fn layering_rule_accepts_a_clean_graph() {
        let workspace = Workspace::fabricate(&[
            ("dom_a", &["dom_b", "serde", "tokio"]),
            ("dom_b", &[]),
            ("adapter_x", &["dom_a", "actix-web"]),
            ("adapter_y", &["dom_b", "diesel-async", "diesel_migrations", "ureq"]),
            ("tools/sandbox", &["dom_a", "actix-web"]),
            ("server", &["adapter_x", "adapter_y", "tracing-subscriber"]),
        ]);
        assert_eq!(violations(&workspace, FABRICATED_LAYERS), Vec::<String>::new());
    }
}
