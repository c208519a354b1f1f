//! Business-day calendars: weekends and public holidays computed by rule (Easter and the rest) for
//! the years 1900 to 2199, from the rules in `core/data/holidays.json`.
//!
//! ```
//! use relance_core::calendar::{CalendarId, is_business_day, add_business_days};
//! use chrono::NaiveDate;
//! let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! // 14 July is a public holiday in France.
//! assert!(!is_business_day(CalendarId::Fr, d("2026-07-14")).unwrap());
//! // Friday 10 July + 2 business days skips the weekend and the holiday: Wednesday 15 July.
//! assert_eq!(add_business_days(CalendarId::Fr, d("2026-07-10"), 2).unwrap(), d("2026-07-15"));
//! ```

use crate::date::{self, MAX_YEAR, MIN_YEAR};
use crate::error::{Error, ErrorCode, Result};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A built-in calendar. JSON form: the kebab-case id (`"fr"`, `"fr-alsace-moselle"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum CalendarId {
    /// Weekends only: for countries without a built-in holiday calendar.
    #[serde(rename = "weekends")]
    Weekends,
    /// France, metropolitan.
    #[serde(rename = "fr")]
    Fr,
    /// France, Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle): two extra days.
    #[serde(rename = "fr-alsace-moselle")]
    FrAlsaceMoselle,
    /// Germany, national days.
    #[serde(rename = "de")]
    De,
    /// United Kingdom, England and Wales.
    #[serde(rename = "gb-england-wales")]
    GbEnglandWales,
    /// Belgium.
    #[serde(rename = "be")]
    Be,
    /// Spain, national days.
    #[serde(rename = "es")]
    Es,
    /// Italy.
    #[serde(rename = "it")]
    It,
    /// Netherlands.
    #[serde(rename = "nl")]
    Nl,
}

impl CalendarId {
    /// Every built-in calendar.
    pub const ALL: [CalendarId; 9] = [
        CalendarId::Weekends,
        CalendarId::Fr,
        CalendarId::FrAlsaceMoselle,
        CalendarId::De,
        CalendarId::GbEnglandWales,
        CalendarId::Be,
        CalendarId::Es,
        CalendarId::It,
        CalendarId::Nl,
    ];

    /// The id as written in JSON and in `holidays.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            CalendarId::Weekends => "weekends",
            CalendarId::Fr => "fr",
            CalendarId::FrAlsaceMoselle => "fr-alsace-moselle",
            CalendarId::De => "de",
            CalendarId::GbEnglandWales => "gb-england-wales",
            CalendarId::Be => "be",
            CalendarId::Es => "es",
            CalendarId::It => "it",
            CalendarId::Nl => "nl",
        }
    }

    /// The default calendar for an ISO 3166-1 alpha-2 country code; `None` when there is no built-in
    /// calendar (the planner then uses weekends only and says so in a warning).
    pub fn for_country(country: &str) -> Option<CalendarId> {
        match country {
            "FR" | "MC" => Some(CalendarId::Fr),
            "DE" => Some(CalendarId::De),
            "GB" => Some(CalendarId::GbEnglandWales),
            "BE" => Some(CalendarId::Be),
            "ES" => Some(CalendarId::Es),
            "IT" => Some(CalendarId::It),
            "NL" => Some(CalendarId::Nl),
            _ => None,
        }
    }
}

/// One public holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Holiday {
    /// The day off.
    #[serde(serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// A stable key (`easter_monday`), for translations.
    pub key: String,
    /// The name in the country's language.
    pub name: String,
    /// True for a substitute day ("observed") given because the holiday fell on a weekend.
    pub substitute: bool,
}

/// Business-day adjustment of a date that falls on a weekend or holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// Move to the next business day.
    #[default]
    Forward,
    /// Move to the previous business day.
    Backward,
    /// Keep the date.
    None,
}

// ---- the rules ----------------------------------------------------------------------------------

/// A holiday rule of `data/holidays.json` (its `_about` says what each field means), compiled in by
/// `build.rs`, which checks the file: a rule gives exactly one of `fixed`, `easter`, `nth_weekday`,
/// `weekday_before`, `date` (a real day).
struct Rule {
    key: &'static str,
    name: &'static str,
    fixed: Option<(u32, u32)>,
    easter: Option<i64>,
    nth_weekday: Option<(u32, u8, i32)>,
    weekday_before: Option<(u32, u32, u8)>,
    /// A one-off day: year, month, day.
    date: Option<(i32, u32, u32)>,
    from: Option<i32>,
    to: Option<i32>,
    except: &'static [i32],
    every: Option<i32>,
    /// Years whose day differs: (year, (month, day)).
    overrides: &'static [(i32, (u32, u32))],
    if_saturday: Option<WeekendRule>,
    if_sunday: Option<WeekendRule>,
}

#[derive(Clone, Copy)]
enum WeekendRule {
    /// Not a holiday that year.
    Drop,
    /// The holiday itself moves by N days.
    Move(i64),
    /// The holiday stays, and a substitute day N days later is given too.
    AlsoObserve(i64),
}

include!(concat!(env!("OUT_DIR"), "/holidays.rs"));

/// The rules of a built-in calendar (those of the calendar it extends included). Looked up by
/// name once per calendar: this is on the business-day hot path.
fn rules(id: CalendarId) -> Result<&'static [Rule]> {
    static BY_ID: OnceLock<Vec<Option<&'static [Rule]>>> = OnceLock::new();
    let by_id = BY_ID.get_or_init(|| {
        CalendarId::ALL
            .iter()
            .map(|c| CALENDAR_RULES.iter().find(|(name, _)| *name == c.as_str()).map(|(_, rules)| *rules))
            .collect()
    });
    CalendarId::ALL.iter().position(|c| *c == id).and_then(|at| by_id.get(at).copied().flatten()).ok_or_else(|| {
        Error::new(ErrorCode::EmbeddedData, "calendars", format!("holidays.json has no calendar `{}`", id.as_str()))
    })
}

// ---- computing the days ---------------------------------------------------------------------

/// Easter Sunday (Gregorian calendar), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

fn weekday_from_index(i: u8) -> Option<Weekday> {
    Weekday::try_from(i).ok()
}

fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: i32) -> Option<NaiveDate> {
    if n == -1 {
        let last = date::end_of_month(NaiveDate::from_ymd_opt(year, month, 1)?);
        let back = (last.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
        return date::add_days(last, -i64::from(back));
    }
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, u8::try_from(n).ok()?)
}

impl Rule {
    fn applies(&self, year: i32) -> bool {
        self.from.is_none_or(|f| year >= f)
            && self.to.is_none_or(|t| year <= t)
            && !self.except.contains(&year)
            && self.every.is_none_or(|e| e != 0 && year % e == 0)
    }

    /// The day (before weekend rules) in `year`, if the rule gives one.
    fn base_date(&self, year: i32) -> Option<NaiveDate> {
        if let Some((y, m, d)) = self.date {
            return if y == year { NaiveDate::from_ymd_opt(y, m, d) } else { None };
        }
        if !self.applies(year) {
            return None;
        }
        if let Some((_, (m, d))) = self.overrides.iter().find(|(y, _)| *y == year) {
            return NaiveDate::from_ymd_opt(year, *m, *d);
        }
        if let Some((m, d)) = self.fixed {
            return NaiveDate::from_ymd_opt(year, m, d);
        }
        if let Some(offset) = self.easter {
            return date::add_days(easter_sunday(year)?, offset);
        }
        if let Some((m, wd, n)) = self.nth_weekday {
            return nth_weekday(year, m, weekday_from_index(wd)?, n);
        }
        if let Some((m, d, wd)) = self.weekday_before {
            let limit = NaiveDate::from_ymd_opt(year, m, d)?;
            let wd = weekday_from_index(wd)?;
            let back = (limit.weekday().num_days_from_monday() + 7 - wd.num_days_from_monday()) % 7;
            return date::add_days(limit, -i64::from(if back == 0 { 7 } else { back }));
        }
        None
    }

    /// The day(s) off the rule gives in `year`: the holiday (unless dropped or moved) and any
    /// substitute day, as (date, is_substitute). No allocation: this is on the business-day hot path.
    fn days(&self, year: i32) -> [Option<(NaiveDate, bool)>; 2] {
        let Some(day) = self.base_date(year) else { return [None, None] };
        let weekend_rule = match day.weekday() {
            Weekday::Sat => self.if_saturday,
            Weekday::Sun => self.if_sunday,
            _ => None,
        };
        match weekend_rule {
            None => [Some((day, false)), None],
            Some(WeekendRule::Drop) => [None, None],
            Some(WeekendRule::Move(n)) => [date::add_days(day, n).map(|d| (d, false)), None],
            Some(WeekendRule::AlsoObserve(n)) => [Some((day, false)), date::add_days(day, n).map(|d| (d, true))],
        }
    }
}

fn check_supported_year(year: i32) -> Result<()> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::DateOutOfRange,
            "",
            format!("year {year} is outside the supported years {MIN_YEAR} to {MAX_YEAR}"),
        ))
    }
}

/// The public holidays of `year` in calendar `id`, sorted by date (substitute days included).
pub fn holidays(id: CalendarId, year: i32) -> Result<Vec<Holiday>> {
    check_supported_year(year)?;
    let mut out = Vec::new();
    for rule in rules(id)? {
        for (date, substitute) in rule.days(year).into_iter().flatten() {
            out.push(Holiday { date, key: rule.key.to_owned(), name: rule.name.to_owned(), substitute });
        }
    }
    out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.key.cmp(&b.key)));
    Ok(out)
}

/// The holiday on `date`, if any (the first by key when two fall together).
pub fn holiday_on(id: CalendarId, date: NaiveDate) -> Result<Option<Holiday>> {
    Ok(holidays(id, date.year())?.into_iter().find(|h| h.date == date))
}

/// True on Saturdays and Sundays (the weekend in every supported country).
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// True when `date` is neither a weekend day nor a public holiday.
pub fn is_business_day(id: CalendarId, date: NaiveDate) -> Result<bool> {
    check_supported_year(date.year())?;
    if is_weekend(date) {
        return Ok(false);
    }
    Ok(!holiday_days(id, date.year())?.contains(date.ordinal0()))
}

/// The days off of one calendar in one year, by day of the year (bit `ordinal0`).
#[derive(Debug, Clone, Copy, Default)]
struct DaysOff([u64; 6]);

impl DaysOff {
    fn insert(&mut self, day: u32) {
        if let Some(word) = self.0.get_mut((day / 64) as usize) {
            *word |= 1 << (day % 64);
        }
    }

    fn contains(&self, day: u32) -> bool {
        self.0.get((day / 64) as usize).is_some_and(|word| word & (1 << (day % 64)) != 0)
    }
}

const YEARS: usize = (MAX_YEAR - MIN_YEAR + 1) as usize;

/// The days off of `id` in `year` (a supported one), computed from the rules once per calendar
/// and year: the business-day test is on every step's path, and the rules (Easter, moves off
/// weekends) cost far more than a look-up.
fn holiday_days(id: CalendarId, year: i32) -> Result<DaysOff> {
    static CACHE: [[OnceLock<DaysOff>; YEARS]; CalendarId::ALL.len()] =
        [const { [const { OnceLock::new() }; YEARS] }; CalendarId::ALL.len()];
    let slot = CalendarId::ALL
        .iter()
        .position(|c| *c == id)
        .and_then(|c| CACHE.get(c))
        .and_then(|years| years.get(usize::try_from(year - MIN_YEAR).ok()?));
    if let Some(days) = slot.and_then(OnceLock::get) {
        return Ok(*days);
    }
    let mut days = DaysOff::default();
    for rule in rules(id)? {
        for (date, _) in rule.days(year).into_iter().flatten().filter(|(d, _)| d.year() == year) {
            days.insert(date.ordinal0());
        }
    }
    Ok(*slot.map_or(&days, |s| s.get_or_init(|| days)))
}

fn step(date: NaiveDate, forward: bool) -> Result<NaiveDate> {
    date::add_days(date, if forward { 1 } else { -1 }).filter(|d| (MIN_YEAR..=MAX_YEAR).contains(&d.year())).ok_or_else(
        || Error::new(ErrorCode::DateOutOfRange, "", format!("moving from {date} leaves the supported years")),
    )
}

/// The first business day strictly after `date`.
pub fn next_business_day(id: CalendarId, date: NaiveDate) -> Result<NaiveDate> {
    let mut d = step(date, true)?;
    while !is_business_day(id, d)? {
        d = step(d, true)?;
    }
    Ok(d)
}

/// The last business day strictly before `date`.
pub fn previous_business_day(id: CalendarId, date: NaiveDate) -> Result<NaiveDate> {
    let mut d = step(date, false)?;
    while !is_business_day(id, d)? {
        d = step(d, false)?;
    }
    Ok(d)
}

/// `date` itself when it is a business day, otherwise moved as `adjustment` says.
pub fn adjust(id: CalendarId, date: NaiveDate, adjustment: Adjustment) -> Result<NaiveDate> {
    if adjustment == Adjustment::None || is_business_day(id, date)? {
        return Ok(date);
    }
    match adjustment {
        Adjustment::Forward => next_business_day(id, date),
        Adjustment::Backward => previous_business_day(id, date),
        Adjustment::None => Ok(date),
    }
}

/// `date` plus `n` business days (minus when `n` is negative). With `n = 0`, `date` itself.
pub fn add_business_days(id: CalendarId, date: NaiveDate, n: i32) -> Result<NaiveDate> {
    let mut d = date;
    for _ in 0..n.unsigned_abs() {
        d = if n > 0 { next_business_day(id, d)? } else { previous_business_day(id, d)? };
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_calendar_has_its_rules_compiled_in() {
        for id in CalendarId::ALL {
            let rules = rules(id).unwrap();
            assert_eq!(rules.is_empty(), id == CalendarId::Weekends, "{}", id.as_str());
        }
        // Alsace-Moselle extends France: all of France's days, and its own.
        let fr: Vec<&str> = rules(CalendarId::Fr).unwrap().iter().map(|r| r.key).collect();
        let alsace: Vec<&str> = rules(CalendarId::FrAlsaceMoselle).unwrap().iter().map(|r| r.key).collect();
        assert!(fr.iter().all(|k| alsace.contains(k)) && alsace.len() > fr.len());
    }

    #[test]
    fn embedded_rules_load_for_every_calendar() {
        for id in CalendarId::ALL {
            holidays(id, 2026).unwrap();
        }
    }

    #[test]
    fn easter_matches_known_dates() {
        // Published Easter dates (Gregorian), including the extremes of the range.
        for (y, s) in [
            (1900, "1900-04-15"),
            (1943, "1943-04-25"),
            (1961, "1961-04-02"),
            (2000, "2000-04-23"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(y).unwrap(), d(s), "{y}");
        }
    }

    #[test]
    fn france_2026() {
        let days: Vec<_> = holidays(CalendarId::Fr, 2026).unwrap().into_iter().map(|h| h.date.to_string()).collect();
        assert_eq!(
            days,
            [
                "2026-01-01",
                "2026-04-06",
                "2026-05-01",
                "2026-05-08",
                "2026-05-14",
                "2026-05-25",
                "2026-07-14",
                "2026-08-15",
                "2026-11-01",
                "2026-11-11",
                "2026-12-25"
            ]
        );
        assert!(holiday_on(CalendarId::FrAlsaceMoselle, d("2026-04-03")).unwrap().is_some());
        assert!(holiday_on(CalendarId::Fr, d("2026-04-03")).unwrap().is_none());
        // Whit Monday was a working day 2005-2007 ("journée de solidarité").
        assert!(holiday_on(CalendarId::Fr, d("2006-06-05")).unwrap().is_none());
    }

    #[test]
    fn uk_substitute_days() {
        // Christmas 2022 on a Sunday: Boxing Day Monday 26, substitute Tuesday 27.
        let h = holiday_on(CalendarId::GbEnglandWales, d("2022-12-27")).unwrap().unwrap();
        assert!(h.substitute);
        assert_eq!(h.key, "christmas");
        assert!(holiday_on(CalendarId::GbEnglandWales, d("2023-05-08")).unwrap().is_some());
    }

    #[test]
    fn spain_drops_national_days_on_sunday() {
        // 1 November 2026 is a Sunday: not a national day (regions move it).
        assert!(holiday_on(CalendarId::Es, d("2026-11-01")).unwrap().is_none());
        assert!(holiday_on(CalendarId::Es, d("2027-11-01")).unwrap().is_some());
    }

    #[test]
    fn business_day_helpers() {
        // Friday 24 Dec 2027 -> next business day in England: Wed 29 Dec (25, 26 weekend, 27, 28 substitutes).
        assert_eq!(next_business_day(CalendarId::GbEnglandWales, d("2027-12-24")).unwrap(), d("2027-12-29"));
        assert_eq!(previous_business_day(CalendarId::Fr, d("2026-05-26")).unwrap(), d("2026-05-22"));
        assert_eq!(adjust(CalendarId::Fr, d("2026-05-25"), Adjustment::Backward).unwrap(), d("2026-05-22"));
        assert_eq!(adjust(CalendarId::Fr, d("2026-05-25"), Adjustment::None).unwrap(), d("2026-05-25"));
        assert_eq!(add_business_days(CalendarId::Fr, d("2026-05-22"), -1).unwrap(), d("2026-05-21"));
        assert_eq!(add_business_days(CalendarId::Fr, d("2026-05-23"), 0).unwrap(), d("2026-05-23"));
    }

    #[test]
    fn out_of_range_years_are_errors() {
        assert_eq!(holidays(CalendarId::Fr, 1899).unwrap_err().code(), ErrorCode::DateOutOfRange);
        assert_eq!(next_business_day(CalendarId::Fr, d("2199-12-31")).unwrap_err().code(), ErrorCode::DateOutOfRange);
    }

    proptest! {
        #[test]
        fn adding_business_days_lands_on_business_days(days in 0i64..100_000, n in -60i32..60, cal in 0usize..9) {
            let id = CalendarId::ALL[cal];
            let start = date::add_days(d("1901-01-01"), days).unwrap();
            let end = add_business_days(id, start, n).unwrap();
            if n != 0 {
                prop_assert!(is_business_day(id, end).unwrap());
                prop_assert_eq!(n > 0, end > start);
                // Going back the same number of business days returns to the start when it was a business day.
                if is_business_day(id, start).unwrap() {
                    prop_assert_eq!(add_business_days(id, end, -n).unwrap(), start);
                }
            }
        }
    }
}
