//! Readers of the official machine-readable publications of reference rates: text in, the rows of
//! one of our rate tables out, with where they came from. Pure functions, shared by the worker's
//! daily refresh and the release script that rewrites `core/data/rates.json`.
//!
//! | source | series | table |
//! | --- | --- | --- |
//! | ECB Data Portal, SDMX-CSV (`format=csvdata`) | `FM.D.U2.EUR.4F.KR.MRR_FR.LEV` | `ecb_mro` |
//! | Deutsche Bundesbank, SDMX-CSV (`format=sdmx_csv`) | `BBIN1.M.DE.BBK.BBKBAS2.EUR.ME` | `de_basiszinssatz` |
//! | Bank of England database, CSV | `IUDBEDR` | `boe_bank_rate` |
//! | service-public.fr (DILA), XML of fiche F783 | `F783 particuliers`, `F783 autres cas` | `fr_legal_individuals`, `fr_legal_other` |
//!
//! A response is taken whole or refused whole (`invalid_rate_source`, naming the line and column):
//! an HTML or error page, a header without the expected columns, a line cut short, dates out of
//! order or repeated, a value outside -5..30 %, or a gap in a series that has one value a period.
//! The caller keeps its last good table when a response is refused.

mod service_public;

use crate::error::{Error, ErrorCode, Result};
use crate::import::{records, Row};
use crate::money::{parse_decimal, Amount};
use crate::rates::{Correction, RateRow};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A publication we read, named by the rate table it feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "RateSource"))]
pub enum Source {
    /// The ECB's main refinancing operations fixed rate, one observation on each day it changes
    /// (or each business day).
    #[serde(rename = "ecb_mro")]
    EcbMro,
    /// The German Basiszinssatz under BGB 247, one end-of-month observation a month.
    #[serde(rename = "de_basiszinssatz")]
    Bundesbank,
    /// The Bank of England's Bank Rate, one observation a business day.
    #[serde(rename = "boe_bank_rate")]
    BankOfEngland,
    /// The French legal interest rate when the creditor is a private person (particuliers), one a
    /// half-year, read from the fiche that lists both categories.
    #[serde(rename = "fr_legal_individuals")]
    FrLegalIndividuals,
    /// The French legal interest rate of every other creditor (autres cas, e.g. a business).
    #[serde(rename = "fr_legal_other")]
    FrLegalOther,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 5] =
        [Source::EcbMro, Source::Bundesbank, Source::BankOfEngland, Source::FrLegalIndividuals, Source::FrLegalOther];

    /// The rate table its rows belong to.
    pub fn table(self) -> &'static str {
        match self {
            Source::EcbMro => "ecb_mro",
            Source::Bundesbank => "de_basiszinssatz",
            Source::BankOfEngland => "boe_bank_rate",
            Source::FrLegalIndividuals => "fr_legal_individuals",
            Source::FrLegalOther => "fr_legal_other",
        }
    }

    /// Who publishes it.
    pub fn publisher(self) -> &'static str {
        match self {
            Source::EcbMro => "ECB Data Portal",
            Source::Bundesbank => "Deutsche Bundesbank time series database",
            Source::BankOfEngland => "Bank of England database",
            Source::FrLegalIndividuals | Source::FrLegalOther => "service-public.fr (DILA)",
        }
    }

    /// Where the source publishes the series in the form `parse` reads, and the `Accept` header
    /// it wants. The worker's daily refresh and the release script both fetch this address.
    pub fn address(self) -> (&'static str, &'static str) {
        match self {
            Source::EcbMro => (
                "https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV?format=csvdata&detail=dataonly",
                "text/csv",
            ),
            Source::Bundesbank => (
                "https://api.statistiken.bundesbank.de/rest/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME",
                "application/vnd.sdmx.data+csv;version=1.0.0",
            ),
            Source::BankOfEngland => (
                "https://www.bankofengland.co.uk/boeapps/database/_iadb-FromShowColumns.asp?csv.x=yes&Datefrom=01/Jan/2019&Dateto=now&SeriesCodes=IUDBEDR&CSVF=TN&UsingCodes=Y&VPD=Y&VFD=N",
                "text/csv",
            ),
            // No key is needed: the DILA serves its « vos droits et démarches » data openly.
            Source::FrLegalIndividuals | Source::FrLegalOther => {
                ("https://lecomarquage.service-public.fr/vdd/3.4/part/xml/F783.xml", "application/xml")
            }
        }
    }

    /// The source of table `id`, if it has one we read.
    pub fn of_table(id: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.table() == id)
    }

    /// The series read.
    pub fn series(self) -> &'static str {
        match self {
            Source::EcbMro => "FM.D.U2.EUR.4F.KR.MRR_FR.LEV",
            Source::Bundesbank => "BBIN1.M.DE.BBK.BBKBAS2.EUR.ME",
            Source::BankOfEngland => "IUDBEDR",
            Source::FrLegalIndividuals => "F783 particuliers",
            Source::FrLegalOther => "F783 autres cas",
        }
    }
}

/// One response of a source, as a caller hands it to `parse` (the npm package's `readRateSource`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "RateSourceArgs"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceResponse {
    /// Which publication.
    pub source: Source,
    /// The response's text, whole.
    pub text: String,
    /// The day it was fetched, `YYYY-MM-DD`.
    #[serde(deserialize_with = "crate::date::de")]
    pub fetched_on: NaiveDate,
}

/// Rows read from one response, and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fetched {
    /// The rate table the rows belong to.
    pub table: String,
    /// Who publishes them.
    pub source: String,
    /// The series read.
    pub series: String,
    /// The last day the response has an observation for.
    #[serde(serialize_with = "crate::date::ser", deserialize_with = "crate::date::de")]
    pub observed_until: NaiveDate,
    /// The last day the rows are known for: the day the ECB's response was read (it records a
    /// rate on the day it changes, announced in advance), the end of the Basiszinssatz's last
    /// half-year (fixed for the half-year), the Bank Rate's last reference day.
    #[serde(serialize_with = "crate::date::ser", deserialize_with = "crate::date::de")]
    pub known_until: NaiveDate,
    /// The rows, in date order, in the form of the table.
    pub rows: Vec<RateRow>,
}

/// Lowest and highest rate a source may state, in percent: anything else is a misreading.
const PLAUSIBLE: (Decimal, Decimal) = (Decimal::from_parts(5, 0, 0, true, 0), Decimal::from_parts(30, 0, 0, false, 0));

/// Reads one response of `source`, fetched on `fetched_on`.
pub fn parse(source: Source, text: &str, fetched_on: NaiveDate) -> Result<Fetched> {
    let observations = match source {
        Source::EcbMro | Source::Bundesbank => sdmx_csv(text)?,
        Source::BankOfEngland => boe_csv(text)?,
        Source::FrLegalIndividuals => service_public::legal_rates(text, service_public::Creditor::Individual)?,
        Source::FrLegalOther => service_public::legal_rates(text, service_public::Creditor::Other)?,
    };
    let (Some(first), Some(last)) = (observations.first(), observations.last()) else {
        return Err(refused("", "the response has no observation"));
    };
    if latest_possible(source, fetched_on).is_some_and(|latest| last.day > latest) {
        return Err(refused(
            &format!("line {}", last.line),
            "an observation is dated after it could have been published",
        ));
    }
    let rows = match source {
        Source::EcbMro => changes(&observations),
        Source::Bundesbank => half_years(&observations)?,
        Source::BankOfEngland => reference_days(&observations, first.day),
        Source::FrLegalIndividuals | Source::FrLegalOther => observations.iter().map(|o| row(o.day, o.rate)).collect(),
    };
    let newest = rows.last().map_or(last.day, |r| r.from);
    let known_until = match source {
        Source::EcbMro => fetched_on.max(last.day),
        Source::Bundesbank | Source::FrLegalIndividuals | Source::FrLegalOther => {
            crate::rates::end_of_half_year(newest)
        }
        Source::BankOfEngland => newest,
    };
    Ok(Fetched {
        table: source.table().to_owned(),
        source: source.publisher().to_owned(),
        series: source.series().to_owned(),
        observed_until: last.day,
        known_until,
        rows,
    })
}

/// The last day a response fetched on `fetched_on` may have an observation for, if any: the ECB
/// records a change on the day it takes effect, announced weeks before; a French legal rate is
/// fixed by an arrêté published in the last days of the half-year before; the others observe
/// what is in force.
fn latest_possible(source: Source, fetched_on: NaiveDate) -> Option<NaiveDate> {
    match source {
        Source::EcbMro => None,
        Source::FrLegalIndividuals | Source::FrLegalOther => fetched_on.checked_add_days(chrono::Days::new(31)),
        Source::Bundesbank | Source::BankOfEngland => Some(fetched_on),
    }
}

/// A caller's `extraRates` with the rows read from sources added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WithRates {
    /// What to pass as a request's `extraRates`.
    pub extra_rates: BTreeMap<String, Vec<RateRow>>,
    /// Rates the sources give otherwise than the tables: not applied, for a person to decide.
    pub corrections: Vec<Correction>,
}

/// Adds to `extra_rates` what each response read adds to the built-in tables (see
/// [`Rates::published`]), in order. Errors name `extraRates.<table>` or `fetched[i]`.
pub fn with_rates(mut extra_rates: BTreeMap<String, Vec<RateRow>>, fetched: &[Fetched]) -> Result<WithRates> {
    let mut rates = crate::penalty::rates_with(&extra_rates)?.into_owned();
    let mut corrections = Vec::new();
    for (i, f) in fetched.iter().enumerate() {
        let within = |e: Error| e.within(&format!("fetched[{i}]"));
        let published = rates.published(&f.table, &f.rows, f.known_until).map_err(within)?;
        rates.extend(&f.table, published.new_rows.clone()).map_err(within)?;
        extra_rates.entry(f.table.clone()).or_default().extend(published.new_rows);
        corrections.extend(published.corrections);
    }
    Ok(WithRates { extra_rates, corrections })
}

/// One observation: a day (the first of the month for a monthly series) and its rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Observation {
    day: NaiveDate,
    rate: Decimal,
    /// The line it was read from (1 = the header), for errors.
    line: usize,
}

fn refused(path: &str, why: &str) -> Error {
    Error::new(ErrorCode::InvalidRateSource, path, why.to_owned())
}

/// Refuses what is plainly not the CSV asked for: an HTML page, an XML or JSON error, a blank reply.
fn csv_lines(text: &str) -> Result<Vec<Row>> {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('<') || start.starts_with('{') {
        return Err(refused("", "the response is a page or an error message, not CSV"));
    }
    records(text).map_err(|e| refused("", e.message()))
}

/// SDMX-CSV (the ECB's `csvdata` and the Bundesbank's `sdmx_csv`): a header naming the columns,
/// among them `TIME_PERIOD` (`YYYY-MM-DD`, or `YYYY-MM` for a monthly series) and `OBS_VALUE`.
fn sdmx_csv(text: &str) -> Result<Vec<Observation>> {
    let lines = csv_lines(text)?;
    let Some((header, rows)) = lines.split_first() else {
        return Err(refused("", "the response is empty"));
    };
    let column = |name: &str| {
        let at = format!("line {}", header.number);
        header.fields.iter().position(|h| h.trim() == name).ok_or_else(|| refused(&at, &format!("no column {name}")))
    };
    let (period, value) = (column("TIME_PERIOD")?, column("OBS_VALUE")?);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let line = row.number;
        if row.fields.len() != header.fields.len() {
            return Err(refused(&format!("line {line}"), "the line does not have the header's columns (cut short?)"));
        }
        let (Some(p), Some(v)) = (row.fields.get(period), row.fields.get(value)) else { continue };
        let day = sdmx_period(p).ok_or_else(|| refused(&format!("line {line}.TIME_PERIOD"), "not a day or a month"))?;
        out.push(Observation { day, rate: plausible_rate(v, &format!("line {line}.OBS_VALUE"))?, line });
    }
    in_order(&out)?;
    Ok(out)
}

fn sdmx_period(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.len() == 7 {
        return NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok();
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// The Bank of England's CSV: a header `DATE,IUDBEDR`, days written `02 Jan 2024`.
fn boe_csv(text: &str) -> Result<Vec<Observation>> {
    let lines = csv_lines(text)?;
    let Some((header, rows)) = lines.split_first() else {
        return Err(refused("", "the response is empty"));
    };
    let names: Vec<&str> = header.fields.iter().map(|h| h.trim()).collect();
    if names != ["DATE", "IUDBEDR"] {
        return Err(refused(&format!("line {}", header.number), "the header is not DATE,IUDBEDR"));
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let line = row.number;
        let [date, value] = row.fields.as_slice() else {
            return Err(refused(&format!("line {line}"), "the line does not have the header's columns (cut short?)"));
        };
        let day = NaiveDate::parse_from_str(date.trim(), "%d %b %Y")
            .map_err(|_| refused(&format!("line {line}.DATE"), "not a day written as 02 Jan 2024"))?;
        out.push(Observation { day, rate: plausible_rate(value, &format!("line {line}.IUDBEDR"))?, line });
    }
    in_order(&out)?;
    Ok(out)
}

fn plausible_rate(text: &str, path: &str) -> Result<Decimal> {
    let rate = parse_decimal(text.trim()).ok_or_else(|| refused(path, "not a number"))?;
    if rate < PLAUSIBLE.0 || rate > PLAUSIBLE.1 {
        return Err(refused(path, &format!("{rate} % is not a plausible reference rate (-5 to 30 %)")));
    }
    Ok(rate)
}

fn in_order(observations: &[Observation]) -> Result<()> {
    for pair in observations.windows(2) {
        if let [a, b] = pair {
            if b.day <= a.day {
                return Err(refused(&format!("line {}", b.line), "the dates are out of order or repeated"));
            }
        }
    }
    Ok(())
}

fn row(from: NaiveDate, rate: Decimal) -> RateRow {
    RateRow { from, rate: Amount(rate) }
}

/// A day-by-day or change-by-change series as the days it changed (the first observation included).
fn changes(observations: &[Observation]) -> Vec<RateRow> {
    let mut rows: Vec<RateRow> = Vec::new();
    for o in observations {
        if rows.last().is_none_or(|r| r.rate.0 != o.rate) {
            rows.push(row(o.day, o.rate));
        }
    }
    rows
}

/// A monthly series of a rate that changes only on 1 January and 1 July, as one row a half-year.
/// Every month must be there, and agree with its half-year's first month.
fn half_years(observations: &[Observation]) -> Result<Vec<RateRow>> {
    let mut rows: Vec<RateRow> = Vec::new();
    for pair in observations.windows(2) {
        if let [a, b] = pair {
            if months_between(a.day, b.day) != 1 {
                return Err(refused(&format!("line {}", b.line), &format!("a month is missing before {}", b.day)));
            }
        }
    }
    for o in observations {
        let starts_half = matches!(o.day.month(), 1 | 7);
        match rows.last() {
            Some(last) if !starts_half => {
                if last.rate.0 != o.rate {
                    return Err(refused(
                        &format!("line {}", o.line),
                        "the rate changes within a half-year, which the Basiszinssatz never does",
                    ));
                }
            }
            _ => {
                let half_start = NaiveDate::from_ymd_opt(o.day.year(), if o.day.month() < 7 { 1 } else { 7 }, 1);
                rows.push(row(half_start.unwrap_or(o.day), o.rate));
            }
        }
    }
    Ok(rows)
}

fn months_between(a: NaiveDate, b: NaiveDate) -> i32 {
    (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32
}

/// A business-day series as the rate in force on each reference day of the UK Late Payment Act
/// (30 June and 31 December) that the series covers: the last observation on or before the day,
/// taken only once the series reaches the day itself.
fn reference_days(observations: &[Observation], first: NaiveDate) -> Vec<RateRow> {
    let Some(last) = observations.last() else { return Vec::new() };
    let mut rows = Vec::new();
    for year in first.year()..=last.day.year() {
        for (month, day) in [(6, 30), (12, 31)] {
            let Some(reference) = NaiveDate::from_ymd_opt(year, month, day) else { continue };
            if reference < first || reference > last.day {
                continue;
            }
            let in_force = observations.iter().take_while(|o| o.day <= reference).last();
            if let Some(o) = in_force {
                rows.push(row(reference, o.rate));
            }
        }
    }
    rows
}
