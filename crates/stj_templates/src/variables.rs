//! `{{…}}` variables in summaries and descriptions, filled in from the parent issue.

use stj_validation::text::{excerpt, jira_len};
use stj_validation::{Violation, code};

/// A value taken from the parent issue (or the day) when a template is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variable {
    /// `{{parent.summary}}`
    ParentSummary,
    /// `{{parent.key}}`, e.g. `PROJ-12`
    ParentKey,
    /// `{{parent.assignee}}`: the display name, empty when the parent is unassigned
    ParentAssignee,
    /// `{{parent.due}}`: `YYYY-MM-DD`, empty when the parent has no due date
    ParentDue,
    /// `{{today}}`: `YYYY-MM-DD`
    Today,
}

/// Every variable with its name, as written between `{{` and `}}`.
pub const VARIABLES: [(&str, Variable); 5] = [
    ("parent.summary", Variable::ParentSummary),
    ("parent.key", Variable::ParentKey),
    ("parent.assignee", Variable::ParentAssignee),
    ("parent.due", Variable::ParentDue),
    ("today", Variable::Today),
];

/// A stretch of literal text or a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    Var(Variable),
}

/// Splits `text` into literal text and variables. Names ignore ASCII case and may have spaces
/// inside the braces (`{{ Parent.Key }}`). An unknown name or a `{{` never closed is a problem
/// reported against `field`; a lone `}}` or single braces are text.
pub(crate) fn pieces<'a>(
    field: &'static str,
    text: &'a str,
) -> Result<Vec<Piece<'a>>, Vec<Violation>> {
    let mut pieces = Vec::new();
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let (before, from_open) = rest.split_at_checked(open).unwrap_or((rest, ""));
        let inside = from_open.get(2..).unwrap_or("");
        if !before.is_empty() {
            pieces.push(Piece::Text(before));
        }
        let Some(close) = inside.find("}}") else {
            problems.push(Violation::new(
                field,
                code::BAD_SYNTAX,
                format!(
                    "`{}` opens a variable with `{{{{` but never closes it with `}}}}`.",
                    excerpt(from_open)
                ),
            ));
            rest = "";
            break;
        };
        let name = inside.get(..close).unwrap_or("").trim();
        match VARIABLES.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)) {
            Some((_, variable)) => pieces.push(Piece::Var(*variable)),
            None => problems.push(Violation::new(
                field,
                code::UNKNOWN_VARIABLE,
                format!(
                    "Unknown variable `{{{{{}}}}}`: use {{{{parent.summary}}}}, {{{{parent.key}}}}, \
                     {{{{parent.assignee}}}}, {{{{parent.due}}}} or {{{{today}}}}.",
                    excerpt(name)
                ),
            )),
        }
        rest = inside.get(close.saturating_add(2)..).unwrap_or("");
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    if problems.is_empty() { Ok(pieces) } else { Err(problems) }
}

/// The length (as Jira counts it) of the literal text alone: a lower bound for the rendered
/// length, so a template whose fixed text is already too long is refused when it is saved.
pub(crate) fn literal_len(pieces: &[Piece<'_>]) -> usize {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => jira_len(text),
            Piece::Var(_) => 0,
        })
        .fold(0, usize::saturating_add)
}

/// Whether `text` uses any variable (for messages that explain a length after rendering).
pub(crate) fn has_variables(pieces: &[Piece<'_>]) -> bool {
    pieces.iter().any(|piece| matches!(piece, Piece::Var(_)))
}

#[cfg(test)]
mod tests {
    use stj_validation::field;

    use super::*;

    #[test]
    fn text_splits_into_literals_and_known_variables() {
        let got =
            pieces(field::SUMMARY, "Review {{parent.key}}: {{ Parent.Summary }} by {{today}}");
        assert_eq!(
            got,
            Ok(vec![
                Piece::Text("Review "),
                Piece::Var(Variable::ParentKey),
                Piece::Text(": "),
                Piece::Var(Variable::ParentSummary),
                Piece::Text(" by "),
                Piece::Var(Variable::Today),
            ])
        );
        assert_eq!(
            pieces(field::SUMMARY, "plain { } }} text"),
            Ok(vec![Piece::Text("plain { } }} text")])
        );
        assert_eq!(pieces(field::SUMMARY, ""), Ok(vec![]));
    }

    #[test]
    fn unknown_and_unclosed_variables_are_all_reported() {
        let problems =
            pieces(field::DESCRIPTION, "{{parent.sumary}} and {{foo}} then {{today").unwrap_err();
        let codes: Vec<&str> = problems.iter().map(|problem| problem.code).collect();
        assert_eq!(codes, [code::UNKNOWN_VARIABLE, code::UNKNOWN_VARIABLE, code::BAD_SYNTAX]);
        assert!(
            problems[0].message.starts_with("Unknown variable `{{parent.sumary}}`"),
            "{}",
            problems[0].message
        );
        assert!(problems[0].message.contains("{{parent.assignee}}"), "{}", problems[0].message);
        assert_eq!(problems[2].field, field::DESCRIPTION);
    }

    #[test]
    fn only_literal_text_counts_toward_the_saved_length() {
        let got = pieces(field::SUMMARY, "ab{{parent.summary}}中😀").unwrap();
        assert_eq!(literal_len(&got), 5);
        assert!(has_variables(&got));
        assert!(!has_variables(&pieces(field::SUMMARY, "none").unwrap()));
    }
}
