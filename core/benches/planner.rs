//! Planner benchmarks (issue 23 target: a whole timeline under 5 µs an invoice, natively, without
//! JSON). The ledger is the one of `wasm/bench/bulk.mjs`, at a tenth of its size: 1 000 invoices
//! over 200 debtors in France, Germany, the United Kingdom and Belgium, 30, 45 or 60 days net,
//! one in four partly paid; criterion reports the time per invoice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // benchmark code

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use relance_core::json::from_json;
use relance_core::ledger::Ledger;
use relance_core::planner::{due_actions, plan};
use relance_core::policy::preset;

const INVOICES: usize = 1000;

fn ledger() -> Ledger {
    let day = |i: usize| format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
    let debtors: Vec<String> = (0..INVOICES / 5)
        .map(|i| {
            let kind = if i % 10 == 0 { "consumer" } else { "business" };
            let country = ["FR", "DE", "GB", "BE"][i % 4];
            format!(
                r#"{{"id": "d{i}", "name": "Debtor {i}", "kind": "{kind}", "country": "{country}", "locale": "fr", "timeZone": "Europe/Paris"}}"#
            )
        })
        .collect();
    let invoices: Vec<String> = (0..INVOICES)
        .map(|i| {
            let payments = if i % 4 == 0 { r#"[{"date": "2026-01-15", "amount": "500.00"}]"# } else { "[]" };
            format!(
                r#"{{"id": "i{i}", "number": "F-{i}", "debtorId": "d{}", "issueDate": "{}", "currency": "EUR", "total": "{}.50",
                    "terms": {{"type": "net", "days": {}}}, "payments": {payments}}}"#,
                i % (INVOICES / 5),
                day(i),
                1000 + i % 9000,
                [30, 45, 60][i % 3]
            )
        })
        .collect();
    from_json(&format!(
        r#"{{"creditor": {{"name": "Bench SARL", "address": {{"country": "FR", "city": "Lyon"}}}}, "debtors": [{}], "invoices": [{}]}}"#,
        debtors.join(","),
        invoices.join(",")
    ))
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let ledger = ledger();
    let policy = preset("standard").unwrap();
    let as_of = relance_core::date::parse("2026-06-01").unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2025-06-02T09:30:00Z").unwrap().to_utc();
    let planned = plan(&ledger, &policy, as_of).unwrap();
    let steps: usize = planned.invoices.iter().map(|i| i.steps.len()).sum();
    assert!(steps >= 6 * INVOICES, "the benchmark ledger plans {steps} steps");
    let mut group = c.benchmark_group("planner");
    group.throughput(Throughput::Elements(INVOICES as u64));
    group.bench_function("timeline_per_invoice", |b| b.iter(|| plan(black_box(&ledger), &policy, as_of).unwrap()));
    group.bench_function("due_actions_per_invoice", |b| {
        b.iter(|| due_actions(black_box(&ledger), &policy, &[], now).unwrap())
    });
    group.finish();
}

criterion_group!(planner, benches);
criterion_main!(planner);
