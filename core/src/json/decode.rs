//! The decoders of the input types: `#[derive(Decode)]` (crate `relance-derive`) writes one per
//! type from its serde attributes, calling the helpers here, which word every error as serde's
//! derived `Deserialize` does. serde stays the reference: `core/tests/json_fuzz.rs` decodes every
//! input type both ways on mangled inputs and requires the same answer, and, for an input with one
//! fault, the same code, path and message. With several faults in one object, an unknown key is
//! reported first, then the fields in declared order (serde reads keys in order).
//!
//! Why: serde's derived visitors, compiled for every field type, were about 110 KB of the browser's
//! WebAssembly module; these decoders made the module 60 KB smaller (19 KB gzipped).

use super::{number_text, unexpected, DeError, Segment};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Error as _};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A type read from a JSON value, with the path of the bad field in the error.
pub trait Decode: Sized {
    /// Reads the value.
    fn decode(value: &Value) -> Result<Self, DeError>;

    /// The value of a field that is absent and has no `default`: an error, except for `Option`.
    fn absent() -> Option<Self> {
        None
    }
}

/// A decoding error with a message of ours.
pub fn fault<T: fmt::Display>(message: T) -> DeError {
    DeError::custom(message)
}

/// The object a struct is read from; anything else is `invalid type`.
pub fn object<'v>(value: &'v Value, expecting: &str) -> Result<&'v Map<String, Value>, DeError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(DeError::invalid_type(unexpected(other), &expecting)),
    }
}

/// Finds the value of each field named in `names` (in `found`, at its position) in one pass over
/// the object's keys; with `deny_unknown`, the first key not in `names` is an error.
pub fn find_fields<'v>(
    object: &'v Map<String, Value>,
    names: &[&str],
    deny_unknown: bool,
    found: &mut [Option<&'v Value>],
) -> Result<(), DeError> {
    for (key, value) in object {
        match names.iter().position(|name| name == key) {
            Some(i) => {
                if let Some(slot) = found.get_mut(i) {
                    *slot = Some(value);
                }
            }
            None if deny_unknown => return Err(unknown_field(key, names)),
            None => {}
        }
    }
    Ok(())
}

/// `T` read from `value`; an error inside gets `segment` (the key or index it was found at).
fn decode_at<T: Decode>(value: &Value, segment: impl FnOnce() -> Segment) -> Result<T, DeError> {
    T::decode(value).map_err(|e| e.at(segment()))
}

/// A field: decoded, an error inside getting the key; if absent, `missing field` (or `None` for
/// an `Option`).
pub fn field<T: Decode>(found: Option<&Value>, key: &str) -> Result<T, DeError> {
    match found {
        Some(value) => decode_at(value, || Segment::Key(key.to_owned())),
        None => T::absent().ok_or_else(|| fault(format_args!("missing field `{key}`"))),
    }
}

/// A field with a default, for when it is absent.
pub fn field_or<T: Decode>(found: Option<&Value>, key: &str, default: impl FnOnce() -> T) -> Result<T, DeError> {
    match found {
        Some(value) => decode_at(value, || Segment::Key(key.to_owned())),
        None => Ok(default()),
    }
}

/// serde's list of what was expected: "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
struct OneOf<'a>(&'a [&'a str]);

impl fmt::Display for OneOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [one] => write!(f, "`{one}`"),
            [a, b] => write!(f, "`{a}` or `{b}`"),
            names => {
                f.write_str("one of ")?;
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{name}`")?;
                }
                Ok(())
            }
        }
    }
}

/// A key the struct does not have (with `deny_unknown_fields`).
fn unknown_field(key: &str, fields: &[&str]) -> DeError {
    if fields.is_empty() {
        fault(format_args!("unknown field `{key}`, there are no fields"))
    } else {
        fault(format_args!("unknown field `{key}`, expected {}", OneOf(fields)))
    }
}

fn variant_index(name: &str, names: &[&str]) -> Result<usize, DeError> {
    names.iter().position(|n| *n == name).ok_or_else(|| {
        if names.is_empty() {
            fault(format_args!("unknown variant `{name}`, there are no variants"))
        } else {
            fault(format_args!("unknown variant `{name}`, expected {}", OneOf(names)))
        }
    })
}

/// A unit variant: its name as a string (or, as serde reads it, `{"name": null}`); its index in
/// `names`.
pub fn variant(value: &Value, names: &[&str]) -> Result<usize, DeError> {
    match value {
        Value::String(s) => variant_index(s, names),
        Value::Object(map) if map.len() == 1 => {
            let Some((name, content)) = map.iter().next() else { return Err(fault("an object with one key")) };
            let index = variant_index(name, names)?;
            match content {
                Value::Null => Ok(index),
                other => Err(DeError::invalid_type(unexpected(other), &"a unit variant")),
            }
        }
        other => Err(DeError::invalid_type(unexpected(other), &"a variant name or an object with one key")),
    }
}

impl Decode for String {
    fn decode(value: &Value) -> Result<Self, DeError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            other => Err(DeError::invalid_type(unexpected(other), &"a string")),
        }
    }
}

impl Decode for bool {
    fn decode(value: &Value) -> Result<Self, DeError> {
        match value {
            Value::Bool(b) => Ok(*b),
            other => Err(DeError::invalid_type(unexpected(other), &"a boolean")),
        }
    }
}

/// Integers as serde reads them: a JSON integer in range; anything else is worded as serde does.
macro_rules! decode_integer {
    ($($ty:ty),*) => {$(
        impl Decode for $ty {
            fn decode(value: &Value) -> Result<Self, DeError> {
                let expected = &stringify!($ty);
                match value {
                    Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                        (Some(u), _) => <$ty>::try_from(u)
                            .map_err(|_| DeError::invalid_value(de::Unexpected::Unsigned(u), expected)),
                        (None, Some(i)) => <$ty>::try_from(i)
                            .map_err(|_| DeError::invalid_value(de::Unexpected::Signed(i), expected)),
                        _ => Err(DeError::invalid_type(unexpected(value), expected)),
                    },
                    other => Err(DeError::invalid_type(unexpected(other), expected)),
                }
            }
        }
    )*};
}

decode_integer!(u8, u16, u32, u64, usize, i32, i64);

impl Decode for Value {
    fn decode(value: &Value) -> Result<Self, DeError> {
        Ok(value.clone())
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(value: &Value) -> Result<Self, DeError> {
        match value {
            Value::Null => Ok(None),
            v => T::decode(v).map(Some),
        }
    }

    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(value: &Value) -> Result<Self, DeError> {
        match value {
            Value::Array(items) => {
                items.iter().enumerate().map(|(i, item)| decode_at(item, || Segment::Index(i))).collect()
            }
            other => Err(DeError::invalid_type(unexpected(other), &"a sequence")),
        }
    }
}

impl<T: Decode> Decode for BTreeMap<String, T> {
    fn decode(value: &Value) -> Result<Self, DeError> {
        match value {
            Value::Object(map) => {
                map.iter().map(|(k, v)| Ok((k.clone(), decode_at(v, || Segment::Key(k.clone()))?))).collect()
            }
            other => Err(DeError::invalid_type(unexpected(other), &"a map")),
        }
    }
}

/// A string read by `parse`, which answers the error code and message of a bad one; anything but a
/// string is `invalid type: ..., expected {expecting}`.
pub(crate) fn from_text<T>(
    value: &Value,
    expecting: &str,
    parse: impl FnOnce(&str) -> Result<T, (crate::error::ErrorCode, String)>,
) -> Result<T, DeError> {
    match value {
        Value::String(s) => {
            parse(s).map_err(|(code, message)| fault(crate::error::Error::serde_message(code, &message)))
        }
        other => Err(DeError::invalid_type(unexpected(other), &expecting)),
    }
}

impl Decode for NaiveDate {
    fn decode(value: &Value) -> Result<Self, DeError> {
        from_text(value, crate::date::DATE_EXPECTED, crate::date::parse)
    }
}

impl Decode for DateTime<Utc> {
    fn decode(value: &Value) -> Result<Self, DeError> {
        from_text(value, crate::date::INSTANT_EXPECTED, crate::date::parse_instant)
    }
}

/// A JSON number as serde hands it to a visitor, written back: for messages.
pub(crate) fn number_as_given(n: &serde_json::Number) -> String {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => u.to_string(),
        (None, Some(i)) => i.to_string(),
        _ => number_text(n.as_f64().unwrap_or(f64::NAN)),
    }
}
