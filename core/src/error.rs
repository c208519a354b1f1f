//! The one error type of the core: a stable machine code, the JSON path of the bad field, and a
//! readable message. The npm package turns it into a `RelanceError` carrying `code` and `path`; the
//! worker into an HTTP 400 with the same fields.

use serde::Serialize;
use std::fmt;

/// Stable error codes. Their string form (`ErrorCode::as_str`) is part of the public API: JS and HTTP
/// clients match on it, so a variant is never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input is not well-formed JSON, or not the expected shape.
    InvalidJson,
    /// A value has the wrong JSON type (a number where a string is expected, ...).
    InvalidType,
    /// A required field is absent.
    MissingField,
    /// A field that the shape does not know (a typo, or a field of another version).
    UnknownField,
    /// An enumerated value (channel, debtor kind, ...) that is not one of the accepted ones.
    UnknownVariant,
    /// A string that is not a calendar date `YYYY-MM-DD`, or a date that does not exist.
    InvalidDate,
    /// A string that is not an RFC 3339 date-time.
    InvalidDateTime,
    /// A date outside the supported years (1900 to 2199).
    DateOutOfRange,
    /// A money amount that is not a decimal string.
    InvalidAmount,
    /// An amount that must be positive is zero or negative.
    NonPositiveAmount,
    /// An amount that may not be negative is negative.
    NegativeAmount,
    /// An amount with more decimals than its currency has minor units.
    TooManyDecimals,
    /// A currency that is not an ISO 4217 alphabetic code.
    InvalidCurrency,
    /// An IANA time-zone name that is not known.
    UnknownTimeZone,
    /// A country code that is not ISO 3166-1 alpha-2.
    InvalidCountry,
    /// An identifier is empty or too long.
    InvalidId,
    /// Two items share an identifier that must be unique.
    DuplicateId,
    /// A reference to a debtor (or step) that does not exist.
    UnknownReference,
    /// A payment, credit note or dispute dated before the invoice was issued.
    DateBeforeIssue,
    /// A period whose end comes before its start.
    EndBeforeStart,
    /// Several currencies in one grouped message.
    MixedCurrencies,
    /// An invoice gives neither payment terms nor a due date, or both.
    TermsOrDueDate,
    /// A number (days, hours, count) outside its accepted range.
    OutOfRange,
    /// A reminder policy with no step.
    EmptyPolicy,
    /// Policy steps whose order cannot hold.
    StepsOutOfOrder,
    /// A payment plan whose instalments do not fit the invoice.
    InvalidPaymentPlan,
    /// A list longer than the core accepts.
    TooManyItems,
    /// A sent-log entry that does not match the ledger.
    InvalidSentLog,
    /// A template that does not parse, or uses a construct that is not allowed.
    InvalidTemplate,
    /// A template names a variable the message context does not have.
    UnknownVariable,
    /// A template calls a helper that does not exist.
    UnknownHelper,
    /// No rate is known for a period (a half-year after the shipped tables): supply it.
    MissingRate,
    /// Embedded data (holiday rules, presets) failed to load: a build defect, reported, never a panic.
    EmbeddedData,
    /// A string that is not an email address (or holds a line break, or is too long).
    InvalidEmail,
    /// A text longer than its field takes (an invoice number that ends in a subject line...).
    TextTooLong,
    /// A rate source's response that cannot be taken whole (a page, a cut line, dates out of
    /// order, an implausible value, a gap).
    InvalidRateSource,
    /// A promise, reply or call outcome that does not hold together (a bounce by phone, something
    /// agreed on a call that reached nobody, promises out of order).
    InvalidAnswer,
    /// A document larger than the core reads.
    TooLarge,
    /// Bytes that are not an e-invoice or a status message (not XML, a DTD, nested too deep, a PDF
    /// with no embedded invoice, ...).
    #[serde(rename = "invalid_einvoice")]
    InvalidEInvoice,
    /// A document issued by someone other than the creditor.
    NotCreditor,
    /// A document that contradicts what is stored under the same number.
    Conflict,
}

impl ErrorCode {
    /// The stable string form, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidType => "invalid_type",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::UnknownVariant => "unknown_variant",
            ErrorCode::InvalidDate => "invalid_date",
            ErrorCode::InvalidDateTime => "invalid_date_time",
            ErrorCode::DateOutOfRange => "date_out_of_range",
            ErrorCode::InvalidAmount => "invalid_amount",
            ErrorCode::NonPositiveAmount => "non_positive_amount",
            ErrorCode::NegativeAmount => "negative_amount",
            ErrorCode::TooManyDecimals => "too_many_decimals",
            ErrorCode::InvalidCurrency => "invalid_currency",
            ErrorCode::UnknownTimeZone => "unknown_time_zone",
            ErrorCode::InvalidCountry => "invalid_country",
            ErrorCode::InvalidId => "invalid_id",
            ErrorCode::DuplicateId => "duplicate_id",
            ErrorCode::UnknownReference => "unknown_reference",
            ErrorCode::DateBeforeIssue => "date_before_issue",
            ErrorCode::EndBeforeStart => "end_before_start",
            ErrorCode::MixedCurrencies => "mixed_currencies",
            ErrorCode::TermsOrDueDate => "terms_or_due_date",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::EmptyPolicy => "empty_policy",
            ErrorCode::StepsOutOfOrder => "steps_out_of_order",
            ErrorCode::InvalidPaymentPlan => "invalid_payment_plan",
            ErrorCode::TooManyItems => "too_many_items",
            ErrorCode::InvalidSentLog => "invalid_sent_log",
            ErrorCode::InvalidTemplate => "invalid_template",
            ErrorCode::UnknownVariable => "unknown_variable",
            ErrorCode::UnknownHelper => "unknown_helper",
            ErrorCode::MissingRate => "missing_rate",
            ErrorCode::EmbeddedData => "embedded_data",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::TextTooLong => "text_too_long",
            ErrorCode::InvalidRateSource => "invalid_rate_source",
            ErrorCode::InvalidAnswer => "invalid_answer",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::InvalidEInvoice => "invalid_einvoice",
            ErrorCode::NotCreditor => "not_creditor",
            ErrorCode::Conflict => "conflict",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed error: what went wrong (`code`), where (`path`, e.g. `invoices[2].payments[0].date`,
/// empty for the whole input) and a sentence for a person (`message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    code: ErrorCode,
    path: String,
    message: String,
    /// For `missing_rate` when the rate is not published yet: which one, as a value (a caller that
    /// waits for it needs the table and half-year, never the sentence).
    #[serde(skip)]
    missing_rate: Option<Box<crate::rates::MissingRate>>,
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A new error at `path`.
    pub fn new(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error { code, path: path.into(), message: message.into(), missing_rate: None }
    }

    /// A `missing_rate` error for a rate not published yet.
    pub(crate) fn rate_not_published(missing: crate::rates::MissingRate, message: impl Into<String>) -> Error {
        Error { missing_rate: Some(Box::new(missing)), ..Error::new(ErrorCode::MissingRate, "", message) }
    }

    /// The rate not published yet that this error is about, if it is one.
    pub fn missing_rate(&self) -> Option<&crate::rates::MissingRate> {
        self.missing_rate.as_deref()
    }

    /// The same error about the same missing rate, at another path.
    pub(crate) fn at(mut self, path: impl Into<String>) -> Error {
        self.path = path.into();
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The JSON path of the bad field (empty for the whole input).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error seen from an enclosing value: `prefix` is put in front of the path.
    pub fn within(mut self, prefix: &str) -> Error {
        self.path = join_path(prefix, &self.path);
        self
    }
}

/// Joins two path parts: `invoices[0]` + `total` = `invoices[0].total`; `a` + `[2]` = `a[2]`.
pub(crate) fn join_path(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() || prefix == "." {
        rest.to_owned()
    } else if rest.is_empty() || rest == "." {
        prefix.to_owned()
    } else if rest.starts_with('[') {
        format!("{prefix}{rest}")
    } else {
        format!("{prefix}.{rest}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.code, self.message)
        } else {
            write!(f, "{} at {}: {}", self.code, self.path, self.message)
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_CODES: [ErrorCode; 41] = [
        ErrorCode::InvalidJson,
        ErrorCode::InvalidType,
        ErrorCode::MissingField,
        ErrorCode::UnknownField,
        ErrorCode::UnknownVariant,
        ErrorCode::InvalidDate,
        ErrorCode::InvalidDateTime,
        ErrorCode::DateOutOfRange,
        ErrorCode::InvalidAmount,
        ErrorCode::NonPositiveAmount,
        ErrorCode::NegativeAmount,
        ErrorCode::TooManyDecimals,
        ErrorCode::InvalidCurrency,
        ErrorCode::UnknownTimeZone,
        ErrorCode::InvalidCountry,
        ErrorCode::InvalidId,
        ErrorCode::DuplicateId,
        ErrorCode::UnknownReference,
        ErrorCode::DateBeforeIssue,
        ErrorCode::EndBeforeStart,
        ErrorCode::MixedCurrencies,
        ErrorCode::TermsOrDueDate,
        ErrorCode::OutOfRange,
        ErrorCode::EmptyPolicy,
        ErrorCode::StepsOutOfOrder,
        ErrorCode::InvalidPaymentPlan,
        ErrorCode::TooManyItems,
        ErrorCode::InvalidSentLog,
        ErrorCode::InvalidTemplate,
        ErrorCode::UnknownVariable,
        ErrorCode::UnknownHelper,
        ErrorCode::MissingRate,
        ErrorCode::EmbeddedData,
        ErrorCode::InvalidEmail,
        ErrorCode::TextTooLong,
        ErrorCode::InvalidRateSource,
        ErrorCode::InvalidAnswer,
        ErrorCode::TooLarge,
        ErrorCode::InvalidEInvoice,
        ErrorCode::NotCreditor,
        ErrorCode::Conflict,
    ];

    #[test]
    fn every_code_serializes_as_its_string() {
        for code in ALL_CODES {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn paths_join() {
        assert_eq!(join_path("", "a"), "a");
        assert_eq!(join_path("a", "[1]"), "a[1]");
        assert_eq!(join_path("a[1]", "b"), "a[1].b");
        assert_eq!(join_path("a", ""), "a");
    }
}
