//! A policy whose message is written for the other side of the due date than the day it falls on
//! gets a warning naming the step (issue 22): a "we have not received your payment" before the
//! invoice is late, a "due soon" after it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use chrono::NaiveDate;
use relance_core::ledger::Ledger;
use relance_core::planner::plan;
use relance_core::policy::{preset, Policy};
use std::path::Path;

fn sample() -> Ledger {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/ledger.json");
    relance_core::json::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn guardrails(policy: Policy) -> Vec<(String, String, String)> {
    let planned = plan(&sample(), &policy.check().unwrap(), as_of()).unwrap();
    planned.warnings.into_iter().filter(|w| w.code.contains("due_date")).map(|w| (w.code, w.path, w.message)).collect()
}

#[test]
fn the_presets_send_each_message_on_its_side_of_the_due_date() {
    for id in relance_core::policy::PRESET_IDS {
        assert_eq!(guardrails(preset(id).unwrap().policy().clone()), [], "{id}");
    }
}

#[test]
fn a_reminder_before_the_due_date_and_a_courtesy_email_after_it_are_named() {
    let mut policy = preset("standard").unwrap().policy().clone();
    // The courtesy step (7 days before) sends the first reminder; reminder-1 (3 days after) the
    // courtesy email.
    policy.steps[0].template = "first_reminder".into();
    policy.steps[1].template = "courtesy_before_due".into();
    let found = guardrails(policy);
    let [(late_code, late_path, late_message), (early_code, early_path, early_message)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert_eq!((late_code.as_str(), late_path.as_str()), ("late_message_before_due_date", "policy.steps[0]"));
    assert!(late_message.starts_with("step `courtesy` sends `first_reminder`, written for an invoice already late"));
    assert_eq!((early_code.as_str(), early_path.as_str()), ("early_message_after_due_date", "policy.steps[1]"));
    assert!(
        early_message.starts_with("step `reminder-1` sends `courtesy_before_due`, written for an invoice not yet due")
    );
}
