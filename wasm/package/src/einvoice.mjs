// readEInvoice: the e-invoice reader is a WebAssembly module of its own (relance_einvoice_wasm),
// instantiated on the first call, so that what never reads an e-invoice never downloads it. Each
// entry point (node, browser, workerd) says where the module is.
import initReader, { readEInvoice as readText } from './relance_einvoice_wasm.js';
import { RelanceError } from './api.mjs';

let locate = null;
let ready = null;

/** Set once by the entry point: gives the module as a URL, bytes or a compiled module. */
export function locateEInvoiceModule(where) {
  locate = where;
}

/**
 * Reads a Factur-X / ZUGFeRD PDF, or a UBL 2.1 or UN/CEFACT CII document, from its bytes: what a
 * reminder needs (number, dates, parties, amounts, IBAN, penalty clauses). Nothing leaves the
 * machine. Rejects with a RelanceError (`invalid_einvoice`, `too_large`, `missing_field`...).
 */
export async function readEInvoice(bytes) {
  const data = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : null;
  if (data === null) {
    throw new RelanceError('invalid_type', '', "readEInvoice takes the file's bytes (a Uint8Array or an ArrayBuffer)");
  }
  ready ??= Promise.resolve(locate()).then((module_or_path) => initReader({ module_or_path }));
  await ready;
  const answer = JSON.parse(readText(data));
  if (answer.error) {
    throw new RelanceError(answer.error.code, answer.error.path, answer.error.message);
  }
  return answer.ok;
}
