//! Replies by email, natively: each `.eml` fixture handed to the email handler's logic, recorded
//! on the debtor of the reminder it answers (found by the key of the plus-address), once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod support;

use relance_core::answers::ReplyKind;
use relance_worker::inbound::{receive, Mail, Received};
use serde_json::json;
use support::*;

/// The key of a reminder sent to the brasserie (a delivery row, as a run leaves it).
const KEY: &str = "rl_0123456789abcdef0123456789abcdef";
const FIXTURE_KEY: &str = "rl_00000000000000000000000000000000";

fn fixture(name: &str, key: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/email/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(path).unwrap();
    match String::from_utf8(raw.clone()) {
        Ok(text) => text.replace(FIXTURE_KEY, key).into_bytes(),
        Err(_) => raw,
    }
}

fn seeded_with_delivery() -> Sqlite {
    let ledger = sample_ledger();
    let db = seeded(&ledger, "standard");
    let sent = json!([{ "key": KEY, "sentAt": "2026-11-23T08:00:00Z", "items": [{ "invoiceId": "inv-1041", "stepId": "reminder-2" }] }]);
    record_sent_log(&db, &ledger, &sent);
    db
}

fn deliver(db: &Sqlite, cfg: &relance_worker::config::Config, raw: &[u8], key: &str) -> Received {
    let to = format!("relances+{key}@atelier-durand.example");
    let mail = Mail { raw, envelope_to: &to, forwarded_to: Some("compta@atelier-durand.example") };
    block_on(receive(db, cfg, mail, at("2026-11-24T09:15:00Z"))).unwrap()
}

#[test]
fn each_reply_is_recorded_on_its_debtor_once() {
    let db = seeded_with_delivery();
    let cfg = config(&[]);
    let cases = [
        ("human-fr.eml", ReplyKind::Human),
        ("ooo-fr.eml", ReplyKind::AutoReply),
        ("ooo-en.eml", ReplyKind::AutoReply),
        ("ooo-de.eml", ReplyKind::AutoReply),
        ("html-only.eml", ReplyKind::Human),
        ("with-attachment.eml", ReplyKind::Human),
        ("malformed.eml", ReplyKind::Unreadable),
        ("dsn-bounce.eml", ReplyKind::Bounce),
    ];
    for (name, kind) in cases {
        let received = deliver(&db, &cfg, &fixture(name, KEY), KEY);
        assert_eq!(
            (received.debtor_id.as_deref(), received.kind, received.recorded),
            (Some("d-brasserie"), kind, true),
            "{name}"
        );
        // The same message delivered again is recorded once.
        assert!(!deliver(&db, &cfg, &fixture(name, KEY), KEY).recorded, "{name}");
    }
    let (_, list) = call(&db, "GET", "/v1/replies?debtorId=d-brasserie", None);
    // The sample ledger's own reply, and the eight above.
    assert_eq!(list["replies"].as_array().unwrap().len(), 9, "{list}");
    assert_eq!(db.count("SELECT COUNT(*) FROM audit WHERE action = 'reply.received'"), 8);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM audit WHERE action = 'reply.received' AND json_extract(detail, '$.forwardedTo') IS NOT NULL"),
        8
    );
    // A person reads each human or unreadable one: 4 here, and the sample ledger's.
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE kind = 'read_reply' AND debtor_id = 'd-brasserie'"), 5);
    // The bounce: the address is bad, a task asks for a good one, and the next email step of
    // the brasserie (which has a postal address) goes as a letter.
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE kind = 'fix_email'"), 1);
    let (_, tl) = call(&db, "GET", "/v1/invoices/inv-1063/timeline?asOf=2026-11-24", None);
    let later: Vec<_> = tl["timeline"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["date"].as_str().unwrap() > "2026-11-24" && s["kind"] == "policy_step")
        .map(|s| (s["stepId"].as_str().unwrap().to_owned(), s["channel"].as_str().unwrap().to_owned()))
        .collect();
    assert!(later.iter().all(|(_, channel)| channel != "email"), "{later:?}");
    assert!(later.iter().any(|(id, channel)| id == "reminder-1" && channel == "letter"), "{later:?}");
}

#[test]
fn a_reply_that_names_no_known_reminder_or_is_too_large_is_kept_for_a_person() {
    let db = seeded_with_delivery();
    let small = config(&[("MAX_INBOUND_BYTES", "1024")]);
    let unknown = "rl_ffffffffffffffffffffffffffffffff";
    let received = deliver(&db, &small, &fixture("human-fr.eml", unknown), unknown);
    assert_eq!((received.debtor_id, received.recorded), (None, true));
    assert_eq!(db.count("SELECT COUNT(*) FROM tasks WHERE id LIKE 'read_unmatched_reply:%'"), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM audit WHERE action = 'reply.unmatched'"), 1);
    // Larger than MAX_INBOUND_BYTES: not parsed, recorded as unreadable on its debtor.
    let mut big = fixture("with-attachment.eml", KEY);
    big.extend(std::iter::repeat_n(b'A', 2048));
    let received = deliver(&db, &small, &big, KEY);
    assert_eq!((received.debtor_id.as_deref(), received.kind), (Some("d-brasserie"), ReplyKind::Unreadable));
    assert!(received.unreadable.unwrap().contains("more than the 1024"));
}
