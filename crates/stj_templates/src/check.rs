//! Whole-object validation: a subtask, a template, a library. Every problem is collected.

use std::collections::HashSet;

use stj_validation::text::{self, SUMMARY_MAX, excerpt};
use stj_validation::{ValidationReport, Violation, code, field, id_rules, limits};

use crate::model::{ASSIGNEE_KEYWORDS, Assignee, Library, Scope, SubtaskSpec, Template};
use crate::variables::{self, literal_len};

/// Every problem of one subtask as it is stored (before rendering), without a line: the
/// summary is one non-blank line whose fixed text fits in 254 characters, variables are known,
/// labels, priority, assignee, due offset, subtask type name and description length are valid.
pub fn check_subtask(spec: &SubtaskSpec) -> ValidationReport {
    let mut report = ValidationReport::new();
    report.check(None, text::one_line(field::SUMMARY, "summary", &spec.summary));
    match variables::pieces(field::SUMMARY, &spec.summary) {
        Ok(pieces) => {
            let fixed = literal_len(&pieces);
            if fixed > SUMMARY_MAX {
                report.push(Violation::new(
                    field::SUMMARY,
                    code::TOO_LONG,
                    format!("Summary must be less than 255 characters (it has {fixed})."),
                ));
            }
        }
        Err(problems) => problems.into_iter().for_each(|problem| report.push(problem)),
    }
    if let Some(description) = &spec.description {
        report.check(None, text::description(description));
        if let Err(problems) = variables::pieces(field::DESCRIPTION, description) {
            problems.into_iter().for_each(|problem| report.push(problem));
        }
    }
    if let Some(Assignee::AccountId(id)) = &spec.assignee {
        report.check(None, account_id(id));
    }
    text::labels(&spec.labels).into_iter().for_each(|problem| report.push(problem));
    if let Some(priority) = &spec.priority {
        report.check(None, text::priority(priority));
    }
    if let Some(due) = &spec.due {
        report.check(None, limits::due_offset_days(due.days));
    }
    if let Some(issue_type) = &spec.issue_type {
        report.check(None, text::issue_type_name(issue_type));
    }
    report
}

/// An assignee's account id: valid, and not one of the words that name another kind of assignee.
pub(crate) fn account_id(id: &str) -> Result<(), Violation> {
    id_rules::account_id(id).map_err(|problem| problem.in_field(field::ASSIGNEE))?;
    if ASSIGNEE_KEYWORDS.iter().any(|word| word.eq_ignore_ascii_case(id)) {
        return Err(Violation::new(
            field::ASSIGNEE,
            code::RESERVED,
            format!("`{id}` names a kind of assignee, not an account id."),
        ));
    }
    Ok(())
}

/// Every problem of a template: its name and description, 1 to 200 subtasks, and each subtask's
/// problems at `line` = the subtask's 1-based position.
pub fn check_template(template: &Template) -> ValidationReport {
    let mut report =
        check_template_fields(&template.name, template.description.as_deref(), &template.subtasks);
    if let Some(subtask_type) = &template.subtask_type {
        report.check(None, text::issue_type_name(subtask_type));
    }
    report
}

/// [`check_template`] for a template whose id could not be read.
pub(crate) fn check_template_fields(
    name: &str,
    description: Option<&str>,
    subtasks: &[SubtaskSpec],
) -> ValidationReport {
    let mut report = ValidationReport::new();
    report.check(None, text::template_name(name));
    if let Some(description) = description {
        report.check(None, text::description(description));
    }
    report.check(None, limits::subtask_count(subtasks.len()));
    for (line, spec) in (1..).zip(subtasks) {
        report.merge(Some(line), check_subtask(spec));
    }
    report
}

/// Every problem of a library: the number of templates `scope` allows, ids unique, and each
/// template's problems, their messages prefixed with the template's name.
pub fn check_library(library: &Library, scope: Scope) -> ValidationReport {
    let mut report = check_library_shape(library, scope);
    for template in &library.templates {
        report.merge(None, in_template(&template.name, check_template(template)));
    }
    report
}

/// The library-level rules alone: how many templates, and no id twice.
pub(crate) fn check_library_shape(library: &Library, scope: Scope) -> ValidationReport {
    let mut report = ValidationReport::new();
    report.check(None, limits::template_count(library.templates.len(), scope.max_templates()));
    let mut seen = HashSet::new();
    for template in &library.templates {
        if !seen.insert(&template.id) {
            report.push(Violation::new(
                field::TEMPLATE_ID,
                code::DUPLICATE,
                format!("Two templates have the id `{}`.", template.id),
            ));
        }
    }
    report
}

/// `report` with each message prefixed by the template it concerns.
pub(crate) fn in_template(name: &str, report: ValidationReport) -> ValidationReport {
    let problems = report
        .violations
        .into_iter()
        .map(|problem| Violation {
            message: format!("Template \"{}\": {}", excerpt(name), problem.message),
            ..problem
        })
        .collect();
    ValidationReport { violations: problems }
}

#[cfg(test)]
mod tests;
