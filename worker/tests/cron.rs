//! The scheduled run, natively: SQLite for D1, a scripted provider. Exactly once under repeats,
//! overlaps, provider errors and a run killed between claim and send; catch-up by the rule.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod support;

use chrono::{DateTime, Duration, Utc};
use relance_worker::clock::SetClock;
use relance_worker::cron;
use serde_json::Value;
use support::*;

fn expected_keys(case: &Value) -> Vec<String> {
    case["expected"]["output"].as_array().unwrap().iter().map(|a| a["key"].as_str().unwrap().to_owned()).collect()
}

fn delivery_keys(db: &Sqlite, status: &str) -> Vec<String> {
    // Without the entries of a golden sent log (run `earlier`).
    let mut stmt =
        db.conn.prepare("SELECT key FROM deliveries WHERE status = ?1 AND run_id <> 'earlier' ORDER BY key").unwrap();
    stmt.query_map([status], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn run(db: &Sqlite, http: &FakeHttp, cfg: &relance_worker::config::Config, now: &str, id: &str) -> cron::RunReport {
    block_on(cron::run(db, (http, db), cfg, clock(at(now)), at(now), id)).unwrap()
}

/// The run for `scheduled`, its clock showing that time too.
fn run_at<'a>(
    db: &'a Sqlite,
    http: &'a FakeHttp,
    cfg: &'a relance_worker::config::Config,
    scheduled: DateTime<Utc>,
    id: &'a str,
) -> impl std::future::Future<Output = Result<cron::RunReport, relance_worker::db::DbError>> + 'a {
    cron::run(db, (http, db), cfg, clock(scheduled), scheduled, id)
}

/// A clock showing `at` for as long as the test runs.
fn clock(at: DateTime<Utc>) -> &'static SetClock {
    Box::leak(Box::new(SetClock::at(at)))
}

#[test]
fn a_run_sends_what_the_golden_case_expects_and_a_repeat_sends_nothing() {
    for name in ["11-due-actions-on-time.json", "12-due-actions-catch-up.json", "13-due-actions-too-late.json"] {
        let case = golden(name);
        let input = &case["input"];
        let db = seeded(&input["ledger"], input["policy"].as_str().unwrap());
        record_sent_log(&db, &input["ledger"], &input["sentLog"]);
        let http = FakeHttp::default();
        let cfg = config(&[]);
        let now = input["now"].as_str().unwrap();
        let report = run(&db, &http, &cfg, now, "run-1");
        let expected = expected_keys(&case);
        assert_eq!(delivery_keys(&db, "sent"), expected, "{name}");
        assert_eq!(report.sent, expected.len(), "{name}: {report:?}");
        assert_eq!(db.count("SELECT COUNT(*) FROM outbox"), expected.len() as i64, "{name}");
        // The same scheduled time again (a duplicate trigger): nothing more.
        let again = run(&db, &http, &cfg, now, "run-2");
        assert_eq!((again.due, again.sent), (0, 0), "{name}: {again:?}");
        assert_eq!(db.count("SELECT COUNT(*) FROM outbox"), expected.len() as i64, "{name}");
    }
}

#[test]
fn the_catch_up_case_is_a_missed_day_sent_once_late() {
    let case = golden("12-due-actions-catch-up.json");
    let out = &case["expected"]["output"][0];
    assert_eq!(out["reason"]["code"], "catch_up");
    let db = seeded(&case["input"]["ledger"], case["input"]["policy"].as_str().unwrap());
    record_sent_log(&db, &case["input"]["ledger"], &case["input"]["sentLog"]);
    run(&db, &FakeHttp::default(), &config(&[]), case["input"]["now"].as_str().unwrap(), "late");
    let sent: String =
        db.conn.query_row("SELECT payload FROM deliveries WHERE run_id <> 'earlier'", [], |r| r.get(0)).unwrap();
    let payload: Value = serde_json::from_str(&sent).unwrap();
    assert_eq!(payload["action"]["reason"], out["reason"]);
}

#[test]
fn two_overlapping_runs_send_each_reminder_once() {
    let case = golden("11-due-actions-on-time.json");
    let input = &case["input"];
    let db = seeded(&input["ledger"], "standard");
    let http = FakeHttp::default();
    let cfg = config(&[]);
    let now = input["now"].as_str().unwrap();
    // Run A plans, then stops just before its claim; run B runs whole in between; A resumes.
    *db.hang_on.borrow_mut() = Some("INSERT INTO deliveries");
    let a = run_at(&db, &http, &cfg, at(now), "run-a");
    let mut a = Box::pin(a);
    assert!(poll_once(a.as_mut()).is_none(), "run A waits at its claim");
    *db.hang_on.borrow_mut() = None;
    let b = run(&db, &http, &cfg, now, "run-b");
    assert_eq!(b.sent, 1);
    let a = block_on(a).unwrap();
    assert_eq!((a.sent, a.busy), (0, 1), "run A finds the key taken: {a:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM deliveries"), 1);
}

#[test]
fn a_provider_500_then_200_sends_once_with_one_idempotency_key() {
    let case = golden("11-due-actions-on-time.json");
    let input = &case["input"];
    let db = seeded(&input["ledger"], "standard");
    let http = FakeHttp::scripted(vec![Reply::Status(500)]);
    let cfg =
        config(&[("EMAIL_PROVIDER", "resend"), ("RESEND_API_KEY", "re_test"), ("EMAIL_FROM", "billing@acme.test")]);
    let now = at(input["now"].as_str().unwrap());
    let first = block_on(run_at(&db, &http, &cfg, now, "r1")).unwrap();
    assert_eq!(first.retrying, 1);
    assert_eq!(delivery_keys(&db, "retry"), expected_keys(&case));
    // Before the back-off is over: nothing.
    let early = block_on(run_at(&db, &http, &cfg, now + Duration::minutes(5), "r2")).unwrap();
    assert_eq!((early.sent, http.requests.borrow().len()), (0, 1));
    let later = block_on(run_at(&db, &http, &cfg, now + Duration::minutes(15), "r3")).unwrap();
    assert_eq!(later.sent, 1, "{later:?}");
    let requests = http.requests.borrow();
    assert_eq!(requests.len(), 2);
    let keys: Vec<_> = requests.iter().map(|r| FakeHttp::header(r, "Idempotency-Key").unwrap()).collect();
    assert_eq!(keys, vec![expected_keys(&case)[0].clone(); 2]);
    assert_eq!(requests[0].body, requests[1].body, "a retry sends the very same message");
    assert_eq!(requests[0].url, relance_worker::send::RESEND_URL);
    let (status, attempts, provider_id): (String, i64, String) = db
        .conn
        .query_row("SELECT status, attempts, provider_message_id FROM deliveries", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((status.as_str(), attempts, provider_id.as_str()), ("sent", 2, "msg-1"));
}

#[test]
fn repeated_failures_end_in_a_visible_failed_state() {
    let case = golden("11-due-actions-on-time.json");
    let db = seeded(&case["input"]["ledger"], "standard");
    let http = FakeHttp::scripted(vec![Reply::Status(503), Reply::Timeout, Reply::Status(502)]);
    let cfg = config(&[
        ("EMAIL_PROVIDER", "resend"),
        ("RESEND_API_KEY", "re_test"),
        ("EMAIL_FROM", "billing@acme.test"),
        ("MAX_ATTEMPTS", "3"),
        ("RETRY_BASE_SECONDS", "60"),
    ]);
    let mut now = at(case["input"]["now"].as_str().unwrap());
    for i in 0..4 {
        block_on(run_at(&db, &http, &cfg, now, &format!("r{i}"))).unwrap();
        now += Duration::minutes(5);
    }
    assert_eq!(http.requests.borrow().len(), 3, "three attempts, then no more");
    assert_eq!(delivery_keys(&db, "failed"), expected_keys(&case));
    let (s, b) = call(&db, "GET", "/v1/deliveries?status=failed", None);
    assert_eq!(s, 200);
    assert!(b["deliveries"][0]["lastError"].as_str().unwrap().contains("gave up after 3 attempts"), "{b}");
    // A refusal (400) is not retried.
    let db = seeded(&case["input"]["ledger"], "standard");
    let http = FakeHttp::scripted(vec![Reply::Status(422)]);
    block_on(run_at(&db, &http, &cfg, at(case["input"]["now"].as_str().unwrap()), "x")).unwrap();
    assert_eq!(delivery_keys(&db, "failed").len(), 1);
}

#[test]
fn a_run_killed_between_claim_and_send_sends_once_after_the_lease() {
    let case = golden("11-due-actions-on-time.json");
    let db = seeded(&case["input"]["ledger"], "standard");
    let http = FakeHttp::scripted(vec![Reply::Hang]);
    let cfg = config(&[("EMAIL_PROVIDER", "resend"), ("RESEND_API_KEY", "re_test"), ("EMAIL_FROM", "b@acme.test")]);
    let now = at(case["input"]["now"].as_str().unwrap());
    // The run claims, calls the provider, and is killed while waiting.
    assert!(poll_once(run_at(&db, &http, &cfg, now, "dies")).is_none());
    assert_eq!(delivery_keys(&db, "claimed"), expected_keys(&case));
    // A run within the lease leaves it alone.
    let within = block_on(run_at(&db, &http, &cfg, now + Duration::minutes(5), "r2")).unwrap();
    assert_eq!((within.sent, within.due), (0, 0), "{within:?}");
    // After the lease (the longest run and a margin) the next run sends it, with the same key.
    let lease = Duration::seconds(cfg.lease_seconds);
    let after = block_on(run_at(&db, &http, &cfg, now + lease + Duration::minutes(1), "r3")).unwrap();
    assert_eq!(after.sent, 1, "{after:?}");
    assert_eq!(http.answered.get(), 1, "one message accepted");
    let keys: Vec<_> = http.requests.borrow().iter().map(|r| FakeHttp::header(r, "Idempotency-Key").unwrap()).collect();
    assert_eq!(keys, vec![expected_keys(&case)[0].clone(); 2]);
    // The killed run cannot record over the new owner.
    let report = block_on(run_at(&db, &http, &cfg, now + lease * 2, "r4")).unwrap();
    assert_eq!(report.sent, 0);
}

#[test]
fn a_retry_is_cancelled_once_the_invoice_is_paid() {
    let case = golden("11-due-actions-on-time.json");
    let db = seeded(&case["input"]["ledger"], "standard");
    let http = FakeHttp::scripted(vec![Reply::Status(500)]);
    let cfg = config(&[("EMAIL_PROVIDER", "resend"), ("RESEND_API_KEY", "re_test"), ("EMAIL_FROM", "b@acme.test")]);
    let now = at(case["input"]["now"].as_str().unwrap());
    block_on(run_at(&db, &http, &cfg, now, "r1")).unwrap();
    let (s, b) = call(
        &db,
        "POST",
        "/v1/invoices/i1/payments",
        Some(&serde_json::json!({ "date": "2025-04-07", "amount": "1000.00" })),
    );
    assert_eq!(s, 200, "{b}");
    let later = block_on(run_at(&db, &http, &cfg, now + Duration::hours(1), "r2")).unwrap();
    assert_eq!((later.cancelled, later.sent), (1, 0), "{later:?}");
    assert_eq!(http.requests.borrow().len(), 1);
}

#[test]
fn letters_and_calls_become_tasks_and_reach_the_webhook_signed() {
    // The sample ledger under the firm policy, late in the year: calls and letters are due.
    let db = seeded(&sample_ledger(), "firm");
    let http = FakeHttp::default();
    let cfg = config(&[("WEBHOOK_URL", "https://hooks.acme.test/relance"), ("WEBHOOK_SECRET", "s3cret")]);
    let mut total_tasks = 0;
    let mut day = at("2026-10-20T09:00:00Z");
    for i in 0..60 {
        let r = run(&db, &http, &cfg, &relance_worker::store::ts(day), &format!("d{i}"));
        total_tasks += r.tasks;
        day += Duration::days(1);
    }
    assert!(total_tasks > 0);
    // Tasks for people to act on the debtor; the shipped tables lack 2026-H2, so the mise en
    // demeure waits for its rate (one task asks for it, for the operator). The brasserie's reply
    // gave its reading task at the import, before any run.
    assert_eq!(
        db.count("SELECT COUNT(*) FROM tasks WHERE kind NOT IN ('missing_rate', 'read_reply')"),
        total_tasks as i64
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE kind = 'read_reply'"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE kind = 'missing_rate'"), 1);
    let requests = http.requests.borrow();
    assert_eq!(requests.len(), total_tasks, "each task is announced to the webhook");
    for r in requests.iter() {
        let sig = FakeHttp::header(r, "X-Relance-Signature").unwrap();
        assert_eq!(sig, format!("sha256={}", relance_worker::send::sign("s3cret", &r.body)));
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["task"], true);
        assert_eq!(body["key"].as_str(), FakeHttp::header(r, "Idempotency-Key").as_deref());
    }
    // Each key once across the whole period.
    let distinct = db.count("SELECT COUNT(DISTINCT key) FROM deliveries");
    assert_eq!(distinct, db.count("SELECT COUNT(*) FROM deliveries"));
}

#[test]
fn a_small_batch_leaves_the_rest_to_the_next_runs() {
    let db = seeded(&sample_ledger(), "firm");
    let http = FakeHttp::default();
    let big = config(&[]);
    // The first morning with at least three actions due.
    let (day, due) = (0..90)
        .map(|d| relance_worker::store::ts(at("2026-10-01T09:30:00Z") + chrono::Duration::days(d)))
        .map(|day| {
            let n = block_on(cron::plan_run(&db, &big, at(&day))).unwrap().actions.len();
            (day, n)
        })
        .find(|(_, n)| *n >= 3)
        .expect("a busy morning in the sample");
    let day = day.as_str();
    let small = config(&[("BATCH_SIZE", "2")]);
    let mut runs = 0;
    let mut handled = 0;
    loop {
        let r = run(&db, &http, &small, day, &format!("b{runs}"));
        runs += 1;
        handled += r.sent + r.tasks + r.failed;
        if r.deferred == 0 {
            break;
        }
        assert!(runs < 50);
    }
    assert_eq!(handled, due);
    assert_eq!(runs, due.div_ceil(2));
}

#[test]
fn analytics_are_served_for_the_stored_ledger_and_deliveries() {
    let db = seeded(&sample_ledger(), "standard");
    let cfg = config(&[]);
    run(&db, &FakeHttp::default(), &cfg, "2026-11-23T09:30:00Z", "a1");
    let (s, b) = call(&db, "GET", "/v1/analytics?asOf=2026-11-23&periodStart=2026-09-01", None);
    assert_eq!(s, 200, "{b}");
    let sum: rust_decimal::Decimal = b["ageing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(sum.to_string(), b["outstanding"].as_str().unwrap());
    assert!(
        b["channels"].as_array().unwrap().is_empty(),
        "messages of today have no known outcome yet: {}",
        b["channels"]
    );
    assert!(!b["debtors"].as_array().unwrap().is_empty());
    let (s, b) = call(&db, "GET", "/v1/analytics?asOf=2026-02-30", None);
    assert_eq!((s, b["error"]["path"].as_str()), (400, Some("asOf")));
}

#[test]
fn a_run_that_starts_late_never_takes_over_a_live_claim() {
    let case = golden("11-due-actions-on-time.json");
    let db = seeded(&case["input"]["ledger"], "standard");
    let http = FakeHttp::scripted(vec![Reply::Hang]);
    let cfg = config(&[("EMAIL_PROVIDER", "resend"), ("RESEND_API_KEY", "re_test"), ("EMAIL_FROM", "b@acme.test")]);
    let t = at(case["input"]["now"].as_str().unwrap());
    // The run at T claims and waits on a slow provider.
    assert!(poll_once(run_at(&db, &http, &cfg, t, "slow")).is_none());
    // The trigger of T + 15 min fires 1.5 s later (its scheduled time is past the old 600 s lease,
    // its clock is not): the claim is alive, nothing is sent twice.
    let late = block_on(cron::run(
        &db,
        (&http, &db),
        &cfg,
        clock(t + Duration::milliseconds(1500)),
        t + Duration::minutes(15),
        "late",
    ))
    .unwrap();
    assert_eq!((late.sent, late.busy), (0, 0), "{late:?}");
    assert_eq!(http.requests.borrow().len(), 1, "one send only");
    assert_eq!(delivery_keys(&db, "claimed"), expected_keys(&case));
}

#[test]
fn an_invoice_step_is_claimed_once_whatever_the_key() {
    // Keys name a reminder on a planned day, or a statement of several invoices: two overlapping
    // runs can plan one invoice-step under two keys. The second claim must lose.
    use relance_core::planner::ItemRef;
    use relance_worker::store::{claim_new, NewClaim};
    let case = golden("11-due-actions-on-time.json");
    let db = seeded(&case["input"]["ledger"], "standard");
    let t = at(case["input"]["now"].as_str().unwrap());
    let item = |invoice: &str| ItemRef { invoice_id: invoice.into(), step_id: "reminder-1".into() };
    let claim = |key: &'static str, items: &'static [ItemRef], run: &'static str| {
        let c = NewClaim {
            key,
            debtor_id: "d1",
            step_id: "reminder-1",
            channel: "email",
            items,
            payload: "{}",
            provider: "outbox",
        };
        block_on(claim_new(&db, &c, run, t, t + Duration::minutes(30))).unwrap()
    };
    let first: &'static [ItemRef] = Box::leak(Box::new([item("i1")]));
    let statement: &'static [ItemRef] = Box::leak(Box::new([item("i2"), item("i1")]));
    assert!(claim("key-day-d", first, "run-a"));
    assert!(!claim("key-day-d1-statement", statement, "run-b"), "i1's reminder is claimed already");
    assert!(!claim("key-day-d", first, "run-c"), "the same key twice");
    assert_eq!(db.count("SELECT COUNT(*) FROM deliveries"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM claimed_steps"), 1, "nothing of the losing claims is kept");
}

#[test]
fn a_lease_shorter_than_the_longest_run_is_refused() {
    let e = relance_worker::config::Config::from_lookup(|name| match name {
        "BATCH_SIZE" => Some("100".into()),
        "SEND_TIMEOUT_MS" => Some("10000".into()),
        "LEASE_SECONDS" => Some("600".into()),
        _ => None,
    })
    .unwrap_err();
    assert_eq!(e.name, "LEASE_SECONDS");
    let ok = config(&[]);
    assert!(ok.lease_seconds > ok.longest_run_seconds(), "{} <= {}", ok.lease_seconds, ok.longest_run_seconds());
}

#[test]
fn one_account_that_cannot_be_planned_never_silences_another() {
    use relance_worker::db::Database;
    use relance_worker::store::{put_invoice, Replaces};
    let case = golden("11-due-actions-on-time.json");
    let ledger = &case["input"]["ledger"];
    let db = seeded(ledger, "standard");
    // A second debtor, under the same policy, with a EUR and a USD invoice written straight to
    // the database (the API refuses them now): grouping cannot make one statement of them.
    let mut debtor = ledger["debtors"][0].clone();
    debtor["id"] = "d2".into();
    assert_eq!(call(&db, "POST", "/v1/debtors", Some(&debtor)).0, 201);
    let mut invoice: relance_core::ledger::Invoice = serde_json::from_value(ledger["invoices"][0].clone()).unwrap();
    invoice.debtor_id = "d2".into();
    let mut stmts = Vec::new();
    for (id, currency) in [("e1", "EUR"), ("u1", "USD")] {
        let one = relance_core::ledger::Invoice {
            id: id.into(),
            currency: relance_core::money::Currency::new(currency).unwrap(),
            ..invoice.clone()
        };
        stmts.extend(put_invoice(&one, true, Replaces::Nothing, at("2025-03-03T10:00:00Z")).unwrap());
    }
    block_on(db.batch(stmts)).unwrap();
    let http = FakeHttp::default();
    let report = run(&db, &http, &config(&[]), case["input"]["now"].as_str().unwrap(), "r1");
    assert_eq!(report.sent, 1, "d1 is chased as before: {report:?}");
    assert_eq!(report.problems.len(), 1, "{report:?}");
    let p = &report.problems[0];
    assert_eq!(
        (p.debtor_id.as_deref(), p.invoice_id.as_deref(), p.code.as_str(), p.path.as_str()),
        (Some("d2"), Some("u1"), "mixed_currencies", "currency")
    );
    // A person is asked to fix it, once however many runs see it.
    run(&db, &http, &config(&[]), case["input"]["now"].as_str().unwrap(), "r2");
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE kind = 'fix_data' AND debtor_id = 'd2'"), 1);
    let (s, b) = call(&db, "GET", "/v1/problems", None);
    assert_eq!((s, &b["problems"][0]["invoiceId"]), (200, &serde_json::json!("u1")), "{b}");
}

#[test]
fn a_waiting_message_this_version_cannot_read_holds_its_debtor_alone() {
    // The sample ledger on 2026-11-23: the brasserie, the Alsace printer and the Leeds joinery
    // each have a message due. A message of the brasserie waits for its rate, stored by another
    // version in a shape this one cannot read.
    let db = seeded(&sample_ledger(), "standard");
    db.conn
        .execute(
            "INSERT INTO deliveries (key, debtor_id, step_id, channel, items, status, attempts, payload, run_id,
               claimed_at, updated_at)
             VALUES ('rl_old', 'd-brasserie', 'formal-notice', 'registered_letter',
               '[{\"invoiceId\": \"inv-1041\", \"stepId\": \"formal-notice\"}]', 'waiting_rate', 1,
               '{\"shape\": \"of another version\"}', 'earlier', '2026-11-20T08:00:00Z', '2026-11-20T08:00:00Z')",
            [],
        )
        .unwrap();
    let http = FakeHttp::default();
    let report = run(&db, &http, &config(&[]), "2026-11-23T09:30:00Z", "run-1");
    let problem = report.problems.iter().find(|p| p.code == "unreadable_delivery").expect("named as a problem");
    assert_eq!(problem.debtor_id.as_deref(), Some("d-brasserie"));
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE id = 'problem:d-brasserie:-:unreadable_delivery'"), 1);
    // The run went on for the others; nothing went to the brasserie; the old message still waits.
    assert!(report.sent > 0, "{report:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM deliveries WHERE debtor_id = 'd-brasserie' AND run_id = 'run-1'"), 0);
    assert_eq!(db.count("SELECT COUNT(*) FROM deliveries WHERE key = 'rl_old' AND status = 'waiting_rate'"), 1);
}
