//! Invoices from a CSV export (RFC 4180: comma-separated, a header row, fields quoted with `"`
//! when they hold commas, quotes or line breaks). One format for the worker's import endpoint and
//! for the npm package, so a file accepted by one is accepted by the other.
//!
//! Columns, by header name (order free, unknown columns refused so a typo is not ignored):
//! `id`, `number`, `debtorId`, `issueDate`, `currency`, `total` (required); `dueDate` or `terms`
//! (one of them): `net:30`, `net:30:delivery`, `onReceipt`, `endOfMonth:45`,
//! `endOfMonth:45:end_of_month_then_days`; optional `deliveryDate`, `sector`, `paidAmount` with
//! `paidDate` (one payment received). Errors name the row as `rows[i].column` (`i` from 0 for the
//! first line after the header).

use crate::error::{Error, ErrorCode, Result};
use crate::ledger::Invoice;
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

/// Splits CSV text (RFC 4180) into records of fields; blank lines are skipped.
pub(crate) fn records(text: &str) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut at_field_start = true;
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
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.is_empty()) {
                    out.push(std::mem::take(&mut record));
                } else {
                    record.clear();
                }
                at_field_start = true;
                if out.len() > MAX_ROWS + 1 {
                    return Err(Error::new(ErrorCode::TooManyItems, "rows", format!("more than {MAX_ROWS} rows")));
                }
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
            format!("rows[{}]", out.len().saturating_sub(1)),
            "a quoted field is not closed",
        ));
    }
    record.push(field);
    if record.iter().any(|f| !f.is_empty()) {
        out.push(record);
    }
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

/// Parses the file into core invoices (not yet checked against a ledger: that is the caller's
/// `Ledger::check`, which knows the debtors).
pub fn invoices_from_csv(text: &str) -> Result<Vec<Invoice>> {
    let mut rows = records(text)?.into_iter();
    let header = rows.next().ok_or_else(|| Error::new(ErrorCode::MissingField, "header", "the file is empty"))?;
    for (i, name) in header.iter().enumerate() {
        if !COLUMNS.contains(&name.trim()) {
            return Err(Error::new(
                ErrorCode::UnknownField,
                format!("header[{i}]"),
                format!("unknown column `{name}`; expected some of: {}", COLUMNS.join(", ")),
            ));
        }
    }
    let mut out = Vec::new();
    for (r, fields) in rows.enumerate() {
        let row = format!("rows[{r}]");
        if fields.len() != header.len() {
            return Err(Error::new(
                ErrorCode::InvalidJson,
                row,
                format!("{} fields where the header has {}", fields.len(), header.len()),
            ));
        }
        let mut obj = Map::new();
        let mut paid: (Option<String>, Option<String>) = (None, None);
        for (name, value) in header.iter().map(|h| h.trim()).zip(fields) {
            let value = value.trim().to_owned();
            if value.is_empty() {
                continue;
            }
            match name {
                "terms" => {
                    obj.insert("terms".into(), terms(&value, &format!("{row}.terms"))?);
                }
                "paidAmount" => paid.0 = Some(value),
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
            (Some(_), None) => {
                return Err(Error::new(
                    ErrorCode::MissingField,
                    format!("{row}.paidDate"),
                    "a paid amount needs its date",
                ))
            }
            (None, Some(_)) => {
                return Err(Error::new(
                    ErrorCode::MissingField,
                    format!("{row}.paidAmount"),
                    "a paid date needs its amount",
                ))
            }
        }
        // Read from text like every input: a second reading of the ledger types from a `Value`
        // would double their decoders in the WebAssembly module.
        let invoice: Invoice = crate::json::from_json(&Value::Object(obj).to_string()).map_err(|e| {
            // Report the CSV column, not the JSON shape built from it.
            let e = if e.path().starts_with("payments[0].amount") {
                Error::new(e.code(), "paidAmount", e.message())
            } else if e.path().starts_with("payments[0].date") {
                Error::new(e.code(), "paidDate", e.message())
            } else {
                e
            };
            e.within(&row)
        })?;
        out.push(invoice);
    }
    Ok(out)
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
    }
}
