//! Fuzzing of the JSON entry points (the ones the npm package and the worker expose): arbitrary JSON,
//! and valid inputs with one value anywhere replaced by arbitrary JSON, must decode and run to a
//! typed error naming the field, or an answer; never a panic. Each case runs every entry point, so with PROPTEST_CASES=1000
//! (CI) every entry point sees 2 000 inputs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use proptest::prelude::*;
use relance_core::analytics::AnalyticsRequest;
use relance_core::json::{from_value, from_value_serde, to_json, Decode};
use relance_core::ledger::Ledger;
use relance_core::messages::{render_message, MessageRequest, TemplateSet};
use relance_core::penalty::{curve, decompte, statement, PenaltyRequest};
use relance_core::planner::{due_actions, plan, SentEntry};
use relance_core::policy::{preset, Policy};
use relance_core::terms::{evaluate, TermsQuery};
use serde_json::{json, Value};

fn templates() -> &'static TemplateSet {
    TemplateSet::builtin().unwrap()
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        prop_oneof![
            Just("2026-02-29".to_owned()),
            Just("2025-12-31".to_owned()),
            Just("2026-07-01".to_owned()),
            Just("9999-99-99".to_owned()),
            Just("-0.01".to_owned()),
            Just("1e400".to_owned()),
            Just("79228162514264337593543950335".to_owned()),
            Just("fr_b2b".to_owned()),
            Just("standard".to_owned()),
            Just("email".to_owned()),
            Just("Europe/Paris".to_owned()),
            ".{0,10}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn seeds() -> Vec<Value> {
    let ledger: Value = serde_json::from_str(include_str!("../../samples/ledger.json")).unwrap();
    let penalties: Value = serde_json::from_str(include_str!("../../tests/golden/penalties.json")).unwrap();
    let analytics: Value =
        serde_json::from_str(include_str!("../../tests/golden/analytics/01-small-book.json")).unwrap();
    vec![
        json!({ "ledger": ledger, "policy": "standard", "asOf": "2026-11-23" }),
        json!({ "ledger": ledger, "policy": serde_json::to_value(preset("firm").unwrap().policy()).unwrap(), "sentLog": [], "now": "2026-11-23T09:00:00Z" }),
        penalties["cases"][0]["request"].clone(),
        json!({ "issueDate": "2025-01-15", "terms": { "type": "endOfMonth", "days": 45 }, "debtorKind": "business", "creditorCountry": "FR" }),
        json!({ "ledger": ledger, "request": { "template": "formal_notice", "stepId": "formal-notice", "channel": "registered_letter", "level": 5,
            "debtorId": "d-brasserie", "invoiceIds": ["inv-1041"], "messageDate": "2026-06-30" } }),
        analytics["input"].clone(),
    ]
}

fn paths(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| paths(x, [at.clone(), vec![k.clone()]].concat(), out)),
        Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, x)| paths(x, [at.clone(), vec![i.to_string()]].concat(), out))
        }
        _ => {}
    }
}

fn replace(v: &mut Value, at: &[String], with: Value) {
    match at.split_first() {
        None => *v = with,
        Some((head, rest)) => match v {
            Value::Object(m) => replace(m.get_mut(head).unwrap(), rest, with),
            Value::Array(a) => replace(&mut a[head.parse::<usize>().unwrap()], rest, with),
            _ => unreachable!(),
        },
    }
}

/// Runs every entry point on `input`, as the bindings do: decode, then call.
fn every_entry_point(input: &Value) {
    let policy_of = |v: &Value| match v {
        Value::String(id) => preset(id).ok(),
        other => from_value::<Policy>(other.clone()).ok().and_then(|p| p.check().ok()),
    };
    if let (Ok(ledger), Some(policy)) = (from_value::<Ledger>(input["ledger"].clone()), policy_of(&input["policy"])) {
        if let Ok(as_of) = from_value::<chrono::NaiveDate>(input["asOf"].clone()) {
            if let Err(e) = plan(&ledger, &policy, as_of) {
                // A planning error always names the field at fault.
                assert!(!e.path().is_empty(), "{e}");
            }
        }
        if let (Ok(log), Ok(now)) =
            (from_value::<Vec<SentEntry>>(input["sentLog"].clone()), from_value(input["now"].clone()))
        {
            let _ = due_actions(&ledger, &policy, &log, now);
        }
    }
    if let (Ok(ledger), Ok(req)) =
        (from_value::<Ledger>(input["ledger"].clone()), from_value::<MessageRequest>(input["request"].clone()))
    {
        let _ = render_message(templates(), &ledger, &req);
    }
    if let Ok(req) = from_value::<PenaltyRequest>(input.clone()) {
        if let Ok(d) = decompte(&req) {
            assert!(!d.totals.total_due.value().is_sign_negative() || d.totals.total_due.value().is_zero());
        }
        let _ = curve(&req, req.invoice.due_date, req.as_of);
        let _ = statement(std::slice::from_ref(&req));
    }
    if let Ok(q) = from_value::<TermsQuery>(input.clone()) {
        let _ = evaluate(&q);
    }
    let _ = from_value::<Policy>(input.clone()).map(Policy::check);
}

/// Our decoder against serde's derived one (the reference) on `v`. `one_fault`: the input has at
/// most one fault, so both must name the same one (code, path and message); with several faults
/// in one object, each reports one of them, not always the same.
fn decodes_as_serde<T: Decode + serde::de::DeserializeOwned + serde::Serialize>(
    v: &Value,
    one_fault: bool,
) -> Result<(), TestCaseError> {
    match (from_value::<T>(v.clone()), from_value_serde::<T>(v)) {
        (Ok(ours), Ok(theirs)) => prop_assert_eq!(to_json(&ours).unwrap(), to_json(&theirs).unwrap()),
        (Err(ours), Err(theirs)) if one_fault => prop_assert_eq!(
            (ours.code(), ours.path(), ours.message()),
            (theirs.code(), theirs.path(), theirs.message()),
            "{}",
            v
        ),
        (Err(_), Err(_)) => {}
        (ours, theirs) => prop_assert!(false, "ours {:?}, serde {:?}, on {}", ours.err(), theirs.err(), v),
    }
    Ok(())
}

/// The input types of seed `seed`, decoded both ways.
fn every_decoder_as_serde(seed: usize, input: &Value, one_fault: bool) -> Result<(), TestCaseError> {
    match seed {
        0 | 1 | 4 => {
            decodes_as_serde::<Ledger>(&input["ledger"], one_fault)?;
            if !input["policy"].is_string() && !input["policy"].is_null() {
                decodes_as_serde::<Policy>(&input["policy"], one_fault)?;
            }
            if seed == 1 {
                decodes_as_serde::<Vec<SentEntry>>(&input["sentLog"], one_fault)?;
            }
            if seed == 4 {
                decodes_as_serde::<MessageRequest>(&input["request"], one_fault)?;
            }
            Ok(())
        }
        2 => decodes_as_serde::<PenaltyRequest>(input, one_fault),
        3 => decodes_as_serde::<TermsQuery>(input, one_fault),
        _ => decodes_as_serde::<AnalyticsRequest>(input, one_fault),
    }
}

/// A change of a valid input that makes at most one fault: a value replaced by a scalar, a key
/// removed, an unknown key added.
fn one_change(input: &mut Value, at: &[String], kind: usize, scalar: Value) {
    let Some((last, parent)) = at.split_last() else { return replace(input, at, scalar) };
    let mut node = &mut *input;
    for step in parent {
        node = match node {
            Value::Object(m) => m.get_mut(step).unwrap(),
            Value::Array(a) => &mut a[step.parse::<usize>().unwrap()],
            _ => unreachable!(),
        };
    }
    match (kind, node) {
        (1, Value::Object(m)) => {
            m.remove(last);
        }
        (2, Value::Object(m)) => {
            m.insert(format!("{last}Typo"), scalar);
        }
        (_, node) => replace(node, std::slice::from_ref(last), scalar),
    }
}

/// Seed `seed` with the value at a path picked by `pick` changed by `change`.
fn changed(seed: usize, pick: &prop::sample::Index, change: impl FnOnce(&mut Value, &[String])) -> Value {
    let mut input = seeds().swap_remove(seed);
    let mut all = Vec::new();
    paths(&input, vec![], &mut all);
    let at = pick.get(&all).clone();
    change(&mut input, &at);
    input
}

proptest! {
    #[test]
    fn the_decoders_answer_as_serde_to_one_fault(
        seed in 0usize..6, pick in any::<prop::sample::Index>(), kind in 0usize..3,
        scalar in arbitrary_json().prop_filter("a scalar", |v| !v.is_array() && !v.is_object()),
    ) {
        let input = changed(seed, &pick, |input, at| one_change(input, at, kind, scalar));
        every_decoder_as_serde(seed, &input, true)?;
    }

    #[test]
    fn the_decoders_answer_as_serde_to_any_value(seed in 0usize..6, pick in any::<prop::sample::Index>(), with in arbitrary_json()) {
        let input = changed(seed, &pick, |input, at| replace(input, at, with));
        every_decoder_as_serde(seed, &input, false)?;
    }

    #[test]
    fn arbitrary_json_never_panics(input in arbitrary_json()) {
        every_entry_point(&input);
    }

    #[test]
    fn valid_inputs_with_one_arbitrary_value_never_panic(seed in 0usize..6, pick in any::<prop::sample::Index>(), with in arbitrary_json()) {
        every_entry_point(&changed(seed, &pick, |input, at| replace(input, at, with)));
    }
}
