//! The ledger: the creditor, its debtors and their invoices with payments, credit notes, disputes
//! and payment plans. Inputs are plain serde types (JSON: camelCase fields, `YYYY-MM-DD` dates,
//! decimal-string amounts, unknown fields refused); [`Ledger::check`] validates them once into a
//! [`CheckedLedger`] that the planner and the penalty engine work from.

use crate::answers::{self, CallOutcome, Promise, Reply};
use crate::calendar::CalendarId;
use crate::date;
use crate::error::{Error, ErrorCode, Result};
use crate::money::{Amount, Currency};
use crate::parallel;
use crate::rates::Rates;
use crate::terms::{self, PaymentTerms, PublicBuyerCategory, Sector, TermFinding};
use crate::zone::Zone;
use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most invoices one ledger may hold.
pub const MAX_INVOICES: usize = 1_000_000;
/// Most debtors one ledger may hold.
pub const MAX_DEBTORS: usize = 1_000_000;
/// Most entries in an invoice's list (payments, credit notes, disputes, instalments).
pub const MAX_ENTRIES: usize = 1_000;
const MAX_ID_LEN: usize = 128;

/// The whole ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ledger {
    /// Who is owed.
    pub creditor: Creditor,
    /// Who owes.
    pub debtors: Vec<Debtor>,
    /// What is owed.
    pub invoices: Vec<Invoice>,
}

/// The business that issued the invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Creditor {
    /// Legal name.
    pub name: String,
    /// Legal identifiers by scheme, e.g. `{"siren": "123456789", "vat": "FR12123456789"}`.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub identifiers: BTreeMap<String, String>,
    /// Registered address; its country decides which law's checks apply.
    pub address: Address,
    /// Who the debtor should contact.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub contact: Contact,
    /// How to pay.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub payment: PaymentDetails,
    /// What its general terms say about penalties, for every invoice: what a partial payment
    /// pays first, waivers.
    #[serde(default, skip_serializing_if = "crate::penalty::PenaltyTerms::is_default")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub penalty_terms: crate::penalty::PenaltyTerms,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    /// Street lines.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub lines: Vec<String>,
    /// Postal code.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub postal_code: String,
    /// City.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub city: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
}

/// An email address, checked when it is read: its syntax (RFC 5321/5322, by the `email_address`
/// crate), no line break (it ends in a mail header), at most 254 characters (RFC 5321's path).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// The longest address a mail path carries.
    pub const MAX_LEN: usize = 254;

    /// Checks and builds an address.
    pub fn new(text: &str) -> Result<Email> {
        let fail =
            |why: &str| Error::new(ErrorCode::InvalidEmail, "", format!("`{text}` is not an email address: {why}"));
        if text.len() > Email::MAX_LEN {
            return Err(fail("longer than 254 characters"));
        }
        if text.chars().any(char::is_control) {
            return Err(fail("it holds a line break or a control character"));
        }
        if !email_address::EmailAddress::is_valid(text) {
            return Err(fail("write it as name@domain.example"));
        }
        Ok(Email(text.to_owned()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Email, D::Error> {
        let text = String::deserialize(d)?;
        Email::new(&text).map_err(|e| crate::json::refuse(e.code(), e.message()))
    }
}

/// A contact person or desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<Email>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
}

/// Where and how to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentDetails {
    /// IBAN.
    #[serde(default)]
    pub iban: Option<String>,
    /// BIC.
    #[serde(default)]
    pub bic: Option<String>,
    /// Account holder.
    #[serde(default)]
    pub account_holder: Option<String>,
    /// A payment link.
    #[serde(default)]
    pub payment_url: Option<String>,
}

/// What kind of debtor: decides the law (B2B, consumer, public buyer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DebtorKind {
    /// A professional.
    Business,
    /// A private person.
    Consumer,
    /// A public buyer (State, local authority, public hospital, public enterprise).
    PublicBody,
}

/// A customer who owes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Debtor {
    /// Unique id within the ledger.
    pub id: String,
    /// Name as addressed.
    pub name: String,
    /// Business, consumer or public body.
    pub kind: DebtorKind,
    /// ISO 3166-1 alpha-2 country: picks the default business-day calendar.
    pub country: String,
    /// Language of the messages (`fr`, `en`, `de`, ...).
    pub locale: String,
    /// IANA time zone (`Europe/Paris`): send windows are in this zone.
    pub time_zone: String,
    /// A calendar other than the country's default (e.g. `fr-alsace-moselle`).
    #[serde(default)]
    pub calendar: Option<CalendarId>,
    /// For a public body: which payment period applies.
    #[serde(default)]
    pub public_buyer_category: Option<PublicBuyerCategory>,
    /// Registration numbers by scheme (`siren`, `siret`, `vat`): an e-invoice's buyer is matched
    /// to its debtor by them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub identifiers: BTreeMap<String, String>,
    /// How to reach the debtor.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub contacts: DebtorContacts,
    /// Replies received (human, automatic, bounces), in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub replies: Vec<Reply>,
    /// Outcomes of the calls made to the debtor, in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub calls: Vec<CallOutcome>,
}

/// How to reach a debtor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DebtorContacts {
    /// Email addresses, the first one is the main.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub emails: Vec<Email>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Postal address for letters.
    #[serde(default)]
    pub postal_address: Option<Address>,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Invoice {
    /// Unique id within the ledger.
    pub id: String,
    /// The number printed on the invoice.
    pub number: String,
    /// The debtor's id.
    pub debtor_id: String,
    /// Invoice date.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub issue_date: NaiveDate,
    /// Delivery or performance date.
    #[serde(
        default,
        deserialize_with = "date::de_opt",
        serialize_with = "date::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub delivery_date: Option<NaiveDate>,
    /// ISO 4217 currency.
    pub currency: Currency,
    /// Total including VAT.
    pub total: Amount,
    /// Agreed payment terms (or give `dueDate`; with neither, the legal default applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<PaymentTerms>,
    /// An explicit due date (instead of `terms`).
    #[serde(
        default,
        deserialize_with = "date::de_opt",
        serialize_with = "date::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_date: Option<NaiveDate>,
    /// A sector with a statutory cap on terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<Sector>,
    /// A periodic (summary) invoice.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub periodic: bool,
    /// Payments received.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub payments: Vec<Payment>,
    /// Credit notes against this invoice.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub credit_notes: Vec<CreditNote>,
    /// Disputes raised by the debtor.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub disputes: Vec<Dispute>,
    /// An agreed payment plan (échéancier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_plan: Option<PaymentPlan>,
    /// Promises to pay, in the order they were made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub promises: Vec<Promise>,
}

/// A payment received (funds available on `date`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Payment {
    /// Day the funds were received.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub date: NaiveDate,
    /// Amount received.
    pub amount: Amount,
    /// Bank reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A credit note reducing what is owed from its date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditNote {
    /// Its number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Its date.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub date: NaiveDate,
    /// Amount credited, including VAT.
    pub amount: Amount,
}

/// A dispute (litige): reminders pause while it is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dispute {
    /// Day it was raised.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub opened_on: NaiveDate,
    /// Day it was settled; absent while open.
    #[serde(
        default,
        deserialize_with = "date::de_opt",
        serialize_with = "date::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub closed_on: Option<NaiveDate>,
    /// What the debtor contests.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reason: String,
}

/// A payment plan agreed in writing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentPlan {
    /// Day it was agreed: the policy's later steps give way to instalment reminders.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub agreed_on: NaiveDate,
    /// The instalments, in date order.
    pub instalments: Vec<Instalment>,
}

/// One instalment of a payment plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Instalment {
    /// Day it is due.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub due_date: NaiveDate,
    /// Amount due.
    pub amount: Amount,
}

/// A ledger checked once: every reference resolved, every amount and date consistent.
#[derive(Debug)]
pub struct CheckedLedger<'a> {
    /// The ledger as given.
    pub ledger: &'a Ledger,
    /// The invoices, in ledger order, with what was derived from them.
    pub invoices: Vec<CheckedInvoice<'a>>,
    /// The debtors, in ledger order.
    pub debtors: Vec<CheckedDebtor<'a>>,
    /// Each invoice id's position in `invoices` (built once, to find invoices by id).
    pub invoice_index: FxHashMap<&'a str, usize>,
}

/// A checked debtor.
#[derive(Debug)]
pub struct CheckedDebtor<'a> {
    /// As given.
    pub debtor: &'a Debtor,
    /// Its business-day calendar.
    pub calendar: CalendarId,
    /// True when its country has no built-in calendar (weekends only are used).
    pub calendar_is_fallback: bool,
    /// Its time zone.
    pub time_zone: Zone,
}

impl CheckedDebtor<'_> {
    /// The debtor's own calendar day at an instant (its time zone).
    pub fn local_date(&self, at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
        self.time_zone.local(at).date_naive()
    }
}

/// A checked invoice.
#[derive(Debug)]
pub struct CheckedInvoice<'a> {
    /// As given.
    pub invoice: &'a Invoice,
    /// Its position in `ledger.invoices`, for error paths.
    pub index: usize,
    /// Its debtor's position in `CheckedLedger::debtors`.
    pub debtor_index: usize,
    /// Its debtor's kind (kept here: bulk sums need it for every invoice).
    pub debtor_kind: DebtorKind,
    /// The due date (explicit, from the terms, or the legal default).
    pub due_date: NaiveDate,
    /// What the legal check of the term found.
    pub term_findings: Vec<TermFinding>,
    /// Payments and credit notes sorted by date, when the payments alone, as given, are not that
    /// list already (left empty then: most invoices, and no allocation).
    merged_settlements: Vec<Settlement>,
    /// The part of each settlement that paid the principal, in date order, when a partial payment
    /// paid interest or costs first (see `penalty::Imputation`); empty when every settlement paid
    /// the principal in full (most invoices).
    principal_parts: Vec<(NaiveDate, Amount)>,
    /// The creditor's general terms on penalties (`creditor.penaltyTerms`).
    pub penalty_terms: crate::penalty::PenaltyTerms,
    /// The disputes, sorted by opening date (checked not to overlap).
    pub disputes: Vec<&'a Dispute>,
}

impl CheckedInvoice<'_> {
    /// Payments and credit notes, in date order.
    pub fn settlements(&self) -> impl Iterator<Item = Settlement> + '_ {
        let payments: &[Payment] = if self.merged_settlements.is_empty() { &self.invoice.payments } else { &[] };
        payments.iter().map(Settlement::payment).chain(self.merged_settlements.iter().copied())
    }

    /// What each settlement paid of the principal, in date order: the whole settlement, unless a
    /// partial payment paid the interest or costs first.
    fn principal_settlements(&self) -> impl Iterator<Item = (NaiveDate, Amount)> + '_ {
        // One of the two is empty; no allocation (this runs for every step the planner places).
        let whole = self.principal_parts.is_empty().then(|| self.settlements().map(|s| (s.date, s.amount)));
        whole.into_iter().flatten().chain(self.principal_parts.iter().copied())
    }

    /// The principal still owed at the end of `day`: the total less what payments and credit
    /// notes up to it paid of the principal under the invoice's imputation. The one definition
    /// of "outstanding" (planner, messages, analytics, worker): a partial payment that paid
    /// interest first leaves more principal; penalties still due are not in it. Never below zero.
    pub fn outstanding_on(&self, day: NaiveDate) -> Amount {
        let paid: rust_decimal::Decimal =
            self.principal_settlements().take_while(|(d, _)| *d <= day).map(|(_, a)| a.value()).sum();
        Amount((self.invoice.total.value() - paid).max(rust_decimal::Decimal::ZERO))
    }

    /// The money paid and credited from `from` to `to` (included), whatever it paid: promises and
    /// payment plans are kept by money received, not by the principal it lowered.
    pub fn received_between(&self, from: NaiveDate, to: NaiveDate) -> Amount {
        Amount(self.settlements().filter(|s| s.date >= from && s.date <= to).map(|s| s.amount.value()).sum())
    }

    /// True when a dispute is open on `day` (opened on or before it, not closed by then).
    pub fn disputed_on(&self, day: NaiveDate) -> bool {
        self.invoice.disputes.iter().any(|d| d.opened_on <= day && d.closed_on.is_none_or(|c| c > day))
    }

    /// The day the invoice's principal became fully paid or credited, if it did (penalties may
    /// still be due: see `penalty::Decompte`).
    pub fn settled_on(&self) -> Option<NaiveDate> {
        let mut left = self.invoice.total.value();
        for (d, a) in self.principal_settlements() {
            left -= a.value();
            if left <= rust_decimal::Decimal::ZERO {
                return Some(d);
            }
        }
        None
    }
}

/// The longest invoice number: it is written into every subject line.
pub const MAX_NUMBER_LEN: usize = 64;
/// The longest name of a debtor or creditor: it heads letters and ends in mail headers.
pub const MAX_NAME_LEN: usize = 200;

/// A free text that ends in a subject, a header or a letterhead: at most `max` characters.
fn check_text(text: &str, max: usize, path: &str) -> Result<()> {
    let len = text.chars().count();
    if len > max {
        return Err(Error::new(ErrorCode::TextTooLong, path, format!("{len} characters, the most is {max}")));
    }
    Ok(())
}

fn check_id(id: &str, path: &str) -> Result<()> {
    if id.trim().is_empty() || id.len() > MAX_ID_LEN {
        return Err(Error::new(ErrorCode::InvalidId, path, format!("an id must be 1 to {MAX_ID_LEN} characters")));
    }
    Ok(())
}

fn check_count(len: usize, max: usize, path: &str) -> Result<()> {
    if len > max {
        return Err(Error::new(ErrorCode::TooManyItems, path, format!("{len} items, at most {max} are accepted")));
    }
    Ok(())
}

pub(crate) fn check_positive(amount: Amount, currency: &Currency, path: &str) -> Result<()> {
    amount.require_positive(path)?;
    if amount.value().scale() > currency.minor_units() && amount.value().normalize().scale() > currency.minor_units() {
        return Err(Error::new(
            ErrorCode::TooManyDecimals,
            path,
            format!("{amount} has more decimals than {} allows ({})", currency.code(), currency.minor_units()),
        ));
    }
    Ok(())
}

fn check_not_before(date: NaiveDate, issue: NaiveDate, path: &str) -> Result<()> {
    if date < issue {
        return Err(Error::new(ErrorCode::DateBeforeIssue, path, format!("{date} is before the invoice date {issue}")));
    }
    Ok(())
}

/// True for an ISO 3166-1 alpha-2 shape (two capital letters).
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

impl Debtor {
    /// Errors carry paths relative to the debtor.
    fn check(&self) -> Result<CheckedDebtor<'_>> {
        check_id(&self.id, "id")?;
        check_text(&self.name, MAX_NAME_LEN, "name")?;
        if !is_country_code(&self.country) {
            return Err(Error::new(
                ErrorCode::InvalidCountry,
                "country",
                format!("`{}` is not an ISO 3166-1 alpha-2 country code such as \"FR\"", self.country),
            ));
        }
        let lang_ok = (2..=3).contains(&self.locale.split(['-', '_']).next().unwrap_or("").len());
        if !lang_ok || self.locale.len() > 35 {
            return Err(Error::new(
                ErrorCode::InvalidJson,
                "locale",
                format!("`{}` is not a language tag such as \"fr\" or \"fr-FR\"", self.locale),
            ));
        }
        let time_zone = Zone::named(&self.time_zone).ok_or_else(|| {
            Error::new(
                ErrorCode::UnknownTimeZone,
                "timeZone",
                format!("`{}` is not an IANA time zone such as \"Europe/Paris\"", self.time_zone),
            )
        })?;
        let (calendar, calendar_is_fallback) = match (self.calendar, CalendarId::for_country(&self.country)) {
            (Some(c), _) => (c, false),
            (None, Some(c)) => (c, false),
            (None, None) => (CalendarId::Weekends, true),
        };
        check_count(self.replies.len(), MAX_ENTRIES, "replies")?;
        check_count(self.calls.len(), MAX_ENTRIES, "calls")?;
        answers::check_debtor_answers(self)?;
        Ok(CheckedDebtor { debtor: self, calendar, calendar_is_fallback, time_zone })
    }
}

impl Invoice {
    fn check<'a>(
        &'a self,
        index: usize,
        debtor_index: usize,
        debtor: &Debtor,
        creditor: &Creditor,
        rates: &Rates,
    ) -> Result<CheckedInvoice<'a>> {
        // Paths are built only for an error: this runs once per invoice of large ledgers.
        self.check_fields(index, debtor_index, debtor, creditor, rates)
            .map_err(|e| e.within(&format!("invoices[{index}]")))
    }

    fn check_fields<'a>(
        &'a self,
        index: usize,
        debtor_index: usize,
        debtor: &Debtor,
        creditor: &Creditor,
        rates: &Rates,
    ) -> Result<CheckedInvoice<'a>> {
        check_id(&self.id, "id")?;
        check_text(&self.number, MAX_NUMBER_LEN, "number")?;
        check_positive(self.total, &self.currency, "total")?;
        let issue = self.issue_date;
        let answer = terms::evaluate_term(&terms::InvoiceTerm {
            issue_date: issue,
            delivery_date: self.delivery_date,
            terms: self.terms.as_ref(),
            due_date: self.due_date,
            debtor_kind: debtor.kind,
            public_buyer_category: debtor.public_buyer_category,
            sector: self.sector,
            periodic: self.periodic,
            french_law: creditor.address.country == "FR",
        })?;
        let due_date = answer.due_date;
        date::check_year(due_date).map_err(|e| e.within("dueDate"))?;
        for (list, len) in [
            ("payments", self.payments.len()),
            ("creditNotes", self.credit_notes.len()),
            ("disputes", self.disputes.len()),
            ("promises", self.promises.len()),
        ] {
            check_count(len, MAX_ENTRIES, list)?;
        }
        for (i, pay) in self.payments.iter().enumerate() {
            check_positive(pay.amount, &self.currency, "amount").map_err(at("payments", i))?;
            check_not_before(pay.date, issue, "date").map_err(at("payments", i))?;
        }
        for (i, note) in self.credit_notes.iter().enumerate() {
            check_positive(note.amount, &self.currency, "amount").map_err(at("creditNotes", i))?;
            check_not_before(note.date, issue, "date").map_err(at("creditNotes", i))?;
        }
        let payments_in_order = self.payments.windows(2).all(|w| w.first().map(|p| p.date) <= w.get(1).map(|p| p.date));
        let merged_settlements = if !self.credit_notes.is_empty() || !payments_in_order {
            settlements_by_date(&self.payments, &self.credit_notes)
        } else {
            Vec::new()
        };
        let mut previous_close: Option<NaiveDate> = None;
        let mut disputes: Vec<&Dispute> = self.disputes.iter().collect();
        disputes.sort_by_key(|d| d.opened_on);
        for (i, dispute) in self.disputes.iter().enumerate() {
            check_not_before(dispute.opened_on, issue, "openedOn").map_err(at("disputes", i))?;
            if let Some(closed) = dispute.closed_on {
                if closed < dispute.opened_on {
                    return Err(Error::new(
                        ErrorCode::EndBeforeStart,
                        format!("disputes[{i}].closedOn"),
                        format!("closed {closed} before it was opened {}", dispute.opened_on),
                    ));
                }
            }
        }
        for dispute in &disputes {
            if let Some(close) = previous_close {
                if dispute.opened_on < close {
                    return Err(Error::new(
                        ErrorCode::EndBeforeStart,
                        "disputes",
                        "two disputes overlap: close one before opening the next",
                    ));
                }
            }
            previous_close = Some(dispute.closed_on.unwrap_or(NaiveDate::MAX));
        }
        let mut checked = CheckedInvoice {
            invoice: self,
            index,
            debtor_index,
            debtor_kind: debtor.kind,
            due_date,
            term_findings: answer.findings,
            merged_settlements,
            principal_parts: Vec::new(),
            penalty_terms: creditor.penalty_terms,
            disputes,
        };
        checked.principal_parts = crate::penalty::principal_parts(&checked, &creditor.address.country, rates);
        if let Some(plan) = &self.payment_plan {
            check_plan(plan, &checked, "paymentPlan")?;
        }
        answers::check_promises(&self.promises, issue, &self.currency)?;
        Ok(checked)
    }
}

/// Money that lowered what an invoice owes: a payment or a credit note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    /// Its day.
    pub date: NaiveDate,
    /// Its amount.
    pub amount: Amount,
    /// A credit note cancels part of the invoice itself: it always lowers the principal.
    pub credit_note: bool,
}

impl Settlement {
    fn payment(p: &Payment) -> Settlement {
        Settlement { date: p.date, amount: p.amount, credit_note: false }
    }
}

/// Payments and credit notes in date order; on one day, payments first, each list in its given
/// order (the order the penalty engine applies them in).
pub(crate) fn settlements_by_date(payments: &[Payment], credit_notes: &[CreditNote]) -> Vec<Settlement> {
    let mut out: Vec<Settlement> = payments
        .iter()
        .map(Settlement::payment)
        .chain(credit_notes.iter().map(|c| Settlement { date: c.date, amount: c.amount, credit_note: true }))
        .collect();
    out.sort_by_key(|s| s.date); // stable
    out
}

/// Roots an error at an entry of a list, building the path only then.
fn at(list: &'static str, i: usize) -> impl Fn(Error) -> Error {
    move |e| e.within(&format!("{list}[{i}]"))
}

fn check_plan(plan: &PaymentPlan, invoice: &CheckedInvoice<'_>, path: &str) -> Result<()> {
    check_not_before(plan.agreed_on, invoice.invoice.issue_date, &format!("{path}.agreedOn"))?;
    if plan.instalments.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidPaymentPlan,
            format!("{path}.instalments"),
            "a payment plan needs at least one instalment",
        ));
    }
    check_count(plan.instalments.len(), MAX_ENTRIES, &format!("{path}.instalments"))?;
    let mut previous = plan.agreed_on;
    let mut sum = rust_decimal::Decimal::ZERO;
    for (i, inst) in plan.instalments.iter().enumerate() {
        let ip = format!("{path}.instalments[{i}]");
        check_positive(inst.amount, &invoice.invoice.currency, &format!("{ip}.amount"))?;
        if inst.due_date < previous || (i > 0 && inst.due_date == previous) {
            return Err(Error::new(
                ErrorCode::InvalidPaymentPlan,
                format!("{ip}.dueDate"),
                "instalments must be in increasing date order, on or after the day the plan was agreed",
            ));
        }
        previous = inst.due_date;
        sum += inst.amount.value();
    }
    let owed = invoice.outstanding_on(plan.agreed_on);
    if sum < owed.value() {
        return Err(Error::new(
            ErrorCode::InvalidPaymentPlan,
            format!("{path}.instalments"),
            format!("the instalments add up to {sum}, less than the {owed} owed when the plan was agreed"),
        ));
    }
    Ok(())
}

impl Ledger {
    /// The part of the ledger owed by the debtors `keep` accepts: the same creditor, those debtors
    /// and their invoices, in order. Used to apply one policy to the debtors assigned to it.
    pub fn subset(&self, keep: impl Fn(&Debtor) -> bool) -> Ledger {
        let debtors: Vec<Debtor> = self.debtors.iter().filter(|d| keep(d)).cloned().collect();
        let ids: FxHashSet<&str> = debtors.iter().map(|d| d.id.as_str()).collect();
        let invoices = self.invoices.iter().filter(|i| ids.contains(i.debtor_id.as_str())).cloned().collect();
        Ledger { creditor: self.creditor.clone(), debtors, invoices }
    }
}

/// Checks each item of a list (in chunks, on several threads natively) while its ids are indexed.
/// The error returned is the first in list order, as a single pass would find it (an item's own
/// error before the duplication of its id).
fn check_list<'a, T: Sync, C: Send>(
    items: &'a [T],
    list: &str,
    noun: &str,
    id_of: impl Fn(&'a T) -> &'a str + Sync,
    check: impl Fn(usize, &'a T) -> Result<C> + Sync,
) -> Result<(Vec<C>, FxHashMap<&'a str, usize>)> {
    let check_chunk = |offset: usize, chunk: &'a [T]| -> std::result::Result<Vec<C>, (usize, Error)> {
        (offset..).zip(chunk).map(|(i, item)| check(i, item).map_err(|e| (i, e))).collect()
    };
    let index_ids = || {
        let mut index = FxHashMap::with_capacity_and_hasher(items.len(), Default::default());
        let mut first_duplicate = None;
        for (i, item) in items.iter().enumerate() {
            if index.insert(id_of(item), i).is_some() && first_duplicate.is_none() {
                first_duplicate = Some(i);
            }
        }
        (index, first_duplicate)
    };
    let (parts, (index, first_duplicate)) =
        parallel::join(items.len(), || parallel::map_chunks(items, check_chunk), index_ids);
    let mut checked = Vec::with_capacity(items.len());
    let mut first_error = None;
    for part in parts {
        match part {
            Ok(part) => checked.extend(part),
            Err(e) => {
                first_error = Some(e);
                break;
            }
        }
    }
    match (first_error, first_duplicate) {
        (Some((i, e)), d) if d.is_none_or(|d| i <= d) => Err(e),
        (_, Some(d)) => {
            let id = items.get(d).map_or("", &id_of);
            Err(Error::new(
                ErrorCode::DuplicateId,
                format!("{list}[{d}].id"),
                format!("{noun} id `{id}` is used twice"),
            ))
        }
        _ => Ok((checked, index)),
    }
}

impl Ledger {
    /// Validates the ledger once, with the built-in rate tables. Errors name the bad field's path.
    pub fn check<'a>(&'a self) -> Result<CheckedLedger<'a>> {
        self.check_with_rates(crate::penalty::builtin_rates()?)
    }

    /// Validates the ledger once; `rates` price the interest a partial payment pays first (the
    /// built-in tables and the newer rows in force).
    pub fn check_with_rates<'a>(&'a self, rates: &Rates) -> Result<CheckedLedger<'a>> {
        check_count(self.debtors.len(), MAX_DEBTORS, "debtors")?;
        check_count(self.invoices.len(), MAX_INVOICES, "invoices")?;
        check_text(&self.creditor.name, MAX_NAME_LEN, "creditor.name")?;
        if !is_country_code(&self.creditor.address.country) {
            return Err(Error::new(
                ErrorCode::InvalidCountry,
                "creditor.address.country",
                format!("`{}` is not an ISO 3166-1 alpha-2 country code", self.creditor.address.country),
            ));
        }
        let (debtors, debtor_index) = check_list(
            &self.debtors,
            "debtors",
            "debtor",
            |d| d.id.as_str(),
            |i, d| d.check().map_err(|e| e.within(&format!("debtors[{i}]"))),
        )?;
        let (invoices, invoice_index) = check_list(
            &self.invoices,
            "invoices",
            "invoice",
            |inv| inv.id.as_str(),
            |i, invoice| {
                let unknown = || {
                    Error::new(
                        ErrorCode::UnknownReference,
                        format!("invoices[{i}].debtorId"),
                        format!("no debtor has the id `{}`", invoice.debtor_id),
                    )
                };
                let di = *debtor_index.get(invoice.debtor_id.as_str()).ok_or_else(unknown)?;
                let debtor = debtors.get(di).map(|d: &CheckedDebtor<'_>| d.debtor).ok_or_else(unknown)?;
                invoice.check(i, di, debtor, &self.creditor, rates)
            },
        )?;
        Ok(CheckedLedger { ledger: self, invoices, debtors, invoice_index })
    }
}

#[cfg(test)]
mod contact_tests {
    use super::*;
    use crate::json::from_json;

    #[test]
    fn email_addresses_are_checked_where_they_are_read() {
        assert_eq!(from_json::<Email>(r#""billing@acme.example""#).unwrap().as_str(), "billing@acme.example");
        for bad in [r#""not-an-email""#, r#""evil@x.example\r\nBcc: y@evil.example""#, r#""a@""#, r#""@b.example""#] {
            let e = from_json::<DebtorContacts>(&format!(r#"{{"emails": ["ok@acme.example", {bad}]}}"#)).unwrap_err();
            assert_eq!((e.code(), e.path()), (ErrorCode::InvalidEmail, "emails[1]"), "{bad}: {e}");
        }
        let long = format!(r#""{}@acme.example""#, "a".repeat(250));
        assert_eq!(from_json::<Email>(&long).unwrap_err().code(), ErrorCode::InvalidEmail);
        let e = from_json::<Contact>(r#"{"email": "x y@acme.example"}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidEmail, "email"));
    }

    #[test]
    fn texts_that_end_in_subjects_and_headers_are_bounded() {
        assert!(check_text(&"n".repeat(MAX_NUMBER_LEN), MAX_NUMBER_LEN, "number").is_ok());
        let e = check_text(&"é".repeat(MAX_NUMBER_LEN + 1), MAX_NUMBER_LEN, "number").unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::TextTooLong, "number"));
    }
}
