//! Jira durations (`1w 2d 3h 30m`) for original estimates.
//!
//! Minutes are the unit of account. A day is 8 hours and a week 5 days: Jira's defaults, and
//! what the quick-entry syntax promises. Jira reads `d` and `w` with the site's own time-tracking
//! settings, so a site with 6-hour days turns `1d` into 6 hours: the string sent is the user's
//! intent in the user's units, which is what they would have typed into Jira itself.

use crate::report::{Violation, code, field};

pub const MINUTES_PER_HOUR: u32 = 60;
pub const HOURS_PER_DAY: u32 = 8;
pub const DAYS_PER_WEEK: u32 = 5;
/// The largest estimate accepted: 52 working weeks (52 × 5 × 8 × 60 minutes). Anything bigger
/// is a typo (`~500w`), not a subtask.
pub const ESTIMATE_MAX_MINUTES: u32 = 124_800;

/// Units from largest to smallest, with their length in minutes.
const UNITS: [(char, u32); 4] = [('w', 2_400), ('d', 480), ('h', 60), ('m', 1)];

/// Parses a Jira duration into minutes: amounts with units `w d h m`, largest first, each at most
/// once, spaces between them optional (`1d 4h`, `1d4h`). Must be positive and at most
/// [`ESTIMATE_MAX_MINUTES`].
pub fn parse_duration(text: &str) -> Result<u32, Violation> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(Violation::new(field::ESTIMATE, code::EMPTY, "The estimate is empty."));
    }
    let mut total: u64 = 0;
    let mut allowed_from = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let Some((amount, after)) = rest.split_at_checked(digits) else {
            return Err(bad_syntax(text));
        };
        let mut chars = after.chars();
        let unit = chars.next();
        let position = unit.and_then(|unit| UNITS.iter().position(|(name, _)| *name == unit));
        let (Some(position), false) = (position, amount.is_empty()) else {
            return Err(bad_syntax(text));
        };
        if position < allowed_from {
            return Err(Violation::new(
                field::ESTIMATE,
                code::BAD_SYNTAX,
                format!(
                    "In estimate `{}` the units must come in the order w, d, h, m, each at most once.",
                    text.trim()
                ),
            ));
        }
        allowed_from = position.saturating_add(1);
        let per = UNITS.get(position).map_or(0, |(_, minutes)| u64::from(*minutes));
        total = amount
            .parse::<u64>()
            .ok()
            .and_then(|amount| amount.checked_mul(per))
            .and_then(|minutes| minutes.checked_add(total))
            .ok_or_else(|| too_large(text))?;
        rest = chars.as_str().trim_start();
    }
    if total == 0 {
        return Err(Violation::new(
            field::ESTIMATE,
            code::NOT_POSITIVE,
            format!("Estimate `{}` must be more than zero.", text.trim()),
        ));
    }
    match u32::try_from(total) {
        Ok(minutes) if minutes <= ESTIMATE_MAX_MINUTES => Ok(minutes),
        _ => Err(too_large(text)),
    }
}

/// An estimate already in minutes: positive and at most [`ESTIMATE_MAX_MINUTES`].
pub fn estimate_minutes(minutes: u32) -> Result<(), Violation> {
    if minutes == 0 {
        return Err(Violation::new(
            field::ESTIMATE,
            code::NOT_POSITIVE,
            "The estimate must be more than zero.",
        ));
    }
    if minutes > ESTIMATE_MAX_MINUTES {
        return Err(Violation::new(
            field::ESTIMATE,
            code::TOO_LARGE,
            format!("The estimate {} is more than 52 weeks.", format_duration(minutes)),
        ));
    }
    Ok(())
}

/// The canonical Jira spelling of `minutes`: largest units first, zero parts left out,
/// separated by spaces (`2d 4h`, `1w 30m`); `0m` for zero.
pub fn format_duration(minutes: u32) -> String {
    let mut parts = Vec::new();
    let mut rest = minutes;
    for (unit, per) in UNITS {
        let amount = rest.checked_div(per).unwrap_or(0);
        rest = rest.checked_rem(per).unwrap_or(0);
        if amount > 0 {
            parts.push(format!("{amount}{unit}"));
        }
    }
    if parts.is_empty() { "0m".to_owned() } else { parts.join(" ") }
}

fn bad_syntax(text: &str) -> Violation {
    Violation::new(
        field::ESTIMATE,
        code::BAD_SYNTAX,
        format!(
            "Estimate `{}` is not a Jira duration: write it like `1w 2d 3h 30m` \
             (weeks, days, hours, minutes).",
            crate::text::excerpt(text.trim())
        ),
    )
}

fn too_large(text: &str) -> Violation {
    Violation::new(
        field::ESTIMATE,
        code::TOO_LARGE,
        format!("Estimate `{}` is more than 52 weeks.", crate::text::excerpt(text.trim())),
    )
}

#[cfg(test)]
mod tests;
