//! The readers of the rate sources, on responses written in each source's documented format
//! (tests/fixtures/rates/, whose README gives the documentation's addresses), and on every
//! malformed form a response can take. The rows read must be the built-in table's rows where both
//! cover the same days: the built-in tables came from the same publications.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use chrono::NaiveDate;
use relance_core::penalty::{decompte, PenaltyRequest};
use relance_core::rate_sources::{parse, Source};
use relance_core::rates::{RateRow, Rates};
use relance_core::ErrorCode;
use std::path::Path;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/rates").join(name);
    std::fs::read_to_string(path).unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn fetched_rate(text: &str) -> relance_core::money::Amount {
    relance_core::money::Amount(text.parse().unwrap())
}

fn rows(fetched: &[RateRow]) -> Vec<(String, String)> {
    fetched.iter().map(|r| (r.from.to_string(), r.rate.to_string())).collect()
}

/// The built-in rows of `table` from `from` to `to`, both included.
fn builtin(table: &str, from: &str, to: &str) -> Vec<(String, String)> {
    let rates = Rates::builtin().unwrap();
    let all = &rates.table(table).unwrap().rows;
    rows(&all.iter().filter(|r| r.from >= day(from) && r.from <= day(to)).cloned().collect::<Vec<_>>())
}

#[test]
fn ecb_change_days_are_the_builtin_table() {
    let fetched = parse(Source::EcbMro, &fixture("ecb_mro.csv"), day("2025-06-20")).unwrap();
    assert_eq!(fetched.table, "ecb_mro");
    assert_eq!(fetched.series, "FM.D.U2.EUR.4F.KR.MRR_FR.LEV");
    assert_eq!(fetched.observed_until, day("2025-06-11"));
    assert_eq!(fetched.known_until, day("2025-06-20"));
    assert_eq!(rows(&fetched.rows), builtin("ecb_mro", "2022-07-27", "2025-06-11"));
    // Nothing new, nothing different from the shipped table.
    let published = Rates::builtin().unwrap().published("ecb_mro", &fetched.rows, fetched.known_until).unwrap();
    assert_eq!(published, Default::default());
}

#[test]
fn a_business_day_series_becomes_its_change_days() {
    let text =
        "KEY,TIME_PERIOD,OBS_VALUE\nk,2025-06-10,2.40\nk,2025-06-11,2.15\nk,2025-06-12,2.15\nk,2025-06-13,2.15\n";
    let fetched = parse(Source::EcbMro, text, day("2025-06-13")).unwrap();
    assert_eq!(rows(&fetched.rows), [("2025-06-10".into(), "2.40".into()), ("2025-06-11".into(), "2.15".into())]);
    assert_eq!(fetched.observed_until, day("2025-06-13"));
}

#[test]
fn bundesbank_months_become_half_years_of_the_builtin_table() {
    let fetched = parse(Source::Bundesbank, &fixture("bundesbank_basiszinssatz.csv"), day("2026-07-01")).unwrap();
    assert_eq!(fetched.table, "de_basiszinssatz");
    assert_eq!(fetched.observed_until, day("2026-06-01"));
    assert_eq!(fetched.known_until, day("2026-06-30"));
    assert_eq!(rows(&fetched.rows), builtin("de_basiszinssatz", "2023-01-01", "2026-01-01"));
}

#[test]
fn bank_rate_on_the_reference_days() {
    let fetched = parse(Source::BankOfEngland, &fixture("boe_bank_rate.csv"), day("2026-01-10")).unwrap();
    assert_eq!(fetched.table, "boe_bank_rate");
    let read = rows(&fetched.rows);
    // The built-in table has only the reference days our sources gave; the response also gives
    // 30 June 2025 (Bank Rate 4.25 since 8 May 2025).
    assert_eq!(
        read,
        [("2024-06-30", "5.25"), ("2024-12-31", "4.75"), ("2025-06-30", "4.25"), ("2025-12-31", "3.75")]
            .map(|(d, r)| (d.to_owned(), r.to_owned()))
    );
    let builtin = builtin("boe_bank_rate", "2024-06-30", "2025-12-31");
    assert!(builtin.iter().all(|row| read.contains(row)), "{builtin:?} within {read:?}");
    // 30 June 2025 falls between two shipped rows: a rewrite of the table takes it, extraRates cannot.
    let mut rates = Rates::builtin().unwrap();
    let published = rates.published("boe_bank_rate", &fetched.rows, fetched.known_until).unwrap();
    assert_eq!(rows(&published.missing_days), [("2025-06-30".to_owned(), "4.25".to_owned())]);
    rates.refresh("boe_bank_rate", &fetched.rows, fetched.known_until, day("2026-01-10")).unwrap();
    assert_eq!(rates.rate_on("boe_bank_rate", day("2025-06-30")).unwrap().to_string(), "4.25");
}

#[test]
fn a_reference_day_after_the_last_observation_is_not_known_yet() {
    let text = "DATE,IUDBEDR\n29 Dec 2025,3.75\n30 Dec 2025,3.75\n";
    let fetched = parse(Source::BankOfEngland, text, day("2025-12-30")).unwrap();
    assert!(fetched.rows.is_empty(), "{:?}", fetched.rows);
}

/// Each malformed response is refused whole, with the code and the place.
#[test]
fn malformed_responses_are_refused_whole() {
    let ecb = fixture("ecb_mro.csv");
    let bundesbank = fixture("bundesbank_basiszinssatz.csv");
    let boe = fixture("boe_bank_rate.csv");
    let cut = &ecb[..ecb.len() - 20];
    let cases: Vec<(&str, Source, String, &str)> = vec![
        ("html page", Source::EcbMro, "<!DOCTYPE html><html><body>Service unavailable</body></html>".into(), ""),
        ("json error", Source::EcbMro, "{\"error\": \"No results found\"}".into(), ""),
        ("empty", Source::EcbMro, String::new(), ""),
        ("header only", Source::EcbMro, ecb.lines().next().unwrap().to_owned(), ""),
        ("no value column", Source::EcbMro, ecb.replace("OBS_VALUE", "VALUE"), "line 1"),
        ("cut short", Source::EcbMro, cut.to_owned(), "line 19"),
        ("out of order", Source::EcbMro, ecb.replace("2023-02-08", "2022-01-08"), "line 6"),
        ("repeated day", Source::EcbMro, ecb.replace("2023-02-08", "2022-12-21"), "line 6"),
        ("absurd value", Source::EcbMro, ecb.replace(",2.15", ",215"), "line 19.OBS_VALUE"),
        ("negative absurd", Source::EcbMro, ecb.replace(",2.15", ",-7.5"), "line 19.OBS_VALUE"),
        ("not a number", Source::EcbMro, ecb.replace(",2.15", ",n/a"), "line 19.OBS_VALUE"),
        ("bad day", Source::EcbMro, ecb.replace("2025-06-11", "2025-06-31"), "line 19.TIME_PERIOD"),
        (
            "missing month",
            Source::Bundesbank,
            bundesbank.replace("BBK:BBIN1(1.0),M,DE,BBK,BBKBAS2,EUR,ME,2024-03,3.62,,A\n", ""),
            "line 16",
        ),
        (
            "change within a half-year",
            Source::Bundesbank,
            bundesbank.replace("2024-03,3.62", "2024-03,3.12"),
            "line 16",
        ),
        ("german decimals", Source::Bundesbank, bundesbank.replace(",1.27,", ",\"1,27\","), "line 32.OBS_VALUE"),
        ("boe header", Source::BankOfEngland, boe.replace("DATE,IUDBEDR", "DATE,IUMABEDR"), "line 1"),
        ("boe bad day", Source::BankOfEngland, boe.replace("04 Jun 2024", "2024-06-04"), "line 3.DATE"),
        ("boe cut short", Source::BankOfEngland, format!("{boe}09 Jan 2026"), "line 410"),
    ];
    for (name, source, text, path) in cases {
        let error = parse(source, &text, day("2026-12-01")).expect_err(name);
        assert_eq!(error.code(), ErrorCode::InvalidRateSource, "{name}: {error:?}");
        assert_eq!(error.path(), path, "{name}: {}", error.message());
    }
}

/// A later response: what it adds to the shipped table, and the penalties it prices. Penalties
/// computed with the rows it adds are those computed with the same rows given by hand as
/// `extraRates`: the worker's fetched rows and a caller's rows are one mechanism.
#[test]
fn a_later_response_prices_the_missing_half_year() {
    // Read on 2026-12-01: 2.15 since 2025-06-11, 2.40 from 2026-06-10, no change since.
    let text = "KEY,TIME_PERIOD,OBS_VALUE\nk,2025-06-11,2.15\nk,2026-06-10,2.40\n";
    let fetched = parse(Source::EcbMro, text, day("2026-12-01")).unwrap();
    assert_eq!(fetched.known_until, day("2026-12-01"));
    let published = Rates::builtin().unwrap().published("ecb_mro", &fetched.rows, fetched.known_until).unwrap();
    assert!(published.corrections.is_empty());
    // The change, and the rate in force on the first day of the half-year it reaches.
    assert_eq!(
        rows(&published.new_rows),
        [("2026-06-10", "2.40"), ("2026-07-01", "2.40")].map(|(d, r)| (d.to_owned(), r.to_owned()))
    );

    let request = |extra: &str| -> PenaltyRequest {
        relance_core::json::from_json(&format!(
            r#"{{"invoice": {{"id": "i", "issueDate": "2026-09-01", "dueDate": "2026-10-01", "currency": "EUR",
                "total": "4800.00"}}, "regime": {{"type": "fr_b2b"}}, "asOf": "2026-12-01",
                "extraRates": {{"ecb_mro": {extra}}}}}"#
        ))
        .unwrap()
    };
    let fetched_rows = serde_json::to_string(&published.new_rows).unwrap();
    let by_hand = r#"[{"from": "2026-06-10", "rate": "2.40"}, {"from": "2026-07-01", "rate": "2.40"}]"#;
    let priced = decompte(&request(&fetched_rows)).unwrap();
    assert_eq!(priced, decompte(&request(by_hand)).unwrap());
    // 4 800 EUR at 12.40 % (2.40 + 10) from 2026-10-02 to 2026-12-01, 61 days / 365 = 99.4718: 99.47 EUR.
    assert_eq!(priced.totals.interest.to_string(), "99.47");
}

#[test]
fn a_published_rate_that_differs_is_a_correction_never_applied() {
    let text = "KEY,TIME_PERIOD,OBS_VALUE\nk,2025-04-23,2.40\nk,2025-06-11,2.25\n";
    let fetched = parse(Source::EcbMro, text, day("2025-12-01")).unwrap();
    let published = Rates::builtin().unwrap().published("ecb_mro", &fetched.rows, fetched.known_until).unwrap();
    assert!(published.new_rows.is_empty(), "{:?}", published.new_rows);
    let [correction] = published.corrections.as_slice() else { panic!("{:?}", published.corrections) };
    assert_eq!(
        (correction.day, correction.held.to_string(), correction.published.to_string()),
        (day("2025-06-11"), "2.15".into(), "2.25".into())
    );
}

/// A source that now dates a change a day later gives no row on the day the table has: the held
/// change is checked against the rate the source has in force that day.
#[test]
fn a_change_the_source_dates_otherwise_is_a_correction() {
    let text = "KEY,TIME_PERIOD,OBS_VALUE\nk,2025-06-10,2.40\nk,2025-06-11,2.40\nk,2025-06-12,2.15\n";
    let fetched = parse(Source::EcbMro, text, day("2025-12-01")).unwrap();
    let published = Rates::builtin().unwrap().published("ecb_mro", &fetched.rows, fetched.known_until).unwrap();
    let [correction] = published.corrections.as_slice() else { panic!("{:?}", published.corrections) };
    assert_eq!(
        (correction.day, correction.held.to_string(), correction.published.to_string()),
        (day("2025-06-11"), "2.15".into(), "2.40".into())
    );
}

/// A message that states penalties whose rate is not published says which rate it waits for.
#[test]
fn a_message_waiting_for_a_rate_names_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/ledger.json");
    let ledger: relance_core::ledger::Ledger =
        relance_core::json::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let request: relance_core::messages::MessageRequest = relance_core::json::from_json(
        r#"{"template": "formal_notice", "stepId": "formal-notice", "channel": "registered_letter", "level": 5,
            "debtorId": "d-brasserie", "invoiceIds": ["inv-1041"], "messageDate": "2026-12-01"}"#,
    )
    .unwrap();
    let set = relance_core::messages::TemplateSet::builtin().unwrap();
    let error = relance_core::messages::render_message(set, &ledger, &request).unwrap_err();
    assert_eq!((error.code(), error.path()), (ErrorCode::MissingRate, "request.extraRates"));
    let missing = error.missing_rate().unwrap();
    assert_eq!((missing.table.as_str(), missing.half_year.as_str()), ("ecb_mro", "2026-H2"));
}

#[test]
fn new_reference_days_of_the_bank_rate_extend_its_table() {
    let text = "DATE,IUDBEDR\n29 Jun 2026,3.50\n30 Jun 2026,3.50\n01 Jul 2026,3.50\n";
    let fetched = parse(Source::BankOfEngland, text, day("2026-07-02")).unwrap();
    let mut rates = Rates::builtin().unwrap();
    let published = rates.published("boe_bank_rate", &fetched.rows, fetched.known_until).unwrap();
    assert!(published.corrections.is_empty());
    assert_eq!(rows(&published.new_rows), [("2026-06-30".to_owned(), "3.50".to_owned())]);
    rates.extend("boe_bank_rate", published.new_rows).unwrap();
    assert_eq!(rates.rate_on("boe_bank_rate", day("2026-06-30")).unwrap().to_string(), "3.50");
}

/// The release script's step: the shipped table brought up to date, or left untouched when the
/// source gives another rate for a day it has.
#[test]
fn refresh_adds_changes_and_refuses_corrections() {
    let mut rates = Rates::builtin().unwrap();
    let later = "KEY,TIME_PERIOD,OBS_VALUE\nk,2025-06-11,2.15\nk,2026-06-10,2.40\n";
    let fetched = parse(Source::EcbMro, later, day("2026-12-01")).unwrap();
    rates.refresh("ecb_mro", &fetched.rows, fetched.known_until, day("2026-12-01")).unwrap();
    let table = rates.table("ecb_mro").unwrap();
    assert_eq!(
        rows(&table.rows[table.rows.len() - 2..]),
        [("2025-06-11", "2.15"), ("2026-06-10", "2.40")].map(|(d, r)| (d.to_owned(), r.to_owned()))
    );
    assert_eq!((table.known_until, table.refreshed), (day("2026-12-01"), Some(day("2026-12-01"))));
    assert_eq!(rates.rate_on("ecb_mro", day("2026-07-01")).unwrap().to_string(), "2.40");

    let before = rates.clone();
    let corrected = "KEY,TIME_PERIOD,OBS_VALUE\nk,2025-06-11,2.25\n";
    let fetched = parse(Source::EcbMro, corrected, day("2026-12-02")).unwrap();
    let error = rates.refresh("ecb_mro", &fetched.rows, fetched.known_until, day("2026-12-02")).unwrap_err();
    assert_eq!((error.code(), error.path()), (ErrorCode::InvalidRateSource, "ecb_mro.2025-06-11"));
    assert_eq!(rates, before);
}

/// A simulation may price a half-year not published yet at the last known rate, marked as such; a
/// message never can.
#[test]
fn an_unpublished_half_year_is_estimated_only_when_asked() {
    let request = |options: &str| -> PenaltyRequest {
        relance_core::json::from_json(&format!(
            r#"{{"invoice": {{"id": "i", "issueDate": "2026-05-01", "dueDate": "2026-06-20", "currency": "EUR",
                "total": "4800.00"}}, "regime": {{"type": "fr_b2b"}}, "asOf": "2026-12-01", "options": {options}}}"#
        ))
        .unwrap()
    };
    let refused = decompte(&request("{}")).unwrap_err();
    assert_eq!((refused.code(), refused.path()), (ErrorCode::MissingRate, "extraRates.ecb_mro"));
    // What is missing is a value, for a sender that waits for it (the worker's `waiting_rate`).
    let missing = refused.missing_rate().unwrap();
    assert_eq!(
        (missing.table.as_str(), missing.day, missing.half_year.as_str()),
        ("ecb_mro", day("2026-07-01"), "2026-H2")
    );

    let estimated = decompte(&request(r#"{"estimateMissingRates": true}"#)).unwrap();
    let [known, assumed] = estimated.lines.as_slice() else { panic!("{:?}", estimated.lines) };
    // 2026-06-21 to 06-30 at the published 2.15 + 10; from 07-01 at 2.15 assumed unchanged.
    assert_eq!((known.days, known.estimated, known.rate.to_string()), (10, false, "12.15".to_owned()));
    assert_eq!((assumed.days, assumed.estimated, assumed.rate.to_string()), (154, true, "12.15".to_owned()));
    let [warning] = estimated.warnings.as_slice() else { panic!("{:?}", estimated.warnings) };
    assert_eq!(warning.code, "estimated_rate");
    assert!(warning.message.contains("2026-H2") && warning.message.contains("2.15"), "{}", warning.message);
    // The same figures as with the rate given: the estimate is the last rate, nothing else.
    let mut given = request("{}");
    given
        .extra_rates
        .insert("ecb_mro".to_owned(), vec![RateRow { from: day("2026-07-01"), rate: fetched_rate("2.15") }]);
    assert_eq!(decompte(&given).unwrap().totals, estimated.totals);
}

#[test]
fn a_message_never_states_an_estimate() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/ledger.json");
    let ledger: relance_core::ledger::Ledger =
        relance_core::json::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let request: relance_core::messages::MessageRequest = relance_core::json::from_json(
        r#"{"template": "formal_notice", "stepId": "formal-notice", "channel": "registered_letter", "level": 5,
            "debtorId": "d-brasserie", "invoiceIds": ["inv-1041"], "messageDate": "2026-06-30",
            "penaltyOptions": {"estimateMissingRates": true}}"#,
    )
    .unwrap();
    let set = relance_core::messages::TemplateSet::builtin().unwrap();
    let error = relance_core::messages::render_message(set, &ledger, &request).unwrap_err();
    assert_eq!((error.code(), error.path()), (ErrorCode::OutOfRange, "request.penaltyOptions.estimateMissingRates"));
}

mod fetched_equals_given {
    use super::*;
    use proptest::prelude::*;
    use relance_core::rate_sources::with_rates;
    use std::collections::BTreeMap;

    const REGIMES: [&str; 5] = ["fr_b2b", "fr_public", "nl", "it", "es"];

    fn request(regime: &str, due: NaiveDate, as_of: NaiveDate) -> PenaltyRequest {
        relance_core::json::from_json(&format!(
            r#"{{"invoice": {{"id": "i", "issueDate": "2025-06-01", "dueDate": "{due}", "currency": "EUR",
                "total": "4800.00"}}, "regime": {{"type": "{regime}"}}, "asOf": "{as_of}"}}"#
        ))
        .unwrap()
    }

    proptest! {
        /// An ECB response read by the worker's reader and merged by `with_rates` prices every
        /// invoice as the same change rows typed in as `extraRates` do.
        #[test]
        fn penalties_with_fetched_rows_equal_those_with_the_rows_given(
            changes in proptest::collection::btree_map(0i64..170, 0u32..800, 1..6),
            regime in 0usize..REGIMES.len(),
            before_fetch in 0i64..30,
            late_days in 1i64..300,
            fetched_after in 0i64..10,
        ) {
            // The first change on 1 July 2026, so that both ways make 2026-H2 known.
            let july = day("2026-07-01");
            let mut rows: Vec<RateRow> = Vec::new();
            for (i, (offset, hundredths)) in changes.iter().enumerate() {
                let from = july + chrono::Duration::days(if i == 0 { 0 } else { *offset });
                let rate = relance_core::money::Amount(rust_decimal::Decimal::new(i64::from(*hundredths), 2));
                if rows.last().is_none_or(|r| r.from < from) {
                    rows.push(RateRow { from, rate });
                }
            }
            let mut csv = fixture("ecb_mro.csv");
            for r in &rows {
                csv.push_str(&format!("FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,{},{}\n", r.from, r.rate));
            }
            let last = rows.last().unwrap().from;
            let fetched_on = (last + chrono::Duration::days(fetched_after)).min(day("2026-12-31"));
            let fetched = parse(Source::EcbMro, &csv, fetched_on).unwrap();
            let merged = with_rates(BTreeMap::new(), &[fetched]).unwrap();

            let as_of = fetched_on - chrono::Duration::days(before_fetch);
            let due = as_of - chrono::Duration::days(late_days);
            let mut by_fetch = request(REGIMES[regime], due, as_of);
            by_fetch.extra_rates = merged.extra_rates;
            let mut by_hand = request(REGIMES[regime], due, as_of);
            by_hand.extra_rates.insert("ecb_mro".to_owned(), rows);
            let priced = decompte(&by_fetch);
            prop_assert!(priced.is_ok(), "{:?}", priced);
            prop_assert_eq!(priced, decompte(&by_hand));
        }
    }
}

/// The line of the table row (`<Rangée`) that holds `needle` in `text`.
fn row_line(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap();
    let row = text[..at].rfind("<Rangée").unwrap();
    format!("line {}", text[..row].matches('\n').count() + 1)
}

#[test]
fn french_legal_rates_are_the_builtin_tables() {
    let fiche = fixture("service_public_f783.xml");
    for (source, table, series) in [
        (Source::FrLegalIndividuals, "fr_legal_individuals", "F783 particuliers"),
        (Source::FrLegalOther, "fr_legal_other", "F783 autres cas"),
    ] {
        let fetched = parse(source, &fiche, day("2026-01-10")).unwrap();
        assert_eq!((fetched.table.as_str(), fetched.series.as_str()), (table, series));
        assert_eq!((fetched.observed_until, fetched.known_until), (day("2026-01-01"), day("2026-06-30")));
        assert_eq!(rows(&fetched.rows), builtin(table, "2015-01-01", "2026-01-01"), "{table}");
        let published = Rates::builtin().unwrap().published(table, &fetched.rows, fetched.known_until).unwrap();
        assert_eq!(published, Default::default(), "{table}");
    }
}

/// The arrêté comes out in the last days of the half-year before: the fiche may give the next
/// half-year before it starts, never one further ahead.
#[test]
fn a_half_year_published_ahead_is_taken_and_priced_as_if_given() {
    // A made-up 2026-H2 row (our sources do not have the real one), in the fiche's form.
    let h2 = "<Cellule fusionVerticale=\"2\"><Paragraphe>2026</Paragraphe></Cellule>
          <Cellule><Paragraphe>2<Exposant>e</Exposant> semestre</Paragraphe></Cellule>
          <Cellule><Paragraphe><Valeur>6,58 %</Valeur></Paragraphe></Cellule>
          <Cellule><Paragraphe><Valeur>2,51 %</Valeur></Paragraphe></Cellule>
        </Rangée>
        <Rangée type=\"normal\">
";
    let fiche =
        fixture("service_public_f783.xml").replacen("<Cellule><Paragraphe>2026</Paragraphe></Cellule>\n", h2, 1);
    let fetched = parse(Source::FrLegalOther, &fiche, day("2026-06-26")).unwrap();
    assert_eq!(
        rows(&fetched.rows[fetched.rows.len() - 2..]),
        [("2026-01-01", "2.62"), ("2026-07-01", "2.51")].map(|(d, r)| (d.to_owned(), r.to_owned()))
    );
    assert_eq!(fetched.known_until, day("2026-12-31"));
    let error = parse(Source::FrLegalOther, &fiche, day("2026-04-30")).unwrap_err();
    assert_eq!((error.code(), error.path()), (ErrorCode::InvalidRateSource, row_line(&fiche, "6,58 %").as_str()));

    // A business's claim on a consumer, interest from the formal notice: the fiche's row merged by
    // `with_rates` prices it as the same row typed in.
    let merged = relance_core::rate_sources::with_rates(Default::default(), &[fetched]).unwrap();
    let request = |extra: &str| -> PenaltyRequest {
        relance_core::json::from_json(&format!(
            r#"{{"invoice": {{"id": "i", "issueDate": "2026-03-01", "dueDate": "2026-04-01", "currency": "EUR",
                "total": "4800.00"}}, "regime": {{"type": "fr_consumer", "creditor": "professional",
                "formalNoticeDate": "2026-05-04"}}, "asOf": "2026-12-01", "extraRates": {{"fr_legal_other": {extra}}}}}"#
        ))
        .unwrap()
    };
    let fetched_rows = serde_json::to_string(&merged.extra_rates["fr_legal_other"]).unwrap();
    let priced = decompte(&request(&fetched_rows)).unwrap();
    assert_eq!(priced, decompte(&request(r#"[{"from": "2026-07-01", "rate": "2.51"}]"#)).unwrap());
    let rates: Vec<String> = priced.lines.iter().map(|l| l.rate.to_string()).collect();
    assert_eq!(rates, ["2.62", "2.51"]);
}

/// Each malformed fiche is refused whole, with the code and the place.
#[test]
fn malformed_fiches_are_refused_whole() {
    let fiche = fixture("service_public_f783.xml");
    let line = |needle: &str| row_line(&fiche, needle);
    let header = format!("line {}", fiche[..fiche.find("<Tableau>").unwrap()].matches('\n').count() + 1);
    let cases: Vec<(&str, String, String)> = vec![
        ("html page", "<!DOCTYPE html><html><body>Maintenance</body></html>".into(), String::new()),
        ("another fiche", fiche.replacen("ID=\"F783\"", "ID=\"F31666\"", 1), String::new()),
        (
            "a dtd",
            fiche.replacen("<Publication ", "<!DOCTYPE Publication [<!ENTITY x \"y\">]>\n<Publication ", 1),
            String::new(),
        ),
        ("cut short", fiche.chars().take(fiche.chars().count() / 2).collect(), String::new()),
        ("no simple table", fiche.replace("légal simple", "légal majoré"), String::new()),
        ("two simple tables", fiche.replace("légal majoré", "légal simple"), String::new()),
        ("header without categories", fiche.replacen("Autres cas", "Professionnels", 1), header),
        (
            "a rate missing",
            fiche.replacen("<Cellule><Paragraphe><Valeur>4,92 %</Valeur></Paragraphe></Cellule>", "", 1),
            line("8,16 %"),
        ),
        ("absurd value", fiche.replacen("8,16 %", "81,6 %", 1), line("8,16 %")),
        ("not a number", fiche.replacen("8,16 %", "n.c.", 1), line("8,16 %")),
        ("not a half-year", fiche.replacen("2<Exposant>e</Exposant> semestre", "Année", 1), line("6,65 %")),
        (
            "out of order",
            fiche.replacen("<Paragraphe>2024</Paragraphe>", "<Paragraphe>2027</Paragraphe>", 1),
            line("8,16 %"),
        ),
        ("a gap", fiche.replacen("<Paragraphe>2024</Paragraphe>", "<Paragraphe>2019</Paragraphe>", 1), line("8,16 %")),
        (
            "a year spanning three rows",
            fiche.replacen("fusionVerticale=\"2\"", "fusionVerticale=\"3\"", 1),
            line("6,65 %"),
        ),
    ];
    for (name, text, path) in cases {
        let error = parse(Source::FrLegalIndividuals, &text, day("2026-12-01")).expect_err(name);
        assert_eq!(error.code(), ErrorCode::InvalidRateSource, "{name}: {error:?}");
        assert_eq!(error.path(), path, "{name}: {}", error.message());
    }
}
