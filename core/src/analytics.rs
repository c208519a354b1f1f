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
//!   amount owed when it first was (the period's first day, or the day after its due date) is the
//!   base; what was paid or credited from then to the period's end is recovered.
//! - **Days late**: for invoices fully settled within the period, settlement day minus due date
//!   (0 when on time): mean, median, share on time.
//! - **Reminders before payment**: for the same invoices, the messages sent about each up to its
//!   settlement day.
//! - **Effectiveness** of each step and channel: of the invoices a message covered, the share
//!   settled within `windowDays` of it (messages younger than the window, about invoices still open,
//!   are left out: their outcome is not known yet).
//! - **Debtor behaviour**: mean days late, share on time, trend (least-squares slope of days late
//!   over the debtor's settled invoices, in settlement order), and a segment (rules in `Segments`).
//! - **Claimable** today: interest and fixed indemnities of every invoice paid late or overdue, by
//!   the penalty engine under the default regime of creditor and debtor.
//!
//! Amounts are in one currency (`currency`, EUR by default); invoices in others are counted in
//! `excludedInvoices` and left out.

use crate::error::{Error, ErrorCode, Result};
use crate::idmap::IdMap;
use crate::ledger::{CheckedInvoice, CheckedLedger, Ledger};
use crate::money::{Amount, Currency};
use crate::penalty::{totals, PenaltyRequest};
use crate::planner::ItemRef;
use crate::policy::Channel;
use crate::rates::RateRow;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A message sent, from the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SentMessage {
    /// Idempotency key.
    pub key: String,
    /// When it went out.
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Segments {
    /// `reliable`: at least this share paid on time (percent)...
    #[serde(default = "default_reliable_share")]
    pub reliable_on_time_percent: u32,
    /// ...and at most this mean lateness (days).
    #[serde(default = "default_reliable_days")]
    pub reliable_max_mean_days: u32,
    /// `at_risk`: mean lateness above this (days)...
    #[serde(default = "default_risk_days")]
    pub at_risk_mean_days: u32,
    /// ...or an open invoice more than this many days overdue.
    #[serde(default = "default_risk_overdue")]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsRequest {
    /// The ledger.
    pub ledger: Ledger,
    /// The delivery log (messages sent).
    #[serde(default)]
    pub sent: Vec<SentMessage>,
    /// The day of the figures.
    #[serde(deserialize_with = "crate::date::de")]
    pub as_of: NaiveDate,
    /// First day of the period (DSO, recovery, days late); default 90 days before `asOf`.
    #[serde(default, deserialize_with = "crate::date::de_opt")]
    pub period_start: Option<NaiveDate>,
    /// The currency analysed (default EUR).
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Effectiveness window after a message, in days (default 14).
    #[serde(default)]
    pub window_days: Option<u32>,
    /// Segment thresholds.
    #[serde(default)]
    pub segments: Segments,
    /// Newer rate rows, for the claimable penalties.
    #[serde(default)]
    pub extra_rates: BTreeMap<String, Vec<RateRow>>,
}

/// Days sales outstanding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dso {
    /// Standard method (days, one decimal); absent without sales in the period.
    pub standard: Option<Decimal>,
    /// Countback method (days, one decimal).
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
#[serde(rename_all = "camelCase")]
pub struct Recovery {
    /// Overdue amounts at stake.
    pub base: Amount,
    /// Recovered by the period's end.
    pub recovered: Amount,
    /// recovered ÷ base (0-1, four decimals); absent when nothing was overdue.
    pub rate: Option<Decimal>,
    /// Invoices at stake.
    pub invoices: usize,
}

/// A distribution of whole numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// How many values.
    pub count: usize,
    /// Mean (one decimal).
    pub mean: Option<Decimal>,
    /// Median (one decimal: the mean of the two middle values for an even count).
    pub median: Option<Decimal>,
}

/// Payment delays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaysLate {
    /// Days late of the invoices settled in the period.
    pub days: Stats,
    /// Share settled on or before the due date (0-1).
    pub on_time_share: Option<Decimal>,
}

/// Reminders before payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemindersNeeded {
    /// Messages per invoice settled in the period.
    pub reminders: Stats,
    /// How many invoices needed 0, 1, 2, 3, 4 or more messages.
    pub distribution: [usize; 5],
}

/// Effectiveness of a step or channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Effectiveness {
    /// The step id or channel.
    pub key: String,
    /// Invoice-messages whose outcome is known.
    pub messages: usize,
    /// Of them, settled within the window.
    pub paid_within_window: usize,
    /// The share (0-1).
    pub share: Option<Decimal>,
}

/// How a debtor pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DebtorBehaviour {
    /// Debtor id.
    pub debtor_id: String,
    /// Name.
    pub name: String,
    /// Invoices settled by `asOf`.
    pub settled_invoices: usize,
    /// Their mean days late.
    pub mean_days_late: Option<Decimal>,
    /// Share on time.
    pub on_time_share: Option<Decimal>,
    /// Days late per invoice, least squares over settlement order (needs 3 invoices).
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
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    /// Day of the figures.
    pub as_of: NaiveDate,
    /// First day of the period.
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
    let mut r = v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

fn ratio(num: Decimal, den: Decimal, dp: u32) -> Option<Decimal> {
    (!den.is_zero()).then(|| round(num / den, dp))
}

fn stats(values: &mut [i64]) -> Stats {
    if values.is_empty() {
        return Stats { count: 0, mean: None, median: None };
    }
    values.sort_unstable();
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

/// Computes every figure.
pub fn analytics(req: &AnalyticsRequest) -> Result<Analytics> {
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
    let invoices: Vec<&CheckedInvoice<'_>> =
        checked.invoices.iter().filter(|i| i.invoice.currency == currency && i.invoice.issue_date <= as_of).collect();
    let excluded = checked.invoices.iter().filter(|i| i.invoice.currency != currency).count();
    let money = |v: Decimal| Amount(v).to_minor_units(&currency);

    // Outstanding and ageing.
    let mut buckets = [(Decimal::ZERO, 0usize); 5];
    let mut outstanding = Decimal::ZERO;
    for inv in &invoices {
        let owed = inv.outstanding_on(as_of).value();
        if owed > Decimal::ZERO {
            outstanding += owed;
            if let Some(b) = buckets.get_mut(bucket_of((as_of - inv.due_date).num_days())) {
                b.0 += owed;
                b.1 += 1;
            }
        }
    }
    let ageing = BUCKETS
        .iter()
        .zip(buckets)
        .map(|(name, (amount, count))| AgeingBucket { bucket: (*name).into(), amount: money(amount), count })
        .collect();

    // DSO.
    let period_days = (as_of - start).num_days() + 1;
    let sales: Decimal =
        invoices.iter().filter(|i| i.invoice.issue_date >= start).map(|i| i.invoice.total.value()).sum();
    let dso = Dso {
        standard: ratio(outstanding * Decimal::from(period_days), sales, 1),
        countback: countback(&invoices, as_of, outstanding),
        receivables: money(outstanding),
        sales: money(sales),
        period_days,
    };

    // Recovery, days late, reminders needed.
    let mut base = Decimal::ZERO;
    let mut recovered = Decimal::ZERO;
    let mut at_stake = 0;
    let mut late_days = Vec::new();
    let mut on_time = 0usize;
    // Settlement days once; one index from invoice id to its place in `invoices`.
    let settled: Vec<Option<NaiveDate>> = invoices.iter().map(|i| settled_by(i, as_of)).collect();
    // The ledger's id index, to the place in `invoices` (which leaves out other currencies).
    let mut place = vec![None; checked.invoices.len()];
    for (k, inv) in invoices.iter().enumerate() {
        if let Some(p) = place.get_mut(inv.index) {
            *p = Some(k);
        }
    }
    let position = |id: &str| checked.invoice_index.get(id).and_then(|&i| place.get(i).copied().flatten());
    // One pass over the messages: reminders before each settlement, and step and channel outcomes.
    let mut reminders = vec![0usize; invoices.len()];
    let mut steps: IdMap<&str, (usize, usize)> = IdMap::default();
    let mut channels: BTreeMap<Channel, (usize, usize)> = BTreeMap::new();
    for (i, m) in req.sent.iter().enumerate() {
        if m.items.is_empty() {
            return Err(Error::new(ErrorCode::InvalidSentLog, format!("sent[{i}].items"), "a message covers invoices"));
        }
        let day = m.sent_at.date_naive();
        for item in &m.items {
            let Some(k) = position(item.invoice_id.as_str()) else { continue };
            let settled_on = settled.get(k).copied().flatten();
            if settled_on.is_some_and(|s| day <= s) {
                if let Some(n) = reminders.get_mut(k) {
                    *n += 1;
                }
            }
            if day > as_of || settled_on.is_some_and(|s| s < day) {
                continue; // not sent yet, or after the settlement: says nothing of its effect
            }
            let paid = settled_on.is_some_and(|s| (s - day).num_days() <= window);
            if !paid && (as_of - day).num_days() < window {
                continue; // outcome not known yet
            }
            for e in [steps.entry(item.step_id.as_str()).or_default(), channels.entry(m.channel).or_default()] {
                e.0 += 1;
                e.1 += usize::from(paid);
            }
        }
    }
    let mut needed = Vec::new();
    let mut distribution = [0usize; 5];
    for (k, inv) in invoices.iter().enumerate() {
        let first_overdue = start.max(inv.due_date + chrono::Duration::days(1));
        if first_overdue <= as_of {
            let owed = inv.outstanding_on(first_overdue - chrono::Duration::days(1)).value();
            if owed > Decimal::ZERO {
                at_stake += 1;
                base += owed;
                recovered += (owed - inv.outstanding_on(as_of).value().max(Decimal::ZERO)).max(Decimal::ZERO);
            }
        }
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
    let recovery = Recovery {
        base: money(base),
        recovered: money(recovered),
        rate: ratio(recovered, base, 4),
        invoices: at_stake,
    };

    let effectiveness = |map: Vec<(String, (usize, usize))>| -> Vec<Effectiveness> {
        map.into_iter()
            .map(|(key, (n, paid))| Effectiveness {
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
        steps: effectiveness(
            steps.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<BTreeMap<_, _>>().into_iter().collect(),
        ),
        channels: effectiveness(channels.into_iter().map(|(c, v)| (channel_key(c), v)).collect()),
        debtors: behaviours(&checked, &invoices, as_of, &req.segments, &currency),
        claimable: claimable(&checked, &invoices, as_of, &req.extra_rates, &currency),
    })
}

fn channel_key(c: Channel) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Countback DSO: see the module documentation.
fn countback(invoices: &[&CheckedInvoice<'_>], as_of: NaiveDate, receivables: Decimal) -> Decimal {
    // Sales of the 36 months before `asOf` (older sales are never needed in practice; beyond, the
    // remaining receivables count as the whole last month).
    const MONTHS: u32 = 36;
    let bounds: Vec<NaiveDate> =
        (0..=MONTHS).map(|k| as_of.checked_sub_months(Months::new(k)).unwrap_or(as_of)).collect();
    let mut sales = vec![Decimal::ZERO; MONTHS as usize];
    let month_of = |d: NaiveDate| -> Option<usize> {
        // The month index from the calendar difference, then one step either way for day clamping.
        let diff = (as_of.year() - d.year()) * 12 + as_of.month0() as i32 - d.month0() as i32;
        let guess = usize::try_from(diff.max(0)).ok()?;
        [guess.checked_sub(1), Some(guess), Some(guess + 1)]
            .into_iter()
            .flatten()
            .find(|&k| bounds.get(k + 1).is_some_and(|lo| d > *lo) && bounds.get(k).is_some_and(|hi| d <= *hi))
    };
    for inv in invoices {
        if let Some(s) = month_of(inv.invoice.issue_date).and_then(|k| sales.get_mut(k)) {
            *s += inv.invoice.total.value();
        }
    }
    let mut left = receivables;
    let mut days = Decimal::ZERO;
    for (k, month_sales) in sales.iter().enumerate() {
        if left <= Decimal::ZERO {
            break;
        }
        let (Some(hi), Some(lo)) = (bounds.get(k), bounds.get(k + 1)) else { break };
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

/// A debtor's settled invoices (settlement day, days late), what it owes, its worst overdue days.
#[derive(Debug, Clone, Default)]
struct DebtorTally(Vec<(NaiveDate, i64)>, Decimal, i64);

fn behaviours(
    checked: &CheckedLedger<'_>,
    invoices: &[&CheckedInvoice<'_>],
    as_of: NaiveDate,
    seg: &Segments,
    currency: &Currency,
) -> Vec<DebtorBehaviour> {
    let mut per: Vec<DebtorTally> = vec![DebtorTally::default(); checked.debtors.len()];
    for inv in invoices {
        let Some(slot) = per.get_mut(inv.debtor_index) else { continue };
        if let Some(s) = settled_by(inv, as_of) {
            slot.0.push((s, (s - inv.due_date).num_days().max(0)));
        }
        let owed = inv.outstanding_on(as_of).value();
        if owed > Decimal::ZERO {
            slot.1 += owed;
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

fn claimable(
    checked: &CheckedLedger<'_>,
    invoices: &[&CheckedInvoice<'_>],
    as_of: NaiveDate,
    extra_rates: &BTreeMap<String, Vec<RateRow>>,
    currency: &Currency,
) -> Claimable {
    let (mut interest, mut indemnities, mut count, mut missing_count) = (Decimal::ZERO, Decimal::ZERO, 0, 0);
    let mut missing = None;
    for inv in invoices {
        let late = match settled_by(inv, as_of) {
            Some(s) => s > inv.due_date,
            None => as_of > inv.due_date && inv.outstanding_on(as_of).is_positive(),
        };
        if !late {
            continue;
        }
        let req = PenaltyRequest::by_default(checked, inv, as_of, extra_rates);
        match totals(&req) {
            Ok(t) => {
                interest += t.interest.value();
                indemnities += t.indemnity.value();
                count += 1;
            }
            Err(e) => {
                missing_count += 1;
                missing.get_or_insert_with(|| e.message().to_owned());
            }
        }
    }
    let money = |v: Decimal| Amount(v).to_minor_units(currency);
    Claimable {
        interest: money(interest),
        indemnities: money(indemnities),
        total: money(interest + indemnities),
        invoices: count,
        missing_rate_invoices: missing_count,
        missing_rate: missing,
    }
}
