//! Time zones of the IANA database, by name: a debtor's calendar day at an instant, and the instant
//! of a local send time.
//!
//! The table is written at build time from chrono-tz's data (see `build.rs`), in a compact form:
//! the offset at the start of 1970, the changes since then until the zone's present rule, and that
//! rule, which then holds every year. It is exact from 1970 on (earlier instants take the 1970
//! offset); `tests/zones.rs` holds it to chrono-tz, instant by instant, up to 2099, where
//! chrono-tz's own tables end (the rule goes on after that, as the law does until it changes).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc, Weekday};
use std::fmt;

/// A zone's offsets: `initial` (seconds east of UTC) until the first of `transitions` (instant in
/// seconds since 1970, offset from then on), then, from the start of `rule.from_year`, the rule.
/// Explicit changes all predate 2038: 32 bits hold their instants.
struct ZoneData {
    initial: i32,
    transitions: &'static [(i32, i32)],
    rule: Option<Rule>,
}

/// Two changes of offset a year.
struct Rule {
    from_year: i32,
    events: [Event; 2],
}

/// On the `week`th (5: last) `weekday` of `month`, `secs` seconds after 00:00 UTC of that local
/// day, the offset becomes `offset`.
struct Event {
    month: u32,
    week: u8,
    weekday: Weekday,
    secs: i64,
    offset: i32,
}

include!(concat!(env!("OUT_DIR"), "/zones.rs"));

/// A time zone compiled in (Europe, its Atlantic islands, the French overseas territories, UTC:
/// see `.cargo/config.toml`).
#[derive(Clone, Copy)]
pub struct Zone {
    name: &'static str,
    data: &'static ZoneData,
}

impl Zone {
    /// The zone of an IANA name such as `Europe/Paris` (exact spelling), if compiled in.
    pub fn named(name: &str) -> Option<Zone> {
        let at = ZONES.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
        let (name, data) = ZONES.get(at)?;
        Some(Zone { name, data: ZONE_DATA.get(*data)? })
    }

    /// Its IANA name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The offset from UTC in force at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        fixed(self.offset_seconds(at.timestamp()))
    }

    /// The local date and time at `at`.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset_at(at))
    }

    /// The first instant whose local time is `local`: the earlier of two when clocks go back,
    /// none when clocks go forward over it.
    pub fn earliest(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let wall = local.and_utc().timestamp();
        // Changes are at least two days apart (the build checks it), so at most one lies within a
        // day either side, and the offsets in force then are the only ones that can apply.
        let (before, after) = (self.offset_seconds(wall - DAY), self.offset_seconds(wall + DAY));
        let instant = if before == after {
            Some(wall - i64::from(before))
        } else {
            [before, after]
                .into_iter()
                .filter_map(|offset| {
                    let t = wall - i64::from(offset);
                    (self.offset_seconds(t) == offset).then_some(t)
                })
                .min()
        };
        instant.and_then(|t| DateTime::from_timestamp(t, 0))
    }

    fn offset_seconds(&self, t: i64) -> i32 {
        let data = self.data;
        if let Some(offset) = data.rule.as_ref().and_then(|rule| rule.offset_at(t)) {
            return offset;
        }
        match data.transitions.partition_point(|(at, _)| i64::from(*at) <= t) {
            0 => data.initial,
            n => data.transitions.get(n - 1).map_or(data.initial, |(_, offset)| *offset),
        }
    }
}

impl Rule {
    /// The offset at `t` under the rule; none before it holds (before its first change).
    fn offset_at(&self, t: i64) -> Option<i32> {
        let year = DateTime::from_timestamp(t, 0)?.year();
        if year < self.from_year {
            return None;
        }
        // The events are in the order they happen each year (the build checks it).
        let [first, second] = &self.events;
        if t >= second.instant(year)? {
            Some(second.offset)
        } else if t >= first.instant(year)? {
            Some(first.offset)
        } else {
            // Before this year's first change: last year's last one, if the rule held then.
            (year > self.from_year).then_some(second.offset)
        }
    }
}

impl Event {
    fn instant(&self, year: i32) -> Option<i64> {
        let first = NaiveDate::from_ymd_opt(year, self.month, 1)?;
        let lead = (7 + self.weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
        let nth = 1 + lead + 7 * u32::from(self.week).saturating_sub(1);
        // "Last" (week 5): the fifth such weekday when the month has one, else the fourth.
        let day = NaiveDate::from_ymd_opt(year, self.month, nth)
            .or_else(|| (self.week == 5).then(|| NaiveDate::from_ymd_opt(year, self.month, nth - 7)).flatten())?;
        Some(day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp() + self.secs)
    }
}

const DAY: i64 = 86_400;

fn fixed(seconds: i32) -> FixedOffset {
    // Every offset of the table comes from a chrono offset, so within a day.
    FixedOffset::east_opt(seconds).unwrap_or_else(|| Utc.fix())
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Every zone name compiled in, sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    ZONES.iter().map(|(name, _)| *name)
}
