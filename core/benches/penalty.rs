//! Penalty engine benchmarks. Targets (issue 3, then issue 23): at least 1 million single-period
//! accruals per second; a décompte (one late invoice, a year late, in one period of rates) under
//! 1 µs; a full décompte of an invoice with 10 partial payments over 3 years under 5 µs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use relance_core::json::from_json;
use relance_core::penalty::{accrue, decompte, PenaltyRequest};
use rust_decimal::Decimal;

fn three_years_ten_payments() -> PenaltyRequest {
    let payments: Vec<String> =
        (0..10).map(|i| format!(r#"{{"date": "2023-{:02}-15", "amount": "1000.00"}}"#, i + 2)).collect();
    from_json(&format!(
        r#"{{"invoice": {{"id": "b", "issueDate": "2022-12-01", "dueDate": "2022-12-31", "currency": "EUR", "total": "25000.00",
            "payments": [{}]}}, "regime": {{"type": "fr_b2b"}}, "asOf": "2025-12-31"}}"#,
        payments.join(",")
    ))
    .unwrap()
}

/// One of the 100 000 requests of `wasm/bench/bulk.mjs`: a French B2B invoice due in 2024, priced
/// at the end of 2025.
fn one_invoice() -> PenaltyRequest {
    from_json(
        r#"{"invoice": {"id": "p1", "issueDate": "2024-01-01", "dueDate": "2024-02-02", "currency": "EUR", "total": "101.00",
            "payments": []}, "regime": {"type": "fr_b2b"}, "asOf": "2025-12-31"}"#,
    )
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("accrual");
    group.throughput(Throughput::Elements(1));
    let base = Decimal::new(1_234_567, 2);
    let rate = Decimal::new(1315, 2);
    group.bench_function("single_period", |b| {
        b.iter(|| accrue(black_box(base), black_box(rate), black_box(47), black_box(365)))
    });
    group.finish();

    let request = three_years_ten_payments();
    let d = decompte(&request).unwrap();
    assert!(d.lines.len() >= 15, "the benchmark case has {} periods", d.lines.len());
    c.bench_function("decompte_3y_10_payments", |b| b.iter(|| decompte(black_box(&request)).unwrap()));
    let one = one_invoice();
    c.bench_function("decompte_one_invoice", |b| b.iter(|| decompte(black_box(&one)).unwrap()));
}

criterion_group!(penalty, benches);
criterion_main!(penalty);
