// The built worker under Miniflare on partial payments and penalty claims (issue 25): a partial
// payment pays the interest and the costs first (C. civ. 1343-1), and an invoice paid late in full
// is "paid, penalties due" until its penalties are paid; with the policy's claim on, one relevé de
// pénalités goes out for it, once. Dates are fixed in 2025, whose rates ship with the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, root } from './support.mjs';

const sample = JSON.parse(readFileSync(join(root, 'samples', 'ledger.json'), 'utf8'));
const ledger = {
  creditor: sample.creditor,
  debtors: [{ id: 'd-1', name: 'Brasserie du Parc SAS', kind: 'business', country: 'FR', locale: 'fr',
    timeZone: 'Europe/Paris', contacts: { emails: ['factures@brasserie-du-parc.example'] } }],
  invoices: [
    // tests/golden/penalties.json `fr-imputation-then-paid-in-full`: the 3 000 paid 12 days late
    // first pays 10000 x 13.15 % x 12/365 = 43.23 of interest and the 40.00 indemnity.
    { id: 'inv-part', number: 'F-2025-0201', debtorId: 'd-1', issueDate: '2025-01-01', dueDate: '2025-01-31',
      currency: 'EUR', total: '10000.00', payments: [{ date: '2025-02-12', amount: '3000.00' }] },
    // Paid in full 15 days late: 1000 x 13.15 % x 15/365 = 5.40 of interest and 40.00 are due.
    { id: 'inv-late', number: 'F-2025-0202', debtorId: 'd-1', issueDate: '2025-01-01', dueDate: '2025-01-31',
      currency: 'EUR', total: '1000.00', payments: [{ date: '2025-02-15', amount: '1000.00' }] },
  ],
};
const policy = { id: 'claims', name: 'Claims', businessDayAdjustment: 'none', sendWindow: { startHour: 0, endHour: 24 },
  minGapDays: 0, grouping: false, catchUp: { maxLatenessDays: 0 },
  steps: [{ id: 'reminder-1', anchor: 'due_date', offset: 1, channel: 'email', template: 'first_reminder', level: 2, tone: 'friendly' }],
  penaltyClaim: { enabled: true, afterDays: 3 } };

async function seeded() {
  const w = await startWorker();
  for (const [method, path, body] of [['POST', '/v1/import/ledger', ledger], ['POST', '/v1/policies', policy],
    ['PUT', '/v1/settings', { defaultPolicy: 'claims' }]]) {
    const r = await w.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return w;
}

test('a partial payment pays the interest and the costs first, as the décompte and the invoice say', async () => {
  const w = await seeded();
  try {
    const inv = (await w.api('GET', '/v1/invoices/inv-part?asOf=2025-02-20')).body;
    assert.equal(inv.status, 'open');
    assert.equal(inv.outstanding, '7083.23');
    const d = (await w.api('GET', '/v1/invoices/inv-part/decompte?asOf=2025-02-20')).body;
    assert.equal(d.imputation, 'accessories_first');
    assert.deepEqual([d.payments[0].toInterest, d.payments[0].toIndemnity, d.payments[0].toPrincipal], ['43.23', '40.00', '2916.77']);
    assert.equal(d.totals.principalOutstanding, inv.outstanding);
  } finally {
    await w.dispose();
  }
});

test('an invoice paid late gets one claim of its penalties, then is paid once they are', async () => {
  const w = await seeded();
  try {
    const late = (await w.api('GET', '/v1/invoices/inv-late?asOf=2025-02-18')).body;
    assert.deepEqual([late.status, late.outstanding, late.penaltiesDue], ['paid_penalties_due', '0.00', '45.40']);
    const listed = (await w.api('GET', '/v1/invoices?status=paid_penalties_due&asOf=2025-02-18')).body.invoices;
    assert.deepEqual(listed.map((i) => i.invoice.id), ['inv-late']);

    // The claim falls 3 days after the payment, 2025-02-18.
    await w.scheduled('2025-02-18T12:00:00Z');
    await w.scheduled('2025-02-18T12:15:00Z');
    const outbox = (await w.api('GET', '/v1/outbox')).body.outbox;
    assert.equal(outbox.length, 1, JSON.stringify(outbox.map((m) => m.subject)));
    assert.match(outbox[0].subject, /Relevé de pénalités de retard – facture n° F-2025-0202/);
    // French typography puts no-break spaces before the colon and the euro sign.
    const text = outbox[0].text_body.replace(/[\u00a0\u202f]/g, ' ');
    for (const line of ['Pénalités de retard restant dues : 5,40 €', 'Indemnité forfaitaire restant due : 40,00 €', 'Total dû : 45,40 €']) {
      assert.ok(text.includes(line), `${line}\n${text}`);
    }

    // The penalties paid: nothing is owed, and the invoice leaves the runs.
    const paid = await w.api('POST', '/v1/invoices/inv-late/payments', { date: '2025-02-25', amount: '45.40' });
    assert.ok(paid.status < 300, JSON.stringify(paid.body));
    const after = (await w.api('GET', '/v1/invoices/inv-late?asOf=2025-02-26')).body;
    assert.deepEqual([after.status, after.penaltiesDue], ['paid', null]);
    const open = (await w.db.prepare("SELECT open FROM invoices WHERE id = 'inv-late'").all()).results[0].open;
    assert.equal(open, 0);
  } finally {
    await w.dispose();
  }
});

test('a payment naming no invoice pays the due invoices with their penalties; what is left is for a person', async () => {
  const w = await seeded();
  try {
    // On 2025-03-14 inv-part owes 7083.23 of principal and 76.56 of interest (10000 x 13.15 % x
    // 12/365 + 7083.23 x 13.15 % x 30/365 = 119.79, of which 43.23 paid); inv-late owes 45.40.
    // Both fell due on 2025-01-31: paid together, each in full; 94.81 is beyond every debt.
    const r = await w.api('POST', '/v1/debtors/d-1/payments', { date: '2025-03-14', amount: '7300.00', reference: 'VIR 0314' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.allocations.map((a) => [a.invoiceId, a.amount]).sort(), [['inv-late', '45.40'], ['inv-part', '7159.79']]);
    assert.equal(r.body.unallocated, '94.81');
    for (const id of ['inv-part', 'inv-late']) {
      const inv = (await w.api('GET', `/v1/invoices/${id}?asOf=2025-03-15`)).body;
      assert.equal(inv.status, 'paid', id);
      assert.equal(inv.invoice.payments.at(-1).reference, 'VIR 0314');
    }
    const tasks = (await w.api('GET', '/v1/tasks?limit=100')).body.tasks;
    assert.equal(tasks.filter((t) => t.kind === 'review_payment').length, 1);
    const audit = (await w.api('GET', '/v1/audit?limit=100')).body;
    assert.ok(JSON.stringify(audit).includes('debtor.payment.allocated'));
    // Refused, writing nothing: a debtor with no invoice, a bad amount.
    assert.equal((await w.api('POST', '/v1/debtors/nobody/payments', { date: '2025-03-14', amount: '1.00' })).status, 404);
    const bad = await w.api('POST', '/v1/debtors/d-1/payments', { date: '2025-03-14', amount: '1.001' });
    assert.deepEqual([bad.status, bad.body.error.code, bad.body.error.path], [400, 'invalid_amount', 'amount']);
  } finally {
    await w.dispose();
  }
});
