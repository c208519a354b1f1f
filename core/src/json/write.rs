//! The encoder of every output: serde_json's compact text, byte for byte, written into one `String`.
//!
//! serde_json checks each byte of each string against its escape table and copies a string in
//! three writes. Our outputs are mostly field names and short values that need no escaping, so a
//! string is checked eight bytes at a time and copied whole: in WebAssembly serde_json's string
//! writing took a sixth of a décompte's time, twice its native share. Numbers go through the formatters serde_json uses (itoa for
//! integers, serde_json itself for the rare float), and `tests` holds the two encoders to the same
//! bytes over arbitrary JSON values.

use serde::ser::{self, Serialize};
use std::fmt;

/// Appends a value as compact JSON text to `out`. On an error, `out` is left with what was
/// written before it.
pub(super) fn append<T: Serialize + ?Sized>(value: &T, out: &mut String) -> Result<(), WriteError> {
    // The writer owns its buffer while it writes (the serializer API takes it by value), then
    // hands it back, on success or failure alike.
    let mut writer = Writer { out: std::mem::take(out) };
    let written = value.serialize(&mut writer);
    *out = writer.out;
    written
}

/// A value the JSON format cannot hold (a map key that is not a string, a non-finite float key).
#[derive(Debug)]
pub(super) struct WriteError(String);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: fmt::Display>(msg: T) -> WriteError {
        WriteError(msg.to_string())
    }
}

fn key_must_be_a_string() -> WriteError {
    WriteError("key must be a string".to_owned())
}

struct Writer {
    out: String,
}

impl Writer {
    fn string(&mut self, s: &str) {
        self.out.push('"');
        if needs_no_escape(s.as_bytes()) {
            self.out.push_str(s);
        } else {
            self.escaped(s);
        }
        self.out.push('"');
    }

    /// serde_json's escapes: the two-character ones where JSON has them, `\u00xx` (lowercase
    /// hex) for the other control characters; everything else (DEL and non-ASCII) as is.
    fn escaped(&mut self, s: &str) {
        let mut run = 0;
        for (i, byte) in s.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "",
                _ => continue,
            };
            // Escaped bytes are ASCII, so `run..i` lies on character boundaries.
            self.out.push_str(s.get(run..i).unwrap_or_default());
            if escape.is_empty() {
                self.out.push_str("\\u00");
                for nibble in [byte >> 4, byte & 0xf] {
                    self.out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                }
            } else {
                self.out.push_str(escape);
            }
            run = i + 1;
        }
        self.out.push_str(s.get(run..).unwrap_or_default());
    }

    fn integer<I: itoa::Integer>(&mut self, value: I) {
        self.out.push_str(itoa::Buffer::new().format(value));
    }

    /// A float exactly as serde_json writes it (its formatter, `null` when not finite).
    fn float<F: Serialize>(&mut self, value: F) -> Result<(), WriteError> {
        let text = serde_json::to_string(&value).map_err(|e| WriteError(e.to_string()))?;
        self.out.push_str(&text);
        Ok(())
    }

    fn open(&mut self, bracket: char) -> Compound<'_> {
        self.out.push(bracket);
        Compound { writer: self, first: true }
    }

    /// `{"Variant":` then the variant's list or object; its `end` closes both.
    fn open_variant(&mut self, variant: &str, bracket: char) -> Compound<'_> {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
        self.open(bracket)
    }
}

/// True when no byte of `bytes` is a quote, a backslash or a control character: eight bytes at a
/// time, each test true for a word exactly when one of its bytes matches (the classic
/// "has a zero byte" and "has a byte less than n" word tricks).
fn needs_no_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let Ok(word) = <[u8; 8]>::try_from(word) else { return false };
        let x = u64::from_le_bytes(word);
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
        if control || has_zero(x ^ (ONES * u64::from(b'"'))) || has_zero(x ^ (ONES * u64::from(b'\\'))) {
            return false;
        }
    }
    words.remainder().iter().all(|&b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// An open list or object; `first` until its first element has been written.
struct Compound<'a> {
    writer: &'a mut Writer,
    first: bool,
}

impl Compound<'_> {
    fn separate(&mut self) {
        if !self.first {
            self.writer.out.push(',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.separate();
        value.serialize(&mut *self.writer)
    }

    /// A struct field or variant: its name is one of our Rust identifiers or `serde` renames,
    /// never anything to escape, so it is copied without the check. Debug builds check it, and
    /// the tests write every output type in a debug build.
    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), WriteError> {
        debug_assert!(needs_no_escape(name.as_bytes()), "the field name {name:?} needs escaping");
        self.separate();
        self.writer.out.push('"');
        self.writer.out.push_str(name);
        self.writer.out.push_str("\":");
        value.serialize(&mut *self.writer)
    }

    fn close(self, closing: &str) -> Result<(), WriteError> {
        self.writer.out.push_str(closing);
        Ok(())
    }
}

/// Integers as serde_json writes them (itoa), bare as values and quoted as map keys.
macro_rules! integers {
    ($($method:ident $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<(), WriteError> {
            self.integer(v);
            Ok(())
        }
    )*};
}

macro_rules! quoted_integers {
    ($($method:ident $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<(), WriteError> {
            self.quoted(|w| {
                w.integer(v);
                Ok(())
            })
        }
    )*};
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), WriteError> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    integers!(serialize_i8 i8, serialize_i16 i16, serialize_i32 i32, serialize_i64 i64, serialize_i128 i128);
    integers!(serialize_u8 u8, serialize_u16 u16, serialize_u32 u32, serialize_u64 u64, serialize_u128 u128);
    fn serialize_f32(self, v: f32) -> Result<(), WriteError> {
        self.float(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), WriteError> {
        self.float(v)
    }
    fn serialize_char(self, v: char) -> Result<(), WriteError> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), WriteError> {
        self.string(v);
        Ok(())
    }
    /// As serde_json: a list of the byte values.
    fn serialize_bytes(self, v: &[u8]) -> Result<(), WriteError> {
        let mut list = self.open('[');
        for byte in v {
            list.element(byte)?;
        }
        list.close("]")
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WriteError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), WriteError> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        let mut object = self.open('{');
        object.field(variant, value)?;
        object.close("}")
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, WriteError> {
        Ok(self.open('['))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, WriteError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>, WriteError> {
        self.serialize_seq(Some(len))
    }
    /// `{"Variant":[...]}`, closed by `SerializeTupleVariant::end`.
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, WriteError> {
        Ok(self.open_variant(variant, '['))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, WriteError> {
        Ok(self.open('{'))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, WriteError> {
        Ok(self.open('{'))
    }
    /// `{"Variant":{...}}`, closed by `SerializeStructVariant::end`.
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, WriteError> {
        Ok(self.open_variant(variant, '{'))
    }
}

/// The list-like compounds: elements, then the closing bracket(s).
macro_rules! list_like {
    ($($compound:ident :: $add:ident closed by $closing:literal),* $(,)?) => {$(
        impl ser::$compound for Compound<'_> {
            type Ok = ();
            type Error = WriteError;
            fn $add<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
                self.element(value)
            }
            fn end(self) -> Result<(), WriteError> {
                self.close($closing)
            }
        }
    )*};
}

list_like!(
    SerializeSeq::serialize_element closed by "]",
    SerializeTuple::serialize_element closed by "]",
    SerializeTupleStruct::serialize_field closed by "]",
    SerializeTupleVariant::serialize_field closed by "]}",
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        self.separate();
        key.serialize(Key(&mut *self.writer))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.writer.out.push(':');
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close("}")
    }
}

/// The struct-like compounds: named fields, then the closing brace(s).
macro_rules! struct_like {
    ($($compound:ident closed by $closing:literal),* $(,)?) => {$(
        impl ser::$compound for Compound<'_> {
            type Ok = ();
            type Error = WriteError;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), WriteError> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), WriteError> {
                self.close($closing)
            }
        }
    )*};
}

struct_like!(SerializeStruct closed by "}", SerializeStructVariant closed by "}}");

/// A map key: serde_json's rules, a string as is, a number or a boolean as a string, anything
/// else refused.
struct Key<'a>(&'a mut Writer);

impl Key<'_> {
    fn quoted(self, write: impl FnOnce(&mut Writer) -> Result<(), WriteError>) -> Result<(), WriteError> {
        self.0.out.push('"');
        write(&mut *self.0)?;
        self.0.out.push('"');
        Ok(())
    }

    fn finite_float<F: Serialize>(self, value: F, finite: bool) -> Result<(), WriteError> {
        if finite {
            self.quoted(|w| w.float(value))
        } else {
            Err(WriteError("float key must be finite (got NaN or +/-inf)".to_owned()))
        }
    }
}

/// The key serializer refuses every compound.
type NoCompound = ser::Impossible<(), WriteError>;

impl ser::Serializer for Key<'_> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = NoCompound;
    type SerializeTuple = NoCompound;
    type SerializeTupleStruct = NoCompound;
    type SerializeTupleVariant = NoCompound;
    type SerializeMap = NoCompound;
    type SerializeStruct = NoCompound;
    type SerializeStructVariant = NoCompound;

    fn serialize_str(self, v: &str) -> Result<(), WriteError> {
        self.0.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), WriteError> {
        self.0.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_bool(self, v: bool) -> Result<(), WriteError> {
        self.quoted(|w| ser::Serializer::serialize_bool(w, v))
    }
    quoted_integers!(serialize_i8 i8, serialize_i16 i16, serialize_i32 i32, serialize_i64 i64, serialize_i128 i128);
    quoted_integers!(serialize_u8 u8, serialize_u16 u16, serialize_u32 u32, serialize_u64 u64, serialize_u128 u128);
    fn serialize_f32(self, v: f32) -> Result<(), WriteError> {
        self.finite_float(v, v.is_finite())
    }
    fn serialize_f64(self, v: f64) -> Result<(), WriteError> {
        self.finite_float(v, v.is_finite())
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), WriteError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<NoCompound, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<NoCompound, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<NoCompound, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<NoCompound, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<NoCompound, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<NoCompound, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<NoCompound, WriteError> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, WriteError> {
        let mut out = String::new();
        append(value, &mut out).map(|()| out)
    }

    #[test]
    fn appends_after_what_the_buffer_holds() {
        let mut out = String::from("[1,");
        append(&json!({"a": [true, null]}), &mut out).unwrap();
        assert_eq!(out, r#"[1,{"a":[true,null]}"#);
        // A failure leaves what was written before it.
        let mut out = String::from("x");
        let bad: BTreeMap<Vec<u8>, u8> = [(vec![1], 2)].into_iter().collect();
        assert!(append(&bad, &mut out).is_err());
        assert_eq!(out, "x{");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "needs escaping")]
    fn a_field_name_to_escape_is_caught_in_debug_builds() {
        #[derive(Serialize)]
        struct Odd {
            #[serde(rename = "a\"b")]
            field: u8,
        }
        let _ = to_string(&Odd { field: 1 });
    }

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        let ours = to_string(value).map_err(|e| e.to_string());
        let theirs = serde_json::to_string(value).map_err(|e| e.to_string());
        assert_eq!(ours.is_ok(), theirs.is_ok(), "{ours:?} vs {theirs:?}");
        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
            assert_eq!(ours, theirs);
        }
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        Struct { side_a: f64, tag: Option<char> },
    }

    #[derive(Serialize)]
    struct Wrapped(Vec<Shape>);

    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "camelCase")]
    enum Tagged {
        One { value: i64 },
        Two,
    }

    #[test]
    fn every_serde_shape_is_written_as_serde_json_writes_it() {
        same_as_serde_json(&Wrapped(vec![
            Shape::Unit,
            Shape::Newtype(7),
            Shape::Tuple(-3, "a\"b".into()),
            Shape::Struct { side_a: 0.1, tag: Some('é') },
            Shape::Struct { side_a: f64::NAN, tag: None },
        ]));
        same_as_serde_json(&vec![Tagged::One { value: i64::MIN }, Tagged::Two]);
        same_as_serde_json(&(u128::MAX, i128::MIN, 1.5f32, f32::INFINITY, (), 'x', true));
        same_as_serde_json(&BTreeMap::from([(1u32, "one"), (20, "twenty")]));
        same_as_serde_json(&BTreeMap::from([(true, 1), (false, 0)]));
        same_as_serde_json(&BTreeMap::from([('k', [0u8; 0])]));
        same_as_serde_json(&serde_bytes_like());
        same_as_serde_json(&json!({"": [], "a": {}, "nested": [[{"x": null}]], "n": -0.0, "big": 1e300}));
    }

    /// serialize_bytes through a type that calls it.
    fn serde_bytes_like() -> impl Serialize {
        struct Bytes;
        impl Serialize for Bytes {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&[0, 1, 255])
            }
        }
        Bytes
    }

    #[test]
    fn keys_that_are_not_strings_are_refused_like_serde_json() {
        same_as_serde_json(&BTreeMap::from([(vec![1], 1)]));
        same_as_serde_json(&BTreeMap::from([((), 1)]));
        same_as_serde_json(&BTreeMap::from([(Some(3), 1)]));
        let mut float_keys: Vec<(f64, i32)> = vec![(1.5, 1)];
        let as_map = |v: &Vec<(f64, i32)>| {
            struct M<'a>(&'a [(f64, i32)]);
            impl Serialize for M<'_> {
                fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    use ser::SerializeMap;
                    let mut m = s.serialize_map(Some(self.0.len()))?;
                    for (k, v) in self.0 {
                        m.serialize_entry(k, v)?;
                    }
                    m.end()
                }
            }
            same_as_serde_json(&M(v));
        };
        as_map(&float_keys);
        float_keys.push((f64::INFINITY, 2));
        as_map(&float_keys);
    }

    #[test]
    fn every_byte_is_escaped_or_kept_as_serde_json_does() {
        let all: String = (0u8..=0x7f).map(char::from).chain(['é', '€', '😀', '\u{7f}', '\u{2028}']).collect();
        same_as_serde_json(&all);
        // Each special byte at every position of an eight-byte word.
        for special in ['"', '\\', '\u{0}', '\u{1f}', '\n'] {
            for at in 0..17 {
                let mut s: String = "abcdefghijklmnopq".chars().take(17).collect();
                s.replace_range(at..=at, &special.to_string());
                same_as_serde_json(&s);
            }
        }
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\"\\\\\\x00-\\x1f a-z\u{e9}\u{20ac}]{0,24}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_json_is_written_as_serde_json_writes_it(value in arbitrary_json()) {
            prop_assert_eq!(to_string(&value).ok(), serde_json::to_string(&value).ok());
        }

        #[test]
        fn the_word_test_agrees_with_the_byte_test(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            let byte_test = bytes.iter().all(|&b| b >= 0x20 && b != b'"' && b != b'\\');
            prop_assert_eq!(needs_no_escape(&bytes), byte_test);
        }
    }
}
