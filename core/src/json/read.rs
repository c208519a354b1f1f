//! serde's structural faults as values. The derived decoders report a missing or unknown field, an
//! unknown variant or a value of the wrong JSON type by calling a method of their deserializer's
//! error type (`de::Error::missing_field`, ...); serde_json's error type keeps only the sentence.
//! [`Reading`] puts an error type of ours, [`Read`], under every decoder, so that the method serde
//! calls records the fault with its code (a [`Fault`], as our own rules do) when it is raised.
//!
//! serde_json also refuses a value itself, with its own error type, when it is not of the JSON
//! type the decoder asked for (a string where a number is read). [`Reading`] counts on every error
//! a decoder raises going through [`Read`]: an error that comes out of the source with none raised
//! is the source's own refusal, recorded there as `invalid_type`.

use super::Fault;
use crate::error::ErrorCode;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess, SeqAccess, Unexpected, VariantAccess, Visitor,
};
use std::fmt;

/// The error the derived decoders see: the message; its code, for a structural fault, is recorded
/// when it is raised.
#[derive(Debug)]
pub(super) struct Read(String);

impl Read {
    /// An error of the source (or of a decoder under it), as a message without the source's
    /// ` at line L column C`: where it is, is the path's business.
    fn from_source<E: fmt::Display>(e: E) -> Read {
        Read(without_position(&e.to_string()).to_owned())
    }

    /// A structural fault: the message serde words for it, recorded with its code.
    fn structural(code: ErrorCode, field: Option<&str>, worded: de::value::Error) -> Read {
        let message = worded.to_string();
        match field {
            Some(field) => Fault::of_field(code, field, message.clone()),
            None => Fault::new(code, message.clone()),
        };
        Read(message)
    }

    pub(super) fn message(&self) -> &str {
        &self.0
    }
}

/// `text` without the ` at line L column C` serde_json appends to a message.
pub(super) fn without_position(text: &str) -> &str {
    let Some((before, position)) = text.rsplit_once(" at line ") else { return text };
    let numbers: Vec<&str> = position.split(" column ").collect();
    let all_digits = |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if numbers.len() == 2 && numbers.iter().all(all_digits) {
        before
    } else {
        text
    }
}

impl fmt::Display for Read {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Read {}

impl de::Error for Read {
    fn custom<T: fmt::Display>(msg: T) -> Read {
        Fault::count_raised();
        Read(msg.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Read {
        let worded = <de::value::Error as de::Error>::invalid_type(unexpected, expected);
        Read::structural(ErrorCode::InvalidType, None, worded)
    }

    fn missing_field(field: &'static str) -> Read {
        let worded = <de::value::Error as de::Error>::missing_field(field);
        Read::structural(ErrorCode::MissingField, Some(field), worded)
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Read {
        let worded = <de::value::Error as de::Error>::unknown_field(field, expected);
        Read::structural(ErrorCode::UnknownField, Some(field), worded)
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Read {
        let worded = <de::value::Error as de::Error>::unknown_variant(variant, expected);
        Read::structural(ErrorCode::UnknownVariant, None, worded)
    }
}

/// A deserializer of the source (serde_json's, or one it hands to a nested value) seen through
/// [`Read`].
pub(super) struct Reading<D> {
    source: D,
}

impl<D> Reading<D> {
    pub(super) fn new(source: D) -> Reading<D> {
        Reading { source }
    }
}

/// Each method is forwarded to the same method of the source. What fails there without any
/// decoder having raised an error (every error a decoder raises goes through [`Read`], which
/// counts it) was refused by the source itself, for a value of a JSON type the method does not
/// read: an `invalid_type`. (A text that is not JSON is told apart above, by `from_slice`.)
macro_rules! forwarded {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Read> {
            let raised = Fault::count();
            self.source.$method($($arg,)* Wrap(visitor)).map_err(|e| refused_by_source(e, raised))
        }
    )*};
}

fn refused_by_source<E: fmt::Display>(e: E, raised_before: u64) -> Read {
    let read = Read::from_source(e);
    if Fault::count() == raised_before {
        Fault::new(ErrorCode::InvalidType, read.0.clone());
    }
    read
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Reading<D> {
    type Error = Read;

    forwarded! {
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(), deserialize_i32(),
        deserialize_i64(), deserialize_i128(), deserialize_u8(), deserialize_u16(), deserialize_u32(),
        deserialize_u64(), deserialize_u128(), deserialize_f32(), deserialize_f64(), deserialize_char(),
        deserialize_str(), deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str), deserialize_seq(), deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]), deserialize_identifier(),
        deserialize_ignored_any(),
    }

    fn is_human_readable(&self) -> bool {
        self.source.is_human_readable()
    }
}

/// A decoder's visitor, handed to the source: what it is given is seen through [`Read`], and its
/// error goes back to the source as the source's.
struct Wrap<V>(V);

macro_rules! visit_values {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.0.$method::<Read>(v).map_err(E::custom)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    visit_values! {
        visit_bool(bool), visit_i8(i8), visit_i16(i16), visit_i32(i32), visit_i64(i64), visit_i128(i128),
        visit_u8(u8), visit_u16(u16), visit_u32(u32), visit_u64(u64), visit_u128(u128), visit_f32(f32),
        visit_f64(f64), visit_char(char), visit_str(&str), visit_borrowed_str(&'de str), visit_string(String),
        visit_bytes(&[u8]), visit_borrowed_bytes(&'de [u8]), visit_byte_buf(Vec<u8>),
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none::<Read>().map_err(E::custom)
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit::<Read>().map_err(E::custom)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Reading::new(d)).map_err(de::Error::custom)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Reading::new(d)).map_err(de::Error::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Wrap(seq)).map_err(de::Error::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Wrap(map)).map_err(de::Error::custom)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Wrap(data)).map_err(de::Error::custom)
    }
}

/// A decoder's seed, handed to the source for one element, key, value or variant.
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Reading::new(d)).map_err(de::Error::custom)
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<A> {
    type Error = Read;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Read> {
        self.0.next_element_seed(Seed(seed)).map_err(Read::from_source)
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<A> {
    type Error = Read;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Read> {
        self.0.next_key_seed(Seed(seed)).map_err(Read::from_source)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Read> {
        self.0.next_value_seed(Seed(seed)).map_err(Read::from_source)
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<A> {
    type Error = Read;
    type Variant = Wrap<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self::Variant), Read> {
        self.0.variant_seed(Seed(seed)).map(|(v, variant)| (v, Wrap(variant))).map_err(Read::from_source)
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Wrap<A> {
    type Error = Read;

    fn unit_variant(self) -> Result<(), Read> {
        self.0.unit_variant().map_err(Read::from_source)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Read> {
        self.0.newtype_variant_seed(Seed(seed)).map_err(Read::from_source)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Read> {
        self.0.tuple_variant(len, Wrap(visitor)).map_err(Read::from_source)
    }

    fn struct_variant<V: Visitor<'de>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value, Read> {
        self.0.struct_variant(fields, Wrap(visitor)).map_err(Read::from_source)
    }
}
