//! Money: exact decimals (`rust_decimal`), written in JSON as decimal strings, with an ISO 4217
//! currency. Floating point never touches an amount.

use crate::error::{Error, ErrorCode, Result};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An exact decimal amount. JSON form: a string such as `"1234.56"` or `"-12"`; a JSON number is
/// refused, because a float cannot carry cents exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "Decimal", type = "string"))]
pub struct Amount(pub Decimal);

/// `value` rounded to `dp` decimals by `strategy`, and written with exactly that many (`78.0`,
/// `12.50`), so that every layer prints the same string.
pub fn round_to(value: Decimal, dp: u32, strategy: RoundingStrategy) -> Decimal {
    // Most values already have that many decimals (or fewer): nothing to round then, and
    // rounding is the dearest step of a décompte.
    let mut rounded = if value.scale() > dp { value.round_dp_with_strategy(dp, strategy) } else { value };
    rounded.rescale(dp);
    rounded
}

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
        Amount(round_to(self.0, currency.minor_units(), RoundingStrategy::MidpointAwayFromZero))
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

/// An amount as a person types it into a form or a spreadsheet, read to its plain decimal: French
/// (`4 800,50`, `4800,50`, `4.800,50`) and English (`4,800.50`, `4800.50`) forms alike. Spaces
/// (also the non-breaking ones a French spreadsheet writes) group thousands; of a comma and a
/// dot, the last is the decimal mark and the other groups thousands; one lone comma or dot is the
/// decimal mark, several group thousands. A grouping mark must be followed by three digits, so a
/// slip such as `4 80,5` is refused rather than read as another amount.
pub fn read_typed_amount(text: &str, path: &str) -> Result<Amount> {
    let refused =
        || Error::new(ErrorCode::InvalidAmount, path, format!("`{text}` is not an amount such as 4 800,50 or 4800.50"));
    let compact: String =
        text.trim().chars().map(|c| if matches!(c, '\u{a0}' | '\u{202f}') { ' ' } else { c }).collect();
    let (sign, body) = match compact.strip_prefix('-') {
        Some(rest) => ("-", rest.trim_start()),
        None => ("", compact.as_str()),
    };
    let last_comma = body.rfind(',');
    let last_dot = body.rfind('.');
    let decimal_mark = match (last_comma, last_dot) {
        (Some(c), Some(d)) => Some(if c > d { ',' } else { '.' }),
        (Some(_), None) if body.matches(',').count() == 1 => Some(','),
        (None, Some(_)) if body.matches('.').count() == 1 => Some('.'),
        _ => None,
    };
    let (int, frac) = match decimal_mark.and_then(|m| body.rsplit_once(m)) {
        Some((int, frac)) => (int, Some(frac)),
        None => (body, None),
    };
    // `1,234` or `1.234` alone: a thousand in one language, one and a bit in the other.
    if frac.is_some_and(|f| f.len() == 3)
        && int.len() <= 3
        && !int.contains([' ', ',', '.'])
        && last_comma.xor(last_dot).is_some()
    {
        return Err(Error::new(
            ErrorCode::InvalidAmount,
            path,
            format!(
                "`{text}` reads as a thousand or as a number with three decimals: write it without the thousands mark"
            ),
        ));
    }
    let int = ungrouped(int).ok_or_else(refused)?;
    let plain = match frac {
        Some(frac) => format!("{sign}{int}.{frac}"),
        None => format!("{sign}{int}"),
    };
    Amount::parse(&plain, path).map_err(|e| if e.code() == ErrorCode::InvalidAmount { refused() } else { e })
}

/// The digits of an integer part written with grouping marks (one kind: space, comma or dot),
/// each followed by exactly three digits; `None` when the groups are not of thousands.
fn ungrouped(int: &str) -> Option<String> {
    let mark = int.chars().find(|c| matches!(c, ' ' | ',' | '.'));
    let Some(mark) = mark else { return Some(int.to_owned()) };
    let mut groups = int.split(mark);
    let first = groups.next()?;
    let mut digits = String::from(first);
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        digits.push_str(group);
    }
    Some(digits)
}

/// The largest amount (or rate) accepted, in absolute value: a thousand billion. Far beyond any
/// invoice, and small enough that no sum or interest product over the largest ledgers can leave
/// the range of `Decimal` (about 7.9e28).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// A plain decimal: optional sign, digits, optional fraction. No exponent, no thousands separator,
/// and only what `Decimal` holds exactly (at most 28 decimals, a 96-bit mantissa), else `None`.
/// Read here rather than by rust_decimal's parser, which is compiled anew for each of its
/// variants (8 KB of the WebAssembly module); `tests::parse_decimal_is_rust_decimals` holds the two
/// to the same values.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((int, frac)) if !frac.is_empty() => (int, frac),
        Some(_) => return None,
        None => (digits, ""),
    };
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut mantissa: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    let mut value = Decimal::try_from_i128_with_scale(mantissa, u32::try_from(frac.len()).ok()?).ok()?;
    // rust_decimal reads `-0` and `-0.00` as zero without a sign.
    value.set_sign_negative(negative && mantissa != 0);
    Some(value)
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(DecimalText::of(self.0).as_str())
    }
}

/// A decimal written exactly as its `Display` does (sign, digits, as many decimals as its scale),
/// straight into a buffer. Amounts are the bulk of every output, and going through the formatting
/// machinery cost a tenth of the time of a décompte. `tests::decimal_text_is_display` holds the
/// two to the same bytes.
struct DecimalText {
    buf: [u8; DecimalText::CAPACITY],
    start: usize,
}

impl DecimalText {
    /// A sign, 29 digits (`Decimal`'s 96-bit mantissa), a leading zero and a point.
    const CAPACITY: usize = 32;

    fn of(d: Decimal) -> DecimalText {
        let mut text = DecimalText { buf: [b'0'; DecimalText::CAPACITY], start: DecimalText::CAPACITY };
        let scale = d.scale() as usize;
        let mantissa = d.mantissa().unsigned_abs();
        // Most mantissas fit in 64 bits, whose division is native (128-bit division is not, in
        // WebAssembly).
        match u64::try_from(mantissa) {
            Ok(narrow) => text.push_digits(narrow, scale),
            Err(_) => text.push_digits(mantissa, scale),
        }
        if d.is_sign_negative() {
            text.push(b'-');
        }
        text
    }

    /// Digits from the last: the fraction padded with zeros to the scale, the point, then at least
    /// one integer digit.
    fn push_digits<N>(&mut self, mut n: N, scale: usize)
    where
        N: Copy + PartialEq + From<u8> + std::ops::Div<Output = N> + std::ops::Rem<Output = N> + TryInto<u8>,
    {
        let (zero, ten) = (N::from(0), N::from(10));
        // The position in a local: kept in a register, where a field behind `&mut self` was
        // stored and loaded again at every digit.
        let mut start = self.start;
        let mut written = 0;
        while n != zero || written <= scale {
            if written == scale && scale != 0 {
                start = put(&mut self.buf, start, b'.');
            }
            let digit: u8 = (n % ten).try_into().unwrap_or(0);
            n = n / ten;
            start = put(&mut self.buf, start, b'0' + digit);
            written += 1;
        }
        self.start = start;
    }

    fn push(&mut self, byte: u8) {
        self.start = put(&mut self.buf, self.start, byte);
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits, '.' and '-' are ever written.
        self.buf.get(self.start..).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("0")
    }
}

/// Writes `byte` just before `start` in `buf`; returns the new start (unchanged when full).
fn put(buf: &mut [u8; DecimalText::CAPACITY], start: usize, byte: u8) -> usize {
    match start.checked_sub(1).map(|at| (at, buf.get_mut(at))) {
        Some((at, Some(slot))) => {
            *slot = byte;
            at
        }
        _ => start,
    }
}

/// What an amount is, in messages about a value of another kind.
const AMOUNT_EXPECTED: &str = "a decimal amount as a string, such as \"1234.56\"";

/// An amount written as a JSON number: refused, with the string to write instead.
fn number_given<E: serde::de::Error>(number: &str) -> E {
    crate::json::refuse(
        ErrorCode::InvalidAmount,
        format!("amounts are decimal strings (\"{number}\"), not JSON numbers"),
    )
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Amount, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(AMOUNT_EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Amount, E> {
                Amount::parse(v, "").map_err(|e| crate::json::refuse(e.code(), e.message()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Amount, E> {
                // As JSON writes it (`30.5`, `30.0`), by serde_json's own float writer.
                Err(number_given(&serde_json::to_string(&v).unwrap_or_else(|_| "a number".to_owned())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Amount, E> {
                Err(number_given(&v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Amount, E> {
                Err(number_given(&v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// An ISO 4217 alphabetic currency code (`EUR`, `GBP`, ...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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

/// A currency code read from input, or the code and message of the error.
fn read_currency(text: &str) -> std::result::Result<Currency, (ErrorCode, String)> {
    Currency::new(text).ok_or_else(|| {
        (ErrorCode::InvalidCurrency, format!("`{text}` is not an ISO 4217 currency code such as \"EUR\""))
    })
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Currency, D::Error> {
        let s = String::deserialize(d)?;
        read_currency(&s).map_err(|(code, message)| crate::json::refuse(code, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::from_json;
    use proptest::prelude::*;

    proptest! {
        // Lengths around the limits (28 decimals, 29 digits, 96 bits), leading and trailing
        // zeros, both signs, and texts that are not plain decimals.
        #[test]
        fn parse_decimal_is_rust_decimals(text in prop_oneof![
            "-?0{0,3}[0-9]{1,30}(\\.[0-9]{1,31}0{0,3})?",
            "-?7922816251426433759354395033[0-9](\\.[0-9]{0,2})?",
            "[-+]?[0-9.e ,]{0,6}",
        ]) {
            let ours = parse_decimal(&text);
            let theirs = Decimal::from_str_exact(&text).ok().filter(|_| {
                // rust_decimal also reads `+1`, `.5`, `5.`, `1_000`: not plain decimals.
                let body = text.strip_prefix('-').unwrap_or(&text);
                body.split_once('.').map_or(!body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()), |(i, f)| {
                    !i.is_empty() && !f.is_empty() && i.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit())
                })
            });
            prop_assert_eq!(ours.map(|d| (d.to_string(), d.scale(), d.is_sign_negative())),
                            theirs.map(|d| (d.to_string(), d.scale(), d.is_sign_negative())));
        }

        // Every mantissa width (the 64-bit and the 128-bit paths), every scale, both signs and
        // negative zero.
        #[test]
        fn decimal_text_is_display(lo: u32, mid in prop_oneof![Just(0u32), any::<u32>()], hi in prop_oneof![Just(0u32), any::<u32>()],
                                   negative: bool, scale in 0u32..=28) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            let text = DecimalText::of(d);
            prop_assert_eq!(text.as_str(), d.to_string());
        }
    }

    #[test]
    fn parse_decimal_edge_cases() {
        let read = |text: &str| parse_decimal(text).map(|d| (d.to_string(), d.scale(), d.is_sign_negative()));
        assert_eq!(read("-0"), Some(("0".into(), 0, false)));
        assert_eq!(read("-0.00"), Some(("0.00".into(), 2, false)));
        assert_eq!(read("-0.50"), Some(("-0.50".into(), 2, true)));
        assert_eq!(read("007.10"), Some(("7.10".into(), 2, false)));
        assert_eq!(read("0.0000000000000000000000000001"), Some(("0.0000000000000000000000000001".into(), 28, false)));
        assert_eq!(read("0.00000000000000000000000000001"), None, "29 decimals");
        assert_eq!(read("79228162514264337593543950335"), Some(("79228162514264337593543950335".into(), 0, false)));
        assert_eq!(read("79228162514264337593543950336"), None, "beyond 96 bits");
        for bad in ["", "-", ".5", "5.", "+1", "1e3", "1_000", "1,5", " 1", "--1", "1.2.3"] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }

    #[test]
    fn decimal_text_edge_cases() {
        for text in [
            "0",
            "0.00",
            "-0.00",
            "0.05",
            "-12",
            "1234.56",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ] {
            let d = Decimal::from_str_exact(text).unwrap();
            assert_eq!(DecimalText::of(d).as_str(), d.to_string(), "{text}");
        }
        assert_eq!(DecimalText::of(Decimal::MIN).as_str(), "-79228162514264337593543950335");
        assert_eq!(
            DecimalText::of(Decimal::from_parts(0, 0, 0, true, 2)).as_str(),
            Decimal::from_parts(0, 0, 0, true, 2).to_string()
        );
    }

    #[test]
    fn typed_amounts_read_the_french_and_english_ways() {
        let read = |text: &str| read_typed_amount(text, "amount").map(|a| a.to_string());
        for (text, value) in [
            ("4 800,50", "4800.50"),
            ("4\u{202f}800,50", "4800.50"),
            ("4\u{a0}800,50", "4800.50"),
            ("4800,50", "4800.50"),
            ("4800.50", "4800.50"),
            ("4.800,50", "4800.50"),
            ("4,800.50", "4800.50"),
            ("1 234 567", "1234567"),
            ("1.234.567", "1234567"),
            ("1,234,567", "1234567"),
            (" 12 ", "12"),
            ("- 3,5", "-3.5"),
            ("0,05", "0.05"),
            ("12 345,678", "12345.678"),
        ] {
            assert_eq!(read(text).as_deref(), Ok(value), "{text}");
        }
        for bad in ["", "4 80,5", "4 8000", "12,5x", "1,2.3,4", "4..5", ",5", "5,", "1 2", "1e3", "€12"] {
            let e = read(bad).unwrap_err();
            assert_eq!((e.code(), e.path()), (ErrorCode::InvalidAmount, "amount"), "{bad}");
        }
        assert_eq!(read("10 000 000 000 000").unwrap_err().code(), ErrorCode::OutOfRange);
        // A lone mark before three digits is refused, not guessed.
        for ambiguous in ["1,234", "1.234", "-4,800"] {
            assert!(read(ambiguous).unwrap_err().message().contains("thousand"), "{ambiguous}");
        }
    }

    #[test]
    fn amounts_are_decimal_strings() {
        assert_eq!(from_json::<Amount>("\"1234.56\"").unwrap().to_string(), "1234.56");
        assert_eq!(from_json::<Amount>("\"-0.5\"").unwrap().to_string(), "-0.5");
        for bad in ["\"1e3\"", "\"1,5\"", "\"\"", "\".5\"", "\"5.\"", "\"+1\"", "\"1 000\""] {
            assert_eq!(from_json::<Amount>(bad).unwrap_err().code(), ErrorCode::InvalidAmount, "{bad}");
        }
        assert_eq!(from_json::<Amount>("12.5").unwrap_err().code(), ErrorCode::InvalidAmount);
        assert_eq!(
            from_json::<Amount>("12.5").unwrap_err().message(),
            "amounts are decimal strings (\"12.5\"), not JSON numbers"
        );
        assert_eq!(
            from_json::<Amount>("-12").unwrap_err().message(),
            "amounts are decimal strings (\"-12\"), not JSON numbers"
        );
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
