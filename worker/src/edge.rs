//! The workerd entry points: D1 and fetch behind the crate's traits, and the two events. They
//! convert and delegate; all decisions are in `api` and `cron`.

use crate::api::{self, ApiRequest, ApiResponse};
use crate::blobs::{BlobError, Blobs, NoBlobs};
use crate::clock::Clock;
use crate::config::{Config, ConfigError};
use crate::cron;
use crate::db::{Database, DbError, Param, Row, Stmt};
use crate::inbound;
use crate::rates;
use crate::send::{Http, HttpFailure, HttpMethod, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use worker::wasm_bindgen::JsValue;
use worker::{
    event, AbortController, Bucket, Context, D1Database, D1PreparedStatement, Delay, Env, Fetch,
    ForwardableEmailMessage, Headers, Method, Request, RequestInit, Response, ScheduleContext, ScheduledEvent,
};

/// D1, with the rows its answers say were read (a run reports them).
struct D1(D1Database, std::cell::Cell<u64>);

impl D1 {
    fn new(db: D1Database) -> D1 {
        D1(db, std::cell::Cell::new(0))
    }

    fn count(&self, result: &worker::D1Result) {
        let read = result.meta().ok().flatten().and_then(|m| m.rows_read).unwrap_or(0);
        self.1.set(self.1.get() + read as u64);
    }
}

fn bound(db: &D1Database, stmt: &Stmt) -> Result<D1PreparedStatement, DbError> {
    let values: Vec<JsValue> = stmt
        .params
        .iter()
        .map(|p| match p {
            Param::Null => JsValue::NULL,
            // Integers we bind are counts and flags, far below 2^53.
            Param::Int(i) => JsValue::from_f64(*i as f64),
            Param::Text(s) => JsValue::from_str(s),
        })
        .collect();
    db.prepare(stmt.sql).bind(&values).map_err(|e| DbError(e.to_string()))
}

impl Database for D1 {
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        let result = bound(&self.0, &stmt)?.all().await.map_err(|e| DbError(e.to_string()))?;
        self.count(&result);
        result.results::<Row>().map_err(|e| DbError(e.to_string()))
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<u64>, DbError> {
        let prepared = stmts.iter().map(|s| bound(&self.0, s)).collect::<Result<Vec<_>, _>>()?;
        let results = self.0.batch(prepared).await.map_err(|e| DbError(e.to_string()))?;
        results.iter().for_each(|r| self.count(r));
        Ok(results.iter().map(|r| r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0) as u64).collect())
    }

    fn rows_read(&self) -> u64 {
        self.1.get()
    }
}

/// R2 behind `Blobs`: the bucket bound as `DOCUMENTS` (a local one under wrangler dev).
enum Documents {
    Bucket(Bucket),
    Unbound,
}

fn documents(env: &Env) -> Documents {
    env.bucket("DOCUMENTS").map_or(Documents::Unbound, Documents::Bucket)
}

impl Blobs for Documents {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        match self {
            Documents::Bucket(b) => b.put(key, bytes).execute().await.map(|_| ()).map_err(|e| BlobError(e.to_string())),
            Documents::Unbound => NoBlobs.put(key, bytes).await,
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let Documents::Bucket(b) = self else { return Ok(None) };
        let object = b.get(key).execute().await.map_err(|e| BlobError(e.to_string()))?;
        match object.as_ref().and_then(|o| o.body()) {
            Some(body) => body.bytes().await.map(Some).map_err(|e| BlobError(e.to_string())),
            None => Ok(None),
        }
    }
}

struct WorkerFetch;

async fn send(req: HttpRequest) -> worker::Result<HttpResponse> {
    let headers = Headers::new();
    for (k, v) in &req.headers {
        headers.set(k, v)?;
    }
    let mut init = RequestInit::new();
    init.with_headers(headers);
    match req.method {
        HttpMethod::Get => init.with_method(Method::Get),
        HttpMethod::Post => init.with_method(Method::Post).with_body(Some(JsValue::from_str(&req.body))),
    };
    let request = Request::new_with_init(&req.url, &init)?;
    let controller = AbortController::default();
    let mut response = Fetch::Request(request).send_with_signal(&controller.signal()).await?;
    let status = response.status_code();
    let body = response.text().await.unwrap_or_default();
    Ok(HttpResponse { status, body })
}

impl Http for WorkerFetch {
    async fn fetch(&self, req: HttpRequest, timeout_ms: u32) -> Result<HttpResponse, HttpFailure> {
        let call = Box::pin(send(req));
        let timer = Delay::from(std::time::Duration::from_millis(u64::from(timeout_ms)));
        match select(call, timer).await {
            Either::Left((Ok(r), _)) => Ok(r),
            Either::Left((Err(e), _)) => Err(HttpFailure::Network(e.to_string())),
            // Dropping the call future drops its fetch.
            Either::Right(_) => Err(HttpFailure::Timeout),
        }
    }
}

fn config(env: &Env) -> Result<Config, ConfigError> {
    Config::from_lookup(|name| {
        env.secret(name).ok().map(|s| s.to_string()).or_else(|| env.var(name).ok().map(|v| v.to_string()))
    })
}

fn millis_to_utc(ms: f64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}

/// The request without its body: method, path, query and headers.
fn request_head(req: &Request) -> ApiRequest {
    let url = req.url().ok();
    let query: BTreeMap<String, String> = url
        .as_ref()
        .map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
        .unwrap_or_default();
    let headers: BTreeMap<String, String> = req.headers().entries().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
    let method = req.method().to_string();
    let path = url.as_ref().map(|u| u.path().to_owned()).unwrap_or_else(|| req.path());
    ApiRequest { method, path, query, headers, ..ApiRequest::default() }
}

/// Reads the body into `head`, at most `max_body` bytes: the stream is read chunk by chunk and let
/// go as soon as it is longer (a declared length over it is not read at all).
async fn read_body(req: &mut Request, head: &mut ApiRequest, max_body: usize) {
    if !matches!(head.method.as_str(), "POST" | "PUT" | "PATCH") {
        return;
    }
    let declared = head.headers.get("content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    if declared > max_body {
        head.body_too_large = true;
        return;
    }
    let Ok(mut stream) = req.stream() else { return };
    let mut bytes = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        if bytes.len() + chunk.len() > max_body {
            head.body_too_large = true;
            return;
        }
        bytes.extend_from_slice(&chunk);
    }
    head.body = String::from_utf8_lossy(&bytes).into_owned();
    head.raw = bytes;
}

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let config = config(&env);
    let mut request = request_head(&req);
    let max_body = config.as_ref().map_or(1_048_576, |c| c.body_limit(&request.path));
    // The token is checked before a byte of the body is read.
    if let Some(refused) = api::refuse_before_body(&config, &request) {
        return to_response(refused);
    }
    read_body(&mut req, &mut request, max_body).await;
    let now = WorkerClock.now();
    let db = D1::new(env.d1("DB")?);
    to_response(api::handle(&db, &documents(&env), &config, &request, now).await)
}

fn to_response(out: ApiResponse) -> worker::Result<Response> {
    let headers = Headers::new();
    for (k, v) in &out.headers {
        headers.set(k, v)?;
    }
    let response = if !out.file.is_empty() {
        Response::from_bytes(out.file)?
    } else if out.body.is_empty() {
        Response::empty()?
    } else {
        Response::ok(out.body)?
    };
    Ok(response.with_status(out.status).with_headers(headers))
}

/// workerd's clock: the only place a run reads the time.
struct WorkerClock;

impl Clock for WorkerClock {
    fn now(&self) -> DateTime<Utc> {
        millis_to_utc(worker::Date::now().as_millis() as f64)
    }
}

/// A reply to a reminder (Email Routing sends the plus-addressed reply-to here). Forwarded first,
/// so that the creditor has it whatever happens next (without `REPLY_FORWARD_TO`, refused, so that
/// the sender knows); then read and recorded. A failure to
/// forward or to record is an error: the sending server tries again later, and the second
/// delivery is recorded once (by its Message-ID).
#[event(email)]
async fn email(message: ForwardableEmailMessage, env: Env, _ctx: Context) -> worker::Result<()> {
    let config = config(&env).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let raw = message.raw_bytes().await?;
    let envelope_to = message.to();
    let forwarded = match &config.reply_forward_to {
        Some(to) => message.forward(to).await.map(|_| Some(to.as_str())).map_err(|e| format!("{e:?}")),
        None => {
            // Nobody would read it: the sender is told so (the reply still holds the path).
            message.set_reject("replies to these reminders are not read here: write to the creditor directly");
            Ok(None)
        }
    };
    let db = D1::new(env.d1("DB")?);
    let mail = inbound::Mail { raw: &raw, envelope_to: &envelope_to, forwarded_to: forwarded.clone().ok().flatten() };
    let received = inbound::receive(&db, &config, mail, WorkerClock.now()).await;
    match (&received, &forwarded) {
        (Ok(r), Ok(_)) => {
            worker::console_log!("relance: reply {}", serde_json::to_string(r).unwrap_or_default());
            Ok(())
        }
        (_, Err(e)) => Err(worker::Error::RustError(format!("relance: reply not forwarded: {e}"))),
        (Err(e), _) => Err(worker::Error::RustError(format!("relance: reply not recorded: {e}"))),
    }
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    // The scheduled time, not the clock: a late or repeated trigger computes the same actions.
    let at = millis_to_utc(event.schedule());
    let nonce = (worker::js_sys::Math::random() * 4_294_967_296.0) as u64;
    let run_id = format!("{}-{nonce:08x}", at.format("%Y%m%dT%H%M%SZ"));
    let config = match config(&env) {
        Ok(c) => c,
        Err(e) => {
            worker::console_error!("relance: run {run_id} not started: {e}");
            return;
        }
    };
    let db = match env.d1("DB") {
        Ok(db) => D1::new(db),
        Err(e) => {
            worker::console_error!("relance: run {run_id} not started: D1 binding `DB`: {e}");
            return;
        }
    };
    if event.cron() == config.rates_cron {
        match rates::refresh(&db, &WorkerFetch, &config, at).await {
            Ok(report) => worker::console_log!("relance: rates {}", serde_json::to_string(&report).unwrap_or_default()),
            Err(e) => worker::console_error!("relance: rates refresh {run_id} stopped: {e}; the stored rates stay"),
        }
        return;
    }
    match cron::run(&db, (&WorkerFetch, &documents(&env)), &config, &WorkerClock, at, &run_id).await {
        Ok(report) => worker::console_log!("relance: run {}", serde_json::to_string(&report).unwrap_or_default()),
        Err(e) => worker::console_error!("relance: run {run_id} stopped: {e}; unclaimed actions wait for the next run"),
    }
}
