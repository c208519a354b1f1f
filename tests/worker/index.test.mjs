// The cron's index of what is due (migration 0007, issue 23): a run reads the debtors whose next
// action has come, not the whole book, and every change of what plans a debtor makes it due again.
// The benchmark (worker/bench/cron.mjs) runs at a small size: its figures are printed, and the
// rows read are held to what the index promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startWorker, seed } from './support.mjs';

const bench = fileURLToPath(new URL('../../worker/bench/cron.mjs', import.meta.url));

test('the benchmark: once indexed, a run where nothing is due reads a few rows, not the book', () => {
  const out = execFileSync(process.execPath, [bench, '2000'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const rows = (what) => Number(out.match(new RegExp(`${what} +CPU +\\d+ ms +wall +\\d+ ms +rows read +(\\d+)`))?.[1]);
  const [first, due, nothing] = [rows('first run after the import'), rows('1 % due'), rows('nothing due')];
  assert.ok(first > 2000, `the first run reads every open invoice once:\n${out}`);
  assert.ok(due < first / 5, `the run with 1 % due reads the due debtors only:\n${out}`);
  assert.ok(nothing < 50, `a run with nothing due reads next to nothing:\n${out}`);
  assert.match(out, /1 % due .* due +20, sent 20/, out);
});

const creditor = {
  name: 'Index SARL', identifiers: {}, address: { lines: ['1 rue A'], postalCode: '75001', city: 'Paris', country: 'FR' },
  contact: { email: 'billing@index.example' }, payment: { iban: 'FR7630006000011234567890189' },
};
const debtor = (id) => ({ id, name: `Client ${id}`, kind: 'business', country: 'FR', locale: 'fr', timeZone: 'Europe/Paris', contacts: { emails: [`${id}@index.example`] } });
// Courtesy email (7 days before the due date) on Monday 2026-11-23, 09:00 Paris.
const invoice = (id, debtorId) => ({ id, number: `F-${id}`, debtorId, issueDate: '2026-10-31', currency: 'EUR', total: '500.00', terms: { type: 'net', days: 30 } });

async function nextActions(w) {
  const rows = (await w.db.prepare('SELECT id, next_action_at FROM debtors ORDER BY id').all()).results;
  return Object.fromEntries(rows.map((r) => [r.id, r.next_action_at]));
}

test('each run writes the next action of the debtors it read; a change makes the debtor due again', async () => {
  const w = await startWorker();
  try {
    await seed(w, { creditor, debtors: [debtor('a'), debtor('b')], invoices: [invoice('a1', 'a'), invoice('b1', 'b')] });
    assert.deepEqual(await nextActions(w), { a: '', b: '' }, 'new debtors are to compute');
    await w.scheduled('2026-11-23T07:45:00Z');
    assert.deepEqual(await nextActions(w), { a: '2026-11-23T08:00:00Z', b: '2026-11-23T08:00:00Z' });
    await w.scheduled('2026-11-23T08:00:00Z');
    const sent = (await w.db.prepare('SELECT debtor_id FROM deliveries ORDER BY debtor_id').all()).results.map((r) => r.debtor_id);
    assert.deepEqual(sent, ['a', 'b'], 'both courtesy emails went out at their time');
    const after = await nextActions(w);
    assert.ok(after.a > '2026-11-23T08:00:00Z' && after.a < '2026-12-31', `a's next step is the first reminder: ${after.a}`);
    // A payment in full: the trigger makes `a` due to compute again, and then nothing is planned.
    const pay = await w.api('POST', '/v1/invoices/a1/payments', { date: '2026-11-24', amount: '500.00' });
    assert.ok(pay.status < 300, JSON.stringify(pay.body));
    assert.equal((await nextActions(w)).a, '');
    assert.equal((await nextActions(w)).b, after.b, 'the other debtor is untouched');
    await w.scheduled('2026-11-24T08:00:00Z');
    assert.equal((await nextActions(w)).a, '9999-12-31T23:59:59Z', 'paid: nothing planned');
    // A change of policy plans every debtor again.
    const put = await w.api('PUT', '/v1/settings', { defaultPolicy: 'firm' });
    assert.ok(put.status < 300, JSON.stringify(put.body));
    assert.deepEqual(await nextActions(w), { a: '', b: '' });
  } finally {
    await w.dispose();
  }
});
