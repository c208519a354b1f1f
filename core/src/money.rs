//! Money: exact decimals (`rust_decimal`), written in JSON as decimal strings, with an ISO 4217
//! currency. Floating point never touches an amount.

use crate::error::{Error, ErrorCode, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An exact decimal amount. JSON form: a string such as `"1234.56"` or `"-12"`; a JSON number is
/// refused, because a float cannot carry cents exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub Decimal);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// The decimal value.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// True when strictly positive.
    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }

    /// Rounded half away from zero ("half-up" in accounting) to the currency's minor units, and
    /// written with exactly that many decimals, so that every layer prints the same string.
    pub fn to_minor_units(self, currency: &Currency) -> Amount {
        let dp = currency.minor_units();
        let mut d = self.0.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        d.rescale(dp);
        Amount(d)
    }

    /// Refuses zero (`non_positive_amount`) and negative amounts (`negative_amount`) at `path`.
    pub fn require_positive(self, path: &str) -> Result<()> {
        if self.is_positive() {
            return Ok(());
        }
        let code = if self.0.is_sign_negative() && !self.0.is_zero() {
            ErrorCode::NegativeAmount
        } else {
            ErrorCode::NonPositiveAmount
        };
        Err(Error::new(code, path, format!("the amount must be more than zero, not {self}")))
    }

    /// Parses a decimal string; `path` names the field in the error.
    pub fn parse(text: &str, path: &str) -> Result<Amount> {
        let amount = parse_decimal(text).map(Amount).ok_or_else(|| {
            Error::new(ErrorCode::InvalidAmount, path, format!("`{text}` is not a decimal amount such as \"1234.56\""))
        })?;
        if amount.0.abs() > Decimal::from(MAX_AMOUNT) {
            return Err(Error::new(
                ErrorCode::OutOfRange,
                path,
                format!("`{text}` is beyond the largest amount accepted ({MAX_AMOUNT})"),
            ));
        }
        Ok(amount)
    }
}

/// The largest amount (or rate) accepted, in absolute value: a thousand billion. Far beyond any
/// invoice, and small enough that no sum or interest product over the largest ledgers can leave
/// the range of `Decimal` (about 7.9e28).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// A plain decimal: optional sign, digits, optional fraction. No exponent, no thousands separator,
/// at most 28 significant digits (what `Decimal` holds exactly).
fn parse_decimal(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let int_ok = !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit());
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !int_ok || !frac_ok {
        return None;
    }
    Decimal::from_str_exact(text).ok()
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Amount, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal amount as a string, such as \"1234.56\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Amount, E> {
                Amount::parse(v, "").map_err(|e| E::custom(Error::serde_message(e.code(), e.message())))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Amount, E> {
                Err(E::custom(Error::serde_message(
                    ErrorCode::InvalidAmount,
                    &format!("amounts are decimal strings (\"{v}\"), not JSON numbers"),
                )))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Amount, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Amount, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_any(V)
    }
}

/// An ISO 4217 alphabetic currency code (`EUR`, `GBP`, ...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Currency(String);

/// Currencies without minor units (ISO 4217 exponent 0) among those a European creditor may bill in.
const ZERO_DECIMAL_CURRENCIES: [&str; 4] = ["JPY", "KRW", "ISK", "CLP"];

impl Currency {
    /// Checks and builds a currency code.
    pub fn new(code: &str) -> Option<Currency> {
        (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then(|| Currency(code.to_owned()))
    }

    /// The code.
    pub fn code(&self) -> &str {
        &self.0
    }

    /// How many decimals an amount in this currency has.
    pub fn minor_units(&self) -> u32 {
        if ZERO_DECIMAL_CURRENCIES.contains(&self.0.as_str()) {
            0
        } else {
            2
        }
    }

    /// The euro.
    pub fn eur() -> Currency {
        Currency("EUR".to_owned())
    }
}

impl FromStr for Currency {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Currency, ()> {
        Currency::new(s).ok_or(())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Currency, D::Error> {
        let s = String::deserialize(d)?;
        Currency::new(&s).ok_or_else(|| {
            serde::de::Error::custom(Error::serde_message(
                ErrorCode::InvalidCurrency,
                &format!("`{s}` is not an ISO 4217 currency code such as \"EUR\""),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::from_json;

    #[test]
    fn amounts_are_decimal_strings() {
        assert_eq!(from_json::<Amount>("\"1234.56\"").unwrap().to_string(), "1234.56");
        assert_eq!(from_json::<Amount>("\"-0.5\"").unwrap().to_string(), "-0.5");
        for bad in ["\"1e3\"", "\"1,5\"", "\"\"", "\".5\"", "\"5.\"", "\"+1\"", "\"1 000\""] {
            assert_eq!(from_json::<Amount>(bad).unwrap_err().code(), ErrorCode::InvalidAmount, "{bad}");
        }
        assert_eq!(from_json::<Amount>("12.5").unwrap_err().code(), ErrorCode::InvalidAmount);
        assert_eq!(from_json::<Amount>("12").unwrap_err().code(), ErrorCode::InvalidAmount);
        // More digits than a Decimal holds exactly is refused, not rounded.
        assert_eq!(
            from_json::<Amount>("\"123456789012345678901234567890\"").unwrap_err().code(),
            ErrorCode::InvalidAmount
        );
        // Beyond a thousand billion: refused, so that sums and interest never overflow.
        assert_eq!(from_json::<Amount>("\"-1000000000000\"").unwrap().to_string(), "-1000000000000");
        assert_eq!(from_json::<Amount>("\"1000000000000.01\"").unwrap_err().code(), ErrorCode::OutOfRange);
        assert_eq!(Amount::parse("79228162514264337593543950335", "total").unwrap_err().code(), ErrorCode::OutOfRange);
    }

    #[test]
    fn minor_units_round_half_away_from_zero() {
        let eur = Currency::eur();
        let a = Amount::parse("83.175", "").unwrap();
        assert_eq!(a.to_minor_units(&eur).to_string(), "83.18");
        assert_eq!(Amount::parse("-0.005", "").unwrap().to_minor_units(&eur).to_string(), "-0.01");
        assert_eq!(Amount::parse("12", "").unwrap().to_minor_units(&eur).to_string(), "12.00");
        let jpy = Currency::new("JPY").unwrap();
        assert_eq!(Amount::parse("12.5", "").unwrap().to_minor_units(&jpy).to_string(), "13");
    }

    #[test]
    fn currencies_are_iso_codes() {
        assert!(Currency::new("EUR").is_some());
        assert!(Currency::new("eur").is_none());
        assert_eq!(from_json::<Currency>("\"EURO\"").unwrap_err().code(), ErrorCode::InvalidCurrency);
    }
}
