//! Reminder messages: the exact text the debtor receives, in the debtor's language, from Handlebars
//! templates rendered by the `handlebars` crate (see [`engine`]). Built-in templates live in `core/data/templates/{fr,en,de}/*.hbs` (first line
//! `subject: ...`, then a blank line, then the body); a user can override any of them or add new
//! ones with [`TemplateSet::register`], which validates every variable against the documented
//! context ([`MessageContext`]) and every helper against the known ones before accepting it.
//!
//! Rendering gives a subject (single line: CR/LF and control characters removed), a plain-text
//! body, an HTML body (every value HTML-escaped) and, for letters, a print-ready A4 page with the
//! letterhead, the address placed for a window envelope, place and date, and the subject line.
//!
//! Helpers: `money` (`1 234,56 €`, `€1,234.56`, `1.234,56 €`), `date` (`23 novembre 2026`),
//! `plural` (`{{plural n "facture" "factures"}}`), `invoice_table` (a table of the invoices),
//! `percent` (`13,15 %`), `channel` (a channel's name), plus Handlebars' `if`, `unless`, `each`,
//! `with`, `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `and`, `or`, `not`.

pub mod engine;

use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{CheckedInvoice, CheckedLedger, DebtorKind, Ledger};
use crate::money::{parse_decimal, Amount, Currency};
use crate::penalty::{decompte, Decompte, PenaltyOptions, PenaltyRequest, Regime};
use crate::policy::Channel;
use crate::rates::{MissingRate, RateRow};
use chrono::{Datelike, NaiveDate};
use engine::Format;
use handlebars::{html_escape, template::Template, Handlebars};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

// ---- locale formats -------------------------------------------------------------------------

/// A supported message language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French.
    Fr,
    /// English.
    En,
    /// German.
    De,
}

impl Lang {
    /// Every language with built-in templates.
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::En, Lang::De];

    /// The language of a locale tag (`fr-FR` -> French); English for languages without templates.
    pub fn of_locale(locale: &str) -> Lang {
        match locale.get(..2) {
            Some(l) if l.eq_ignore_ascii_case("fr") => Lang::Fr,
            Some(l) if l.eq_ignore_ascii_case("de") => Lang::De,
            _ => Lang::En,
        }
    }

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
            Lang::De => "de",
        }
    }
}

const NBSP: char = '\u{a0}';
const NNBSP: char = '\u{202f}';

/// Writes a decimal number in the language's format (`1 234,5`), with `dp` decimals, onto `out`.
/// Rendering a letter formats dozens of numbers: one buffer, no string per part.
fn push_number(out: &mut String, value: Decimal, dp: u32, lang: Lang) {
    let v = crate::money::round_to(value, dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    if v.is_sign_negative() && !v.is_zero() {
        out.push('-');
    }
    let (group, point) = match lang {
        Lang::Fr => (NNBSP, ','),
        Lang::En => (',', '.'),
        Lang::De => ('.', ','),
    };
    let text = v.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    // The integer part is ASCII digits: its length is its number of digits.
    for (i, digit) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
}

/// A decimal number in the language's format (`1 234,5`), with `dp` decimals.
pub fn format_number(value: Decimal, dp: u32, lang: Lang) -> String {
    let mut out = String::with_capacity(16);
    push_number(&mut out, value, dp, lang);
    out
}

fn currency_symbol(currency: &Currency) -> Option<&'static str> {
    match currency.code() {
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "USD" => Some("$"),
        "CHF" => None,
        _ => None,
    }
}

/// Money in the language's format: `1 234,56 €` (fr), `€1,234.56` (en), `1.234,56 €` (de).
pub fn format_money(value: Decimal, currency: &Currency, lang: Lang) -> String {
    let mut out = String::with_capacity(20);
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    let symbol = currency_symbol(currency);
    let unit = symbol.unwrap_or(currency.code());
    if lang == Lang::En {
        out.push_str(unit);
        if symbol.is_none() {
            out.push(NBSP);
        }
    }
    push_number(&mut out, value.abs(), currency.minor_units(), lang);
    if lang != Lang::En {
        out.push(NBSP);
        out.push_str(unit);
    }
    out
}

/// A long date: `23 novembre 2026`, `1er décembre 2026`, `23 November 2026`, `23. November 2026`.
pub fn format_date(day: NaiveDate, lang: Lang) -> String {
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DE: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    let m = usize::try_from(day.month0()).unwrap_or(0);
    let month = |names: [&'static str; 12]| names.get(m).copied().unwrap_or("");
    match lang {
        Lang::Fr if day.day() == 1 => format!("1er {} {}", month(FR), day.year()),
        Lang::Fr => format!("{} {} {}", day.day(), month(FR), day.year()),
        Lang::En => format!("{} {} {}", day.day(), month(EN), day.year()),
        Lang::De => format!("{}. {} {}", day.day(), month(DE), day.year()),
    }
}

/// The singular or plural word for `n` (French treats 0 and 1 as singular).
pub fn plural<'a>(n: i64, lang: Lang, one: &'a str, other: &'a str) -> &'a str {
    let singular = match lang {
        Lang::Fr => n.abs() <= 1,
        Lang::En | Lang::De => n.abs() == 1,
    };
    if singular {
        one
    } else {
        other
    }
}

// ---- the context ------------------------------------------------------------------------------

/// Everything a template can see. Every field is always present (`null` when it does not apply),
/// so a template can test it with `{{#if}}`. Amounts are decimal strings, dates `YYYY-MM-DD`:
/// format them with `money` and `date`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageContext {
    /// Language code of the message (`fr`, `en`, `de`).
    pub locale: String,
    /// Currency of the amounts (ISO 4217).
    pub currency: String,
    /// The step: id, channel, level (1-5), tone.
    pub step: StepView,
    /// The date of the message (or of the letter).
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub message_date: NaiveDate,
    /// Where the letter is written from (the creditor's city).
    pub place: String,
    /// For a formal notice: the last day to pay.
    #[serde(default, deserialize_with = "crate::date::de_opt", serialize_with = "crate::date::ser_opt")]
    pub deadline_date: Option<NaiveDate>,
    /// Who writes.
    pub creditor: PartyView,
    /// To whom.
    pub debtor: DebtorView,
    /// The invoices concerned (one, or several in a grouped statement).
    pub invoices: Vec<InvoiceView>,
    /// How many invoices.
    pub invoice_count: usize,
    /// Their numbers, comma-separated (for subjects).
    pub invoice_numbers: String,
    /// Sums over the invoices.
    pub totals: TotalsView,
    /// What the penalty engine could compute.
    pub penalties: PenaltiesView,
    /// Reminders already sent (for the legal or agency file), oldest first.
    pub reminders: Vec<ReminderView>,
    /// The payment plan, if one was agreed or is proposed.
    pub plan: Option<PlanView>,
    /// The instalment a plan reminder is about.
    pub instalment: Option<InstalmentView>,
    /// The promise a broken-promise message is about.
    pub promise: Option<PromiseView>,
    /// The last payment received (for the thank-you message).
    pub last_payment: Option<PaymentView>,
    /// The payments that paid penalties before the principal, oldest first (empty otherwise).
    pub imputations: Vec<ImputationView>,
    /// How many invoices' copies go with the message: a template may say a copy is attached or
    /// enclosed only when one is.
    pub attached_count: usize,
    /// Their numbers, comma-separated (empty when none).
    pub attached_numbers: String,
    /// Every invoice's copy goes with the message.
    pub copies_attached: bool,
}

/// The step being sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    /// Step id.
    pub id: String,
    /// Channel (`email`, `letter`, ...).
    pub channel: Channel,
    /// Level 1 to 5.
    pub level: u8,
}

/// The creditor as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyView {
    /// Name.
    pub name: String,
    /// Address lines, then postal code and city on the last line.
    pub address_lines: Vec<String>,
    /// Country code.
    pub country: String,
    /// Legal identifiers as `SIREN 812345678`, `TVA FR40...`.
    pub identifiers: Vec<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// IBAN.
    pub iban: Option<String>,
    /// BIC.
    pub bic: Option<String>,
    /// Account holder.
    pub account_holder: Option<String>,
    /// Payment link.
    pub payment_url: Option<String>,
}

/// The debtor as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DebtorView {
    /// Name.
    pub name: String,
    /// Postal address lines (empty when unknown).
    pub address_lines: Vec<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// A professional debtor (B2B wording, 40 EUR indemnity).
    pub is_business: bool,
    /// A consumer (no B2B indemnity).
    pub is_consumer: bool,
    /// A public buyer (moratory-interest wording).
    pub is_public_body: bool,
}

/// One invoice as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceView {
    /// Number.
    pub number: String,
    /// Invoice date.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub issue_date: NaiveDate,
    /// Due date.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub due_date: NaiveDate,
    /// Total including VAT.
    pub total: Amount,
    /// Principal still owed (after what partial payments paid first, see `penalty::Imputation`).
    pub outstanding: Amount,
    /// Days past the due date (0 before it).
    pub days_late: i64,
    /// Interest accrued to the message date and not paid yet (null when its rate is unknown).
    pub interest: Option<Amount>,
    /// Fixed indemnity owed and not paid yet (null when unknown).
    pub indemnity: Option<Amount>,
    /// What payments already paid of the interest and the indemnity (null when unknown).
    pub penalties_paid: Option<Amount>,
    /// Outstanding + interest + indemnity still due (null when unknown).
    pub total_due: Option<Amount>,
    /// A copy of the invoice goes with the message (attached to the email, enclosed with the letter).
    pub copy_attached: bool,
}

/// A payment that paid penalties before the principal, as the décompte imputed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImputationView {
    /// The invoice it paid.
    pub invoice_number: String,
    /// Day received.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// Amount received.
    pub amount: Amount,
    /// Paid to the interest.
    pub to_interest: Amount,
    /// Paid to the fixed indemnity.
    pub to_indemnity: Amount,
    /// Paid to the principal.
    pub to_principal: Amount,
}

/// Sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalsView {
    /// Principal still owed.
    pub outstanding: Amount,
    /// Nothing is owed any more (principal).
    pub settled: bool,
    /// Interest still due (null when unknown).
    pub interest: Option<Amount>,
    /// Indemnities still due (null when unknown).
    pub indemnity: Option<Amount>,
    /// What payments already paid of the interest and indemnities (null when unknown).
    pub penalties_paid: Option<Amount>,
    /// Everything still due (null when unknown).
    pub total_due: Option<Amount>,
}

/// What the penalty engine said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PenaltiesView {
    /// The amounts are known.
    pub known: bool,
    /// Why not (e.g. the half-year whose rate is missing).
    pub missing_reason: Option<String>,
    /// The rate not published yet that they wait for, as a value (not for templates).
    #[serde(skip)]
    pub missing_rate: Option<MissingRate>,
    /// Regime id (`fr_b2b`, ...).
    pub regime: String,
    /// The annual rate in force on the message date (percent), when it is one number.
    pub rate: Option<Amount>,
    /// The fixed indemnity per invoice under the regime (0 for consumers).
    pub indemnity_per_invoice: Amount,
}

/// A reminder already sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct ReminderView {
    /// When.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// How.
    pub channel: Channel,
    /// Which step.
    pub step_id: String,
}

/// A payment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    /// Day agreed (or proposed).
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub agreed_on: NaiveDate,
    /// Instalments.
    pub instalments: Vec<InstalmentView>,
}

/// An instalment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalmentView {
    /// 1-based number.
    pub number: usize,
    /// Due date.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub due_date: NaiveDate,
    /// Amount.
    pub amount: Amount,
}

/// A promise to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromiseView {
    /// 1-based number among the invoice's promises.
    pub number: usize,
    /// Day it was made.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub made_on: NaiveDate,
    /// Day the money was promised for.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub promised_date: NaiveDate,
    /// Amount promised.
    pub amount: Amount,
    /// How it was made (`phone`, `email`, `portal`, `letter`).
    pub via: crate::answers::PromiseVia,
}

/// A payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    /// Day received.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// Amount.
    pub amount: Amount,
}

/// What to write, to whom, about which invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageRequest {
    /// Template key (`first_reminder`, ...).
    pub template: String,
    /// Step id.
    pub step_id: String,
    /// Channel.
    pub channel: Channel,
    /// Level 1-5.
    pub level: u8,
    /// Debtor id.
    pub debtor_id: String,
    /// The invoices (all of that debtor, one currency).
    pub invoice_ids: Vec<String>,
    /// The date of the message.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub message_date: NaiveDate,
    /// For a formal notice: the last day to pay.
    #[serde(default, deserialize_with = "crate::date::de_opt", serialize_with = "crate::date::ser_opt")]
    pub deadline_date: Option<NaiveDate>,
    /// Reminders already sent, for the legal or agency file.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reminders: Vec<ReminderView>,
    /// For a plan reminder: which instalment (1-based).
    #[serde(default)]
    pub instalment_number: Option<usize>,
    /// For a broken-promise message: which promise (1-based) of the first invoice given that has
    /// that many.
    #[serde(default)]
    pub promise_number: Option<usize>,
    /// The penalty regime (default: from the creditor's country and the debtor's kind).
    #[serde(default)]
    pub regime: Option<Regime>,
    /// Penalty options.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub penalty_options: PenaltyOptions,
    /// Newer rate rows (a half-year our tables do not cover yet).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub extra_rates: BTreeMap<String, Vec<RateRow>>,
    /// The invoices (ids) whose copy goes with the message: the worker lists those whose document
    /// it stores. Templates say a copy is attached only for these.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub attached: Vec<String>,
}

impl MessageRequest {
    /// The request for a planner action, dated `message_date`.
    pub fn for_action(action: &crate::planner::Action, message_date: NaiveDate) -> MessageRequest {
        let mut request = MessageRequest::for_step(&action.template, &action.step_id, action.channel, action.level);
        request.debtor_id.clone_from(&action.debtor_id);
        request.invoice_ids = action.items.iter().map(|i| i.invoice_id.clone()).collect();
        request.message_date = message_date;
        request.deadline_date = action.deadline_date;
        request
    }

    /// The request for a step of an invoice's timeline, dated the step's day, as the worker would
    /// make it: the step's template, channel, level and deadline, the instalment or promise it is
    /// about and, from level 3, the reminders that go out before it (a formal notice and a hand-off
    /// file list them), oldest first.
    ///
    /// # Errors
    /// `unknown_reference` (path `stepId`) when the timeline has no such step.
    pub fn for_timeline_step(timeline: &crate::planner::InvoiceTimeline, step_id: &str) -> Result<MessageRequest> {
        use crate::planner::StepStatus;
        let step = timeline.steps.iter().find(|s| s.step_id == step_id).ok_or_else(|| {
            Error::new(
                ErrorCode::UnknownReference,
                "stepId",
                format!("invoice {} has no step `{step_id}`", timeline.number),
            )
        })?;
        let mut request = MessageRequest::for_step(&step.template, &step.step_id, step.channel, step.level);
        request.debtor_id.clone_from(&timeline.debtor_id);
        request.invoice_ids = vec![timeline.invoice_id.clone()];
        request.message_date = step.date;
        request.deadline_date = step.deadline_date;
        if step.level >= 3 {
            let goes_out = |s: &&crate::planner::TimelineStep| {
                matches!(s.status, StepStatus::Past | StepStatus::Today | StepStatus::Upcoming)
                    && (s.date < step.date || (s.date == step.date && s.level < step.level))
            };
            request.reminders = timeline
                .steps
                .iter()
                .filter(goes_out)
                .map(|s| ReminderView { date: s.date, channel: s.channel, step_id: s.step_id.clone() })
                .collect();
            request.reminders.sort_by(|a, b| (a.date, &a.step_id).cmp(&(b.date, &b.step_id)));
        }
        Ok(request)
    }

    /// A request for a step (the instalment or promise it is about read from its id), to be given
    /// its debtor, invoices and dates.
    fn for_step(template: &str, step_id: &str, channel: Channel, level: u8) -> MessageRequest {
        MessageRequest {
            template: template.to_owned(),
            step_id: step_id.to_owned(),
            channel,
            level,
            debtor_id: String::new(),
            invoice_ids: Vec::new(),
            message_date: NaiveDate::default(),
            deadline_date: None,
            reminders: Vec::new(),
            instalment_number: instalment_of(step_id),
            promise_number: promise_of(step_id),
            regime: None,
            penalty_options: PenaltyOptions::default(),
            extra_rates: BTreeMap::new(),
            attached: Vec::new(),
        }
    }
}

/// `instalment-2-missed` -> 2.
fn instalment_of(step_id: &str) -> Option<usize> {
    step_id.strip_prefix("instalment-")?.split('-').next()?.parse().ok()
}

/// `promise-2-broken` -> 2.
fn promise_of(step_id: &str) -> Option<usize> {
    step_id.strip_prefix("promise-")?.strip_suffix("-broken")?.parse().ok()
}

fn regime_id(r: &Regime) -> &'static str {
    match r {
        Regime::FrB2b => "fr_b2b",
        Regime::FrB2bContractual { .. } => "fr_b2b_contractual",
        Regime::FrPublic => "fr_public",
        Regime::FrConsumer { .. } => "fr_consumer",
        Regime::EuGeneric { .. } => "eu_generic",
        Regime::DeB2b => "de_b2b",
        Regime::DeConsumer => "de_consumer",
        Regime::Uk => "uk",
        Regime::Nl => "nl",
        Regime::Be => "be",
        Regime::Es => "es",
        Regime::It => "it",
    }
}

/// The printed label of a legal identifier scheme (`vat` -> `N° TVA` in French).
fn identifier_label(scheme: &str, lang: Lang) -> String {
    match (scheme.to_ascii_lowercase().as_str(), lang) {
        ("vat", Lang::Fr) => "N° TVA".into(),
        ("vat", Lang::En) => "VAT No.".into(),
        ("vat", Lang::De) => "USt-IdNr.".into(),
        ("rcs", _) => "RCS".into(),
        (other, _) => other.to_ascii_uppercase(),
    }
}

fn address_lines(a: &crate::ledger::Address) -> Vec<String> {
    let mut lines = a.lines.clone();
    let city = format!("{} {}", a.postal_code, a.city).trim().to_owned();
    if !city.is_empty() {
        lines.push(city);
    }
    lines
}

/// Builds the context of a message from the ledger. Penalties come from the penalty engine as of
/// the message date; when a rate is missing they are marked unknown (a template that needs them
/// then refuses to render).
pub fn build_context(ledger: &Ledger, req: &MessageRequest) -> Result<MessageContext> {
    let rates = crate::penalty::rates_with(&req.extra_rates).map_err(|e| e.within("request"))?;
    let checked: CheckedLedger<'_> = ledger.check_with_rates(&rates).map_err(|e| e.within("ledger"))?;
    build_checked_context(ledger, &checked, req).map_err(|e| {
        if e.path().starts_with("ledger") {
            e
        } else {
            e.within("request")
        }
    })
}

fn build_checked_context(ledger: &Ledger, checked: &CheckedLedger<'_>, req: &MessageRequest) -> Result<MessageContext> {
    let debtor = checked
        .debtors
        .iter()
        .find(|d| d.debtor.id == req.debtor_id)
        .ok_or_else(|| Error::new(ErrorCode::UnknownReference, "debtorId", format!("no debtor `{}`", req.debtor_id)))?
        .debtor;
    if req.invoice_ids.is_empty() {
        return Err(Error::new(ErrorCode::MissingField, "invoiceIds", "a message is about at least one invoice"));
    }
    let mut invoices = Vec::with_capacity(req.invoice_ids.len());
    for (i, id) in req.invoice_ids.iter().enumerate() {
        let inv = checked.invoices.iter().find(|c| &c.invoice.id == id).ok_or_else(|| {
            Error::new(ErrorCode::UnknownReference, format!("invoiceIds[{i}]"), format!("no invoice `{id}`"))
        })?;
        if inv.invoice.debtor_id != debtor.id {
            return Err(Error::new(
                ErrorCode::UnknownReference,
                format!("invoiceIds[{i}]"),
                format!("invoice `{id}` is not owed by `{}`", debtor.id),
            ));
        }
        invoices.push(inv);
    }
    let currency = invoices.first().map(|i| i.invoice.currency.clone()).unwrap_or_else(Currency::eur);
    if let Some(i) = invoices.iter().position(|inv| inv.invoice.currency != currency) {
        return Err(Error::new(
            ErrorCode::MixedCurrencies,
            format!("invoiceIds[{i}]"),
            "one message is in one currency",
        ));
    }
    if req.penalty_options.estimate_missing_rates {
        return Err(Error::new(
            ErrorCode::OutOfRange,
            "penaltyOptions.estimateMissingRates",
            "a message states what is owed: it cannot rest on an estimated rate",
        ));
    }
    let creditor = &ledger.creditor;
    let notice =
        req.reminders.iter().find(|r| r.channel == Channel::RegisteredLetter).map_or(req.message_date, |r| r.date);
    let regime =
        req.regime.clone().unwrap_or_else(|| Regime::default_for(&creditor.address.country, debtor.kind, notice));
    let date = req.message_date;
    let mut views = Vec::with_capacity(invoices.len());
    let mut missing: Option<String> = None;
    let mut missing_rate: Option<MissingRate> = None;
    let mut rate: Option<Amount> = None;
    let mut sums = [Decimal::ZERO; 5];
    let mut imputations = Vec::new();
    for inv in &invoices {
        let penalty = PenaltyRequest::for_invoice(inv, regime.clone(), date, req.penalty_options)
            .with_extra_rates(req.extra_rates.clone());
        let d = match decompte(&penalty) {
            Ok(d) => Some(d),
            Err(e) if e.code() == ErrorCode::MissingRate => {
                missing.get_or_insert_with(|| e.message().to_owned());
                if missing_rate.is_none() {
                    missing_rate = e.missing_rate().cloned();
                }
                None
            }
            Err(e) => return Err(e.within(&format!("invoiceIds[{}]", views.len()))),
        };
        if let Some(d) = &d {
            rate = rate.or_else(|| d.lines.last().map(|l| l.rate));
            imputations.extend(
                d.payments.iter().filter(|p| p.to_interest.is_positive() || p.to_indemnity.is_positive()).map(|p| {
                    ImputationView {
                        invoice_number: inv.invoice.number.clone(),
                        date: p.date,
                        amount: p.amount,
                        to_interest: p.to_interest,
                        to_indemnity: p.to_indemnity,
                        to_principal: p.to_principal,
                    }
                }),
            );
        }
        let mut view = invoice_view(inv, date, &currency, d.as_ref());
        view.copy_attached = req.attached.contains(&inv.invoice.id);
        for (slot, v) in [
            (0, Some(view.outstanding)),
            (1, view.interest),
            (2, view.indemnity),
            (3, view.total_due),
            (4, view.penalties_paid),
        ] {
            if let (Some(s), Some(v)) = (sums.get_mut(slot), v) {
                *s += v.value();
            }
        }
        views.push(view);
    }
    imputations.sort_by_key(|i| i.date);
    let known = missing.is_none();
    let amount = |v: Decimal| Amount(v).to_minor_units(&currency);
    let first_total = invoices.first().map_or(Decimal::ZERO, |i| i.invoice.total.value());
    let indemnity_per_invoice = crate::penalty::fixed_indemnity(&regime, first_total);
    let first = invoices.first();
    let plan = first.and_then(|i| i.invoice.payment_plan.as_ref()).map(|p| PlanView {
        agreed_on: p.agreed_on,
        instalments: p
            .instalments
            .iter()
            .enumerate()
            .map(|(i, x)| InstalmentView {
                number: i + 1,
                due_date: x.due_date,
                amount: x.amount.to_minor_units(&currency),
            })
            .collect(),
    });
    let instalment = match req.instalment_number {
        Some(n) => {
            Some(plan.as_ref().and_then(|p| p.instalments.get(n.wrapping_sub(1))).cloned().ok_or_else(|| {
                Error::new(
                    ErrorCode::UnknownReference,
                    "instalmentNumber",
                    format!("no instalment {n} in the invoice's payment plan"),
                )
            })?)
        }
        None => None,
    };
    let promise = match req.promise_number {
        Some(n) => Some(
            invoices
                .iter()
                .find_map(|i| {
                    let p = i.invoice.promises.get(n.checked_sub(1)?)?;
                    Some(PromiseView {
                        number: n,
                        made_on: p.made_on,
                        promised_date: p.promised_date,
                        amount: p.amount.to_minor_units(&currency),
                        via: p.via,
                    })
                })
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::UnknownReference,
                        "promiseNumber",
                        format!("no promise {n} on these invoices"),
                    )
                })?,
        ),
        None => None,
    };
    let last_payment = invoices
        .iter()
        .flat_map(|i| i.invoice.payments.iter())
        .filter(|p| p.date <= date)
        .max_by_key(|p| p.date)
        .map(|p| PaymentView { date: p.date, amount: p.amount.to_minor_units(&currency) });
    let postal = debtor.contacts.postal_address.as_ref().map(address_lines).unwrap_or_default();
    let attached: Vec<&str> = views.iter().filter(|v| v.copy_attached).map(|v| v.number.as_str()).collect();
    let (attached_count, attached_numbers) = (attached.len(), attached.join(", "));
    let copies_attached = attached_count > 0 && attached_count == views.len();
    Ok(MessageContext {
        locale: Lang::of_locale(&debtor.locale).code().to_owned(),
        currency: currency.code().to_owned(),
        step: StepView { id: req.step_id.clone(), channel: req.channel, level: req.level },
        message_date: date,
        place: creditor.address.city.clone(),
        deadline_date: req.deadline_date,
        creditor: PartyView {
            name: creditor.name.clone(),
            address_lines: address_lines(&creditor.address),
            country: creditor.address.country.clone(),
            identifiers: creditor
                .identifiers
                .iter()
                .map(|(k, v)| format!("{} {v}", identifier_label(k, Lang::of_locale(&debtor.locale))))
                .collect(),
            contact_name: creditor.contact.name.clone(),
            email: creditor.contact.email.as_ref().map(ToString::to_string),
            phone: creditor.contact.phone.clone(),
            iban: creditor.payment.iban.clone(),
            bic: creditor.payment.bic.clone(),
            account_holder: creditor.payment.account_holder.clone(),
            payment_url: creditor.payment.payment_url.clone(),
        },
        debtor: DebtorView {
            name: debtor.name.clone(),
            address_lines: postal,
            email: debtor.contacts.emails.first().map(ToString::to_string),
            phone: debtor.contacts.phone.clone(),
            is_business: debtor.kind == DebtorKind::Business,
            is_consumer: debtor.kind == DebtorKind::Consumer,
            is_public_body: debtor.kind == DebtorKind::PublicBody,
        },
        invoice_count: views.len(),
        invoice_numbers: views.iter().map(|v| v.number.as_str()).collect::<Vec<_>>().join(", "),
        invoices: views,
        totals: TotalsView {
            outstanding: amount(sums[0]),
            settled: sums[0] <= Decimal::ZERO,
            interest: known.then(|| amount(sums[1])),
            indemnity: known.then(|| amount(sums[2])),
            penalties_paid: known.then(|| amount(sums[4])),
            total_due: known.then(|| amount(sums[3])),
        },
        penalties: PenaltiesView {
            known,
            missing_reason: missing,
            missing_rate,
            regime: regime_id(&regime).to_owned(),
            rate,
            indemnity_per_invoice: amount(indemnity_per_invoice),
        },
        reminders: req.reminders.clone(),
        plan,
        instalment,
        promise,
        last_payment,
        imputations,
        copies_attached,
        attached_count,
        attached_numbers,
    })
}

/// One invoice as a message shows it on `date`: the principal, and the penalties still due from
/// its décompte (none while a rate is missing). With the décompte, every figure is the
/// décompte's, so the lines and the table always add up to the total due, and an invoice paid
/// late shows the days it was late.
fn invoice_view(inv: &CheckedInvoice<'_>, date: NaiveDate, currency: &Currency, d: Option<&Decompte>) -> InvoiceView {
    let totals = d.map(|d| &d.totals);
    InvoiceView {
        number: inv.invoice.number.clone(),
        issue_date: inv.invoice.issue_date,
        due_date: inv.due_date,
        total: inv.invoice.total.to_minor_units(currency),
        outstanding: totals
            .map_or_else(|| inv.outstanding_on(date), |t| t.principal_outstanding)
            .to_minor_units(currency),
        days_late: d.map_or_else(|| (date - inv.due_date).num_days().max(0), |d| d.days_late),
        interest: totals.map(|t| t.interest_due),
        indemnity: totals.map(|t| t.indemnity_due),
        penalties_paid: totals.map(|t| Amount(t.interest_paid.value() + t.indemnity_paid.value())),
        total_due: totals.map(|t| t.total_due),
        copy_attached: false,
    }
}

impl MessageContext {
    /// A context with every optional part filled: the documented shape that custom templates are
    /// checked against (and an example of it).
    pub fn example() -> MessageContext {
        let d = |s: &str| crate::date::parse(s).unwrap_or_default();
        let a = |s: &str| Amount(parse_decimal(s).unwrap_or_default());
        let inv = InvoiceView {
            number: "F-2025-0142".into(),
            issue_date: d("2025-05-21"),
            due_date: d("2025-06-20"),
            total: a("12000.00"),
            outstanding: a("12000.00"),
            days_late: 20,
            interest: Some(a("83.18")),
            indemnity: Some(a("40.00")),
            penalties_paid: Some(a("0.00")),
            total_due: Some(a("12123.18")),
            copy_attached: true,
        };
        let instalment = InstalmentView { number: 1, due_date: d("2025-07-31"), amount: a("6000.00") };
        MessageContext {
            locale: "fr".into(),
            currency: "EUR".into(),
            step: StepView { id: "formal-notice".into(), channel: Channel::RegisteredLetter, level: 5 },
            message_date: d("2025-07-10"),
            place: "Lyon".into(),
            deadline_date: Some(d("2025-07-18")),
            creditor: PartyView {
                name: "Atelier Durand SARL".into(),
                address_lines: vec!["12 rue des Tanneurs".into(), "69002 Lyon".into()],
                country: "FR".into(),
                identifiers: vec!["SIREN 812345678".into()],
                contact_name: Some("Claire Durand".into()),
                email: Some("compta@atelier-durand.example".into()),
                phone: Some("+33 4 72 00 00 00".into()),
                iban: Some("FR7630006000011234567890189".into()),
                bic: Some("AGRIFRPP".into()),
                account_holder: Some("Atelier Durand SARL".into()),
                payment_url: Some("https://pay.example/F-2025-0142".into()),
            },
            debtor: DebtorView {
                name: "Brasserie du Parc SAS".into(),
                address_lines: vec!["3 place Bellecour".into(), "69002 Lyon".into()],
                email: Some("factures@brasserie.example".into()),
                phone: Some("+33 4 78 00 00 01".into()),
                is_business: true,
                is_consumer: false,
                is_public_body: false,
            },
            invoices: vec![inv],
            invoice_count: 1,
            invoice_numbers: "F-2025-0142".into(),
            totals: TotalsView {
                outstanding: a("12000.00"),
                settled: false,
                interest: Some(a("83.18")),
                indemnity: Some(a("40.00")),
                penalties_paid: Some(a("0.00")),
                total_due: Some(a("12123.18")),
            },
            penalties: PenaltiesView {
                known: true,
                missing_reason: Some("".into()),
                missing_rate: None,
                regime: "fr_b2b".into(),
                rate: Some(a("12.15")),
                indemnity_per_invoice: a("40.00"),
            },
            reminders: vec![ReminderView {
                date: d("2025-06-23"),
                channel: Channel::Email,
                step_id: "reminder-1".into(),
            }],
            plan: Some(PlanView { agreed_on: d("2025-07-01"), instalments: vec![instalment.clone()] }),
            instalment: Some(instalment),
            promise: Some(PromiseView {
                number: 1,
                made_on: d("2025-06-25"),
                promised_date: d("2025-07-04"),
                amount: a("12000.00"),
                via: crate::answers::PromiseVia::Phone,
            }),
            last_payment: Some(PaymentView { date: d("2025-07-01"), amount: a("500.00") }),
            imputations: vec![ImputationView {
                invoice_number: "F-2025-0142".into(),
                date: d("2025-07-01"),
                amount: a("500.00"),
                to_interest: a("60.25"),
                to_indemnity: a("40.00"),
                to_principal: a("399.75"),
            }],
            attached_count: 1,
            attached_numbers: "F-2025-0142".into(),
            copies_attached: true,
        }
    }
}

// ---- templates ----------------------------------------------------------------------------------

/// The built-in template keys (every step of the ready-made policies, plans and thanks).
pub const BUILTIN_TEMPLATES: [&str; 14] = [
    "courtesy_before_due",
    "first_reminder",
    "second_reminder",
    "phone_call",
    "formal_letter",
    "formal_notice",
    "legal_handoff",
    "agency_handoff",
    "payment_plan_proposal",
    "instalment_upcoming",
    "instalment_missed",
    "promise_broken",
    "thanks_payment",
    "penalty_claim",
];

/// Templates that state penalty amounts and may not go out without them.
const NEED_PENALTIES: [&str; 5] =
    ["formal_letter", "formal_notice", "legal_handoff", "agency_handoff", "penalty_claim"];

macro_rules! builtin_sources {
    ($($lang:literal => [$($key:literal),*]),*) => {
        fn builtin_source(lang: Lang, key: &str) -> Option<&'static str> {
            match (lang.code(), key) {
                $($(($lang, $key) => Some(include_str!(concat!("../data/templates/", $lang, "/", $key, ".hbs"))),)*)*
                _ => None,
            }
        }
    };
}

builtin_sources! {
    "fr" => ["courtesy_before_due", "first_reminder", "second_reminder", "phone_call", "formal_letter", "formal_notice",
             "legal_handoff", "agency_handoff", "payment_plan_proposal", "instalment_upcoming", "instalment_missed", "promise_broken",
             "thanks_payment", "penalty_claim"],
    "en" => ["courtesy_before_due", "first_reminder", "second_reminder", "phone_call", "formal_letter", "formal_notice",
             "legal_handoff", "agency_handoff", "payment_plan_proposal", "instalment_upcoming", "instalment_missed", "promise_broken",
             "thanks_payment", "penalty_claim"],
    "de" => ["courtesy_before_due", "first_reminder", "second_reminder", "phone_call", "formal_letter", "formal_notice",
             "legal_handoff", "agency_handoff", "payment_plan_proposal", "instalment_upcoming", "instalment_missed", "promise_broken",
             "thanks_payment", "penalty_claim"]
}

/// The rendered message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct RenderedMessage {
    /// Template key.
    pub template: String,
    /// Language.
    pub locale: String,
    /// One line: CR, LF and control characters removed.
    pub subject: String,
    /// Plain-text body, with the creditor's contact and payment details.
    pub text: String,
    /// HTML body (email), every value escaped.
    pub html: String,
    /// Print-ready A4 letter, for letter channels.
    pub letter_html: Option<String>,
}

/// A set of templates: the built-ins plus the user's, all validated. Built once
/// ([`TemplateSet::builtin`]); a set with the user's templates is a clone of it, extended.
#[derive(Clone)]
pub struct TemplateSet {
    templates: BTreeMap<(String, Lang), MessageTemplate>,
    /// Per language: the partials templates may include, as parsed.
    partials: BTreeMap<Lang, BTreeMap<String, Template>>,
    /// Per language: the handlebars registries that render, for text and for HTML.
    engines: BTreeMap<Lang, Engines>,
    schema: Value,
}

/// One template, parsed and checked: it renders the text and the HTML body alike.
#[derive(Clone)]
struct MessageTemplate {
    subject: Template,
    body: Template,
    /// It states penalty amounts: refuse to render it without them.
    requires_penalties: bool,
}

/// The registries of a language: the same templates, helpers and partials, escaping nothing (text)
/// or escaping every value (HTML).
#[derive(Clone)]
struct Engines {
    text: Handlebars<'static>,
    html: Handlebars<'static>,
}

impl Engines {
    fn new() -> Engines {
        Engines { text: engine::registry(false, format_helper), html: engine::registry(true, format_helper) }
    }

    fn add(&mut self, name: &str, template: &Template) {
        self.text.register_template(name, template.clone());
        self.html.register_template(name, template.clone());
    }
}

impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateSet").field("templates", &self.templates.keys().collect::<Vec<_>>()).finish()
    }
}

/// A template key or partial name: 1 to 64 of a-z, 0-9, `_`, `-`, `.`.
fn check_name(name: &str, path: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-' || b == b'.');
    if valid {
        Ok(())
    } else {
        Err(Error::new(ErrorCode::InvalidId, path, "a template key is 1 to 64 of a-z, 0-9, _ - ."))
    }
}

/// The partials the built-in templates share, in every language.
const BUILTIN_PARTIALS: [(&str, &str); 1] = [("signature", include_str!("../data/templates/partials/signature.hbs"))];

fn split_source(source: &str) -> Option<(&str, &str)> {
    let rest = source.strip_prefix("subject:")?;
    let (subject, body) = rest.split_once('\n')?;
    Some((subject.trim(), body.trim_start_matches('\n').trim_end()))
}

fn lang_of(data: &Value) -> Lang {
    Lang::of_locale(data.get("locale").and_then(Value::as_str).unwrap_or("en"))
}

fn currency_of(data: &Value) -> Currency {
    data.get("currency").and_then(Value::as_str).and_then(Currency::new).unwrap_or_else(Currency::eur)
}

fn decimal_arg(value: &Value) -> std::result::Result<Option<Decimal>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => parse_decimal(s).map(Some).ok_or_else(|| format!("`{s}` is not a decimal")),
        Value::Number(n) => parse_decimal(&n.to_string()).map(Some).ok_or_else(|| format!("`{n}` is not a decimal")),
        other => Err(format!("expected a number, got {other}")),
    }
}

/// What the formatting helpers write, for the template engine. The engine has checked the
/// number of arguments; a variable the context leaves out arrives as `null`.
fn format_helper(helper: Format, args: &[&Value], data: &Value, html: bool) -> std::result::Result<String, String> {
    let arg = |i: usize| args.get(i).copied().unwrap_or(&Value::Null);
    let lang = lang_of(data);
    match helper {
        Format::Money => {
            Ok(decimal_arg(arg(0))?.map(|v| format_money(v, &currency_of(data), lang)).unwrap_or_default())
        }
        Format::Percent => Ok(decimal_arg(arg(0))?
            .map(|v| {
                let n = format_number(v, 2, lang);
                match lang {
                    Lang::En => format!("{n}%"),
                    Lang::Fr | Lang::De => format!("{n}{NBSP}%"),
                }
            })
            .unwrap_or_default()),
        Format::Date => match arg(0) {
            Value::Null => Ok(String::new()),
            Value::String(s) => crate::date::parse(s).map(|day| format_date(day, lang)).map_err(|(_, message)| message),
            other => Err(format!("expected a date, got {other}")),
        },
        Format::Plural => {
            let n = arg(0).as_i64().ok_or("plural needs a count")?;
            match (arg(1).as_str(), arg(2).as_str()) {
                (Some(one), Some(other)) => Ok(plural(n, lang, one, other).to_owned()),
                _ => Err("plural needs a singular and a plural word".to_owned()),
            }
        }
        Format::Channel => {
            let channel: Channel =
                arg(0).as_str().unwrap_or_default().parse().map_err(|e| format!("not a channel: {e}"))?;
            Ok(channel_name(channel, lang).to_owned())
        }
        Format::InvoiceTable if html => Ok(html_table(data)),
        Format::InvoiceTable => Ok(text_table(data)),
    }
}

/// A channel's name in the language.
pub fn channel_name(channel: Channel, lang: Lang) -> &'static str {
    use Channel::*;
    match (lang, channel) {
        (Lang::Fr, Email) => "courriel",
        (Lang::Fr, Sms) => "SMS",
        (Lang::Fr, PhoneTask) => "appel téléphonique",
        (Lang::Fr, Letter) => "courrier",
        (Lang::Fr, RegisteredLetter) => "lettre recommandée avec accusé de réception",
        (Lang::Fr, LegalAction) => "action en justice",
        (Lang::Fr, AgencyHandoff) => "transmission à une société de recouvrement",
        (Lang::En, Email) => "email",
        (Lang::En, Sms) => "text message",
        (Lang::En, PhoneTask) => "phone call",
        (Lang::En, Letter) => "letter",
        (Lang::En, RegisteredLetter) => "recorded-delivery letter",
        (Lang::En, LegalAction) => "legal action",
        (Lang::En, AgencyHandoff) => "collection agency hand-off",
        (Lang::De, Email) => "E-Mail",
        (Lang::De, Sms) => "SMS",
        (Lang::De, PhoneTask) => "Telefonat",
        (Lang::De, Letter) => "Brief",
        (Lang::De, RegisteredLetter) => "Einschreiben mit Rückschein",
        (Lang::De, LegalAction) => "gerichtliches Verfahren",
        (Lang::De, AgencyHandoff) => "Übergabe an ein Inkassobüro",
    }
}

struct TableHeaders {
    number: &'static str,
    issued: &'static str,
    due: &'static str,
    amount: &'static str,
    late: &'static str,
    penalties: &'static str,
    total: &'static str,
}

fn headers(lang: Lang) -> TableHeaders {
    match lang {
        Lang::Fr => TableHeaders {
            number: "Facture",
            issued: "Date",
            due: "Échéance",
            amount: "Reste dû",
            late: "Retard (j)",
            penalties: "Pénalités et indemnité",
            total: "Total",
        },
        Lang::En => TableHeaders {
            number: "Invoice",
            issued: "Date",
            due: "Due date",
            amount: "Outstanding",
            late: "Days late",
            penalties: "Interest and compensation",
            total: "Total",
        },
        Lang::De => TableHeaders {
            number: "Rechnung",
            issued: "Datum",
            due: "Fällig am",
            amount: "Offen",
            late: "Verzug (Tage)",
            penalties: "Zinsen und Pauschale",
            total: "Gesamt",
        },
    }
}

/// Rows of the invoice table: cells already formatted for the language.
fn table_rows(data: &Value) -> Vec<[String; 7]> {
    let lang = lang_of(data);
    let currency = currency_of(data);
    let money = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(parse_decimal)
            .map(|d| format_money(d, &currency, lang))
            .unwrap_or_else(|| "—".into())
    };
    let date = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| crate::date::parse(s).ok())
            .map(|d| format_date(d, lang))
            .unwrap_or_default()
    };
    let invoices = data.get("invoices").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    invoices
        .iter()
        .map(|inv| {
            let extra =
                match (inv.get("interest").and_then(Value::as_str), inv.get("indemnity").and_then(Value::as_str)) {
                    (Some(i), Some(f)) => match (parse_decimal(i), parse_decimal(f)) {
                        (Some(i), Some(f)) => format_money(i + f, &currency, lang),
                        _ => "—".into(),
                    },
                    _ => "—".into(),
                };
            [
                inv.get("number").and_then(Value::as_str).unwrap_or("").to_owned(),
                date(inv.get("issueDate")),
                date(inv.get("dueDate")),
                money(inv.get("outstanding")),
                inv.get("daysLate").and_then(Value::as_i64).unwrap_or(0).to_string(),
                extra,
                money(inv.get("totalDue")),
            ]
        })
        .collect()
}

fn text_table(data: &Value) -> String {
    let t = headers(lang_of(data));
    let head = [t.number, t.issued, t.due, t.amount, t.late, t.penalties, t.total].map(str::to_owned);
    let mut rows = vec![head];
    rows.extend(table_rows(data));
    let mut widths = [0usize; 7];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::with_capacity(rows.len() * 100);
    let push_row = |text: &mut String, cells: &mut dyn Iterator<Item = (&str, usize)>| {
        let start = text.len();
        for (i, (cell, width)) in cells.enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            text.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.chars().count())));
        }
        let end = start + text[start..].trim_end().len();
        text.truncate(end);
        text.push('\n');
    };
    for (i, row) in rows.iter().enumerate() {
        push_row(&mut text, &mut row.iter().map(String::as_str).zip(widths));
        if i == 0 {
            let rules = widths.map(|w| "-".repeat(w));
            push_row(&mut text, &mut rules.iter().map(String::as_str).zip(widths));
        }
    }
    text.truncate(text.trim_end().len());
    text
}

fn html_table(data: &Value) -> String {
    let t = headers(lang_of(data));
    let mut html = String::with_capacity(1024);
    html.push_str("<table class=\"invoices\"><thead><tr>");
    for head in [t.number, t.issued, t.due, t.amount, t.late, t.penalties, t.total] {
        html.push_str("<th>");
        html.push_str(&html_escape(head));
        html.push_str("</th>");
    }
    html.push_str("</tr></thead><tbody>");
    for row in table_rows(data) {
        html.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            html.push_str(if i >= 3 { "<td class=\"num\">" } else { "<td>" });
            html.push_str(&html_escape(cell));
            html.push_str("</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// One-line subject: control characters (CR, LF, tab...) become spaces, runs of spaces fold.
pub fn clean_subject(raw: &str) -> String {
    let replaced: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl TemplateSet {
    /// Every built-in template in every language, compiled and validated once per process (or
    /// WebAssembly instance): building the set parses every template three times, about 15 ms in
    /// WebAssembly, which each rendered message would otherwise pay again.
    pub fn builtin() -> Result<&'static TemplateSet> {
        static BUILTIN: OnceLock<Result<TemplateSet>> = OnceLock::new();
        BUILTIN.get_or_init(TemplateSet::build_builtin).as_ref().map_err(Clone::clone)
    }

    fn build_builtin() -> Result<TemplateSet> {
        let schema = serde_json::to_value(MessageContext::example())
            .map_err(|e| Error::new(ErrorCode::EmbeddedData, "", e.to_string()))?;
        let mut set =
            TemplateSet { templates: BTreeMap::new(), partials: BTreeMap::new(), engines: BTreeMap::new(), schema };
        let embedded = |e: Error| Error::new(ErrorCode::EmbeddedData, e.path(), e.message().to_owned());
        for lang in Lang::ALL {
            for (name, source) in BUILTIN_PARTIALS {
                set.register_partial(name, lang, source.trim_end()).map_err(embedded)?;
            }
            for key in BUILTIN_TEMPLATES {
                let source = builtin_source(lang, key).ok_or_else(|| {
                    Error::new(ErrorCode::EmbeddedData, "", format!("no built-in template {}/{key}", lang.code()))
                })?;
                set.register(key, lang, source, NEED_PENALTIES.contains(&key)).map_err(embedded)?;
            }
        }
        Ok(set)
    }

    /// Adds or replaces template `key` in `lang`. `source` is `subject: ...`, a blank line, the
    /// body, in the Handlebars language. Every variable must exist in the documented context,
    /// every helper be known and every partial be one of the language's; `{{{ }}}` and decorators
    /// are refused. `requires_penalties`: refuse to render when penalty amounts are unknown.
    /// Nothing changes when an error is returned.
    pub fn register(&mut self, key: &str, lang: Lang, source: &str, requires_penalties: bool) -> Result<()> {
        let base = format!("templates.{}.{key}", lang.code());
        check_name(key, &base)?;
        let (subject, body) = split_source(source).ok_or_else(|| {
            Error::new(ErrorCode::InvalidTemplate, base.clone(), "a template starts with a `subject:` line")
        })?;
        let template = MessageTemplate {
            subject: engine::parse(subject, &format!("{base}.subject"))?,
            body: engine::parse(body, &format!("{base}.body"))?,
            requires_penalties,
        };
        self.check(lang, &template, &base, None)?;
        let engines = self.engines.entry(lang).or_insert_with(Engines::new);
        engines.add(&format!("{key}.subject"), &template.subject);
        engines.add(&format!("{key}.body"), &template.body);
        self.templates.insert((key.to_owned(), lang), template);
        Ok(())
    }

    /// Adds or replaces partial `name` in `lang`, which templates include as `{{> name}}` (the
    /// built-ins share `signature`). A partial is checked where it is included; replacing one
    /// re-checks every template of the language, and nothing changes if one of them fails.
    pub fn register_partial(&mut self, name: &str, lang: Lang, source: &str) -> Result<()> {
        let path = format!("partials.{}.{name}", lang.code());
        check_name(name, &path)?;
        let partial = engine::parse(source, &path)?;
        let mut partials = self.partials.get(&lang).cloned().unwrap_or_default();
        partials.insert(name.to_owned(), partial.clone());
        for ((key, _), template) in self.templates.iter().filter(|((_, l), _)| *l == lang) {
            self.check(lang, template, &format!("templates.{}.{key}", lang.code()), Some(&partials))?;
        }
        self.engines.entry(lang).or_insert_with(Engines::new).add(name, &partial);
        self.partials.insert(lang, partials);
        Ok(())
    }

    /// Checks a template's subject and body against the documented context and the partials of
    /// its language (or those given, about to replace them).
    fn check(
        &self,
        lang: Lang,
        template: &MessageTemplate,
        base: &str,
        partials: Option<&BTreeMap<String, Template>>,
    ) -> Result<()> {
        let none = BTreeMap::new();
        let partials = partials.or_else(|| self.partials.get(&lang)).unwrap_or(&none);
        let subject_path = format!("{base}.subject");
        let body_path = format!("{base}.body");
        let check = |path, allow_table| engine::Check { schema: &self.schema, partials, allow_table, path };
        check(&subject_path, false).template(&template.subject)?;
        check(&body_path, true).template(&template.body)
    }

    /// The keys available in `lang`.
    pub fn keys(&self, lang: Lang) -> Vec<String> {
        self.templates.keys().filter(|(_, l)| *l == lang).map(|(k, _)| k.clone()).collect()
    }

    /// Renders template `key` for `ctx` (in the context's language).
    pub fn render(&self, key: &str, ctx: &MessageContext) -> Result<RenderedMessage> {
        let lang = Lang::of_locale(&ctx.locale);
        let template = self.templates.get(&(key.to_owned(), lang)).ok_or_else(|| {
            Error::new(ErrorCode::UnknownReference, "template", format!("no template `{key}` in {}", lang.code()))
        })?;
        if template.requires_penalties && !ctx.penalties.known {
            let message = format!(
                "`{key}` states the penalties, which cannot be computed: {}",
                ctx.penalties.missing_reason.clone().unwrap_or_default()
            );
            let error = match ctx.penalties.missing_rate.clone() {
                Some(missing) => Error::rate_not_published(missing, message),
                None => Error::new(ErrorCode::MissingRate, "", message),
            };
            return Err(error.at("request.extraRates"));
        }
        // One context for the three renders: handlebars would otherwise copy the data for each.
        let data =
            handlebars::Context::wraps(ctx).map_err(|e| Error::new(ErrorCode::InvalidJson, "", e.to_string()))?;
        let engines = self.engines.get(&lang).ok_or_else(|| {
            Error::new(ErrorCode::UnknownReference, "template", format!("no template `{key}` in {}", lang.code()))
        })?;
        let render = |part: &str, html: bool| {
            let engine = if html { &engines.html } else { &engines.text };
            engine.render_with_context(&format!("{key}.{part}"), &data).map_err(|e| {
                Error::new(ErrorCode::InvalidTemplate, format!("templates.{}.{key}.{part}", lang.code()), e.to_string())
            })
        };
        let subject = clean_subject(&render("subject", false)?);
        let footer = footer(ctx, lang);
        let text = format!("{}\n\n-- \n{}\n", render("body", false)?.trim_end(), footer.join("\n"));
        let body_html = paragraphs_to_html(&render("body", true)?);
        let footer_html: Vec<String> = footer.iter().map(|l| html_escape(l)).collect();
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\"><title>{title}</title>\n<style>{css}</style></head>\n<body>\n{body_html}\n<footer>{footer}</footer>\n</body>\n</html>\n",
            lang = lang.code(),
            title = html_escape(&subject),
            css = EMAIL_CSS,
            footer = footer_html.join("<br>\n"),
        );
        let letter_html = matches!(ctx.step.channel, Channel::Letter | Channel::RegisteredLetter)
            .then(|| letter(ctx, lang, &subject, &body_html));
        Ok(RenderedMessage {
            template: key.to_owned(),
            locale: lang.code().to_owned(),
            subject,
            text,
            html,
            letter_html,
        })
    }
}

fn paragraphs_to_html(body: &str) -> String {
    let mut html = String::with_capacity(body.len() + body.len() / 4);
    for p in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if !html.is_empty() {
            html.push('\n');
        }
        if p.starts_with("<table") {
            html.push_str(p);
            continue;
        }
        html.push_str("<p>");
        for (i, line) in p.split('\n').enumerate() {
            if i > 0 {
                html.push_str("<br>\n");
            }
            html.push_str(line);
        }
        html.push_str("</p>");
    }
    html
}

/// The creditor's contact and payment details, under every message.
fn footer(ctx: &MessageContext, lang: Lang) -> Vec<String> {
    let c = &ctx.creditor;
    let (contact, pay, iban, bic, link) = match lang {
        Lang::Fr => ("Contact", "Règlement par virement", "IBAN", "BIC", "Paiement en ligne"),
        Lang::En => ("Contact", "Payment by bank transfer", "IBAN", "BIC", "Pay online"),
        Lang::De => ("Kontakt", "Zahlung per Überweisung", "IBAN", "BIC", "Online bezahlen"),
    };
    let mut lines = vec![c.name.clone()];
    lines.extend(c.address_lines.iter().cloned());
    if !c.identifiers.is_empty() {
        lines.push(c.identifiers.join(" · "));
    }
    // French puts a no-break space before the colon.
    let colon = if lang == Lang::Fr { "\u{a0}: " } else { ": " };
    let reach: Vec<String> = [c.contact_name.clone(), c.email.clone(), c.phone.clone()].into_iter().flatten().collect();
    if !reach.is_empty() {
        lines.push(format!("{contact}{colon}{}", reach.join(" · ")));
    }
    if let Some(i) = &c.iban {
        let holder = c.account_holder.as_ref().map(|h| format!(" ({h})")).unwrap_or_default();
        let bic_part = c.bic.as_ref().map(|b| format!(" · {bic} {b}")).unwrap_or_default();
        lines.push(format!("{pay}{holder}{colon}{iban} {i}{bic_part}"));
    }
    if let Some(u) = &c.payment_url {
        lines.push(format!("{link}{colon}{u}"));
    }
    lines
}

const EMAIL_CSS: &str = "body{font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1b1b1b;max-width:680px;margin:24px auto;padding:0 16px}\
table.invoices{border-collapse:collapse;margin:12px 0;width:100%}table.invoices th,table.invoices td{border:1px solid #c8c8c8;padding:4px 8px;text-align:left;font-size:14px}\
table.invoices td.num{text-align:right;white-space:nowrap}footer{margin-top:32px;padding-top:12px;border-top:1px solid #c8c8c8;font-size:13px;color:#555}";

/// A4 letter: letterhead top left, recipient in the window of a C5/DL right-window envelope
/// (block 20 mm from the right edge, 50 mm from the top, 85 x 35 mm), place and date, subject.
const LETTER_CSS: &str = "@page{size:A4;margin:0}*{box-sizing:border-box}body{margin:0;font-family:Helvetica,Arial,sans-serif;font-size:11pt;line-height:1.45;color:#000}\
.page{position:relative;width:210mm;min-height:297mm;padding:20mm 20mm 40mm 20mm}.letterhead{position:absolute;top:15mm;left:20mm;width:80mm;font-size:9.5pt}\
.letterhead strong{font-size:11pt}.recipient{position:absolute;top:50mm;left:105mm;width:85mm;height:35mm;overflow:hidden}\
.registered{position:absolute;top:42mm;left:105mm;font-size:9pt;font-weight:bold;text-transform:uppercase}.content{padding-top:80mm}\
.place-date{text-align:right;margin-bottom:8mm}.subject{font-weight:bold;margin-bottom:6mm}\
table.invoices{border-collapse:collapse;margin:4mm 0;width:100%}table.invoices th,table.invoices td{border:0.3mm solid #777;padding:1mm 2mm;font-size:9.5pt;text-align:left}table.invoices td{white-space:nowrap}\
table.invoices td.num{text-align:right;white-space:nowrap}.signature{margin-top:12mm}.foot{position:absolute;bottom:10mm;left:20mm;right:20mm;font-size:8pt;color:#444;border-top:0.2mm solid #999;padding-top:2mm}\
@media screen{body{background:#e5e5e5}.page{background:#fff;margin:10mm auto;box-shadow:0 0 4mm rgba(0,0,0,.2)}}";

fn letter(ctx: &MessageContext, lang: Lang, subject: &str, body_html: &str) -> String {
    let esc = |s: &str| html_escape(s);
    let c = &ctx.creditor;
    let date = format_date(ctx.message_date, lang);
    let place_date = match lang {
        Lang::Fr => format!("{}, le {date}", ctx.place),
        Lang::En | Lang::De => format!("{}, {date}", ctx.place),
    };
    let (subject_label, registered) = match lang {
        Lang::Fr => ("Objet\u{a0}:", "Lettre recommandée avec accusé de réception"),
        Lang::En => ("Subject:", "Recorded delivery (signed for)"),
        Lang::De => ("Betreff:", "Einschreiben mit Rückschein"),
    };
    let mut head = vec![format!("<strong>{}</strong>", esc(&c.name))];
    head.extend(c.address_lines.iter().map(|l| esc(l)));
    head.extend([c.phone.as_deref(), c.email.as_deref()].into_iter().flatten().map(esc));
    let mut recipient = vec![esc(&ctx.debtor.name)];
    recipient.extend(ctx.debtor.address_lines.iter().map(|l| esc(l)));
    let foot: Vec<String> = footer(ctx, lang).iter().skip(1).map(|l| esc(l)).collect();
    let signer = c.contact_name.clone().unwrap_or_else(|| c.name.clone());
    format!(
        "<!DOCTYPE html>\n<html lang=\"{l}\">\n<head><meta charset=\"utf-8\"><title>{t}</title>\n<style>{css}</style></head>\n<body>\n<div class=\"page\">\n\
<div class=\"letterhead\">{head}</div>\n{reg}<div class=\"recipient\">{rcpt}</div>\n<div class=\"content\">\n<div class=\"place-date\">{pd}</div>\n\
<div class=\"subject\">{sl} {t}</div>\n{body}\n<div class=\"signature\">{signer}<br>{name}</div>\n</div>\n<div class=\"foot\">{foot}</div>\n</div>\n</body>\n</html>\n",
        l = lang.code(),
        t = esc(subject),
        css = LETTER_CSS,
        head = head.join("<br>\n"),
        reg = if ctx.step.channel == Channel::RegisteredLetter { format!("<div class=\"registered\">{}</div>\n", esc(registered)) } else { String::new() },
        rcpt = recipient.join("<br>\n"),
        pd = esc(&place_date),
        sl = esc(subject_label),
        body = body_html,
        signer = esc(&signer),
        name = esc(&c.name),
        foot = foot.join(" · "),
    )
}

/// Builds the context from the ledger and renders the request's template.
pub fn render_message(set: &TemplateSet, ledger: &Ledger, req: &MessageRequest) -> Result<RenderedMessage> {
    let ctx = build_context(ledger, req)?;
    set.render(&req.template, &ctx)
}
