// The built worker under Miniflare with a local R2 (issue 21): a Factur-X PDF imported through the
// API becomes an invoice whose reminder carries it; a 207 status pauses the path and a 212 ends it.
// The documents are the samples of tests/fixtures/einvoice (made for the tests; each says what it
// states): invoice F-2026-0917, 4 800.00 EUR due 2026-10-15, to Menuiserie Bellevue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startWorker, root } from './support.mjs';

const sample = JSON.parse(readFileSync(join(root, 'samples', 'ledger.json'), 'utf8'));
const fixture = (name) => readFileSync(join(root, 'tests', 'fixtures', 'einvoice', name));
const pdf = fixture('facturx-F-2026-0917.pdf');
// One email the day after the due date, sent whatever the hour.
const policy = { id: 'one-email', name: 'One email', businessDayAdjustment: 'none', sendWindow: { startHour: 0, endHour: 24 },
  minGapDays: 0, grouping: false, catchUp: { maxLatenessDays: 0 },
  steps: [{ id: 'reminder-1', anchor: 'due_date', offset: 1, channel: 'email', template: 'first_reminder', level: 2, tone: 'friendly' }] };

async function seeded() {
  const w = await startWorker();
  for (const [method, path, body] of [['POST', '/v1/import/ledger', { creditor: sample.creditor, debtors: [], invoices: [] }],
    ['POST', '/v1/policies', policy], ['PUT', '/v1/settings', { defaultPolicy: 'one-email' }]]) {
    const r = await w.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const imported = await w.upload('POST', '/v1/import/einvoice', pdf, 'application/pdf');
  assert.equal(imported.status, 201, JSON.stringify(imported.body));
  return w;
}

const outbox = async (w) => (await w.api('GET', '/v1/outbox')).body.outbox;

test('a Factur-X PDF becomes an invoice whose reminder carries it', async () => {
  const w = await seeded();
  try {
    const inv = (await w.api('GET', '/v1/invoices/F-2026-0917?asOf=2026-10-10')).body;
    assert.deepEqual([inv.invoice.debtorId, inv.invoice.total, inv.invoice.dueDate], ['siren-523456789', '4800.00', '2026-10-15']);
    const doc = await w.upload('GET', '/v1/invoices/F-2026-0917/document');
    assert.equal(doc.status, 200);
    assert.equal(doc.headers.get('content-type'), 'application/pdf');
    assert.deepEqual(Buffer.from(doc.raw), pdf, 'the original comes back from R2 byte for byte');

    await w.scheduled('2026-10-16T08:00:00Z');
    const sent = await outbox(w);
    assert.equal(sent.length, 1, JSON.stringify(sent));
    assert.match(sent[0].text_body, /Vous trouverez ci-joint une copie de la facture\./);
    const [attachment] = JSON.parse(sent[0].attachments);
    assert.deepEqual([attachment.name, attachment.contentType, attachment.sha256],
      ['F-2026-0917.pdf', 'application/pdf', createHash('sha256').update(pdf).digest('hex')]);
  } finally {
    await w.dispose();
  }
});

test('a second dispute status is recorded without a second dispute, and a 212 ends the path', async () => {
  const w = await seeded();
  try {
    const disputed = await w.upload('POST', '/v1/import/lifecycle', fixture('cdar-207-F-2026-0917.xml'), 'application/xml');
    assert.equal(disputed.status, 201, JSON.stringify(disputed.body));
    // The CDAR's dispute is dated 2026-10-22: a status given before the reminder, by the API.
    const early = await w.api('POST', '/v1/invoices/F-2026-0917/lifecycle', { code: 207, date: '2026-10-14', reason: 'Livraison incomplète' });
    assert.equal(early.status, 201, JSON.stringify(early.body));
    assert.equal(early.body.change.kind, 'recorded', 'a dispute is open already: the second is recorded');
    await w.scheduled('2026-10-16T08:00:00Z');
    // The open dispute (from 2026-10-22) does not cover the 16th: the email went, with its copy.
    assert.equal((await outbox(w)).length, 1);

    const paid = await w.api('POST', '/v1/invoices/F-2026-0917/lifecycle', { code: 212, date: '2026-10-30' });
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    assert.equal(paid.body.change.kind, 'payment');
    assert.equal(paid.body.change.payment.amount, '4800.00');
    const inv = (await w.api('GET', '/v1/invoices/F-2026-0917?asOf=2026-11-02')).body;
    assert.equal(inv.outstanding, '0.00');
    assert.notEqual(inv.status, 'open');
    const timeline = (await w.api('GET', '/v1/invoices/F-2026-0917/timeline?asOf=2026-11-02')).body;
    assert.deepEqual(timeline.lifecycle.map((s) => s.code), [207, 207, 212]);
  } finally {
    await w.dispose();
  }
});

test('a dispute before the reminder holds it', async () => {
  const w = await seeded();
  try {
    const r = await w.api('POST', '/v1/invoices/F-2026-0917/lifecycle', { code: 207, date: '2026-10-14', reason: 'Livraison incomplète' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.change.kind, 'dispute');
    await w.scheduled('2026-10-16T08:00:00Z');
    assert.deepEqual(await outbox(w), [], 'no reminder while the buyer disputes the invoice');
  } finally {
    await w.dispose();
  }
});

test('a document over MAX_DOCUMENT_BYTES is refused before it is read, and nothing is stored', async () => {
  const w = await startWorker({ vars: { MAX_DOCUMENT_BYTES: '4096' } });
  try {
    await w.api('POST', '/v1/import/ledger', { creditor: sample.creditor, debtors: [], invoices: [] });
    const r = await w.upload('POST', '/v1/import/einvoice', pdf, 'application/pdf');
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'payload_too_large');
    assert.deepEqual((await w.api('GET', '/v1/invoices')).body.invoices, []);
    const bucket = await w.mf.getR2Bucket('DOCUMENTS');
    assert.equal((await bucket.list()).objects.length, 0);
  } finally {
    await w.dispose();
  }
});
