use super::*;

#[test]
fn a_report_collects_every_problem_with_its_line() {
    let mut report = ValidationReport::new();
    assert!(report.is_empty());
    assert_eq!(report.check(Some(3), Ok::<_, Violation>(7)), Some(7));
    let problem = Violation::new(field::SUMMARY, code::EMPTY, "The summary is empty.");
    assert_eq!(report.check(Some(3), Err::<(), _>(problem.clone())), None);
    report.push(Violation::new(field::LABELS, code::EMPTY, "A label cannot be empty.").at_line(5));
    assert_eq!(report.len(), 2);
    assert!(report.has(code::EMPTY) && !report.has(code::TOO_LONG));
    assert_eq!(
        report.to_string(),
        "line 3: The summary is empty.\nline 5: A label cannot be empty."
    );
    assert_eq!(report.clone().into_result(()), Err(report));
    assert_eq!(ValidationReport::new().into_result(1), Ok(1));
}

#[test]
fn merging_keeps_lines_already_set_and_fills_the_others() {
    let mut inner = ValidationReport::from(Violation::new(field::DUE, code::MISSING, "no date"));
    inner.push(Violation::new(field::DUE, code::MISSING, "elsewhere").at_line(9));
    let mut outer = ValidationReport::new();
    outer.merge(Some(2), inner);
    let lines: Vec<Option<usize>> = outer.violations.iter().map(|problem| problem.line).collect();
    assert_eq!(lines, [Some(2), Some(9)]);
}

#[test]
fn a_problem_can_be_moved_to_another_field_and_prints_its_line() {
    let problem =
        Violation::new(field::ACCOUNT_ID, code::BAD_CHARSET, "bad").in_field(field::ASSIGNEE);
    assert_eq!(problem.field, field::ASSIGNEE);
    assert_eq!(problem.to_string(), "bad");
    assert_eq!(problem.at_line(4).to_string(), "line 4: bad");
}
