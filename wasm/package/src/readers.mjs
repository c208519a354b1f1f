// readEInvoice and readRateSource: the readers of outside documents are a WebAssembly module of
// their own (relance_readers_wasm), instantiated on the first call, so that what never reads an
// e-invoice or a rate publication never downloads their PDF, XML and CSV readers. Each entry point
// (node, browser, workerd) says where the module is.
import initReaders, { readEInvoice as einvoiceAnswer, readRateSource as rateSourceAnswer } from './relance_readers_wasm.js';
import { RelanceError, jsonText } from './input.mjs';

let locate = null;
let ready = null;

/** Set once by the entry point: gives the module as a URL, bytes or a compiled module. */
export function locateReadersModule(where) {
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
  await loaded();
  return result(einvoiceAnswer(data));
}

/**
 * The rows of an official publication of reference rates, read from the response as received:
 * the ECB's main refinancing rate and the Bundesbank's Basiszinssatz (SDMX-CSV), the Bank of
 * England's Bank Rate (CSV), the French legal rates (service-public.fr's XML fiche F783). A
 * response that is a page, cut short, out of order, implausible or with a gap is refused whole
 * (`invalid_rate_source`).
 */
export async function readRateSource(input) {
  const text = jsonText(input);
  await loaded();
  return result(rateSourceAnswer(text));
}

/** The module, instantiated once. */
function loaded() {
  ready ??= Promise.resolve(locate()).then((module_or_path) => initReaders({ module_or_path }));
  return ready;
}

/** A reader's answer, `{ok}` or `{error}`, as its value or a thrown RelanceError. */
function result(text) {
  const answer = JSON.parse(text);
  if (answer.error) {
    throw new RelanceError(answer.error.code, answer.error.path, answer.error.message);
  }
  return answer.ok;
}
