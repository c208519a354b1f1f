//! Payment terms, due dates and the legal checks of a term (Code de commerce L441-10, L441-11,
//! CGI 289; Code de la commande publique R2192-10; Directive 2011/7/EU for other creditors).
//!
//! ```
//! use relance_core::terms::{PaymentTerms, EndOfMonthMethod};
//! use chrono::NaiveDate;
//! let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! // "45 jours fin de mois", method A: 15 Jan + 45 days = 1 Mar, end of that month.
//! let a = PaymentTerms::EndOfMonth { days: 45, method: EndOfMonthMethod::DaysThenEndOfMonth };
//! assert_eq!(a.due_date(d("2025-01-15"), None).unwrap(), d("2025-03-31"));
//! // Method B: end of April, then + 45 days.
//! let b = PaymentTerms::EndOfMonth { days: 45, method: EndOfMonthMethod::EndOfMonthThenDays };
//! assert_eq!(b.due_date(d("2025-04-30"), None).unwrap(), d("2025-06-14"));
//! ```

use crate::date::{self, end_of_month};
use crate::error::{Error, ErrorCode, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest term the core accepts, in days (ten years): beyond is a typing error.
pub const MAX_TERM_DAYS: u32 = 3650;

/// Agreed payment terms. JSON: `{"type": "net", "days": 30, "from": "invoice"}`,
/// `{"type": "onReceipt"}`, `{"type": "endOfMonth", "days": 45, "method": "days_then_end_of_month"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase", try_from = "crate::json::ObjectOnly<TermsWire>")]
pub enum PaymentTerms {
    /// N days from the invoice date or from the delivery date (`"net"`; 60 days is `days: 60`).
    #[serde(rename_all = "camelCase")]
    Net {
        /// Number of calendar days.
        days: u32,
        /// What the days count from.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
        from: TermStart,
    },
    /// Payable on receipt of the invoice (taken as its issue date).
    OnReceipt,
    /// "N jours fin de mois": the end of month and N days, in the order `method` says.
    #[serde(rename_all = "camelCase")]
    EndOfMonth {
        /// Number of calendar days.
        days: u32,
        /// Which of the two accepted computations (CEPC guidance).
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
        method: EndOfMonthMethod,
    },
}

/// The kinds of terms, as written in `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
enum TermsKind {
    Net,
    OnReceipt,
    EndOfMonth,
}

/// The JSON form of terms, read flat and then checked into [`PaymentTerms`]: serde's internally
/// tagged enums lose the path of a bad field, let unknown fields through on `onReceipt`, and take
/// an array (`[1]` was read as `onReceipt`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermsWire {
    #[serde(rename = "type")]
    kind: TermsKind,
    #[serde(default)]
    days: Option<u32>,
    #[serde(default)]
    from: Option<TermStart>,
    #[serde(default)]
    method: Option<EndOfMonthMethod>,
}

impl crate::json::Described for TermsWire {
    const EXPECTING: &'static str = "payment terms, an object such as {\"type\": \"net\", \"days\": 30}";
}

impl TryFrom<crate::json::ObjectOnly<TermsWire>> for PaymentTerms {
    type Error = crate::json::Fault;
    fn try_from(
        crate::json::ObjectOnly(w): crate::json::ObjectOnly<TermsWire>,
    ) -> std::result::Result<PaymentTerms, crate::json::Fault> {
        let given = [("days", w.days.is_some()), ("from", w.from.is_some()), ("method", w.method.is_some())];
        let allowed: &[&str] = match w.kind {
            TermsKind::Net => &["days", "from"],
            TermsKind::OnReceipt => &[],
            TermsKind::EndOfMonth => &["days", "method"],
        };
        crate::json::refuse_fields_of_other_types(&given, allowed, "terms")?;
        let days = || w.days.ok_or_else(|| crate::json::missing_field("days"));
        Ok(match w.kind {
            TermsKind::Net => PaymentTerms::Net { days: days()?, from: w.from.unwrap_or_default() },
            TermsKind::OnReceipt => PaymentTerms::OnReceipt,
            TermsKind::EndOfMonth => PaymentTerms::EndOfMonth { days: days()?, method: w.method.unwrap_or_default() },
        })
    }
}

/// What a net term counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TermStart {
    /// The invoice (issue) date.
    #[default]
    Invoice,
    /// The delivery (or performance) date: the invoice must give `deliveryDate`.
    Delivery,
}

/// The two accepted computations of "N jours fin de mois".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EndOfMonthMethod {
    /// A: invoice date + N days, then the end of that month (15 Jan + 45 = 1 Mar -> 31 Mar).
    #[default]
    DaysThenEndOfMonth,
    /// B: end of the invoice month, then + N days (30 Apr -> 14 Jun).
    EndOfMonthThenDays,
}

/// A sector with a statutory cap on payment terms (C. com. L441-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    /// Perishable food: 30 days after delivery.
    PerishableFood,
    /// Livestock and fresh meat: 20 days after delivery.
    Livestock,
    /// Alcoholic drinks under excise: 30 days after the end of the delivery month.
    AlcoholExcise,
    /// Road transport, vehicle rental, freight forwarding: 30 days from the invoice date.
    Transport,
}

/// Which public-buyer payment period applies (R2192-10, R2192-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PublicBuyerCategory {
    /// State and local authorities: 30 days.
    #[default]
    General,
    /// Public health establishments: 50 days.
    Health,
    /// Public enterprises: 60 days.
    PublicEnterprise,
}

impl PublicBuyerCategory {
    /// The maximum payment period in days.
    pub fn max_days(self) -> u32 {
        match self {
            PublicBuyerCategory::General => 30,
            PublicBuyerCategory::Health => 50,
            PublicBuyerCategory::PublicEnterprise => 60,
        }
    }
}

impl PaymentTerms {
    /// The due date for an invoice issued on `issue` and delivered on `delivery`.
    pub fn due_date(&self, issue: NaiveDate, delivery: Option<NaiveDate>) -> Result<NaiveDate> {
        let add = |d: NaiveDate, n: u32| {
            date::add_days(d, i64::from(n)).filter(|d| date::check_year(*d).is_ok()).ok_or_else(|| {
                Error::new(ErrorCode::DateOutOfRange, "days", "the due date falls outside the supported years")
            })
        };
        match *self {
            PaymentTerms::Net { days, from } => {
                check_days(days)?;
                let start = match from {
                    TermStart::Invoice => issue,
                    TermStart::Delivery => delivery.ok_or_else(|| {
                        Error::new(
                            ErrorCode::MissingField,
                            "deliveryDate",
                            "terms count from delivery, but the invoice has no deliveryDate",
                        )
                    })?,
                };
                add(start, days)
            }
            PaymentTerms::OnReceipt => Ok(issue),
            PaymentTerms::EndOfMonth { days, method } => {
                check_days(days)?;
                match method {
                    EndOfMonthMethod::DaysThenEndOfMonth => Ok(end_of_month(add(issue, days)?)),
                    EndOfMonthMethod::EndOfMonthThenDays => add(end_of_month(issue), days),
                }
            }
        }
    }
}

fn check_days(days: u32) -> Result<()> {
    if days > MAX_TERM_DAYS {
        return Err(Error::new(ErrorCode::OutOfRange, "days", format!("{days} days is more than {MAX_TERM_DAYS}")));
    }
    Ok(())
}

/// How serious a finding on a term is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing (a legal default was applied).
    Info,
    /// May be unlawful unless expressly agreed.
    Warning,
    /// Beyond a statutory cap: an offence in France (L441-16), shown, never silently accepted.
    Illegal,
}

/// A finding on an invoice's payment term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct TermFinding {
    /// Stable code: `no_agreed_term`, `exceeds_60_days`, `exceeds_45_days_end_of_month`,
    /// `exceeds_sector_cap`, `exceeds_periodic_invoice_cap`, `exceeds_public_buyer_period`,
    /// `exceeds_eu_60_days`.
    pub code: String,
    /// How serious.
    pub severity: Severity,
    /// The latest lawful due date under that rule.
    #[serde(serialize_with = "crate::date::ser")]
    pub limit_date: NaiveDate,
    /// The rule, for a person.
    pub message: String,
}

/// Everything the legal check of a term needs to know.
#[derive(Debug, Clone, Copy)]
pub struct TermContext {
    /// Invoice date.
    pub issue: NaiveDate,
    /// Delivery or performance date, if known.
    pub delivery: Option<NaiveDate>,
    /// The due date the invoice ends up with.
    pub due: NaiveDate,
    /// True when the term is an agreed "fin de mois" term.
    pub end_of_month_term: bool,
    /// True when the due date is the legal default because nothing was agreed.
    pub no_agreed_term: bool,
    /// A capped sector, if any.
    pub sector: Option<Sector>,
    /// A periodic (summary) invoice, CGI 289 I-3.
    pub periodic: bool,
    /// The debtor is a public buyer of this category.
    pub public_buyer: Option<PublicBuyerCategory>,
    /// The debtor is a consumer (no B2B caps).
    pub consumer: bool,
    /// French law applies (the creditor is established in France).
    pub french_law: bool,
}

/// The legal default due date when no term was agreed: 30 days after delivery (or the invoice
/// date when no delivery date is given); for a public buyer, its payment period from the invoice.
pub fn legal_default_due_date(
    issue: NaiveDate,
    delivery: Option<NaiveDate>,
    public: Option<PublicBuyerCategory>,
) -> Result<NaiveDate> {
    match public {
        Some(category) => {
            PaymentTerms::Net { days: category.max_days(), from: TermStart::Invoice }.due_date(issue, None)
        }
        None => PaymentTerms::Net { days: 30, from: TermStart::Invoice }.due_date(delivery.unwrap_or(issue), None),
    }
}

/// Checks a due date against the statutory caps; returns every finding, most serious first.
pub fn check_term(ctx: &TermContext) -> Vec<TermFinding> {
    let mut out = Vec::new();
    let days_after = |from: NaiveDate, n: i64| date::add_days(from, n).unwrap_or(from);
    if ctx.no_agreed_term {
        out.push(TermFinding {
            code: "no_agreed_term".into(),
            severity: Severity::Info,
            limit_date: ctx.due,
            message: "no payment term agreed: the legal default applies (30 days after receipt of the goods or performance of the service)".into(),
        });
    }
    if ctx.consumer {
        return out;
    }
    let mut cap = |code: &'static str, severity: Severity, limit: NaiveDate, rule: &str| {
        if ctx.due > limit {
            out.push(TermFinding {
                code: code.into(),
                severity,
                limit_date: limit,
                message: format!("{rule}: due {} is after the limit {limit}", ctx.due),
            });
        }
    };
    if let Some(category) = ctx.public_buyer {
        cap(
            "exceeds_public_buyer_period",
            Severity::Illegal,
            days_after(ctx.issue, i64::from(category.max_days())),
            &format!(
                "a public buyer must pay within {} days (Code de la commande publique R2192-10)",
                category.max_days()
            ),
        );
        return out;
    }
    if !ctx.french_law {
        cap(
            "exceeds_eu_60_days",
            Severity::Warning,
            days_after(ctx.issue, 60),
            "more than 60 days must be expressly agreed and not grossly unfair (Directive 2011/7/EU art. 3(5))",
        );
        return out;
    }
    let sixty = days_after(ctx.issue, 60);
    let eom45 = end_of_month(days_after(ctx.issue, 45));
    if ctx.end_of_month_term {
        cap(
            "exceeds_45_days_end_of_month",
            Severity::Illegal,
            eom45.max(sixty),
            "an end-of-month term may not exceed 45 days end of month, nor 60 days (Code de commerce L441-10 I)",
        );
    } else {
        // An explicit date may rest on an agreed 45-days-end-of-month term: the lenient cap applies.
        cap("exceeds_60_days", Severity::Illegal, sixty.max(eom45),
            "a term may not exceed 60 days after the invoice date, or 45 days end of month if expressly agreed (Code de commerce L441-10 I)");
    }
    if ctx.periodic {
        cap(
            "exceeds_periodic_invoice_cap",
            Severity::Illegal,
            days_after(ctx.issue, 45),
            "a periodic invoice is payable within 45 days of its date (CGI 289 I-3, Code de commerce L441-10 I)",
        );
    }
    if let Some(sector) = ctx.sector {
        let delivery = ctx.delivery.unwrap_or(ctx.issue);
        let (limit, rule) = match sector {
            Sector::PerishableFood => {
                (days_after(delivery, 30), "perishable food: 30 days after delivery (L441-11 II 1°)")
            }
            Sector::Livestock => {
                (days_after(delivery, 20), "livestock and fresh meat: 20 days after delivery (L441-11 II 2°)")
            }
            Sector::AlcoholExcise => (
                days_after(end_of_month(delivery), 30),
                "alcohol under excise: 30 days after the end of the delivery month (L441-11 II 3°)",
            ),
            Sector::Transport => (
                days_after(ctx.issue, 30),
                "road transport, vehicle rental, freight forwarding: 30 days from the invoice date (L441-11 II 4°)",
            ),
        };
        cap("exceeds_sector_cap", Severity::Illegal, limit, rule);
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ctx(issue: &str, due: &str) -> TermContext {
        TermContext {
            issue: d(issue),
            delivery: None,
            due: d(due),
            end_of_month_term: false,
            no_agreed_term: false,
            sector: None,
            periodic: false,
            public_buyer: None,
            consumer: false,
            french_law: true,
        }
    }

    #[test]
    fn terms_decode_with_every_bad_field_named() {
        let read = |text: &str| crate::json::from_json::<PaymentTerms>(text);
        let fails = |text: &str| {
            let e = read(text).unwrap_err();
            (e.code(), e.path().to_owned())
        };
        assert_eq!(
            read(r#"{"type":"net","days":30}"#).unwrap(),
            PaymentTerms::Net { days: 30, from: TermStart::Invoice }
        );
        assert_eq!(read(r#"{"type":"onReceipt"}"#).unwrap(), PaymentTerms::OnReceipt);
        assert_eq!(
            read(r#"{"type":"endOfMonth","days":45,"method":"end_of_month_then_days"}"#).unwrap(),
            PaymentTerms::EndOfMonth { days: 45, method: EndOfMonthMethod::EndOfMonthThenDays }
        );
        assert_eq!(fails(r#"{"type":"net","days":"x"}"#), (ErrorCode::InvalidType, "days".into()));
        assert_eq!(fails(r#"{"type":"net","days":30,"from":"dlivery"}"#), (ErrorCode::UnknownVariant, "from".into()));
        assert_eq!(
            fails(r#"{"type":"endOfMonth","days":4,"method":"x"}"#),
            (ErrorCode::UnknownVariant, "method".into())
        );
        assert_eq!(fails(r#"{"type":"net"}"#), (ErrorCode::MissingField, "days".into()));
        assert_eq!(fails(r#"{"days":3}"#), (ErrorCode::MissingField, "type".into()));
        assert_eq!(fails(r#"{"type":"nett","days":3}"#), (ErrorCode::UnknownVariant, "type".into()));
        assert_eq!(fails(r#"{"type":"net","days":30,"extra":1}"#), (ErrorCode::UnknownField, "extra".into()));
        // Fields of another type of terms are refused, not ignored.
        assert_eq!(fails(r#"{"type":"onReceipt","days":3}"#), (ErrorCode::UnknownField, "days".into()));
        assert_eq!(
            fails(r#"{"type":"net","days":30,"method":"end_of_month_then_days"}"#),
            (ErrorCode::UnknownField, "method".into())
        );
        // Only an object is terms (an array used to be read as `onReceipt`).
        assert_eq!(fails("[1]"), (ErrorCode::InvalidType, String::new()));
        assert_eq!(fails(r#""net""#), (ErrorCode::InvalidType, String::new()));
    }

    #[test]
    fn due_dates_per_term() {
        let net = |days, from| PaymentTerms::Net { days, from };
        assert_eq!(net(30, TermStart::Invoice).due_date(d("2025-01-31"), None).unwrap(), d("2025-03-02"));
        assert_eq!(
            net(60, TermStart::Delivery).due_date(d("2025-01-31"), Some(d("2025-01-20"))).unwrap(),
            d("2025-03-21")
        );
        assert_eq!(
            net(30, TermStart::Delivery).due_date(d("2025-01-31"), None).unwrap_err().code(),
            ErrorCode::MissingField
        );
        assert_eq!(PaymentTerms::OnReceipt.due_date(d("2025-01-31"), None).unwrap(), d("2025-01-31"));
        let eom = |days, method| PaymentTerms::EndOfMonth { days, method };
        // Reference examples (late-payment-law.md): A 15 Jan -> 31 Mar; B 30 Apr -> 14 Jun.
        assert_eq!(
            eom(45, EndOfMonthMethod::DaysThenEndOfMonth).due_date(d("2025-01-15"), None).unwrap(),
            d("2025-03-31")
        );
        assert_eq!(
            eom(45, EndOfMonthMethod::EndOfMonthThenDays).due_date(d("2025-04-30"), None).unwrap(),
            d("2025-06-14")
        );
        assert_eq!(
            eom(30, EndOfMonthMethod::EndOfMonthThenDays).due_date(d("2024-02-10"), None).unwrap(),
            d("2024-03-30")
        );
        assert_eq!(
            net(4000, TermStart::Invoice).due_date(d("2025-01-01"), None).unwrap_err().code(),
            ErrorCode::OutOfRange
        );
    }

    #[test]
    fn sixty_day_cap() {
        assert!(check_term(&ctx("2025-01-10", "2025-03-11")).is_empty());
        let f = check_term(&ctx("2025-01-10", "2025-04-15"));
        assert_eq!(f[0].code, "exceeds_60_days");
        assert_eq!(f[0].severity, Severity::Illegal);
        // The lenient limit for an explicit date is the later of 60 days (11 Mar) and 45 days end of
        // month (10 Jan + 45 = 24 Feb -> 28 Feb).
        assert_eq!(f[0].limit_date, d("2025-03-11"));
        // Mid-month invoices: 45 days end of month is the later one (15 Jan -> 31 Mar, not 16 Mar).
        assert_eq!(check_term(&ctx("2025-01-15", "2025-04-01"))[0].limit_date, d("2025-03-31"));
    }

    #[test]
    fn end_of_month_cap() {
        let mut c = ctx("2025-01-15", "2025-04-15");
        c.end_of_month_term = true;
        let f = check_term(&c);
        assert_eq!(f[0].code, "exceeds_45_days_end_of_month");
        assert_eq!(f[0].limit_date, d("2025-03-31"));
    }

    #[test]
    fn sector_caps() {
        let mut c = ctx("2025-03-01", "2025-04-15");
        c.delivery = Some(d("2025-02-20"));
        c.sector = Some(Sector::Livestock);
        let f = check_term(&c);
        assert_eq!(f.iter().find(|f| f.code == "exceeds_sector_cap").unwrap().limit_date, d("2025-03-12"));
        c.sector = Some(Sector::AlcoholExcise);
        assert_eq!(check_term(&c)[0].limit_date, d("2025-03-30"));
        c.sector = Some(Sector::Transport);
        assert_eq!(check_term(&c)[0].limit_date, d("2025-03-31"));
    }

    #[test]
    fn public_and_consumer() {
        let mut c = ctx("2025-03-01", "2025-04-15");
        c.public_buyer = Some(PublicBuyerCategory::General);
        assert_eq!(check_term(&c)[0].code, "exceeds_public_buyer_period");
        c.public_buyer = Some(PublicBuyerCategory::Health);
        assert!(check_term(&c).is_empty());
        let mut c = ctx("2025-03-01", "2025-09-15");
        c.consumer = true;
        assert!(check_term(&c).is_empty());
        let mut c = ctx("2025-03-01", "2025-09-15");
        c.french_law = false;
        assert_eq!(check_term(&c)[0].severity, Severity::Warning);
    }

    #[test]
    fn legal_default() {
        assert_eq!(legal_default_due_date(d("2025-03-01"), Some(d("2025-02-25")), None).unwrap(), d("2025-03-27"));
        assert_eq!(
            legal_default_due_date(d("2025-03-01"), None, Some(PublicBuyerCategory::Health)).unwrap(),
            d("2025-04-20")
        );
    }
}

/// A question about one invoice's term: what is its due date, and is the term lawful?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TermsQuery {
    /// Invoice date.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub issue_date: NaiveDate,
    /// Delivery or performance date.
    #[serde(default, deserialize_with = "date::de_opt", serialize_with = "date::ser_opt")]
    pub delivery_date: Option<NaiveDate>,
    /// Agreed terms (or give `dueDate`; with neither, the legal default applies).
    #[serde(default)]
    pub terms: Option<PaymentTerms>,
    /// An explicit due date.
    #[serde(default, deserialize_with = "date::de_opt", serialize_with = "date::ser_opt")]
    pub due_date: Option<NaiveDate>,
    /// The debtor's kind.
    pub debtor_kind: crate::ledger::DebtorKind,
    /// For a public buyer: its category.
    #[serde(default)]
    pub public_buyer_category: Option<PublicBuyerCategory>,
    /// A capped sector.
    #[serde(default)]
    pub sector: Option<Sector>,
    /// A periodic invoice.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub periodic: bool,
    /// The creditor's country (ISO 3166-1 alpha-2): `FR` applies French law.
    pub creditor_country: String,
}

/// The answer: the due date and the findings of the legal check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct TermsAnswer {
    /// The due date.
    #[serde(serialize_with = "crate::date::ser")]
    pub due_date: NaiveDate,
    /// Findings, most serious first.
    pub findings: Vec<TermFinding>,
}

/// Computes a due date and checks the term.
pub fn evaluate(q: &TermsQuery) -> Result<TermsAnswer> {
    evaluate_term(&InvoiceTerm {
        issue_date: q.issue_date,
        delivery_date: q.delivery_date,
        terms: q.terms.as_ref(),
        due_date: q.due_date,
        debtor_kind: q.debtor_kind,
        public_buyer_category: q.public_buyer_category,
        sector: q.sector,
        periodic: q.periodic,
        french_law: q.creditor_country == "FR",
    })
}

/// A `TermsQuery` borrowed from a ledger invoice: the ledger evaluates one per invoice, without
/// copying its terms or the creditor's country.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InvoiceTerm<'a> {
    pub issue_date: NaiveDate,
    pub delivery_date: Option<NaiveDate>,
    pub terms: Option<&'a PaymentTerms>,
    pub due_date: Option<NaiveDate>,
    pub debtor_kind: crate::ledger::DebtorKind,
    pub public_buyer_category: Option<PublicBuyerCategory>,
    pub sector: Option<Sector>,
    pub periodic: bool,
    /// The creditor is in France.
    pub french_law: bool,
}

pub(crate) fn evaluate_term(q: &InvoiceTerm<'_>) -> Result<TermsAnswer> {
    use crate::ledger::DebtorKind;
    let public = (q.debtor_kind == DebtorKind::PublicBody).then(|| q.public_buyer_category.unwrap_or_default());
    let (due, no_agreed_term) = match (q.terms, q.due_date) {
        (Some(_), Some(_)) => {
            return Err(Error::new(ErrorCode::TermsOrDueDate, "dueDate", "give either terms or dueDate, not both"))
        }
        (Some(t), None) => (t.due_date(q.issue_date, q.delivery_date).map_err(|e| e.within("terms"))?, false),
        (None, Some(d)) if d < q.issue_date => {
            return Err(Error::new(
                ErrorCode::DateBeforeIssue,
                "dueDate",
                format!("{d} is before the invoice date {}", q.issue_date),
            ));
        }
        (None, Some(d)) => (d, false),
        (None, None) => (legal_default_due_date(q.issue_date, q.delivery_date, public)?, true),
    };
    let findings = check_term(&TermContext {
        issue: q.issue_date,
        delivery: q.delivery_date,
        due,
        end_of_month_term: matches!(q.terms, Some(PaymentTerms::EndOfMonth { .. })),
        no_agreed_term,
        sector: q.sector,
        periodic: q.periodic,
        public_buyer: public,
        consumer: q.debtor_kind == DebtorKind::Consumer,
        french_law: q.french_law,
    });
    Ok(TermsAnswer { due_date: due, findings })
}
