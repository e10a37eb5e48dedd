//! Quick entry, text to subtasks. The grammar is in the crate README.

use stj_validation::text::excerpt;
use stj_validation::{ValidationReport, Violation, code, field};

use super::escape::{QUOTABLE, is_marker, read_quoted, unescape_into};
use super::markers;
use crate::check::check_subtask;
use crate::line_map::LineMap;
use crate::lines::{is_blank, is_space, split_lines};
use crate::model::SubtaskSpec;

/// Parses quick-entry text: one subtask per line, markers inline, indented lines continuing the
/// description. Every violation of every line is reported, each with its line number. How many
/// lines there may be is not the grammar's business: a template and an application check it
/// (`stj_validation::limits::subtask_count`).
pub fn parse_quick_entry(text: &str) -> Result<Vec<SubtaskSpec>, ValidationReport> {
    parse_quick_entry_mapped(text).map(|(specs, _)| specs)
}

/// [`parse_quick_entry`], with the source line of each subtask, for reporting later problems
/// (rendering, Jira's refusals) at the lines parse errors use (see [`LineMap::relabel`]).
pub fn parse_quick_entry_mapped(
    text: &str,
) -> Result<(Vec<SubtaskSpec>, LineMap), ValidationReport> {
    let mut report = ValidationReport::new();
    let mut drafts: Vec<Draft<'_>> = Vec::new();
    let mut blanks = 0_usize;
    for (line, content) in (1..).zip(split_lines(text)) {
        if is_blank(content) {
            blanks = blanks.saturating_add(1);
            continue;
        }
        match continuation(content) {
            Some(more) => match drafts.last_mut() {
                Some(draft) => draft.continue_description(blanks, more),
                None => report.push(
                    Violation::new(
                        field::DESCRIPTION,
                        code::BAD_SYNTAX,
                        "This indented line would continue the description of the subtask above, \
                         but there is no subtask above it.",
                    )
                    .at_line(line),
                ),
            },
            None => {
                let (spec, problems) = parse_line(content);
                report.merge(Some(line), problems);
                drafts.push(Draft { line, spec, description: Vec::new() });
            }
        }
        blanks = 0;
    }
    let lines = LineMap::new(drafts.iter().map(|draft| draft.line).collect());
    let specs: Vec<SubtaskSpec> = drafts
        .into_iter()
        .map(|draft| {
            let line = draft.line;
            let spec = draft.finish();
            report.merge(Some(line), check_subtask(&spec));
            spec
        })
        .collect();
    report.into_result((specs, lines))
}

/// A subtask being read: its line and the description lines seen so far.
struct Draft<'a> {
    line: usize,
    spec: SubtaskSpec,
    description: Vec<&'a str>,
}

impl<'a> Draft<'a> {
    /// Blank lines between description lines are kept as empty lines; blank lines before the
    /// first one are not (descriptions never start with an empty line).
    fn continue_description(&mut self, blanks: usize, more: &'a str) {
        if !self.description.is_empty() {
            self.description.extend(std::iter::repeat_n("", blanks));
        }
        self.description.push(more);
    }

    fn finish(self) -> SubtaskSpec {
        let description = (!self.description.is_empty()).then(|| self.description.join("\n"));
        SubtaskSpec { description, ..self.spec }
    }
}

/// The text of a description line: the line without its first tab or its first two spaces.
fn continuation(line: &str) -> Option<&str> {
    line.strip_prefix('\t').or_else(|| line.strip_prefix("  "))
}

/// One subtask line: words are split on spaces and tabs; marker words set fields, the other
/// words make the summary. Spacing between summary words is kept as typed, except that a run of
/// markers between two words leaves a single space.
fn parse_line(line: &str) -> (SubtaskSpec, ValidationReport) {
    let mut spec = SubtaskSpec::default();
    let mut report = ValidationReport::new();
    let mut summary = String::new();
    let mut marker_since_text = false;
    let mut rest = line;
    loop {
        let word_start = rest.trim_start_matches(is_space);
        let gap = rest.get(..rest.len().saturating_sub(word_start.len())).unwrap_or(" ");
        if word_start.is_empty() {
            break;
        }
        let word_end = word_start.find(is_space).unwrap_or(word_start.len());
        let (word, after) = word_start.split_at_checked(word_end).unwrap_or((word_start, ""));
        rest = after;
        if !is_marker(word) {
            if !summary.is_empty() {
                summary.push_str(if marker_since_text { " " } else { gap });
            }
            unescape_into(&mut summary, word);
            marker_since_text = false;
            continue;
        }
        marker_since_text = true;
        let quoted = QUOTABLE.into_iter().find_map(|prefix| {
            word_start.strip_prefix(prefix).and_then(|value| value.strip_prefix('"'))
        });
        match quoted {
            None => markers::apply(word, None, &mut spec, &mut report),
            Some(quoted) => match read_quoted(quoted) {
                Some((name, after)) if after.is_empty() || after.starts_with(is_space) => {
                    let written = word_start.get(..word_start.len().saturating_sub(after.len()));
                    markers::apply(written.unwrap_or(word), Some(name), &mut spec, &mut report);
                    rest = after;
                }
                Some((_, after)) => {
                    let bad = word_start.len().saturating_sub(after.len());
                    let after_word = after.find(is_space).unwrap_or(after.len());
                    let written = word_start.get(..bad.saturating_add(after_word)).unwrap_or(word);
                    report.push(quote_problem(written, "has text right after its closing quote"));
                    rest = after.get(after_word..).unwrap_or("");
                }
                None => {
                    report.push(quote_problem(word_start, "never closes its quote"));
                    break;
                }
            },
        }
    }
    spec.summary = summary;
    (spec, report)
}

/// A quoted priority or subtask type that is not closed properly.
fn quote_problem(written: &str, what: &str) -> Violation {
    let (field, example) = if written.starts_with('!') {
        (field::PRIORITY, "!\"Very high\"")
    } else {
        (field::ISSUE_TYPE, "type:\"Code review\"")
    };
    let shown = excerpt(written);
    Violation::new(
        field,
        code::BAD_SYNTAX,
        format!("The marker `{shown}` {what}: write it as {example}."),
    )
}
