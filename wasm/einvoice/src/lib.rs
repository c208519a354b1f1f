//! `readEInvoice` of the npm package: the bytes of a Factur-X PDF or a UBL / CII document in, the
//! core's reading of it out (`relance_core::einvoice::read`), as JSON text: `{"ok": EInvoice}` or
//! `{"error": {"code", "path", "message"}}`. A module of its own: the PDF and XML readers it carries
//! are downloaded by the pages that read an e-invoice, when they first do.

use wasm_bindgen::prelude::*;

/// Reads an e-invoice from its bytes; never throws (an error is a value of the answer).
#[wasm_bindgen(js_name = readEInvoice)]
pub fn read_einvoice(bytes: &[u8]) -> String {
    let answer = match relance_core::einvoice::read(bytes) {
        Ok(doc) => serde_json::to_value(&doc).map(|v| serde_json::json!({ "ok": v })),
        Err(e) => Ok(serde_json::json!({ "error": { "code": e.code(), "path": e.path(), "message": e.message() } })),
    };
    answer.map_or_else(
        |e| serde_json::json!({ "error": { "code": "internal", "path": "", "message": e.to_string() } }).to_string(),
        |v| v.to_string(),
    )
}
