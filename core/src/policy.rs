//! Reminder policies ("scénarios"): ordered steps and the rules that hold across them. A policy is
//! checked once into a [`CheckedPolicy`]; the planner only accepts checked ones.

use crate::calendar::Adjustment;
use crate::error::{Error, ErrorCode, Result};
use crate::ledger::DebtorKind;
use crate::money::Amount;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Most steps in one policy.
pub const MAX_STEPS: usize = 50;

/// A reminder policy. JSON shape: see `core/data/policies/standard.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    /// Stable id.
    pub id: String,
    /// Name shown to the user.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub description: String,
    /// The steps, in the order they happen.
    pub steps: Vec<Step>,
    /// What to do with a date that is not a business day in the debtor's calendar.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub business_day_adjustment: Adjustment,
    /// Hours of the day (debtor's time zone) when messages may go out.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub send_window: SendWindow,
    /// Least number of days between two contacts with the same debtor.
    #[serde(default = "default_min_gap")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub min_gap_days: i32,
    /// One message per debtor listing all its invoices at the highest step reached (the relevé).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub grouping: bool,
    /// What to do about steps whose send time passed without a run (downtime).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub catch_up: CatchUp,
    /// Reminders of a payment plan's instalments.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub instalment_reminders: InstalmentReminders,
    /// How the debtor's answers (promises, replies) hold the path.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub answers: AnswerRules,
    /// Claiming the penalties of an invoice paid late (off by default).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub penalty_claim: PenaltyClaim,
}

fn default_min_gap() -> i32 {
    2
}

/// A step of the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// Unique id within the policy (part of the idempotency key: never reuse one for another step).
    pub id: String,
    /// What the offset counts from.
    pub anchor: Anchor,
    /// Signed number of days from the anchor.
    pub offset: i32,
    /// Calendar or business days.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub unit: DayUnit,
    /// How the debtor is contacted.
    pub channel: Channel,
    /// The message template key.
    pub template: String,
    /// Escalation level, 1 (courtesy) to 5 (legal).
    pub level: u8,
    /// Tone of the message.
    pub tone: Tone,
    /// For a formal notice: days the debtor is given to pay (8 to 15 in French practice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_days: Option<u32>,
    /// When the step applies.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub conditions: Conditions,
}

/// What a step's offset counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The invoice date.
    IssueDate,
    /// The due date.
    DueDate,
    /// The date of the step before (whether it was sent or skipped by its conditions).
    PreviousStep,
}

/// Calendar or business days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    /// Every day counts.
    #[default]
    CalendarDays,
    /// Only business days of the debtor's calendar count.
    BusinessDays,
}

/// How a step reaches the debtor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// An email.
    Email,
    /// A text message.
    Sms,
    /// A call for someone on the creditor's side to make.
    PhoneTask,
    /// A letter by post.
    Letter,
    /// A registered letter with acknowledgement of receipt.
    RegisteredLetter,
    /// Court proceedings (injonction de payer).
    LegalAction,
    /// Hand-off to a collection agency.
    AgencyHandoff,
}

/// A channel from its name (`registered_letter`), as serde reads it in JSON.
impl std::str::FromStr for Channel {
    type Err = String;
    fn from_str(name: &str) -> std::result::Result<Channel, String> {
        use serde::de::IntoDeserializer;
        let name: serde::de::value::StrDeserializer<'_, serde::de::value::Error> = name.into_deserializer();
        Channel::deserialize(name).map_err(|e| e.to_string())
    }
}

/// The tone of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Before the due date: a helpful recap.
    Courteous,
    /// Just after the due date.
    Friendly,
    /// Insistent, penalties mentioned.
    Firm,
    /// Formal notice.
    Formal,
    /// Legal proceedings.
    Legal,
}

/// When a step applies; an unmet condition skips the step (the next one still follows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Conditions {
    /// Only when at least this much is outstanding on the step's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_outstanding: Option<Amount>,
    /// Only for these kinds of debtor (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub debtor_kinds: Vec<DebtorKind>,
    /// Only when the debtor has not answered (a person's reply, a call that reached them) since
    /// the previous step, nor in this many days before the step ("no answer to the email within a
    /// week: call").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_reply_for_days: Option<u32>,
}

/// Hours of the day, in the debtor's time zone, when messages may go out: `[startHour, endHour)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendWindow {
    /// First hour (0-23).
    pub start_hour: u32,
    /// Hour at which sending stops (1-24).
    pub end_hour: u32,
}

impl Default for SendWindow {
    fn default() -> SendWindow {
        SendWindow { start_hour: 9, end_hour: 18 }
    }
}

/// The catch-up rule for missed runs: only the latest missed step of an invoice is sent, once, and
/// only if it is at most `maxLatenessDays` late; never a burst of every missed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatchUp {
    /// Most days a step may be late and still be sent.
    pub max_lateness_days: u32,
}

impl Default for CatchUp {
    fn default() -> CatchUp {
        CatchUp { max_lateness_days: 3 }
    }
}

/// Reminders of a payment plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstalmentReminders {
    /// Days before each instalment for the reminder.
    pub days_before: u32,
    /// Days after a missed instalment for the reminder.
    pub days_after_missed: u32,
}

impl Default for InstalmentReminders {
    fn default() -> InstalmentReminders {
        InstalmentReminders { days_before: 3, days_after_missed: 2 }
    }
}

/// How the debtor's answers hold the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerRules {
    /// Days after a promised date before the promise counts as broken (a transfer takes a day or
    /// two to arrive); no automatic step goes out from the day it was made until then.
    pub promise_grace_days: u32,
    /// Days a person's reply holds the next automatic step, counted from the reply (time to read
    /// it and answer).
    pub reply_pause_days: u32,
}

impl Default for AnswerRules {
    fn default() -> AnswerRules {
        AnswerRules { promise_grace_days: 3, reply_pause_days: 5 }
    }
}

/// Claiming the penalties of an invoice whose principal was paid late. French law makes the
/// interest and the fixed indemnity due without any reminder (C. com. L441-10); whether to claim
/// them is the creditor's choice, so this is off by default. Nothing is claimed when nothing is
/// due (paid, waived by the creditor's terms, or a consumer before any formal notice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PenaltyClaim {
    /// Send the claim (template `penalty_claim`, a relevé de pénalités with the décompte).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub enabled: bool,
    /// Days after the principal was paid before the claim goes (0 to 90).
    #[serde(default = "default_claim_after_days")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub after_days: u32,
    /// Not claimed when less than this is due (interest and indemnity not paid yet).
    #[serde(default)]
    pub min_amount: Option<Amount>,
    /// The claim's own short path: a reminder of it this many days after the claim, each (at
    /// most 3, increasing, up to 120).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub follow_up_days: Vec<u32>,
}

fn default_claim_after_days() -> u32 {
    7
}

impl Default for PenaltyClaim {
    fn default() -> PenaltyClaim {
        PenaltyClaim {
            enabled: false,
            after_days: default_claim_after_days(),
            min_amount: None,
            follow_up_days: Vec::new(),
        }
    }
}

impl PenaltyClaim {
    fn check(&self) -> Result<()> {
        if self.after_days > 90 {
            return Err(out_of_range("penaltyClaim.afterDays".into(), "the claim goes 0 to 90 days after the payment"));
        }
        if self.min_amount.is_some_and(|m| m.value().is_sign_negative()) {
            return Err(Error::new(
                ErrorCode::NegativeAmount,
                "penaltyClaim.minAmount",
                "the least amount claimed cannot be negative",
            ));
        }
        if self.follow_up_days.len() > 3 {
            return Err(Error::new(
                ErrorCode::TooManyItems,
                "penaltyClaim.followUpDays",
                "a claim has at most 3 reminders",
            ));
        }
        let mut previous = 0;
        for (i, &days) in self.follow_up_days.iter().enumerate() {
            if days <= previous || days > 120 {
                return Err(out_of_range(
                    format!("penaltyClaim.followUpDays[{i}]"),
                    "reminders of a claim come 1 to 120 days after it, in increasing order",
                ));
            }
            previous = days;
        }
        Ok(())
    }
}

/// A policy that passed [`Policy::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPolicy(Policy);

impl CheckedPolicy {
    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.0
    }
}

fn out_of_range(path: String, what: &str) -> Error {
    Error::new(ErrorCode::OutOfRange, path, what.to_owned())
}

/// The planner names its own steps so (`instalment-2-missed`, `promise-1-broken`,
/// `penalty-claim-2`): a policy step may not, since the id is part of the idempotency key.
const RESERVED_STEP_PREFIXES: [&str; 3] = ["instalment-", "promise-", "penalty-claim"];

/// True when `step_id` is the claim of penalties after a late payment, or one of its reminders.
pub fn is_claim_step(step_id: &str) -> bool {
    step_id.starts_with("penalty-claim")
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-' || b == b'.')
}

impl Policy {
    /// Validates the policy. Errors name the bad field's path (`steps[2].offset`).
    pub fn check(self) -> Result<CheckedPolicy> {
        if self.id.trim().is_empty() || self.id.len() > 128 {
            return Err(Error::new(ErrorCode::InvalidId, "id", "a policy id must be 1 to 128 characters"));
        }
        if self.steps.is_empty() {
            return Err(Error::new(ErrorCode::EmptyPolicy, "steps", "a policy needs at least one step"));
        }
        if self.steps.len() > MAX_STEPS {
            return Err(Error::new(ErrorCode::TooManyItems, "steps", format!("at most {MAX_STEPS} steps")));
        }
        if !(0..=90).contains(&self.min_gap_days) {
            return Err(out_of_range("minGapDays".into(), "the minimum gap between contacts is 0 to 90 days"));
        }
        let w = self.send_window;
        if w.start_hour > 23 || w.end_hour > 24 || w.end_hour <= w.start_hour {
            return Err(out_of_range("sendWindow".into(), "the send window is startHour (0-23) < endHour (1-24)"));
        }
        if self.catch_up.max_lateness_days > 60 {
            return Err(out_of_range("catchUp.maxLatenessDays".into(), "at most 60 days"));
        }
        let r = self.instalment_reminders;
        if r.days_before > 60 || r.days_after_missed > 60 {
            return Err(out_of_range("instalmentReminders".into(), "reminders are at most 60 days from an instalment"));
        }
        if self.answers.promise_grace_days > 30 {
            return Err(out_of_range(
                "answers.promiseGraceDays".into(),
                "the grace after a promised date is 0 to 30 days",
            ));
        }
        if self.answers.reply_pause_days > 60 {
            return Err(out_of_range("answers.replyPauseDays".into(), "a reply holds the path 0 to 60 days"));
        }
        self.penalty_claim.check()?;
        let mut ids = HashSet::new();
        for (i, step) in self.steps.iter().enumerate() {
            let p = |f: &str| format!("steps[{i}].{f}");
            if !is_key(&step.id) {
                return Err(Error::new(ErrorCode::InvalidId, p("id"), "a step id is 1 to 64 of a-z, 0-9, _ - ."));
            }
            if RESERVED_STEP_PREFIXES.iter().any(|r| step.id.starts_with(r)) {
                return Err(Error::new(
                    ErrorCode::InvalidId,
                    p("id"),
                    format!("step ids starting {} are the planner's own", RESERVED_STEP_PREFIXES.join(", ")),
                ));
            }
            if !ids.insert(step.id.as_str()) {
                return Err(Error::new(
                    ErrorCode::DuplicateId,
                    p("id"),
                    format!("step id `{}` is used twice", step.id),
                ));
            }
            if !is_key(&step.template) {
                return Err(Error::new(
                    ErrorCode::InvalidId,
                    p("template"),
                    "a template key is 1 to 64 of a-z, 0-9, _ - .",
                ));
            }
            if !(1..=5).contains(&step.level) {
                return Err(out_of_range(p("level"), "the level is 1 (courtesy) to 5 (legal)"));
            }
            if !(-365..=3650).contains(&step.offset) {
                return Err(out_of_range(p("offset"), "an offset is -365 to 3650 days"));
            }
            if let Some(days) = step.deadline_days {
                if !(1..=90).contains(&days) {
                    return Err(out_of_range(p("deadlineDays"), "a payment deadline is 1 to 90 days"));
                }
            }
            if let Some(min) = step.conditions.min_outstanding {
                if min.value().is_sign_negative() {
                    return Err(Error::new(
                        ErrorCode::NegativeAmount,
                        p("conditions.minOutstanding"),
                        "the minimum outstanding may not be negative",
                    ));
                }
            }
            if step.conditions.no_reply_for_days.is_some_and(|d| !(1..=365).contains(&d)) {
                return Err(out_of_range(p("conditions.noReplyForDays"), "a reply window is 1 to 365 days"));
            }
            match step.anchor {
                Anchor::PreviousStep if i == 0 => {
                    return Err(Error::new(
                        ErrorCode::StepsOutOfOrder,
                        p("anchor"),
                        "the first step has no previous step to follow",
                    ));
                }
                Anchor::PreviousStep if step.offset < 0 => {
                    return Err(Error::new(
                        ErrorCode::StepsOutOfOrder,
                        p("offset"),
                        "a step cannot come before the step it follows",
                    ));
                }
                Anchor::IssueDate | Anchor::DueDate => {
                    // A later step anchored like an earlier one must not come earlier.
                    let earlier = self.steps.iter().take(i).filter(|s| s.anchor == step.anchor && s.unit == step.unit);
                    if let Some(prev) = earlier.map(|s| s.offset).max() {
                        if step.offset < prev {
                            return Err(Error::new(
                                ErrorCode::StepsOutOfOrder,
                                p("offset"),
                                format!(
                                    "offset {} comes before an earlier step's offset {prev} from the same anchor",
                                    step.offset
                                ),
                            ));
                        }
                    }
                }
                Anchor::PreviousStep => {}
            }
        }
        Ok(CheckedPolicy(self))
    }
}

/// Which side of the invoice's due date a built-in template is written for: a courtesy reminder
/// announces the due date, a reminder, call, letter or notice says it has passed. Instalment,
/// plan and thank-you templates, and templates of other keys, say neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueDateSide {
    /// Written before the due date.
    Before,
    /// Written once the invoice is late.
    After,
}

/// The side of the due date template `key` is written for, if it says.
pub fn template_side(key: &str) -> Option<DueDateSide> {
    match key {
        "courtesy_before_due" => Some(DueDateSide::Before),
        "first_reminder" | "second_reminder" | "phone_call" | "formal_letter" | "formal_notice" | "legal_handoff"
        | "agency_handoff" => Some(DueDateSide::After),
        _ => None,
    }
}

/// The ready-made policies: `gentle`, `standard`, `firm` (French collection path).
pub const PRESET_IDS: [&str; 3] = ["gentle", "standard", "firm"];

/// A ready-made policy by id, checked.
pub fn preset(id: &str) -> Result<CheckedPolicy> {
    let text = match id {
        "gentle" => include_str!("../data/policies/gentle.json"),
        "standard" => include_str!("../data/policies/standard.json"),
        "firm" => include_str!("../data/policies/firm.json"),
        _ => {
            return Err(Error::new(
                ErrorCode::UnknownReference,
                "",
                format!("no preset `{id}`; presets are {}", PRESET_IDS.join(", ")),
            ));
        }
    };
    crate::json::from_json::<Policy>(text)
        .and_then(Policy::check)
        .map_err(|e| Error::new(ErrorCode::EmbeddedData, e.path(), format!("preset {id}: {}", e.message())))
}

/// A policy as callers name it: a preset's id (`"standard"`) or a whole policy object.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(untagged, rename = "PolicyArg"))]
pub enum PolicyChoice {
    /// One of [`PRESET_IDS`].
    #[cfg_attr(feature = "typescript", ts(type = r#""gentle" | "standard" | "firm""#))]
    Preset(String),
    /// A policy of the caller's, not yet checked.
    Custom(Policy),
}

impl PolicyChoice {
    /// The policy, checked (a preset is looked up).
    pub fn check(self) -> Result<CheckedPolicy> {
        match self {
            PolicyChoice::Preset(id) => preset(&id),
            PolicyChoice::Custom(policy) => policy.check(),
        }
    }
}

// Told apart by the JSON kind, read in one pass: serde's untagged enums would buffer the input
// and lose the path of a bad field inside the policy.
impl<'de> Deserialize<'de> for PolicyChoice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<PolicyChoice, D::Error> {
        struct Choice;
        impl<'de> serde::de::Visitor<'de> for Choice {
            type Value = PolicyChoice;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a preset id such as \"standard\", or a policy object")
            }
            fn visit_str<E: serde::de::Error>(self, id: &str) -> std::result::Result<PolicyChoice, E> {
                Ok(PolicyChoice::Preset(id.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<PolicyChoice, A::Error> {
                Policy::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(PolicyChoice::Custom)
            }
        }
        d.deserialize_any(Choice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::from_json;

    fn standard() -> Policy {
        preset("standard").unwrap().policy().clone()
    }

    #[test]
    fn presets_load_and_follow_the_french_path() {
        for id in PRESET_IDS {
            let p = preset(id).unwrap();
            let steps = &p.policy().steps;
            assert_eq!(steps[0].anchor, Anchor::DueDate);
            assert!(steps[0].offset < 0, "{id}: courtesy email before the due date");
            assert_eq!(steps[0].channel, Channel::Email);
            let channels: Vec<_> = steps.iter().map(|s| s.channel).collect();
            assert!(channels.contains(&Channel::PhoneTask), "{id}");
            assert!(channels.contains(&Channel::Letter), "{id}");
            let notice = steps.iter().find(|s| s.channel == Channel::RegisteredLetter).unwrap();
            assert!((8..=15).contains(&notice.deadline_days.unwrap()), "{id}");
            let last = steps.last().unwrap().channel;
            assert!(matches!(last, Channel::LegalAction | Channel::AgencyHandoff), "{id}");
            assert!(steps.windows(2).all(|w| w[0].level <= w[1].level), "{id}: escalation never goes down");
        }
        assert_eq!(preset("nope").unwrap_err().code(), ErrorCode::UnknownReference);
    }

    #[test]
    fn validation_names_the_field() {
        let mut p = standard();
        p.steps.clear();
        assert_eq!(p.check().unwrap_err().code(), ErrorCode::EmptyPolicy);

        let mut p = standard();
        p.min_gap_days = -1;
        let e = p.check().unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::OutOfRange, "minGapDays"));

        let mut p = standard();
        p.steps[2].offset = -3;
        let e = p.check().unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::StepsOutOfOrder, "steps[2].offset"));

        let mut p = standard();
        p.steps[0].anchor = Anchor::PreviousStep;
        assert_eq!(p.check().unwrap_err().path(), "steps[0].anchor");

        let mut p = standard();
        p.steps[1].id = p.steps[0].id.clone();
        assert_eq!(p.check().unwrap_err().code(), ErrorCode::DuplicateId);

        let mut p = standard();
        p.steps[1].offset = -10;
        assert_eq!(p.check().unwrap_err().path(), "steps[1].offset");

        let mut p = standard();
        p.send_window = SendWindow { start_hour: 18, end_hour: 9 };
        assert_eq!(p.check().unwrap_err().path(), "sendWindow");

        // The planner's own step ids are part of idempotency keys: a policy step may not take one.
        let mut p = standard();
        p.steps[1].id = "penalty-claim".into();
        let e = p.check().unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidId, "steps[1].id"));
    }

    #[test]
    fn a_penalty_claim_is_off_by_default_and_checked() {
        assert!(!standard().penalty_claim.enabled);
        let claim = |json: &str| {
            let text = include_str!("../data/policies/standard.json").replacen(
                '{',
                &format!("{{\"penaltyClaim\": {json},"),
                1,
            );
            from_json::<Policy>(&text).and_then(Policy::check)
        };
        let ok = claim(r#"{"enabled": true, "followUpDays": [15, 30]}"#).unwrap();
        assert_eq!((ok.policy().penalty_claim.after_days, ok.policy().penalty_claim.follow_up_days.len()), (7, 2));
        for (json, path) in [
            (r#"{"enabled": true, "afterDays": 91}"#, "penaltyClaim.afterDays"),
            (r#"{"enabled": true, "followUpDays": [30, 15]}"#, "penaltyClaim.followUpDays[1]"),
            (r#"{"enabled": true, "followUpDays": [1, 2, 3, 4]}"#, "penaltyClaim.followUpDays"),
            (r#"{"enabled": true, "minAmount": "-1.00"}"#, "penaltyClaim.minAmount"),
            (r#"{"enabled": true, "every": 3}"#, "penaltyClaim.every"),
        ] {
            let e = claim(json).unwrap_err();
            assert_eq!(e.path(), path, "{json}: {e}");
        }
    }

    #[test]
    fn unknown_channel_is_a_typed_error() {
        let text = include_str!("../data/policies/standard.json").replacen("\"email\"", "\"pigeon\"", 1);
        let e = from_json::<Policy>(&text).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownVariant);
        assert_eq!(e.path(), "steps[0].channel");
    }

    #[test]
    fn a_policy_is_named_by_a_preset_id_or_given_whole() {
        let id = from_json::<PolicyChoice>(r#""firm""#).unwrap().check().unwrap();
        assert_eq!(id.policy().id, "firm");
        let whole = from_json::<PolicyChoice>(include_str!("../data/policies/gentle.json")).unwrap();
        assert_eq!(whole.check().unwrap().policy().id, "gentle");
        let e = from_json::<PolicyChoice>(r#""fierce""#).unwrap().check().unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownReference);
        // A bad field inside a whole policy keeps its path.
        let text = include_str!("../data/policies/standard.json").replacen("\"email\"", "\"pigeon\"", 1);
        let e = from_json::<PolicyChoice>(&text).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::UnknownVariant, "steps[0].channel"));
        let e = from_json::<PolicyChoice>("3").unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidType, ""));
    }
}
