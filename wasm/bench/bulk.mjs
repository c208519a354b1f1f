// Benchmark: the same bulk work natively and through the npm package in Node, and the ratio.
// Plan 10 000 invoices (2 000 debtors), in the full and the compact form, then 100 000 penalty
// décomptes, then 1 000 rendered messages (each with its debtor's slice of the ledger, as the
// worker renders them), best of five runs each
// (timings on shared machines vary by 5 to 10 % from run to run).
// Natively, each item is decoded from its JSON text, computed and encoded as JSON text. Through
// the package it is timed two ways:
// - `json` functions: JSON text in, JSON text out, the very same work as the native side;
// - object functions: a plain object in, a plain object out, which adds V8's JSON.stringify of the
//   input and JSON.parse of the result (work the native side has no counterpart for).
// Run: node wasm/bench/bulk.mjs (after scripts/build-wasm.sh).
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as relance from '../package/dist/node.mjs';

const dir = mkdtempSync(join(tmpdir(), 'relance-bench-'));
const pad = (n) => String(n).padStart(2, '0');
const day = (i) => `2025-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}`;

// The inputs, kept as JSON texts only: the object rows parse their own copies just before they
// run. Holding half a million input objects through every row made V8's full collections (which
// visit every live object) part of the timings of the json rows, a cost of the harness that the
// native side, without a collector, never pays.
const { planText, requestTexts, messageTexts, counts } = (() => {
  const debtors = Array.from({ length: 2000 }, (_, i) => ({
    id: `d${i}`, name: `Debtor ${i}`, kind: i % 10 === 0 ? 'consumer' : 'business', country: ['FR', 'DE', 'GB', 'BE'][i % 4],
    locale: 'fr', timeZone: 'Europe/Paris',
  }));
  const invoices = Array.from({ length: 10000 }, (_, i) => ({
    id: `i${i}`, number: `F-${i}`, debtorId: `d${i % 2000}`, issueDate: day(i), currency: 'EUR', total: `${1000 + (i % 9000)}.50`,
    terms: { type: 'net', days: [30, 45, 60][i % 3] },
    payments: i % 4 === 0 ? [{ date: '2026-01-15', amount: '500.00' }] : [],
  }));
  const ledger = { creditor: { name: 'Bench SARL', address: { country: 'FR', city: 'Lyon' } }, debtors, invoices };
  const planInput = { ledger, policy: 'standard', asOf: '2026-06-01' };
  const requests = Array.from({ length: 100000 }, (_, i) => ({
    invoice: { id: `p${i}`, issueDate: '2024-01-01', dueDate: day(i).replace('2025', '2024'), currency: 'EUR', total: `${100 + (i % 50000)}.00`,
      payments: i % 3 === 0 ? [{ date: '2025-06-30', amount: '50.00' }] : [] },
    regime: { type: ['fr_b2b', 'de_b2b', 'nl', 'es'][i % 4] },
    asOf: '2025-12-31',
  }));
  const steps = [['first_reminder', 'email', 1], ['second_reminder', 'email', 2], ['formal_notice', 'registered_letter', 4]];
  const messages = Array.from({ length: 1000 }, (_, i) => {
    const [template, channel, level] = steps[i % steps.length];
    return {
      ledger: { creditor: ledger.creditor, debtors: [debtors[i]], invoices: [invoices[i]] },
      request: { template, stepId: `s${level}`, channel, level, debtorId: `d${i}`, invoiceIds: [`i${i}`], messageDate: '2026-06-01' },
    };
  });
  writeFileSync(join(dir, 'ledger.json'), JSON.stringify(ledger));
  writeFileSync(join(dir, 'penalties.json'), JSON.stringify(requests));
  writeFileSync(join(dir, 'messages.json'), JSON.stringify(messages));
  return {
    planText: JSON.stringify(planInput),
    requestTexts: requests.map((r) => JSON.stringify(r)),
    messageTexts: messages.map((m) => JSON.stringify(m)),
    counts: { invoices: invoices.length, requests: requests.length, messages: messages.length },
  };
})();

let native;
try {
  native = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--release', '--locked', '-p', 'relance-core', '--example', 'bulk', '--',
    join(dir, 'ledger.json'), join(dir, 'penalties.json'), join(dir, 'messages.json')], { stdio: ['ignore', 'pipe', 'inherit'] }).toString());
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Best of five runs of `work` (as on the native side); returns [ms, result of the last run]. */
function best(work) {
  let ms = Infinity;
  let result;
  for (let run = 0; run < 5; run++) {
    const t = performance.now();
    result = work();
    ms = Math.min(ms, performance.now() - t);
  }
  return [ms, result];
}

// As natively, each result is used (its size counted) and let go.
const [planTextMs, planBytes] = best(() => relance.json.plan(planText).length);
const compactText = JSON.stringify({ ...JSON.parse(planText), compact: true });
const [compactTextMs, compactBytes] = best(() => relance.json.plan(compactText).length);
const [decompteTextMs, decompteBytes] = best(() => requestTexts.reduce((n, r) => n + relance.json.decompte(r).length, 0));
const [messageTextMs, rendered] = best(() => messageTexts.map((m) => relance.json.renderMessage(m)));
const planInput = JSON.parse(planText);
const requests = requestTexts.map((t) => JSON.parse(t));
const [planObjectMs] = best(() => relance.plan(planInput).invoices.length);
const [decompteObjectMs] = best(() => requests.reduce((n, r) => n + relance.decompte(r).lines.length, 0));

// Untimed: the outputs are the native ones (same size; messages counted in UTF-8 bytes, as natively),
// and the objects are the same JSON.
const messageBytes = rendered.reduce((n, text) => n + Buffer.byteLength(text), 0);
const sameObjects = JSON.stringify(relance.plan(planInput)) === relance.json.plan(planText)
  && requests.every((r, i) => JSON.stringify(relance.decompte(r)) === relance.json.decompte(requestTexts[i]));
if (planBytes !== native.planBytes || compactBytes !== native.compactBytes || decompteBytes !== native.decompteBytes || messageBytes !== native.messageBytes || !sameObjects) {
  throw new Error('the outputs differ from the native ones');
}
const row = (what, n, w) => console.log(`${what.padEnd(44)} native ${n.toFixed(1).padStart(8)} ms   wasm ${w.toFixed(1).padStart(8)} ms   ratio ${(w / n).toFixed(2)}`);
row(`plan ${counts.invoices} invoices, json functions`, native.planMs, planTextMs);
row(`plan ${counts.invoices} invoices, compact, json functions`, native.compactMs, compactTextMs);
row(`${counts.requests} décomptes, json functions`, native.decompteMs, decompteTextMs);
row(`${counts.messages} messages, json functions`, native.messageMs, messageTextMs);
row(`plan ${counts.invoices} invoices, object functions`, native.planMs, planObjectMs);
row(`${counts.requests} décomptes, object functions`, native.decompteMs, decompteObjectMs);
console.log(`(target: ratio at most 1.5; plan output ${(native.planBytes / 1e6).toFixed(1)} MB of JSON, ${(native.compactBytes / 1e6).toFixed(1)} MB compact, identical to the native ones)`);
