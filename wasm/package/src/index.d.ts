// Types of the `relance` package. Dates are "YYYY-MM-DD", instants RFC 3339 ("2026-11-23T09:00:00Z"),
// amounts decimal strings ("1234.56"). Checked against real inputs and outputs by wasm/test/types.test.mjs.

export type IsoDate = string;
export type IsoDateTime = string;
export type Decimal = string;

/** Thrown by every function on bad input: `code` is stable, `path` names the bad field. */
export declare class RelanceError extends Error {
  readonly name: 'RelanceError';
  readonly code: string;
  readonly path: string;
}

// ---- ledger --------------------------------------------------------------------------------
export interface Address { lines?: string[]; postalCode?: string; city?: string; country: string }
export interface Contact { name?: string | null; email?: string | null; phone?: string | null }
export interface PaymentDetails { iban?: string | null; bic?: string | null; accountHolder?: string | null; paymentUrl?: string | null }
export interface Creditor {
  name: string;
  identifiers?: Record<string, string>;
  address: Address;
  contact?: Contact;
  payment?: PaymentDetails;
}
export type DebtorKind = 'business' | 'consumer' | 'public_body';
export type CalendarId = 'weekends' | 'fr' | 'fr-alsace-moselle' | 'de' | 'gb-england-wales' | 'be' | 'es' | 'it' | 'nl';
export type PublicBuyerCategory = 'general' | 'health' | 'public_enterprise';
export interface Debtor {
  id: string;
  name: string;
  kind: DebtorKind;
  country: string;
  locale: string;
  timeZone: string;
  calendar?: CalendarId | null;
  publicBuyerCategory?: PublicBuyerCategory | null;
  contacts?: { emails?: string[]; phone?: string | null; postalAddress?: Address | null };
}
export type PaymentTerms =
  | { type: 'net'; days: number; from?: 'invoice' | 'delivery' }
  | { type: 'onReceipt' }
  | { type: 'endOfMonth'; days: number; method?: 'days_then_end_of_month' | 'end_of_month_then_days' };
export type Sector = 'perishable_food' | 'livestock' | 'alcohol_excise' | 'transport';
export interface Payment { date: IsoDate; amount: Decimal; reference?: string | null }
export interface CreditNote { number?: string | null; date: IsoDate; amount: Decimal }
export interface Dispute { openedOn: IsoDate; closedOn?: IsoDate | null; reason?: string }
export interface PaymentPlan { agreedOn: IsoDate; instalments: { dueDate: IsoDate; amount: Decimal }[] }
export interface Invoice {
  id: string;
  number: string;
  debtorId: string;
  issueDate: IsoDate;
  deliveryDate?: IsoDate | null;
  currency: string;
  total: Decimal;
  terms?: PaymentTerms | null;
  dueDate?: IsoDate | null;
  sector?: Sector | null;
  periodic?: boolean;
  payments?: Payment[];
  creditNotes?: CreditNote[];
  disputes?: Dispute[];
  paymentPlan?: PaymentPlan | null;
}
export interface Ledger { creditor: Creditor; debtors: Debtor[]; invoices: Invoice[] }

// ---- terms and calendars ------------------------------------------------------------------------
export type Severity = 'info' | 'warning' | 'illegal';
export interface TermFinding { code: string; severity: Severity; limitDate: IsoDate; message: string }
export interface TermsQuery {
  issueDate: IsoDate;
  deliveryDate?: IsoDate | null;
  terms?: PaymentTerms | null;
  dueDate?: IsoDate | null;
  debtorKind: DebtorKind;
  publicBuyerCategory?: PublicBuyerCategory | null;
  sector?: Sector | null;
  periodic?: boolean;
  creditorCountry: string;
}
export interface TermsAnswer { dueDate: IsoDate; findings: TermFinding[] }
export type Adjustment = 'forward' | 'backward' | 'none';
export interface DayQuery { calendar: CalendarId; date: IsoDate; days?: number; adjustment?: Adjustment }
export interface Holiday { date: IsoDate; key: string; name: string; substitute: boolean }

// ---- policies and the planner ---------------------------------------------------------------------
export type Channel = 'email' | 'sms' | 'phone_task' | 'letter' | 'registered_letter' | 'legal_action' | 'agency_handoff';
export type Tone = 'courteous' | 'friendly' | 'firm' | 'formal' | 'legal';
export interface Step {
  id: string;
  anchor: 'issue_date' | 'due_date' | 'previous_step';
  offset: number;
  unit?: 'calendar_days' | 'business_days';
  channel: Channel;
  template: string;
  level: number;
  tone: Tone;
  deadlineDays?: number;
  conditions?: { minOutstanding?: Decimal; debtorKinds?: DebtorKind[] };
}
export interface Policy {
  id: string;
  name: string;
  description?: string;
  steps: Step[];
  businessDayAdjustment?: Adjustment;
  sendWindow?: { startHour: number; endHour: number };
  minGapDays?: number;
  grouping?: boolean;
  catchUp?: { maxLatenessDays: number };
  instalmentReminders?: { daysBefore: number; daysAfterMissed: number };
}
export type PolicyArg = 'gentle' | 'standard' | 'firm' | Policy;
export type StepStatus = 'past' | 'today' | 'upcoming' | 'cancelled_paid' | 'suspended_dispute' | 'skipped_condition' | 'replaced_by_plan' | 'conditional';
export type DateChange = 'after_previous' | 'dispute_pause' | 'business_day' | 'min_gap';
export interface TimelineStep {
  stepId: string;
  kind: 'policy_step' | 'instalment_upcoming' | 'instalment_missed';
  channel: Channel;
  template: string;
  level: number;
  tone: Tone;
  nominalDate: IsoDate;
  date: IsoDate;
  sendAt?: IsoDateTime;
  changes?: DateChange[];
  status: StepStatus;
  outstanding: Decimal;
  deadlineDate?: IsoDate;
  contactKey?: string;
}
export interface InvoiceTimeline {
  invoiceId: string;
  number: string;
  debtorId: string;
  dueDate: IsoDate;
  currency: string;
  total: Decimal;
  outstanding: Decimal;
  settledOn?: IsoDate;
  termFindings: TermFinding[];
  steps: TimelineStep[];
}
export interface ItemRef { invoiceId: string; stepId: string }
export interface PlannedContact {
  key: string;
  debtorId: string;
  date: IsoDate;
  sendAt: IsoDateTime;
  channel: Channel;
  template: string;
  level: number;
  tone: Tone;
  items: ItemRef[];
  currency: string;
  totalOutstanding: Decimal;
  deadlineDate?: IsoDate;
  status: StepStatus;
}
export interface Plan {
  asOf: IsoDate;
  policyId: string;
  invoices: InvoiceTimeline[];
  contacts: PlannedContact[];
  warnings: { code: string; path: string; message: string }[];
}
export interface SentEntry { key: string; sentAt: IsoDateTime; items: ItemRef[] }
export interface Action {
  key: string;
  debtorId: string;
  channel: Channel;
  template: string;
  level: number;
  tone: Tone;
  stepId: string;
  items: { invoiceId: string; number: string; stepId: string; plannedDate: IsoDate; dueDate: IsoDate; outstanding: Decimal }[];
  currency: string;
  totalOutstanding: Decimal;
  deadlineDate?: IsoDate;
  reason: { code: 'scheduled' | 'catch_up'; daysLate: number; superseded: ItemRef[]; message: string };
}

// ---- penalties -------------------------------------------------------------------------------
export type Regime =
  | { type: 'fr_b2b' | 'fr_public' | 'de_b2b' | 'de_consumer' | 'uk' | 'nl' | 'be' | 'es' | 'it' }
  | { type: 'fr_b2b_contractual'; rate: Decimal }
  | { type: 'fr_consumer'; creditor: 'individual' | 'professional'; formalNoticeDate: IsoDate; judgmentEnforceableOn?: IsoDate | null }
  | { type: 'eu_generic'; referenceTable?: string; margin: Decimal; indemnity: Decimal };
export interface RateRow { from: IsoDate; rate: Decimal }
export interface PenaltyOptions {
  dayCount?: 'actual365' | 'actual_actual';
  rateMode?: 'split_per_half_year' | 'single_rate';
  rounding?: 'half_up' | 'half_even' | 'down' | 'up';
  waiveInterest?: boolean;
  waiveIndemnity?: boolean;
  insolvency?: boolean;
}
export interface PenaltyRequest {
  invoice: { id: string; number?: string; issueDate: IsoDate; dueDate: IsoDate; currency: string; total: Decimal; payments?: Payment[]; creditNotes?: CreditNote[] };
  regime: Regime;
  asOf: IsoDate;
  options?: PenaltyOptions;
  extraRates?: Record<string, RateRow[]>;
}
export interface DecompteLine {
  from: IsoDate;
  to: IsoDate;
  days: number;
  base: Decimal;
  rate: Decimal;
  referenceRate?: Decimal;
  margin?: Decimal;
  yearDays: number;
  amount: Decimal;
  exactAmount: Decimal;
}
export interface DecompteTotals { principal: Decimal; settled: Decimal; principalOutstanding: Decimal; interest: Decimal; indemnity: Decimal; totalDue: Decimal }
export interface Decompte {
  invoiceId: string;
  number: string;
  currency: string;
  dueDate: IsoDate;
  endDate: IsoDate;
  daysLate: number;
  lines: DecompteLine[];
  totals: DecompteTotals;
  warnings: { code: string; message: string }[];
}
export interface CurvePoint { date: IsoDate; principal: Decimal; interest: Decimal; indemnity: Decimal; total: Decimal }
export interface Statement { currency: string; decomptes: Decompte[]; totals: DecompteTotals }
export interface RateTable { name: string; knownUntil: IsoDate; note?: string; exactDatesOnly: boolean; rows: RateRow[] }

// ---- messages --------------------------------------------------------------------------------
export interface MessageRequest {
  template: string;
  stepId: string;
  channel: Channel;
  level: number;
  debtorId: string;
  invoiceIds: string[];
  messageDate: IsoDate;
  deadlineDate?: IsoDate | null;
  reminders?: { date: IsoDate; channel: Channel; stepId: string }[];
  instalmentNumber?: number | null;
  regime?: Regime | null;
  penaltyOptions?: PenaltyOptions;
  extraRates?: Record<string, RateRow[]>;
}
/** A message template (`subject: ...`, a blank line, the body, in Handlebars), or with `partial: true` a partial that templates include as `{{> key}}`. */
export interface CustomTemplate { key: string; lang: 'fr' | 'en' | 'de'; source: string; requiresPenalties?: boolean; partial?: boolean }
export interface RenderedMessage { template: string; locale: string; subject: string; text: string; html: string; letterHtml: string | null }

// ---- functions ---------------------------------------------------------------------------------
export function version(): string;
export function evaluateTerms(input: TermsQuery): TermsAnswer;
export function isBusinessDay(input: DayQuery): boolean;
export function nextBusinessDay(input: DayQuery): IsoDate;
export function previousBusinessDay(input: DayQuery): IsoDate;
export function addBusinessDays(input: DayQuery): IsoDate;
export function adjustDate(input: DayQuery): IsoDate;
export function holidays(input: { calendar: CalendarId; year: number }): Holiday[];
/** The calendar a debtor of that country follows (`weekends` when none is built in). */
export function calendarFor(input: { country: string }): CalendarId;
export function presets(): Policy[];
export function validatePolicy(input: PolicyArg): Policy;
export function plan(input: { ledger: Ledger; policy: PolicyArg; asOf: IsoDate }): Plan;
export function dueActions(input: { ledger: Ledger; policy: PolicyArg; sentLog?: SentEntry[]; now: IsoDateTime }): Action[];
/** The penalty request of a ledger invoice under the default regime of its creditor and debtor. */
export function penaltyRequest(input: { ledger: Ledger; invoiceId: string; asOf: IsoDate; extraRates?: Record<string, RateRow[]> }): PenaltyRequest;
export function decompte(input: PenaltyRequest): Decompte;
export function curve(input: { request: PenaltyRequest; from: IsoDate; to: IsoDate }): CurvePoint[];
export function statement(input: PenaltyRequest[]): Statement;
export function rateTables(input?: { extraRates?: Record<string, RateRow[]> }): { tables: Record<string, RateTable> };
export function renderMessage(input: { ledger: Ledger; request: MessageRequest; templates?: CustomTemplate[] }): RenderedMessage;
export function validateTemplates(input: CustomTemplate[]): null;

/** A message from the delivery log, for analytics. */
export interface SentMessage { key: string; sentAt: IsoDateTime; channel: Channel; stepId: string; items: ItemRef[] }
export interface AnalyticsRequest {
  ledger: Ledger;
  sent?: SentMessage[];
  asOf: IsoDate;
  /** Default: 90 days ending on asOf. */
  periodStart?: IsoDate;
  /** Default: EUR; invoices in other currencies are counted in excludedInvoices. */
  currency?: string;
  /** Days after a message within which a payment counts for it (default 14). */
  windowDays?: number;
  segments?: { reliableOnTimePercent?: number; reliableMaxMeanDays?: number; atRiskMeanDays?: number; atRiskOverdueDays?: number };
  extraRates?: Record<string, RateRow[]>;
}
export interface Stats { count: number; mean: Decimal | null; median: Decimal | null }
export interface Effectiveness { key: string; messages: number; paidWithinWindow: number; share: Decimal | null }
export interface DebtorBehaviour {
  debtorId: string; name: string; settledInvoices: number; meanDaysLate: Decimal | null; onTimeShare: Decimal | null;
  trendSlope: Decimal | null; trend: 'improving' | 'stable' | 'worsening' | 'unknown'; outstanding: Decimal;
  maxDaysOverdue: number; segment: 'reliable' | 'slow' | 'at_risk' | 'new';
}
export interface Analytics {
  asOf: IsoDate; periodStart: IsoDate; currency: string; excludedInvoices: number; outstanding: Decimal;
  dso: { standard: Decimal | null; countback: Decimal; receivables: Decimal; sales: Decimal; periodDays: number };
  ageing: { bucket: 'not_due' | '1_30' | '31_60' | '61_90' | 'over_90'; amount: Decimal; count: number }[];
  recovery: { base: Decimal; recovered: Decimal; rate: Decimal | null; invoices: number };
  daysLate: { days: Stats; onTimeShare: Decimal | null };
  remindersBeforePayment: { reminders: Stats; distribution: [number, number, number, number, number] };
  steps: Effectiveness[];
  channels: Effectiveness[];
  debtors: DebtorBehaviour[];
  claimable: { interest: Decimal; indemnities: Decimal; total: Decimal; invoices: number; missingRateInvoices: number; missingRate?: string };
}
/** Every collection figure of a ledger and its delivery log, as of a day. */
export function analytics(input: AnalyticsRequest): Analytics;
/** Invoices from CSV text (header row; columns id, number, debtorId, issueDate, dueDate or terms, currency, total, ...). */
export function invoicesFromCsv(text: string): Invoice[];
/** The functions that take one input, on JSON text. */
export type JsonFunction =
  | 'evaluateTerms' | 'isBusinessDay' | 'nextBusinessDay' | 'previousBusinessDay' | 'addBusinessDays' | 'adjustDate'
  | 'holidays' | 'calendarFor' | 'validatePolicy' | 'plan' | 'dueActions' | 'penaltyRequest' | 'decompte' | 'curve'
  | 'statement' | 'rateTables' | 'renderMessage' | 'validateTemplates' | 'analytics';
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
