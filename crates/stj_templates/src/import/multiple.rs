//! Multiple Subtasks for Jira's format: `- summary`, then one `key: value` per line.

use stj_validation::{Problem, ValidationReport, code, field};

use super::{Draft, attributes};
use crate::lines::split_lines;

/// See the crate README for the grammar. In a summary, `@inherit` (the parent's summary in
/// Multiple Subtasks) becomes `{{parent.summary}}`.
pub(crate) fn parse(text: &str) -> (Vec<Draft>, ValidationReport) {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut report = ValidationReport::new();
    for (line, content) in (1..).zip(split_lines(text)) {
        let content = content.trim();
        if content.is_empty() {
            continue;
        }
        if let Some(summary) = content.strip_prefix('-') {
            drafts.push(Draft::new(line, summary.trim().replace("@inherit", "{{parent.summary}}")));
            continue;
        }
        let Some(draft) = drafts.last_mut() else {
            report.push(
                Problem::new(
                    field::LINE,
                    code::BAD_SYNTAX,
                    "Every subtask starts with a line `- summary`; this line comes before any.",
                )
                .at_line(line),
            );
            continue;
        };
        let Some((key, value)) = content.split_once(':') else {
            report.push(
                Problem::new(
                    field::LINE,
                    code::BAD_SYNTAX,
                    "Expected `key: value` (such as `estimate: 2h`) or a new subtask `- summary`.",
                )
                .at_line(line),
            );
            continue;
        };
        report.check(Some(line), attributes::apply(key.trim(), value, &mut draft.spec));
    }
    (drafts, report)
}
