// The package's API: every function answers, and bad input of every kind is a RelanceError naming
// the field, never a thrown string and never a crash of the module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as relance from '../package/dist/node.mjs';

const ledger = JSON.parse(readFileSync(new URL('../../samples/ledger.json', import.meta.url), 'utf8'));

function rejects(fn, code, path) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof relance.RelanceError, `not a RelanceError: ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.code, code, e.message);
    assert.equal(e.path, path, e.message);
    assert.ok(e.message.length > 0);
    return true;
  });
}

test('calendars, terms, presets, rates', () => {
  assert.equal(relance.isBusinessDay({ calendar: 'fr', date: '2026-07-14' }), false);
  assert.equal(relance.addBusinessDays({ calendar: 'fr', date: '2026-07-10', days: 2 }), '2026-07-15');
  assert.equal(relance.adjustDate({ calendar: 'de', date: '2026-10-03', adjustment: 'backward' }), '2026-10-02');
  assert.equal(relance.holidays({ calendar: 'gb-england-wales', year: 2022 }).length, 12);
  const t = relance.evaluateTerms({ issueDate: '2025-01-15', terms: { type: 'endOfMonth', days: 45 }, debtorKind: 'business', creditorCountry: 'FR' });
  assert.equal(t.dueDate, '2025-03-31');
  assert.deepEqual(relance.presets().map((p) => p.id), ['gentle', 'standard', 'firm']);
  assert.equal(relance.validatePolicy('firm').steps.length, 7);
  const tables = relance.rateTables({ extraRates: { ecb_mro: [{ from: '2026-07-01', rate: '2.00' }] } });
  assert.equal(tables.tables.ecb_mro.knownUntil, '2026-12-31');
});

test('plan, due actions and a rendered message from the same ledger', () => {
  const p = relance.plan({ ledger, policy: 'standard', asOf: '2026-11-23' });
  assert.equal(p.invoices.length, ledger.invoices.length);
  const actions = relance.dueActions({ ledger, policy: 'standard', sentLog: [], now: '2026-11-23T09:00:00Z' });
  assert.ok(actions.length > 0);
  const a = actions.find((x) => x.debtorId === 'd-metz');
  const msg = relance.renderMessage({
    ledger,
    request: { template: a.template, stepId: a.stepId, channel: a.channel, level: a.level, debtorId: a.debtorId,
      invoiceIds: a.items.map((i) => i.invoiceId), messageDate: '2026-11-23' },
  });
  assert.equal(msg.subject, 'Relance facture impayée n° F-2026-1050');
  assert.ok(msg.html.includes('<table class="invoices">'));
});

test('a payment naming no invoice is spread in the law\'s order, and a partial one pays penalties first', () => {
  const book = {
    creditor: ledger.creditor,
    debtors: [{ id: 'd', name: 'D', kind: 'business', country: 'FR', locale: 'fr', timeZone: 'Europe/Paris' }],
    invoices: [
      { id: 'c', number: 'C', debtorId: 'd', issueDate: '2025-03-01', dueDate: '2025-04-30', currency: 'EUR', total: '500.00' },
      { id: 'b', number: 'B', debtorId: 'd', issueDate: '2025-01-29', dueDate: '2025-02-28', currency: 'EUR', total: '2000.00' },
      { id: 'a', number: 'A', debtorId: 'd', issueDate: '2025-01-01', dueDate: '2025-01-31', currency: 'EUR', total: '1000.00' },
    ],
  };
  // The due debts, oldest first, each with its interest and 40.00 (core/src/allocation.rs tests).
  const a = relance.allocatePayment({ ledger: book, debtorId: 'd', payment: { date: '2025-03-15', amount: '2500.00' } });
  assert.deepEqual(a.allocations.map((x) => [x.invoiceId, x.amount]), [['a', '1055.49'], ['b', '1444.51']]);
  assert.equal(a.unallocated, '0.00');
  // Recorded on invoice b, the 1 444.51 first pays its interest and indemnity.
  book.invoices[1].payments = [{ date: '2025-03-15', amount: '1444.51' }];
  const d = relance.decompte(relance.penaltyRequest({ ledger: book, invoiceId: 'b', asOf: '2025-03-15' }));
  assert.deepEqual([d.payments[0].toInterest, d.payments[0].toIndemnity, d.payments[0].toPrincipal], ['10.81', '40.00', '1393.70']);
  rejects(() => relance.allocatePayment({ ledger: book, debtorId: 'd', payment: { date: '2025-03-15', amount: '-1' } }),
    'negative_amount', 'payment.amount');
  rejects(() => relance.allocatePayment({ ledger: book, debtorId: 'x', payment: { date: '2025-03-15', amount: '1' } }),
    'unknown_reference', 'debtorId');
});

test('inputs and outputs of any size cross, before and after the module memory grows', () => {
  // Inputs are written straight into the module's memory and outputs read from it: the views of
  // that memory must follow its growth, and the input buffer must grow for a long input and keep
  // serving short ones afterwards.
  const request = { invoice: { id: 'x', issueDate: '2025-01-01', dueDate: '2025-02-01', currency: 'EUR', total: '100.00' },
    regime: { type: 'fr_b2b' }, asOf: '2025-03-01' };
  const small = relance.json.decompte(JSON.stringify(request));
  for (const length of [10, 25000, 70000, 1_000_000, 5_000_000]) {
    const id = 'é'.repeat(length);
    const long = relance.decompte({ ...request, invoice: { ...request.invoice, id } });
    assert.equal(long.invoiceId.length, id.length);
    assert.equal(relance.json.decompte(JSON.stringify(request)), small);
  }
  const big = structuredClone(ledger);
  big.invoices = Array.from({ length: 20 }, (_, k) => ledger.invoices.map((i) => ({ ...i, id: `${i.id}-${k}`, number: `${i.number}-${k}` }))).flat();
  const planned = relance.plan({ ledger: big, policy: 'standard', asOf: '2026-11-23' });
  assert.equal(planned.invoices.length, big.invoices.length);
  assert.equal(relance.json.decompte(JSON.stringify(request)), small);
  rejects(() => relance.json.decompte('{"invoice": 1}'), 'invalid_type', 'invoice');
  assert.equal(relance.json.decompte(JSON.stringify(request)), small);
  // Initializing again (the glue keeps its one instance) leaves the package working.
  relance.initSync(readFileSync(new URL('../package/dist/relance_wasm_node.wasm', import.meta.url)));
  assert.equal(relance.json.decompte(JSON.stringify(request)), small);
  assert.equal(relance.decompte({ ...request, invoice: { ...request.invoice, id: 'ü'.repeat(30000) } }).invoiceId.length, 30000);
});

test('bad input is a RelanceError with code and path', () => {
  rejects(() => relance.plan({ ledger, policy: 'standard' }), 'missing_field', 'asOf');
  rejects(() => relance.plan({ ledger, policy: 'standard', asOf: '2026-02-30' }), 'invalid_date', 'asOf');
  rejects(() => relance.plan({ ledger, policy: 'standard', asOf: 20261123 }), 'invalid_type', 'asOf');
  rejects(() => relance.plan({ ledger, policy: 'standard', asOf: '2026-11-23', extra: 1 }), 'unknown_field', 'extra');
  rejects(() => relance.plan({ ledger, policy: 'nope', asOf: '2026-11-23' }), 'unknown_reference', 'policy');
  const bad = structuredClone(ledger);
  bad.invoices[1].total = 960;
  rejects(() => relance.plan({ ledger: bad, policy: 'standard', asOf: '2026-11-23' }), 'invalid_amount', 'ledger.invoices[1].total');
  const many = structuredClone(ledger);
  many.invoices[0].payments = Array.from({ length: 1001 }, () => ({ date: '2026-11-01', amount: '1.00' }));
  rejects(() => relance.plan({ ledger: many, policy: 'standard', asOf: '2026-11-23' }), 'too_many_items', 'ledger.invoices[0].payments');
  rejects(() => relance.decompte({ invoice: { id: 'x', issueDate: '2025-01-01', dueDate: '2025-02-01', currency: 'EUR', total: '-1.00' },
    regime: { type: 'fr_b2b' }, asOf: '2025-03-01' }), 'negative_amount', 'invoice.total');
  rejects(() => relance.decompte(null), 'invalid_type', '');
  rejects(() => relance.holidays({ calendar: 'atlantis', year: 2026 }), 'unknown_variant', 'calendar');
  rejects(() => relance.validateTemplates([{ key: 'x', lang: 'fr', source: 'subject: s\n\n{{debtor.password}}' }]),
    'unknown_variable', 'templates[0].templates.fr.x.body');
  // The module is still alive after all of that.
  assert.equal(relance.isBusinessDay({ calendar: 'fr', date: '2026-07-15' }), true);
});

test('the json functions answer with the JSON text of the same results, and the same errors', () => {
  const input = { ledger, policy: 'standard', asOf: '2026-11-23' };
  const text = relance.json.plan(JSON.stringify(input));
  assert.equal(typeof text, 'string');
  assert.equal(text, JSON.stringify(relance.plan(input)));
  assert.equal(relance.json.isBusinessDay('{"calendar":"fr","date":"2026-07-14"}'), 'false');
  assert.equal(relance.json.rateTables('{}'), JSON.stringify(relance.rateTables()));
  // Every function taking one input is there, and only those.
  assert.deepEqual(Object.keys(relance.json).sort(), ['addBusinessDays', 'adjustDate', 'allocatePayment', 'analytics', 'calendarFor', 'curve',
    'decompte', 'dueActions', 'evaluateTerms', 'holidays', 'isBusinessDay', 'nextBusinessDay', 'penaltyRequest', 'plan',
    'previousBusinessDay', 'rateTables', 'renderMessage', 'statement', 'stepRequest', 'validatePolicy',
    'validateTemplates', 'withRates']);
  assert.ok(Object.isFrozen(relance.json));

  // Any text crosses as UTF-8, whatever its length (short inputs reuse a buffer, long ones not).
  const request = { invoice: { id: 'facture-é-€-🍷-中', issueDate: '2025-01-01', dueDate: '2025-02-01', currency: 'EUR', total: '100.00' },
    regime: { type: 'fr_b2b' }, asOf: '2025-03-01' };
  assert.equal(relance.decompte(request).invoiceId, 'facture-é-€-🍷-中');
  assert.equal(JSON.parse(relance.json.decompte(JSON.stringify(request))).invoiceId, 'facture-é-€-🍷-中');
  const long = { ...request, invoice: { ...request.invoice, id: 'ü'.repeat(40000) } };
  assert.equal(relance.decompte(long).invoiceId, long.invoice.id);
  assert.equal(relance.invoicesFromCsv('id,number,debtorId,issueDate,terms,currency,total\nc1,Crème-1,d1,2026-10-01,net:30,EUR,100.00\n')[0].number, 'Crème-1');

  rejects(() => relance.json.plan(JSON.stringify({ ...input, asOf: '2026-02-30' })), 'invalid_date', 'asOf');
  rejects(() => relance.json.plan('{"ledger": '), 'invalid_json', '');
  rejects(() => relance.json.decompte(''), 'invalid_json', '');
  for (const notText of [input, null, undefined, 42]) {
    rejects(() => relance.json.plan(notText), 'invalid_json', '');
  }
});

test('the rate readers, in the readers module: a response read, what it adds, and a page refused whole', async () => {
  const fetched = await relance.readRateSource({ source: 'ecb_mro', text: 'KEY,TIME_PERIOD,OBS_VALUE\nk,2026-06-10,2.40\n', fetchedOn: '2026-12-01' });
  assert.deepEqual(relance.withRates({ fetched: [fetched] }).extraRates.ecb_mro,
    [{ from: '2026-06-10', rate: '2.40' }, { from: '2026-07-01', rate: '2.40' }]);
  await assert.rejects(relance.readRateSource({ source: 'ecb_mro', text: '<html>Maintenance</html>', fetchedOn: '2026-12-01' }),
    (e) => e instanceof relance.RelanceError && e.code === 'invalid_rate_source' && e.path === '');
  await assert.rejects(relance.readRateSource({ source: 'ecb_mro', text: '', fetchedOn: '2026-12-01', extra: 1 }),
    (e) => e instanceof relance.RelanceError && e.code === 'unknown_field' && e.path === 'extra');
  // The French legal rates, from service-public.fr's fiche: the shipped rows, nothing to add.
  const fiche = readFileSync(new URL('../../tests/fixtures/rates/service_public_f783.xml', import.meta.url), 'utf8');
  const legal = await relance.readRateSource({ source: 'fr_legal_other', text: fiche, fetchedOn: '2026-01-10' });
  assert.deepEqual([legal.series, legal.knownUntil, legal.rows.at(-1)], ['F783 autres cas', '2026-06-30', { from: '2026-01-01', rate: '2.62' }]);
  assert.deepEqual(relance.withRates({ fetched: [legal] }).extraRates.fr_legal_other ?? [], []);
});
