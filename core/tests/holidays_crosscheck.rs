//! Cross-checks every built-in calendar, every year 2000 to 2100, against the Python `holidays`
//! package. The test command installs the pinned package in a virtual environment and points
//! `RELANCE_PYTHON` at it; without it the test fails with instructions (it never silently passes).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use relance_core::calendar::{holidays, CalendarId};
use std::collections::BTreeMap;
use std::process::Command;

#[derive(serde::Deserialize)]
struct Reference {
    version: String,
    calendars: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

#[test]
fn every_calendar_matches_the_python_holidays_package_2000_to_2100() {
    let python = std::env::var("RELANCE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/holidays_reference.py");
    let output = Command::new(&python).args([script, "2000", "2100"]).output().unwrap_or_else(|e| {
        panic!("cannot run {python}: {e}. Run the README's test command, which installs the reference.")
    });
    assert!(
        output.status.success(),
        "{python} {script} failed (is the `holidays` package installed? scripts/test.sh installs it):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reference: Reference = serde_json::from_slice(&output.stdout).unwrap();
    eprintln!("reference: python holidays {}", reference.version);

    let mut checked = 0;
    let mut mismatches = Vec::new();
    for id in CalendarId::ALL.into_iter().filter(|id| *id != CalendarId::Weekends) {
        let years = reference.calendars.get(id.as_str()).unwrap_or_else(|| panic!("no reference for {}", id.as_str()));
        assert!(years.len() >= 93, "{}: only {} reference years", id.as_str(), years.len());
        for (year, expected) in years {
            let mut ours: Vec<String> =
                holidays(id, year.parse().unwrap()).unwrap().iter().map(|h| h.date.to_string()).collect();
            ours.dedup();
            if &ours != expected {
                mismatches.push(format!("{} {year}: ours {ours:?}\n   reference {expected:?}", id.as_str()));
            }
            checked += 1;
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} calendar-years differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    eprintln!("{checked} calendar-years identical");
}
