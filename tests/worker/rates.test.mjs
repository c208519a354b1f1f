// The built worker under Miniflare keeping its reference rates current: local fakes of the sources
// answer the daily trigger (`0 5 * * *`). A mise en demeure needing the 2026-H2 rate waits until
// the ECB's rate is fetched, then goes out once; a source down for days opens one task and loses
// nothing; a corrected value gets its audit row and task; every source is read, the French legal
// rates from service-public.fr's fiche included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, root } from './support.mjs';

const ECB_URL = 'http://rates.test/ecb';
const RATES_CRON = '0 5 * * *';
const FIXTURE = readFileSync(join(root, 'tests', 'fixtures', 'rates', 'ecb_mro.csv'), 'utf8');
const change = (day, rate) => `FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,${day},${rate}\n`;

/// A worker whose ECB source is `source.page` (a CSV text, or null when the source is down).
async function workerWithSource(source) {
  return startWorker({
    vars: { RATE_SOURCES: 'ecb_mro', RATE_URL_ECB_MRO: ECB_URL },
    outbound: (request) => {
      if (request.url !== ECB_URL) return new Response('no network in tests', { status: 599 });
      source.requests = (source.requests ?? 0) + 1;
      if (source.page === null) throw new Error('connection refused');
      return new Response(source.page, { headers: { 'Content-Type': 'text/csv' } });
    },
  });
}

/// One French business debtor owing 4 800 EUR due 2026-10-01; the policy's only step is the mise
/// en demeure by email 45 days after the due date (Monday 2026-11-16).
async function seedNotice(w) {
  const sample = JSON.parse(readFileSync(join(root, 'samples', 'ledger.json'), 'utf8'));
  const ledger = {
    creditor: sample.creditor,
    debtors: [{ id: 'd-1', name: 'Brasserie du Parc SAS', kind: 'business', country: 'FR', locale: 'fr',
      timeZone: 'Europe/Paris', contacts: { emails: ['factures@brasserie.example'] } }],
    invoices: [{ id: 'inv-1', number: 'F-2026-0901', debtorId: 'd-1', issueDate: '2026-09-01', dueDate: '2026-10-01',
      currency: 'EUR', total: '4800.00' }],
  };
  const policy = { id: 'notice-only', name: 'Notice only', businessDayAdjustment: 'forward',
    sendWindow: { startHour: 9, endHour: 18 }, minGapDays: 0, grouping: false, catchUp: { maxLatenessDays: 30 },
    steps: [{ id: 'formal-notice', anchor: 'due_date', offset: 45, channel: 'email', template: 'formal_notice',
      level: 5, tone: 'formal', deadlineDays: 8 }] };
  for (const [method, path, body] of [['POST', '/v1/import/ledger', ledger], ['POST', '/v1/policies', policy],
    ['PUT', '/v1/settings', { defaultPolicy: 'notice-only' }]]) {
    const r = await w.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

const rows = async (w, sql) => (await w.db.prepare(sql).all()).results;
const tasksOf = async (w, kind) => (await w.api('GET', '/v1/tasks?limit=1000')).body.tasks
  .filter((t) => t.kind === kind).map((t) => [t.id, t.status]);
const ecbView = async (w) => (await w.api('GET', '/v1/rates')).body.tables.find((t) => t.table === 'ecb_mro');

test('a mise en demeure needing an unpublished rate waits, then is sent once after the daily fetch', async () => {
  const source = { page: null };
  const w = await workerWithSource(source);
  try {
    await seedNotice(w);
    await w.scheduled('2026-11-16T09:00:00Z');
    await w.scheduled('2026-11-16T09:15:00Z');
    const waiting = (await w.api('GET', '/v1/deliveries?status=waiting_rate')).body.deliveries;
    assert.equal(waiting.length, 1);
    assert.match(waiting[0].lastError, /2026-H2/);
    assert.deepEqual(await tasksOf(w, 'missing_rate'), [['missing_rate:ecb_mro:2026-H2', 'open']]);
    assert.equal((await w.api('GET', '/v1/outbox')).body.outbox.length, 0);
    let view = await ecbView(w);
    assert.deepEqual(view.missing, ['2026-H2']);
    assert.equal((await w.api('GET', '/v1/rates')).body.waitingDeliveries, 1);

    source.page = FIXTURE;
    await w.scheduled('2026-11-17T05:00:00Z', RATES_CRON);
    assert.equal(source.requests, 1);
    view = await ecbView(w);
    assert.deepEqual(view.missing, []);
    assert.equal(view.source.fetchedAt, '2026-11-17T05:00:00Z');
    assert.equal(view.fetchedRows, 1);
    assert.deepEqual(await rows(w, 'SELECT day, rate, source, series FROM rate_rows'),
      [{ day: '2026-07-01', rate: '2.15', source: 'ECB Data Portal', series: 'FM.D.U2.EUR.4F.KR.MRR_FR.LEV' }]);
    assert.deepEqual(await tasksOf(w, 'missing_rate'), [['missing_rate:ecb_mro:2026-H2', 'done']]);

    await w.scheduled('2026-11-17T09:00:00Z');
    await w.scheduled('2026-11-17T09:15:00Z');
    const outbox = (await w.api('GET', '/v1/outbox')).body.outbox;
    assert.equal(outbox.length, 1);
    // 4 800 EUR at 12.15 % (2.15 + 10) from 2026-10-02 to 2026-11-17: 47 days / 365 = 75.10 EUR.
    assert.match(outbox[0].text_body, /75,10/);
    const all = (await w.api('GET', '/v1/deliveries')).body.deliveries;
    assert.deepEqual(all.map((d) => d.status), ['sent']);
  } finally {
    await w.dispose();
  }
});

test('a source down for days opens one task and loses nothing; its return closes it', async () => {
  const source = { page: FIXTURE };
  const w = await workerWithSource(source);
  try {
    await seedNotice(w);
    await w.scheduled('2026-11-10T05:00:00Z', RATES_CRON);
    source.page = null;
    for (const day of [11, 12, 13, 14]) await w.scheduled(`2026-11-${day}T05:00:00Z`, RATES_CRON);
    assert.deepEqual(await tasksOf(w, 'rate_source_down'), [['rate_source_down:ecb_mro:2026-11-11', 'open']]);
    assert.equal((await rows(w, 'SELECT day FROM rate_rows')).length, 1);
    const view = await ecbView(w);
    assert.equal(view.source.failingSince, '2026-11-11T05:00:00Z');
    assert.match(view.source.lastError, /rates\.test\/ecb/);
    // The notice is priced with the rows fetched before the outage.
    await w.scheduled('2026-11-16T09:00:00Z');
    assert.equal((await w.api('GET', '/v1/outbox')).body.outbox.length, 1);

    source.page = '<html><body>Service unavailable</body></html>';
    await w.scheduled('2026-11-15T05:00:00Z', RATES_CRON);
    assert.match((await ecbView(w)).source.lastError, /invalid_rate_source/);
    source.page = FIXTURE;
    await w.scheduled('2026-11-16T05:00:00Z', RATES_CRON);
    assert.deepEqual(await tasksOf(w, 'rate_source_down'), [['rate_source_down:ecb_mro:2026-11-11', 'done']]);
    assert.equal((await ecbView(w)).source.failingSince, null);
  } finally {
    await w.dispose();
  }
});

test('a value the source corrects is replaced with an audit row and one task', async () => {
  const source = { page: FIXTURE + change('2026-09-10', '2.40') };
  const w = await workerWithSource(source);
  try {
    await seedNotice(w);
    await w.scheduled('2026-11-10T05:00:00Z', RATES_CRON);
    source.page = FIXTURE + change('2026-09-10', '2.25');
    await w.scheduled('2026-11-11T05:00:00Z', RATES_CRON);
    await w.scheduled('2026-11-12T05:00:00Z', RATES_CRON);
    assert.deepEqual(await rows(w, "SELECT rate FROM rate_rows WHERE day = '2026-09-10'"), [{ rate: '2.25' }]);
    assert.deepEqual(await tasksOf(w, 'rate_correction'), [['rate_correction:ecb_mro:2026-09-10:2.25', 'open']]);
    const audit = (await w.api('GET', '/v1/audit?limit=1000')).body.audit.filter((a) => a.action === 'rate.correction');
    assert.equal(audit.length, 1);
    const detail = typeof audit[0].detail === 'string' ? JSON.parse(audit[0].detail) : audit[0].detail;
    assert.deepEqual([detail.held, detail.published, detail.applied], ['2.40', '2.25', true]);
  } finally {
    await w.dispose();
  }
});

test('every source is read from its local fake by the daily trigger, the French legal rates included', async () => {
  const fixture = (name) => readFileSync(join(root, 'tests', 'fixtures', 'rates', name), 'utf8');
  // The fiche with a made-up 2026-H2 row (our sources do not have the real rates), in its form.
  const fiche = fixture('service_public_f783.xml').replace('<Cellule><Paragraphe>2026</Paragraphe></Cellule>\n',
    `<Cellule fusionVerticale="2"><Paragraphe>2026</Paragraphe></Cellule>
          <Cellule><Paragraphe>2<Exposant>e</Exposant> semestre</Paragraphe></Cellule>
          <Cellule><Paragraphe><Valeur>6,58 %</Valeur></Paragraphe></Cellule>
          <Cellule><Paragraphe><Valeur>2,51 %</Valeur></Paragraphe></Cellule>
        </Rangée>
        <Rangée type="normal">
`);
  const pages = {
    'http://rates.test/ecb': fixture('ecb_mro.csv'),
    'http://rates.test/bundesbank': fixture('bundesbank_basiszinssatz.csv'),
    'http://rates.test/boe': fixture('boe_bank_rate.csv'),
    'http://rates.test/f783': fiche,
  };
  const asked = [];
  const w = await startWorker({
    vars: {
      RATE_SOURCES: 'ecb_mro,de_basiszinssatz,boe_bank_rate,fr_legal_individuals,fr_legal_other',
      RATE_URL_ECB_MRO: 'http://rates.test/ecb', RATE_URL_DE_BASISZINSSATZ: 'http://rates.test/bundesbank',
      RATE_URL_BOE_BANK_RATE: 'http://rates.test/boe', RATE_URL_FR_LEGAL_INDIVIDUALS: 'http://rates.test/f783',
      RATE_URL_FR_LEGAL_OTHER: 'http://rates.test/f783',
    },
    outbound: (request) => {
      asked.push(request.url);
      const page = pages[request.url];
      return page ? new Response(page) : new Response('no network in tests', { status: 599 });
    },
  });
  try {
    await w.scheduled('2026-11-17T05:00:00Z', RATES_CRON);
    assert.equal(asked.length, 5);
    const view = (await w.api('GET', '/v1/rates')).body.tables;
    for (const table of ['ecb_mro', 'de_basiszinssatz', 'boe_bank_rate', 'fr_legal_individuals', 'fr_legal_other']) {
      const t = view.find((v) => v.table === table);
      assert.equal(t.source.fetchedAt, '2026-11-17T05:00:00Z', table);
      assert.equal(t.source.lastError, null, `${table}: ${t.source.lastError}`);
    }
    const legal = view.find((v) => v.table === 'fr_legal_other');
    assert.deepEqual([legal.knownUntil, legal.missing, legal.source.publisher], ['2026-12-31', [], 'service-public.fr (DILA)']);
    assert.deepEqual(await rows(w, "SELECT day, rate, series FROM rate_rows WHERE series LIKE 'F783%' ORDER BY series"), [
      { day: '2026-07-01', rate: '2.51', series: 'F783 autres cas' },
      { day: '2026-07-01', rate: '6.58', series: 'F783 particuliers' },
    ]);
  } finally {
    await w.dispose();
  }
});
