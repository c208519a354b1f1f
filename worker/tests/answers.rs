//! The debtor's answers through the API and the scheduled run, natively (issue 20): promises,
//! replies and call outcomes are recorded with their audit rows and tasks, refused with a code and
//! a path when they do not hold, and steer the next run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod support;

use relance_worker::clock::SetClock;
use relance_worker::cron;
use serde_json::{json, Value};
use support::*;

fn error(body: &Value) -> (&str, &str) {
    (body["error"]["code"].as_str().unwrap(), body["error"]["path"].as_str().unwrap())
}

fn task_ids(db: &Sqlite, kind: &str) -> Vec<String> {
    let mut stmt = db.conn.prepare("SELECT id FROM tasks WHERE kind = ?1 ORDER BY id").unwrap();
    stmt.query_map([kind], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn run(db: &Sqlite, now: &str, id: &str) -> cron::RunReport {
    let clock: &'static SetClock = Box::leak(Box::new(SetClock::at(at(now))));
    block_on(cron::run(db, (&FakeHttp::default(), db), &config(&[]), clock, at(now), id)).unwrap()
}

fn outbox_subjects(db: &Sqlite) -> Vec<String> {
    let mut stmt = db.conn.prepare("SELECT subject FROM outbox ORDER BY created_at, key").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn the_sample_ledger_s_answers_are_stored_and_give_their_tasks() {
    let db = seeded(&sample_ledger(), "standard");
    assert_eq!(db.count("SELECT COUNT(*) FROM answers"), 2);
    assert_eq!(db.count("SELECT COUNT(*) FROM promises"), 1);
    let reading = task_ids(&db, "read_reply");
    assert!(
        reading.len() == 1 && reading[0].starts_with("read_reply:d-brasserie:2026-11-26T08:12:00Z:"),
        "{reading:?}"
    );
    // The analytics count the promise (made 11-24, due 12-04 + 3 days: open on 11-30).
    let (s, a) = call(&db, "GET", "/v1/analytics?asOf=2026-11-30", None);
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["answers"]["promises"]["made"], json!({ "count": 1, "amount": "2350.50" }));
    assert_eq!(a["answers"]["promises"]["open"]["count"], 1);
    // A second import stores nothing twice.
    let (s, _) = call(&db, "POST", "/v1/import/ledger", Some(&sample_ledger()));
    assert_eq!(s, 201);
    assert_eq!(db.count("SELECT COUNT(*) FROM answers"), 2);
    assert_eq!(db.count("SELECT COUNT(*) FROM promises"), 1);
    // An edit of the debtor that does not repeat its reply keeps it.
    let (_, debtor) = call(&db, "GET", "/v1/debtors/d-brasserie", None);
    let mut edited = debtor.clone();
    edited.as_object_mut().unwrap().remove("replies");
    edited["contacts"]["phone"] = json!("+33 4 78 00 00 02");
    let (s, b) = call(&db, "PUT", "/v1/debtors/d-brasserie", Some(&edited));
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["replies"].as_array().map(Vec::len), Some(1), "{b}");
}

#[test]
fn a_promise_is_recorded_and_holds_the_timeline() {
    let db = seeded(&sample_ledger(), "standard");
    let promise = json!({ "madeOn": "2026-11-23", "promisedDate": "2026-12-10", "amount": "3150.00", "via": "email" });
    let (s, b) = call(&db, "POST", "/v1/invoices/inv-1060/promises", Some(&promise));
    assert_eq!(s, 200, "{b}");
    assert_eq!(db.count("SELECT COUNT(*) FROM audit WHERE action = 'promise.recorded'"), 1);
    let (_, tl) = call(&db, "GET", "/v1/invoices/inv-1060/timeline?asOf=2026-11-23", None);
    let steps = tl["timeline"]["steps"].as_array().unwrap();
    let broken = steps.iter().find(|s| s["stepId"] == "promise-1-broken").unwrap();
    // 12-10 + 3 days of grace: its end is 12-14 (a Monday), still to be seen.
    assert_eq!((broken["date"].as_str(), broken["status"].as_str()), (Some("2026-12-14"), Some("conditional")));
    for s in steps.iter().filter(|s| s["kind"] == "policy_step") {
        let day = s["date"].as_str().unwrap();
        assert!(!("2026-11-23".."2026-12-14").contains(&day), "{} on {day} while the promise is open", s["stepId"]);
    }
    // Refused with the field's code and path, nothing written.
    for (body, code, path) in [
        (
            json!({ "madeOn": "2026-11-23", "promisedDate": "2026-12-10", "amount": 3150, "via": "email" }),
            "invalid_amount",
            "amount",
        ),
        (
            json!({ "madeOn": "2026-11-23", "promisedDate": "2026-11-20", "amount": "1.00", "via": "email" }),
            "end_before_start",
            "promisedDate",
        ),
        (
            json!({ "madeOn": "2026-11-23", "promisedDate": "2026-12-10", "amount": "1.00", "via": "fax" }),
            "unknown_variant",
            "via",
        ),
        (
            json!({ "madeOn": "2026-11-23", "promisedDate": "2026-12-10", "amount": "1.005", "via": "email" }),
            "too_many_decimals",
            "amount",
        ),
    ] {
        let (s, b) = call(&db, "POST", "/v1/invoices/inv-1060/promises", Some(&body));
        assert_eq!((s, error(&b)), (400, (code, path)), "{body}");
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM promises WHERE invoice_id = 'inv-1060'"), 1);
    let (s, _) = call(&db, "POST", "/v1/invoices/nope/promises", Some(&promise));
    assert_eq!(s, 404);
}

#[test]
fn replies_are_recorded_once_listed_and_read_by_a_person() {
    let db = seeded(&sample_ledger(), "standard");
    let reply =
        json!({ "receivedAt": "2026-11-23T09:12:00Z", "channel": "letter", "kind": "human", "summary": "Cheque sent" });
    let (s, b) = call(&db, "POST", "/v1/debtors/d-leeds/replies", Some(&reply));
    assert_eq!((s, &b["recorded"]), (201, &json!(true)), "{b}");
    let (s, b) = call(&db, "POST", "/v1/debtors/d-leeds/replies", Some(&reply));
    assert_eq!((s, &b["recorded"]), (200, &json!(false)), "{b}");
    let (_, list) = call(&db, "GET", "/v1/replies?debtorId=d-leeds", None);
    assert_eq!(list["replies"].as_array().unwrap().len(), 1);
    assert_eq!(list["replies"][0]["debtorId"], "d-leeds");
    assert!(task_ids(&db, "read_reply").iter().any(|t| t.starts_with("read_reply:d-leeds:2026-11-23T09:12:00Z:")));
    for (body, code, path) in [
        (
            json!({ "receivedAt": "2026-11-23T09:12:00Z", "channel": "phone", "kind": "bounce" }),
            "invalid_answer",
            "kind",
        ),
        (json!({ "receivedAt": "23/11/2026", "channel": "email", "kind": "human" }), "invalid_date_time", "receivedAt"),
        (
            json!({ "receivedAt": "2026-11-23T09:12:00Z", "channel": "email", "kind": "human", "from": "x" }),
            "unknown_field",
            "from",
        ),
    ] {
        let (s, b) = call(&db, "POST", "/v1/debtors/d-leeds/replies", Some(&body));
        assert_eq!((s, error(&b)), (400, (code, path)), "{body}");
    }
    let (s, _) = call(&db, "POST", "/v1/debtors/nobody/replies", Some(&reply));
    assert_eq!(s, 404);
}

#[test]
fn a_call_outcome_on_its_task_records_the_call_and_what_was_agreed() {
    let db = seeded(&sample_ledger(), "standard");
    let data = json!({ "action": { "items": [{ "invoiceId": "inv-1052", "stepId": "phone-call" }] } }).to_string();
    db.conn
        .execute(
            "INSERT INTO tasks (id, kind, debtor_id, status, due_on, data, created_at, updated_at)
             VALUES ('call-1', 'call', 'd-mairie', 'open', '2026-11-23', ?1, '2026-11-23T08:00:00Z', '2026-11-23T08:00:00Z')",
            [data],
        )
        .unwrap();
    let refused = json!({ "status": "done", "outcome": { "result": "not_reached", "agreed": "promise" } });
    let (s, b) = call(&db, "PATCH", "/v1/tasks/call-1", Some(&refused));
    assert_eq!((s, error(&b)), (400, ("invalid_answer", "outcome.agreed")), "{b}");
    let missing = json!({ "status": "done", "outcome": { "result": "reached", "agreed": "promise" } });
    let (s, b) = call(&db, "PATCH", "/v1/tasks/call-1", Some(&missing));
    assert_eq!((s, error(&b)), (400, ("missing_field", "outcome.promisedDate")), "{b}");
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE id = 'call-1' AND status = 'open'"), 1);

    let patch = json!({ "status": "done", "outcome": { "result": "reached", "agreed": "promise", "promisedDate": "2026-12-15", "note": "Mandatement le 15" } });
    let (s, b) = call(&db, "PATCH", "/v1/tasks/call-1", Some(&patch));
    assert_eq!(s, 200, "{b}");
    let (_, inv) = call(&db, "GET", "/v1/invoices/inv-1052", None);
    assert_eq!(
        inv["invoice"]["promises"],
        json!([{ "madeOn": "2026-11-23", "promisedDate": "2026-12-15", "amount": "12000.00", "via": "phone", "note": "Mandatement le 15" }])
    );
    let (_, debtor) = call(&db, "GET", "/v1/debtors/d-mairie", None);
    assert_eq!(debtor["calls"][0]["answers"], "call-1");
    assert_eq!(debtor["calls"][0]["result"], "reached");
    for action in ["call.recorded", "promise.recorded", "task.status"] {
        assert_eq!(db.count(&format!("SELECT COUNT(*) FROM audit WHERE action = '{action}'")), 1, "{action}");
    }
    // Only a call task has an outcome.
    let reading = task_ids(&db, "read_reply").remove(0);
    let (s, b) = call(&db, "PATCH", &format!("/v1/tasks/{reading}"), Some(&patch));
    assert_eq!((s, error(&b)), (400, ("invalid_answer", "outcome")), "{b}");
}

#[test]
fn a_reply_holds_the_next_run_and_a_bounce_sends_a_letter_instead() {
    // One debtor, one invoice: reminder-1 goes out on 2025-10-06 (see golden 16).
    let ledger = json!({
        "creditor": sample_ledger()["creditor"],
        "debtors": [{ "id": "d1", "name": "D1", "kind": "business", "country": "FR", "locale": "fr", "timeZone": "Europe/Paris",
                      "contacts": { "emails": ["d1@example.org"],
                                    "postalAddress": { "lines": ["1 rue"], "postalCode": "69002", "city": "Lyon", "country": "FR" } } }],
        "invoices": [{ "id": "i1", "number": "A-1", "debtorId": "d1", "issueDate": "2025-09-01", "currency": "EUR",
                       "total": "1000.00", "terms": { "type": "net", "days": 30 } }]
    });
    let db = seeded(&ledger, "standard");
    run(&db, "2025-09-24T08:30:00Z", "courtesy");
    run(&db, "2025-10-06T08:30:00Z", "reminder-1");
    assert_eq!(outbox_subjects(&db).len(), 2);
    // The debtor answers on 10-10: reminder-2 (10-13) waits until 10-15.
    let reply = json!({ "receivedAt": "2025-10-10T09:30:00Z", "channel": "email", "kind": "human" });
    assert_eq!(call(&db, "POST", "/v1/debtors/d1/replies", Some(&reply)).0, 201);
    let held = run(&db, "2025-10-13T08:30:00Z", "held");
    assert_eq!((held.due, outbox_subjects(&db).len()), (0, 2), "{held:?}");
    let sent = run(&db, "2025-10-15T08:30:00Z", "after-pause");
    assert_eq!((sent.sent, outbox_subjects(&db).len()), (1, 3), "{sent:?}");
    // The address bounces: the phone call still goes (a task), then the formal letter is a letter
    // anyway; the next email step would be a letter too. A task asks to fix the address.
    let bounce = json!({ "receivedAt": "2025-10-16T10:00:00Z", "channel": "email", "kind": "bounce" });
    assert_eq!(call(&db, "POST", "/v1/debtors/d1/replies", Some(&bounce)).0, 201);
    let fixing = task_ids(&db, "fix_email");
    assert!(fixing.len() == 1 && fixing[0].starts_with("fix_email:d1:2025-10-16T10:00:00Z:"), "{fixing:?}");
    let (_, tl) = call(&db, "GET", "/v1/invoices/i1/timeline?asOf=2025-10-16", None);
    let emails_after: Vec<&Value> = tl["timeline"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["date"].as_str().unwrap() > "2025-10-16" && s["channel"] == "email")
        .collect();
    assert!(emails_after.is_empty(), "{emails_after:?}");
}
