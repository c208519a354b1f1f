// The built worker under Miniflare hearing the debtor (issue 20): replies reach its email handler
// through the local email endpoint (`/cdn-cgi/handler/email`, as under `wrangler dev`), addressed
// to the plus-addressed reply-to of a reminder. The whole loop: a reminder sent, the reply
// received and forwarded, the next step held and a task to read it; a promise recorded, broken,
// and the path resumed once; a bounce turning the next email into a letter.
//
// Replies are dated by the worker's clock (now), so each timeline here is laid out around today,
// with calendar days and no business-day moves, so that every date is known in advance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, root } from './support.mjs';

const FIXTURE_KEY = 'rl_00000000000000000000000000000000';
const REPLY_TO = 'relances@atelier-durand.example';
const FORWARD_TO = 'compta@atelier-durand.example';
const DAY = 86_400_000;
// Today in Paris, the debtor's zone, in which the worker dates a reply: from 22:00 or 23:00 UTC it
// is already tomorrow there (a UTC "today" put the reply a day late and its pause past the run).
const parisToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
const today = new Date(`${parisToday}T00:00:00Z`).getTime();
const day = (n) => new Date(today + n * DAY).toISOString().slice(0, 10);
/// Noon UTC on day n: inside the send window (which here is the whole day, Paris time).
const noon = (n) => new Date(today + n * DAY + 12 * 3_600_000).toISOString();

const fixture = (name, key) => readFileSync(join(root, 'tests', 'fixtures', 'email', name), 'utf8').replaceAll(FIXTURE_KEY, key);
const replyTo = (key) => `relances+${key}@atelier-durand.example`;

/// One French business debtor with an email and a postal address; one invoice due two days ago.
async function seedAccount(w) {
  const sample = JSON.parse(readFileSync(join(root, 'samples', 'ledger.json'), 'utf8'));
  const ledger = {
    creditor: sample.creditor,
    debtors: [{ id: 'd-1', name: 'Brasserie du Parc SAS', kind: 'business', country: 'FR', locale: 'fr',
      timeZone: 'Europe/Paris', contacts: { emails: ['factures@brasserie-du-parc.example'],
        postalAddress: { lines: ['3 place Bellecour'], postalCode: '69002', city: 'Lyon', country: 'FR' } } }],
    invoices: [{ id: 'inv-1', number: 'F-2026-1041', debtorId: 'd-1', issueDate: day(-32), dueDate: day(-2),
      currency: 'EUR', total: '1000.00' }],
  };
  // reminder-1 the day after the due date; reminder-2 three days later; a call two days after
  // that unless the debtor answered; a letter three days later.
  const policy = { id: 'listening', name: 'Listening', businessDayAdjustment: 'none',
    sendWindow: { startHour: 0, endHour: 24 }, minGapDays: 0, grouping: false, catchUp: { maxLatenessDays: 0 },
    answers: { promiseGraceDays: 3, replyPauseDays: 5 },
    steps: [
      { id: 'reminder-1', anchor: 'due_date', offset: 1, channel: 'email', template: 'first_reminder', level: 2, tone: 'friendly' },
      { id: 'reminder-2', anchor: 'previous_step', offset: 3, channel: 'email', template: 'second_reminder', level: 3, tone: 'firm' },
      { id: 'phone-call', anchor: 'previous_step', offset: 2, channel: 'phone_task', template: 'phone_call', level: 3,
        tone: 'firm', conditions: { noReplyForDays: 2 } },
      { id: 'formal-letter', anchor: 'previous_step', offset: 3, channel: 'letter', template: 'formal_letter', level: 4, tone: 'firm' },
    ] };
  for (const [method, path, body] of [['POST', '/v1/import/ledger', ledger], ['POST', '/v1/policies', policy],
    ['PUT', '/v1/settings', { defaultPolicy: 'listening' }]]) {
    const r = await w.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

const listeningWorker = (vars = {}) =>
  startWorker({ vars: { EMAIL_REPLY_TO: REPLY_TO, REPLY_FORWARD_TO: FORWARD_TO, ...vars } });
const rows = async (w, sql) => (await w.db.prepare(sql).all()).results;
const outbox = async (w) => (await w.api('GET', '/v1/outbox')).body.outbox;
const tasks = async (w) => (await w.api('GET', '/v1/tasks?limit=1000')).body.tasks;
const keyOf = async (w, step) => (await w.api('GET', '/v1/deliveries')).body.deliveries.find((d) => d.stepId === step)?.key;

test('a reply is forwarded, recorded, read by a person, and holds the next reminder', async () => {
  const w = await listeningWorker();
  try {
    await seedAccount(w);
    await w.scheduled(noon(-1));
    const key = await keyOf(w, 'reminder-1');
    assert.ok(key, 'reminder-1 went out');
    const sent = await w.email('factures@brasserie-du-parc.example', replyTo(key), fixture('human-fr.eml', key));
    assert.equal(sent.status, 200, sent.text);
    const replies = (await w.api('GET', '/v1/replies?debtorId=d-1')).body.replies;
    assert.deepEqual(replies.map((r) => [r.kind, r.answers, r.debtorId]), [['human', key, 'd-1']]);
    const [audit] = await rows(w, "SELECT detail FROM audit WHERE action = 'reply.received'");
    assert.equal(JSON.parse(audit.detail).forwardedTo, FORWARD_TO);
    assert.ok((await tasks(w)).some((t) => t.kind === 'read_reply' && t.debtor_id === 'd-1'));
    // The same message delivered again is recorded once.
    assert.equal((await w.email('factures@brasserie-du-parc.example', replyTo(key), fixture('human-fr.eml', key))).status, 200);
    assert.equal((await w.api('GET', '/v1/replies?debtorId=d-1')).body.replies.length, 1);

    // reminder-2 was due on day 2; the reply of today holds it to day 5.
    const before = (await outbox(w)).length;
    await w.scheduled(noon(2));
    assert.equal((await outbox(w)).length, before, 'nothing goes out during the pause');
    await w.scheduled(noon(5));
    assert.equal((await outbox(w)).length, before + 1, 'reminder-2 after the pause');
    assert.ok(await keyOf(w, 'reminder-2'));

    // An out-of-office is not an answer: recorded, no task, nothing held.
    const ooo = await w.email('factures@brasserie-du-parc.example', replyTo(key), fixture('ooo-fr.eml', key));
    assert.equal(ooo.status, 200, ooo.text);
    const kinds = (await w.api('GET', '/v1/replies?debtorId=d-1')).body.replies.map((r) => r.kind).sort();
    assert.deepEqual(kinds, ['auto_reply', 'human']);
    assert.equal((await tasks(w)).filter((t) => t.kind === 'read_reply').length, 1);

    // A promise on day 5 for day 8 (grace 3): the call of day 7 waits; on day 12 the promise is
    // broken, said once, and the path resumes: the call two days later.
    const promise = { madeOn: day(5), promisedDate: day(8), amount: '1000.00', via: 'phone' };
    assert.equal((await w.api('POST', '/v1/invoices/inv-1/promises', promise)).status, 200);
    await w.scheduled(noon(7));
    assert.equal((await tasks(w)).filter((t) => t.kind === 'call').length, 0, 'no call while the promise is open');
    await w.scheduled(noon(12));
    await w.scheduled(noon(12).replace('T12', 'T13'));
    const broken = (await outbox(w)).filter((m) => m.subject.startsWith('Règlement promis non reçu'));
    assert.equal(broken.length, 1, 'the broken promise is said once');
    await w.scheduled(noon(14));
    assert.equal((await tasks(w)).filter((t) => t.kind === 'call').length, 1, 'the path resumes with the call');
  } finally {
    await w.dispose();
  }
});

test('a bounce turns the next email into a letter and asks for a good address', async () => {
  const w = await listeningWorker();
  try {
    await seedAccount(w);
    await w.scheduled(noon(-1));
    const key = await keyOf(w, 'reminder-1');
    const bounce = await w.email('MAILER-DAEMON@mx.atelier-durand.example', replyTo(key), fixture('dsn-bounce.eml', key));
    assert.equal(bounce.status, 200, bounce.text);
    const [reply] = (await w.api('GET', '/v1/replies?debtorId=d-1')).body.replies;
    assert.deepEqual([reply.kind, reply.address], ['bounce', 'factures@brasserie-du-parc.example']);
    assert.ok((await tasks(w)).some((t) => t.kind === 'fix_email'));
    const emails = (await outbox(w)).length;
    await w.scheduled(noon(2));
    assert.equal((await outbox(w)).length, emails, 'no email to an address that bounced');
    const letters = (await tasks(w)).filter((t) => t.kind === 'letter');
    assert.equal(letters.length, 1, JSON.stringify(await tasks(w)));
    assert.equal(letters[0].data.action.stepId, 'reminder-2');
  } finally {
    await w.dispose();
  }
});

test('replies that name no reminder, or are too large to read, are kept and forwarded', async () => {
  const w = await listeningWorker({ MAX_INBOUND_BYTES: '1024' });
  try {
    await seedAccount(w);
    await w.scheduled(noon(-1));
    const key = await keyOf(w, 'reminder-1');
    const stranger = await w.email('factures@brasserie-du-parc.example', REPLY_TO, fixture('html-only.eml', key).replace(replyTo(key), REPLY_TO));
    assert.equal(stranger.status, 200, stranger.text);
    assert.equal((await rows(w, "SELECT id FROM audit WHERE action = 'reply.unmatched'")).length, 1);
    assert.ok((await tasks(w)).some((t) => t.id.startsWith('read_unmatched_reply:')));
    const big = fixture('with-attachment.eml', key).replace('--mixed-boundary--', `${'A'.repeat(4000)}\r\n--mixed-boundary--`);
    const large = await w.email('factures@brasserie-du-parc.example', replyTo(key), big);
    assert.equal(large.status, 200, large.text);
    const [reply] = (await w.api('GET', '/v1/replies?debtorId=d-1')).body.replies;
    assert.equal(reply.kind, 'unreadable');
    const details = (await rows(w, "SELECT detail FROM audit WHERE action IN ('reply.received', 'reply.unmatched')"))
      .map((r) => JSON.parse(r.detail));
    assert.ok(details.every((d) => d.forwardedTo === FORWARD_TO), JSON.stringify(details));
  } finally {
    await w.dispose();
  }
});
