//! Collection analytics: how well the reminder process works, as of a day, from the ledger and the
//! delivery log. Pure functions; every figure is defined here in words so it can be checked by hand.
//!
//! - **DSO, standard**: receivables at `asOf` ÷ credit sales issued in the period × days in the period.
//! - **DSO, countback**: receivables at `asOf` are matched against the most recent months' sales,
//!   month by month backwards (a month being `asOf` minus k+1 months, exclusive, to `asOf` minus k
//!   months, inclusive); each fully covered month adds its days, the last one its covered fraction.
//! - **Ageing** at `asOf`: what is still owed on invoices issued by then, by days past the due date
//!   (not yet due, 1-30, 31-60, 61-90, over 90), amount and count.
//! - **Recovery rate** over the period: for each invoice overdue at some day of the period, the
//!   principal owed when it first was (the period's first day, or the day after its due date) is
//!   the base; what of it was paid or credited by the period's end is recovered (a partial payment
//!   that paid interest and costs first recovers less principal: see `penalty::Imputation`).
//! - **Days late**: for invoices fully settled within the period, settlement day minus due date
//!   (0 when on time): mean, median, share on time.
//! - **Reminders before payment**: for the same invoices, the messages sent about each up to its
//!   settlement day.
//! - **Effectiveness** of each step and channel: of the invoices a message covered, the share
//!   settled within `windowDays` of it (messages younger than the window, about invoices still open,
//!   are left out: their outcome is not known yet).
//! - **Debtor behaviour**: mean days late, share on time, trend (least-squares slope of days late
//!   over the debtor's settled invoices, in settlement order), and a segment (rules in `Segments`).
//! - **Promises** made in the period, by what became of them by `asOf` (count and amount): kept
//!   (paid as promised by the promised date plus `promiseGraceDays`), broken, replaced by a newer
//!   one, or still open; the kept share is of kept and broken.
//! - **Replies** by step: of the messages sent in the period, those a person answered (a reply
//!   naming the message's key), and the hours from the message to the first such answer.
//! - **Bounces**: of the emails sent in the period, those a delivery failure report names.
//! - **Claimable** today: interest and fixed indemnities of every invoice paid late or overdue, by
//!   the penalty engine under the default regime of creditor and debtor.
//!
//! Amounts are in one currency (`currency`, EUR by default); invoices in others are counted in
//! `excludedInvoices` and left out.
//!
//! Speed: one pass over the invoices and one over the messages, each in chunks (`parallel`), with
//! the debtor profiles computed alongside the messages.

use crate::answers::PromiseOutcome;
use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{CheckedInvoice, CheckedLedger, Ledger};
use crate::money::{Amount, Currency};
use crate::parallel;
use crate::penalty::{self, DecompteTotals};
use crate::planner::ItemRef;
use crate::policy::Channel;
use crate::rates::{RateRow, Rates};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A message sent, from the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SentMessage {
    /// Idempotency key.
    pub key: String,
    /// When it went out.
    #[serde(deserialize_with = "crate::date::de_instant")]
    pub sent_at: DateTime<Utc>,
    /// Channel.
    pub channel: Channel,
    /// The leading step.
    pub step_id: String,
    /// The invoice-steps it covered.
    pub items: Vec<ItemRef>,
}

/// Thresholds of the debtor segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Segments {
    /// `reliable`: at least this share paid on time (percent)...
    #[serde(default = "default_reliable_share")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reliable_on_time_percent: u32,
    /// ...and at most this mean lateness (days).
    #[serde(default = "default_reliable_days")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reliable_max_mean_days: u32,
    /// `at_risk`: mean lateness above this (days)...
    #[serde(default = "default_risk_days")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub at_risk_mean_days: u32,
    /// ...or an open invoice more than this many days overdue.
    #[serde(default = "default_risk_overdue")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub at_risk_overdue_days: u32,
}

fn default_reliable_share() -> u32 {
    80
}
fn default_reliable_days() -> u32 {
    5
}
fn default_risk_days() -> u32 {
    30
}
fn default_risk_overdue() -> u32 {
    60
}

impl Default for Segments {
    fn default() -> Segments {
        Segments {
            reliable_on_time_percent: default_reliable_share(),
            reliable_max_mean_days: default_reliable_days(),
            at_risk_mean_days: default_risk_days(),
            at_risk_overdue_days: default_risk_overdue(),
        }
    }
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsRequest {
    /// The ledger.
    pub ledger: Ledger,
    /// The delivery log (messages sent).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub sent: Vec<SentMessage>,
    /// The day of the figures.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub as_of: NaiveDate,
    /// First day of the period (DSO, recovery, days late); default 90 days before `asOf`.
    #[serde(default, deserialize_with = "crate::date::de_opt", serialize_with = "crate::date::ser_opt")]
    pub period_start: Option<NaiveDate>,
    /// The currency analysed (default EUR).
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Effectiveness window after a message, in days (default 14).
    #[serde(default)]
    pub window_days: Option<u32>,
    /// Days after a promised date before a promise counts as broken (default 3, as the presets).
    #[serde(default)]
    pub promise_grace_days: Option<u32>,
    /// Segment thresholds.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub segments: Segments,
    /// Newer rate rows, for the claimable penalties.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub extra_rates: BTreeMap<String, Vec<RateRow>>,
}

/// Days sales outstanding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Dso {
    /// Standard method (days, one decimal); absent without sales in the period.
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub standard: Option<Decimal>,
    /// Countback method (days, one decimal).
    #[cfg_attr(feature = "typescript", ts(as = "crate::money::Amount"))]
    pub countback: Decimal,
    /// Receivables at `asOf`.
    pub receivables: Amount,
    /// Credit sales in the period.
    pub sales: Amount,
    /// Days in the period.
    pub period_days: i64,
}

/// One ageing bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct AgeingBucket {
    /// `not_due`, `1_30`, `31_60`, `61_90`, `over_90`.
    pub bucket: String,
    /// Amount still owed.
    pub amount: Amount,
    /// Invoices.
    pub count: usize,
}

/// Recovery over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Recovery {
    /// Overdue amounts at stake.
    pub base: Amount,
    /// Recovered by the period's end.
    pub recovered: Amount,
    /// recovered ÷ base (0-1, four decimals); absent when nothing was overdue.
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub rate: Option<Decimal>,
    /// Invoices at stake.
    pub invoices: usize,
}

/// A distribution of whole numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// How many values.
    pub count: usize,
    /// Mean (one decimal).
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub mean: Option<Decimal>,
    /// Median (one decimal: the mean of the two middle values for an even count).
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub median: Option<Decimal>,
}

/// Payment delays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct DaysLate {
    /// Days late of the invoices settled in the period.
    pub days: Stats,
    /// Share settled on or before the due date (0-1).
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub on_time_share: Option<Decimal>,
}

/// Reminders before payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct RemindersNeeded {
    /// Messages per invoice settled in the period.
    pub reminders: Stats,
    /// How many invoices needed 0, 1, 2, 3, 4 or more messages.
    pub distribution: [usize; 5],
}

/// Effectiveness of a step or channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Effectiveness {
    /// The step id or channel.
    pub key: String,
    /// Invoice-messages whose outcome is known.
    pub messages: usize,
    /// Of them, settled within the window.
    pub paid_within_window: usize,
    /// The share (0-1).
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub share: Option<Decimal>,
}

/// How a debtor pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct DebtorBehaviour {
    /// Debtor id.
    pub debtor_id: String,
    /// Name.
    pub name: String,
    /// Invoices settled by `asOf`.
    pub settled_invoices: usize,
    /// Their mean days late.
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub mean_days_late: Option<Decimal>,
    /// Share on time.
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub on_time_share: Option<Decimal>,
    /// Days late per invoice, least squares over settlement order (needs 3 invoices).
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub trend_slope: Option<Decimal>,
    /// `improving`, `stable`, `worsening` or `unknown`.
    pub trend: String,
    /// Owed now.
    pub outstanding: Amount,
    /// Most days overdue among its open invoices.
    pub max_days_overdue: i64,
    /// `reliable`, `slow`, `at_risk` or `new`.
    pub segment: String,
}

/// Penalties the creditor could claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Claimable {
    /// Late-payment interest.
    pub interest: Amount,
    /// Fixed indemnities.
    pub indemnities: Amount,
    /// Both.
    pub total: Amount,
    /// Invoices concerned (paid late or overdue).
    pub invoices: usize,
    /// Invoices left out because a rate is missing, and the first message saying which.
    pub missing_rate_invoices: usize,
    /// Which half-year is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_rate: Option<String>,
}

/// Every figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    /// Day of the figures.
    #[serde(serialize_with = "crate::date::ser")]
    pub as_of: NaiveDate,
    /// First day of the period.
    #[serde(serialize_with = "crate::date::ser")]
    pub period_start: NaiveDate,
    /// Currency.
    pub currency: Currency,
    /// Invoices in other currencies, left out.
    pub excluded_invoices: usize,
    /// Owed at `asOf`.
    pub outstanding: Amount,
    /// DSO.
    pub dso: Dso,
    /// Ageing.
    pub ageing: Vec<AgeingBucket>,
    /// Recovery rate.
    pub recovery: Recovery,
    /// Days late.
    pub days_late: DaysLate,
    /// Reminders before payment.
    pub reminders_before_payment: RemindersNeeded,
    /// By step.
    pub steps: Vec<Effectiveness>,
    /// By channel.
    pub channels: Vec<Effectiveness>,
    /// By debtor, worst first.
    pub debtors: Vec<DebtorBehaviour>,
    /// Claimable penalties.
    pub claimable: Claimable,
    /// What the debtors answered: promises, replies, bounces.
    pub answers: AnswerFigures,
}

const BUCKETS: [&str; 5] = ["not_due", "1_30", "31_60", "61_90", "over_90"];

fn bucket_of(days_overdue: i64) -> usize {
    match days_overdue {
        i64::MIN..=0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

/// Rounded half away from zero and written with exactly `dp` decimals (`78.0`, `0.5000`).
fn round(v: Decimal, dp: u32) -> Decimal {
    crate::money::round_to(v, dp, RoundingStrategy::MidpointAwayFromZero)
}

fn ratio(num: Decimal, den: Decimal, dp: u32) -> Option<Decimal> {
    (!den.is_zero()).then(|| round(num / den, dp))
}

fn stats(values: &mut [i64]) -> Stats {
    if values.is_empty() {
        return Stats { count: 0, mean: None, median: None };
    }
    values.sort();
    let n = values.len();
    let sum: i64 = values.iter().sum();
    let mid = n / 2;
    let median = if n % 2 == 1 {
        values.get(mid).map(|&v| Decimal::from(v))
    } else {
        match (values.get(mid - 1), values.get(mid)) {
            (Some(&a), Some(&b)) => Some(Decimal::from(a + b) / Decimal::TWO),
            _ => None,
        }
    };
    Stats { count: n, mean: ratio(Decimal::from(sum), Decimal::from(n as u64), 1), median: median.map(|m| round(m, 1)) }
}

/// The day the invoice became fully settled, if on or before `as_of`.
fn settled_by(inv: &CheckedInvoice<'_>, as_of: NaiveDate) -> Option<NaiveDate> {
    inv.settled_on().filter(|d| *d <= as_of)
}

/// What a run of messages says: the invoices reminded before their settlement (one entry per
/// reminder), and per step and per channel (messages with a known outcome, paid within the window).
#[derive(Default)]
struct MessageTally<'r> {
    reminded: Vec<usize>,
    steps: FxHashMap<&'r str, Outcomes>,
    channels: BTreeMap<Channel, Outcomes>,
}

/// Messages with a known outcome, and those of them paid within the window.
#[derive(Debug, Clone, Copy, Default)]
struct Outcomes(usize, usize);

impl Outcomes {
    fn add(&mut self, other: Outcomes) {
        self.0 += other.0;
        self.1 += other.1;
    }
}

impl<'r> MessageTally<'r> {
    /// Adds another run's outcomes (not its reminders, which are counted per invoice).
    fn merge(&mut self, other: MessageTally<'r>) {
        for (step, o) in other.steps {
            self.steps.entry(step).or_default().add(o);
        }
        for (channel, o) in other.channels {
            self.channels.entry(channel).or_default().add(o);
        }
    }
}

// ---- what the debtors answered -----------------------------------------------------------------

/// A count and what it adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct CountAmount {
    /// How many.
    pub count: usize,
    /// Their amount.
    pub amount: Amount,
}

/// Promises to pay made in the period, by what became of them by `asOf`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct PromiseFigures {
    /// All made in the period.
    pub made: CountAmount,
    /// Paid as promised by the promised date plus the grace.
    pub kept: CountAmount,
    /// Past the promised date plus the grace, not paid as promised.
    pub broken: CountAmount,
    /// Replaced by a newer promise before they fell due.
    pub replaced: CountAmount,
    /// Not due yet.
    pub open: CountAmount,
    /// Kept among kept and broken (0-1).
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub kept_share: Option<Decimal>,
}

/// How often a step's messages got an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct ReplyRate {
    /// The step id.
    pub step_id: String,
    /// Messages of that step sent in the period.
    pub messages: usize,
    /// Of them, those a person answered (a reply that names the message).
    pub replied: usize,
    /// The share (0-1).
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub share: Option<Decimal>,
    /// Hours from the message to its first answer: mean and median.
    pub hours_to_first_reply: Stats,
}

/// Emails that bounced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Bounces {
    /// Emails sent in the period.
    pub emails: usize,
    /// Of them, those a delivery failure report names.
    pub bounced: usize,
    /// The share (0-1).
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::money::Amount>"))]
    pub share: Option<Decimal>,
}

/// What the debtors answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct AnswerFigures {
    /// Promises to pay.
    pub promises: PromiseFigures,
    /// Reply rate and time to the first reply, by step.
    pub replies: Vec<ReplyRate>,
    /// The same over every step (`stepId` empty).
    pub all_replies: ReplyRate,
    /// Bounce rate of the emails.
    pub bounces: Bounces,
}

/// Promises made from `start` to `as_of` on the invoices analysed, replies to the messages sent
/// then (a reply counts for the message whose key it names), bounces of its emails.
fn answer_figures(
    checked: &CheckedLedger<'_>,
    invoices: &[&CheckedInvoice<'_>],
    sent: &[SentMessage],
    (start, as_of): (NaiveDate, NaiveDate),
    grace: u32,
    currency: &Currency,
) -> AnswerFigures {
    let money = |v: Decimal| Amount(v).to_minor_units(currency);
    let mut sums = [(0usize, Decimal::ZERO); 5]; // made, kept, broken, replaced, open
    for inv in invoices {
        for (k, p) in inv.invoice.promises.iter().enumerate() {
            if p.made_on < start || p.made_on > as_of {
                continue;
            }
            let slot = match crate::answers::promise_outcome(inv, k, grace, as_of) {
                PromiseOutcome::Kept => 1,
                PromiseOutcome::Broken => 2,
                PromiseOutcome::Replaced => 3,
                PromiseOutcome::Open => 4,
            };
            for i in [0, slot] {
                if let Some((n, a)) = sums.get_mut(i) {
                    *n += 1;
                    *a += p.amount.value();
                }
            }
        }
    }
    let figure = |i: usize| {
        let (count, amount) = sums.get(i).copied().unwrap_or_default();
        CountAmount { count, amount: money(amount) }
    };
    let (kept, broken) = (figure(1).count, figure(2).count);
    let promises = PromiseFigures {
        made: figure(0),
        kept: figure(1),
        broken: figure(2),
        replaced: figure(3),
        open: figure(4),
        kept_share: ratio(Decimal::from(kept as u64), Decimal::from((kept + broken) as u64), 4),
    };
    // The answers and bounces that name a message, by its key.
    let mut answers: FxHashMap<&str, Vec<DateTime<Utc>>> = FxHashMap::default();
    let mut bounced: FxHashMap<&str, ()> = FxHashMap::default();
    for r in checked.debtors.iter().flat_map(|d| &d.debtor.replies) {
        let Some(key) = r.answers.as_deref() else { continue };
        if r.is_answer() {
            answers.entry(key).or_default().push(r.received_at);
        } else if r.kind == crate::answers::ReplyKind::Bounce {
            bounced.insert(key, ());
        }
    }
    let mut by_step: BTreeMap<&str, (usize, Vec<i64>)> = BTreeMap::new();
    let (mut emails, mut bounces) = (0usize, 0usize);
    for m in sent.iter().filter(|m| (start..=as_of).contains(&m.sent_at.date_naive())) {
        let first = answers.get(m.key.as_str()).and_then(|at| at.iter().filter(|t| **t >= m.sent_at).min());
        let entry = by_step.entry(m.step_id.as_str()).or_default();
        entry.0 += 1;
        if let Some(first) = first {
            entry.1.push((*first - m.sent_at).num_hours());
        }
        if m.channel == Channel::Email {
            emails += 1;
            bounces += usize::from(bounced.contains_key(m.key.as_str()));
        }
    }
    let rate = |step: &str, messages: usize, mut hours: Vec<i64>| ReplyRate {
        step_id: step.to_owned(),
        messages,
        replied: hours.len(),
        share: ratio(Decimal::from(hours.len() as u64), Decimal::from(messages as u64), 4),
        hours_to_first_reply: stats(&mut hours),
    };
    let all_messages = by_step.values().map(|(n, _)| n).sum();
    let all_hours = by_step.values().flat_map(|(_, h)| h.iter().copied()).collect();
    let all_replies = rate("", all_messages, all_hours);
    let replies = by_step.into_iter().map(|(step, (messages, hours))| rate(step, messages, hours)).collect();
    let bounces = Bounces {
        emails,
        bounced: bounces,
        share: ratio(Decimal::from(bounces as u64), Decimal::from(emails as u64), 4),
    };
    AnswerFigures { promises, replies, all_replies, bounces }
}

/// Computes every figure.
pub fn analytics<'r>(req: &'r AnalyticsRequest) -> Result<Analytics> {
    let checked = req.ledger.check().map_err(|e| e.within("ledger"))?;
    let as_of = req.as_of;
    let start = req.period_start.unwrap_or(as_of - chrono::Duration::days(89));
    if start > as_of {
        return Err(Error::new(ErrorCode::EndBeforeStart, "periodStart", "the period starts after asOf"));
    }
    let currency = req.currency.clone().unwrap_or_else(Currency::eur);
    let window = i64::from(req.window_days.unwrap_or(14));
    if window > 366 {
        return Err(Error::new(ErrorCode::OutOfRange, "windowDays", "at most 366 days"));
    }
    let rates = penalty::rates_with(&req.extra_rates)?;
    // The invoices in the currency, issued by `asOf`; and how many are in other currencies.
    let mut invoices: Vec<&CheckedInvoice<'_>> = Vec::with_capacity(checked.invoices.len());
    let mut excluded = 0;
    for (kept, other_currency) in parallel::map_chunks(&checked.invoices, |_, chunk| {
        let mut kept = Vec::with_capacity(chunk.len());
        let mut other_currency = 0;
        for i in chunk {
            if i.invoice.currency != currency {
                other_currency += 1;
            } else if i.invoice.issue_date <= as_of {
                kept.push(i);
            }
        }
        (kept, other_currency)
    }) {
        invoices.extend(kept);
        excluded += other_currency;
    }
    let money = |v: Decimal| Amount(v).to_minor_units(&currency);

    // One pass over the invoices, in chunks (on several threads natively): everything that does
    // not need the messages.
    let countback = Countback::new(as_of);
    let figures = InvoiceFigures { checked: &checked, as_of, start, rates: &rates, countback: &countback };
    let mut all = InvoiceTally::new();
    for part in parallel::map_chunks(&invoices, |_, chunk| figures.tally(chunk)) {
        all.merge(part);
    }
    let InvoiceTally { outstanding, buckets, sales, month_sales, recovery, settled, owed, claim } = all;
    let ageing = BUCKETS
        .iter()
        .zip(buckets)
        .map(|(name, (amount, count))| AgeingBucket { bucket: (*name).into(), amount: money(amount), count })
        .collect();
    let period_days = (as_of - start).num_days() + 1;
    let dso = Dso {
        standard: ratio(outstanding * Decimal::from(period_days), sales, 1),
        countback: countback.days(&month_sales, outstanding),
        receivables: money(outstanding),
        sales: money(sales),
        period_days,
    };
    let recovery = Recovery {
        base: money(recovery.base),
        recovered: money(recovery.recovered),
        rate: ratio(recovery.recovered, recovery.base, 4),
        invoices: recovery.invoices,
    };

    // From the ledger's id index to the place in `invoices` (which leaves out other currencies)
    // and the settlement day: one read per message item.
    let mut by_ledger_index: Vec<Option<(usize, Option<NaiveDate>)>> = vec![None; checked.invoices.len()];
    for (k, (inv, settled_on)) in invoices.iter().zip(&settled).enumerate() {
        if let Some(p) = by_ledger_index.get_mut(inv.index) {
            *p = Some((k, *settled_on));
        }
    }
    let find = |id: &str| checked.invoice_index.get(id).and_then(|&i| by_ledger_index.get(i).copied().flatten());
    // One pass over the messages, in chunks (on several threads natively): reminders before each
    // settlement, and step and channel outcomes.
    let tally = |offset: usize, chunk: &'r [SentMessage]| -> Result<MessageTally<'r>> {
        let mut t = MessageTally::default();
        for (i, m) in (offset..).zip(chunk) {
            if m.items.is_empty() {
                return Err(Error::new(
                    ErrorCode::InvalidSentLog,
                    format!("sent[{i}].items"),
                    "a message covers invoices",
                ));
            }
            let day = m.sent_at.date_naive();
            for item in &m.items {
                let Some((k, settled_on)) = find(item.invoice_id.as_str()) else { continue };
                if settled_on.is_some_and(|s| day <= s) {
                    t.reminded.push(k);
                }
                if day > as_of || settled_on.is_some_and(|s| s < day) {
                    continue; // not sent yet, or after the settlement: says nothing of its effect
                }
                let paid = settled_on.is_some_and(|s| (s - day).num_days() <= window);
                if !paid && (as_of - day).num_days() < window {
                    continue; // outcome not known yet
                }
                let outcome = Outcomes(1, usize::from(paid));
                t.steps.entry(item.step_id.as_str()).or_default().add(outcome);
                t.channels.entry(m.channel).or_default().add(outcome);
            }
        }
        Ok(t)
    };
    let (parts, debtors) = parallel::join(
        req.sent.len().max(invoices.len()),
        || parallel::map_chunks(&req.sent, tally),
        || behaviours(&checked, &invoices, &settled, &owed, as_of, &req.segments, &currency),
    );
    let mut reminders = vec![0usize; invoices.len()];
    let mut outcomes = MessageTally::default();
    for part in parts {
        let part = part?;
        for k in &part.reminded {
            if let Some(n) = reminders.get_mut(*k) {
                *n += 1;
            }
        }
        outcomes.merge(part);
    }
    let MessageTally { steps, channels, .. } = outcomes;

    // Days late and reminders needed, over the invoices settled in the period.
    let mut late_days = Vec::new();
    let mut on_time = 0usize;
    let mut needed = Vec::new();
    let mut distribution = [0usize; 5];
    for (k, inv) in invoices.iter().enumerate() {
        if let Some(settled) = settled.get(k).copied().flatten().filter(|d| *d >= start) {
            let late = (settled - inv.due_date).num_days().max(0);
            late_days.push(late);
            if late == 0 {
                on_time += 1;
            }
            let n = reminders.get(k).copied().unwrap_or(0);
            needed.push(n as i64);
            if let Some(slot) = distribution.get_mut(n.min(4)) {
                *slot += 1;
            }
        }
    }
    let settled_count = late_days.len();
    let days_late = DaysLate {
        days: stats(&mut late_days),
        on_time_share: ratio(Decimal::from(on_time as u64), Decimal::from(settled_count as u64), 4),
    };
    let claimable = claim.claimable(&currency);
    let grace = req.promise_grace_days.unwrap_or(crate::policy::AnswerRules::default().promise_grace_days);
    let answers = answer_figures(&checked, &invoices, &req.sent, (start, as_of), grace, &currency);
    let effectiveness = |map: Vec<(String, Outcomes)>| -> Vec<Effectiveness> {
        map.into_iter()
            .map(|(key, Outcomes(n, paid))| Effectiveness {
                key,
                messages: n,
                paid_within_window: paid,
                share: ratio(Decimal::from(paid as u64), Decimal::from(n as u64), 4),
            })
            .collect()
    };

    Ok(Analytics {
        as_of,
        period_start: start,
        currency: currency.clone(),
        excluded_invoices: excluded,
        outstanding: money(outstanding),
        dso,
        ageing,
        recovery,
        days_late,
        reminders_before_payment: RemindersNeeded { reminders: stats(&mut needed), distribution },
        steps: effectiveness({
            // By step id: the keys are distinct, so this is the order of a sorted map.
            let mut by_id: Vec<(String, Outcomes)> = steps.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            by_id.sort_by(|a, b| a.0.cmp(&b.0));
            by_id
        }),
        channels: effectiveness(channels.into_iter().map(|(c, v)| (channel_key(c), v)).collect()),
        debtors,
        claimable,
        answers,
    })
}

fn channel_key(c: Channel) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The months counted back from `asOf` for the countback DSO: month `k` runs from the day after
/// `bounds[k + 1]` to `bounds[k]`. Sales of the 36 months before `asOf` (older sales are never needed
/// in practice; beyond, the remaining receivables count as the whole last month).
struct Countback {
    bounds: Vec<NaiveDate>,
}

impl Countback {
    const MONTHS: u32 = 36;

    fn new(as_of: NaiveDate) -> Countback {
        let bounds = (0..=Self::MONTHS).map(|k| as_of.checked_sub_months(Months::new(k)).unwrap_or(as_of)).collect();
        Countback { bounds }
    }

    /// The month of a day, if one of the 36.
    fn month_of(&self, d: NaiveDate) -> Option<usize> {
        // The month index from the calendar difference, then one step either way for day clamping.
        let as_of = *self.bounds.first()?;
        let diff = (as_of.year() - d.year()) * 12 + as_of.month0() as i32 - d.month0() as i32;
        let guess = usize::try_from(diff.max(0)).ok()?;
        [guess.checked_sub(1), Some(guess), Some(guess + 1)].into_iter().flatten().find(|&k| {
            self.bounds.get(k + 1).is_some_and(|lo| d > *lo) && self.bounds.get(k).is_some_and(|hi| d <= *hi)
        })
    }

    /// Countback DSO (see the module documentation) from each month's sales.
    fn days(&self, sales: &[Decimal], receivables: Decimal) -> Decimal {
        let mut left = receivables;
        let mut days = Decimal::ZERO;
        for (k, month_sales) in sales.iter().enumerate() {
            if left <= Decimal::ZERO {
                break;
            }
            let (Some(hi), Some(lo)) = (self.bounds.get(k), self.bounds.get(k + 1)) else { break };
            let month_days = Decimal::from((*hi - *lo).num_days());
            if *month_sales >= left {
                days += month_days * left / *month_sales;
                left = Decimal::ZERO;
            } else {
                days += month_days;
                left -= *month_sales;
            }
        }
        round(days, 1)
    }
}

/// A debtor's settled invoices (settlement day, days late), what it owes, its worst overdue days.
#[derive(Debug, Clone, Default)]
struct DebtorTally(Vec<(NaiveDate, i64)>, Decimal, i64);

/// Each debtor's behaviour; `settled[k]` and `owed[k]` are the settlement day (see `settled_by`)
/// and what is owed at `as_of` of `invoices[k]`.
fn behaviours(
    checked: &CheckedLedger<'_>,
    invoices: &[&CheckedInvoice<'_>],
    settled: &[Option<NaiveDate>],
    owed: &[Decimal],
    as_of: NaiveDate,
    seg: &Segments,
    currency: &Currency,
) -> Vec<DebtorBehaviour> {
    let mut per: Vec<DebtorTally> = vec![DebtorTally::default(); checked.debtors.len()];
    for ((inv, settled_on), owed) in invoices.iter().zip(settled).zip(owed) {
        let Some(slot) = per.get_mut(inv.debtor_index) else { continue };
        if let Some(s) = *settled_on {
            slot.0.push((s, (s - inv.due_date).num_days().max(0)));
        }
        if *owed > Decimal::ZERO {
            slot.1 += *owed;
            slot.2 = slot.2.max((as_of - inv.due_date).num_days().max(0));
        }
    }
    let mut out: Vec<DebtorBehaviour> = checked
        .debtors
        .iter()
        .zip(per)
        .filter(|(_, DebtorTally(settled, owed, _))| !settled.is_empty() || *owed > Decimal::ZERO)
        .map(|(d, DebtorTally(mut settled, owed, max_overdue))| {
            settled.sort();
            let n = settled.len();
            let late: Vec<i64> = settled.iter().map(|(_, l)| *l).collect();
            let mean = ratio(Decimal::from(late.iter().sum::<i64>()), Decimal::from(n as u64), 1);
            let on_time =
                ratio(Decimal::from(late.iter().filter(|l| **l == 0).count() as u64), Decimal::from(n as u64), 4);
            let slope = slope(&late);
            let trend = match slope {
                None => "unknown",
                Some(s) if s > Decimal::ONE => "worsening",
                Some(s) if s < -Decimal::ONE => "improving",
                Some(_) => "stable",
            };
            let at_risk = max_overdue > i64::from(seg.at_risk_overdue_days)
                || mean.is_some_and(|m| m > Decimal::from(seg.at_risk_mean_days));
            let reliable = on_time
                .is_some_and(|s| s * Decimal::ONE_HUNDRED >= Decimal::from(seg.reliable_on_time_percent))
                && mean.is_some_and(|m| m <= Decimal::from(seg.reliable_max_mean_days));
            let segment = if at_risk {
                "at_risk"
            } else if n == 0 {
                "new"
            } else if reliable {
                "reliable"
            } else {
                "slow"
            };
            DebtorBehaviour {
                debtor_id: d.debtor.id.clone(),
                name: d.debtor.name.clone(),
                settled_invoices: n,
                mean_days_late: mean,
                on_time_share: on_time,
                trend_slope: slope,
                trend: trend.into(),
                outstanding: Amount(owed).to_minor_units(currency),
                max_days_overdue: max_overdue,
                segment: segment.into(),
            }
        })
        .collect();
    let rank = |s: &str| match s {
        "at_risk" => 0,
        "slow" => 1,
        "new" => 2,
        _ => 3,
    };
    out.sort_by(|a, b| {
        (rank(&a.segment), std::cmp::Reverse(a.outstanding.value()), &a.debtor_id).cmp(&(
            rank(&b.segment),
            std::cmp::Reverse(b.outstanding.value()),
            &b.debtor_id,
        ))
    });
    out
}

/// Least-squares slope of `ys` against 0, 1, 2...: days late per invoice (two decimals).
fn slope(ys: &[i64]) -> Option<Decimal> {
    if ys.len() < 3 {
        return None;
    }
    let n = Decimal::from(ys.len() as u64);
    let xs = (0..ys.len()).map(|i| Decimal::from(i as u64));
    let mean_x = (n - Decimal::ONE) / Decimal::TWO;
    let mean_y = Decimal::from(ys.iter().sum::<i64>()) / n;
    let (mut sxy, mut sxx) = (Decimal::ZERO, Decimal::ZERO);
    for (x, y) in xs.zip(ys) {
        let dx = x - mean_x;
        sxy += dx * (Decimal::from(*y) - mean_y);
        sxx += dx * dx;
    }
    ratio(sxy, sxx, 2)
}

/// What the per-invoice pass needs.
struct InvoiceFigures<'a, 'l> {
    checked: &'a CheckedLedger<'l>,
    as_of: NaiveDate,
    /// The period's first day.
    start: NaiveDate,
    rates: &'a Rates,
    countback: &'a Countback,
}

/// What a run of invoices adds up to: everything that does not need the messages.
struct InvoiceTally {
    outstanding: Decimal,
    /// Amount and count per ageing bucket.
    buckets: [(Decimal, usize); 5],
    /// Issued in the period.
    sales: Decimal,
    /// Issued in each month counted back (see `Countback`).
    month_sales: Vec<Decimal>,
    recovery: RecoveryTally,
    /// Each invoice's settlement day (see `settled_by`), in order.
    settled: Vec<Option<NaiveDate>>,
    /// What each invoice still owes at `asOf`, in order.
    owed: Vec<Decimal>,
    claim: ClaimTally,
}

/// Overdue during the period: how many, what they owed when they became overdue (or when the
/// period began), and how much of it was paid since.
#[derive(Default)]
struct RecoveryTally {
    invoices: usize,
    base: Decimal,
    recovered: Decimal,
}

/// Penalties and indemnities over a run of invoices.
#[derive(Default)]
struct ClaimTally {
    interest: Decimal,
    indemnities: Decimal,
    invoices: usize,
    missing_rate_invoices: usize,
    first_missing_rate: Option<String>,
}

impl InvoiceFigures<'_, '_> {
    fn tally(&self, invoices: &[&CheckedInvoice<'_>]) -> InvoiceTally {
        let (as_of, start) = (self.as_of, self.start);
        let mut t = InvoiceTally::new();
        t.settled.reserve(invoices.len());
        t.owed.reserve(invoices.len());
        for inv in invoices {
            let owed = inv.outstanding_on(as_of).value();
            if owed > Decimal::ZERO {
                t.outstanding += owed;
                if let Some(b) = t.buckets.get_mut(bucket_of((as_of - inv.due_date).num_days())) {
                    b.0 += owed;
                    b.1 += 1;
                }
            }
            let total = inv.invoice.total.value();
            if inv.invoice.issue_date >= start {
                t.sales += total;
            }
            if let Some(m) = self.countback.month_of(inv.invoice.issue_date).and_then(|k| t.month_sales.get_mut(k)) {
                *m += total;
            }
            let first_overdue = start.max(inv.due_date + chrono::Duration::days(1));
            if first_overdue <= as_of {
                let owed_then = inv.outstanding_on(first_overdue - chrono::Duration::days(1)).value();
                if owed_then > Decimal::ZERO {
                    t.recovery.invoices += 1;
                    t.recovery.base += owed_then;
                    t.recovery.recovered += (owed_then - owed.max(Decimal::ZERO)).max(Decimal::ZERO);
                }
            }
            let settled = settled_by(inv, as_of);
            t.settled.push(settled);
            t.owed.push(owed);
            let late = match settled {
                Some(s) => s > inv.due_date,
                None => as_of > inv.due_date && owed > Decimal::ZERO,
            };
            if late {
                t.claim.add(penalty::default_totals(self.checked, inv, as_of, self.rates));
            }
        }
        t
    }
}

impl InvoiceTally {
    fn new() -> InvoiceTally {
        InvoiceTally {
            outstanding: Decimal::ZERO,
            buckets: [(Decimal::ZERO, 0); 5],
            sales: Decimal::ZERO,
            month_sales: vec![Decimal::ZERO; Countback::MONTHS as usize],
            recovery: RecoveryTally::default(),
            settled: Vec::new(),
            owed: Vec::new(),
            claim: ClaimTally::default(),
        }
    }

    /// Adds the tally of the next run of invoices.
    fn merge(&mut self, next: InvoiceTally) {
        self.outstanding += next.outstanding;
        for (b, n) in self.buckets.iter_mut().zip(next.buckets) {
            b.0 += n.0;
            b.1 += n.1;
        }
        self.sales += next.sales;
        for (m, n) in self.month_sales.iter_mut().zip(next.month_sales) {
            *m += n;
        }
        self.recovery.invoices += next.recovery.invoices;
        self.recovery.base += next.recovery.base;
        self.recovery.recovered += next.recovery.recovered;
        self.settled.extend(next.settled);
        self.owed.extend(next.owed);
        self.claim.merge(next.claim);
    }
}

impl ClaimTally {
    fn add(&mut self, totals: Result<DecompteTotals>) {
        match totals {
            Ok(totals) => {
                // What can still be claimed: partial payments may have paid some already.
                self.interest += totals.interest_due.value();
                self.indemnities += totals.indemnity_due.value();
                self.invoices += 1;
            }
            Err(e) => {
                self.missing_rate_invoices += 1;
                self.first_missing_rate.get_or_insert_with(|| e.message().to_owned());
            }
        }
    }

    /// Adds the tally of the next run of invoices (the first missing rate met stays).
    fn merge(&mut self, next: ClaimTally) {
        self.interest += next.interest;
        self.indemnities += next.indemnities;
        self.invoices += next.invoices;
        self.missing_rate_invoices += next.missing_rate_invoices;
        self.first_missing_rate = self.first_missing_rate.take().or(next.first_missing_rate);
    }

    fn claimable(self, currency: &Currency) -> Claimable {
        let money = |v: Decimal| Amount(v).to_minor_units(currency);
        Claimable {
            interest: money(self.interest),
            indemnities: money(self.indemnities),
            total: money(self.interest + self.indemnities),
            invoices: self.invoices,
            missing_rate_invoices: self.missing_rate_invoices,
            missing_rate: self.first_missing_rate,
        }
    }
}
