//! Which source line each subtask came from, so that problems found after parsing (rendering
//! for a parent, Jira's refusals) are reported at the same line numbers as parse errors.
//!
//! Parse errors carry the line of the text; [`crate::render_all`] and [`crate::check_template`]
//! number problems by the subtask's 1-based position instead, because they see subtasks, not
//! text. Description lines and blank lines make the two differ; [`LineMap::relabel`] converts.

use stj_validation::{ValidationReport, Violation};

/// For each subtask, in order, the 1-based line of the text where its subtask line stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineMap {
    lines: Vec<usize>,
}

impl LineMap {
    pub(crate) fn new(lines: Vec<usize>) -> Self {
        Self { lines }
    }

    /// One subtask per line, as when there is no text (structured items): item N is line N.
    pub fn identity(items: usize) -> Self {
        Self { lines: (1..=items).collect() }
    }

    /// The source line of the subtask at 1-based `position`; `None` when there is no such subtask.
    pub fn line_of(&self, position: usize) -> Option<usize> {
        position.checked_sub(1).and_then(|index| self.lines.get(index)).copied()
    }

    /// Every subtask's source line, in subtask order.
    pub fn lines(&self) -> &[usize] {
        &self.lines
    }

    /// A report whose lines are subtask positions (as [`crate::render_all`] gives) with each
    /// line replaced by that subtask's source line. Problems without a line, or with a position
    /// this map does not know, are kept as they are.
    #[must_use]
    pub fn relabel(&self, report: ValidationReport) -> ValidationReport {
        let problems = report
            .violations
            .into_iter()
            .map(|problem| Violation {
                line: problem.line.map(|position| self.line_of(position).unwrap_or(position)),
                ..problem
            })
            .collect();
        ValidationReport { violations: problems }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stj_validation::{code, field};

    #[test]
    fn positions_become_source_lines_and_the_rest_is_kept() {
        let map = LineMap::new(vec![1, 4, 9]);
        assert_eq!(
            (map.line_of(0), map.line_of(1), map.line_of(3), map.line_of(4)),
            (None, Some(1), Some(9), None)
        );
        let report = ValidationReport {
            violations: vec![
                Violation::new(field::SUMMARY, code::EMPTY, "a").at_line(2),
                Violation::new(field::DUE, code::MISSING, "b").at_line(3),
                Violation::new(field::SUBTASKS, code::TOO_MANY, "c"),
                Violation::new(field::SUMMARY, code::EMPTY, "d").at_line(7),
            ],
        };
        let lines: Vec<Option<usize>> =
            map.relabel(report).violations.iter().map(|problem| problem.line).collect();
        assert_eq!(lines, [Some(4), Some(9), None, Some(7)]);
        assert_eq!(LineMap::identity(3).lines(), [1, 2, 3]);
    }
}
