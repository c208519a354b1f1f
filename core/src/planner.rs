//! The planner: turns a ledger and a policy into each invoice's whole reminder timeline
//! ([`plan`]) and into exactly what must go out now ([`due_actions`]).
//!
//! How a step's date is found, in order:
//! 1. its anchor (issue date, due date, or the previous step's final date) plus its offset, in
//!    calendar or business days;
//! 2. never before the previous step (order is kept);
//! 3. pushed by the length of every closed dispute opened since its anchor (a dispute pauses the
//!    remaining steps and shifts them when it closes); while a dispute is open the step is suspended;
//! 4. moved off weekends and holidays of the debtor's calendar as the policy says (a post-due step
//!    is never moved back onto or before the due date);
//! 5. per debtor, kept at least `minGapDays` after the previous contact, with, when `grouping` is on,
//!    every invoice due by then in one message at the highest step reached (the relevé).
//!
//! A step is cancelled when the invoice is settled by its date, skipped when its conditions fail,
//! and replaced by instalment reminders once a payment plan is agreed.

use crate::answers::{AnswerTask, Answers};
use crate::calendar::{self, Adjustment, CalendarId};
use crate::date;
use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{CheckedDebtor, CheckedInvoice, CheckedLedger, Ledger};
use crate::money::{Amount, Currency};
use crate::penalty::InvoiceStatus;
use crate::policy::{self, Anchor, Channel, CheckedPolicy, Conditions, DayUnit, Policy, Tone};
use crate::rates::Rates;
use crate::zone::Zone;
use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// What kind of event a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A step of the policy.
    PolicyStep,
    /// A reminder before a payment-plan instalment.
    InstalmentUpcoming,
    /// A reminder after a missed instalment.
    InstalmentMissed,
    /// The message after a promise to pay that was not kept (`promise-N-broken`).
    PromiseBroken,
    /// The claim of the penalties of an invoice paid late (`penalty-claim`), and its reminders
    /// (`penalty-claim-2`, ...): see `policy::PenaltyClaim`.
    PenaltyClaim,
}

/// Where a timeline entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Its date is before `asOf`.
    Past,
    /// Its date is `asOf`.
    Today,
    /// Its date is after `asOf`.
    Upcoming,
    /// The invoice was settled by then: not sent.
    CancelledPaid,
    /// A dispute is open: waits until it closes.
    SuspendedDispute,
    /// Its conditions (amount, debtor kind) were not met: not sent.
    SkippedCondition,
    /// A payment plan replaced it.
    ReplacedByPlan,
    /// A reminder that goes out only if an instalment is missed or a promise broken: not known yet.
    Conditional,
    /// The promise was kept (paid what was promised, by the promised date plus the grace): the
    /// path resumes for what is still owed, with no word about the promise.
    PromiseKept,
    /// A newer promise, made before this one fell due, replaced it.
    PromiseReplaced,
    /// A step only for a debtor who has not answered: they answered, so it is not sent.
    SkippedAnswered,
    /// An email step when every address of the debtor bounced and no postal address is known:
    /// not sent; a task asks to fix the contact.
    NoAddress,
}

impl StepStatus {
    fn is_contact(self) -> bool {
        matches!(self, StepStatus::Past | StepStatus::Today | StepStatus::Upcoming)
    }
}

/// Why a step's date differs from its anchor plus offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DateChange {
    /// Kept after the previous step.
    AfterPrevious,
    /// Pushed by a dispute's pause.
    DisputePause,
    /// Moved off a weekend or holiday.
    BusinessDay,
    /// Pushed to keep the minimum gap between contacts with the debtor.
    MinGap,
    /// Held while a promise to pay was open (until the promised date plus the grace).
    PromisePause,
    /// Held after the debtor replied (the policy's `replyPauseDays`).
    ReplyPause,
}

/// One entry of an invoice's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct TimelineStep {
    /// The policy step id, `instalment-N-upcoming` / `instalment-N-missed`, or `promise-N-broken`
    /// (N counts the invoice's promises from 1).
    pub step_id: String,
    /// Policy step or instalment reminder.
    pub kind: EventKind,
    /// Channel.
    pub channel: Channel,
    /// The channel the policy gave, when the step goes out another way (every email address of
    /// the debtor bounced: a letter to the postal address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerouted_from: Option<Channel>,
    /// Template key.
    pub template: String,
    /// Escalation level.
    pub level: u8,
    /// Tone.
    pub tone: Tone,
    /// Anchor plus offset, before any change.
    #[serde(serialize_with = "crate::date::ser")]
    pub nominal_date: NaiveDate,
    /// The date it happens.
    #[serde(serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// When it goes out (start of the send window in the debtor's zone), for contacts.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::date::de_instant_opt")]
    pub send_at: Option<DateTime<Utc>>,
    /// Why `date` differs from `nominalDate`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub changes: Vec<DateChange>,
    /// Status.
    pub status: StepStatus,
    /// Outstanding on `date`.
    pub outstanding: Amount,
    /// For a formal notice: the last day to pay that the letter states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::date::ser_opt")]
    pub deadline_date: Option<NaiveDate>,
    /// The key of the message it goes out in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_key: Option<String>,
}

/// An invoice's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct InvoiceTimeline {
    /// Invoice id.
    pub invoice_id: String,
    /// Invoice number.
    pub number: String,
    /// Debtor id.
    pub debtor_id: String,
    /// Due date.
    #[serde(serialize_with = "crate::date::ser")]
    pub due_date: NaiveDate,
    /// Currency.
    pub currency: Currency,
    /// Total.
    pub total: Amount,
    /// Outstanding on `asOf`.
    pub outstanding: Amount,
    /// Day it was settled in full, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::date::ser_opt")]
    pub settled_on: Option<NaiveDate>,
    /// Findings of the legal check of its payment term.
    pub term_findings: Vec<crate::terms::TermFinding>,
    /// Every step, past and future.
    pub steps: Vec<TimelineStep>,
}

/// An invoice in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemRef {
    /// Invoice id.
    pub invoice_id: String,
    /// Step id.
    pub step_id: String,
}

/// A message to a debtor (one per contact; several invoices when grouped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "PlannedContact"))]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// Deterministic idempotency key.
    pub key: String,
    /// Debtor id.
    pub debtor_id: String,
    /// Date.
    #[serde(serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// When it goes out.
    #[serde(deserialize_with = "crate::date::de_instant")]
    pub send_at: DateTime<Utc>,
    /// Channel (of the highest step in it).
    pub channel: Channel,
    /// Template key (of the highest step in it).
    pub template: String,
    /// Level (the highest in it).
    pub level: u8,
    /// Tone (of the highest step).
    pub tone: Tone,
    /// The invoice-steps it covers.
    pub items: Vec<ItemRef>,
    /// Currency.
    pub currency: Currency,
    /// Total outstanding of its invoices on its date.
    pub total_outstanding: Amount,
    /// For a formal notice: the payment deadline stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::date::ser_opt")]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub deadline_date: Option<NaiveDate>,
    /// Past, today or upcoming.
    pub status: StepStatus,
}

/// A warning about the input that did not stop planning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct PlanWarning {
    /// Stable code.
    pub code: String,
    /// The field concerned.
    pub path: String,
    /// For a person.
    pub message: String,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// The day it was computed for.
    #[serde(serialize_with = "crate::date::ser")]
    pub as_of: NaiveDate,
    /// The policy used.
    pub policy_id: String,
    /// One timeline per invoice, in ledger order.
    pub invoices: Vec<InvoiceTimeline>,
    /// Every message, by date then debtor.
    pub contacts: Vec<Contact>,
    /// Warnings.
    pub warnings: Vec<PlanWarning>,
    /// Work the debtors' answers give people (read a reply, check an "already paid", fix an
    /// address), by debtor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub tasks: Vec<AnswerTask>,
}

// ---- scheduling -------------------------------------------------------------------------------

/// One thing to schedule for an invoice, before dates are known.
struct Event<'p> {
    step_id: String,
    kind: EventKind,
    channel: Channel,
    template: &'p str,
    level: u8,
    tone: Tone,
    deadline_days: Option<u32>,
    anchor: EventAnchor<'p>,
}

enum EventAnchor<'p> {
    Policy {
        anchor: Anchor,
        offset: i32,
        unit: DayUnit,
        conditions: &'p Conditions,
    },
    /// Instalment reminder on a fixed date; not needed once `cumulative_due` is paid by then, and
    /// not sent after `latest` (a reminder of an instalment to come, after that instalment).
    Fixed {
        date: NaiveDate,
        cumulative_due: Decimal,
        latest: Option<NaiveDate>,
    },
    /// The end of the invoice's promise number `index` (0-based): the day after its promised date
    /// plus the grace, or the day a newer promise replaced it.
    Promise {
        index: usize,
    },
    /// The claim of the penalties still due after the principal was paid late, on `date`.
    Claim {
        date: NaiveDate,
    },
}

/// A promise's days: it holds the steps after `made_on` (a step of that day went out when the
/// day's messages did) to `last_day` (the promised date plus the grace); its event (kept, broken or
/// replaced) on `event_day`.
struct PromiseWindow {
    made_on: NaiveDate,
    last_day: NaiveDate,
    event_day: NaiveDate,
    replaced: bool,
}

struct Scheduled {
    event_index: usize,
    nominal: NaiveDate,
    date: NaiveDate,
    /// The channel it goes out by (the event's, unless rerouted after bounces).
    channel: Channel,
    changes: Vec<DateChange>,
    status: StepStatus,
    contact_key: Option<String>,
}

struct InvoiceState<'l, 'p> {
    inv: &'l CheckedInvoice<'l>,
    events: Vec<Event<'p>>,
    done: Vec<Scheduled>,
    /// The date of the last step, sent or not: the policy's steps follow it (a skipped or
    /// replaced step keeps the path's rhythm).
    prev_date: Option<NaiveDate>,
    /// The date of the last step that was not replaced by a payment plan: instalment reminders
    /// follow it only, since replaced steps never happen.
    last_kept: Option<NaiveDate>,
    /// The last day a message about it went out.
    last_contact: Option<NaiveDate>,
    /// How many of the invoice's promises are placed among `events` (in the order they were made).
    promises_placed: usize,
}

impl InvoiceState<'_, '_> {
    fn note_step(&mut self, step: &Scheduled) {
        self.prev_date = Some(step.date);
        if step.status != StepStatus::ReplacedByPlan {
            self.last_kept = Some(step.date);
        }
    }

    /// True when the last step placed is the end of a promise: the next one resumes after it.
    fn follows_promise(&self) -> bool {
        let last = self.done.last().and_then(|s| self.events.get(s.event_index));
        last.is_some_and(|e| e.kind == EventKind::PromiseBroken)
    }

    /// True when event `index` is the end of a promise (the next promise comes after it).
    fn ends_promise(&self, index: usize) -> bool {
        self.events.get(index).is_some_and(|e| e.kind == EventKind::PromiseBroken)
    }

    /// True when the next promise not yet placed holds a step on `day`, made before it (`None`: the
    /// path is over, so any promise left comes now).
    fn promise_due(&self, day: Option<NaiveDate>) -> bool {
        let next = self.inv.invoice.promises.get(self.promises_placed);
        next.is_some_and(|p| day.is_none_or(|d| p.made_on < d))
    }

    /// Places the next promise's end at `index`, before the event that would have come there.
    fn place_promise(&mut self, index: usize) {
        let n = self.promises_placed + 1;
        let event = Event {
            step_id: format!("promise-{n}-broken"),
            kind: EventKind::PromiseBroken,
            channel: Channel::Email,
            template: "promise_broken",
            level: 3,
            tone: Tone::Firm,
            deadline_days: None,
            anchor: EventAnchor::Promise { index: self.promises_placed },
        };
        self.events.insert(index.min(self.events.len()), event);
        self.promises_placed += 1;
    }
}

struct Ctx<'a> {
    policy: &'a Policy,
    calendar: CalendarId,
    debtor: &'a CheckedDebtor<'a>,
    answers: Answers,
    /// Prices the penalties a claim asks for.
    penalties: Pricing<'a>,
}

/// What prices the penalties of the ledger's invoices.
#[derive(Clone, Copy)]
struct Pricing<'a> {
    creditor_country: &'a str,
    rates: &'a Rates,
}

impl<'a> Pricing<'a> {
    fn of(ledger: &'a Ledger, rates: &'a Rates) -> Pricing<'a> {
        Pricing { creditor_country: &ledger.creditor.address.country, rates }
    }

    /// Interest and indemnity `inv` still owes on `day` beside its principal (`None`: a rate is
    /// not known yet).
    fn due(&self, inv: &CheckedInvoice<'_>, day: NaiveDate) -> Option<Decimal> {
        crate::penalty::penalties_due(inv, self.creditor_country, day, self.rates)
    }
}

/// Errors about an invoice are rooted at the `ledger` argument, like every ledger error.
fn err_at(inv: &CheckedInvoice<'_>, e: Error) -> Error {
    e.within(&format!("ledger.invoices[{}]", inv.index))
}

/// The invoice an error of `plan` or `due_actions` is about, as its index in the ledger given, and
/// the field within it: `ledger.invoices[3].currency` is `(3, "currency")`.
pub fn invoice_of(e: &Error) -> Option<(usize, &str)> {
    let (index, rest) = e.path().strip_prefix("ledger.invoices[")?.split_once(']')?;
    Some((index.parse().ok()?, rest.trim_start_matches('.')))
}

fn add(ctx: &Ctx<'_>, from: NaiveDate, offset: i32, unit: DayUnit) -> Result<NaiveDate> {
    match unit {
        DayUnit::CalendarDays => {
            date::add_days(from, i64::from(offset)).filter(|d| date::check_year(*d).is_ok()).ok_or_else(|| {
                Error::new(ErrorCode::DateOutOfRange, "", format!("{from} + {offset} days leaves the supported years"))
            })
        }
        DayUnit::BusinessDays => calendar::add_business_days(ctx.calendar, from, offset),
    }
}

fn events_for<'p>(policy: &'p Policy, inv: &CheckedInvoice<'_>) -> Vec<Event<'p>> {
    let mut events: Vec<Event<'p>> = policy
        .steps
        .iter()
        .map(|s| Event {
            step_id: s.id.clone(),
            kind: EventKind::PolicyStep,
            channel: s.channel,
            template: &s.template,
            level: s.level,
            tone: s.tone,
            deadline_days: s.deadline_days,
            anchor: EventAnchor::Policy { anchor: s.anchor, offset: s.offset, unit: s.unit, conditions: &s.conditions },
        })
        .collect();
    if let Some(plan) = &inv.invoice.payment_plan {
        let r = policy.instalment_reminders;
        let mut cumulative = Decimal::ZERO;
        for (i, inst) in plan.instalments.iter().enumerate() {
            cumulative += inst.amount.value();
            let n = i + 1;
            let before =
                date::add_days(inst.due_date, -i64::from(r.days_before)).unwrap_or(inst.due_date).max(plan.agreed_on);
            let after = date::add_days(inst.due_date, i64::from(r.days_after_missed)).unwrap_or(inst.due_date);
            for (kind, date, latest, name, level, tone) in [
                (EventKind::InstalmentUpcoming, before, Some(inst.due_date), "upcoming", 1, Tone::Courteous),
                (EventKind::InstalmentMissed, after, None, "missed", 3, Tone::Firm),
            ] {
                events.push(Event {
                    step_id: format!("instalment-{n}-{name}"),
                    kind,
                    channel: Channel::Email,
                    template: if kind == EventKind::InstalmentUpcoming {
                        "instalment_upcoming"
                    } else {
                        "instalment_missed"
                    },
                    level,
                    tone,
                    deadline_days: None,
                    anchor: EventAnchor::Fixed { date, cumulative_due: cumulative, latest },
                });
            }
        }
    }
    events.extend(claim_events(&policy.penalty_claim, inv));
    events
}

/// The claim of the penalties of an invoice whose principal was paid after its due date, and the
/// claim's reminders, when the policy asks for them.
fn claim_events<'p>(claim: &policy::PenaltyClaim, inv: &CheckedInvoice<'_>) -> Vec<Event<'p>> {
    let Some(paid) = inv.settled_on().filter(|d| claim.enabled && *d > inv.due_date) else {
        return Vec::new();
    };
    let Some(first) = date::add_days(paid, i64::from(claim.after_days)) else { return Vec::new() };
    std::iter::once(0)
        .chain(claim.follow_up_days.iter().copied())
        .enumerate()
        .filter_map(|(n, after)| {
            Some(Event {
                step_id: if n == 0 { "penalty-claim".to_owned() } else { format!("penalty-claim-{}", n + 1) },
                kind: EventKind::PenaltyClaim,
                channel: Channel::Email,
                template: "penalty_claim",
                level: if n == 0 { 2 } else { 3 },
                tone: if n == 0 { Tone::Friendly } else { Tone::Firm },
                deadline_days: Some(15),
                anchor: EventAnchor::Claim { date: date::add_days(first, i64::from(after))? },
            })
        })
        .collect()
}

/// True when a message about `inv` for step `step_id` may still go out on `day`: no dispute is
/// open, and the principal is still owed, or, for the claim of penalties after a late payment and
/// its reminders, penalties are (see `penalty::InvoiceStatus`).
pub fn step_still_wanted(
    inv: &CheckedInvoice<'_>,
    step_id: &str,
    day: NaiveDate,
    creditor_country: &str,
    rates: &Rates,
) -> bool {
    if inv.disputed_on(day) {
        return false;
    }
    match crate::penalty::invoice_status(inv, creditor_country, day, rates) {
        InvoiceStatus::Open => !policy::is_claim_step(step_id),
        InvoiceStatus::PaidPenaltiesDue => policy::is_claim_step(step_id),
        InvoiceStatus::Paid => false,
    }
}

/// Paid and credited on or before `day` (whatever it paid first), measured against instalments.
fn settled_amount(inv: &CheckedInvoice<'_>, day: NaiveDate) -> Decimal {
    inv.received_between(inv.invoice.issue_date, day).value()
}

impl EventAnchor<'_> {
    /// A debtor's answer holds the policy's steps and the claim of penalties (not the reminders
    /// of a plan or a promise the debtor set).
    fn pausable(&self) -> bool {
        matches!(self, EventAnchor::Policy { .. } | EventAnchor::Claim { .. })
    }
}

impl<'a> Ctx<'a> {
    /// Applies the dispute pause and the business-day rule to `date`; `since` is the anchor's date:
    /// only disputes opened after it shift the step.
    fn settle(
        &self,
        inv: &CheckedInvoice<'_>,
        mut date: NaiveDate,
        since: NaiveDate,
        post_due: bool,
        floor: Option<NaiveDate>,
        changes: &mut Vec<DateChange>,
    ) -> Result<(NaiveDate, bool)> {
        for dispute in &inv.disputes {
            if dispute.opened_on > since && dispute.opened_on <= date {
                match dispute.closed_on {
                    None => return Ok((date, true)),
                    Some(closed) => {
                        let pause = (closed - dispute.opened_on).num_days();
                        date =
                            date::add_days(date, pause).filter(|d| date::check_year(*d).is_ok()).ok_or_else(|| {
                                Error::new(
                                    ErrorCode::DateOutOfRange,
                                    "disputes",
                                    "a dispute pushes a step outside the supported years",
                                )
                            })?;
                        if pause > 0 && !changes.contains(&DateChange::DisputePause) {
                            changes.push(DateChange::DisputePause);
                        }
                    }
                }
            }
        }
        // Off weekends and holidays; a move may land inside a dispute, so step past it and adjust
        // again (forward only then). Disputes do not overlap, so each turn moves past one of them.
        let mut adjustment = self.policy.business_day_adjustment;
        for _ in 0..=inv.invoice.disputes.len() {
            if adjustment != Adjustment::None && !calendar::is_business_day(self.calendar, date)? {
                let mut moved = calendar::adjust(self.calendar, date, adjustment)?;
                let too_early = (post_due && moved <= inv.due_date) || floor.is_some_and(|f| moved < f);
                if too_early {
                    moved = calendar::adjust(self.calendar, date, Adjustment::Forward)?;
                }
                date = moved;
                if !changes.contains(&DateChange::BusinessDay) {
                    changes.push(DateChange::BusinessDay);
                }
            }
            let inside =
                inv.invoice.disputes.iter().find(|d| d.opened_on <= date && d.closed_on.is_none_or(|c| date < c));
            match inside {
                None => return Ok((date, false)),
                Some(d) => match d.closed_on {
                    None => return Ok((date, true)),
                    Some(closed) => {
                        date = closed;
                        adjustment =
                            if adjustment == Adjustment::None { Adjustment::None } else { Adjustment::Forward };
                        if !changes.contains(&DateChange::DisputePause) {
                            changes.push(DateChange::DisputePause);
                        }
                    }
                },
            }
        }
        Ok((date, false))
    }

    /// The date and status of an invoice's next event, before the per-debtor gap.
    fn candidate(&self, st: &InvoiceState<'_, '_>, index: usize) -> Result<Option<Scheduled>> {
        let Some(ev) = st.events.get(index) else { return Ok(None) };
        let inv = st.inv;
        let issue = inv.invoice.issue_date;
        let mut changes = Vec::new();
        let (nominal, since, post_due) = match &ev.anchor {
            EventAnchor::Policy { anchor, offset, unit, .. } => {
                let base = match anchor {
                    Anchor::IssueDate => issue,
                    Anchor::DueDate => inv.due_date,
                    Anchor::PreviousStep => st.prev_date.unwrap_or(inv.due_date),
                };
                let nominal = add(self, base, *offset, *unit).map_err(|e| err_at(inv, e))?;
                let since = match anchor {
                    Anchor::PreviousStep => st.prev_date.unwrap_or(issue),
                    _ => date::add_days(issue, -1).unwrap_or(issue),
                };
                let post_due = nominal > inv.due_date;
                (nominal, since, post_due)
            }
            EventAnchor::Fixed { date, .. } => (*date, date::add_days(issue, -1).unwrap_or(issue), false),
            EventAnchor::Claim { date } => (*date, date::add_days(issue, -1).unwrap_or(issue), true),
            EventAnchor::Promise { index } => {
                let w = self.promise_window(inv, *index).ok_or_else(|| {
                    let path = format!("promises[{index}].promisedDate");
                    err_at(
                        inv,
                        Error::new(ErrorCode::DateOutOfRange, path, "the promise ends outside the supported years"),
                    )
                })?;
                (w.event_day, w.made_on, w.event_day > inv.due_date)
            }
        };
        let mut date = nominal;
        let previous = match ev.anchor {
            EventAnchor::Policy { .. } | EventAnchor::Promise { .. } => st.prev_date,
            EventAnchor::Fixed { .. } => st.last_kept,
            // Not held by the steps the payment cancelled: only by messages that went out.
            EventAnchor::Claim { .. } => st.last_contact,
        };
        if let Some(prev) = previous {
            if date < prev {
                date = prev;
                changes.push(if st.follows_promise() { DateChange::PromisePause } else { DateChange::AfterPrevious });
            }
        }
        let pausable = ev.anchor.pausable();
        let (date, suspended) = self
            .hold_and_settle(inv, date, since, post_due, st.prev_date, pausable, &mut changes)
            .map_err(|e| err_at(inv, e))?;
        let (status, channel) = self.status_on(st, ev, date, suspended);
        Ok(Some(Scheduled { event_index: index, nominal, date, channel, changes, status, contact_key: None }))
    }

    /// When promise `index` of `inv` is open and when its event falls.
    fn promise_window(&self, inv: &CheckedInvoice<'_>, index: usize) -> Option<PromiseWindow> {
        let promise = inv.invoice.promises.get(index)?;
        let grace = i64::from(self.policy.answers.promise_grace_days);
        let last_day = date::add_days(promise.promised_date, grace)?;
        let day_after = date::add_days(last_day, 1).filter(|d| date::check_year(*d).is_ok())?;
        // A newer promise holds from the day after it was made: this one ends then.
        let replaced_on = inv.invoice.promises.get(index + 1).map(|next| next.made_on).filter(|d| *d <= last_day);
        Some(PromiseWindow {
            made_on: promise.made_on,
            last_day,
            event_day: replaced_on.map_or(day_after, |d| d.succ_opt().unwrap_or(d)),
            replaced: replaced_on.is_some(),
        })
    }

    /// [`Ctx::settle`], after holding a policy step (`pausable`) for the debtor's answers; again
    /// while a move off a holiday or a dispute lands it in a reply's pause.
    #[allow(clippy::too_many_arguments)]
    fn hold_and_settle(
        &self,
        inv: &CheckedInvoice<'_>,
        mut date: NaiveDate,
        since: NaiveDate,
        post_due: bool,
        floor: Option<NaiveDate>,
        pausable: bool,
        changes: &mut Vec<DateChange>,
    ) -> Result<(NaiveDate, bool)> {
        loop {
            if pausable {
                date = self.hold_for_replies(date, changes);
            }
            let (settled, suspended) = self.settle(inv, date, since, post_due, floor.max(Some(date)), changes)?;
            if !pausable || suspended || settled == date || self.hold_for_replies(settled, &mut Vec::new()) == settled {
                return Ok((settled, suspended));
            }
            date = settled;
        }
    }

    /// Holds a step after the debtor's answers: at least `replyPauseDays` after each answer made
    /// on or before it.
    fn hold_for_replies(&self, mut date: NaiveDate, changes: &mut Vec<DateChange>) -> NaiveDate {
        let pause = i64::from(self.policy.answers.reply_pause_days);
        while let Some(held) = self.answers.last_answer_by(date).and_then(|r| date::add_days(r, pause)) {
            if held <= date {
                break;
            }
            date = held;
            if !changes.contains(&DateChange::ReplyPause) {
                changes.push(DateChange::ReplyPause);
            }
        }
        date
    }

    /// The status of an event on `date` and the channel it goes out by.
    fn status_on(
        &self,
        st: &InvoiceState<'_, '_>,
        ev: &Event<'_>,
        date: NaiveDate,
        suspended: bool,
    ) -> (StepStatus, Channel) {
        let status = self.status_before_routing(st, ev, date, suspended);
        if ev.channel != Channel::Email || !status.is_contact() || !self.debtor.every_email_bounced(date) {
            return (status, ev.channel);
        }
        match self.debtor.debtor.contacts.postal_address {
            Some(_) => (status, Channel::Letter),
            None => (StepStatus::NoAddress, ev.channel),
        }
    }

    fn status_before_routing(
        &self,
        st: &InvoiceState<'_, '_>,
        ev: &Event<'_>,
        date: NaiveDate,
        suspended: bool,
    ) -> StepStatus {
        let inv = st.inv;
        let outstanding = inv.outstanding_on(date);
        match &ev.anchor {
            EventAnchor::Policy { conditions, .. } => {
                if inv.invoice.payment_plan.as_ref().is_some_and(|p| date >= p.agreed_on) {
                    StepStatus::ReplacedByPlan
                } else if !outstanding.is_positive() {
                    StepStatus::CancelledPaid
                } else if suspended {
                    StepStatus::SuspendedDispute
                } else if conditions.min_outstanding.is_some_and(|m| outstanding < m)
                    || (!conditions.debtor_kinds.is_empty()
                        && !conditions.debtor_kinds.contains(&self.debtor.debtor.kind))
                {
                    StepStatus::SkippedCondition
                } else if conditions.no_reply_for_days.is_some_and(|days| {
                    let window = date::add_days(date, -i64::from(days)).unwrap_or(date);
                    let since = st.prev_date.unwrap_or(inv.invoice.issue_date).min(window);
                    self.answers.answered_between(since, date)
                }) {
                    StepStatus::SkippedAnswered
                } else {
                    StepStatus::Upcoming
                }
            }
            EventAnchor::Promise { index } => {
                let (Some(promise), Some(w)) = (inv.invoice.promises.get(*index), self.promise_window(inv, *index))
                else {
                    return StepStatus::PromiseKept;
                };
                if w.replaced {
                    StepStatus::PromiseReplaced
                } else if !outstanding.is_positive() {
                    StepStatus::CancelledPaid
                } else if crate::answers::promise_paid(inv, promise, w.last_day) {
                    StepStatus::PromiseKept
                } else if suspended {
                    StepStatus::SuspendedDispute
                } else {
                    StepStatus::Upcoming
                }
            }
            EventAnchor::Claim { .. } => {
                let due = self.penalties.due(inv, date);
                let claim = &self.policy.penalty_claim;
                if due.is_some_and(|d| d <= Decimal::ZERO) {
                    StepStatus::CancelledPaid
                } else if due.zip(claim.min_amount).is_some_and(|(d, m)| d < m.value()) {
                    StepStatus::SkippedCondition
                } else if suspended {
                    StepStatus::SuspendedDispute
                } else {
                    // A rate not known yet: the claim waits for it (its message cannot be written).
                    StepStatus::Upcoming
                }
            }
            EventAnchor::Fixed { cumulative_due, latest, .. } => {
                if !outstanding.is_positive() || settled_amount(inv, date) >= *cumulative_due {
                    StepStatus::CancelledPaid
                } else if latest.is_some_and(|l| date > l) {
                    // Pushed past its own instalment (by earlier contacts and the minimum gap): a
                    // reminder of what is to come cannot go out after it.
                    StepStatus::SkippedCondition
                } else if suspended {
                    StepStatus::SuspendedDispute
                } else {
                    // A missed-instalment reminder is only known to be needed on its date: `plan`
                    // marks it Conditional while that date is after asOf.
                    StepStatus::Upcoming
                }
            }
        }
    }
}

/// True when a promise to pay `inv` holds a step on `day`: made before that day, and neither past
/// its promised date plus the grace nor replaced by a newer one.
fn promise_open_on(policy: &Policy, inv: &CheckedInvoice<'_>, day: NaiveDate) -> bool {
    let promises = &inv.invoice.promises;
    let grace = i64::from(policy.answers.promise_grace_days);
    promises.iter().enumerate().any(|(k, p)| {
        let replaced = promises.get(k + 1).is_some_and(|next| next.made_on < day);
        p.made_on < day && !replaced && date::add_days(p.promised_date, grace).is_some_and(|last| day <= last)
    })
}

fn send_time(tz: Zone, day: NaiveDate, hour: u32) -> Result<DateTime<Utc>> {
    // A start hour inside a DST gap (none in Europe at business hours) moves to the next valid hour.
    for h in hour..hour.saturating_add(3) {
        let time = NaiveTime::from_hms_opt(h.min(23), 0, 0).unwrap_or(NaiveTime::MIN);
        if let Some(t) = tz.earliest(day.and_time(time)) {
            return Ok(t);
        }
    }
    Err(Error::new(
        ErrorCode::OutOfRange,
        "sendWindow.startHour",
        format!("no valid local time at {hour}:00 on {day} in {tz}"),
    ))
}

/// The idempotency key of a message: the same debtor and invoice-steps give the same key, on every
/// platform (SHA-256 of a canonical text, hex, 32 characters).
pub fn contact_key(debtor_id: &str, items: &[ItemRef]) -> String {
    let mut sorted: Vec<&ItemRef> = items.iter().collect();
    sorted.sort();
    let mut h = Sha256::new();
    h.update(b"relance/contact/v1\n");
    h.update(debtor_id.as_bytes());
    for item in sorted {
        h.update(b"\n");
        h.update(item.invoice_id.as_bytes());
        h.update(b"\t");
        h.update(item.step_id.as_bytes());
    }
    let mut key = String::with_capacity(3 + 32);
    key.push_str("rl_");
    for byte in h.finalize().iter().take(16) {
        for digit in [byte >> 4, byte & 0xf] {
            key.extend(char::from_digit(u32::from(digit), 16));
        }
    }
    key
}

/// What scheduling one debtor produces.
struct DebtorSchedule<'l, 'p> {
    states: Vec<InvoiceState<'l, 'p>>,
    contacts: Vec<RawContact>,
}

struct RawContact {
    date: NaiveDate,
    members: Vec<(usize, usize)>, // (state index, done index)
}

fn schedule_debtor<'l, 'p>(
    policy: &'p Policy,
    debtor: &'l CheckedDebtor<'l>,
    invoices: Vec<&'l CheckedInvoice<'l>>,
    penalties: Pricing<'_>,
) -> Result<DebtorSchedule<'l, 'p>> {
    let answers = Answers::of(debtor, policy.send_window.start_hour);
    let ctx = Ctx { policy, calendar: debtor.calendar, debtor, answers, penalties };
    let mut states: Vec<InvoiceState<'l, 'p>> = invoices
        .into_iter()
        .map(|inv| InvoiceState {
            inv,
            events: events_for(policy, inv),
            done: Vec::new(),
            prev_date: None,
            last_kept: None,
            last_contact: None,
            promises_placed: 0,
        })
        .collect();
    let mut heap: BinaryHeap<Reverse<(NaiveDate, usize)>> = BinaryHeap::new();
    let mut pending: Vec<Option<Scheduled>> = Vec::with_capacity(states.len());
    // Finalizes every non-contact event at the head of an invoice and returns its next contact.
    let advance = |st: &mut InvoiceState<'l, 'p>, from: usize| -> Result<Option<Scheduled>> {
        let mut index = from;
        loop {
            let mut next = ctx.candidate(st, index)?;
            if !st.ends_promise(index) && st.promise_due(next.as_ref().map(|c| c.date)) {
                st.place_promise(index);
                next = ctx.candidate(st, index)?;
            }
            let Some(c) = next else { break };
            if c.status.is_contact() {
                return Ok(Some(c));
            }
            // A suspended step stops the timeline until the dispute closes.
            let stop = c.status == StepStatus::SuspendedDispute;
            st.note_step(&c);
            st.done.push(c);
            if stop {
                let date = st.prev_date.unwrap_or(st.inv.due_date);
                for i in index + 1..st.events.len() {
                    st.done.push(Scheduled {
                        event_index: i,
                        nominal: date,
                        date,
                        channel: st.events.get(i).map_or(Channel::Email, |e| e.channel),
                        changes: Vec::new(),
                        status: StepStatus::SuspendedDispute,
                        contact_key: None,
                    });
                }
                return Ok(None);
            }
            index += 1;
        }
        Ok(None)
    };
    for (i, st) in states.iter_mut().enumerate() {
        let next = advance(st, 0)?;
        if let Some(c) = &next {
            heap.push(Reverse((c.date, i)));
        }
        pending.push(next);
    }
    let gap = i64::from(policy.min_gap_days);
    let mut last_contact: Option<NaiveDate> = None;
    let mut contacts = Vec::new();
    while let Some(Reverse((first_date, first))) = heap.pop() {
        // Keep the gap with the previous contact; re-settle a moved date (disputes, business days, payment).
        let date = first_date;
        if let Some(last) = last_contact {
            let earliest = date::add_days(last, gap).unwrap_or(last);
            if date < earliest {
                let (Some(slot), Some(st)) = (pending.get_mut(first), states.get_mut(first)) else { continue };
                let Some(c) = slot.as_mut() else { continue };
                let mut changes = std::mem::take(&mut c.changes);
                changes.push(DateChange::MinGap);
                let post_due = c.nominal > st.inv.due_date;
                let ev = st.events.get(c.event_index);
                let pausable = ev.is_some_and(|e| e.anchor.pausable());
                let (moved, suspended) = ctx
                    .hold_and_settle(st.inv, earliest, c.date, post_due, Some(earliest), pausable, &mut changes)
                    .map_err(|e| err_at(st.inv, e))?;
                if !st.ends_promise(c.event_index) && st.promise_due(Some(moved)) {
                    // Pushed past the day a promise was made: the promise's end comes first.
                    let index = c.event_index;
                    st.place_promise(index);
                    *slot = advance(st, index)?;
                    if let Some(n) = slot.as_ref() {
                        heap.push(Reverse((n.date, first)));
                    }
                    continue;
                }
                let (status, channel) =
                    ev.map(|ev| ctx.status_on(st, ev, moved, suspended)).unwrap_or((StepStatus::Upcoming, c.channel));
                c.status = status;
                c.channel = channel;
                c.changes = changes;
                c.date = moved;
                if !c.status.is_contact() {
                    // No longer a contact (paid or suspended meanwhile): finalize and move on.
                    let done = pending.get_mut(first).and_then(Option::take);
                    if let (Some(st), Some(done)) = (states.get_mut(first), done) {
                        let next_index = done.event_index + 1;
                        st.note_step(&done);
                        st.done.push(done);
                        let next = advance(st, next_index)?;
                        if let Some(n) = &next {
                            heap.push(Reverse((n.date, first)));
                        }
                        if let Some(slot) = pending.get_mut(first) {
                            *slot = next;
                        }
                    }
                    continue;
                }
                heap.push(Reverse((moved, first)));
                continue;
            }
        }
        // Members: this invoice and, when grouping, every other invoice due by this date.
        let mut members = vec![first];
        if policy.grouping {
            while let Some(Reverse((d, i))) = heap.peek().copied() {
                if d > date {
                    break;
                }
                heap.pop();
                members.push(i);
            }
            members.sort();
            one_currency(debtor, members.iter().filter_map(|&m| states.get(m).map(|st| st.inv)))?;
        }
        let mut raw = RawContact { date, members: Vec::with_capacity(members.len()) };
        for m in members {
            let (Some(st), Some(slot)) = (states.get_mut(m), pending.get_mut(m)) else { continue };
            let Some(mut c) = slot.take() else { continue };
            if c.date != date {
                c.date = date;
                if !c.changes.contains(&DateChange::MinGap) {
                    c.changes.push(DateChange::MinGap);
                }
            }
            let next_index = c.event_index + 1;
            st.prev_date = Some(date);
            st.last_kept = Some(date);
            st.last_contact = Some(date);
            st.done.push(c);
            raw.members.push((m, st.done.len() - 1));
            let next = advance(st, next_index)?;
            if let Some(n) = &next {
                heap.push(Reverse((n.date, m)));
            }
            *slot = next;
        }
        last_contact = Some(date);
        contacts.push(raw);
    }
    Ok(DebtorSchedule { states, contacts })
}

/// The one currency of the invoices that go into a grouped message; several is an input error.
fn one_currency<'x>(
    debtor: &CheckedDebtor<'_>,
    mut invoices: impl Iterator<Item = &'x CheckedInvoice<'x>>,
) -> Result<Currency> {
    let first = invoices.next().map(|i| i.invoice.currency.clone()).unwrap_or_else(Currency::eur);
    match invoices.find(|i| i.invoice.currency != first) {
        None => Ok(first),
        Some(other) => Err(Error::new(
            ErrorCode::MixedCurrencies,
            format!("ledger.invoices[{}].currency", other.index),
            format!(
                "debtor `{}` would get one grouped message with invoices in several currencies; turn grouping off or bill in one currency",
                debtor.debtor.id
            ),
        )),
    }
}

fn group_by_debtor<'l>(checked: &'l CheckedLedger<'l>) -> Vec<Vec<&'l CheckedInvoice<'l>>> {
    let mut by_debtor: Vec<Vec<&CheckedInvoice<'_>>> = vec![Vec::new(); checked.debtors.len()];
    for inv in &checked.invoices {
        if let Some(list) = by_debtor.get_mut(inv.debtor_index) {
            list.push(inv);
        }
    }
    by_debtor
}

fn status_for(date: NaiveDate, as_of: NaiveDate) -> StepStatus {
    match date.cmp(&as_of) {
        std::cmp::Ordering::Less => StepStatus::Past,
        std::cmp::Ordering::Equal => StepStatus::Today,
        std::cmp::Ordering::Greater => StepStatus::Upcoming,
    }
}

fn deadline(ev: &Event<'_>, from: NaiveDate, calendar: CalendarId) -> Result<Option<NaiveDate>> {
    ev.deadline_days
        .map(|days| {
            let end = date::add_days(from, i64::from(days)).unwrap_or(from);
            calendar::adjust(calendar, end, Adjustment::Forward)
        })
        .transpose()
}

/// Plans every invoice of `ledger` under `policy`: the whole timeline, past and future, seen from
/// `as_of`, with the built-in rate tables (see `plan_with_rates`).
pub fn plan(ledger: &Ledger, policy: &CheckedPolicy, as_of: NaiveDate) -> Result<Plan> {
    plan_with_rates(ledger, policy, as_of, crate::penalty::builtin_rates()?)
}

/// [`plan`] with `rates` (the built-in tables and the newer rows in force): they price what a
/// partial payment paid first, and the penalties a claim asks for.
pub fn plan_with_rates(ledger: &Ledger, policy: &CheckedPolicy, as_of: NaiveDate, rates: &Rates) -> Result<Plan> {
    date::check_year(as_of).map_err(|e| e.within("asOf"))?;
    let checked = ledger.check_with_rates(rates).map_err(|e| e.within("ledger"))?;
    let pricing = Pricing::of(ledger, rates);
    let policy = policy.policy();
    let mut timelines: Vec<Option<InvoiceTimeline>> = vec![None; checked.invoices.len()];
    let mut contacts = Vec::new();
    let mut warnings = Vec::new();
    let mut tasks = Vec::new();
    for (di, invoices) in group_by_debtor(&checked).into_iter().enumerate() {
        let Some(debtor) = checked.debtors.get(di) else { continue };
        tasks.extend(crate::answers::debtor_tasks(di, debtor));
        if debtor.calendar_is_fallback && !invoices.is_empty() {
            warnings.push(PlanWarning {
                code: "no_holiday_calendar".into(),
                path: format!("ledger.debtors[{di}].country"),
                message: format!("no public-holiday calendar for {}: only weekends are skipped", debtor.debtor.country),
            });
        }
        let mut sched = schedule_debtor(policy, debtor, invoices, pricing)?;
        // Contacts: keys, send times and the highest step of each.
        for raw in &sched.contacts {
            let items: Vec<ItemRef> = raw
                .members
                .iter()
                .filter_map(|(s, d)| {
                    let st = sched.states.get(*s)?;
                    let ev = st.events.get(st.done.get(*d)?.event_index)?;
                    Some(ItemRef { invoice_id: st.inv.invoice.id.clone(), step_id: ev.step_id.clone() })
                })
                .collect();
            let key = contact_key(&debtor.debtor.id, &items);
            let mut lead: Option<(&Event<'_>, Channel)> = None;
            let mut total = Decimal::ZERO;
            let mut currency = Currency::eur();
            for (s, d) in &raw.members {
                let Some(st) = sched.states.get(*s) else { continue };
                let Some(done) = st.done.get(*d) else { continue };
                let Some(ev) = st.events.get(done.event_index) else { continue };
                total += st.inv.outstanding_on(raw.date).value();
                currency = st.inv.invoice.currency.clone();
                if lead.is_none_or(|(l, _)| ev.level >= l.level) {
                    lead = Some((ev, done.channel));
                }
            }
            let Some((lead, channel)) = lead else { continue };
            let contact = Contact {
                key: key.clone(),
                debtor_id: debtor.debtor.id.clone(),
                date: raw.date,
                send_at: send_time(debtor.time_zone, raw.date, policy.send_window.start_hour)?,
                channel,
                template: lead.template.to_owned(),
                level: lead.level,
                tone: lead.tone,
                items,
                total_outstanding: Amount(total).to_minor_units(&currency),
                currency,
                deadline_date: deadline(lead, raw.date, debtor.calendar)?,
                status: status_for(raw.date, as_of),
            };
            contacts.push(contact);
            for (s, d) in &raw.members {
                if let Some(done) = sched.states.get_mut(*s).and_then(|st| st.done.get_mut(*d)) {
                    done.contact_key = Some(key.clone());
                }
            }
        }
        for st in sched.states {
            let inv = st.inv;
            let mut steps = Vec::with_capacity(st.done.len());
            for s in st.done {
                let Some(ev) = st.events.get(s.event_index) else { continue };
                let mut status = if s.status.is_contact() { status_for(s.date, as_of) } else { s.status };
                let only_if_missed = matches!(ev.kind, EventKind::InstalmentMissed | EventKind::PromiseBroken);
                if only_if_missed && s.status.is_contact() && s.date > as_of {
                    status = StepStatus::Conditional;
                }
                let contact = s.status.is_contact();
                steps.push(TimelineStep {
                    step_id: ev.step_id.clone(),
                    kind: ev.kind,
                    channel: s.channel,
                    rerouted_from: (s.channel != ev.channel).then_some(ev.channel),
                    template: ev.template.to_owned(),
                    level: ev.level,
                    tone: ev.tone,
                    nominal_date: s.nominal,
                    date: s.date,
                    send_at: if contact {
                        Some(send_time(debtor.time_zone, s.date, policy.send_window.start_hour)?)
                    } else {
                        None
                    },
                    changes: s.changes,
                    status,
                    outstanding: inv.outstanding_on(s.date).to_minor_units(&inv.invoice.currency),
                    deadline_date: if contact { deadline(ev, s.date, debtor.calendar)? } else { None },
                    contact_key: s.contact_key,
                });
            }
            let timeline = InvoiceTimeline {
                invoice_id: inv.invoice.id.clone(),
                number: inv.invoice.number.clone(),
                debtor_id: inv.invoice.debtor_id.clone(),
                due_date: inv.due_date,
                currency: inv.invoice.currency.clone(),
                total: inv.invoice.total.to_minor_units(&inv.invoice.currency),
                outstanding: inv.outstanding_on(as_of).to_minor_units(&inv.invoice.currency),
                settled_on: inv.settled_on(),
                term_findings: inv.term_findings.clone(),
                steps,
            };
            if let Some(slot) = timelines.get_mut(inv.index) {
                *slot = Some(timeline);
            }
        }
    }
    contacts.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.debtor_id.cmp(&b.debtor_id)));
    let invoices: Vec<InvoiceTimeline> = timelines.into_iter().flatten().collect();
    warnings.extend(wrong_side_of_due_date(policy, &invoices));
    Ok(Plan { as_of, policy_id: policy.id.clone(), invoices, contacts, warnings, tasks })
}

/// A step whose template is written for the other side of the due date than the day it falls on
/// (a "we have not received your payment" before the invoice is late, a "due soon" after): one
/// warning per step, at the first invoice it happens to.
fn wrong_side_of_due_date(policy: &Policy, invoices: &[InvoiceTimeline]) -> Vec<PlanWarning> {
    let mut out = Vec::new();
    for (i, step) in policy.steps.iter().enumerate() {
        let Some(side) = policy::template_side(&step.template) else { continue };
        let wrong = invoices.iter().find_map(|inv| {
            let entry = inv.steps.iter().find(|s| s.kind == EventKind::PolicyStep && s.step_id == step.id)?;
            let late = entry.date > inv.due_date;
            let (code, when) = match side {
                policy::DueDateSide::After if !late => ("late_message_before_due_date", "on or before"),
                policy::DueDateSide::Before if late => ("early_message_after_due_date", "after"),
                _ => return None,
            };
            let message = format!(
                "step `{}` sends `{}`, written for an invoice {}, on {}: {when} the due date of invoice {} ({})",
                step.id,
                step.template,
                if late { "not yet due" } else { "already late" },
                entry.date,
                inv.number,
                inv.due_date
            );
            Some(PlanWarning { code: code.to_owned(), path: format!("policy.steps[{i}]"), message })
        });
        out.extend(wrong);
    }
    out
}

// ---- what to send now ---------------------------------------------------------------------------

/// A message already sent (or claimed), as the sender records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SentEntry {
    /// The action's idempotency key.
    pub key: String,
    /// When it went out.
    #[serde(deserialize_with = "crate::date::de_instant")]
    pub sent_at: DateTime<Utc>,
    /// The invoice-steps it covered.
    pub items: Vec<ItemRef>,
}

/// Why an action is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct ActionReason {
    /// `scheduled` (on its day) or `catch_up` (late, under the catch-up rule).
    pub code: String,
    /// Days after its planned date.
    pub days_late: i64,
    /// Earlier missed steps that this one replaces (never sent).
    pub superseded: Vec<ItemRef>,
    /// For a person.
    pub message: String,
}

/// One invoice in an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct ActionItem {
    /// Invoice id.
    pub invoice_id: String,
    /// Invoice number.
    pub number: String,
    /// Step id.
    pub step_id: String,
    /// The step's planned date.
    #[serde(serialize_with = "crate::date::ser")]
    pub planned_date: NaiveDate,
    /// Due date.
    #[serde(serialize_with = "crate::date::ser")]
    pub due_date: NaiveDate,
    /// Outstanding now.
    pub outstanding: Amount,
}

/// Something to send now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// Idempotency key: claim it before sending; the provider gets it too.
    pub key: String,
    /// Debtor id.
    pub debtor_id: String,
    /// Channel.
    pub channel: Channel,
    /// Template key.
    pub template: String,
    /// Level.
    pub level: u8,
    /// Tone.
    pub tone: Tone,
    /// The leading step's id.
    pub step_id: String,
    /// The invoices it covers.
    pub items: Vec<ActionItem>,
    /// Currency.
    pub currency: Currency,
    /// Total outstanding now.
    pub total_outstanding: Amount,
    /// For a formal notice: the deadline stated, counted from today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::date::ser_opt")]
    pub deadline_date: Option<NaiveDate>,
    /// Why now.
    pub reason: ActionReason,
}

/// Exactly what must be sent at `now`, given what was already sent: one action per debtor at most
/// when grouping or a gap applies; only the latest missed step of an invoice, and only within the
/// catch-up lateness; never outside the debtor's send window or on a non-business day (when the
/// policy adjusts dates).
pub fn due_actions(
    ledger: &Ledger,
    policy: &CheckedPolicy,
    sent_log: &[SentEntry],
    now: DateTime<Utc>,
) -> Result<Vec<Action>> {
    due_actions_with_rates(ledger, policy, sent_log, now, crate::penalty::builtin_rates()?)
}

/// [`due_actions`] with `rates` (see [`plan_with_rates`]).
pub fn due_actions_with_rates(
    ledger: &Ledger,
    policy: &CheckedPolicy,
    sent_log: &[SentEntry],
    now: DateTime<Utc>,
    rates: &Rates,
) -> Result<Vec<Action>> {
    let checked = ledger.check_with_rates(rates)?;
    let sent = SentIndex::of(ledger, sent_log)?;
    let run = DueRun { policy: policy.policy(), pricing: Pricing::of(ledger, rates), sent: &sent, now };
    let mut actions = Vec::new();
    for (di, invoices) in group_by_debtor(&checked).into_iter().enumerate() {
        let Some(debtor) = checked.debtors.get(di) else { continue };
        if invoices.is_empty() || !run.may_send_to(debtor)? {
            continue;
        }
        let sched = schedule_debtor(run.policy, debtor, invoices, run.pricing)?;
        actions.extend(run.debtor_actions(debtor, &sched)?);
    }
    Ok(actions)
}

/// When a debtor may next have something to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct NextAction {
    /// Debtor id.
    pub debtor_id: String,
    /// `now` when something is due now; otherwise the earliest time something may fall due
    /// without a change of data (never later than the truth: the sender may find nothing then and
    /// ask again); none when nothing will, short of a change of data.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::date::de_instant_opt")]
    pub at: Option<DateTime<Utc>>,
}

/// [`next_actions_with_rates`] with the built-in rate tables.
pub fn next_actions(
    ledger: &Ledger,
    policy: &CheckedPolicy,
    sent_log: &[SentEntry],
    now: DateTime<Utc>,
) -> Result<Vec<NextAction>> {
    next_actions_with_rates(ledger, policy, sent_log, now, crate::penalty::builtin_rates()?)
}

/// For each debtor with invoices in `ledger`, when [`due_actions_with_rates`] may next give it an
/// action, seen at `now` with `sent_log`: what a sender indexes so that a run reads only the
/// debtors due, not the whole book. Every input that moves a date (an invoice, a payment, an
/// answer, the policy, the rates, the log) must make the sender ask again.
pub fn next_actions_with_rates(
    ledger: &Ledger,
    policy: &CheckedPolicy,
    sent_log: &[SentEntry],
    now: DateTime<Utc>,
    rates: &Rates,
) -> Result<Vec<NextAction>> {
    let checked = ledger.check_with_rates(rates)?;
    let sent = SentIndex::of(ledger, sent_log)?;
    let run = DueRun { policy: policy.policy(), pricing: Pricing::of(ledger, rates), sent: &sent, now };
    let mut out = Vec::new();
    for (di, invoices) in group_by_debtor(&checked).into_iter().enumerate() {
        let Some(debtor) = checked.debtors.get(di) else { continue };
        if invoices.is_empty() {
            continue;
        }
        let sched = schedule_debtor(run.policy, debtor, invoices, run.pricing)?;
        let due_now = run.may_send_to(debtor)? && !run.debtor_actions(debtor, &sched)?.is_empty();
        let at = if due_now { Some(now) } else { run.next_time(debtor, &sched)? };
        out.push(NextAction { debtor_id: debtor.debtor.id.clone(), at });
    }
    Ok(out)
}

/// What was sent, as the planner looks it up: the invoice-steps done, and each debtor's last send.
struct SentIndex<'a> {
    done: HashSet<(&'a str, &'a str)>,
    last_sent: HashMap<&'a str, DateTime<Utc>>,
}

impl<'a> SentIndex<'a> {
    fn of(ledger: &'a Ledger, sent_log: &'a [SentEntry]) -> Result<SentIndex<'a>> {
        let mut done: HashSet<(&str, &str)> = HashSet::new();
        let mut last_sent: HashMap<&str, DateTime<Utc>> = HashMap::new();
        let invoice_debtor: HashMap<&str, &str> =
            ledger.invoices.iter().map(|i| (i.id.as_str(), i.debtor_id.as_str())).collect();
        for (i, entry) in sent_log.iter().enumerate() {
            if entry.key.is_empty() || entry.items.is_empty() {
                return Err(Error::new(
                    ErrorCode::InvalidSentLog,
                    format!("sentLog[{i}]"),
                    "an entry needs its key and the invoice-steps it covered",
                ));
            }
            for item in &entry.items {
                done.insert((item.invoice_id.as_str(), item.step_id.as_str()));
                if let Some(debtor) = invoice_debtor.get(item.invoice_id.as_str()) {
                    let slot = last_sent.entry(debtor).or_insert(entry.sent_at);
                    *slot = (*slot).max(entry.sent_at);
                }
            }
        }
        Ok(SentIndex { done, last_sent })
    }

    fn is_done(&self, invoice_id: &str, step_id: &str) -> bool {
        self.done.contains(&(invoice_id, step_id))
    }
}

/// One look at what is due at `now`.
struct DueRun<'a> {
    policy: &'a Policy,
    pricing: Pricing<'a>,
    sent: &'a SentIndex<'a>,
    now: DateTime<Utc>,
}

impl DueRun<'_> {
    /// The debtor's local day at `now`.
    fn today(&self, debtor: &CheckedDebtor<'_>) -> NaiveDate {
        debtor.time_zone.local(self.now).date_naive()
    }

    /// The first day the minimum gap after the debtor's last send allows another.
    fn gap_ends(&self, debtor: &CheckedDebtor<'_>) -> Option<NaiveDate> {
        let last = self.sent.last_sent.get(debtor.debtor.id.as_str())?;
        let last_day = debtor.time_zone.local(*last).date_naive();
        last_day.checked_add_signed(chrono::TimeDelta::days(i64::from(self.policy.min_gap_days)))
    }

    /// Whether anything may go to `debtor` at `now`: inside the send window, on a business day
    /// (when the policy adjusts dates), past the minimum gap since the last send.
    fn may_send_to(&self, debtor: &CheckedDebtor<'_>) -> Result<bool> {
        let p = self.policy;
        let today = self.today(debtor);
        let hour = debtor.time_zone.local(self.now).hour();
        if hour < p.send_window.start_hour || hour >= p.send_window.end_hour {
            return Ok(false);
        }
        if p.business_day_adjustment != Adjustment::None && !calendar::is_business_day(debtor.calendar, today)? {
            return Ok(false);
        }
        Ok(self.gap_ends(debtor).is_none_or(|first| today >= first))
    }

    /// The earliest time after `now` that something of `sched` may fall due: an unsent step's send
    /// time, or, for a step already past and still within the catch-up lateness (held today by an
    /// answer, a promise, the window, a holiday or the gap), the next opening of the send window;
    /// never before the gap since the last send ends.
    fn next_time(&self, debtor: &CheckedDebtor<'_>, sched: &DebtorSchedule<'_, '_>) -> Result<Option<DateTime<Utc>>> {
        let p = self.policy;
        let today = self.today(debtor);
        let opening = |day: NaiveDate| send_time(debtor.time_zone, day, p.send_window.start_hour);
        let next_opening = match opening(today)? {
            t if t > self.now => t,
            _ => opening(today.succ_opt().unwrap_or(today))?,
        };
        let mut next: Option<DateTime<Utc>> = None;
        for st in &sched.states {
            let id = st.inv.invoice.id.as_str();
            // Only the steps after the last one sent can still go out.
            let unsent = st
                .done
                .iter()
                .rev()
                .take_while(|s| st.events.get(s.event_index).is_none_or(|ev| !self.sent.is_done(id, &ev.step_id)));
            for s in unsent.filter(|s| s.status.is_contact()) {
                let at = opening(s.date)?;
                let candidate = if at > self.now {
                    at
                } else if (today - s.date).num_days() <= i64::from(p.catch_up.max_lateness_days) {
                    next_opening
                } else {
                    continue;
                };
                next = Some(next.map_or(candidate, |n| n.min(candidate)));
            }
        }
        let floor = match self.gap_ends(debtor) {
            Some(day) => Some(opening(day)?),
            None => None,
        };
        Ok(next.map(|n| floor.map_or(n, |f| n.max(f))))
    }

    /// The actions due for `debtor` at `now` (its gates, [`Self::may_send_to`], already passed).
    fn debtor_actions(&self, debtor: &CheckedDebtor<'_>, sched: &DebtorSchedule<'_, '_>) -> Result<Vec<Action>> {
        let (p, now, rates) = (self.policy, self.now, self.pricing.rates);
        let country = self.pricing.creditor_country;
        let today = self.today(debtor);
        let mut actions = Vec::new();
        let answers = Answers::of(debtor, p.send_window.start_hour);
        // Per invoice: the latest step due by now and not yet sent; earlier ones are superseded.
        let mut candidates: Vec<(&InvoiceState<'_, '_>, &Scheduled, &Event<'_>, Vec<ItemRef>)> = Vec::new();
        for st in &sched.states {
            let inv = st.inv;
            if inv.disputed_on(today) {
                continue;
            }
            let mut latest: Option<(&Scheduled, &Event<'_>)> = None;
            let mut superseded = Vec::new();
            for s in st.done.iter().filter(|s| s.status.is_contact() && s.date <= today) {
                let Some(ev) = st.events.get(s.event_index) else { continue };
                if self.sent.is_done(&inv.invoice.id, &ev.step_id) {
                    superseded.clear();
                    latest = None;
                    continue;
                }
                if let Some((_, prev)) = latest {
                    superseded.push(ItemRef { invoice_id: inv.invoice.id.clone(), step_id: prev.step_id.clone() });
                }
                latest = Some((s, ev));
            }
            let Some((s, ev)) = latest else { continue };
            if !step_still_wanted(inv, &ev.step_id, today, country, rates) {
                continue;
            }
            if send_time(debtor.time_zone, s.date, p.send_window.start_hour)? > now {
                continue;
            }
            if (today - s.date).num_days() > i64::from(p.catch_up.max_lateness_days) {
                continue;
            }
            if let EventAnchor::Policy { conditions, .. } = &ev.anchor {
                if conditions.min_outstanding.is_some_and(|m| inv.outstanding_on(today) < m) {
                    continue;
                }
                // A late step does not go out over an answer or a promise that came since its day.
                if answers.answered_between(s.date, today) || promise_open_on(p, inv, today) {
                    continue;
                }
            }
            candidates.push((st, s, ev, superseded));
        }
        if candidates.is_empty() {
            return Ok(actions);
        }
        // Grouping: one action with every candidate. Otherwise one per invoice, and only the first
        // when a gap must be kept between contacts.
        let groups: Vec<Vec<usize>> = if p.grouping {
            vec![(0..candidates.len()).collect()]
        } else if p.min_gap_days > 0 {
            let first = (0..candidates.len()).min_by_key(|&i| candidates.get(i).map(|c| (c.1.date, c.0.inv.index)));
            first.map(|i| vec![vec![i]]).unwrap_or_default()
        } else {
            (0..candidates.len()).map(|i| vec![i]).collect()
        };
        for group in groups {
            let members: Vec<_> = group.iter().filter_map(|&i| candidates.get(i)).collect();
            let Some(lead) = members.iter().max_by_key(|(st, s, ev, _)| (ev.level, s.date, Reverse(st.inv.index)))
            else {
                continue;
            };
            let currency = one_currency(debtor, members.iter().map(|(st, ..)| st.inv))?;
            let refs: Vec<ItemRef> = members
                .iter()
                .map(|(st, _, ev, _)| ItemRef { invoice_id: st.inv.invoice.id.clone(), step_id: ev.step_id.clone() })
                .collect();
            let items: Vec<ActionItem> = members
                .iter()
                .map(|(st, s, ev, _)| ActionItem {
                    invoice_id: st.inv.invoice.id.clone(),
                    number: st.inv.invoice.number.clone(),
                    step_id: ev.step_id.clone(),
                    planned_date: s.date,
                    due_date: st.inv.due_date,
                    outstanding: st.inv.outstanding_on(today).to_minor_units(&currency),
                })
                .collect();
            let total: Decimal = members.iter().map(|(st, ..)| st.inv.outstanding_on(today).value()).sum();
            let days_late = members.iter().map(|(_, s, ..)| (today - s.date).num_days()).max().unwrap_or(0);
            let superseded: Vec<ItemRef> = members.iter().flat_map(|(.., sup)| sup.iter().cloned()).collect();
            let lead_ev = lead.2;
            let message = if days_late == 0 {
                format!("step `{}` is planned for today", lead_ev.step_id)
            } else {
                format!("step `{}` was planned {days_late} day(s) ago; the catch-up rule sends it once (at most {} days late){}",
                lead_ev.step_id, p.catch_up.max_lateness_days,
                if superseded.is_empty() { String::new() } else { format!(", replacing {} earlier missed step(s)", superseded.len()) })
            };
            actions.push(Action {
                key: contact_key(&debtor.debtor.id, &refs),
                debtor_id: debtor.debtor.id.clone(),
                channel: lead.1.channel,
                template: lead_ev.template.to_owned(),
                level: lead_ev.level,
                tone: lead_ev.tone,
                step_id: lead_ev.step_id.clone(),
                items,
                total_outstanding: Amount(total).to_minor_units(&currency),
                currency,
                deadline_date: deadline(lead_ev, today, debtor.calendar)?,
                reason: ActionReason {
                    code: if days_late == 0 { "scheduled" } else { "catch_up" }.into(),
                    days_late,
                    superseded,
                    message,
                },
            });
        }
        Ok(actions)
    }
}
