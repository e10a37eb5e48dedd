//! One marker word (`@…`, `#…`, `~…`, `!…`, `due:…`, `type:…`) applied to the subtask of its line.

use stj_validation::text::{self, excerpt};
use stj_validation::{ValidationReport, Violation, code, field};

use super::escape::TYPE_PREFIX;
use crate::check;
use crate::model::{Assignee, DueAnchor, Estimate, RelativeDue, SubtaskSpec};

/// Applies `word` (a marker, as written) to `spec`; a priority or type read from quotes comes
/// as `quoted`. Problems name the word; an invalid marker leaves `spec` unchanged.
pub(crate) fn apply(
    word: &str,
    quoted: Option<String>,
    spec: &mut SubtaskSpec,
    report: &mut ValidationReport,
) {
    let shown = excerpt(word);
    let outcome = if let Some(value) = word.strip_prefix("due:") {
        due(&shown, value, spec)
    } else if let Some(value) = word.strip_prefix(TYPE_PREFIX) {
        issue_type(&shown, quoted.unwrap_or_else(|| value.to_owned()), spec)
    } else if let Some(value) = word.strip_prefix('@') {
        assignee(&shown, value, spec)
    } else if let Some(value) = word.strip_prefix('#') {
        label(&shown, value, spec)
    } else if let Some(value) = word.strip_prefix('~') {
        estimate(&shown, value, spec)
    } else {
        priority(&shown, quoted.unwrap_or_else(|| word.get(1..).unwrap_or("").to_owned()), spec)
    };
    report.check(None, outcome);
}

fn assignee(shown: &str, value: &str, spec: &mut SubtaskSpec) -> Result<(), Violation> {
    if value.is_empty() {
        return Err(unknown(
            field::ASSIGNEE,
            shown,
            "write @me, @parent, @reporter, @unassigned, or @ followed by an account id",
        ));
    }
    let assignee = match Assignee::from_keyword(value) {
        Some(keyword) => keyword,
        None => {
            check::account_id(value).map_err(|problem| {
                because(
                    shown,
                    &problem,
                    "use an account id or @me, @parent, @reporter, @unassigned",
                )
            })?;
            Assignee::AccountId(value.to_owned())
        }
    };
    if spec.assignee.is_some() {
        return Err(twice(field::ASSIGNEE, shown, "an assignee"));
    }
    spec.assignee = Some(assignee);
    Ok(())
}

fn label(shown: &str, value: &str, spec: &mut SubtaskSpec) -> Result<(), Violation> {
    if value.is_empty() {
        return Err(unknown(field::LABELS, shown, "write the label right after it, as in #qa"));
    }
    text::label(value).map_err(|problem| because(shown, &problem, ""))?;
    if spec.labels.iter().any(|known| known == value) {
        return Err(Violation::new(
            field::LABELS,
            code::DUPLICATE,
            format!("`{shown}`: this line already has this label."),
        ));
    }
    spec.labels.push(value.to_owned());
    Ok(())
}

fn estimate(shown: &str, value: &str, spec: &mut SubtaskSpec) -> Result<(), Violation> {
    let estimate = Estimate::parse(value).map_err(|problem| match problem.code {
        code::EMPTY | code::BAD_SYNTAX => Violation::new(
            field::ESTIMATE,
            problem.code,
            format!(
                "`{shown}` is not an estimate: write a Jira duration such as ~1d4h, ~30m or ~1w \
                 (units w d h m, largest first)."
            ),
        ),
        _ => because(shown, &problem, ""),
    })?;
    if spec.estimate.is_some() {
        return Err(twice(field::ESTIMATE, shown, "an estimate"));
    }
    spec.estimate = Some(estimate);
    Ok(())
}

fn priority(shown: &str, name: String, spec: &mut SubtaskSpec) -> Result<(), Violation> {
    let hint = "write the priority right after it, as in !high or !\"Very high\"";
    let rule = Named { field: field::PRIORITY, check: text::priority, what: "a priority", hint };
    rule.set(shown, name, &mut spec.priority)
}

fn issue_type(shown: &str, name: String, spec: &mut SubtaskSpec) -> Result<(), Violation> {
    let hint = "write the subtask type right after it, as in type:Sub-task or type:\"Code review\" \
                (\\type: writes the word itself)";
    let check = text::issue_type_name;
    let rule = Named { field: field::ISSUE_TYPE, check, what: "a subtask type", hint };
    rule.set(shown, name, &mut spec.issue_type)
}

/// A marker naming something (a priority, a subtask type): a name, valid by `check`, once a line.
struct Named {
    field: &'static str,
    check: fn(&str) -> Result<(), Violation>,
    /// "a priority", for the violation of a second one.
    what: &'static str,
    /// How to write it, for an empty one.
    hint: &'static str,
}

impl Named {
    fn set(&self, shown: &str, name: String, slot: &mut Option<String>) -> Result<(), Violation> {
        if name.is_empty() {
            return Err(unknown(self.field, shown, self.hint));
        }
        (self.check)(&name).map_err(|violation| because(shown, &violation, ""))?;
        if slot.is_some() {
            return Err(twice(self.field, shown, self.what));
        }
        *slot = Some(name);
        Ok(())
    }
}

fn due(shown: &str, value: &str, spec: &mut SubtaskSpec) -> Result<(), Violation> {
    let Some((days, anchor)) = parse_due(value) else {
        return Err(unknown(
            field::DUE,
            shown,
            "write due:+Nd from today, or due:parent+Nd / due:parent-Nd from the parent's due \
             date, counting calendar days",
        ));
    };
    let due = RelativeDue::new(days, anchor).map_err(|problem| because(shown, &problem, ""))?;
    if spec.due.is_some() {
        return Err(twice(field::DUE, shown, "a due date"));
    }
    spec.due = Some(due);
    Ok(())
}

/// `today`, `parent`, `+Nd`, `-Nd`, `parent+Nd`, `parent-Nd`. An offset too big for `i32`
/// comes back as `i32::MAX`, for the range check to refuse with its own message.
pub(crate) fn parse_due(value: &str) -> Option<(i32, DueAnchor)> {
    let (anchor, offset) = match value.strip_prefix("parent") {
        Some(offset) => (DueAnchor::ParentDue, offset),
        None if value == "today" => (DueAnchor::Today, ""),
        None => (DueAnchor::Today, value),
    };
    if offset.is_empty() {
        return (!value.is_empty()).then_some((0, anchor));
    }
    let (negative, amount) = match offset.strip_prefix('+') {
        Some(amount) => (false, amount),
        None => (true, offset.strip_prefix('-')?),
    };
    let digits = amount.strip_suffix('d')?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let days = digits.parse::<i32>().unwrap_or(i32::MAX);
    Some((if negative { days.saturating_neg() } else { days }, anchor))
}

/// An unknown or incomplete marker.
fn unknown(field: &'static str, shown: &str, hint: &str) -> Violation {
    Violation::new(field, code::UNKNOWN_MARKER, format!("Unknown marker `{shown}`: {hint}."))
}

/// A marker whose value breaks a rule: the rule's problem, introduced by the marker.
fn because(shown: &str, problem: &Violation, hint: &str) -> Violation {
    let hint = if hint.is_empty() { String::new() } else { format!(" ({hint})") };
    Violation { message: format!("`{shown}`: {}{hint}", problem.message), ..problem.clone() }
}

fn twice(field: &'static str, shown: &str, what: &str) -> Violation {
    Violation::new(
        field,
        code::DUPLICATE,
        format!("`{shown}`: this line already has {what}; a subtask takes only one."),
    )
}
