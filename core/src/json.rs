//! Decoding of every public input from JSON text or a JSON value, with the path of the bad field
//! in the error. One entry point so that native callers, the wasm bindings and the worker report
//! bad input identically.
//!
//! Everything is decoded from a `serde_json::Value` by the type's [`Decode`] implementation
//! (`#[derive(Decode)]`, read from its serde attributes), which keeps the path: each map entry and
//! list element adds its key or index to an error as the error leaves it. serde's derived
//! `Deserialize`, through the deserializer of our own below, is the reference the decoders are
//! tested against ([`from_value_serde`]); the worker also reads its stored documents with it.
//!
//! Outputs are encoded by `write`, serde_json's compact format written faster.

use crate::error::{Error, ErrorCode, Result};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
pub use serde_json::Value;
use std::fmt;

mod decode;
mod write;

pub use decode::{fault, field, field_or, find_fields, object, variant, Decode};
pub(crate) use decode::{from_text, number_as_given};
/// `#[derive(Decode)]`.
pub use relance_derive::Decode;

/// Decodes `T` from JSON text.
pub fn from_json<T: Decode>(text: &str) -> Result<T> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::from_serde("", &e.to_string()))?;
    from_value(value)
}

/// Decodes `T` from a JSON value, tracking the field path.
pub fn from_value<T: Decode>(value: Value) -> Result<T> {
    T::decode(&value).map_err(|e| Error::from_serde(&e.path(), &e.message))
}

/// Decodes `T` through serde's derived `Deserialize`, with the same errors and paths: the
/// reference [`Decode`] is tested against (`core/tests/json_fuzz.rs`).
pub fn from_value_serde<T: DeserializeOwned>(value: &Value) -> Result<T> {
    T::deserialize(De(value)).map_err(|e| Error::from_serde(&e.path(), &e.message))
}

/// For a tagged object read flat (`{"type": ..., fields}`): refuses a field given that belongs to
/// another type, with the `unknown field` message that points at it. `given` pairs each optional
/// field with whether it is there; `allowed` lists those of this type.
pub(crate) fn refuse_fields_of_other_types(
    given: &[(&str, bool)],
    allowed: &[&str],
    of: &str,
) -> std::result::Result<(), String> {
    match given.iter().find(|(field, there)| *there && !allowed.contains(field)) {
        Some((field, _)) => Err(format!("unknown field `{field}` for this type of {of}")),
        None => Ok(()),
    }
}

/// Encodes an output value as JSON text. Our output types contain only strings, numbers, lists and
/// string-keyed maps, so encoding cannot fail; an error is still reported, never a panic.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    let mut out = String::with_capacity(256);
    append_json(value, &mut out)?;
    Ok(out)
}

/// Appends an output value as JSON text to `out`: for a caller that reuses one buffer (the wasm
/// bindings keep their output buffer from call to call). On an error, `out` holds a partial text.
pub fn append_json<T: serde::Serialize>(value: &T, out: &mut String) -> Result<()> {
    write::append(value, out).map_err(|e| Error::new(ErrorCode::InvalidJson, "", e.to_string()))
}

/// A decoding error and where it happened.
#[derive(Debug)]
pub struct DeError {
    message: String,
    /// From the innermost segment out: each level adds its own as the error leaves it.
    segments: Vec<Segment>,
}

#[derive(Debug)]
enum Segment {
    Key(String),
    Index(usize),
}

impl DeError {
    fn at(mut self, segment: Segment) -> DeError {
        self.segments.push(segment);
        self
    }

    /// `invoices[3].total`; empty at the root.
    fn path(&self) -> String {
        let mut path = String::new();
        for segment in self.segments.iter().rev() {
            match segment {
                Segment::Key(k) if path.is_empty() => path.push_str(k),
                Segment::Key(k) => {
                    path.push('.');
                    path.push_str(k);
                }
                Segment::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        path
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError { message: msg.to_string(), segments: Vec::new() }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> DeError {
        DeError::custom(format_args!("invalid type: {}, expected {exp}", UnexpectedText(unexp)))
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> DeError {
        DeError::custom(format_args!("invalid value: {}, expected {exp}", UnexpectedText(unexp)))
    }
}

/// serde's wording for what was found, with a JSON number as JSON writes it. serde's own
/// `Display` prints floats with the standard formatter, whose code (14 KB of the WebAssembly
/// module) nothing else needs.
struct UnexpectedText<'a>(de::Unexpected<'a>);

impl fmt::Display for UnexpectedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use de::Unexpected::*;
        match self.0 {
            Bool(b) => write!(f, "boolean `{b}`"),
            Unsigned(i) => write!(f, "integer `{i}`"),
            Signed(i) => write!(f, "integer `{i}`"),
            Float(x) => write!(f, "floating point `{}`", number_text(x)),
            Char(c) => write!(f, "character `{c}`"),
            Str(s) => write!(f, "string {s:?}"),
            Bytes(_) => f.write_str("byte array"),
            Unit => f.write_str("unit value"),
            Option => f.write_str("Option value"),
            NewtypeStruct => f.write_str("newtype struct"),
            Seq => f.write_str("sequence"),
            Map => f.write_str("map"),
            Enum => f.write_str("enum"),
            UnitVariant => f.write_str("unit variant"),
            NewtypeVariant => f.write_str("newtype variant"),
            TupleVariant => f.write_str("tuple variant"),
            StructVariant => f.write_str("struct variant"),
            Other(other) => f.write_str(other),
        }
    }
}

/// A number as JSON writes it (`30.5`, `30.0`, `1e+21`), for messages.
pub(crate) fn number_text(x: f64) -> String {
    serde_json::to_string(&x).unwrap_or_else(|_| "a number".to_owned())
}

/// Typed requests that read one JSON kind: `method: pattern => visit`, any other kind a mismatch.
macro_rules! only_kind {
    ($visitor:ident; $($method:ident: $kind:pat => $visit:expr),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $visitor: V) -> std::result::Result<V::Value, DeError> {
            match self.0 {
                $kind => $visit,
                other => Err(mismatch(other, &$visitor)),
            }
        }
    )*};
}

/// The deserializer: a borrowed JSON value.
struct De<'v>(&'v Value);

impl<'de> de::Deserializer<'de> for De<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq { items: items.iter(), index: 0 }),
            Value::Object(map) => visitor.visit_map(Entries { entries: map.iter(), value: None }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> std::result::Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, DeError> {
        match self.0 {
            // A unit variant: `"name"`.
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            // A variant with content: `{"name": content}`.
            Value::Object(map) if map.len() == 1 => match map.iter().next() {
                Some((variant, content)) => visitor.visit_enum(Variant { variant, content }),
                None => Err(de::Error::invalid_length(0, &"an object with one key")),
            },
            other => Err(de::Error::invalid_type(unexpected(other), &"a variant name or an object with one key")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    // A typed request reads only the JSON kind it expects; any other kind is the error the
    // visitor itself would give. Each input type's visitor is then compiled with one path instead
    // of one per JSON kind, and a struct is read from an object only (never from a list, by
    // position).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    only_kind! { visitor;
        deserialize_map: Value::Object(map) => visitor.visit_map(Entries { entries: map.iter(), value: None }),
        deserialize_seq: Value::Array(items) => visitor.visit_seq(Seq { items: items.iter(), index: 0 }),
        deserialize_str: Value::String(s) => visitor.visit_borrowed_str(s),
        deserialize_string: Value::String(s) => visitor.visit_borrowed_str(s),
        deserialize_bool: Value::Bool(b) => visitor.visit_bool(*b),
        deserialize_unit: Value::Null => visitor.visit_unit(),
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> std::result::Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit_struct tuple_struct identifier
    }
}

/// The error a visitor gives for a JSON kind it does not read: "invalid type: X, expected Y".
fn mismatch(value: &Value, expected: &dyn de::Expected) -> DeError {
    de::Error::invalid_type(unexpected(value), expected)
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => de::Unexpected::Unsigned(u),
            (None, Some(i)) => de::Unexpected::Signed(i),
            _ => de::Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

/// A list's elements; an error inside one gets its index.
struct Seq<'v> {
    items: std::slice::Iter<'v, Value>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for Seq<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> std::result::Result<Option<T::Value>, DeError> {
        let Some(item) = self.items.next() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        seed.deserialize(De(item)).map(Some).map_err(|e| e.at(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An object's entries; an error inside a value gets its key.
struct Entries<'v> {
    entries: serde_json::map::Iter<'v>,
    value: Option<(&'v String, &'v Value)>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> std::result::Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some((key, value));
        seed.deserialize(Key(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> std::result::Result<V::Value, DeError> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("a map value was asked for before its key"));
        };
        seed.deserialize(De(value)).map_err(|e| e.at(Segment::Key(key.clone())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An object key: a string, or a number written as one (maps keyed by years).
struct Key<'v>(&'v str);

macro_rules! parse_key {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, DeError> {
            match self.0.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => visitor.visit_borrowed_str(self.0),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, DeError> {
        visitor.visit_borrowed_str(self.0)
    }

    parse_key! {
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16, deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64, deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64,
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, DeError> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> std::result::Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// `{"variant": content}`.
struct Variant<'v> {
    variant: &'v String,
    content: &'v Value,
}

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> std::result::Result<(S::Value, Self), DeError> {
        let variant = seed.deserialize(Key(self.variant))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'de> {
    type Error = DeError;

    fn unit_variant(self) -> std::result::Result<(), DeError> {
        match self.content {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(unexpected(other), &"a unit variant")),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> std::result::Result<S::Value, DeError> {
        seed.deserialize(De(self.content)).map_err(|e| e.at(Segment::Key(self.variant.clone())))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> std::result::Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(De(self.content), visitor)
            .map_err(|e| e.at(Segment::Key(self.variant.clone())))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(De(self.content), visitor)
            .map_err(|e| e.at(Segment::Key(self.variant.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[test]
    fn unexpected_values_are_worded_as_serde_words_them() {
        use de::Unexpected::*;
        for u in [
            Bool(true),
            Unsigned(7),
            Signed(-7),
            Float(30.5),
            Float(-0.25),
            Float(30.0),
            Char('x'),
            Str("a \"b\""),
            Bytes(b"x"),
            Unit,
            Option,
            NewtypeStruct,
            Seq,
            Map,
            Enum,
            UnitVariant,
            NewtypeVariant,
            TupleVariant,
            StructVariant,
            Other("something"),
        ] {
            assert_eq!(UnexpectedText(u).to_string(), u.to_string());
        }
        // Where the two differ: JSON's short form of a large float.
        assert_eq!(UnexpectedText(Float(1e21)).to_string(), "floating point `1e+21`");
        let e = from_json::<u32>("30.5").unwrap_err();
        assert_eq!(
            (e.code(), e.message()),
            (ErrorCode::InvalidType, "invalid type: floating point `30.5`, expected u32")
        );
        let e = from_json::<u32>("-1").unwrap_err();
        assert_eq!(e.message(), "invalid value: integer `-1`, expected u32");
    }

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

    /// The reference deserializer (serde's derived `Deserialize` through `De`).
    fn serde_json<T: DeserializeOwned>(text: &str) -> Result<T> {
        let value: Value = serde_json::from_str(text).map_err(|e| Error::from_serde("", &e.to_string()))?;
        from_value_serde(&value)
    }

    fn err(text: &str) -> (ErrorCode, String) {
        let e = serde_json::<Outer>(text).expect_err("refused");
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
        // A struct is an object, never a list read by position; each JSON kind is named.
        assert_eq!(err(r#"{"items": [[1]]}"#), (ErrorCode::InvalidType, "items[0]".into()));
        assert_eq!(err(r#"{"items": {"n": 1}}"#), (ErrorCode::InvalidType, "items".into()));
        assert_eq!(err(r#"{"items": [{"n": true}]}"#), (ErrorCode::InvalidType, "items[0].n".into()));
        assert_eq!(err(r#"{"items": [{"n": null}]}"#), (ErrorCode::InvalidType, "items[0].n".into()));
        let message = serde_json::<Outer>(r#"{"items": [[1]]}"#).unwrap_err().message().to_owned();
        assert!(message.contains("invalid type: sequence, expected struct Inner"), "{message}");
        assert_eq!(err("{"), (ErrorCode::InvalidJson, String::new()));
    }

    #[test]
    fn good_input_decodes() {
        let o: Outer =
            serde_json(r#"{"items": [{"n": 7}], "byYear": {"2026": 3}, "kind": {"sized": 4}}"#).expect("decodes");
        assert_eq!(o.by_year.get(&2026), Some(&3));
        assert!(matches!(o.kind, Some(Kind::Sized(4))));
        assert!(matches!(
            serde_json::<Outer>(r#"{"items": [], "kind": "plain"}"#).map(|o| o.kind),
            Ok(Some(Kind::Plain))
        ));
    }
}
