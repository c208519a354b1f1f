//! Replays the golden cases under `tests/golden/planner/` (shared with the wasm, worker and browser
//! layers): each gives a ledger, a policy and a date, and the exact expected JSON output or error.
//!
//! A case's `expected` was produced by the engine and then checked by hand against the `why` notes
//! of the case; `RELANCE_BLESS=1` rewrites `expected` after an intended change (review the diff).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use relance_core::compact::{compact, expand, CompactPlan};
use relance_core::json::{from_json, to_json};
use relance_core::planner::{due_actions, plan, Action, Plan, SentEntry};
use relance_core::policy::{preset, CheckedPolicy, Policy};
use relance_core::Error;
use serde_json::{json, Value};
use std::path::Path;

fn policy_of(v: &Value) -> Result<CheckedPolicy, Error> {
    match v {
        Value::String(id) => preset(id),
        other => from_json::<Policy>(&other.to_string())?.check(),
    }
}

/// Runs a case; also returns the exact native output text, which the npm package's tests compare
/// byte for byte with what the package returns.
fn run_case(input: &Value) -> Result<(Value, String), Error> {
    // Errors are rooted at the argument they concern, as in every layer.
    let ledger = from_json(&input["ledger"].to_string()).map_err(|e| e.within("ledger"))?;
    let policy = policy_of(&input["policy"]).map_err(|e| e.within("policy"))?;
    let out = match input["function"].as_str().unwrap_or("plan") {
        "plan" => {
            let as_of = relance_core::date::parse(input["asOf"].as_str().unwrap()).unwrap();
            let out = plan(&ledger, &policy, as_of)?;
            // Outputs read back to the same value: the JSON shape is complete in both directions.
            assert_eq!(serde_json::from_str::<Plan>(&to_json(&out)?).unwrap(), out);
            // So does the compact form, expanded.
            let compacted = to_json(&compact(out.clone()))?;
            assert_eq!(expand(serde_json::from_str::<CompactPlan>(&compacted).unwrap())?, out);
            if input["compact"] == true {
                compacted
            } else {
                to_json(&out)?
            }
        }
        "dueActions" => {
            let sent: Vec<SentEntry> = from_json(&input["sentLog"].to_string()).map_err(|e| e.within("sentLog"))?;
            let now = from_json(&input["now"].to_string()).map_err(|e| e.within("now"))?;
            let out = due_actions(&ledger, &policy, &sent, now)?;
            assert_eq!(serde_json::from_str::<Vec<Action>>(&to_json(&out)?).unwrap(), out);
            to_json(&out)?
        }
        f => panic!("unknown function {f}"),
    };
    Ok((serde_json::from_str(&out).unwrap(), out))
}

#[test]
fn golden_planner_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/planner");
    let bless = std::env::var("RELANCE_BLESS").is_ok();
    // The exact native output of each case, for the byte-for-byte comparison in wasm/test.
    let native_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/golden-native/planner");
    std::fs::create_dir_all(&native_dir).unwrap();
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let mut case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(
            case["why"].is_string() || case["why"].is_array(),
            "{}: every case says why its answer is right",
            path.display()
        );
        let got = match run_case(&case["input"]) {
            Ok((v, native)) => {
                let out = native_dir.join(path.file_name().unwrap());
                std::fs::write(out, native).unwrap();
                json!({ "output": v })
            }
            Err(e) => json!({ "error": { "code": e.code().as_str(), "path": e.path() } }),
        };
        count += 1;
        if bless {
            case["expected"] = got;
            std::fs::write(path, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
        } else if case["expected"] != got {
            failures.push(format!("{}:\n expected {}\n got      {}", path.display(), case["expected"], got));
        }
    }
    assert!(count >= 5, "only {count} golden cases found in {}", dir.display());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
