use super::*;

#[test]
fn jira_durations_parse_to_minutes_with_eight_hour_days_and_five_day_weeks() {
    let rows = [
        ("1w 2d 3h 30m", 2_400 + 960 + 180 + 30),
        ("30m", 30),
        ("2h", 120),
        ("1d", 480),
        ("1w", 2_400),
        ("1d4h", 720),
        ("1d 4h", 720),
        ("  1w   1m  ", 2_401),
        ("0h 30m", 30),
        ("90m", 90),
        ("25h", 1_500),
        ("007m", 7),
        ("52w", ESTIMATE_MAX_MINUTES),
        ("51w 4d 7h 60m", ESTIMATE_MAX_MINUTES),
    ];
    for (text, minutes) in rows {
        assert_eq!(parse_duration(text), Ok(minutes), "{text:?}");
    }
}

#[test]
fn malformed_zero_and_huge_durations_are_refused_with_a_code() {
    let rows = [
        ("", code::EMPTY),
        ("   ", code::EMPTY),
        ("2x", code::BAD_SYNTAX),
        ("2", code::BAD_SYNTAX),
        ("h", code::BAD_SYNTAX),
        ("1.5h", code::BAD_SYNTAX),
        ("-1h", code::BAD_SYNTAX),
        ("+1h", code::BAD_SYNTAX),
        ("2H", code::BAD_SYNTAX),
        ("1 h", code::BAD_SYNTAX),
        ("1hh", code::BAD_SYNTAX),
        ("2 hours", code::BAD_SYNTAX),
        ("１h", code::BAD_SYNTAX),
        ("30m 1h", code::BAD_SYNTAX),
        ("1h 1h", code::BAD_SYNTAX),
        ("1d 1w", code::BAD_SYNTAX),
        ("0m", code::NOT_POSITIVE),
        ("0w 0d", code::NOT_POSITIVE),
        ("52w 1m", code::TOO_LARGE),
        ("53w", code::TOO_LARGE),
        ("99999999999999999999999w", code::TOO_LARGE),
        ("18446744073709551615w", code::TOO_LARGE),
    ];
    for (text, want) in rows {
        assert_eq!(parse_duration(text).map_err(|problem| problem.code), Err(want), "{text:?}");
    }
}

#[test]
fn duration_problems_quote_the_estimate_and_show_the_expected_shape() {
    let problem = parse_duration("~2x").unwrap_err();
    assert_eq!(problem.field, field::ESTIMATE);
    assert!(problem.message.contains("`~2x`"), "{}", problem.message);
    assert!(problem.message.contains("1w 2d 3h 30m"), "{}", problem.message);
    let problem = parse_duration("30m 1h").unwrap_err();
    assert!(problem.message.contains("order w, d, h, m"), "{}", problem.message);
}

#[test]
fn durations_format_canonically_and_parse_back() {
    let rows = [
        (30, "30m"),
        (60, "1h"),
        (90, "1h 30m"),
        (480, "1d"),
        (720, "1d 4h"),
        (2_400, "1w"),
        (2_431, "1w 31m"),
        (ESTIMATE_MAX_MINUTES, "52w"),
        (0, "0m"),
    ];
    for (minutes, text) in rows {
        assert_eq!(format_duration(minutes), text);
    }
    for minutes in (1..=ESTIMATE_MAX_MINUTES).step_by(97) {
        assert_eq!(parse_duration(&format_duration(minutes)), Ok(minutes));
    }
}

#[test]
fn estimates_in_minutes_are_positive_and_at_most_52_weeks() {
    assert_eq!(estimate_minutes(1), Ok(()));
    assert_eq!(estimate_minutes(ESTIMATE_MAX_MINUTES), Ok(()));
    assert_eq!(estimate_minutes(0).unwrap_err().code, code::NOT_POSITIVE);
    assert_eq!(
        estimate_minutes(ESTIMATE_MAX_MINUTES.saturating_add(1)).unwrap_err().code,
        code::TOO_LARGE
    );
}
