//! Multiple Subtasks for Jira's format: `- summary`, then one `key: value` per line.

use super::{Draft, Unmapped, attributes, filled_lines};

/// See the crate README for the grammar. In a summary, `@inherit` (the parent's summary in
/// Multiple Subtasks) becomes `{{parent.summary}}`.
pub(crate) fn parse(text: &str) -> (Vec<Draft>, Vec<Unmapped>) {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut unmapped = Vec::new();
    for (line, content) in filled_lines(text) {
        if let Some(summary) = content.strip_prefix('-') {
            drafts.push(Draft::new(line, summary.trim().replace("@inherit", "{{parent.summary}}")));
            continue;
        }
        let Some(draft) = drafts.last_mut() else {
            unmapped.push(Unmapped::bad_syntax(
                line,
                content,
                "Every subtask starts with a line `- summary`; this line comes before any.",
            ));
            continue;
        };
        let Some((key, value)) = content.split_once(':') else {
            unmapped.push(Unmapped::bad_syntax(
                line,
                content,
                "Expected `key: value` (such as `estimate: 2h`) or a new subtask `- summary`.",
            ));
            continue;
        };
        if let Err(problem) = attributes::apply(key.trim(), value, &mut draft.spec) {
            unmapped.push(Unmapped::new(line, content, problem));
        }
    }
    (drafts, unmapped)
}
