//! Calendar dates (`YYYY-MM-DD`) and instants (RFC 3339) in JSON, and the supported span of years.
//!
//! Every date entering the core passes through [`de`] or [`de_opt`], every instant through
//! [`de_instant`] or [`de_instant_opt`], so an impossible date (`2025-02-30`), a malformed instant
//! or one outside 1900..=2199 is refused with the field's path and its own code.

use crate::error::{Error, ErrorCode};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
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

/// Parses an RFC 3339 date-time as an instant: `2026-11-23T09:00:00Z`, `2026-11-23T10:00:00+01:00`,
/// with an optional fraction of a second (up to nanoseconds); `t`, `z` and a space for `T` are
/// accepted as RFC 3339 allows. A leap second (`:60`) is refused: nothing we record has one. The
/// instant must fall within the supported years.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, (ErrorCode, String)> {
    let instant = instant_parts(text.as_bytes()).ok_or_else(|| {
        (
            ErrorCode::InvalidDateTime,
            format!(
                "`{text}` is not a date-time of the form YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS+HH:MM that exists"
            ),
        )
    })?;
    check_year(instant.date_naive()).map_err(|e| (e.code(), e.message().to_owned()))?;
    Ok(instant)
}

/// The instant that `DDDD-DD-DDTDD:DD:DD[.D+](Z|±DD:DD)` stands for, checked as a real date and
/// time.
fn instant_parts(text: &[u8]) -> Option<DateTime<Utc>> {
    let (date, rest) = text.split_at_checked(10)?;
    let (year, month, day) = ymd_digits(date)?;
    let [separator, h0, h1, b':', m0, m1, b':', s0, s1, rest @ ..] = rest else { return None };
    if !matches!(separator, b'T' | b't' | b' ') {
        return None;
    }
    let (hour, minute, second) = (two_digits(*h0, *h1)?, two_digits(*m0, *m1)?, two_digits(*s0, *s1)?);
    let (nanos, offset) = match rest {
        [b'.', fraction @ ..] => {
            let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            let (fraction, offset) = fraction.split_at_checked(digits)?;
            if !(1..=9).contains(&digits) {
                return None;
            }
            let value = fraction.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
            (value * 10u32.pow(9 - u32::try_from(digits).ok()?), offset)
        }
        _ => (0, rest),
    };
    let offset_minutes = match offset {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh0, oh1, b':', om0, om1] => {
            let (hours, minutes) = (two_digits(*oh0, *oh1)?, two_digits(*om0, *om1)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let minutes = i64::from(hours * 60 + minutes);
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let local =
        NaiveDate::from_ymd_opt(year, month, day)?.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?);
    // hms_nano accepts a leap second as 59 seconds and 1e9+ nanoseconds; `second` 60 it refuses.
    let utc = local.checked_sub_signed(TimeDelta::try_minutes(offset_minutes)?)?;
    Some(utc.and_utc())
}

fn two_digits(tens: u8, units: u8) -> Option<u32> {
    (tens.is_ascii_digit() && units.is_ascii_digit()).then(|| u32::from(tens - b'0') * 10 + u32::from(units - b'0'))
}

/// What a date is, in messages about a value of another kind.
pub(crate) const DATE_EXPECTED: &str = "a date as a string of the form YYYY-MM-DD";
/// What an instant is, in messages about a value of another kind.
pub(crate) const INSTANT_EXPECTED: &str = "a date-time as an RFC 3339 string such as 2026-11-23T09:00:00Z";

/// Reads an instant from a JSON string without copying it.
struct InstantVisitor;

impl serde::de::Visitor<'_> for InstantVisitor {
    type Value = DateTime<Utc>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(INSTANT_EXPECTED)
    }
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        parse_instant(text).map_err(|(code, msg)| crate::json::refuse(code, msg))
    }
}

/// serde `deserialize_with` for a required instant.
pub fn de_instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(InstantVisitor)
}

/// serde `deserialize_with` for an optional instant (use with `#[serde(default)]`).
pub fn de_instant_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    d.deserialize_option(Optional(InstantVisitor))
}

/// An optional value read from a string by the inner visitor; null is `None`.
struct Optional<V>(V);

impl<'de, V: serde::de::Visitor<'de>> serde::de::Visitor<'de> for Optional<V> {
    type Value = Option<V::Value>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.expecting(f)?;
        f.write_str(", or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self.0).map(Some)
    }
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
        f.write_str(DATE_EXPECTED)
    }
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<NaiveDate, E> {
        parse(text).map_err(|(code, msg)| crate::json::refuse(code, msg))
    }
}

/// serde `deserialize_with` for a required date.
pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(DateVisitor)
}

/// serde `deserialize_with` for an optional date (use with `#[serde(default)]`).
pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    d.deserialize_option(Optional(DateVisitor))
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

    fn rfc3339(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn instants_in_every_form_rfc_3339_allows() {
        for (text, utc) in [
            ("2026-11-23T09:00:00Z", "2026-11-23T09:00:00Z"),
            ("2026-11-23t09:00:00z", "2026-11-23T09:00:00Z"),
            ("2026-11-23 09:00:00Z", "2026-11-23T09:00:00Z"),
            ("2026-11-23T10:00:00+01:00", "2026-11-23T09:00:00Z"),
            ("2026-11-23T00:30:00-05:30", "2026-11-23T06:00:00Z"),
            ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"),
            ("2026-11-23T09:00:00.5Z", "2026-11-23T09:00:00.500Z"),
            ("2026-11-23T09:00:00.123456789Z", "2026-11-23T09:00:00.123456789Z"),
        ] {
            assert_eq!(parse_instant(text), Ok(rfc3339(utc)), "{text}");
        }
        for bad in [
            "yesterday",
            "",
            "2026-11-23",
            "2026-11-23T09:00:00",
            "2026-11-23T09:00Z",
            "2026-02-30T09:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T23:59:60Z",
            "+2026-11-23T09:00:00Z",
            "2026-11-23T09:00:00.Z",
            "2026-11-23T09:00:00.1234567891Z",
            "2026-11-23T09:00:00+24:00",
            "2026-11-23T09:00:00+0100",
            "2026-11-23T09:00:00 Z",
            "2026-11-23T09:00:00Z ",
            "2026-11-23x09:00:00Z",
            "2026-11-23T09:00:00é",
        ] {
            assert_eq!(parse_instant(bad).unwrap_err().0, ErrorCode::InvalidDateTime, "{bad}");
        }
        // The supported years hold for the instant in UTC.
        assert_eq!(parse_instant("1900-01-01T00:30:00+01:00").unwrap_err().0, ErrorCode::DateOutOfRange);
        assert_eq!(parse_instant("2199-12-31T23:30:00-01:00").unwrap_err().0, ErrorCode::DateOutOfRange);
        assert!(parse_instant("1900-01-01T00:30:00Z").is_ok());
    }

    proptest::proptest! {
        // Against chrono's RFC 3339 parser, over texts near the form: whatever we accept, chrono
        // reads as the same instant; what chrono accepts and we refuse is a leap second, a fraction
        // beyond nanoseconds or a year outside the supported span, nothing else.
        #[test]
        fn instants_agree_with_chrono(
            year in 1890u32..2210, month in 0u32..14, day in 0u32..33,
            separator in proptest::sample::select(vec!["T", "t", " ", "x", ""]),
            hour in 0u32..26, minute in 0u32..62, second in 0u32..62,
            fraction in proptest::sample::select(vec!["", ".", ".5", ".05", ".123456789", ".1234567891", ".x"]),
            offset in proptest::sample::select(vec!["Z", "z", "+01:00", "-05:30", "+23:59", "-23:59", "+24:00", "+01:60", "", "+0100", "Zz"]),
        ) {
            let text = format!("{year:04}-{month:02}-{day:02}{separator}{hour:02}:{minute:02}:{second:02}{fraction}{offset}");
            let chrono = DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc));
            match (parse_instant(&text), chrono) {
                (Ok(ours), Ok(theirs)) => proptest::prop_assert_eq!(ours, theirs, "{}", text),
                (Ok(ours), Err(e)) => proptest::prop_assert!(false, "{text}: we read {ours}, chrono refuses: {e}"),
                (Err((code, _)), Ok(theirs)) => proptest::prop_assert!(
                    second == 60 || fraction.len() > 10 || (code == ErrorCode::DateOutOfRange && !(MIN_YEAR..=MAX_YEAR).contains(&theirs.year())),
                    "{text}: chrono reads {theirs}, we refuse with {code:?}"
                ),
                (Err(_), Err(_)) => {}
            }
        }
    }

    #[test]
    fn every_date_and_instant_of_an_input_is_named_when_bad() {
        use crate::json::from_json;
        let invoice = r#""invoice": {"id": "i1", "issueDate": "2025-01-01", "dueDate": "2025-02-01", "currency": "EUR", "total": "10.00"}"#;
        let regime = |dates: &str| {
            from_json::<crate::penalty::PenaltyRequest>(&format!(
                r#"{{{invoice}, "regime": {{"type": "fr_consumer", "creditor": "professional", {dates}}}, "asOf": "2025-03-01"}}"#
            ))
        };
        assert!(regime(r#""formalNoticeDate": "2025-02-10""#).is_ok());
        let e = regime(r#""formalNoticeDate": "2025-02-30""#).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidDate, "regime.formalNoticeDate"));
        let e = regime(r#""formalNoticeDate": "2025-02-10", "judgmentEnforceableOn": "1899-01-01""#).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::DateOutOfRange, "regime.judgmentEnforceableOn"));

        let e = from_json::<crate::messages::MessageRequest>(
            r#"{"template": "first_reminder", "stepId": "s1", "channel": "email", "level": 1, "debtorId": "d1",
                "invoiceIds": ["i1"], "messageDate": "2025-03-01",
                "reminders": [{"date": "yesterday", "channel": "email", "stepId": "s0"}]}"#,
        )
        .unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidDate, "reminders[0].date"));

        let e =
            from_json::<crate::planner::SentEntry>(r#"{"key": "k", "sentAt": "2025-03-01", "items": []}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidDateTime, "sentAt"));
        let e = from_json::<crate::analytics::SentMessage>(
            r#"{"key": "k", "sentAt": "2025-03-01T25:00:00Z", "channel": "email", "stepId": "s1", "items": []}"#,
        )
        .unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidDateTime, "sentAt"));
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
