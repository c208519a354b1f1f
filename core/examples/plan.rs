//! Plans a ledger and prints its reminder calendar.
//!
//! `cargo run -p relance-core --example plan -- [LEDGER.json] [POLICY: gentle|standard|firm|FILE.json] [AS_OF]`
//! Defaults: `samples/ledger.json`, `standard`, 2026-11-23.

use relance_core::json::from_json;
use relance_core::planner::{due_actions, plan, StepStatus};
use relance_core::policy::{preset, Policy};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let ledger_path = args.first().cloned().unwrap_or_else(|| format!("{root}/samples/ledger.json"));
    let policy_arg = args.get(1).cloned().unwrap_or_else(|| "standard".into());
    let as_of = args.get(2).cloned().unwrap_or_else(|| "2026-11-23".into());
    let ledger = from_json(&std::fs::read_to_string(&ledger_path)?)?;
    let policy = if policy_arg.ends_with(".json") {
        from_json::<Policy>(&std::fs::read_to_string(&policy_arg)?)?.check()?
    } else {
        preset(&policy_arg)?
    };
    let as_of = relance_core::date::parse(&as_of).map_err(|(_, m)| m)?;
    let plan = plan(&ledger, &policy, as_of)?;

    println!("Relance calendar: {ledger_path}, policy `{}`, as of {as_of}\n", plan.policy_id);
    for inv in &plan.invoices {
        println!(
            "{} ({}) debtor {} due {} total {} {} outstanding {}",
            inv.number,
            inv.invoice_id,
            inv.debtor_id,
            inv.due_date,
            inv.total,
            inv.currency.code(),
            inv.outstanding
        );
        for f in &inv.term_findings {
            println!("    ! {:?} {}: {}", f.severity, f.code, f.message);
        }
        for s in &inv.steps {
            let marker = match s.status {
                StepStatus::Today => ">>",
                StepStatus::Past => "  ",
                _ => " .",
            };
            let changes: Vec<String> = s.changes.iter().map(|c| format!("{c:?}")).collect();
            println!(
                "  {marker} {}  {:<22} {:<18} {:<22} {:<18} {}",
                s.date,
                s.step_id,
                format!("{:?}", s.channel),
                s.template,
                format!("{:?}", s.status),
                if changes.is_empty() { String::new() } else { format!("moved: {}", changes.join(", ")) }
            );
        }
        println!();
    }
    println!("Messages ({}):", plan.contacts.len());
    for c in &plan.contacts {
        println!(
            "  {} {} {:<12} {:<18} {:<20} {} {} [{}] {}",
            c.date,
            c.send_at.format("%H:%MZ"),
            c.debtor_id,
            format!("{:?}", c.channel),
            c.template,
            c.total_outstanding,
            c.currency.code(),
            c.items.iter().map(|i| i.invoice_id.as_str()).collect::<Vec<_>>().join(","),
            c.key
        );
    }
    // What a run at 10:00 Paris time on the as-of day would send, with nothing sent before:
    // the catch-up rule keeps only each invoice's latest step, if it is recent enough.
    let paris = relance_core::zone::Zone::named("Europe/Paris").ok_or("no Europe/Paris zone")?;
    let now = paris.earliest(as_of.and_hms_opt(10, 0, 0).unwrap_or_default()).ok_or("no 10:00 in Paris that day")?;
    let actions = due_actions(&ledger, &policy, &[], now)?;
    println!("\nDue at {now} ({} action(s), nothing sent before):", actions.len());
    for a in &actions {
        println!(
            "  {} {:<12} {:<18} {:<20} {} {} [{}] {}",
            a.key,
            a.debtor_id,
            format!("{:?}", a.channel),
            a.template,
            a.total_outstanding,
            a.currency.code(),
            a.items.iter().map(|i| i.invoice_id.as_str()).collect::<Vec<_>>().join(","),
            a.reason.message
        );
    }
    for w in &plan.warnings {
        println!("warning {} at {}: {}", w.code, w.path, w.message);
    }
    Ok(())
}
