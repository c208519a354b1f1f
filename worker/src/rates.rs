//! Reference rates that keep themselves current. The daily trigger (`RATES_CRON`) fetches each
//! configured source; the core reads the response whole or refuses it (`rate_sources::parse`);
//! the rows it adds to the tables are stored in D1 with their provenance and an audit row. A rate
//! the source now gives otherwise than the one held is never changed silently: a row fetched
//! earlier is corrected with an audit row and an operator task, a shipped or operator-given rate
//! is kept and the task asks a person to decide. A source that keeps failing opens one task per
//! outage; the last good rows stay in use.

use crate::config::{Config, RateSource};
use crate::db::{text, Database, DbError, Stmt};
use crate::send::{Http, HttpFailure, HttpRequest};
use crate::store;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use relance_core::penalty::rates_with;
use relance_core::rate_sources::{parse, Fetched, Source};
use relance_core::rates::{half_year_label, Correction, MissingRate, Rates};
use serde::Serialize;
use serde_json::json;

/// A source failing for this many days opens a task (one per outage).
pub const SOURCE_DOWN_TASK_AFTER_DAYS: i64 = 2;

/// How long a source may take to answer: the ECB series since 1999 is a few hundred kilobytes.
pub const FETCH_TIMEOUT_MS: u32 = 30_000;

/// What the daily refresh did, per source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshReport {
    /// When it ran.
    pub at: String,
    /// One entry per configured source.
    pub sources: Vec<SourceReport>,
    /// Missing-rate tasks closed because the rate is now known.
    pub tasks_closed: usize,
}

/// One source's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceReport {
    /// The table it feeds.
    pub table: String,
    /// Rows added to the table.
    pub new_rows: usize,
    /// Rates the source gives otherwise than the ones held.
    pub corrections: usize,
    /// The last day the table is known for after the refresh.
    pub known_until: Option<String>,
    /// Why the response was not taken (the last good rows stay).
    pub error: Option<String>,
}

/// The daily refresh at `now`: every configured source, one after the other.
pub async fn refresh(
    db: &impl Database,
    http: &impl Http,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let mut sources = Vec::with_capacity(config.rate_sources.len());
    for source in &config.rate_sources {
        let report = match fetch(http, source, now.date_naive()).await {
            Ok(fetched) => store_fetched(db, &fetched, now).await?,
            Err(error) => record_failure(db, source, &error, now).await?,
        };
        sources.push(report);
    }
    let tasks_closed = close_published_rate_tasks(db, now).await?;
    let report = RefreshReport { at: store::ts(now), sources, tasks_closed };
    let detail = serde_json::to_value(&report).unwrap_or_default();
    db.batch(vec![store::audit("rates", "rates.refresh", "rates", &store::ts(now), &detail, now)]).await?;
    Ok(report)
}

/// The source's response, read; or why it cannot be used.
async fn fetch(http: &impl Http, source: &RateSource, today: NaiveDate) -> Result<Fetched, String> {
    let (_, accept) = source.source.address();
    match http.fetch(HttpRequest::get(&source.url, accept), FETCH_TIMEOUT_MS).await {
        Err(HttpFailure::Timeout) => Err(format!("{}: no answer in {} s", source.url, FETCH_TIMEOUT_MS / 1000)),
        Err(HttpFailure::Network(e)) => Err(format!("{}: network: {e}", source.url)),
        Ok(r) if !(200..300).contains(&r.status) => {
            let detail: String = r.body.chars().take(200).collect();
            Err(format!("{}: HTTP {}: {detail}", source.url, r.status))
        }
        Ok(r) => parse(source.source, &r.body, today).map_err(|e| format!("{}: {e}", source.url)),
    }
}

/// The tables as penalties are computed now: shipped, operator's `extraRates`, fetched rows.
async fn rates_in_force(db: &impl Database) -> Result<Rates, DbError> {
    let extra = store::rates_in_force(db).await?;
    rates_with(&extra).map(std::borrow::Cow::into_owned).map_err(|e| DbError(format!("rates in force: {e}")))
}

/// Stores what a good response adds, its corrections (each with an audit row and a task), and the
/// source's provenance, in one batch.
async fn store_fetched(db: &impl Database, fetched: &Fetched, now: DateTime<Utc>) -> Result<SourceReport, DbError> {
    let rates = rates_in_force(db).await?;
    let published = rates
        .published(&fetched.table, &fetched.rows, fetched.known_until)
        .map_err(|e| DbError(format!("rates of `{}`: {e}", fetched.table)))?;
    let mut stmts: Vec<Stmt> = published.new_rows.iter().map(|row| store::add_rate_row(fetched, row, now)).collect();
    for c in &published.corrections {
        let applied = store::has_rate_row(db, &c.table, c.day).await?;
        stmts.extend(correction(fetched, c, applied, now));
    }
    stmts.push(store::rate_source_fetched(fetched, now));
    if !published.new_rows.is_empty() {
        let detail = json!({
            "rows": published.new_rows, "source": fetched.source, "series": fetched.series,
            "knownUntil": fetched.known_until.to_string(),
        });
        stmts.push(store::audit("rates", "rates.added", "rate_table", &fetched.table, &detail, now));
    }
    stmts.push(store::close_tasks_of(&format!("rate_source_down:{}:", fetched.table), now));
    db.batch(stmts).await?;
    let known_until = rates_in_force(db).await?.table(&fetched.table).ok().map(|t| t.known_until.to_string());
    Ok(SourceReport {
        table: fetched.table.clone(),
        new_rows: published.new_rows.len(),
        corrections: published.corrections.len(),
        known_until,
        error: None,
    })
}

/// A rate the source gives otherwise: the task (once per table, day and published rate), its
/// audit row when the task is new, and the stored row corrected when it is one we fetched.
fn correction(fetched: &Fetched, c: &Correction, applied: bool, now: DateTime<Utc>) -> Vec<Stmt> {
    let what = if applied {
        "the rate fetched earlier is replaced by the one the source now publishes: check the letters sent since"
    } else {
        "the shipped table or the settings' extraRates give another rate, which stays in use: check the source, \
         and change extraRates or upgrade Relance if it is right"
    };
    let data = json!({
        "table": c.table, "day": c.day.to_string(), "held": c.held, "published": c.published,
        "source": fetched.source, "series": fetched.series, "applied": applied, "message": what,
    });
    let id = format!("rate_correction:{}:{}:{}", c.table, c.day, c.published);
    let mut out = Vec::new();
    if applied {
        out.push(store::correct_rate_row(&c.table, c.day, &c.published.to_string(), now));
    }
    out.push(store::add_task(&id, "rate_correction", "", &now.date_naive().to_string(), &data.to_string(), now));
    out.push(store::only_if_changed(store::audit("rates", "rate.correction", "rate_table", &c.table, &data, now)));
    out
}

/// A failed attempt: recorded on the source; a task once it has failed for days.
async fn record_failure(
    db: &impl Database,
    source: &RateSource,
    error: &str,
    now: DateTime<Utc>,
) -> Result<SourceReport, DbError> {
    db.batch(vec![store::rate_source_failed(source.source, error, now)]).await?;
    let since = store::failing_since(db, source.source).await?.unwrap_or(now);
    if now - since >= Duration::days(SOURCE_DOWN_TASK_AFTER_DAYS) {
        let table = source.source.table();
        let data = json!({
            "table": table, "source": source.source.publisher(), "url": source.url,
            "failingSince": store::ts(since), "lastError": error,
            "message": "the source has not answered usably for days; the rows fetched before stay in use, and \
                        messages needing a newer rate wait for it",
        });
        let id = format!("rate_source_down:{table}:{}", since.date_naive());
        db.batch(vec![
            store::add_task(&id, "rate_source_down", "", &now.date_naive().to_string(), &data.to_string(), now),
            store::only_if_changed(store::audit("rates", "rates.source_down", "rate_table", table, &data, now)),
        ])
        .await?;
    }
    Ok(SourceReport {
        table: source.source.table().to_owned(),
        new_rows: 0,
        corrections: 0,
        known_until: None,
        error: Some(error.to_owned()),
    })
}

/// The task id for a rate not published yet: one per table and half-year, whatever waits for it.
pub fn missing_rate_task(missing: &MissingRate, reason: &str, now: DateTime<Utc>) -> Stmt {
    let how = match Source::of_table(&missing.table) {
        Some(source) => format!("the daily refresh fetches it from the {} when it is published", source.publisher()),
        None => format!("no source is read for `{}`: add the rate in PUT /v1/settings extraRates", missing.table),
    };
    let data = json!({
        "table": missing.table, "halfYear": missing.half_year, "day": missing.day.to_string(),
        "message": format!("{reason}. Messages stating penalties wait for it; {how}."),
    });
    let id = format!("missing_rate:{}:{}", missing.table, missing.half_year);
    store::add_task(&id, "missing_rate", "", &now.date_naive().to_string(), &data.to_string(), now)
}

/// Closes the missing-rate tasks whose rate is now known.
async fn close_published_rate_tasks(db: &impl Database, now: DateTime<Utc>) -> Result<usize, DbError> {
    let rates = rates_in_force(db).await?;
    let mut stmts = Vec::new();
    for (id, data) in store::open_tasks(db, "missing_rate").await? {
        let Ok(missing) = serde_json::from_str::<MissingRate>(&data) else { continue };
        if rates.rate_on(&missing.table, missing.day).is_ok() {
            stmts.push(store::set_task_status(&id, "done", now));
            let detail = json!({ "task": id, "reason": "the rate is now known" });
            stmts.push(store::audit("rates", "task.done", "task", &id, &detail, now));
        }
    }
    let closed = stmts.len() / 2;
    if !stmts.is_empty() {
        db.batch(stmts).await?;
    }
    Ok(closed)
}

/// `GET /v1/rates`: each table, how far it is known, where it comes from, and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RatesView {
    /// Every table, by id.
    pub tables: Vec<TableView>,
    /// Deliveries waiting for a rate.
    pub waiting_deliveries: usize,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableView {
    /// Its id (`ecb_mro`, ...).
    pub table: String,
    /// What it is.
    pub name: String,
    /// The last day a rate is known for, all rows counted.
    pub known_until: String,
    /// The half-year of that day.
    pub last_known_half_year: String,
    /// The last day the shipped rows cover, and when they were refreshed.
    pub shipped_known_until: String,
    /// When the shipped rows were last refreshed from their source.
    pub shipped_refreshed: Option<String>,
    /// Rows the worker fetched beyond the shipped ones.
    pub fetched_rows: usize,
    /// Rows the operator gave in settings.
    pub operator_rows: usize,
    /// The source the worker reads, if any.
    pub source: Option<SourceView>,
    /// Half-years begun since the last known day, up to today's: none of their days has a rate.
    pub missing: Vec<String>,
}

/// A source as last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceView {
    /// Who publishes it.
    pub publisher: String,
    /// The series read.
    pub series: String,
    /// Where it is fetched (null when `RATE_SOURCES` leaves it out).
    pub url: Option<String>,
    /// The last good response.
    pub fetched_at: Option<String>,
    /// The last attempt.
    pub attempted_at: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Failing since.
    pub failing_since: Option<String>,
}

/// The view at `now`.
pub async fn view(db: &impl Database, config: &Config, now: DateTime<Utc>) -> Result<RatesView, DbError> {
    let rates = rates_in_force(db).await?;
    let shipped = Rates::builtin().map_err(|e| DbError(format!("shipped rates: {e}")))?;
    let operator = store::extra_rates(db).await?;
    let fetched = store::fetched_rates(db).await?;
    let states = store::rate_source_states(db).await?;
    let mut tables = Vec::new();
    for id in rates.ids() {
        let (Ok(table), Ok(ships)) = (rates.table(id), shipped.table(id)) else { continue };
        let source = Source::of_table(id).map(|source| {
            let state = states.iter().find(|s| text(s, "table_id").as_deref() == Some(id));
            let column = |c: &str| state.and_then(|s| text(s, c));
            SourceView {
                publisher: source.publisher().to_owned(),
                series: source.series().to_owned(),
                url: config.rate_sources.iter().find(|s| s.source == source).map(|s| s.url.clone()),
                fetched_at: column("fetched_at"),
                attempted_at: column("attempted_at"),
                last_error: column("last_error"),
                failing_since: column("failing_since"),
            }
        });
        tables.push(TableView {
            table: id.to_owned(),
            name: table.name.clone(),
            known_until: table.known_until.to_string(),
            last_known_half_year: half_year_label(table.known_until),
            shipped_known_until: ships.known_until.to_string(),
            shipped_refreshed: ships.refreshed.map(|d| d.to_string()),
            fetched_rows: fetched.iter().filter(|f| f.table == id).map(|f| f.rows.len()).sum(),
            operator_rows: operator.get(id).map_or(0, Vec::len),
            source,
            missing: missing_half_years(table.known_until, now.date_naive()),
        });
    }
    let waiting_deliveries = store::waiting(db).await?.len();
    Ok(RatesView { tables, waiting_deliveries })
}

/// The half-years that begin after `known_until`, up to today's: none of their days has a rate.
fn missing_half_years(known_until: NaiveDate, today: NaiveDate) -> Vec<String> {
    let next_half_year = |d: NaiveDate| {
        let (year, month) = if d.month() <= 6 { (d.year(), 7) } else { (d.year() + 1, 1) };
        NaiveDate::from_ymd_opt(year, month, 1)
    };
    let mut out = Vec::new();
    let mut start = next_half_year(known_until);
    while let Some(day) = start.filter(|d| *d <= today) {
        out.push(half_year_label(day));
        start = next_half_year(day);
    }
    out
}
