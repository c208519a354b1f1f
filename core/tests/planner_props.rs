//! Property tests of the planner's invariants over random ledgers and policies. CI runs them with
//! PROPTEST_CASES=1000 (scripts/test.sh).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use relance_core::answers::{CallOutcome, CallResult, Promise, PromiseVia, Reply, ReplyChannel, ReplyKind};
use relance_core::calendar::{is_business_day, Adjustment, CalendarId};
use relance_core::compact::{compact, expand, CompactPlan};
use relance_core::json::{from_json, to_json};
use relance_core::ledger::{
    Address, Creditor, Debtor, DebtorContacts, DebtorKind, Dispute, Email, Invoice, Ledger, Payment,
};
use relance_core::money::{Amount, Currency};
use relance_core::planner::{due_actions, next_actions, plan, EventKind, SentEntry, StepStatus};
use relance_core::policy::{preset, Anchor, AnswerRules, Channel, Policy};
use relance_core::terms::{PaymentTerms, TermStart};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// The sender's log entry of action `a`, sent at `now`.
fn sent(a: &relance_core::planner::Action, now: chrono::DateTime<Utc>) -> SentEntry {
    let items = a
        .items
        .iter()
        .map(|i| relance_core::planner::ItemRef { invoice_id: i.invoice_id.clone(), step_id: i.step_id.clone() })
        .collect();
    SentEntry { key: a.key.clone(), sent_at: now, items }
}

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
            identifiers: Default::default(),
            contacts: DebtorContacts::default(),
            replies: vec![],
            calls: vec![],
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
                promises: vec![],
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
            penalty_terms: Default::default(),
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
                log.push(sent(&a, now));
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

/// A debtor's answer for the property tests: (day offset from 2025-01-01, kind).
#[derive(Debug, Clone, Copy)]
enum AnswerSpec {
    Reply(ReplyKind),
    Call(CallResult),
}

fn answer_spec() -> impl Strategy<Value = (usize, i64, AnswerSpec)> {
    let kind = prop_oneof![
        prop::sample::select(vec![ReplyKind::Human, ReplyKind::AutoReply, ReplyKind::Bounce, ReplyKind::Unreadable])
            .prop_map(AnswerSpec::Reply),
        prop::sample::select(vec![CallResult::Reached, CallResult::NotReached, CallResult::WrongNumber])
            .prop_map(AnswerSpec::Call),
    ];
    (0usize..3, 0i64..900, kind)
}

/// Adds the answers to the ledger: each debtor has one email address; `postal` gives them a postal
/// address too. Promises: (invoice, days after issue it is made, days it runs, share of the total in %).
fn with_answers(
    mut ledger: Ledger,
    answers: &[(usize, i64, AnswerSpec)],
    promises: &[(usize, i64, i64, i64)],
    postal: bool,
) -> Ledger {
    let start = d("2025-01-01");
    for (i, debtor) in ledger.debtors.iter_mut().enumerate() {
        debtor.contacts.emails = vec![Email::new(&format!("ap{i}@client.example")).unwrap()];
        debtor.contacts.postal_address = postal.then(|| Address {
            lines: vec!["1 rue".into()],
            postal_code: "75001".into(),
            city: "Paris".into(),
            country: "FR".into(),
        });
    }
    for (who, offset, spec) in answers {
        let Some(debtor) = ledger.debtors.get_mut(who % 3) else { continue };
        let day = start + Duration::days(*offset);
        match spec {
            AnswerSpec::Reply(kind) => debtor.replies.push(Reply {
                // Before the send window opens on even days, after it on odd ones.
                received_at: Utc
                    .from_utc_datetime(&day.and_hms_opt(if offset % 2 == 0 { 6 } else { 14 }, 0, 0).unwrap()),
                channel: ReplyChannel::Email,
                kind: *kind,
                answers: None,
                address: None,
                summary: String::new(),
            }),
            AnswerSpec::Call(result) => debtor.calls.push(CallOutcome {
                on: day,
                result: *result,
                agreed: None,
                answers: None,
                note: String::new(),
            }),
        }
    }
    let count = ledger.invoices.len();
    let mut sorted: Vec<_> = promises.to_vec();
    sorted.sort_by_key(|p| p.1);
    for (which, after, runs, share) in sorted {
        let Some(inv) = ledger.invoices.get_mut(which % count) else { continue };
        let made_on = inv.issue_date + Duration::days(after);
        let amount = (inv.total.value() * Decimal::from(share) / Decimal::from(100)).round_dp(2);
        if amount <= Decimal::ZERO || inv.promises.last().is_some_and(|p| p.made_on > made_on) {
            continue;
        }
        inv.promises.push(Promise {
            made_on,
            promised_date: made_on + Duration::days(runs),
            amount: Amount(amount),
            via: PromiseVia::Phone,
            note: String::new(),
        });
    }
    ledger
}

fn is_contact(status: StepStatus) -> bool {
    matches!(status, StepStatus::Past | StepStatus::Today | StepStatus::Upcoming | StepStatus::Conditional)
}

proptest! {
    /// The debtor's answers steer the path (issue 20): no automatic step while a promise is open;
    /// each promise ends exactly once (kept, broken or replaced) and the policy's steps each still
    /// appear once, in date order; no policy step within the reply pause after an answer; a step
    /// for the silent is skipped only after an answer; no email once every address bounced.
    #[test]
    fn answers_steer_the_path(
        specs in prop::collection::vec(invoice_spec(), 1..6),
        answers in prop::collection::vec(answer_spec(), 0..8),
        promises in prop::collection::vec((0usize..6, 0i64..150, 0i64..30, 1i64..120), 0..4),
        which in 0usize..3, grouping: bool, gap in 0i32..6, postal: bool,
        grace in 0u32..6, pause in 0u32..10,
        as_of_offset in 0i64..900,
    ) {
        let ledger = with_answers(build_ledger(&specs, &COUNTRIES), &answers, &promises, postal);
        let mut policy = policy_variant(which, grouping, gap, Adjustment::Forward);
        policy.answers = AnswerRules { promise_grace_days: grace, reply_pause_days: pause };
        let policy = policy.check().unwrap();
        let as_of = d("2025-01-01") + Duration::days(as_of_offset);
        let planned = plan(&ledger, &policy, as_of).unwrap();
        let checked = ledger.check().unwrap();
        let steps = &policy.policy().steps;
        let opens = policy.policy().send_window.start_hour;
        for (tl, inv) in planned.invoices.iter().zip(&checked.invoices) {
            let debtor = checked.debtors.iter().find(|x| x.debtor.id == tl.debtor_id).unwrap();
            // Each policy step once, in order; each promise once; dates never go back.
            let policy_ids: Vec<&str> = tl.steps.iter().filter(|s| s.kind == EventKind::PolicyStep).map(|s| s.step_id.as_str()).collect();
            prop_assert_eq!(policy_ids, steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>());
            let promise_ids: Vec<&str> = tl.steps.iter().filter(|s| s.kind == EventKind::PromiseBroken).map(|s| s.step_id.as_str()).collect();
            let open_path = !tl.steps.iter().any(|s| s.status == StepStatus::SuspendedDispute);
            if open_path {
                let expected: Vec<String> = (1..=inv.invoice.promises.len()).map(|n| format!("promise-{n}-broken")).collect();
                prop_assert_eq!(promise_ids, expected.iter().map(String::as_str).collect::<Vec<_>>());
            }
            prop_assert!(tl.steps.windows(2).all(|w| w[0].date <= w[1].date), "order: {:?}", tl.steps);
            // After a broken promise, the path resumes after it.
            for w in tl.steps.windows(2) {
                if w[0].kind == EventKind::PromiseBroken && is_contact(w[0].status) {
                    prop_assert!(w[1].date >= w[0].date);
                }
            }
            for s in tl.steps.iter().filter(|s| is_contact(s.status) && s.kind == EventKind::PolicyStep) {
                // No automatic step while a promise is open (from the day it was made to the
                // promised date plus the grace, or until a newer promise replaced it).
                for (k, p) in inv.invoice.promises.iter().enumerate() {
                    let mut last = p.promised_date + Duration::days(i64::from(grace));
                    if let Some(next) = inv.invoice.promises.get(k + 1) {
                        last = last.min(next.made_on);
                    }
                    prop_assert!(!(p.made_on < s.date && s.date <= last),
                        "{} on {} while promise {} is open ({} to {})", s.step_id, s.date, k + 1, p.made_on, last);
                }
                // None within the pause after an answer (from the first step it can hold).
                for (r, holds_from) in answer_days(debtor, opens) {
                    prop_assert!(!(holds_from <= s.date && s.date < r + Duration::days(i64::from(pause))),
                        "{} on {} within the pause after the answer of {}", s.step_id, s.date, r);
                }
                // No email once every address bounced.
                let bounced = debtor.debtor.replies.iter().any(|r| r.kind == ReplyKind::Bounce && debtor.local_date(r.received_at) <= s.date);
                if bounced {
                    prop_assert!(s.channel != Channel::Email, "{} by email on {} after a bounce", s.step_id, s.date);
                }
            }
            for (i, s) in tl.steps.iter().enumerate() {
                if s.status == StepStatus::SkippedAnswered {
                    let since = if i == 0 { inv.invoice.issue_date } else { tl.steps[i - 1].date };
                    let window = steps.iter().find(|x| x.id == s.step_id).and_then(|x| x.conditions.no_reply_for_days).unwrap();
                    let from = since.min(s.date - Duration::days(i64::from(window)));
                    prop_assert!(answer_days(debtor, opens).iter().any(|(r, holds_from)| from <= *r && *holds_from <= s.date),
                        "{} skipped with no answer", s.step_id);
                }
                if s.status == StepStatus::NoAddress {
                    prop_assert!(!postal);
                }
                if s.rerouted_from.is_some() {
                    prop_assert!(postal && s.channel == Channel::Letter);
                }
            }
        }
    }
}

proptest! {
    /// The compact form loses nothing: read back from its JSON and expanded, it is the plan again,
    /// over ledgers with answers (rerouted steps, promises), payment plans and grouped messages.
    /// (It is not always the smaller: for one invoice its `stepTypes` can outweigh what it saves.)
    #[test]
    fn the_compact_form_expands_to_the_same_plan(
        specs in prop::collection::vec(invoice_spec(), 1..6),
        answers in prop::collection::vec(answer_spec(), 0..8),
        promises in prop::collection::vec((0usize..6, 0i64..150, 0i64..30, 1i64..120), 0..4),
        which in 0usize..3, grouping: bool, gap in 0i32..6, postal: bool,
        as_of_offset in 0i64..900,
    ) {
        let ledger = with_answers(build_ledger(&specs, &COUNTRIES), &answers, &promises, postal);
        let policy = policy_variant(which, grouping, gap, Adjustment::Forward).check().unwrap();
        let planned = plan(&ledger, &policy, d("2025-01-01") + Duration::days(as_of_offset)).unwrap();
        let text = to_json(&compact(planned.clone())).unwrap();
        let read: CompactPlan = from_json(&text).unwrap();
        prop_assert_eq!(expand(read).unwrap(), planned);
    }
}

proptest! {
    /// Day-by-day runs (some missed) over a ledger with answers send each invoice-step at most
    /// once, and no policy step while a promise of its invoice is open, even a late one.
    #[test]
    fn daily_runs_respect_promises(
        specs in prop::collection::vec(invoice_spec(), 1..5),
        answers in prop::collection::vec(answer_spec(), 0..6),
        promises in prop::collection::vec((0usize..5, 0i64..150, 0i64..30, 1i64..120), 0..4),
        which in 0usize..3, grouping: bool, gap in 0i32..5, postal: bool,
        skipped_days in prop::collection::hash_set(0i64..400, 0..60),
    ) {
        let ledger = with_answers(build_ledger(&specs, &COUNTRIES), &answers, &promises, postal);
        let policy = policy_variant(which, grouping, gap, Adjustment::Forward).check().unwrap();
        let grace = i64::from(policy.policy().answers.promise_grace_days);
        let mut log: Vec<SentEntry> = Vec::new();
        let mut sent_items = HashSet::new();
        for day in (0..400i64).filter(|d| !skipped_days.contains(d)) {
            let now = Utc.with_ymd_and_hms(2025, 1, 1, 9, 30, 0).unwrap() + Duration::days(day);
            let today = now.date_naive();
            for a in due_actions(&ledger, &policy, &log, now).unwrap() {
                for item in &a.items {
                    prop_assert!(sent_items.insert((item.invoice_id.clone(), item.step_id.clone())),
                        "{}/{} sent twice", item.invoice_id, item.step_id);
                    let inv = ledger.invoices.iter().find(|i| i.id == item.invoice_id).unwrap();
                    if !item.step_id.starts_with("promise-") && !item.step_id.starts_with("instalment-") {
                        for (k, p) in inv.promises.iter().enumerate() {
                            let mut last = p.promised_date + Duration::days(grace);
                            if let Some(next) = inv.promises.get(k + 1) {
                                last = last.min(next.made_on);
                            }
                            prop_assert!(!(p.made_on < today && today <= last),
                                "{} sent on {} while promise {} is open", item.step_id, today, k + 1);
                        }
                    }
                }
                log.push(sent(&a, now));
            }
        }
    }
}

/// Each answer's day and the first day whose step it holds: a reply before the send window opens
/// holds that day's step, a later one the next day's; a call the next day's.
fn answer_days(debtor: &relance_core::ledger::CheckedDebtor<'_>, window_opens: u32) -> Vec<(NaiveDate, NaiveDate)> {
    use chrono::Timelike;
    let d = debtor.debtor;
    let replies = d.replies.iter().filter(|r| r.is_answer()).map(|r| {
        let local = debtor.time_zone.local(r.received_at);
        let day = local.date_naive();
        (day, if local.hour() < window_opens { day } else { day + Duration::days(1) })
    });
    replies.chain(d.calls.iter().filter(|c| c.is_answer()).map(|c| (c.on, c.on + Duration::days(1)))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256) / 4, ..ProptestConfig::default() })]
    #[test]
    fn penalty_claims_follow_late_payments_only(
        specs in prop::collection::vec(invoice_spec(), 1..6),
        after_days in 0u32..20, follow_up in prop::option::of(1u32..40),
        waive_both: bool, as_of_offset in 0i64..900,
    ) {
        let mut ledger = build_ledger(&specs, &COUNTRIES[..1]);
        ledger.creditor.penalty_terms.waive_interest = waive_both;
        ledger.creditor.penalty_terms.waive_indemnity = waive_both;
        let mut policy = policy_variant(1, false, 2, Adjustment::Forward);
        policy.penalty_claim = relance_core::policy::PenaltyClaim {
            enabled: true, after_days, min_amount: None, follow_up_days: follow_up.into_iter().collect(),
        };
        let policy = policy.check().unwrap();
        let as_of = d("2025-01-01") + Duration::days(as_of_offset);
        let out = plan(&ledger, &policy, as_of).unwrap();
        let rates = relance_core::penalty::rates_with(&Default::default()).unwrap();
        let checked = ledger.check_with_rates(&rates).unwrap();
        for (tl, inv) in out.invoices.iter().zip(&checked.invoices) {
            let claims: Vec<_> = tl.steps.iter().filter(|s| s.kind == EventKind::PenaltyClaim).collect();
            let paid_late = inv.settled_on().filter(|d| *d > inv.due_date);
            // A claim is planned for an invoice paid after its due date, and for no other.
            prop_assert_eq!(claims.is_empty(), paid_late.is_none(), "{:?}", tl.steps);
            for s in claims {
                // (A step suspended by an open dispute is dated where the dispute holds it.)
                if s.status != StepStatus::SuspendedDispute {
                    prop_assert!(s.date >= paid_late.unwrap() + Duration::days(i64::from(after_days)));
                }
                if is_contact(s.status) {
                    // It asks only for what is still due, and nothing under a waiver of both.
                    prop_assert!(!waive_both, "claim {} under a waiver", s.step_id);
                    prop_assert_eq!(
                        relance_core::penalty::invoice_status(inv, "FR", s.date, &rates),
                        relance_core::penalty::InvoiceStatus::PaidPenaltiesDue
                    );
                }
            }
        }
    }
}

proptest! {
    // Each case runs about 7 500 planner calls: fewer cases than the other properties.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A sender that reads only the debtors its index of next actions says are due (the worker's
    /// cron, issue 23) sends exactly what a sender reading every debtor at every run sends: the
    /// index never says later than the truth. Runs every 5 hours (every hour of the day in turn),
    /// some missed, over ledgers with answers and promises.
    #[test]
    fn an_index_of_next_actions_misses_nothing_a_full_scan_sends(
        specs in prop::collection::vec(invoice_spec(), 1..5),
        answers in prop::collection::vec(answer_spec(), 0..6),
        promises in prop::collection::vec((0usize..5, 0i64..150, 0i64..30, 1i64..120), 0..4),
        which in 0usize..3, grouping: bool, gap in 0i32..5, postal: bool,
        skipped in prop::collection::hash_set(0i64..3_800, 0..400),
    ) {
        let ledger = with_answers(build_ledger(&specs, &COUNTRIES), &answers, &promises, postal);
        let policy = policy_variant(which, grouping, gap, Adjustment::Forward).check().unwrap();
        let mut log: Vec<SentEntry> = Vec::new();
        // None: to compute (every debtor at first); Some(None): nothing planned.
        let mut index: HashMap<String, Option<Option<chrono::DateTime<Utc>>>> =
            ledger.debtors.iter().map(|d| (d.id.clone(), None)).collect();
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 30, 0).unwrap();
        let (mut reads, mut runs) = (0usize, 0usize);
        for tick in (0..3_800i64).filter(|t| !skipped.contains(t)) {
            let now = start + Duration::hours(5 * tick);
            let full = due_actions(&ledger, &policy, &log, now).unwrap();
            let due: HashSet<String> = index
                .iter()
                .filter(|(_, next)| next.is_none_or(|at| at.is_some_and(|at| at <= now)))
                .map(|(id, _)| id.clone())
                .collect();
            let part = ledger.subset(|d| due.contains(&d.id));
            reads += due.len();
            runs += 1;
            let indexed = due_actions(&part, &policy, &log, now).unwrap();
            prop_assert_eq!(&indexed, &full, "at {}", now);
            for a in full {
                log.push(sent(&a, now));
            }
            for id in &due {
                index.insert(id.clone(), Some(None));
            }
            for next in next_actions(&part, &policy, &log, now).unwrap() {
                if let Some(at) = next.at {
                    prop_assert!(at >= now, "next action of {} at {} before the run at {}", next.debtor_id, at, now);
                }
                index.insert(next.debtor_id, Some(next.at));
            }
        }
        // And it is an index: most runs read no debtor at all.
        prop_assert!(reads * 4 < runs * ledger.debtors.len(), "{} debtor reads in {} runs", reads, runs);
    }
}
