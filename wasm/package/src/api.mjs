// The package's JavaScript API over the wasm-bindgen glue: every function takes one plain object
// (dates as "YYYY-MM-DD" strings, amounts as decimal strings) and returns one, and every failure is
// a RelanceError carrying the stable `code` and the JSON `path` of the bad field.
import * as glue from './relance_wasm.js';
import { RelanceError, jsonText } from './input.mjs';

export { RelanceError };

let initialized = false;

/** Instantiates the module from its bytes or a compiled WebAssembly.Module (synchronous). */
export function initSync(module) {
  glue.initSync({ module });
  initialized = true;
}

/** Instantiates the module from a URL, Response or bytes (asynchronous, for browsers). */
export async function init(moduleOrPath) {
  await glue.default({ module_or_path: moduleOrPath });
  initialized = true;
}

/** JSON text handed to the `json` functions, checked to be a string before it crosses. */
function textArg(text) {
  if (typeof text !== 'string') {
    throw new RelanceError('invalid_json', '', `expected the input as JSON text (a string), not ${text === null ? 'null' : typeof text}`);
  }
  return text;
}

/**
 * Calls an export; returns its result (a value, or the core's JSON text when `asText`), or throws
 * the core's error as a RelanceError.
 */
function invoke(fn, input, asText) {
  if (!initialized) {
    throw new RelanceError('not_initialized', '', 'relance: the WebAssembly module is not initialized yet');
  }
  try {
    return input === undefined ? fn(asText) : fn(input, asText);
  } catch (e) {
    // The core's errors are thrown as plain {code, path, message} objects. Anything else is a
    // defect (a trap; the panic hook has logged it), never a thrown string.
    if (e !== null && typeof e === 'object' && !(e instanceof Error) && typeof e.code === 'string') {
      throw new RelanceError(e.code, e.path, e.message);
    }
    throw new RelanceError('internal_error', '', `relance: internal error: ${e && e.message ? e.message : String(e)}`);
  }
}

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

// The object functions whose results cross as JSON text, parsed here: for these, JSON.parse
// builds the objects faster than serde-wasm-bindgen does (measured by wasm/bench/bulk.mjs and
// wasm/bench/peer/bench.mjs; the figures are in DESIGN.md). Their exports give JSON text only
// (they take no `asText`). Every other result is built by serde-wasm-bindgen.
const PARSED = new Set(['decompte', 'plan', 'statement', 'renderMessage']);

/**
 * The same functions on JSON text: the input as JSON text, the result as the core's JSON text,
 * byte for byte what the native core writes. For code that receives and sends JSON (an HTTP
 * handler, a queue consumer): no parse and stringify on either side.
 */
export const json = Object.freeze(Object.fromEntries(entries.map(([name, fn]) => [name, (text) => invoke(fn, textArg(text), true)])));

const objects = Object.fromEntries(entries.map(([name, fn]) => [name, PARSED.has(name)
  ? (input) => JSON.parse(invoke(fn, jsonText(input), true))
  : (input) => invoke(fn, jsonText(input), false)]));
export const {
  evaluateTerms, isBusinessDay, nextBusinessDay, previousBusinessDay, addBusinessDays, adjustDate, holidays, calendarFor,
  validatePolicy, plan, dueActions, penaltyRequest, decompte, curve, statement, allocatePayment, stepRequest, renderMessage,
  validateTemplates, analytics, withRates,
} = objects;
export const rateTables = (input = {}) => objects.rateTables(input);
export const version = () => invoke(glue.version, undefined, false);
export const presets = () => invoke(glue.presets, undefined, false);
export const invoicesFromCsv = (text) => invoke(glue.invoicesFromCsv, typeof text === 'string' ? text : String(text), false);
export const readAmount = (text) => invoke(glue.readAmount, typeof text === 'string' ? text : String(text), false);
