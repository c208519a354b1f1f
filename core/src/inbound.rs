//! Reading what a debtor sends back to a reminder (feature `inbound`, for the worker's email
//! handler): which reminder it answers (the key carried by the plus-address of the reply-to), and
//! what it is: a person's reply, an automatic reply (RFC 3834 `Auto-Submitted`, `X-Autoreply`,
//! `Precedence`, the usual subjects in French, English and German), a delivery failure report
//! (RFC 3464 `multipart/report`), or a message that cannot be read. MIME is parsed by
//! `mail-parser`; the text is never trusted: a message too large or not MIME is "unreadable",
//! never an error, so that the caller records it and forwards it all the same.

use crate::answers::{Reply, ReplyChannel, ReplyKind};
use crate::ledger::Email;
use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders};

/// What a reply is, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// The key of the reminder it answers (from the plus-address it was sent to), when it has one.
    pub key: Option<String>,
    /// The reply to record (its `answers` is `key`).
    pub reply: Reply,
    /// The message's own `Message-ID`, to record it once however often it is delivered.
    pub message_id: Option<String>,
    /// Why it could not be read, for an unreadable one.
    pub unreadable: Option<String>,
}

/// The longest summary kept of a reply (its subject, cleaned).
const MAX_SUMMARY_CHARS: usize = 200;

/// The address replies to the reminder `key` go to: `base`'s local part, `+`, the key
/// (`relances@acme.example` -> `relances+rl_0123...@acme.example`).
pub fn reply_to_address(base: &Email, key: &str) -> String {
    match base.as_str().rsplit_once('@') {
        Some((local, domain)) => format!("{local}+{key}@{domain}"),
        None => base.as_str().to_owned(),
    }
}

/// The reminder key an address carries after `+` in its local part (`rl_` and 32 hex digits).
pub fn reply_key(address: &str) -> Option<String> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _) = address.rsplit_once('@')?;
    let (_, key) = local.split_once('+')?;
    let hex = key.strip_prefix("rl_")?;
    (hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| key.to_ascii_lowercase())
}

/// Reads a message received at `received_at`, sent to `envelope_to`; one larger than `max_bytes`
/// is not parsed.
pub fn read_reply(raw: &[u8], envelope_to: &str, received_at: DateTime<Utc>, max_bytes: usize) -> Inbound {
    let mut key = reply_key(envelope_to);
    let unreadable = |key: Option<String>, why: String| Inbound {
        reply: Reply {
            received_at,
            channel: ReplyChannel::Email,
            kind: ReplyKind::Unreadable,
            answers: key.clone(),
            address: None,
            summary: String::new(),
        },
        key,
        message_id: None,
        unreadable: Some(why),
    };
    if raw.len() > max_bytes {
        return unreadable(key, format!("{} bytes, more than the {max_bytes} read", raw.len()));
    }
    let Some(message) = MessageParser::default().parse(raw) else {
        return unreadable(key, "not a mail message (no header)".into());
    };
    if message.from().and_then(|f| f.first()).and_then(|a| a.address()).is_none() {
        return unreadable(key, "no sender (From)".into());
    }
    if key.is_none() {
        // Forwarded by a rule or sent to the plain address: the To header may still carry it.
        key = message.to().and_then(|to| to.iter().filter_map(|a| a.address()).find_map(reply_key));
    }
    let subject = message.subject().unwrap_or_default();
    let (kind, address) = match delivery_failure(&message) {
        Some(Failure::Failed(address)) => (ReplyKind::Bounce, address),
        Some(Failure::Delayed) => (ReplyKind::AutoReply, None),
        None if is_automatic(message.headers_raw(), subject) => (ReplyKind::AutoReply, None),
        None => (ReplyKind::Human, None),
    };
    Inbound {
        reply: Reply {
            received_at,
            channel: ReplyChannel::Email,
            kind,
            answers: key.clone(),
            address,
            summary: summary(subject),
        },
        key,
        message_id: message.message_id().map(str::to_owned),
        unreadable: None,
    }
}

/// The subject on one line, without control characters, at most `MAX_SUMMARY_CHARS`.
fn summary(subject: &str) -> String {
    let clean: String = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    clean.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_SUMMARY_CHARS).collect()
}

/// Subject openings of out-of-office and other automatic replies (lower case).
const AUTOMATIC_SUBJECTS: [&str; 14] = [
    "automatic reply",
    "auto:",
    "autoreply",
    "auto-reply",
    "out of office",
    "out of the office",
    "réponse automatique",
    "reponse automatique",
    "absent du bureau",
    "absence du bureau",
    "abwesenheitsnotiz",
    "automatische antwort",
    "abwesend",
    "ich bin nicht im büro",
];

/// True for a message a program sent (RFC 3834 and the usual non-standard headers), or whose
/// subject says it is an automatic reply.
fn is_automatic<'a>(mut headers: impl Iterator<Item = (&'a str, &'a str)>, subject: &str) -> bool {
    let by_header = headers.any(|(name, value)| {
        let value = value.trim().to_ascii_lowercase();
        match name.to_ascii_lowercase().as_str() {
            "auto-submitted" => value != "no",
            "x-autoreply" | "x-autorespond" | "x-autoresponder" => true,
            "precedence" => matches!(value.as_str(), "auto_reply" | "bulk" | "junk" | "list"),
            _ => false,
        }
    });
    let subject = subject.trim().to_lowercase();
    by_header || AUTOMATIC_SUBJECTS.iter().any(|s| subject.starts_with(s))
}

enum Failure {
    /// Delivery failed for good, to this address when the report says which.
    Failed(Option<Email>),
    /// Delivery is only delayed: a notice, not a failure.
    Delayed,
}

/// Subject openings of failure reports that are not RFC 3464 (lower case).
const FAILURE_SUBJECTS: [&str; 7] = [
    "undelivered mail returned to sender",
    "delivery status notification (failure)",
    "mail delivery failed",
    "undeliverable:",
    "non remis",
    "unzustellbar",
    "returned mail",
];

/// What a delivery report says: RFC 3464 (`multipart/report; report-type=delivery-status`, one
/// `message/delivery-status` part with an `Action` and a `Final-Recipient` per recipient), or, for
/// reports of older servers, a mailer daemon's failure subject.
fn delivery_failure(message: &mail_parser::Message<'_>) -> Option<Failure> {
    let is_report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct.attribute("report-type").is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    if is_report {
        let status = message.parts.iter().find(|p| {
            p.content_type().is_some_and(|ct| {
                ct.ctype().eq_ignore_ascii_case("message")
                    && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
            })
        })?;
        return Some(read_delivery_status(&String::from_utf8_lossy(status.contents())));
    }
    let subject = message.subject().unwrap_or_default().trim().to_lowercase();
    let sender = message.from().and_then(|f| f.first()).and_then(|a| a.address()).unwrap_or_default().to_lowercase();
    let daemon = sender.starts_with("mailer-daemon@") || sender.starts_with("postmaster@");
    (daemon && FAILURE_SUBJECTS.iter().any(|s| subject.starts_with(s))).then_some(Failure::Failed(None))
}

fn address_of(field: &str) -> Option<Email> {
    Email::new(field.split_once(';').map_or(field, |(_, a)| a).trim()).ok()
}

/// The per-recipient fields of a `message/delivery-status` body: a failure (`Action: failed`, or a
/// 5.x.x status) with its final recipient, else a delay.
fn read_delivery_status(body: &str) -> Failure {
    let mut recipient: Option<Email> = None;
    let mut failed: Option<Option<Email>> = None;
    for line in body.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            // `rfc822; name@domain`; the final recipient is the one that failed.
            "final-recipient" => recipient = address_of(value),
            "original-recipient" if recipient.is_none() => recipient = address_of(value),
            "action" if value.eq_ignore_ascii_case("failed") => {
                failed.get_or_insert(recipient.clone());
            }
            "status" if value.starts_with('5') => {
                failed.get_or_insert(recipient.clone());
            }
            _ => {}
        }
    }
    match failed {
        Some(address) => Failure::Failed(address.or(recipient)),
        None => Failure::Delayed,
    }
}
