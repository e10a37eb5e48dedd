//! Jira's time-tracking durations (`3w 2d 4h 30m`, `1.5h`, or bare minutes), with Jira Cloud's
//! default working time: 8 hours a day, 5 days a week.

const MINUTE: u64 = 60;
const HOUR: u64 = 3_600;
const DAY: u64 = 8 * HOUR;
const WEEK: u64 = 5 * DAY;

/// Seconds in `text`, or `None` when Jira would call the estimate invalid.
pub(crate) fn parse(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // A bare number is minutes, Jira's default unit.
    if text.chars().all(|c| c.is_ascii_digit()) {
        return text.parse::<u64>().ok()?.checked_mul(MINUTE);
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len =
            rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let mut units = after.chars();
        let unit = match units.next()?.to_ascii_lowercase() {
            'w' => WEEK,
            'd' => DAY,
            'h' => HOUR,
            'm' => MINUTE,
            _ => return None,
        };
        if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
            return None;
        }
        let amount: f64 = number.parse().ok()?;
        let secs = (amount * unit as f64).round();
        if !secs.is_finite() || secs < 0.0 || secs > u64::MAX as f64 {
            return None;
        }
        total = total.checked_add(secs as u64)?;
        rest = units.as_str().trim_start();
    }
    Some(total)
}

/// Seconds as Jira prints an estimate (`1w 2d 3h 30m`); `0m` for zero.
pub(crate) fn format(secs: u64) -> String {
    let mut parts = Vec::new();
    let mut left = secs;
    for (unit, suffix) in [(WEEK, 'w'), (DAY, 'd'), (HOUR, 'h'), (MINUTE, 'm')] {
        let count = left.checked_div(unit).unwrap_or(0);
        if count > 0 {
            parts.push(format!("{count}{suffix}"));
            left = left.checked_rem(unit).unwrap_or(0);
        }
    }
    if parts.is_empty() { "0m".to_owned() } else { parts.join(" ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_jira_durations() {
        assert_eq!(parse("2h"), Some(7_200));
        assert_eq!(parse("1h 30m"), Some(5_400));
        assert_eq!(parse("1h30m"), Some(5_400));
        assert_eq!(parse("1w 2d"), Some(7 * 8 * 3_600));
        assert_eq!(parse("1.5h"), Some(5_400));
        assert_eq!(parse("10"), Some(600));
        assert_eq!(parse("3D"), Some(3 * 8 * 3_600));
        for bad in ["", "h", "2x", "-1h", "2 h", "1..5h", ".5h", "abc", "2h x"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_like_jira() {
        assert_eq!(format(5_400), "1h 30m");
        assert_eq!(format(7 * 8 * 3_600), "1w 2d");
        assert_eq!(format(0), "0m");
    }
}
