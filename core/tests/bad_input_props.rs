//! Bad input never panics: the sample ledger with one value anywhere replaced by an arbitrary JSON
//! value either plans, or fails with a typed error whose path names a field of the input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use proptest::prelude::*;
use relance_core::json::from_json;
use relance_core::ledger::Ledger;
use relance_core::planner::{due_actions, plan};
use relance_core::policy::preset;
use serde_json::Value;

const SAMPLE: &str = include_str!("../../samples/ledger.json");

fn leaves(v: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| leaves(x, [path.clone(), vec![k.clone()]].concat(), out)),
        Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, x)| leaves(x, [path.clone(), vec![i.to_string()]].concat(), out))
        }
        _ => {}
    }
}

fn replace(v: &mut Value, path: &[String], with: Value) {
    match path.split_first() {
        None => *v = with,
        Some((head, rest)) => match v {
            Value::Object(m) => replace(m.get_mut(head).unwrap(), rest, with),
            Value::Array(a) => replace(&mut a[head.parse::<usize>().unwrap()], rest, with),
            _ => unreachable!(),
        },
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        prop_oneof![
            Just("2026-02-30".to_owned()),
            Just("1899-01-01".to_owned()),
            Just("2199-12-31".to_owned()),
            Just("-1.00".to_owned()),
            Just("0".to_owned()),
            Just("99999999999999999999999999.99".to_owned()),
            Just("Mars/Olympus".to_owned()),
            Just("".to_owned()),
            ".{0,12}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn one_bad_value_anywhere_gives_a_typed_error_or_a_plan(pick in any::<prop::sample::Index>(), with in arbitrary_json(), policy in 0usize..3) {
        let mut doc: Value = serde_json::from_str(SAMPLE).unwrap();
        let mut paths = Vec::new();
        leaves(&doc, vec![], &mut paths);
        let path = pick.get(&paths).clone();
        replace(&mut doc, &path, with);
        let policy = preset(relance_core::policy::PRESET_IDS[policy]).unwrap();
        match from_json::<Ledger>(&doc.to_string()) {
            Err(e) => prop_assert!(!e.message().is_empty()),
            Ok(ledger) => {
                let as_of = relance_core::date::parse("2026-11-23").unwrap();
                if let Err(e) = plan(&ledger, &policy, as_of) {
                    prop_assert!(!e.path().is_empty() || e.code() == relance_core::ErrorCode::MixedCurrencies, "{e}");
                }
                let now = from_json(r#""2026-11-23T09:30:00Z""#).unwrap();
                let _ = due_actions(&ledger, &policy, &[], now);
            }
        }
    }
}
