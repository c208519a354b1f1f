//! Invoices from a CSV export (RFC 4180: a header row, fields quoted with `"` when they hold the
//! separator, quotes or line breaks). One format for the worker's import endpoint and for the npm
//! package, so a file accepted by one is accepted by the other. The French forms of a spreadsheet
//! saved as CSV are read too: `;` as the separator (found from the header line), amounts with a
//! decimal comma and spaces between thousands (`4 800,50`), days as `JJ/MM/AAAA`.
//!
//! Columns, by header name (order free, unknown columns refused so a typo is not ignored):
//! `id`, `number`, `debtorId`, `issueDate`, `currency`, `total` (required); `dueDate` or `terms`
//! (one of them): `net:30`, `net:30:delivery`, `onReceipt`, `endOfMonth:45`,
//! `endOfMonth:45:end_of_month_then_days`; optional `deliveryDate`, `sector`, `paidAmount` with
//! `paidDate` (one payment received). Errors name the row as `rows[i].column`: `i` counts from 0
//! at the row under the header, blank rows included, so `rows[i]` is the spreadsheet's row `i + 2`.

use crate::error::{Error, ErrorCode, Result};
use crate::ledger::Invoice;
use crate::money::read_typed_amount;
use serde_json::{json, Map, Value};

/// Most data rows in one file.
pub const MAX_ROWS: usize = 100_000;

const COLUMNS: [&str; 12] = [
    "id",
    "number",
    "debtorId",
    "issueDate",
    "dueDate",
    "terms",
    "currency",
    "total",
    "deliveryDate",
    "sector",
    "paidAmount",
    "paidDate",
];

/// One row of a CSV file: its fields, and its number in the file (1 for the first row, blank
/// rows counted, a quoted line break inside a field not: the numbering a spreadsheet shows).
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) number: usize,
    pub(crate) fields: Vec<String>,
}

/// The separator of a file: `;` when its first line holds more semicolons than commas (a French
/// spreadsheet writes `;`, the comma being its decimal mark), else `,`.
fn separator(text: &str) -> char {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.matches(';').count() > first.matches(',').count() {
        ';'
    } else {
        ','
    }
}

/// Splits CSV text (RFC 4180, `,` or `;` separated) into its rows; blank rows are skipped, but
/// counted in the numbers of the rows after them.
pub(crate) fn records(text: &str) -> Result<Vec<Row>> {
    let text = text.trim_start_matches('\u{feff}');
    let sep = separator(text);
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut number = 1;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    let mut end_row = |record: &mut Vec<String>, field: &mut String, number: &mut usize| -> Result<()> {
        record.push(std::mem::take(field));
        if record.iter().any(|f| !f.is_empty()) {
            out.push(Row { number: *number, fields: std::mem::take(record) });
        } else {
            record.clear();
        }
        *number += 1;
        if out.len() > MAX_ROWS + 1 {
            return Err(Error::new(ErrorCode::TooManyItems, "rows", format!("more than {MAX_ROWS} rows")));
        }
        Ok(())
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            c if c == sep => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                end_row(&mut record, &mut field, &mut number)?;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(Error::new(
            ErrorCode::InvalidJson,
            format!("rows[{}]", number.saturating_sub(2)),
            "a quoted field is not closed",
        ));
    }
    end_row(&mut record, &mut field, &mut number)?;
    Ok(out)
}

fn terms(raw: &str, path: &str) -> Result<Value> {
    let parts: Vec<&str> = raw.split(':').map(str::trim).collect();
    let days = |s: Option<&&str>| -> Result<u32> {
        s.and_then(|d| d.parse().ok())
            .ok_or_else(|| Error::new(ErrorCode::OutOfRange, path, format!("`{raw}`: the number of days is missing")))
    };
    Ok(match parts.as_slice() {
        ["onReceipt"] => json!({ "type": "onReceipt" }),
        ["net", ..] if parts.len() <= 3 => {
            let from = parts.get(2).copied().unwrap_or("invoice");
            json!({ "type": "net", "days": days(parts.get(1))?, "from": from })
        }
        ["endOfMonth", ..] if parts.len() <= 3 => {
            let method = parts.get(2).copied().unwrap_or("days_then_end_of_month");
            json!({ "type": "endOfMonth", "days": days(parts.get(1))?, "method": method })
        }
        _ => {
            return Err(Error::new(
                ErrorCode::UnknownVariant,
                path,
                format!("`{raw}` is not a term: use net:30, net:30:delivery, onReceipt or endOfMonth:45"),
            ))
        }
    })
}

/// The columns holding a day, which may be written `JJ/MM/AAAA`.
const DATE_COLUMNS: [&str; 4] = ["issueDate", "dueDate", "deliveryDate", "paidDate"];

/// A day written `JJ/MM/AAAA` (a French spreadsheet's form) as `AAAA-MM-JJ`; any other text as it
/// is, for the date reader to accept or refuse with its own words.
fn iso_day(value: &str) -> String {
    let parts: Vec<&str> = value.split('/').collect();
    match parts.as_slice() {
        [d, m, y] if d.len() <= 2 && m.len() <= 2 && y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => value.to_owned(),
    }
}

/// Parses the file into core invoices (not yet checked against a ledger: that is the caller's
/// `Ledger::check`, which knows the debtors).
pub fn invoices_from_csv(text: &str) -> Result<Vec<Invoice>> {
    let mut rows = records(text)?.into_iter();
    let header = rows.next().ok_or_else(|| Error::new(ErrorCode::MissingField, "header", "the file is empty"))?;
    let names: Vec<&str> = header.fields.iter().map(|h| h.trim()).collect();
    for (i, name) in names.iter().enumerate() {
        if !COLUMNS.contains(name) {
            return Err(Error::new(
                ErrorCode::UnknownField,
                format!("header[{i}]"),
                format!("unknown column `{name}`; expected some of: {}", COLUMNS.join(", ")),
            ));
        }
    }
    rows.map(|row| {
        let path = format!("rows[{}]", row.number.saturating_sub(2));
        invoice(&names, row.fields).map_err(|e| e.within(&path))
    })
    .collect()
}

/// One data row as an invoice; errors name the column (the caller adds the row).
fn invoice(names: &[&str], fields: Vec<String>) -> Result<Invoice> {
    if fields.len() != names.len() {
        return Err(Error::new(
            ErrorCode::InvalidJson,
            "",
            format!("{} fields where the header has {}", fields.len(), names.len()),
        ));
    }
    let mut obj = Map::new();
    let mut paid: (Option<String>, Option<String>) = (None, None);
    for (&name, value) in names.iter().zip(fields) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let value = if DATE_COLUMNS.contains(&name) { iso_day(value) } else { value.to_owned() };
        match name {
            "terms" => {
                obj.insert("terms".into(), terms(&value, "terms")?);
            }
            "total" => {
                obj.insert("total".into(), Value::String(read_typed_amount(&value, "total")?.to_string()));
            }
            "paidAmount" => paid.0 = Some(read_typed_amount(&value, "paidAmount")?.to_string()),
            "paidDate" => paid.1 = Some(value),
            _ => {
                obj.insert(name.into(), Value::String(value));
            }
        }
    }
    match paid {
        (Some(amount), Some(date)) => {
            obj.insert("payments".into(), json!([{ "date": date, "amount": amount }]));
        }
        (None, None) => {}
        (Some(_), None) => return Err(Error::new(ErrorCode::MissingField, "paidDate", "a paid amount needs its date")),
        (None, Some(_)) => {
            return Err(Error::new(ErrorCode::MissingField, "paidAmount", "a paid date needs its amount"))
        }
    }
    // Read from text like every input: a second reading of the ledger types from a `Value`
    // would double their decoders in the WebAssembly module.
    crate::json::from_json(&Value::Object(obj).to_string()).map_err(|e| {
        // Report the CSV column, not the JSON shape built from it.
        if e.path().starts_with("payments[0].amount") {
            Error::new(e.code(), "paidAmount", e.message())
        } else if e.path().starts_with("payments[0].date") {
            Error::new(e.code(), "paidDate", e.message())
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_fields_terms_and_payments() {
        let csv = "id,number,debtorId,issueDate,terms,currency,total,paidAmount,paidDate\r\n\
                   i1,\"F-1, \"\"A\"\"\",d1,2025-03-03,net:30,EUR,1200.00,200.00,2025-04-10\r\n\
                   i2,F-2,d1,2025-03-05,endOfMonth:45,EUR,80.50,,\n";
        let list = invoices_from_csv(csv).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].number, "F-1, \"A\"");
        assert_eq!(list[0].payments.len(), 1);
        assert_eq!(list[0].payments[0].amount.to_string(), "200.00");
        assert!(list[1].payments.is_empty());
        assert!(matches!(list[1].terms, Some(crate::terms::PaymentTerms::EndOfMonth { days: 45, .. })));
    }

    #[test]
    fn errors_name_the_row_and_column() {
        let csv = "id,number,debtorId,issueDate,dueDate,currency,total\ni1,F-1,d1,2025-03-03,2025-04-02,EUR,12.5x\n";
        let e = invoices_from_csv(csv).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidAmount, "rows[0].total"));
        let e = invoices_from_csv("id,amount\n").unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::UnknownField, "header[1]"));
        let e = invoices_from_csv("id,number\ni1\n").unwrap_err();
        assert_eq!(e.path(), "rows[0]");
        let e = invoices_from_csv("id,terms,number,debtorId,issueDate,currency,total\ni1,net,F,d1,2025-01-01,EUR,1\n")
            .unwrap_err();
        assert_eq!(e.path(), "rows[0].terms");
        let e = invoices_from_csv("id,paidAmount\ni1,3\n").unwrap_err();
        assert_eq!(e.path(), "rows[0].paidDate");
        assert_eq!(invoices_from_csv("").unwrap_err().path(), "header");
        // Blank rows count: the bad total is on the spreadsheet's row 5 (rows[3]).
        let csv = "id,number,debtorId,issueDate,dueDate,currency,total\n\ni1,F-1,d1,2025-03-03,2025-04-02,EUR,1\n\ni2,F-2,d1,2025-03-03,2025-04-02,EUR,x\n";
        assert_eq!(invoices_from_csv(csv).unwrap_err().path(), "rows[3].total");
    }

    /// A sheet saved as CSV by a French spreadsheet: `;`, decimal commas, spaces between
    /// thousands (here a non-breaking one), days as JJ/MM/AAAA.
    #[test]
    fn reads_the_french_spreadsheet_forms() {
        let csv = "id;number;debtorId;issueDate;terms;currency;total;paidAmount;paidDate\r\n\
                   i1;\"F-1; A\";d1;03/03/2025;net:30;EUR;4\u{a0}800,50;1 200,00;10/4/2025\r\n\
                   i2;F-2;d1;5/3/2025;endOfMonth:45;EUR;80,5;;\r\n";
        let list = invoices_from_csv(csv).unwrap();
        assert_eq!(list[0].number, "F-1; A");
        assert_eq!(list[0].total.to_string(), "4800.50");
        assert_eq!(list[0].issue_date.to_string(), "2025-03-03");
        assert_eq!(
            (list[0].payments[0].amount.to_string(), list[0].payments[0].date.to_string()),
            ("1200.00".into(), "2025-04-10".into())
        );
        assert_eq!((list[1].issue_date.to_string(), list[1].total.to_string()), ("2025-03-05".into(), "80.5".into()));
        let bad = csv.replace("5/3/2025", "31/02/2025");
        let e = invoices_from_csv(&bad).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidDate, "rows[1].issueDate"));
        let bad = csv.replace("80,5", "80,5x");
        assert_eq!(invoices_from_csv(&bad).unwrap_err().path(), "rows[1].total");
    }
}
