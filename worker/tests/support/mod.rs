//! Native stand-ins for the edge: SQLite (the engine D1 runs) with the worker's migrations, and a
//! scripted HTTP transport that records what was sent.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use relance_worker::blobs::{BlobError, Blobs};
use relance_worker::db::{Database, DbError, Param, Row, Stmt};
use relance_worker::send::{Http, HttpFailure, HttpMethod, HttpRequest, HttpResponse};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

pub struct Sqlite {
    pub conn: Connection,
    /// The documents R2 would hold, by key (the stand-in keeps them beside the database).
    pub blobs: RefCell<std::collections::HashMap<String, Vec<u8>>>,
    /// When set, the statement whose SQL starts with this text never completes (the run "dies").
    pub hang_on: RefCell<Option<&'static str>>,
}

fn migrations() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect::<Vec<_>>().join("\n")
}

impl Sqlite {
    pub fn new() -> Sqlite {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&migrations()).unwrap();
        Sqlite { conn, blobs: RefCell::default(), hang_on: RefCell::new(None) }
    }

    fn params(stmt: &Stmt) -> Vec<SqlValue> {
        stmt.params
            .iter()
            .map(|p| match p {
                Param::Null => SqlValue::Null,
                Param::Int(i) => SqlValue::Integer(*i),
                Param::Text(s) => SqlValue::Text(s.clone()),
            })
            .collect()
    }

    fn rows(&self, stmt: &Stmt) -> Result<Vec<Row>, DbError> {
        let err = |e: rusqlite::Error| DbError(e.to_string());
        let mut prepared = self.conn.prepare(stmt.sql).map_err(err)?;
        let names: Vec<String> = prepared.column_names().iter().map(|s| s.to_string()).collect();
        let mut rows = prepared.query(rusqlite::params_from_iter(Self::params(stmt))).map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            let mut map = Row::new();
            for (i, name) in names.iter().enumerate() {
                let v = match row.get_ref(i).map_err(err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Real(f) => Value::from(f),
                    ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => Value::Null,
                };
                map.insert(name.clone(), v);
            }
            out.push(map);
        }
        Ok(out)
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Waits while `hang_on` matches `sql`: a run stopped at that statement resumes once the
    /// test clears it (or is dropped, when the test kills it).
    async fn maybe_hang(&self, sql: &str) {
        std::future::poll_fn(|cx| {
            if self.hang_on.borrow().is_some_and(|h| sql.trim_start().starts_with(h)) {
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await
    }
}

impl Database for Sqlite {
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        self.maybe_hang(stmt.sql).await;
        self.rows(&stmt)
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<u64>, DbError> {
        if let Some(first) = stmts.first() {
            self.maybe_hang(first.sql).await;
        }
        if stmts.is_empty() {
            return Err(DbError("No SQL statements detected (D1 refuses an empty batch)".into()));
        }
        let err = |e: rusqlite::Error| DbError(e.to_string());
        self.conn.execute_batch("BEGIN").map_err(err)?;
        let mut out = Vec::new();
        for stmt in &stmts {
            // As D1 counts them: the rows the statement's triggers wrote too.
            let before = self.conn.total_changes();
            let result =
                self.conn.prepare(stmt.sql).and_then(|mut p| p.execute(rusqlite::params_from_iter(Self::params(stmt))));
            match result {
                Ok(_) => out.push(self.conn.total_changes().saturating_sub(before)),
                Err(e) => {
                    self.conn.execute_batch("ROLLBACK").map_err(err)?;
                    return Err(err(e));
                }
            }
        }
        self.conn.execute_batch("COMMIT").map_err(err)?;
        Ok(out)
    }
}

/// What the fake provider answers, in order (then 200 with an id).
pub enum Reply {
    Status(u16),
    Timeout,
    /// Never answers: the run is killed while waiting.
    Hang,
}

/// What a fake rate source answers to a GET.
#[derive(Clone)]
pub enum Page {
    Ok(String),
    Status(u16, String),
    Down,
}

#[derive(Default)]
pub struct FakeHttp {
    pub script: RefCell<VecDeque<Reply>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub answered: Cell<usize>,
    /// GETs by URL (the rate sources); a URL not here answers 404.
    pub pages: RefCell<std::collections::HashMap<String, Page>>,
}

impl FakeHttp {
    pub fn scripted(replies: Vec<Reply>) -> FakeHttp {
        FakeHttp { script: RefCell::new(replies.into()), ..FakeHttp::default() }
    }

    pub fn header(req: &HttpRequest, name: &str) -> Option<String> {
        req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    }
}

impl Http for FakeHttp {
    async fn fetch(&self, req: HttpRequest, _timeout_ms: u32) -> Result<HttpResponse, HttpFailure> {
        if req.method == HttpMethod::Get {
            let page = self.pages.borrow().get(&req.url).cloned();
            self.requests.borrow_mut().push(req);
            return match page {
                Some(Page::Ok(body)) => Ok(HttpResponse { status: 200, body }),
                Some(Page::Status(status, body)) => Ok(HttpResponse { status, body }),
                Some(Page::Down) => Err(HttpFailure::Network("connection refused".into())),
                None => Ok(HttpResponse { status: 404, body: "not found".into() }),
            };
        }
        self.requests.borrow_mut().push(req);
        let reply = self.script.borrow_mut().pop_front();
        match reply {
            Some(Reply::Hang) => std::future::pending().await,
            Some(Reply::Timeout) => Err(HttpFailure::Timeout),
            Some(Reply::Status(s)) if s >= 300 => {
                Ok(HttpResponse { status: s, body: format!("{{\"message\":\"status {s}\"}}") })
            }
            _ => {
                self.answered.set(self.answered.get() + 1);
                let n = self.answered.get();
                Ok(HttpResponse { status: 200, body: format!("{{\"id\":\"msg-{n}\"}}") })
            }
        }
    }
}

/// Polls a future once: `None` if it is still waiting (and it is then dropped: a killed run).
pub fn poll_once<F: Future>(f: F) -> Option<F::Output> {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

pub fn block_on<F: Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

pub fn golden(name: &str) -> Value {
    let path = format!("{}/../tests/golden/planner/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn sample_ledger() -> Value {
    let path = format!("{}/../samples/ledger.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub const TOKEN: &str = "native-test-token";

pub fn config(extra: &[(&str, &str)]) -> relance_worker::config::Config {
    let mut vars: std::collections::HashMap<String, String> =
        [("API_TOKEN", TOKEN)].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    relance_worker::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap()
}

pub fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc)
}

/// Calls the API with the token.
pub fn call(db: &Sqlite, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    call_with(db, &Ok(config(&[])), method, path, body.map(Value::to_string).unwrap_or_default(), Some(TOKEN))
}

pub fn call_with(
    db: &Sqlite,
    config: &Result<relance_worker::config::Config, relance_worker::config::ConfigError>,
    method: &str,
    path: &str,
    body: String,
    token: Option<&str>,
) -> (u16, Value) {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut req =
        relance_worker::api::ApiRequest { method: method.into(), path: path.into(), body, ..Default::default() };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap();
        req.query.insert(k.into(), v.into());
    }
    if let Some(t) = token {
        req.headers.insert("authorization".into(), format!("Bearer {t}"));
    }
    req.headers.insert("content-type".into(), "application/json".into());
    let res = block_on(relance_worker::api::handle(db, db, config, &req, at("2026-11-23T10:00:00Z")));
    let body = if res.body.is_empty() { Value::Null } else { serde_json::from_str(&res.body).unwrap() };
    (res.status, body)
}

/// A request with a body of bytes (a document to import), authenticated, answered at the same time
/// as `call`.
pub fn send_bytes(
    db: &Sqlite,
    method: &str,
    path: &str,
    content_type: &str,
    raw: Vec<u8>,
) -> relance_worker::api::ApiResponse {
    let mut req = relance_worker::api::ApiRequest {
        method: method.into(),
        path: path.into(),
        body: String::from_utf8_lossy(&raw).into_owned(),
        raw,
        ..Default::default()
    };
    req.headers.insert("authorization".into(), format!("Bearer {TOKEN}"));
    req.headers.insert("content-type".into(), content_type.into());
    block_on(relance_worker::api::handle(db, db, &Ok(config(&[])), &req, at("2026-11-23T10:00:00Z")))
}

/// The JSON of a response.
pub fn json_of(res: &relance_worker::api::ApiResponse) -> Value {
    if res.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&res.body).unwrap()
    }
}

/// A database holding a ledger and a default policy, loaded through the API.
pub fn seeded(ledger: &Value, policy: &str) -> Sqlite {
    let db = Sqlite::new();
    let (s, b) = call(&db, "POST", "/v1/import/ledger", Some(ledger));
    assert_eq!(s, 201, "{b}");
    let (s, b) = call(&db, "PUT", "/v1/settings", Some(&serde_json::json!({ "defaultPolicy": policy })));
    assert_eq!(s, 200, "{b}");
    db
}

/// Stores a golden case's sent log as the deliveries an earlier run left behind.
pub fn record_sent_log(db: &Sqlite, ledger: &Value, sent_log: &Value) {
    for entry in sent_log.as_array().unwrap() {
        let items = &entry["items"];
        let invoice = items[0]["invoiceId"].as_str().unwrap();
        let debtor =
            ledger["invoices"].as_array().unwrap().iter().find(|i| i["id"] == invoice).unwrap()["debtorId"].clone();
        db.conn
            .execute(
                "INSERT INTO deliveries (key, debtor_id, step_id, channel, items, status, attempts, payload, run_id,
                   claimed_at, sent_at, updated_at)
                 VALUES (?1, ?2, ?3, 'email', ?4, 'sent', 1, '{}', 'earlier', ?5, ?5, ?5)",
                rusqlite::params![
                    entry["key"].as_str().unwrap(),
                    debtor.as_str().unwrap(),
                    items[0]["stepId"].as_str().unwrap(),
                    items.to_string(),
                    entry["sentAt"].as_str().unwrap().replace(".000", ""),
                ],
            )
            .unwrap();
    }
}

impl Blobs for Sqlite {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.blobs.borrow_mut().insert(key.to_owned(), bytes);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        Ok(self.blobs.borrow().get(key).cloned())
    }
}
