// The simulation itself, run by the core's worker (core-worker.mjs): the ledger built from the
// form's state, the form's own checks, and every figure, date and message asked of the core. The
// page only draws what comes back.
import * as relance from './vendor/relance/dist/api.mjs';
import { promiseOrder, addDays } from './state.mjs';

const TIME_ZONES = { FR: 'Europe/Paris', BE: 'Europe/Brussels', DE: 'Europe/Berlin', ES: 'Europe/Madrid', IT: 'Europe/Rome', NL: 'Europe/Amsterdam', GB: 'Europe/London' };

/** A core error as plain data, for crossing to the page. */
export const plainError = (e) => ({ code: e.code, path: e.path, message: e.message });

// ---- the ledger the core computes on --------------------------------------------------------------

/** An amount typed in the form (`4 800,50`, `4800.50`...) as the core's decimal string. */
const amount = (typed) => relance.readAmount(typed);

function terms(state) {
  const days = Number(state.termsDays);
  switch (state.termsMode) {
    case 'net': return { terms: { type: 'net', days } };
    case 'eom': return { terms: { type: 'endOfMonth', days } };
    case 'receipt': return { terms: { type: 'onReceipt' } };
    default: return { dueDate: state.dueDate };
  }
}

function ledger(state) {
  const lang = state.lang;
  const invoice = {
    id: 'inv', number: state.number || 'F-2026-0042', debtorId: 'client', issueDate: state.issueDate, currency: 'EUR', total: amount(state.amount),
    ...terms(state),
    payments: state.payments.map((p) => ({ date: p.date, amount: amount(p.amount) })),
  };
  if (state.plan) {
    invoice.paymentPlan = { ...state.plan, instalments: state.plan.instalments.map((i) => ({ ...i, amount: amount(i.amount) })) };
  }
  const answers = state.answers;
  // In the order they were made, as the ledger wants them; each promise is made by phone.
  const promises = promiseOrder(state).map((i) => answers.promises[i])
    .map((p) => ({ madeOn: p.madeOn, promisedDate: p.promisedDate, amount: amount(p.amount), via: 'phone' }));
  if (promises.length) invoice.promises = promises;
  return {
    creditor: {
      name: lang === 'fr' ? 'Votre Entreprise SARL' : 'Your Company Ltd', identifiers: { siren: '812345678' },
      address: { lines: ['12 rue des Tanneurs'], postalCode: '69002', city: 'Lyon', country: 'FR' },
      contact: { name: 'Claire Durand', email: 'compta@votre-entreprise.example' },
      payment: { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' },
      ...(state.imputation ? { penaltyTerms: { imputation: state.imputation } } : {}),
    },
    debtors: [{
      id: 'client', name: state.customer || (lang === 'fr' ? 'Client Exemple' : 'Sample Customer'), kind: state.kind, country: state.country,
      locale: lang, timeZone: TIME_ZONES[state.country] ?? 'Europe/Paris',
      contacts: { emails: ['client@example.com'], postalAddress: { lines: ['3 place Bellecour'], postalCode: '69002', city: 'Lyon', country: state.country } },
      // A reply "on a day" arrives at noon, after that day's messages went out.
      replies: answers.replies.map((r) => ({ receivedAt: `${r.date}T12:00:00Z`, channel: 'email', kind: 'human' })),
      calls: answers.calls.map((c) => ({ on: c.date, result: 'not_reached' })),
    }],
    invoices: [invoice],
  };
}

// ---- what the visitor typed, checked before the core sees it --------------------------------------

/**
 * The form's own checks, each naming the input it concerns: a required field left empty (never
 * read as zero), an amount that does not read as one. The core checks everything else. Each
 * problem is `{field, code}` (`required`, or the core's code with its error).
 */
function formProblems(state) {
  const problems = [];
  const required = (field, value) => {
    if (String(value ?? '').trim() === '') problems.push({ field, code: 'required' });
    return String(value ?? '').trim() !== '';
  };
  const typedAmount = (field, value) => {
    if (!required(field, value)) return;
    try { amount(value); } catch (error) { problems.push({ field, code: error.code, error: plainError(error) }); }
  };
  typedAmount('amount', state.amount);
  required('issueDate', state.issueDate);
  if (['net', 'eom'].includes(state.termsMode)) required('termsDays', state.termsDays);
  if (state.termsMode === 'due') required('dueDate', state.dueDate);
  state.payments.forEach((p, i) => { required(`payments-date-${i}`, p.date); typedAmount(`payments-amount-${i}`, p.amount); });
  state.answers.replies.forEach((r, i) => required(`replies-date-${i}`, r.date));
  state.answers.calls.forEach((c, i) => required(`calls-date-${i}`, c.date));
  state.answers.promises.forEach((p, i) => {
    required(`promises-madeOn-${i}`, p.madeOn);
    required(`promises-promisedDate-${i}`, p.promisedDate);
    typedAmount(`promises-amount-${i}`, p.amount);
  });
  if (state.plan) {
    required('agreedOn', state.plan.agreedOn);
    state.plan.instalments.forEach((p, i) => { required(`instalments-dueDate-${i}`, p.dueDate); typedAmount(`instalments-amount-${i}`, p.amount); });
  }
  return problems;
}

// ---- computation ------------------------------------------------------------------------------------

/** A penalty request that prices a half-year not published yet at the last known rate, marked. */
function estimating(request) {
  return { ...request, options: { ...request.options, estimateMissingRates: true } };
}

/** What is still due on a day: the interest and indemnity partial payments paid are off. */
function penaltiesOn(state, l, day) {
  const request = relance.penaltyRequest({ ledger: l, invoiceId: 'inv', asOf: day, extraRates: state.extraRates });
  const d = relance.decompte(estimating(request));
  return { ...d.totals, interest: d.totals.interestDue, indemnity: d.totals.indemnityDue, estimated: d.lines.some((line) => line.estimated) };
}

/** The core's warning about a policy step (`policy.steps[i]`) for this timeline entry, if any. */
function stepWarning(warnings, policy, entry) {
  if (entry.kind !== 'policy_step') return null;
  const about = warnings.find((w) => policy.steps[Number(/^policy\.steps\[(\d+)\]$/.exec(w.path)?.[1] ?? -1)]?.id === entry.stepId);
  return about ? about.code : null;
}

function compute(state) {
  const l = ledger(state);
  const policy = relance.validatePolicy(state.policy);
  const termsAnswer = relance.evaluateTerms({ issueDate: state.issueDate, ...terms(state), debtorKind: state.kind, creditorCountry: 'FR' });
  const planInput = { ledger: l, policy, asOf: state.issueDate, extraRates: state.extraRates };
  const plan = relance.plan(planInput);
  const timeline = plan.invoices[0];
  let missing = null;
  const steps = timeline.steps.map((s) => {
    let totals = null;
    try {
      totals = penaltiesOn(state, l, s.date);
    } catch (e) {
      // Only a rate with nothing known before it (never for the shipped tables) stops an estimate.
      if (e.code !== 'missing_rate') throw e;
      missing ??= e;
    }
    return { ...s, totals, warning: stepWarning(plan.warnings, policy, s) };
  });
  // A month past the last step, the due date and the last payment, whichever is latest.
  const last = [timeline.dueDate, ...steps.map((s) => s.date), ...l.invoices[0].payments.map((p) => p.date)].sort().at(-1);
  const end = addDays(last, 30);
  const request = relance.penaltyRequest({ ledger: l, invoiceId: 'inv', asOf: end, extraRates: state.extraRates });
  // Which rate is not published yet (the core names its table and half-year), to ask for it.
  try {
    relance.decompte(request);
  } catch (e) {
    if (e.code !== 'missing_rate') throw e;
    missing ??= e;
  }
  // How each payment was imputed (interest and costs first under most laws), on the last day shown.
  const imputed = relance.decompte(estimating(request));
  let curvePoints = [];
  try {
    curvePoints = relance.curve({ request: estimating(request), from: state.issueDate, to: end });
  } catch (e) {
    if (e.code !== 'missing_rate') throw e;
  }
  const calendar = relance.calendarFor({ country: state.country });
  const years = new Set([state.issueDate.slice(0, 4), end.slice(0, 4)]);
  const holidays = [...years].flatMap((y) => relance.holidays({ calendar, year: Number(y) }));
  return {
    ledger: l, planInput, policy, termsAnswer, timeline, steps, curvePoints, holidays, end, imputed, planWarnings: plan.warnings,
    missing: missing && plainError(missing),
  };
}


/** The message of a step, rendered as the worker would send it (with the reminders before it). */
export function message({ planInput, stepId }) {
  const request = relance.stepRequest({ plan: planInput, invoiceId: 'inv', stepId });
  return relance.renderMessage({ ledger: planInput.ledger, request });
}

/** A form state's simulation: `{problems}` while the form is not filled in, else `{result}`. */
export function simulate(state) {
  const problems = formProblems(state);
  return problems.length ? { problems } : { result: compute(state) };
}
