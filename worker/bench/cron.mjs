// Benchmark: one scheduled run over 10 000 open invoices in a local D1 (Miniflare, the built
// worker). Prints the seeding time, the wall time of each run until everything due is handled, and
// the number of runs that took. `node worker/bench/cron.mjs [INVOICES] [BATCH_SIZE]`.
// Then the core's CPU time per invoice: the same due-actions computation over the same ledger,
// timed through the npm package (the core in WebAssembly, as in the worker), since workerd does not
// advance its clock during CPU work. Needs worker/build and wasm/package/dist (scripts/test.sh).
import { startWorker } from '../../tests/worker/support.mjs';
import * as relance from '../../wasm/package/dist/node.mjs';

const N = Number(process.argv[2] ?? 10_000);
const BATCH = process.argv[3] ?? '100'; // the default of wrangler.toml
const RUN_AT = '2026-11-23T09:30:00Z';

/// 10 000 invoices over 2 000 French business debtors, issued across the 120 days before the run,
/// 30 days net: on the run's morning some are at each step of the standard policy.
function ledger() {
  const creditor = {
    name: 'Bench SARL', identifiers: {}, address: { lines: ['1 rue A'], postalCode: '75001', city: 'Paris', country: 'FR' },
    contact: { email: 'billing@bench.example' }, payment: { iban: 'FR7630006000011234567890189' },
  };
  const debtors = Array.from({ length: Math.max(1, Math.round(N / 5)) }, (_, i) => ({
    id: `d${i}`, name: `Client ${i}`, kind: 'business', country: 'FR', locale: 'fr', timeZone: 'Europe/Paris',
    contacts: { emails: [`client${i}@bench.example`] },
  }));
  const start = Date.parse('2026-07-26T00:00:00Z');
  const invoices = Array.from({ length: N }, (_, i) => ({
    id: `i${i}`, number: `F-${100000 + i}`, debtorId: `d${i % debtors.length}`,
    issueDate: new Date(start + (i % 120) * 86_400_000).toISOString().slice(0, 10),
    currency: 'EUR', total: `${100 + (i % 900)}.${String(i % 100).padStart(2, '0')}`, terms: { type: 'net', days: 30 },
  }));
  return { creditor, debtors, invoices };
}

const w = await startWorker({ vars: { BATCH_SIZE: BATCH } });
try {
  const all = ledger();
  let t = performance.now();
  // The API takes the ledger in slices of 1 000 invoices (with their debtors) to stay under the body limit.
  for (let i = 0; i < all.invoices.length; i += 1000) {
    const invoices = all.invoices.slice(i, i + 1000);
    const ids = new Set(invoices.map((x) => x.debtorId));
    const r = await w.api('POST', '/v1/import/ledger', { creditor: all.creditor, debtors: all.debtors.filter((d) => ids.has(d.id)), invoices });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  }
  // The shipped rate tables end before 2026-H2 (see late-payment-law.md), and formal notices refuse
  // to render without penalties. A benchmark-only ECB row, not a published figure, lets them render.
  await w.api('PUT', '/v1/settings', { extraRates: { ecb_mro: [{ from: '2026-07-01', rate: '2.15' }] } });
  console.log(`seeded ${N} invoices, ${all.debtors.length} debtors in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const dry = (await w.api('GET', `/v1/dry-run?at=${RUN_AT}`)).body;
  const due = dry.actions.length + dry.deferred;
  console.log(`due at ${RUN_AT}: ${due} action(s); batch size ${BATCH}`);
  let runs = 0;
  let total = 0;
  for (;;) {
    t = performance.now();
    await w.scheduled(RUN_AT);
    const ms = performance.now() - t;
    runs += 1;
    total += ms;
    const report = (await w.db.prepare("SELECT detail FROM audit WHERE action = 'run' ORDER BY id DESC LIMIT 1").first()).detail;
    const r = JSON.parse(report);
    console.log(`run ${runs}: ${ms.toFixed(0)} ms wall, sent ${r.sent}, tasks ${r.tasks}, failed ${r.failed}, deferred ${r.deferred}`);
    if (r.deferred === 0 || runs >= 100) break;
  }
  const handled = (await w.db.prepare("SELECT COUNT(*) AS n FROM deliveries").first()).n;
  console.log(`${runs} run(s) to handle ${handled} of ${due} due over ${N} open invoices; ${(total / 1000).toFixed(1)} s wall in all`);
  const times = [];
  for (let k = 0; k < 5; k++) {
    t = performance.now();
    relance.dueActions({ ledger: all, policy: 'standard', sentLog: [], now: RUN_AT });
    times.push(performance.now() - t);
  }
  const best = Math.min(...times);
  console.log(`core due-actions over ${N} invoices (WebAssembly, best of 5): ${best.toFixed(0)} ms = ${(best * 1000 / N).toFixed(1)} us per invoice`);
} finally {
  await w.dispose();
}
