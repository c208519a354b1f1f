//! Ledgers larger than one chunk of bulk work (`parallel::CHUNK`): the first error found is the
//! first in ledger order whatever chunk it falls in, every id is indexed, and figures summed chunk
//! by chunk add up across a partition of the book.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use relance_core::analytics::{analytics, AnalyticsRequest, Segments};
use relance_core::ledger::Ledger;
use relance_core::money::{Amount, Currency};
use relance_core::parallel::CHUNK;
use relance_core::ErrorCode;
use serde_json::json;
use std::collections::BTreeMap;

/// `n` invoices over `n / 4` debtors, a quarter of them paid late, some partly.
fn book(n: usize) -> Ledger {
    let debtors: Vec<_> = (0..n / 4)
        .map(|i| {
            json!({ "id": format!("D-{i}"), "name": format!("Debtor {i}"),
            "kind": if i % 9 == 0 { "consumer" } else { "business" }, "country": "FR", "locale": "fr",
            "timeZone": "Europe/Paris" })
        })
        .collect();
    let invoices: Vec<_> = (0..n)
        .map(|i| {
            let issue = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days((i % 400) as i64);
            let due = issue + chrono::Duration::days(30);
            let total = format!("{}.{:02}", 100 + i % 900, i % 100);
            let payments = match i % 4 {
                0 => json!([{ "date": (due + chrono::Duration::days((i % 50) as i64)).to_string(), "amount": total }]),
                1 => json!([{ "date": due.to_string(), "amount": "10.00" }]),
                _ => json!([]),
            };
            json!({ "id": format!("INV-{i:07}"), "number": format!("F{i}"), "debtorId": format!("D-{}", i % (n / 4)),
                "issueDate": issue.to_string(), "dueDate": due.to_string(), "currency": "EUR", "total": total,
                "payments": payments })
        })
        .collect();
    serde_json::from_value(json!({ "creditor": { "name": "Bulk", "address": { "country": "FR" } },
        "debtors": debtors, "invoices": invoices }))
    .unwrap()
}

fn code_and_path(ledger: &Ledger) -> (ErrorCode, String) {
    let Err(e) = ledger.check() else { panic!("the ledger should be refused") };
    (e.code(), e.path().to_owned())
}

#[test]
fn every_invoice_of_several_chunks_is_checked_and_indexed() {
    let ledger = book(2 * CHUNK + 100);
    let checked = ledger.check().unwrap();
    assert_eq!(checked.invoices.len(), ledger.invoices.len());
    assert!(checked.invoices.iter().enumerate().all(|(i, c)| c.index == i));
    assert_eq!(checked.invoice_index.len(), ledger.invoices.len());
    for i in [0, CHUNK - 1, CHUNK, 2 * CHUNK + 99] {
        assert_eq!(checked.invoice_index.get(format!("INV-{i:07}").as_str()), Some(&i));
    }
    assert_eq!(checked.invoice_index.get("INV-9999999"), None);
}

#[test]
fn the_first_error_in_ledger_order_wins_across_chunks() {
    let base = book(2 * CHUNK + 100);
    let late = 2 * CHUNK + 10;
    let early = CHUNK + 5;

    // A bad field late, a duplicate id early: the duplicate.
    let mut ledger = base.clone();
    ledger.invoices[late].total = Amount("-1".parse().unwrap());
    ledger.invoices[early].id = ledger.invoices[3].id.clone();
    assert_eq!(code_and_path(&ledger), (ErrorCode::DuplicateId, format!("invoices[{early}].id")));

    // A duplicate late, an unknown debtor early: the unknown debtor.
    let mut ledger = base.clone();
    ledger.invoices[late].id = ledger.invoices[3].id.clone();
    ledger.invoices[early].debtor_id = "nobody".into();
    assert_eq!(code_and_path(&ledger), (ErrorCode::UnknownReference, format!("invoices[{early}].debtorId")));

    // Both on one invoice: its own field first, as a single pass would report it.
    let mut ledger = base.clone();
    ledger.invoices[early].id = ledger.invoices[3].id.clone();
    ledger.invoices[early].total = Amount("-1".parse().unwrap());
    assert_eq!(code_and_path(&ledger).1, format!("invoices[{early}].total"));

    // Debtors follow the same rule.
    let mut ledger = base;
    ledger.debtors[7].id = ledger.debtors[2].id.clone();
    assert_eq!(code_and_path(&ledger), (ErrorCode::DuplicateId, "debtors[7].id".to_owned()));
}

#[test]
fn figures_summed_by_chunk_add_up_over_a_partition_of_the_book() {
    let ledger = book(2 * CHUNK + 100);
    let request = |ledger: Ledger| AnalyticsRequest {
        ledger,
        sent: Vec::new(),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        period_start: None,
        currency: Some(Currency::eur()),
        window_days: None,
        promise_grace_days: None,
        segments: Segments::default(),
        extra_rates: BTreeMap::new(),
    };
    let whole = analytics(&request(ledger.clone())).unwrap();
    let even = analytics(&request(ledger.subset(|d| d.id.trim_start_matches("D-").parse::<usize>().unwrap() % 2 == 0)))
        .unwrap();
    let odd = analytics(&request(ledger.subset(|d| d.id.trim_start_matches("D-").parse::<usize>().unwrap() % 2 == 1)))
        .unwrap();
    let sum = |a: Amount, b: Amount| a.value() + b.value();
    assert_eq!(whole.outstanding.value(), sum(even.outstanding, odd.outstanding));
    assert_eq!(whole.claimable.total.value(), sum(even.claimable.total, odd.claimable.total));
    assert_eq!(whole.claimable.invoices, even.claimable.invoices + odd.claimable.invoices);
    assert_eq!(whole.recovery.invoices, even.recovery.invoices + odd.recovery.invoices);
    assert_eq!(whole.debtors.len(), even.debtors.len() + odd.debtors.len());
    assert!(whole.claimable.invoices > CHUNK, "the late invoices span several chunks");
}
