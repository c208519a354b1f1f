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
