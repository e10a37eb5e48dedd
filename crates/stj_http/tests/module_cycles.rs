//! No import loops between the modules of `stj_http/src`. A module names another through a
//! `crate::…` path (`use crate::a::b;`, `use crate::{a, b::{c, d}};` or `crate::a::f()` inline);
//! the path counts as an edge to the longest module it names (`crate::handlers::common::caller` →
//! `handlers::common`). Paths to the crate root's re-exports (`crate::HttpConfig`) name no module
//! and count for nothing. Any cycle fails, with the modules on it: give what both sides need a
//! module of its own below them.
//! The checks sit in a `#[cfg(test)]` module so clippy's test allowances cover the helpers.

#[cfg(test)]
mod import_graph {
    use std::collections::{BTreeMap, BTreeSet};
    use std::fs;
    use std::path::Path;

    /// Module → the modules it names.
    type Graph = BTreeMap<String, BTreeSet<String>>;

    #[test]
    fn stj_http_has_no_import_cycle() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        read_tree(&src, &src, &mut files);
        assert!(files.len() > 10, "read only {} files under {}", files.len(), src.display());
        let graph = graph(&files);
        assert!(
            graph.get("routes").is_some_and(|names| names.contains("handlers::subtasks")),
            "the import graph was misread: {graph:#?}"
        );
        let cycles = cycles(&graph);
        assert!(cycles.is_empty(), "import cycles in stj_http/src:\n{}", show(&cycles));
    }

    #[test]
    fn a_two_module_loop_fails_and_names_both() {
        let files = [
            ("a.rs", "use crate::b::Thing;\n"),
            ("b.rs", "pub fn f() { crate::a::g(); }\n"),
            ("c.rs", "use crate::{a, b::Thing};\n"),
        ];
        assert_eq!(cycles(&graph(&owned(&files))), [["a", "b"]]);
    }

    #[test]
    fn a_longer_loop_fails_too_and_a_tree_passes() {
        let files = [
            ("x.rs", "use crate::y::{self, Y};\n"),
            ("y.rs", "use crate::z::Z;\n"),
            ("z.rs", "// crate::w in a comment is no edge\nuse crate::x::X;\n"),
            ("w.rs", "use crate::x::X;\n"),
        ];
        assert_eq!(cycles(&graph(&owned(&files))), [["x", "y", "z"]]);
        let tree = [
            ("x.rs", "use crate::y::{self, Y};\n"),
            ("y.rs", "use crate::z::Z;\n"),
            ("z.rs", "use crate::Root;\n"),
        ];
        assert!(cycles(&graph(&owned(&tree))).is_empty());
    }

    #[test]
    fn paths_resolve_to_the_longest_module_they_name() {
        let files = [
            ("auth.rs", ""),
            ("problem.rs", ""),
            ("handlers/mod.rs", ""),
            ("handlers/common.rs", ""),
            ("handlers/common/problems.rs", ""),
            (
                "handlers/text.rs",
                "use crate::handlers::common::{invalid, problems::gateway as g};\n\
                 use crate::{problem::Problem, auth::{ApiCaller, PageCaller}};\n",
            ),
        ];
        let graph = graph(&owned(&files));
        let names: Vec<&str> = graph["handlers::text"].iter().map(String::as_str).collect();
        assert_eq!(names, ["auth", "handlers::common", "handlers::common::problems", "problem"]);
    }

    fn owned(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files.iter().map(|(path, text)| ((*path).to_owned(), (*text).to_owned())).collect()
    }

    /// Every `.rs` file under `dir`, as (path relative to `root` with `/`, contents).
    fn read_tree(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                read_tree(root, &path, files);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative =
                    path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                files.push((relative, fs::read_to_string(&path).unwrap()));
            }
        }
    }

    /// `handlers/common.rs` and `handlers/common/mod.rs` → `handlers::common`; `lib.rs` → the root.
    fn module_of(file: &str) -> String {
        let path = file.strip_suffix(".rs").unwrap_or(file);
        let path = path.strip_suffix("/mod").unwrap_or(path);
        if path == "lib" { String::new() } else { path.replace('/', "::") }
    }

    fn graph(files: &[(String, String)]) -> Graph {
        let modules: BTreeSet<String> = files.iter().map(|(file, _)| module_of(file)).collect();
        let mut graph = Graph::new();
        for (file, text) in files {
            let from = module_of(file);
            let names = graph.entry(from.clone()).or_default();
            for path in crate_paths(text) {
                let named = (1..=path.len())
                    .rev()
                    .map(|n| path[..n].join("::"))
                    .find(|prefix| modules.contains(prefix));
                if let Some(to) = named.filter(|to| *to != from && !to.is_empty()) {
                    names.insert(to);
                }
            }
        }
        graph
    }

    /// The paths after each `crate::` outside comments, `{…}` groups expanded (`self` names the
    /// group's own path).
    fn crate_paths(text: &str) -> Vec<Vec<String>> {
        let code: String = text
            .lines()
            .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
            .collect::<Vec<_>>()
            .join("\n");
        let mut paths = Vec::new();
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            let (head, tail) = rest.split_at(at);
            let before = head.chars().next_back();
            rest = &tail["crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let mut chars = rest.chars().peekable();
            tree(&mut chars, &[], &mut paths);
        }
        paths
    }

    /// One use tree: `a::b`, `a::{b, c::d}`, `a as b`, `*`, `self`; appends each full path.
    fn tree(
        chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
        prefix: &[String],
        out: &mut Vec<Vec<String>>,
    ) {
        let mut path = prefix.to_vec();
        loop {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            if chars.peek() == Some(&'{') {
                chars.next();
                loop {
                    tree(chars, &path, out);
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                    match chars.next() {
                        Some(',') => {
                            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                chars.next();
                            }
                            if chars.peek() == Some(&'}') {
                                chars.next();
                                return;
                            }
                        }
                        _ => return,
                    }
                }
            }
            let mut word = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_alphanumeric() || **c == '_') {
                word.push(c);
                chars.next();
            }
            if !word.is_empty() && word != "self" {
                path.push(word);
            }
            let mut after = chars.clone();
            if after.next() == Some(':') && after.next() == Some(':') {
                chars.next();
                chars.next();
                continue;
            }
            // `as name` and anything else end the path.
            while chars.peek().is_some_and(|c| !matches!(c, ',' | '}' | ';')) {
                chars.next();
            }
            out.push(path);
            return;
        }
    }

    /// Every strongly connected set of two or more modules, each sorted, in module order.
    fn cycles(graph: &Graph) -> Vec<Vec<String>> {
        let reaches = |from: &str| {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_owned()];
            while let Some(module) = stack.pop() {
                for next in graph.get(&module).into_iter().flatten() {
                    if seen.insert(next.clone()) {
                        stack.push(next.clone());
                    }
                }
            }
            seen
        };
        let reach: BTreeMap<&String, BTreeSet<String>> =
            graph.keys().map(|module| (module, reaches(module))).collect();
        let mut found: Vec<Vec<String>> = Vec::new();
        for (module, reached) in &reach {
            if !reached.contains(*module) || found.iter().any(|c| c.contains(*module)) {
                continue;
            }
            let set: Vec<String> = reached
                .iter()
                .filter(|other| reach.get(other).is_some_and(|back| back.contains(*module)))
                .cloned()
                .collect();
            found.push(set);
        }
        found
    }

    fn show(cycles: &[Vec<String>]) -> String {
        cycles
            .iter()
            .map(|cycle| format!("  {} (each reaches the others)", cycle.join(" ↔ ")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}
