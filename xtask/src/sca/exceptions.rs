//! Advisory exceptions: `[advisories] ignore` in `deny.toml`, one entry per line, each with a
//! reason that starts with a review date:
//!
//! ```toml
//! ignore = [
//!   { id = "RUSTSEC-2023-0071", reason = "review-by 2027-02-26: why it does not apply" },
//! ]
//! ```
//!
//! cargo-deny honours `ignore` forever; this module makes an entry without a date, or past it,
//! fail the SCA gate. `cargo audit` gets the same ids, so both tools share one list.

use anyhow::Context as _;

use crate::sca::days::day_number;

/// One `ignore` entry.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Exception {
    pub(crate) id: String,
    pub(crate) review_by: String,
    /// 1-based line in deny.toml.
    pub(crate) line: usize,
}

/// The entries of `[advisories] ignore`; an entry that is not one line with an id and a dated
/// reason is an error naming its line.
pub(crate) fn parse(deny_toml: &str) -> anyhow::Result<Vec<Exception>> {
    let mut section = String::new();
    let mut in_ignore = false;
    let mut exceptions = Vec::new();
    for (line_number, raw) in (1..).zip(deny_toml.lines()) {
        let line = raw.split_once('#').map_or(raw, |(code, _)| code).trim();
        if line.is_empty() {
            continue;
        }
        if in_ignore {
            if line.starts_with(']') {
                in_ignore = false;
            } else {
                exceptions.push(entry(line, line_number)?);
            }
        } else if line.starts_with('[') {
            line.clone_into(&mut section);
        } else if section == "[advisories]" && line.starts_with("ignore") {
            let list = line.split_once('=').map(|(_, list)| list.trim()).unwrap_or_default();
            anyhow::ensure!(
                list == "[" || list == "[]",
                "deny.toml:{line_number}: write `ignore = [` and then one exception per line"
            );
            in_ignore = list == "[";
        }
    }
    anyhow::ensure!(!in_ignore, "deny.toml: `[advisories] ignore` is not closed with `]`");
    Ok(exceptions)
}

fn entry(line: &str, line_number: usize) -> anyhow::Result<Exception> {
    let shape = || {
        format!(
            "deny.toml:{line_number}: expected `{{ id = \"RUSTSEC-YYYY-NNNN\", reason = \
             \"review-by YYYY-MM-DD: why\" }},` on one line, got `{line}`"
        )
    };
    let id = quoted_after(line, "id").with_context(shape)?;
    let reason = quoted_after(line, "reason").with_context(shape)?;
    let review_by = reason
        .strip_prefix("review-by ")
        .and_then(|rest| rest.get(..10))
        .filter(|date| day_number(date).is_some())
        .with_context(shape)?;
    Ok(Exception { id: id.to_owned(), review_by: review_by.to_owned(), line: line_number })
}

/// The string value of `key = "..."` in an inline table (no escaped quotes).
fn quoted_after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let (_, rest) = line.split_once(&format!("{key} = \""))?;
    rest.split_once('"').map(|(value, _)| value)
}

/// An error listing every exception whose review date is before `today` (a day number).
pub(crate) fn ensure_current(exceptions: &[Exception], today: i64) -> anyhow::Result<()> {
    let expired: Vec<String> = exceptions
        .iter()
        .filter(|e| day_number(&e.review_by).is_none_or(|day| day < today))
        .map(|e| format!("deny.toml:{}: {} was due for review on {}", e.line, e.id, e.review_by))
        .collect();
    anyhow::ensure!(
        expired.is_empty(),
        "expired advisory exceptions (fix the dependency, or re-justify with a new date):\n{}",
        expired.join("\n")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::sca::days::day_number;
    use crate::sca::exceptions::{Exception, ensure_current, parse};

    const DENY: &str = r#"
[advisories]
db-path = "$ADVISORY_DB_ROOT"
ignore = [
  # why, at length
  { id = "RUSTSEC-2023-0071", reason = "review-by 2027-02-26: verification only" },
]

[licenses]
ignore = true
"#;

    #[test]
    fn reads_dated_exceptions() {
        let exceptions = parse(DENY).unwrap();
        assert_eq!(
            exceptions,
            [Exception { id: "RUSTSEC-2023-0071".into(), review_by: "2027-02-26".into(), line: 6 }]
        );
        assert!(parse("[advisories]\nignore = []\n").unwrap().is_empty());
    }

    #[test]
    fn refuses_undated_or_multiline_exceptions() {
        let undated = DENY.replace("review-by 2027-02-26: ", "");
        assert!(format!("{:#}", parse(&undated).unwrap_err()).contains("deny.toml:6"));
        let bad_date = DENY.replace("2027-02-26", "2027-13-01");
        assert!(parse(&bad_date).is_err());
        assert!(parse("[advisories]\nignore = [\"RUSTSEC-2020-0001\"]\n").is_err());
        assert!(parse("[advisories]\nignore = [\n").is_err());
    }

    #[test]
    fn an_expired_exception_fails() {
        let exceptions = parse(DENY).unwrap();
        let due = day_number("2027-02-26").unwrap();
        assert!(ensure_current(&exceptions, due).is_ok());
        let err = ensure_current(&exceptions, due + 1).unwrap_err();
        assert!(format!("{err:#}").contains("deny.toml:6: RUSTSEC-2023-0071"));
    }
}
