use super::*;
use crate::model::{DueAnchor, RelativeDue, TemplateId};

fn codes(report: &ValidationReport) -> Vec<(Option<usize>, &'static str, &'static str)> {
    report.violations.iter().map(|problem| (problem.line, problem.field, problem.code)).collect()
}

fn template(id: &str, subtasks: Vec<SubtaskSpec>) -> Template {
    Template {
        id: TemplateId::new(id).unwrap(),
        name: format!("Template {id}"),
        description: None,
        subtask_type: None,
        subtasks,
    }
}

#[test]
fn a_valid_subtask_has_no_problems() {
    let spec = SubtaskSpec {
        summary: "Review {{parent.key}}".to_owned(),
        description: Some("Due {{parent.due}}".to_owned()),
        assignee: Some(Assignee::AccountId("5b10ac8d82e05b22cc7d4ef5".to_owned())),
        labels: vec!["qa".to_owned()],
        priority: Some("High".to_owned()),
        due: Some(RelativeDue { days: -1, anchor: DueAnchor::ParentDue }),
        ..SubtaskSpec::default()
    };
    assert!(check_subtask(&spec).is_empty(), "{}", check_subtask(&spec));
}

#[test]
fn every_field_of_a_bad_subtask_is_reported() {
    let spec = SubtaskSpec {
        summary: "{{nope}}".to_owned(),
        description: Some(format!("{{{{x}}}}{}", "d".repeat(32_767))),
        assignee: Some(Assignee::AccountId("Me".to_owned())),
        labels: vec!["a b".to_owned(), "ok".to_owned(), "ok".to_owned()],
        estimate: None,
        priority: Some(" ".to_owned()),
        due: Some(RelativeDue { days: 4_000, anchor: DueAnchor::Today }),
        issue_type: Some("t".repeat(61)),
    };
    assert_eq!(
        codes(&check_subtask(&spec)),
        [
            (None, field::SUMMARY, code::UNKNOWN_VARIABLE),
            (None, field::DESCRIPTION, code::TOO_LONG),
            (None, field::DESCRIPTION, code::UNKNOWN_VARIABLE),
            (None, field::ASSIGNEE, code::RESERVED),
            (None, field::LABELS, code::WHITESPACE),
            (None, field::LABELS, code::DUPLICATE),
            (None, field::PRIORITY, code::EMPTY),
            (None, field::DUE, code::TOO_LARGE),
            (None, field::ISSUE_TYPE, code::TOO_LONG),
        ]
    );
}

#[test]
fn summaries_are_checked_on_their_fixed_text_before_rendering() {
    let rows = [
        (String::new(), vec![(None, field::SUMMARY, code::EMPTY)]),
        (" \t".to_owned(), vec![(None, field::SUMMARY, code::EMPTY)]),
        ("a\nb".to_owned(), vec![(None, field::SUMMARY, code::MULTI_LINE)]),
        ("ü".repeat(254), vec![]),
        ("ü".repeat(255), vec![(None, field::SUMMARY, code::TOO_LONG)]),
        (format!("{}{{{{parent.summary}}}}", "ü".repeat(254)), vec![]),
        ("{{parent.key".to_owned(), vec![(None, field::SUMMARY, code::BAD_SYNTAX)]),
    ];
    for (summary, want) in rows {
        assert_eq!(codes(&check_subtask(&SubtaskSpec::new(summary.clone()))), want, "{summary:?}");
    }
}

#[test]
fn template_problems_carry_the_subtask_position_as_line() {
    let mut bad =
        template("t", vec![SubtaskSpec::new("ok"), SubtaskSpec::new(""), SubtaskSpec::new("ok")]);
    bad.name = String::new();
    assert_eq!(
        codes(&check_template(&bad)),
        [(None, field::TEMPLATE_NAME, code::EMPTY), (Some(2), field::SUMMARY, code::EMPTY)]
    );
    assert_eq!(
        codes(&check_template(&template("t", vec![]))),
        [(None, field::SUBTASKS, code::EMPTY)]
    );
    let many = template("t", vec![SubtaskSpec::new("x"); 201]);
    assert_eq!(codes(&check_template(&many)), [(None, field::SUBTASKS, code::TOO_MANY)]);
}

#[test]
fn libraries_limit_templates_per_scope_and_refuse_duplicate_ids() {
    let one = || template("same", vec![SubtaskSpec::new("x")]);
    let library = Library { revision: 1, templates: vec![one(), one()] };
    let report = check_library(&library, Scope::Project);
    assert_eq!(codes(&report), [(None, field::TEMPLATE_ID, code::DUPLICATE)]);
    let full = Library {
        revision: 1,
        templates: (0..101)
            .map(|n| template(&n.to_string(), vec![SubtaskSpec::new("x")]))
            .collect(),
    };
    for scope in [Scope::Personal, Scope::Project] {
        assert_eq!(codes(&check_library(&full, scope)), [(None, field::TEMPLATES, code::TOO_MANY)]);
    }
}

#[test]
fn library_problems_name_the_template_they_are_in() {
    let library =
        Library { revision: 0, templates: vec![template("a", vec![SubtaskSpec::new("  ")])] };
    let report = check_library(&library, Scope::Personal);
    assert_eq!(report.to_string(), "line 1: Template \"Template a\": The summary is empty.");
}

#[test]
fn a_template_default_type_fills_only_lines_without_their_own() {
    let mut subtasks = vec![SubtaskSpec::new("Plain"), SubtaskSpec::new("Own")];
    subtasks[1].issue_type = Some("Bug fix".to_owned());
    let mut template = template("typed", subtasks);
    let types = |template: &Template| -> Vec<Option<String>> {
        template.specs().into_iter().map(|spec| spec.issue_type).collect()
    };
    assert_eq!(types(&template), [None, Some("Bug fix".to_owned())]);
    template.subtask_type = Some("Sub-task".to_owned());
    assert_eq!(types(&template), [Some("Sub-task".to_owned()), Some("Bug fix".to_owned())]);
    assert!(check_template(&template).is_empty());
    template.subtask_type = Some(String::new());
    assert_eq!(codes(&check_template(&template)), [(None, field::ISSUE_TYPE, code::EMPTY)]);
}
