// Benchmark: the same bulk work natively and through the npm package in Node, and the ratio.
// Plan 10 000 invoices (2 000 debtors), then 100 000 penalty décomptes, best of three runs each.
// Each side decodes its input, computes and encodes its output. Run: node wasm/bench/bulk.mjs (after scripts/build-wasm.sh).
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as relance from '../package/dist/node.mjs';

const dir = mkdtempSync(join(tmpdir(), 'relance-bench-'));
const pad = (n) => String(n).padStart(2, '0');
const day = (i) => `2025-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}`;

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
const requests = Array.from({ length: 100000 }, (_, i) => ({
  invoice: { id: `p${i}`, issueDate: '2024-01-01', dueDate: day(i).replace('2025', '2024'), currency: 'EUR', total: `${100 + (i % 50000)}.00`,
    payments: i % 3 === 0 ? [{ date: '2025-06-30', amount: '50.00' }] : [] },
  regime: { type: ['fr_b2b', 'de_b2b', 'nl', 'es'][i % 4] },
  asOf: '2025-12-31',
}));
writeFileSync(join(dir, 'ledger.json'), JSON.stringify(ledger));
writeFileSync(join(dir, 'penalties.json'), JSON.stringify(requests));

const native = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--release', '--locked', '-p', 'relance-core', '--example', 'bulk', '--',
  join(dir, 'ledger.json'), join(dir, 'penalties.json')], { stdio: ['ignore', 'pipe', 'inherit'] }).toString());

// Best of three runs of each, as on the native side.
let planMs = Infinity;
let decompteMs = Infinity;
let out = '';
let bytes = 0;
for (let run = 0; run < 3; run++) {
  let t = performance.now();
  out = JSON.stringify(relance.plan({ ledger, policy: 'standard', asOf: '2026-06-01' }));
  planMs = Math.min(planMs, performance.now() - t);
  t = performance.now();
  bytes = 0;
  for (const r of requests) bytes += JSON.stringify(relance.decompte(r)).length;
  decompteMs = Math.min(decompteMs, performance.now() - t);
}

if (out.length !== native.planBytes || bytes !== native.decompteBytes) {
  throw new Error(`outputs differ from native: plan ${out.length} vs ${native.planBytes} bytes, décomptes ${bytes} vs ${native.decompteBytes}`);
}
const row = (what, n, w) => console.log(`${what.padEnd(30)} native ${n.toFixed(1).padStart(8)} ms   wasm ${w.toFixed(1).padStart(8)} ms   ratio ${(w / n).toFixed(2)}`);
row(`plan ${invoices.length} invoices`, native.planMs, planMs);
row(`${requests.length} décomptes`, native.decompteMs, decompteMs);
console.log('(target: ratio at most 1.5; outputs identical in size to the native ones)');
