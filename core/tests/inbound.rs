//! Replies to reminders read from real-shaped messages (`tests/fixtures/email`): which reminder
//! they answer and what they are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use chrono::{TimeZone, Utc};
use relance_core::answers::ReplyKind;
use relance_core::inbound::{read_reply, reply_key, reply_to_address, Inbound};
use relance_core::ledger::Email;

const KEY: &str = "rl_00000000000000000000000000000000";
const TO: &str = "relances+rl_00000000000000000000000000000000@atelier-durand.example";
const MAX: usize = 256 * 1024;

fn read(name: &str) -> Inbound {
    let path = format!("{}/../tests/fixtures/email/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(path).unwrap();
    read_reply(&raw, TO, Utc.with_ymd_and_hms(2026, 11, 24, 9, 15, 0).unwrap(), MAX)
}

#[test]
fn each_fixture_is_read_as_what_it_is() {
    let cases = [
        ("human-fr.eml", ReplyKind::Human, "Re: Facture n° F-2026-1041 - rappel"),
        ("ooo-fr.eml", ReplyKind::AutoReply, "Réponse automatique : Facture n° F-2026-1041"),
        ("ooo-en.eml", ReplyKind::AutoReply, "Automatic reply: Invoice F-2026-1060"),
        ("ooo-de.eml", ReplyKind::AutoReply, "Abwesenheitsnotiz: Rechnung F-2026-1058"),
        ("dsn-bounce.eml", ReplyKind::Bounce, "Undelivered Mail Returned to Sender"),
        ("html-only.eml", ReplyKind::Human, "RE: Votre facture"),
        ("with-attachment.eml", ReplyKind::Human, "Re: Facture n° F-2026-1041 - preuve de virement"),
    ];
    for (name, kind, summary) in cases {
        let read = read(name);
        assert_eq!((read.reply.kind, read.reply.summary.as_str()), (kind, summary), "{name}");
        assert_eq!(read.key.as_deref(), Some(KEY), "{name}");
        assert_eq!(read.reply.answers.as_deref(), Some(KEY), "{name}");
        assert!(read.message_id.is_some() && read.unreadable.is_none(), "{name}");
    }
    // The failed recipient of the report is the address that bounced.
    assert_eq!(read("dsn-bounce.eml").reply.address.unwrap().as_str(), "factures@brasserie-du-parc.example");
}

#[test]
fn what_cannot_be_read_is_unreadable_never_an_error() {
    let malformed = read("malformed.eml");
    assert_eq!(malformed.reply.kind, ReplyKind::Unreadable);
    assert_eq!(malformed.key.as_deref(), Some(KEY), "the envelope still says which reminder");
    let why = malformed.unreadable.unwrap();
    assert!(why.contains("no header") || why.contains("no sender"), "{why}");
    // Too large: not parsed at all.
    let mut big =
        std::fs::read(format!("{}/../tests/fixtures/email/human-fr.eml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    big.extend(std::iter::repeat_n(b'x', MAX));
    let oversized = read_reply(&big, TO, Utc.with_ymd_and_hms(2026, 11, 24, 9, 15, 0).unwrap(), MAX);
    assert_eq!(oversized.reply.kind, ReplyKind::Unreadable);
    assert!(oversized.unreadable.unwrap().contains("more than"));
    // Whatever the bytes, an answer (the property the email handler relies on).
    for len in [0, 1, 2, 10, 100] {
        let noise: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
        let _ = read_reply(&noise, "x@y", Utc.with_ymd_and_hms(2026, 11, 24, 9, 15, 0).unwrap(), MAX);
    }
}

#[test]
fn the_reply_to_address_carries_the_key_and_gives_it_back() {
    let base = Email::new("relances@atelier-durand.example").unwrap();
    let address = reply_to_address(&base, KEY);
    assert_eq!(address, TO);
    assert_eq!(reply_key(&address).as_deref(), Some(KEY));
    assert_eq!(reply_key(&format!("<{address}>")).as_deref(), Some(KEY));
    for other in ["relances@atelier-durand.example", "a+b@c.example", "a+rl_12@c.example", "no-at-sign"] {
        assert_eq!(reply_key(other), None, "{other}");
    }
}
