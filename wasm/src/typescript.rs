//! The package's TypeScript declarations (`wasm/package/src/index.d.ts`), written from the Rust
//! types by ts-rs: every input and output type with its doc comments, then the hand-written
//! declarations of the package's functions (`wasm/typescript/functions.d.ts`), which name them.
//! `tests/typescript.rs` fails when the committed file and the types differ.

use relance_core::analytics::{Analytics, AnalyticsRequest};
use relance_core::calendar::{CalendarId, Holiday};
use relance_core::compact::CompactPlan;
use relance_core::ledger::{Invoice, Ledger};
use relance_core::messages::RenderedMessage;
use relance_core::penalty::{CurvePoint, Decompte, Statement};
use relance_core::planner::{Action, Plan};
use relance_core::policy::Policy;
use relance_core::rates::Rates;
use relance_core::terms::TermsAnswer;
use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use ts_rs::{Config, TypeVisitor, TS};

const PREAMBLE: &str = "\
// Types of the `relance` package. GENERATED from the Rust types by ts-rs: do not edit by hand;
// change the Rust types or wasm/typescript/functions.d.ts, then run
// `RELANCE_BLESS=1 cargo test -p relance-wasm --features typescript --test typescript`.
// Dates are \"YYYY-MM-DD\", instants RFC 3339 (\"2026-11-23T09:00:00Z\"), amounts decimal strings
// (\"1234.56\"). Checked against real inputs and outputs by wasm/test/types.test.mjs.

/** A day, `YYYY-MM-DD`. */
export type IsoDate = string;
/** An instant, RFC 3339 (`2026-11-23T09:00:00Z`). */
export type IsoDateTime = string;
";

/// Collects the declaration of every named type reachable from the roots, each once, by name:
/// ts-rs's order of visiting a type's dependencies is not the same from one build to the next.
struct Declarations {
    config: Config,
    seen: HashSet<TypeId>,
    out: BTreeMap<String, String>,
    /// Names declared by two types (ts-rs names a type by its Rust name; rename one with `ts(rename)`).
    clashes: Vec<String>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Only named types have a file of their own in ts-rs, and a declaration here.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let docs = T::docs().map(|d| format!("{}\n", d.trim_end())).unwrap_or_default();
        let name = T::ident(&self.config);
        if self.out.insert(name.clone(), format!("{docs}export {}", T::decl(&self.config))).is_some() {
            self.clashes.push(name);
        }
        T::visit_dependencies(self);
    }
}

/// The whole `index.d.ts`, or the names that two types declare.
pub fn declarations() -> Result<String, Vec<String>> {
    // JSON numbers, whatever the Rust integer's width.
    let config = Config::new().with_large_int("number");
    let mut walk = Declarations { config, seen: HashSet::new(), out: BTreeMap::new(), clashes: Vec::new() };
    walk.visit::<crate::PlanArgs>();
    walk.visit::<Plan>();
    walk.visit::<CompactPlan>();
    walk.visit::<crate::DueArgs>();
    walk.visit::<Action>();
    walk.visit::<Policy>();
    walk.visit::<relance_core::terms::TermsQuery>();
    walk.visit::<TermsAnswer>();
    walk.visit::<crate::DayArgs>();
    walk.visit::<crate::YearArgs>();
    walk.visit::<crate::CountryArgs>();
    walk.visit::<CalendarId>();
    walk.visit::<Holiday>();
    walk.visit::<crate::InvoiceRequestArgs>();
    walk.visit::<relance_core::penalty::PenaltyRequest>();
    walk.visit::<Decompte>();
    walk.visit::<crate::CurveArgs>();
    walk.visit::<CurvePoint>();
    walk.visit::<Statement>();
    walk.visit::<crate::AllocateArgs>();
    walk.visit::<relance_core::allocation::Allocated>();
    walk.visit::<crate::RatesArgs>();
    walk.visit::<Rates>();
    walk.visit::<crate::RenderArgs>();
    walk.visit::<crate::StepRequestArgs>();
    walk.visit::<RenderedMessage>();
    walk.visit::<AnalyticsRequest>();
    walk.visit::<Analytics>();
    walk.visit::<relance_core::rate_sources::SourceResponse>();
    walk.visit::<relance_core::rate_sources::Fetched>();
    walk.visit::<crate::WithRatesArgs>();
    walk.visit::<relance_core::rate_sources::WithRates>();
    walk.visit::<Ledger>();
    walk.visit::<Invoice>();
    walk.visit::<relance_core::einvoice::EInvoice>();
    let functions = include_str!("../typescript/functions.d.ts");
    if !walk.clashes.is_empty() {
        return Err(walk.clashes);
    }
    let types: Vec<String> = walk.out.into_values().collect();
    Ok(format!("{PREAMBLE}\n{}\n\n{functions}", types.join("\n\n")))
}
