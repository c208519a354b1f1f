//! JSON in and out of the core, one way for every caller (native, the npm package, the worker).
//!
//! Inputs are read by serde's derived `Deserialize` straight from the text, with
//! `serde_path_to_error` giving the path of the bad field (`invoices[0].payments[1].date`).
//! Outputs are written by serde_json from `Serialize` derives, keys in declaration order.
//!
//! Error codes travel as values. A rule of ours that refuses a value (a date that does not exist,
//! a number where an amount is a decimal string, a field of another type of terms) raises its
//! fault through [`refuse`] or [`Fault`], which keeps the code beside the message serde carries;
//! serde's own structural faults (a missing or unknown field, an unknown variant, a value of the
//! wrong JSON type) are recorded the same way by the error type [`read`] puts under every decoder.
//! The error that comes out of serde is then matched to the fault recorded for it. A text that is
//! not JSON at all is told apart by reading it again with nothing to decode (`IgnoredAny`).

mod read;

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
    match decode(&mut de) {
        Ok(value) => {
            de.end().map_err(|e| syntax_error(&e))?;
            Ok(value)
        }
        // A text that is not JSON is refused as such wherever the decoder stopped reading it.
        Err(e) => Err(serde_json::from_slice::<serde::de::IgnoredAny>(bytes).err().map_or(e, |e| syntax_error(&e))),
    }
}

/// Decodes `T` from a JSON value already parsed (the worker edits some bodies before reading them).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    decode(value)
}

fn decode<'de, T: DeserializeOwned, D: serde::Deserializer<'de>>(de: D) -> Result<T> {
    LAST_FAULT.with(|f| f.borrow_mut().take());
    serde_path_to_error::deserialize(read::Reading::new(de)).map_err(|e| {
        let path = path_text(e.path());
        let message = e.into_inner().message().to_owned();
        match LAST_FAULT.with(|f| f.borrow_mut().take()) {
            Some(fault) if fault.message == message => Error::new(fault.code, fault.path_below(&path), message),
            // A fault worded elsewhere (a library under a decoder): no code of ours to give.
            _ => Error::new(ErrorCode::InvalidJson, path, message),
        }
    })
}

/// A fault of the text itself (not JSON, or trailing characters after the value).
fn syntax_error(e: &serde_json::Error) -> Error {
    Error::new(ErrorCode::InvalidJson, "", read::without_position(&e.to_string()))
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
    /// How many errors decoders raised on this thread: tells an error of the source from theirs.
    static FAULTS_RAISED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
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
        Fault::count_raised();
        self
    }

    /// Counts an error raised by a decoder (recorded or not).
    fn count_raised() {
        FAULTS_RAISED.with(|n| n.set(n.get().wrapping_add(1)));
    }

    /// How many errors decoders have raised on this thread so far.
    fn count() -> u64 {
        FAULTS_RAISED.with(std::cell::Cell::get)
    }

    /// Where the fault is, the value read being at `path`: at its field when it names one (serde
    /// reports a missing field at the enclosing object; an unknown one may already be at its key).
    fn path_below(&self, path: &str) -> String {
        match &self.field {
            Some(field) if path.rsplit(['.', '[']).next() != Some(field.as_str()) => join_path(path, field),
            _ => path.to_owned(),
        }
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
        assert_eq!(err(r#"{"items": [], "kind": 5}"#), (ErrorCode::InvalidType, "kind".into()));
        assert_eq!(err(r#"{"items": [], "kind": {"plain": null, "sized": 1}}"#).0, ErrorCode::InvalidType);
        assert_eq!(err(r#"{"items": [], "byYear": {"x": 1}}"#).1, "byYear");
        assert_eq!(err("{"), (ErrorCode::InvalidJson, String::new()));
        assert_eq!(err(r#"{"items": [{"n": tru}]}"#), (ErrorCode::InvalidJson, String::new()));
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

    /// The reader that records faults reads every input as serde_json alone does: the same value
    /// for a good one, a refusal for a bad one (the browser module reads through it only).
    #[test]
    fn the_recording_reader_reads_what_serde_json_reads() {
        fn same<T: DeserializeOwned + PartialEq + fmt::Debug>(text: &str) {
            let direct = serde_json::from_str::<T>(text);
            let mut de = serde_json::Deserializer::from_str(text);
            let recorded = decode::<T, _>(&mut de);
            match (direct, recorded) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("serde_json: {a:?}\nrecording reader: {b:?}\n{text}"),
            }
        }
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let read = |path: &str| std::fs::read_to_string(format!("{root}/{path}")).expect("readable");
        same::<crate::ledger::Ledger>(&read("samples/ledger.json"));
        let mut planner: Vec<_> = std::fs::read_dir(format!("{root}/tests/golden/planner"))
            .expect("golden cases")
            .map(|e| e.expect("entry").path())
            .collect();
        planner.sort();
        for path in planner {
            let case: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("json");
            same::<crate::ledger::Ledger>(&case["input"]["ledger"].to_string());
            same::<crate::policy::Policy>(&case["input"]["policy"].to_string());
        }
        let penalties: Value = serde_json::from_str(&read("tests/golden/penalties.json")).expect("json");
        for case in penalties["cases"].as_array().expect("cases") {
            same::<crate::penalty::PenaltyRequest>(&case["request"].to_string());
        }
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
