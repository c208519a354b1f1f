//! Property tests of the planner's invariants over random ledgers and policies. CI runs them with
//! PROPTEST_CASES=1000 (scripts/test.sh).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use relance_core::calendar::{is_business_day, Adjustment, CalendarId};
use relance_core::ledger::{Address, Creditor, Debtor, DebtorContacts, DebtorKind, Dispute, Invoice, Ledger, Payment};
use relance_core::money::{Amount, Currency};
use relance_core::planner::{due_actions, plan, SentEntry, StepStatus};
use relance_core::policy::{preset, Anchor, Policy};
use relance_core::terms::{PaymentTerms, TermStart};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[derive(Debug, Clone)]
struct InvoiceSpec {
    debtor: usize,
    issue_offset: i64,
    term_days: u32,
    total_cents: i64,
    payments: Vec<(i64, i64)>,
    dispute: Option<(i64, Option<i64>)>,
}

fn invoice_spec() -> impl Strategy<Value = InvoiceSpec> {
    (
        0usize..3,
        0i64..700,
        0u32..75,
        100i64..5_000_000,
        prop::collection::vec((0i64..200, 1i64..3_000_000), 0..3),
        prop::option::weighted(0.3, (0i64..120, prop::option::of(0i64..40))),
    )
        .prop_map(|(debtor, issue_offset, term_days, total_cents, payments, dispute)| InvoiceSpec {
            debtor,
            issue_offset,
            term_days,
            total_cents,
            payments,
            dispute,
        })
}

fn build_ledger(specs: &[InvoiceSpec], countries: &[(&str, &str)]) -> Ledger {
    let debtors = countries
        .iter()
        .enumerate()
        .map(|(i, (country, tz))| Debtor {
            id: format!("d{i}"),
            name: format!("Debtor {i}"),
            kind: DebtorKind::Business,
            country: (*country).into(),
            locale: "fr".into(),
            time_zone: (*tz).into(),
            calendar: None,
            public_buyer_category: None,
            contacts: DebtorContacts::default(),
        })
        .collect();
    let start = d("2025-01-01");
    let invoices = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let issue = start + Duration::days(s.issue_offset);
            Invoice {
                id: format!("i{i}"),
                number: format!("N-{i}"),
                debtor_id: format!("d{}", s.debtor % countries.len()),
                issue_date: issue,
                delivery_date: None,
                currency: Currency::eur(),
                total: Amount(Decimal::new(s.total_cents, 2)),
                terms: Some(PaymentTerms::Net { days: s.term_days, from: TermStart::Invoice }),
                due_date: None,
                sector: None,
                periodic: false,
                payments: s
                    .payments
                    .iter()
                    .map(|(off, cents)| Payment {
                        date: issue + Duration::days(*off),
                        amount: Amount(Decimal::new(*cents, 2)),
                        reference: None,
                    })
                    .collect(),
                credit_notes: vec![],
                disputes: s
                    .dispute
                    .iter()
                    .map(|(open, len)| Dispute {
                        opened_on: issue + Duration::days(*open),
                        closed_on: len.map(|l| issue + Duration::days(open + l)),
                        reason: String::new(),
                    })
                    .collect(),
                payment_plan: None,
            }
        })
        .collect();
    Ledger {
        creditor: Creditor {
            name: "C".into(),
            identifiers: Default::default(),
            address: Address { country: "FR".into(), ..Default::default() },
            contact: Default::default(),
            payment: Default::default(),
        },
        debtors,
        invoices,
    }
}

fn policy_variant(which: usize, grouping: bool, gap: i32, adjustment: Adjustment) -> Policy {
    let mut p = preset(["gentle", "standard", "firm"][which]).unwrap().policy().clone();
    p.grouping = grouping;
    p.min_gap_days = gap;
    p.business_day_adjustment = adjustment;
    p
}

const COUNTRIES: [(&str, &str); 3] = [("FR", "Europe/Paris"), ("DE", "Europe/Berlin"), ("GB", "Europe/London")];

fn calendar_of(country: &str) -> CalendarId {
    CalendarId::for_country(country).unwrap()
}

proptest! {
    #[test]
    fn plan_invariants(
        specs in prop::collection::vec(invoice_spec(), 1..7),
        which in 0usize..3, grouping: bool, gap in 0i32..6,
        adjustment in prop::sample::select(vec![Adjustment::Forward, Adjustment::Backward, Adjustment::None]),
        as_of_offset in 0i64..900,
    ) {
        let ledger = build_ledger(&specs, &COUNTRIES);
        let policy = policy_variant(which, grouping, gap, adjustment).check().unwrap();
        let as_of = d("2025-01-01") + Duration::days(as_of_offset);
        let plan_a = plan(&ledger, &policy, as_of).unwrap();
        // Deterministic: same inputs, same plan (keys included).
        prop_assert_eq!(&plan_a, &plan(&ledger, &policy, as_of).unwrap());
        let checked = ledger.check().unwrap();
        let steps = &policy.policy().steps;

        for (tl, inv) in plan_a.invoices.iter().zip(&checked.invoices) {
            // Every policy step appears once, in order, with non-decreasing dates.
            let ids: Vec<&str> = tl.steps.iter().map(|s| s.step_id.as_str()).collect();
            let expected: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
            prop_assert_eq!(ids, expected);
            prop_assert!(tl.steps.windows(2).all(|w| w[0].date <= w[1].date), "order: {:?}", tl.steps);
            for (s, step) in tl.steps.iter().zip(steps) {
                let contact = matches!(s.status, StepStatus::Past | StepStatus::Today | StepStatus::Upcoming);
                // Nothing post-due before (or on) the due date.
                let post_due = step.anchor == Anchor::PreviousStep || (step.anchor == Anchor::DueDate && step.offset > 0);
                if post_due && s.status != StepStatus::SuspendedDispute {
                    prop_assert!(s.date > tl.due_date, "post-due step {} on {} (due {})", s.step_id, s.date, tl.due_date);
                }
                if contact {
                    // No contact after full payment.
                    prop_assert!(inv.outstanding_on(s.date).is_positive());
                    // None while a dispute is open.
                    for dsp in &inv.invoice.disputes {
                        prop_assert!(!(dsp.opened_on <= s.date && dsp.closed_on.is_none_or(|c| s.date < c)),
                            "contact {} on {} during dispute {:?}", s.step_id, s.date, dsp);
                    }
                    // On a business day when adjustment is on.
                    if adjustment != Adjustment::None {
                        let country = &ledger.debtors.iter().find(|x| x.id == tl.debtor_id).unwrap().country;
                        prop_assert!(is_business_day(calendar_of(country), s.date).unwrap(), "{} on {}", s.step_id, s.date);
                    }
                }
            }
        }
        // The minimum gap between two contacts with a debtor; keys unique.
        let mut by_debtor: HashMap<&str, Vec<NaiveDate>> = HashMap::new();
        let mut keys = HashSet::new();
        for c in &plan_a.contacts {
            by_debtor.entry(c.debtor_id.as_str()).or_default().push(c.date);
            prop_assert!(keys.insert(c.key.clone()), "duplicate key {}", c.key);
        }
        for dates in by_debtor.values_mut() {
            dates.sort();
            for w in dates.windows(2) {
                prop_assert!((w[1] - w[0]).num_days() >= i64::from(gap), "gap {} between {} and {}", gap, w[0], w[1]);
            }
        }
    }

    #[test]
    fn daily_runs_send_each_step_at_most_once_and_never_in_bursts(
        specs in prop::collection::vec(invoice_spec(), 1..6),
        which in 0usize..3, grouping: bool, gap in 0i32..5,
        skipped_days in prop::collection::hash_set(0i64..400, 0..60),
    ) {
        let ledger = build_ledger(&specs, &COUNTRIES);
        let policy = policy_variant(which, grouping, gap, Adjustment::Forward).check().unwrap();
        let mut log: Vec<SentEntry> = Vec::new();
        let mut sent_items = HashSet::new();
        for day in 0..400i64 {
            if skipped_days.contains(&day) {
                continue; // a missed run
            }
            let now = Utc.with_ymd_and_hms(2025, 1, 1, 9, 30, 0).unwrap() + Duration::days(day);
            let actions = due_actions(&ledger, &policy, &log, now).unwrap();
            // Running twice at the same instant gives the same actions (same keys).
            prop_assert_eq!(&actions, &due_actions(&ledger, &policy, &log, now).unwrap());
            let mut per_debtor: HashMap<&str, usize> = HashMap::new();
            for a in &actions {
                *per_debtor.entry(a.debtor_id.as_str()).or_default() += 1;
                prop_assert!(a.reason.days_late <= i64::from(policy.policy().catch_up.max_lateness_days));
                for item in &a.items {
                    prop_assert!(sent_items.insert((item.invoice_id.clone(), item.step_id.clone())),
                        "{}/{} sent twice", item.invoice_id, item.step_id);
                }
            }
            if grouping || gap > 0 {
                prop_assert!(per_debtor.values().all(|n| *n == 1), "burst: {:?}", per_debtor);
            }
            for a in actions {
                log.push(SentEntry {
                    key: a.key.clone(), sent_at: now,
                    items: a.items.iter().map(|i| relance_core::planner::ItemRef { invoice_id: i.invoice_id.clone(), step_id: i.step_id.clone() }).collect(),
                });
            }
        }
        // Keys of actually sent messages are unique.
        let keys: HashSet<&str> = log.iter().map(|e| e.key.as_str()).collect();
        prop_assert_eq!(keys.len(), log.len());
    }
}

proptest! {
    /// A reminder of an instalment to come is never dated after that instalment, nor before the
    /// plan was agreed, whatever the policy steps the plan replaced (issue 20: the replaced steps
    /// used to push it past its instalment).
    #[test]
    fn instalment_reminders_never_come_after_their_instalment(
        specs in prop::collection::vec(invoice_spec(), 1..5),
        which in 0usize..3, grouping: bool, gap in 0i32..6,
        agreed_after in prop::collection::vec(0i64..150, 5),
        spacing in prop::collection::vec(1i64..40, 4),
        count in 1usize..4,
        as_of_offset in 0i64..900,
    ) {
        let mut ledger = build_ledger(&specs, &COUNTRIES);
        for (k, inv) in ledger.invoices.iter_mut().enumerate() {
            inv.payments.clear();
            inv.disputes.clear();
            let agreed = inv.issue_date + Duration::days(agreed_after[k % agreed_after.len()]);
            let mut due = agreed;
            let share = (inv.total.value() / Decimal::from(count)).round_dp(2);
            let instalments = (0..count).map(|i| {
                due += Duration::days(spacing[i % spacing.len()]);
                let amount = if i + 1 == count { inv.total.value() - share * Decimal::from(count - 1) } else { share };
                relance_core::ledger::Instalment { due_date: due, amount: Amount(amount) }
            }).collect::<Vec<_>>();
            if instalments.iter().any(|i| !i.amount.value().is_sign_positive() || i.amount.value().is_zero()) {
                continue;
            }
            inv.payment_plan = Some(relance_core::ledger::PaymentPlan { agreed_on: agreed, instalments });
        }
        let policy = policy_variant(which, grouping, gap, Adjustment::Forward).check().unwrap();
        let as_of = d("2025-01-01") + Duration::days(as_of_offset);
        let planned = plan(&ledger, &policy, as_of).unwrap();
        for (tl, inv) in planned.invoices.iter().zip(&ledger.invoices) {
            let Some(p) = &inv.payment_plan else { continue };
            for s in &tl.steps {
                let Some(n) = s.step_id.strip_prefix("instalment-").and_then(|r| r.strip_suffix("-upcoming")) else { continue };
                let due = p.instalments[n.parse::<usize>().unwrap() - 1].due_date;
                let contact = matches!(s.status, StepStatus::Past | StepStatus::Today | StepStatus::Upcoming);
                prop_assert!(!contact || s.date <= due, "{} on {} after its instalment of {}", s.step_id, s.date, due);
                prop_assert!(!contact || s.date >= p.agreed_on, "{} on {} before the plan of {}", s.step_id, s.date, p.agreed_on);
            }
        }
    }
}
