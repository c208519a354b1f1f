//! The compact form of a plan, for callers who ask for it (`compact: true`): the same facts as a
//! [`Plan`], each stated once, in about half the JSON for many invoices (for a single one,
//! `stepTypes` can weigh more than it saves).
//!
//! A full plan repeats itself: every step spells out its policy step's kind, channel, template,
//! level and tone; every message repeats the date, send time, channel, template, level, tone,
//! deadline and status of its lead step, the debtor and currency of its invoice. The compact form
//! leaves a field out when it equals the value it defaults to:
//! - a step's `kind`, `channel`, `template`, `level` and `tone`: those of `stepTypes[stepId]`;
//! - a step's `nominalDate`: its `date` (nothing moved it);
//! - a message's `debtorId`, `date`, `sendAt`, `channel`, `template`, `level`, `tone`, `currency`,
//!   `deadlineDate` and `status`: those of its lead step, `items[lead]` (`lead` is 0 when left
//!   out), and of that step's invoice. A `deadlineDate` of `null` says the message states none
//!   although its lead step does.
//!
//! [`compact`] and [`expand`] are exact inverses (a property test holds them to it on generated
//! ledgers), so nothing is lost; Rust callers expand with [`expand`].

use crate::answers::AnswerTask;
use crate::error::{Error, ErrorCode, Result};
use crate::money::{Amount, Currency};
use crate::planner::{
    Contact, DateChange, EventKind, InvoiceTimeline, ItemRef, Plan, PlanWarning, StepStatus, TimelineStep,
};
use crate::policy::{Channel, Tone};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

/// What every step of one id shares within a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepType {
    /// Policy step or instalment reminder.
    pub kind: EventKind,
    /// The channel the policy gives it.
    pub channel: Channel,
    /// Template key.
    pub template: String,
    /// Escalation level.
    pub level: u8,
    /// Tone.
    pub tone: Tone,
}

/// A plan in its compact form (see the module's rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompactPlan {
    /// The day it was computed for.
    #[serde(serialize_with = "crate::date::ser", deserialize_with = "crate::date::de")]
    pub as_of: NaiveDate,
    /// The policy used.
    pub policy_id: String,
    /// What the steps of each id share, by step id.
    pub step_types: BTreeMap<String, StepType>,
    /// One timeline per invoice, in ledger order.
    pub invoices: Vec<CompactTimeline>,
    /// Every message, by date then debtor.
    pub contacts: Vec<CompactContact>,
    /// Warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub warnings: Vec<PlanWarning>,
    /// Work the debtors' answers give people.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub tasks: Vec<AnswerTask>,
}

/// An invoice's timeline in the compact form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompactTimeline {
    /// Invoice id.
    pub invoice_id: String,
    /// Invoice number.
    pub number: String,
    /// Debtor id.
    pub debtor_id: String,
    /// Due date.
    #[serde(serialize_with = "crate::date::ser", deserialize_with = "crate::date::de")]
    pub due_date: NaiveDate,
    /// Currency.
    pub currency: Currency,
    /// Total.
    pub total: Amount,
    /// Outstanding on `asOf`.
    pub outstanding: Amount,
    /// Day it was settled in full, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::date::ser_opt", deserialize_with = "crate::date::de_opt")]
    pub settled_on: Option<NaiveDate>,
    /// Findings of the legal check of its payment term (left out when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub term_findings: Vec<crate::terms::TermFinding>,
    /// Every step, past and future.
    pub steps: Vec<CompactStep>,
}

/// A timeline step in the compact form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompactStep {
    /// The step id (its kind, channel, template, level and tone are `stepTypes[stepId]`'s unless
    /// given here).
    pub step_id: String,
    /// Kind, when not its step type's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EventKind>,
    /// Channel, when not its step type's (a rerouted step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The channel the policy gave, when the step goes out another way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerouted_from: Option<Channel>,
    /// Template, when not its step type's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Level, when not its step type's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// Tone, when not its step type's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tone: Option<Tone>,
    /// Anchor plus offset, when it differs from `date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::date::ser_opt", deserialize_with = "crate::date::de_opt")]
    pub nominal_date: Option<NaiveDate>,
    /// The date it happens.
    #[serde(serialize_with = "crate::date::ser", deserialize_with = "crate::date::de")]
    pub date: NaiveDate,
    /// When it goes out, for contacts.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::date::de_instant_opt")]
    pub send_at: Option<DateTime<Utc>>,
    /// Why `date` differs from its nominal date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub changes: Vec<DateChange>,
    /// Status.
    pub status: StepStatus,
    /// Outstanding on `date`.
    pub outstanding: Amount,
    /// For a formal notice: the last day to pay that the letter states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::date::ser_opt", deserialize_with = "crate::date::de_opt")]
    pub deadline_date: Option<NaiveDate>,
    /// The key of the message it goes out in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_key: Option<String>,
}

/// A message in the compact form: each field left out is its lead step's (`items[lead]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompactContact {
    /// Deterministic idempotency key.
    pub key: String,
    /// The invoice-steps it covers.
    pub items: Vec<ItemRef>,
    /// The index in `items` of the step it takes its fields from (0 when left out).
    #[serde(default, skip_serializing_if = "is_zero")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub lead: usize,
    /// Total outstanding of its invoices on its date.
    pub total_outstanding: Amount,
    /// Debtor id, when not the lead invoice's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor_id: Option<String>,
    /// Date, when not the lead step's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::date::ser_opt", deserialize_with = "crate::date::de_opt")]
    pub date: Option<NaiveDate>,
    /// When it goes out, when not the lead step's.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::date::de_instant_opt")]
    pub send_at: Option<DateTime<Utc>>,
    /// Channel, when not the lead step's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Template, when not the lead step's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Level, when not the lead step's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// Tone, when not the lead step's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tone: Option<Tone>,
    /// Currency, when not the lead invoice's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The payment deadline stated, when not the lead step's (`null`: none, although the lead
    /// step has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "ser_date_or_null", deserialize_with = "de_date_or_null")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>", optional = nullable))]
    pub deadline_date: Option<Option<NaiveDate>>,
    /// Status, when not the lead step's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StepStatus>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn ser_date_or_null<S: serde::Serializer>(
    date: &Option<Option<NaiveDate>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    crate::date::ser_opt(&date.flatten(), s)
}

/// A present field: `null` is `Some(None)` (a missing one is `None`, by `serde(default)`).
fn de_date_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<NaiveDate>>, D::Error> {
    crate::date::de_opt(d).map(Some)
}

/// `value` when it differs from what it defaults to.
fn unless<T: PartialEq>(value: T, default: &T) -> Option<T> {
    (value != *default).then_some(value)
}

/// The compact form of `plan`.
pub fn compact(plan: Plan) -> CompactPlan {
    let step_types = step_types(&plan.invoices);
    let contacts = {
        let steps = StepIndex::of(&plan.invoices);
        plan.contacts.into_iter().map(|c| compact_contact(c, &steps)).collect()
    };
    let invoices = plan.invoices.into_iter().map(|t| compact_timeline(t, &step_types)).collect();
    CompactPlan {
        as_of: plan.as_of,
        policy_id: plan.policy_id,
        step_types,
        invoices,
        contacts,
        warnings: plan.warnings,
        tasks: plan.tasks,
    }
}

/// Each step id's type as its first step gives it (before any rerouting).
fn step_types(invoices: &[InvoiceTimeline]) -> BTreeMap<String, StepType> {
    let mut types = BTreeMap::new();
    for step in invoices.iter().flat_map(|t| &t.steps) {
        if !types.contains_key(&step.step_id) {
            types.insert(step.step_id.clone(), type_of(step));
        }
    }
    types
}

fn type_of(step: &TimelineStep) -> StepType {
    StepType {
        kind: step.kind,
        channel: step.rerouted_from.unwrap_or(step.channel),
        template: step.template.clone(),
        level: step.level,
        tone: step.tone,
    }
}

fn compact_timeline(t: InvoiceTimeline, types: &BTreeMap<String, StepType>) -> CompactTimeline {
    CompactTimeline {
        invoice_id: t.invoice_id,
        number: t.number,
        debtor_id: t.debtor_id,
        due_date: t.due_date,
        currency: t.currency,
        total: t.total,
        outstanding: t.outstanding,
        settled_on: t.settled_on,
        term_findings: t.term_findings,
        steps: t.steps.into_iter().map(|s| compact_step(s, types)).collect(),
    }
}

fn compact_step(s: TimelineStep, types: &BTreeMap<String, StepType>) -> CompactStep {
    let own = types.get(&s.step_id);
    let differs = |same: &dyn Fn(&StepType) -> bool| !own.is_some_and(same);
    CompactStep {
        kind: differs(&|t| t.kind == s.kind).then_some(s.kind),
        channel: differs(&|t| t.channel == s.channel).then_some(s.channel),
        rerouted_from: s.rerouted_from,
        template: differs(&|t| t.template == s.template).then(|| s.template.clone()),
        level: differs(&|t| t.level == s.level).then_some(s.level),
        tone: differs(&|t| t.tone == s.tone).then_some(s.tone),
        nominal_date: unless(s.nominal_date, &s.date),
        step_id: s.step_id,
        date: s.date,
        send_at: s.send_at,
        changes: s.changes,
        status: s.status,
        outstanding: s.outstanding,
        deadline_date: s.deadline_date,
        contact_key: s.contact_key,
    }
}

/// The timelines of a plan by invoice id, to find the step of a message's item (a timeline has
/// a dozen steps at most: scanning them is cheaper than hashing every step).
struct StepIndex<'a>(HashMap<&'a str, &'a InvoiceTimeline>);

impl<'a> StepIndex<'a> {
    fn of(invoices: &'a [InvoiceTimeline]) -> StepIndex<'a> {
        StepIndex(invoices.iter().map(|t| (t.invoice_id.as_str(), t)).collect())
    }

    fn get(&self, item: &ItemRef) -> Option<(&'a InvoiceTimeline, &'a TimelineStep)> {
        let timeline = *self.0.get(item.invoice_id.as_str())?;
        Some((timeline, timeline.steps.iter().find(|s| s.step_id == item.step_id)?))
    }
}

/// The fields of a message its lead step (and that step's invoice) gives.
struct LeadFields<'a> {
    debtor_id: &'a str,
    date: NaiveDate,
    send_at: Option<DateTime<Utc>>,
    channel: Channel,
    template: &'a str,
    level: u8,
    tone: Tone,
    currency: &'a Currency,
    deadline_date: Option<NaiveDate>,
    status: StepStatus,
}

impl<'a> LeadFields<'a> {
    fn of((t, s): (&'a InvoiceTimeline, &'a TimelineStep)) -> LeadFields<'a> {
        LeadFields {
            debtor_id: &t.debtor_id,
            date: s.date,
            send_at: s.send_at,
            channel: s.channel,
            template: &s.template,
            level: s.level,
            tone: s.tone,
            currency: &t.currency,
            deadline_date: s.deadline_date,
            status: s.status,
        }
    }

    /// How many of the message's fields these give as they are.
    fn matches(&self, c: &Contact) -> usize {
        [
            self.debtor_id == c.debtor_id,
            self.date == c.date,
            self.send_at == Some(c.send_at),
            self.channel == c.channel,
            self.template == c.template,
            self.level == c.level,
            self.tone == c.tone,
            *self.currency == c.currency,
            self.deadline_date == c.deadline_date,
            self.status == c.status,
        ]
        .into_iter()
        .filter(|same| *same)
        .count()
    }
}

/// A message without what its lead step gives: the lead is the item whose step gives the most.
fn compact_contact(c: Contact, steps: &StepIndex<'_>) -> CompactContact {
    let candidates = c.items.iter().enumerate().filter_map(|(i, item)| Some((i, LeadFields::of(steps.get(item)?))));
    // The first of those that give the most (`max_by_key` keeps the last of equals).
    let best = candidates.max_by_key(|(i, lead)| (lead.matches(&c), Reverse(*i)));
    let (lead, from) = best.map_or((0, None), |(i, fields)| (i, Some(fields)));
    let differs = |same: &dyn Fn(&LeadFields<'_>) -> bool| !from.as_ref().is_some_and(same);
    CompactContact {
        debtor_id: differs(&|l| l.debtor_id == c.debtor_id).then(|| c.debtor_id.clone()),
        date: differs(&|l| l.date == c.date).then_some(c.date),
        send_at: differs(&|l| l.send_at == Some(c.send_at)).then_some(c.send_at),
        channel: differs(&|l| l.channel == c.channel).then_some(c.channel),
        template: differs(&|l| l.template == c.template).then(|| c.template.clone()),
        level: differs(&|l| l.level == c.level).then_some(c.level),
        tone: differs(&|l| l.tone == c.tone).then_some(c.tone),
        currency: differs(&|l| *l.currency == c.currency).then(|| c.currency.clone()),
        deadline_date: differs(&|l| l.deadline_date == c.deadline_date).then_some(c.deadline_date),
        status: differs(&|l| l.status == c.status).then_some(c.status),
        key: c.key,
        items: c.items,
        lead,
        total_outstanding: c.total_outstanding,
    }
}

/// The full plan a compact one stands for. Refused with `missing_field` when a field left out has
/// nothing to default to (a step id without a step type, a message whose lead step is not in the
/// plan), naming it.
pub fn expand(plan: CompactPlan) -> Result<Plan> {
    let invoices = plan
        .invoices
        .into_iter()
        .enumerate()
        .map(|(i, t)| expand_timeline(t, &plan.step_types).map_err(|e| e.within(&format!("invoices[{i}]"))))
        .collect::<Result<Vec<_>>>()?;
    let steps = StepIndex::of(&invoices);
    let contacts = plan
        .contacts
        .into_iter()
        .enumerate()
        .map(|(i, c)| expand_contact(c, &steps).map_err(|e| e.within(&format!("contacts[{i}]"))))
        .collect::<Result<Vec<_>>>()?;
    Ok(Plan {
        as_of: plan.as_of,
        policy_id: plan.policy_id,
        invoices,
        contacts,
        warnings: plan.warnings,
        tasks: plan.tasks,
    })
}

fn expand_timeline(t: CompactTimeline, types: &BTreeMap<String, StepType>) -> Result<InvoiceTimeline> {
    let steps = t
        .steps
        .into_iter()
        .enumerate()
        .map(|(j, s)| expand_step(s, types).map_err(|e| e.within(&format!("steps[{j}]"))))
        .collect::<Result<Vec<_>>>()?;
    Ok(InvoiceTimeline {
        invoice_id: t.invoice_id,
        number: t.number,
        debtor_id: t.debtor_id,
        due_date: t.due_date,
        currency: t.currency,
        total: t.total,
        outstanding: t.outstanding,
        settled_on: t.settled_on,
        term_findings: t.term_findings,
        steps,
    })
}

/// `given`, else `default`, else the error that names `field`.
fn given_or<T>(given: Option<T>, default: Option<T>, field: &str, source: &str) -> Result<T> {
    given.or(default).ok_or_else(|| {
        Error::new(ErrorCode::MissingField, field, format!("{field} is left out, and {source} gives none"))
    })
}

fn expand_step(s: CompactStep, types: &BTreeMap<String, StepType>) -> Result<TimelineStep> {
    let ty = types.get(&s.step_id);
    let source = "its step type";
    Ok(TimelineStep {
        kind: given_or(s.kind, ty.map(|t| t.kind), "kind", source)?,
        channel: given_or(s.channel, ty.map(|t| t.channel), "channel", source)?,
        rerouted_from: s.rerouted_from,
        template: given_or(s.template, ty.map(|t| t.template.clone()), "template", source)?,
        level: given_or(s.level, ty.map(|t| t.level), "level", source)?,
        tone: given_or(s.tone, ty.map(|t| t.tone), "tone", source)?,
        nominal_date: s.nominal_date.unwrap_or(s.date),
        step_id: s.step_id,
        date: s.date,
        send_at: s.send_at,
        changes: s.changes,
        status: s.status,
        outstanding: s.outstanding,
        deadline_date: s.deadline_date,
        contact_key: s.contact_key,
    })
}

fn expand_contact(c: CompactContact, steps: &StepIndex<'_>) -> Result<Contact> {
    let lead = c.items.get(c.lead).and_then(|item| steps.get(item)).map(LeadFields::of);
    let lead = lead.as_ref();
    let source = "its lead step";
    Ok(Contact {
        debtor_id: given_or(c.debtor_id, lead.map(|l| l.debtor_id.to_owned()), "debtorId", source)?,
        date: given_or(c.date, lead.map(|l| l.date), "date", source)?,
        send_at: given_or(c.send_at, lead.and_then(|l| l.send_at), "sendAt", source)?,
        channel: given_or(c.channel, lead.map(|l| l.channel), "channel", source)?,
        template: given_or(c.template, lead.map(|l| l.template.to_owned()), "template", source)?,
        level: given_or(c.level, lead.map(|l| l.level), "level", source)?,
        tone: given_or(c.tone, lead.map(|l| l.tone), "tone", source)?,
        currency: given_or(c.currency, lead.map(|l| l.currency.clone()), "currency", source)?,
        deadline_date: given_or(c.deadline_date, lead.map(|l| l.deadline_date), "deadlineDate", source)?,
        status: given_or(c.status, lead.map(|l| l.status), "status", source)?,
        key: c.key,
        items: c.items,
        total_outstanding: c.total_outstanding,
    })
}

/// A plan in the form its caller asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PlanForm {
    /// Every field of every step and message.
    Full(Plan),
    /// Each fact stated once (see the module).
    Compact(CompactPlan),
}

impl PlanForm {
    /// `plan`, compacted when `compact`.
    pub fn of(plan: Plan, compact: bool) -> PlanForm {
        if compact {
            PlanForm::Compact(self::compact(plan))
        } else {
            PlanForm::Full(plan)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::from_json;

    /// A compact plan whose only step names no step type and leaves its fields out.
    fn orphan_step() -> CompactPlan {
        from_json(
            r#"{"asOf":"2026-11-23","policyId":"standard","stepTypes":{},"contacts":[],
                "invoices":[{"invoiceId":"i1","number":"F-1","debtorId":"d1","dueDate":"2026-10-30",
                  "currency":"EUR","total":"100.00","outstanding":"100.00",
                  "steps":[{"stepId":"reminder-1","date":"2026-11-02","status":"past","outstanding":"100.00"}]}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_field_left_out_with_nothing_to_default_to_is_named() {
        let e = expand(orphan_step()).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::MissingField, "invoices[0].steps[0].kind"));
        assert!(e.message().contains("its step type"), "{}", e.message());
    }

    #[test]
    fn a_message_whose_lead_step_is_not_in_the_plan_is_refused() {
        let mut plan = orphan_step();
        plan.step_types.insert(
            "reminder-1".into(),
            StepType {
                kind: EventKind::PolicyStep,
                channel: Channel::Email,
                template: "first_reminder".into(),
                level: 2,
                tone: Tone::Friendly,
            },
        );
        plan.contacts.push(CompactContact {
            key: "rl_0".into(),
            items: vec![ItemRef { invoice_id: "i9".into(), step_id: "reminder-1".into() }],
            lead: 0,
            total_outstanding: Amount(rust_decimal::Decimal::ONE_HUNDRED),
            debtor_id: None,
            date: None,
            send_at: None,
            channel: None,
            template: None,
            level: None,
            tone: None,
            currency: None,
            deadline_date: None,
            status: None,
        });
        let e = expand(plan).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::MissingField, "contacts[0].debtorId"));
    }
}
