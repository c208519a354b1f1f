//! Reference rate tables (ECB main refinancing rate, French legal interest rates, German
//! Basiszinssatz) as data in `core/data/rates.json`, embedded at build time. A caller brings a newer
//! period with [`Rates::extend`]; a date after what is known is a `missing_rate` error naming the
//! half-year, never a guess.
//!
//! ```
//! use relance_core::rates::Rates;
//! use chrono::NaiveDate;
//! let rates = Rates::builtin().unwrap();
//! let jan_2024 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
//! assert_eq!(rates.rate_on("ecb_mro", jan_2024).unwrap().to_string(), "4.50");
//! let jul_2026 = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
//! assert!(rates.rate_on("ecb_mro", jul_2026).unwrap_err().message().contains("2026-H2"));
//! ```

use crate::date;
use crate::error::{Error, ErrorCode, Result};
use crate::money::Amount;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One row: `rate` (percent per year, a decimal string) applies from `from` until the next row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateRow {
    /// First day the rate applies.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub from: NaiveDate,
    /// Percent per year (may be negative).
    pub rate: Amount,
}

/// A rate table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateTable {
    /// What it is.
    pub name: String,
    /// Last day the rows are confirmed for.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub known_until: NaiveDate,
    /// A remark on the sources.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub note: String,
    /// The rows are values on those exact days only (reference days), not from a day onwards.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub exact_dates_only: bool,
    /// The day the rows were last brought up to date from their source (`scripts/update-rates.sh`).
    #[serde(default, deserialize_with = "date::de_opt", serialize_with = "date::ser_opt")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refreshed: Option<NaiveDate>,
    /// Rows in date order.
    pub rows: Vec<RateRow>,
}

/// A table of `data/rates.json` as `build.rs` writes it: dates as (year, month, day), rates as
/// the file's decimal text.
struct BuiltinTable {
    id: &'static str,
    name: &'static str,
    known_until: (i32, u32, u32),
    note: &'static str,
    exact_dates_only: bool,
    refreshed: Option<(i32, u32, u32)>,
    rows: &'static [((i32, u32, u32), &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/rates.rs"));

/// Every rate table by id (`ecb_mro`, `fr_legal_individuals`, `fr_legal_other`, `de_basiszinssatz`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Rates {
    tables: BTreeMap<String, RateTable>,
}

/// The half-year of a date, as people write it: `2026-H2`.
pub fn half_year_label(day: NaiveDate) -> String {
    format!("{}-H{}", day.year(), if day.month() <= 6 { 1 } else { 2 })
}

/// The last day of the half-year of `day`.
pub(crate) fn end_of_half_year(day: NaiveDate) -> NaiveDate {
    let (m, d) = if day.month() <= 6 { (6, 30) } else { (12, 31) };
    NaiveDate::from_ymd_opt(day.year(), m, d).unwrap_or(day)
}

/// The highest yearly rate accepted (rate rows, contractual rates, margins), in percent: keeps
/// every interest product within `Decimal`'s range.
pub const MAX_RATE_PERCENT: i64 = 1_000;

fn check_rows(rows: &[RateRow], path: &str) -> Result<()> {
    if let Some(i) = rows.iter().position(|r| r.rate.value().abs() > rust_decimal::Decimal::from(MAX_RATE_PERCENT)) {
        return Err(Error::new(
            ErrorCode::OutOfRange,
            format!("{path}[{i}].rate"),
            format!("a rate is at most {MAX_RATE_PERCENT} %"),
        ));
    }
    for (i, pair) in rows.windows(2).enumerate() {
        if let [a, b] = pair {
            if b.from <= a.from {
                return Err(Error::new(
                    ErrorCode::StepsOutOfOrder,
                    format!("{path}[{}].from", i + 1),
                    format!("rows must be in increasing date order: {} does not come after {}", b.from, a.from),
                ));
            }
        }
    }
    Ok(())
}

/// A rate a source published for a day that a table already gives another rate for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Correction {
    /// The table.
    pub table: String,
    /// The day.
    #[serde(serialize_with = "date::ser")]
    pub day: NaiveDate,
    /// The rate the table gives.
    pub held: Amount,
    /// The rate the source published.
    pub published: Amount,
}

/// A rate not published yet: its table, the first day it is needed for, and that day's half-year.
/// Carried by a `missing_rate` error (`Error::missing_rate`), so that a sender can wait for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingRate {
    /// The table (`ecb_mro`, `fr_legal_other`, ...).
    pub table: String,
    /// The first day a rate is needed for.
    #[serde(serialize_with = "date::ser", deserialize_with = "date::de")]
    pub day: NaiveDate,
    /// Its half-year, `2026-H2`.
    pub half_year: String,
}

/// What a source's rows add to a table: the rows to add (as `extraRates`), and the rates it gives
/// otherwise than the table, which are never applied without a person deciding.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Published {
    /// Rows after the table's last row, in date order: changes, and for a table read by half-year
    /// the rate in force on each 1 January and 1 July up to the day the source is known for.
    pub new_rows: Vec<RateRow>,
    /// Days the source gives a different rate for.
    pub corrections: Vec<Correction>,
    /// For an exact-dates table, days before its last row that it lacks: only a rewrite of the
    /// shipped table can take them (`Rates::refresh`); `extend` adds after the last row only.
    pub missing_days: Vec<RateRow>,
}

impl Rates {
    /// The tables shipped in `core/data/rates.json` (compiled in by `build.rs`).
    pub fn builtin() -> Result<Rates> {
        let embedded = |path: String, message: String| Error::new(ErrorCode::EmbeddedData, path, message);
        let day = |(y, m, d): (i32, u32, u32), path: &str| {
            NaiveDate::from_ymd_opt(y, m, d)
                .ok_or_else(|| embedded(path.to_owned(), format!("{y}-{m}-{d} is not a day")))
        };
        let mut tables = BTreeMap::new();
        for t in &BUILTIN_TABLES {
            let path = format!("tables.{}", t.id);
            let rows = t
                .rows
                .iter()
                .enumerate()
                .map(|(i, (from, rate))| {
                    let row_path = format!("{path}.rows[{i}]");
                    Ok(RateRow {
                        from: day(*from, &row_path)?,
                        rate: Amount::parse(rate, &format!("{row_path}.rate"))?,
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map_err(|e| embedded(e.path().to_owned(), format!("rates.json: {}", e.message())))?;
            check_rows(&rows, &format!("{path}.rows"))
                .map_err(|e| embedded(e.path().to_owned(), e.message().to_owned()))?;
            let table = RateTable {
                name: t.name.to_owned(),
                known_until: day(t.known_until, &format!("{path}.knownUntil"))?,
                note: t.note.to_owned(),
                exact_dates_only: t.exact_dates_only,
                refreshed: t.refreshed.map(|d| day(d, &format!("{path}.refreshed"))).transpose()?,
                rows,
            };
            tables.insert(t.id.to_owned(), table);
        }
        Ok(Rates { tables })
    }

    /// The ids of the tables.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// A table by id.
    pub fn table(&self, id: &str) -> Result<&RateTable> {
        self.tables.get(id).ok_or_else(|| {
            Error::new(
                ErrorCode::UnknownReference,
                "",
                format!("no rate table `{id}`; tables are {}", self.ids().collect::<Vec<_>>().join(", ")),
            )
        })
    }

    /// Adds newer rows to table `id` (a half-year published after this release). Each row must come
    /// after the table's last row; the table is then known until the end of the half-year of the
    /// last row added. Nothing is changed when an error is returned.
    pub fn extend(&mut self, id: &str, rows: Vec<RateRow>) -> Result<()> {
        let table = self.table(id)?;
        let last = table.rows.last().map(|r| r.from);
        if let (Some(last), Some(first)) = (last, rows.first()) {
            if first.from <= last {
                return Err(Error::new(
                    ErrorCode::StepsOutOfOrder,
                    "[0].from",
                    format!("new rows must come after the table's last row ({last})"),
                ));
            }
        }
        check_rows(&rows, "")?;
        let Some(table) = self.tables.get_mut(id) else { return Ok(()) };
        if let Some(newest) = rows.last() {
            table.known_until = table.known_until.max(end_of_half_year(newest.from));
        }
        table.rows.extend(rows);
        Ok(())
    }

    /// What rows a source published (`rate_sources::parse`) add to table `id`, known until
    /// `known_until`. A row for a day the table covers must give the table's rate; one that does
    /// not is a correction.
    pub fn published(&self, id: &str, rows: &[RateRow], known_until: NaiveDate) -> Result<Published> {
        let table = self.table(id)?;
        let last = table.rows.last().map(|r| r.from);
        let mut out = Published::default();
        let mut in_force = last.and_then(|day| self.rate_on(id, day).ok());
        for row in rows {
            if last.is_some_and(|last| row.from <= last) {
                let held = if table.exact_dates_only {
                    table.rows.iter().find(|r| r.from == row.from).map(|r| r.rate.value())
                } else {
                    self.rate_on(id, row.from).ok()
                };
                if table.exact_dates_only && held.is_none() {
                    out.missing_days.push(row.clone());
                }
                if let Some(held) = held.filter(|held| *held != row.rate.value()) {
                    out.corrections.push(Correction {
                        table: id.to_owned(),
                        day: row.from,
                        held: Amount(held),
                        published: row.rate,
                    });
                }
            } else if table.exact_dates_only || in_force != Some(row.rate.value()) {
                in_force = Some(row.rate.value());
                out.new_rows.push(row.clone());
            }
        }
        if !table.exact_dates_only {
            held_changes_disagreeing(&mut out.corrections, id, table, rows, known_until);
            confirm_half_years(&mut out.new_rows, table, rows, known_until);
        }
        Ok(out)
    }

    /// Brings table `id` up to date from a source's rows (the release script's step): the rows
    /// that change the rate are added, the table is known until the source says, and refreshed on
    /// `on`. A correction is refused (`invalid_rate_source`, naming the day): a shipped rate is
    /// changed by a person, never by a script. Nothing changes when an error is returned.
    pub fn refresh(&mut self, id: &str, rows: &[RateRow], known_until: NaiveDate, on: NaiveDate) -> Result<()> {
        let published = self.published(id, rows, known_until)?;
        if let Some(c) = published.corrections.first() {
            return Err(Error::new(
                ErrorCode::InvalidRateSource,
                format!("{id}.{}", c.day),
                format!(
                    "the source gives {} % where the table has {} %: check and correct it by hand",
                    c.published, c.held
                ),
            ));
        }
        let exact = self.table(id)?.exact_dates_only;
        let Some(table) = self.tables.get_mut(id) else { return Ok(()) };
        for row in published.new_rows {
            // The half-year confirmations are for extraRates; the table says knownUntil itself.
            if exact || table.rows.last().is_none_or(|last| last.rate != row.rate) {
                table.rows.push(row);
            }
        }
        table.rows.extend(published.missing_days);
        table.rows.sort_by_key(|r| r.from);
        table.known_until = table.known_until.max(known_until);
        table.refreshed = Some(on);
        Ok(())
    }

    /// The rate in force on `day` in table `id`.
    pub fn rate_on(&self, id: &str, day: NaiveDate) -> Result<Decimal> {
        let table = self.table(id)?;
        if day > table.known_until {
            let missing = MissingRate { table: id.to_owned(), day, half_year: half_year_label(day) };
            return Err(Error::rate_not_published(
                missing,
                format!(
                    "no `{id}` rate is known for {} ({day}); known until {}: supply the {} rate",
                    half_year_label(day),
                    table.known_until,
                    half_year_label(day)
                ),
            ));
        }
        if table.exact_dates_only {
            return table.rows.iter().find(|r| r.from == day).map(|r| r.rate.value()).ok_or_else(|| {
                Error::new(
                    ErrorCode::MissingRate,
                    "",
                    format!(
                        "no `{id}` rate is known for the reference day {day} ({}): supply it",
                        half_year_label(day)
                    ),
                )
            });
        }
        let index = table.rows.partition_point(|r| r.from <= day);
        let row = index.checked_sub(1).and_then(|i| table.rows.get(i)).ok_or_else(|| {
            Error::new(
                ErrorCode::MissingRate,
                "",
                format!("no `{id}` rate is known for {day}, before the table starts"),
            )
        })?;
        Ok(row.rate.value())
    }
}

/// Adds, for each half-year that starts after the table's last row and by `known_until`, a row on
/// its first day with the rate then in force: consumers of a half-yearly reference rate look it up
/// on 1 January and 1 July, and `extend` knows a table until the end of its newest row's half-year.
/// A half-year is confirmed only where the table did not know it yet and the response covers its
/// first day.
/// A change the table holds on a day the source covers must be one the source gives too: a source
/// that moved a change to another day gives no row on the held day, so the held rows are checked
/// against the rate the source has in force on their day.
fn held_changes_disagreeing(
    corrections: &mut Vec<Correction>,
    id: &str,
    table: &RateTable,
    rows: &[RateRow],
    known_until: NaiveDate,
) {
    let Some(first) = rows.first().map(|r| r.from) else { return };
    for held in table.rows.iter().filter(|r| r.from >= first && r.from <= known_until) {
        let in_force = rows.iter().take_while(|r| r.from <= held.from).last();
        let Some(published) = in_force.filter(|p| p.rate != held.rate) else { continue };
        if !corrections.iter().any(|c| c.day == held.from) {
            corrections.push(Correction {
                table: id.to_owned(),
                day: held.from,
                held: held.rate,
                published: published.rate,
            });
        }
    }
    corrections.sort_by_key(|c| c.day);
}

/// For each half-year the source covers beyond the table, the rate the source has in force on its
/// first day (a new half-year: nothing held to contradict), so that `extend` knows it.
fn confirm_half_years(new_rows: &mut Vec<RateRow>, table: &RateTable, rows: &[RateRow], known_until: NaiveDate) {
    let Some(last) = table.rows.last() else { return };
    let Some(mut start) = end_of_half_year(last.from).succ_opt() else { return };
    while start <= known_until {
        let in_force = rows.iter().take_while(|r| r.from <= start).last();
        if let Some(source) = in_force.filter(|_| start > table.known_until) {
            if !new_rows.iter().any(|r| r.from == start) {
                new_rows.push(RateRow { from: start, rate: source.rate });
            }
        }
        let Some(next) = end_of_half_year(start).succ_opt() else { break };
        start = next;
    }
    new_rows.sort_by_key(|r| r.from);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_compiled_in_tables_are_the_file_as_decoded() {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RatesFile {
            #[serde(rename = "_about")]
            _about: String,
            tables: BTreeMap<String, RateTable>,
        }
        let file: RatesFile = crate::json::from_json(include_str!("../data/rates.json")).unwrap();
        assert_eq!(Rates::builtin().unwrap(), Rates { tables: file.tables });
    }

    #[test]
    fn builtin_tables_give_the_reference_values() {
        let r = Rates::builtin().unwrap();
        // ECB: effective dates, not decision dates (late-payment-law.md).
        assert_eq!(r.rate_on("ecb_mro", d("2024-01-01")).unwrap().to_string(), "4.50");
        assert_eq!(r.rate_on("ecb_mro", d("2024-06-11")).unwrap().to_string(), "4.50");
        assert_eq!(r.rate_on("ecb_mro", d("2024-06-12")).unwrap().to_string(), "4.25");
        assert_eq!(r.rate_on("ecb_mro", d("2025-07-01")).unwrap().to_string(), "2.15");
        assert_eq!(r.rate_on("ecb_mro", d("2026-01-01")).unwrap().to_string(), "2.15");
        assert_eq!(r.rate_on("ecb_mro", d("2020-01-01")).unwrap().to_string(), "0.00");
        // French legal rate 2024 H1, autres cas: 5.07 (the reference's floor example, 3 x 5.07 = 15.21).
        assert_eq!(r.rate_on("fr_legal_other", d("2024-03-15")).unwrap().to_string(), "5.07");
        assert_eq!(r.rate_on("fr_legal_individuals", d("2025-12-31")).unwrap().to_string(), "6.65");
        assert_eq!(r.rate_on("fr_legal_other", d("2012-08-01")).unwrap().to_string(), "0.71");
        // German base rate, negative from 2016-07-01 to 2022-12-31.
        assert_eq!(r.rate_on("de_basiszinssatz", d("2022-12-31")).unwrap().to_string(), "-0.88");
        assert_eq!(r.rate_on("de_basiszinssatz", d("2023-01-01")).unwrap().to_string(), "1.62");
    }

    #[test]
    fn belgian_rows_follow_the_statutory_rule_from_the_ecb_table() {
        // Loi du 2 août 2002 art. 5: ECB rate of the half-year's first day + 8, rounded up to a half point.
        let r = Rates::builtin().unwrap();
        let table = r.table("be_late_payment").unwrap();
        assert!(table.rows.len() >= 26);
        for row in &table.rows {
            let raw = r.rate_on("ecb_mro", row.from).unwrap() + Decimal::from(8);
            let up = (raw * Decimal::from(2)).ceil() / Decimal::from(2);
            assert_eq!(row.rate.value(), up, "{}", row.from);
        }
        assert_eq!(r.rate_on("be_late_payment", d("2024-03-01")).unwrap().to_string(), "12.50");
        assert_eq!(r.rate_on("be_late_payment", d("2025-01-01")).unwrap().to_string(), "11.50");
    }

    #[test]
    fn uk_reference_days_are_exact() {
        let r = Rates::builtin().unwrap();
        assert_eq!(r.rate_on("boe_bank_rate", d("2024-12-31")).unwrap().to_string(), "4.75");
        assert_eq!(r.rate_on("boe_bank_rate", d("2024-06-30")).unwrap().to_string(), "5.25");
        // 30 June 2025 is not in our sources: refused, not guessed from the year-end value.
        assert_eq!(r.rate_on("boe_bank_rate", d("2025-06-30")).unwrap_err().code(), ErrorCode::MissingRate);
    }

    #[test]
    fn unknown_periods_are_errors_naming_the_half_year() {
        let r = Rates::builtin().unwrap();
        let e = r.rate_on("ecb_mro", d("2026-07-01")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MissingRate);
        assert!(e.message().contains("2026-H2"), "{}", e.message());
        assert_eq!(r.rate_on("fr_legal_other", d("2026-07-01")).unwrap_err().code(), ErrorCode::MissingRate);
        assert_eq!(r.rate_on("ecb_mro", d("2001-01-01")).unwrap_err().code(), ErrorCode::MissingRate);
        assert_eq!(r.rate_on("boe", d("2025-01-01")).unwrap_err().code(), ErrorCode::UnknownReference);
    }

    #[test]
    fn a_caller_brings_a_newer_half_year() {
        let mut r = Rates::builtin().unwrap();
        let row = |from: &str, rate: &str| RateRow { from: d(from), rate: Amount::parse(rate, "").unwrap() };
        r.extend("fr_legal_other", vec![row("2026-07-01", "2.50")]).unwrap();
        assert_eq!(r.rate_on("fr_legal_other", d("2026-12-31")).unwrap().to_string(), "2.50");
        assert_eq!(r.rate_on("fr_legal_other", d("2027-01-01")).unwrap_err().code(), ErrorCode::MissingRate);
        // Rows that do not come after the table are refused and change nothing.
        let before = r.clone();
        assert_eq!(
            r.extend("fr_legal_other", vec![row("2026-01-01", "9.99")]).unwrap_err().code(),
            ErrorCode::StepsOutOfOrder
        );
        assert_eq!(r, before);
    }
}
