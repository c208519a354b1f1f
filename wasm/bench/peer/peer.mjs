// The JavaScript peer: what a JavaScript developer would write for the same two jobs with the
// libraries of the field (decimal.js, date-fns, date-holidays), so that the benchmark compares the
// package with that, not with a straw man. It covers the cases the benchmark feeds it, and its
// answers are checked against the package's, field by field, before anything is timed:
// - the décompte of a French B2B invoice paid nothing (Code de commerce L441-10: the ECB rate in
//   force on 1 January or 1 July plus 10 points, simple interest on 365 days, the 40 € indemnity);
// - the dates of a reminder path: each step at an offset from the due date or from the previous
//   step, in calendar or business days, moved forward off weekends and French public holidays.
import Decimal from 'decimal.js';
import { addDays, differenceInCalendarDays, format, isWeekend, parseISO } from 'date-fns';
import Holidays from 'date-holidays';

const iso = (date) => format(date, 'yyyy-MM-dd');
const money = (d) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);

/// The rate in force on `day` in a table of `{from, rate}` rows sorted by date.
function rateOn(rows, day) {
  let rate = null;
  for (const row of rows) {
    if (row.from > day) break;
    rate = row.rate;
  }
  if (rate === null) throw new Error(`no rate known on ${day}`);
  return new Decimal(rate);
}

/// The décompte of `request` (an invoice with no payment, regime `fr_b2b`), priced with the ECB
/// main refinancing rate rows `ecbRows`.
export function decompte(request, ecbRows) {
  const { invoice, asOf } = request;
  const principal = new Decimal(invoice.total);
  const margin = new Decimal(10);
  const end = parseISO(asOf);
  const lines = [];
  let exactTotal = new Decimal(0);
  let from = addDays(parseISO(invoice.dueDate), 1);
  while (from <= end) {
    const halfYearEnd = new Date(from.getFullYear(), from.getMonth() < 6 ? 5 : 11, from.getMonth() < 6 ? 30 : 31);
    const to = halfYearEnd < end ? halfYearEnd : end;
    const days = differenceInCalendarDays(to, from) + 1;
    const halfYearStart = iso(new Date(from.getFullYear(), from.getMonth() < 6 ? 0 : 6, 1));
    const reference = rateOn(ecbRows, halfYearStart);
    const rate = reference.plus(margin);
    const exact = principal.times(rate).dividedBy(100).times(days).dividedBy(365);
    exactTotal = exactTotal.plus(exact);
    lines.push({
      from: iso(from), to: iso(to), days, base: money(principal), rate: rate.toFixed(2),
      referenceRate: reference.toFixed(2), margin: margin.toFixed(2), yearDays: 365,
      amount: money(exact), exactAmount: exact.toDecimalPlaces(10, Decimal.ROUND_HALF_UP).toFixed(10),
    });
    from = addDays(to, 1);
  }
  const interest = exactTotal.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const indemnity = lines.length > 0 ? new Decimal(40) : new Decimal(0);
  return {
    invoiceId: invoice.id, dueDate: invoice.dueDate, endDate: asOf, lines,
    totals: {
      principal: money(principal), interest: money(interest), indemnity: money(indemnity),
      totalDue: money(principal.plus(interest).plus(indemnity)),
    },
  };
}

/// Several décomptes of one debtor and what they add up to.
export function statement(requests, ecbRows) {
  const decomptes = requests.map((r) => decompte(r, ecbRows));
  const totalDue = decomptes.reduce((sum, d) => sum.plus(d.totals.totalDue), new Decimal(0));
  return { decomptes, totalDue: money(totalDue) };
}

const france = new Holidays('FR');

/// Whether `date` is a business day in France (date-holidays' public holidays).
function isBusinessDay(date) {
  if (isWeekend(date)) return false;
  const holidays = france.isHoliday(date);
  return !(holidays && holidays.some((h) => h.type === 'public'));
}

function nextBusinessDay(date) {
  let d = date;
  while (!isBusinessDay(d)) d = addDays(d, 1);
  return d;
}

function addBusinessDays(date, n) {
  let d = date;
  for (let left = n; left > 0;) {
    d = addDays(d, 1);
    if (isBusinessDay(d)) left -= 1;
  }
  return d;
}

/// The date of each step of `steps` ({anchor: 'due_date' | 'previous_step', offset, unit}) for an
/// invoice due on `dueDate`: anchor plus offset, never before the previous step, then moved
/// forward to a business day (a step after the due date never back onto it).
export function calendar(dueDate, steps) {
  const due = parseISO(dueDate);
  const dates = [];
  let previous = null;
  for (const step of steps) {
    const anchor = step.anchor === 'due_date' || previous === null ? due : previous;
    let date = step.unit === 'business_days' ? addBusinessDays(anchor, step.offset) : addDays(anchor, step.offset);
    if (previous !== null && date < previous) date = previous;
    date = nextBusinessDay(date);
    dates.push(iso(date));
    previous = date;
  }
  return dates;
}
