// Types of the `relance` package. GENERATED from the Rust types by ts-rs: do not edit by hand;
// change the Rust types or wasm/typescript/functions.d.ts, then run
// `RELANCE_BLESS=1 cargo test -p relance-wasm --features typescript --test typescript`.
// Dates are "YYYY-MM-DD", instants RFC 3339 ("2026-11-23T09:00:00Z"), amounts decimal strings
// ("1234.56"). Checked against real inputs and outputs by wasm/test/types.test.mjs.

/** A day, `YYYY-MM-DD`. */
export type IsoDate = string;
/** An instant, RFC 3339 (`2026-11-23T09:00:00Z`). */
export type IsoDateTime = string;

/**
 * Something to send now.
 */
export type Action = { 
/**
 * Idempotency key: claim it before sending; the provider gets it too.
 */
key: string, 
/**
 * Debtor id.
 */
debtorId: string, 
/**
 * Channel.
 */
channel: Channel, 
/**
 * Template key.
 */
template: string, 
/**
 * Level.
 */
level: number, 
/**
 * Tone.
 */
tone: Tone, 
/**
 * The leading step's id.
 */
stepId: string, 
/**
 * The invoices it covers.
 */
items: Array<ActionItem>, 
/**
 * Currency.
 */
currency: Currency, 
/**
 * Total outstanding now.
 */
totalOutstanding: Decimal, 
/**
 * For a formal notice: the deadline stated, counted from today.
 */
deadlineDate?: string | null, 
/**
 * Why now.
 */
reason: ActionReason, };

/**
 * One invoice in an action.
 */
export type ActionItem = { 
/**
 * Invoice id.
 */
invoiceId: string, 
/**
 * Invoice number.
 */
number: string, 
/**
 * Step id.
 */
stepId: string, 
/**
 * The step's planned date.
 */
plannedDate: string, 
/**
 * Due date.
 */
dueDate: string, 
/**
 * Outstanding now.
 */
outstanding: Decimal, };

/**
 * Why an action is due.
 */
export type ActionReason = { 
/**
 * `scheduled` (on its day) or `catch_up` (late, under the catch-up rule).
 */
code: string, 
/**
 * Days after its planned date.
 */
daysLate: number, 
/**
 * Earlier missed steps that this one replaces (never sent).
 */
superseded: Array<ItemRef>, 
/**
 * For a person.
 */
message: string, };

/**
 * A postal address.
 */
export type Address = { 
/**
 * Street lines.
 */
lines?: Array<string>, 
/**
 * Postal code.
 */
postalCode?: string, 
/**
 * City.
 */
city?: string, 
/**
 * ISO 3166-1 alpha-2 country code.
 */
country: string, };

/**
 * Business-day adjustment of a date that falls on a weekend or holiday.
 */
export type Adjustment = "forward" | "backward" | "none";

/**
 * One ageing bucket.
 */
export type AgeingBucket = { 
/**
 * `not_due`, `1_30`, `31_60`, `61_90`, `over_90`.
 */
bucket: string, 
/**
 * Amount still owed.
 */
amount: Decimal, 
/**
 * Invoices.
 */
count: number, };

/**
 * What `allocatePayment` takes.
 */
export type AllocateArgs = { 
/**
 * The ledger.
 */
ledger: Ledger, 
/**
 * The debtor who paid.
 */
debtorId: string, 
/**
 * The payment, naming no invoice.
 */
payment: DebtorPayment, 
/**
 * Newer rate rows by table id (they price the penalties each invoice owes).
 */
extraRates?: { [key in string]: Array<RateRow> }, };

/**
 * A payment spread over the invoices.
 */
export type Allocated = { 
/**
 * In the order they were paid.
 */
allocations: Array<Allocation>, 
/**
 * Beyond everything the debtor owes (nothing is recorded for it: a person decides).
 */
unallocated: Decimal, };

/**
 * What the payment pays of one invoice.
 */
export type Allocation = { 
/**
 * The invoice.
 */
invoiceId: string, 
/**
 * What it receives (its principal and penalties still due, or what was left of the payment).
 */
amount: Decimal, 
/**
 * Whether it was due on the payment's day (due debts come first).
 */
wasDue: boolean, };

/**
 * Every figure.
 */
export type Analytics = { 
/**
 * Day of the figures.
 */
asOf: string, 
/**
 * First day of the period.
 */
periodStart: string, 
/**
 * Currency.
 */
currency: Currency, 
/**
 * Invoices in other currencies, left out.
 */
excludedInvoices: number, 
/**
 * Owed at `asOf`.
 */
outstanding: Decimal, 
/**
 * DSO.
 */
dso: Dso, 
/**
 * Ageing.
 */
ageing: Array<AgeingBucket>, 
/**
 * Recovery rate.
 */
recovery: Recovery, 
/**
 * Days late.
 */
daysLate: DaysLate, 
/**
 * Reminders before payment.
 */
remindersBeforePayment: RemindersNeeded, 
/**
 * By step.
 */
steps: Array<Effectiveness>, 
/**
 * By channel.
 */
channels: Array<Effectiveness>, 
/**
 * By debtor, worst first.
 */
debtors: Array<DebtorBehaviour>, 
/**
 * Claimable penalties.
 */
claimable: Claimable, 
/**
 * What the debtors answered: promises, replies, bounces.
 */
answers: AnswerFigures, };

/**
 * What to compute.
 */
export type AnalyticsRequest = { 
/**
 * The ledger.
 */
ledger: Ledger, 
/**
 * The delivery log (messages sent).
 */
sent?: Array<SentMessage>, 
/**
 * The day of the figures.
 */
asOf: string, 
/**
 * First day of the period (DSO, recovery, days late); default 90 days before `asOf`.
 */
periodStart?: string | null, 
/**
 * The currency analysed (default EUR).
 */
currency?: Currency | null, 
/**
 * Effectiveness window after a message, in days (default 14).
 */
windowDays?: number | null, 
/**
 * Days after a promised date before a promise counts as broken (default 3, as the presets).
 */
promiseGraceDays?: number | null, 
/**
 * Segment thresholds.
 */
segments?: Segments, 
/**
 * Newer rate rows, for the claimable penalties.
 */
extraRates?: { [key in string]: Array<RateRow> }, };

/**
 * What a step's offset counts from.
 */
export type Anchor = "issue_date" | "due_date" | "previous_step";

/**
 * What the debtors answered.
 */
export type AnswerFigures = { 
/**
 * Promises to pay.
 */
promises: PromiseFigures, 
/**
 * Reply rate and time to the first reply, by step.
 */
replies: Array<ReplyRate>, 
/**
 * The same over every step (`stepId` empty).
 */
allReplies: ReplyRate, 
/**
 * Bounce rate of the emails.
 */
bounces: Bounces, };

/**
 * How the debtor's answers hold the path.
 */
export type AnswerRules = { 
/**
 * Days after a promised date before the promise counts as broken (a transfer takes a day or
 * two to arrive); no automatic step goes out from the day it was made until then.
 */
promiseGraceDays: number, 
/**
 * Days a person's reply holds the next automatic step, counted from the reply (time to read
 * it and answer).
 */
replyPauseDays: number, };

/**
 * A task an answer gives a person. Its key is stable: the same answer gives the same task.
 */
export type AnswerTask = { 
/**
 * Stable key (the task's id).
 */
key: string, 
/**
 * What to do.
 */
kind: AnswerTaskKind, 
/**
 * Debtor id.
 */
debtorId: string, 
/**
 * Day it is due (the day of the answer).
 */
dueOn: string, 
/**
 * The answer it comes from.
 */
path: string, 
/**
 * For a person.
 */
message: string, };

/**
 * What a person must do about an answer.
 */
export type AnswerTaskKind = "read_reply" | "check_payment" | "fix_email" | "fix_phone";

/**
 * Emails that bounced.
 */
export type Bounces = { 
/**
 * Emails sent in the period.
 */
emails: number, 
/**
 * Of them, those a delivery failure report names.
 */
bounced: number, 
/**
 * The share (0-1).
 */
share?: Decimal | null, };

/**
 * A built-in calendar. JSON form: the kebab-case id (`"fr"`, `"fr-alsace-moselle"`, ...).
 */
export type CalendarId = "weekends" | "fr" | "fr-alsace-moselle" | "de" | "gb-england-wales" | "be" | "es" | "it" | "nl";

/**
 * What was agreed on a call that reached the debtor.
 */
export type CallAgreement = "promise" | "dispute" | "already_paid" | "nothing";

/**
 * The outcome of a call made to the debtor.
 */
export type CallOutcome = { 
/**
 * Day of the call.
 */
on: string, 
/**
 * Reached, not reached, wrong number.
 */
result: CallResult, 
/**
 * What was agreed (only for a call that reached the debtor).
 */
agreed?: CallAgreement | null, 
/**
 * The key of the call task it closes, when known.
 */
answers?: string | null, 
/**
 * What was said.
 */
note?: string, };

/**
 * Whether a call reached the debtor.
 */
export type CallResult = "reached" | "not_reached" | "wrong_number";

/**
 * The catch-up rule for missed runs: only the latest missed step of an invoice is sent, once, and
 * only if it is at most `maxLatenessDays` late; never a burst of every missed step.
 */
export type CatchUp = { 
/**
 * Most days a step may be late and still be sent.
 */
maxLatenessDays: number, };

/**
 * How a step reaches the debtor.
 */
export type Channel = "email" | "sms" | "phone_task" | "letter" | "registered_letter" | "legal_action" | "agency_handoff";

/**
 * Penalties the creditor could claim.
 */
export type Claimable = { 
/**
 * Late-payment interest.
 */
interest: Decimal, 
/**
 * Fixed indemnities.
 */
indemnities: Decimal, 
/**
 * Both.
 */
total: Decimal, 
/**
 * Invoices concerned (paid late or overdue).
 */
invoices: number, 
/**
 * Invoices left out because a rate is missing, and the first message saying which.
 */
missingRateInvoices: number, 
/**
 * Which half-year is missing.
 */
missingRate?: string | null, };

/**
 * A message in the compact form: each field left out is its lead step's (`items[lead]`).
 */
export type CompactContact = { 
/**
 * Deterministic idempotency key.
 */
key: string, 
/**
 * The invoice-steps it covers.
 */
items: Array<ItemRef>, 
/**
 * The index in `items` of the step it takes its fields from (0 when left out).
 */
lead?: number, 
/**
 * Total outstanding of its invoices on its date.
 */
totalOutstanding: Decimal, 
/**
 * Debtor id, when not the lead invoice's.
 */
debtorId?: string | null, 
/**
 * Date, when not the lead step's.
 */
date?: string | null, 
/**
 * When it goes out, when not the lead step's.
 */
sendAt?: string | null, 
/**
 * Channel, when not the lead step's.
 */
channel?: Channel | null, 
/**
 * Template, when not the lead step's.
 */
template?: string | null, 
/**
 * Level, when not the lead step's.
 */
level?: number | null, 
/**
 * Tone, when not the lead step's.
 */
tone?: Tone | null, 
/**
 * Currency, when not the lead invoice's.
 */
currency?: Currency | null, 
/**
 * The payment deadline stated, when not the lead step's (`null`: none, although the lead
 * step has one).
 */
deadlineDate?: string | null, 
/**
 * Status, when not the lead step's.
 */
status?: StepStatus | null, };

/**
 * A plan in its compact form (see the module's rules).
 */
export type CompactPlan = { 
/**
 * The day it was computed for.
 */
asOf: string, 
/**
 * The policy used.
 */
policyId: string, 
/**
 * What the steps of each id share, by step id.
 */
stepTypes: { [key in string]: StepType }, 
/**
 * One timeline per invoice, in ledger order.
 */
invoices: Array<CompactTimeline>, 
/**
 * Every message, by date then debtor.
 */
contacts: Array<CompactContact>, 
/**
 * Warnings.
 */
warnings?: Array<PlanWarning>, 
/**
 * Work the debtors' answers give people.
 */
tasks?: Array<AnswerTask>, };

/**
 * A timeline step in the compact form.
 */
export type CompactStep = { 
/**
 * The step id (its kind, channel, template, level and tone are `stepTypes[stepId]`'s unless
 * given here).
 */
stepId: string, 
/**
 * Kind, when not its step type's.
 */
kind?: EventKind | null, 
/**
 * Channel, when not its step type's (a rerouted step).
 */
channel?: Channel | null, 
/**
 * The channel the policy gave, when the step goes out another way.
 */
reroutedFrom?: Channel | null, 
/**
 * Template, when not its step type's.
 */
template?: string | null, 
/**
 * Level, when not its step type's.
 */
level?: number | null, 
/**
 * Tone, when not its step type's.
 */
tone?: Tone | null, 
/**
 * Anchor plus offset, when it differs from `date`.
 */
nominalDate?: string | null, 
/**
 * The date it happens.
 */
date: string, 
/**
 * When it goes out, for contacts.
 */
sendAt?: string | null, 
/**
 * Why `date` differs from its nominal date.
 */
changes?: Array<DateChange>, 
/**
 * Status.
 */
status: StepStatus, 
/**
 * Outstanding on `date`.
 */
outstanding: Decimal, 
/**
 * For a formal notice: the last day to pay that the letter states.
 */
deadlineDate?: string | null, 
/**
 * The key of the message it goes out in.
 */
contactKey?: string | null, };

/**
 * An invoice's timeline in the compact form.
 */
export type CompactTimeline = { 
/**
 * Invoice id.
 */
invoiceId: string, 
/**
 * Invoice number.
 */
number: string, 
/**
 * Debtor id.
 */
debtorId: string, 
/**
 * Due date.
 */
dueDate: string, 
/**
 * Currency.
 */
currency: Currency, 
/**
 * Total.
 */
total: Decimal, 
/**
 * Outstanding on `asOf`.
 */
outstanding: Decimal, 
/**
 * Day it was settled in full, if it was.
 */
settledOn?: string | null, 
/**
 * Findings of the legal check of its payment term (left out when there are none).
 */
termFindings?: Array<TermFinding>, 
/**
 * Every step, past and future.
 */
steps: Array<CompactStep>, };

/**
 * When a step applies; an unmet condition skips the step (the next one still follows).
 */
export type Conditions = { 
/**
 * Only when at least this much is outstanding on the step's date.
 */
minOutstanding?: Decimal | null, 
/**
 * Only for these kinds of debtor (empty: all).
 */
debtorKinds?: Array<DebtorKind>, 
/**
 * Only when the debtor has not answered (a person's reply, a call that reached them) since
 * the previous step, nor in this many days before the step ("no answer to the email within a
 * week: call").
 */
noReplyForDays?: number | null, };

/**
 * A contact person or desk.
 */
export type Contact = { 
/**
 * Name.
 */
name?: string | null, 
/**
 * Email address.
 */
email?: Email | null, 
/**
 * Phone number.
 */
phone?: string | null, };

/**
 * A rate a source published for a day that a table already gives another rate for.
 */
export type Correction = { 
/**
 * The table.
 */
table: string, 
/**
 * The day.
 */
day: string, 
/**
 * The rate the table gives.
 */
held: Decimal, 
/**
 * The rate the source published.
 */
published: Decimal, };

/**
 * A count and what it adds up to.
 */
export type CountAmount = { 
/**
 * How many.
 */
count: number, 
/**
 * Their amount.
 */
amount: Decimal, };

export type CountryArgs = { 
/**
 * ISO 3166-1 alpha-2 country code.
 */
country: string, };

/**
 * A credit note reducing what is owed from its date.
 */
export type CreditNote = { 
/**
 * Its number.
 */
number?: string | null, 
/**
 * Its date.
 */
date: string, 
/**
 * Amount credited, including VAT.
 */
amount: Decimal, };

/**
 * The business that issued the invoices.
 */
export type Creditor = { 
/**
 * Legal name.
 */
name: string, 
/**
 * Legal identifiers by scheme, e.g. `{"siren": "123456789", "vat": "FR12123456789"}`.
 */
identifiers?: { [key in string]: string }, 
/**
 * Registered address; its country decides which law's checks apply.
 */
address: Address, 
/**
 * Who the debtor should contact.
 */
contact?: Contact, 
/**
 * How to pay.
 */
payment?: PaymentDetails, 
/**
 * What its general terms say about penalties, for every invoice: what a partial payment
 * pays first, waivers.
 */
penaltyTerms?: PenaltyTerms, };

/**
 * Whether the creditor is a private person: picks the French legal rate (L313-2 CMF).
 */
export type CreditorStatus = "individual" | "professional";

/**
 * An ISO 4217 alphabetic currency code (`EUR`, `GBP`, ...).
 */
export type Currency = string;

/**
 * What `curve` takes.
 */
export type CurveArgs = { 
/**
 * The penalty request.
 */
request: PenaltyRequest, 
/**
 * First day, `YYYY-MM-DD`.
 */
from: string, 
/**
 * Last day, `YYYY-MM-DD`.
 */
to: string, };

/**
 * One day of the curve of what is owed.
 */
export type CurvePoint = { 
/**
 * The day.
 */
date: string, 
/**
 * Principal still owed at the end of the day.
 */
principal: Decimal, 
/**
 * Interest accrued up to and including the day and not paid by then.
 */
interest: Decimal, 
/**
 * Fixed indemnity owed by then and not paid.
 */
indemnity: Decimal, 
/**
 * Sum.
 */
total: Decimal, };

/**
 * A message template (`subject: ...`, a blank line, the body, in Handlebars), or with
 * `partial: true` a partial that templates include as `{{> key}}`.
 */
export type CustomTemplate = { 
/**
 * The template key (a built-in key replaces the built-in template).
 */
key: string, 
/**
 * Its language.
 */
lang: Lang, 
/**
 * The Handlebars source.
 */
source: string, 
/**
 * True when it shows penalties (the render then needs the rates).
 */
requiresPenalties?: boolean, 
/**
 * A partial (`{{> key}}`) rather than a message template: its source has no subject line.
 */
partial?: boolean, };

/**
 * Why a step's date differs from its anchor plus offset.
 */
export type DateChange = "after_previous" | "dispute_pause" | "business_day" | "min_gap" | "promise_pause" | "reply_pause";

/**
 * Day-count convention.
 */
export type DayCount = "actual365" | "actual_actual";

/**
 * A day in a business-day calendar (`days` for `addBusinessDays`, `adjustment` for `adjustDate`).
 */
export type DayQuery = { 
/**
 * The calendar.
 */
calendar: CalendarId, 
/**
 * The day, `YYYY-MM-DD`.
 */
date: string, 
/**
 * Business days to add (negative: to go back); default 0.
 */
days?: number, 
/**
 * Which way to move a day that is not a business day; default forward.
 */
adjustment?: Adjustment, };

/**
 * Calendar or business days.
 */
export type DayUnit = "calendar_days" | "business_days";

/**
 * Payment delays.
 */
export type DaysLate = { 
/**
 * Days late of the invoices settled in the period.
 */
days: Stats, 
/**
 * Share settled on or before the due date (0-1).
 */
onTimeShare?: Decimal | null, };

/**
 * A customer who owes.
 */
export type Debtor = { 
/**
 * Unique id within the ledger.
 */
id: string, 
/**
 * Name as addressed.
 */
name: string, 
/**
 * Business, consumer or public body.
 */
kind: DebtorKind, 
/**
 * ISO 3166-1 alpha-2 country: picks the default business-day calendar.
 */
country: string, 
/**
 * Language of the messages (`fr`, `en`, `de`, ...).
 */
locale: string, 
/**
 * IANA time zone (`Europe/Paris`): send windows are in this zone.
 */
timeZone: string, 
/**
 * A calendar other than the country's default (e.g. `fr-alsace-moselle`).
 */
calendar?: CalendarId | null, 
/**
 * For a public body: which payment period applies.
 */
publicBuyerCategory?: PublicBuyerCategory | null, 
/**
 * Registration numbers by scheme (`siren`, `siret`, `vat`): an e-invoice's buyer is matched
 * to its debtor by them.
 */
identifiers?: { [key in string]: string }, 
/**
 * How to reach the debtor.
 */
contacts?: DebtorContacts, 
/**
 * Replies received (human, automatic, bounces), in any order.
 */
replies?: Array<Reply>, 
/**
 * Outcomes of the calls made to the debtor, in any order.
 */
calls?: Array<CallOutcome>, };

/**
 * How a debtor pays.
 */
export type DebtorBehaviour = { 
/**
 * Debtor id.
 */
debtorId: string, 
/**
 * Name.
 */
name: string, 
/**
 * Invoices settled by `asOf`.
 */
settledInvoices: number, 
/**
 * Their mean days late.
 */
meanDaysLate?: Decimal | null, 
/**
 * Share on time.
 */
onTimeShare?: Decimal | null, 
/**
 * Days late per invoice, least squares over settlement order (needs 3 invoices).
 */
trendSlope?: Decimal | null, 
/**
 * `improving`, `stable`, `worsening` or `unknown`.
 */
trend: string, 
/**
 * Owed now.
 */
outstanding: Decimal, 
/**
 * Most days overdue among its open invoices.
 */
maxDaysOverdue: number, 
/**
 * `reliable`, `slow`, `at_risk` or `new`.
 */
segment: string, };

/**
 * How to reach a debtor.
 */
export type DebtorContacts = { 
/**
 * Email addresses, the first one is the main.
 */
emails?: Array<Email>, 
/**
 * Phone number.
 */
phone?: string | null, 
/**
 * Postal address for letters.
 */
postalAddress?: Address | null, };

/**
 * What kind of debtor: decides the law (B2B, consumer, public buyer).
 */
export type DebtorKind = "business" | "consumer" | "public_body";

/**
 * A payment from a debtor that names no invoice.
 */
export type DebtorPayment = { 
/**
 * Day the funds were received.
 */
date: string, 
/**
 * Amount received, in the currency of the debtor's invoices.
 */
amount: Decimal, 
/**
 * Bank reference, kept on each invoice's payment.
 */
reference?: string | null, };

/**
 * An exact decimal amount. JSON form: a string such as `"1234.56"` or `"-12"`; a JSON number is
 * refused, because a float cannot carry cents exactly.
 */
export type Decimal = string;

/**
 * The itemised décompte of one invoice.
 */
export type Decompte = { 
/**
 * Invoice id.
 */
invoiceId: string, 
/**
 * Invoice number.
 */
number: string, 
/**
 * Currency.
 */
currency: Currency, 
/**
 * Due date.
 */
dueDate: string, 
/**
 * Last day interest ran (payment day or asOf).
 */
endDate: string, 
/**
 * Days of delay (end date - due date, at least 0).
 */
daysLate: number, 
/**
 * The periods.
 */
lines: Array<DecompteLine>, 
/**
 * What partial payments paid first.
 */
imputation: Imputation, 
/**
 * What each payment and credit note up to `asOf` paid, in date order.
 */
payments: Array<ImputedSettlement>, 
/**
 * Totals.
 */
totals: DecompteTotals, 
/**
 * Warnings.
 */
warnings: Array<PenaltyWarning>, };

/**
 * One period of the décompte.
 */
export type DecompteLine = { 
/**
 * First day of the period.
 */
from: string, 
/**
 * Last day of the period (included).
 */
to: string, 
/**
 * Number of days.
 */
days: number, 
/**
 * The amount interest runs on.
 */
base: Decimal, 
/**
 * Percent per year applied.
 */
rate: Decimal, 
/**
 * The reference rate it is built from, if any.
 */
referenceRate?: Decimal | null, 
/**
 * The reference rate of this period is not published yet: the last known one is assumed.
 */
estimated?: boolean, 
/**
 * Points added to the reference.
 */
margin?: Decimal | null, 
/**
 * Days in the year used (365 or 366).
 */
yearDays: number, 
/**
 * Interest of the period, rounded for display (the total is rounded once from exact values).
 */
amount: Decimal, 
/**
 * Interest of the period, exact to 10 decimals.
 */
exactAmount: Decimal, };

/**
 * The totals of a décompte.
 */
export type DecompteTotals = { 
/**
 * Invoice total.
 */
principal: Decimal, 
/**
 * Paid or credited up to the end of the computation.
 */
settled: Decimal, 
/**
 * Principal still owed.
 */
principalOutstanding: Decimal, 
/**
 * Late-payment interest accrued.
 */
interest: Decimal, 
/**
 * Of that interest, what payments paid (see `Imputation`).
 */
interestPaid: Decimal, 
/**
 * Fixed recovery indemnity.
 */
indemnity: Decimal, 
/**
 * Of the indemnity, what payments paid.
 */
indemnityPaid: Decimal, 
/**
 * Interest accrued and not paid yet (`interest - interestPaid`).
 */
interestDue: Decimal, 
/**
 * Fixed indemnity owed and not paid yet (`indemnity - indemnityPaid`).
 */
indemnityDue: Decimal, 
/**
 * Everything still due: principal outstanding + interest and indemnity not paid yet.
 */
totalDue: Decimal, };

/**
 * A dispute (litige): reminders pause while it is open.
 */
export type Dispute = { 
/**
 * Day it was raised.
 */
openedOn: string, 
/**
 * Day it was settled; absent while open.
 */
closedOn?: string | null, 
/**
 * What the debtor contests.
 */
reason?: string, };

/**
 * Days sales outstanding.
 */
export type Dso = { 
/**
 * Standard method (days, one decimal); absent without sales in the period.
 */
standard?: Decimal | null, 
/**
 * Countback method (days, one decimal).
 */
countback: Decimal, 
/**
 * Receivables at `asOf`.
 */
receivables: Decimal, 
/**
 * Credit sales in the period.
 */
sales: Decimal, 
/**
 * Days in the period.
 */
periodDays: number, };

/**
 * What `dueActions` takes.
 */
export type DueArgs = { 
/**
 * The ledger.
 */
ledger: Ledger, 
/**
 * The policy: a preset id or a policy object.
 */
policy: PolicyArg, 
/**
 * What was already sent (so nothing goes out twice).
 */
sentLog?: Array<SentEntry>, 
/**
 * The instant of the run, RFC 3339.
 */
now: string, 
/**
 * Newer rate rows by table id (see `plan`).
 */
extraRates?: { [key in string]: Array<RateRow> }, };

/**
 * What Relance reads from an EN 16931 document.
 */
export type EInvoice = { 
/**
 * The syntax it came in.
 */
format: EInvoiceFormat, 
/**
 * BT-24, the specification it claims (`urn:cen.eu:en16931:2017`, a Factur-X profile...).
 */
profile?: string | null, 
/**
 * Invoice or credit note.
 */
kind: EInvoiceKind, 
/**
 * BT-3.
 */
typeCode?: string | null, 
/**
 * BT-1.
 */
number: string, 
/**
 * BT-2.
 */
issueDate: string, 
/**
 * BT-9.
 */
dueDate?: string | null, 
/**
 * BT-20, as written.
 */
paymentTerms?: string | null, 
/**
 * BT-25: the invoices a credit note corrects.
 */
precedingInvoices: Array<string>, 
/**
 * BG-4.
 */
seller: EParty, 
/**
 * BG-7.
 */
buyer: EParty, 
/**
 * BT-5.
 */
currency: string, 
/**
 * BT-112, the total with VAT.
 */
total: Decimal, 
/**
 * BT-113, paid before the invoice was issued (zero when absent).
 */
prepaid: Decimal, 
/**
 * BT-115, the amount due.
 */
amountDue: Decimal, 
/**
 * BT-84, the account to pay into.
 */
iban?: string | null, 
/**
 * BT-86.
 */
bic?: string | null, 
/**
 * The notes that state penalty and indemnity clauses (BT-21 subject codes PMT, PMD, AAB).
 */
penaltyClauses: Array<string>, 
/**
 * What the reader could not map or found malformed, with the place in the document.
 */
warnings: Array<string>, };

/**
 * The syntax a document came in.
 */
export type EInvoiceFormat = "factur_x" | "ubl" | "cii";

/**
 * Invoice or credit note (BT-3).
 */
export type EInvoiceKind = "invoice" | "credit_note";

/**
 * A seller or a buyer as the document states it.
 */
export type EParty = { 
/**
 * BT-27 / BT-44.
 */
name: string, 
/**
 * SIREN (9 digits): from BT-30 / BT-47 (scheme 0002), a SIRET, or a French VAT number.
 */
siren?: string | null, 
/**
 * SIRET (14 digits, scheme 0009), when stated.
 */
siret?: string | null, 
/**
 * BT-31 / BT-48.
 */
vatId?: string | null, 
/**
 * BG-5 / BG-8.
 */
address?: Address | null, 
/**
 * BT-43 / BT-58 (the contact's email).
 */
email?: string | null, 
/**
 * BT-34 / BT-49 (the electronic address, e.g. a Peppol id).
 */
electronicAddress?: string | null, };

/**
 * Effectiveness of a step or channel.
 */
export type Effectiveness = { 
/**
 * The step id or channel.
 */
key: string, 
/**
 * Invoice-messages whose outcome is known.
 */
messages: number, 
/**
 * Of them, settled within the window.
 */
paidWithinWindow: number, 
/**
 * The share (0-1).
 */
share?: Decimal | null, };

/**
 * An email address, checked when it is read: its syntax (RFC 5321/5322, by the `email_address`
 * crate), no line break (it ends in a mail header), at most 254 characters (RFC 5321's path).
 */
export type Email = string;

/**
 * The two accepted computations of "N jours fin de mois".
 */
export type EndOfMonthMethod = "days_then_end_of_month" | "end_of_month_then_days";

/**
 * What kind of event a timeline entry is.
 */
export type EventKind = "policy_step" | "instalment_upcoming" | "instalment_missed" | "promise_broken" | "penalty_claim";

/**
 * Rows read from one response, and where they came from.
 */
export type Fetched = { 
/**
 * The rate table the rows belong to.
 */
table: string, 
/**
 * Who publishes them.
 */
source: string, 
/**
 * The series read.
 */
series: string, 
/**
 * The last day the response has an observation for.
 */
observedUntil: string, 
/**
 * The last day the rows are known for: the day the ECB's response was read (it records a
 * rate on the day it changes, announced in advance), the end of the Basiszinssatz's last
 * half-year (fixed for the half-year), the Bank Rate's last reference day.
 */
knownUntil: string, 
/**
 * The rows, in date order, in the form of the table.
 */
rows: Array<RateRow>, };

/**
 * One public holiday.
 */
export type Holiday = { 
/**
 * The day off.
 */
date: string, 
/**
 * A stable key (`easter_monday`), for translations.
 */
key: string, 
/**
 * The name in the country's language.
 */
name: string, 
/**
 * True for a substitute day ("observed") given because the holiday fell on a weekend.
 */
substitute: boolean, };

/**
 * What a partial payment pays first. Whatever the order, a credit note lowers the principal,
 * and a payment that brings what was received up to the invoice's total pays its principal
 * first (the invoice is paid; the penalties stay due beside it).
 */
export type Imputation = "interest_first" | "accessories_first" | "principal_first";

/**
 * What one payment or credit note paid.
 */
export type ImputedSettlement = { 
/**
 * Its day.
 */
date: string, 
/**
 * Its amount.
 */
amount: Decimal, 
/**
 * A credit note (it lowers the principal only).
 */
creditNote: boolean, 
/**
 * Paid to the interest accrued by its day.
 */
toInterest: Decimal, 
/**
 * Paid to the fixed indemnity.
 */
toIndemnity: Decimal, 
/**
 * Paid to the principal.
 */
toPrincipal: Decimal, 
/**
 * Beyond everything owed on its day.
 */
unimputed: Decimal, };

/**
 * One instalment of a payment plan.
 */
export type Instalment = { 
/**
 * Day it is due.
 */
dueDate: string, 
/**
 * Amount due.
 */
amount: Decimal, };

/**
 * Reminders of a payment plan.
 */
export type InstalmentReminders = { 
/**
 * Days before each instalment for the reminder.
 */
daysBefore: number, 
/**
 * Days after a missed instalment for the reminder.
 */
daysAfterMissed: number, };

/**
 * An invoice.
 */
export type Invoice = { 
/**
 * Unique id within the ledger.
 */
id: string, 
/**
 * The number printed on the invoice.
 */
number: string, 
/**
 * The debtor's id.
 */
debtorId: string, 
/**
 * Invoice date.
 */
issueDate: string, 
/**
 * Delivery or performance date.
 */
deliveryDate?: string | null, 
/**
 * ISO 4217 currency.
 */
currency: Currency, 
/**
 * Total including VAT.
 */
total: Decimal, 
/**
 * Agreed payment terms (or give `dueDate`; with neither, the legal default applies).
 */
terms?: PaymentTerms | null, 
/**
 * An explicit due date (instead of `terms`).
 */
dueDate?: string | null, 
/**
 * A sector with a statutory cap on terms.
 */
sector?: Sector | null, 
/**
 * A periodic (summary) invoice.
 */
periodic?: boolean, 
/**
 * Payments received.
 */
payments?: Array<Payment>, 
/**
 * Credit notes against this invoice.
 */
creditNotes?: Array<CreditNote>, 
/**
 * Disputes raised by the debtor.
 */
disputes?: Array<Dispute>, 
/**
 * An agreed payment plan (échéancier).
 */
paymentPlan?: PaymentPlan | null, 
/**
 * Promises to pay, in the order they were made.
 */
promises?: Array<PaymentPromise>, };

/**
 * What `penaltyRequest` takes.
 */
export type InvoiceRequestArgs = { 
/**
 * The ledger.
 */
ledger: Ledger, 
/**
 * The invoice of the ledger.
 */
invoiceId: string, 
/**
 * The day penalties run to, `YYYY-MM-DD`.
 */
asOf: string, 
/**
 * Reference rates newer than the built-in tables, by table name.
 */
extraRates?: { [key in string]: Array<RateRow> }, };

/**
 * An invoice's timeline.
 */
export type InvoiceTimeline = { 
/**
 * Invoice id.
 */
invoiceId: string, 
/**
 * Invoice number.
 */
number: string, 
/**
 * Debtor id.
 */
debtorId: string, 
/**
 * Due date.
 */
dueDate: string, 
/**
 * Currency.
 */
currency: Currency, 
/**
 * Total.
 */
total: Decimal, 
/**
 * Outstanding on `asOf`.
 */
outstanding: Decimal, 
/**
 * Day it was settled in full, if it was.
 */
settledOn?: string | null, 
/**
 * Findings of the legal check of its payment term.
 */
termFindings: Array<TermFinding>, 
/**
 * Every step, past and future.
 */
steps: Array<TimelineStep>, };

/**
 * An invoice in a message.
 */
export type ItemRef = { 
/**
 * Invoice id.
 */
invoiceId: string, 
/**
 * Step id.
 */
stepId: string, };

/**
 * A supported message language.
 */
export type Lang = "fr" | "en" | "de";

/**
 * The whole ledger.
 */
export type Ledger = { 
/**
 * Who is owed.
 */
creditor: Creditor, 
/**
 * Who owes.
 */
debtors: Array<Debtor>, 
/**
 * What is owed.
 */
invoices: Array<Invoice>, };

/**
 * What to write, to whom, about which invoices.
 */
export type MessageRequest = { 
/**
 * Template key (`first_reminder`, ...).
 */
template: string, 
/**
 * Step id.
 */
stepId: string, 
/**
 * Channel.
 */
channel: Channel, 
/**
 * Level 1-5.
 */
level: number, 
/**
 * Debtor id.
 */
debtorId: string, 
/**
 * The invoices (all of that debtor, one currency).
 */
invoiceIds: Array<string>, 
/**
 * The date of the message.
 */
messageDate: string, 
/**
 * For a formal notice: the last day to pay.
 */
deadlineDate?: string | null, 
/**
 * Reminders already sent, for the legal or agency file.
 */
reminders?: Array<ReminderView>, 
/**
 * For a plan reminder: which instalment (1-based).
 */
instalmentNumber?: number | null, 
/**
 * For a broken-promise message: which promise (1-based) of the first invoice given that has
 * that many.
 */
promiseNumber?: number | null, 
/**
 * The penalty regime (default: from the creditor's country and the debtor's kind).
 */
regime?: Regime | null, 
/**
 * Penalty options.
 */
penaltyOptions?: PenaltyOptions, 
/**
 * Newer rate rows (a half-year our tables do not cover yet).
 */
extraRates?: { [key in string]: Array<RateRow> }, 
/**
 * The invoices (ids) whose copy goes with the message: the worker lists those whose document
 * it stores. Templates say a copy is attached only for these.
 */
attached?: Array<string>, };

/**
 * A payment received (funds available on `date`).
 */
export type Payment = { 
/**
 * Day the funds were received.
 */
date: string, 
/**
 * Amount received.
 */
amount: Decimal, 
/**
 * Bank reference.
 */
reference?: string | null, };

/**
 * Where and how to pay.
 */
export type PaymentDetails = { 
/**
 * IBAN.
 */
iban?: string | null, 
/**
 * BIC.
 */
bic?: string | null, 
/**
 * Account holder.
 */
accountHolder?: string | null, 
/**
 * A payment link.
 */
paymentUrl?: string | null, };

/**
 * A payment plan agreed in writing.
 */
export type PaymentPlan = { 
/**
 * Day it was agreed: the policy's later steps give way to instalment reminders.
 */
agreedOn: string, 
/**
 * The instalments, in date order.
 */
instalments: Array<Instalment>, };

/**
 * A promise to pay part or all of an invoice by a date (`PaymentPromise` in TypeScript, where
 * `Promise` is taken).
 */
export type PaymentPromise = { 
/**
 * Day the debtor made it.
 */
madeOn: string, 
/**
 * Day the debtor said the money would be there.
 */
promisedDate: string, 
/**
 * Amount promised.
 */
amount: Decimal, 
/**
 * How it was made.
 */
via: PromiseVia, 
/**
 * What was said.
 */
note?: string, };

/**
 * Agreed payment terms. JSON: `{"type": "net", "days": 30, "from": "invoice"}`,
 * `{"type": "onReceipt"}`, `{"type": "endOfMonth", "days": 45, "method": "days_then_end_of_month"}`.
 */
export type PaymentTerms = { "type": "net", 
/**
 * Number of calendar days.
 */
days: number, 
/**
 * What the days count from.
 */
from?: TermStart, } | { "type": "onReceipt" } | { "type": "endOfMonth", 
/**
 * Number of calendar days.
 */
days: number, 
/**
 * Which of the two accepted computations (CEPC guidance).
 */
method?: EndOfMonthMethod, };

/**
 * Claiming the penalties of an invoice whose principal was paid late. French law makes the
 * interest and the fixed indemnity due without any reminder (C. com. L441-10); whether to claim
 * them is the creditor's choice, so this is off by default. Nothing is claimed when nothing is
 * due (paid, waived by the creditor's terms, or a consumer before any formal notice).
 */
export type PenaltyClaim = { 
/**
 * Send the claim (template `penalty_claim`, a relevé de pénalités with the décompte).
 */
enabled?: boolean, 
/**
 * Days after the principal was paid before the claim goes (0 to 90).
 */
afterDays?: number, 
/**
 * Not claimed when less than this is due (interest and indemnity not paid yet).
 */
minAmount?: Decimal | null, 
/**
 * The claim's own short path: a reminder of it this many days after the claim, each (at
 * most 3, increasing, up to 120).
 */
followUpDays?: Array<number>, };

/**
 * The invoice whose delay is priced.
 */
export type PenaltyInvoice = { 
/**
 * Id.
 */
id: string, 
/**
 * Number printed on it.
 */
number?: string, 
/**
 * Invoice date.
 */
issueDate: string, 
/**
 * Due date.
 */
dueDate: string, 
/**
 * Currency.
 */
currency: Currency, 
/**
 * Amount due including VAT: the base of the penalties.
 */
total: Decimal, 
/**
 * Payments received.
 */
payments?: Array<Payment>, 
/**
 * Credit notes.
 */
creditNotes?: Array<CreditNote>, };

/**
 * Options of a computation.
 */
export type PenaltyOptions = { 
/**
 * Day count.
 */
dayCount?: DayCount, 
/**
 * French B2B: split per half-year (default) or one rate.
 */
rateMode?: RateMode, 
/**
 * Rounding of the final amounts.
 */
rounding?: Rounding, 
/**
 * The contract waives the interest (void for public buyers; a pending French bill would void it).
 */
waiveInterest?: boolean, 
/**
 * The contract waives the fixed indemnity.
 */
waiveIndemnity?: boolean, 
/**
 * An insolvency procedure bars payment: no fixed indemnity.
 */
insolvency?: boolean, 
/**
 * A half-year whose reference rate is not published yet is priced at the last known rate,
 * its lines marked `estimated`, with an `estimated_rate` warning: for a simulation only, so a
 * message refuses it. Default: such a half-year is refused (`missing_rate`).
 */
estimateMissingRates?: boolean, 
/**
 * What a partial payment pays first. Default: the regime's law (`Regime::default_imputation`).
 */
imputation?: Imputation | null, };

/**
 * A computation request.
 */
export type PenaltyRequest = { 
/**
 * The invoice.
 */
invoice: PenaltyInvoice, 
/**
 * The regime.
 */
regime: Regime, 
/**
 * Interest runs up to and including this day while the invoice is unpaid.
 */
asOf: string, 
/**
 * Options.
 */
options?: PenaltyOptions, 
/**
 * Newer rate rows by table id (a half-year published after this release).
 */
extraRates?: { [key in string]: Array<RateRow> }, };

/**
 * What a creditor's general terms say about penalties, for every invoice of its ledger.
 */
export type PenaltyTerms = { 
/**
 * What a partial payment pays first (default: the law of each invoice's regime, see
 * `Regime::default_imputation`); `principal_first` is always allowed.
 */
imputation?: Imputation | null, 
/**
 * The terms waive the interest (void for public buyers).
 */
waiveInterest?: boolean, 
/**
 * The terms waive the fixed indemnity (void for public buyers).
 */
waiveIndemnity?: boolean, };

/**
 * A warning about the computation.
 */
export type PenaltyWarning = { 
/**
 * Stable code.
 */
code: string, 
/**
 * For a person.
 */
message: string, };

/**
 * The whole plan.
 */
export type Plan = { 
/**
 * The day it was computed for.
 */
asOf: string, 
/**
 * The policy used.
 */
policyId: string, 
/**
 * One timeline per invoice, in ledger order.
 */
invoices: Array<InvoiceTimeline>, 
/**
 * Every message, by date then debtor.
 */
contacts: Array<PlannedContact>, 
/**
 * Warnings.
 */
warnings: Array<PlanWarning>, 
/**
 * Work the debtors' answers give people (read a reply, check an "already paid", fix an
 * address), by debtor.
 */
tasks?: Array<AnswerTask>, };

/**
 * What `plan` takes.
 */
export type PlanArgs = { 
/**
 * The ledger to plan.
 */
ledger: Ledger, 
/**
 * The policy: a preset id or a policy object.
 */
policy: PolicyArg, 
/**
 * The day the timeline is seen from, `YYYY-MM-DD`.
 */
asOf: string, 
/**
 * Newer rate rows by table id: they price what partial payments paid first and the penalties
 * a claim asks for.
 */
extraRates?: { [key in string]: Array<RateRow> }, 
/**
 * The compact form (`CompactPlan`): each fact stated once, about half the size.
 */
compact?: boolean, };

/**
 * A warning about the input that did not stop planning.
 */
export type PlanWarning = { 
/**
 * Stable code.
 */
code: string, 
/**
 * The field concerned.
 */
path: string, 
/**
 * For a person.
 */
message: string, };

/**
 * A message to a debtor (one per contact; several invoices when grouped).
 */
export type PlannedContact = { 
/**
 * Deterministic idempotency key.
 */
key: string, 
/**
 * Debtor id.
 */
debtorId: string, 
/**
 * Date.
 */
date: string, 
/**
 * When it goes out.
 */
sendAt: string, 
/**
 * Channel (of the highest step in it).
 */
channel: Channel, 
/**
 * Template key (of the highest step in it).
 */
template: string, 
/**
 * Level (the highest in it).
 */
level: number, 
/**
 * Tone (of the highest step).
 */
tone: Tone, 
/**
 * The invoice-steps it covers.
 */
items: Array<ItemRef>, 
/**
 * Currency.
 */
currency: Currency, 
/**
 * Total outstanding of its invoices on its date.
 */
totalOutstanding: Decimal, 
/**
 * For a formal notice: the payment deadline stated.
 */
deadlineDate?: string | null, 
/**
 * Past, today or upcoming.
 */
status: StepStatus, };

/**
 * A reminder policy. JSON shape: see `core/data/policies/standard.json`.
 */
export type Policy = { 
/**
 * Stable id.
 */
id: string, 
/**
 * Name shown to the user.
 */
name: string, 
/**
 * What it is for.
 */
description?: string, 
/**
 * The steps, in the order they happen.
 */
steps: Array<Step>, 
/**
 * What to do with a date that is not a business day in the debtor's calendar.
 */
businessDayAdjustment?: Adjustment, 
/**
 * Hours of the day (debtor's time zone) when messages may go out.
 */
sendWindow?: SendWindow, 
/**
 * Least number of days between two contacts with the same debtor.
 */
minGapDays?: number, 
/**
 * One message per debtor listing all its invoices at the highest step reached (the relevé).
 */
grouping?: boolean, 
/**
 * What to do about steps whose send time passed without a run (downtime).
 */
catchUp?: CatchUp, 
/**
 * Reminders of a payment plan's instalments.
 */
instalmentReminders?: InstalmentReminders, 
/**
 * How the debtor's answers (promises, replies) hold the path.
 */
answers?: AnswerRules, 
/**
 * Claiming the penalties of an invoice paid late (off by default).
 */
penaltyClaim?: PenaltyClaim, };

/**
 * A policy as callers name it: a preset's id (`"standard"`) or a whole policy object.
 */
export type PolicyArg = "gentle" | "standard" | "firm" | Policy;

/**
 * Promises to pay made in the period, by what became of them by `asOf`.
 */
export type PromiseFigures = { 
/**
 * All made in the period.
 */
made: CountAmount, 
/**
 * Paid as promised by the promised date plus the grace.
 */
kept: CountAmount, 
/**
 * Past the promised date plus the grace, not paid as promised.
 */
broken: CountAmount, 
/**
 * Replaced by a newer promise before they fell due.
 */
replaced: CountAmount, 
/**
 * Not due yet.
 */
open: CountAmount, 
/**
 * Kept among kept and broken (0-1).
 */
keptShare?: Decimal | null, };

/**
 * How a promise to pay was made.
 */
export type PromiseVia = "phone" | "email" | "portal" | "letter" | "platform";

/**
 * Which public-buyer payment period applies (R2192-10, R2192-11).
 */
export type PublicBuyerCategory = "general" | "health" | "public_enterprise";

/**
 * How the French B2B rate follows the half-years.
 */
export type RateMode = "split_per_half_year" | "single_rate";

/**
 * One row: `rate` (percent per year, a decimal string) applies from `from` until the next row.
 */
export type RateRow = { 
/**
 * First day the rate applies.
 */
from: string, 
/**
 * Percent per year (may be negative).
 */
rate: Decimal, };

/**
 * A publication we read, named by the rate table it feeds.
 */
export type RateSource = "ecb_mro" | "de_basiszinssatz" | "boe_bank_rate" | "fr_legal_individuals" | "fr_legal_other";

/**
 * One response of a source, as a caller hands it to `parse` (the npm package's `readRateSource`).
 */
export type RateSourceArgs = { 
/**
 * Which publication.
 */
source: RateSource, 
/**
 * The response's text, whole.
 */
text: string, 
/**
 * The day it was fetched, `YYYY-MM-DD`.
 */
fetchedOn: string, };

/**
 * A rate table.
 */
export type RateTable = { 
/**
 * What it is.
 */
name: string, 
/**
 * Last day the rows are confirmed for.
 */
knownUntil: string, 
/**
 * A remark on the sources.
 */
note?: string, 
/**
 * The rows are values on those exact days only (reference days), not from a day onwards.
 */
exactDatesOnly?: boolean, 
/**
 * The day the rows were last brought up to date from their source (`scripts/update-rates.sh`).
 */
refreshed?: string | null, 
/**
 * Rows in date order.
 */
rows: Array<RateRow>, };

/**
 * Every rate table by id (`ecb_mro`, `fr_legal_individuals`, `fr_legal_other`, `de_basiszinssatz`).
 */
export type Rates = { tables: { [key in string]: RateTable }, };

/**
 * What `rateTables` takes.
 */
export type RatesArgs = { 
/**
 * Reference rates newer than the built-in tables, by table name.
 */
extraRates?: { [key in string]: Array<RateRow> }, };

/**
 * Recovery over the period.
 */
export type Recovery = { 
/**
 * Overdue amounts at stake.
 */
base: Decimal, 
/**
 * Recovered by the period's end.
 */
recovered: Decimal, 
/**
 * recovered ÷ base (0-1, four decimals); absent when nothing was overdue.
 */
rate?: Decimal | null, 
/**
 * Invoices at stake.
 */
invoices: number, };

/**
 * The legal regime that prices the delay. JSON: `{"type": "fr_b2b"}`, `{"type":
 * "fr_b2b_contractual", "rate": "12.00"}`, ...
 */
export type Regime = { "type": "fr_b2b" } | { "type": "fr_b2b_contractual", 
/**
 * Percent per year.
 */
rate: Decimal, } | { "type": "fr_public" } | { "type": "fr_consumer", 
/**
 * The creditor's status (business creditors use the "autres cas" rate).
 */
creditor: CreditorStatus, 
/**
 * Day of the formal notice (mise en demeure).
 */
formalNoticeDate: string, 
/**
 * Day a judgment became enforceable, if any.
 */
judgmentEnforceableOn?: string | null, } | { "type": "eu_generic", 
/**
 * Rate table id (default `ecb_mro`).
 */
referenceTable?: string, 
/**
 * Points over the reference (at least 8 under the Directive).
 */
margin: Decimal, 
/**
 * Fixed indemnity per invoice, in the invoice currency (at least 40 EUR).
 */
indemnity: Decimal, } | { "type": "de_b2b" } | { "type": "de_consumer" } | { "type": "uk" } | { "type": "nl" } | { "type": "be" } | { "type": "es" } | { "type": "it" };

/**
 * A reminder already sent.
 */
export type ReminderView = { 
/**
 * When.
 */
date: string, 
/**
 * How.
 */
channel: Channel, 
/**
 * Which step.
 */
stepId: string, };

/**
 * Reminders before payment.
 */
export type RemindersNeeded = { 
/**
 * Messages per invoice settled in the period.
 */
reminders: Stats, 
/**
 * How many invoices needed 0, 1, 2, 3, 4 or more messages.
 */
distribution: [number, number, number, number, number], };

/**
 * What `renderMessage` takes.
 */
export type RenderArgs = { 
/**
 * The ledger.
 */
ledger: Ledger, 
/**
 * The message to render.
 */
request: MessageRequest, 
/**
 * Custom templates and partials, in addition to the built-in ones.
 */
templates?: Array<CustomTemplate>, };

/**
 * The rendered message.
 */
export type RenderedMessage = { 
/**
 * Template key.
 */
template: string, 
/**
 * Language.
 */
locale: string, 
/**
 * One line: CR, LF and control characters removed.
 */
subject: string, 
/**
 * Plain-text body, with the creditor's contact and payment details.
 */
text: string, 
/**
 * HTML body (email), every value escaped.
 */
html: string, 
/**
 * Print-ready A4 letter, for letter channels.
 */
letterHtml?: string | null, };

/**
 * A reply received from the debtor.
 */
export type Reply = { 
/**
 * When it was received.
 */
receivedAt: string, 
/**
 * How it came in.
 */
channel: ReplyChannel, 
/**
 * Human, automatic, bounce or unreadable.
 */
kind: ReplyKind, 
/**
 * The key of the reminder it answers, when known.
 */
answers?: string | null, 
/**
 * For a bounce: the address that failed (absent: the debtor's main address).
 */
address?: Email | null, 
/**
 * Its subject or a summary.
 */
summary?: string, };

/**
 * How a reply came in.
 */
export type ReplyChannel = "email" | "phone" | "letter" | "portal";

/**
 * What a reply is.
 */
export type ReplyKind = "human" | "auto_reply" | "bounce" | "unreadable";

/**
 * How often a step's messages got an answer.
 */
export type ReplyRate = { 
/**
 * The step id.
 */
stepId: string, 
/**
 * Messages of that step sent in the period.
 */
messages: number, 
/**
 * Of them, those a person answered (a reply that names the message).
 */
replied: number, 
/**
 * The share (0-1).
 */
share?: Decimal | null, 
/**
 * Hours from the message to its first answer: mean and median.
 */
hoursToFirstReply: Stats, };

/**
 * Rounding of the final amounts.
 */
export type Rounding = "half_up" | "half_even" | "down" | "up";

/**
 * A sector with a statutory cap on payment terms (C. com. L441-11).
 */
export type Sector = "perishable_food" | "livestock" | "alcohol_excise" | "transport";

/**
 * Thresholds of the debtor segments.
 */
export type Segments = { 
/**
 * `reliable`: at least this share paid on time (percent)...
 */
reliableOnTimePercent?: number, 
/**
 * ...and at most this mean lateness (days).
 */
reliableMaxMeanDays?: number, 
/**
 * `at_risk`: mean lateness above this (days)...
 */
atRiskMeanDays?: number, 
/**
 * ...or an open invoice more than this many days overdue.
 */
atRiskOverdueDays?: number, };

/**
 * Hours of the day, in the debtor's time zone, when messages may go out: `[startHour, endHour)`.
 */
export type SendWindow = { 
/**
 * First hour (0-23).
 */
startHour: number, 
/**
 * Hour at which sending stops (1-24).
 */
endHour: number, };

/**
 * A message already sent (or claimed), as the sender records it.
 */
export type SentEntry = { 
/**
 * The action's idempotency key.
 */
key: string, 
/**
 * When it went out.
 */
sentAt: string, 
/**
 * The invoice-steps it covered.
 */
items: Array<ItemRef>, };

/**
 * A message sent, from the delivery log.
 */
export type SentMessage = { 
/**
 * Idempotency key.
 */
key: string, 
/**
 * When it went out.
 */
sentAt: string, 
/**
 * Channel.
 */
channel: Channel, 
/**
 * The leading step.
 */
stepId: string, 
/**
 * The invoice-steps it covered.
 */
items: Array<ItemRef>, };

/**
 * How serious a finding on a term is.
 */
export type Severity = "info" | "warning" | "illegal";

/**
 * Several invoices of one debtor in one statement.
 */
export type Statement = { 
/**
 * Currency of every invoice.
 */
currency: Currency, 
/**
 * One décompte per invoice, in request order.
 */
decomptes: Array<Decompte>, 
/**
 * Sums of the invoices' totals.
 */
totals: DecompteTotals, };

/**
 * A distribution of whole numbers.
 */
export type Stats = { 
/**
 * How many values.
 */
count: number, 
/**
 * Mean (one decimal).
 */
mean?: Decimal | null, 
/**
 * Median (one decimal: the mean of the two middle values for an even count).
 */
median?: Decimal | null, };

/**
 * A step of the policy.
 */
export type Step = { 
/**
 * Unique id within the policy (part of the idempotency key: never reuse one for another step).
 */
id: string, 
/**
 * What the offset counts from.
 */
anchor: Anchor, 
/**
 * Signed number of days from the anchor.
 */
offset: number, 
/**
 * Calendar or business days.
 */
unit?: DayUnit, 
/**
 * How the debtor is contacted.
 */
channel: Channel, 
/**
 * The message template key.
 */
template: string, 
/**
 * Escalation level, 1 (courtesy) to 5 (legal).
 */
level: number, 
/**
 * Tone of the message.
 */
tone: Tone, 
/**
 * For a formal notice: days the debtor is given to pay (8 to 15 in French practice).
 */
deadlineDays?: number | null, 
/**
 * When the step applies.
 */
conditions?: Conditions, };

/**
 * What `stepRequest` takes: what `plan` takes, and the step. The timeline is planned again
 * rather than read back: its decoder would cost the browser module 18 KB gzipped, the plan
 * tens of microseconds.
 */
export type StepRequestArgs = { 
/**
 * The input of `plan`.
 */
plan: PlanArgs, 
/**
 * The invoice of the ledger.
 */
invoiceId: string, 
/**
 * The step of its timeline whose message is wanted.
 */
stepId: string, };

/**
 * Where a timeline entry stands.
 */
export type StepStatus = "past" | "today" | "upcoming" | "cancelled_paid" | "suspended_dispute" | "skipped_condition" | "replaced_by_plan" | "conditional" | "promise_kept" | "promise_replaced" | "skipped_answered" | "no_address";

/**
 * What every step of one id shares within a plan.
 */
export type StepType = { 
/**
 * Policy step or instalment reminder.
 */
kind: EventKind, 
/**
 * The channel the policy gives it.
 */
channel: Channel, 
/**
 * Template key.
 */
template: string, 
/**
 * Escalation level.
 */
level: number, 
/**
 * Tone.
 */
tone: Tone, };

/**
 * A finding on an invoice's payment term.
 */
export type TermFinding = { 
/**
 * Stable code: `no_agreed_term`, `exceeds_60_days`, `exceeds_45_days_end_of_month`,
 * `exceeds_sector_cap`, `exceeds_periodic_invoice_cap`, `exceeds_public_buyer_period`,
 * `exceeds_eu_60_days`.
 */
code: string, 
/**
 * How serious.
 */
severity: Severity, 
/**
 * The latest lawful due date under that rule.
 */
limitDate: string, 
/**
 * The rule, for a person.
 */
message: string, };

/**
 * What a net term counts from.
 */
export type TermStart = "invoice" | "delivery";

/**
 * The answer: the due date and the findings of the legal check.
 */
export type TermsAnswer = { 
/**
 * The due date.
 */
dueDate: string, 
/**
 * Findings, most serious first.
 */
findings: Array<TermFinding>, };

/**
 * A question about one invoice's term: what is its due date, and is the term lawful?
 */
export type TermsQuery = { 
/**
 * Invoice date.
 */
issueDate: string, 
/**
 * Delivery or performance date.
 */
deliveryDate?: string | null, 
/**
 * Agreed terms (or give `dueDate`; with neither, the legal default applies).
 */
terms?: PaymentTerms | null, 
/**
 * An explicit due date.
 */
dueDate?: string | null, 
/**
 * The debtor's kind.
 */
debtorKind: DebtorKind, 
/**
 * For a public buyer: its category.
 */
publicBuyerCategory?: PublicBuyerCategory | null, 
/**
 * A capped sector.
 */
sector?: Sector | null, 
/**
 * A periodic invoice.
 */
periodic?: boolean, 
/**
 * The creditor's country (ISO 3166-1 alpha-2): `FR` applies French law.
 */
creditorCountry: string, };

/**
 * One entry of an invoice's timeline.
 */
export type TimelineStep = { 
/**
 * The policy step id, `instalment-N-upcoming` / `instalment-N-missed`, or `promise-N-broken`
 * (N counts the invoice's promises from 1).
 */
stepId: string, 
/**
 * Policy step or instalment reminder.
 */
kind: EventKind, 
/**
 * Channel.
 */
channel: Channel, 
/**
 * The channel the policy gave, when the step goes out another way (every email address of
 * the debtor bounced: a letter to the postal address).
 */
reroutedFrom?: Channel | null, 
/**
 * Template key.
 */
template: string, 
/**
 * Escalation level.
 */
level: number, 
/**
 * Tone.
 */
tone: Tone, 
/**
 * Anchor plus offset, before any change.
 */
nominalDate: string, 
/**
 * The date it happens.
 */
date: string, 
/**
 * When it goes out (start of the send window in the debtor's zone), for contacts.
 */
sendAt?: string | null, 
/**
 * Why `date` differs from `nominalDate`.
 */
changes?: Array<DateChange>, 
/**
 * Status.
 */
status: StepStatus, 
/**
 * Outstanding on `date`.
 */
outstanding: Decimal, 
/**
 * For a formal notice: the last day to pay that the letter states.
 */
deadlineDate?: string | null, 
/**
 * The key of the message it goes out in.
 */
contactKey?: string | null, };

/**
 * The tone of a step.
 */
export type Tone = "courteous" | "friendly" | "firm" | "formal" | "legal";

/**
 * A caller's `extraRates` with the rows read from sources added.
 */
export type WithRates = { 
/**
 * What to pass as a request's `extraRates`.
 */
extraRates: { [key in string]: Array<RateRow> }, 
/**
 * Rates the sources give otherwise than the tables: not applied, for a person to decide.
 */
corrections: Array<Correction>, };

/**
 * What `withRates` takes.
 */
export type WithRatesArgs = { 
/**
 * Rows read by `readRateSource` (the package's readers module).
 */
fetched: Array<Fetched>, 
/**
 * Rows the caller already adds, by table name.
 */
extraRates?: { [key in string]: Array<RateRow> }, };

/**
 * A calendar and a year.
 */
export type YearArgs = { 
/**
 * The calendar.
 */
calendar: CalendarId, 
/**
 * The year.
 */
year: number, };

// ---- functions (hand-written: wasm/typescript/functions.d.ts) ----------------------------------

/** Thrown by every function on bad input: `code` is stable, `path` names the bad field. */
export declare class RelanceError extends Error {
  readonly name: 'RelanceError';
  readonly code: string;
  readonly path: string;
}

/**
 * Reads a Factur-X / ZUGFeRD PDF, or a UBL 2.1 or UN/CEFACT CII invoice or credit note, from its
 * bytes: what a reminder needs. Nothing is uploaded. Its reader is a second WebAssembly module,
 * loaded on the first call. Rejects with a RelanceError (`invalid_einvoice`, `too_large`,
 * `missing_field`, ...).
 */
export function readEInvoice(bytes: Uint8Array | ArrayBuffer): Promise<EInvoice>;
/** The package version. */
export function version(): string;
/** The due date of an invoice and the legal check of its payment term. */
export function evaluateTerms(input: TermsQuery): TermsAnswer;
/** True when the day is a business day of the calendar. */
export function isBusinessDay(input: DayQuery): boolean;
/** The first business day after the day. */
export function nextBusinessDay(input: DayQuery): IsoDate;
/** The last business day before the day. */
export function previousBusinessDay(input: DayQuery): IsoDate;
/** The day plus (or minus) `days` business days. */
export function addBusinessDays(input: DayQuery): IsoDate;
/** The day moved off a weekend or holiday, the way `adjustment` says. */
export function adjustDate(input: DayQuery): IsoDate;
/** The public holidays of a calendar in a year. */
export function holidays(input: YearArgs): Holiday[];
/** The calendar a debtor of that country follows (`weekends` when none is built in). */
export function calendarFor(input: CountryArgs): CalendarId;
/** The ready-made policies, checked. */
export function presets(): Policy[];
/** A policy (object or preset id) validated, with every default filled in. */
export function validatePolicy(input: PolicyArg): Policy;
/** The whole reminder timeline of every invoice, and the messages it makes; in the compact form (each fact stated once) when `compact` is true. */
export function plan(input: PlanArgs & { compact: true }): CompactPlan;
export function plan(input: PlanArgs): Plan;
/** Exactly what must be sent now, given what was already sent. */
export function dueActions(input: DueArgs): Action[];
/** The penalty request of a ledger invoice under the default regime of its creditor and debtor. */
export function penaltyRequest(input: InvoiceRequestArgs): PenaltyRequest;
/** The itemised décompte of late-payment penalties. */
export function decompte(input: PenaltyRequest): Decompte;
/** What is owed each day from `from` to `to`. */
export function curve(input: CurveArgs): CurvePoint[];
/** Several invoices of one debtor in one statement. */
export function statement(input: PenaltyRequest[]): Statement;
/** A payment that names no invoice, spread over the debtor's invoices in the law's order. */
export function allocatePayment(input: AllocateArgs): Allocated;
/** Every reference-rate table, with the given newer rows added. */
export function rateTables(input?: RatesArgs): Rates;
/**
 * The rows of an official publication of reference rates, read from the response as received:
 * the ECB's main refinancing rate and the Bundesbank's Basiszinssatz (SDMX-CSV), the Bank of
 * England's Bank Rate (CSV), the French legal rates (service-public.fr's XML fiche F783). A
 * response that is a page, cut short, out of order, implausible or with a gap is refused whole
 * (`invalid_rate_source`). Loads the package's readers module on first use, like `readEInvoice`.
 */
export function readRateSource(input: RateSourceArgs): Promise<Fetched>;
/** The `extraRates` to pass to a request, with what fetched rows add to the built-in tables. */
export function withRates(input: WithRatesArgs): WithRates;
/** A reminder rendered: subject, text, HTML and the printed letter. */
export function renderMessage(input: RenderArgs): RenderedMessage;
/** The message request of a step of an invoice's timeline (planned from `plan`'s input), as the worker makes it, with the reminders that go out before it. */
export function stepRequest(input: StepRequestArgs): MessageRequest;
/** Checks custom templates without rendering (null when valid; throws otherwise). */
export function validateTemplates(input: CustomTemplate[]): null;

/** Every collection figure of a ledger and its delivery log, as of a day. */
export function analytics(input: AnalyticsRequest): Analytics;
/** Invoices from CSV text (header row; columns id, number, debtorId, issueDate, dueDate or terms, currency, total, ...; `,` or `;` separated, French amounts and JJ/MM/AAAA days accepted). */
export function invoicesFromCsv(text: string): Invoice[];
/** An amount as a person types it ("4 800,50", "4800,50", "4800.50") as its decimal string ("4800.50"); throws `invalid_amount` otherwise. */
export function readAmount(text: string): Decimal;
/** The functions that take one input, on JSON text. */
export type JsonFunction =
  | 'evaluateTerms' | 'isBusinessDay' | 'nextBusinessDay' | 'previousBusinessDay' | 'addBusinessDays' | 'adjustDate'
  | 'holidays' | 'calendarFor' | 'validatePolicy' | 'plan' | 'dueActions' | 'penaltyRequest' | 'decompte' | 'curve'
  | 'statement' | 'allocatePayment' | 'rateTables' | 'withRates' | 'stepRequest' | 'renderMessage' | 'validateTemplates' | 'analytics';
/**
 * The same functions on JSON text: `json.plan(text)` takes the JSON text of `plan`'s input and
 * returns the JSON text of its result, byte for byte what the native core writes. For code that
 * receives and sends JSON: no parse and stringify on either side. Errors are the same RelanceError.
 */
export declare const json: { readonly [F in JsonFunction]: (input: string) => string };
/** Browsers: instantiate from a URL, Response or bytes (the default entry does it on import). */
export function init(moduleOrPath: URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
/** Instantiate synchronously from bytes or a compiled module (the Node and Worker entries do it on import). */
export function initSync(module: BufferSource | WebAssembly.Module): void;
