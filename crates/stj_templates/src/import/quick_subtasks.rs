//! Quick Subtasks for Jira's format: `- summary / key:"value" key:"value"`, one line each.

use stj_validation::text::excerpt;
use stj_validation::{Violation, code, field};

use super::{Draft, Unmapped, attributes, filled_lines};

/// See the crate README for the grammar.
pub(crate) fn parse(text: &str) -> (Vec<Draft>, Vec<Unmapped>) {
    let mut drafts = Vec::new();
    let mut unmapped = Vec::new();
    for (line, content) in filled_lines(text) {
        let Some(rest) = content.strip_prefix('-') else {
            unmapped.push(Unmapped::bad_syntax(
                line,
                content,
                "Expected a subtask line `- summary / key:\"value\"`.",
            ));
            continue;
        };
        let (summary, mut attributes) = rest.split_once('/').unwrap_or((rest, ""));
        let mut draft = Draft::new(line, summary.trim().to_owned());
        loop {
            attributes = attributes.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if attributes.is_empty() {
                break;
            }
            match read_attribute(attributes) {
                Ok((key, value, rest)) => {
                    if let Err(problem) = attributes::apply(key, value, &mut draft.spec) {
                        let written = attributes.get(..attributes.len().saturating_sub(rest.len()));
                        unmapped.push(Unmapped::new(line, written.unwrap_or(key), problem));
                    }
                    attributes = rest;
                }
                Err(problem) => {
                    unmapped.push(Unmapped::new(line, attributes, problem));
                    break;
                }
            }
        }
        drafts.push(draft);
    }
    (drafts, unmapped)
}

/// `key:"value"` at the start of `text`: the key, the value and what follows.
fn read_attribute(text: &str) -> Result<(&str, &str, &str), Violation> {
    let malformed = || {
        Violation::new(
            field::LINE,
            code::BAD_SYNTAX,
            format!("Expected `key:\"value\"` at `{}`.", excerpt(text)),
        )
    };
    let (key, after) = text.split_once(':').ok_or_else(malformed)?;
    let quoted = after.trim_start().strip_prefix('"').ok_or_else(malformed)?;
    let (value, rest) = quoted.split_once('"').ok_or_else(malformed)?;
    Ok((key.trim(), value, rest))
}
