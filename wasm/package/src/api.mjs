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

function call(fn, input) {
  return callRaw(fn, jsonText(input));
}

function callRaw(fn, arg) {
  if (!ready) {
    throw new RelanceError('not_initialized', '', 'relance: the WebAssembly module is not initialized yet');
  }
  let text;
  try {
    text = fn(arg);
  } catch (e) {
    if (e instanceof Error && e.name === 'RelanceError') {
      throw new RelanceError(e.code, e.path, e.message);
    }
    // Not an input error: a defect (the panic hook has logged it). Never a thrown string.
    throw new RelanceError('internal_error', '', `relance: internal error: ${e && e.message ? e.message : String(e)}`);
  }
  // Results come as the core's JSON text (identical to the native core's output).
  return JSON.parse(text);
}

export const version = () => callRaw(() => JSON.stringify(glue.version()));
export const evaluateTerms = (input) => call(glue.evaluateTerms, input);
export const isBusinessDay = (input) => call(glue.isBusinessDay, input);
export const nextBusinessDay = (input) => call(glue.nextBusinessDay, input);
export const previousBusinessDay = (input) => call(glue.previousBusinessDay, input);
export const addBusinessDays = (input) => call(glue.addBusinessDays, input);
export const adjustDate = (input) => call(glue.adjustDate, input);
export const holidays = (input) => call(glue.holidays, input);
export const calendarFor = (input) => call(glue.calendarFor, input);
export const presets = () => callRaw(() => glue.presets());
export const validatePolicy = (input) => call(glue.validatePolicy, input);
export const plan = (input) => call(glue.plan, input);
export const dueActions = (input) => call(glue.dueActions, input);
export const penaltyRequest = (input) => call(glue.penaltyRequest, input);
export const decompte = (input) => call(glue.decompte, input);
export const curve = (input) => call(glue.curve, input);
export const statement = (input) => call(glue.statement, input);
export const rateTables = (input = {}) => call(glue.rateTables, input);
export const renderMessage = (input) => call(glue.renderMessage, input);
export const validateTemplates = (input) => call(glue.validateTemplates, input);
export const analytics = (input) => call(glue.analytics, input);
export const invoicesFromCsv = (text) => callRaw(glue.invoicesFromCsv, typeof text === 'string' ? text : String(text));
