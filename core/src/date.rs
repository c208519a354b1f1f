//! Calendar dates in JSON (`YYYY-MM-DD`) and the supported span of years.
//!
//! Every date entering the core passes through [`de`] or [`de_opt`], so an impossible date
//! (`2025-02-30`) or one outside 1900..=2199 is refused with the field's path.

use crate::error::{Error, ErrorCode};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer};

/// First year the calendars and planner support.
pub const MIN_YEAR: i32 = 1900;
/// Last year the calendars and planner support.
pub const MAX_YEAR: i32 = 2199;

/// Parses a `YYYY-MM-DD` date within the supported years; the message says what was wrong.
pub fn parse(text: &str) -> Result<NaiveDate, (ErrorCode, String)> {
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let date = shape_ok.then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()).flatten().ok_or_else(|| {
        (ErrorCode::InvalidDate, format!("`{text}` is not a date of the form YYYY-MM-DD that exists"))
    })?;
    check_year(date).map_err(|e| (e.code(), e.message().to_owned()))?;
    Ok(date)
}

/// Refuses dates outside the supported years.
pub fn check_year(date: NaiveDate) -> Result<(), Error> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::DateOutOfRange,
            "",
            format!("{date} is outside the supported years {MIN_YEAR} to {MAX_YEAR}"),
        ))
    }
}

/// serde `deserialize_with` for a required date.
pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = String::deserialize(d)?;
    parse(&s).map_err(|(code, msg)| serde::de::Error::custom(Error::serde_message(code, &msg)))
}

/// serde `deserialize_with` for an optional date (use with `#[serde(default)]`).
pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|s| parse(&s).map_err(|(code, msg)| serde::de::Error::custom(Error::serde_message(code, &msg))))
        .transpose()
}

/// The last day of the month of `date`.
pub fn end_of_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(date)
}

/// `date` plus a signed number of calendar days; `None` past chrono's range.
pub fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_dates_in_range() {
        assert!(parse("2024-02-29").is_ok());
        assert_eq!(parse("2025-02-29").unwrap_err().0, ErrorCode::InvalidDate);
        assert_eq!(parse("2025-2-3").unwrap_err().0, ErrorCode::InvalidDate);
        assert_eq!(parse("2025-02-03T00:00").unwrap_err().0, ErrorCode::InvalidDate);
        assert_eq!(parse("1899-12-31").unwrap_err().0, ErrorCode::DateOutOfRange);
        assert_eq!(parse("2200-01-01").unwrap_err().0, ErrorCode::DateOutOfRange);
    }

    #[test]
    fn end_of_month_handles_december_and_leap_years() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(end_of_month(d("2024-02-10")), d("2024-02-29"));
        assert_eq!(end_of_month(d("2025-12-01")), d("2025-12-31"));
    }
}
