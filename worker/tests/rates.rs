//! Reference rates that keep themselves current, natively: the daily refresh against a fake of
//! each source, a mise en demeure that waits for an unpublished rate and then goes out once, a
//! source down for days, and corrections.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod support;

use relance_worker::clock::SetClock;
use relance_worker::{cron, rates};
use serde_json::{json, Value};
use support::*;

const ECB_URL: &str = "http://rates.test/ecb";

/// The shipped ECB table stops at 2026-01-01: 2026-H2 is not known to this build.
fn ecb_fixture() -> String {
    let path = format!("{}/../tests/fixtures/rates/ecb_mro.csv", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

/// The fixture with more change days appended (`day,rate`).
fn ecb_with(changes: &[(&str, &str)]) -> String {
    let mut text = ecb_fixture();
    for (day, rate) in changes {
        text.push_str(&format!("FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,{day},{rate}\n"));
    }
    text
}

fn rate_config() -> relance_worker::config::Config {
    config(&[("RATE_SOURCES", "ecb_mro"), ("RATE_URL_ECB_MRO", ECB_URL)])
}

/// One French business debtor, 4 800 EUR due 2026-10-01, and a policy whose only step is the
/// mise en demeure by email 45 days after the due date (2026-11-15, a Sunday: sent on Monday).
fn notice_book() -> Sqlite {
    notice_book_with(&[])
}

/// The same, with more invoices of the debtor (`id`, `due date`).
fn notice_book_with(more: &[(&str, &str)]) -> Sqlite {
    let sample = sample_ledger();
    let ledger = json!({
        "creditor": sample["creditor"],
        "debtors": [{
            "id": "d-1", "name": "Brasserie du Parc SAS", "kind": "business", "country": "FR", "locale": "fr",
            "timeZone": "Europe/Paris", "contacts": { "emails": ["factures@brasserie.example"] }
        }],
        "invoices": [{
            "id": "inv-1", "number": "F-2026-0901", "debtorId": "d-1", "issueDate": "2026-09-01",
            "dueDate": "2026-10-01", "currency": "EUR", "total": "4800.00"
        }]
    });
    let policy = json!({
        "id": "notice-only", "name": "Notice only", "businessDayAdjustment": "forward",
        "sendWindow": { "startHour": 9, "endHour": 18 }, "minGapDays": 0, "grouping": false,
        "catchUp": { "maxLatenessDays": 30 },
        "steps": [{
            "id": "formal-notice", "anchor": "due_date", "offset": 45, "channel": "email",
            "template": "formal_notice", "level": 5, "tone": "formal", "deadlineDays": 8
        }]
    });
    let mut ledger = ledger;
    for (id, due) in more {
        ledger["invoices"].as_array_mut().unwrap().push(json!({
            "id": id, "number": format!("F-{id}"), "debtorId": "d-1", "issueDate": "2026-09-01",
            "dueDate": due, "currency": "EUR", "total": "1200.00"
        }));
    }
    let db = Sqlite::new();
    for (method, path, body) in [
        ("POST", "/v1/import/ledger", &ledger),
        ("POST", "/v1/policies", &policy),
        ("PUT", "/v1/settings", &json!({ "defaultPolicy": "notice-only" })),
    ] {
        let (status, answer) = call(&db, method, path, Some(body));
        assert!(status < 300, "{method} {path}: {status} {answer}");
    }
    db
}

fn run(db: &Sqlite, http: &FakeHttp, now: &str, id: &str) -> cron::RunReport {
    let clock = Box::leak(Box::new(SetClock::at(at(now))));
    block_on(cron::run(db, (http, db), &rate_config(), clock, at(now), id)).unwrap()
}

fn refresh(db: &Sqlite, http: &FakeHttp, now: &str) -> rates::RefreshReport {
    block_on(rates::refresh(db, http, &rate_config(), at(now))).unwrap()
}

fn tasks(db: &Sqlite, kind: &str) -> Vec<(String, String)> {
    let mut stmt = db.conn.prepare("SELECT id, status FROM tasks WHERE kind = ?1 ORDER BY id").unwrap();
    stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

fn statuses(db: &Sqlite) -> Vec<String> {
    let mut stmt = db.conn.prepare("SELECT status FROM deliveries ORDER BY key").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn audit_actions(db: &Sqlite, action: &str) -> i64 {
    db.count(&format!("SELECT COUNT(*) FROM audit WHERE action = '{action}'"))
}

fn rates_view(db: &Sqlite) -> Value {
    let (status, body) = call_with(db, &Ok(rate_config()), "GET", "/v1/rates", String::new(), Some(TOKEN));
    assert_eq!(status, 200, "{body}");
    body
}

fn table<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["tables"].as_array().unwrap().iter().find(|t| t["table"] == id).unwrap()
}

#[test]
fn a_notice_needing_an_unpublished_rate_waits_then_goes_out_once() {
    let db = notice_book();
    let http = FakeHttp::default();

    let first = run(&db, &http, "2026-11-16T09:00:00Z", "run-1");
    assert_eq!((first.waiting, first.sent, first.failed), (1, 0, 0), "{first:?}");
    assert_eq!(statuses(&db), ["waiting_rate"]);
    assert_eq!(tasks(&db, "missing_rate"), [("missing_rate:ecb_mro:2026-H2".to_owned(), "open".to_owned())]);
    let (status, listed) = call(&db, "GET", "/v1/deliveries?status=waiting_rate", None);
    assert_eq!((status, listed["deliveries"].as_array().unwrap().len()), (200, 1), "{listed}");
    assert!(listed["deliveries"][0]["lastError"].as_str().unwrap().contains("2026-H2"), "{listed}");

    // Later runs before publication: still waiting, one delivery, one task, nothing sent.
    let again = run(&db, &http, "2026-11-16T09:15:00Z", "run-2");
    assert_eq!((again.waiting, again.sent, again.busy), (1, 0, 0), "{again:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM deliveries"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox"), 0);
    assert_eq!(table(&rates_view(&db), "ecb_mro")["missing"], json!(["2026-H2"]));

    // The daily refresh finds the rate in force on 1 July (unchanged since 2025-06-11).
    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Ok(ecb_fixture()));
    let refreshed = refresh(&db, &http, "2026-11-17T05:00:00Z");
    assert_eq!(refreshed.sources[0].error, None, "{refreshed:?}");
    assert_eq!(refreshed.sources[0].new_rows, 1);
    assert_eq!(refreshed.tasks_closed, 1);
    assert_eq!(tasks(&db, "missing_rate"), [("missing_rate:ecb_mro:2026-H2".to_owned(), "done".to_owned())]);

    let sent = run(&db, &http, "2026-11-17T09:00:00Z", "run-3");
    assert_eq!((sent.sent, sent.waiting), (1, 0), "{sent:?}");
    assert_eq!(statuses(&db), ["sent"]);
    let text: String = db.conn.query_row("SELECT text_body FROM outbox", [], |r| r.get(0)).unwrap();
    // 4 800 EUR at 12.15 % (2.15 + 10) from 2026-10-02 to 2026-11-17: 47 days / 365 = 75.10 EUR.
    assert!(text.contains("75,10"), "{text}");
    assert!(text.contains("12,15"), "{text}");
    let none = run(&db, &http, "2026-11-17T09:15:00Z", "run-4");
    assert_eq!((none.sent, none.waiting, none.due), (0, 0, 0), "{none:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox"), 1);

    // The API prices with the fetched rows too.
    let (status, decompte) = call(&db, "GET", "/v1/invoices/inv-1/decompte?asOf=2026-11-17", None);
    assert_eq!(status, 200, "{decompte}");
    assert_eq!(decompte["totals"]["interest"], "75.10");
}

#[test]
fn an_invoice_paid_while_its_notice_waits_is_never_chased() {
    let db = notice_book();
    let http = FakeHttp::default();
    assert_eq!(run(&db, &http, "2026-11-16T09:00:00Z", "run-1").waiting, 1);
    let (status, body) =
        call(&db, "POST", "/v1/invoices/inv-1/payments", Some(&json!({ "date": "2026-11-16", "amount": "4800.00" })));
    assert_eq!(status, 200, "{body}");
    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Ok(ecb_fixture()));
    refresh(&db, &http, "2026-11-17T05:00:00Z");
    let report = run(&db, &http, "2026-11-17T09:00:00Z", "run-2");
    assert_eq!((report.sent, report.cancelled, report.waiting), (0, 1, 0), "{report:?}");
    assert_eq!(statuses(&db), ["cancelled"]);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox"), 0);
}

#[test]
fn a_source_down_for_days_opens_one_task_and_loses_nothing() {
    let db = notice_book();
    let http = FakeHttp::default();
    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Ok(ecb_fixture()));
    refresh(&db, &http, "2026-11-10T05:00:00Z");
    let rows = db.count("SELECT COUNT(*) FROM rate_rows");
    assert_eq!(rows, 1);

    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Down);
    for day in 11..=15 {
        let report = refresh(&db, &http, &format!("2026-11-{day}T05:00:00Z"));
        assert!(report.sources[0].error.as_deref().unwrap().contains("connection refused"), "{report:?}");
    }
    assert_eq!(tasks(&db, "rate_source_down"), [("rate_source_down:ecb_mro:2026-11-11".to_owned(), "open".to_owned())]);
    assert_eq!(audit_actions(&db, "rates.source_down"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM rate_rows"), rows);
    let view = rates_view(&db);
    let ecb = table(&view, "ecb_mro");
    assert_eq!(ecb["source"]["failingSince"], "2026-11-11T05:00:00Z", "{view}");
    assert_eq!(ecb["source"]["fetchedAt"], "2026-11-10T05:00:00Z", "{view}");
    assert_eq!(ecb["missing"], json!([]), "{view}");
    // Messages are still priced with the rows fetched before the outage.
    let report = run(&db, &http, "2026-11-16T09:00:00Z", "run-1");
    assert_eq!((report.sent, report.waiting), (1, 0), "{report:?}");

    // An error page or a refused response counts as down too; then the source comes back.
    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Status(200, "<html>maintenance</html>".into()));
    let report = refresh(&db, &http, "2026-11-16T05:00:00Z");
    assert!(report.sources[0].error.as_deref().unwrap().contains("invalid_rate_source"), "{report:?}");
    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Ok(ecb_fixture()));
    refresh(&db, &http, "2026-11-17T05:00:00Z");
    assert_eq!(tasks(&db, "rate_source_down"), [("rate_source_down:ecb_mro:2026-11-11".to_owned(), "done".to_owned())]);
    assert_eq!(table(&rates_view(&db), "ecb_mro")["source"]["failingSince"], Value::Null);
}

#[test]
fn a_corrected_rate_is_applied_with_an_audit_row_and_a_task_once() {
    let db = notice_book();
    let http = FakeHttp::default();
    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Ok(ecb_with(&[("2026-09-10", "2.40")])));
    let first = refresh(&db, &http, "2026-11-10T05:00:00Z");
    assert_eq!((first.sources[0].new_rows, first.sources[0].corrections), (2, 0), "{first:?}");

    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Ok(ecb_with(&[("2026-09-10", "2.25")])));
    for day in 11..=12 {
        let report = refresh(&db, &http, &format!("2026-11-{day}T05:00:00Z"));
        assert_eq!(report.sources[0].corrections, if day == 11 { 1 } else { 0 }, "{report:?}");
    }
    let rate: String =
        db.conn.query_row("SELECT rate FROM rate_rows WHERE day = '2026-09-10'", [], |r| r.get(0)).unwrap();
    assert_eq!(rate, "2.25");
    assert_eq!(
        tasks(&db, "rate_correction"),
        [("rate_correction:ecb_mro:2026-09-10:2.25".to_owned(), "open".to_owned())]
    );
    assert_eq!(audit_actions(&db, "rate.correction"), 1);
}

#[test]
fn a_source_contradicting_a_shipped_rate_never_changes_it_and_says_so_once() {
    let db = notice_book();
    let http = FakeHttp::default();
    let contradicting = ecb_fixture().replace("2025-06-11,2.15", "2025-06-11,2.25");
    assert_ne!(contradicting, ecb_fixture());
    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Ok(contradicting));
    for day in 10..=11 {
        let report = refresh(&db, &http, &format!("2026-11-{day}T05:00:00Z"));
        assert_eq!(report.sources[0].corrections, 1, "{report:?}");
    }
    assert_eq!(
        tasks(&db, "rate_correction"),
        [("rate_correction:ecb_mro:2025-06-11:2.25".to_owned(), "open".to_owned())]
    );
    assert_eq!(audit_actions(&db, "rate.correction"), 1);
    // The shipped 2.15 % stays in force on the days it covers; 2026-H2, which it does not cover,
    // has the rate the source gives for 1 July.
    let rows: Vec<(String, String)> = {
        let mut stmt = db.conn.prepare("SELECT day, rate FROM rate_rows ORDER BY day").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(rows, [("2026-07-01".to_owned(), "2.25".to_owned())]);
    let (status, h1) = call(&db, "GET", "/v1/invoices/inv-1/decompte?asOf=2026-11-17", None);
    assert_eq!(status, 200, "{h1}");
    assert_eq!(h1["lines"][0]["rate"], "12.25", "{h1}");
}

#[test]
fn the_rates_view_lists_every_table_with_what_is_missing() {
    let db = notice_book();
    let view = rates_view(&db);
    let legal = table(&view, "fr_legal_other");
    // Read from service-public.fr, but left out of this deployment's RATE_SOURCES.
    assert_eq!(legal["source"]["publisher"], "service-public.fr (DILA)");
    assert_eq!(legal["source"]["url"], Value::Null);
    assert_eq!(legal["knownUntil"], "2026-06-30");
    assert_eq!(legal["lastKnownHalfYear"], "2026-H1");
    assert_eq!(legal["missing"], json!(["2026-H2"]));
    let ecb = table(&view, "ecb_mro");
    assert_eq!(ecb["source"]["publisher"], "ECB Data Portal");
    assert_eq!(ecb["source"]["url"], ECB_URL);
    assert_eq!(ecb["source"]["fetchedAt"], Value::Null);
    assert_eq!(view["waitingDeliveries"], 0);
}

/// Nothing overtakes a message waiting for its rate: the debtor's next due message waits its turn,
/// then each goes out once.
#[test]
fn a_debtor_with_a_waiting_notice_gets_nothing_else_first() {
    // inv-2's notice is due on Thursday 2026-11-19, after inv-1's began waiting.
    let db = notice_book_with(&[("inv-2", "2026-10-05")]);
    let http = FakeHttp::default();
    run(&db, &http, "2026-11-16T09:00:00Z", "run-1");
    let held = run(&db, &http, "2026-11-19T09:00:00Z", "run-2");
    assert_eq!((held.held, held.waiting, held.sent), (1, 1, 0), "{held:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM deliveries"), 1);

    http.pages.borrow_mut().insert(ECB_URL.into(), Page::Ok(ecb_fixture()));
    refresh(&db, &http, "2026-11-20T05:00:00Z");
    let released = run(&db, &http, "2026-11-20T09:00:00Z", "run-3");
    assert_eq!((released.sent, released.held), (1, 1), "{released:?}");
    let next = run(&db, &http, "2026-11-20T09:15:00Z", "run-4");
    assert_eq!((next.sent, next.held, next.waiting), (1, 0, 0), "{next:?}");
    assert_eq!(statuses(&db), ["sent", "sent"]);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox"), 2);
}
