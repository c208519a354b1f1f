//! Decoding of every public input from JSON text or any serde deserializer, with the path of the bad
//! field in the error. One entry point so that native callers, the wasm bindings and the worker report
//! bad input identically.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Deserializer;

/// Decodes `T` from JSON text.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = decode(&mut de)?;
    de.end().map_err(|e| Error::from_serde("", &e.to_string()))?;
    Ok(value)
}

/// Decodes `T` from any deserializer (serde_json, serde-wasm-bindgen), tracking the field path.
pub fn decode<'de, T: DeserializeOwned, D: Deserializer<'de>>(de: D) -> Result<T>
where
    D::Error: std::fmt::Display,
{
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::from_serde(&path, &e.inner().to_string())
    })
}

/// Encodes an output value as JSON text. Our output types contain only strings, numbers, lists and
/// string-keyed maps, so encoding cannot fail; an error is still reported, never a panic.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::new(crate::error::ErrorCode::InvalidJson, "", e.to_string()))
}
