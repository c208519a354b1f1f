//! Analytics: golden cases with hand-checked figures (each case says why), and properties.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use proptest::prelude::*;
use relance_core::analytics::{analytics, AnalyticsRequest};
use relance_core::json::{from_value, to_json};
use serde_json::Value;
use std::path::Path;

fn cases() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/analytics");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn golden_cases() {
    let bless = std::env::var("RELANCE_BLESS").is_ok();
    for (name, case) in cases() {
        let req: AnalyticsRequest = from_value(case["input"].clone()).unwrap();
        let out: Value = serde_json::from_str(&to_json(&analytics(&req).unwrap()).unwrap()).unwrap();
        let native = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/golden-native/analytics");
        std::fs::create_dir_all(&native).unwrap();
        std::fs::write(native.join(&name), to_json(&analytics(&req).unwrap()).unwrap()).unwrap();
        if bless && case.get("expected").is_none() {
            let mut case = case.clone();
            case["expected"] = out.clone();
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/analytics").join(&name);
            std::fs::write(path, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
            continue;
        }
        assert_eq!(out, case["expected"], "{name}: {:#?}", case["why"]);
    }
}

/// (debtor, issue day offset, terms days, total in euros, payment (day offset after issue, percent)).
type GenInvoice = (u8, i64, i64, u32, Option<(i64, u32)>);

fn ledger_json(invoices: &[GenInvoice]) -> Value {
    let base = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let day = |off: i64| (base + chrono::Duration::days(off)).to_string();
    let invoices: Vec<Value> = invoices
        .iter()
        .enumerate()
        .map(|(i, (d, issue, terms, total, pay))| {
            let mut inv = serde_json::json!({
                "id": format!("i{i}"), "number": format!("N{i}"), "debtorId": format!("d{}", d % 3),
                "issueDate": day(*issue), "dueDate": day(issue + terms), "currency": "EUR", "total": format!("{total}.00"),
            });
            if let Some((after, pct)) = pay {
                let amount = rust_decimal::Decimal::from(*total) * rust_decimal::Decimal::from(*pct) / rust_decimal::Decimal::from(100);
                inv["payments"] = serde_json::json!([{ "date": day(issue + after), "amount": format!("{:.2}", amount.round_dp(2)) }]);
            }
            inv
        })
        .collect();
    serde_json::json!({
        "creditor": { "name": "C", "address": { "country": "FR", "city": "Lyon" } },
        "debtors": (0..3).map(|d| serde_json::json!({ "id": format!("d{d}"), "name": format!("D{d}"), "kind": "business",
            "country": "FR", "locale": "fr", "timeZone": "Europe/Paris" })).collect::<Vec<_>>(),
        "invoices": invoices,
    })
}

fn invoice_strategy() -> impl Strategy<Value = Vec<GenInvoice>> {
    prop::collection::vec((0u8..3, 0i64..600, 0i64..90, 1u32..5000, prop::option::of((0i64..200, 1u32..=100))), 1..20)
}

fn run(ledger: &Value, as_of: &str) -> relance_core::analytics::Analytics {
    let req: AnalyticsRequest =
        from_value(serde_json::json!({ "ledger": ledger, "asOf": as_of, "periodStart": "2026-01-01" })).unwrap();
    analytics(&req).unwrap()
}

proptest! {
    #[test]
    fn ageing_buckets_add_up_to_the_outstanding_total(invoices in invoice_strategy(), as_of in 400i64..800) {
        let ledger = ledger_json(&invoices);
        let day = (chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(as_of)).to_string();
        let req: AnalyticsRequest = from_value(serde_json::json!({ "ledger": ledger, "asOf": day })).unwrap();
        let a = analytics(&req).unwrap();
        let sum: rust_decimal::Decimal = a.ageing.iter().map(|b| b.amount.value()).sum();
        prop_assert_eq!(sum, a.outstanding.value());
        prop_assert_eq!(a.dso.receivables, a.outstanding);
        for share in [a.recovery.rate, a.days_late.on_time_share].into_iter().flatten() {
            prop_assert!(share >= rust_decimal::Decimal::ZERO && share <= rust_decimal::Decimal::ONE);
        }
        prop_assert!(a.recovery.recovered.value() <= a.recovery.base.value());
    }

    #[test]
    fn a_payment_never_raises_dso_for_the_period_after_it(invoices in invoice_strategy(), pick in 0usize..20, pct in 1u32..=100) {
        let ledger = ledger_json(&invoices);
        let as_of = "2026-08-31";
        let before = run(&ledger, as_of);
        let mut paid = ledger.clone();
        let n = paid["invoices"].as_array().unwrap().len();
        let inv = &mut paid["invoices"][pick % n];
        let total: rust_decimal::Decimal = inv["total"].as_str().unwrap().parse().unwrap();
        let already: rust_decimal::Decimal = inv["payments"].as_array().map_or(rust_decimal::Decimal::ZERO, |p| p.iter().map(|x| x["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap()).sum());
        let left = total - already;
        prop_assume!(left > rust_decimal::Decimal::ZERO);
        let amount = (left * rust_decimal::Decimal::from(pct) / rust_decimal::Decimal::from(100)).round_dp(2);
        prop_assume!(amount > rust_decimal::Decimal::ZERO);
        // Paid on the later of its issue date and the period's start: before asOf either way.
        let issue = inv["issueDate"].as_str().unwrap().to_owned();
        let date = issue.clone().max("2026-01-01".to_owned());
        let mut payments = inv["payments"].as_array().cloned().unwrap_or_default();
        payments.push(serde_json::json!({ "date": date, "amount": format!("{amount:.2}") }));
        payments.sort_by(|a, b| a["date"].as_str().cmp(&b["date"].as_str()));
        inv["payments"] = Value::Array(payments);
        let after = run(&paid, as_of);
        prop_assert!(after.dso.countback <= before.dso.countback, "{} > {}", after.dso.countback, before.dso.countback);
        if let (Some(a), Some(b)) = (after.dso.standard, before.dso.standard) {
            prop_assert!(a <= b);
        }
        prop_assert!(after.outstanding.value() <= before.outstanding.value());
    }
}

#[test]
fn a_missing_rate_is_named_and_the_rest_still_computed() {
    let ledger: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/ledger.json")).unwrap(),
    )
    .unwrap();
    let req: AnalyticsRequest = from_value(serde_json::json!({ "ledger": ledger, "asOf": "2026-11-23" })).unwrap();
    let a = analytics(&req).unwrap();
    assert!(a.claimable.missing_rate_invoices > 0);
    assert!(a.claimable.missing_rate.as_deref().unwrap().contains("2026-H2"), "{:?}", a.claimable.missing_rate);
    assert!(a.outstanding.value() > rust_decimal::Decimal::ZERO);
    // Supplying the half-year makes it computable.
    let req: AnalyticsRequest = from_value(serde_json::json!({ "ledger": ledger, "asOf": "2026-11-23",
        "extraRates": { "ecb_mro": [{ "from": "2026-07-01", "rate": "2.00" }], "fr_legal_other": [{ "from": "2026-07-01", "rate": "3.00" }] } }))
    .unwrap();
    let a = analytics(&req).unwrap();
    assert_eq!(a.claimable.missing_rate_invoices, 0, "{:?}", a.claimable.missing_rate);
    let err = from_value::<AnalyticsRequest>(
        serde_json::json!({ "ledger": ledger, "asOf": "2026-11-23", "periodStart": "2027-01-01" }),
    )
    .map(|r| analytics(&r));
    assert_eq!(err.unwrap().unwrap_err().path(), "periodStart");
}
