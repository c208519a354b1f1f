//! Electronic invoices in: EN 16931 documents (Factur-X / ZUGFeRD PDF, UBL 2.1, UN/CEFACT CII)
//! read into the facts a reminder needs, then into the ledger (a debtor, an invoice or a credit
//! note). The syntaxes are read by `en16931-formats` (its XML parser refuses any DTD, so external
//! entities and entity expansion cannot happen, and refuses nesting deeper than 64); this module
//! bounds the size, picks the fields, and checks the document against the creditor and the ledger.

use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{Address, CreditNote, Debtor, DebtorContacts, DebtorKind, Email, Invoice, Ledger};
use crate::money::{Amount, Currency};
use chrono::NaiveDate;
use en16931_formats::zugferd;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest document read (a Factur-X PDF with its rendering; an XML invoice is far smaller).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// What a PDF may inflate to while its embedded invoice is looked for: a few times the largest
/// document, far below what would exhaust a Worker's 128 MB.
const PDF_LIMITS: zugferd::Limits =
    zugferd::Limits::new().with_max_stream_bytes(16 << 20).with_max_total_bytes(32 << 20).with_max_objects(10_000);

/// The syntax a document came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EInvoiceFormat {
    /// A PDF/A-3 with its CII invoice embedded (Factur-X, ZUGFeRD).
    FacturX,
    /// OASIS UBL 2.1.
    Ubl,
    /// UN/CEFACT Cross Industry Invoice D16B.
    Cii,
}

/// Invoice or credit note (BT-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EInvoiceKind {
    /// An invoice (type codes 380, 384, 389, ...).
    Invoice,
    /// A credit note (type codes 381, 261, ...).
    CreditNote,
}

/// A seller or a buyer as the document states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct EParty {
    /// BT-27 / BT-44.
    pub name: String,
    /// SIREN (9 digits): from BT-30 / BT-47 (scheme 0002), a SIRET, or a French VAT number.
    pub siren: Option<String>,
    /// SIRET (14 digits, scheme 0009), when stated.
    pub siret: Option<String>,
    /// BT-31 / BT-48.
    pub vat_id: Option<String>,
    /// BG-5 / BG-8.
    pub address: Option<Address>,
    /// BT-43 / BT-58 (the contact's email).
    pub email: Option<String>,
    /// BT-34 / BT-49 (the electronic address, e.g. a Peppol id).
    pub electronic_address: Option<String>,
}

/// What Relance reads from an EN 16931 document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable, rename = "EInvoice"))]
#[serde(rename_all = "camelCase")]
pub struct EInvoice {
    /// The syntax it came in.
    pub format: EInvoiceFormat,
    /// BT-24, the specification it claims (`urn:cen.eu:en16931:2017`, a Factur-X profile...).
    pub profile: Option<String>,
    /// Invoice or credit note.
    pub kind: EInvoiceKind,
    /// BT-3.
    pub type_code: Option<String>,
    /// BT-1.
    pub number: String,
    /// BT-2.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub issue_date: NaiveDate,
    /// BT-9.
    #[serde(default, deserialize_with = "crate::date::de_opt", serialize_with = "crate::date::ser_opt")]
    pub due_date: Option<NaiveDate>,
    /// BT-20, as written.
    pub payment_terms: Option<String>,
    /// BT-25: the invoices a credit note corrects.
    pub preceding_invoices: Vec<String>,
    /// BG-4.
    pub seller: EParty,
    /// BG-7.
    pub buyer: EParty,
    /// BT-5.
    pub currency: String,
    /// BT-112, the total with VAT.
    pub total: Amount,
    /// BT-113, paid before the invoice was issued (zero when absent).
    pub prepaid: Amount,
    /// BT-115, the amount due.
    pub amount_due: Amount,
    /// BT-84, the account to pay into.
    pub iban: Option<String>,
    /// BT-86.
    pub bic: Option<String>,
    /// The notes that state penalty and indemnity clauses (BT-21 subject codes PMT, PMD, AAB).
    pub penalty_clauses: Vec<String>,
    /// What the reader could not map or found malformed, with the place in the document.
    pub warnings: Vec<String>,
}

/// Reads a Factur-X / ZUGFeRD PDF, or a UBL or CII XML document.
///
/// # Errors
/// `too_large` beyond [`MAX_DOCUMENT_BYTES`]; `invalid_einvoice` for anything that is not such a
/// document (with the reason: DTD, nesting, encoding, no embedded invoice, ...); `missing_field`
/// and `invalid_*` naming the business term a reminder needs and the document lacks.
pub fn read(bytes: &[u8]) -> Result<EInvoice> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "",
            format!("{} bytes, the largest document read is {MAX_DOCUMENT_BYTES} bytes", bytes.len()),
        ));
    }
    let read = en16931_formats::read_with(bytes, &PDF_LIMITS)
        .map_err(|e| Error::new(ErrorCode::InvalidEInvoice, "", e.to_string()))?;
    let format = match (&read.pdf, read.syntax) {
        (Some(_), _) => EInvoiceFormat::FacturX,
        (None, en16931_formats::Syntax::Ubl) => EInvoiceFormat::Ubl,
        (None, _) => EInvoiceFormat::Cii,
    };
    let warnings = read.entries.iter().map(|e| format!("{}: {}", e.path, e.message)).collect();
    from_model(&read.invoice, format, warnings)
}

fn from_model(inv: &en16931::Invoice, format: EInvoiceFormat, warnings: Vec<String>) -> Result<EInvoice> {
    let number = required(inv.number.clone(), "number", "BT-1, the invoice number")?;
    let issue_date =
        required(inv.issue_date, "issueDate", "BT-2, the issue date").and_then(|d| date(d, "issueDate"))?;
    let due_date = inv.due_date.map(|d| date(d, "dueDate")).transpose()?;
    let currency = required(inv.currency.as_ref().map(|c| c.as_str().to_owned()), "currency", "BT-5, the currency")?;
    let currency_checked = Currency::new(&currency).ok_or_else(|| {
        Error::new(ErrorCode::InvalidCurrency, "currency", format!("`{currency}` is not an ISO 4217 code"))
    })?;
    let kind = match inv.kind {
        en16931::DocumentKind::CreditNote => EInvoiceKind::CreditNote,
        en16931::DocumentKind::Invoice
            if is_credit_type(inv.type_code.as_ref().map(en16931::invoice::Code::as_str)) =>
        {
            EInvoiceKind::CreditNote
        }
        en16931::DocumentKind::Invoice => EInvoiceKind::Invoice,
    };
    let (iban, bic) = transfer_account(inv);
    let out = EInvoice {
        format,
        profile: inv.specification_id.clone(),
        kind,
        type_code: inv.type_code.as_ref().map(|c| c.as_str().to_owned()),
        number,
        issue_date,
        due_date,
        payment_terms: inv.payment_terms.clone().filter(|t| !t.trim().is_empty()),
        preceding_invoices: inv.preceding_invoices.iter().map(|p| p.reference.as_str().to_owned()).collect(),
        seller: party(&inv.seller),
        buyer: party(&inv.buyer),
        currency,
        total: amount(inv.totals.gross_total),
        prepaid: inv.totals.paid.map_or(Amount::ZERO, amount),
        amount_due: amount(inv.totals.due),
        iban,
        bic,
        penalty_clauses: inv
            .notes
            .iter()
            .filter(|n| n.subject_code.as_ref().is_some_and(|c| matches!(c.as_str(), "PMT" | "PMD" | "AAB")))
            .filter_map(|n| n.note.clone())
            .collect(),
        warnings,
    };
    if out.seller.name.is_empty() {
        return Err(missing("seller.name", "BT-27, the seller's name"));
    }
    if out.buyer.name.is_empty() {
        return Err(missing("buyer.name", "BT-44, the buyer's name"));
    }
    crate::ledger::check_positive(out.total, &currency_checked, "total")?;
    Ok(out)
}

/// UNTDID 1001 codes of credit notes that EN 16931 allows (a CII document says so only here).
fn is_credit_type(code: Option<&str>) -> bool {
    matches!(code, Some("81" | "83" | "261" | "262" | "296" | "308" | "381" | "396" | "420" | "458" | "532"))
}

fn required<T>(value: Option<T>, path: &str, term: &str) -> Result<T> {
    value.ok_or_else(|| missing(path, term))
}

fn missing(path: &str, term: &str) -> Error {
    Error::new(ErrorCode::MissingField, path, format!("the document does not state {term}"))
}

fn date(d: en16931::Date, path: &str) -> Result<NaiveDate> {
    let out = NaiveDate::from_ymd_opt(d.year(), u32::from(d.month()), u32::from(d.day()))
        .ok_or_else(|| Error::new(ErrorCode::InvalidDate, path, "a date that does not exist"))?;
    crate::date::check_year(out).map_err(|e| e.within(path))?;
    Ok(out)
}

fn amount(a: en16931::InvoiceAmount) -> Amount {
    Amount(a.into_decimal())
}

fn transfer_account(inv: &en16931::Invoice) -> (Option<String>, Option<String>) {
    match inv.payment.as_ref().and_then(|p| p.means.as_ref()) {
        Some(en16931::invoice::PaymentMeans::CreditTransfer(list)) => {
            list.first().map_or((None, None), |t| (t.account_identifier.clone(), t.provider_identifier.clone()))
        }
        _ => (None, None),
    }
}

fn party(p: &en16931::invoice::Party) -> EParty {
    let ids = p.identifiers.iter().chain(p.legal_registration.as_ref());
    let with_scheme = |scheme: &str| ids.clone().find(|i| i.scheme() == Some(scheme)).map(|i| digits(i.content()));
    let siret = with_scheme("0009").filter(|s| s.len() == 14);
    let vat_id = p.vat_identifier.clone().map(|v| v.replace(' ', "").to_ascii_uppercase());
    let siren = with_scheme("0002")
        .filter(|s| s.len() == 9)
        .or_else(|| siret.as_ref().and_then(|s| s.get(..9)).map(str::to_owned))
        .or_else(|| vat_id.as_deref().and_then(siren_of_french_vat));
    let a = &p.address;
    let lines: Vec<String> = [&a.line1, &a.line2, &a.line3].into_iter().flatten().cloned().collect();
    let address = (!lines.is_empty() || a.city.is_some()).then(|| Address {
        lines,
        postal_code: a.post_code.clone().unwrap_or_default(),
        city: a.city.clone().unwrap_or_default(),
        country: a.country.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default(),
    });
    EParty {
        name: p.name.clone().unwrap_or_default().trim().to_owned(),
        siren,
        siret,
        vat_id,
        address,
        email: p.contact.email.clone(),
        electronic_address: p.electronic_address.as_ref().map(|e| e.content().to_owned()),
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A French VAT number is `FR`, a two-character key, then the SIREN.
fn siren_of_french_vat(vat: &str) -> Option<String> {
    let rest = vat.strip_prefix("FR")?.get(2..)?;
    (rest.len() == 9 && rest.chars().all(|c| c.is_ascii_digit())).then(|| rest.to_owned())
}

/// What importing a document does to the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct EInvoiceImport {
    /// The debtor to store: the ledger's own, completed with what it lacked, or a new one.
    pub debtor: Debtor,
    /// True when no debtor of the ledger is the buyer.
    pub new_debtor: bool,
    /// The invoice to store, with the credit note added for a credit note.
    pub invoice: Invoice,
    /// What happens to it.
    pub outcome: ImportOutcome,
    /// What a person should check (a buyer that may be a public body, a clause not understood...).
    pub notices: Vec<String>,
}

/// What an imported document does to its invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// A new invoice.
    Created,
    /// The invoice was known with the same facts: nothing changes.
    Unchanged,
    /// A credit note added to the invoice it corrects.
    CreditNoteAdded,
}

/// Checks a document against the creditor and the ledger, and says what it changes. The seller
/// must be the creditor (same SIREN or VAT number); a stored invoice of the same number must state
/// the same facts; a credit note must name a stored invoice of the same buyer.
///
/// # Errors
/// `not_creditor` (path `seller.*`), `conflict` (the field that differs), `unknown_reference`
/// (a credit note's invoice), `missing_field` (a buyer with no identifier, a due date).
pub fn import(doc: &EInvoice, ledger: &Ledger) -> Result<EInvoiceImport> {
    check_seller(doc, ledger)?;
    let mut notices = Vec::new();
    let (debtor, new_debtor) = debtor_for(doc, ledger, &mut notices)?;
    let (invoice, outcome) = match doc.kind {
        EInvoiceKind::Invoice => invoice_for(doc, ledger, &debtor.id)?,
        EInvoiceKind::CreditNote => credit_note_for(doc, ledger, &debtor.id)?,
    };
    if doc.penalty_clauses.is_empty() && doc.kind == EInvoiceKind::Invoice {
        notices.push("the invoice states no penalty clause (BT-21 PMD/PMT): the law's rates apply".to_owned());
    }
    Ok(EInvoiceImport { debtor, new_debtor, invoice, outcome, notices })
}

/// The creditor's VAT number and SIREN, as the settings give them: the SIREN from `siren`, else a
/// SIRET's first nine digits, else a French VAT number.
pub fn creditor_registration(creditor: &crate::ledger::Creditor) -> (Option<String>, Option<String>) {
    let ids = &creditor.identifiers;
    let vat = ids.get("vat").map(|v| v.replace(' ', "").to_ascii_uppercase());
    let siren = ids
        .get("siren")
        .map(|s| digits(s))
        .or_else(|| ids.get("siret").and_then(|s| digits(s).get(..9).map(str::to_owned)))
        .or_else(|| vat.as_deref().and_then(siren_of_french_vat));
    (vat, siren)
}

fn check_seller(doc: &EInvoice, ledger: &Ledger) -> Result<()> {
    let (creditor_vat, creditor_siren) = creditor_registration(&ledger.creditor);
    if creditor_siren.is_none() && creditor_vat.is_none() {
        return Err(Error::new(
            ErrorCode::NotCreditor,
            "creditor.identifiers",
            "the creditor's settings give no SIREN or VAT number to check the seller of the document against",
        ));
    }
    let same_siren = creditor_siren.is_some() && creditor_siren == doc.seller.siren;
    let same_vat = creditor_vat.is_some() && creditor_vat == doc.seller.vat_id;
    if same_siren || same_vat {
        return Ok(());
    }
    let stated = doc.seller.siren.as_deref().or(doc.seller.vat_id.as_deref()).unwrap_or("no SIREN or VAT number");
    Err(Error::new(
        ErrorCode::NotCreditor,
        if doc.seller.siren.is_some() { "seller.siren" } else { "seller.vatId" },
        format!("this document was issued by {} ({stated}), not by {}", doc.seller.name, ledger.creditor.name),
    ))
}

/// The ledger's debtor with the buyer's SIREN or VAT number, completed; or a new one.
fn debtor_for(doc: &EInvoice, ledger: &Ledger, notices: &mut Vec<String>) -> Result<(Debtor, bool)> {
    let buyer = &doc.buyer;
    let identifiers = buyer_identifiers(buyer);
    let known = ledger.debtors.iter().find(|d| {
        ["siren", "vat"].iter().any(|k| d.identifiers.get(*k).is_some_and(|v| identifiers.get(*k) == Some(v)))
    });
    if let Some(d) = known {
        let mut d = d.clone();
        for (k, v) in identifiers {
            d.identifiers.entry(k).or_insert(v);
        }
        complete_contacts(&mut d.contacts, buyer);
        return Ok((d, false));
    }
    let id = ["siren", "vat"]
        .iter()
        .find_map(|k| identifiers.get(*k).map(|v| format!("{k}-{v}")))
        .ok_or_else(|| missing("buyer.siren", "the buyer's SIREN (BT-47) or VAT number (BT-48)"))?;
    if buyer.siren.as_deref().is_some_and(|s| s.starts_with('1') || s.starts_with('2')) {
        notices.push(format!(
            "{}'s SIREN starts with {}: it may be a public body, whose payment period and interest differ; \
             set its kind if so",
            buyer.name,
            buyer.siren.as_deref().and_then(|s| s.get(..1)).unwrap_or_default()
        ));
    }
    let country = buyer
        .address
        .as_ref()
        .map(|a| a.country.clone())
        .filter(|c| c.len() == 2)
        .unwrap_or_else(|| ledger.creditor.address.country.clone());
    let mut debtor = Debtor {
        id,
        name: buyer.name.clone(),
        kind: DebtorKind::Business,
        locale: locale_of(&country).to_owned(),
        time_zone: zone_of(&country).unwrap_or("Europe/Paris").to_owned(),
        country,
        calendar: None,
        public_buyer_category: None,
        identifiers,
        contacts: DebtorContacts::default(),
        replies: Vec::new(),
        calls: Vec::new(),
    };
    complete_contacts(&mut debtor.contacts, buyer);
    Ok((debtor, true))
}

fn buyer_identifiers(buyer: &EParty) -> BTreeMap<String, String> {
    [("siren", &buyer.siren), ("siret", &buyer.siret), ("vat", &buyer.vat_id)]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), v)))
        .collect()
}

/// Adds the document's email and address where the debtor has none (never replaces one).
fn complete_contacts(contacts: &mut DebtorContacts, buyer: &EParty) {
    if let Some(email) = buyer.email.as_deref().and_then(|e| Email::new(e).ok()) {
        if contacts.emails.is_empty() {
            contacts.emails.push(email);
        }
    }
    if contacts.postal_address.is_none() {
        contacts.postal_address = buyer.address.clone().filter(|a| !a.city.is_empty() && a.country.len() == 2);
    }
}

/// The language of the messages a debtor of `country` gets by default.
fn locale_of(country: &str) -> &'static str {
    match country {
        "FR" | "BE" | "LU" | "MC" | "CH" => "fr",
        "DE" | "AT" => "de",
        _ => "en",
    }
}

/// The time zone of a country with a single one (those our regimes cover).
fn zone_of(country: &str) -> Option<&'static str> {
    Some(match country {
        "FR" => "Europe/Paris",
        "BE" => "Europe/Brussels",
        "LU" => "Europe/Luxembourg",
        "MC" => "Europe/Monaco",
        "CH" => "Europe/Zurich",
        "DE" => "Europe/Berlin",
        "AT" => "Europe/Vienna",
        "NL" => "Europe/Amsterdam",
        "IT" => "Europe/Rome",
        "GB" => "Europe/London",
        "IE" => "Europe/Dublin",
        _ => return None,
    })
}

fn invoice_for(doc: &EInvoice, ledger: &Ledger, debtor_id: &str) -> Result<(Invoice, ImportOutcome)> {
    let due_date = doc.due_date.ok_or_else(|| {
        Error::new(
            ErrorCode::TermsOrDueDate,
            "dueDate",
            "the invoice states no due date (BT-9), which French law requires (C. com. L441-9): it cannot be chased \
             on a date Relance would have to guess",
        )
    })?;
    let currency: Currency =
        doc.currency.parse().map_err(|_| Error::new(ErrorCode::InvalidCurrency, "currency", "not an ISO 4217 code"))?;
    let mut invoice = Invoice {
        id: doc.number.clone(),
        number: doc.number.clone(),
        debtor_id: debtor_id.to_owned(),
        issue_date: doc.issue_date,
        delivery_date: None,
        currency,
        total: doc.total,
        terms: None,
        due_date: Some(due_date),
        sector: None,
        periodic: false,
        payments: Vec::new(),
        credit_notes: Vec::new(),
        disputes: Vec::new(),
        payment_plan: None,
        promises: Vec::new(),
    };
    if doc.prepaid.is_positive() {
        invoice.payments.push(crate::ledger::Payment {
            date: doc.issue_date,
            amount: doc.prepaid,
            reference: Some("prepaid (BT-113)".to_owned()),
        });
    }
    match ledger.invoices.iter().find(|i| i.number == doc.number) {
        None if ledger.invoices.iter().any(|i| i.id == invoice.id) => Err(Error::new(
            ErrorCode::Conflict,
            "number",
            format!("an invoice of id `{}` with another number is stored", invoice.id),
        )),
        None => Ok((invoice, ImportOutcome::Created)),
        Some(stored) => {
            same_facts(stored, &invoice)?;
            Ok((stored.clone(), ImportOutcome::Unchanged))
        }
    }
}

/// A stored invoice and a document of the same number must agree on what a reminder states.
fn same_facts(stored: &Invoice, doc: &Invoice) -> Result<()> {
    let checks: [(&str, String, String); 5] = [
        ("debtorId", stored.debtor_id.clone(), doc.debtor_id.clone()),
        ("issueDate", stored.issue_date.to_string(), doc.issue_date.to_string()),
        ("currency", stored.currency.code().to_owned(), doc.currency.code().to_owned()),
        ("total", stored.total.to_string(), doc.total.to_string()),
        ("dueDate", day_or_terms(stored.due_date), day_or_terms(doc.due_date)),
    ];
    for (path, a, b) in checks {
        let equal = if path == "total" { stored.total.value() == doc.total.value() } else { a == b };
        if !equal {
            return Err(Error::new(
                ErrorCode::Conflict,
                path,
                format!("invoice {} is stored with {path} {a}; the document says {b}", stored.number),
            ));
        }
    }
    Ok(())
}

fn day_or_terms(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "computed from its terms".to_owned(), |d| d.to_string())
}

fn credit_note_for(doc: &EInvoice, ledger: &Ledger, debtor_id: &str) -> Result<(Invoice, ImportOutcome)> {
    let target = doc
        .preceding_invoices
        .first()
        .ok_or_else(|| missing("precedingInvoices", "BT-25, the invoice this credit note corrects"))?;
    let stored = ledger.invoices.iter().find(|i| &i.number == target && i.debtor_id == debtor_id).ok_or_else(|| {
        Error::new(
            ErrorCode::UnknownReference,
            "precedingInvoices[0]",
            format!("no stored invoice {target} of {}: import the invoice first", doc.buyer.name),
        )
    })?;
    if stored.currency.code() != doc.currency {
        return Err(Error::new(
            ErrorCode::MixedCurrencies,
            "currency",
            "the credit note's currency is not its invoice's",
        ));
    }
    let mut invoice = stored.clone();
    if invoice.credit_notes.iter().any(|c| c.number.as_deref() == Some(doc.number.as_str())) {
        return Ok((invoice, ImportOutcome::Unchanged));
    }
    invoice.credit_notes.push(CreditNote { number: Some(doc.number.clone()), date: doc.issue_date, amount: doc.total });
    Ok((invoice, ImportOutcome::CreditNoteAdded))
}
