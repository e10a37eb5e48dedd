use super::*;

fn table(rule: fn(&str) -> Result<(), Violation>, rows: &[(String, Option<&str>)]) {
    for (input, want) in rows {
        let got = rule(input).err().map(|problem| problem.code);
        assert_eq!(got, *want, "input {input:?}");
    }
}

fn row(input: impl Into<String>, want: Option<&'static str>) -> (String, Option<&'static str>) {
    (input.into(), want)
}

const BAD: Option<&str> = Some(code::BAD_SYNTAX);

#[test]
fn project_keys_are_a_capital_then_one_to_nine_capitals_digits_or_underscores() {
    table(
        project_key,
        &[
            row("PROJ", None),
            row("AB", None),
            row("A_1", None),
            row("ABCDEFGHIJ", None),
            row("ABCDEFGHIJK", BAD),
            row("A", BAD),
            row("", BAD),
            row("proj", BAD),
            row("1AB", BAD),
            row("_AB", BAD),
            row("AB-1", BAD),
            row("ÄB", BAD),
            row("PROJ\n", BAD),
        ],
    );
}

#[test]
fn account_ids_are_one_to_128_of_the_atlassian_charset() {
    table(
        account_id,
        &[
            row("5b10ac8d82e05b22cc7d4ef5", None),
            row("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", None),
            row("qm:1a2b_3c", None),
            row("a".repeat(128), None),
            row("a".repeat(129), Some(code::TOO_LONG)),
            row("", Some(code::EMPTY)),
            row("with space", Some(code::BAD_CHARSET)),
            row("alice@example.com", Some(code::BAD_CHARSET)),
            row("ünï", Some(code::BAD_CHARSET)),
            row("a.b", Some(code::BAD_CHARSET)),
        ],
    );
}

#[test]
fn template_ids_are_lower_case_slugs_of_at_most_64() {
    table(
        template_id,
        &[
            row("release", None),
            row("release-2-0", None),
            row("0", None),
            row("t".repeat(64), None),
            row("t".repeat(65), Some(code::TOO_LONG)),
            row("", Some(code::EMPTY)),
            row("Release", Some(code::BAD_CHARSET)),
            row("re_lease", Some(code::BAD_CHARSET)),
            row("ré", Some(code::BAD_CHARSET)),
        ],
    );
}

#[test]
fn property_keys_stay_in_the_qsh_safe_set_and_within_jiras_lengths() {
    table(
        property_key,
        &[
            row("com.example.subtask-templates", None),
            row("subtask_templates.1", None),
            row("k".repeat(255), None),
            row("k".repeat(256), Some(code::TOO_LONG)),
            row("", Some(code::EMPTY)),
            row("with space", Some(code::BAD_CHARSET)),
            row("a/b", Some(code::BAD_CHARSET)),
            row("a%20b", Some(code::BAD_CHARSET)),
            row("a~b", Some(code::BAD_CHARSET)),
            row("ключ", Some(code::BAD_CHARSET)),
        ],
    );
    table(
        app_property_key,
        &[
            row("k".repeat(127), None),
            row("k".repeat(128), Some(code::TOO_LONG)),
            row("a+b", Some(code::BAD_CHARSET)),
        ],
    );
}

#[test]
fn id_problems_name_the_value_and_the_field() {
    let problem = account_id("bob smith").unwrap_err();
    assert_eq!(problem.field, field::ACCOUNT_ID);
    assert!(problem.message.contains("`bob smith`"), "{}", problem.message);
    let problem = project_key("nope").unwrap_err();
    assert_eq!(problem.field, field::PROJECT_KEY);
    assert_eq!(problem.message, "`nope` is not a project key such as `PROJ`.");
}
