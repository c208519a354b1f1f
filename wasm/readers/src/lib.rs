//! The npm package's readers of outside documents, a second WebAssembly module loaded on first use:
//! `readEInvoice` (a Factur-X PDF or a UBL / CII document's bytes in, `relance_core::einvoice::read`)
//! and `readRateSource` (an official rate publication's text in, `relance_core::rate_sources::parse`).
//! Their PDF, XML and CSV readers would otherwise be downloaded by every page. Each answers JSON
//! text, `{"ok": ...}` or `{"error": {"code", "path", "message"}}`, and never throws.

use relance_core::rate_sources::{self, SourceResponse};
use relance_core::{json, Error};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Reads an e-invoice from its bytes.
#[wasm_bindgen(js_name = readEInvoice)]
pub fn read_einvoice(bytes: &[u8]) -> String {
    answer(relance_core::einvoice::read(bytes))
}

/// Reads a rate source's response: `{source, text, fetchedOn}` as JSON text.
#[wasm_bindgen(js_name = readRateSource)]
pub fn read_rate_source(input: &str) -> String {
    answer(json::from_json::<SourceResponse>(input).and_then(|r| rate_sources::parse(r.source, &r.text, r.fetched_on)))
}

/// The answer's JSON text.
fn answer<T: Serialize>(result: Result<T, Error>) -> String {
    let text = match result {
        Ok(value) => json::to_json(&value).map(|v| format!("{{\"ok\":{v}}}")),
        Err(e) => json::to_json(&e).map(|e| format!("{{\"error\":{e}}}")),
    };
    text.unwrap_or_else(|e| {
        let message = json::to_json(&e.message()).unwrap_or_else(|_| "\"\"".to_owned());
        format!("{{\"error\":{{\"code\":\"invalid_json\",\"path\":\"\",\"message\":{message}}}}}")
    })
}
