//! Writes three tables the core compiles in: the holiday rules of `src/calendar.rs` from
//! `data/holidays.json` and the rate tables of `src/rates.rs` from `data/rates.json` (checked here,
//! so that no JSON decoder for them reaches the WebAssembly module: they were 31 KB of code), and
//! the time-zone table of `src/zone.rs` from the IANA data of
//! chrono-tz (a build dependency only, so that its tables never reach the WebAssembly module: they
//! were a third of its data).
//!
//! For each zone compiled in (the `CHRONO_TZ_TIMEZONE_FILTER` of `.cargo/config.toml`) the table
//! keeps the offset in force at the start of 1970, every change of offset from then until the
//! zone's present rule took effect, and that rule (two changes a year, each on the nth or last
//! weekday of a month at a fixed time) or none (a fixed offset). A zone whose last years follow no
//! such rule fails the build: widening the filter can never give wrong offsets silently.
//! `tests/zones.rs` holds the table to chrono-tz instant by instant.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Weekday};
use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write;

/// The first year the table is exact from.
const FIRST_YEAR: i32 = 1970;
/// The last year chrono-tz has transitions for (it keeps the last offset after it).
const LAST_YEAR: i32 = 2099;
const DAY: i64 = 86_400;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The holiday rules, read and checked as `src/calendar.rs` used to at run time.
mod holidays {
    use super::Result;
    use serde::Deserialize;
    use std::collections::BTreeMap;
    use std::fmt::Write;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RulesFile {
        #[serde(rename = "_about")]
        _about: String,
        calendars: BTreeMap<String, CalendarRules>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CalendarRules {
        #[allow(dead_code)]
        name: String,
        #[allow(dead_code)]
        source: String,
        #[serde(default)]
        extends: Option<String>,
        holidays: Vec<Rule>,
    }

    /// A rule as `data/holidays.json` writes it (its `_about` says what each field means).
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Rule {
        key: String,
        name: String,
        #[serde(default)]
        fixed: Option<(u32, u32)>,
        #[serde(default)]
        easter: Option<i64>,
        #[serde(default)]
        nth_weekday: Option<(u32, u8, i32)>,
        #[serde(default)]
        weekday_before: Option<(u32, u32, u8)>,
        #[serde(default)]
        date: Option<String>,
        #[serde(default)]
        from: Option<i32>,
        #[serde(default)]
        to: Option<i32>,
        #[serde(default)]
        except: Vec<i32>,
        #[serde(default)]
        every: Option<i32>,
        #[serde(default)]
        overrides: BTreeMap<i32, (u32, u32)>,
        #[serde(default)]
        if_saturday: Option<WeekendRule>,
        #[serde(default)]
        if_sunday: Option<WeekendRule>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    enum WeekendRule {
        Drop,
        Move(i64),
        AlsoObserve(i64),
    }

    /// `CALENDAR_RULES`: each calendar's rules, those of the calendars it extends included.
    pub fn table() -> Result<String> {
        println!("cargo:rerun-if-changed=data/holidays.json");
        let file: RulesFile = serde_json::from_str(&std::fs::read_to_string("data/holidays.json")?)
            .map_err(|e| format!("data/holidays.json: {e}"))?;
        let mut out = String::new();
        writeln!(
            out,
            "/// Each calendar's rules (from `data/holidays.json`), those of the calendar it extends included."
        )?;
        writeln!(out, "static CALENDAR_RULES: [(&str, &[Rule]); {}] = [", file.calendars.len())?;
        for name in file.calendars.keys() {
            writeln!(out, "    ({name:?}, &[")?;
            let mut next = Some(name);
            let mut depth = 0;
            while let Some(n) = next {
                let calendar = file
                    .calendars
                    .get(n)
                    .ok_or_else(|| format!("data/holidays.json: `{name}` extends `{n}`, which is not there"))?;
                for rule in &calendar.holidays {
                    writeln!(
                        out,
                        "        {},",
                        rule_expression(rule)
                            .map_err(|e| format!("data/holidays.json: `{n}`, rule `{}`: {e}", rule.key))?
                    )?;
                }
                next = calendar.extends.as_ref();
                depth += 1;
                if depth > file.calendars.len() {
                    return Err(format!("data/holidays.json: `{name}` extends itself").into());
                }
            }
            writeln!(out, "    ]),")?;
        }
        writeln!(out, "];")?;
        Ok(out)
    }

    fn rule_expression(r: &Rule) -> Result<String> {
        let date = match &r.date {
            Some(text) => {
                let d =
                    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("date `{text}`: {e}"))?;
                use chrono::Datelike;
                format!("Some(({}, {}, {}))", d.year(), d.month(), d.day())
            }
            None => "None".to_owned(),
        };
        let kinds = [
            r.fixed.is_some(),
            r.easter.is_some(),
            r.nth_weekday.is_some(),
            r.weekday_before.is_some(),
            r.date.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err("give exactly one of fixed, easter, nthWeekday, weekdayBefore, date".into());
        }
        let overrides: Vec<String> = r.overrides.iter().map(|(y, md)| format!("({y}, {md:?})")).collect();
        let weekend = |w: &Option<WeekendRule>| match w {
            None => "None".to_owned(),
            Some(WeekendRule::Drop) => "Some(WeekendRule::Drop)".to_owned(),
            Some(WeekendRule::Move(days)) => format!("Some(WeekendRule::Move({days}))"),
            Some(WeekendRule::AlsoObserve(days)) => format!("Some(WeekendRule::AlsoObserve({days}))"),
        };
        Ok(format!(
            "Rule {{ key: {:?}, name: {:?}, fixed: {:?}, easter: {:?}, nth_weekday: {:?}, weekday_before: {:?}, date: {date}, \
             from: {:?}, to: {:?}, except: &{:?}, every: {:?}, overrides: &[{}], if_saturday: {}, if_sunday: {} }}",
            r.key,
            r.name,
            r.fixed,
            r.easter,
            r.nth_weekday,
            r.weekday_before,
            r.from,
            r.to,
            r.except,
            r.every,
            overrides.join(", "),
            weekend(&r.if_saturday),
            weekend(&r.if_sunday),
        ))
    }
}

/// The rate tables, read and checked as `src/rates.rs` used to at run time; the rates stay decimal
/// text, read by the core's own parser, which also checks their bounds and order.
mod rates {
    use super::Result;
    use serde::Deserialize;
    use std::collections::BTreeMap;
    use std::fmt::Write;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RatesFile {
        #[serde(rename = "_about")]
        _about: String,
        tables: BTreeMap<String, Table>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Table {
        name: String,
        known_until: String,
        #[serde(default)]
        note: String,
        #[serde(default)]
        exact_dates_only: bool,
        #[serde(default)]
        refreshed: Option<String>,
        rows: Vec<Row>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Row {
        from: String,
        rate: String,
    }

    fn date(text: &str) -> Result<String> {
        use chrono::Datelike;
        let d = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("date `{text}`: {e}"))?;
        Ok(format!("({}, {}, {})", d.year(), d.month(), d.day()))
    }

    /// `BUILTIN_TABLES`, in id order.
    pub fn table() -> Result<String> {
        println!("cargo:rerun-if-changed=data/rates.json");
        let file: RatesFile = serde_json::from_str(&std::fs::read_to_string("data/rates.json")?)
            .map_err(|e| format!("data/rates.json: {e}"))?;
        let mut out = String::new();
        writeln!(out, "/// The tables of `data/rates.json`, in id order.")?;
        writeln!(out, "static BUILTIN_TABLES: [BuiltinTable; {}] = [", file.tables.len())?;
        for (id, t) in &file.tables {
            let context = |e: Box<dyn std::error::Error>| format!("data/rates.json: table `{id}`: {e}");
            let rows: Vec<String> = t
                .rows
                .iter()
                .map(|r| Ok(format!("({}, {:?})", date(&r.from)?, r.rate)))
                .collect::<Result<_>>()
                .map_err(context)?;
            writeln!(
                out,
                "    BuiltinTable {{ id: {id:?}, name: {:?}, known_until: {}, note: {:?}, exact_dates_only: {}, refreshed: {}, rows: &[{}] }},",
                t.name,
                date(&t.known_until).map_err(context)?,
                t.note,
                t.exact_dates_only,
                match &t.refreshed {
                    Some(day) => format!("Some({})", date(day).map_err(context)?),
                    None => "None".to_owned(),
                },
                rows.join(", ")
            )?;
        }
        writeln!(out, "];")?;
        Ok(out)
    }
}

/// A change of offset, as the runtime table holds it: on the `week`th (5: last) `weekday` of
/// `month`, `secs` seconds after 00:00 UTC of that local day, the offset becomes `offset`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Event {
    month: u32,
    week: u32,
    weekday: Weekday,
    secs: i64,
    offset: i32,
}

fn main() -> Result<()> {
    println!("cargo:rerun-if-changed=build.rs");
    let dir = std::env::var("OUT_DIR")?;
    std::fs::write(std::path::Path::new(&dir).join("holidays.rs"), holidays::table()?)?;
    std::fs::write(std::path::Path::new(&dir).join("rates.rs"), rates::table()?)?;
    std::fs::write(std::path::Path::new(&dir).join("zones.rs"), zone_table()?)?;
    Ok(())
}

/// The time-zone table: `ZONE_DATA` and `ZONES`.
fn zone_table() -> Result<String> {
    println!("cargo:rerun-if-env-changed=CHRONO_TZ_TIMEZONE_FILTER");
    let mut data: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut names: Vec<(&str, usize)> = Vec::new();
    for tz in chrono_tz::TZ_VARIANTS {
        let entry = zone_entry(&tz)?;
        let next = data.len();
        let at = *index.entry(entry.clone()).or_insert(next);
        if at == next {
            data.push(entry);
        }
        names.push((tz.name(), at));
    }
    names.sort_unstable();
    let mut out = String::new();
    writeln!(out, "/// The zones' data (zones that are links share theirs).")?;
    writeln!(out, "static ZONE_DATA: [ZoneData; {}] = [", data.len())?;
    for d in &data {
        writeln!(out, "    {d},")?;
    }
    writeln!(out, "];\n/// Zone names, sorted, with their data.")?;
    writeln!(out, "static ZONES: [(&str, usize); {}] = [", names.len())?;
    for (name, at) in &names {
        writeln!(out, "    ({name:?}, {at}),")?;
    }
    writeln!(out, "];")?;
    Ok(out)
}

/// One zone as a `ZoneData` expression.
fn zone_entry(tz: &chrono_tz::Tz) -> Result<String> {
    let changes = transitions(tz)?;
    let in_year = |year: i32| -> Result<Vec<(i64, i32)>> {
        let (from, to) = (year_start(year)?, year_start(year + 1)?);
        Ok(changes.iter().copied().filter(|(t, _)| (from..to).contains(t)).collect())
    };
    let last = in_year(LAST_YEAR)?;
    let (rule, from_year) = match last.as_slice() {
        [] => (None, changes.last().map_or(Ok(FIRST_YEAR), |(t, _)| year_of(*t).map(|y| y + 1))?),
        [(t1, o1), (t2, o2)] => {
            let before = offset(tz, t1 - 1)?;
            let first = event_choices(*t1, before, *o1)?;
            let second = event_choices(*t2, *o1, *o2)?;
            // The reading of each change (nth or last weekday) that holds for the most years.
            let mut best: Option<([Event; 2], i32)> = None;
            for a in &first {
                for b in &second {
                    let events = [*a, *b];
                    let mut year = LAST_YEAR;
                    while year > FIRST_YEAR && in_year(year - 1)? == rule_changes(&events, year - 1)? {
                        year -= 1;
                    }
                    if rule_changes(&events, LAST_YEAR)? == last && best.is_none_or(|(_, y)| year < y) {
                        best = Some((events, year));
                    }
                }
            }
            let (events, year) = best.ok_or_else(|| format!("{}: no yearly rule fits {LAST_YEAR}", tz.name()))?;
            // The runtime relies on it: the later change of a year is also the last before the next.
            if events[0].month >= events[1].month {
                return Err(format!("{}: the rule's changes are not in two months, in order", tz.name()).into());
            }
            (Some(events), year)
        }
        other => return Err(format!("{}: {} changes in {LAST_YEAR}, not a yearly rule", tz.name(), other.len()).into()),
    };
    // The runtime finds a local time's offsets a day either side: changes must be further apart.
    if changes.windows(2).any(|w| matches!(w, [(a, _), (b, _)] if b - a < 2 * DAY)) {
        return Err(format!("{}: two changes of offset within two days", tz.name()).into());
    }
    let start = year_start(from_year)?;
    let mut explicit = Vec::new();
    for (t, o) in changes.iter().filter(|(t, _)| *t < start) {
        // Held in 32 bits: explicit changes all lie before a present rule or offset, long before 2038.
        explicit.push(format!("({}, {o})", i32::try_from(*t)?));
    }
    let rule = match rule {
        None => "None".to_owned(),
        Some(events) => {
            let events: Vec<String> = events
                .iter()
                .map(|e| {
                    format!(
                        "Event {{ month: {}, week: {}, weekday: Weekday::{:?}, secs: {}, offset: {} }}",
                        e.month, e.week, e.weekday, e.secs, e.offset
                    )
                })
                .collect();
            format!("Some(Rule {{ from_year: {from_year}, events: [{}] }})", events.join(", "))
        }
    };
    Ok(format!(
        "ZoneData {{ initial: {}, transitions: &[{}], rule: {rule} }}",
        offset(tz, year_start(FIRST_YEAR)?)?,
        explicit.join(", ")
    ))
}

/// Every change of offset from 1970 to the end of the last year: (instant, offset from then on).
/// Days are scanned one by one (changes lie at least two days apart, checked by the caller), each
/// change found to the second.
fn transitions(tz: &chrono_tz::Tz) -> Result<Vec<(i64, i32)>> {
    let end = year_start(LAST_YEAR + 1)?;
    let mut t = year_start(FIRST_YEAR)?;
    let mut current = offset(tz, t)?;
    let mut out = Vec::new();
    while t < end {
        let next = (t + DAY).min(end);
        if offset(tz, next)? == current {
            t = next;
            continue;
        }
        let (mut same, mut changed) = (t, next);
        while changed - same > 1 {
            let mid = same + (changed - same) / 2;
            if offset(tz, mid)? == current {
                same = mid;
            } else {
                changed = mid;
            }
        }
        current = offset(tz, changed)?;
        out.push((changed, current));
        t = changed;
    }
    Ok(out)
}

/// The ways to read a change at `t` as a yearly event: the nth weekday of its month, and the last
/// one when it is.
fn event_choices(t: i64, before: i32, after: i32) -> Result<Vec<Event>> {
    let local = DateTime::from_timestamp(t + i64::from(before), 0).ok_or("instant out of range")?.date_naive();
    let secs = t - local.and_hms_opt(0, 0, 0).ok_or("no midnight")?.and_utc().timestamp();
    let event = |week| Event { month: local.month(), week, weekday: local.weekday(), secs, offset: after };
    let mut choices = vec![event((local.day() - 1) / 7 + 1)];
    if local.day() + 7 > days_in_month(local.year(), local.month())? {
        choices.push(event(5));
    }
    Ok(choices)
}

/// The changes `events` make in `year`, in order.
fn rule_changes(events: &[Event; 2], year: i32) -> Result<Vec<(i64, i32)>> {
    let mut out = Vec::new();
    for e in events {
        let day = nth_weekday(year, e)?;
        out.push((day.and_hms_opt(0, 0, 0).ok_or("no midnight")?.and_utc().timestamp() + e.secs, e.offset));
    }
    out.sort_unstable();
    Ok(out)
}

fn nth_weekday(year: i32, e: &Event) -> Result<NaiveDate> {
    match NaiveDate::from_weekday_of_month_opt(year, e.month, e.weekday, u8::try_from(e.week)?) {
        Some(d) => Ok(d),
        None if e.week == 5 => {
            NaiveDate::from_weekday_of_month_opt(year, e.month, e.weekday, 4).ok_or_else(|| "no 4th weekday".into())
        }
        None => Err(format!("no weekday {} of {year}-{}", e.week, e.month).into()),
    }
}

fn days_in_month(year: i32, month: u32) -> Result<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or("bad month")?;
    let next = first.checked_add_months(chrono::Months::new(1)).ok_or("bad month")?;
    Ok(u32::try_from((next - first).num_days())?)
}

fn offset(tz: &chrono_tz::Tz, t: i64) -> Result<i32> {
    let at = DateTime::from_timestamp(t, 0).ok_or("instant out of range")?.naive_utc();
    Ok(tz.offset_from_utc_datetime(&at).fix().local_minus_utc())
}

fn year_start(year: i32) -> Result<i64> {
    Ok(NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or("bad year")?
        .and_hms_opt(0, 0, 0)
        .ok_or("no midnight")?
        .and_utc()
        .timestamp())
}

fn year_of(t: i64) -> Result<i32> {
    Ok(DateTime::from_timestamp(t, 0).ok_or("instant out of range")?.year())
}
