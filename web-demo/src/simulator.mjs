// The simulator: every figure, date and message comes from the `relance` package (the Rust core in
// WebAssembly), run in the core's worker (simulation.mjs); this file gathers the form and draws
// what comes back.
import { core } from './core-client.mjs';
import {
  t, fill, money, longDate, shortDate, roundMoney, stepName, errorWords, technicalDetails, missingRateWords, namedHalfYear,
} from './i18n.mjs';
import { decodeState, encodeState, promiseOrder, addDays } from './state.mjs';
import { icsCalendar } from './ics.mjs';

const $ = (id) => document.getElementById(id);
let state = decodeState(location.hash);
let result = null; // the last computation, for exports

const COUNTRIES = ['FR', 'BE', 'DE', 'ES', 'IT', 'NL', 'GB'];
const CHANNELS = ['email', 'sms', 'phone_task', 'letter', 'registered_letter', 'legal_action', 'agency_handoff'];
const TEMPLATES = ['courtesy_before_due', 'first_reminder', 'second_reminder', 'phone_call', 'formal_letter', 'formal_notice',
  'legal_handoff', 'agency_handoff', 'payment_plan_proposal', 'instalment_upcoming', 'instalment_missed', 'thanks_payment'];
const TONES = ['courteous', 'friendly', 'firm', 'formal', 'legal'];
const ANCHORS = ['due_date', 'issue_date', 'previous_step'];
const presets = core.presets().then((list) => Object.fromEntries(list.map((p) => [p.id, p])));

// ---- what the visitor typed, checked before the core sees it --------------------------------------

/** The input a core error is about, from its path; null when it is about no single input. */
function fieldOf(path = '') {
  const invoice = /^ledger\.invoices\[0\]\.(\w+)(?:\[(\d+)\])?(?:\.(\w+))?(?:\[(\d+)\])?(?:\.(\w+))?/.exec(path);
  if (invoice) {
    const [, key, i, sub, j, subsub] = invoice;
    if (key === 'total') return 'amount';
    if (key === 'issueDate' || key === 'dueDate') return key;
    if (key === 'terms') return 'termsDays';
    if (key === 'payments' && i) return `payments-${sub === 'date' ? 'date' : 'amount'}-${i}`;
    if (key === 'promises' && i) return `promises-${['madeOn', 'promisedDate'].includes(sub) ? sub : 'amount'}-${promiseOrder(state)[Number(i)]}`;
    if (key === 'paymentPlan') return sub === 'instalments' && j ? `instalments-${subsub === 'amount' ? 'amount' : 'dueDate'}-${j}` : 'agreedOn';
  }
  const answer = /^ledger\.debtors\[0\]\.(replies|calls)\[(\d+)\]/.exec(path);
  if (answer) return `${answer[1]}-date-${answer[2]}`;
  const step = /^policy\.steps\[(\d+)\]/.exec(path);
  if (step) return `step-${step[1]}-id`;
  return null;
}

/** Says, beside its input, what is wrong with it; the core's code, path and message in a details element. */
function markField(field, words, error, className = 'field-error') {
  const input = $(field);
  if (!input) return false;
  const note = document.createElement('div');
  note.className = className;
  note.id = `${field}-problem`;
  note.dataset.for = field;
  note.append(document.createTextNode(words));
  if (error?.code) note.append(technicalDetails(state.lang, error));
  // In a list row or the step editor, the note goes under the whole row.
  const anchor = input.closest('tr, .row') ?? input;
  if (anchor.tagName === 'TR') {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = anchor.children.length;
    td.append(note);
    tr.append(td);
    tr.dataset.for = field;
    anchor.after(tr);
  } else {
    anchor.after(note);
  }
  if (className === 'field-error') input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', note.id);
  return true;
}

function clearFieldNotes() {
  for (const note of document.querySelectorAll('[data-for]')) note.remove();
  for (const input of document.querySelectorAll('[aria-invalid], [aria-describedby$="-problem"]')) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
}

// ---- rendering --------------------------------------------------------------------------------------

function applyStrings() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(state.lang, node.dataset.i18n);
  document.title = `Relance – ${t(state.lang, 'title')}`;
}

function fillForm() {
  $('lang').value = state.lang;
  $('amount').value = state.amount;
  $('issueDate').value = state.issueDate;
  $('termsMode').value = state.termsMode;
  $('termsDays').value = state.termsDays;
  $('dueDate').value = state.dueDate;
  $('kind').value = state.kind;
  $('country').value = state.country;
  $('imputationChoice').value = state.imputation;
  $('preset').value = typeof state.policy === 'string' ? state.policy : 'custom';
  $('termsDays').disabled = !['net', 'eom'].includes(state.termsMode);
  $('dueDate').disabled = state.termsMode !== 'due';
  $('resetPolicy').hidden = typeof state.policy === 'string';
  $('stepsEditor').hidden = typeof state.policy === 'string';
  renderStepsEditor();
  renderPayments();
  renderPlan();
  renderAnswers();
}

function option(value, label, selected) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  o.selected = value === selected;
  return o;
}

function renderStepsEditor() {
  const box = $('stepsEditor');
  box.replaceChildren();
  if (typeof state.policy === 'string') return;
  const lang = state.lang;
  const table = document.createElement('table');
  table.className = 'editor';
  table.innerHTML = `<caption class="sr-only">${t(lang, 'policy')}</caption><thead><tr><th scope="col">${t(lang, 'step')}</th><th scope="col">${t(lang, 'anchor')}</th><th scope="col">${t(lang, 'offset')}</th><th scope="col">${t(lang, 'channel')}</th><th scope="col">${t(lang, 'template')}</th><th scope="col">${t(lang, 'level')}</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>`;
  const body = document.createElement('tbody');
  state.policy.steps.forEach((s, i) => {
    const tr = document.createElement('tr');
    const cell = (child) => { const td = document.createElement('td'); td.append(child); tr.append(td); return child; };
    const id = `step-${i}`;
    // The step's name (what it sends) above its id, the key its messages and records carry.
    const title = cell(document.createElement('strong'));
    title.className = 'step-name';
    title.textContent = stepName(lang, s.id, s.template);
    const name = document.createElement('input');
    title.after(name);
    Object.assign(name, { value: s.id, id: `${id}-id` });
    name.setAttribute('aria-label', `${t(lang, 'stepId')} ${i + 1}`);
    name.addEventListener('change', () => { s.id = name.value.trim(); changed(); });
    const anchor = cell(document.createElement('select'));
    anchor.setAttribute('aria-label', `${t(lang, 'anchor')} ${i + 1}`);
    ANCHORS.forEach((a) => anchor.append(option(a, t(lang, `anchor_${a}`), s.anchor)));
    anchor.addEventListener('change', () => { s.anchor = anchor.value; changed(); });
    const offset = cell(document.createElement('input'));
    Object.assign(offset, { type: 'number', value: s.offset, step: 1 });
    offset.setAttribute('aria-label', `${t(lang, 'offset')} ${i + 1}`);
    offset.addEventListener('change', () => { s.offset = Number(offset.value); changed(); });
    const channel = cell(document.createElement('select'));
    channel.setAttribute('aria-label', `${t(lang, 'channel')} ${i + 1}`);
    CHANNELS.forEach((c) => channel.append(option(c, t(lang, `channel_${c}`), s.channel)));
    channel.addEventListener('change', () => { s.channel = channel.value; changed(); });
    const template = cell(document.createElement('select'));
    template.setAttribute('aria-label', `${t(lang, 'template')} ${i + 1}`);
    TEMPLATES.forEach((k) => template.append(option(k, stepName(lang, '', k), s.template)));
    template.addEventListener('change', () => { s.template = template.value; changed(); });
    const level = cell(document.createElement('input'));
    Object.assign(level, { type: 'number', min: 1, max: 5, value: s.level });
    level.setAttribute('aria-label', `${t(lang, 'level')} ${i + 1}`);
    level.addEventListener('change', () => { s.level = Number(level.value); s.tone = TONES[Math.min(4, Math.max(0, s.level - 1))]; changed(); });
    const actions = document.createElement('td');
    for (const [label, fn, disabled] of [
      ['↑', () => move(i, -1), i === 0], ['↓', () => move(i, 1), i === state.policy.steps.length - 1], ['✕', () => { state.policy.steps.splice(i, 1); changed(true); }, false],
    ]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.disabled = disabled;
      b.setAttribute('aria-label', `${t(lang, label === '↑' ? 'up' : label === '↓' ? 'down' : 'remove')} ${s.id}`);
      b.addEventListener('click', fn);
      actions.append(b);
    }
    tr.append(actions);
    body.append(tr);
  });
  table.append(body);
  const add = document.createElement('button');
  add.type = 'button';
  add.textContent = t(lang, 'addStep');
  add.addEventListener('click', () => {
    const n = state.policy.steps.length + 1;
    state.policy.steps.push({ id: `step-${n}`, anchor: 'previous_step', offset: 7, channel: 'email', template: 'second_reminder', level: 3, tone: 'firm' });
    changed(true);
  });
  box.append(table, add);
}

function move(i, d) {
  const steps = state.policy.steps;
  [steps[i], steps[i + d]] = [steps[i + d], steps[i]];
  changed(true);
}

function listEditor(box, rows, fields, onChange) {
  box.replaceChildren();
  rows.forEach((row, i) => {
    const div = document.createElement('div');
    div.className = 'row';
    for (const [key, label, type] of fields) {
      const id = `${box.id}-${key}-${i}`;
      const l = document.createElement('label');
      l.htmlFor = id;
      l.textContent = label;
      const input = document.createElement('input');
      Object.assign(input, { id, type, value: row[key] ?? '' });
      if (type === 'text') input.inputMode = 'decimal';
      input.addEventListener('change', () => { row[key] = input.value; onChange(false); });
      div.append(l, input);
    }
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.textContent = '✕';
    rm.setAttribute('aria-label', `${t(state.lang, 'remove')} ${i + 1}`);
    rm.addEventListener('click', () => { rows.splice(i, 1); onChange(true); });
    div.append(rm);
    box.append(div);
  });
}

function renderPayments() {
  listEditor($('payments'), state.payments, [['date', t(state.lang, 'paidOn'), 'date'], ['amount', t(state.lang, 'paidAmount'), 'text']], changed);
}

function renderAnswers() {
  const lang = state.lang;
  const a = state.answers;
  listEditor($('replies'), a.replies, [['date', t(lang, 'repliedOn'), 'date']], changed);
  listEditor($('promises'), a.promises, [['madeOn', t(lang, 'promiseMadeOn'), 'date'], ['promisedDate', t(lang, 'promisedFor'), 'date'],
    ['amount', t(lang, 'paidAmount'), 'text']], changed);
  listEditor($('calls'), a.calls, [['date', t(lang, 'callOn'), 'date']], changed);
}

function renderPlan() {
  const box = $('plan');
  box.replaceChildren();
  $('addPlan').textContent = t(state.lang, state.plan ? 'removePlan' : 'addPlan');
  if (!state.plan) return;
  const agreed = document.createElement('div');
  agreed.className = 'row';
  agreed.innerHTML = `<label for="agreedOn">${t(state.lang, 'agreedOn')}</label>`;
  const input = document.createElement('input');
  Object.assign(input, { id: 'agreedOn', type: 'date', value: state.plan.agreedOn });
  input.addEventListener('change', () => { state.plan.agreedOn = input.value; changed(); });
  agreed.append(input);
  const list = document.createElement('div');
  list.id = 'instalments';
  listEditor(list, state.plan.instalments, [['dueDate', t(state.lang, 'instalment'), 'date'], ['amount', t(state.lang, 'paidAmount'), 'text']], changed);
  const add = document.createElement('button');
  add.type = 'button';
  add.textContent = t(state.lang, 'addInstalment');
  add.addEventListener('click', () => {
    const lastDue = state.plan.instalments.at(-1)?.dueDate ?? state.plan.agreedOn;
    state.plan.instalments.push({ dueDate: addDays(lastDue, 30), amount: '100.00' });
    changed(true);
  });
  box.append(agreed, list, add);
}

/**
 * No result while the input is wrong (never the previous one under an error): each problem beside
 * its input, and above the results a line saying what to do.
 */
function showProblems(problems) {
  result = null;
  document.body.dataset.settled = 'true';
  $('resultsBody').hidden = true;
  const box = $('inputError');
  box.hidden = false;
  box.replaceChildren(t(state.lang, 'fixFields'));
  for (const p of problems) {
    if (markField(p.field, p.words, p.error)) continue;
    // About no single input (a rate entered, the policy as a whole): said in the box itself.
    const line = document.createElement('div');
    line.append(p.words);
    if (p.error) line.append(technicalDetails(state.lang, p.error));
    (p.error?.path?.startsWith('policy') ? $('policyError') : box).append(line);
    $('policyError').hidden = !$('policyError').childElementCount;
  }
  // A rate the visitor entered may be what is wrong: it stays listed, with its remove button.
  renderMissingRate(null);
}

/** A form problem of the worker's (`{field, code, error?}`) in the visitor's words. */
const inWords = (p) => ({ ...p, words: p.code === 'required' ? t(state.lang, 'required') : errorWords(state.lang, p.code) });

/**
 * Asks the core's worker for the simulation of the form as it is now, then draws it. Until it
 * answers the page says it is computing (`body[data-settled=false]`); an answer to an older state
 * is dropped.
 */
async function renderResults() {
  const mine = ++generation;
  document.body.dataset.settled = 'false';
  let answer;
  try {
    answer = await core.simulate(state);
  } catch (e) {
    if (mine !== generation) return;
    if (!e.code || e.code === 'internal_error') throw e;
    answer = { problems: [{ field: fieldOf(e.path), code: e.code, error: e }] };
  }
  if (mine !== generation) return;
  clearFieldNotes();
  $('inputError').hidden = true;
  $('policyError').hidden = true;
  $('policyError').replaceChildren();
  if (answer.problems) { showProblems(answer.problems.map(inWords)); return; }
  result = answer.result;
  drawResults(mine);
}

function drawResults(mine) {
  const lang = state.lang;
  $('resultsBody').hidden = false;
  for (const w of result.planWarnings) {
    const field = fieldOf(w.path);
    if (field && w.path.startsWith('policy')) markField(field, t(lang, `warn_${w.code}`), null, 'step-warning');
  }
  const { timeline, steps, termsAnswer } = result;
  $('dueDateOut').textContent = longDate(lang, timeline.dueDate);
  $('dueDateOut').dataset.date = timeline.dueDate;
  renderKeyFigures(steps);
  const warnings = $('warnings');
  warnings.replaceChildren();
  if (termsAnswer.findings.length) {
    const h = document.createElement('h3');
    h.textContent = t(lang, 'warnings');
    const ul = document.createElement('ul');
    ul.className = 'warnings';
    for (const f of termsAnswer.findings) {
      const li = document.createElement('li');
      li.className = f.severity;
      li.dataset.code = f.code;
      li.textContent = f.message;
      ul.append(li);
    }
    warnings.append(h, ul);
  }
  renderMissingRate(result.missing);
  renderTimeline(steps);
  if (!state.step || !steps.some((s) => s.stepId === state.step)) state.step = steps.find((s) => s.kind === 'policy_step')?.stepId ?? null;
  renderLater(mine, [() => renderImputation(result.imputed), renderPreview, renderChart, renderMonths]);
}

let generation = 0;

/**
 * The parts below the timeline, each in a task of its own: the timeline shows at once, and no
 * task keeps a tap waiting long. A newer computation drops what is left of an older one.
 * `body[data-settled]` says when the page shows everything (for tests and screenshots).
 */
function renderLater(mine, parts) {
  const next = async () => {
    if (mine !== generation || !result) return;
    const part = parts.shift();
    if (!part) { document.body.dataset.settled = 'true'; return; }
    await part();
    setTimeout(next, 0);
  };
  setTimeout(next, 0);
}

/** A step that still goes out: not cancelled by a payment, a plan, a condition or an answer. */
const goesOut = (s) => !['cancelled_paid', 'skipped_condition', 'replaced_by_plan', 'skipped_answered'].includes(s.status);

/** The first contact, and what the last step would claim if nothing is paid by then. */
function renderKeyFigures(steps) {
  const lang = state.lang;
  const going = steps.filter(goesOut);
  const first = going[0];
  const last = going.filter((s) => s.totals).at(-1);
  $('firstReminderOut').textContent = first ? longDate(lang, first.date) : '—';
  const approx = last?.totals.estimated ? '≈ ' : '';
  $('penaltiesOut').textContent = last ? `${approx}${money(lang, last.totals.interest)} + ${money(lang, last.totals.indemnity)}` : '—';
  $('totalOut').textContent = last ? `${approx}${money(lang, last.totals.totalDue)}` : '—';
  $('lastStepNote').textContent = last
    ? fill(t(lang, 'lastStepNote'), { name: stepName(lang, last.stepId, last.template), date: longDate(lang, last.date) })
    : '';
}

function renderMissingRate(missing) {
  const box = $('missingRate');
  box.replaceChildren();
  const supplied = Object.entries(state.extraRates).flatMap(([table, rows]) => rows.map((row, i) => ({ table, row, i })));
  box.hidden = !missing && !supplied.length;
  const lang = state.lang;
  if (missing) {
    // The core names the table (path `extraRates.<table>`) and the half-year in its message.
    const table = missing.path.split('.').pop() || 'ecb_mro';
    const from = namedHalfYear(missing.message)?.from ?? '';
    const said = missingRateWords(lang, missing);
    box.innerHTML = `<p><strong>${t(lang, 'missingRate')}</strong> — ${said}</p><p>${t(lang, 'missingRateHelp')}</p>`;
    const row = document.createElement('div');
    row.className = 'row';
    const label = t(lang, table === 'ecb_mro' ? 'rate_ecb_mro' : 'rate_other');
    row.innerHTML = `<span>${t(lang, 'rateTable')}: <code>${table}</code></span> <label for="rateFrom">${t(lang, 'rateFrom')}</label><input id="rateFrom" type="date" value="${from}"> <label for="rateValue">${label}</label><input id="rateValue" inputmode="decimal" size="6">`;
    const apply = document.createElement('button');
    apply.type = 'button';
    apply.id = 'rateApply';
    apply.textContent = t(lang, 'apply');
    const problem = document.createElement('p');
    problem.className = 'field-error';
    problem.setAttribute('role', 'alert');
    apply.addEventListener('click', () => {
      const rate = $('rateValue').value.trim().replace(',', '.');
      if (!/^-?\d+(\.\d+)?$/.test(rate)) {
        problem.textContent = t(lang, 'badRate');
        return;
      }
      // The ECB's rate has never reached 8 %; a figure that high is the penalty rate (ECB + 10).
      if (table === 'ecb_mro' && Number(rate) >= 8) {
        problem.textContent = fill(t(lang, 'notPenaltyRate'), { rate: $('rateValue').value.trim() });
        return;
      }
      state.extraRates = { ...state.extraRates, [table]: [...(state.extraRates[table] ?? []), { from: $('rateFrom').value, rate }] };
      changed(true);
    });
    row.append(apply);
    box.append(row, problem);
  }
  if (supplied.length) {
    const list = document.createElement('ul');
    list.className = 'supplied-rates';
    list.setAttribute('aria-label', t(lang, 'suppliedRates'));
    for (const { table, row, i } of supplied) {
      const item = document.createElement('li');
      item.textContent = `${table} — ${row.from} : ${row.rate} % `;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = t(lang, 'remove');
      remove.addEventListener('click', () => {
        const rows = state.extraRates[table].filter((_, j) => j !== i);
        const { [table]: _gone, ...others } = state.extraRates;
        state.extraRates = rows.length ? { ...others, [table]: rows } : others;
        changed(true);
      });
      item.append(remove);
      list.append(item);
    }
    box.append(list);
  }
}

function renderTimeline(steps) {
  const lang = state.lang;
  const table = $('timeline');
  const heads = ['date', 'step', 'channel', 'status', 'interest', 'indemnity', 'totalDue'].map((k) => t(lang, k));
  table.innerHTML = `<caption class="sr-only">${t(lang, 'timeline')}</caption><thead><tr>${heads.map((h, i) => `<th scope="col"${i > 3 ? ' class="num"' : ''}>${h}</th>`).join('')}</tr></thead>`;
  const body = document.createElement('tbody');
  for (const s of steps) {
    const tr = document.createElement('tr');
    tr.dataset.step = s.stepId;
    tr.dataset.date = s.date;
    if (s.stepId === state.step) tr.className = 'selected';
    const moved = (s.changes ?? []).filter((c) => c !== 'after_previous');
    const when = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.textContent = longDate(lang, s.date);
    button.setAttribute('aria-pressed', String(s.stepId === state.step));
    button.addEventListener('click', () => { state.step = s.stepId; changed(); });
    when.append(button);
    if (moved.length) {
      const note = document.createElement('div');
      note.className = 'moved';
      note.textContent = `${t(lang, 'movedBecause')}${moved.map((c) => t(lang, `change_${c}`)).join(', ')} (${t(lang, 'planned')} ${longDate(lang, s.nominalDate)})`;
      when.append(note);
    }
    tr.append(when);
    for (const text of [stepName(lang, s.stepId, s.template), t(lang, `channel_${s.channel}`), t(lang, `status_${s.status}`)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    if (s.reroutedFrom) {
      const note = document.createElement('div');
      note.className = 'moved';
      note.textContent = t(lang, 'reroutedFrom');
      tr.children[2].append(note);
    }
    if (s.warning) {
      // Beside the step: a message written for the other side of the due date.
      const note = document.createElement('div');
      note.className = 'step-warning';
      note.dataset.code = s.warning;
      note.textContent = t(lang, `warn_${s.warning}`);
      tr.children[1].append(note);
    }
    for (const key of ['interest', 'indemnity', 'totalDue']) {
      const td = document.createElement('td');
      td.className = 'num';
      td.dataset.field = key;
      // The fixed indemnity does not depend on the rate: only interest and total are estimates.
      const estimate = s.totals?.estimated && key !== 'indemnity';
      td.textContent = s.totals ? `${estimate ? '≈ ' : ''}${money(lang, s.totals[key])}` : '—';
      if (estimate) td.title = t(lang, 'estimated');
      tr.append(td);
    }
    // On a phone each row is a card: every cell says what it is.
    [...tr.children].forEach((td, i) => { td.dataset.label = heads[i]; });
    body.append(tr);
  }
  table.append(body);
}

/** What each payment paid: interest, indemnity, principal, as the décompte imputed it. */
function renderImputation(d) {
  const lang = state.lang;
  const box = $('imputation');
  const payments = d.payments.filter((p) => !p.creditNote);
  box.hidden = payments.length === 0;
  if (box.hidden) return;
  $('imputationNote').textContent = t(lang, `imputation_${d.imputation}`);
  const table = $('imputationTable');
  const heads = ['paidOn', 'paidAmount', 'toInterest', 'toIndemnity', 'toPrincipal'];
  const th = (h, i) => `<th scope="col"${i > 0 ? ' class="num"' : ''}>${t(lang, h)}</th>`;
  table.innerHTML = `<caption class="sr-only">${t(lang, 'imputation')}</caption><thead><tr>${heads.map(th).join('')}</tr></thead>`;
  const body = document.createElement('tbody');
  for (const p of payments) {
    const tr = document.createElement('tr');
    const cells = [longDate(lang, p.date), ...[p.amount, p.toInterest, p.toIndemnity, p.toPrincipal].map((v) => money(lang, v))];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i > 0) td.className = 'num';
      tr.append(td);
    });
    body.append(tr);
  }
  table.append(body);
}

/** A step's message, as the worker would send it (with the reminders that go out before it). */
const renderMessage = (s) => core.message({ planInput: result.planInput, stepId: s.stepId });

async function renderPreview() {
  const s = result.steps.find((x) => x.stepId === state.step);
  const frame = $('previewFrame');
  if (!s) { $('previewSubject').textContent = ''; frame.srcdoc = ''; return; }
  try {
    const m = await renderMessage(s);
    $('previewSubject').textContent = m.subject;
    frame.srcdoc = m.letterHtml ?? m.html;
  } catch (e) {
    $('previewSubject').textContent = `[${e.code}] ${e.message}`;
    frame.srcdoc = '';
  }
}

async function renderChart() {
  const lang = state.lang;
  // The chart library is loaded once the first results show, not with the page.
  const { owedOverTime } = await import('./owed-chart.mjs');
  if (!result.curvePoints.length && result.missing) {
    $('chart').textContent = `${t(lang, 'missingRate')} : ${missingRateWords(lang, result.missing)}`;
    return;
  }
  const last = result.curvePoints.at(-1);
  const shown = result.steps.filter(goesOut);
  owedOverTime($('chart'), {
    title: t(lang, 'chart'),
    desc: last ? `${longDate(lang, last.date)}: ${t(lang, 'principal')} ${money(lang, last.principal)}, ${t(lang, 'interest')} ${money(lang, last.interest)}, ${t(lang, 'indemnity')} ${money(lang, last.indemnity)}` : '',
    points: result.curvePoints.map((p) => ({ date: p.date, principal: Number(p.principal), penalties: Number(p.interest) + Number(p.indemnity) })),
    steps: shown.map((s) => ({ date: s.date, label: stepName(lang, s.stepId, s.template) })),
    dueDate: result.timeline.dueDate,
    labels: {
      total: t(lang, 'owedTotal'), principal: t(lang, 'principalLeft'), penalties: t(lang, 'penaltiesRight'),
      dueLine: fill(t(lang, 'dueLine'), { date: longDate(lang, result.timeline.dueDate) }),
    },
    money: (v) => roundMoney(lang, v),
    shortDate: (iso) => shortDate(lang, iso),
    longDate: (iso) => longDate(lang, iso),
  });
}

function renderMonths() {
  const lang = state.lang;
  const box = $('months');
  box.replaceChildren();
  const holidays = new Map(result.holidays.map((h) => [h.date, h.name]));
  const steps = new Map(result.steps.map((s) => [s.date, s]));
  const isMoved = (s) => (s.changes ?? []).some((c) => c !== 'after_previous');
  // The day a moved step was first planned for, marked too.
  const firstPlanned = new Map(result.steps.filter(isMoved).map((s) => [s.nominalDate, s]));
  const first = new Date(`${state.issueDate.slice(0, 7)}-01T00:00:00Z`);
  const endMonth = result.end.slice(0, 7);
  for (let d = first; d.toISOString().slice(0, 7) <= endMonth; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) {
    const y = d.getUTCFullYear(), m = d.getUTCMonth();
    const table = document.createElement('table');
    table.className = 'month';
    table.innerHTML = `<caption>${t(lang, 'months')[m]} ${y}</caption><thead><tr>${t(lang, 'weekdays').map((w) => `<th scope="col">${w}</th>`).join('')}</tr></thead>`;
    const body = document.createElement('tbody');
    let tr = document.createElement('tr');
    const offset = (new Date(Date.UTC(y, m, 1)).getUTCDay() + 6) % 7;
    for (let i = 0; i < offset; i++) tr.append(document.createElement('td'));
    const days = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    for (let day = 1; day <= days; day++) {
      const iso = `${y}-${String(m + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      const td = document.createElement('td');
      td.textContent = day;
      td.dataset.date = iso;
      const notes = [];
      const dow = (offset + day - 1) % 7;
      if (dow >= 5) { td.classList.add('weekend'); notes.push(t(lang, 'weekend')); }
      if (holidays.has(iso)) { td.classList.add('holiday'); notes.push(`${t(lang, 'holiday')}: ${holidays.get(iso)}`); }
      if (iso === result.timeline.dueDate) { td.classList.add('due'); notes.push(t(lang, 'dueDate')); }
      const s = steps.get(iso);
      if (s) {
        td.classList.add('step');
        if (isMoved(s)) td.classList.add('moved');
        notes.push(`${stepName(lang, s.stepId, s.template)}${isMoved(s) ? ` (${t(lang, 'moved')} ; ${t(lang, 'planned')} ${longDate(lang, s.nominalDate)})` : ''}`);
      }
      const first = firstPlanned.get(iso);
      if (first && !s) {
        td.classList.add('first-planned');
        notes.push(`${t(lang, 'firstPlanned')} : ${stepName(lang, first.stepId, first.template)}, ${t(lang, 'moved')} ${longDate(lang, first.date)}`);
      }
      if (notes.length) { td.title = notes.join(' · '); td.setAttribute('aria-label', `${day} – ${notes.join(', ')}`); }
      tr.append(td);
      if ((offset + day) % 7 === 0) { body.append(tr); tr = document.createElement('tr'); }
    }
    if (tr.children.length) body.append(tr);
    table.append(body);
    box.append(table);
  }
  $('monthsLegend').setAttribute('aria-label', t(lang, 'legend'));
  $('monthsLegend').replaceChildren(...[['weekend', 'weekend'], ['holiday', 'holiday'], ['due', 'dueDate'], ['step', 'stepDay'],
    ['step moved', 'legendMoved'], ['first-planned', 'firstPlanned']].map(([classes, key]) => {
    const li = document.createElement('li');
    const sample = document.createElement('span');
    sample.className = `day ${classes}`;
    sample.textContent = '12';
    sample.setAttribute('aria-hidden', 'true');
    li.append(sample, t(lang, key));
    return li;
  }));
}

// ---- exports ----------------------------------------------------------------------------------------

function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

export function calendarFile() {
  const lang = state.lang;
  const events = result.steps.filter((s) => !['cancelled_paid', 'skipped_condition', 'replaced_by_plan'].includes(s.status)).map((s) => ({
    uid: `${s.contactKey ?? `${result.timeline.invoiceId}-${s.stepId}`}@relance`,
    date: s.date,
    summary: `${t(lang, 'stepDay')} ${result.timeline.number}: ${stepName(lang, s.stepId, s.template)} (${t(lang, `channel_${s.channel}`)})`,
    description: `${t(lang, 'dueDate')}: ${result.timeline.dueDate}. ${t(lang, 'totalDue')}: ${s.totals ? money(lang, s.totals.totalDue) : '—'}`,
  }));
  return icsCalendar(events, new Date(), lang);
}

export async function formalNotice() {
  const s = result.steps.find((x) => x.channel === 'registered_letter') ?? result.steps.find((x) => x.template === 'formal_notice');
  return s ? renderMessage(s) : null;
}

async function openLetter() {
  const m = await formalNotice();
  if (!m) { $('shareStatus').textContent = t(state.lang, 'noLetter'); return; }
  const url = URL.createObjectURL(new Blob([m.letterHtml ?? m.html], { type: 'text/html' }));
  window.open(url, '_blank', 'noopener');
}

// ---- e-invoices: read in the browser by the package, never uploaded ----------------------------------

/** Fills the invoice from an e-invoice's bytes: its number, customer, dates and amounts. */
async function fillFromEInvoice(file) {
  const status = $('einvoiceStatus');
  status.textContent = '';
  try {
    const bytes = await file.arrayBuffer();
    const doc = await core.readEInvoice(bytes, [bytes]);
    if (doc.kind === 'credit_note') { status.textContent = t(state.lang, 'einvoiceCreditNote'); return; }
    Object.assign(state, { number: doc.number, customer: doc.buyer.name, amount: doc.total, issueDate: doc.issueDate, kind: 'business' });
    if (doc.dueDate) Object.assign(state, { termsMode: 'due', dueDate: doc.dueDate });
    const country = doc.buyer.address?.country;
    if (COUNTRIES.includes(country)) state.country = country;
    // A deposit (BT-113) is a payment made when the invoice was issued.
    state.payments = Number(doc.prepaid) > 0 ? [{ date: doc.issueDate, amount: doc.prepaid }] : [];
    changed(true);
    status.textContent = t(state.lang, 'einvoiceRead')({ number: doc.number, seller: doc.seller.name, buyer: doc.buyer.name });
  } catch (e) {
    status.textContent = `${t(state.lang, 'einvoiceError')} ${e.message ?? ''}`;
    if (e.code) status.title = `${e.code} ${e.path ?? ''}`;
  }
}

function bindEInvoice() {
  const zone = $('einvoiceDrop');
  $('einvoice').addEventListener('change', () => { const f = $('einvoice').files?.[0]; if (f) fillFromEInvoice(f); });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    const f = e.dataTransfer?.files?.[0];
    if (f) fillFromEInvoice(f);
  });
}

// ---- events -----------------------------------------------------------------------------------------

function changed(rerenderForm = false) {
  history.replaceState(null, '', encodeState(state));
  if (rerenderForm) fillForm();
  renderResults();
}

function bind() {
  const fields = { amount: 'amount', issueDate: 'issueDate', termsMode: 'termsMode', termsDays: 'termsDays', dueDate: 'dueDate', kind: 'kind', country: 'country', imputationChoice: 'imputation' };
  for (const [id, key] of Object.entries(fields)) {
    $(id).addEventListener('input', () => {
      state[key] = $(id).value;
      if (id === 'termsMode') { fillForm(); }
      changed();
    });
  }
  $('lang').addEventListener('change', () => { state.lang = $('lang').value; applyStrings(); changed(true); });
  $('preset').addEventListener('change', () => { state.policy = $('preset').value; changed(true); });
  $('editSteps').addEventListener('click', async () => {
    const base = typeof state.policy === 'string' ? (await presets)[state.policy] : state.policy;
    state.policy = { ...structuredClone(base), id: 'custom', name: t(state.lang, 'custom') };
    changed(true);
    $('stepsEditor').querySelector('input')?.focus();
  });
  $('resetPolicy').addEventListener('click', () => { state.policy = 'standard'; changed(true); });
  $('addPayment').addEventListener('click', () => {
    state.payments.push({ date: result?.timeline.dueDate ?? state.issueDate, amount: result?.ledger.invoices[0].total ?? '' });
    changed(true);
  });
  // A new answer starts on the day of the last reminder shown, or the due date.
  const lastDay = () => result?.steps.filter((s) => ['past', 'today'].includes(s.status)).at(-1)?.date ?? result?.timeline.dueDate ?? state.issueDate;
  $('addReply').addEventListener('click', () => { state.answers.replies.push({ date: addDays(lastDay(), 1) }); changed(true); });
  $('addPromise').addEventListener('click', () => {
    const day = addDays(lastDay(), 1);
    state.answers.promises.push({ madeOn: day, promisedDate: addDays(day, 7), amount: result?.ledger.invoices[0].total ?? '' });
    changed(true);
  });
  $('addCall').addEventListener('click', () => { state.answers.calls.push({ date: addDays(lastDay(), 1) }); changed(true); });
  $('addPlan').addEventListener('click', () => {
    if (state.plan) { state.plan = null; } else {
      const start = result?.timeline.dueDate ?? state.issueDate;
      // Two halves of the total, in cents (the second takes the odd cent).
      const cents = Math.round(Number(result?.ledger.invoices[0].total ?? 0) * 100);
      const half = Math.floor(cents / 2);
      state.plan = { agreedOn: addDays(start, 10), instalments: [{ dueDate: addDays(start, 30), amount: (half / 100).toFixed(2) }, { dueDate: addDays(start, 60), amount: ((cents - half) / 100).toFixed(2) }] };
    }
    changed(true);
  });
  $('exportIcs').addEventListener('click', () => result && download('relance.ics', 'text/calendar', calendarFile()));
  $('openLetter').addEventListener('click', () => result && openLetter());
  $('share').addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(location.href); $('shareStatus').textContent = t(state.lang, 'copied'); } catch { $('shareStatus').textContent = location.href; }
  });
  window.addEventListener('hashchange', () => { state = decodeState(location.hash); applyStrings(); fillForm(); renderResults(); });
}

applyStrings();
fillForm();
bind();
bindEInvoice();
renderResults();
core.version().then((v) => { $('version').textContent = `relance ${v}`; });
if ('serviceWorker' in navigator && location.protocol !== 'file:') navigator.serviceWorker.register('sw.js').catch(() => {});
// For tests and the curious: what the page computed.
window.relanceDemo = {
  get result() { return result; }, get state() { return state; }, calendarFile, formalNotice,
  message: (stepId) => renderMessage(result.steps.find((s) => s.stepId === stepId)),
};
document.body.dataset.ready = 'true';
