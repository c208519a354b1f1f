//! Replies by email: the email handler gives each message received here; the core reads it (which
//! reminder, what kind); it is recorded on the reminder's debtor with its audit row and the tasks
//! it gives, once per `Message-ID`. A message that names no known reminder, or cannot be read, is
//! recorded in the audit trail with a task for a person: the handler forwards every message to
//! `REPLY_FORWARD_TO` whatever happens here, so none is lost.

use crate::config::Config;
use crate::db::{Database, DbError};
use crate::store::{self, Answer};
use chrono::{DateTime, Utc};
use relance_core::answers::ReplyKind;
use relance_core::inbound::{read_reply, Inbound};
use relance_core::ledger::Ledger;
use serde::Serialize;
use serde_json::json;

/// What became of a message received.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    /// The debtor whose reminder it answers, when it names a known one.
    pub debtor_id: Option<String>,
    /// What it is.
    pub kind: ReplyKind,
    /// False when the same message (by `Message-ID`) was recorded before.
    pub recorded: bool,
    /// Why it could not be read, if so.
    pub unreadable: Option<String>,
}

/// A message as the email handler hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Mail<'a> {
    /// The whole message.
    pub raw: &'a [u8],
    /// The envelope recipient (our plus-addressed reply-to).
    pub envelope_to: &'a str,
    /// Where it was forwarded, if it was (the audit row says so).
    pub forwarded_to: Option<&'a str>,
}

/// Records a message received at `now`.
pub async fn receive(
    db: &impl Database,
    config: &Config,
    mail: Mail<'_>,
    now: DateTime<Utc>,
) -> Result<Received, DbError> {
    let read = read_reply(mail.raw, mail.envelope_to, now, config.max_inbound_bytes);
    if let Some(id) = &read.message_id {
        // Delivered again (a retry of the sending server): recorded already, with its tasks.
        if store::has_message(db, id).await? {
            return Ok(Received {
                debtor_id: None,
                kind: read.reply.kind,
                recorded: false,
                unreadable: read.unreadable,
            });
        }
    }
    let debtor_id = match &read.key {
        Some(key) => store::delivery_by_key(db, key).await?.map(|d| d.debtor_id),
        None => None,
    };
    let stored = match &debtor_id {
        Some(id) => store::debtor(db, id).await?,
        None => None,
    };
    let creditor = store::creditor(db).await?;
    let (Some(stored), Some(creditor)) = (stored, creditor) else {
        return unmatched(db, &read, mail, now, "it names no reminder of ours").await;
    };
    let id = stored.debtor.id.clone();
    let mut debtor = stored.debtor;
    debtor.replies.push(read.reply.clone());
    let ledger = Ledger { creditor, debtors: vec![debtor], invoices: vec![] };
    let detail = detail(&read, mail);
    let mut stmts = vec![
        store::add_answer(&id, Answer::Reply(&read.reply), read.message_id.as_deref(), now)?,
        store::only_if_changed(store::audit("email", "reply.received", "debtor", &id, &detail, now)),
    ];
    // The core checks the reply with the debtor's others; a reply it would refuse is not
    // recorded on the debtor (the audit row and the forward keep it).
    match ledger.check() {
        Ok(_) => stmts.extend(store::answer_tasks(&ledger, now)?),
        Err(e) => return unmatched(db, &read, mail, now, &format!("not recorded: {e}")).await,
    }
    let changes = db.batch(stmts).await?;
    Ok(Received {
        debtor_id: Some(id),
        kind: read.reply.kind,
        recorded: store::went_in(changes.first()),
        unreadable: read.unreadable,
    })
}

fn detail(read: &Inbound, mail: Mail<'_>) -> serde_json::Value {
    json!({
        "forwardedTo": mail.forwarded_to,
        "key": read.key,
        "kind": read.reply.kind,
        "summary": read.reply.summary,
        "messageId": read.message_id,
        "bytes": mail.raw.len(),
        "unreadable": read.unreadable,
        "address": read.reply.address,
    })
}

/// A message that answers no reminder we know (or that the core would not record on its debtor):
/// an audit row and a task to read it (once per `Message-ID`, or per arrival time without one).
async fn unmatched(
    db: &impl Database,
    read: &Inbound,
    mail: Mail<'_>,
    now: DateTime<Utc>,
    why: &str,
) -> Result<Received, DbError> {
    let id = read.message_id.clone().unwrap_or_else(|| store::ts(now));
    let mut detail = detail(read, mail);
    if let Some(d) = detail.as_object_mut() {
        d.insert("why".into(), why.into());
    }
    let data = detail.to_string();
    let changes = db
        .batch(vec![
            store::add_task(
                &format!("read_unmatched_reply:{id}"),
                "read_reply",
                "",
                &now.date_naive().to_string(),
                &data,
                now,
            ),
            store::only_if_changed(store::audit("email", "reply.unmatched", "reply", &id, &detail, now)),
        ])
        .await?;
    Ok(Received {
        debtor_id: None,
        kind: read.reply.kind,
        recorded: store::went_in(changes.first()),
        unreadable: read.unreadable.clone(),
    })
}
