// The collection dashboard: every figure from `relance.analytics` (the core in WebAssembly, run in
// the core's worker: analysis.mjs), over the sample ledger or a CSV of invoices the visitor loads
// (parsed by the core's CSV reader).
import { core } from './core-client.mjs';
import {
  t, fill, money, longDate, stepName, errorWords, technicalDetails, missingRateWords, namedHalfYear, halfYearWords,
} from './i18n.mjs';
import { bars } from './charts.mjs';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let lang = params.get('lang') === 'en' ? 'en' : 'fr';
let asOf = params.get('asOf') ?? '2026-11-23';
let ledger = null;
let source = null; // null for the sample, or { file, invoices } for a CSV
let extraRates = {};
let last = null;
let problem = null; // the last file's error, shown until another file or the sample is loaded

/** The CSV columns the core's reader takes (core/src/import.rs), described on the page. */
const CSV_COLUMNS = [
  ['id', 'yes', 'f-101'], ['number', 'yes', 'F-2026-101'], ['debtorId', 'yes', 'd-brasserie'], ['issueDate', 'yes', '02/06/2026'],
  ['dueDate', 'oneOf', '02/07/2026'], ['terms', 'oneOf', 'net:30'], ['currency', 'yes', 'EUR'], ['total', 'yes', '1 250,00'],
  ['deliveryDate', 'no', '30/05/2026'], ['sector', 'no', 'transport'], ['paidAmount', 'no', '1 250,00'], ['paidDate', 'no', '15/07/2026'],
];

/** The template each step id of the presets sends, to name the steps of the effectiveness tables. */
let TEMPLATE_OF = new Map();
// The planner's own steps, named by their id's form (`promise-1-broken`, `penalty-claim`...).
const PLANNER_STEPS = [[/^promise-\d+-broken$/, 'promise_broken'], [/^instalment-\d+-upcoming$/, 'instalment_upcoming'],
  [/^instalment-\d+-missed$/, 'instalment_missed'], [/^penalty-claim/, 'penalty_claim']];
const nameOf = (stepId) => stepName(lang, stepId, TEMPLATE_OF.get(stepId) ?? PLANNER_STEPS.find(([re]) => re.test(stepId))?.[1]);

function pct(v) {
  return v === null || v === undefined ? '—' : `${(Number(v) * 100).toFixed(1).replace('.', lang === 'fr' ? ',' : '.')} %`;
}

function num(v) {
  return v === null || v === undefined ? '—' : lang === 'fr' ? String(v).replace('.', ',') : String(v);
}

const days = (v) => (v === null || v === undefined ? '—' : `${num(v)} ${t(lang, 'dayUnit')}`);

/** A card: its title, its figure, what the figure is made of, and the period it covers. */
function card(id, title, big, detail, when) {
  const div = document.createElement('div');
  div.className = 'card';
  div.id = id;
  div.innerHTML = '<h3></h3><p class="big"></p><p class="detail"></p><p class="when"></p>';
  div.querySelector('h3').textContent = title;
  div.querySelector('.big').textContent = big;
  div.querySelector('.detail').textContent = detail;
  div.querySelector('.when').textContent = when;
  return div;
}

/** A table; the columns listed in `numeric` are figures, aligned right. */
function table(el, headers, rows, { numeric = [], foot } = {}) {
  el.innerHTML = `<thead><tr>${headers.map((h, i) => `<th scope="col"${numeric.includes(i) ? ' class="num"' : ''}>${h}</th>`).join('')}</tr></thead>`;
  const section = (tag, list) => {
    const body = document.createElement(tag);
    for (const r of list) {
      const tr = document.createElement('tr');
      r.forEach((c, i) => {
        const td = document.createElement(tag === 'tfoot' && i === 0 ? 'th' : 'td');
        td.textContent = c;
        if (numeric.includes(i)) td.className = 'num';
        tr.append(td);
      });
      body.append(tr);
    }
    el.append(body);
  };
  section('tbody', rows);
  if (foot) section('tfoot', [foot]);
}

function cards(a) {
  const span = { start: longDate(lang, a.periodStart), end: longDate(lang, a.asOf) };
  const at = fill(t(lang, 'whenAt'), span);
  const settled = fill(t(lang, 'whenSettled'), span);
  const p = a.answers.promises;
  const part = (key) => `${t(lang, key)} ${p[key].count} (${money(lang, p[key].amount)})`;
  const claimable = a.claimable.missingRate
    ? card('card-claimable', t(lang, 'claimable'), '—', fill(t(lang, 'claimableWaiting'), {
      n: a.claimable.missingRateInvoices, half: missingHalf(a.claimable.missingRate),
    }), at)
    : card('card-claimable', t(lang, 'claimable'), money(lang, a.claimable.total),
      `${t(lang, 'interest')} ${money(lang, a.claimable.interest)} · ${t(lang, 'indemnity')} ${money(lang, a.claimable.indemnities)} · ${fill(t(lang, 'ofInvoices'), { n: a.claimable.invoices })}`, at);
  return [
    card('card-dso', t(lang, 'dso'), days(a.dso.countback), `${t(lang, 'dsoCountback')} · ${t(lang, 'dsoStandard')} ${days(a.dso.standard)}`, fill(t(lang, 'whenPeriod'), span)),
    card('card-outstanding', t(lang, 'outstanding'), money(lang, a.outstanding), fill(t(lang, 'ofInvoices'), { n: a.ageing.reduce((n, b) => n + b.count, 0) }), at),
    card('card-recovery', t(lang, 'recovery'), pct(a.recovery.rate), `${money(lang, a.recovery.recovered)} / ${money(lang, a.recovery.base)}`, fill(t(lang, 'whenPeriod'), span)),
    card('card-late', t(lang, 'daysLate'), days(a.daysLate.days.mean), `${t(lang, 'median')} ${days(a.daysLate.days.median)} · ${t(lang, 'onTime')} ${pct(a.daysLate.onTimeShare)}`, settled),
    card('card-reminders', t(lang, 'remindersNeeded'), num(a.remindersBeforePayment.reminders.mean),
      `${t(lang, 'byReminderCount')} ${a.remindersBeforePayment.distribution.map((n, i) => `${i === 4 ? '4+' : i} : ${n}`).join(' · ')}`, settled),
    card('card-promises', t(lang, 'promisesCard'), pct(p.keptShare), ['made', 'kept', 'broken', 'open'].map(part).join(' · '), fill(t(lang, 'whenMade'), span)),
    card('card-replies', t(lang, 'repliesCard'), pct(a.answers.allReplies.share),
      `${a.answers.allReplies.replied} ${t(lang, 'replied')} / ${a.answers.allReplies.messages} ${t(lang, 'messages')} · ${t(lang, 'medianHours')} ${num(a.answers.allReplies.hoursToFirstReply.median)}`,
      fill(t(lang, 'whenSent'), span)),
    card('card-bounces', t(lang, 'bouncesCard'), pct(a.answers.bounces.share), `${a.answers.bounces.bounced} / ${a.answers.bounces.emails}`, fill(t(lang, 'whenSent'), span)),
    claimable,
  ];
}

/** The half-year a missing_rate message names, in words ("2d semestre 2026"). */
function missingHalf(message) {
  const half = namedHalfYear(message);
  return half ? halfYearWords(lang, half) : message;
}

let generation = 0;

/** Draws the figures of the ledger as of the day chosen; an answer to an older request is dropped. */
async function render() {
  const mine = ++generation;
  document.body.dataset.settled = 'false';
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(lang, node.dataset.i18n);
  $('lang').value = lang;
  $('asOf').value = asOf;
  $('source').textContent = source?.file ? `${source.file} (${fill(t(lang, 'ofInvoices'), { n: source.invoices })})` : 'samples/history.json';
  renderCsvColumns();
  $('missingRate').hidden = true;
  let a = null;
  let error = problem;
  if (ledger && !error) {
    try {
      a = await core.analyze({ ledger, asOf, extraRates });
    } catch (e) {
      error = e;
    }
    if (mine !== generation) return;
  }
  // Never the previous figures under an error.
  $('figures').hidden = !a;
  showProblem(error);
  last = a;
  // Drawn in one go (the simulator's tests and screenshots wait for the same mark).
  document.body.dataset.settled = 'true';
  if (!a) return;
  $('period').textContent = fill(t(lang, 'periodLine'), { start: longDate(lang, a.periodStart), end: longDate(lang, a.asOf), days: a.dso.periodDays })
    + (a.excludedInvoices ? ` ${fill(t(lang, 'excluded'), { n: a.excludedInvoices })}` : '');
  $('cards').replaceChildren(...cards(a));
  if (a.claimable.missingRate) renderMissingRate(a.claimable.missingRate);
  bars($('ageing'), {
    title: t(lang, 'ageing'),
    rows: a.ageing.map((b) => ({ label: t(lang, `bucket_${b.bucket}`), value: Number(b.amount), text: `${money(lang, b.amount)} (${b.count})` })),
  });
  const eff = (list, name) => list.map((e) => [name(e.key), String(e.messages), String(e.paidWithinWindow), pct(e.share)]);
  const figures = { numeric: [1, 2, 3, 4] };
  table($('steps'), [t(lang, 'step'), t(lang, 'messages'), t(lang, 'paidWithin'), '%'], eff(a.steps, nameOf), figures);
  table($('channels'), [t(lang, 'channel'), t(lang, 'messages'), t(lang, 'paidWithin'), '%'], eff(a.channels, (c) => t(lang, `channel_${c}`)), figures);
  table($('replyRates'), [t(lang, 'step'), t(lang, 'messages'), t(lang, 'replied'), '%', t(lang, 'medianHours')],
    a.answers.replies.map((r) => [nameOf(r.stepId), String(r.messages), String(r.replied), pct(r.share), num(r.hoursToFirstReply.median)]), figures);
  table($('debtors'), [t(lang, 'debtors'), t(lang, 'segment'), t(lang, 'meanLateAll'), t(lang, 'onTime'), t(lang, 'trend'), t(lang, 'maxOverdue'), t(lang, 'outstanding')],
    a.debtors.map((d) => [d.name, t(lang, `segment_${d.segment}`), num(d.meanDaysLate), pct(d.onTimeShare), t(lang, `trend_${d.trend}`), String(d.maxDaysOverdue), money(lang, d.outstanding)]),
    // The customers' amounts add up to the outstanding card.
    { numeric: [2, 3, 5, 6], foot: [t(lang, 'total'), '', '', '', '', '', money(lang, a.outstanding)] });
  document.body.dataset.ready = 'true';
}

function renderCsvColumns() {
  table($('csvColumns'), [t(lang, 'column'), t(lang, 'requiredCol'), t(lang, 'meaning'), t(lang, 'example')],
    CSV_COLUMNS.map(([name, required, example]) => [name, t(lang, required), t(lang, `col_${name}`), example]));
}

/** Where in the file a core error is: the row and column the spreadsheet shows, or the invoice. */
function whereInFile(e) {
  const cell = /^rows\[(\d+)\](?:\.(\w+))?/.exec(e.path ?? '');
  if (cell) return fill(t(lang, cell[2] ? 'csvAt' : 'csvRow'), { line: Number(cell[1]) + 2, column: cell[2] ?? '' });
  const head = /^header\[(\d+)\]/.exec(e.path ?? '');
  if (head) return fill(t(lang, 'csvHeaderAt'), { n: Number(head[1]) + 1, name: /`([^`]*)`/.exec(e.message)?.[1] ?? '' });
  const invoice = /^(?:ledger\.)?invoices\[(\d+)\]/.exec(e.path ?? '');
  if (invoice && ledger) return fill(t(lang, 'csvInvoice'), { number: ledger.invoices[Number(invoice[1])]?.number ?? '' });
  return source?.file ? t(lang, 'csvFile') : '';
}

/** A file's or the figures' error, in words, with the core's code, path and message in details. */
function showProblem(error) {
  const box = $('error');
  box.hidden = !error;
  box.replaceChildren();
  if (!error) return;
  const words = document.createElement('p');
  words.textContent = `${error.path === 'asOf' ? `${t(lang, 'asOf')} : ` : whereInFile(error)}${errorWords(lang, error.code)}`;
  box.append(words, technicalDetails(lang, error));
}

function renderMissingRate(message) {
  const box = $('missingRate');
  box.hidden = false;
  // The core names the table (`ecb_mro`) and the half-year in its message.
  const rateTable = /`([a-z_]+)` rate/.exec(message)?.[1] ?? 'ecb_mro';
  const from = namedHalfYear(message)?.from ?? '';
  box.innerHTML = `<p><strong>${t(lang, 'missingRate')}</strong> — </p><p>${t(lang, 'missingRateDashHelp')}</p>
    <div class="row"><span>${t(lang, rateTable === 'ecb_mro' ? 'rate_ecb_mro' : 'rate_other')}</span><label for="rateFrom">${t(lang, 'rateFrom')}</label><input id="rateFrom" type="date" value="${from}">
    <label for="rateValue">${t(lang, 'rate')}</label><input id="rateValue" inputmode="decimal" size="6"><button type="button" id="applyRate">${t(lang, 'apply')}</button></div>
    <p class="field-error" id="rateProblem" role="alert"></p>`;
  box.querySelector('p').append(missingRateWords(lang, { message }));
  $('applyRate').addEventListener('click', async () => {
    let rate;
    try { rate = await core.readAmount($('rateValue').value); } catch { $('rateProblem').textContent = t(lang, 'badRate'); return; }
    extraRates = { ...extraRates, [rateTable]: [...(extraRates[rateTable] ?? []), { from: $('rateFrom').value, rate }] };
    render();
  });
}

async function loadSample() {
  ledger = await (await fetch('sample-ledger.json')).json();
  source = null;
  problem = null;
  render();
}

async function loadCsv(file) {
  // Whatever happens, the previous ledger's figures are gone.
  ledger = null;
  source = { file: file.name, invoices: 0 };
  problem = null;
  try {
    const invoices = await core.invoicesFromCsv(await file.text());
    const sample = await (await fetch('sample-ledger.json')).json();
    const known = new Map(sample.debtors.map((d) => [d.id, d]));
    // Debtors the CSV names but the sample does not know: French businesses, named by their id.
    const debtors = [...new Set(invoices.map((i) => i.debtorId))].map((id) => known.get(id) ?? {
      id, name: id, kind: 'business', country: 'FR', locale: lang, timeZone: 'Europe/Paris',
    });
    ledger = { creditor: sample.creditor, debtors, invoices };
    source.invoices = invoices.length;
  } catch (e) {
    problem = e;
  }
  render();
}

$('lang').addEventListener('change', () => { lang = $('lang').value; render(); });
$('asOf').addEventListener('change', () => { asOf = $('asOf').value; render(); });
$('sample').addEventListener('click', loadSample);
$('csv').addEventListener('change', () => { const f = $('csv').files[0]; if (f) loadCsv(f); });
window.relanceDashboard = { get analytics() { return last; }, get problem() { return problem; } };
if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
core.presets().then((list) => {
  TEMPLATE_OF = new Map(list.flatMap((p) => p.steps.map((s) => [s.id, s.template])));
  loadSample();
});
