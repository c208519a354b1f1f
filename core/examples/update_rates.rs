//! Brings `core/data/rates.json` up to date from responses of the official sources, read by the
//! same readers as the worker's daily refresh (`relance_core::rate_sources`). Run by
//! `scripts/update-rates.sh`, which fetches the responses; a rate the source gives otherwise than
//! the file is refused, for a person to check.
//!
//! `cargo run -p relance-core --example update_rates -- OUT.json TODAY [SOURCE=FILE ...]`, where
//! SOURCE is `ecb_mro`, `de_basiszinssatz` or `boe_bank_rate`: the shipped tables (the
//! checkout's `core/data/rates.json`, compiled in) brought up to date, written to OUT.json.
//! `... --example update_rates -- --addresses` prints each source's `table<TAB>accept<TAB>url`.

use relance_core::rate_sources::{parse, Source};
use relance_core::rates::{RateTable, Rates};
use serde::Serialize;
use std::collections::BTreeMap;

/// The file's shape: its explanation, then the tables by id.
#[derive(Serialize)]
struct RatesFile<'a> {
    #[serde(rename = "_about")]
    about: String,
    tables: BTreeMap<&'a str, &'a RateTable>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--addresses") {
        for source in Source::ALL {
            let (url, accept) = source.address();
            println!("{}\t{accept}\t{url}", source.table());
        }
        return Ok(());
    }
    let (Some(path), Some(today)) = (args.first(), args.get(1)) else {
        return Err(
            "usage: update_rates OUT.json YYYY-MM-DD [ecb_mro=FILE] [de_basiszinssatz=FILE] [boe_bank_rate=FILE]"
                .into(),
        );
    };
    let today = relance_core::date::parse(today).map_err(|(_, m)| m)?;
    let shipped = include_str!("../data/rates.json");
    let file: serde_json::Value = serde_json::from_str(shipped)?;
    let about = file.get("_about").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
    let mut rates = Rates::builtin()?;
    for arg in args.iter().skip(2) {
        let (name, file) = arg.split_once('=').ok_or(format!("`{arg}`: expected SOURCE=FILE"))?;
        let source = Source::of_table(name).ok_or(format!("no source `{name}`"))?;
        let fetched = parse(source, &std::fs::read_to_string(file)?, today)?;
        rates.refresh(&fetched.table, &fetched.rows, fetched.known_until, today)?;
        let table = rates.table(&fetched.table)?;
        eprintln!(
            "{name}: {} rows, known until {}, from {} {}",
            table.rows.len(),
            table.known_until,
            fetched.source,
            fetched.series
        );
    }
    let tables = rates.ids().map(|id| Ok((id, rates.table(id)?))).collect::<Result<_, relance_core::Error>>()?;
    let mut out = Vec::new();
    let mut writer =
        serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(b" "));
    RatesFile { about, tables }.serialize(&mut writer)?;
    out.push(b'\n');
    std::fs::write(path, out)?;
    Ok(())
}
