use super::*;

#[test]
fn templates_have_one_to_200_subtasks() {
    let rows = [(1, None), (200, None), (0, Some(code::EMPTY)), (201, Some(code::TOO_MANY))];
    for (count, want) in rows {
        assert_eq!(subtask_count(count).err().map(|problem| problem.code), want, "{count}");
    }
}

#[test]
fn libraries_hold_up_to_100_templates_personal_or_per_project() {
    for max in [MAX_PERSONAL_TEMPLATES, MAX_PROJECT_TEMPLATES] {
        assert_eq!(max, 100);
        assert_eq!(template_count(0, max), Ok(()));
        assert_eq!(template_count(100, max), Ok(()));
        let problem = template_count(101, max).unwrap_err();
        assert_eq!((problem.code, problem.field), (code::TOO_MANY, field::TEMPLATES));
        assert!(problem.message.contains("101"), "{}", problem.message);
    }
}

#[test]
fn due_dates_move_at_most_ten_years_either_way() {
    let rows = [
        (0, true),
        (3_650, true),
        (-3_650, true),
        (3_651, false),
        (-3_651, false),
        (i32::MIN, false),
        (i32::MAX, false),
    ];
    for (days, fits) in rows {
        assert_eq!(due_offset_days(days).is_ok(), fits, "{days}");
    }
}
