//! Property-based tests: each rule accepts exactly the inputs its definition describes, for
//! arbitrary Unicode input, and durations round-trip through Jira's format.

use proptest::prelude::*;
use stj_validation::duration::{ESTIMATE_MAX_MINUTES, format_duration, parse_duration};
use stj_validation::text::{LABEL_MAX, SUMMARY_MAX, is_line_break, jira_len, label, summary};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn summary_is_valid_exactly_when_single_line_non_blank_and_short_enough(text in "\\PC{0,300}|[a-z \\n\\r]{0,20}") {
        let expected = !text.trim().is_empty() && !text.chars().any(is_line_break) && jira_len(&text) <= SUMMARY_MAX;
        prop_assert_eq!(summary(&text).is_ok(), expected, "{:?}", text);
    }

    #[test]
    fn label_is_valid_exactly_when_non_empty_without_whitespace_and_short_enough(text in "\\PC{0,300}|[a-z \\t]{0,10}") {
        let expected = !text.is_empty() && !text.chars().any(char::is_whitespace) && jira_len(&text) <= LABEL_MAX;
        prop_assert_eq!(label(&text).is_ok(), expected, "{:?}", text);
    }

    #[test]
    fn refusals_name_their_field_and_code(text in "\\PC{0,400}") {
        if let Err(problem) = summary(&text) {
            prop_assert_eq!(problem.field, "summary");
            prop_assert!(!problem.code.is_empty() && !problem.message.is_empty());
        }
    }

    #[test]
    fn durations_round_trip_through_jira_format(minutes in 1u32..=ESTIMATE_MAX_MINUTES) {
        prop_assert_eq!(parse_duration(&format_duration(minutes)).ok(), Some(minutes));
    }

    #[test]
    fn parsing_any_text_as_a_duration_never_panics(text in "\\PC{0,40}") {
        let _ = parse_duration(&text);
    }
}
