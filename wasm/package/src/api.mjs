// The package's JavaScript API over the wasm-bindgen glue: every function takes one plain object
// (dates as "YYYY-MM-DD" strings, amounts as decimal strings) and returns one, and every failure is
// a RelanceError carrying the stable `code` and the JSON `path` of the bad field.
import * as glue from './relance_wasm.js';

export class RelanceError extends Error {
  constructor(code, path, message) {
    super(message);
    this.name = 'RelanceError';
    this.code = code;
    this.path = path;
  }
}

// The module's exports once it is instantiated (its memory is where inputs and outputs cross).
let wasm = null;

// The module's memory as bytes, and the part of it that receives inputs: views of one
// ArrayBuffer, which is replaced (the views emptied) whenever the memory grows. `inputAt` and
// `inputLength` say where the input buffer is, to make its view again.
let memory = new Uint8Array(0);
let inputView = new Uint8Array(0);
let inputAt = 0;
let inputLength = 0;

/** Instantiates the module from its bytes or a compiled WebAssembly.Module (synchronous). */
export function initSync(module) {
  attach(glue.initSync({ module }));
}

/** Instantiates the module from a URL, Response or bytes (asynchronous, for browsers). */
export async function init(moduleOrPath) {
  attach(await glue.default({ module_or_path: moduleOrPath }));
}

/** The input as JSON text: what crosses into WebAssembly (one string, decoded by the core). */
function jsonText(input) {
  let text;
  try {
    text = JSON.stringify(input);
  } catch (e) {
    // A BigInt, a cycle: not JSON.
    throw new RelanceError('invalid_json', '', `the input is not JSON data: ${e && e.message ? e.message : String(e)}`);
  }
  // `undefined` (or a function) has no JSON form: decoded as null, it is then named as missing.
  return text === undefined ? 'null' : text;
}

/** JSON text handed to the `json` functions, checked to be a string before it crosses. */
function textArg(text) {
  if (typeof text !== 'string') {
    throw new RelanceError('invalid_json', '', `expected the input as JSON text (a string), not ${text === null ? 'null' : typeof text}`);
  }
  return text;
}

const encoder = new TextEncoder();

// Safari's TextDecoder starts failing after decoding 2 GiB in all (WebKit bug 280593): a decoder
// is replaced well before. A first empty decode clears an old Safari's BOM state.
const DECODER_LIMIT = 2 ** 31 - 2 ** 20;
let decoder;
let decoded = DECODER_LIMIT;
function decode(bytes) {
  decoded += bytes.length;
  if (decoded >= DECODER_LIMIT) {
    decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    decoder.decode();
    decoded = bytes.length;
  }
  return decoder.decode(bytes);
}

/** Uses an instance's exports; views of another instance's memory must never be written to. */
function attach(exports) {
  wasm = exports;
  memory = new Uint8Array(0);
  forgetInputBuffer();
}

/** Makes the input buffer be asked for afresh at the next call. */
function forgetInputBuffer() {
  inputView = new Uint8Array(0);
  inputLength = 0;
}

function memoryBytes() {
  if (memory.byteLength === 0) {
    memory = new Uint8Array(wasm.memory.buffer);
    inputView = memory.subarray(inputAt, inputAt + inputLength);
  }
  return memory;
}

/** The size of the module's input buffer between calls. */
const INPUT_CAPACITY = 65536;

/** Makes the module's input buffer `capacity` bytes long. */
function reserve(capacity) {
  inputAt = glue.inputBuffer(capacity);
  inputLength = capacity;
  memory = new Uint8Array(wasm.memory.buffer);
  inputView = memory.subarray(inputAt, inputAt + capacity);
}

/** Writes `text` as UTF-8 straight into the module's input buffer; returns its length in bytes. */
function write(text) {
  memoryBytes();
  // UTF-8 takes at most three bytes per UTF-16 unit.
  if (text.length * 3 <= INPUT_CAPACITY) {
    if (inputLength !== INPUT_CAPACITY) reserve(INPUT_CAPACITY);
    return encoder.encodeInto(text, inputView).written;
  }
  // A longer text is encoded first to get a buffer of its very size, which the next short text
  // gives back: a one-off large input leaves nothing large reserved.
  const bytes = encoder.encode(text);
  reserve(bytes.length);
  inputView.set(bytes);
  return bytes.length;
}

/** The output of the last call: the result's JSON text, or the error's. */
function read() {
  const at = glue.outputAt();
  return decode(memoryBytes().subarray(at, at + glue.outputLength()));
}

/**
 * Calls an export with its text argument (if any); returns the core's JSON text, or throws the
 * core's error as a RelanceError.
 */
function invoke(fn, text) {
  if (wasm === null) {
    throw new RelanceError('not_initialized', '', 'relance: the WebAssembly module is not initialized yet');
  }
  let ok;
  try {
    ok = text === undefined ? fn() : fn(write(text));
  } catch (e) {
    // Not an input error: a defect (the panic hook has logged it), and the instance may not
    // recover; its input buffer is asked for afresh next time. Never a thrown string.
    forgetInputBuffer();
    throw new RelanceError('internal_error', '', `relance: internal error: ${e && e.message ? e.message : String(e)}`);
  }
  const answer = read();
  if (ok) return answer;
  let error;
  try {
    error = JSON.parse(answer);
  } catch {
    throw new RelanceError('internal_error', '', 'relance: internal error: an error could not be encoded');
  }
  throw new RelanceError(error.code, error.path, error.message);
}

// Results come as the core's JSON text (identical to the native core's output).
const call = (fn, input) => JSON.parse(invoke(fn, jsonText(input)));

// Every function that takes one JSON input, by its exported name.
const withInput = {
  evaluateTerms: glue.evaluateTerms,
  isBusinessDay: glue.isBusinessDay,
  nextBusinessDay: glue.nextBusinessDay,
  previousBusinessDay: glue.previousBusinessDay,
  addBusinessDays: glue.addBusinessDays,
  adjustDate: glue.adjustDate,
  holidays: glue.holidays,
  calendarFor: glue.calendarFor,
  validatePolicy: glue.validatePolicy,
  plan: glue.plan,
  dueActions: glue.dueActions,
  penaltyRequest: glue.penaltyRequest,
  decompte: glue.decompte,
  curve: glue.curve,
  statement: glue.statement,
  allocatePayment: glue.allocatePayment,
  rateTables: glue.rateTables,
  withRates: glue.withRates,
  stepRequest: glue.stepRequest,
  renderMessage: glue.renderMessage,
  validateTemplates: glue.validateTemplates,
  analytics: glue.analytics,
};
const entries = Object.entries(withInput);

/**
 * The same functions on JSON text: the input as JSON text, the result as the core's JSON text,
 * byte for byte what the native core writes. For code that receives and sends JSON (an HTTP
 * handler, a queue consumer): no parse and stringify on either side.
 */
export const json = Object.freeze(Object.fromEntries(entries.map(([name, fn]) => [name, (text) => invoke(fn, textArg(text))])));

const objects = Object.fromEntries(entries.map(([name, fn]) => [name, (input) => call(fn, input)]));
export const {
  evaluateTerms, isBusinessDay, nextBusinessDay, previousBusinessDay, addBusinessDays, adjustDate, holidays, calendarFor,
  validatePolicy, plan, dueActions, penaltyRequest, decompte, curve, statement, allocatePayment, stepRequest, renderMessage,
  validateTemplates, analytics, withRates,
} = objects;
export const rateTables = (input = {}) => objects.rateTables(input);
export const version = () => JSON.parse(invoke(glue.version));
export const presets = () => JSON.parse(invoke(glue.presets));
export const invoicesFromCsv = (text) => JSON.parse(invoke(glue.invoicesFromCsv, typeof text === 'string' ? text : String(text)));
