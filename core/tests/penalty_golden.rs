//! Replays `tests/golden/penalties.json` (shared with the other layers). Each case's periods and
//! rates were stated by hand in `tests/golden/tools/penalty_cases.py` and its arithmetic written out
//! in `source`: the engine must give the same periods and the same figures to the cent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use relance_core::json::from_json;
use relance_core::penalty::{decompte, PenaltyRequest};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap()).unwrap()
}

#[test]
fn golden_penalty_cases() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/penalties.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        assert!(
            case["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: every case says where its value comes from"
        );
        let result = from_json::<PenaltyRequest>(&case["request"].to_string()).and_then(|r| decompte(&r));
        if let Some(expected) = case.get("expectedError") {
            match result {
                Err(e) if e.code().as_str() == expected["code"] && e.path() == expected["path"] => {}
                other => failures.push(format!("{name}: expected error {expected}, got {other:?}")),
            }
            continue;
        }
        let d = match result {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let exp = &case["expected"];
        let got = (
            d.days_late,
            d.totals.interest.value(),
            d.totals.indemnity.value(),
            d.totals.principal_outstanding.value(),
            d.totals.total_due.value(),
        );
        let want = (
            exp["daysLate"].as_i64().unwrap(),
            dec(&exp["interest"]),
            dec(&exp["indemnity"]),
            dec(&exp["principalOutstanding"]),
            dec(&exp["totalDue"]),
        );
        if got != want {
            failures.push(format!(
                "{name}: (days late, interest, indemnity, outstanding, total) = {got:?}, expected {want:?}\n   {}",
                case["source"]
            ));
        }
        let paid = (d.totals.interest_paid.value(), d.totals.indemnity_paid.value());
        let want_paid = (dec(&exp["interestPaid"]), dec(&exp["indemnityPaid"]));
        if paid != want_paid {
            failures.push(format!("{name}: (interest, indemnity) paid = {paid:?}, expected {want_paid:?}"));
        }
        let imputation = serde_json::to_value(d.imputation).unwrap();
        let payments: Vec<Value> = d
            .payments
            .iter()
            .map(|p| {
                serde_json::json!({"date": p.date.to_string(), "amount": p.amount.to_string(),
                    "toInterest": p.to_interest.to_string(), "toIndemnity": p.to_indemnity.to_string(),
                    "toPrincipal": p.to_principal.to_string(), "unimputed": p.unimputed.to_string()})
            })
            .collect();
        if imputation != exp["imputation"] || Value::from(payments.clone()) != exp["payments"] {
            failures.push(format!(
                "{name}: imputation {imputation} {payments:?}\n   expected {} {}",
                exp["imputation"], exp["payments"]
            ));
        }
        let periods: Vec<(String, String, i64, Decimal, Decimal)> = d
            .lines
            .iter()
            .map(|l| (l.from.to_string(), l.to.to_string(), l.days, l.base.value(), l.rate.value()))
            .collect();
        let expected_periods: Vec<(String, String, i64, Decimal, Decimal)> = exp["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                    p[2].as_i64().unwrap(),
                    dec(&p[3]),
                    dec(&p[4]),
                )
            })
            .collect();
        if periods != expected_periods {
            failures.push(format!("{name}: periods {periods:?}\n   expected {expected_periods:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
