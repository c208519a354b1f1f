//! Calendar dates in JSON (`YYYY-MM-DD`) and the supported span of years.
//!
//! Every date entering the core passes through [`de`] or [`de_opt`], so an impossible date
//! (`2025-02-30`) or one outside 1900..=2199 is refused with the field's path.

use crate::error::{Error, ErrorCode};
use chrono::{Datelike, NaiveDate};
use serde::Deserializer;

/// First year the calendars and planner support.
pub const MIN_YEAR: i32 = 1900;
/// Last year the calendars and planner support.
pub const MAX_YEAR: i32 = 2199;

/// Parses a `YYYY-MM-DD` date within the supported years; the message says what was wrong.
/// Read digit by digit: every date of every input passes here, and chrono's format-string parser
/// is several times slower for this one fixed shape.
pub fn parse(text: &str) -> Result<NaiveDate, (ErrorCode, String)> {
    let date = ymd_digits(text.as_bytes()).and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)).ok_or_else(|| {
        (ErrorCode::InvalidDate, format!("`{text}` is not a date of the form YYYY-MM-DD that exists"))
    })?;
    check_year(date).map_err(|e| (e.code(), e.message().to_owned()))?;
    Ok(date)
}

/// Year, month and day of exactly `DDDD-DD-DD`, not yet checked as a real date.
fn ymd_digits(text: &[u8]) -> Option<(i32, u32, u32)> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *text else { return None };
    let digit = |b: u8| b.is_ascii_digit().then(|| u32::from(b - b'0'));
    let year = digit(y0)? * 1000 + digit(y1)? * 100 + digit(y2)? * 10 + digit(y3)?;
    let month = digit(m0)? * 10 + digit(m1)?;
    let day = digit(d0)? * 10 + digit(d1)?;
    Some((i32::try_from(year).ok()?, month, day))
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

/// Reads a date from a JSON string without copying it.
struct DateVisitor;

impl serde::de::Visitor<'_> for DateVisitor {
    type Value = NaiveDate;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date as a string of the form YYYY-MM-DD")
    }
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<NaiveDate, E> {
        parse(text).map_err(|(code, msg)| E::custom(Error::serde_message(code, &msg)))
    }
}

/// serde `deserialize_with` for a required date.
pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(DateVisitor)
}

/// serde `deserialize_with` for an optional date (use with `#[serde(default)]`).
pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    struct OptVisitor;
    impl<'de> serde::de::Visitor<'de> for OptVisitor {
        type Value = Option<NaiveDate>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date as a string of the form YYYY-MM-DD, or null")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            de(d).map(Some)
        }
    }
    d.deserialize_option(OptVisitor)
}

/// serde `serialize_with` for a date: `YYYY-MM-DD` written in one piece. chrono's own `Serialize`
/// goes through the formatting machinery a character at a time, and dates are a large share of
/// every output.
pub fn ser<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(IsoText::of(*date).as_str())
}

/// serde `serialize_with` for an optional date.
pub fn ser_opt<S: serde::Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => ser(date, s),
        None => s.serialize_none(),
    }
}

/// A date written `YYYY-MM-DD` as chrono's `Display` does for years 0 to 9999 (the supported years
/// are far inside); `tests::iso_text_is_display` holds the two to the same bytes.
struct IsoText([u8; 10]);

impl IsoText {
    fn of(date: NaiveDate) -> IsoText {
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let year = date.year().clamp(0, 9999) as u32;
        let (m, d) = (date.month(), date.day());
        IsoText([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ])
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("0000-00-00")
    }
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
    fn iso_text_is_display() {
        let mut date = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).unwrap();
        while date <= last {
            assert_eq!(IsoText::of(date).as_str(), date.to_string());
            date = date.succ_opt().unwrap();
        }
        for date in [NaiveDate::from_ymd_opt(0, 1, 1).unwrap(), NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()] {
            assert_eq!(IsoText::of(date).as_str(), date.to_string());
        }
    }

    #[test]
    fn end_of_month_handles_december_and_leap_years() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(end_of_month(d("2024-02-10")), d("2024-02-29"));
        assert_eq!(end_of_month(d("2025-12-01")), d("2025-12-31"));
    }
}
