//! E-invoices in (issue 21): the sample documents of `tests/fixtures/einvoice`, made for these
//! tests (each file says what it states), read into the facts a reminder needs and into the ledger;
//! hostile and wrong documents refused with the field named; CDAR lifecycle statuses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use chrono::NaiveDate;
use lopdf::{dictionary, Document, Object, Stream};
use relance_core::einvoice::{self, EInvoiceFormat, EInvoiceKind, ImportOutcome};
use relance_core::ledger::Ledger;
use relance_core::lifecycle::{self, LifecycleChange, LifecycleStatus};
use relance_core::ErrorCode;
use std::path::PathBuf;

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/einvoice").join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The sample ledger's creditor (Atelier Durand, SIREN 812345678) with no debtor and no invoice.
fn ledger() -> Ledger {
    let mut ledger: Ledger =
        serde_json::from_slice(&std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/ledger.json")).unwrap())
            .unwrap();
    ledger.debtors.clear();
    ledger.invoices.clear();
    ledger
}

/// A Factur-X PDF: one page that shows the invoice, `factur-x.xml` embedded and associated (`/AF`,
/// relationship `Data`), and the XMP that declares it (PDF/A-3 B, profile EN 16931). Built here so
/// that the committed PDF's provenance is this code and the CII sample.
fn facturx(xml: &[u8]) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let text = "BT /F1 14 Tf 56 780 Td (Atelier Durand SARL - Facture F-2026-0917) Tj 0 -24 Td \
                (Total TTC 4 800,00 EUR - echeance 15/10/2026) Tj ET";
    let content = doc.add_object(Stream::new(dictionary! {}, text.as_bytes().to_vec()));
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content, "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
    );
    let file = doc.add_object(Stream::new(
        dictionary! { "Type" => "EmbeddedFile", "Subtype" => "text/xml", "Params" => dictionary! { "Size" => xml.len() as i64 } },
        xml.to_vec(),
    ));
    let spec = doc.add_object(dictionary! {
        "Type" => "Filespec", "F" => Object::string_literal("factur-x.xml"), "UF" => Object::string_literal("factur-x.xml"),
        "AFRelationship" => "Data", "Desc" => Object::string_literal("Factur-X invoice"), "EF" => dictionary! { "F" => file, "UF" => file },
    });
    let xmp = format!(
        "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"><pdfaid:part>3</pdfaid:part>\
         <pdfaid:conformance>B</pdfaid:conformance></rdf:Description>\
         <rdf:Description rdf:about=\"\" xmlns:fx=\"{}\"><fx:DocumentType>INVOICE</fx:DocumentType>\
         <fx:DocumentFileName>factur-x.xml</fx:DocumentFileName><fx:Version>1.0</fx:Version>\
         <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>",
        "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
    );
    let metadata =
        doc.add_object(Stream::new(dictionary! { "Type" => "Metadata", "Subtype" => "XML" }, xmp.into_bytes()));
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => pages, "Metadata" => metadata, "AF" => vec![spec.into()],
        "Names" => dictionary! { "EmbeddedFiles" => dictionary! { "Names" => vec![Object::string_literal("factur-x.xml"), spec.into()] } },
    });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn the_facturx_sample_is_the_cii_sample_in_a_pdf() {
    let made = facturx(&fixture("cii-F-2026-0917.xml"));
    let path = fixture_path("facturx-F-2026-0917.pdf");
    if std::env::var_os("RELANCE_BLESS").is_some() {
        std::fs::write(&path, &made).unwrap();
    }
    assert!(made == std::fs::read(&path).unwrap(), "rebuild with RELANCE_BLESS=1 after changing the CII sample");
}

#[test]
fn the_samples_are_valid_en16931_documents() {
    // Held to the 334 rules of EN 16931 by the same library that reads them, so that what the
    // tests expect comes from documents a platform would accept.
    for name in
        ["cii-F-2026-0917.xml", "ubl-F-2026-0952.xml", "ubl-credit-note-AV-2026-0031.xml", "facturx-F-2026-0917.pdf"]
    {
        let got = en16931_formats::receive(&fixture(name), &en16931_formats::Policy::default());
        assert_eq!(got.recommendation, en16931_formats::Recommendation::Accept, "{name}: {:?}", got.reasons);
    }
}

#[test]
fn a_cii_invoice_gives_what_a_reminder_needs() {
    let doc = einvoice::read(&fixture("cii-F-2026-0917.xml")).unwrap();
    assert_eq!(doc.format, EInvoiceFormat::Cii);
    assert_eq!(doc.kind, EInvoiceKind::Invoice);
    assert_eq!(doc.number, "F-2026-0917");
    assert_eq!((doc.issue_date, doc.due_date), (d("2026-09-15"), Some(d("2026-10-15"))));
    assert_eq!(doc.payment_terms.as_deref(), Some("Paiement à 30 jours de la date de facture, par virement."));
    assert_eq!(doc.seller.siren.as_deref(), Some("812345678"));
    assert_eq!(doc.buyer.name, "Menuiserie Bellevue SAS");
    assert_eq!(doc.buyer.siren.as_deref(), Some("523456789"));
    assert_eq!(doc.buyer.vat_id.as_deref(), Some("FR12523456789"));
    assert_eq!(doc.buyer.email.as_deref(), Some("compta@menuiserie-bellevue.example"));
    assert_eq!(doc.buyer.address.as_ref().map(|a| a.city.as_str()), Some("Villeurbanne"));
    // 4 000.00 + 20 % VAT, nothing prepaid.
    assert_eq!(
        (doc.total.to_string(), doc.prepaid.to_string(), doc.amount_due.to_string()),
        ("4800.00".into(), "0".into(), "4800.00".into())
    );
    assert_eq!(doc.iban.as_deref(), Some("FR7630006000011234567890189"));
    assert_eq!(doc.penalty_clauses.len(), 3, "PMD, PMT and AAB notes: {:?}", doc.penalty_clauses);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn a_facturx_pdf_gives_the_invoice_it_carries() {
    let from_pdf = einvoice::read(&fixture("facturx-F-2026-0917.pdf")).unwrap();
    let from_xml = einvoice::read(&fixture("cii-F-2026-0917.xml")).unwrap();
    assert_eq!(from_pdf.format, EInvoiceFormat::FacturX);
    assert_eq!(einvoice::EInvoice { format: EInvoiceFormat::Cii, ..from_pdf }, from_xml);
}

#[test]
fn a_ubl_invoice_with_a_deposit_and_a_ubl_credit_note() {
    let doc = einvoice::read(&fixture("ubl-F-2026-0952.xml")).unwrap();
    assert_eq!(doc.format, EInvoiceFormat::Ubl);
    // 1 200.00 with VAT, 200.00 prepaid (BT-113), 1 000.00 due (BT-115).
    assert_eq!(
        (doc.total.to_string(), doc.prepaid.to_string(), doc.amount_due.to_string()),
        ("1200.00".into(), "200.00".into(), "1000.00".into())
    );
    assert_eq!((doc.buyer.siren.as_deref(), doc.buyer.vat_id.as_deref()), (None, Some("DE123456789")));
    let note = einvoice::read(&fixture("ubl-credit-note-AV-2026-0031.xml")).unwrap();
    assert_eq!(note.kind, EInvoiceKind::CreditNote);
    assert_eq!(note.preceding_invoices, vec!["F-2026-0917".to_owned()]);
    assert_eq!(note.total.to_string(), "480.00");
}

#[test]
fn importing_creates_the_debtor_and_the_invoice_then_adds_the_credit_note() {
    let mut ledger = ledger();
    let got = einvoice::import(&einvoice::read(&fixture("facturx-F-2026-0917.pdf")).unwrap(), &ledger).unwrap();
    assert_eq!(got.outcome, ImportOutcome::Created);
    assert!(got.new_debtor);
    assert_eq!(got.debtor.id, "siren-523456789");
    assert_eq!(
        (got.debtor.country.as_str(), got.debtor.locale.as_str(), got.debtor.time_zone.as_str()),
        ("FR", "fr", "Europe/Paris")
    );
    assert_eq!(got.debtor.contacts.emails.first().map(|e| e.as_str()), Some("compta@menuiserie-bellevue.example"));
    assert_eq!(got.invoice.id, "F-2026-0917");
    assert_eq!(got.invoice.due_date, Some(d("2026-10-15")));
    ledger.debtors.push(got.debtor);
    ledger.invoices.push(got.invoice);
    ledger.check().unwrap();

    // The same invoice again (as UBL, CII or PDF): nothing changes.
    let again = einvoice::import(&einvoice::read(&fixture("cii-F-2026-0917.xml")).unwrap(), &ledger).unwrap();
    assert_eq!((again.outcome, again.new_debtor), (ImportOutcome::Unchanged, false));

    let note =
        einvoice::import(&einvoice::read(&fixture("ubl-credit-note-AV-2026-0031.xml")).unwrap(), &ledger).unwrap();
    assert_eq!(note.outcome, ImportOutcome::CreditNoteAdded);
    let added = note.invoice.credit_notes.first().unwrap();
    assert_eq!(
        (added.number.as_deref(), added.date, added.amount.to_string()),
        (Some("AV-2026-0031"), d("2026-10-20"), "480.00".into())
    );
}

#[test]
fn a_deposit_is_a_payment_and_a_vat_only_buyer_is_keyed_by_its_vat_number() {
    let got = einvoice::import(&einvoice::read(&fixture("ubl-F-2026-0952.xml")).unwrap(), &ledger()).unwrap();
    assert_eq!(got.debtor.id, "vat-DE123456789");
    assert_eq!((got.debtor.locale.as_str(), got.debtor.time_zone.as_str()), ("de", "Europe/Berlin"));
    let paid = got.invoice.payments.first().unwrap();
    assert_eq!((paid.date, paid.amount.to_string()), (d("2026-10-02"), "200.00".into()));
}

fn replaced(name: &str, from: &str, to: &str) -> Vec<u8> {
    String::from_utf8(fixture(name)).unwrap().replacen(from, to, 1).into_bytes()
}

#[test]
fn documents_that_are_not_the_creditors_or_contradict_the_ledger_are_refused() {
    let mut ledger = ledger();
    let other =
        replaced("cii-F-2026-0917.xml", "<ram:ID schemeID=\"0002\">812345678", "<ram:ID schemeID=\"0002\">999999999");
    let other = other.into_iter().collect::<Vec<u8>>();
    let other = String::from_utf8(other).unwrap().replace("FR40812345678", "FR00999999999").into_bytes();
    let e = einvoice::import(&einvoice::read(&other).unwrap(), &ledger).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::NotCreditor, "seller.siren"));

    let first = einvoice::import(&einvoice::read(&fixture("cii-F-2026-0917.xml")).unwrap(), &ledger).unwrap();
    ledger.debtors.push(first.debtor);
    ledger.invoices.push(first.invoice);
    let changed = replaced("cii-F-2026-0917.xml", "<ram:GrandTotalAmount>4800.00", "<ram:GrandTotalAmount>4900.00");
    let e = einvoice::import(&einvoice::read(&changed).unwrap(), &ledger).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::Conflict, "total"), "{e}");
    let later = replaced("cii-F-2026-0917.xml", "20261015", "20261031");
    let e = einvoice::import(&einvoice::read(&later).unwrap(), &ledger).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::Conflict, "dueDate"));

    let orphan =
        replaced("ubl-credit-note-AV-2026-0031.xml", "<cbc:ID>F-2026-0917</cbc:ID>", "<cbc:ID>F-2026-0001</cbc:ID>");
    let e = einvoice::import(&einvoice::read(&orphan).unwrap(), &ledger).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::UnknownReference, "precedingInvoices[0]"));

    let no_due_date = replaced("ubl-F-2026-0952.xml", "<cbc:DueDate>2026-11-01</cbc:DueDate>", "");
    let e = einvoice::import(&einvoice::read(&no_due_date).unwrap(), &ledger).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::TermsOrDueDate, "dueDate"));
}

#[test]
fn hostile_and_foreign_documents_are_refused() {
    let laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\
                  <Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">&lol2;</Invoice>";
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
               <Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">&xxe;</Invoice>";
    let deep = format!(
        "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">{}{}</Invoice>",
        "<a>".repeat(200),
        "</a>".repeat(200)
    );
    let html = "<!doctype html><html><body>Not found</body></html>";
    let no_invoice_pdf = {
        let mut doc = Document::with_version("1.7");
        let pages = doc.add_object(dictionary! { "Type" => "Pages", "Kids" => Vec::<Object>::new(), "Count" => 0 });
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    };
    for (what, bytes) in [
        ("entity expansion", laughs.as_bytes().to_vec()),
        ("external entity", xxe.as_bytes().to_vec()),
        ("deep nesting", deep.into_bytes()),
        ("an HTML page", html.as_bytes().to_vec()),
        ("a PDF without an invoice", no_invoice_pdf),
        ("not XML", b"number;total\nF-1;12".to_vec()),
    ] {
        let e = einvoice::read(&bytes).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidEInvoice, "{what}: {e}");
    }
    let huge = vec![b' '; einvoice::MAX_DOCUMENT_BYTES + 1];
    assert_eq!(einvoice::read(&huge).unwrap_err().code(), ErrorCode::TooLarge);
    let no_number = replaced("cii-F-2026-0917.xml", "<ram:ID>F-2026-0917</ram:ID>", "");
    let e = einvoice::read(&no_number).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::MissingField, "number"));
}

#[test]
fn cdar_statuses_are_read_with_their_invoice_date_reason_and_amount() {
    let disputed = lifecycle::read_cdar(&fixture("cdar-207-F-2026-0917.xml")).unwrap();
    let s = disputed.first().unwrap();
    assert_eq!((s.invoice_number.as_str(), s.seller_siren.as_deref()), ("F-2026-0917", Some("812345678")));
    assert_eq!((s.status.code, s.status.date), (207, d("2026-10-22")));
    assert_eq!(s.status.reason, "QTE_ERR Deux étagères livrées sur trois");
    let collected = lifecycle::read_cdar(&fixture("cdar-212-F-2026-0917.xml")).unwrap();
    let s = collected.first().unwrap();
    assert_eq!(
        (s.status.code, s.status.date, s.status.amount.map(|a| a.to_string())),
        (212, d("2026-11-05"), Some("4320.00".into()))
    );

    let dtd = "<!DOCTYPE x [<!ENTITY a \"b\">]><CrossDomainAcknowledgementAndResponse/>";
    assert_eq!(lifecycle::read_cdar(dtd.as_bytes()).unwrap_err().code(), ErrorCode::InvalidEInvoice);
    let deep = format!(
        "<CrossDomainAcknowledgementAndResponse>{}</CrossDomainAcknowledgementAndResponse>",
        "<a>".repeat(40) + &"</a>".repeat(40)
    );
    assert_eq!(lifecycle::read_cdar(deep.as_bytes()).unwrap_err().code(), ErrorCode::InvalidEInvoice);
    let invoice = fixture("cii-F-2026-0917.xml");
    assert_eq!(lifecycle::read_cdar(&invoice).unwrap_err().code(), ErrorCode::InvalidEInvoice);
}

#[test]
fn each_status_becomes_the_ledger_fact_the_planner_already_obeys() {
    let ledger = ledger();
    let invoice = einvoice::import(&einvoice::read(&fixture("cii-F-2026-0917.xml")).unwrap(), &ledger).unwrap().invoice;
    let status = |code: u16, date: &str| LifecycleStatus { code, date: d(date), reason: String::new(), amount: None };

    let e = lifecycle::effect(&invoice, &status(207, "2026-10-22"), 10).unwrap();
    assert!(matches!(&e.change, LifecycleChange::Dispute { dispute } if dispute.opened_on == d("2026-10-22")));
    assert!(e.task.is_none());
    let e = lifecycle::effect(&invoice, &status(208, "2026-10-22"), 10).unwrap();
    assert!(matches!(e.change, LifecycleChange::Dispute { .. }) && e.task.is_some());
    let e = lifecycle::effect(&invoice, &status(210, "2026-10-22"), 10).unwrap();
    assert!(matches!(e.change, LifecycleChange::Dispute { .. }) && e.task.is_some());
    // 211: the reminders hold 10 days for the money announced.
    let e = lifecycle::effect(&invoice, &status(211, "2026-10-22"), 10).unwrap();
    assert!(
        matches!(&e.change, LifecycleChange::Promise { promise } if promise.promised_date == d("2026-11-01") && promise.amount.to_string() == "4800.00")
    );
    // 212 with no amount: all that is left is collected.
    let e = lifecycle::effect(&invoice, &status(212, "2026-11-05"), 10).unwrap();
    assert!(matches!(&e.change, LifecycleChange::Payment { payment } if payment.amount.to_string() == "4800.00"));
    // 220: cancelled as of its issue date, so nothing was ever late.
    let e = lifecycle::effect(&invoice, &status(220, "2026-11-05"), 10).unwrap();
    assert!(matches!(&e.change, LifecycleChange::CreditNote { credit_note } if credit_note.date == d("2026-09-15")));
    assert_eq!(lifecycle::effect(&invoice, &status(205, "2026-09-20"), 10).unwrap().change, LifecycleChange::Recorded);

    let e = lifecycle::effect(&invoice, &status(209, "2026-10-25"), 10).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidAnswer);
    let e = lifecycle::effect(&invoice, &status(299, "2026-10-25"), 10).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::UnknownVariant, "code"));
    let e = lifecycle::effect(&invoice, &status(207, "2026-09-01"), 10).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DateBeforeIssue);
}
