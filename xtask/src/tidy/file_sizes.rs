//! File sizes: no `.rs` file outside test code over [`MAX_LINES`] lines, and the median of every
//! tracked `.rs` file (`git ls-files '*.rs'`, tests included) below [`MEDIAN_BELOW`]. A file
//! that grows past the limit splits along its meaning (ARCHITECTURE.md, `xtask`).

/// The most lines a non-test `.rs` file may have.
const MAX_LINES: usize = 450;
/// The median size of tracked `.rs` files must stay below this many lines.
const MEDIAN_BELOW: usize = 120;

/// Test code: a file in a `tests` folder (integration tests, `src/tests/`) or a `tests.rs`.
fn is_test(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop().unwrap_or_default();
    file == "tests.rs" || parts.contains(&"tests")
}

/// The median of `sizes`, doubled so that it stays a whole number (the mean of the middle two
/// when the count is even); `None` when there are none.
fn doubled_median(sizes: &[usize]) -> Option<usize> {
    let mut sorted = sizes.to_vec();
    sorted.sort_unstable();
    let middle = sorted.len() / 2;
    let upper = *sorted.get(middle)?;
    let lower =
        if sorted.len().is_multiple_of(2) { *sorted.get(middle.checked_sub(1)?)? } else { upper };
    Some(lower.saturating_add(upper))
}

/// What breaks the size rules among `files` (path, line count).
fn violations(files: &[(String, usize)]) -> Vec<String> {
    let mut found: Vec<String> = files
        .iter()
        .filter(|(path, lines)| *lines > MAX_LINES && !is_test(path))
        .map(|(path, lines)| format!("{path}: {lines} lines (at most {MAX_LINES} outside tests)"))
        .collect();
    let sizes: Vec<usize> = files.iter().map(|(_, lines)| *lines).collect();
    if let Some(doubled) = doubled_median(&sizes)
        && doubled >= MEDIAN_BELOW.saturating_mul(2)
    {
        let half = if !doubled.is_multiple_of(2) { ".5" } else { "" };
        found.push(format!(
            "the median .rs file has {}{half} lines over {} files (must stay below {MEDIAN_BELOW})",
            doubled / 2,
            files.len()
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::process::Command;

    use super::{doubled_median, is_test, violations};
    use crate::shell::{output, project_root};

    fn tracked_rust_files() -> Vec<(String, usize)> {
        let root = project_root();
        let listed = output(Command::new("git").arg("-C").arg(&root).args(["ls-files", "*.rs"]));
        listed
            .unwrap()
            .lines()
            .map(|path| {
                (path.to_owned(), fs::read_to_string(root.join(path)).unwrap().lines().count())
            })
            .collect()
    }

    #[test]
    fn files_stay_small() {
        let files = tracked_rust_files();
        assert!(files.len() > 100, "git ls-files was misread: {} files", files.len());
        let found = violations(&files);
        assert!(
            found.is_empty(),
            "split these along their meaning (one thing per file; a long inline `mod tests` \
             into a sibling `tests.rs`):\n{}",
            found.join("\n")
        );
    }

    fn files(sizes: &[(&str, usize)]) -> Vec<(String, usize)> {
        sizes.iter().map(|(path, lines)| ((*path).to_owned(), *lines)).collect()
    }

    #[test]
    fn the_size_rules_bite() {
        let long = files(&[("src/a.rs", 451), ("src/b.rs", 10), ("src/c.rs", 20)]);
        assert_eq!(violations(&long), ["src/a.rs: 451 lines (at most 450 outside tests)"]);

        let tests = files(&[
            ("tests/it/big.rs", 900),
            ("src/x/tests.rs", 600),
            ("src/tests/equivalence.rs", 500),
            ("src/ok.rs", 450),
            ("src/d.rs", 1),
            ("src/e.rs", 2),
            ("src/f.rs", 3),
            ("src/g.rs", 4),
            ("src/h.rs", 5),
        ]);
        assert!(violations(&tests).is_empty(), "{:?}", violations(&tests));

        let median = files(&[("a.rs", 119), ("b.rs", 121), ("c.rs", 10), ("d.rs", 200)]);
        assert_eq!(
            violations(&median),
            ["the median .rs file has 120 lines over 4 files (must stay below 120)"]
        );
        let odd = files(&[("a.rs", 120), ("b.rs", 121), ("c.rs", 10), ("d.rs", 200), ("e.rs", 1)]);
        assert_eq!(
            violations(&odd),
            ["the median .rs file has 120 lines over 5 files (must stay below 120)"]
        );
        let half = files(&[("a.rs", 120), ("b.rs", 121)]);
        assert_eq!(
            violations(&half),
            ["the median .rs file has 120.5 lines over 2 files (must stay below 120)"]
        );
        let below = files(&[("a.rs", 118), ("b.rs", 121), ("c.rs", 10), ("d.rs", 200)]);
        assert!(violations(&below).is_empty());
        assert_eq!(doubled_median(&[3, 1, 2]), Some(4));
        assert_eq!(doubled_median(&[]), None);
        assert!(!is_test("src/contests.rs") && !is_test("tests_helper.rs"));
    }
}
