//! Property tests of the penalty engine (PROPTEST_CASES=1000 in CI).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use relance_core::ledger::Payment;
use relance_core::money::{Amount, Currency};
use relance_core::penalty::{decompte, totals, Imputation, PenaltyInvoice, PenaltyOptions, PenaltyRequest, Regime};
use rust_decimal::Decimal;

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2016, 1, 1).unwrap() + Duration::days(offset)
}

/// Due dates from July 2016 (the German table's start) to mid-2025, so every delay below stays
/// within the known rates.
const FIRST_DUE: i64 = 182;
const LAST_DUE: i64 = 3_450;
const LAST_DAY: i64 = 3_830; // 2026-06-27

fn regime() -> impl Strategy<Value = Regime> {
    prop_oneof![
        Just(Regime::FrB2b),
        Just(Regime::FrPublic),
        Just(Regime::DeB2b),
        Just(Regime::Nl),
        Just(Regime::Es),
        Just(Regime::It),
        (0i64..3000).prop_map(|r| Regime::FrB2bContractual { rate: Amount(Decimal::new(r, 2)) }),
    ]
}

fn request(regime: Regime, total_cents: i64, due: i64, payments: Vec<(i64, i64)>, as_of: i64) -> PenaltyRequest {
    PenaltyRequest {
        invoice: PenaltyInvoice {
            id: "p".into(),
            number: String::new(),
            issue_date: day(0),
            due_date: day(due),
            currency: Currency::eur(),
            total: Amount(Decimal::new(total_cents, 2)),
            payments: payments
                .into_iter()
                .map(|(d, c)| Payment { date: day(d), amount: Amount(Decimal::new(c, 2)), reference: None })
                .collect(),
            credit_notes: vec![],
        },
        regime,
        as_of: day(as_of),
        options: PenaltyOptions::default(),
        extra_rates: Default::default(),
    }
}

proptest! {
    #[test]
    fn never_negative(regime in regime(), total in 1i64..100_000_000_000, due in FIRST_DUE..LAST_DUE, len in 0i64..380,
        pays in prop::collection::vec((0i64..400, 1i64..50_000_000_000), 0..5)) {
        let as_of = (due + len).min(LAST_DAY);
        let pays = pays.into_iter().map(|(d, c)| (d.min(as_of), c)).collect();
        let req = request(regime, total, due, pays, as_of);
        let d = decompte(&req).unwrap();
        // The totals-only path (analytics, curves) gives the very same figures.
        prop_assert_eq!(&totals(&req).unwrap(), &d.totals);
        prop_assert!(!d.totals.interest.value().is_sign_negative() || d.totals.interest.value().is_zero());
        prop_assert!(d.totals.indemnity.value() >= Decimal::ZERO);
        prop_assert!(d.totals.principal_outstanding.value() >= Decimal::ZERO);
        prop_assert!(d.lines.iter().all(|l| l.days > 0 && l.base.value() > Decimal::ZERO));
    }

    #[test]
    fn paying_later_never_costs_less(regime in regime(), total in 1i64..10_000_000_000, due in FIRST_DUE..LAST_DUE, paid in 0i64..300, later in 0i64..60) {
        let pay = |offset: i64| {
            let at = (due + offset).min(LAST_DAY);
            decompte(&request(regime.clone(), total, due, vec![(at, total)], LAST_DAY)).unwrap().totals
        };
        let early = pay(paid);
        let late = pay(paid + later);
        prop_assert!(early.interest <= late.interest);
        prop_assert!(early.indemnity <= late.indemnity);
    }

    #[test]
    fn a_partial_payment_never_increases_the_total(regime in regime(), total in 200i64..10_000_000_000, due in FIRST_DUE..LAST_DUE,
        part_day in 0i64..200, part_share in 1i64..100, len in 1i64..380) {
        let as_of = (due + len).min(LAST_DAY);
        let part = (total * part_share / 100).max(1);
        let without = decompte(&request(regime.clone(), total, due, vec![], as_of)).unwrap().totals;
        let with = decompte(&request(regime, total, due, vec![((due + part_day).min(as_of), part)], as_of)).unwrap().totals;
        prop_assert!(with.interest <= without.interest);
        prop_assert!(with.total_due <= without.total_due);
    }

    #[test]
    fn split_lies_between_the_two_single_rates(due in FIRST_DUE..LAST_DUE - 200, before in 1i64..120, after in 1i64..120, total in 1i64..10_000_000_000) {
        // A delay crossing exactly one half-year boundary.
        let due_date = day(due);
        let boundary = if due_date.format("%m").to_string().as_str() < "07" {
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&due_date), 7, 1).unwrap()
        } else {
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&due_date) + 1, 1, 1).unwrap()
        };
        let first = due_date + Duration::days(1);
        prop_assume!(boundary > first);
        let before = before.min((boundary - first).num_days());
        let start_offset = (boundary - day(0)).num_days() - before - 1;
        let end = (boundary - day(0)).num_days() + after - 1;
        prop_assume!(end <= LAST_DAY);
        let split = decompte(&request(Regime::FrB2b, total, start_offset, vec![], end)).unwrap();
        // Two periods, or one when both half-years have the same rate (merged).
        prop_assert!((1..=2).contains(&split.lines.len()));
        let r1 = split.lines[0].rate;
        let r2 = split.lines[split.lines.len() - 1].rate;
        let fixed = |rate: Amount| decompte(&request(Regime::FrB2bContractual { rate }, total, start_offset, vec![], end)).unwrap().totals.interest;
        let (a, b) = (fixed(r1), fixed(r2));
        prop_assert!(a.min(b) <= split.totals.interest && split.totals.interest <= a.max(b), "{:?} {:?} {:?}", a, split.totals.interest, b);
    }

    #[test]
    fn without_a_partial_payment_every_imputation_gives_the_same_figures(regime in regime(), total in 1i64..10_000_000_000,
        due in FIRST_DUE..LAST_DUE, paid in prop::option::of(0i64..300), len in 0i64..380, extra in 0i64..100_000) {
        // No payment, or one that pays the whole invoice (perhaps more): nothing partial to impute.
        let as_of = (due + len).min(LAST_DAY);
        let pays: Vec<(i64, i64)> = paid.map(|p| ((due + p).min(as_of), total + extra)).into_iter().collect();
        let with = |imputation| {
            let mut req = request(regime.clone(), total, due, pays.clone(), as_of);
            req.options.imputation = Some(imputation);
            decompte(&req).unwrap()
        };
        let lenient = with(Imputation::PrincipalFirst);
        for imputation in [Imputation::InterestFirst, Imputation::AccessoriesFirst] {
            let other = with(imputation);
            prop_assert_eq!(&other.totals, &lenient.totals);
            prop_assert_eq!(&other.lines, &lenient.lines);
        }
    }

    #[test]
    fn interest_first_never_gives_less_interest(regime in regime(), total in 200i64..10_000_000_000, due in FIRST_DUE..LAST_DUE,
        pays in prop::collection::vec((0i64..400, 1i64..100), 1..4), len in 1i64..380) {
        let as_of = (due + len).min(LAST_DAY);
        // Partial payments (each a share of the total, all together less than it).
        let pays: Vec<(i64, i64)> = pays.into_iter().map(|(d, share)| ((due + d - 100).clamp(1, as_of), (total * share / 400).max(1))).collect();
        let with = |imputation| {
            let mut req = request(regime.clone(), total, due, pays.clone(), as_of);
            req.options.imputation = Some(imputation);
            decompte(&req).unwrap().totals
        };
        let lenient = with(Imputation::PrincipalFirst);
        for imputation in [Imputation::InterestFirst, Imputation::AccessoriesFirst] {
            let strict = with(imputation);
            prop_assert!(strict.interest >= lenient.interest, "{:?}: {} < {}", imputation, strict.interest, lenient.interest);
            prop_assert!(strict.principal_outstanding >= lenient.principal_outstanding);
        }
    }

    #[test]
    fn what_is_paid_is_never_lost_or_counted_twice(regime in regime(), imputation in prop_oneof![
            Just(Imputation::PrincipalFirst), Just(Imputation::InterestFirst), Just(Imputation::AccessoriesFirst)],
        total in 1i64..10_000_000_000, due in FIRST_DUE..LAST_DUE, len in 0i64..380,
        pays in prop::collection::vec((0i64..400, 1i64..5_000_000_000), 0..5)) {
        let as_of = (due + len).min(LAST_DAY);
        let pays: Vec<(i64, i64)> = pays.into_iter().map(|(d, c)| (d.min(as_of), c)).collect();
        let mut req = request(regime, total, due, pays.clone(), as_of);
        req.options.imputation = Some(imputation);
        let d = decompte(&req).unwrap();
        let sum = |f: fn(&relance_core::penalty::ImputedSettlement) -> Amount| -> Decimal { d.payments.iter().map(|p| f(p).value()).sum() };
        for p in &d.payments {
            let parts = [p.to_interest, p.to_indemnity, p.to_principal, p.unimputed];
            prop_assert!(parts.iter().all(|a| !a.value().is_sign_negative()));
            prop_assert_eq!(parts.iter().map(|a| a.value()).sum::<Decimal>(), p.amount.value());
        }
        let received: Decimal = pays.iter().map(|(_, c)| Decimal::new(*c, 2)).sum();
        prop_assert_eq!(d.totals.settled.value(), received);
        prop_assert_eq!(d.totals.principal_outstanding.value(), Decimal::new(total, 2) - sum(|p| p.to_principal));
        prop_assert_eq!(d.totals.interest_paid.value(), sum(|p| p.to_interest));
        prop_assert_eq!(d.totals.indemnity_paid.value(), sum(|p| p.to_indemnity));
        prop_assert!(d.totals.interest_paid <= d.totals.interest);
        prop_assert!(d.totals.indemnity_paid <= d.totals.indemnity);
        prop_assert_eq!(d.totals.total_due.value(), d.totals.principal_outstanding.value() + d.totals.interest.value()
            - d.totals.interest_paid.value() + d.totals.indemnity.value() - d.totals.indemnity_paid.value());
    }
}
