//! The time-zone table (src/zone.rs, written by build.rs) against chrono-tz, whose IANA data it is
//! made from: the same zones, and for each the same offset every week from 1970 to 2099 and on
//! each side of every change, and the same instant for the local times around each change.
#![allow(clippy::unwrap_used)] // test code

use chrono::{DateTime, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use relance_core::zone::{self, Zone};

/// 1970-01-01 and 2100-01-01: chrono-tz's tables end with 2099.
const FROM: i64 = 0;
const TO: i64 = 4_102_444_800;
/// A week and an hour: the samples move through the hours of the day.
const STEP: i64 = 7 * 86_400 + 3_600;

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap()
}

fn theirs(tz: &chrono_tz::Tz, t: i64) -> i32 {
    tz.offset_from_utc_datetime(&at(t).naive_utc()).fix().local_minus_utc()
}

fn ours(zone: &Zone, t: i64) -> i32 {
    zone.offset_at(at(t)).local_minus_utc()
}

fn same_instant_for_local(tz: &chrono_tz::Tz, zone: &Zone, local: NaiveDateTime) {
    let expected = tz.from_local_datetime(&local).earliest().map(|d| d.with_timezone(&Utc));
    assert_eq!(zone.earliest(local), expected, "{} at local {local}", tz.name());
}

#[test]
fn the_zones_are_chrono_tz_s() {
    let ours: Vec<&str> = zone::names().collect();
    let mut theirs: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    theirs.sort_unstable();
    assert_eq!(ours, theirs);
    for name in ["Europe/Paris", "Europe/London", "America/Guadeloupe", "Indian/Reunion", "Pacific/Noumea", "UTC"] {
        assert_eq!(Zone::named(name).map(|z| z.name()), Some(name));
    }
    // Exact names only, and only those compiled in (see .cargo/config.toml).
    for name in ["europe/paris", "Europe/Paris ", "", "America/New_York", "Paris"] {
        assert!(Zone::named(name).is_none(), "{name}");
    }
}

#[test]
fn offsets_and_local_times_are_chrono_tz_s_from_1970_to_2099() {
    let mut changes_checked = 0;
    for tz in chrono_tz::TZ_VARIANTS {
        let zone = Zone::named(tz.name()).unwrap();
        let mut previous = theirs(&tz, FROM);
        let mut t = FROM;
        while t < TO {
            let offset = theirs(&tz, t);
            assert_eq!(ours(&zone, t), offset, "{} at {}", tz.name(), at(t));
            let wall = at(t + i64::from(offset)).naive_utc();
            same_instant_for_local(&tz, &zone, wall);
            if offset != previous {
                // The change to the second, then both sides of it and the local times around it.
                let (mut before, mut after) = (t - STEP, t);
                while after - before > 1 {
                    let mid = before + (after - before) / 2;
                    if theirs(&tz, mid) == previous {
                        before = mid;
                    } else {
                        after = mid;
                    }
                }
                for s in [before - 1, before, after, after + 1] {
                    assert_eq!(ours(&zone, s), theirs(&tz, s), "{} at {}", tz.name(), at(s));
                }
                let wall = after + i64::from(previous.min(offset));
                for quarter in -12..=12 {
                    same_instant_for_local(&tz, &zone, at(wall + quarter * 900).naive_utc());
                }
                changes_checked += 1;
            }
            previous = offset;
            t += STEP;
        }
    }
    // Europe's summer time alone makes thousands of changes over the period.
    assert!(changes_checked > 5_000, "{changes_checked}");
}

#[test]
fn the_present_rule_goes_on_after_2099_and_1970_s_offset_holds_before_1970() {
    let paris = Zone::named("Europe/Paris").unwrap();
    let noon = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc();
    assert_eq!(paris.offset_at(noon(2150, 7)).local_minus_utc(), 7_200);
    assert_eq!(paris.offset_at(noon(2150, 1)).local_minus_utc(), 3_600);
    assert_eq!(paris.offset_at(noon(1950, 7)).local_minus_utc(), 3_600);
    // A spring-forward gap has no instant; an autumn overlap gives the earlier one.
    let local = |d: &str, h| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap().and_hms_opt(h, 30, 0).unwrap();
    assert_eq!(paris.earliest(local("2026-03-29", 2)), None);
    assert_eq!(paris.earliest(local("2026-10-25", 2)), Some(at(1_792_888_200)));
    assert_eq!(paris.local(at(1_792_888_200)).naive_local(), local("2026-10-25", 2));
}
