//! The HTTP API under `/v1/`, as plain Rust: a request in, a response out, over `Database`. The
//! workerd entry point only converts to and from this shape. Every write is validated by the core
//! first, then stored with its audit row in one transaction: bad input writes nothing.

use crate::blobs::Blobs;
use crate::config::{Config, ConfigError};
use crate::cron;
use crate::db::{Database, DbError, Stmt};
use crate::store::{self, Answer, Replaces, StoredDebtor, Which};
use chrono::{DateTime, NaiveDate, Utc};
use relance_core::answers::{CallAgreement, CallOutcome, CallResult, Promise, PromiseVia, Reply};
use relance_core::ledger::{Creditor, Debtor, Dispute, Invoice, Ledger, Payment, PaymentPlan};
use relance_core::money::Amount;
use relance_core::penalty::InvoiceStatus;
use relance_core::policy::{self, CheckedPolicy, Policy};
use relance_core::rates::{RateRow, Rates};
use relance_core::{json, Error};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A request, as the entry point hands it over.
#[derive(Debug, Clone, Default)]
pub struct ApiRequest {
    /// `GET`, `POST`...
    pub method: String,
    /// The URL path (`/v1/invoices/F-1`), percent-decoded per segment by `segments`.
    pub path: String,
    /// Query parameters, decoded.
    pub query: BTreeMap<String, String>,
    /// Headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The body as text (UTF-8, lossy), already limited to `MAX_BODY_BYTES` by the entry point
    /// (`body_too_large` set).
    pub body: String,
    /// The body's bytes (a PDF or an XML document to import).
    pub raw: Vec<u8>,
    /// The body was longer than allowed.
    pub body_too_large: bool,
}

/// A response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// JSON body (empty for 204 and for a file).
    pub body: String,
    /// A file's bytes (`GET /v1/invoices/{id}/document`); empty otherwise.
    pub file: Vec<u8>,
}

/// An error response: `{"error": {"code", "path", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: u16,
    code: String,
    path: String,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &str, path: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, code: code.into(), path: path.into(), message: message.into() }
    }
    pub(crate) fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(404, "not_found", "", format!("no {what} `{id}`"))
    }
    pub(crate) fn conflict(path: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(409, "conflict", path, message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::new(400, e.code().as_str(), e.path(), e.message())
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        if e.0.contains("UNIQUE constraint failed") {
            return ApiError::conflict("", "a record with this id was created meanwhile");
        }
        if e.0.contains(store::STALE_VERSION) {
            return ApiError::conflict("", "the invoice was changed meanwhile: read it again");
        }
        ApiError::new(500, "storage", "", e.to_string())
    }
}

pub(crate) type ApiResult = Result<(u16, Value), ApiError>;

/// What a route answers: JSON, or a stored file.
pub(crate) enum Served {
    /// A status and a JSON value.
    Json(u16, Value),
    /// A document's bytes with its media type and file name.
    File {
        /// `application/pdf`, `application/xml`.
        content_type: String,
        /// The name it was imported under.
        name: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

pub(crate) fn ok<T: Serialize>(status: u16, value: &T) -> ApiResult {
    serde_json::to_value(value).map(|v| (status, v)).map_err(|e| ApiError::new(500, "internal", "", e.to_string()))
}

/// Compares two secrets in time independent of where they differ (and of their lengths).
pub fn same_secret(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn cors_headers(config: Option<&Config>, req: &ApiRequest) -> Vec<(String, String)> {
    let (Some(config), Some(origin)) = (config, req.headers.get("origin")) else { return vec![] };
    let allowed = config.cors_origins.iter().any(|o| o == "*" || o == origin);
    if !allowed {
        return vec![];
    }
    vec![
        ("Access-Control-Allow-Origin".into(), origin.clone()),
        ("Access-Control-Allow-Methods".into(), "GET, POST, PUT, PATCH, DELETE, OPTIONS".into()),
        ("Access-Control-Allow-Headers".into(), "Authorization, Content-Type".into()),
        ("Access-Control-Max-Age".into(), "600".into()),
        ("Vary".into(), "Origin".into()),
    ]
}

/// Handles one request at `now`.
pub async fn handle(
    db: &impl Database,
    blobs: &impl Blobs,
    config: &Result<Config, ConfigError>,
    req: &ApiRequest,
    now: DateTime<Utc>,
) -> ApiResponse {
    let cors = cors_headers(config.as_ref().ok(), req);
    if req.method == "OPTIONS" {
        let status = if cors.is_empty() { 403 } else { 204 };
        return ApiResponse { status, headers: cors, body: String::new(), file: Vec::new() };
    }
    match route(db, blobs, config, req, now).await {
        Ok(Served::File { content_type, name, bytes }) => {
            let mut headers = vec![
                ("Content-Type".into(), content_type),
                ("Content-Disposition".into(), format!("attachment; filename=\"{}\"", name.replace('"', ""))),
                ("Cache-Control".into(), "private, max-age=3600".into()),
                ("X-Content-Type-Options".into(), "nosniff".into()),
            ];
            headers.extend(cors);
            ApiResponse { status: 200, headers, body: String::new(), file: bytes }
        }
        Ok(Served::Json(status, value)) => respond(Ok((status, value)), cors),
        Err(e) => respond(Err(e), cors),
    }
}

/// The answer to a request that can be refused before its body is read (a missing or wrong token),
/// so that an unauthenticated upload is never read. `None`: read the body, then `handle`.
pub fn refuse_before_body(config: &Result<Config, ConfigError>, req: &ApiRequest) -> Option<ApiResponse> {
    if req.method == "OPTIONS" || is_open(req) {
        return None;
    }
    authenticate(config, req).err().map(|e| respond(Err(e), cors_headers(config.as_ref().ok(), req)))
}

/// `GET /v1/health` and anything outside `/v1/` need no token.
fn is_open(req: &ApiRequest) -> bool {
    let seg = segments(&req.path);
    let at = |i: usize| seg.get(i).map(String::as_str);
    at(0) != Some("v1") || (req.method == "GET" && seg.len() == 2 && at(1) == Some("health"))
}

/// The configuration, once the request's bearer token is the configured one (the scheme's case
/// does not matter, RFC 7235).
fn authenticate<'c>(config: &'c Result<Config, ConfigError>, req: &ApiRequest) -> Result<&'c Config, ApiError> {
    let config = config.as_ref().map_err(|e| ApiError::new(500, "configuration", e.name, e.to_string()))?;
    let Some(expected) = &config.api_token else {
        return Err(ApiError::new(401, "unauthorized", "", "no API_TOKEN is set: the API is closed"));
    };
    let given = req
        .headers
        .get("authorization")
        .and_then(|h| h.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim());
    if !same_secret(given, expected) {
        return Err(ApiError::new(401, "unauthorized", "", "a valid `Authorization: Bearer <token>` is required"));
    }
    Ok(config)
}

/// The response for a route's result.
fn respond(result: ApiResult, cors: Vec<(String, String)>) -> ApiResponse {
    let mut headers = vec![
        ("Content-Type".into(), "application/json; charset=utf-8".into()),
        ("Cache-Control".into(), "no-store".into()),
        ("X-Content-Type-Options".into(), "nosniff".into()),
    ];
    let (status, body) = match result {
        Ok((204, _)) => (204, String::new()),
        Ok((status, value)) => {
            // One invoice, as `GET /v1/invoices/{id}` and its changes answer: its version is the
            // ETag that `If-Match` names.
            if let (Some(version), true) =
                (value.get("version").and_then(Value::as_i64), value.get("invoice").is_some())
            {
                headers.push(("ETag".into(), format!("\"{version}\"")));
            }
            (status, value.to_string())
        }
        Err(e) => (e.status, json!({ "error": { "code": e.code, "path": e.path, "message": e.message } }).to_string()),
    };
    if status == 401 {
        headers.push(("WWW-Authenticate".into(), "Bearer realm=\"relance\"".into()));
    }
    headers.extend(cors);
    ApiResponse { status, headers, body, file: Vec::new() }
}

fn segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn route(
    db: &impl Database,
    blobs: &impl Blobs,
    config: &Result<Config, ConfigError>,
    req: &ApiRequest,
    now: DateTime<Utc>,
) -> Result<Served, ApiError> {
    let seg = segments(&req.path);
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    let m = req.method.as_str();
    if seg.first() != Some(&"v1") {
        return Err(ApiError::new(404, "not_found", "", "the API lives under /v1/"));
    }
    if seg.get(1..) == Some(&["health"][..]) && m == "GET" {
        return health(db, config).await.map(|(status, v)| Served::Json(status, v));
    }
    let config = authenticate(config, req)?;
    if req.body_too_large {
        return Err(ApiError::new(
            413,
            "payload_too_large",
            "",
            format!("the body exceeds {} bytes", config.body_limit(&req.path)),
        ));
    }
    if let ("GET", ["invoices", id, "document"]) = (m, seg.get(1..).unwrap_or_default()) {
        return crate::einvoice::document(db, blobs, id).await;
    }
    let (status, value) = json_route(db, blobs, config, req, &seg, now).await?;
    Ok(Served::Json(status, value))
}

/// The routes that answer JSON.
async fn json_route(
    db: &impl Database,
    blobs: &impl Blobs,
    config: &Config,
    req: &ApiRequest,
    seg: &[&str],
    now: DateTime<Utc>,
) -> ApiResult {
    let m = req.method.as_str();
    let q = |k: &str| req.query.get(k).map(String::as_str);
    let day = |k: &str| -> Result<NaiveDate, ApiError> {
        match q(k) {
            None => Ok(now.date_naive()),
            // The core's reading, within the years it supports: the same answer on every route.
            Some(v) => {
                relance_core::date::parse(v).map_err(|(code, message)| ApiError::new(400, code.as_str(), k, message))
            }
        }
    };
    let limit = match q("limit").map(str::parse::<i64>) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => return Err(ApiError::new(400, "out_of_range", "limit", "limit is a number from 1 to 1000")),
    };
    let body = req.body.as_str();
    match (m, seg.get(1..).unwrap_or_default()) {
        ("GET", ["settings"]) => get_settings(db).await,
        ("PUT", ["settings"]) => put_settings(db, body, now).await,
        ("GET", ["policies"]) => list_policies(db).await,
        ("POST", ["policies"]) => put_policy(db, body, None, now).await,
        ("GET", ["policies", id]) => get_policy(db, id).await,
        ("PUT", ["policies", id]) => put_policy(db, body, Some(id), now).await,
        ("DELETE", ["policies", id]) => delete_policy(db, id, now).await,
        ("GET", ["debtors"]) => {
            ok(200, &json!({ "debtors": store::debtors(db).await?.iter().map(debtor_view).collect::<Vec<_>>() }))
        }
        ("POST", ["debtors"]) => put_debtor(db, body, None, now).await,
        ("GET", ["debtors", id]) => {
            let d = store::debtor(db, id).await?.ok_or_else(|| ApiError::not_found("debtor", id))?;
            ok(200, &debtor_view(&d))
        }
        ("PUT", ["debtors", id]) => put_debtor(db, body, Some(id), now).await,
        ("DELETE", ["debtors", id]) => delete_debtor(db, id, now).await,
        ("GET", ["invoices"]) => {
            list_invoices(
                db,
                q("debtorId"),
                status(q("status"), &["open", "settled", "paid_penalties_due"])?,
                day("asOf")?,
            )
            .await
        }
        ("POST", ["invoices"]) => create_invoice(db, body, now).await,
        ("GET", ["invoices", id]) => get_invoice(db, id, day("asOf")?).await,
        ("PUT", ["invoices", id]) => {
            let if_match = req.headers.get("if-match").map(String::as_str);
            replace_invoice(db, id, body, if_match, now).await
        }
        ("DELETE", ["invoices", id]) => delete_invoice(db, id, now).await,
        ("POST", ["invoices", id, "payments"]) => {
            let p: Payment = json::from_json(body)?;
            change_part(db, id, now, Part::Payment(p)).await
        }
        ("POST", ["debtors", id, "payments"]) => {
            let p: relance_core::allocation::DebtorPayment = json::from_json(body)?;
            record_debtor_payment(db, id, &p, now).await
        }
        ("POST", ["invoices", id, "promises"]) => {
            let p: Promise = json::from_json(body)?;
            change_part(db, id, now, Part::Promise(p)).await
        }
        ("POST", ["debtors", id, "replies"]) => {
            let r: Reply = json::from_json(body)?;
            record_answer(db, id, Answer::Reply(&r), now).await
        }
        ("GET", ["replies"]) => {
            let debtor = q("debtorId");
            let list = store::replies(db, debtor, limit).await?;
            let replies: Vec<Value> = list.into_iter().map(|(d, r)| reply_view(&d, &r)).collect();
            ok(200, &json!({ "replies": replies }))
        }
        ("POST", ["invoices", id, "disputes"]) => {
            let d: Dispute = json::from_json(body)?;
            change_part(db, id, now, Part::Dispute(d)).await
        }
        ("POST", ["invoices", id, "disputes", "close"]) => close_dispute(db, id, body, now).await,
        ("PUT", ["invoices", id, "payment-plan"]) => {
            let p: PaymentPlan = json::from_json(body)?;
            change_part(db, id, now, Part::Plan(Some(p))).await
        }
        ("DELETE", ["invoices", id, "payment-plan"]) => change_part(db, id, now, Part::Plan(None)).await,
        ("GET", ["invoices", id, "timeline"]) => timeline(db, id, day("asOf")?).await,
        ("GET", ["invoices", id, "decompte"]) => decompte(db, id, day("asOf")?).await,
        ("POST", ["import", "invoices"]) => import_csv(db, req, now).await,
        ("POST", ["import", "ledger"]) => import_ledger(db, body, now).await,
        ("POST", ["import", "einvoice"]) => crate::einvoice::import(db, blobs, req, now).await,
        ("POST", ["import", "lifecycle"]) => crate::einvoice::import_cdar(db, config, req, now).await,
        ("POST", ["invoices", id, "lifecycle"]) => {
            let status: relance_core::lifecycle::LifecycleStatus = json::from_json(body)?;
            crate::einvoice::record_status(db, config, id, &status, "api", now).await
        }
        ("GET", ["deliveries"]) => {
            let status = status(q("status"), &store::DELIVERY_STATUSES)?;
            ok(200, &json!({ "deliveries": store::deliveries(db, status, q("debtorId"), limit).await? }))
        }
        ("GET", ["deliveries", key]) => {
            let d = store::delivery_by_key(db, key).await?.ok_or_else(|| ApiError::not_found("delivery", key))?;
            ok(200, &d)
        }
        ("POST", ["deliveries", key, "retry"]) => {
            let changes = db
                .batch(vec![
                    store::requeue(key, now),
                    store::only_if_changed(store::audit("api", "delivery.requeued", "delivery", key, &json!({}), now)),
                ])
                .await?;
            if !store::went_in(changes.first()) {
                return Err(ApiError::conflict(
                    "",
                    format!("delivery `{key}` does not exist or is not failed or cancelled"),
                ));
            }
            ok(200, &store::delivery_by_key(db, key).await?)
        }
        ("GET", ["rates"]) => ok(200, &crate::rates::view(db, config, now).await?),
        ("GET", ["problems"]) => ok(200, &json!({ "problems": cron::plan_run(db, config, now).await?.problems })),
        ("GET", ["tasks"]) => {
            let tasks = store::tasks(db, status(q("status"), &TASK_STATUSES)?, limit).await?;
            ok(200, &json!({ "tasks": tasks.into_iter().map(task_view).collect::<Vec<_>>() }))
        }
        ("PATCH", ["tasks", id]) => patch_task(db, id, body, now).await,
        ("GET", ["audit"]) => {
            let before = match q("before").map(str::parse::<i64>) {
                None => None,
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => return Err(ApiError::new(400, "invalid_type", "before", "before is an audit id")),
            };
            let rows = store::audit_trail(db, before, limit).await?;
            ok(
                200,
                &json!({ "audit": rows.into_iter().map(|mut r| {
                if let Some(d) = r.get("detail").and_then(Value::as_str).and_then(|s| serde_json::from_str::<Value>(s).ok()) {
                    r.insert("detail".into(), d);
                }
                r
            }).collect::<Vec<_>>() }),
            )
        }
        ("GET", ["analytics"]) => {
            let window = match q("windowDays").map(str::parse::<u32>) {
                None => None,
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => return Err(ApiError::new(400, "invalid_type", "windowDays", "a number of days")),
            };
            let start = match q("periodStart") {
                None => None,
                Some(_) => Some(day("periodStart")?),
            };
            analytics(db, day("asOf")?, start, window, q("currency")).await
        }
        ("GET", ["outbox"]) => ok(200, &json!({ "outbox": store::outbox(db, limit).await? })),
        ("GET", ["dry-run"]) => {
            let at = match q("at") {
                None => now,
                Some(v) => relance_core::date::parse_instant(v)
                    .map_err(|(code, message)| ApiError::new(400, code.as_str(), "at", message))?,
            };
            ok(200, &cron::plan_run(db, config, at).await?)
        }
        (_, rest) => {
            const COLLECTIONS: [&str; 11] = [
                "settings",
                "policies",
                "debtors",
                "invoices",
                "import",
                "deliveries",
                "tasks",
                "audit",
                "outbox",
                "dry-run",
                "problems",
            ];
            if rest.first().is_some_and(|c| COLLECTIONS.contains(c)) {
                Err(ApiError::new(405, "method_not_allowed", "", format!("{m} is not allowed on {}", req.path)))
            } else {
                Err(ApiError::new(404, "not_found", "", format!("no route {m} {}", req.path)))
            }
        }
    }
}

async fn health(db: &impl Database, config: &Result<Config, ConfigError>) -> ApiResult {
    let database = db.query(Stmt::new("SELECT COUNT(*) AS n FROM settings", vec![])).await.is_ok();
    let status = if database && config.is_ok() { 200 } else { 503 };
    ok(
        status,
        &json!({
            "status": if status == 200 { "ok" } else { "degraded" },
            "version": env!("CARGO_PKG_VERSION"),
            "database": database,
            "configuration": config.as_ref().err().map(ToString::to_string),
        }),
    )
}

// ---- validation through the core ---------------------------------------------------------------

/// Re-roots a ledger error on the request body: `invoices[0].total` -> `total`.
fn rebase(e: Error, prefix: &str, path: &str) -> ApiError {
    let rest = e.path().strip_prefix(prefix).map(|r| r.trim_start_matches('.'));
    match rest {
        Some(r) if path.is_empty() => ApiError::new(400, e.code().as_str(), r, e.message()),
        Some("") => ApiError::new(400, e.code().as_str(), path, e.message()),
        Some(r) => ApiError::new(400, e.code().as_str(), &format!("{path}.{r}"), e.message()),
        None => ApiError::from(e),
    }
}

pub(crate) async fn creditor_or_409(db: &impl Database) -> Result<Creditor, ApiError> {
    store::creditor(db).await?.ok_or_else(|| ApiError::conflict("", store::NO_CREDITOR))
}

/// Checks an invoice in the ledger of its debtor; returns whether it is still open.
/// Checks an invoice with the core as the API would store it, then plans its debtor's account with
/// it: what the API accepts, a run can plan (a grouped statement in two currencies, a step beyond
/// the supported years are refused here, naming the field). A fault the account had before this
/// invoice is not this write's: the run reports it as a problem. Returns whether it is open.
pub(crate) async fn check_invoice(db: &impl Database, invoice: &Invoice, today: NaiveDate) -> Result<bool, ApiError> {
    let debtor = stored_debtor_of(db, invoice).await?;
    check_invoice_of(db, invoice, &debtor, today).await
}

/// `check_invoice` for the invoice of a debtor not stored yet (or about to change: an import).
pub(crate) async fn check_invoice_of(
    db: &impl Database,
    invoice: &Invoice,
    debtor: &StoredDebtor,
    today: NaiveDate,
) -> Result<bool, ApiError> {
    let (open, creditor) = settle_of(db, invoice, debtor).await?;
    let stored = store::invoices(db, Which::OfDebtor(&invoice.debtor_id)).await?;
    let policy = debtor_policy(db, debtor).await?;
    plan_account(&creditor, (debtor, &policy), stored, &[(String::new(), invoice)], today)?;
    Ok(open)
}

/// Plans a debtor's account (its `stored` invoices) with new invoices (each with the path it is
/// named by in the request, replacing a stored one of its id) and refuses them if the planner
/// fails with them and not without them: what the API accepts, a run can plan.
fn plan_account(
    creditor: &Creditor,
    (debtor, policy): (&StoredDebtor, &CheckedPolicy),
    stored: Vec<Invoice>,
    new: &[(String, &Invoice)],
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut others = stored;
    others.retain(|o| !new.iter().any(|(_, i)| i.id == o.id));
    let account =
        |invoices: Vec<Invoice>| Ledger { creditor: creditor.clone(), debtors: vec![debtor.debtor.clone()], invoices };
    let first = others.len();
    let mut with_new = others.clone();
    with_new.extend(new.iter().map(|(_, i)| (*i).clone()));
    let Err(e) = relance_core::planner::plan(&account(with_new), policy, today) else { return Ok(()) };
    if relance_core::planner::plan(&account(others), policy, today).is_err() {
        return Ok(()); // the account's own fault, reported by the runs
    }
    Err(unplannable(&e, first, new))
}

/// A planner error caused by the new invoices (from `first` in the account), as a 400 about the one
/// at fault: its field when the error names it, its currency for a statement in two currencies.
fn unplannable(e: &Error, first: usize, new: &[(String, &Invoice)]) -> ApiError {
    let code = e.code().as_str();
    let message = format!("the debtor's reminders could not be planned with this invoice: {}", e.message());
    let at = |path: &str, field: &str| match (path.is_empty(), field.is_empty()) {
        (true, _) => field.to_owned(),
        (false, true) => path.to_owned(),
        (false, false) => format!("{path}.{field}"),
    };
    let named = relance_core::planner::invoice_of(e).and_then(|(i, field)| {
        let (path, _) = new.get(i.checked_sub(first)?)?;
        Some(at(path, field))
    });
    let first_path = new.first().map_or("", |(p, _)| p.as_str());
    match named {
        Some(path) => ApiError::new(400, code, &path, message),
        None if e.code() == relance_core::ErrorCode::MixedCurrencies => {
            ApiError::new(400, code, &at(first_path, "currency"), message)
        }
        None => ApiError::new(400, code, first_path, message),
    }
}

/// Checks an invoice alone with the core, as the API would store it: whether it is still open,
/// with the creditor and the stored debtor it was checked with.
async fn settle(db: &impl Database, invoice: &Invoice) -> Result<(bool, Creditor, StoredDebtor), ApiError> {
    let debtor = stored_debtor_of(db, invoice).await?;
    let (open, creditor) = settle_of(db, invoice, &debtor).await?;
    Ok((open, creditor, debtor))
}

async fn stored_debtor_of(db: &impl Database, invoice: &Invoice) -> Result<StoredDebtor, ApiError> {
    store::debtor(db, &invoice.debtor_id).await?.ok_or_else(|| {
        ApiError::new(400, "unknown_reference", "debtorId", format!("no debtor `{}`", invoice.debtor_id))
    })
}

/// Whether an invoice of `debtor` still owes anything (its stored `open` flag), with the creditor.
async fn settle_of(db: &impl Database, invoice: &Invoice, debtor: &StoredDebtor) -> Result<(bool, Creditor), ApiError> {
    let creditor = creditor_or_409(db).await?;
    let alone =
        Ledger { creditor: creditor.clone(), debtors: vec![debtor.debtor.clone()], invoices: vec![invoice.clone()] };
    let rates = relance_core::penalty::rates_with(&store::rates_in_force(db).await?)?;
    let checked = alone.check_with_rates(&rates).map_err(|e| rebase(e, "invoices[0]", ""))?;
    let open = checked.invoices.first().is_some_and(|i| owes_anything(i, &checked, &rates));
    Ok((open, creditor))
}

/// True while an invoice owes anything after every settlement recorded: principal, or penalties
/// (a claim may still go for them). The stored `open` flag: the cron reads those invoices only.
pub(crate) fn owes_anything(
    inv: &relance_core::ledger::CheckedInvoice<'_>,
    checked: &relance_core::ledger::CheckedLedger<'_>,
    rates: &Rates,
) -> bool {
    let last = inv.settlements().map(|s| s.date).max().unwrap_or(inv.invoice.issue_date);
    let country = &checked.ledger.creditor.address.country;
    relance_core::penalty::invoice_status(inv, country, last, rates) != InvoiceStatus::Paid
}

/// The checked policy a debtor is chased under: its own, or the default; a custom one or a preset.
async fn debtor_policy(db: &impl Database, debtor: &StoredDebtor) -> Result<CheckedPolicy, ApiError> {
    let id = match &debtor.policy_id {
        Some(id) => id.clone(),
        None => store::default_policy(db).await?,
    };
    match store::policy(db, &id).await? {
        Some(p) => Ok(p.check()?),
        None => preset(&id),
    }
}

/// A policy by id: one of the `custom` ones, or a preset.
fn policy_by_id(custom: &BTreeMap<String, Policy>, id: &str) -> Result<CheckedPolicy, ApiError> {
    match custom.get(id) {
        Some(p) => Ok(p.clone().check()?),
        None => preset(id),
    }
}

/// A preset by id; an id that names none is a 409 (the setting or assignment points nowhere).
fn preset(id: &str) -> Result<CheckedPolicy, ApiError> {
    policy::preset(id).map_err(|_| ApiError::conflict("", format!("policy `{id}` does not exist")))
}

// ---- settings and policies ---------------------------------------------------------------------

async fn get_settings(db: &impl Database) -> ApiResult {
    ok(
        200,
        &json!({
            "creditor": store::creditor(db).await?,
            "defaultPolicy": store::default_policy(db).await?,
            "extraRates": store::extra_rates(db).await?,
        }),
    )
}

async fn policy_exists(db: &impl Database, id: &str) -> Result<bool, ApiError> {
    Ok(policy::preset(id).is_ok() || store::policy(db, id).await?.is_some())
}

async fn put_settings(db: &impl Database, body: &str, now: DateTime<Utc>) -> ApiResult {
    let mut value: Value = json::from_json(body)?;
    let obj = value.as_object_mut().ok_or_else(|| ApiError::new(400, "invalid_type", "", "an object is expected"))?;
    if let Some(k) = obj.keys().find(|k| !["creditor", "defaultPolicy", "extraRates"].contains(&k.as_str())) {
        return Err(ApiError::new(
            400,
            "unknown_field",
            k,
            format!("unknown field `{k}`: creditor, defaultPolicy, extraRates"),
        ));
    }
    let mut stmts = Vec::new();
    if let Some(c) = obj.remove("creditor") {
        let creditor: Creditor = json::from_value(c).map_err(|e| e.within("creditor"))?;
        Ledger { creditor: creditor.clone(), debtors: vec![], invoices: vec![] }.check()?;
        stmts.push(store::put_creditor(&creditor, now)?);
        stmts.push(store::audit("api", "settings.creditor", "settings", "creditor", &json!(creditor), now));
    }
    if let Some(p) = obj.remove("defaultPolicy") {
        let id = p.as_str().ok_or_else(|| ApiError::new(400, "invalid_type", "defaultPolicy", "a policy id"))?;
        if !policy_exists(db, id).await? {
            return Err(ApiError::new(400, "unknown_reference", "defaultPolicy", format!("no policy `{id}`")));
        }
        stmts.push(store::put_setting("default_policy", id.to_owned(), now));
        stmts.push(store::audit("api", "settings.default_policy", "settings", "default_policy", &json!(id), now));
    }
    if let Some(r) = obj.remove("extraRates") {
        // Rows for half-years the shipped tables do not cover; checked as the engine will use them.
        let extra: BTreeMap<String, Vec<RateRow>> = json::from_value(r).map_err(|e| e.within("extraRates"))?;
        let mut rates = Rates::builtin()?;
        for (table, rows) in &extra {
            rates.extend(table, rows.clone()).map_err(|e| e.within(&format!("extraRates.{table}")))?;
        }
        stmts.push(store::put_setting("extra_rates", serde_json::to_string(&extra).unwrap_or_default(), now));
        stmts.push(store::audit("api", "settings.extra_rates", "settings", "extra_rates", &json!(extra), now));
    }
    if !stmts.is_empty() {
        db.batch(stmts).await?;
    }
    get_settings(db).await
}

async fn list_policies(db: &impl Database) -> ApiResult {
    let presets: Vec<Policy> = ["gentle", "standard", "firm"]
        .iter()
        .filter_map(|id| policy::preset(id).ok().map(|p| p.policy().clone()))
        .collect();
    let custom: Vec<Policy> = store::policies(db).await?.into_values().collect();
    ok(200, &json!({ "default": store::default_policy(db).await?, "presets": presets, "custom": custom }))
}

async fn get_policy(db: &impl Database, id: &str) -> ApiResult {
    if let Some(p) = store::policy(db, id).await? {
        return ok(200, &json!({ "preset": false, "policy": p }));
    }
    match policy::preset(id) {
        Ok(p) => ok(200, &json!({ "preset": true, "policy": p.policy() })),
        Err(_) => Err(ApiError::not_found("policy", id)),
    }
}

async fn put_policy(db: &impl Database, body: &str, path_id: Option<&str>, now: DateTime<Utc>) -> ApiResult {
    let p: Policy = json::from_json(body)?;
    if let Some(id) = path_id {
        if p.id != id {
            return Err(ApiError::new(400, "invalid_id", "id", format!("the body's id `{}` is not `{id}`", p.id)));
        }
    }
    if policy::preset(&p.id).is_ok() {
        return Err(ApiError::conflict("id", format!("`{}` is a preset: choose another id", p.id)));
    }
    let exists = store::policy(db, &p.id).await?.is_some();
    match (path_id, exists) {
        (None, true) => return Err(ApiError::conflict("id", format!("policy `{}` exists: PUT it to replace", p.id))),
        (Some(id), false) => return Err(ApiError::not_found("policy", id)),
        _ => {}
    }
    let checked = p.check()?;
    let p = checked.policy().clone();
    db.batch(vec![
        store::put_policy(&p, now)?,
        store::audit("api", if exists { "policy.replaced" } else { "policy.created" }, "policy", &p.id, &json!(p), now),
    ])
    .await?;
    ok(if exists { 200 } else { 201 }, &json!({ "preset": false, "policy": p }))
}

async fn delete_policy(db: &impl Database, id: &str, now: DateTime<Utc>) -> ApiResult {
    if store::policy(db, id).await?.is_none() {
        return Err(ApiError::not_found("policy", id));
    }
    let users = store::policy_users(db, id).await?;
    if users > 0 || store::default_policy(db).await? == id {
        return Err(ApiError::conflict("", format!("policy `{id}` is in use ({users} debtor(s), or the default)")));
    }
    db.batch(vec![store::delete_policy(id), store::audit("api", "policy.deleted", "policy", id, &json!({}), now)])
        .await?;
    Ok((204, Value::Null))
}

// ---- debtors ----------------------------------------------------------------------------------

fn debtor_view(d: &StoredDebtor) -> Value {
    let mut v = json!(d.debtor);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("policyId".into(), json!(d.policy_id));
    }
    v
}

async fn put_debtor(db: &impl Database, body: &str, path_id: Option<&str>, now: DateTime<Utc>) -> ApiResult {
    let mut value: Value = json::from_json(body)?;
    let policy_id = match value.as_object_mut().and_then(|o| o.remove("policyId")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(ApiError::new(400, "invalid_type", "policyId", "a policy id (string) or null")),
    };
    let debtor: Debtor = json::from_value(value)?;
    if let Some(id) = path_id {
        if debtor.id != id {
            return Err(ApiError::new(400, "invalid_id", "id", format!("the body's id `{}` is not `{id}`", debtor.id)));
        }
    }
    if let Some(p) = &policy_id {
        if !policy_exists(db, p).await? {
            return Err(ApiError::new(400, "unknown_reference", "policyId", format!("no policy `{p}`")));
        }
    }
    let creditor = creditor_or_409(db).await?;
    Ledger { creditor, debtors: vec![debtor.clone()], invoices: vec![] }
        .check()
        .map_err(|e| rebase(e, "debtors[0]", ""))?;
    let exists = store::debtor(db, &debtor.id).await?.is_some();
    match (path_id, exists) {
        (None, true) => {
            return Err(ApiError::conflict("id", format!("debtor `{}` exists: PUT it to replace", debtor.id)))
        }
        (Some(id), false) => return Err(ApiError::not_found("debtor", id)),
        _ => {}
    }
    let stored = StoredDebtor { debtor, policy_id };
    let action = if exists { "debtor.replaced" } else { "debtor.created" };
    let mut stmts = store::put_debtor(&stored, now)?;
    stmts.push(store::audit("api", action, "debtor", &stored.debtor.id, &debtor_view(&stored), now));
    let creditor = creditor_or_409(db).await?;
    stmts.extend(store::answer_tasks(
        &Ledger { creditor, debtors: vec![stored.debtor.clone()], invoices: vec![] },
        now,
    )?);
    db.batch(stmts).await?;
    // Replies and calls are kept across edits: answer with what is stored now.
    let saved = store::debtor(db, &stored.debtor.id).await?.unwrap_or(stored);
    ok(if exists { 200 } else { 201 }, &debtor_view(&saved))
}

async fn delete_debtor(db: &impl Database, id: &str, now: DateTime<Utc>) -> ApiResult {
    if store::debtor(db, id).await?.is_none() {
        return Err(ApiError::not_found("debtor", id));
    }
    let n = store::invoice_count(db, id).await?;
    if n > 0 {
        return Err(ApiError::conflict("", format!("debtor `{id}` has {n} invoice(s): delete them first")));
    }
    let mut stmts = store::delete_debtor(id);
    stmts.push(store::audit("api", "debtor.deleted", "debtor", id, &json!({}), now));
    db.batch(stmts).await?;
    Ok((204, Value::Null))
}

// ---- invoices ---------------------------------------------------------------------------------

/// An invoice with what the core computes of it on a day: its principal still owed (after what
/// partial payments paid first), where it stands, the penalties still due once it is paid.
fn invoice_view(inv: &relance_core::ledger::CheckedInvoice<'_>, day: NaiveDate, country: &str, rates: &Rates) -> Value {
    let status = relance_core::penalty::invoice_status(inv, country, day, rates);
    let penalties_due = (status == InvoiceStatus::PaidPenaltiesDue)
        .then(|| relance_core::penalty::penalties_due(inv, country, day, rates))
        .flatten()
        .map(|d| Amount(d).to_minor_units(&inv.invoice.currency));
    json!({
        "invoice": inv.invoice,
        "dueDate": inv.due_date,
        "status": status,
        "outstanding": inv.outstanding_on(day).to_minor_units(&inv.invoice.currency),
        "penaltiesDue": penalties_due,
        "settledOn": inv.settled_on(),
        "disputed": inv.disputed_on(day),
        "daysLate": if inv.outstanding_on(day).is_positive() { (day - inv.due_date).num_days().max(0) } else { 0 },
        "termFindings": inv.term_findings,
    })
}

async fn list_invoices(db: &impl Database, debtor: Option<&str>, status: Option<&str>, day: NaiveDate) -> ApiResult {
    let which = match (debtor, status) {
        (Some(d), _) => Which::OfDebtor(d),
        (None, Some("open")) => Which::Open,
        _ => Which::All,
    };
    let Some(book) = store::book(db, which).await? else { return ok(200, &json!({ "invoices": [] })) };
    let rates = book.rates()?;
    let checked = book.ledger.check_with_rates(&rates)?;
    let country = &book.ledger.creditor.address.country;
    let list: Vec<Value> = checked
        .invoices
        .iter()
        .filter(|i| match status {
            Some("open") => i.settled_on().is_none(),
            Some("settled") => i.settled_on().is_some(),
            Some("paid_penalties_due") => {
                relance_core::penalty::invoice_status(i, country, day, &rates) == InvoiceStatus::PaidPenaltiesDue
            }
            _ => true,
        })
        .map(|i| invoice_view(i, day, country, &rates))
        .collect();
    ok(200, &json!({ "asOf": day, "invoices": list }))
}

pub(crate) async fn load_invoice(db: &impl Database, id: &str) -> Result<Invoice, ApiError> {
    store::invoices(db, Which::One(id)).await?.into_iter().next().ok_or_else(|| ApiError::not_found("invoice", id))
}

/// One invoice as the API shows it, with its `version` (what `If-Match` names to replace it).
pub(crate) async fn get_invoice(db: &impl Database, id: &str, day: NaiveDate) -> ApiResult {
    let version = store::invoice_version(db, id).await?;
    let book = invoice_book(db, id).await?;
    let rates = book.rates()?;
    let checked = book.ledger.check_with_rates(&rates)?;
    let inv = checked.invoices.first().ok_or_else(|| ApiError::not_found("invoice", id))?;
    let mut view = invoice_view(inv, day, &book.ledger.creditor.address.country, &rates);
    if let Some(fields) = view.as_object_mut() {
        fields.insert("version".into(), json!(version));
    }
    ok(200, &view)
}

/// The ledger of one stored invoice (its creditor, its debtor, itself): 404 if there is none.
async fn invoice_book(db: &impl Database, id: &str) -> Result<store::Book, ApiError> {
    let book = store::book(db, Which::One(id)).await?.ok_or_else(|| ApiError::conflict("", store::NO_CREDITOR))?;
    if book.ledger.invoices.is_empty() {
        return Err(ApiError::not_found("invoice", id));
    }
    Ok(book)
}

async fn write_invoice(
    db: &impl Database,
    invoice: &Invoice,
    open: bool,
    replaces: Replaces,
    (action, detail): (&str, Value),
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut stmts = store::put_invoice(invoice, open, replaces, now)?;
    stmts.push(store::audit("api", action, "invoice", &invoice.id, &detail, now));
    db.batch(stmts).await?;
    Ok(())
}

async fn create_invoice(db: &impl Database, body: &str, now: DateTime<Utc>) -> ApiResult {
    let invoice: Invoice = json::from_json(body)?;
    let open = check_invoice(db, &invoice, now.date_naive()).await?;
    if store::invoice_exists(db, &invoice.id).await? {
        return Err(ApiError::conflict("id", format!("invoice `{}` exists: PUT it to replace", invoice.id)));
    }
    write_invoice(db, &invoice, open, Replaces::Nothing, ("invoice.created", json!(invoice)), now).await?;
    get_invoice(db, &invoice.id, now.date_naive()).await.map(|(_, v)| (201, v))
}

/// Replaces a whole invoice: the version named by `If-Match` (as `GET` gives it), or the one stored
/// now; a write in between makes it a 409 that changes nothing.
async fn replace_invoice(
    db: &impl Database,
    id: &str,
    body: &str,
    if_match: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult {
    let invoice: Invoice = json::from_json(body)?;
    if invoice.id != id {
        return Err(ApiError::new(400, "invalid_id", "id", format!("the body's id `{}` is not `{id}`", invoice.id)));
    }
    let stored = store::invoice_version(db, id).await?.ok_or_else(|| ApiError::not_found("invoice", id))?;
    let version = match if_match {
        None => stored,
        Some(tag) => tag.trim().trim_matches('"').parse::<i64>().map_err(|_| {
            ApiError::new(400, "invalid_version", "If-Match", format!("`{tag}` is not an invoice version"))
        })?,
    };
    let open = check_invoice(db, &invoice, now.date_naive()).await?;
    write_invoice(db, &invoice, open, Replaces::Version(version), ("invoice.replaced", json!(invoice)), now).await?;
    get_invoice(db, id, now.date_naive()).await
}

async fn delete_invoice(db: &impl Database, id: &str, now: DateTime<Utc>) -> ApiResult {
    load_invoice(db, id).await?;
    let mut stmts = store::delete_invoice(id);
    stmts.push(store::audit("api", "invoice.deleted", "invoice", id, &json!({}), now));
    db.batch(stmts).await?;
    Ok((204, Value::Null))
}

/// A change to a part of an invoice: a row appended, or one row replaced.
pub(crate) enum Part {
    Payment(Payment),
    Promise(Promise),
    Dispute(Dispute),
    /// A dispute closed on that day.
    DisputeClosed(NaiveDate),
    /// A payment plan set, or removed.
    Plan(Option<PaymentPlan>),
}

/// How many times the open flag is read again when other writes keep coming in between.
const OPEN_FLAG_ATTEMPTS: usize = 32;

/// Changes one part of an invoice: checked with the core on the invoice as read, then written as a
/// row of its own (never the whole invoice again) with the audit row and a new version, in one
/// batch. Writes that cross are each kept: ten payments posted at once are ten rows and ten audit
/// rows. A guarded row (a second open dispute, a dispute closed meanwhile, a list at its limit) is
/// a 409 that writes nothing.
async fn change_part(db: &impl Database, id: &str, now: DateTime<Utc>, part: Part) -> ApiResult {
    change_part_with(db, id, now, part, Vec::new()).await
}

/// `change_part`, with `extra` statements written in the same batch (a lifecycle status's row, its
/// task and audit row), after the part's own.
pub(crate) async fn change_part_with(
    db: &impl Database,
    id: &str,
    now: DateTime<Utc>,
    part: Part,
    extra: Vec<Stmt>,
) -> ApiResult {
    let mut invoice = load_invoice(db, id).await?;
    let before = (invoice.payments.len(), invoice.disputes.len(), invoice.promises.len());
    let (row, action, detail) = apply_part(db, &mut invoice, &part, now).await?;
    check_invoice(db, &invoice, now.date_naive()).await.map_err(|e| new_item_path(e, before))?;
    let audit = store::audit("api", action, "invoice", id, &detail, now);
    let guarded = !matches!(part, Part::Plan(_));
    let audit = if guarded { store::only_if_changed(audit) } else { audit };
    let mut stmts = vec![store::bump_version(id, now), row, audit];
    stmts.extend(extra);
    let changes = db.batch(stmts).await?;
    if guarded && !store::went_in(changes.get(1)) {
        let why = match part {
            Part::Dispute(_) => "a dispute is open already: close it before opening another",
            Part::DisputeClosed(_) => "the dispute was closed meanwhile",
            _ => "the invoice has the most entries it may hold",
        };
        return Err(ApiError::conflict("", format!("invoice `{id}`: {why}")));
    }
    refresh_open(db, id).await?;
    get_invoice(db, id, now.date_naive()).await
}

/// A payment from a debtor that names no invoice: spread over its invoices in the law's order
/// (`relance_core::allocation`), each share a payment row of its invoice with its audit row, all in
/// one batch after each invoice was checked with it. What exceeds every debt is not recorded on an
/// invoice: the answer and the audit say how much, and a `review_payment` task asks a person.
async fn record_debtor_payment(
    db: &impl Database,
    debtor_id: &str,
    payment: &relance_core::allocation::DebtorPayment,
    now: DateTime<Utc>,
) -> ApiResult {
    if store::debtor(db, debtor_id).await?.is_none() {
        return Err(ApiError::not_found("debtor", debtor_id));
    }
    let book =
        store::book(db, Which::OfDebtor(debtor_id)).await?.ok_or_else(|| ApiError::conflict("", store::NO_CREDITOR))?;
    if book.ledger.invoices.is_empty() {
        return Err(ApiError::conflict("", format!("debtor `{debtor_id}` has no invoice: record the payment on one")));
    }
    let rates = book.rates()?;
    let checked = book.ledger.check_with_rates(&rates)?;
    let allocated = relance_core::allocation::allocate(&checked, debtor_id, payment, &rates)?;
    let mut stmts = Vec::new();
    for share in &allocated.allocations {
        let p = Payment { date: payment.date, amount: share.amount, reference: payment.reference.clone() };
        let Some(mut invoice) = book.ledger.invoices.iter().find(|i| i.id == share.invoice_id).cloned() else {
            continue;
        };
        invoice.payments.push(p.clone());
        check_invoice(db, &invoice, now.date_naive()).await?;
        stmts.push(store::bump_version(&invoice.id, now));
        stmts.push(store::append_payment(&invoice.id, &p, now)?);
        let detail = json!({ "payment": p, "allocatedFrom": payment });
        stmts.push(store::audit("api", "payment.recorded", "invoice", &invoice.id, &detail, now));
    }
    let detail = json!({ "payment": payment, "allocated": allocated });
    stmts.push(store::audit("api", "debtor.payment.allocated", "debtor", debtor_id, &detail, now));
    if allocated.unallocated.is_positive() {
        let key = format!("review_payment:{debtor_id}:{}:{}", payment.date, payment.amount);
        stmts.push(store::add_task(
            &key,
            "review_payment",
            debtor_id,
            &now.date_naive().to_string(),
            &detail.to_string(),
            now,
        ));
    }
    db.batch(stmts).await?;
    for share in &allocated.allocations {
        refresh_open(db, &share.invoice_id).await?;
    }
    ok(201, &allocated)
}

/// Applies a part to the invoice as read (to check it with the core) and gives the statement that
/// stores it, with the audit action and detail.
async fn apply_part(
    db: &impl Database,
    invoice: &mut Invoice,
    part: &Part,
    now: DateTime<Utc>,
) -> Result<(Stmt, &'static str, Value), ApiError> {
    let id = invoice.id.clone();
    Ok(match part {
        Part::Payment(p) => {
            invoice.payments.push(p.clone());
            (store::append_payment(&id, p, now)?, "payment.recorded", json!(p))
        }
        Part::Promise(p) => {
            invoice.promises.push(p.clone());
            (store::append_promise(&id, p, now)?, "promise.recorded", json!(p))
        }
        Part::Dispute(d) => {
            invoice.disputes.push(d.clone());
            (store::append_dispute(&id, d, now)?, "dispute.opened", json!(d))
        }
        Part::DisputeClosed(on) => {
            let (row, dispute, was) = store::open_dispute(db, &id)
                .await?
                .ok_or_else(|| ApiError::conflict("", format!("invoice `{id}` has no open dispute")))?;
            let closed = Dispute { closed_on: Some(*on), ..dispute.clone() };
            if let Some(d) = invoice.disputes.iter_mut().find(|d| **d == dispute) {
                *d = closed.clone();
            }
            (store::close_dispute(row, &was, &closed, now)?, "dispute.closed", json!({ "closedOn": on }))
        }
        Part::Plan(plan) => {
            invoice.payment_plan = plan.clone();
            let action = if plan.is_some() { "payment_plan.set" } else { "payment_plan.removed" };
            (store::put_payment_plan(&id, plan.as_ref(), now)?, action, json!(plan))
        }
    })
}

/// Sets an invoice's open flag from a read of all its parts, at the version read: if another
/// change came in between, it is read again (the last writer's read sees every part).
pub(crate) async fn refresh_open(db: &impl Database, id: &str) -> Result<(), ApiError> {
    for _ in 0..OPEN_FLAG_ATTEMPTS {
        let version = store::invoice_version(db, id).await?.ok_or_else(|| ApiError::not_found("invoice", id))?;
        let invoice = load_invoice(db, id).await?;
        let (open, _, _) = settle(db, &invoice).await?;
        if store::went_in(db.batch(vec![store::set_open(id, open, version)]).await?.first()) {
            return Ok(());
        }
    }
    Err(ApiError::conflict("", format!("invoice `{id}` kept changing: its state will be read again by the next write")))
}

/// A new payment or dispute is the body: an error in it points there rather than at its place in
/// the invoice's list (`before`: the lengths of the lists before the change).
fn new_item_path(e: ApiError, (payments, disputes, promises): (usize, usize, usize)) -> ApiError {
    for (list, n) in [("payments", payments), ("disputes", disputes), ("promises", promises)] {
        let prefix = format!("{list}[{n}]");
        if let Some(rest) = e.path.strip_prefix(&prefix) {
            return ApiError { path: rest.trim_start_matches('.').to_owned(), ..e };
        }
    }
    e
}

async fn close_dispute(db: &impl Database, id: &str, body: &str, now: DateTime<Utc>) -> ApiResult {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Close {
        #[serde(deserialize_with = "relance_core::date::de")]
        closed_on: NaiveDate,
    }
    let close: Close = json::from_json(body)?;
    change_part(db, id, now, Part::DisputeClosed(close.closed_on)).await
}

async fn timeline(db: &impl Database, id: &str, day: NaiveDate) -> ApiResult {
    let invoice = load_invoice(db, id).await?;
    let book = store::book(db, Which::OfDebtor(&invoice.debtor_id))
        .await?
        .ok_or_else(|| ApiError::conflict("", store::NO_CREDITOR))?;
    let policy_id =
        book.assignment.get(&invoice.debtor_id).cloned().unwrap_or_else(|| store::DEFAULT_POLICY_FALLBACK.into());
    let policy = policy_by_id(&book.policies, &policy_id)?;
    let plan = relance_core::planner::plan_with_rates(&book.ledger, &policy, day, &*book.rates()?)?;
    let entry = plan.invoices.into_iter().find(|t| t.invoice_id == id);
    let deliveries: Vec<store::Delivery> = store::deliveries(db, None, Some(&invoice.debtor_id), 1000)
        .await?
        .into_iter()
        .filter(|d| d.items.iter().any(|i| i.invoice_id == id))
        .collect();
    let lifecycle = store::lifecycle_of(db, id).await?;
    ok(
        200,
        &json!({ "asOf": day, "policyId": policy_id, "timeline": entry, "deliveries": deliveries, "lifecycle": lifecycle }),
    )
}

async fn decompte(db: &impl Database, id: &str, day: NaiveDate) -> ApiResult {
    let book = invoice_book(db, id).await?;
    match relance_core::penalty::invoice_decompte(&book.ledger, id, day, &book.extra_rates) {
        Ok(d) => ok(200, &d),
        // Not the request's fault: the operator adds the half-year with PUT /v1/settings.
        Err(e) if e.code() == relance_core::ErrorCode::MissingRate => Err(ApiError::new(
            422,
            e.code().as_str(),
            &format!("settings.{}", e.path()),
            format!("{}; add it with PUT /v1/settings {{\"extraRates\": ...}}", e.message()),
        )),
        Err(e) => Err(rebase(e, "ledger", "invoice")),
    }
}

/// Every collection figure of the stored ledger and delivery log.
async fn analytics(
    db: &impl Database,
    as_of: NaiveDate,
    period_start: Option<NaiveDate>,
    window_days: Option<u32>,
    currency: Option<&str>,
) -> ApiResult {
    let book = store::book(db, Which::All).await?.ok_or_else(|| ApiError::conflict("", store::NO_CREDITOR))?;
    let currency = match currency {
        None => None,
        Some(c) => Some(json::from_value(Value::String(c.to_owned())).map_err(|e| e.within("currency"))?),
    };
    // Promises fall due as the default policy says.
    let default = policy_by_id(&book.policies, &store::default_policy(db).await?)?;
    let request = relance_core::analytics::AnalyticsRequest {
        ledger: book.ledger,
        sent: store::sent_messages(db).await?,
        as_of,
        period_start,
        currency,
        window_days,
        promise_grace_days: Some(default.policy().answers.promise_grace_days),
        segments: Default::default(),
        extra_rates: book.extra_rates,
    };
    ok(200, &relance_core::analytics::analytics(&request).map_err(|e| rebase(e, "ledger", "ledger"))?)
}

// ---- imports ----------------------------------------------------------------------------------

async fn import_csv(db: &impl Database, req: &ApiRequest, now: DateTime<Utc>) -> ApiResult {
    let ct = req.headers.get("content-type").map(String::as_str).unwrap_or("");
    if !ct.starts_with("text/csv") {
        return Err(ApiError::new(415, "unsupported_media_type", "", "send the file as `Content-Type: text/csv`"));
    }
    let invoices = relance_core::import::invoices_from_csv(&req.body)?;
    let creditor = creditor_or_409(db).await?;
    let debtors: Vec<Debtor> = store::debtors(db).await?.into_iter().map(|d| d.debtor).collect();
    for (i, inv) in invoices.iter().enumerate() {
        if store::invoice_exists(db, &inv.id).await? {
            return Err(ApiError::conflict(&format!("rows[{i}].id"), format!("invoice `{}` exists already", inv.id)));
        }
    }
    let ledger = Ledger { creditor, debtors, invoices };
    let rates = relance_core::penalty::rates_with(&store::rates_in_force(db).await?)?;
    let checked = ledger.check_with_rates(&rates).map_err(|e| {
        let path = e.path().replacen("invoices[", "rows[", 1);
        ApiError::new(400, e.code().as_str(), &path, e.message())
    })?;
    plan_imported(db, &ledger, &stored_debtors(db, &ledger).await?, "rows", now.date_naive()).await?;
    let mut stmts = Vec::new();
    for inv in &checked.invoices {
        stmts.extend(store::put_invoice(inv.invoice, owes_anything(inv, &checked, &rates), Replaces::Nothing, now)?);
        stmts.push(store::audit(
            "api",
            "invoice.imported",
            "invoice",
            &inv.invoice.id,
            &json!({ "source": "csv" }),
            now,
        ));
    }
    db.batch(stmts).await?;
    ok(201, &json!({ "imported": checked.invoices.len() }))
}

/// The stored debtors of a ledger's invoices, with their policies.
async fn stored_debtors(db: &impl Database, ledger: &Ledger) -> Result<Vec<StoredDebtor>, ApiError> {
    let all = store::debtors(db).await?;
    Ok(all.into_iter().filter(|d| ledger.invoices.iter().any(|i| i.debtor_id == d.debtor.id)).collect())
}

/// Plans every debtor's account with the invoices an import brings (named `{list}[i]`).
async fn plan_imported(
    db: &impl Database,
    ledger: &Ledger,
    debtors: &[StoredDebtor],
    list: &str,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut stored: BTreeMap<String, Vec<Invoice>> = BTreeMap::new();
    for invoice in store::invoices(db, Which::All).await? {
        stored.entry(invoice.debtor_id.clone()).or_default().push(invoice);
    }
    let (custom, default) = (store::policies(db).await?, store::default_policy(db).await?);
    for debtor in debtors {
        let new: Vec<(String, &Invoice)> = (0..)
            .zip(&ledger.invoices)
            .filter(|(_, i)| i.debtor_id == debtor.debtor.id)
            .map(|(k, i)| (format!("{list}[{k}]"), i))
            .collect();
        if !new.is_empty() {
            let theirs = stored.remove(&debtor.debtor.id).unwrap_or_default();
            let policy = policy_by_id(&custom, debtor.policy_id.as_deref().unwrap_or(&default))?;
            plan_account(&ledger.creditor, (debtor, &policy), theirs, &new, today)?;
        }
    }
    Ok(())
}

async fn import_ledger(db: &impl Database, body: &str, now: DateTime<Utc>) -> ApiResult {
    let ledger: Ledger = json::from_json(body)?;
    let rates = relance_core::penalty::rates_with(&store::rates_in_force(db).await?)?;
    let checked = ledger.check_with_rates(&rates)?;
    let existing: BTreeMap<String, Option<String>> =
        store::debtors(db).await?.into_iter().map(|d| (d.debtor.id, d.policy_id)).collect();
    let debtors: Vec<StoredDebtor> = ledger
        .debtors
        .iter()
        .map(|d| StoredDebtor { debtor: d.clone(), policy_id: existing.get(&d.id).cloned().flatten() })
        .collect();
    plan_imported(db, &ledger, &debtors, "invoices", now.date_naive()).await?;
    let mut stmts = vec![store::put_creditor(&ledger.creditor, now)?];
    for stored in &debtors {
        stmts.extend(store::put_debtor(stored, now)?);
    }
    stmts.extend(store::answer_tasks(&ledger, now)?);
    for inv in &checked.invoices {
        stmts.extend(store::put_invoice(inv.invoice, owes_anything(inv, &checked, &rates), Replaces::Latest, now)?);
    }
    stmts.push(store::audit(
        "api",
        "ledger.imported",
        "ledger",
        "",
        &json!({ "debtors": ledger.debtors.len(), "invoices": ledger.invoices.len() }),
        now,
    ));
    db.batch(stmts).await?;
    ok(201, &json!({ "debtors": ledger.debtors.len(), "invoices": ledger.invoices.len() }))
}

// ---- tasks ------------------------------------------------------------------------------------

fn task_view(mut row: crate::db::Row) -> Value {
    if let Some(d) = row.get("data").and_then(Value::as_str).and_then(|s| serde_json::from_str::<Value>(s).ok()) {
        row.insert("data".into(), d);
    }
    Value::Object(row)
}

/// The statuses of a task.
const TASK_STATUSES: [&str; 3] = ["open", "done", "cancelled"];

/// A list route's `?status=`: one of `allowed`, or a 400 naming them (the same on every route).
fn status<'q>(given: Option<&'q str>, allowed: &[&str]) -> Result<Option<&'q str>, ApiError> {
    match given {
        Some(s) if !allowed.contains(&s) => Err(ApiError::new(
            400,
            "unknown_variant",
            "status",
            format!("`{s}` is not a status here: {}", allowed.join(", ")),
        )),
        _ => Ok(given),
    }
}

async fn patch_task(db: &impl Database, id: &str, body: &str, now: DateTime<Utc>) -> ApiResult {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Patch {
        status: TaskStatus,
        /// For a call task: how the call went.
        #[serde(default)]
        outcome: Option<CallReport>,
    }
    #[derive(serde::Deserialize, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    enum TaskStatus {
        Open,
        Done,
        Cancelled,
    }
    let patch: Patch = json::from_json(body)?;
    let status = match patch.status {
        TaskStatus::Open => "open",
        TaskStatus::Done => "done",
        TaskStatus::Cancelled => "cancelled",
    };
    let (kind, debtor_id, data) = store::task(db, id).await?.ok_or_else(|| ApiError::not_found("task", id))?;
    if let Some(report) = &patch.outcome {
        if kind != "call" {
            return Err(ApiError::new(400, "invalid_answer", "outcome", "only a call task has an outcome"));
        }
        record_call(db, id, &debtor_id, &data, report, now).await?;
    }
    db.batch(vec![
        store::set_task_status(id, status, now),
        store::only_if_changed(store::audit("api", "task.status", "task", id, &json!({ "status": status }), now)),
    ])
    .await?;
    ok(200, &json!({ "id": id, "status": status }))
}

/// How a call went, as the person who made it reports it on the call task.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CallReport {
    /// Reached, not reached, wrong number.
    result: CallResult,
    /// What was agreed, on a call that reached the debtor.
    #[serde(default)]
    agreed: Option<CallAgreement>,
    /// For a promise: the day the money was promised for.
    #[serde(default, deserialize_with = "relance_core::date::de_opt")]
    promised_date: Option<NaiveDate>,
    /// For a promise on a call about one invoice: the amount (default: what is owed).
    #[serde(default)]
    amount: Option<Amount>,
    /// What was said (the dispute's reason, the promise's note).
    #[serde(default)]
    note: String,
}

/// Records a call's outcome on its debtor and what was agreed on the task's invoices: a promise
/// to pay each of them, or a dispute of each. The planner steers by them at the next run.
async fn record_call(
    db: &impl Database,
    task_id: &str,
    debtor_id: &str,
    task_data: &str,
    report: &CallReport,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let today = now.date_naive();
    let call = CallOutcome {
        on: today,
        result: report.result,
        agreed: report.agreed,
        answers: Some(task_id.to_owned()),
        note: report.note.clone(),
    };
    let invoice_ids: Vec<String> = serde_json::from_str::<Value>(task_data)
        .ok()
        .and_then(|d| d.pointer("/action/items").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i.get("invoiceId").and_then(Value::as_str).map(str::to_owned))
        .collect();
    // Everything is checked before anything is written: the call, then what it agreed on each
    // invoice, as it would stand.
    check_answer(db, debtor_id, Answer::Call(&call)).await.map_err(|e| rebase_api(e, "outcome"))?;
    let mut parts = Vec::new();
    for id in &invoice_ids {
        if let Some(part) = agreed_part(db, report, id, invoice_ids.len(), today).await? {
            let mut invoice = load_invoice(db, id).await?;
            let before = (invoice.payments.len(), invoice.disputes.len(), invoice.promises.len());
            apply_part(db, &mut invoice, &part, now).await?;
            check_invoice(db, &invoice, today).await.map_err(|e| rebase_api(new_item_path(e, before), "outcome"))?;
            parts.push((id, part));
        }
    }
    record_answer(db, debtor_id, Answer::Call(&call), now).await.map_err(|e| rebase_api(e, "outcome"))?;
    for (id, part) in parts {
        change_part(db, id, now, part).await.map_err(|e| rebase_api(e, "outcome"))?;
    }
    Ok(())
}

/// What a call agreed about one of its invoices: a promise (of `amount`, or of what is owed), a
/// dispute, or nothing to record on the invoice.
async fn agreed_part(
    db: &impl Database,
    report: &CallReport,
    invoice_id: &str,
    invoices_on_call: usize,
    today: NaiveDate,
) -> Result<Option<Part>, ApiError> {
    Ok(match report.agreed {
        Some(CallAgreement::Promise) => {
            let promised_date = report.promised_date.ok_or_else(|| {
                ApiError::new(400, "missing_field", "outcome.promisedDate", "a promise needs the day it is for")
            })?;
            let amount = match (report.amount, invoices_on_call) {
                (Some(a), 1) => a,
                (Some(_), _) => return Err(ApiError::new(
                    400,
                    "invalid_answer",
                    "outcome.amount",
                    "the call was about several invoices: each is promised in full; record other amounts one by one",
                )),
                (None, _) => {
                    let book = invoice_book(db, invoice_id).await?;
                    let checked = book.ledger.check_with_rates(&*book.rates()?)?;
                    let inv = checked.invoices.first().ok_or_else(|| ApiError::not_found("invoice", invoice_id))?;
                    inv.outstanding_on(today)
                }
            };
            let note = report.note.clone();
            Some(Part::Promise(Promise { made_on: today, promised_date, amount, via: PromiseVia::Phone, note }))
        }
        Some(CallAgreement::Dispute) => {
            Some(Part::Dispute(Dispute { opened_on: today, closed_on: None, reason: report.note.clone() }))
        }
        _ => None,
    })
}

/// An error about a part of the body: its path is put under `field`.
fn rebase_api(e: ApiError, field: &str) -> ApiError {
    let path = if e.path.is_empty() { field.to_owned() } else { format!("{field}.{}", e.path) };
    ApiError { path, ..e }
}

/// Records a reply or a call of a debtor, checked by the core with the debtor's other answers.
/// A reply already recorded is not recorded twice (200 instead of 201).
async fn record_answer(db: &impl Database, debtor_id: &str, answer: Answer<'_>, now: DateTime<Utc>) -> ApiResult {
    let ledger = check_answer(db, debtor_id, answer).await?;
    let (list, action, detail) = match answer {
        Answer::Reply(r) => ("replies", "reply.recorded", json!(r)),
        Answer::Call(c) => ("calls", "call.recorded", json!(c)),
    };
    let audit = store::only_if_changed(store::audit("api", action, "debtor", debtor_id, &detail, now));
    let mut stmts = vec![store::add_answer(debtor_id, answer, None, now)?, audit];
    stmts.extend(store::answer_tasks(&ledger, now)?);
    let changes = db.batch(stmts).await?;
    let status = if store::went_in(changes.first()) { 201 } else { 200 };
    ok(status, &json!({ "debtorId": debtor_id, "recorded": status == 201, list.trim_end_matches('s'): detail }))
}

/// The debtor's ledger with the answer added, checked by the core (errors point into the answer).
async fn check_answer(db: &impl Database, debtor_id: &str, answer: Answer<'_>) -> Result<Ledger, ApiError> {
    let mut stored = store::debtor(db, debtor_id).await?.ok_or_else(|| ApiError::not_found("debtor", debtor_id))?;
    let (list, n) = match answer {
        Answer::Reply(r) => {
            stored.debtor.replies.push(r.clone());
            ("replies", stored.debtor.replies.len() - 1)
        }
        Answer::Call(c) => {
            stored.debtor.calls.push(c.clone());
            ("calls", stored.debtor.calls.len() - 1)
        }
    };
    let creditor = creditor_or_409(db).await?;
    let ledger = Ledger { creditor, debtors: vec![stored.debtor], invoices: vec![] };
    ledger.check().map_err(|e| rebase(e, &format!("debtors[0].{list}[{n}]"), ""))?;
    Ok(ledger)
}

fn reply_view(debtor_id: &str, reply: &Reply) -> Value {
    let mut v = json!(reply);
    if let Some(o) = v.as_object_mut() {
        o.insert("debtorId".into(), json!(debtor_id));
    }
    v
}
