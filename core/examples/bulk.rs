//! Native half of the npm package benchmark (wasm/bench/bulk.mjs): the same bulk work, read from the
//! same JSON files, each item decoded from its JSON text, computed and encoded as JSON text, as the
//! package does.
//! `cargo run --release -p relance-core --example bulk -- LEDGER.json PENALTIES.json MESSAGES.json`

use relance_core::compact::compact;
use relance_core::json::{from_json, to_json};
use relance_core::ledger::Ledger;
use relance_core::messages::{render_message, MessageRequest, TemplateSet};
use relance_core::penalty::{decompte, PenaltyRequest};
use relance_core::planner::plan;
use relance_core::policy::preset;
use std::time::Instant;

/// What the package's `renderMessage` takes (without custom templates).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RenderArgs {
    ledger: Ledger,
    request: MessageRequest,
}

/// Runs of each piece of work, the best of which is kept (as on the JavaScript side).
const RUNS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(ledger_path), Some(penalties_path), Some(messages_path)) = (args.first(), args.get(1), args.get(2))
    else {
        return Err("usage: bulk LEDGER.json PENALTIES.json MESSAGES.json".into());
    };
    let ledger_text = std::fs::read_to_string(ledger_path)?;
    // One JSON text per request, as the JavaScript side hands each to the package.
    let requests: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(penalties_path)?)?;
    let requests: Vec<String> = requests.iter().map(to_json).collect::<Result<_, _>>()?;
    let messages: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(messages_path)?)?;
    let messages: Vec<String> = messages.iter().map(to_json).collect::<Result<_, _>>()?;
    let policy = preset("standard")?;
    let as_of = relance_core::date::parse("2026-06-01").map_err(|(_, m)| m)?;

    let (mut plan_ms, mut compact_ms, mut penalty_ms, mut message_ms) = (f64::MAX, f64::MAX, f64::MAX, f64::MAX);
    let mut compact_out = String::new();
    let (mut ledger, mut out, mut bytes, mut message_bytes) = (None, String::new(), 0, 0);
    for _ in 0..RUNS {
        let start = Instant::now();
        let l: Ledger = from_json(&ledger_text)?;
        out = to_json(&plan(&l, &policy, as_of)?)?;
        plan_ms = plan_ms.min(start.elapsed().as_secs_f64() * 1000.0);
        ledger = Some(l);

        let start = Instant::now();
        let l: Ledger = from_json(&ledger_text)?;
        compact_out = to_json(&compact(plan(&l, &policy, as_of)?))?;
        compact_ms = compact_ms.min(start.elapsed().as_secs_f64() * 1000.0);

        let start = Instant::now();
        bytes = 0;
        for r in &requests {
            let req: PenaltyRequest = from_json(r)?;
            bytes += to_json(&decompte(&req)?)?.len();
        }
        penalty_ms = penalty_ms.min(start.elapsed().as_secs_f64() * 1000.0);

        let start = Instant::now();
        message_bytes = 0;
        for m in &messages {
            let args: RenderArgs = from_json(m)?;
            message_bytes += to_json(&render_message(TemplateSet::builtin()?, &args.ledger, &args.request)?)?.len();
        }
        message_ms = message_ms.min(start.elapsed().as_secs_f64() * 1000.0);
    }
    let ledger = ledger.ok_or("no run")?;
    println!("{{\"planMs\": {plan_ms:.1}, \"planInvoices\": {}, \"planBytes\": {}, \"compactMs\": {compact_ms:.1}, \"compactBytes\": {}, \"decompteMs\": {penalty_ms:.1}, \"decomptes\": {}, \"decompteBytes\": {bytes}, \"messageMs\": {message_ms:.1}, \"messages\": {}, \"messageBytes\": {message_bytes}}}",
        ledger.invoices.len(), out.len(), compact_out.len(), requests.len(), messages.len());
    Ok(())
}
