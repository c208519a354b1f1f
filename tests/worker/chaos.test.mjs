// The built worker under chaos (issue 24), on 127.0.0.1 only and bounded in time: parallel and
// overlapping cron runs on the same and on different scheduled times against a slow receiver
// that fails one request in three, concurrent API writes on the same invoices, and fuzzed API
// bodies. What must hold: no invoice-step and no key accepted twice by the receiver, no action
// that `dueActions` expects lost, the stored data equal to the audit trail, and never a 5xx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as relance from '../../wasm/package/dist/node.mjs';
import { startWorker, seed, root } from './support.mjs';

const NOW = '2026-11-23T09:30:00Z';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// A small deterministic generator (mulberry32), so that a failure can be replayed.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/// `debtors` French debtors with three invoices each, issued 20 to 50 days before NOW (net 30), so
/// that the emails around the due date are due for many of them.
function chaosLedger(debtors) {
  const sample = JSON.parse(readFileSync(join(root, 'samples', 'ledger.json'), 'utf8'));
  const day = (offset) => new Date(Date.parse(NOW) - offset * 86_400_000).toISOString().slice(0, 10);
  const ledger = { creditor: sample.creditor, debtors: [], invoices: [] };
  for (let d = 0; d < debtors; d += 1) {
    ledger.debtors.push({ id: `d${d}`, name: `Débiteur ${d}`, kind: 'business', country: 'FR', locale: 'fr',
      timeZone: 'Europe/Paris', contacts: { emails: [`d${d}@example.org`] } });
    for (let k = 0; k < 3; k += 1) {
      ledger.invoices.push({ id: `i${d}-${k}`, number: `F-${d}-${k}`, debtorId: `d${d}`, issueDate: day(20 + ((d * 7 + k * 11) % 30)),
        currency: 'EUR', total: `${100 + d * 10 + k}.00`, terms: { type: 'net', days: 30 } });
    }
  }
  return ledger;
}

/// A receiver (the email provider) that answers after up to 200 ms and fails the first attempt of
/// one key in three (which key is drawn from the seed); it counts what it accepted, by key.
function flakyReceiver(seed) {
  const next = random(seed);
  const accepted = new Map();
  const tried = new Set();
  let requests = 0;
  const outbound = async (req) => {
    requests += 1;
    const key = req.headers.get('Idempotency-Key');
    await sleep(Math.floor(next() * 200));
    const first = !tried.has(key);
    tried.add(key);
    if (first && next() < 1 / 3) return new Response('{"message":"upstream"}', { status: 500 });
    accepted.set(key, (accepted.get(key) ?? 0) + 1);
    return Response.json({ id: `m-${key}` });
  };
  return { outbound, accepted, requests: () => requests };
}

const VARS = { EMAIL_PROVIDER: 'resend', RESEND_API_KEY: 're_test', EMAIL_FROM: 'billing@acme.test', BATCH_SIZE: '500',
  SEND_TIMEOUT_MS: '2000', RETRY_BASE_SECONDS: '1', MAX_ATTEMPTS: '20' };

/// Invoice-steps of the keys the receiver accepted, each with how often.
async function acceptedSteps(w, accepted) {
  const rows = (await w.db.prepare('SELECT key, items FROM deliveries').all()).results;
  const steps = new Map();
  for (const { key, items } of rows) {
    if (!accepted.has(key)) continue;
    for (const i of JSON.parse(items)) {
      const step = `${i.invoiceId}/${i.stepId}`;
      steps.set(step, (steps.get(step) ?? 0) + accepted.get(key));
    }
  }
  return steps;
}

/// Runs the scheduled times given at once, then again, each time the next back-off is over,
/// until no retry is left (at most a minute).
async function runUntilSettled(w, times) {
  const deadline = Date.now() + 60_000;
  await Promise.all(times.map((t) => w.scheduled(t)));
  while (Date.now() < deadline) {
    const left = await w.db.prepare(
      "SELECT COUNT(*) AS n, MIN(next_attempt_at) AS next FROM deliveries WHERE status IN ('retry', 'claimed')").first();
    if (left.n === 0) return;
    const wait = left.next ? Date.parse(left.next) - Date.now() : 1000;
    await sleep(Math.min(Math.max(wait, 0) + 100, 10_000));
    await Promise.all(times.map((t) => w.scheduled(t)));
  }
  assert.fail('deliveries still waiting after a minute');
}

test('five runs at once on one scheduled time, a slow and failing receiver: every due action once, none lost', async () => {
  const ledger = chaosLedger(30);
  const expected = relance.dueActions({ ledger, policy: 'standard', sentLog: [], now: NOW });
  assert.ok(expected.length >= 10, `enough due actions to mean something (${expected.length})`);
  const receiver = flakyReceiver(7);
  const w = await startWorker({ vars: VARS, outbound: receiver.outbound });
  try {
    await seed(w, ledger, 'standard');
    await runUntilSettled(w, [NOW, NOW, NOW, NOW, NOW]);
    const emails = expected.filter((a) => a.channel === 'email').map((a) => a.key).sort();
    assert.ok(emails.length >= 10, `enough emails due to mean something (${emails.length})`);
    assert.deepEqual([...receiver.accepted.keys()].sort(), emails, 'each expected email accepted, nothing else');
    assert.ok([...receiver.accepted.values()].every((n) => n === 1), 'no key accepted twice');
    assert.ok([...(await acceptedSteps(w, receiver.accepted)).values()].every((n) => n === 1), 'no invoice-step twice');
    // Nothing lost: every expected action has its one delivery (sent, a task, or failed in sight
    // with its reason, such as a letter whose penalties need a rate not yet published).
    const deliveries = (await w.db.prepare('SELECT key, status FROM deliveries').all()).results;
    assert.deepEqual(deliveries.map((d) => d.key).sort(), expected.map((a) => a.key).sort());
    assert.ok(deliveries.every((d) => ['sent', 'task', 'failed'].includes(d.status)), JSON.stringify(deliveries));
    const tasks = (await w.db.prepare('SELECT id FROM tasks').all()).results.map((t) => t.id);
    assert.equal(new Set(tasks).size, tasks.length, 'no task twice');
    console.log(`chaos, one time: ${expected.length} actions, ${receiver.requests()} requests, ${receiver.accepted.size} accepted`);
  } finally {
    await w.dispose();
  }
});

test('overlapping runs on different scheduled times never send an invoice-step twice', async () => {
  const ledger = chaosLedger(30);
  const receiver = flakyReceiver(11);
  const w = await startWorker({ vars: VARS, outbound: receiver.outbound });
  try {
    await seed(w, ledger, 'standard');
    const t0 = Date.parse(NOW);
    const times = [0, 15, 30, 24 * 60, 24 * 60 + 15].map((m) => new Date(t0 + m * 60_000).toISOString());
    await runUntilSettled(w, times);
    const statuses = (await w.db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all()).results;
    assert.ok(receiver.accepted.size > 0, JSON.stringify(statuses));
    assert.ok([...receiver.accepted.values()].every((n) => n === 1), 'no key accepted twice');
    const steps = await acceptedSteps(w, receiver.accepted);
    const twice = [...steps].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'no invoice-step accepted twice, under one key or two');
  } finally {
    await w.dispose();
  }
});

test('concurrent API writes on the same invoices: the data equals the audit trail', async () => {
  const ledger = chaosLedger(3);
  const w = await startWorker();
  try {
    await seed(w, ledger, 'standard');
    const ids = ledger.invoices.slice(0, 4).map((i) => i.id);
    const writes = [];
    for (let n = 0; n < 24; n += 1) {
      const id = ids[n % ids.length];
      // Twenty payments, then one dispute on each invoice, all at once.
      writes.push(n >= 20
        ? w.api('POST', `/v1/invoices/${id}/disputes`, { openedOn: '2026-11-20', reason: `r${n}` })
        : w.api('POST', `/v1/invoices/${id}/payments`, { date: '2026-11-20', amount: '1.00', reference: `p${n}` }));
    }
    const answers = await Promise.all(writes);
    assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers.filter((a) => a.status !== 200).map((a) => a.body)));
    // Three disputes opened at once on one invoice: one is opened, the others are refused.
    const contested = ledger.invoices[5].id;
    const opened = await Promise.all([1, 2, 3].map((n) =>
      w.api('POST', `/v1/invoices/${contested}/disputes`, { openedOn: '2026-11-20', reason: `c${n}` })));
    assert.equal(opened.filter((a) => a.status === 200).length, 1, JSON.stringify(opened.map((a) => a.body)));
    assert.ok(opened.every((a) => [200, 400, 409].includes(a.status)));
    for (const id of [...ids, contested]) {
      const stored = (await w.api('GET', `/v1/invoices/${id}`)).body.invoice;
      const audit = async (action) => (await w.db.prepare('SELECT COUNT(*) AS n FROM audit WHERE action = ?1 AND entity_id = ?2').bind(action, id).first()).n;
      assert.equal(stored.payments.length, await audit('payment.recorded'), `${id}: payments`);
      assert.equal(stored.disputes.length, await audit('dispute.opened'), `${id}: disputes`);
    }
  } finally {
    await w.dispose();
  }
});

test('fuzzed API bodies never get a 5xx', async () => {
  const next = random(42);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const ledger = chaosLedger(2);
  const w = await startWorker();
  try {
    await seed(w, ledger, 'standard');
    const good = ledger.invoices[0];
    const values = [null, true, 0, -1, 1e308, '', 'x'.repeat(5000), '2026-02-30', '9999-12-31', '1e3', '12.345', [], {}, [[[]]],
      { '': 1 }, 'é\u0000\u2028', 'a@b', '0.001', '-0.00'];
    const mutate = (obj) => {
      const copy = structuredClone(obj);
      const keys = Object.keys(copy);
      const action = next();
      if (action < 0.4 && keys.length) copy[pick(keys)] = pick(values);
      else if (action < 0.6 && keys.length) delete copy[pick(keys)];
      else if (action < 0.8) copy[`extra${Math.floor(next() * 9)}`] = pick(values);
      else return pick(values);
      return copy;
    };
    const routes = [
      ['POST', '/v1/invoices', () => mutate({ ...good, id: `fz-${Math.floor(next() * 1e9)}` })],
      ['PUT', `/v1/invoices/${good.id}`, () => mutate(good)],
      ['POST', `/v1/invoices/${good.id}/payments`, () => mutate({ date: '2026-11-20', amount: '1.00' })],
      ['POST', `/v1/invoices/${good.id}/disputes`, () => mutate({ openedOn: '2026-11-20' })],
      ['PUT', `/v1/invoices/${good.id}/payment-plan`, () => mutate({ agreedOn: '2026-11-20', instalments: [{ dueDate: '2026-12-20', amount: '10.00' }] })],
      ['POST', '/v1/debtors', () => mutate({ ...ledger.debtors[0], id: `fz-${Math.floor(next() * 1e9)}` })],
      ['PUT', '/v1/settings', () => mutate({ creditor: ledger.creditor })],
      ['POST', '/v1/policies', () => mutate(relance.presets()[0])],
      ['PATCH', '/v1/tasks/t1', () => mutate({ status: 'done' })],
      ['POST', '/v1/import/ledger', () => mutate(ledger)],
    ];
    const statuses = new Map();
    for (let n = 0; n < 300; n += 1) {
      const [method, path, body] = pick(routes);
      const raw = next() < 0.1 ? JSON.stringify(body()).slice(0, Math.floor(next() * 40)) : body();
      const res = await w.api(method, path, raw).catch((e) => ({ status: 0, body: String(e) }));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status > 0 && res.status < 500, `${method} ${path} ${JSON.stringify(raw).slice(0, 200)}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    console.log(`fuzz: ${JSON.stringify(Object.fromEntries(statuses))}`);
  } finally {
    await w.dispose();
  }
});
