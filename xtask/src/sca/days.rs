//! Calendar days as numbers (days since 1970-01-01, UTC), for review dates and the advisory
//! database's age.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;

/// Days since 1970-01-01 (UTC) now.
pub(crate) fn today() -> anyhow::Result<i64> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).context("clock before 1970")?.as_secs();
    i64::try_from(secs / 86_400).context("clock out of range")
}

/// Days since 1970-01-01 of an ISO date `YYYY-MM-DD` (the first ten characters of `text`).
pub(crate) fn day_number(text: &str) -> Option<i64> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    let valid =
        (1970..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day);
    valid.then(|| days_from_civil(year, month, day))
}

/// Howard Hinnant's `days_from_civil` for the proleptic Gregorian calendar.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "inputs are range-checked by day_number: small integers, no overflow"
)]
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::day_number;

    #[test]
    fn counts_days_like_the_calendar() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(
            day_number("2026-11-29")
                .zip(day_number("2026-08-21T08:28:40+02:00"))
                .map(|(a, b)| a - b),
            Some(100)
        );
        assert_eq!(day_number("2026-8-21"), None);
    }
}
