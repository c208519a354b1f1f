//! Every analytics figure over 1 million invoices (200 000 debtors, 2 million messages), natively.
//! Prints the time of the whole computation (validation included), best of five.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // bench code

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use relance_core::analytics::{analytics, AnalyticsRequest, Segments, SentMessage};
use relance_core::ledger::{Creditor, Debtor, Invoice, Ledger, Payment};
use relance_core::money::{Amount, Currency};
use relance_core::planner::ItemRef;
use relance_core::policy::Channel;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let debtors_n = n / 5;
    let creditor: Creditor = serde_json::from_value(serde_json::json!({
        "name": "Bench", "address": { "country": "FR", "city": "Lyon" } }))
    .unwrap();
    let debtors: Vec<Debtor> = (0..debtors_n)
        .map(|i| {
            serde_json::from_value(serde_json::json!({ "id": format!("d{i}"), "name": format!("Debtor {i}"),
                "kind": if i % 10 == 0 { "consumer" } else { "business" }, "country": "FR", "locale": "fr",
                "timeZone": "Europe/Paris" }))
            .unwrap()
        })
        .collect();
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let invoices: Vec<Invoice> = (0..n)
        .map(|i| {
            let issue = start + Duration::days((i % 540) as i64);
            let due = issue + Duration::days(30 + (i % 3) as i64 * 15);
            let total = Decimal::new(10_000 + (i % 500_000) as i64, 2);
            let payments = match i % 4 {
                0 => vec![],
                1 => vec![Payment { date: due - Duration::days(2), amount: Amount(total), reference: None }],
                2 => vec![Payment {
                    date: due + Duration::days((i % 70) as i64),
                    amount: Amount(total),
                    reference: None,
                }],
                _ => vec![Payment {
                    date: due + Duration::days(5),
                    amount: Amount((total / Decimal::TWO).round_dp(2)),
                    reference: None,
                }],
            };
            let mut inv: Invoice = serde_json::from_value(serde_json::json!({
                "id": format!("i{i}"), "number": format!("F{i}"), "debtorId": format!("d{}", i % debtors_n),
                "issueDate": issue.to_string(), "dueDate": due.to_string(), "currency": "EUR", "total": "1.00" }))
            .unwrap();
            inv.total = Amount(total);
            inv.payments =
                payments.into_iter().filter(|p| p.date <= NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()).collect();
            inv
        })
        .collect();
    let sent: Vec<SentMessage> = (0..2 * n)
        .map(|k| {
            let i = k / 2;
            let day = start + Duration::days((i % 540) as i64 + 35 + (k % 2) as i64 * 10);
            SentMessage {
                key: format!("k{k}"),
                sent_at: Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap()),
                channel: if k % 2 == 0 { Channel::Email } else { Channel::PhoneTask },
                step_id: if k % 2 == 0 { "reminder-1".into() } else { "call".into() },
                items: vec![ItemRef { invoice_id: format!("i{i}"), step_id: "reminder-1".into() }],
            }
        })
        .collect();
    let req = AnalyticsRequest {
        ledger: Ledger { creditor, debtors, invoices },
        sent,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        period_start: Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        currency: Some(Currency::eur()),
        window_days: None,
        promise_grace_days: None,
        segments: Segments::default(),
        extra_rates: BTreeMap::new(),
    };
    let t = Instant::now();
    let checked = req.ledger.check().unwrap();
    println!("  of which validating the ledger: {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    drop(checked);
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        let a = analytics(&req).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(a);
    }
    let a = last.unwrap();
    println!(
        "analytics over {n} invoices, {debtors_n} debtors, {} messages: {:.0} ms (best of 5; target < 1 000 ms)",
        2 * n,
        best * 1000.0
    );
    println!(
        "  DSO {} / {} days, outstanding {}, claimable {} on {} invoices, {} debtor profiles",
        a.dso.standard.map(|d| d.to_string()).unwrap_or_default(),
        a.dso.countback,
        a.outstanding,
        a.claimable.total,
        a.claimable.invoices,
        a.debtors.len()
    );
}
