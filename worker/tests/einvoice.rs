//! E-invoices through the API and the run, natively (issue 21): a Factur-X PDF, a UBL credit note
//! and CDAR statuses (the samples of `tests/fixtures/einvoice`) become a debtor, an invoice, a
//! credit note, a dispute and a payment; refusals write nothing; the run attaches the invoice's copy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod support;

use base64::Engine;
use relance_worker::clock::SetClock;
use relance_worker::cron;
use serde_json::{json, Value};
use support::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/einvoice/").to_owned() + name).unwrap()
}

fn import(db: &Sqlite, name: &str) -> (u16, Value) {
    let content_type = if name.ends_with(".pdf") { "application/pdf" } else { "application/xml" };
    let res = send_bytes(db, "POST", "/v1/import/einvoice", content_type, fixture(name));
    (res.status, json_of(&res))
}

fn error(body: &Value) -> (&str, &str) {
    (body["error"]["code"].as_str().unwrap(), body["error"]["path"].as_str().unwrap())
}

/// What a refusal must leave untouched: invoices, debtors, documents, audit rows, stored files.
fn footprint(db: &Sqlite) -> (i64, i64, i64, i64, usize) {
    (
        db.count("SELECT COUNT(*) FROM invoices"),
        db.count("SELECT COUNT(*) FROM debtors"),
        db.count("SELECT COUNT(*) FROM documents"),
        db.count("SELECT COUNT(*) FROM audit"),
        db.blobs.borrow().len(),
    )
}

fn sha256(bytes: &[u8]) -> String {
    relance_worker::blobs::sha256_hex(bytes)
}

#[test]
fn a_facturx_pdf_becomes_a_debtor_and_an_invoice_whose_original_is_kept() {
    let db = seeded(&sample_ledger(), "standard");
    let pdf = fixture("facturx-F-2026-0917.pdf");
    let (s, b) = import(&db, "facturx-F-2026-0917.pdf");
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        (b["outcome"].as_str(), b["debtorId"].as_str(), b["newDebtor"].as_bool()),
        (Some("created"), Some("siren-523456789"), Some(true))
    );
    assert_eq!(b["document"]["sha256"], json!(sha256(&pdf)));
    assert_eq!(b["invoice"]["invoice"]["dueDate"], json!("2026-10-15"));
    assert_eq!(b["invoice"]["invoice"]["total"], json!("4800.00"));
    let (s, debtor) = call(&db, "GET", "/v1/debtors/siren-523456789", None);
    assert_eq!(s, 200, "{debtor}");
    assert_eq!(debtor["contacts"]["emails"], json!(["compta@menuiserie-bellevue.example"]));

    let doc = send_bytes(&db, "GET", "/v1/invoices/F-2026-0917/document", "", Vec::new());
    assert_eq!(doc.status, 200);
    assert!(doc.headers.contains(&("Content-Type".into(), "application/pdf".into())), "{:?}", doc.headers);
    assert!(doc.file == pdf, "the document comes back byte for byte");

    // The same invoice again, as its CII XML: nothing changes but a second document on record.
    let (s, b) = import(&db, "cii-F-2026-0917.xml");
    assert_eq!((s, b["outcome"].as_str()), (200, Some("unchanged")), "{b}");
    assert_eq!(db.count("SELECT COUNT(*) FROM invoices WHERE id = 'F-2026-0917'"), 1);

    // The credit note lands on its invoice.
    let (s, b) = import(&db, "ubl-credit-note-AV-2026-0031.xml");
    assert_eq!((s, b["outcome"].as_str()), (200, Some("credit_note_added")), "{b}");
    assert_eq!(b["invoice"]["invoice"]["creditNotes"][0]["amount"], json!("480.00"));
    let (s, b) = import(&db, "ubl-credit-note-AV-2026-0031.xml");
    assert_eq!((s, b["outcome"].as_str()), (200, Some("unchanged")), "{b}");
    assert_eq!(db.count("SELECT COUNT(*) FROM audit WHERE action = 'invoice.einvoice_imported'"), 4);
}

#[test]
fn a_document_that_is_not_the_creditors_or_contradicts_the_ledger_writes_nothing() {
    let db = seeded(&sample_ledger(), "standard");
    import(&db, "facturx-F-2026-0917.pdf");
    let before = footprint(&db);
    let cii = String::from_utf8(fixture("cii-F-2026-0917.xml")).unwrap();
    let other = cii.replace("812345678", "999999999").replace("FR40812345678", "FR00999999999");
    let res = send_bytes(&db, "POST", "/v1/import/einvoice", "application/xml", other.into_bytes());
    assert_eq!((res.status, error(&json_of(&res))), (422, ("not_creditor", "seller.siren")));
    let changed = cii.replace("<ram:GrandTotalAmount>4800.00", "<ram:GrandTotalAmount>4900.00");
    let res = send_bytes(&db, "POST", "/v1/import/einvoice", "application/xml", changed.into_bytes());
    assert_eq!((res.status, error(&json_of(&res))), (409, ("conflict", "total")));
    let res = send_bytes(&db, "POST", "/v1/import/einvoice", "text/csv", b"number,total".to_vec());
    assert_eq!(res.status, 415);
    let res =
        send_bytes(&db, "POST", "/v1/import/einvoice", "application/xml", b"<html><body>502</body></html>".to_vec());
    assert_eq!((res.status, error(&json_of(&res)).0), (400, "invalid_einvoice"));
    assert_eq!(footprint(&db), before);
    let res = send_bytes(&db, "GET", "/v1/invoices/F-1041/document", "", Vec::new());
    assert_eq!(res.status, 404, "an invoice entered by hand has no document");
}

#[test]
fn statuses_pause_the_path_record_the_payment_and_come_once() {
    let db = seeded(&sample_ledger(), "standard");
    import(&db, "facturx-F-2026-0917.pdf");
    import(&db, "ubl-credit-note-AV-2026-0031.xml");
    let res = send_bytes(&db, "POST", "/v1/import/lifecycle", "application/xml", fixture("cdar-207-F-2026-0917.xml"));
    assert_eq!(res.status, 201, "{}", res.body);
    let (_, inv) = call(&db, "GET", "/v1/invoices/F-2026-0917", None);
    let dispute = &inv["invoice"]["disputes"][0];
    assert_eq!((dispute["openedOn"].as_str(), dispute["closedOn"].is_null()), (Some("2026-10-22"), true), "{inv}");
    assert!(dispute["reason"].as_str().unwrap().contains("Deux étagères livrées sur trois"));
    // 208 while disputed: recorded, with its task, and no second dispute.
    let (s, b) = call(
        &db,
        "POST",
        "/v1/invoices/F-2026-0917/lifecycle",
        Some(&json!({ "code": 208, "date": "2026-10-23", "reason": "bon de livraison demandé" })),
    );
    assert_eq!((s, b["change"]["kind"].as_str()), (201, Some("recorded")), "{b}");
    assert_eq!(db.count("SELECT COUNT(*) FROM disputes WHERE invoice_id = 'F-2026-0917'"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE kind = 'lifecycle'"), 1);
    // 209 completes it: the dispute is closed.
    let (s, b) =
        call(&db, "POST", "/v1/invoices/F-2026-0917/lifecycle", Some(&json!({ "code": 209, "date": "2026-10-28" })));
    assert_eq!((s, b["change"]["kind"].as_str()), (201, Some("disputeClosed")), "{b}");

    // 212 from a CDAR message: 4 320.00 collected (4 800.00 less the 480.00 credit note).
    let cdar = fixture("cdar-212-F-2026-0917.xml");
    let res = send_bytes(&db, "POST", "/v1/import/lifecycle", "application/xml", cdar.clone());
    assert_eq!(res.status, 201, "{}", res.body);
    let (_, inv) = call(&db, "GET", "/v1/invoices/F-2026-0917", None);
    assert_eq!(inv["invoice"]["payments"][0]["amount"], json!("4320.00"), "{inv}");
    assert_ne!(inv["status"], json!("open"), "{inv}");
    // The same message again: nothing doubles.
    let res = send_bytes(&db, "POST", "/v1/import/lifecycle", "application/xml", cdar);
    assert_eq!((res.status, json_of(&res)["statuses"][0]["duplicate"].as_bool()), (201, Some(true)));
    assert_eq!(db.count("SELECT COUNT(*) FROM payments WHERE invoice_id = 'F-2026-0917'"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM lifecycle_statuses"), 4);

    let (s, b) =
        call(&db, "POST", "/v1/invoices/F-2026-0917/lifecycle", Some(&json!({ "code": 299, "date": "2026-11-01" })));
    assert_eq!((s, error(&b)), (400, ("unknown_variant", "code")));
    let (_, timeline) = call(&db, "GET", "/v1/invoices/F-2026-0917/timeline", None);
    assert_eq!(timeline["lifecycle"].as_array().map(Vec::len), Some(4), "{timeline}");
}

#[test]
fn the_reminder_of_an_imported_invoice_carries_its_copy() {
    let db = seeded(&sample_ledger(), "standard");
    import(&db, "facturx-F-2026-0917.pdf");
    let pdf = fixture("facturx-F-2026-0917.pdf");
    let http = FakeHttp::default();
    let cfg = config(&[("EMAIL_PROVIDER", "resend"), ("RESEND_API_KEY", "re_test"), ("EMAIL_FROM", "b@acme.test")]);
    // The first reminder's time (2026-10-19, 09:00 in Paris).
    let now = at("2026-10-19T07:00:00Z");
    let clock: &'static SetClock = Box::leak(Box::new(SetClock::at(now)));
    block_on(cron::run(&db, (&http, &db), &cfg, clock, now, "r1")).unwrap();
    let requests = http.requests.borrow();
    let sent: Vec<Value> = requests.iter().map(|r| serde_json::from_str(&r.body).unwrap()).collect();
    let ours: Vec<&Value> = sent.iter().filter(|m| m["to"] == json!(["compta@menuiserie-bellevue.example"])).collect();
    assert_eq!(ours.len(), 1, "{sent:#?}");
    let attachment = &ours[0]["attachments"][0];
    assert_eq!(attachment["filename"], json!("F-2026-0917.pdf"));
    let content = base64::engine::general_purpose::STANDARD.decode(attachment["content"].as_str().unwrap()).unwrap();
    assert!(content == pdf, "the PDF goes out byte for byte");
    assert!(ours[0]["text"].as_str().unwrap().contains("ci-joint"), "{}", ours[0]["text"]);
    // The other debtors' reminders have no document and say none is attached.
    for m in sent.iter().filter(|m| m["to"] != json!(["compta@menuiserie-bellevue.example"])) {
        assert!(m.get("attachments").is_none() && !m["text"].as_str().unwrap().contains("ci-joint"), "{m}");
    }
}

#[test]
fn the_outbox_records_the_copy_and_a_letter_task_lists_it_as_enclosed() {
    let db = seeded(&sample_ledger(), "standard");
    import(&db, "facturx-F-2026-0917.pdf");
    let sha = sha256(&fixture("facturx-F-2026-0917.pdf"));
    let run = |now: &str, id: &str| {
        let clock: &'static SetClock = Box::leak(Box::new(SetClock::at(at(now))));
        block_on(cron::run(&db, (&FakeHttp::default(), &db), &config(&[]), clock, at(now), id)).unwrap()
    };
    run("2026-10-19T07:00:00Z", "r1");
    let attachments: String = db
        .conn
        .query_row("SELECT attachments FROM outbox WHERE recipients LIKE '%menuiserie-bellevue%'", [], |r| r.get(0))
        .unwrap();
    let attachments: Value = serde_json::from_str(&attachments).unwrap();
    assert_eq!(attachments[0]["sha256"], json!(sha));
    assert_eq!(attachments[0]["name"], json!("F-2026-0917.pdf"));
    // The formal letter of 2026-11-09 is a task for a person: it says what to enclose.
    // Its penalties need the ECB rate of 2026-H2, which our sources do not have: a test value.
    let rates = json!({ "extraRates": { "ecb_mro": [{ "from": "2026-07-01", "rate": "2.15" }] } });
    assert_eq!(call(&db, "PUT", "/v1/settings", Some(&rates)).0, 200);
    run("2026-11-09T08:00:00Z", "r2");
    let data: String = db
        .conn
        .query_row("SELECT data FROM tasks WHERE kind = 'letter' AND debtor_id = 'siren-523456789'", [], |r| r.get(0))
        .unwrap();
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["attachments"][0]["sha256"], json!(sha), "{data}");
    assert!(data["message"]["text"].as_str().unwrap().contains("P.J. : copie de la facture n° F-2026-0917"));
}
