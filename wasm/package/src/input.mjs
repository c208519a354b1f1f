// What the package's functions share about their input, and the error they all throw; not part of
// the API (api.mjs re-exports RelanceError).

export class RelanceError extends Error {
  constructor(code, path, message) {
    super(message);
    this.name = 'RelanceError';
    this.code = code;
    this.path = path;
  }
}

/** The input as JSON text: what crosses into WebAssembly (one string, decoded by the core). */
export function jsonText(input) {
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
