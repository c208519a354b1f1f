// The built worker (worker-build output) under Miniflare, with a local D1: the API round trips,
// scheduled runs against the golden cases, and exactly-once under repeats, overlaps, provider
// errors and a run killed between claim and send.
import { test } from 'node:test';
import net from 'node:net';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorker, seed, golden, root, TOKEN } from './support.mjs';

const RESEND = { EMAIL_PROVIDER: 'resend', RESEND_API_KEY: 're_test_key', EMAIL_FROM: 'Relance <billing@acme.test>' };

const expectedKeys = (c) => c.expected.output.map((a) => a.key);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Leases and back-offs are on the clock, not the scheduled time: these make them short enough to
// pass in a test (the lease must still exceed BATCH_SIZE x SEND_TIMEOUT_MS with its margin).
const SHORT_LEASE = { BATCH_SIZE: '1', SEND_TIMEOUT_MS: '1000', LEASE_SECONDS: '6' };

async function recordSentLog(w, c) {
  for (const e of c.input.sentLog) {
    const debtor = c.input.ledger.invoices.find((i) => i.id === e.items[0].invoiceId).debtorId;
    await w.db.prepare(`INSERT INTO deliveries (key, debtor_id, step_id, channel, items, status, attempts, payload,
        run_id, claimed_at, sent_at, updated_at) VALUES (?1, ?2, ?3, 'email', ?4, 'sent', 1, '{}', 'earlier', ?5, ?5, ?5)`)
      .bind(e.key, debtor, e.items[0].stepId, JSON.stringify(e.items), e.sentAt.replace('.000', '')).run();
  }
}

async function sentKeys(w) {
  const r = await w.db.prepare("SELECT key FROM deliveries WHERE status = 'sent' AND run_id <> 'earlier' ORDER BY key").all();
  return r.results.map((x) => x.key);
}

test('scheduled runs send what the golden cases expect, once, and a repeat sends nothing', async () => {
  for (const name of ['11-due-actions-on-time.json', '12-due-actions-catch-up.json', '13-due-actions-too-late.json', '14-due-actions-outside-window.json']) {
    const c = golden(name);
    const w = await startWorker();
    try {
      await seed(w, c.input.ledger, c.input.policy);
      await recordSentLog(w, c);
      await w.scheduled(c.input.now);
      assert.deepEqual(await sentKeys(w), expectedKeys(c).sort(), name);
      const outbox = (await w.api('GET', '/v1/outbox')).body.outbox;
      assert.equal(outbox.length, c.expected.output.length, name);
      await w.scheduled(c.input.now);
      assert.equal((await w.api('GET', '/v1/outbox')).body.outbox.length, c.expected.output.length, `${name}: repeat`);
      if (name.startsWith('12')) {
        // The missed day is caught up by the rule: one late send replacing the missed step.
        const d = (await w.api('GET', `/v1/deliveries/${expectedKeys(c)[0]}`)).body;
        assert.equal(d.stepId, c.expected.output[0].stepId);
      }
    } finally {
      await w.dispose();
    }
  }
});

test('two runs at once send each reminder once', async () => {
  const c = golden('11-due-actions-on-time.json');
  let calls = 0;
  const w = await startWorker({
    vars: RESEND,
    outbound: async () => { calls += 1; await new Promise((r) => setTimeout(r, 50)); return Response.json({ id: `m${calls}` }); },
  });
  try {
    await seed(w, c.input.ledger, c.input.policy);
    await Promise.all([w.scheduled(c.input.now), w.scheduled(c.input.now), w.scheduled(c.input.now)]);
    assert.equal(calls, 1);
    assert.deepEqual(await sentKeys(w), expectedKeys(c));
  } finally {
    await w.dispose();
  }
});

test('a provider answering 500 then 200 sends once, with the same idempotency key', async () => {
  const c = golden('11-due-actions-on-time.json');
  const seen = [];
  const w = await startWorker({
    // Stored times have whole seconds, so a back-off of N s can end up to 1 s early: 3 s leaves
    // the second run (at once) inside it whatever the machine's load.
    vars: { ...RESEND, RETRY_BASE_SECONDS: '3' },
    outbound: async (req) => {
      seen.push({ url: req.url, key: req.headers.get('Idempotency-Key'), auth: req.headers.get('Authorization'), body: await req.text() });
      return seen.length === 1 ? new Response('{"message":"upstream"}', { status: 500 }) : Response.json({ id: 'resend-42' });
    },
  });
  try {
    await seed(w, c.input.ledger, c.input.policy);
    await w.scheduled(c.input.now);
    let d = (await w.api('GET', '/v1/deliveries')).body.deliveries[0];
    assert.equal(d.status, 'retry');
    await w.scheduled(new Date(Date.parse(c.input.now) + 15 * 60_000).toISOString());
    assert.equal(seen.length, 1, 'the back-off (on the clock) is not over yet');
    await sleep(3100);
    await w.scheduled(new Date(Date.parse(c.input.now) + 30 * 60_000).toISOString());
    d = (await w.api('GET', '/v1/deliveries')).body.deliveries[0];
    assert.deepEqual([d.status, d.attempts, d.providerMessageId], ['sent', 2, 'resend-42']);
    assert.equal(seen.length, 2);
    assert.deepEqual(seen.map((s) => s.key), [expectedKeys(c)[0], expectedKeys(c)[0]]);
    assert.equal(seen[0].url, 'https://api.resend.com/emails');
    assert.equal(seen[0].auth, 'Bearer re_test_key');
    assert.equal(seen[0].body, seen[1].body);
    const email = JSON.parse(seen[1].body);
    assert.deepEqual(email.to, ['d1@example.org']);
    assert.match(email.subject, /A-1/);
  } finally {
    await w.dispose();
  }
});

test('a run killed between claim and send sends once after the lease', async () => {
  const c = golden('11-due-actions-on-time.json');
  const persist = mkdtempSync(join(tmpdir(), 'relance-d1-'));
  try {
    // First worker: the provider never answers; the worker is torn down mid-send.
    let reached;
    const hung = new Promise((r) => { reached = r; });
    const w1 = await startWorker({ vars: { ...RESEND, ...SHORT_LEASE }, persist, outbound: () => { reached(); return new Promise(() => {}); } });
    await seed(w1, c.input.ledger, c.input.policy);
    const run = w1.scheduled(c.input.now).catch(() => 'killed');
    await hung;
    const claimed = await w1.db.prepare('SELECT status FROM deliveries').all();
    assert.deepEqual(claimed.results, [{ status: 'claimed' }]);
    await w1.dispose();
    await run;
    // Second worker on the same D1: within the lease nothing; after it, one send with the same key.
    const keys = [];
    const w2 = await startWorker({ vars: { ...RESEND, ...SHORT_LEASE }, persist, outbound: async (req) => { keys.push(req.headers.get('Idempotency-Key')); return Response.json({ id: 'after-lease' }); } });
    try {
      const t0 = Date.parse(c.input.now);
      // A later trigger within the lease (on the clock) leaves it alone, whatever its scheduled time.
      await w2.scheduled(new Date(t0 + 60 * 60_000).toISOString());
      assert.equal(keys.length, 0);
      await sleep(6200);
      await w2.scheduled(new Date(t0 + 75 * 60_000).toISOString());
      await w2.scheduled(new Date(t0 + 90 * 60_000).toISOString());
      assert.deepEqual(keys, [expectedKeys(c)[0]]);
      const d = (await w2.api('GET', '/v1/deliveries')).body.deliveries[0];
      assert.deepEqual([d.status, d.attempts, d.providerMessageId], ['sent', 2, 'after-lease']);
    } finally {
      await w2.dispose();
    }
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
});

test('a slow receiver and a run 15 minutes later started 1.5 s after: each key goes out once', async () => {
  const c = golden('11-due-actions-on-time.json');
  const keys = [];
  const w = await startWorker({
    vars: RESEND,
    outbound: async (req) => { keys.push(req.headers.get('Idempotency-Key')); await sleep(3000); return Response.json({ id: `m${keys.length}` }); },
  });
  try {
    await seed(w, c.input.ledger, c.input.policy);
    const t0 = Date.parse(c.input.now);
    const runs = [w.scheduled(c.input.now)];
    await sleep(1500);
    runs.push(w.scheduled(new Date(t0 + 15 * 60_000).toISOString()));
    await Promise.all(runs);
    assert.deepEqual(keys, expectedKeys(c), 'the live claim was not taken over');
    assert.deepEqual(await sentKeys(w), expectedKeys(c));
  } finally {
    await w.dispose();
  }
});

test('unauthenticated requests are refused; health is open', async () => {
  const w = await startWorker();
  try {
    const health = await w.mf.dispatchFetch('http://relance.test/v1/health');
    assert.equal(health.status, 200);
    for (const auth of [undefined, 'Bearer nope', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await w.mf.dispatchFetch('http://relance.test/v1/invoices', { headers: auth ? { Authorization: auth } : {} });
      assert.equal(res.status, 401, String(auth));
      assert.equal((await res.json()).error.code, 'unauthorized');
    }
    // The scheme is case-insensitive (RFC 7235).
    const lower = await w.mf.dispatchFetch('http://relance.test/v1/invoices', { headers: { Authorization: `bearer ${TOKEN}` } });
    assert.equal(lower.status, 200);
  } finally {
    await w.dispose();
  }
});

/// A request body that never ends: chunks of 64 KiB for as long as they are read.
/// POSTs a body far longer than any limit (up to 4 096 chunks of 64 KiB, chunked) over a raw
/// socket to the worker's address, and resolves with the status of the answer and the chunks
/// written before it came. Not through fetch: undici, when the worker answers and closes before
/// the body is sent, sometimes rejects with ECONNRESET or never settles, and Miniflare's dispose
/// then waits for ever.
async function postEndless(w, headers) {
  const url = await w.mf.ready;
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunk = Buffer.alloc(65536, 0x20);
    let chunks = 0;
    let status = null;
    socket.on('data', (data) => {
      if (status !== null) return;
      status = Number(/^HTTP\/1\.1 (\d+)/.exec(data.toString('latin1'))?.[1]);
      resolve({ status, chunks });
      socket.destroy();
    });
    socket.on('error', (e) => status === null && reject(e));
    const head = ['POST /v1/invoices HTTP/1.1', 'Host: relance.test', 'Content-Type: application/json',
      'Transfer-Encoding: chunked', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''];
    socket.write(head.join('\r\n'));
    const pump = () => {
      while (status === null && chunks < 4096) {
        chunks += 1;
        socket.write('10000\r\n');
        socket.write(chunk);
        if (!socket.write('\r\n')) return void socket.once('drain', pump);
      }
      if (status === null) socket.write('0\r\n\r\n'); // a worker that reads it all answers at last
    };
    pump();
  });
}

test('the token is checked before the body is read, and a body is read only up to the limit', async () => {
  const w = await startWorker({ vars: { MAX_BODY_BYTES: '1048576' } });
  try {
    // The body is 256 MiB: a worker that read it before answering would answer after all of it.
    // What is written before the answer is what the sockets buffer ahead, whatever the length.
    const anonymous = await postEndless(w, {});
    assert.equal(anonymous.status, 401);
    const signed = await postEndless(w, { Authorization: `Bearer ${TOKEN}` });
    assert.equal(signed.status, 413);
    console.log(`written before the answer: ${anonymous.chunks} chunks unauthenticated, ${signed.chunks} past a 1 MiB limit (64 KiB each)`);
    assert.ok(anonymous.chunks < 256 && signed.chunks < 256, 'the body was not read to its end');
  } finally {
    await w.dispose();
  }
});

test('API round trips, and malformed input gets a 400 with code and path that writes nothing', async () => {
  const ledger = golden('01-sample-ledger-standard.json').input.ledger;
  const w = await startWorker({ vars: { MAX_BODY_BYTES: '2048' } });
  try {
    assert.equal((await w.api('PUT', '/v1/settings', { creditor: ledger.creditor })).status, 200);
    const debtor = ledger.debtors[0];
    assert.equal((await w.api('POST', '/v1/debtors', { ...debtor, policyId: 'gentle' })).status, 201);
    const invoice = ledger.invoices.find((i) => i.debtorId === debtor.id);
    const created = await w.api('POST', '/v1/invoices', invoice);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const got = await w.api('GET', `/v1/invoices/${encodeURIComponent(invoice.id)}`);
    assert.equal(got.body.invoice.total, invoice.total);
    const count = async () => (await w.db.prepare('SELECT (SELECT COUNT(*) FROM invoices) + (SELECT COUNT(*) FROM payments) + (SELECT COUNT(*) FROM audit) AS n').first()).n;
    const before = await count();
    const bad = [
      ['POST', '/v1/invoices', { ...invoice, id: 'x-1', total: 'douze' }, 'invalid_amount', 'total'],
      ['POST', '/v1/invoices', { ...invoice, id: 'x-2', issueDate: '2026-02-30' }, 'invalid_date', 'issueDate'],
      ['POST', `/v1/invoices/${invoice.id}/payments`, { date: '2026-11-01' }, 'missing_field', 'amount'],
      ['POST', '/v1/invoices', '{"id": "x-3",', 'invalid_json', ''],
      ['POST', '/v1/debtors', { ...debtor, id: 'd-x', country: 'France' }, 'invalid_country', 'country'],
    ];
    for (const [method, path, body, code, where] of bad) {
      const r = await w.api(method, path, body);
      assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
      assert.deepEqual([r.body.error.code, r.body.error.path], [code, where], JSON.stringify(r.body));
    }
    const big = await w.api('POST', '/v1/invoices', { ...invoice, id: 'x-4', number: 'N'.repeat(5000) });
    assert.equal(big.status, 413);
    assert.equal(await count(), before, 'nothing written');
    const paid = await w.api('POST', `/v1/invoices/${invoice.id}/payments`, { date: '2026-11-20', amount: invoice.total });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal(paid.body.settledOn, '2026-11-20');
    const csv = `id,number,debtorId,issueDate,dueDate,currency,total\nc-1,C-1,${debtor.id},2026-10-01,2026-10-31,EUR,99.90\n`;
    const imported = await w.api('POST', '/v1/import/invoices', csv, { 'Content-Type': 'text/csv' });
    assert.deepEqual([imported.status, imported.body.imported], [201, 1]);
    const timeline = await w.api('GET', '/v1/invoices/c-1/timeline?asOf=2026-11-23');
    assert.equal(timeline.body.policyId, 'gentle');
    assert.ok(timeline.body.timeline.steps.length > 0);
    const audit = (await w.api('GET', '/v1/audit')).body.audit.map((a) => a.action);
    assert.ok(audit.includes('invoice.imported') && audit.includes('payment.recorded'), audit.join());
    assert.equal((await w.api('DELETE', '/v1/invoices/c-1')).status, 204);
    assert.equal((await w.api('GET', '/v1/invoices/c-1')).status, 404);
  } finally {
    await w.dispose();
  }
});

test('ten payments posted at once on one invoice are all stored, each with its audit row (no lost write)', async () => {
  const w = await startWorker();
  try {
    const ledger = JSON.parse(readFileSync(join(root, 'samples', 'ledger.json'), 'utf8'));
    await seed(w, ledger);
    const id = ledger.invoices[0].id;
    const before = ledger.invoices[0].payments.length;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      w.api('POST', `/v1/invoices/${id}/payments`, { date: '2026-11-20', amount: `${i + 1}.00`, reference: `P${i + 1}` })));
    assert.deepEqual(answers.map((a) => a.status), Array(10).fill(200), JSON.stringify(answers.map((a) => a.body)));
    const stored = (await w.api('GET', `/v1/invoices/${id}`)).body;
    const references = stored.invoice.payments.slice(before).map((p) => p.reference).sort();
    assert.deepEqual(references, Array.from({ length: 10 }, (_, i) => `P${i + 1}`).sort());
    assert.equal(stored.version, 1 + 10, 'one version per write');
    const audit = await w.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'payment.recorded' AND entity_id = ?1").bind(id).first();
    assert.equal(audit.n, 10, 'the audit trail and the data agree');
  } finally {
    await w.dispose();
  }
});
