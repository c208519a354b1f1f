//! `relance-wasm`: the WebAssembly bindings of `relance-core`, published as the npm package
//! `relance`. Every export has one shape: decode the input (JSON text) with the core's decoder
//! (keeping the path of a bad field), call the core, give the result back as a JS value built by
//! serde-wasm-bindgen or as the core's JSON text. No domain logic lives here; argument structs only
//! name the parameters of a core function.

use chrono::NaiveDate;
use relance_core::calendar::{self, Adjustment, CalendarId};
use relance_core::compact::PlanForm;
use relance_core::ledger::Ledger;
use relance_core::messages::{self, Lang, MessageRequest, TemplateSet};
use relance_core::penalty::{self, PenaltyRequest};
use relance_core::planner::{self, SentEntry};
use relance_core::policy::{self, CheckedPolicy, Policy, PolicyChoice};
use relance_core::rates::{RateRow, Rates};
use relance_core::terms::{self, TermsQuery};
use relance_core::{Error, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

// The boundary. Inputs cross as JSON text (wasm-bindgen's own string passing): the core's decoder
// then refuses an unknown field with its path, which serde-wasm-bindgen cannot do (it reads a
// struct by asking the object for each declared field, so a misspelled one is never seen:
// serde-wasm-bindgen issue #39). Results cross as a JS value built by serde-wasm-bindgen, or as
// the core's JSON text when the caller asks for it (the package's `json` functions, and the object
// functions whose large results JSON.parse builds faster: see DESIGN.md). An error is thrown as a
// plain `{code, path, message}` object, which the package turns into a RelanceError.

/// What an export gives back: the result (a JS value, or JSON text when `text`), or the error.
type Reply = Result<JsValue, JsValue>;

/// Results and errors as JS values: plain objects for structs and maps, null for a missing value,
/// as JSON.parse would make them.
fn js_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| {
        Error::new(ErrorCode::InvalidJson, "", format!("the result could not be given to JavaScript: {e}"))
    })
}

/// Gives a result back in the form asked for, or throws its error.
fn reply<R: Serialize>(result: Result<R, Error>, text: bool) -> Reply {
    if text {
        reply_text(result)
    } else {
        thrown(result.and_then(|r| js_value(&r)))
    }
}

/// Gives a result back as the core's JSON text, or throws its error.
fn reply_text<R: Serialize>(result: Result<R, Error>) -> Reply {
    thrown(result.and_then(|r| relance_core::json::to_json(&r).map(|t| JsValue::from_str(&t))))
}

/// An error is a code, a path and a message: it always converts (else the package reports an
/// internal error).
fn thrown(value: Result<JsValue, Error>) -> Reply {
    value.map_err(|e| js_value(&e).unwrap_or(JsValue::NULL))
}

/// Inputs arrive as JSON text (the package's JavaScript calls `JSON.stringify`): one string
/// instead of a JS object read field by field, and the very decoder the native core uses.
fn decode<T: DeserializeOwned>(input: &str, prefix: &str) -> Result<T, Error> {
    relance_core::json::from_json(input).map_err(|e| e.within(prefix))
}

/// The one shape of every export taking an input.
fn run<A: DeserializeOwned, R: Serialize>(input: &str, text: bool, f: impl FnOnce(A) -> Result<R, Error>) -> Reply {
    reply(decode::<A>(input, "").and_then(f), text)
}

/// The shape of the exports whose results always cross as JSON text (the package parses them:
/// see its `PARSED`). Without a serde-wasm-bindgen form, their large result types are not
/// compiled twice: the browser module is smaller by what that form would cost.
fn run_text<A: DeserializeOwned, R: Serialize>(input: &str, f: impl FnOnce(A) -> Result<R, Error>) -> Reply {
    reply_text(decode::<A>(input, "").and_then(f))
}

/// A policy given as a preset id (a string) or as a full policy object.
type PolicyArg = PolicyChoice;

#[cfg(feature = "typescript")]
pub mod typescript;

fn checked_policy(arg: PolicyArg) -> Result<CheckedPolicy, Error> {
    arg.check().map_err(|e| e.within("policy"))
}

#[wasm_bindgen(start)]
fn start() {
    // A panic is a bug, never a reaction to input: say so clearly on the console.
    std::panic::set_hook(Box::new(|info| {
        web_sys_console_error(&format!("relance: internal error (please report): {info}"));
    }));
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_sys_console_error(message: &str);
}

/// The package version.
#[wasm_bindgen]
pub fn version(text: bool) -> Reply {
    reply(Ok(env!("CARGO_PKG_VERSION")), text)
}

/// Due date and legal check of a term: `{issueDate, terms | dueDate, debtorKind, creditorCountry, ...}`.
#[wasm_bindgen(js_name = evaluateTerms)]
pub fn evaluate_terms(input: &str, text: bool) -> Reply {
    run(input, text, |q: TermsQuery| terms::evaluate(&q))
}

/// A day in a business-day calendar (`days` for `addBusinessDays`, `adjustment` for `adjustDate`).
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "DayQuery"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DayArgs {
    /// The calendar.
    calendar: CalendarId,
    /// The day, `YYYY-MM-DD`.
    #[serde(deserialize_with = "relance_core::date::de")]
    date: NaiveDate,
    /// Business days to add (negative: to go back); default 0.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    days: i32,
    /// Which way to move a day that is not a business day; default forward.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    adjustment: Adjustment,
}

/// `{calendar, date}` -> true when a business day.
#[wasm_bindgen(js_name = isBusinessDay)]
pub fn is_business_day(input: &str, text: bool) -> Reply {
    run(input, text, |a: DayArgs| calendar::is_business_day(a.calendar, a.date))
}

/// `{calendar, date}` -> the first business day after.
#[wasm_bindgen(js_name = nextBusinessDay)]
pub fn next_business_day(input: &str, text: bool) -> Reply {
    run(input, text, |a: DayArgs| calendar::next_business_day(a.calendar, a.date))
}

/// `{calendar, date}` -> the last business day before.
#[wasm_bindgen(js_name = previousBusinessDay)]
pub fn previous_business_day(input: &str, text: bool) -> Reply {
    run(input, text, |a: DayArgs| calendar::previous_business_day(a.calendar, a.date))
}

/// `{calendar, date, days}` -> date plus (or minus) that many business days.
#[wasm_bindgen(js_name = addBusinessDays)]
pub fn add_business_days(input: &str, text: bool) -> Reply {
    run(input, text, |a: DayArgs| calendar::add_business_days(a.calendar, a.date, a.days))
}

/// `{calendar, date, adjustment}` -> the date moved off a weekend or holiday.
#[wasm_bindgen(js_name = adjustDate)]
pub fn adjust_date(input: &str, text: bool) -> Reply {
    run(input, text, |a: DayArgs| calendar::adjust(a.calendar, a.date, a.adjustment))
}

/// A calendar and a year.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct YearArgs {
    /// The calendar.
    calendar: CalendarId,
    /// The year.
    year: i32,
}

#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
struct CountryArgs {
    /// ISO 3166-1 alpha-2 country code.
    country: String,
}

/// `{country}` -> the calendar a debtor of that country follows (`weekends` when none is built in).
#[wasm_bindgen(js_name = calendarFor)]
pub fn calendar_for(input: &str, text: bool) -> Reply {
    run(input, text, |a: CountryArgs| Ok(CalendarId::for_country(&a.country).unwrap_or(CalendarId::Weekends)))
}

/// `{calendar, year}` -> the public holidays.
#[wasm_bindgen]
pub fn holidays(input: &str, text: bool) -> Reply {
    run(input, text, |a: YearArgs| calendar::holidays(a.calendar, a.year))
}

/// The ready-made policies, checked.
#[wasm_bindgen]
pub fn presets(text: bool) -> Reply {
    let all: Result<Vec<Policy>, Error> =
        policy::PRESET_IDS.iter().map(|id| policy::preset(id).map(|p| p.policy().clone())).collect();
    reply(all, text)
}

/// A policy (object or preset id) validated, with every default filled in.
#[wasm_bindgen(js_name = validatePolicy)]
pub fn validate_policy(input: &str, text: bool) -> Reply {
    reply(decode::<PolicyArg>(input, "policy").and_then(checked_policy).map(|p| p.policy().clone()), text)
}

/// What `plan` takes.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlanArgs {
    /// The ledger to plan.
    ledger: Ledger,
    /// The policy: a preset id or a policy object.
    policy: PolicyArg,
    /// The day the timeline is seen from, `YYYY-MM-DD`.
    #[serde(deserialize_with = "relance_core::date::de")]
    as_of: NaiveDate,
    /// Newer rate rows by table id: they price what partial payments paid first and the penalties
    /// a claim asks for.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    extra_rates: BTreeMap<String, Vec<RateRow>>,
    /// The compact form (`CompactPlan`): each fact stated once, about half the size.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    compact: bool,
}

/// `{ledger, policy, asOf, extraRates?, compact?}` -> the whole reminder timeline of every invoice.
#[wasm_bindgen]
pub fn plan(input: &str) -> Reply {
    run_text(input, |a: PlanArgs| {
        let rates = penalty::rates_with(&a.extra_rates)?;
        let planned = planner::plan_with_rates(&a.ledger, &checked_policy(a.policy)?, a.as_of, &rates)?;
        Ok(PlanForm::of(planned, a.compact))
    })
}

/// What `dueActions` takes.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DueArgs {
    /// The ledger.
    ledger: Ledger,
    /// The policy: a preset id or a policy object.
    policy: PolicyArg,
    /// What was already sent (so nothing goes out twice).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    sent_log: Vec<SentEntry>,
    /// The instant of the run, RFC 3339.
    #[serde(deserialize_with = "relance_core::date::de_instant")]
    now: chrono::DateTime<chrono::Utc>,
    /// Newer rate rows by table id (see `plan`).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    extra_rates: BTreeMap<String, Vec<RateRow>>,
}

/// `{ledger, policy, sentLog, now, extraRates?}` -> exactly what must be sent now.
#[wasm_bindgen(js_name = dueActions)]
pub fn due_actions(input: &str, text: bool) -> Reply {
    run(input, text, |a: DueArgs| {
        let rates = penalty::rates_with(&a.extra_rates)?;
        planner::due_actions_with_rates(&a.ledger, &checked_policy(a.policy)?, &a.sent_log, a.now, &rates)
    })
}

/// `{ledger, sent?, asOf, periodStart?, currency?, windowDays?, segments?, extraRates?}` -> every
/// collection figure (DSO, ageing, recovery, days late, effectiveness, debtor segments, claimable).
#[wasm_bindgen]
pub fn analytics(input: &str, text: bool) -> Reply {
    run(input, text, |r: relance_core::analytics::AnalyticsRequest| relance_core::analytics::analytics(&r))
}

/// CSV text -> invoices (the format of `core/src/import.rs`; errors name `rows[i].column`).
#[wasm_bindgen(js_name = invoicesFromCsv)]
pub fn invoices_from_csv(input: &str, text: bool) -> Reply {
    reply(relance_core::import::invoices_from_csv(input), text)
}

/// An amount as a person types it (`4 800,50`, `4800,50`, `4800.50`) -> its decimal string
/// (`"4800.50"`), the form every other function takes; refused with `invalid_amount` otherwise.
#[wasm_bindgen(js_name = readAmount)]
pub fn read_amount(input: &str, text: bool) -> Reply {
    reply(relance_core::money::read_typed_amount(input, "").map(|a| a.to_string()), text)
}

/// What `penaltyRequest` takes.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InvoiceRequestArgs {
    /// The ledger.
    ledger: Ledger,
    /// The invoice of the ledger.
    invoice_id: String,
    /// The day penalties run to, `YYYY-MM-DD`.
    #[serde(deserialize_with = "relance_core::date::de")]
    as_of: NaiveDate,
    /// Reference rates newer than the built-in tables, by table name.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    extra_rates: BTreeMap<String, Vec<RateRow>>,
}

/// `{ledger, invoiceId, asOf, extraRates?}` -> the penalty request of that invoice under the default
/// regime of its creditor and debtor (to pass to `decompte` or `curve`).
#[wasm_bindgen(js_name = penaltyRequest)]
pub fn penalty_request(input: &str, text: bool) -> Reply {
    run(input, text, |a: InvoiceRequestArgs| {
        penalty::invoice_request(&a.ledger, &a.invoice_id, a.as_of, &a.extra_rates)
    })
}

/// A penalty request -> the itemised décompte.
#[wasm_bindgen]
pub fn decompte(input: &str) -> Reply {
    run_text(input, |r: PenaltyRequest| penalty::decompte(&r))
}

/// What `curve` takes.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CurveArgs {
    /// The penalty request.
    request: PenaltyRequest,
    /// First day, `YYYY-MM-DD`.
    #[serde(deserialize_with = "relance_core::date::de")]
    from: NaiveDate,
    /// Last day, `YYYY-MM-DD`.
    #[serde(deserialize_with = "relance_core::date::de")]
    to: NaiveDate,
}

/// `{request, from, to}` -> what is owed each day.
#[wasm_bindgen]
pub fn curve(input: &str, text: bool) -> Reply {
    run(input, text, |a: CurveArgs| penalty::curve(&a.request, a.from, a.to))
}

/// What `allocatePayment` takes.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AllocateArgs {
    /// The ledger.
    ledger: Ledger,
    /// The debtor who paid.
    debtor_id: String,
    /// The payment, naming no invoice.
    payment: relance_core::allocation::DebtorPayment,
    /// Newer rate rows by table id (they price the penalties each invoice owes).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    extra_rates: BTreeMap<String, Vec<RateRow>>,
}

/// `{ledger, debtorId, payment, extraRates?}` -> a payment that names no invoice spread over the
/// debtor's invoices in the law's order (due first, then the oldest, then in proportion).
#[wasm_bindgen(js_name = allocatePayment)]
pub fn allocate_payment(input: &str, text: bool) -> Reply {
    run(input, text, |a: AllocateArgs| {
        let rates = penalty::rates_with(&a.extra_rates)?;
        let checked = a.ledger.check_with_rates(&rates).map_err(|e| e.within("ledger"))?;
        relance_core::allocation::allocate(&checked, &a.debtor_id, &a.payment, &rates).map_err(|e| {
            if e.path() == "debtorId" {
                e
            } else {
                e.within("payment")
            }
        })
    })
}

/// `[request, ...]` -> several invoices of one debtor in one statement.
#[wasm_bindgen]
pub fn statement(input: &str) -> Reply {
    run_text(input, |r: Vec<PenaltyRequest>| penalty::statement(&r))
}

/// What `rateTables` takes.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RatesArgs {
    /// Reference rates newer than the built-in tables, by table name.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    extra_rates: BTreeMap<String, Vec<RateRow>>,
}

/// `{extraRates?}` -> every rate table, with the given newer rows added.
#[wasm_bindgen(js_name = rateTables)]
pub fn rate_tables(input: &str, text: bool) -> Reply {
    run(input, text, |a: RatesArgs| {
        let mut rates = Rates::builtin()?;
        for (table, rows) in a.extra_rates {
            rates.extend(&table, rows).map_err(|e| e.within(&format!("extraRates.{table}")))?;
        }
        Ok(rates)
    })
}

/// A message template (`subject: ...`, a blank line, the body, in Handlebars), or with
/// `partial: true` a partial that templates include as `{{> key}}`.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CustomTemplate {
    /// The template key (a built-in key replaces the built-in template).
    key: String,
    /// Its language.
    lang: Lang,
    /// The Handlebars source.
    source: String,
    /// True when it shows penalties (the render then needs the rates).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    requires_penalties: bool,
    /// A partial (`{{> key}}`) rather than a message template: its source has no subject line.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    partial: bool,
}

/// What `withRates` takes.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WithRatesArgs {
    /// Rows read by `readRateSource` (the package's readers module).
    fetched: Vec<relance_core::rate_sources::Fetched>,
    /// Rows the caller already adds, by table name.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    extra_rates: BTreeMap<String, Vec<RateRow>>,
}

/// `{fetched, extraRates?}` -> the `extraRates` to pass to a request, with what the fetched rows
/// add, and the rates they give otherwise than the tables (corrections, not applied).
#[wasm_bindgen(js_name = withRates)]
pub fn with_rates(input: &str, text: bool) -> Reply {
    run(input, text, |a: WithRatesArgs| relance_core::rate_sources::with_rates(a.extra_rates, &a.fetched))
}

/// What `renderMessage` takes.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RenderArgs {
    /// The ledger.
    ledger: Ledger,
    /// The message to render.
    request: MessageRequest,
    /// Custom templates and partials, in addition to the built-in ones.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    templates: Vec<CustomTemplate>,
}

/// Calls `f` with the built-in templates, extended by the custom ones if any: without custom
/// templates no set is built or copied.
fn with_templates<R>(custom: &[CustomTemplate], f: impl FnOnce(&TemplateSet) -> Result<R, Error>) -> Result<R, Error> {
    let builtin = TemplateSet::builtin()?;
    if custom.is_empty() {
        return f(builtin);
    }
    let mut set = builtin.clone();
    // Partials first, so that the templates given with them can include them.
    let (partials, templates): (Vec<_>, Vec<_>) = custom.iter().enumerate().partition(|(_, t)| t.partial);
    for (i, t) in partials.into_iter().chain(templates) {
        let registered = if t.partial {
            set.register_partial(&t.key, t.lang, &t.source)
        } else {
            set.register(&t.key, t.lang, &t.source, t.requires_penalties)
        };
        registered.map_err(|e| e.within(&format!("templates[{i}]")))?;
    }
    f(&set)
}

/// What `stepRequest` takes: what `plan` takes, and the step. The timeline is planned again
/// rather than read back: its decoder would cost the browser module 18 KB gzipped, the plan
/// tens of microseconds.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StepRequestArgs {
    /// The input of `plan`.
    plan: PlanArgs,
    /// The invoice of the ledger.
    invoice_id: String,
    /// The step of its timeline whose message is wanted.
    step_id: String,
}

/// `{plan: {ledger, policy, asOf, extraRates?}, invoiceId, stepId}` -> the message request of that
/// step, as the worker makes it (with the reminders that go out before it), for `renderMessage`.
#[wasm_bindgen(js_name = stepRequest)]
pub fn step_request(input: &str, text: bool) -> Reply {
    run(input, text, |a: StepRequestArgs| {
        let p = a.plan;
        let rates = penalty::rates_with(&p.extra_rates)?;
        let plan = planner::plan_with_rates(&p.ledger, &checked_policy(p.policy)?, p.as_of, &rates)?;
        let timeline = plan.invoices.iter().find(|t| t.invoice_id == a.invoice_id).ok_or_else(|| {
            Error::new(ErrorCode::UnknownReference, "invoiceId", format!("no invoice `{}` in the ledger", a.invoice_id))
        })?;
        MessageRequest::for_timeline_step(timeline, &a.step_id)
            .map(|r| MessageRequest { extra_rates: p.extra_rates, ..r })
    })
}

/// `{ledger, request, templates?}` -> the rendered message (subject, text, html, letterHtml).
#[wasm_bindgen(js_name = renderMessage)]
pub fn render_message(input: &str) -> Reply {
    run_text(input, |a: RenderArgs| {
        with_templates(&a.templates, |set| messages::render_message(set, &a.ledger, &a.request))
    })
}

/// `[{key, lang, source}]` -> validates custom templates without rendering (null when valid).
#[wasm_bindgen(js_name = validateTemplates)]
pub fn validate_templates(input: &str, text: bool) -> Reply {
    run(input, text, |t: Vec<CustomTemplate>| with_templates(&t, |_| Ok(())))
}
