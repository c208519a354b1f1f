//! What the debtor answers: promises to pay (on an invoice), replies received and call outcomes (on
//! the debtor). The planner steers by them (see `planner`); [`answer_tasks`] lists the work they
//! give people: read a reply, check an "already paid", fix an address that bounced or a wrong number.

use crate::date;
use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{CheckedDebtor, CheckedInvoice, Debtor, Email, Ledger};
use crate::money::Amount;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest free text of an answer (a note, a subject): it is shown, never sent.
pub const MAX_NOTE_LEN: usize = 2_000;

/// How a promise to pay was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PromiseVia {
    /// On the phone.
    Phone,
    /// By email.
    Email,
    /// On a payment portal.
    Portal,
    /// By letter.
    Letter,
    /// A "payment sent" status (211) from the e-invoicing platform.
    Platform,
}

/// A promise to pay part or all of an invoice by a date (`PaymentPromise` in TypeScript, where
/// `Promise` is taken).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable, rename = "PaymentPromise"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Promise {
    /// Day the debtor made it.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub made_on: NaiveDate,
    /// Day the debtor said the money would be there.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub promised_date: NaiveDate,
    /// Amount promised.
    pub amount: Amount,
    /// How it was made.
    pub via: PromiseVia,
    /// What was said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub note: String,
}

/// How a reply came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReplyChannel {
    /// An email (to the reply-to address of a reminder).
    Email,
    /// A phone call from the debtor.
    Phone,
    /// A letter.
    Letter,
    /// A message on a portal.
    Portal,
}

/// What a reply is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// Written by a person: an answer.
    Human,
    /// An out-of-office or other automatic reply: not an answer.
    AutoReply,
    /// A delivery failure report: the address is bad.
    Bounce,
    /// A message that could not be read (malformed, oversized): a person reads it, so it counts as
    /// an answer until they say otherwise.
    Unreadable,
}

/// A reply received from the debtor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reply {
    /// When it was received.
    #[serde(deserialize_with = "date::de_instant")]
    pub received_at: DateTime<Utc>,
    /// How it came in.
    pub channel: ReplyChannel,
    /// Human, automatic, bounce or unreadable.
    pub kind: ReplyKind,
    /// The key of the reminder it answers, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
    /// For a bounce: the address that failed (absent: the debtor's main address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Email>,
    /// Its subject or a summary.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub summary: String,
}

/// Whether a call reached the debtor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CallResult {
    /// Someone answered.
    Reached,
    /// Nobody answered: the path goes on.
    NotReached,
    /// The number is not the debtor's: the phone is bad until it is changed.
    WrongNumber,
}

/// What was agreed on a call that reached the debtor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CallAgreement {
    /// A promise to pay (recorded as a promise on the invoices).
    Promise,
    /// The debtor disputes (recorded as a dispute).
    Dispute,
    /// The debtor says it is paid: a person checks the bank.
    AlreadyPaid,
    /// Nothing in particular.
    Nothing,
}

/// The outcome of a call made to the debtor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallOutcome {
    /// Day of the call.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub on: NaiveDate,
    /// Reached, not reached, wrong number.
    pub result: CallResult,
    /// What was agreed (only for a call that reached the debtor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed: Option<CallAgreement>,
    /// The key of the call task it closes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
    /// What was said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub note: String,
}

impl Reply {
    /// True when it is an answer from a person (or may be: an unreadable one).
    pub fn is_answer(&self) -> bool {
        matches!(self.kind, ReplyKind::Human | ReplyKind::Unreadable)
    }
}

impl CallOutcome {
    /// True when the debtor was reached: a conversation is an answer.
    pub fn is_answer(&self) -> bool {
        self.result == CallResult::Reached
    }
}

fn check_note(text: &str, path: String) -> Result<()> {
    let len = text.chars().count();
    if len > MAX_NOTE_LEN {
        return Err(Error::new(ErrorCode::TextTooLong, path, format!("{len} characters, the most is {MAX_NOTE_LEN}")));
    }
    Ok(())
}

fn check_key(key: Option<&String>, path: String) -> Result<()> {
    match key {
        Some(k) if k.trim().is_empty() || k.len() > 128 => {
            Err(Error::new(ErrorCode::InvalidId, path, "the key of a reminder is 1 to 128 characters"))
        }
        _ => Ok(()),
    }
}

/// Checks a debtor's replies and calls (paths relative to the debtor).
pub(crate) fn check_debtor_answers(debtor: &Debtor) -> Result<()> {
    for (i, reply) in debtor.replies.iter().enumerate() {
        let at = |field: &str| format!("replies[{i}].{field}");
        date::check_year(reply.received_at.date_naive()).map_err(|e| e.within(&at("receivedAt")))?;
        if reply.address.is_some() && reply.kind != ReplyKind::Bounce {
            return Err(Error::new(
                ErrorCode::InvalidAnswer,
                at("address"),
                "only a bounce names the address that failed",
            ));
        }
        if reply.kind == ReplyKind::Bounce && reply.channel != ReplyChannel::Email {
            return Err(Error::new(ErrorCode::InvalidAnswer, at("kind"), "only an email can bounce"));
        }
        check_key(reply.answers.as_ref(), at("answers"))?;
        check_note(&reply.summary, at("summary"))?;
    }
    for (i, call) in debtor.calls.iter().enumerate() {
        let at = |field: &str| format!("calls[{i}].{field}");
        date::check_year(call.on).map_err(|e| e.within(&at("on")))?;
        if call.agreed.is_some() && call.result != CallResult::Reached {
            return Err(Error::new(
                ErrorCode::InvalidAnswer,
                at("agreed"),
                "something can be agreed only on a call that reached the debtor",
            ));
        }
        check_key(call.answers.as_ref(), at("answers"))?;
        check_note(&call.note, at("note"))?;
    }
    Ok(())
}

/// Checks an invoice's promises (paths relative to the invoice): each made on or after the invoice
/// date, for a day on or after it was made, in the order they were made.
pub(crate) fn check_promises(promises: &[Promise], issue: NaiveDate, currency: &crate::money::Currency) -> Result<()> {
    let mut previous: Option<NaiveDate> = None;
    for (i, p) in promises.iter().enumerate() {
        let at = |field: &str| format!("promises[{i}].{field}");
        if p.made_on < issue {
            return Err(Error::new(
                ErrorCode::DateBeforeIssue,
                at("madeOn"),
                format!("{} is before the invoice date {issue}", p.made_on),
            ));
        }
        if p.promised_date < p.made_on {
            return Err(Error::new(
                ErrorCode::EndBeforeStart,
                at("promisedDate"),
                format!("a promise made on {} cannot be for {}, before it", p.made_on, p.promised_date),
            ));
        }
        date::check_year(p.promised_date).map_err(|e| e.within(&at("promisedDate")))?;
        crate::ledger::check_positive(p.amount, currency, &at("amount"))?;
        if previous.is_some_and(|d| p.made_on < d) {
            return Err(Error::new(
                ErrorCode::InvalidAnswer,
                at("madeOn"),
                "list the promises in the order they were made",
            ));
        }
        check_note(&p.note, at("note"))?;
        previous = Some(p.made_on);
    }
    Ok(())
}

/// The debtor's answers as the planner reads them, in the debtor's own days.
pub(crate) struct Answers {
    /// Each answer (a person's reply, an unreadable one, a call that reached the debtor) as the
    /// day it came and the first day whose step it can hold: a reply received before the send
    /// window opens holds that day's step, one received later (the step went out) the next day's;
    /// a call holds from the next day. Sorted by that first day.
    answers: Vec<(NaiveDate, NaiveDate)>,
}

impl Answers {
    /// `window_opens`: the hour (debtor's time) the day's messages go out.
    pub(crate) fn of(debtor: &CheckedDebtor<'_>, window_opens: u32) -> Answers {
        let d = debtor.debtor;
        let next = |day: NaiveDate| day.succ_opt().unwrap_or(day);
        let replies = d.replies.iter().filter(|r| r.is_answer()).map(|r| {
            let local = debtor.time_zone.local(r.received_at);
            let day = local.date_naive();
            (day, if chrono::Timelike::hour(&local) < window_opens { day } else { next(day) })
        });
        let calls = d.calls.iter().filter(|c| c.is_answer()).map(|c| (c.on, next(c.on)));
        let mut answers: Vec<(NaiveDate, NaiveDate)> = replies.chain(calls).collect();
        answers.sort_unstable_by_key(|&(day, holds_from)| (holds_from, day));
        Answers { answers }
    }

    /// The answers that can hold a step on `day`.
    fn known_on(&self, day: NaiveDate) -> &[(NaiveDate, NaiveDate)] {
        let end = self.answers.partition_point(|&(_, holds_from)| holds_from <= day);
        self.answers.get(..end).unwrap_or_default()
    }

    /// True when the debtor answered on or after `from` in time to count on `to`.
    pub(crate) fn answered_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.known_on(to).iter().any(|&(day, _)| day >= from)
    }

    /// The day of the latest answer that can hold a step on `day`.
    pub(crate) fn last_answer_by(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.known_on(day).iter().map(|&(answered, _)| answered).max()
    }
}

impl CheckedDebtor<'_> {
    /// The debtor's addresses that have not bounced by `day`, main first: where an email goes.
    pub fn good_emails(&self, day: NaiveDate) -> Vec<&Email> {
        let bounced: Vec<&Email> = self
            .debtor
            .replies
            .iter()
            .filter(|r| r.kind == ReplyKind::Bounce && self.local_date(r.received_at) <= day)
            .filter_map(|r| r.address.as_ref().or_else(|| self.debtor.contacts.emails.first()))
            .collect();
        self.debtor.contacts.emails.iter().filter(|e| !bounced.contains(e)).collect()
    }

    /// True when a bounce was recorded and no address is left that has not bounced by `day`.
    pub(crate) fn every_email_bounced(&self, day: NaiveDate) -> bool {
        self.debtor.replies.iter().any(|r| r.kind == ReplyKind::Bounce) && self.good_emails(day).is_empty()
    }
}

/// What a person must do about an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AnswerTaskKind {
    /// Read a reply (or an unreadable message) and act on it.
    ReadReply,
    /// The debtor says it is paid: check the bank and record the payment.
    CheckPayment,
    /// Every email address bounced: find a good one.
    FixEmail,
    /// The phone number is wrong: find the right one.
    FixPhone,
}

/// A task an answer gives a person. Its key is stable: the same answer gives the same task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct AnswerTask {
    /// Stable key (the task's id).
    pub key: String,
    /// What to do.
    pub kind: AnswerTaskKind,
    /// Debtor id.
    pub debtor_id: String,
    /// Day it is due (the day of the answer).
    #[serde(serialize_with = "date::ser", deserialize_with = "date::de")]
    pub due_on: NaiveDate,
    /// The answer it comes from.
    pub path: String,
    /// For a person.
    pub message: String,
}

/// Every task the debtors' answers give, in ledger order.
pub fn answer_tasks(ledger: &Ledger) -> Result<Vec<AnswerTask>> {
    let checked = ledger.check().map_err(|e| e.within("ledger"))?;
    let mut tasks = Vec::new();
    for (di, debtor) in checked.debtors.iter().enumerate() {
        tasks.extend(debtor_tasks(di, debtor));
    }
    Ok(tasks)
}

/// A short digest of a reply or a call, so that two received in the same second (or on the same
/// day) give two tasks while the same one always gives the same task, in whatever order listed.
fn fingerprint(answer: &impl Serialize) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(answer).unwrap_or_default();
    Sha256::digest(text.as_bytes()).iter().take(4).map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn debtor_tasks(di: usize, debtor: &CheckedDebtor<'_>) -> Vec<AnswerTask> {
    let d = debtor.debtor;
    let mut tasks = Vec::new();
    let task = |kind: AnswerTaskKind, key: String, due_on: NaiveDate, path: String, message: String| AnswerTask {
        key,
        kind,
        debtor_id: d.id.clone(),
        due_on,
        path,
        message,
    };
    for (i, r) in d.replies.iter().enumerate() {
        let day = debtor.local_date(r.received_at);
        let path = format!("ledger.debtors[{di}].replies[{i}]");
        let at = r.received_at.format("%Y-%m-%dT%H:%M:%SZ");
        if r.is_answer() {
            let what = if r.kind == ReplyKind::Unreadable { "a message that could not be read" } else { "a reply" };
            let key = format!("read_reply:{}:{at}:{}", d.id, fingerprint(r));
            let message = format!("{} sent {what} on {day}: read it and record what it says", d.name);
            tasks.push(task(AnswerTaskKind::ReadReply, key, day, path.clone(), message));
        }
        if r.kind == ReplyKind::Bounce && debtor.good_emails(day).is_empty() && !d.contacts.emails.is_empty() {
            let key = format!("fix_email:{}:{at}:{}", d.id, fingerprint(r));
            let message = format!("every email address of {} bounced by {day}: find a good one", d.name);
            tasks.push(task(AnswerTaskKind::FixEmail, key, day, path, message));
        }
    }
    for (i, c) in d.calls.iter().enumerate() {
        let path = format!("ledger.debtors[{di}].calls[{i}]");
        if c.agreed == Some(CallAgreement::AlreadyPaid) {
            let key = format!("check_payment:{}:{}:{}", d.id, c.on, fingerprint(c));
            let message = format!("{} said on {} that it is paid: check the bank and record the payment", d.name, c.on);
            tasks.push(task(AnswerTaskKind::CheckPayment, key, c.on, path.clone(), message));
        }
        if c.result == CallResult::WrongNumber {
            let key = format!("fix_phone:{}:{}:{}", d.id, c.on, fingerprint(c));
            let message = format!("the number called for {} on {} is not theirs: find the right one", d.name, c.on);
            tasks.push(task(AnswerTaskKind::FixPhone, key, c.on, path, message));
        }
    }
    tasks
}

/// What became of a promise to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromiseOutcome {
    /// Not due yet: the promised date plus the grace is not over.
    Open,
    /// What was promised was paid by the promised date plus the grace.
    Kept,
    /// The promised date plus the grace is over and what was promised was not paid.
    Broken,
    /// A newer promise came before it fell due.
    Replaced,
}

/// True when what `promise` promised was received from the day it was made to `by` (payments and
/// credit notes, whatever they paid first; or the invoice's principal settled).
pub(crate) fn promise_paid(inv: &CheckedInvoice<'_>, promise: &Promise, by: NaiveDate) -> bool {
    !inv.outstanding_on(by).is_positive() || inv.received_between(promise.made_on, by) >= promise.amount
}

/// What became of promise `index` of `inv` by `as_of`, with `grace` days after the promised date.
pub(crate) fn promise_outcome(inv: &CheckedInvoice<'_>, index: usize, grace: u32, as_of: NaiveDate) -> PromiseOutcome {
    let Some(promise) = inv.invoice.promises.get(index) else { return PromiseOutcome::Open };
    let last = date::add_days(promise.promised_date, i64::from(grace)).unwrap_or(promise.promised_date);
    let next = inv.invoice.promises.get(index + 1);
    if next.is_some_and(|n| n.made_on <= last && n.made_on <= as_of) {
        PromiseOutcome::Replaced
    } else if promise_paid(inv, promise, last.min(as_of)) {
        PromiseOutcome::Kept
    } else if last < as_of {
        PromiseOutcome::Broken
    } else {
        PromiseOutcome::Open
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
mod tests {
    use super::*;
    use crate::json::from_json;

    /// A ledger with one debtor and one invoice; `debtor` and `invoice` add fields to them.
    fn ledger(debtor: &str, invoice: &str) -> String {
        format!(
            r#"{{"creditor": {{"name": "C", "address": {{"country": "FR"}}}},
              "debtors": [{{"id": "d1", "name": "D", "kind": "business", "country": "FR", "locale": "fr",
                           "timeZone": "Europe/Paris", "contacts": {{"emails": ["a@d.example"]}} {debtor}}}],
              "invoices": [{{"id": "i1", "number": "N1", "debtorId": "d1", "issueDate": "2025-09-01",
                            "currency": "EUR", "total": "1000.00", "dueDate": "2025-10-01" {invoice}}}]}}"#
        )
    }

    fn error_of(debtor: &str, invoice: &str) -> (ErrorCode, String) {
        let e = match from_json::<Ledger>(&ledger(debtor, invoice)) {
            Err(e) => e,
            Ok(l) => l.check().map(|_| ()).expect_err("the ledger should be refused"),
        };
        (e.code(), e.path().to_owned())
    }

    #[test]
    fn answers_that_do_not_hold_together_are_refused_at_their_field() {
        let reply = |fields: &str| format!(r#", "replies": [{{"receivedAt": "2025-10-10T09:00:00Z", {fields}}}]"#);
        let cases = [
            (
                reply(r#""channel": "phone", "kind": "bounce""#),
                "",
                ErrorCode::InvalidAnswer,
                "debtors[0].replies[0].kind",
            ),
            (
                reply(r#""channel": "email", "kind": "human", "address": "a@d.example""#),
                "",
                ErrorCode::InvalidAnswer,
                "debtors[0].replies[0].address",
            ),
            (
                reply(r#""channel": "email", "kind": "angry""#),
                "",
                ErrorCode::UnknownVariant,
                "debtors[0].replies[0].kind",
            ),
            (
                reply(r#""channel": "email", "kind": "human", "mood": 1"#),
                "",
                ErrorCode::UnknownField,
                "debtors[0].replies[0].mood",
            ),
            (
                r#", "calls": [{"on": "2025-10-10", "result": "not_reached", "agreed": "promise"}]"#.to_owned(),
                "",
                ErrorCode::InvalidAnswer,
                "debtors[0].calls[0].agreed",
            ),
            (
                String::new(),
                r#", "promises": [{"madeOn": "2025-08-01", "promisedDate": "2025-10-15", "amount": "10.00", "via": "phone"}]"#,
                ErrorCode::DateBeforeIssue,
                "invoices[0].promises[0].madeOn",
            ),
            (
                String::new(),
                r#", "promises": [{"madeOn": "2025-10-08", "promisedDate": "2025-10-01", "amount": "10.00", "via": "phone"}]"#,
                ErrorCode::EndBeforeStart,
                "invoices[0].promises[0].promisedDate",
            ),
            (
                String::new(),
                r#", "promises": [{"madeOn": "2025-10-08", "promisedDate": "2025-10-15", "amount": 10, "via": "phone"}]"#,
                ErrorCode::InvalidAmount,
                "invoices[0].promises[0].amount",
            ),
            (
                String::new(),
                r#", "promises": [{"madeOn": "2025-10-08", "promisedDate": "2025-10-15", "amount": "10.00", "via": "fax"}]"#,
                ErrorCode::UnknownVariant,
                "invoices[0].promises[0].via",
            ),
            (
                String::new(),
                r#", "promises": [{"madeOn": "2025-10-08", "promisedDate": "2025-10-15", "amount": "10.00", "via": "phone"},
                                  {"madeOn": "2025-10-02", "promisedDate": "2025-10-15", "amount": "10.00", "via": "phone"}]"#,
                ErrorCode::InvalidAnswer,
                "invoices[0].promises[1].madeOn",
            ),
        ];
        for (debtor, invoice, code, path) in cases {
            assert_eq!(error_of(&debtor, invoice), (code, path.to_owned()), "{debtor}{invoice}");
        }
    }

    #[test]
    fn answers_give_tasks_with_stable_keys() {
        let replies = r#", "replies": [
            {"receivedAt": "2025-10-10T09:00:00Z", "channel": "email", "kind": "auto_reply"},
            {"receivedAt": "2025-10-11T09:00:00Z", "channel": "email", "kind": "human"},
            {"receivedAt": "2025-10-12T09:00:00Z", "channel": "email", "kind": "bounce"}],
          "calls": [{"on": "2025-10-13", "result": "reached", "agreed": "already_paid"},
                    {"on": "2025-10-14", "result": "wrong_number"}]"#;
        let l: Ledger = from_json(&ledger(replies, "")).unwrap();
        let tasks = answer_tasks(&l).unwrap();
        let kinds: Vec<(AnswerTaskKind, &str)> = tasks.iter().map(|t| (t.kind, t.key.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (AnswerTaskKind::ReadReply, "read_reply:d1:2025-10-11T09:00:00Z:0700f691"),
                (AnswerTaskKind::FixEmail, "fix_email:d1:2025-10-12T09:00:00Z:53121316"),
                (AnswerTaskKind::CheckPayment, "check_payment:d1:2025-10-13:e0c97fc0"),
                (AnswerTaskKind::FixPhone, "fix_phone:d1:2025-10-14:269abc87"),
            ]
        );
        assert_eq!(tasks, answer_tasks(&l).unwrap());
        let checked = l.check().unwrap();
        let debtor = &checked.debtors[0];
        let day = |s: &str| crate::date::parse(s).unwrap();
        assert_eq!(debtor.good_emails(day("2025-10-11")).len(), 1);
        assert!(debtor.good_emails(day("2025-10-12")).is_empty());
    }
}
