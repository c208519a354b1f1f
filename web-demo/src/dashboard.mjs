// The collection dashboard: every figure from `relance.analytics` (the core in WebAssembly), over
// the sample ledger or a CSV of invoices the visitor loads (parsed by the core's CSV reader).
import * as relance from 'relance';
import { t, money } from './i18n.mjs';
import { bars } from './charts.mjs';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let lang = params.get('lang') === 'en' ? 'en' : 'fr';
let asOf = params.get('asOf') ?? '2026-11-23';
let ledger = null;
let sourceLabel = '';
let extraRates = {};
let last = null;

/// The messages the standard policy would have sent up to `asOf`: the delivery log of a ledger that
/// has none (a CSV, the sample).
function simulatedLog(l) {
  const plan = relance.plan({ ledger: l, policy: 'standard', asOf });
  return plan.contacts
    .filter((c) => c.date <= asOf && ['past', 'today'].includes(c.status))
    .map((c) => ({ key: c.key, sentAt: c.sendAt, channel: c.channel, stepId: c.items[0].stepId, items: c.items }));
}

function pct(v) {
  return v === null || v === undefined ? '—' : `${(Number(v) * 100).toFixed(1).replace('.', lang === 'fr' ? ',' : '.')} %`;
}

function num(v) {
  return v === null || v === undefined ? '—' : lang === 'fr' ? String(v).replace('.', ',') : String(v);
}

function card(title, big, detail, id) {
  const div = document.createElement('div');
  div.className = 'card';
  div.id = id;
  div.innerHTML = `<h3>${title}</h3><p class="big"></p><p class="detail"></p>`;
  div.querySelector('.big').textContent = big;
  div.querySelector('.detail').textContent = detail;
  return div;
}

/// Promises made in the period: the share kept, and what became of them (count and amount).
function promisesCard(p) {
  const part = (key) => `${t(lang, key)} ${p[key].count} (${money(lang, p[key].amount)})`;
  return card(t(lang, 'promisesCard'), pct(p.keptShare), ['made', 'kept', 'broken', 'open'].map(part).join(' · '), 'card-promises');
}

function table(el, headers, rows) {
  el.innerHTML = `<thead><tr>${headers.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>`;
  const body = document.createElement('tbody');
  for (const r of rows) {
    const tr = document.createElement('tr');
    for (const c of r) { const td = document.createElement('td'); td.textContent = c; tr.append(td); }
    body.append(tr);
  }
  el.append(body);
}

function render() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(lang, node.dataset.i18n);
  $('lang').value = lang;
  $('asOf').value = asOf;
  $('source').textContent = sourceLabel;
  $('error').hidden = true;
  $('missingRate').hidden = true;
  if (!ledger) return;
  let a;
  try {
    a = relance.analytics({ ledger, sent: simulatedLog(ledger), asOf, extraRates });
  } catch (e) {
    $('error').hidden = false;
    $('error').textContent = `[${e.code}] ${e.path}: ${e.message}`;
    return;
  }
  last = a;
  const cards = $('cards');
  cards.replaceChildren(
    card(t(lang, 'dso'), `${num(a.dso.countback)} j`, `${t(lang, 'dsoCountback')} · ${t(lang, 'dsoStandard')} ${num(a.dso.standard)}`, 'card-dso'),
    card(t(lang, 'outstanding'), money(lang, a.outstanding), `${a.ageing.reduce((n, b) => n + b.count, 0)} ${t(lang, 'invoices')}`, 'card-outstanding'),
    card(t(lang, 'recovery'), pct(a.recovery.rate), `${money(lang, a.recovery.recovered)} / ${money(lang, a.recovery.base)}`, 'card-recovery'),
    card(t(lang, 'daysLate'), `${num(a.daysLate.days.mean)} j`, `${t(lang, 'median')} ${num(a.daysLate.days.median)} · ${t(lang, 'onTime')} ${pct(a.daysLate.onTimeShare)}`, 'card-late'),
    card(t(lang, 'remindersNeeded'), num(a.remindersBeforePayment.reminders.mean), a.remindersBeforePayment.distribution.map((n, i) => `${i === 4 ? '4+' : i}: ${n}`).join(' · '), 'card-reminders'),
    promisesCard(a.answers.promises),
    card(t(lang, 'repliesCard'), pct(a.answers.allReplies.share), `${a.answers.allReplies.replied} ${t(lang, 'replied')} / ${a.answers.allReplies.messages} ${t(lang, 'messages')} · ${t(lang, 'medianHours')} ${num(a.answers.allReplies.hoursToFirstReply.median)}`, 'card-replies'),
    card(t(lang, 'bouncesCard'), pct(a.answers.bounces.share), `${a.answers.bounces.bounced} / ${a.answers.bounces.emails}`, 'card-bounces'),
    card(t(lang, 'claimable'), money(lang, a.claimable.total), `${t(lang, 'interest')} ${money(lang, a.claimable.interest)} · ${t(lang, 'indemnity')} ${money(lang, a.claimable.indemnities)} · ${a.claimable.invoices} ${t(lang, 'invoices')}`, 'card-claimable'),
  );
  if (a.claimable.missingRate) renderMissingRate(a.claimable.missingRate);
  bars($('ageing'), {
    title: t(lang, 'ageing'),
    rows: a.ageing.map((b) => ({ label: t(lang, `bucket_${b.bucket}`), value: Number(b.amount), text: `${money(lang, b.amount)} (${b.count})` })),
  });
  const eff = (list) => list.map((e) => [e.key, String(e.messages), String(e.paidWithinWindow), pct(e.share)]);
  table($('steps'), [t(lang, 'step'), t(lang, 'messages'), t(lang, 'paidWithin'), '%'], eff(a.steps));
  table($('channels'), [t(lang, 'channel'), t(lang, 'messages'), t(lang, 'paidWithin'), '%'], eff(a.channels.map((c) => ({ ...c, key: t(lang, `channel_${c.key}`) }))));
  table($('replyRates'), [t(lang, 'step'), t(lang, 'messages'), t(lang, 'replied'), '%', t(lang, 'medianHours')],
    a.answers.replies.map((r) => [r.stepId, String(r.messages), String(r.replied), pct(r.share), num(r.hoursToFirstReply.median)]));
  table($('debtors'), [t(lang, 'debtors'), t(lang, 'segment'), t(lang, 'daysLate'), t(lang, 'onTime'), t(lang, 'trend'), t(lang, 'outstanding')],
    a.debtors.map((d) => [d.name, t(lang, `segment_${d.segment}`), num(d.meanDaysLate), pct(d.onTimeShare), t(lang, `trend_${d.trend}`), money(lang, d.outstanding)]));
  document.body.dataset.ready = 'true';
}

function renderMissingRate(message) {
  const box = $('missingRate');
  box.hidden = false;
  const m = /`([a-z_]+)` rate is known for (\d{4})-H([12])/.exec(message) ?? /no `([a-z_]+)` rate.*?(\d{4})-H([12])/.exec(message);
  const table = m?.[1] ?? 'ecb_mro';
  const from = m ? `${m[2]}-${m[3] === '1' ? '01' : '07'}-01` : '';
  box.innerHTML = `<p><strong>${t(lang, 'missingRate')}</strong> — ${message}</p><p>${t(lang, 'missingRateHelp')}</p>
    <div class="row"><code>${table}</code><label for="rateFrom">${t(lang, 'rateFrom')}</label><input id="rateFrom" type="date" value="${from}">
    <label for="rateValue">${t(lang, 'rate')}</label><input id="rateValue" inputmode="decimal" size="6"><button type="button" id="applyRate">${t(lang, 'apply')}</button></div>`;
  $('applyRate').addEventListener('click', () => {
    const rate = $('rateValue').value.trim().replace(',', '.');
    if (!rate) return;
    extraRates = { ...extraRates, [table]: [...(extraRates[table] ?? []), { from: $('rateFrom').value, rate }] };
    render();
  });
}

async function loadSample() {
  ledger = await (await fetch('sample-ledger.json')).json();
  sourceLabel = 'samples/ledger.json';
  render();
}

async function loadCsv(file) {
  try {
    const invoices = relance.invoicesFromCsv(await file.text());
    const sample = await (await fetch('sample-ledger.json')).json();
    const known = new Map(sample.debtors.map((d) => [d.id, d]));
    // Debtors the CSV names but the sample does not know: French businesses, named by their id.
    const debtors = [...new Set(invoices.map((i) => i.debtorId))].map((id) => known.get(id) ?? {
      id, name: id, kind: 'business', country: 'FR', locale: lang, timeZone: 'Europe/Paris',
    });
    ledger = { creditor: sample.creditor, debtors, invoices };
    sourceLabel = `${file.name} (${invoices.length} ${t(lang, 'invoices')})`;
    render();
  } catch (e) {
    $('error').hidden = false;
    $('error').textContent = `[${e.code}] ${e.path}: ${e.message}`;
  }
}

$('lang').addEventListener('change', () => { lang = $('lang').value; render(); });
$('asOf').addEventListener('change', () => { asOf = $('asOf').value; render(); });
$('sample').addEventListener('click', loadSample);
$('csv').addEventListener('change', () => { const f = $('csv').files[0]; if (f) loadCsv(f); });
window.relanceDashboard = { get analytics() { return last; } };
if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
loadSample();
