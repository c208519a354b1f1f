// Fuzzing through the package: mangled JSON text into every `json` function, across the boundary
// (wasm-bindgen's string passing in, the core's JSON text or a thrown error out). Each call must give
// JSON text or a RelanceError naming an input problem (never an internal error, which would mean
// a trap in the module), and afterwards the valid inputs must still give their first answers: no
// call leaves the instance broken. Seeded, so a failure replays; the test's name says how many
// inputs were tried. (core/tests/json_fuzz.rs fuzzes the same entry points natively.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as relance from '../package/dist/node.mjs';

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const ledger = read('../../samples/ledger.json');
const request = read('../../tests/golden/penalties.json').cases[0].request;
const day = { calendar: 'fr', date: '2026-07-10', days: 2, adjustment: 'backward' };

/** One valid input per function: the fuzzer mangles these. */
const valid = {
  evaluateTerms: { issueDate: '2025-01-15', terms: { type: 'endOfMonth', days: 45 }, debtorKind: 'business', creditorCountry: 'FR' },
  isBusinessDay: day,
  nextBusinessDay: day,
  previousBusinessDay: day,
  addBusinessDays: day,
  adjustDate: day,
  holidays: { calendar: 'de', year: 2026 },
  calendarFor: { country: 'BE' },
  validatePolicy: relance.validatePolicy('firm'),
  plan: { ledger, policy: 'standard', asOf: '2026-11-23' },
  dueActions: { ledger, policy: 'gentle', sentLog: [], now: '2026-11-23T09:00:00Z' },
  penaltyRequest: { ledger, invoiceId: ledger.invoices[0].id, asOf: '2026-11-23' },
  decompte: request,
  curve: { request, from: request.asOf, to: request.asOf },
  statement: [request, request],
  allocatePayment: { ledger, debtorId: ledger.invoices[0].debtorId, payment: { date: '2026-11-23', amount: '100.00' } },
  rateTables: { extraRates: { ecb_mro: [{ from: '2026-07-01', rate: '2.00' }] } },
  withRates: {
    fetched: [{ table: 'ecb_mro', source: 'ECB Data Portal', series: 'FM.D.U2.EUR.4F.KR.MRR_FR.LEV', observedUntil: '2026-06-10',
      knownUntil: '2026-12-01', rows: [{ from: '2025-06-11', rate: '2.15' }, { from: '2026-06-10', rate: '2.40' }] }],
  },
  stepRequest: { plan: { ledger, policy: 'standard', asOf: '2026-11-23' }, invoiceId: ledger.invoices[0].id, stepId: 'reminder-1' },
  renderMessage: {
    ledger,
    request: { template: 'first_reminder', stepId: 's1', channel: 'email', level: 1, debtorId: ledger.invoices[0].debtorId,
      invoiceIds: [ledger.invoices[0].id], messageDate: '2026-11-23' },
  },
  validateTemplates: [{ key: 'mine', lang: 'fr', source: 'subject: {{invoiceNumbers}}\n\nBonjour {{debtor.name}}' }],
  analytics: read('../../tests/golden/analytics/01-small-book.json').input,
};

/** xorshift32: the same inputs on every run. */
function prng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

const oddTexts = ['', '\u0000', '\ud800', '🍷', 'é'.repeat(300), '2026-02-29', '2026-13-01', '-0.01', '1e400',
  '79228162514264337593543950336', 'fr_b2b', 'Europe/Paris', 'Mars/Olympus', '"', '\\', '{{#each}}', '{{{raw}}}'];

/** A random JSON value, a few levels deep. */
function randomValue(rand, depth = 0) {
  switch (rand(depth > 2 ? 6 : 8)) {
    case 0: return null;
    case 1: return rand(2) === 0;
    case 2: return [0, -1, 2 ** 53, -(2 ** 63), 1.5, 1e308, 3][rand(7)];
    case 3: return oddTexts[rand(oddTexts.length)];
    case 4: return String(rand(100000));
    case 5: return 'x'.repeat(rand(5000));
    case 6: return Array.from({ length: rand(4) }, () => randomValue(rand, depth + 1));
    default: return Object.fromEntries(Array.from({ length: rand(4) }, (_, i) => [oddTexts[rand(oddTexts.length)] || `k${i}`, randomValue(rand, depth + 1)]));
  }
}

/** Every place in a JSON value, as [parent, key]. */
function places(value, out = []) {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([value, key]);
      places(value[key], out);
    }
  }
  return out;
}

/** One mangled JSON text made from a valid input. */
function mangle(rand, input) {
  const text = JSON.stringify(input);
  switch (rand(6)) {
    case 0: // cut short
      return text.slice(0, rand(text.length));
    case 1: { // one character replaced
      const at = rand(text.length);
      const chars = ['"', '{', '}', '[', ']', ',', ':', '\\', '0', 'é', '\ud800', '\u0000', ' '];
      return text.slice(0, at) + chars[rand(chars.length)] + text.slice(at + 1);
    }
    case 2: { // one value anywhere replaced
      const copy = structuredClone(input);
      const all = places(copy);
      if (all.length === 0) return JSON.stringify(randomValue(rand));
      const [parent, key] = all[rand(all.length)];
      parent[key] = randomValue(rand);
      return JSON.stringify(copy);
    }
    case 3: { // one key removed, or an unknown one added
      const copy = structuredClone(input);
      const objects = places(copy).map(([p, k]) => p[k]).filter((v) => v && typeof v === 'object' && !Array.isArray(v));
      const target = objects.length > 0 ? objects[rand(objects.length)] : copy;
      if (target && typeof target === 'object') {
        const keys = Object.keys(target);
        if (keys.length > 0 && rand(2) === 0) delete target[keys[rand(keys.length)]];
        else target[oddTexts[rand(oddTexts.length)] || 'extra'] = randomValue(rand);
      }
      return JSON.stringify(copy);
    }
    case 4: // deeply nested
      return '['.repeat(200 + rand(5000)) + text + ']'.repeat(rand(2) === 0 ? 0 : 200);
    default: // a duplicate key
      return text.replace('{', `{"${Object.keys(input)[0] ?? 'k'}":${JSON.stringify(randomValue(rand))},`);
  }
}

const PER_FUNCTION = 150;

test(`${PER_FUNCTION * Object.keys(valid).length} mangled inputs through every json function: an answer or an input error, never a broken instance`, () => {
  assert.deepEqual(Object.keys(valid).sort(), Object.keys(relance.json).sort(), 'one valid input per json function');
  const first = Object.fromEntries(Object.entries(valid).map(([name, input]) => [name, relance.json[name](JSON.stringify(input))]));
  const rand = prng(20261124);
  const codes = new Map();
  for (const [name, input] of Object.entries(valid)) {
    for (let i = 0; i < PER_FUNCTION; i++) {
      const text = mangle(rand, input);
      try {
        JSON.parse(relance.json[name](text));
        codes.set('answer', (codes.get('answer') ?? 0) + 1);
      } catch (e) {
        assert.ok(e instanceof relance.RelanceError, `${name}: not a RelanceError: ${e}\ninput: ${text.slice(0, 300)}`);
        assert.notEqual(e.code, 'internal_error', `${name}: ${e.message}\ninput: ${text.slice(0, 300)}`);
        assert.equal(typeof e.path, 'string');
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
    }
  }
  // Both outcomes were exercised, and many kinds of error.
  assert.ok(codes.get('answer') > 0 && codes.size > 8, JSON.stringify([...codes]));
  for (const [name, input] of Object.entries(valid)) {
    assert.equal(relance.json[name](JSON.stringify(input)), first[name], `${name} answers differently after the fuzzing`);
  }
});
