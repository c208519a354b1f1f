//! JSON in and out of the core, one way for every caller (native, the npm package, the worker).
//!
//! Inputs are read by serde's derived `Deserialize` straight from the text, with
//! `serde_path_to_error` giving the path of the bad field (`invoices[0].payments[1].date`).
//! Outputs are written by serde_json from `Serialize` derives, keys in declaration order.
//!
//! Error codes travel as values. A rule of ours that refuses a value (a date that does not exist,
//! a number where an amount is a decimal string, a field of another type of terms) raises its
//! fault through [`refuse`] or [`Fault`], which keeps the code beside the message serde carries;
//! the error that comes out of serde is then matched to that fault. serde's own structural
//! faults (a missing or unknown field, an unknown variant, a value of the wrong JSON type) have no
//! code of ours: serde_json reports them only as data errors worded by serde's `de::Error`
//! methods, and [`structural_code`] names which of those methods spoke.

use crate::error::{join_path, Error, ErrorCode, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::fmt;

pub use serde_json::Value;

/// Decodes `T` from JSON text.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    from_slice(text.as_bytes())
}

/// Decodes `T` from JSON bytes (UTF-8).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    // Most inputs are good: read them without tracking the path, which costs a tenth of a
    // décompte, and read a bad one again with it. The second copy of every decoder this compiles
    // is left out of the browser module, where size comes first.
    #[cfg(any(feature = "speed", not(target_arch = "wasm32")))]
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = decode(&mut de)?;
    de.end().map_err(|e| syntax_error(&e))?;
    Ok(value)
}

/// Decodes `T` from a JSON value already parsed (the worker edits some bodies before reading them).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    decode(value)
}

fn decode<'de, T: DeserializeOwned, D>(de: D) -> Result<T>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    LAST_FAULT.with(|f| f.borrow_mut().take());
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = path_text(e.path());
        let inner = e.into_inner();
        let message = without_position(&inner);
        let recorded = LAST_FAULT.with(|f| f.borrow_mut().take());
        match recorded {
            Some(fault) if fault.message == message => {
                let path = fault.field.map_or_else(|| path.clone(), |field| join_path(&path, &field));
                Error::new(fault.code, path, message)
            }
            // A fault of the text: where the reading stopped is no field of the input.
            _ if !inner.is_data() => Error::new(ErrorCode::InvalidJson, "", message),
            _ => structural_error(&path, message),
        }
    })
}

/// A fault of the text itself (trailing characters after the value).
fn syntax_error(e: &serde_json::Error) -> Error {
    Error::new(ErrorCode::InvalidJson, "", without_position(e))
}

/// serde_json's message without the ` at line L column C` it appends.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).map(str::to_owned).unwrap_or(text)
}

/// `invoices[3].total` from serde_path_to_error's path; empty at the root.
fn path_text(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter().fold(String::new(), |path: String, segment| match segment {
        Segment::Seq { index } => format!("{path}[{index}]"),
        Segment::Map { key } => join_path(&path, key),
        Segment::Enum { variant } => join_path(&path, variant),
        Segment::Unknown => path,
    })
}

/// The code of a fault raised by serde itself. serde's derived code reports these through the
/// `de::Error` methods `missing_field`, `unknown_field`, `unknown_variant` and `invalid_type`,
/// whose wording (the first words) is serde's; serde_json keeps no other trace of which it was.
fn structural_code(message: &str) -> ErrorCode {
    const STRUCTURAL: [(&str, ErrorCode); 4] = [
        ("missing field `", ErrorCode::MissingField),
        ("unknown field `", ErrorCode::UnknownField),
        ("unknown variant `", ErrorCode::UnknownVariant),
        ("invalid type: ", ErrorCode::InvalidType),
    ];
    STRUCTURAL.iter().find(|(words, _)| message.starts_with(words)).map_or(ErrorCode::InvalidJson, |(_, code)| *code)
}

/// A structural error, its path pointing at the field itself: serde reports a missing field at the
/// enclosing object, and an unknown one at its key.
fn structural_error(path: &str, message: String) -> Error {
    let code = structural_code(&message);
    let field = backticked(&message);
    let path = match (code, field) {
        (ErrorCode::MissingField, Some(field)) => join_path(path, field),
        (ErrorCode::UnknownField, Some(field)) if path.rsplit(['.', '[']).next() != Some(field) => {
            join_path(path, field)
        }
        _ => path.to_owned(),
    };
    Error::new(code, path, message)
}

fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message.get(start..)?.find('`')?;
    message.get(start..start + len)
}

/// A fault of ours raised inside a `Deserialize` implementation: its code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    code: ErrorCode,
    message: String,
    /// The field it is about, below the value being read (for a type read flat and then checked).
    field: Option<String>,
}

thread_local! {
    /// The last fault raised through serde on this thread, taken by the `decode` that started.
    static LAST_FAULT: RefCell<Option<Fault>> = const { RefCell::new(None) };
}

impl Fault {
    /// A fault with its code, kept beside the message serde carries (for `try_from` conversions,
    /// whose error serde turns into a message).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Fault {
        Fault { code, message: message.into(), field: None }.recorded()
    }

    /// A fault about `field` of the value being read.
    pub fn of_field(code: ErrorCode, field: &str, message: impl Into<String>) -> Fault {
        Fault { code, message: message.into(), field: Some(field.to_owned()) }.recorded()
    }

    fn recorded(self) -> Fault {
        LAST_FAULT.with(|f| *f.borrow_mut() = Some(self.clone()));
        self
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The serde error for a fault of ours, its code kept for the error that comes out.
pub fn refuse<E: serde::de::Error>(code: ErrorCode, message: impl Into<String>) -> E {
    E::custom(Fault::new(code, message))
}

/// For a tagged object read flat (`{"type": ..., fields}`): refuses a field given that belongs to
/// another type, with the `unknown field` message that points at it. `given` pairs each optional
/// field with whether it is there; `allowed` lists those of this type.
pub(crate) fn refuse_fields_of_other_types(
    given: &[(&str, bool)],
    allowed: &[&str],
    of: &str,
) -> std::result::Result<(), Fault> {
    match given.iter().find(|(field, there)| *there && !allowed.contains(field)) {
        Some((field, _)) => Err(Fault::of_field(
            ErrorCode::UnknownField,
            field,
            format!("unknown field `{field}` for this type of {of}"),
        )),
        None => Ok(()),
    }
}

/// A field that a type read flat needs and does not have.
pub(crate) fn missing_field(field: &str) -> Fault {
    Fault::of_field(ErrorCode::MissingField, field, format!("missing field `{field}`"))
}

/// A derived struct read from a JSON object only. serde's derived structs also read a list of
/// their fields by position, which no input of ours means (`[1]` is not payment terms).
pub struct ObjectOnly<T>(pub T);

/// What a struct read through [`ObjectOnly`] is, for the message about a value of another kind.
pub trait Described {
    /// `payment terms, an object such as {"type": "net", "days": 30}`.
    const EXPECTING: &'static str;
}

impl<'de, T: serde::Deserialize<'de> + Described> serde::Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Fields<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de> + Described> serde::de::Visitor<'de> for Fields<T> {
            type Value = ObjectOnly<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::EXPECTING)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(ObjectOnly)
            }
        }
        d.deserialize_map(Fields(std::marker::PhantomData))
    }
}

/// Encodes an output value as JSON text. Our output types contain only strings, numbers, lists and
/// string-keyed maps, so encoding cannot fail; an error is still reported, never a panic.
pub fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::new(ErrorCode::InvalidJson, "", e.to_string()))
}

/// Appends an output value as JSON text to `out`: for a caller that reuses one buffer (the wasm
/// bindings keep their output buffer from call to call). On an error, `out` holds a partial text.
pub fn append_json<T: Serialize>(value: &T, out: &mut Vec<u8>) -> Result<()> {
    serde_json::to_writer(out, value).map_err(|e| Error::new(ErrorCode::InvalidJson, "", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Outer {
        #[allow(dead_code)]
        items: Vec<Inner>,
        #[serde(default)]
        #[allow(dead_code)]
        by_year: BTreeMap<i32, u32>,
        #[serde(default)]
        #[allow(dead_code)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        n: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Sized(#[allow(dead_code)] u32),
    }

    fn err(text: &str) -> (ErrorCode, String) {
        let e = from_json::<Outer>(text).expect_err("refused");
        (e.code(), e.path().to_owned())
    }

    #[test]
    fn paths_name_the_bad_field() {
        assert_eq!(err(r#"{"items": [{"n": 1}, {"n": "x"}]}"#), (ErrorCode::InvalidType, "items[1].n".into()));
        assert_eq!(err(r#"{"items": [{"n": 1}, {}]}"#), (ErrorCode::MissingField, "items[1].n".into()));
        assert_eq!(err(r#"{"items": [], "extra": 1}"#), (ErrorCode::UnknownField, "extra".into()));
        assert_eq!(err(r#"{"items": [{"n": 1, "m": 2}]}"#), (ErrorCode::UnknownField, "items[0].m".into()));
        assert_eq!(err(r#"{"items": [], "byYear": {"2026": "x"}}"#), (ErrorCode::InvalidType, "byYear.2026".into()));
        assert_eq!(err(r#"{"items": [], "kind": "other"}"#), (ErrorCode::UnknownVariant, "kind".into()));
        assert_eq!(err(r#"{"items": [], "kind": {"sized": "x"}}"#), (ErrorCode::InvalidType, "kind.sized".into()));
        assert_eq!(err("3"), (ErrorCode::InvalidType, String::new()));
        assert_eq!(err(r#"{"items": {"n": 1}}"#), (ErrorCode::InvalidType, "items".into()));
        assert_eq!(err(r#"{"items": [{"n": true}]}"#), (ErrorCode::InvalidType, "items[0].n".into()));
        assert_eq!(err(r#"{"items": [{"n": null}]}"#), (ErrorCode::InvalidType, "items[0].n".into()));
        assert_eq!(err("{"), (ErrorCode::InvalidJson, String::new()));
        assert_eq!(err(r#"{"items": []} x"#), (ErrorCode::InvalidJson, String::new()));
    }

    #[test]
    fn messages_carry_no_position() {
        let e = from_json::<Outer>("{\n  \"items\": [{\"n\": \"x\"}]\n}").expect_err("refused");
        assert_eq!(e.message(), "invalid type: string \"x\", expected u32");
    }

    #[test]
    fn faults_of_ours_keep_their_code() {
        #[derive(Debug)]
        struct Even;
        impl<'de> Deserialize<'de> for Even {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Even, D::Error> {
                match u32::deserialize(d)? {
                    n if n % 2 == 0 => Ok(Even),
                    n => Err(refuse(ErrorCode::OutOfRange, format!("{n} is odd"))),
                }
            }
        }
        let e = from_json::<Vec<Even>>("[2, 3]").expect_err("refused");
        assert_eq!((e.code(), e.path(), e.message()), (ErrorCode::OutOfRange, "[1]", "3 is odd"));
        // A fault of an earlier, successful decoding is not taken for a later structural one.
        let _ = from_json::<Vec<Even>>("[3]");
        let e = from_json::<Outer>(r#"{"items": [{}]}"#).expect_err("refused");
        assert_eq!(e.code(), ErrorCode::MissingField);
    }

    #[test]
    fn good_input_decodes() {
        let o: Outer =
            from_json(r#"{"items": [{"n": 7}], "byYear": {"2026": 3}, "kind": {"sized": 4}}"#).expect("decodes");
        assert_eq!(o.by_year.get(&2026), Some(&3));
        assert!(matches!(o.kind, Some(Kind::Sized(4))));
        assert!(matches!(
            from_json::<Outer>(r#"{"items": [], "kind": "plain"}"#).map(|o| o.kind),
            Ok(Some(Kind::Plain))
        ));
    }
}
