//! The grammar of identifiers written inside templates and property keys (project keys, account
//! ids, template ids, entity property keys), as rules returning a [`Violation`] (a line's fault).
//! Id *types* that cross trust boundaries, parsed once where they enter (`ClientKey`, `IssueKey`,
//! …), live in `stj_core::ids`.
//! All are ASCII by rule, so counting characters and counting UTF-16 units agree here and
//! validator's length check (which counts characters) applies as it is.

use std::sync::LazyLock;

use regex::Regex;
use validator::{ValidateLength, ValidateRegex};

use crate::report::{Violation, code, field};
use crate::text::excerpt;

/// Jira's `accountId` parameter is at most 128 characters.
pub const ACCOUNT_ID_MAX: u64 = 128;
/// Template ids are short slugs, used in URLs and in issue properties that record applications.
pub const TEMPLATE_ID_MAX: u64 = 64;
/// Jira's limit for an entity property key.
pub const PROPERTY_KEY_MAX: u64 = 255;
/// Jira's lower limit for a Connect app property key (400 beyond it).
pub const APP_PROPERTY_KEY_MAX: u64 = 127;

#[expect(clippy::unwrap_used, reason = "literal pattern, covered by tests")]
fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap()
}

/// Jira's default project key pattern: a capital letter, then 1 to 9 capitals, digits or `_`.
pub static PROJECT_KEY: LazyLock<Regex> = LazyLock::new(|| regex(r"^[A-Z][A-Z0-9_]{1,9}$"));
/// Atlassian account ids: hex (`5b10ac8d82e05b22cc7d4ef5`) or prefixed (`557058:f581…`, `qm:…`).
pub static ACCOUNT_ID: LazyLock<Regex> = LazyLock::new(|| regex(r"^[A-Za-z0-9:_-]+$"));
/// Template ids: lower-case slugs.
pub static TEMPLATE_ID: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9-]+$"));
/// The property-key characters the app allows: nothing that needs percent-encoding, so the
/// path Jira signs in the qsh is the path the app built.
pub static PROPERTY_KEY: LazyLock<Regex> = LazyLock::new(|| regex(r"^[A-Za-z0-9._-]+$"));

/// A project key such as `PROJ`.
pub fn project_key(text: &str) -> Result<(), Violation> {
    shaped(field::PROJECT_KEY, text, &PROJECT_KEY, "a project key such as `PROJ`")
}

/// An Atlassian account id: 1 to 128 of `A-Z a-z 0-9 : _ -`.
pub fn account_id(text: &str) -> Result<(), Violation> {
    bounded_charset(
        field::ACCOUNT_ID,
        "account id",
        text,
        ACCOUNT_ID_MAX,
        &ACCOUNT_ID,
        "A-Z a-z 0-9 : _ -",
    )
}

/// A template id: 1 to 64 of `a-z 0-9 -`.
pub fn template_id(text: &str) -> Result<(), Violation> {
    bounded_charset(
        field::TEMPLATE_ID,
        "template id",
        text,
        TEMPLATE_ID_MAX,
        &TEMPLATE_ID,
        "a-z 0-9 -",
    )
}

/// An issue, project or user property key: 1 to 255 of `A-Z a-z 0-9 . _ -`.
pub fn property_key(text: &str) -> Result<(), Violation> {
    bounded_charset(
        field::PROPERTY_KEY,
        "property key",
        text,
        PROPERTY_KEY_MAX,
        &PROPERTY_KEY,
        "A-Z a-z 0-9 . _ -",
    )
}

/// A Connect app property key: as [`property_key`], but at most 127.
pub fn app_property_key(text: &str) -> Result<(), Violation> {
    bounded_charset(
        field::PROPERTY_KEY,
        "app property key",
        text,
        APP_PROPERTY_KEY_MAX,
        &PROPERTY_KEY,
        "A-Z a-z 0-9 . _ -",
    )
}

fn shaped(field: &'static str, text: &str, pattern: &Regex, what: &str) -> Result<(), Violation> {
    if text.validate_regex(pattern) {
        Ok(())
    } else {
        Err(Violation::new(field, code::BAD_SYNTAX, format!("`{}` is not {what}.", excerpt(text))))
    }
}

fn bounded_charset(
    field: &'static str,
    what: &str,
    text: &str,
    max: u64,
    charset: &Regex,
    allowed: &str,
) -> Result<(), Violation> {
    if text.is_empty() {
        return Err(Violation::new(field, code::EMPTY, format!("The {what} is empty.")));
    }
    if !text.validate_length(None, Some(max), None) {
        return Err(Violation::new(
            field,
            code::TOO_LONG,
            format!("The {what} `{}` is longer than {max} characters.", excerpt(text)),
        ));
    }
    if !text.validate_regex(charset) {
        return Err(Violation::new(
            field,
            code::BAD_CHARSET,
            format!("The {what} `{}` may only contain {allowed}.", excerpt(text)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
