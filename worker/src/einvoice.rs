//! E-invoices in, over the API: a Factur-X PDF or a UBL / CII document becomes a debtor and an
//! invoice (or a credit note on one), its original kept in R2 to be attached to the reminders; the
//! lifecycle statuses of XP Z12-012 (posted one by one, or as CDAR messages) become the ledger facts
//! the planner already obeys. The core reads and decides; this module stores, in one batch each.

use crate::api::{self, ApiError, ApiRequest, ApiResult, Part, Served};
use crate::blobs::{document_key, sha256_hex, Blobs};
use crate::config::Config;
use crate::db::Database;
use crate::store::{self, Attachment, Replaces, StoredDebtor, Which};
use chrono::{DateTime, Utc};
use relance_core::einvoice::{self, EInvoiceFormat, EInvoiceKind, ImportOutcome};
use relance_core::ledger::{Invoice, Ledger};
use relance_core::lifecycle::{self, LifecycleChange, LifecycleStatus};
use relance_core::{Error, ErrorCode};
use serde_json::{json, Value};

/// A core refusal of a document, with the status that says whose fault it is.
fn refused(e: Error) -> ApiError {
    let status = match e.code() {
        ErrorCode::Conflict => 409,
        ErrorCode::TooLarge => 413,
        ErrorCode::NotCreditor => 422,
        _ => 400,
    };
    ApiError::new(status, e.code().as_str(), e.path(), e.message())
}

/// The media type of a document upload, or a 415.
fn media_type(req: &ApiRequest) -> Result<&'static str, ApiError> {
    let ct = req.headers.get("content-type").map(String::as_str).unwrap_or("");
    match ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
        "application/pdf" => Ok("application/pdf"),
        "application/xml" | "text/xml" => Ok("application/xml"),
        _ => Err(ApiError::new(
            415,
            "unsupported_media_type",
            "",
            "send the invoice as `Content-Type: application/pdf` (Factur-X) or `application/xml` (UBL, CII)",
        )),
    }
}

fn format_name(format: EInvoiceFormat) -> &'static str {
    match format {
        EInvoiceFormat::FacturX => "factur_x",
        EInvoiceFormat::Ubl => "ubl",
        EInvoiceFormat::Cii => "cii",
    }
}

/// `POST /v1/import/einvoice`: reads the document, checks it against the creditor and the stored
/// ledger, stores the original in R2 (by its hash) and then, in one batch, the debtor, the invoice
/// or its credit note, the document's rows and the audit row. A refusal stores nothing in D1.
pub(crate) async fn import(db: &impl Database, blobs: &impl Blobs, req: &ApiRequest, now: DateTime<Utc>) -> ApiResult {
    let content_type = media_type(req)?;
    let doc = einvoice::read(&req.raw).map_err(refused)?;
    let decided = decide(db, &doc, now).await?;
    let extension = if content_type == "application/pdf" { "pdf" } else { "xml" };
    let attachment = Attachment {
        invoice_id: decided.imported.invoice.id.clone(),
        name: format!("{}.{extension}", doc.number.replace(['/', '\\', '"'], "-")),
        content_type: content_type.to_owned(),
        sha256: sha256_hex(&req.raw),
        size: i64::try_from(req.raw.len()).unwrap_or(i64::MAX),
    };
    blobs
        .put(&document_key(&attachment.sha256), req.raw.clone())
        .await
        .map_err(|e| ApiError::new(503, "storage", "", e.to_string()))?;
    write(db, &doc, &decided, &attachment, now).await?;
    let imported = &decided.imported;
    let status = if imported.outcome == ImportOutcome::Created { 201 } else { 200 };
    let (_, invoice) = api::get_invoice(db, &imported.invoice.id, now.date_naive()).await?;
    api::ok(
        status,
        &json!({
            "outcome": imported.outcome, "debtorId": imported.debtor.id, "newDebtor": imported.new_debtor,
            "document": attachment, "notices": imported.notices, "einvoice": doc, "invoice": invoice,
        }),
    )
}

/// What an import writes: the core's decision, the debtor with its policy, whether the invoice is
/// open, and which stored version it replaces.
struct Decided {
    imported: einvoice::EInvoiceImport,
    debtor: StoredDebtor,
    debtor_changed: bool,
    open: bool,
    replaces: Replaces,
}

/// The core's decision on the stored ledger, checked as any invoice the API takes is.
async fn decide(db: &impl Database, doc: &einvoice::EInvoice, now: DateTime<Utc>) -> Result<Decided, ApiError> {
    let creditor = api::creditor_or_409(db).await?;
    let debtors = store::debtors(db).await?;
    let ledger = Ledger {
        creditor,
        debtors: debtors.iter().map(|d| d.debtor.clone()).collect(),
        invoices: store::invoices(db, Which::All).await?,
    };
    let mut imported = einvoice::import(doc, &ledger).map_err(refused)?;
    let stored = debtors.into_iter().find(|d| d.debtor.id == imported.debtor.id);
    let debtor =
        StoredDebtor { debtor: imported.debtor.clone(), policy_id: stored.as_ref().and_then(|d| d.policy_id.clone()) };
    let debtor_changed = stored.as_ref().map(|d| &d.debtor) != Some(&debtor.debtor);
    let replaces = match imported.outcome {
        ImportOutcome::Created => Replaces::Nothing,
        ImportOutcome::Unchanged => Replaces::Latest,
        // The credit note goes on the invoice as stored now: any write after this read is a 409.
        ImportOutcome::CreditNoteAdded => {
            let id = imported.invoice.id.clone();
            let version = store::invoice_version(db, &id).await?.ok_or_else(|| ApiError::not_found("invoice", &id))?;
            let added = imported.invoice.credit_notes.last().cloned();
            imported.invoice = api::load_invoice(db, &id).await?;
            imported.invoice.credit_notes.extend(added);
            Replaces::Version(version)
        }
    };
    let open = api::check_invoice_of(db, &imported.invoice, &debtor, now.date_naive()).await?;
    Ok(Decided { imported, debtor, debtor_changed, open, replaces })
}

/// One batch: the debtor (when new or completed), the invoice (unless unchanged), the document's
/// rows and the audit row.
async fn write(
    db: &impl Database,
    doc: &einvoice::EInvoice,
    decided: &Decided,
    attachment: &Attachment,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let imported = &decided.imported;
    let mut stmts = Vec::new();
    if decided.debtor_changed {
        stmts.extend(store::put_debtor(&decided.debtor, now)?);
    }
    if imported.outcome != ImportOutcome::Unchanged {
        stmts.extend(store::put_invoice(&imported.invoice, decided.open, decided.replaces, now)?);
    }
    let kind = if doc.kind == EInvoiceKind::CreditNote { "credit_note" } else { "invoice" };
    stmts.extend(store::put_document(attachment, format_name(doc.format), kind, &doc.number, now));
    let detail = json!({
        "document": attachment, "format": doc.format, "kind": doc.kind, "number": doc.number,
        "outcome": imported.outcome, "newDebtor": imported.new_debtor, "notices": imported.notices,
        "warnings": doc.warnings,
    });
    stmts.push(store::audit("api", "invoice.einvoice_imported", "invoice", &imported.invoice.id, &detail, now));
    db.batch(stmts).await?;
    Ok(())
}

/// `GET /v1/invoices/{id}/document`: the original of the invoice, as imported.
pub(crate) async fn document(db: &impl Database, blobs: &impl Blobs, id: &str) -> Result<Served, ApiError> {
    api::load_invoice(db, id).await?;
    let attachment = store::invoice_documents(db, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::new(404, "not_found", "", format!("invoice `{id}` has no document")))?;
    let bytes = blobs
        .get(&document_key(&attachment.sha256))
        .await
        .map_err(|e| ApiError::new(503, "storage", "", e.to_string()))?
        .ok_or_else(|| {
            ApiError::new(500, "storage", "", format!("the document of invoice `{id}` is missing from R2"))
        })?;
    Ok(Served::File { content_type: attachment.content_type, name: attachment.name, bytes })
}

/// `POST /v1/invoices/{id}/lifecycle` (and each status of a CDAR message): the status's row, its
/// task and audit row, and the ledger fact it becomes, in one batch. The same status again changes
/// nothing (200, `duplicate`).
pub(crate) async fn record_status(
    db: &impl Database,
    config: &Config,
    id: &str,
    status: &LifecycleStatus,
    source: &str,
    now: DateTime<Utc>,
) -> ApiResult {
    let invoice = api::load_invoice(db, id).await?;
    if store::has_lifecycle(db, id, status).await? {
        let (_, view) = api::get_invoice(db, id, now.date_naive()).await?;
        return api::ok(200, &json!({ "duplicate": true, "invoice": view }));
    }
    let effect = lifecycle::effect(&invoice, status, config.lifecycle_await_days)?;
    let paused_already = invoice.disputes.iter().any(|d| d.closed_on.is_none());
    let change = match effect.change {
        // A second pause (208 after 207...) is recorded; the open dispute already holds the path.
        LifecycleChange::Dispute { .. } if paused_already => LifecycleChange::Recorded,
        other => other,
    };
    let mut extra = vec![store::add_lifecycle(id, status, source, now)?];
    if let Some(task) = &effect.task {
        let key = format!("lifecycle:{id}:{}:{}", status.code, status.date);
        let data =
            json!({ "invoiceId": id, "code": status.code, "name": effect.name, "reason": status.reason, "task": task });
        extra.push(store::add_task(
            &key,
            "lifecycle",
            &invoice.debtor_id,
            &status.date.to_string(),
            &data.to_string(),
            now,
        ));
    }
    let detail = json!({ "code": status.code, "name": effect.name, "date": status.date, "reason": status.reason,
        "amount": status.amount, "source": source, "change": change });
    extra.push(store::audit(source, "lifecycle.received", "invoice", id, &detail, now));
    let view = apply(db, id, change.clone(), extra, now).await?;
    api::ok(
        201,
        &json!({ "lifecycle": { "code": status.code, "name": effect.name }, "change": change, "task": effect.task,
            "invoice": view }),
    )
}

/// Writes the ledger fact a status becomes, with `extra` (the status's row, task and audit row) in
/// the same batch; answers the invoice as it is then.
async fn apply(
    db: &impl Database,
    id: &str,
    change: LifecycleChange,
    extra: Vec<crate::db::Stmt>,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let part = match change {
        LifecycleChange::Recorded => {
            db.batch(extra).await?;
            return Ok(api::get_invoice(db, id, now.date_naive()).await?.1);
        }
        LifecycleChange::CreditNote { credit_note } => {
            let version = store::invoice_version(db, id).await?.ok_or_else(|| ApiError::not_found("invoice", id))?;
            let mut cancelled: Invoice = api::load_invoice(db, id).await?;
            cancelled.credit_notes.push(credit_note);
            let open = api::check_invoice(db, &cancelled, now.date_naive()).await?;
            let mut stmts = store::put_invoice(&cancelled, open, Replaces::Version(version), now)?;
            stmts.extend(extra);
            db.batch(stmts).await?;
            return Ok(api::get_invoice(db, id, now.date_naive()).await?.1);
        }
        LifecycleChange::Dispute { dispute } => Part::Dispute(dispute),
        LifecycleChange::DisputeClosed { on } => Part::DisputeClosed(on),
        LifecycleChange::Promise { promise } => Part::Promise(promise),
        LifecycleChange::Payment { payment } => Part::Payment(payment),
    };
    Ok(api::change_part_with(db, id, now, part, extra).await?.1)
}

/// `POST /v1/import/lifecycle`: a CDAR message (XML). Every status is checked first (its invoice
/// stored, the seller the creditor, the status possible); then each is recorded as one post.
pub(crate) async fn import_cdar(
    db: &impl Database,
    config: &Config,
    req: &ApiRequest,
    now: DateTime<Utc>,
) -> ApiResult {
    media_type(req).and_then(|t| {
        if t == "application/xml" {
            Ok(())
        } else {
            Err(ApiError::new(415, "unsupported_media_type", "", "a CDAR message is XML"))
        }
    })?;
    let statuses = lifecycle::read_cdar(&req.raw).map_err(refused)?;
    let creditor = api::creditor_or_409(db).await?;
    let (_, siren) = einvoice::creditor_registration(&creditor);
    let invoices = store::invoices(db, Which::All).await?;
    let mut targets = Vec::new();
    for (i, s) in statuses.iter().enumerate() {
        let path = format!("referencedDocuments[{i}]");
        if let (Some(theirs), Some(ours)) = (&s.seller_siren, &siren) {
            if theirs != ours {
                return Err(ApiError::new(
                    422,
                    "not_creditor",
                    &format!("{path}.IssuerTradeParty"),
                    format!("the status is about an invoice of SIREN {theirs}, not of {}", creditor.name),
                ));
            }
        }
        let invoice = invoices.iter().find(|inv| inv.number == s.invoice_number).ok_or_else(|| {
            ApiError::new(
                404,
                "unknown_reference",
                &format!("{path}.IssuerAssignedID"),
                format!("no invoice {}", s.invoice_number),
            )
        })?;
        lifecycle::effect(invoice, &s.status, config.lifecycle_await_days).map_err(|e| refused(e.within(&path)))?;
        targets.push(invoice.id.clone());
    }
    let source = format!("cdar:{}", sha256_hex(&req.raw).get(..16).unwrap_or_default());
    let mut recorded: Vec<Value> = Vec::new();
    for (s, id) in statuses.iter().zip(&targets) {
        let (_, answer) = record_status(db, config, id, &s.status, &source, now).await?;
        recorded.push(json!({ "invoiceId": id, "code": s.status.code, "change": answer.get("change"),
            "duplicate": answer.get("duplicate").is_some() }));
    }
    api::ok(201, &json!({ "statuses": recorded }))
}
