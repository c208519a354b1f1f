// Benchmark: the npm package against the JavaScript peer (peer.mjs: decimal.js, date-fns,
// date-holidays) on the same inputs, in the same run. Every answer of the peer is first checked
// against the package's; then each side is timed, best of five runs, and the ratio printed.
// Run: npm install --prefix wasm/bench/peer && node wasm/bench/peer/bench.mjs [SCALE]
// (after scripts/build-wasm.sh; SCALE, 1 by default, multiplies the number of items).
// Targets (issue 23): décompte at least 5x per call, a batch at least 20x per invoice, six-step
// calendars at least 100x.
import * as relance from '../../package/dist/node.mjs';
import * as peer from './peer.mjs';
import Decimal from 'decimal.js';

const SCALE = Number(process.argv[2] ?? 1);
const pad = (n) => String(n).padStart(2, '0');
const ecbRows = relance.rateTables().tables.ecb_mro.rows;

/// Best of five runs of `work`, in milliseconds.
function best(work) {
  let ms = Infinity;
  for (let run = 0; run < 5; run++) {
    const t = performance.now();
    work();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}

function check(same, what) {
  if (!same) throw new Error(`the peer and the package disagree on ${what}`);
}

// ---- décomptes ------------------------------------------------------------------------------

// French B2B invoices paid nothing, due over 2023 to 2025, priced at the end of 2025.
const requests = Array.from({ length: Math.round(20_000 * SCALE) }, (_, i) => ({
  invoice: { id: `p${i}`, issueDate: '2023-01-01', dueDate: `${2023 + (i % 3)}-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}`,
    currency: 'EUR', total: `${100 + (i % 50_000)}.${pad(i % 100)}`, payments: [] },
  regime: { type: 'fr_b2b' },
  asOf: '2025-12-31',
}));
const requestTexts = requests.map((r) => JSON.stringify(r));
const BATCH = 100; // invoices of one debtor in one statement
const batches = Array.from({ length: Math.ceil(requests.length / BATCH) }, (_, k) => requests.slice(k * BATCH, (k + 1) * BATCH));

for (const r of requests) {
  const ours = relance.decompte(r);
  const theirs = peer.decompte(r, ecbRows);
  // The same exact amounts, which the package writes with the decimals the computation gave.
  const lines = ours.lines.map(({ from, to, days, base, rate, referenceRate, margin, yearDays, amount, exactAmount }) =>
    ({ from, to, days, base, rate, referenceRate, margin, yearDays, amount, exactAmount: new Decimal(exactAmount).toFixed(10) }));
  check(JSON.stringify(lines) === JSON.stringify(theirs.lines), `the lines of ${r.invoice.id}`);
  const { principal, interest, indemnity, totalDue } = ours.totals;
  check(JSON.stringify({ principal, interest, indemnity, totalDue }) === JSON.stringify(theirs.totals), `the totals of ${r.invoice.id}`);
}
check(batches.every((b) => relance.statement(b).totals.totalDue === peer.statement(b, ecbRows).totalDue), 'the statements');

const decompteObjects = best(() => requests.forEach((r) => relance.decompte(r)));
const decompteJson = best(() => requestTexts.forEach((t) => relance.json.decompte(t)));
const decomptePeer = best(() => requests.forEach((r) => peer.decompte(r, ecbRows)));
const statementOurs = best(() => batches.forEach((b) => relance.statement(b)));
const statementPeer = best(() => batches.forEach((b) => peer.statement(b, ecbRows)));

// ---- six-step calendars -----------------------------------------------------------------------

// The standard path without its last step (a legal action): six steps, two of them in business days
// or after the previous one, each moved off weekends and French public holidays.
const standard = relance.presets().find((p) => p.id === 'standard');
const policy = { ...standard, id: 'six-steps', steps: standard.steps.slice(0, 6) };
const peerSteps = policy.steps.map(({ anchor, offset, unit }) => ({ anchor, offset, unit }));
const creditor = { name: 'Bench SARL', address: { country: 'FR', city: 'Lyon' } };
// One debtor per invoice: the calendars of a debtor's invoices would otherwise move each other
// (the minimum gap between two messages to a debtor, grouping), which the peer does not do.
const debtors = Array.from({ length: Math.round(2_000 * SCALE) }, (_, i) => ({
  id: `d${i}`, name: `Client ${i}`, kind: 'business', country: 'FR', locale: 'fr', timeZone: 'Europe/Paris',
}));
const invoices = debtors.map((debtor, i) => ({
  id: `i${i}`, number: `F-${i}`, debtorId: debtor.id, issueDate: `${2025 + (i % 2)}-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}`,
  currency: 'EUR', total: '1200.00', terms: { type: 'net', days: 30 },
}));
const oneByOne = invoices.map((invoice, i) => ({ ledger: { creditor, debtors: [debtors[i]], invoices: [invoice] }, policy, asOf: '2026-01-01' }));
const whole = { ledger: { creditor, debtors, invoices }, policy, asOf: '2026-01-01' };
const dueDates = relance.plan(whole).invoices.map((t) => t.dueDate);

const stepDates = (timeline) => timeline.steps.filter((s) => s.kind === 'policy_step').map((s) => s.date);
relance.plan(whole).invoices.forEach((t, i) => check(JSON.stringify(stepDates(t)) === JSON.stringify(peer.calendar(dueDates[i], peerSteps)), `the calendar of ${t.invoiceId}`));
oneByOne.forEach((args, i) => check(JSON.stringify(stepDates(relance.plan(args).invoices[0])) === JSON.stringify(peer.calendar(dueDates[i], peerSteps)), `the calendar of ${invoices[i].id} alone`));

// The compact form a caller may ask for holds the same calendars (each step's kind in its type).
const oneByOneCompact = oneByOne.map((args) => ({ ...args, compact: true }));
const compactStepDates = (c) => c.invoices[0].steps.filter((s) => (s.kind ?? c.stepTypes[s.stepId].kind) === 'policy_step').map((s) => s.date);
oneByOneCompact.forEach((args, i) => check(JSON.stringify(compactStepDates(relance.plan(args))) === JSON.stringify(peer.calendar(dueDates[i], peerSteps)), `the compact calendar of ${invoices[i].id} alone`));

const calendarOne = best(() => oneByOne.forEach((args) => relance.plan(args)));
const calendarOneCompact = best(() => oneByOneCompact.forEach((args) => relance.plan(args)));
const calendarWhole = best(() => relance.plan(whole));
const calendarPeer = best(() => dueDates.forEach((due) => peer.calendar(due, peerSteps)));

// ---- the figures ----------------------------------------------------------------------------

const us = (ms, n) => (ms * 1000 / n).toFixed(2).padStart(8);
const row = (what, n, ours, theirs, target) => console.log(
  `${what.padEnd(52)} package ${us(ours, n)} us   peer ${us(theirs, n)} us   ${(theirs / ours).toFixed(1).padStart(6)}x (target ${target}x)`);
console.log(`${requests.length} décomptes (French B2B, 1 to 6 half-years), ${invoices.length} six-step calendars; per item, best of 5`);
row('decompte per call, objects', requests.length, decompteObjects, decomptePeer, 5);
row('decompte per call, json', requests.length, decompteJson, decomptePeer, 5);
row(`statement of ${BATCH} invoices, per invoice`, requests.length, statementOurs, statementPeer, 20);
row('six-step calendar, one invoice per plan call', invoices.length, calendarOne, calendarPeer, 100);
row('six-step calendar, one invoice per plan call, compact', invoices.length, calendarOneCompact, calendarPeer, 100);
row(`six-step calendars, ${invoices.length} invoices in one plan call`, invoices.length, calendarWhole, calendarPeer, 100);
