use chrono::NaiveDate;

use super::*;
use crate::model::{Estimate, RelativeDue};
use crate::quick::parse_quick_entry;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn parent() -> ParentContext {
    ParentContext {
        key: "PROJ-7".to_owned(),
        summary: "Launch the rocket".to_owned(),
        assignee_account_id: Some("acc-assignee".to_owned()),
        assignee_display_name: Some("Ada Lovelace".to_owned()),
        reporter_account_id: Some("acc-reporter".to_owned()),
        due_date: Some(date(2026, 3, 31)),
        today: date(2026, 3, 1),
        applying_account_id: "acc-me".to_owned(),
    }
}

fn render_line(line: &str, parent: &ParentContext) -> Result<RenderedSubtask, ValidationReport> {
    let spec = parse_quick_entry(line).unwrap().remove(0);
    render(&spec, parent)
}

#[test]
fn variables_are_filled_in_from_the_parent() {
    let spec = SubtaskSpec {
        summary: "Test {{parent.key}}: {{parent.summary}} ({{ parent.assignee }})".to_owned(),
        description: Some("Parent due {{parent.due}}, made {{today}}.".to_owned()),
        ..SubtaskSpec::default()
    };
    let rendered = render(&spec, &parent()).unwrap();
    assert_eq!(rendered.summary, "Test PROJ-7: Launch the rocket (Ada Lovelace)");
    assert_eq!(rendered.description.as_deref(), Some("Parent due 2026-03-31, made 2026-03-01."));
}

#[test]
fn missing_parent_values_render_as_empty_text() {
    let parent = ParentContext { assignee_display_name: None, due_date: None, ..parent() };
    let spec = SubtaskSpec::new("Owner [{{parent.assignee}}] due [{{parent.due}}]");
    assert_eq!(render(&spec, &parent).unwrap().summary, "Owner [] due []");
}

#[test]
fn every_field_is_rendered_for_jira() {
    let rendered =
        render_line("Ship it @parent #release ~1d4h !High due:parent-2d", &parent()).unwrap();
    assert_eq!(
        rendered,
        RenderedSubtask {
            summary: "Ship it".to_owned(),
            description: None,
            assignee: RenderedAssignee::Account("acc-assignee".to_owned()),
            labels: vec!["release".to_owned()],
            original_estimate: Some("1d 4h".to_owned()),
            priority: Some("High".to_owned()),
            due_date: Some(date(2026, 3, 29)),
        }
    );
    assert_eq!(render_line("T due:+30d", &parent()).unwrap().due_date, Some(date(2026, 3, 31)));
    assert_eq!(render_line("T due:today", &parent()).unwrap().due_date, Some(date(2026, 3, 1)));
    assert_eq!(Estimate::from_minutes(90).map(Estimate::to_jira), Ok("1h 30m".to_owned()));
}

#[test]
fn assignees_resolve_to_an_account_unassigned_or_the_project_default() {
    let unassigned_parent = ParentContext { assignee_account_id: None, ..parent() };
    let rows = [
        ("T", parent(), RenderedAssignee::ProjectDefault),
        ("T @unassigned", parent(), RenderedAssignee::Unassigned),
        ("T @me", parent(), RenderedAssignee::Account("acc-me".to_owned())),
        ("T @reporter", parent(), RenderedAssignee::Account("acc-reporter".to_owned())),
        ("T @parent", parent(), RenderedAssignee::Account("acc-assignee".to_owned())),
        ("T @parent", unassigned_parent, RenderedAssignee::Unassigned),
        ("T @abc123", parent(), RenderedAssignee::Account("abc123".to_owned())),
    ];
    for (line, parent, want) in rows {
        assert_eq!(
            render_line(line, &parent).map(|rendered| rendered.assignee),
            Ok(want),
            "{line}"
        );
    }
}

#[test]
fn counting_from_a_missing_parent_due_date_is_an_error_naming_the_line() {
    let parent = ParentContext { due_date: None, reporter_account_id: None, ..parent() };
    let specs = parse_quick_entry("Fine due:+1d\nLate due:parent+2d\nWho @reporter").unwrap();
    let report = render_all(&specs, &parent).unwrap_err();
    let got: Vec<(Option<usize>, &str, &str)> = report
        .violations
        .iter()
        .map(|problem| (problem.line, problem.field, problem.code))
        .collect();
    assert_eq!(
        got,
        [(Some(2), field::DUE, code::MISSING), (Some(3), field::ASSIGNEE, code::MISSING)]
    );
    assert!(report.violations[0].message.contains("PROJ-7 has none"), "{report}");
}

#[test]
fn the_rendered_summary_must_fit_jiras_limit() {
    let long_parent = ParentContext { summary: "p".repeat(250), ..parent() };
    let report = render(&SubtaskSpec::new("Review: {{parent.summary}}"), &long_parent).unwrap_err();
    assert_eq!(report.violations[0].code, code::TOO_LONG);
    assert!(
        report.violations[0]
            .message
            .contains("once the parent's values are filled in (it has 258)"),
        "{report}"
    );
    let blank_parent = ParentContext { summary: "  ".to_owned(), ..parent() };
    let report = render(&SubtaskSpec::new("{{parent.summary}}"), &blank_parent).unwrap_err();
    assert_eq!(report.violations[0].code, code::EMPTY);
    let fits = ParentContext { summary: "中".repeat(246), ..parent() };
    assert!(render(&SubtaskSpec::new("Review: {{parent.summary}}"), &fits).is_ok());
}

#[test]
fn invalid_subtasks_and_dates_off_the_calendar_are_refused() {
    assert!(
        render(&SubtaskSpec::new("{{bad}}"), &parent()).unwrap_err().has(code::UNKNOWN_VARIABLE)
    );
    let end_of_time = ParentContext { today: NaiveDate::MAX, ..parent() };
    let spec = SubtaskSpec {
        due: Some(RelativeDue { days: 1, anchor: DueAnchor::Today }),
        ..SubtaskSpec::new("x")
    };
    assert!(render(&spec, &end_of_time).unwrap_err().has(code::TOO_LARGE));
}

#[test]
fn rendering_a_list_keeps_its_order() {
    let specs = parse_quick_entry("One\nTwo\nThree").unwrap();
    let summaries: Vec<String> =
        render_all(&specs, &parent()).unwrap().into_iter().map(|r| r.summary).collect();
    assert_eq!(summaries, ["One", "Two", "Three"]);
}

#[test]
fn render_problems_land_on_the_source_line_of_their_subtask() {
    use crate::quick::{format_quick_entry_mapped, parse_quick_entry_mapped};
    let text = "Plan\n  first description line\n\n  after a blank\n\nShip due:parent+1d\n\t\tdetail\n\nTell @reporter\nBad {{oops\n";
    // Parse errors number source lines: `Bad {{oops` stands on line 10.
    let parsed = parse_quick_entry_mapped(text).unwrap_err();
    assert_eq!(parsed.violations.iter().map(|p| p.line).collect::<Vec<_>>(), [Some(10)]);
    let text = text.replace("Bad {{oops\n", "");
    let (specs, lines) = parse_quick_entry_mapped(&text).unwrap();
    assert_eq!(lines.lines(), [1, 6, 9]);
    let orphan = ParentContext { due_date: None, reporter_account_id: None, ..parent() };
    let report = render_all(&specs, &orphan).unwrap_err();
    let positions: Vec<Option<usize>> = report.violations.iter().map(|p| p.line).collect();
    assert_eq!(positions, [Some(2), Some(3)], "render_all numbers subtasks: {report}");
    let relabelled = lines.relabel(report);
    let at: Vec<(Option<usize>, &str)> =
        relabelled.violations.iter().map(|p| (p.line, p.field)).collect();
    assert_eq!(at, [(Some(6), field::DUE), (Some(9), field::ASSIGNEE)]);
    // A stored template is shown as its formatted text: lines count in that text.
    let (formatted, stored_lines) = format_quick_entry_mapped(&specs);
    assert_eq!(stored_lines.lines(), [1, 5, 7], "{formatted}");
    assert_eq!(parse_quick_entry_mapped(&formatted).unwrap().1, stored_lines);
}
