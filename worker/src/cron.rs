//! The scheduled run: what is due now, claimed before it is sent, recorded after. Plain Rust over
//! the `Database` and `Http` traits, so the same code runs in workerd and in the native tests.
//!
//! Exactly once: a key is claimed by inserting its delivery row (one insert wins); only the
//! claimant sends, with the key as the provider's idempotency key; only the claimant records the
//! outcome. A run that dies after its claim leaves the row `claimed`: once the lease is over, a
//! later run takes it over and sends again with the same key, which the provider (or the local
//! outbox, or the task table) deduplicates. Transient failures back off; after `MAX_ATTEMPTS`
//! the delivery is `failed`, visible in the API.

use crate::blobs::{document_key, Blobs};
use crate::clock::Clock;
use crate::config::{Config, EmailProvider};
use crate::db::{Database, DbError};
use crate::send::{classify, resend_request, webhook_request, Attempt, Http};
use crate::store::{self, Attachment, Book, Delivery, NewClaim, Outcome, Which};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use relance_core::ledger::{CheckedDebtor, Debtor, Ledger};
use relance_core::messages::{render_message, MessageRequest, ReminderView, RenderedMessage, TemplateSet};
use relance_core::planner::{due_actions_with_rates, next_actions_with_rates, step_still_wanted, Action, SentEntry};
use relance_core::policy::{self, Channel, CheckedPolicy, Policy};
use relance_core::rates::{MissingRate, RateRow, Rates};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Everything a delivery sends, stored with its claim so that a retry sends the very same thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    /// The planner's action.
    pub action: Action,
    /// The debtor, as it was when the action was rendered.
    pub debtor: Debtor,
    /// Email recipients.
    pub recipients: Vec<String>,
    /// The rendered message; absent when it could not be rendered (see `error`).
    pub message: Option<RenderedMessage>,
    /// Why it could not be rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The reference rate it waits for, when that is why it could not be rendered: the delivery
    /// is then `waiting_rate` and rendered again by each run until the rate is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<MissingRate>,
    /// The invoices' copies that go with it (attached to an email, enclosed with a letter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// An action of this run, rendered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prepared {
    /// What goes out.
    pub payload: Payload,
    /// Where: `outbox`, `resend`, `webhook` or `task`.
    pub route: &'static str,
}

/// What the next run would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPlan {
    /// The time it is computed for.
    pub at: String,
    /// Deliveries to take over (expired lease, or retry due), within the batch.
    pub retries: Vec<Delivery>,
    /// Deliveries waiting for a reference rate, rendered again: those whose message now renders
    /// go out (within the batch), the others keep waiting.
    pub waiting: Vec<Prepared>,
    /// New actions, within the batch.
    pub actions: Vec<Prepared>,
    /// Due actions not taken because their debtor has a message waiting for a rate: nothing
    /// overtakes it.
    pub held: usize,
    /// Due actions left for a later run by the batch size.
    pub deferred: usize,
    /// Problems that kept debtors out of the run (a policy that does not exist, an account that
    /// cannot be planned, no creditor yet).
    pub problems: Vec<Problem>,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// Run id.
    pub run_id: String,
    /// Scheduled time.
    pub at: String,
    /// Actions due (before the batch limit).
    pub due: usize,
    /// Emails accepted (provider or outbox) and webhooks delivered.
    pub sent: usize,
    /// Tasks created.
    pub tasks: usize,
    /// Attempts that failed and will be retried.
    pub retrying: usize,
    /// Deliveries given up.
    pub failed: usize,
    /// Retries and waiting deliveries dropped because the invoices were paid or disputed meanwhile.
    pub cancelled: usize,
    /// Deliveries waiting for a reference rate after the run (new ones and earlier ones).
    pub waiting: usize,
    /// Due actions held behind a message waiting for a rate.
    pub held: usize,
    /// Keys another run holds (a concurrent run), skipped.
    pub busy: usize,
    /// Due actions left for the next run.
    pub deferred: usize,
    /// The run stopped claiming because its time was nearly up; what it left waits for the next.
    pub out_of_time: bool,
    /// Problems met.
    pub problems: Vec<Problem>,
    /// Rows the database read for the run (D1's billing measure; 0 where the database does not say).
    #[serde(default)]
    pub rows_read: u64,
}

/// The route of a channel under this configuration.
fn route(config: &Config, channel: Channel) -> &'static str {
    match channel {
        Channel::Email => match config.email {
            EmailProvider::Outbox => "outbox",
            EmailProvider::Resend { .. } => "resend",
        },
        Channel::Sms if config.webhook_url.is_some() => "webhook",
        _ => "task",
    }
}

/// The task kind of a channel.
fn task_kind(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Sms => "sms",
        Channel::PhoneTask => "call",
        Channel::Letter => "letter",
        Channel::RegisteredLetter => "registered_letter",
        Channel::LegalAction => "legal_action",
        Channel::AgencyHandoff => "agency_handoff",
    }
}

/// The stored name of a channel.
pub fn channel_name(channel: Channel) -> String {
    serde_json::to_value(channel).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn resolve_policy(book: &Book, id: &str) -> Result<CheckedPolicy, String> {
    match book.policies.get(id) {
        Some(p) => Policy::check(p.clone()).map_err(|e| format!("policy `{id}`: {e}")),
        None => policy::preset(id).map_err(|_| format!("policy `{id}` does not exist")),
    }
}

/// Each debtor's ledger (creditor, the debtor, its invoices): messages are rendered against it,
/// so rendering costs the size of one debtor's account, not of the whole book.
fn ledgers_by_debtor(ledger: &Ledger) -> HashMap<&str, Ledger> {
    let mut out: HashMap<&str, Ledger> = ledger
        .debtors
        .iter()
        .map(|d| {
            (d.id.as_str(), Ledger { creditor: ledger.creditor.clone(), debtors: vec![d.clone()], invoices: vec![] })
        })
        .collect();
    for inv in &ledger.invoices {
        if let Some(l) = out.get_mut(inv.debtor_id.as_str()) {
            l.invoices.push(inv.clone());
        }
    }
    out
}

/// What `plan` gives for every debtor of the book, each under its own policy; a debtor whose
/// account cannot be planned is left out and named among the problems.
fn per_policy<T>(
    book: &Book,
    mut plan: impl FnMut(&Ledger, &CheckedPolicy, &Rates) -> Result<Vec<T>, relance_core::Error>,
) -> (Vec<T>, Vec<Problem>) {
    let mut by_policy: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (debtor, policy_id) in &book.assignment {
        by_policy.entry(policy_id.as_str()).or_default().push(debtor.as_str());
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let rates = match book.rates() {
        Ok(rates) => rates,
        Err(e) => return (out, vec![Problem::of_rates(&e)]),
    };
    for (policy_id, debtors) in by_policy {
        let policy = match resolve_policy(book, policy_id) {
            Ok(p) => p,
            Err(e) => {
                problems.extend(debtors.iter().map(|d| Problem::of_policy(d, &e)));
                continue;
            }
        };
        let ledger = if book.assignment.values().any(|p| p != policy_id) {
            book.ledger.subset(|d| debtors.contains(&d.id.as_str()))
        } else {
            book.ledger.clone()
        };
        match plan(&ledger, &policy, &rates) {
            Ok(list) => out.extend(list),
            // One account that cannot be planned must not silence the others: plan them one by one.
            Err(_) => {
                for debtor in debtors {
                    let one = book.ledger.subset(|d| d.id == debtor);
                    match plan(&one, &policy, &rates) {
                        Ok(list) => out.extend(list),
                        Err(e) => problems.push(Problem::of_account(&one, debtor, &e)),
                    }
                }
            }
        }
    }
    (out, problems)
}

/// The due actions of the book at `now`, in a stable order.
fn all_due_actions(book: &Book, sent: &[SentEntry], now: DateTime<Utc>) -> (Vec<Action>, Vec<Problem>) {
    let (mut actions, problems) =
        per_policy(book, |ledger, policy, rates| due_actions_with_rates(ledger, policy, sent, now, rates));
    actions.sort_by(|a, b| (a.level, &a.debtor_id, &a.key).cmp(&(b.level, &b.debtor_id, &b.key)));
    (actions, problems)
}

/// The debtors a run reads, and the revision of the data of those the index said were due.
struct Scope {
    /// The debtors whose next action is due or must be computed again, with their revision.
    due: Vec<(String, i64)>,
    /// Those and the debtors of the retries and waiting deliveries, as a JSON array of ids.
    ids: String,
}

/// After a run: each due debtor's next action time, from the log as the run left it, written
/// to the index (migration 0007); a debtor whose account cannot be planned stays due.
async fn index_next_actions(db: &impl Database, book: &Book, scope: &Scope, now: DateTime<Utc>) -> Result<(), DbError> {
    let sent = store::sent_log(db, &scope.ids).await?;
    let (next, problems) =
        per_policy(book, |ledger, policy, rates| next_actions_with_rates(ledger, policy, &sent, now, rates));
    let at: HashMap<&str, Option<DateTime<Utc>>> = next.iter().map(|n| (n.debtor_id.as_str(), n.at)).collect();
    let failed: HashSet<&str> = problems.iter().filter_map(|p| p.debtor_id.as_deref()).collect();
    if problems.iter().any(|p| p.debtor_id.is_none()) {
        return Ok(()); // nothing could be planned (the rates): every debtor stays due
    }
    let rows: Vec<(&str, i64, Option<DateTime<Utc>>)> = scope
        .due
        .iter()
        .filter(|(id, _)| !failed.contains(id.as_str()))
        // A debtor with no open invoice left has nothing planned.
        .map(|(id, rev)| (id.as_str(), *rev, at.get(id.as_str()).copied().flatten()))
        .collect();
    let stmts = store::set_next_actions(&rows);
    if stmts.is_empty() {
        return Ok(()); // D1 refuses an empty batch
    }
    db.batch(stmts).await.map(|_| ())
}

/// Why a debtor is not chased: a person must fix the data (a task says so, and `GET /v1/problems`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The debtor left out of the run; none when it is the whole book (no creditor yet).
    pub debtor_id: Option<String>,
    /// The invoice at fault, when the error names one.
    pub invoice_id: Option<String>,
    /// The core's error code (or `unknown_reference` for a missing policy).
    pub code: String,
    /// The field at fault, in the invoice (`currency`, `dueDate`) or the debtor.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn no_creditor() -> Problem {
        Problem {
            debtor_id: None,
            invoice_id: None,
            code: "conflict".into(),
            path: "creditor".into(),
            message: store::NO_CREDITOR.into(),
        }
    }

    /// The operator's rate rows do not fit the shipped tables: nothing can be priced.
    fn of_rates(e: &relance_core::Error) -> Problem {
        Problem {
            debtor_id: None,
            invoice_id: None,
            code: e.code().as_str().to_owned(),
            path: format!("settings.{}", e.path()),
            message: e.message().to_owned(),
        }
    }

    fn of_policy(debtor: &str, message: &str) -> Problem {
        Problem {
            debtor_id: Some(debtor.to_owned()),
            invoice_id: None,
            code: "unknown_reference".into(),
            path: "policyId".into(),
            message: message.to_owned(),
        }
    }

    /// An error of the planner on one debtor's ledger, its invoice named by id.
    fn of_account(ledger: &Ledger, debtor: &str, e: &relance_core::Error) -> Problem {
        let (invoice_id, path) = match relance_core::planner::invoice_of(e) {
            Some((i, field)) => (ledger.invoices.get(i).map(|inv| inv.id.clone()), field.to_owned()),
            None => (None, e.path().strip_prefix("ledger.").unwrap_or(e.path()).to_owned()),
        };
        Problem {
            debtor_id: Some(debtor.to_owned()),
            invoice_id,
            code: e.code().as_str().to_owned(),
            path,
            message: e.message().to_owned(),
        }
    }

    /// A delivery waiting for a rate whose stored payload this version cannot read.
    fn of_stored_delivery(debtor: &str, key: &str, error: &serde_json::Error) -> Problem {
        Problem {
            debtor_id: Some(debtor.to_owned()),
            invoice_id: None,
            code: "unreadable_delivery".into(),
            path: format!("deliveries[{key}].payload"),
            message: format!(
                "the message `{key}` waits for a rate but was stored in a shape this version cannot read ({error}); \
                 it stays unsent and the debtor's other messages wait behind it: check it, then cancel or requeue it"
            ),
        }
    }

    /// The task that asks a person to fix it: one per debtor, invoice and kind of fault.
    fn task_id(&self, debtor: &str) -> String {
        format!("problem:{debtor}:{}:{}", self.invoice_id.as_deref().unwrap_or("-"), self.code)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.debtor_id {
            Some(debtor) => write!(f, "debtor `{debtor}` not chased")?,
            None => f.write_str("nobody chased")?,
        }
        if let Some(invoice) = &self.invoice_id {
            write!(f, ", invoice `{invoice}`")?;
        }
        write!(f, " ({}", self.code)?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        write!(f, "): {}", self.message)
    }
}

/// Earlier sends to this debtor about the action's invoices, for the letters that list them.
async fn reminders(
    db: &impl Database,
    action: &Action,
    debtor: &CheckedDebtor<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<ReminderView>, DbError> {
    let mut out = Vec::new();
    for d in store::deliveries(db, None, Some(&action.debtor_id), 500).await? {
        if !matches!(d.status.as_str(), "sent" | "task") || d.key == action.key {
            continue;
        }
        if !d.items.iter().any(|i| action.items.iter().any(|a| a.invoice_id == i.invoice_id)) {
            continue;
        }
        let (Some(at), Ok(channel)) = (d.sent_at.as_deref().and_then(store::parse_ts), d.channel.parse::<Channel>())
        else {
            continue;
        };
        if at <= now {
            out.push(ReminderView { date: debtor.local_date(at), channel, step_id: d.step_id.clone() });
        }
    }
    out.sort_by(|a, b| (a.date, &a.step_id).cmp(&(b.date, &b.step_id)));
    Ok(out)
}

async fn prepare(
    db: &impl Database,
    config: &Config,
    templates: &TemplateSet,
    action: Action,
    ledger: &Ledger,
    extra_rates: &BTreeMap<String, Vec<RateRow>>,
    now: DateTime<Utc>,
) -> Result<Prepared, DbError> {
    let debtor = ledger.debtors.first().cloned();
    // The debtor's ledger, checked once: its local date dates the message and earlier reminders.
    // Only the debtor's local date is read from it (the message is priced by the core with the rates).
    let checked = ledger.check().ok();
    let checked_debtor = checked.as_ref().and_then(|c| c.debtors.first());
    let date: NaiveDate = checked_debtor.map_or_else(|| now.date_naive(), |d| d.local_date(now));
    let mut request = MessageRequest::for_action(&action, date);
    request.extra_rates = extra_rates.clone();
    let attachments = if carries_copies(action.channel) {
        let ids: Vec<&str> = action.items.iter().map(|i| i.invoice_id.as_str()).collect();
        store::invoice_documents(db, &ids).await?
    } else {
        Vec::new()
    };
    request.attached = attachments.iter().map(|a| a.invoice_id.clone()).collect();
    if let (true, Some(d)) = (action.level >= 3, checked_debtor) {
        request.reminders = reminders(db, &action, d, now).await?;
    }
    let (message, error, waiting_for) = match render_message(templates, ledger, &request) {
        Ok(m) => (Some(m), None, None),
        Err(e) => (
            None,
            Some(format!("the message does not render: [{}] {}: {}", e.code().as_str(), e.path(), e.message())),
            e.missing_rate().cloned(),
        ),
    };
    let debtor = debtor.ok_or_else(|| DbError(format!("debtor `{}` vanished during the run", action.debtor_id)))?;
    let route = route(config, action.channel);
    // Never an address that bounced (the planner sent a letter instead when none is left).
    let recipients = match checked_debtor {
        Some(d) => d.good_emails(date).into_iter().map(ToString::to_string).collect(),
        None => debtor.contacts.emails.iter().map(ToString::to_string).collect(),
    };
    Ok(Prepared { payload: Payload { recipients, debtor, action, message, error, waiting_for, attachments }, route })
}

/// The channels a copy of the invoice goes with: attached to an email, enclosed with a letter.
fn carries_copies(channel: Channel) -> bool {
    matches!(channel, Channel::Email | Channel::Letter | Channel::RegisteredLetter)
}

/// What the run at `now` would do, without writing anything (the API's dry run).
pub async fn plan_run(db: &impl Database, config: &Config, now: DateTime<Utc>) -> Result<RunPlan, DbError> {
    plan_with_book(db, config, now, now).await.map(|(plan, _)| plan)
}

/// The plan for the scheduled time `now`, with the deliveries that may be taken over at `clock`
/// (leases and back-offs are on the clock), and the part of the open book it was made from: the
/// debtors the index says are due, and those of the retries and waiting deliveries.
async fn plan_with_book(
    db: &impl Database,
    config: &Config,
    now: DateTime<Utc>,
    clock: DateTime<Utc>,
) -> Result<(RunPlan, Option<(Book, Scope)>), DbError> {
    let budget = config.batch_size;
    let retries = store::retryable(db, clock, i64::try_from(budget).unwrap_or(i64::MAX)).await?;
    let waiting = store::waiting(db).await?;
    let due = store::due_debtors(db, now).await?;
    let ids: BTreeSet<&str> = due
        .iter()
        .map(|(id, _)| id.as_str())
        .chain(retries.iter().chain(&waiting).map(|d| d.debtor_id.as_str()))
        .collect();
    let scope = Scope { ids: serde_json::to_string(&ids).map_err(|e| DbError(format!("debtor ids: {e}")))?, due };
    let mut plan = RunPlan {
        at: store::ts(now),
        retries,
        waiting: vec![],
        actions: vec![],
        held: 0,
        deferred: 0,
        problems: vec![],
    };
    let Some(book) = store::book(db, Which::OpenOf(&scope.ids)).await? else {
        plan.problems.push(Problem::no_creditor());
        return Ok((plan, None));
    };
    let templates = TemplateSet::builtin().map_err(|e| DbError(format!("built-in templates: {e}")))?;
    let ledgers = ledgers_by_debtor(&book.ledger);
    let (again, unreadable) = rendered_again(db, config, templates, &ledgers, &book, waiting, now).await?;
    plan.waiting = again;
    let sent = store::sent_log(db, &scope.ids).await?;
    let (mut actions, problems) = all_due_actions(&book, &sent, now);
    plan.problems = problems;
    let before = actions.len();
    // Nothing overtakes a message waiting for its rate, read or not.
    let holds = |debtor: &str| {
        plan.waiting.iter().any(|w| w.payload.action.debtor_id == debtor)
            || unreadable.iter().any(|p| p.debtor_id.as_deref() == Some(debtor))
    };
    actions.retain(|a| !holds(&a.debtor_id));
    plan.problems.extend(unreadable);
    plan.held = before - actions.len();
    let released = plan.waiting.iter().filter(|w| w.payload.waiting_for.is_none()).count();
    let room = budget.saturating_sub(plan.retries.len() + released);
    plan.deferred = actions.len().saturating_sub(room);
    for action in actions.into_iter().take(room) {
        let Some(ledger) = ledgers.get(action.debtor_id.as_str()) else { continue };
        plan.actions.push(prepare(db, config, templates, action, ledger, &book.extra_rates, now).await?);
    }
    Ok((plan, Some((book, scope))))
}

/// Every delivery waiting for a rate, rendered again with the rates known now (one whose debtor
/// has no open invoice any more keeps its stored payload: the run cancels it).
async fn rendered_again(
    db: &impl Database,
    config: &Config,
    templates: &TemplateSet,
    ledgers: &HashMap<&str, Ledger>,
    book: &Book,
    waiting: Vec<Delivery>,
    now: DateTime<Utc>,
) -> Result<(Vec<Prepared>, Vec<Problem>), DbError> {
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    for d in waiting {
        let payload = match serde_json::from_str::<Payload>(&d.payload) {
            Ok(payload) => payload,
            // Written by another version: it stays waiting, its debtor is held, a person is asked.
            Err(e) => {
                unreadable.push(Problem::of_stored_delivery(&d.debtor_id, &d.key, &e));
                continue;
            }
        };
        let prepared = match ledgers.get(payload.action.debtor_id.as_str()) {
            Some(ledger) => prepare(db, config, templates, payload.action, ledger, &book.extra_rates, now).await?,
            None => Prepared { route: route(config, payload.action.channel), payload },
        };
        out.push(prepared);
    }
    Ok((out, unreadable))
}

/// The scheduled run for `scheduled` (the trigger's scheduled time: what is due then). Claims,
/// leases and outcomes are on `clock`, read when the run acts; a run stops claiming when what it
/// claims could no longer be sent within its lease. `run_id` must differ between runs.
pub async fn run(
    db: &impl Database,
    (http, blobs): (&impl Http, &impl Blobs),
    config: &Config,
    clock: &impl Clock,
    scheduled: DateTime<Utc>,
    run_id: &str,
) -> Result<RunReport, DbError> {
    let rows_before = db.rows_read();
    let (plan, loaded) = plan_with_book(db, config, scheduled, clock.now()).await?;
    let open = loaded.as_ref().map(|(book, _)| book);
    let mut report = RunReport {
        run_id: run_id.to_owned(),
        at: plan.at.clone(),
        due: plan.actions.len() + plan.deferred,
        deferred: plan.deferred,
        problems: plan.problems.clone(),
        ..RunReport::default()
    };
    problem_tasks(db, &plan.problems, scheduled, clock.now()).await?;
    let claims = Claims::new(config, clock);
    for d in &plan.retries {
        let Some((now, lease_until)) = claims.next(&mut report) else { break };
        if !store::claim_retry(db, &d.key, run_id, now, lease_until).await? {
            report.busy += 1;
            continue;
        }
        let attempt = d.attempts + 1;
        let outcome = match serde_json::from_str::<Payload>(&d.payload) {
            Err(e) => Outcome::Failed { error: format!("stored payload does not decode: {e}") },
            Ok(payload) => match still_due(open, &payload.action, scheduled) {
                Some(reason) => Outcome::Cancelled { reason },
                None if attempt > config.max_attempts => Outcome::Failed {
                    error: format!(
                        "gave up after {} attempts: {}",
                        config.max_attempts,
                        d.last_error.clone().unwrap_or_else(|| "no answer recorded".into())
                    ),
                },
                None => {
                    let prepared = Prepared { route: route(config, payload.action.channel), payload };
                    deliver(db, (http, blobs), config, &prepared, attempt, now).await?
                }
            },
        };
        tally(&mut report, &outcome);
        store::record(db, &d.key, run_id, &outcome, clock.now()).await?;
    }
    for prepared in &plan.waiting {
        let action = &prepared.payload.action;
        let payload = serde_json::to_string(&prepared.payload).map_err(|e| DbError(format!("payload: {e}")))?;
        let cancel = still_due(open, action, scheduled);
        if let (None, Some(missing)) = (&cancel, &prepared.payload.waiting_for) {
            // Still unknown: the delivery keeps waiting, and its half-year has its task.
            ask_for_rate(db, missing, &prepared.payload, clock.now()).await?;
            report.waiting += 1;
            continue;
        }
        let Some((now, lease_until)) = claims.next(&mut report) else { break };
        if !store::claim_waiting(db, &action.key, &payload, run_id, now, lease_until).await? {
            report.busy += 1;
            continue;
        }
        let outcome = match cancel {
            Some(reason) => Outcome::Cancelled { reason },
            None => deliver(db, (http, blobs), config, prepared, 1, now).await?,
        };
        tally(&mut report, &outcome);
        store::record(db, &action.key, run_id, &outcome, clock.now()).await?;
    }
    report.held = plan.held;
    for prepared in &plan.actions {
        let action = &prepared.payload.action;
        let payload = serde_json::to_string(&prepared.payload).map_err(|e| DbError(format!("payload: {e}")))?;
        let claim = NewClaim {
            key: &action.key,
            debtor_id: &action.debtor_id,
            step_id: &action.step_id,
            channel: &channel_name(action.channel),
            items: &action
                .items
                .iter()
                .map(|i| relance_core::planner::ItemRef {
                    invoice_id: i.invoice_id.clone(),
                    step_id: i.step_id.clone(),
                })
                .collect::<Vec<_>>(),
            payload: &payload,
            provider: prepared.route,
        };
        let Some((now, lease_until)) = claims.next(&mut report) else { break };
        if !store::claim_new(db, &claim, run_id, now, lease_until).await? {
            report.busy += 1;
            continue;
        }
        let outcome = match &prepared.payload.waiting_for {
            Some(missing) => Outcome::WaitingRate { reason: ask_for_rate(db, missing, &prepared.payload, now).await? },
            None => deliver(db, (http, blobs), config, prepared, 1, now).await?,
        };
        tally(&mut report, &outcome);
        store::record(db, &action.key, run_id, &outcome, clock.now()).await?;
    }
    if let Some((book, scope)) = &loaded {
        index_next_actions(db, book, scope, scheduled).await?;
    }
    report.rows_read = db.rows_read().saturating_sub(rows_before);
    let detail = serde_json::to_value(&report).unwrap_or_default();
    db.batch(vec![store::audit(&format!("cron:{run_id}"), "run", "run", run_id, &detail, clock.now())]).await?;
    Ok(report)
}

/// Opens the task for the rate `payload` waits for (once per table and half-year); returns why it
/// waits, in words.
async fn ask_for_rate(
    db: &impl Database,
    missing: &MissingRate,
    payload: &Payload,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    let reason = payload.error.clone().unwrap_or_default();
    db.batch(vec![crate::rates::missing_rate_task(missing, &reason, now)]).await?;
    Ok(reason)
}

/// One open task per problem (its id is stable: a problem seen by every run is one task).
async fn problem_tasks(
    db: &impl Database,
    problems: &[Problem],
    scheduled: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let due_on = scheduled.date_naive().to_string();
    let mut stmts = Vec::new();
    for p in problems {
        let Some(debtor) = p.debtor_id.as_deref() else { continue };
        let data = serde_json::to_string(p).map_err(|e| DbError(format!("problem: {e}")))?;
        stmts.push(store::add_task(&p.task_id(debtor), "fix_data", debtor, &due_on, &data, now));
    }
    if !stmts.is_empty() {
        db.batch(stmts).await?;
    }
    Ok(())
}

/// When a run may still claim: each claim's lease starts on the clock when it is made, and the run
/// stops claiming once a send started then might outlast the lease it began under. With the lease
/// longer than the longest run (`Config::lease_seconds`), that only happens to a run slowed far
/// beyond its send time-outs.
struct Claims<'c, C: Clock> {
    clock: &'c C,
    lease: Duration,
    last_claim: DateTime<Utc>,
}

impl<'c, C: Clock> Claims<'c, C> {
    fn new(config: &Config, clock: &'c C) -> Claims<'c, C> {
        let started = clock.now();
        let lease = Duration::seconds(config.lease_seconds);
        let send = Duration::milliseconds(i64::from(config.send_timeout_ms));
        let margin = Duration::seconds(crate::config::least_lease_margin(config.longest_run_seconds()));
        Claims { clock, lease, last_claim: started + lease - send - margin }
    }

    /// The time of a claim made now and the end of its lease; `None` when the run is too late to
    /// claim (it says so in its report, and what it leaves waits for the next run).
    fn next(&self, report: &mut RunReport) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let now = self.clock.now();
        if now > self.last_claim {
            report.out_of_time = true;
            return None;
        }
        Some((now, now + self.lease))
    }
}

fn tally(report: &mut RunReport, outcome: &Outcome) {
    match outcome {
        Outcome::Sent { .. } => report.sent += 1,
        Outcome::Task => report.tasks += 1,
        Outcome::Retry { .. } => report.retrying += 1,
        Outcome::Failed { .. } => report.failed += 1,
        Outcome::Cancelled { .. } => report.cancelled += 1,
        Outcome::WaitingRate { .. } => report.waiting += 1,
    }
}

/// Why a retried action must not go out any more (paid, disputed), or `None` if it still must.
fn still_due(open: Option<&Book>, action: &Action, now: DateTime<Utc>) -> Option<String> {
    let Some(book) = open else { return Some(store::NO_CREDITOR.into()) };
    let ledger = book.ledger.subset(|d| d.id == action.debtor_id);
    let rates = book.rates().ok()?;
    let Ok(checked) = ledger.check_with_rates(&rates) else { return None };
    let today = checked.debtors.first().map_or(now.date_naive(), |d| d.local_date(now));
    let country = &ledger.creditor.address.country;
    let wanted = action.items.iter().any(|item| {
        checked.invoices.iter().any(|inv| {
            inv.invoice.id == item.invoice_id && step_still_wanted(inv, &item.step_id, today, country, &rates)
        })
    });
    (!wanted).then(|| "the invoices were paid or disputed before the retry".to_owned())
}

/// Why the documents of a message could not be read.
enum Fetch {
    /// Gone from R2: the message, which says a copy is attached, cannot go out as rendered.
    Missing(String),
    /// R2 did not answer: try again later.
    Unavailable(String),
}

/// The bytes of each attachment, from R2.
async fn attachment_bytes(blobs: &impl Blobs, list: &[Attachment]) -> Result<Vec<(Attachment, Vec<u8>)>, Fetch> {
    let mut out = Vec::new();
    for a in list {
        match blobs.get(&document_key(&a.sha256)).await {
            Ok(Some(bytes)) => out.push((a.clone(), bytes)),
            Ok(None) => {
                return Err(Fetch::Missing(format!("the document {} ({}) is missing from R2", a.name, a.sha256)))
            }
            Err(e) => return Err(Fetch::Unavailable(e.to_string())),
        }
    }
    Ok(out)
}

/// One attempt at a claimed delivery.
async fn deliver(
    db: &impl Database,
    (http, blobs): (&impl Http, &impl Blobs),
    config: &Config,
    prepared: &Prepared,
    attempt: i64,
    now: DateTime<Utc>,
) -> Result<Outcome, DbError> {
    let payload = &prepared.payload;
    let action = &payload.action;
    let key = action.key.as_str();
    let Some(message) = &payload.message else {
        return Ok(Outcome::Failed { error: payload.error.clone().unwrap_or_else(|| "no message".into()) });
    };
    let transient = |error: String| {
        if attempt >= config.max_attempts {
            Outcome::Failed { error: format!("gave up after {attempt} attempts: {error}") }
        } else {
            let factor = 1_i64 << (attempt - 1).clamp(0, 20);
            Outcome::Retry {
                error,
                next_attempt_at: now + Duration::seconds(config.retry_base_seconds.saturating_mul(factor)),
            }
        }
    };
    let outcome = |attempt_result: Attempt, done: Outcome| match attempt_result {
        Attempt::Accepted { provider_message_id } => match done {
            Outcome::Sent { .. } => Outcome::Sent { provider_message_id },
            other => other,
        },
        Attempt::Transient(e) => transient(e),
        Attempt::Permanent(e) => Outcome::Failed { error: e },
    };
    match prepared.route {
        "outbox" | "resend" if payload.recipients.is_empty() => {
            Ok(Outcome::Failed { error: format!("debtor `{}` has no email address", action.debtor_id) })
        }
        "outbox" => {
            let stmt = store::add_outbox(key, &payload.recipients, message, &payload.attachments, now)?;
            db.batch(vec![stmt]).await?;
            Ok(Outcome::Sent { provider_message_id: Some(key.to_owned()) })
        }
        "resend" => {
            let files = match attachment_bytes(blobs, &payload.attachments).await {
                Ok(files) => files,
                Err(Fetch::Missing(e)) => return Ok(Outcome::Failed { error: e }),
                Err(Fetch::Unavailable(e)) => return Ok(transient(e)),
            };
            let Some(request) = resend_request(config, key, &payload.recipients, message, &files) else {
                return Ok(transient("EMAIL_PROVIDER changed since the claim".into()));
            };
            Ok(outcome(
                classify(http.fetch(request, config.send_timeout_ms).await),
                Outcome::Sent { provider_message_id: None },
            ))
        }
        "webhook" => {
            let body = webhook_body(prepared);
            let Some(request) = webhook_request(config, key, body) else {
                return Ok(transient("WEBHOOK_URL was removed since the claim".into()));
            };
            Ok(outcome(
                classify(http.fetch(request, config.send_timeout_ms).await),
                Outcome::Sent { provider_message_id: None },
            ))
        }
        _ => {
            let due_on = action.items.iter().map(|i| i.planned_date).max().map(|d| d.to_string()).unwrap_or_default();
            let data = serde_json::to_string(payload).map_err(|e| DbError(format!("task: {e}")))?;
            db.batch(vec![store::add_task(key, task_kind(action.channel), &action.debtor_id, &due_on, &data, now)])
                .await?;
            match webhook_request(config, key, webhook_body(prepared)) {
                Some(request) => {
                    Ok(outcome(classify(http.fetch(request, config.send_timeout_ms).await), Outcome::Task))
                }
                None => Ok(Outcome::Task),
            }
        }
    }
}

/// The JSON a webhook receives.
pub fn webhook_body(prepared: &Prepared) -> String {
    let p = &prepared.payload;
    serde_json::json!({
        "event": "relance.action",
        "key": p.action.key,
        "channel": p.action.channel,
        "task": prepared.route == "task",
        "debtor": p.debtor,
        "action": p.action,
        "message": p.message,
    })
    .to_string()
}
