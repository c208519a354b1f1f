//! Decoding of every public input from JSON text or a JSON value, with the path of the bad field
//! in the error. One entry point so that native callers, the wasm bindings and the worker report
//! bad input identically.
//!
//! Everything is decoded from a `serde_json::Value`: JSON text is parsed into one first, and the
//! wasm bindings convert JS values into one. Path tracking is then compiled once per input type
//! rather than once per deserializer, which keeps the WebAssembly module small.

use crate::error::{Error, ErrorCode, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes `T` from JSON text.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::from_serde("", &e.to_string()))?;
    from_value(value)
}

/// Decodes `T` from a JSON value, tracking the field path.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        // serde_path_to_error writes the root as ".": our root path is empty.
        let path = e.path().to_string();
        let path = if path == "." { "" } else { path.as_str() };
        Error::from_serde(path, &e.inner().to_string())
    })
}

/// Encodes an output value as JSON text. Our output types contain only strings, numbers, lists and
/// string-keyed maps, so encoding cannot fail; an error is still reported, never a panic.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::new(ErrorCode::InvalidJson, "", e.to_string()))
}
