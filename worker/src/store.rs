//! Every SQL statement of the worker, with bound parameters only, and the assembly of stored rows
//! back into the core's `Ledger`. Writes that belong together go through one `batch` (one
//! transaction): an invoice and its payments, an outcome and its audit row.

use crate::db::{int, text, Database, DbError, Param, Row, Stmt};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use relance_core::answers::{CallOutcome, Promise, Reply};
use relance_core::ledger::{Creditor, Debtor, Dispute, Invoice, Ledger, Payment, PaymentPlan};
use relance_core::planner::{ItemRef, SentEntry};
use relance_core::policy::Policy;
use relance_core::rate_sources::{Fetched, Source};
use relance_core::rates::RateRow;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Stored times: UTC, whole seconds, `Z`: they compare as text.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses a stored time.
pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    relance_core::date::parse_instant(s).ok()
}

fn json<T: Serialize>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|e| DbError(format!("cannot encode a document: {e}")))
}

fn doc<T: DeserializeOwned>(row: &Row, col: &str) -> Result<T, DbError> {
    let raw = text(row, col).ok_or_else(|| DbError(format!("column `{col}` is missing")))?;
    serde_json::from_str(&raw).map_err(|e| DbError(format!("stored `{col}` does not decode: {e}")))
}

// ---- settings ---------------------------------------------------------------------------------

/// The policy debtors follow unless assigned another.
pub const DEFAULT_POLICY_FALLBACK: &str = "standard";

/// Reads the creditor, if set.
pub async fn creditor(db: &impl Database) -> Result<Option<Creditor>, DbError> {
    let rows = db.query(Stmt::new("SELECT value FROM settings WHERE key = 'creditor'", vec![])).await?;
    rows.first().map(|r| doc(r, "value")).transpose()
}

/// Reads the default policy id.
pub async fn default_policy(db: &impl Database) -> Result<String, DbError> {
    let rows = db.query(Stmt::new("SELECT value FROM settings WHERE key = 'default_policy'", vec![])).await?;
    Ok(rows.first().and_then(|r| text(r, "value")).unwrap_or_else(|| DEFAULT_POLICY_FALLBACK.to_owned()))
}

/// Rate rows the operator added for half-years the shipped tables do not cover, by table id.
pub async fn extra_rates(db: &impl Database) -> Result<BTreeMap<String, Vec<RateRow>>, DbError> {
    let rows = db.query(Stmt::new("SELECT value FROM settings WHERE key = 'extra_rates'", vec![])).await?;
    Ok(rows.first().map(|r| doc(r, "value")).transpose()?.unwrap_or_default())
}

/// The rows beyond the shipped tables that penalties are computed with: the operator's
/// `extraRates` (settings), then the rows fetched from the official sources where those say
/// nothing (`rate_sources::with_rates`: a fetched rate never overrides another silently).
pub async fn rates_in_force(db: &impl Database) -> Result<BTreeMap<String, Vec<RateRow>>, DbError> {
    let fetched = fetched_rates(db).await?;
    let merged = relance_core::rate_sources::with_rates(extra_rates(db).await?, &fetched)
        .map_err(|e| DbError(format!("the stored rates do not merge with the settings' extraRates: {e}")))?;
    Ok(merged.extra_rates)
}

/// What each source gave, as stored: its last good response's provenance and every row kept.
pub async fn fetched_rates(db: &impl Database) -> Result<Vec<Fetched>, DbError> {
    let sources = db
        .query(Stmt::new(
            "SELECT table_id, source, series, known_until, observed_until FROM rate_sources
             WHERE known_until IS NOT NULL ORDER BY table_id",
            vec![],
        ))
        .await?;
    let mut out = Vec::with_capacity(sources.len());
    for s in &sources {
        let table = text(s, "table_id").unwrap_or_default();
        let rows = db
            .query(Stmt::new(
                "SELECT day, rate FROM rate_rows WHERE table_id = ?1 ORDER BY day",
                vec![table.as_str().into()],
            ))
            .await?;
        let day = |row: &Row, col: &str| {
            let raw = text(row, col).unwrap_or_default();
            relance_core::date::parse(&raw).map_err(|_| DbError(format!("stored `{col}` `{raw}` is not a day")))
        };
        let rows = rows
            .iter()
            .map(|r| {
                let rate = relance_core::money::Amount::parse(&text(r, "rate").unwrap_or_default(), "rate")
                    .map_err(|e| DbError(format!("stored rate of `{table}`: {e}")))?;
                Ok(RateRow { from: day(r, "day")?, rate })
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        out.push(Fetched {
            source: text(s, "source").unwrap_or_default(),
            series: text(s, "series").unwrap_or_default(),
            observed_until: day(s, "observed_until")?,
            known_until: day(s, "known_until")?,
            table,
            rows,
        });
    }
    Ok(out)
}

/// Each source's last attempt, by table id.
pub async fn rate_source_states(db: &impl Database) -> Result<Vec<Row>, DbError> {
    db.query(Stmt::new(
        "SELECT table_id, source, series, known_until, observed_until, fetched_at, attempted_at, last_error,
           failing_since FROM rate_sources ORDER BY table_id",
        vec![],
    ))
    .await
}

/// A row a source published that the tables lacked.
pub fn add_rate_row(fetched: &Fetched, row: &RateRow, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "INSERT INTO rate_rows (table_id, day, rate, source, series, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (table_id, day) DO NOTHING",
        vec![
            fetched.table.as_str().into(),
            row.from.to_string().into(),
            row.rate.to_string().into(),
            fetched.source.as_str().into(),
            fetched.series.as_str().into(),
            ts(now).into(),
        ],
    )
}

/// A fetched row the source itself now gives another rate for (its audit row and task go with it).
pub fn correct_rate_row(table: &str, day: NaiveDate, rate: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "UPDATE rate_rows SET rate = ?3, fetched_at = ?4 WHERE table_id = ?1 AND day = ?2",
        vec![table.into(), day.to_string().into(), rate.into(), ts(now).into()],
    )
}

/// Whether table `table` has a fetched row on `day`.
pub async fn has_rate_row(db: &impl Database, table: &str, day: NaiveDate) -> Result<bool, DbError> {
    let rows = db
        .query(Stmt::new(
            "SELECT 1 AS found FROM rate_rows WHERE table_id = ?1 AND day = ?2",
            vec![table.into(), day.to_string().into()],
        ))
        .await?;
    Ok(!rows.is_empty())
}

/// A good response: the source is known until `known_until` (never less than before), and is not
/// failing any more.
pub fn rate_source_fetched(fetched: &Fetched, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "INSERT INTO rate_sources (table_id, source, series, known_until, observed_until, fetched_at, attempted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT (table_id) DO UPDATE SET source = ?2, series = ?3,
           known_until = MAX(COALESCE(known_until, ''), ?4), observed_until = MAX(COALESCE(observed_until, ''), ?5),
           fetched_at = ?6, attempted_at = ?6, last_error = NULL, failing_since = NULL",
        vec![
            fetched.table.as_str().into(),
            fetched.source.as_str().into(),
            fetched.series.as_str().into(),
            fetched.known_until.to_string().into(),
            fetched.observed_until.to_string().into(),
            ts(now).into(),
        ],
    )
}

/// A failed attempt: the last good rows stay; `failing_since` keeps the first failure.
pub fn rate_source_failed(source: Source, error: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "INSERT INTO rate_sources (table_id, source, series, attempted_at, last_error, failing_since)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4)
         ON CONFLICT (table_id) DO UPDATE SET attempted_at = ?4, last_error = ?5,
           failing_since = COALESCE(failing_since, ?4)",
        vec![source.table().into(), source.publisher().into(), source.series().into(), ts(now).into(), error.into()],
    )
}

/// When `source` started failing, if it is failing.
pub async fn failing_since(db: &impl Database, source: Source) -> Result<Option<DateTime<Utc>>, DbError> {
    let rows = db
        .query(Stmt::new("SELECT failing_since FROM rate_sources WHERE table_id = ?1", vec![source.table().into()]))
        .await?;
    Ok(rows.first().and_then(|r| text(r, "failing_since")).as_deref().and_then(parse_ts))
}

/// Writes a setting.
pub fn put_setting(key: &str, value: String, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        vec![key.into(), value.into(), ts(now).into()],
    )
}

/// Writes the creditor.
pub fn put_creditor(creditor: &Creditor, now: DateTime<Utc>) -> Result<Stmt, DbError> {
    Ok(put_setting("creditor", json(creditor)?, now))
}

// ---- policies ---------------------------------------------------------------------------------

/// Custom policies by id.
pub async fn policies(db: &impl Database) -> Result<BTreeMap<String, Policy>, DbError> {
    let rows = db.query(Stmt::new("SELECT id, data FROM policies ORDER BY id", vec![])).await?;
    rows.iter().map(|r| Ok((text(r, "id").unwrap_or_default(), doc(r, "data")?))).collect()
}

/// One custom policy.
pub async fn policy(db: &impl Database, id: &str) -> Result<Option<Policy>, DbError> {
    let rows = db.query(Stmt::new("SELECT data FROM policies WHERE id = ?1", vec![id.into()])).await?;
    rows.first().map(|r| doc(r, "data")).transpose()
}

/// Creates or replaces a custom policy.
pub fn put_policy(policy: &Policy, now: DateTime<Utc>) -> Result<Stmt, DbError> {
    Ok(Stmt::new(
        "INSERT INTO policies (id, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        vec![policy.id.clone().into(), json(policy)?.into(), ts(now).into()],
    ))
}

/// Deletes a custom policy.
pub fn delete_policy(id: &str) -> Stmt {
    Stmt::new("DELETE FROM policies WHERE id = ?1", vec![id.into()])
}

/// How many debtors follow a policy explicitly.
pub async fn policy_users(db: &impl Database, id: &str) -> Result<i64, DbError> {
    let rows = db.query(Stmt::new("SELECT COUNT(*) AS n FROM debtors WHERE policy_id = ?1", vec![id.into()])).await?;
    Ok(rows.first().and_then(|r| int(r, "n")).unwrap_or(0))
}

// ---- debtors ----------------------------------------------------------------------------------

/// A stored debtor with its policy assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDebtor {
    /// The core debtor.
    pub debtor: Debtor,
    /// Its policy (id or preset); `None` follows the default.
    pub policy_id: Option<String>,
}

fn stored_debtor(row: &Row) -> Result<StoredDebtor, DbError> {
    Ok(StoredDebtor { debtor: doc(row, "data")?, policy_id: text(row, "policy_id") })
}

/// All debtors, by id, with their replies and calls.
pub async fn debtors(db: &impl Database) -> Result<Vec<StoredDebtor>, DbError> {
    let rows = db.query(Stmt::new("SELECT policy_id, data FROM debtors ORDER BY id", vec![])).await?;
    let mut list: Vec<StoredDebtor> = rows.iter().map(stored_debtor).collect::<Result<_, _>>()?;
    let answers = db.query(Stmt::new("SELECT debtor_id, kind, data FROM answers ORDER BY id", vec![])).await?;
    attach_answers(&mut list, &answers)?;
    Ok(list)
}

/// The debtors listed (a JSON array of ids), by id, with their replies and calls.
async fn debtors_of(db: &impl Database, ids: &str) -> Result<Vec<StoredDebtor>, DbError> {
    let rows = db
        .query(Stmt::new(
            "SELECT policy_id, data FROM debtors WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
            vec![ids.into()],
        ))
        .await?;
    let mut list: Vec<StoredDebtor> = rows.iter().map(stored_debtor).collect::<Result<_, _>>()?;
    let answers = db
        .query(Stmt::new(
            "SELECT debtor_id, kind, data FROM answers WHERE debtor_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
            vec![ids.into()],
        ))
        .await?;
    attach_answers(&mut list, &answers)?;
    Ok(list)
}

/// One debtor, with its replies and calls.
pub async fn debtor(db: &impl Database, id: &str) -> Result<Option<StoredDebtor>, DbError> {
    let rows = db.query(Stmt::new("SELECT policy_id, data FROM debtors WHERE id = ?1", vec![id.into()])).await?;
    let mut list: Vec<StoredDebtor> = rows.iter().map(stored_debtor).collect::<Result<_, _>>()?;
    let answers = db
        .query(Stmt::new("SELECT debtor_id, kind, data FROM answers WHERE debtor_id = ?1 ORDER BY id", vec![id.into()]))
        .await?;
    attach_answers(&mut list, &answers)?;
    Ok(list.pop())
}

fn attach_answers(debtors: &mut [StoredDebtor], rows: &[Row]) -> Result<(), DbError> {
    let index: HashMap<String, usize> = debtors.iter().enumerate().map(|(i, d)| (d.debtor.id.clone(), i)).collect();
    for row in rows {
        let Some(d) = text(row, "debtor_id").and_then(|id| index.get(&id)).and_then(|&i| debtors.get_mut(i)) else {
            continue;
        };
        match text(row, "kind").as_deref() {
            Some("reply") => d.debtor.replies.push(doc(row, "data")?),
            Some("call") => d.debtor.calls.push(doc(row, "data")?),
            _ => {}
        }
    }
    Ok(())
}

/// Creates or replaces a debtor. Its replies and calls are rows of their own: those given are
/// added when not stored already, and none is ever removed by an edit of the debtor.
pub fn put_debtor(d: &StoredDebtor, now: DateTime<Utc>) -> Result<Vec<Stmt>, DbError> {
    let head = Debtor { replies: vec![], calls: vec![], ..d.debtor.clone() };
    let mut stmts = vec![Stmt::new(
        "INSERT INTO debtors (id, policy_id, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (id) DO UPDATE SET policy_id = excluded.policy_id, data = excluded.data,
           updated_at = excluded.updated_at",
        vec![d.debtor.id.clone().into(), d.policy_id.clone().into(), json(&head)?.into(), ts(now).into()],
    )];
    for reply in &d.debtor.replies {
        stmts.push(add_answer(&d.debtor.id, Answer::Reply(reply), None, now)?);
    }
    for call in &d.debtor.calls {
        stmts.push(add_answer(&d.debtor.id, Answer::Call(call), None, now)?);
    }
    Ok(stmts)
}

/// A reply or a call outcome.
#[derive(Debug, Clone, Copy)]
pub enum Answer<'a> {
    /// A reply received.
    Reply(&'a Reply),
    /// A call made.
    Call(&'a CallOutcome),
}

/// Records an answer of a debtor, unless the same one (or the same email, by `message_id`) is
/// stored already (changes = 1 when it went in).
pub fn add_answer(
    debtor_id: &str,
    answer: Answer<'_>,
    message_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Stmt, DbError> {
    let (kind, data) = match answer {
        Answer::Reply(r) => ("reply", json(r)?),
        Answer::Call(c) => ("call", json(c)?),
    };
    Ok(Stmt::new(
        "INSERT INTO answers (debtor_id, kind, data, message_id, created_at) SELECT ?1, ?2, ?3, ?4, ?5
         WHERE NOT EXISTS (SELECT 1 FROM answers WHERE debtor_id = ?1 AND kind = ?2 AND data = ?3)
           AND NOT EXISTS (SELECT 1 FROM answers WHERE message_id = ?4)
           AND (SELECT COUNT(*) FROM answers WHERE debtor_id = ?1 AND kind = ?2) < ?6",
        vec![
            debtor_id.into(),
            kind.into(),
            data.into(),
            message_id.map(str::to_owned).into(),
            ts(now).into(),
            max_entries(),
        ],
    ))
}

/// The tasks the debtors' answers in `ledger` give (read a reply, check a payment, fix an
/// address), each created once: a task a person closed stays closed.
pub fn answer_tasks(ledger: &Ledger, now: DateTime<Utc>) -> Result<Vec<Stmt>, DbError> {
    let tasks = relance_core::answers::answer_tasks(ledger).map_err(|e| DbError(format!("answer tasks: {e}")))?;
    tasks
        .iter()
        .map(|t| {
            let kind =
                serde_json::to_value(t.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            Ok(add_task(&t.key, &kind, &t.debtor_id, &t.due_on.to_string(), &json(t)?, now))
        })
        .collect()
}

/// True when an email of this `Message-ID` was recorded already.
pub async fn has_message(db: &impl Database, message_id: &str) -> Result<bool, DbError> {
    let rows = db.query(Stmt::new("SELECT 1 AS x FROM answers WHERE message_id = ?1", vec![message_id.into()])).await?;
    Ok(!rows.is_empty())
}

/// The replies received, newest first, with their debtor: every debtor's, or one's.
pub async fn replies(db: &impl Database, debtor_id: Option<&str>, limit: i64) -> Result<Vec<(String, Reply)>, DbError> {
    let stmt = match debtor_id {
        Some(id) => Stmt::new(
            "SELECT debtor_id, data FROM answers WHERE kind = 'reply' AND debtor_id = ?1 ORDER BY id DESC LIMIT ?2",
            vec![id.into(), Param::Int(limit)],
        ),
        None => Stmt::new(
            "SELECT debtor_id, data FROM answers WHERE kind = 'reply' ORDER BY id DESC LIMIT ?1",
            vec![Param::Int(limit)],
        ),
    };
    db.query(stmt).await?.iter().map(|r| Ok((text(r, "debtor_id").unwrap_or_default(), doc(r, "data")?))).collect()
}

/// Deletes a debtor (the API refuses while invoices reference it).
pub fn delete_debtor(id: &str) -> Vec<Stmt> {
    vec![
        Stmt::new("DELETE FROM answers WHERE debtor_id = ?1", vec![id.into()]),
        Stmt::new("DELETE FROM debtors WHERE id = ?1", vec![id.into()]),
    ]
}

/// How many invoices a debtor has.
pub async fn invoice_count(db: &impl Database, debtor_id: &str) -> Result<i64, DbError> {
    let rows =
        db.query(Stmt::new("SELECT COUNT(*) AS n FROM invoices WHERE debtor_id = ?1", vec![debtor_id.into()])).await?;
    Ok(rows.first().and_then(|r| int(r, "n")).unwrap_or(0))
}

// ---- invoices ---------------------------------------------------------------------------------

/// Which invoices to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which<'a> {
    /// Every invoice.
    All,
    /// Invoices that still owe anything: principal, or penalties a claim may ask for
    /// (`core::penalty::InvoiceStatus`, not `paid`).
    Open,
    /// One invoice.
    One(&'a str),
    /// One debtor's invoices.
    OfDebtor(&'a str),
    /// The open invoices of the debtors listed (a JSON array of ids): what a scheduled run reads.
    OpenOf(&'a str),
}

/// The fixed queries that load invoices and their parts, each filtered the same way through the
/// parent invoice.
struct InvoiceQueries {
    head: &'static str,
    payments: &'static str,
    disputes: &'static str,
    plans: &'static str,
    promises: &'static str,
}

const ALL_INVOICES: InvoiceQueries = InvoiceQueries {
    head: "SELECT id, data FROM invoices ORDER BY id",
    payments: "SELECT invoice_id, data FROM payments ORDER BY id",
    disputes: "SELECT invoice_id, data FROM disputes ORDER BY id",
    plans: "SELECT invoice_id, data FROM payment_plans",
    promises: "SELECT invoice_id, data FROM promises ORDER BY id",
};

const OPEN_INVOICES: InvoiceQueries = InvoiceQueries {
    head: "SELECT id, data FROM invoices WHERE open = 1 ORDER BY id",
    payments: "SELECT p.invoice_id, p.data FROM payments p JOIN invoices i ON i.id = p.invoice_id
               WHERE i.open = 1 ORDER BY p.id",
    disputes: "SELECT d.invoice_id, d.data FROM disputes d JOIN invoices i ON i.id = d.invoice_id
               WHERE i.open = 1 ORDER BY d.id",
    plans: "SELECT p.invoice_id, p.data FROM payment_plans p JOIN invoices i ON i.id = p.invoice_id
            WHERE i.open = 1",
    promises: "SELECT p.invoice_id, p.data FROM promises p JOIN invoices i ON i.id = p.invoice_id
               WHERE i.open = 1 ORDER BY p.id",
};

const ONE_INVOICE: InvoiceQueries = InvoiceQueries {
    head: "SELECT id, data FROM invoices WHERE id = ?1",
    payments: "SELECT invoice_id, data FROM payments WHERE invoice_id = ?1 ORDER BY id",
    disputes: "SELECT invoice_id, data FROM disputes WHERE invoice_id = ?1 ORDER BY id",
    plans: "SELECT invoice_id, data FROM payment_plans WHERE invoice_id = ?1",
    promises: "SELECT invoice_id, data FROM promises WHERE invoice_id = ?1 ORDER BY id",
};

const DEBTOR_INVOICES: InvoiceQueries = InvoiceQueries {
    head: "SELECT id, data FROM invoices WHERE debtor_id = ?1 ORDER BY id",
    payments: "SELECT p.invoice_id, p.data FROM payments p JOIN invoices i ON i.id = p.invoice_id
               WHERE i.debtor_id = ?1 ORDER BY p.id",
    disputes: "SELECT d.invoice_id, d.data FROM disputes d JOIN invoices i ON i.id = d.invoice_id
               WHERE i.debtor_id = ?1 ORDER BY d.id",
    plans: "SELECT p.invoice_id, p.data FROM payment_plans p JOIN invoices i ON i.id = p.invoice_id
            WHERE i.debtor_id = ?1",
    promises: "SELECT p.invoice_id, p.data FROM promises p JOIN invoices i ON i.id = p.invoice_id
               WHERE i.debtor_id = ?1 ORDER BY p.id",
};

// `+open`: looked up by debtor, never through the index of the open flag (which SQLite would
// otherwise pick, and read every open invoice).
const OPEN_INVOICES_OF: InvoiceQueries = InvoiceQueries {
    head:
        "SELECT id, data FROM invoices WHERE +open = 1 AND debtor_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
    payments: "SELECT p.invoice_id, p.data FROM payments p JOIN invoices i ON i.id = p.invoice_id
               WHERE +i.open = 1 AND i.debtor_id IN (SELECT value FROM json_each(?1)) ORDER BY p.id",
    disputes: "SELECT d.invoice_id, d.data FROM disputes d JOIN invoices i ON i.id = d.invoice_id
               WHERE +i.open = 1 AND i.debtor_id IN (SELECT value FROM json_each(?1)) ORDER BY d.id",
    plans: "SELECT p.invoice_id, p.data FROM payment_plans p JOIN invoices i ON i.id = p.invoice_id
            WHERE +i.open = 1 AND i.debtor_id IN (SELECT value FROM json_each(?1))",
    promises: "SELECT p.invoice_id, p.data FROM promises p JOIN invoices i ON i.id = p.invoice_id
               WHERE +i.open = 1 AND i.debtor_id IN (SELECT value FROM json_each(?1)) ORDER BY p.id",
};

/// Loads invoices with their payments, disputes, plan and promises, as core invoices, ordered by id.
pub async fn invoices(db: &impl Database, which: Which<'_>) -> Result<Vec<Invoice>, DbError> {
    let (q, arg) = match which {
        Which::All => (&ALL_INVOICES, None),
        Which::Open => (&OPEN_INVOICES, None),
        Which::One(id) => (&ONE_INVOICE, Some(id)),
        Which::OfDebtor(id) => (&DEBTOR_INVOICES, Some(id)),
        Which::OpenOf(ids) => (&OPEN_INVOICES_OF, Some(ids)),
    };
    let params = || arg.map(|a| vec![Param::from(a)]).unwrap_or_default();
    let mut list: Vec<Invoice> =
        db.query(Stmt::new(q.head, params())).await?.iter().map(|r| doc(r, "data")).collect::<Result<_, _>>()?;
    let index: HashMap<String, usize> = list.iter().enumerate().map(|(i, inv)| (inv.id.clone(), i)).collect();
    let rows = |sql| async move { db.query(Stmt::new(sql, params())).await };
    let parent = |row: &Row| text(row, "invoice_id").and_then(|id| index.get(&id).copied());
    for row in rows(q.payments).await? {
        let payment: Payment = doc(&row, "data")?;
        if let Some(inv) = parent(&row).and_then(|i| list.get_mut(i)) {
            inv.payments.push(payment);
        }
    }
    for row in rows(q.disputes).await? {
        let dispute: Dispute = doc(&row, "data")?;
        if let Some(inv) = parent(&row).and_then(|i| list.get_mut(i)) {
            inv.disputes.push(dispute);
        }
    }
    for row in rows(q.plans).await? {
        let plan: PaymentPlan = doc(&row, "data")?;
        if let Some(inv) = parent(&row).and_then(|i| list.get_mut(i)) {
            inv.payment_plan = Some(plan);
        }
    }
    for row in rows(q.promises).await? {
        let promise: Promise = doc(&row, "data")?;
        if let Some(inv) = parent(&row).and_then(|i| list.get_mut(i)) {
            inv.promises.push(promise);
        }
    }
    Ok(list)
}

/// Which stored version a write of a whole invoice replaces (migration 0002: the version moves by
/// one per write, and a batch that does not name the version stored is aborted whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replaces {
    /// None: the invoice is new, and a stored one of the same id makes the batch fail.
    Nothing,
    /// The version read before the change was made.
    Version(i64),
    /// Whatever is stored (imports of whole ledgers, which replace by design).
    Latest,
}

/// The message of the trigger that aborts a write made from a stale read.
pub const STALE_VERSION: &str = "relance: stale invoice version";

/// The stored version of an invoice, read before the invoice itself so that any write after it
/// shows as a newer version.
pub async fn invoice_version(db: &impl Database, id: &str) -> Result<Option<i64>, DbError> {
    let rows = db.query(Stmt::new("SELECT version FROM invoices WHERE id = ?1", vec![id.into()])).await?;
    Ok(rows.first().and_then(|r| int(r, "version")))
}

/// The statements that store an invoice and its parts, replacing what was stored under its id.
/// `open` says the invoice still owes anything after its settlements (principal or penalties, see
/// `Which::Open`); `replaces` guards against a write in between.
pub fn put_invoice(
    invoice: &Invoice,
    open: bool,
    replaces: Replaces,
    now: DateTime<Utc>,
) -> Result<Vec<Stmt>, DbError> {
    let at = ts(now);
    let id = invoice.id.clone();
    let head = Invoice { payments: vec![], disputes: vec![], payment_plan: None, promises: vec![], ..invoice.clone() };
    let mut stmts = vec![
        Stmt::new("DELETE FROM payments WHERE invoice_id = ?1", vec![id.clone().into()]),
        Stmt::new("DELETE FROM disputes WHERE invoice_id = ?1", vec![id.clone().into()]),
        Stmt::new("DELETE FROM payment_plans WHERE invoice_id = ?1", vec![id.clone().into()]),
        Stmt::new("DELETE FROM promises WHERE invoice_id = ?1", vec![id.clone().into()]),
        Stmt::new(
            "INSERT INTO invoices (id, debtor_id, open, data, created_at, updated_at, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1)
             ON CONFLICT (id) DO UPDATE SET debtor_id = excluded.debtor_id, open = excluded.open,
               data = excluded.data, updated_at = excluded.updated_at,
               version = COALESCE(?6, invoices.version + 1)",
            vec![
                id.clone().into(),
                invoice.debtor_id.clone().into(),
                Param::Int(i64::from(open)),
                json(&head)?.into(),
                at.clone().into(),
                match replaces {
                    // 0 is never the next version: the trigger refuses it.
                    Replaces::Nothing => Param::Int(0),
                    Replaces::Version(v) => Param::Int(v + 1),
                    Replaces::Latest => Param::Null,
                },
            ],
        ),
    ];
    for p in &invoice.payments {
        stmts.push(Stmt::new(
            "INSERT INTO payments (invoice_id, data, created_at) VALUES (?1, ?2, ?3)",
            vec![id.clone().into(), json(p)?.into(), at.clone().into()],
        ));
    }
    for d in &invoice.disputes {
        stmts.push(Stmt::new(
            "INSERT INTO disputes (invoice_id, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            vec![id.clone().into(), json(d)?.into(), at.clone().into()],
        ));
    }
    for p in &invoice.promises {
        stmts.push(Stmt::new(
            "INSERT INTO promises (invoice_id, data, created_at) VALUES (?1, ?2, ?3)",
            vec![id.clone().into(), json(p)?.into(), at.clone().into()],
        ));
    }
    if let Some(plan) = &invoice.payment_plan {
        stmts.push(Stmt::new(
            "INSERT INTO payment_plans (invoice_id, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            vec![id.into(), json(plan)?.into(), at.into()],
        ));
    }
    Ok(stmts)
}

/// Moves an invoice's version on by one: the first statement of every change to its parts, so
/// that a whole-invoice write made from a read before it is refused (migration 0002).
pub fn bump_version(id: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "UPDATE invoices SET version = version + 1, updated_at = ?2 WHERE id = ?1",
        vec![id.into(), ts(now).into()],
    )
}

/// Appends a payment, unless the invoice has `MAX_ENTRIES` already (changes = 1 when it went in).
pub fn append_payment(id: &str, payment: &Payment, now: DateTime<Utc>) -> Result<Stmt, DbError> {
    Ok(Stmt::new(
        "INSERT INTO payments (invoice_id, data, created_at) SELECT ?1, ?2, ?3
         WHERE (SELECT COUNT(*) FROM payments WHERE invoice_id = ?1) < ?4",
        vec![id.into(), json(payment)?.into(), ts(now).into(), max_entries()],
    ))
}

/// Appends a promise to pay, unless the invoice has `MAX_ENTRIES` already (changes = 1 when it
/// went in).
pub fn append_promise(id: &str, promise: &Promise, now: DateTime<Utc>) -> Result<Stmt, DbError> {
    Ok(Stmt::new(
        "INSERT INTO promises (invoice_id, data, created_at) SELECT ?1, ?2, ?3
         WHERE (SELECT COUNT(*) FROM promises WHERE invoice_id = ?1) < ?4",
        vec![id.into(), json(promise)?.into(), ts(now).into(), max_entries()],
    ))
}

/// Opens a dispute, unless one is open already or the invoice has `MAX_ENTRIES` (changes = 1 when
/// it went in).
pub fn append_dispute(id: &str, dispute: &Dispute, now: DateTime<Utc>) -> Result<Stmt, DbError> {
    Ok(Stmt::new(
        "INSERT INTO disputes (invoice_id, data, created_at, updated_at) SELECT ?1, ?2, ?3, ?3
         WHERE NOT EXISTS (SELECT 1 FROM disputes WHERE invoice_id = ?1 AND json_extract(data, '$.closedOn') IS NULL)
           AND (SELECT COUNT(*) FROM disputes WHERE invoice_id = ?1) < ?4",
        vec![id.into(), json(dispute)?.into(), ts(now).into(), max_entries()],
    ))
}

fn max_entries() -> Param {
    Param::Int(i64::try_from(relance_core::ledger::MAX_ENTRIES).unwrap_or(i64::MAX))
}

/// The open dispute of an invoice: its row and its stored text.
pub async fn open_dispute(db: &impl Database, id: &str) -> Result<Option<(i64, Dispute, String)>, DbError> {
    let rows = db
        .query(Stmt::new(
            "SELECT id, data FROM disputes WHERE invoice_id = ?1 AND json_extract(data, '$.closedOn') IS NULL
             ORDER BY id LIMIT 1",
            vec![id.into()],
        ))
        .await?;
    let Some(row) = rows.first() else { return Ok(None) };
    Ok(Some((int(row, "id").unwrap_or_default(), doc(row, "data")?, text(row, "data").unwrap_or_default())))
}

/// Replaces a dispute's row with `closed`, if it is still as it was read (changes = 1 then).
pub fn close_dispute(row: i64, was: &str, closed: &Dispute, now: DateTime<Utc>) -> Result<Stmt, DbError> {
    Ok(Stmt::new(
        "UPDATE disputes SET data = ?3, updated_at = ?4 WHERE id = ?1 AND data = ?2",
        vec![Param::Int(row), was.into(), json(closed)?.into(), ts(now).into()],
    ))
}

/// Sets or removes an invoice's payment plan.
pub fn put_payment_plan(id: &str, plan: Option<&PaymentPlan>, now: DateTime<Utc>) -> Result<Stmt, DbError> {
    Ok(match plan {
        Some(plan) => Stmt::new(
            "INSERT INTO payment_plans (invoice_id, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (invoice_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            vec![id.into(), json(plan)?.into(), ts(now).into()],
        ),
        None => Stmt::new("DELETE FROM payment_plans WHERE invoice_id = ?1", vec![id.into()]),
    })
}

/// Sets whether an invoice is open, if its version is still `version` (changes = 1 then): after a
/// change to its parts, from a read of all of them.
pub fn set_open(id: &str, open: bool, version: i64) -> Stmt {
    Stmt::new(
        "UPDATE invoices SET open = ?2 WHERE id = ?1 AND version = ?3",
        vec![id.into(), Param::Int(i64::from(open)), Param::Int(version)],
    )
}

/// The statements that delete an invoice and its parts.
pub fn delete_invoice(id: &str) -> Vec<Stmt> {
    [
        "DELETE FROM payments WHERE invoice_id = ?1",
        "DELETE FROM disputes WHERE invoice_id = ?1",
        "DELETE FROM payment_plans WHERE invoice_id = ?1",
        "DELETE FROM promises WHERE invoice_id = ?1",
        "DELETE FROM invoice_documents WHERE invoice_id = ?1",
        "DELETE FROM lifecycle_statuses WHERE invoice_id = ?1",
        "DELETE FROM invoices WHERE id = ?1",
    ]
    .into_iter()
    .map(|sql| Stmt::new(sql, vec![id.into()]))
    .collect()
}

/// Whether an invoice id is taken.
pub async fn invoice_exists(db: &impl Database, id: &str) -> Result<bool, DbError> {
    Ok(!db.query(Stmt::new("SELECT 1 AS x FROM invoices WHERE id = ?1", vec![id.into()])).await?.is_empty())
}

/// Invoice ids and their open flag, for listings.
pub async fn invoice_ids(db: &impl Database) -> Result<Vec<(String, String, bool)>, DbError> {
    let rows = db.query(Stmt::new("SELECT id, debtor_id, open FROM invoices ORDER BY id", vec![])).await?;
    Ok(rows
        .iter()
        .map(|r| {
            (text(r, "id").unwrap_or_default(), text(r, "debtor_id").unwrap_or_default(), int(r, "open") == Some(1))
        })
        .collect())
}

// ---- the ledger as the core sees it ------------------------------------------------------------

/// What the cron and the read endpoints work on.
#[derive(Debug, Clone)]
pub struct Book {
    /// The core ledger (creditor, debtors, the invoices asked for).
    pub ledger: Ledger,
    /// Each debtor's effective policy id.
    pub assignment: BTreeMap<String, String>,
    /// Custom policies.
    pub policies: BTreeMap<String, Policy>,
    /// Rate rows beyond the shipped tables: the operator's (settings), then the fetched ones.
    pub extra_rates: BTreeMap<String, Vec<RateRow>>,
}

impl Book {
    /// The rate tables in force: the shipped ones and `extra_rates`.
    pub fn rates(&self) -> Result<std::borrow::Cow<'static, relance_core::rates::Rates>, relance_core::Error> {
        relance_core::penalty::rates_with(&self.extra_rates)
    }
}

/// The creditor is not configured yet: nothing can be computed.
pub const NO_CREDITOR: &str = "the creditor is not set: PUT /v1/settings first";

/// Loads the book. Only the debtors with loaded invoices are kept when `which` is not `All`.
pub async fn book(db: &impl Database, which: Which<'_>) -> Result<Option<Book>, DbError> {
    let Some(creditor) = creditor(db).await? else { return Ok(None) };
    let default = default_policy(db).await?;
    let invoices = invoices(db, which).await?;
    let wanted: std::collections::HashSet<&str> = invoices.iter().map(|i| i.debtor_id.as_str()).collect();
    let mut assignment = BTreeMap::new();
    let mut kept = Vec::new();
    // One invoice or one debtor's: read that debtor only, not the whole table.
    let stored = match which {
        Which::One(_) | Which::OfDebtor(_) => match wanted.iter().next() {
            Some(id) => debtor(db, id).await?.into_iter().collect(),
            None => Vec::new(),
        },
        Which::All | Which::Open => debtors(db).await?,
        Which::OpenOf(ids) => debtors_of(db, ids).await?,
    };
    for d in stored {
        if which == Which::All || wanted.contains(d.debtor.id.as_str()) {
            assignment.insert(d.debtor.id.clone(), d.policy_id.clone().unwrap_or_else(|| default.clone()));
            kept.push(d.debtor);
        }
    }
    Ok(Some(Book {
        ledger: Ledger { creditor, debtors: kept, invoices },
        assignment,
        policies: policies(db).await?,
        extra_rates: rates_in_force(db).await?,
    }))
}

// ---- deliveries -------------------------------------------------------------------------------

/// A delivery row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Idempotency key.
    pub key: String,
    /// Debtor.
    pub debtor_id: String,
    /// Leading step.
    pub step_id: String,
    /// Channel.
    pub channel: String,
    /// Invoice-steps covered.
    pub items: Vec<ItemRef>,
    /// `claimed`, `sent`, `task`, `retry`, `failed`, `cancelled`, `waiting_rate`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Provider used.
    pub provider: Option<String>,
    /// The provider's message id.
    pub provider_message_id: Option<String>,
    /// Last error.
    pub last_error: Option<String>,
    /// First claim.
    pub claimed_at: String,
    /// Claim held until.
    pub lease_until: Option<String>,
    /// Next retry.
    pub next_attempt_at: Option<String>,
    /// Sent (or task created).
    pub sent_at: Option<String>,
    /// Last change.
    pub updated_at: String,
    /// What is (re)sent: the action, the recipients, the rendered message.
    #[serde(skip)]
    pub payload: String,
}

fn delivery(row: &Row) -> Result<Delivery, DbError> {
    Ok(Delivery {
        key: text(row, "key").unwrap_or_default(),
        debtor_id: text(row, "debtor_id").unwrap_or_default(),
        step_id: text(row, "step_id").unwrap_or_default(),
        channel: text(row, "channel").unwrap_or_default(),
        items: doc(row, "items")?,
        status: text(row, "status").unwrap_or_default(),
        attempts: int(row, "attempts").unwrap_or(0),
        provider: text(row, "provider"),
        provider_message_id: text(row, "provider_message_id"),
        last_error: text(row, "last_error"),
        claimed_at: text(row, "claimed_at").unwrap_or_default(),
        lease_until: text(row, "lease_until"),
        next_attempt_at: text(row, "next_attempt_at"),
        sent_at: text(row, "sent_at"),
        updated_at: text(row, "updated_at").unwrap_or_default(),
        payload: text(row, "payload").unwrap_or_default(),
    })
}

macro_rules! select_deliveries {
    ($tail:literal) => {
        concat!(
            "SELECT key, debtor_id, step_id, channel, items, status, attempts, provider, provider_message_id,
               last_error, claimed_at, lease_until, next_attempt_at, sent_at, updated_at, payload
             FROM deliveries ",
            $tail
        )
    };
}

/// Deliveries, newest first, optionally of one status or one debtor.
pub async fn deliveries(
    db: &impl Database,
    status: Option<&str>,
    debtor_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Delivery>, DbError> {
    let rows = db
        .query(Stmt::new(
            select_deliveries!(
                "WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR debtor_id = ?2)
                 ORDER BY claimed_at DESC, key LIMIT ?3"
            ),
            vec![status.into(), debtor_id.into(), Param::Int(limit)],
        ))
        .await?;
    rows.iter().map(delivery).collect()
}

/// One delivery.
pub async fn delivery_by_key(db: &impl Database, key: &str) -> Result<Option<Delivery>, DbError> {
    let rows = db.query(Stmt::new(select_deliveries!("WHERE key = ?1"), vec![key.into()])).await?;
    rows.first().map(delivery).transpose()
}

/// The planner's view of what was already sent or claimed for the debtors with open invoices:
/// a claimed, retrying or failed key is handled by the delivery machinery, never planned again.
pub async fn sent_log(db: &impl Database, debtor_ids: &str) -> Result<Vec<SentEntry>, DbError> {
    let rows = db
        .query(Stmt::new(
            "SELECT key, items, claimed_at FROM deliveries
             WHERE status <> 'cancelled' AND debtor_id IN (SELECT value FROM json_each(?1))",
            vec![debtor_ids.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SentEntry {
                key: text(r, "key").unwrap_or_default(),
                sent_at: text(r, "claimed_at").as_deref().and_then(parse_ts).unwrap_or_default(),
                items: doc(r, "items")?,
            })
        })
        .collect()
}

// ---- the index of what is due (migration 0007) ----------------------------------------------

/// Whether a statement that writes at most one row wrote it, from the changes a batch reports for
/// it. D1 counts the rows its triggers write too (migration 0007 marks the debtor on every change
/// of what plans it), so one row written reports one or more.
pub fn went_in(changes: Option<&u64>) -> bool {
    changes.is_some_and(|n| *n > 0)
}

/// `next_action_at` of a debtor with nothing planned.
pub const NOTHING_PLANNED: &str = "9999-12-31T23:59:59Z";

/// The debtors a run at `now` must look at (their next action is due, or must be computed
/// again), with the revision of their data it reads.
pub async fn due_debtors(db: &impl Database, now: DateTime<Utc>) -> Result<Vec<(String, i64)>, DbError> {
    let rows = db
        .query(Stmt::new("SELECT id, schedule_rev FROM debtors WHERE next_action_at <= ?1", vec![ts(now).into()]))
        .await?;
    Ok(rows.iter().filter_map(|r| Some((text(r, "id")?, int(r, "schedule_rev")?))).collect())
}

/// Records each debtor's next action time (`None`: nothing planned), each only if its data has
/// not changed since the revision the time was computed from (else it stays to compute again).
pub fn set_next_actions(next: &[(&str, i64, Option<DateTime<Utc>>)]) -> Vec<Stmt> {
    // Chunks keep each bound JSON text far below D1's limits, one statement per chunk.
    next.chunks(2000)
        .map(|chunk| {
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .map(|(id, rev, at)| {
                    let at = at.map_or_else(|| NOTHING_PLANNED.to_owned(), ts);
                    serde_json::json!([id, rev, at])
                })
                .collect();
            Stmt::new(
                "UPDATE debtors SET next_action_at = j.at
                 FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS rev,
                         json_extract(value, '$[2]') AS at FROM json_each(?1)) AS j
                 WHERE debtors.id = j.id AND debtors.schedule_rev = j.rev",
                vec![serde_json::Value::Array(rows).to_string().into()],
            )
        })
        .collect()
}

/// Messages that went out (sent, or handed to a person as a task), for analytics.
pub async fn sent_messages(db: &impl Database) -> Result<Vec<relance_core::analytics::SentMessage>, DbError> {
    let rows = db
        .query(Stmt::new(
            "SELECT key, channel, step_id, items, sent_at FROM deliveries
             WHERE status IN ('sent', 'task') AND sent_at IS NOT NULL ORDER BY sent_at, key",
            vec![],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(relance_core::analytics::SentMessage {
                key: text(r, "key").unwrap_or_default(),
                sent_at: text(r, "sent_at").as_deref().and_then(parse_ts).unwrap_or_default(),
                channel: text(r, "channel")
                    .unwrap_or_default()
                    .parse()
                    .map_err(|e| DbError(format!("stored channel: {e}")))?,
                step_id: text(r, "step_id").unwrap_or_default(),
                items: doc(r, "items")?,
            })
        })
        .collect()
}

/// The statuses of a delivery (migrations 0001 and 0004).
pub const DELIVERY_STATUSES: [&str; 7] = ["claimed", "sent", "task", "retry", "failed", "cancelled", "waiting_rate"];

/// Deliveries a run may take over now: a claim whose lease ran out (its run died or hung), or a
/// retry whose back-off is over. Oldest first.
pub async fn retryable(db: &impl Database, now: DateTime<Utc>, limit: i64) -> Result<Vec<Delivery>, DbError> {
    let rows = db
        .query(Stmt::new(
            select_deliveries!(
                "WHERE (status = 'claimed' AND lease_until <= ?1) OR (status = 'retry' AND next_attempt_at <= ?1)
                 ORDER BY claimed_at, key LIMIT ?2"
            ),
            vec![ts(now).into(), Param::Int(limit)],
        ))
        .await?;
    rows.iter().map(delivery).collect()
}

/// Deliveries waiting for a reference rate to be published, oldest first.
pub async fn waiting(db: &impl Database) -> Result<Vec<Delivery>, DbError> {
    let rows = db
        .query(Stmt::new(select_deliveries!("WHERE status = 'waiting_rate' ORDER BY claimed_at, key"), vec![]))
        .await?;
    rows.iter().map(delivery).collect()
}

/// Takes a waiting delivery to send it with the message now rendered (`payload`): its claim,
/// lease and first attempt start now. Returns true when this run owns it.
pub async fn claim_waiting(
    db: &impl Database,
    key: &str,
    payload: &str,
    run_id: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, DbError> {
    let changes = db
        .batch(vec![Stmt::new(
            "UPDATE deliveries SET status = 'claimed', attempts = 1, payload = ?2, run_id = ?3, claimed_at = ?4,
               lease_until = ?5, last_error = NULL, updated_at = ?4
             WHERE key = ?1 AND status = 'waiting_rate'",
            vec![key.into(), payload.into(), run_id.into(), ts(now).into(), ts(lease_until).into()],
        )])
        .await?;
    Ok(went_in(changes.first()))
}

/// A new claim: the row exists once per key, so of two runs only one inserts it (changes = 1).
pub struct NewClaim<'a> {
    /// Idempotency key.
    pub key: &'a str,
    /// Debtor.
    pub debtor_id: &'a str,
    /// Leading step.
    pub step_id: &'a str,
    /// Channel (snake_case).
    pub channel: &'a str,
    /// Invoice-steps covered.
    pub items: &'a [ItemRef],
    /// What is sent.
    pub payload: &'a str,
    /// Provider.
    pub provider: &'a str,
}

/// Inserts a claim unless the key exists or one of its invoice-steps was claimed already (under
/// any key: migration 0003), and records its invoice-steps, in one batch. Returns true when this
/// run owns it.
pub async fn claim_new(
    db: &impl Database,
    c: &NewClaim<'_>,
    run_id: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, DbError> {
    let items = json(&c.items)?;
    let changes = db
        .batch(vec![
            Stmt::new(
                "INSERT INTO deliveries (key, debtor_id, step_id, channel, items, status, attempts, provider, payload,
                   run_id, claimed_at, lease_until, updated_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, 'claimed', 1, ?6, ?7, ?8, ?9, ?10, ?9
                 WHERE NOT EXISTS (
                   SELECT 1 FROM json_each(?5) AS item JOIN claimed_steps AS c
                     ON c.invoice_id = json_extract(item.value, '$.invoiceId')
                    AND c.step_id = json_extract(item.value, '$.stepId'))
                 ON CONFLICT (key) DO NOTHING",
                vec![
                    c.key.into(),
                    c.debtor_id.into(),
                    c.step_id.into(),
                    c.channel.into(),
                    items.clone().into(),
                    c.provider.into(),
                    c.payload.into(),
                    run_id.into(),
                    ts(now).into(),
                    ts(lease_until).into(),
                ],
            ),
            // Only when the row above is this run's new claim.
            Stmt::new(
                "INSERT OR IGNORE INTO claimed_steps (invoice_id, step_id, key)
                 SELECT json_extract(item.value, '$.invoiceId'), json_extract(item.value, '$.stepId'), ?1
                 FROM json_each(?2) AS item
                 WHERE EXISTS (SELECT 1 FROM deliveries WHERE key = ?1 AND run_id = ?3 AND attempts = 1)",
                vec![c.key.into(), items.into(), run_id.into()],
            ),
        ])
        .await?;
    Ok(went_in(changes.first()))
}

/// Takes over a retryable delivery (same conditions as `retryable`, checked again atomically).
/// Returns true when this run owns it.
pub async fn claim_retry(
    db: &impl Database,
    key: &str,
    run_id: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, DbError> {
    let changes = db
        .batch(vec![Stmt::new(
            "UPDATE deliveries SET status = 'claimed', attempts = attempts + 1, run_id = ?2, lease_until = ?4,
               next_attempt_at = NULL, updated_at = ?3
             WHERE key = ?1 AND ((status = 'claimed' AND lease_until <= ?3)
                                 OR (status = 'retry' AND next_attempt_at <= ?3))",
            vec![key.into(), run_id.into(), ts(now).into(), ts(lease_until).into()],
        )])
        .await?;
    Ok(went_in(changes.first()))
}

/// The final or intermediate state a run records for a delivery it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the provider (or recorded in the local outbox).
    Sent {
        /// The provider's message id.
        provider_message_id: Option<String>,
    },
    /// A task was created for a person.
    Task,
    /// To be tried again at `next_attempt_at`.
    Retry {
        /// Why it failed this time.
        error: String,
        /// When to try again.
        next_attempt_at: DateTime<Utc>,
    },
    /// Given up: after the last attempt, or refused in a way retrying cannot fix.
    Failed {
        /// Why.
        error: String,
    },
    /// Not sent because the invoices were paid or disputed since it was claimed.
    Cancelled {
        /// Why.
        reason: String,
    },
    /// Not sent yet: the message states penalties whose reference rate is not published.
    WaitingRate {
        /// Which rate, in words.
        reason: String,
    },
}

impl Outcome {
    /// The stored status.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "sent",
            Outcome::Task => "task",
            Outcome::Retry { .. } => "retry",
            Outcome::Failed { .. } => "failed",
            Outcome::Cancelled { .. } => "cancelled",
            Outcome::WaitingRate { .. } => "waiting_rate",
        }
    }
}

/// Records an outcome, if this run still owns the claim (a run whose lease ran out and was taken
/// over records nothing), with its audit row, in one transaction. Returns whether it was recorded.
pub async fn record(
    db: &impl Database,
    key: &str,
    run_id: &str,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let (provider_id, error, next): (Option<String>, Option<String>, Option<String>) = match outcome {
        Outcome::Sent { provider_message_id } => (provider_message_id.clone(), None, None),
        Outcome::Task => (None, None, None),
        Outcome::Retry { error, next_attempt_at } => (None, Some(error.clone()), Some(ts(*next_attempt_at))),
        Outcome::Failed { error } => (None, Some(error.clone()), None),
        Outcome::Cancelled { reason } | Outcome::WaitingRate { reason } => (None, Some(reason.clone()), None),
    };
    let done = matches!(outcome, Outcome::Sent { .. } | Outcome::Task);
    let detail = serde_json::json!({ "status": outcome.status(), "error": error, "providerMessageId": provider_id });
    let changes = db
        .batch(vec![
            Stmt::new(
                "UPDATE deliveries SET status = ?3, provider_message_id = COALESCE(?4, provider_message_id),
                   last_error = ?5, next_attempt_at = ?6, sent_at = CASE WHEN ?7 = 1 THEN ?8 ELSE sent_at END,
                   lease_until = NULL, updated_at = ?8
                 WHERE key = ?1 AND run_id = ?2 AND status = 'claimed'",
                vec![
                    key.into(),
                    run_id.into(),
                    outcome.status().into(),
                    provider_id.into(),
                    error.into(),
                    next.into(),
                    Param::Int(i64::from(done)),
                    ts(now).into(),
                ],
            ),
            // The audit row only if the update above applied.
            only_if_changed(audit(
                &format!("cron:{run_id}"),
                &format!("delivery.{}", outcome.status()),
                "delivery",
                key,
                &detail,
                now,
            )),
        ])
        .await?;
    Ok(went_in(changes.first()))
}

/// Puts a failed or cancelled delivery back in the queue (an operator fixed the cause). One whose
/// message never rendered (a rate was missing, a template failed) is rendered again by the next
/// run, as one waiting for a rate is.
pub fn requeue(key: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "UPDATE deliveries SET attempts = 0, next_attempt_at = ?2, updated_at = ?2,
           status = CASE WHEN json_extract(payload, '$.message') IS NULL THEN 'waiting_rate' ELSE 'retry' END
         WHERE key = ?1 AND status IN ('failed', 'cancelled')",
        vec![key.into(), ts(now).into()],
    )
}

// ---- tasks and outbox ----------------------------------------------------------------------------

/// Creates a task once per key (a retried delivery does not duplicate it).
pub fn add_task(key: &str, kind: &str, debtor_id: &str, due_on: &str, data: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "INSERT INTO tasks (id, kind, debtor_id, status, due_on, data, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?6) ON CONFLICT (id) DO NOTHING",
        vec![key.into(), kind.into(), debtor_id.into(), due_on.into(), data.into(), ts(now).into()],
    )
}

/// Marks done the open tasks whose id starts with `prefix` (a source outage that ended).
pub fn close_tasks_of(prefix: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "UPDATE tasks SET status = 'done', updated_at = ?2 WHERE status = 'open' AND substr(id, 1, length(?1)) = ?1",
        vec![prefix.into(), ts(now).into()],
    )
}

/// Open tasks of one kind, oldest first: (id, data).
pub async fn open_tasks(db: &impl Database, kind: &str) -> Result<Vec<(String, String)>, DbError> {
    let rows = db
        .query(Stmt::new(
            "SELECT id, data FROM tasks WHERE kind = ?1 AND status = 'open' ORDER BY created_at, id",
            vec![kind.into()],
        ))
        .await?;
    Ok(rows.iter().map(|r| (text(r, "id").unwrap_or_default(), text(r, "data").unwrap_or_default())).collect())
}

/// Tasks, newest first.
pub async fn tasks(db: &impl Database, status: Option<&str>, limit: i64) -> Result<Vec<Row>, DbError> {
    db.query(Stmt::new(
        "SELECT id, kind, debtor_id, status, due_on, data, created_at, updated_at FROM tasks
         WHERE (?1 IS NULL OR status = ?1) ORDER BY created_at DESC, id LIMIT ?2",
        vec![status.into(), Param::Int(limit)],
    ))
    .await
}

/// One task: its kind, debtor and data.
pub async fn task(db: &impl Database, id: &str) -> Result<Option<(String, String, String)>, DbError> {
    let rows = db.query(Stmt::new("SELECT kind, debtor_id, data FROM tasks WHERE id = ?1", vec![id.into()])).await?;
    Ok(rows.first().map(|r| {
        (
            text(r, "kind").unwrap_or_default(),
            text(r, "debtor_id").unwrap_or_default(),
            text(r, "data").unwrap_or_default(),
        )
    }))
}

/// Changes a task's status.
pub fn set_task_status(id: &str, status: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "UPDATE tasks SET status = ?2, updated_at = ?3 WHERE id = ?1",
        vec![id.into(), status.into(), ts(now).into()],
    )
}

/// Records an email in the local outbox, once per key.
pub fn add_outbox(
    key: &str,
    recipients: &[String],
    message: &relance_core::messages::RenderedMessage,
    attachments: &[Attachment],
    now: DateTime<Utc>,
) -> Result<Stmt, DbError> {
    Ok(Stmt::new(
        "INSERT INTO outbox (key, recipients, subject, text_body, html_body, attachments, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING",
        vec![
            key.into(),
            json(&recipients)?.into(),
            message.subject.as_str().into(),
            message.text.as_str().into(),
            message.html.as_str().into(),
            json(&attachments)?.into(),
            ts(now).into(),
        ],
    ))
}

/// The local outbox, newest first.
pub async fn outbox(db: &impl Database, limit: i64) -> Result<Vec<Row>, DbError> {
    db.query(Stmt::new(
        "SELECT key, recipients, subject, text_body, attachments, created_at FROM outbox
         ORDER BY created_at DESC, key LIMIT ?1",
        vec![Param::Int(limit)],
    ))
    .await
}

// ---- documents and lifecycle statuses (migration 0006) ----------------------------------------

/// A stored document as a message carries it: its name, type, hash and size (the bytes are in R2
/// under `blobs::document_key(sha256)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The invoice it is the copy of.
    pub invoice_id: String,
    /// File name (`F-2026-0917.pdf`).
    pub name: String,
    /// Media type.
    pub content_type: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
}

/// Records a document (once per hash) and links it to its invoice as its copy or a credit note.
pub fn put_document(doc: &Attachment, format: &str, kind: &str, number: &str, now: DateTime<Utc>) -> Vec<Stmt> {
    let at = ts(now);
    vec![
        Stmt::new(
            "INSERT INTO documents (sha256, name, content_type, size, format, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (sha256) DO NOTHING",
            vec![
                doc.sha256.clone().into(),
                doc.name.clone().into(),
                doc.content_type.clone().into(),
                Param::Int(doc.size),
                format.into(),
                at.clone().into(),
            ],
        ),
        Stmt::new(
            "INSERT INTO invoice_documents (invoice_id, kind, sha256, number, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (invoice_id, kind, number) DO UPDATE SET sha256 = excluded.sha256, created_at = excluded.created_at",
            vec![doc.invoice_id.clone().into(), kind.into(), doc.sha256.clone().into(), number.into(), at.into()],
        ),
    ]
}

/// The invoices' own documents (not their credit notes'), by invoice id.
pub async fn invoice_documents(db: &impl Database, invoice_ids: &[&str]) -> Result<Vec<Attachment>, DbError> {
    let mut out = Vec::new();
    for id in invoice_ids {
        let rows = db
            .query(Stmt::new(
                "SELECT l.invoice_id, d.name, d.content_type, d.sha256, d.size FROM invoice_documents l
                 JOIN documents d ON d.sha256 = l.sha256 WHERE l.invoice_id = ?1 AND l.kind = 'invoice'",
                vec![(*id).into()],
            ))
            .await?;
        for r in rows {
            out.push(Attachment {
                invoice_id: text(&r, "invoice_id").unwrap_or_default(),
                name: text(&r, "name").unwrap_or_default(),
                content_type: text(&r, "content_type").unwrap_or_default(),
                sha256: text(&r, "sha256").unwrap_or_default(),
                size: int(&r, "size").unwrap_or(0),
            });
        }
    }
    Ok(out)
}

/// A lifecycle status received for an invoice. The same status twice (same code, day, reason and
/// amount) is one row: the unique index of migration 0006 aborts the batch of the second.
pub fn add_lifecycle(
    invoice_id: &str,
    status: &relance_core::lifecycle::LifecycleStatus,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Stmt, DbError> {
    Ok(Stmt::new(
        "INSERT INTO lifecycle_statuses (invoice_id, code, day, data, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        vec![
            invoice_id.into(),
            Param::Int(i64::from(status.code)),
            status.date.to_string().into(),
            json(status)?.into(),
            source.into(),
            ts(now).into(),
        ],
    ))
}

/// Whether this very status was recorded for the invoice already.
pub async fn has_lifecycle(
    db: &impl Database,
    invoice_id: &str,
    status: &relance_core::lifecycle::LifecycleStatus,
) -> Result<bool, DbError> {
    let rows = db
        .query(Stmt::new(
            "SELECT 1 AS x FROM lifecycle_statuses WHERE invoice_id = ?1 AND data = ?2",
            vec![invoice_id.into(), json(status)?.into()],
        ))
        .await?;
    Ok(!rows.is_empty())
}

/// The statuses of an invoice, in the order received: (status, source, received at).
pub async fn lifecycle_of(db: &impl Database, invoice_id: &str) -> Result<Vec<Value>, DbError> {
    let rows = db
        .query(Stmt::new(
            "SELECT data, source, created_at FROM lifecycle_statuses WHERE invoice_id = ?1 ORDER BY id",
            vec![invoice_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let status: relance_core::lifecycle::LifecycleStatus = doc(r, "data")?;
            let name = relance_core::lifecycle::status_name(status.code);
            Ok(serde_json::json!({
                "code": status.code, "name": name, "date": status.date, "reason": status.reason,
                "amount": status.amount, "source": text(r, "source"), "receivedAt": text(r, "created_at"),
            }))
        })
        .collect()
}

// ---- audit ------------------------------------------------------------------------------------

const AUDIT_INSERT: &str =
    "INSERT INTO audit (at, actor, action, entity, entity_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const AUDIT_INSERT_IF_CHANGED: &str =
    "INSERT INTO audit (at, actor, action, entity, entity_id, detail) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE changes() = 1";

/// An audit row.
pub fn audit(
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: &serde_json::Value,
    now: DateTime<Utc>,
) -> Stmt {
    Stmt::new(
        AUDIT_INSERT,
        vec![ts(now).into(), actor.into(), action.into(), entity.into(), entity_id.into(), detail.to_string().into()],
    )
}

/// The same audit row, written only if the previous statement of the batch changed exactly one
/// row (`changes()` is SQLite's count of the previous statement of the transaction).
pub fn only_if_changed(audit_row: Stmt) -> Stmt {
    Stmt { sql: AUDIT_INSERT_IF_CHANGED, ..audit_row }
}

/// The audit trail, newest first, before an id (for paging).
pub async fn audit_trail(db: &impl Database, before: Option<i64>, limit: i64) -> Result<Vec<Row>, DbError> {
    db.query(Stmt::new(
        "SELECT id, at, actor, action, entity, entity_id, detail FROM audit
         WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
        vec![before.map(Param::Int).unwrap_or(Param::Null), Param::Int(limit)],
    ))
    .await
}
