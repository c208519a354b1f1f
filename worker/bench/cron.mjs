// Benchmark: what a scheduled run costs as the book grows, when 1 % of the open invoices are due.
// `node worker/bench/cron.mjs [INVOICES ...]` (default: 10000 100000). Needs worker/build
// (scripts/build-worker.sh).
//
// For each size, a local D1 (Miniflare, the built worker) is seeded through the API with INVOICES
// open invoices over INVOICES / 5 French business debtors, 30 days net, so that on Monday
// 2026-11-23 one invoice in a hundred has its courtesy email at 09:00 Paris (08:00Z) and every
// other one has its first step later. Three runs are measured:
// - 07:45Z, the first run after the import (nothing due yet);
// - 08:00Z, the 1 % due go out;
// - 08:15Z, nothing is due.
// For each: the CPU time workerd spent on it (every thread, from /proc: an upper bound of the
// worker's CPU time, since it includes the local D1 engine, which runs elsewhere in production),
// the rows D1 says it read (the run report's `rowsRead`), and what it sent. The Workers free plan
// allows 10 ms of CPU per run. Since that CPU time is mostly the local D1's (every query crosses
// Miniflare's loopback into an SQLite of workerd's), the core's own share of a due message is
// timed apart, through the npm package (the same core in WebAssembly): the due actions of the
// debtors the run read, and each message rendered, as the run does them.
import { readdirSync, readFileSync } from 'node:fs';
import { startWorker } from '../../tests/worker/support.mjs';
import * as relance from '../../wasm/package/dist/node.mjs';

const SIZES = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10_000, 100_000];
const DAY = 86_400_000;
const RUN_DAY = Date.parse('2026-11-23T00:00:00Z');
const RUNS = [['first run after the import', '2026-11-23T07:45:00Z'], ['1 % due', '2026-11-23T08:00:00Z'], ['nothing due', '2026-11-23T08:15:00Z']];

/// Every workerd process of this benchmark (Miniflare's children).
function workerdPids() {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return stat.includes('(workerd)') && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    } catch {
      return false; // gone meanwhile
    }
  });
}

/// CPU nanoseconds spent so far by every thread of `pids` (/proc/PID/task/TID/schedstat).
function cpuNs(pids) {
  let ns = 0;
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
  }
  return ns;
}

function ledger(n) {
  const creditor = {
    name: 'Bench SARL', identifiers: {}, address: { lines: ['1 rue A'], postalCode: '75001', city: 'Paris', country: 'FR' },
    contact: { email: 'billing@bench.example' }, payment: { iban: 'FR7630006000011234567890189' },
  };
  const debtors = Array.from({ length: Math.max(1, Math.round(n / 5)) }, (_, i) => ({
    id: `d${i}`, name: `Client ${i}`, kind: 'business', country: 'FR', locale: 'fr', timeZone: 'Europe/Paris',
    contacts: { emails: [`client${i}@bench.example`] },
  }));
  // Invoice i is debtor (i mod debtors)'s. The first invoice of one debtor in twenty (1 % of the
  // invoices, each to its own debtor) was issued on 2026-10-31: due 11-30, courtesy email (7 days
  // before) on Monday 11-23. The others were issued 11-01 to 11-22: courtesy from 11-24 on.
  const due = (i) => i < debtors.length && i % 20 === 0;
  const issued = (i) => (due(i) ? RUN_DAY - 23 * DAY : RUN_DAY - (1 + (i % 22)) * DAY);
  const invoices = Array.from({ length: n }, (_, i) => ({
    id: `i${i}`, number: `F-${100000 + i}`, debtorId: `d${i % debtors.length}`,
    issueDate: new Date(issued(i)).toISOString().slice(0, 10),
    currency: 'EUR', total: `${100 + (i % 900)}.${String(i % 100).padStart(2, '0')}`, terms: { type: 'net', days: 30 },
  }));
  return { creditor, debtors, invoices };
}

async function bench(n) {
  const w = await startWorker({ vars: { BATCH_SIZE: '2000' } });
  try {
    const all = ledger(n);
    let t = performance.now();
    // The API takes the ledger in slices of 1 000 invoices (with their debtors) to stay under the body limit.
    for (let i = 0; i < all.invoices.length; i += 1000) {
      const invoices = all.invoices.slice(i, i + 1000);
      const ids = new Set(invoices.map((x) => x.debtorId));
      const r = await w.api('POST', '/v1/import/ledger', { creditor: all.creditor, debtors: all.debtors.filter((d) => ids.has(d.id)), invoices });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    }
    console.log(`${n} open invoices, ${all.debtors.length} debtors: seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const pids = workerdPids();
    if (pids.length === 0) throw new Error('no workerd process found under this benchmark');
    for (const [what, at] of RUNS) {
      const before = cpuNs(pids);
      t = performance.now();
      await w.scheduled(at);
      const wall = performance.now() - t;
      const cpu = (cpuNs(pids) - before) / 1e6;
      const r = JSON.parse((await w.db.prepare("SELECT detail FROM audit WHERE action = 'run' ORDER BY id DESC LIMIT 1").first()).detail);
      const sent = r.sent + r.tasks;
      console.log(`  ${at.slice(11, 16)}Z ${what.padEnd(27)} CPU ${cpu.toFixed(0).padStart(6)} ms   wall ${wall.toFixed(0).padStart(6)} ms   `
        + `rows read ${String(r.rowsRead ?? '?').padStart(8)}   due ${String(r.due).padStart(5)}, sent ${sent}${r.deferred ? `, deferred ${r.deferred}` : ''}`
        + (sent > 0 ? `   (${(cpu / sent).toFixed(2)} ms CPU per message sent)` : ''));
    }
    coreShare(all);
  } finally {
    await w.dispose();
  }
}

/// The core's CPU time for what the 08:00Z run does with the debtors due: their due actions, and
/// each message rendered with its debtor's ledger (the best round, in the package's WebAssembly, JSON
/// text in and out as the worker's rows are: no JavaScript objects built).
function coreShare(all) {
  const due = new Set(all.invoices.filter((x) => x.issueDate === '2026-10-31').map((x) => x.debtorId));
  const ledger = { creditor: all.creditor, debtors: all.debtors.filter((d) => due.has(d.id)), invoices: all.invoices.filter((x) => due.has(x.debtorId)) };
  const byDebtor = (id) => ({ creditor: ledger.creditor, debtors: ledger.debtors.filter((d) => d.id === id), invoices: ledger.invoices.filter((x) => x.debtorId === id) });
  const dueText = JSON.stringify({ ledger, policy: 'standard', sentLog: [], now: '2026-11-23T08:00:00Z' });
  const renders = relance.dueActions(JSON.parse(dueText)).map((a) => JSON.stringify({
    ledger: byDebtor(a.debtorId),
    request: { template: a.template, stepId: a.stepId, channel: a.channel, level: a.level, debtorId: a.debtorId,
      invoiceIds: a.items.map((i) => i.invoiceId), messageDate: '2026-11-23' },
  }));
  // Enough rounds for V8 to have tiered the module up (its first calls run on the baseline
  // compiler), as a long-lived worker isolate has.
  let ms = Infinity;
  for (let k = 0; k < Math.max(5, Math.ceil(2000 / renders.length)); k++) {
    const t = performance.now();
    relance.json.dueActions(dueText);
    renders.forEach((text) => relance.json.renderMessage(text));
    ms = Math.min(ms, performance.now() - t);
  }
  let select = Infinity;
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    relance.json.dueActions(dueText);
    select = Math.min(select, performance.now() - t);
  }
  const each = ms / renders.length;
  console.log(`  the core's share of the 08:00Z run (due actions of the ${due.size} debtors read, ${renders.length} messages rendered): `
    + `${ms.toFixed(1)} ms, ${each.toFixed(3)} ms per message: ${Math.floor(10 / each)} messages in 10 ms; `
    + `of which the due actions ${select.toFixed(1)} ms (${Math.floor(10 / (select / renders.length))} due debtors in 10 ms)`);
}

for (const n of SIZES) {
  await bench(n);
}
