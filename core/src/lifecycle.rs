//! The lifecycle statuses of an e-invoice (AFNOR XP Z12-012, exchanged as CDAR messages between
//! the approved platforms), and what each does to the reminders. A status is never a second way of
//! steering the planner: it becomes the ledger fact the planner already obeys (a dispute pauses, a
//! promise holds, a payment or a credit note settles).

use crate::answers::{Promise, PromiseVia};
use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{CreditNote, Dispute, Invoice, Payment};
use crate::money::Amount;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The statuses of XP Z12-012, with their French names (the standard's own words).
pub const STATUSES: [(u16, &str); 18] = [
    (200, "Déposée"),
    (201, "Émise par la plateforme"),
    (202, "Reçue par la plateforme"),
    (203, "Mise à disposition"),
    (204, "Prise en charge"),
    (205, "Approuvée"),
    (206, "Approuvée partiellement"),
    (207, "En litige"),
    (208, "Suspendue"),
    (209, "Complétée"),
    (210, "Refusée"),
    (211, "Paiement transmis"),
    (212, "Encaissée"),
    (213, "Rejetée"),
    (214, "Visée"),
    (220, "Annulée"),
    (221, "Erreur de routage"),
    (501, "Irrecevable"),
];

/// Days a 211 (payment sent) holds the reminders while the money travels, unless set otherwise.
pub const DEFAULT_AWAIT_PAYMENT_DAYS: u32 = 10;

/// A status received for an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LifecycleStatus {
    /// The XP Z12-012 code (207, 212, ...).
    pub code: u16,
    /// The day the status was given.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// Why (the buyer's reason for a dispute, a suspension or a refusal).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reason: String,
    /// For 212: the amount collected (all that is left when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
}

/// The French name of a status code, if the standard has it.
pub fn status_name(code: u16) -> Option<&'static str> {
    STATUSES.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// What a status changes in the ledger, and the work it gives a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum LifecycleChange {
    /// Recorded in the invoice's history only (200-206, 214, 221...).
    Recorded,
    /// A dispute is opened: the reminders pause (207; 208, 210, 213 and 501 with a task).
    Dispute {
        /// The dispute.
        dispute: Dispute,
    },
    /// The open dispute is closed (209, the invoice completed after a suspension).
    DisputeClosed {
        /// The day.
        on: NaiveDate,
    },
    /// The reminders hold until the payment announced has had time to arrive (211).
    Promise {
        /// The promise.
        promise: Promise,
    },
    /// The payment collected (212).
    Payment {
        /// The payment.
        payment: Payment,
    },
    /// The invoice cancelled (220): a credit note for what was left, dated the issue date, so
    /// that nothing was ever late.
    CreditNote {
        /// The credit note.
        credit_note: CreditNote,
    },
}

/// The result of a status: the change, and what a person must do (none for most).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleEffect {
    /// The XP Z12-012 name of the status.
    pub name: &'static str,
    /// What it changes.
    pub change: LifecycleChange,
    /// The task it opens, in words (`None`: no one needs to act).
    pub task: Option<String>,
}

/// What `status` does to `invoice`, as of the status's date.
///
/// # Errors
/// `unknown_variant` (path `code`) for a code the standard does not have; `date_before_issue`;
/// `invalid_answer` for a 209 with no suspension open, or a 212 or 220 on an invoice with nothing
/// left to pay.
pub fn effect(invoice: &Invoice, status: &LifecycleStatus, await_days: u32) -> Result<LifecycleEffect> {
    let name = status_name(status.code).ok_or_else(|| {
        Error::new(ErrorCode::UnknownVariant, "code", format!("{} is not a status of XP Z12-012", status.code))
    })?;
    if status.date < invoice.issue_date {
        return Err(Error::new(ErrorCode::DateBeforeIssue, "date", "a status cannot come before the invoice"));
    }
    let reason = |default: &str| {
        let why = if status.reason.trim().is_empty() { default } else { status.reason.trim() };
        format!("{name} ({}) : {why}", status.code)
    };
    let dispute = |why: String| LifecycleChange::Dispute {
        dispute: Dispute { opened_on: status.date, closed_on: None, reason: why },
    };
    let (change, task) = match status.code {
        207 => (dispute(reason("the buyer disputes the invoice")), None),
        208 => (
            dispute(reason("the buyer asks for more information")),
            Some(format!("Invoice {} suspended by the buyer: send what is asked, then record 209", invoice.number)),
        ),
        209 => (LifecycleChange::DisputeClosed { on: status.date }, None),
        210 | 213 | 501 => (
            dispute(reason("the invoice was refused")),
            Some(format!(
                "Invoice {} {}: correct it or issue a credit note; reminders are stopped",
                invoice.number,
                name.to_lowercase()
            )),
        ),
        211 => (LifecycleChange::Promise { promise: awaited_payment(invoice, status, await_days)? }, None),
        212 => (LifecycleChange::Payment { payment: collected(invoice, status)? }, None),
        220 => (LifecycleChange::CreditNote { credit_note: cancellation(invoice, status)? }, None),
        _ => (LifecycleChange::Recorded, None),
    };
    if status.code == 209 && !invoice.disputes.iter().any(|d| d.closed_on.is_none()) {
        return Err(Error::new(ErrorCode::InvalidAnswer, "code", "209 completes a suspended invoice; none is open"));
    }
    Ok(LifecycleEffect { name, change, task })
}

/// What is still owed on the invoice's face value on the status's day: its total less the
/// payments and credit notes received by then.
fn left_to_pay(invoice: &Invoice, day: NaiveDate) -> Amount {
    let received: rust_decimal::Decimal = crate::ledger::settlements_by_date(&invoice.payments, &invoice.credit_notes)
        .iter()
        .filter(|s| s.date <= day)
        .map(|s| s.amount.value())
        .sum();
    Amount((invoice.total.value() - received).max(rust_decimal::Decimal::ZERO))
}

fn nothing_left(invoice: &Invoice, code: u16) -> Error {
    Error::new(
        ErrorCode::InvalidAnswer,
        "code",
        format!("{code} on invoice {}, which has nothing left to pay", invoice.number),
    )
}

fn awaited_payment(invoice: &Invoice, status: &LifecycleStatus, await_days: u32) -> Result<Promise> {
    let left = left_to_pay(invoice, status.date);
    if !left.is_positive() {
        return Err(nothing_left(invoice, 211));
    }
    let until = status
        .date
        .checked_add_days(chrono::Days::new(u64::from(await_days)))
        .ok_or_else(|| Error::new(ErrorCode::DateOutOfRange, "date", "too late a date"))?;
    Ok(Promise {
        made_on: status.date,
        promised_date: until,
        amount: status.amount.unwrap_or(left),
        via: PromiseVia::Platform,
        note: format!("Paiement transmis (211), attendu sous {await_days} jours"),
    })
}

fn collected(invoice: &Invoice, status: &LifecycleStatus) -> Result<Payment> {
    let left = left_to_pay(invoice, status.date);
    let amount = status.amount.unwrap_or(left);
    if !amount.is_positive() {
        return Err(nothing_left(invoice, 212));
    }
    Ok(Payment { date: status.date, amount, reference: Some("Encaissée (212)".to_owned()) })
}

fn cancellation(invoice: &Invoice, status: &LifecycleStatus) -> Result<CreditNote> {
    let left = left_to_pay(invoice, status.date);
    if !left.is_positive() {
        return Err(nothing_left(invoice, 220));
    }
    Ok(CreditNote { number: Some("Annulée (220)".to_owned()), date: invoice.issue_date, amount: left })
}

/// A status read from a CDAR message, with the invoice it is about.
#[cfg(feature = "einvoice")]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdarStatus {
    /// The invoice's number (`ReferenceReferencedDocument/IssuerAssignedID`).
    pub invoice_number: String,
    /// The seller's SIREN, when the message states it (`IssuerTradeParty/GlobalID`, scheme 0002).
    pub seller_siren: Option<String>,
    /// The status.
    pub status: LifecycleStatus,
}

/// The largest CDAR message read (they are a few kilobytes).
#[cfg(feature = "einvoice")]
pub const MAX_CDAR_BYTES: usize = 1024 * 1024;

/// Deeper than any CDAR message nests (about 8 levels), shallow enough for any parser.
#[cfg(feature = "einvoice")]
const MAX_CDAR_DEPTH: usize = 32;

/// Reads the statuses of a CDAR message (UN/CEFACT CrossDomainAcknowledgementAndResponse, as
/// XP Z12-012 profiles it): one per referenced invoice, in document order.
///
/// # Errors
/// `too_large`; `invalid_einvoice` for a DTD, deep nesting, bad XML or another document;
/// `missing_field` / `invalid_date` / `invalid_amount` naming the referenced document's element.
#[cfg(feature = "einvoice")]
pub fn read_cdar(bytes: &[u8]) -> Result<Vec<CdarStatus>> {
    if bytes.len() > MAX_CDAR_BYTES {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "",
            format!("the largest status message read is {MAX_CDAR_BYTES} bytes"),
        ));
    }
    let invalid = |why: String| Error::new(ErrorCode::InvalidEInvoice, "", why);
    let text = std::str::from_utf8(bytes).map_err(|_| invalid("a status message must be UTF-8".to_owned()))?;
    if nesting(text) > MAX_CDAR_DEPTH {
        return Err(invalid(format!("elements nested deeper than {MAX_CDAR_DEPTH}: not a status message")));
    }
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: 100_000, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| invalid(format!("not XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "CrossDomainAcknowledgementAndResponse" {
        return Err(invalid(format!("expected a CDAR message, found <{}>", root.tag_name().name())));
    }
    let fallback_date = descendant(root, "IssueDateTime").and_then(|n| child_text(n, "DateTimeString"));
    let mut out = Vec::new();
    for (i, reference) in root.descendants().filter(|n| n.has_tag_name_local("ReferenceReferencedDocument")).enumerate()
    {
        let path = format!("referencedDocuments[{i}]");
        out.push(cdar_status(reference, fallback_date.as_deref()).map_err(|e| e.within(&path))?);
    }
    if out.is_empty() {
        return Err(Error::new(ErrorCode::MissingField, "referencedDocuments", "the message names no invoice"));
    }
    Ok(out)
}

#[cfg(feature = "einvoice")]
fn cdar_status(reference: roxmltree::Node<'_, '_>, fallback_date: Option<&str>) -> Result<CdarStatus> {
    let invoice_number = child_text(reference, "IssuerAssignedID")
        .ok_or_else(|| Error::new(ErrorCode::MissingField, "IssuerAssignedID", "the invoice's number is missing"))?;
    let code_text = child_text(reference, "ProcessConditionCode")
        .ok_or_else(|| Error::new(ErrorCode::MissingField, "ProcessConditionCode", "the status code is missing"))?;
    let code: u16 = code_text.parse().map_err(|_| {
        Error::new(ErrorCode::UnknownVariant, "ProcessConditionCode", format!("`{code_text}` is not a status code"))
    })?;
    let status_detail = reference.children().find(|n| n.has_tag_name_local("SpecifiedDocumentStatus"));
    let date_text = status_detail
        .and_then(|s| descendant(s, "ReferenceDateTime"))
        .and_then(|n| child_text(n, "DateTimeString"))
        .or_else(|| fallback_date.map(str::to_owned))
        .ok_or_else(|| Error::new(ErrorCode::MissingField, "ReferenceDateTime", "the status has no date"))?;
    let date = cdar_date(&date_text)?;
    let reason = status_detail
        .map(|s| {
            [child_text(s, "ReasonCode"), child_text(s, "Reason")].into_iter().flatten().collect::<Vec<_>>().join(" ")
        })
        .unwrap_or_default();
    let amount = reference
        .descendants()
        .filter(|n| n.has_tag_name_local("SpecifiedDocumentCharacteristic"))
        .find(|n| child_text(*n, "TypeCode").as_deref() == Some("MEN"))
        .map(|n| {
            let text = descendant(n, "ValueAmount").and_then(|v| v.text()).unwrap_or_default().trim().to_owned();
            Amount::parse(&text, "ValueAmount")
        })
        .transpose()?;
    let seller_siren = reference
        .children()
        .find(|n| n.has_tag_name_local("IssuerTradeParty"))
        .and_then(|p| {
            p.children().find(|n| n.has_tag_name_local("GlobalID") && n.attribute("schemeID") == Some("0002"))
        })
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned());
    Ok(CdarStatus { invoice_number, seller_siren, status: LifecycleStatus { code, date, reason, amount } })
}

/// A CDAR date: format 102 (`CCYYMMDD`) or 204 (`CCYYMMDDHHMMSS`); the day is what counts.
#[cfg(feature = "einvoice")]
fn cdar_date(text: &str) -> Result<NaiveDate> {
    let day = text.get(..8).filter(|_| matches!(text.len(), 8 | 12 | 14) && text.chars().all(|c| c.is_ascii_digit()));
    day.and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok()).ok_or_else(|| {
        Error::new(ErrorCode::InvalidDate, "ReferenceDateTime", format!("`{text}` is not a CCYYMMDD date"))
    })
}

#[cfg(feature = "einvoice")]
trait LocalName {
    fn has_tag_name_local(&self, name: &str) -> bool;
}

#[cfg(feature = "einvoice")]
impl LocalName for roxmltree::Node<'_, '_> {
    fn has_tag_name_local(&self, name: &str) -> bool {
        self.is_element() && self.tag_name().name() == name
    }
}

#[cfg(feature = "einvoice")]
fn descendant<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.descendants().find(|n| n.has_tag_name_local(name))
}

#[cfg(feature = "einvoice")]
fn child_text(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    node.children()
        .find(|n| n.has_tag_name_local(name))
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// How deep elements nest, counted on the text before any parser recurses over it.
#[cfg(feature = "einvoice")]
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'<' {
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'?' | b'!') => {}
            _ => {
                let self_closing = text
                    .get(i..)
                    .and_then(|rest| rest.find('>'))
                    .is_some_and(|end| bytes.get(i + end - 1) == Some(&b'/'));
                if !self_closing {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
        }
    }
    deepest
}
