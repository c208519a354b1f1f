//! Late-payment penalties: the exact, itemised décompte of what a late invoice costs the debtor.
//!
//! Interest runs from the day after the due date (for a consumer in France, after the formal
//! notice) up to and including the day the funds are received, or `asOf` while unpaid: due
//! 15 April, paid 15 May = 30 days. The delay is cut into periods at every rate change (1 January
//! and 1 July for the half-year rules), after every payment or credit note (interest runs on the
//! balance then due), at each yearly capitalisation (Netherlands) and when a judgment uplift
//! starts. Each period accrues `base × rate × days / 365` (or 366 in a leap year under
//! actual/actual) in exact decimals; the sum is rounded once, to the cent.
//!
//! ```
//! use relance_core::json::from_json;
//! use relance_core::penalty::{decompte, PenaltyRequest};
//! // Published reference example: 12 000 EUR due 2025-06-20, paid 2025-07-10: 10 days at
//! // 13.15 % (ECB 3.15 on 1 January + 10) and 10 days at 12.15 % (ECB 2.15 on 1 July + 10).
//! let request: PenaltyRequest = from_json(r#"{
//!   "invoice": { "id": "F-1", "issueDate": "2025-05-21", "dueDate": "2025-06-20", "currency": "EUR",
//!                "total": "12000.00", "payments": [{ "date": "2025-07-10", "amount": "12000.00" }] },
//!   "regime": { "type": "fr_b2b" }, "asOf": "2025-07-31" }"#).unwrap();
//! let d = decompte(&request).unwrap();
//! assert_eq!(d.totals.interest.to_string(), "83.18");
//! assert_eq!(d.totals.indemnity.to_string(), "40.00");
//! ```

use crate::date;
use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{CheckedInvoice, CheckedLedger, CreditNote, DebtorKind, Ledger, Payment, Settlement};
use crate::money::{Amount, Currency};
use crate::rates::{half_year_label, RateRow, Rates, MAX_RATE_PERCENT};
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Most days a curve may span (twenty years).
pub const MAX_CURVE_DAYS: i64 = 7_305;
/// Most invoices in one statement.
pub const MAX_STATEMENT_INVOICES: usize = 10_000;

/// The invoice whose delay is priced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PenaltyInvoice {
    /// Id.
    pub id: String,
    /// Number printed on it.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub number: String,
    /// Invoice date.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub issue_date: NaiveDate,
    /// Due date.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub due_date: NaiveDate,
    /// Currency.
    pub currency: Currency,
    /// Amount due including VAT: the base of the penalties.
    pub total: Amount,
    /// Payments received.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub payments: Vec<Payment>,
    /// Credit notes.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub credit_notes: Vec<CreditNote>,
}

/// Whether the creditor is a private person: picks the French legal rate (L313-2 CMF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CreditorStatus {
    /// A private person not acting for professional needs ("particuliers" rate).
    Individual,
    /// Anyone else, a business included ("autres cas" rate).
    Professional,
}

/// The legal regime that prices the delay. JSON: `{"type": "fr_b2b"}`, `{"type":
/// "fr_b2b_contractual", "rate": "12.00"}`, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case", try_from = "crate::json::ObjectOnly<RegimeWire>")]
pub enum Regime {
    /// France B2B default (C. com. L441-10 II): ECB rate of the half-year + 10 points; 40 EUR.
    FrB2b,
    /// France B2B with a contractual rate, checked against 3 × the legal rate of each half-year.
    #[serde(rename_all = "camelCase")]
    FrB2bContractual {
        /// Percent per year.
        rate: Amount,
    },
    /// France, public buyer (CCP R2192-31): ECB rate of the half-year the interest starts + 8, for
    /// the whole delay; 40 EUR; a waiver is void.
    FrPublic,
    /// France, consumer debtor (C. civ. 1231-6, 1344-1): legal rate from the formal notice, no
    /// indemnity; + 5 points two months after a judgment becomes enforceable (CMF L313-3).
    #[serde(rename_all = "camelCase")]
    FrConsumer {
        /// The creditor's status (business creditors use the "autres cas" rate).
        creditor: CreditorStatus,
        /// Day of the formal notice (mise en demeure).
        #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
        formal_notice_date: NaiveDate,
        /// Day a judgment became enforceable, if any.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::date::de_opt",
            serialize_with = "crate::date::ser_opt"
        )]
        #[cfg_attr(feature = "typescript", ts(optional = nullable))]
        judgment_enforceable_on: Option<NaiveDate>,
    },
    /// Directive 2011/7/EU generic: a reference table's half-year rate + a margin; an indemnity.
    #[serde(rename_all = "camelCase")]
    EuGeneric {
        /// Rate table id (default `ecb_mro`).
        #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
        reference_table: String,
        /// Points over the reference (at least 8 under the Directive).
        margin: Amount,
        /// Fixed indemnity per invoice, in the invoice currency (at least 40 EUR).
        indemnity: Amount,
    },
    /// Germany B2B (BGB 288 II, V): Basiszinssatz + 9 per half-year; 40 EUR Pauschale.
    DeB2b,
    /// Germany with a consumer (BGB 288 I): Basiszinssatz + 5; no Pauschale.
    DeConsumer,
    /// United Kingdom (Late Payment of Commercial Debts (Interest) Act 1998): Bank Rate on 31 Dec
    /// or 30 Jun before the delay starts + 8, fixed; GBP 40 / 70 / 100.
    Uk,
    /// Netherlands (BW 6:119a): ECB + 8 per half-year, compounded yearly; 40 EUR.
    Nl,
    /// Belgium (loi du 2 août 2002): the published half-yearly rate; 40 EUR.
    Be,
    /// Spain (Ley 3/2004): ECB + 8 per half-year; 40 EUR.
    Es,
    /// Italy (D.Lgs. 231/2002): ECB + 8 per half-year; 40 EUR.
    It,
}

fn default_reference_table() -> String {
    "ecb_mro".to_owned()
}

/// The kinds of regime, as written in `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RegimeKind {
    FrB2b,
    FrB2bContractual,
    FrPublic,
    FrConsumer,
    EuGeneric,
    DeB2b,
    DeConsumer,
    Uk,
    Nl,
    Be,
    Es,
    It,
}

/// The JSON form of a regime, read flat so that every bad field keeps its path (serde loses paths
/// inside internally tagged enums), then checked into [`Regime`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RegimeWire {
    #[serde(rename = "type")]
    kind: RegimeKind,
    #[serde(default)]
    rate: Option<Amount>,
    #[serde(default)]
    creditor: Option<CreditorStatus>,
    #[serde(default, deserialize_with = "date::de_opt")]
    formal_notice_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "date::de_opt")]
    judgment_enforceable_on: Option<NaiveDate>,
    #[serde(default)]
    reference_table: Option<String>,
    #[serde(default)]
    margin: Option<Amount>,
    #[serde(default)]
    indemnity: Option<Amount>,
}

impl crate::json::Described for RegimeWire {
    const EXPECTING: &'static str = "a regime, an object such as {\"type\": \"fr_b2b\"}";
}

impl TryFrom<crate::json::ObjectOnly<RegimeWire>> for Regime {
    type Error = crate::json::Fault;
    fn try_from(
        crate::json::ObjectOnly(w): crate::json::ObjectOnly<RegimeWire>,
    ) -> std::result::Result<Regime, crate::json::Fault> {
        let missing = crate::json::missing_field;
        let given: [(&str, bool); 7] = [
            ("rate", w.rate.is_some()),
            ("creditor", w.creditor.is_some()),
            ("formalNoticeDate", w.formal_notice_date.is_some()),
            ("judgmentEnforceableOn", w.judgment_enforceable_on.is_some()),
            ("referenceTable", w.reference_table.is_some()),
            ("margin", w.margin.is_some()),
            ("indemnity", w.indemnity.is_some()),
        ];
        let allowed: &[&str] = match w.kind {
            RegimeKind::FrB2bContractual => &["rate"],
            RegimeKind::FrConsumer => &["creditor", "formalNoticeDate", "judgmentEnforceableOn"],
            RegimeKind::EuGeneric => &["referenceTable", "margin", "indemnity"],
            _ => &[],
        };
        crate::json::refuse_fields_of_other_types(&given, allowed, "regime")?;
        Ok(match w.kind {
            RegimeKind::FrB2b => Regime::FrB2b,
            RegimeKind::FrB2bContractual => Regime::FrB2bContractual { rate: w.rate.ok_or_else(|| missing("rate"))? },
            RegimeKind::FrPublic => Regime::FrPublic,
            RegimeKind::FrConsumer => Regime::FrConsumer {
                creditor: w.creditor.ok_or_else(|| missing("creditor"))?,
                formal_notice_date: w.formal_notice_date.ok_or_else(|| missing("formalNoticeDate"))?,
                judgment_enforceable_on: w.judgment_enforceable_on,
            },
            RegimeKind::EuGeneric => Regime::EuGeneric {
                reference_table: w.reference_table.unwrap_or_else(default_reference_table),
                margin: w.margin.ok_or_else(|| missing("margin"))?,
                indemnity: w.indemnity.ok_or_else(|| missing("indemnity"))?,
            },
            RegimeKind::DeB2b => Regime::DeB2b,
            RegimeKind::DeConsumer => Regime::DeConsumer,
            RegimeKind::Uk => Regime::Uk,
            RegimeKind::Nl => Regime::Nl,
            RegimeKind::Be => Regime::Be,
            RegimeKind::Es => Regime::Es,
            RegimeKind::It => Regime::It,
        })
    }
}

/// Day-count convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Actual days / 365 (French practice and published examples).
    #[default]
    Actual365,
    /// Actual days / 365, or / 366 for days in a leap year.
    ActualActual,
}

/// How the French B2B rate follows the half-years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RateMode {
    /// Each part of the delay at its own half-year's rate (the reading of the text).
    #[default]
    SplitPerHalfYear,
    /// The rate of the half-year the delay started in, for the whole delay (some practitioners).
    SingleRate,
}

/// Rounding of the final amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Half away from zero (Regulation 1103/97 by analogy).
    #[default]
    HalfUp,
    /// Half to even (banker's).
    HalfEven,
    /// Toward zero.
    Down,
    /// Away from zero.
    Up,
}

impl Rounding {
    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::Down => RoundingStrategy::ToZero,
            Rounding::Up => RoundingStrategy::AwayFromZero,
        }
    }
}

/// Options of a computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PenaltyOptions {
    /// Day count.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub day_count: DayCount,
    /// French B2B: split per half-year (default) or one rate.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub rate_mode: RateMode,
    /// Rounding of the final amounts.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub rounding: Rounding,
    /// The contract waives the interest (void for public buyers; a pending French bill would void it).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub waive_interest: bool,
    /// The contract waives the fixed indemnity.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub waive_indemnity: bool,
    /// An insolvency procedure bars payment: no fixed indemnity.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub insolvency: bool,
    /// A half-year whose reference rate is not published yet is priced at the last known rate,
    /// its lines marked `estimated`, with an `estimated_rate` warning: for a simulation only, so a
    /// message refuses it. Default: such a half-year is refused (`missing_rate`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub estimate_missing_rates: bool,
    /// What a partial payment pays first. Default: the regime's law (`Regime::default_imputation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub imputation: Option<Imputation>,
}

/// What a creditor's general terms say about penalties, for every invoice of its ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PenaltyTerms {
    /// What a partial payment pays first (default: the law of each invoice's regime, see
    /// `Regime::default_imputation`); `principal_first` is always allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub imputation: Option<Imputation>,
    /// The terms waive the interest (void for public buyers).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub waive_interest: bool,
    /// The terms waive the fixed indemnity (void for public buyers).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub waive_indemnity: bool,
}

impl PenaltyTerms {
    /// True when the terms say nothing.
    pub fn is_default(&self) -> bool {
        *self == PenaltyTerms::default()
    }

    /// `options` under these terms: a request's own imputation wins; a waiver in either holds.
    pub fn apply(self, options: PenaltyOptions) -> PenaltyOptions {
        PenaltyOptions {
            imputation: options.imputation.or(self.imputation),
            waive_interest: options.waive_interest || self.waive_interest,
            waive_indemnity: options.waive_indemnity || self.waive_indemnity,
            ..options
        }
    }
}

/// What a partial payment pays first. Whatever the order, a credit note lowers the principal,
/// and a payment that brings what was received up to the invoice's total pays its principal
/// first (the invoice is paid; the penalties stay due beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Imputation {
    /// The interest accrued and unpaid, then the principal; the fixed indemnity and costs last.
    InterestFirst,
    /// The costs (the fixed indemnity) and the interest, in the order the regime's law gives
    /// (`Regime::accessories_order`), then the principal.
    AccessoriesFirst,
    /// The principal, then the interest and costs: the most lenient order, always allowed (the
    /// creditor may accept it), and the United Kingdom's default.
    PrincipalFirst,
}

/// A computation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PenaltyRequest {
    /// The invoice.
    pub invoice: PenaltyInvoice,
    /// The regime.
    pub regime: Regime,
    /// Interest runs up to and including this day while the invoice is unpaid.
    #[serde(deserialize_with = "date::de", serialize_with = "date::ser")]
    pub as_of: NaiveDate,
    /// Options.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub options: PenaltyOptions,
    /// Newer rate rows by table id (a half-year published after this release).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub extra_rates: BTreeMap<String, Vec<RateRow>>,
}

/// One period of the décompte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct DecompteLine {
    /// First day of the period.
    #[serde(serialize_with = "crate::date::ser")]
    pub from: NaiveDate,
    /// Last day of the period (included).
    #[serde(serialize_with = "crate::date::ser")]
    pub to: NaiveDate,
    /// Number of days.
    pub days: i64,
    /// The amount interest runs on.
    pub base: Amount,
    /// Percent per year applied.
    pub rate: Amount,
    /// The reference rate it is built from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_rate: Option<Amount>,
    /// The reference rate of this period is not published yet: the last known one is assumed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub estimated: bool,
    /// Points added to the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin: Option<Amount>,
    /// Days in the year used (365 or 366).
    pub year_days: u32,
    /// Interest of the period, rounded for display (the total is rounded once from exact values).
    pub amount: Amount,
    /// Interest of the period, exact to 10 decimals.
    pub exact_amount: Amount,
}

/// The totals of a décompte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct DecompteTotals {
    /// Invoice total.
    pub principal: Amount,
    /// Paid or credited up to the end of the computation.
    pub settled: Amount,
    /// Principal still owed.
    pub principal_outstanding: Amount,
    /// Late-payment interest accrued.
    pub interest: Amount,
    /// Of that interest, what payments paid (see `Imputation`).
    pub interest_paid: Amount,
    /// Fixed recovery indemnity.
    pub indemnity: Amount,
    /// Of the indemnity, what payments paid.
    pub indemnity_paid: Amount,
    /// Interest accrued and not paid yet (`interest - interestPaid`).
    pub interest_due: Amount,
    /// Fixed indemnity owed and not paid yet (`indemnity - indemnityPaid`).
    pub indemnity_due: Amount,
    /// Everything still due: principal outstanding + interest and indemnity not paid yet.
    pub total_due: Amount,
}

/// What one payment or credit note paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct ImputedSettlement {
    /// Its day.
    #[serde(serialize_with = "crate::date::ser", deserialize_with = "crate::date::de")]
    pub date: NaiveDate,
    /// Its amount.
    pub amount: Amount,
    /// A credit note (it lowers the principal only).
    pub credit_note: bool,
    /// Paid to the interest accrued by its day.
    pub to_interest: Amount,
    /// Paid to the fixed indemnity.
    pub to_indemnity: Amount,
    /// Paid to the principal.
    pub to_principal: Amount,
    /// Beyond everything owed on its day.
    pub unimputed: Amount,
}

/// A warning about the computation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct PenaltyWarning {
    /// Stable code.
    pub code: String,
    /// For a person.
    pub message: String,
}

/// The itemised décompte of one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Decompte {
    /// Invoice id.
    pub invoice_id: String,
    /// Invoice number.
    pub number: String,
    /// Currency.
    pub currency: Currency,
    /// Due date.
    #[serde(serialize_with = "crate::date::ser")]
    pub due_date: NaiveDate,
    /// Last day interest ran (payment day or asOf).
    #[serde(serialize_with = "crate::date::ser")]
    pub end_date: NaiveDate,
    /// Days of delay (end date - due date, at least 0).
    pub days_late: i64,
    /// The periods.
    pub lines: Vec<DecompteLine>,
    /// What partial payments paid first.
    pub imputation: Imputation,
    /// What each payment and credit note up to `asOf` paid, in date order.
    pub payments: Vec<ImputedSettlement>,
    /// Totals.
    pub totals: DecompteTotals,
    /// Warnings.
    pub warnings: Vec<PenaltyWarning>,
}

/// Simple interest of one period, exact: `base × rate% × days / year_days`. Multiplications come
/// first so that nothing is rounded before the final division.
pub fn accrue(base: Decimal, rate_percent: Decimal, days: i64, year_days: u32) -> Decimal {
    base * rate_percent * Decimal::from(days) / (Decimal::from(100) * Decimal::from(year_days))
}

/// The fixed recovery indemnity a late invoice of `total` owes under `regime`: 40 EUR (C. com.
/// L441-10, CCP D2192-35, BGB 288 V, Directive 2011/7/EU), none from a consumer, GBP 40 / 70 / 100
/// by the size of the debt in the UK (Late Payment Act s5A), or the amount an EU-generic regime sets.
pub fn fixed_indemnity(regime: &Regime, total: Decimal) -> Decimal {
    match regime {
        Regime::FrConsumer { .. } | Regime::DeConsumer => Decimal::ZERO,
        Regime::EuGeneric { indemnity, .. } => indemnity.value(),
        Regime::Uk if total < Decimal::from(1000) => Decimal::from(40),
        Regime::Uk if total < Decimal::from(10000) => Decimal::from(70),
        Regime::Uk => Decimal::from(100),
        _ => Decimal::from(40),
    }
}

/// The built-in rate tables, parsed once.
pub(crate) fn builtin_rates() -> Result<&'static Rates> {
    static RATES: OnceLock<Result<Rates>> = OnceLock::new();
    RATES.get_or_init(Rates::builtin).as_ref().map_err(Clone::clone)
}

fn half_year_start(day: NaiveDate) -> NaiveDate {
    let month = if day.month() <= 6 { 1 } else { 7 };
    NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
}

fn pct(rate: Decimal) -> Amount {
    let mut r = rate.normalize();
    if r.scale() < 2 {
        r.rescale(2);
    }
    Amount(r)
}

struct RateParts {
    rate: Decimal,
    reference: Option<Decimal>,
    margin: Option<Decimal>,
    /// The reference is the last known rate, assumed unchanged (`estimate_missing_rates`).
    estimated: bool,
}

struct Engine<'a> {
    case: &'a Case<'a>,
    rates: &'a Rates,
}

impl Engine<'_> {
    /// The rate of `table` on `day`, and whether it is the last known one assumed unchanged.
    fn lookup(&self, table: &str, day: NaiveDate) -> Result<(Decimal, bool)> {
        let e = match self.rates.rate_on(table, day) {
            Ok(rate) => return Ok((rate, false)),
            Err(e) => e,
        };
        let missing = e.code() == ErrorCode::MissingRate;
        if missing && self.case.options.estimate_missing_rates {
            let known = self.rates.table(table).ok().filter(|t| day > t.known_until);
            if let Some(last) = known.and_then(|t| t.rows.last()) {
                return Ok((last.rate.value(), true));
            }
        }
        let path = if missing { format!("extraRates.{table}") } else { "regime".to_owned() };
        Err(e.at(path))
    }

    fn reference_plus(&self, table: &str, day: NaiveDate, margin: Decimal) -> Result<RateParts> {
        let (reference, estimated) = self.lookup(table, day)?;
        Ok(RateParts { rate: reference + margin, reference: Some(reference), margin: Some(margin), estimated })
    }

    /// The rate for a period whose first day is `first`, in a delay whose first day is `delay_first`.
    fn rate(&self, first: NaiveDate, delay_first: NaiveDate) -> Result<RateParts> {
        let ten = Decimal::from(10);
        let eight = Decimal::from(8);
        match self.case.regime {
            Regime::FrB2b => {
                let day = match self.case.options.rate_mode {
                    RateMode::SplitPerHalfYear => half_year_start(first),
                    RateMode::SingleRate => half_year_start(delay_first),
                };
                self.reference_plus("ecb_mro", day, ten)
            }
            Regime::FrB2bContractual { rate } => {
                Ok(RateParts { rate: rate.value(), reference: None, margin: None, estimated: false })
            }
            Regime::FrPublic => self.reference_plus("ecb_mro", half_year_start(delay_first), eight),
            Regime::FrConsumer { creditor, judgment_enforceable_on, .. } => {
                let table = match creditor {
                    CreditorStatus::Individual => "fr_legal_individuals",
                    CreditorStatus::Professional => "fr_legal_other",
                };
                let uplift = judgment_enforceable_on
                    .and_then(|j| j.checked_add_months(Months::new(2)))
                    .is_some_and(|start| first >= start);
                self.reference_plus(
                    table,
                    half_year_start(first),
                    if uplift { Decimal::from(5) } else { Decimal::ZERO },
                )
            }
            Regime::EuGeneric { reference_table, margin, .. } => {
                self.reference_plus(reference_table, half_year_start(first), margin.value())
            }
            Regime::DeB2b => self.reference_plus("de_basiszinssatz", half_year_start(first), Decimal::from(9)),
            Regime::DeConsumer => self.reference_plus("de_basiszinssatz", half_year_start(first), Decimal::from(5)),
            Regime::Uk => {
                // Bank Rate on 31 December (delay starting January-June) or 30 June (July-December).
                let y = delay_first.year();
                let reference_day = if delay_first.month() <= 6 {
                    NaiveDate::from_ymd_opt(y - 1, 12, 31)
                } else {
                    NaiveDate::from_ymd_opt(y, 6, 30)
                }
                .unwrap_or(delay_first);
                self.reference_plus("boe_bank_rate", reference_day, eight)
            }
            Regime::Nl | Regime::Es | Regime::It => self.reference_plus("ecb_mro", half_year_start(first), eight),
            Regime::Be => {
                let (rate, estimated) = self.lookup("be_late_payment", half_year_start(first))?;
                Ok(RateParts { rate, reference: None, margin: None, estimated })
            }
        }
    }
}

/// What the engine computes from, borrowed: from a request, or straight from a checked ledger
/// invoice (sums over many invoices build no request).
struct Case<'a> {
    regime: &'a Regime,
    options: PenaltyOptions,
    as_of: NaiveDate,
    due_date: NaiveDate,
    total: Decimal,
    currency: &'a Currency,
    /// Payments and credit notes, in date order.
    settlements: Vec<Settlement>,
}

impl<'a> Case<'a> {
    fn of(req: &'a PenaltyRequest) -> Case<'a> {
        let inv = &req.invoice;
        Case {
            regime: &req.regime,
            options: req.options,
            as_of: req.as_of,
            due_date: inv.due_date,
            total: inv.total.value(),
            currency: &inv.currency,
            settlements: crate::ledger::settlements_by_date(&inv.payments, &inv.credit_notes),
        }
    }
}

/// The engine's result, before it is tied to an invoice's id and number.
struct Computed {
    end_date: NaiveDate,
    days_late: i64,
    lines: Vec<DecompteLine>,
    totals: DecompteTotals,
    imputation: Imputation,
    imputed: Vec<ImputedSettlement>,
    warnings: Vec<PenaltyWarning>,
}

fn check_entries(
    inv: &PenaltyInvoice,
    list: &str,
    entries: impl Iterator<Item = (NaiveDate, Amount)>,
    len: usize,
) -> Result<()> {
    if len > crate::ledger::MAX_ENTRIES {
        return Err(Error::new(ErrorCode::TooManyItems, format!("invoice.{list}"), "too many entries"));
    }
    for (i, (day, amount)) in entries.enumerate() {
        amount.require_positive("amount").map_err(|e| e.within(&format!("invoice.{list}[{i}]")))?;
        if day < inv.issue_date {
            return Err(Error::new(
                ErrorCode::DateBeforeIssue,
                format!("invoice.{list}[{i}].date"),
                format!("{day} is before the invoice date {}", inv.issue_date),
            ));
        }
    }
    Ok(())
}

fn check_request(req: &PenaltyRequest) -> Result<()> {
    let inv = &req.invoice;
    let positive = |a: Amount, path: &str| a.require_positive(path);
    positive(inv.total, "invoice.total")?;
    if inv.id.trim().is_empty() {
        return Err(Error::new(ErrorCode::InvalidId, "invoice.id", "the invoice needs an id"));
    }
    if inv.due_date < inv.issue_date {
        return Err(Error::new(
            ErrorCode::DateBeforeIssue,
            "invoice.dueDate",
            "the due date is before the invoice date",
        ));
    }
    // Paths are built only for an error: large statements and analytics call this per invoice.
    check_entries(inv, "payments", inv.payments.iter().map(|p| (p.date, p.amount)), inv.payments.len())?;
    check_entries(inv, "creditNotes", inv.credit_notes.iter().map(|c| (c.date, c.amount)), inv.credit_notes.len())?;
    match &req.regime {
        Regime::FrB2bContractual { rate } if rate.value().is_sign_negative() => {
            return Err(Error::new(ErrorCode::NegativeAmount, "regime.rate", "a contractual rate cannot be negative"));
        }
        Regime::FrB2bContractual { rate } if rate.value() > Decimal::from(MAX_RATE_PERCENT) => {
            return Err(Error::new(
                ErrorCode::OutOfRange,
                "regime.rate",
                format!("a rate is at most {MAX_RATE_PERCENT} %"),
            ));
        }
        Regime::EuGeneric { margin, .. } if margin.value() > Decimal::from(MAX_RATE_PERCENT) => {
            return Err(Error::new(
                ErrorCode::OutOfRange,
                "regime.margin",
                format!("a rate is at most {MAX_RATE_PERCENT} %"),
            ));
        }
        Regime::EuGeneric { margin, indemnity, .. } => {
            if margin.value().is_sign_negative() {
                return Err(Error::new(ErrorCode::NegativeAmount, "regime.margin", "the margin cannot be negative"));
            }
            if indemnity.value().is_sign_negative() {
                return Err(Error::new(
                    ErrorCode::NegativeAmount,
                    "regime.indemnity",
                    "the indemnity cannot be negative",
                ));
            }
        }
        _ => {}
    }
    let needs = |code: &str| -> Result<()> {
        if inv.currency.code() == code {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::MixedCurrencies,
                "invoice.currency",
                format!("this regime's fixed indemnity is in {code}; the invoice is in {}", inv.currency.code()),
            ))
        }
    };
    match req.regime {
        Regime::Uk => needs("GBP"),
        Regime::EuGeneric { .. } | Regime::DeConsumer | Regime::FrConsumer { .. } => Ok(()),
        _ => needs("EUR"),
    }
}

/// Rates with the request's extra rows added (the built-in tables are parsed once).
fn rates_for(req: &PenaltyRequest) -> Result<std::borrow::Cow<'static, Rates>> {
    rates_with(&req.extra_rates)
}

/// The built-in rate tables with newer rows added (errors name `extraRates.<table>`).
pub fn rates_with(extra_rates: &BTreeMap<String, Vec<RateRow>>) -> Result<std::borrow::Cow<'static, Rates>> {
    let builtin = builtin_rates()?;
    if extra_rates.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(builtin));
    }
    let mut rates = builtin.clone();
    for (table, rows) in extra_rates {
        rates.extend(table, rows.clone()).map_err(|e| e.within(&format!("extraRates.{table}")))?;
    }
    Ok(std::borrow::Cow::Owned(rates))
}

impl Regime {
    /// What a partial payment pays first under this regime's law, when the creditor chose nothing:
    /// - France (`fr_*`): the interest, then the recovery costs, before the principal: C. civ.
    ///   1343-1 al. 1 ("le paiement partiel s'impute d'abord sur les intérêts"); costs are
    ///   accessories imputed before the principal too (Cass. 1re civ., 7 February 1995, 92-14.216).
    /// - Germany (`de_*`): costs, then interest, then principal (BGB 367 (1)).
    /// - Netherlands: costs, then interest, then principal (BW 6:44).
    /// - Italy: interest and costs before the principal (codice civile 1194).
    /// - Spain: the interest before the principal (Código civil 1173); Belgium: the same rule in
    ///   its civil code (interest before principal).
    /// - United Kingdom: no statute; the debtor or else the creditor appropriates the payment: the
    ///   creditor's explicit choice, principal first by default. `eu_generic`: principal first,
    ///   the country's law being unknown (set `imputation` for it).
    pub fn default_imputation(&self) -> Imputation {
        match self {
            Regime::FrB2b
            | Regime::FrB2bContractual { .. }
            | Regime::FrPublic
            | Regime::FrConsumer { .. }
            | Regime::DeB2b
            | Regime::DeConsumer
            | Regime::Nl
            | Regime::It => Imputation::AccessoriesFirst,
            Regime::Es | Regime::Be => Imputation::InterestFirst,
            Regime::Uk | Regime::EuGeneric { .. } => Imputation::PrincipalFirst,
        }
    }

    /// The order of the accessories before the principal: costs first in Germany (BGB 367 (1))
    /// and the Netherlands (BW 6:44), interest first elsewhere (C. civ. 1343-1, c.c. 1194).
    fn accessories_order(&self) -> [Part; 2] {
        match self {
            Regime::DeB2b | Regime::DeConsumer | Regime::Nl => [Part::Costs, Part::Interest],
            _ => [Part::Interest, Part::Costs],
        }
    }

    /// The regime the law applies when the contract says nothing more: from the creditor's country
    /// and the debtor's kind. `formal_notice` starts a French consumer's interest.
    pub fn default_for(creditor_country: &str, kind: DebtorKind, formal_notice: NaiveDate) -> Regime {
        match (creditor_country, kind) {
            ("FR", DebtorKind::Business) => Regime::FrB2b,
            ("FR", DebtorKind::PublicBody) => Regime::FrPublic,
            ("FR", DebtorKind::Consumer) => Regime::FrConsumer {
                creditor: CreditorStatus::Professional,
                formal_notice_date: formal_notice,
                judgment_enforceable_on: None,
            },
            ("DE", DebtorKind::Consumer) => Regime::DeConsumer,
            ("DE", _) => Regime::DeB2b,
            ("GB", _) => Regime::Uk,
            ("NL", _) => Regime::Nl,
            ("BE", _) => Regime::Be,
            ("ES", _) => Regime::Es,
            ("IT", _) => Regime::It,
            _ => Regime::EuGeneric {
                reference_table: "ecb_mro".into(),
                margin: Amount(Decimal::from(8)),
                indemnity: Amount(Decimal::from(40)),
            },
        }
    }
}

impl PenaltyRequest {
    /// The request pricing a ledger invoice's delay up to `as_of` (never before its issue date).
    pub fn for_invoice(
        inv: &CheckedInvoice<'_>,
        regime: Regime,
        as_of: NaiveDate,
        options: PenaltyOptions,
    ) -> PenaltyRequest {
        let invoice = inv.invoice;
        PenaltyRequest {
            invoice: PenaltyInvoice {
                id: invoice.id.clone(),
                number: invoice.number.clone(),
                issue_date: invoice.issue_date,
                due_date: inv.due_date,
                currency: invoice.currency.clone(),
                total: invoice.total,
                payments: invoice.payments.clone(),
                credit_notes: invoice.credit_notes.clone(),
            },
            regime,
            as_of: as_of.max(invoice.issue_date),
            options: inv.penalty_terms.apply(options),
            extra_rates: BTreeMap::new(),
        }
    }

    /// The request for a ledger invoice under the default regime of its creditor and debtor (a
    /// French consumer's interest counted from `as_of` as the formal notice), with default
    /// options and the given newer rate rows.
    pub fn by_default(
        checked: &CheckedLedger<'_>,
        inv: &CheckedInvoice<'_>,
        as_of: NaiveDate,
        extra_rates: &BTreeMap<String, Vec<RateRow>>,
    ) -> PenaltyRequest {
        PenaltyRequest::for_invoice(inv, default_regime(checked, inv, as_of), as_of, PenaltyOptions::default())
            .with_extra_rates(extra_rates.clone())
    }

    /// The same request with newer rate rows.
    pub fn with_extra_rates(mut self, extra_rates: BTreeMap<String, Vec<RateRow>>) -> PenaltyRequest {
        self.extra_rates = extra_rates;
        self
    }
}

/// The regime of a ledger invoice when the contract says nothing more (see `Regime::default_for`).
fn default_regime(checked: &CheckedLedger<'_>, inv: &CheckedInvoice<'_>, as_of: NaiveDate) -> Regime {
    Regime::default_for(&checked.ledger.creditor.address.country, inv.debtor_kind, as_of)
}

/// The totals of `PenaltyRequest::by_default` under `rates`, computed straight from the checked
/// invoice (which the ledger check validated as a request would be): sums over a whole ledger
/// build no request.
pub(crate) fn default_totals(
    checked: &CheckedLedger<'_>,
    inv: &CheckedInvoice<'_>,
    as_of: NaiveDate,
    rates: &Rates,
) -> Result<DecompteTotals> {
    ledger_computation(inv, &checked.ledger.creditor.address.country, as_of, rates, Detail::TotalsOnly)
        .map(|c| c.totals)
}

/// Where a ledger invoice stands on a day: what the planner, analytics, the worker and the demo
/// all mean by "open" and "paid".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Principal still owed (under the creditor's imputation): the reminder path runs.
    Open,
    /// The principal is paid, late, and interest or the indemnity is still due (or cannot be
    /// priced yet): nothing is chased unless the policy claims penalties.
    PaidPenaltiesDue,
    /// Nothing is owed.
    Paid,
}

/// The status of a ledger invoice on `day` (see [`InvoiceStatus`]), its penalties priced under its
/// default regime, the creditor's terms and `rates`.
pub fn invoice_status(
    inv: &CheckedInvoice<'_>,
    creditor_country: &str,
    day: NaiveDate,
    rates: &Rates,
) -> InvoiceStatus {
    if inv.outstanding_on(day).is_positive() {
        InvoiceStatus::Open
    } else if penalties_due(inv, creditor_country, day, rates).is_none_or(|d| d > Decimal::ZERO) {
        InvoiceStatus::PaidPenaltiesDue
    } else {
        InvoiceStatus::Paid
    }
}

/// The penalties a ledger invoice still owes on `day` beside its principal (interest and
/// indemnity not paid yet, see `default_totals`); `None` while a rate they need is not known.
pub fn penalties_due(
    inv: &CheckedInvoice<'_>,
    creditor_country: &str,
    day: NaiveDate,
    rates: &Rates,
) -> Option<Decimal> {
    let totals = ledger_computation(inv, creditor_country, day, rates, Detail::TotalsOnly).ok()?.totals;
    Some(totals.total_due.value() - totals.principal_outstanding.value())
}

/// Every settlement goes whole to the principal unless a partial payment came after the due date
/// (what it pays first matters) or more than the total was received (the rest pays penalties).
fn imputation_matters(inv: &CheckedInvoice<'_>) -> bool {
    let total = inv.invoice.total.value();
    let mut received = Decimal::ZERO;
    inv.settlements().any(|s| {
        received += s.amount.value();
        received > total || (!s.credit_note && received < total && s.date > inv.due_date)
    })
}

/// What each settlement of a ledger invoice paid of its principal, when a partial payment paid
/// interest or costs first; empty when every settlement went whole to the principal. Priced as
/// `default_totals` does with `rates`. A French consumer's interest waits for a formal notice the
/// ledger does not know: none is counted. When a half-year's rate is missing, the payments stay on
/// the principal: nothing is claimed on a guessed rate (and a décompte needing that rate is
/// refused as `missing_rate` anyway).
pub(crate) fn principal_parts(
    inv: &CheckedInvoice<'_>,
    creditor_country: &str,
    rates: &Rates,
) -> Vec<(NaiveDate, Amount)> {
    let Some(last) = inv.settlements().map(|s| s.date).max().filter(|_| imputation_matters(inv)) else {
        return Vec::new();
    };
    match ledger_computation(inv, creditor_country, last, rates, Detail::Imputations) {
        Ok(c) if c.imputed.iter().any(|s| s.to_principal != s.amount) => {
            c.imputed.iter().map(|s| (s.date, s.to_principal)).collect()
        }
        _ => Vec::new(),
    }
}

/// The engine run on a ledger invoice as of `as_of`, under the default regime of its creditor's
/// country and debtor's kind (a French consumer's formal notice taken as `as_of`) and the
/// creditor's penalty terms.
fn ledger_computation(
    inv: &CheckedInvoice<'_>,
    creditor_country: &str,
    as_of: NaiveDate,
    rates: &Rates,
    detail: Detail,
) -> Result<Computed> {
    let as_of = as_of.max(inv.invoice.issue_date);
    let regime = Regime::default_for(creditor_country, inv.debtor_kind, as_of);
    let case = Case {
        regime: &regime,
        options: inv.penalty_terms.apply(PenaltyOptions::default()),
        as_of,
        due_date: inv.due_date,
        total: inv.invoice.total.value(),
        currency: &inv.invoice.currency,
        settlements: inv.settlements().collect(),
    };
    compute(&case, rates, detail)
}

/// The penalty request of a ledger invoice as of a day (see `PenaltyRequest::by_default`).
pub fn invoice_request(
    ledger: &Ledger,
    invoice_id: &str,
    as_of: NaiveDate,
    extra_rates: &BTreeMap<String, Vec<RateRow>>,
) -> Result<PenaltyRequest> {
    let checked = ledger.check().map_err(|e| e.within("ledger"))?;
    let inv = checked.invoices.iter().find(|i| i.invoice.id == invoice_id).ok_or_else(|| {
        Error::new(ErrorCode::UnknownReference, "invoiceId", format!("no invoice `{invoice_id}` in the ledger"))
    })?;
    Ok(PenaltyRequest::by_default(&checked, inv, as_of, extra_rates))
}

/// The décompte of a ledger invoice as of a day (see `PenaltyRequest::by_default`).
pub fn invoice_decompte(
    ledger: &Ledger,
    invoice_id: &str,
    as_of: NaiveDate,
    extra_rates: &BTreeMap<String, Vec<RateRow>>,
) -> Result<Decompte> {
    decompte(&invoice_request(ledger, invoice_id, as_of, extra_rates)?)
}

/// The itemised décompte of one invoice.
pub fn decompte(req: &PenaltyRequest) -> Result<Decompte> {
    check_request(req)?;
    let rates = rates_for(req)?;
    let c = compute(&Case::of(req), &rates, Detail::Itemised)?;
    Ok(Decompte {
        invoice_id: req.invoice.id.clone(),
        number: req.invoice.number.clone(),
        currency: req.invoice.currency.clone(),
        due_date: req.invoice.due_date,
        end_date: c.end_date,
        days_late: c.days_late,
        lines: c.lines,
        imputation: c.imputation,
        payments: c.imputed,
        totals: c.totals,
        warnings: c.warnings,
    })
}

/// The totals of the décompte only: the same figures, without the periods and the warnings
/// (for sums over many invoices).
pub fn totals(req: &PenaltyRequest) -> Result<DecompteTotals> {
    check_request(req)?;
    let rates = rates_for(req)?;
    compute(&Case::of(req), &rates, Detail::TotalsOnly).map(|c| c.totals)
}

/// How much of the décompte to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Itemised,
    /// The totals and what each settlement paid (the ledger's principal parts).
    Imputations,
    TotalsOnly,
}

fn compute(case: &Case<'_>, rates: &Rates, detail: Detail) -> Result<Computed> {
    let itemised = detail == Detail::Itemised;
    let opts = case.options;
    let engine = Engine { case, rates };
    let mut warnings = Vec::new();
    let mut warn = |code: &str, message: String| {
        if itemised {
            warnings.push(PenaltyWarning { code: code.to_owned(), message });
        }
    };
    // Interest starts the day after the due date (after the formal notice for a French consumer).
    let start = match case.regime {
        Regime::FrConsumer { formal_notice_date, .. } => (*formal_notice_date).max(case.due_date),
        _ => case.due_date,
    };
    let first_day = date::add_days(start, 1).unwrap_or(start);
    if opts.rate_mode == RateMode::SingleRate && !matches!(case.regime, Regime::FrB2b) {
        warn("rate_mode_ignored", "the single-rate option applies to the French B2B default rate only".to_owned());
    }
    let public = matches!(case.regime, Regime::FrPublic);
    let waived = Waivers {
        interest: opts.waive_interest && !public,
        indemnity: (opts.waive_indemnity && !public) || opts.insolvency,
    };
    let indemnity_if_late = if waived.indemnity { Decimal::ZERO } else { fixed_indemnity(case.regime, case.total) };
    let mut book = Imputer::new(case, indemnity_if_late, waived.interest, detail != Detail::TotalsOnly);
    let mut lines: Vec<DecompteLine> = Vec::new();
    let mut pending = case.settlements.iter().filter(|s| s.date <= case.as_of).peekable();
    let starts = period_starts(case, first_day);
    for (i, &from) in starts.iter().enumerate() {
        while let Some(s) = pending.next_if(|s| s.date < from) {
            book.impute(s);
        }
        if book.settled_day.is_some() || from > case.as_of {
            break;
        }
        let to = match starts.get(i + 1) {
            Some(next) => date::add_days(*next, -1).unwrap_or(*next),
            None => case.as_of,
        };
        if let (Regime::Nl, Some(anniversary)) = (case.regime, book.next_anniversary) {
            if from >= anniversary {
                book.capitalise(anniversary);
            }
        }
        let base = book.base();
        let days = (to - from).num_days() + 1;
        let parts = match engine.rate(from, first_day) {
            Ok(parts) => parts,
            // Waived interest needs no rate: a half-year not published yet is simply not shown.
            Err(e) if waived.interest && e.code() == ErrorCode::MissingRate => continue,
            Err(e) => return Err(e),
        };
        let year_days: u32 = match opts.day_count {
            DayCount::ActualActual if from.leap_year() => 366,
            _ => 365,
        };
        let exact = accrue(base, parts.rate, days, year_days);
        book.accrue(exact);
        if itemised {
            push_line(&mut lines, case, Period { from, to, days, base, year_days, exact }, &parts);
        }
    }
    for s in pending {
        book.impute(s);
    }
    let end = book.settled_day.map_or(case.as_of, |d| d.min(case.as_of));
    let days_late = (end - case.due_date).num_days().max(0);
    if case.as_of <= case.due_date && book.settled_day.is_none() {
        warn("not_yet_late", format!("on {} the invoice is not late yet (due {})", case.as_of, case.due_date));
    }
    if itemised {
        rate_warnings(&engine, &lines, &mut warn)?;
        waiver_warnings(case, days_late > 0, &mut warn);
        if book.unimputed > Decimal::ZERO {
            warn("overpaid", format!("{} was received beyond everything owed", book.money(book.unimputed)));
        }
    }
    let totals = book.totals(days_late > 0);
    Ok(Computed {
        end_date: end,
        days_late,
        lines,
        totals,
        imputation: book.imputation,
        imputed: book.imputed,
        warnings,
    })
}

/// What the contract or the law takes away from the claim.
struct Waivers {
    interest: bool,
    indemnity: bool,
}

/// One period of the delay, before it is shown.
struct Period {
    from: NaiveDate,
    to: NaiveDate,
    days: i64,
    base: Decimal,
    year_days: u32,
    exact: Decimal,
}

/// Adds a period to the décompte, merged into the previous line when nothing but the dates
/// differ (never in the Netherlands, whose years compound).
fn push_line(lines: &mut Vec<DecompteLine>, case: &Case<'_>, p: Period, parts: &RateParts) {
    let currency = case.currency;
    let same = lines.last().is_some_and(|l: &DecompteLine| {
        l.base.value() == p.base
            && l.rate.value() == parts.rate
            && l.estimated == parts.estimated
            && l.year_days == p.year_days
            && date::add_days(l.to, 1) == Some(p.from)
            && !matches!(case.regime, Regime::Nl)
    });
    match lines.last_mut() {
        Some(l) if same => {
            l.to = p.to;
            l.days += p.days;
            let merged = l.exact_amount.value() + p.exact;
            l.exact_amount = Amount(merged.round_dp(10));
            l.amount = Amount(merged).to_minor_units(currency);
        }
        _ => lines.push(DecompteLine {
            from: p.from,
            to: p.to,
            days: p.days,
            base: Amount(p.base).to_minor_units(currency),
            rate: pct(parts.rate),
            reference_rate: parts.reference.map(pct),
            estimated: parts.estimated,
            margin: parts.margin.map(pct),
            year_days: p.year_days,
            amount: Amount(p.exact).to_minor_units(currency),
            exact_amount: Amount(p.exact.round_dp(10)),
        }),
    }
}

/// Where a new period begins, up to `asOf`: the first day, half-years, the day after each
/// settlement, anniversaries (NL), the judgment uplift.
fn period_starts(case: &Case<'_>, first_day: NaiveDate) -> Vec<NaiveDate> {
    let end = case.as_of;
    let mut starts: Vec<NaiveDate> = vec![first_day];
    if first_day > end {
        return starts;
    }
    for y in first_day.year()..=end.year() {
        for m in [1, 7] {
            starts.extend(NaiveDate::from_ymd_opt(y, m, 1).filter(|d| *d > first_day && *d <= end));
        }
    }
    for s in &case.settlements {
        starts.extend(date::add_days(s.date, 1).filter(|next| *next > first_day && *next <= end));
    }
    if let Regime::Nl = case.regime {
        let mut k = 1;
        while let Some(anniversary) = first_day.checked_add_months(Months::new(12 * k)).filter(|a| *a <= end) {
            starts.push(anniversary);
            k += 1;
        }
    }
    if let Regime::FrConsumer { judgment_enforceable_on: Some(j), .. } = case.regime {
        starts.extend(j.checked_add_months(Months::new(2)).filter(|u| *u > first_day && *u <= end));
    }
    starts.sort();
    starts.dedup();
    starts
}

/// Warnings about the rates used: estimated half-years, a contractual rate under its floor.
fn rate_warnings(engine: &Engine<'_>, lines: &[DecompteLine], warn: &mut impl FnMut(&str, String)) -> Result<()> {
    let mut estimated_half_years: Vec<(NaiveDate, Amount)> = Vec::new();
    for l in lines.iter().filter(|l| l.estimated) {
        let hy = half_year_start(l.from);
        if !estimated_half_years.iter().any(|(h, _)| *h == hy) {
            estimated_half_years.push((hy, l.reference_rate.unwrap_or(l.rate)));
        }
    }
    for (hy, reference) in estimated_half_years {
        warn("estimated_rate", format!(
            "the reference rate of {} is not published yet: the last known one, {reference}%, is assumed unchanged (an estimate)",
            half_year_label(hy)));
    }
    let Regime::FrB2bContractual { rate } = engine.case.regime else {
        return Ok(());
    };
    // The floor binds a contractual rate: 3 × the legal rate ("autres cas") of each half-year.
    let mut seen = Vec::new();
    for l in lines {
        let hy = half_year_start(l.from);
        if seen.contains(&hy) {
            continue;
        }
        seen.push(hy);
        let (legal, _) = engine.lookup("fr_legal_other", hy)?;
        let floor = legal * Decimal::from(3);
        if rate.value() < floor {
            warn("contractual_rate_below_floor", format!(
                "the contractual rate {}% is below 3 × the legal rate of {} (3 × {}% = {}%): the floor applies in court (C. com. L441-10 II)",
                rate, half_year_label(hy), legal.normalize(), floor.normalize()));
        }
    }
    Ok(())
}

/// Warnings about waivers and the insolvency bar.
fn waiver_warnings(case: &Case<'_>, late: bool, warn: &mut impl FnMut(&str, String)) {
    let opts = case.options;
    let public = matches!(case.regime, Regime::FrPublic);
    if opts.waive_interest {
        if public {
            warn(
                "waiver_void",
                "a public buyer cannot waive moratory interest (CCP L2192-14): the waiver is ignored".to_owned(),
            );
        } else {
            warn(
                "interest_waived",
                "interest waived by contract (a pending French bill would make such waivers void)".to_owned(),
            );
        }
    }
    if !late || fixed_indemnity(case.regime, case.total).is_zero() {
        return;
    }
    if opts.insolvency {
        warn("indemnity_barred", "an insolvency procedure bars payment: the fixed indemnity is not owed".to_owned());
    } else if opts.waive_indemnity && public {
        warn(
            "waiver_void",
            "a public buyer cannot waive the fixed indemnity (CCP L2192-14): the waiver is ignored".to_owned(),
        );
    } else if opts.waive_indemnity {
        warn("indemnity_waived", "fixed indemnity waived by contract".to_owned());
    }
}

/// A share of a payment: the principal, the interest, or the costs (the fixed indemnity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Principal,
    Interest,
    Costs,
}

/// Runs the money through the delay: what is owed, and what each settlement paid of it.
struct Imputer<'a> {
    case: &'a Case<'a>,
    imputation: Imputation,
    /// The fixed indemnity, owed from the first day of delay.
    indemnity_if_late: Decimal,
    interest_waived: bool,
    principal: Decimal,
    /// Payments and credit notes received so far.
    received: Decimal,
    /// Interest accrued, exact.
    interest: Decimal,
    interest_paid: Decimal,
    indemnity_paid: Decimal,
    unimputed: Decimal,
    /// Netherlands: interest added to the base at an anniversary, still unpaid.
    capitalised: Decimal,
    /// Netherlands: interest of the running year, still unpaid.
    interest_this_year: Decimal,
    next_anniversary: Option<NaiveDate>,
    /// The day the principal was paid in full.
    settled_day: Option<NaiveDate>,
    /// What each settlement paid, when asked for (`keep_imputed`).
    imputed: Vec<ImputedSettlement>,
    keep_imputed: bool,
}

impl<'a> Imputer<'a> {
    fn new(case: &'a Case<'a>, indemnity_if_late: Decimal, interest_waived: bool, keep_imputed: bool) -> Imputer<'a> {
        let start = date::add_days(case.due_date, 1).unwrap_or(case.due_date);
        Imputer {
            case,
            imputation: case.options.imputation.unwrap_or_else(|| case.regime.default_imputation()),
            indemnity_if_late,
            interest_waived,
            principal: case.total,
            received: Decimal::ZERO,
            interest: Decimal::ZERO,
            interest_paid: Decimal::ZERO,
            indemnity_paid: Decimal::ZERO,
            unimputed: Decimal::ZERO,
            capitalised: Decimal::ZERO,
            interest_this_year: Decimal::ZERO,
            next_anniversary: start.checked_add_months(Months::new(12)),
            settled_day: None,
            imputed: Vec::new(),
            keep_imputed,
        }
    }

    /// Rounds to the currency's minor unit the way the options say.
    fn money(&self, v: Decimal) -> Amount {
        Amount(crate::money::round_to(v, self.case.currency.minor_units(), self.case.options.rounding.strategy()))
    }

    /// What interest runs on: the principal, and in the Netherlands the unpaid capitalised interest.
    fn base(&self) -> Decimal {
        self.principal + self.capitalised
    }

    fn accrue(&mut self, exact: Decimal) {
        if !self.interest_waived {
            self.interest += exact;
            self.interest_this_year += exact;
        }
    }

    /// BW 6:119(2): each year's unpaid interest is added to the principal.
    fn capitalise(&mut self, anniversary: NaiveDate) {
        self.capitalised += self.interest_this_year;
        self.interest_this_year = Decimal::ZERO;
        self.next_anniversary = anniversary.checked_add_months(Months::new(12));
    }

    /// Interest accrued and not paid yet, to the cent.
    fn interest_due(&self) -> Decimal {
        self.money(self.interest).value() - self.interest_paid
    }

    /// The order `s` pays in. A payment that brings what was received up to the invoice's total
    /// pays the invoice: its principal first, the penalties staying due beside it. Only a partial
    /// payment is imputed to the accessories first (C. civ. 1343-1 speaks of "le paiement partiel").
    fn order(&self, s: &Settlement) -> [Part; 3] {
        let [a, b] = self.case.regime.accessories_order();
        let completing = self.received + s.amount.value() >= self.case.total;
        match self.imputation {
            _ if s.credit_note || completing => [Part::Principal, a, b],
            Imputation::PrincipalFirst => [Part::Principal, a, b],
            Imputation::InterestFirst => [Part::Interest, Part::Principal, Part::Costs],
            Imputation::AccessoriesFirst => [a, b, Part::Principal],
        }
    }

    fn impute(&mut self, s: &Settlement) {
        let order = self.order(s);
        self.received += s.amount.value();
        let mut left = s.amount.value();
        let (mut to_principal, mut to_interest, mut to_costs) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        // The indemnity is owed once the principal is late: not for money that comes after the
        // invoice was paid on time.
        let late = s.date > self.case.due_date && self.settled_day.is_none_or(|d| d > self.case.due_date);
        for part in order {
            let owed = match part {
                Part::Principal => self.principal,
                _ if s.credit_note => Decimal::ZERO,
                Part::Interest => self.interest_due(),
                Part::Costs if late => self.indemnity_if_late - self.indemnity_paid,
                Part::Costs => Decimal::ZERO,
            };
            let take = left.min(owed).max(Decimal::ZERO);
            left -= take;
            match part {
                Part::Principal => {
                    self.principal -= take;
                    to_principal = take;
                }
                Part::Interest => {
                    self.pay_interest(take);
                    to_interest = take;
                }
                Part::Costs => {
                    self.indemnity_paid += take;
                    to_costs = take;
                }
            }
        }
        self.unimputed += left;
        if self.principal <= Decimal::ZERO && self.settled_day.is_none() {
            self.settled_day = Some(s.date);
        }
        if !self.keep_imputed {
            return;
        }
        self.imputed.push(ImputedSettlement {
            date: s.date,
            amount: s.amount,
            credit_note: s.credit_note,
            to_interest: self.money(to_interest),
            to_indemnity: self.money(to_costs),
            to_principal: self.money(to_principal),
            unimputed: self.money(left),
        });
    }

    /// Interest paid pays the oldest first: the capitalised years, then the running one.
    fn pay_interest(&mut self, amount: Decimal) {
        self.interest_paid += amount;
        let from_capitalised = amount.min(self.capitalised);
        self.capitalised -= from_capitalised;
        self.interest_this_year = (self.interest_this_year - (amount - from_capitalised)).max(Decimal::ZERO);
    }

    fn totals(&self, late: bool) -> DecompteTotals {
        let received = self.received;
        let principal_outstanding = self.money(self.principal.max(Decimal::ZERO));
        let interest = self.money(self.interest);
        let indemnity = self.money(if late { self.indemnity_if_late } else { Decimal::ZERO });
        let interest_paid = self.money(self.interest_paid);
        let indemnity_paid = self.money(self.indemnity_paid);
        let interest_due = Amount(interest.value() - interest_paid.value());
        let indemnity_due = Amount(indemnity.value() - indemnity_paid.value());
        DecompteTotals {
            principal: self.money(self.case.total),
            settled: self.money(received),
            principal_outstanding,
            interest,
            interest_paid,
            indemnity,
            indemnity_paid,
            interest_due,
            indemnity_due,
            total_due: Amount(principal_outstanding.value() + interest_due.value() + indemnity_due.value()),
        }
    }
}

/// One day of the curve of what is owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct CurvePoint {
    /// The day.
    #[serde(serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// Principal still owed at the end of the day.
    pub principal: Amount,
    /// Interest accrued up to and including the day and not paid by then.
    pub interest: Amount,
    /// Fixed indemnity owed by then and not paid.
    pub indemnity: Amount,
    /// Sum.
    pub total: Amount,
}

/// The amount owed each day from `from` to `to` (included), for charts: the same computation as
/// the décompte ending that day.
pub fn curve(req: &PenaltyRequest, from: NaiveDate, to: NaiveDate) -> Result<Vec<CurvePoint>> {
    check_request(req)?;
    if to < from {
        return Err(Error::new(ErrorCode::EndBeforeStart, "to", "the curve ends before it starts"));
    }
    if (to - from).num_days() >= MAX_CURVE_DAYS {
        return Err(Error::new(ErrorCode::TooManyItems, "to", format!("a curve spans at most {MAX_CURVE_DAYS} days")));
    }
    let rates = rates_for(req)?;
    let mut case = Case::of(req);
    let mut out = Vec::with_capacity(usize::try_from((to - from).num_days() + 1).unwrap_or(0));
    let mut day = from;
    while day <= to {
        case.as_of = day;
        let d = compute(&case, &rates, Detail::TotalsOnly)?;
        out.push(CurvePoint {
            date: day,
            principal: d.totals.principal_outstanding,
            interest: d.totals.interest_due,
            indemnity: d.totals.indemnity_due,
            total: d.totals.total_due,
        });
        day = match date::add_days(day, 1) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(out)
}

/// Several invoices of one debtor in one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// Currency of every invoice.
    pub currency: Currency,
    /// One décompte per invoice, in request order.
    pub decomptes: Vec<Decompte>,
    /// Sums of the invoices' totals.
    pub totals: DecompteTotals,
}

/// Computes several invoices (one debtor, one currency) into one statement.
pub fn statement(requests: &[PenaltyRequest]) -> Result<Statement> {
    if requests.is_empty() {
        return Err(Error::new(ErrorCode::TooManyItems, "", "a statement needs at least one invoice"));
    }
    if requests.len() > MAX_STATEMENT_INVOICES {
        return Err(Error::new(ErrorCode::TooManyItems, "", format!("at most {MAX_STATEMENT_INVOICES} invoices")));
    }
    let mut decomptes = Vec::with_capacity(requests.len());
    for (i, req) in requests.iter().enumerate() {
        decomptes.push(decompte(req).map_err(|e| e.within(&format!("[{i}]")))?);
    }
    let currency = decomptes.first().map(|d| d.currency.clone()).unwrap_or_else(Currency::eur);
    if let Some(i) = decomptes.iter().position(|d| d.currency != currency) {
        return Err(Error::new(
            ErrorCode::MixedCurrencies,
            format!("[{i}].invoice.currency"),
            "a statement is in one currency",
        ));
    }
    let sum = |f: fn(&DecompteTotals) -> Amount| Amount(decomptes.iter().map(|d| f(&d.totals).value()).sum());
    let totals = DecompteTotals {
        principal: sum(|t| t.principal),
        settled: sum(|t| t.settled),
        principal_outstanding: sum(|t| t.principal_outstanding),
        interest: sum(|t| t.interest),
        interest_paid: sum(|t| t.interest_paid),
        indemnity: sum(|t| t.indemnity),
        indemnity_paid: sum(|t| t.indemnity_paid),
        interest_due: sum(|t| t.interest_due),
        indemnity_due: sum(|t| t.indemnity_due),
        total_due: sum(|t| t.total_due),
    };
    Ok(Statement { currency, decomptes, totals })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::from_json;

    fn request(total: &str, due: &str, paid: Option<&str>, regime: &str, as_of: &str) -> PenaltyRequest {
        let payments =
            paid.map(|p| format!(r#"[{{"date": "{p}", "amount": "{total}"}}]"#)).unwrap_or_else(|| "[]".into());
        from_json(&format!(
            r#"{{"invoice": {{"id": "i", "issueDate": "2015-01-01", "dueDate": "{due}", "currency": "EUR",
            "total": "{total}", "payments": {payments}}}, "regime": {regime}, "asOf": "{as_of}"}}"#
        ))
        .unwrap()
    }

    #[test]
    fn published_half_year_example_split_and_single() {
        // late-payment-law.md: 12 000 EUR due 2025-06-20, paid 2025-07-10.
        let mut r = request("12000.00", "2025-06-20", Some("2025-07-10"), r#"{"type": "fr_b2b"}"#, "2025-12-31");
        let d = decompte(&r).unwrap();
        assert_eq!(d.days_late, 20);
        assert_eq!(d.lines.len(), 2);
        assert_eq!(
            (d.lines[0].days, d.lines[0].rate.to_string(), d.lines[0].exact_amount.to_string()),
            (10, "13.15".into(), "43.2328767123".into())
        );
        assert_eq!((d.lines[1].days, d.lines[1].rate.to_string()), (10, "12.15".into()));
        assert_eq!(d.totals.interest.to_string(), "83.18");
        assert_eq!(d.totals.total_due.to_string(), "123.18");
        r.options.rate_mode = RateMode::SingleRate;
        let d = decompte(&r).unwrap();
        assert_eq!(d.lines.len(), 1, "one rate: one line");
        assert_eq!(d.totals.interest.to_string(), "86.47");
    }

    #[test]
    fn published_fifteen_percent_example() {
        // 15 000 EUR at 15 %, 30 days: 15000 x 0.15 x 30 / 365 = 184.93.
        let r = request(
            "15000.00",
            "2024-04-15",
            Some("2024-05-15"),
            r#"{"type": "fr_b2b_contractual", "rate": "15"}"#,
            "2024-06-01",
        );
        let d = decompte(&r).unwrap();
        assert_eq!(d.days_late, 30);
        assert_eq!(d.totals.interest.to_string(), "184.93");
        // 15 % is below 3 x 5.07 = 15.21 in 2024 H1: warned, still computed at the agreed rate.
        assert_eq!(d.warnings[0].code, "contractual_rate_below_floor");
    }

    #[test]
    fn partial_payments_lower_the_base() {
        let mut r = request("10000.00", "2024-01-31", None, r#"{"type": "fr_b2b"}"#, "2024-03-31");
        r.invoice.payments = vec![Payment {
            date: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            amount: Amount(Decimal::from(4000)),
            reference: None,
        }];
        // French default: the 4 000 first pays the 115.21 of interest accrued by 29 February
        // (10000 x .145 x 29/365 = 115.2055) and the 40 of costs, then 3 844.79 of principal.
        let d = decompte(&r).unwrap();
        assert_eq!(d.imputation, Imputation::AccessoriesFirst);
        let paid = &d.payments[0];
        assert_eq!(
            (paid.to_interest.to_string(), paid.to_indemnity.to_string(), paid.to_principal.to_string()),
            ("115.21".into(), "40.00".into(), "3844.79".into())
        );
        assert_eq!(d.lines[1].base.to_string(), "6155.21");
        // 115.2055 + 6155.21 x .145 x 31/365 (75.8033) = 191.01; 115.21 of it paid.
        assert_eq!(d.totals.interest.to_string(), "191.01");
        assert_eq!(d.totals.interest_paid.to_string(), "115.21");
        assert_eq!(d.totals.total_due.to_string(), "6231.01", "6155.21 + 75.80 + 0 of indemnity");
        // The creditor may accept the lenient order: the payment lowers the principal whole.
        r.options.imputation = Some(Imputation::PrincipalFirst);
        let d = decompte(&r).unwrap();
        // 29 days on 10 000 then 31 days on 6 000, at 4.50 + 10 = 14.50 %.
        assert_eq!(
            d.lines.iter().map(|l| (l.days, l.base.to_string())).collect::<Vec<_>>(),
            [(29, "10000.00".into()), (31, "6000.00".into())]
        );
        // 10000 x .145 x 29/365 + 6000 x .145 x 31/365 = 115.2055 + 73.8904 = 189.10
        assert_eq!(d.totals.interest.to_string(), "189.10");
        assert_eq!(d.totals.principal_outstanding.to_string(), "6000.00");
    }

    #[test]
    fn missing_half_year_is_named_and_can_be_supplied() {
        let mut r = request("1000.00", "2026-06-20", None, r#"{"type": "fr_b2b"}"#, "2026-07-10");
        let e = decompte(&r).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::MissingRate, "extraRates.ecb_mro"));
        assert!(e.message().contains("2026-H2"));
        r.extra_rates.insert(
            "ecb_mro".into(),
            vec![RateRow { from: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(), rate: Amount(Decimal::new(200, 2)) }],
        );
        let d = decompte(&r).unwrap();
        assert_eq!(d.lines[1].rate.to_string(), "12.00");
    }

    #[test]
    fn not_late_yet_owes_nothing() {
        let d = decompte(&request("1000.00", "2025-06-20", None, r#"{"type": "fr_b2b"}"#, "2025-06-20")).unwrap();
        assert_eq!((d.totals.interest.to_string(), d.totals.indemnity.to_string()), ("0.00".into(), "0.00".into()));
        assert_eq!(d.warnings[0].code, "not_yet_late");
    }

    #[test]
    fn uk_fixed_sums_by_debt_size() {
        let uk = |total: &str| {
            let mut r = request(total, "2024-02-01", None, r#"{"type": "uk"}"#, "2024-03-01");
            r.invoice.currency = Currency::new("GBP").unwrap();
            decompte(&r).unwrap()
        };
        assert_eq!(uk("999.99").totals.indemnity.to_string(), "40.00");
        assert_eq!(uk("1000.00").totals.indemnity.to_string(), "70.00");
        assert_eq!(uk("10000.00").totals.indemnity.to_string(), "100.00");
        // Bank Rate on 31 Dec 2023 (5.25) + 8 = 13.25 for a delay starting in 2024 H1.
        assert_eq!(uk("1000.00").lines[0].rate.to_string(), "13.25");
    }

    #[test]
    fn bad_input_is_typed() {
        let mut r = request("1000.00", "2025-06-20", None, r#"{"type": "fr_b2b"}"#, "2025-07-10");
        r.invoice.total = Amount(Decimal::ZERO);
        assert_eq!(decompte(&r).unwrap_err().code(), ErrorCode::NonPositiveAmount);
        let e = from_json::<PenaltyRequest>(r#"{"invoice": {"id": "i", "issueDate": "2025-01-01", "dueDate": "2025-02-01", "currency": "EUR", "total": "10.00"},
            "regime": {"type": "fr_b2b_contractual", "rate": "douze"}, "asOf": "2025-03-01"}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidAmount, "regime.rate"));
        let e = from_json::<PenaltyRequest>(r#"{"invoice": {"id": "i", "issueDate": "2025-01-01", "dueDate": "2025-02-01", "currency": "EUR", "total": "10.00"},
            "regime": {"type": "mars"}, "asOf": "2025-03-01"}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::UnknownVariant, "regime.type"));
        let e = from_json::<PenaltyRequest>(r#"{"invoice": {"id": "i", "issueDate": "2025-01-01", "dueDate": "2025-02-01", "currency": "EUR", "total": "10.00"},
            "regime": {"type": "fr_consumer", "creditor": "professional"}, "asOf": "2025-03-01"}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::MissingField, "regime.formalNoticeDate"));
        let e = from_json::<PenaltyRequest>(r#"{"invoice": {"id": "i", "issueDate": "2025-01-01", "dueDate": "2025-02-01", "currency": "EUR", "total": "10.00"},
            "regime": {"type": "fr_b2b", "rate": "12"}, "asOf": "2025-03-01"}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::UnknownField, "regime.rate"));
        let mut r = request("1000.00", "2025-06-20", Some("2014-01-01"), r#"{"type": "fr_b2b"}"#, "2025-07-10");
        assert_eq!(decompte(&r).unwrap_err().path(), "invoice.payments[0].date");
        r.invoice.payments.clear();
        r.invoice.currency = Currency::new("GBP").unwrap();
        assert_eq!(decompte(&r).unwrap_err().code(), ErrorCode::MixedCurrencies);
    }

    #[test]
    fn curve_matches_the_decompte_and_never_decreases_while_unpaid() {
        let r = request("5000.00", "2024-12-15", None, r#"{"type": "fr_b2b"}"#, "2025-03-01");
        let c = curve(&r, NaiveDate::from_ymd_opt(2024, 12, 10).unwrap(), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
            .unwrap();
        assert_eq!(c.len(), 82);
        assert!(c.windows(2).all(|w| w[0].total <= w[1].total));
        assert_eq!(c.last().unwrap().total, decompte(&r).unwrap().totals.total_due);
        assert_eq!(c[0].indemnity.to_string(), "0.00");
        assert_eq!(c[6].indemnity.to_string(), "40.00");
    }

    #[test]
    fn statement_sums_and_refuses_mixed_currencies() {
        let a = request("1000.00", "2025-01-31", None, r#"{"type": "fr_b2b"}"#, "2025-03-31");
        let b = request("2000.00", "2025-02-28", None, r#"{"type": "fr_b2b"}"#, "2025-03-31");
        let s = statement(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(s.totals.indemnity.to_string(), "80.00", "40 EUR per invoice (CJEU C-585/20)");
        assert_eq!(s.totals.total_due.value(), s.decomptes.iter().map(|d| d.totals.total_due.value()).sum::<Decimal>());
        let mut c = b;
        c.regime = Regime::EuGeneric {
            reference_table: "ecb_mro".into(),
            margin: Amount(Decimal::from(8)),
            indemnity: Amount(Decimal::from(40)),
        };
        c.invoice.currency = Currency::new("SEK").unwrap();
        assert_eq!(statement(&[a, c]).unwrap_err().code(), ErrorCode::MixedCurrencies);
    }
}
