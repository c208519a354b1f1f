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

let ready = false;

/** Instantiates the module from its bytes or a compiled WebAssembly.Module (synchronous). */
export function initSync(module) {
  glue.initSync({ module });
  ready = true;
}

/** Instantiates the module from a URL, Response or bytes (asynchronous, for browsers). */
export async function init(moduleOrPath) {
  await glue.default({ module_or_path: moduleOrPath });
  ready = true;
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
let scratch = new Uint8Array(4096);

/**
 * The UTF-8 bytes of a string, encoded natively into a reused buffer (up to 64 KB; larger inputs
 * get their own). The glue would copy a string into WebAssembly a character at a time in
 * JavaScript, several times slower.
 */
function utf8(text) {
  const most = text.length * 3;
  if (most > 65536) return encoder.encode(text);
  if (scratch.length < most) scratch = new Uint8Array(65536);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

/** Calls an export with its text argument (if any); returns the core's JSON text. */
function invoke(fn, text) {
  if (!ready) {
    throw new RelanceError('not_initialized', '', 'relance: the WebAssembly module is not initialized yet');
  }
  try {
    return text === undefined ? fn() : fn(utf8(text));
  } catch (e) {
    if (e instanceof Error && e.name === 'RelanceError') {
      throw new RelanceError(e.code, e.path, e.message);
    }
    // Not an input error: a defect (the panic hook has logged it). Never a thrown string.
    throw new RelanceError('internal_error', '', `relance: internal error: ${e && e.message ? e.message : String(e)}`);
  }
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
  rateTables: glue.rateTables,
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
  validatePolicy, plan, dueActions, penaltyRequest, decompte, curve, statement, renderMessage, validateTemplates, analytics,
} = objects;
export const rateTables = (input = {}) => objects.rateTables(input);
export const version = () => invoke(glue.version);
export const presets = () => JSON.parse(invoke(glue.presets));
export const invoicesFromCsv = (text) => JSON.parse(invoke(glue.invoicesFromCsv, typeof text === 'string' ? text : String(text)));
