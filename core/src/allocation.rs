//! A payment from a debtor that names no invoice, spread over its invoices in the order the law
//! gives: the debts due first, then the oldest, then in proportion to what each owes (C. civ.
//! 1342-10; BGB 366 (2); BW 6:43; codice civile 1193; Código civil 1174). The laws' other criteria
//! (the debt the debtor had most interest to pay, the more burdensome, the less secured) cannot
//! tell apart invoices under one regime: they bear the same rate. A payment that names its invoice
//! is recorded on it (`ledger::Payment`); within an invoice, what it receives then pays interest and
//! costs first as its regime says (`penalty::Imputation`).

use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{CheckedInvoice, CheckedLedger};
use crate::money::Amount;
use crate::rates::Rates;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A payment from a debtor that names no invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DebtorPayment {
    /// Day the funds were received.
    #[serde(deserialize_with = "crate::date::de", serialize_with = "crate::date::ser")]
    pub date: NaiveDate,
    /// Amount received, in the currency of the debtor's invoices.
    pub amount: Amount,
    /// Bank reference, kept on each invoice's payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// What the payment pays of one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    /// The invoice.
    pub invoice_id: String,
    /// What it receives (its principal and penalties still due, or what was left of the payment).
    pub amount: Amount,
    /// Whether it was due on the payment's day (due debts come first).
    pub was_due: bool,
}

/// A payment spread over the invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Allocated {
    /// In the order they were paid.
    pub allocations: Vec<Allocation>,
    /// Beyond everything the debtor owes (nothing is recorded for it: a person decides).
    pub unallocated: Amount,
}

/// Spreads `payment` over the invoices of debtor `debtor_id` that owe anything on its day (their
/// principal, and the penalties due under each one's default regime and the creditor's terms,
/// priced with `rates`; the principal alone while a rate is not known).
pub fn allocate(
    checked: &CheckedLedger<'_>,
    debtor_id: &str,
    payment: &DebtorPayment,
    rates: &Rates,
) -> Result<Allocated> {
    let debtor_index = checked
        .debtors
        .iter()
        .position(|d| d.debtor.id == debtor_id)
        .ok_or_else(|| Error::new(ErrorCode::UnknownReference, "debtorId", format!("no debtor `{debtor_id}`")))?;
    let invoices: Vec<&CheckedInvoice<'_>> =
        checked.invoices.iter().filter(|i| i.debtor_index == debtor_index).collect();
    let currency = invoices.first().map(|i| i.invoice.currency.clone()).unwrap_or_else(crate::money::Currency::eur);
    payment.amount.require_positive("amount")?;
    if payment.amount.to_minor_units(&currency) != payment.amount {
        return Err(Error::new(
            ErrorCode::InvalidAmount,
            "amount",
            format!("an amount in {} has at most {} decimals", currency.code(), currency.minor_units()),
        ));
    }
    if invoices.iter().any(|i| i.invoice.currency != currency) {
        return Err(Error::new(
            ErrorCode::MixedCurrencies,
            "amount",
            "the debtor's invoices are in several currencies: record the payment on the invoice it pays",
        ));
    }
    let country = &checked.ledger.creditor.address.country;
    let mut owing: Vec<(&CheckedInvoice<'_>, Decimal)> = invoices
        .into_iter()
        .filter(|i| i.invoice.issue_date <= payment.date)
        .map(|i| {
            let penalties = crate::penalty::penalties_due(i, country, payment.date, rates).unwrap_or_default();
            (i, i.outstanding_on(payment.date).value() + penalties.max(Decimal::ZERO))
        })
        .filter(|(_, owed)| *owed > Decimal::ZERO)
        .collect();
    // Due first; then the oldest (by due date, then issue date); equals are paid in proportion.
    owing.sort_by_key(|(i, _)| (i.due_date > payment.date, i.due_date, i.invoice.issue_date));
    let mut left = payment.amount.value();
    let mut allocations = Vec::new();
    for group in owing.chunk_by(|(a, _), (b, _)| {
        (a.due_date > payment.date, a.due_date, a.invoice.issue_date)
            == (b.due_date > payment.date, b.due_date, b.invoice.issue_date)
    }) {
        if left <= Decimal::ZERO {
            break;
        }
        let owed: Decimal = group.iter().map(|(_, o)| *o).sum();
        let paid = left.min(owed);
        left -= paid;
        allocations.extend(proportional(group, paid, owed, currency.minor_units()).into_iter().map(|(inv, amount)| {
            Allocation {
                invoice_id: inv.invoice.id.clone(),
                amount: Amount(amount),
                was_due: inv.due_date <= payment.date,
            }
        }));
    }
    allocations.retain(|a| a.amount.is_positive());
    Ok(Allocated { allocations, unallocated: Amount(left).to_minor_units(&currency) })
}

/// `paid` shared among `group` in proportion to what each owes, to the cent: the cents the shares
/// lose in rounding down go to the largest remainders (then the first).
fn proportional<'a, 'b>(
    group: &'b [(&'a CheckedInvoice<'a>, Decimal)],
    paid: Decimal,
    owed: Decimal,
    dp: u32,
) -> Vec<(&'b CheckedInvoice<'a>, Decimal)> {
    if paid >= owed {
        return group.iter().map(|(i, o)| (*i, *o)).collect();
    }
    let mut shares: Vec<(usize, Decimal, Decimal)> = group
        .iter()
        .enumerate()
        .map(|(k, (_, o))| {
            let exact = paid * *o / owed;
            let floor = exact.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::ToZero);
            (k, floor, exact - floor)
        })
        .collect();
    let cent = Decimal::new(1, dp);
    let mut spare = paid - shares.iter().map(|s| s.1).sum::<Decimal>();
    let mut by_remainder = shares.clone();
    by_remainder.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for (k, ..) in by_remainder {
        if spare < cent {
            break;
        }
        if let Some(share) = shares.get_mut(k) {
            share.1 += cent;
            spare -= cent;
        }
    }
    shares.into_iter().filter_map(|(k, share, _)| group.get(k).map(|(i, _)| (*i, share))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::from_json;
    use crate::ledger::Ledger;
    use proptest::prelude::*;

    fn ledger(invoices: &[(&str, &str, &str, &str)]) -> Ledger {
        let invoices: Vec<String> = invoices
            .iter()
            .map(|(id, issue, due, total)| {
                format!(r#"{{"id": "{id}", "number": "{id}", "debtorId": "d", "issueDate": "{issue}", "dueDate": "{due}", "currency": "EUR", "total": "{total}"}}"#)
            })
            .collect();
        from_json(&format!(
            r#"{{"creditor": {{"name": "C", "address": {{"country": "FR"}}}},
            "debtors": [{{"id": "d", "name": "D", "kind": "business", "country": "FR", "locale": "fr", "timeZone": "Europe/Paris"}}],
            "invoices": [{}]}}"#,
            invoices.join(",")
        ))
        .unwrap()
    }

    fn pay(l: &Ledger, date: &str, amount: &str) -> Result<Allocated> {
        let rates = crate::penalty::builtin_rates()?;
        let checked = l.check_with_rates(rates)?;
        let payment = DebtorPayment {
            date: crate::date::parse(date).unwrap(),
            amount: Amount::parse(amount, "amount")?,
            reference: None,
        };
        allocate(&checked, "d", &payment, rates)
    }

    fn shares(a: &Allocated) -> Vec<(String, String)> {
        a.allocations.iter().map(|x| (x.invoice_id.clone(), x.amount.to_string())).collect()
    }

    #[test]
    fn due_debts_first_then_the_oldest_each_with_its_penalties() {
        let l = ledger(&[
            ("c", "2025-03-01", "2025-04-30", "500.00"),
            ("b", "2025-01-29", "2025-02-28", "2000.00"),
            ("a", "2025-01-01", "2025-01-31", "1000.00"),
        ]);
        // On 15 March: a owes 1000 + 1000 x 13.15 % x 43/365 (15.49) + 40 = 1055.49; b owes
        // 2000 + 2000 x 13.15 % x 15/365 (10.81) + 40 = 2050.81; c is not due yet.
        let a = pay(&l, "2025-03-15", "2500.00").unwrap();
        assert_eq!(shares(&a), [("a".into(), "1055.49".into()), ("b".into(), "1444.51".into())]);
        assert!(a.allocations.iter().all(|x| x.was_due));
        // Beyond every debt, c (not due yet) is paid, and the rest is left for a person.
        let a = pay(&l, "2025-03-15", "4000.00").unwrap();
        assert_eq!(
            shares(&a),
            [("a".into(), "1055.49".into()), ("b".into(), "2050.81".into()), ("c".into(), "500.00".into())]
        );
        assert!(!a.allocations[2].was_due);
        assert_eq!(a.unallocated.to_string(), "393.70");
    }

    #[test]
    fn equal_debts_share_the_payment_in_proportion_to_the_cent() {
        let l = ledger(&[("x", "2025-05-01", "2025-05-31", "100.00"), ("y", "2025-05-01", "2025-05-31", "200.00")]);
        // Not due yet on 10 May: 100 and 200 owed, 100.01 paid in proportion 1:2 (33.337, 66.673).
        let a = pay(&l, "2025-05-10", "100.01").unwrap();
        assert_eq!(shares(&a), [("x".into(), "33.34".into()), ("y".into(), "66.67".into())]);
    }

    #[test]
    fn bad_payments_are_refused_naming_the_field() {
        let l = ledger(&[("x", "2025-05-01", "2025-05-31", "100.00")]);
        for (amount, code) in [("0.00", ErrorCode::NonPositiveAmount), ("10.001", ErrorCode::InvalidAmount)] {
            let e = pay(&l, "2025-05-10", amount).unwrap_err();
            assert_eq!((e.code(), e.path()), (code, "amount"), "{amount}");
        }
        let rates = crate::penalty::builtin_rates().unwrap();
        let checked = l.check_with_rates(rates).unwrap();
        let p = DebtorPayment {
            date: crate::date::parse("2025-05-10").unwrap(),
            amount: Amount(Decimal::ONE),
            reference: None,
        };
        assert_eq!(allocate(&checked, "nobody", &p, rates).unwrap_err().path(), "debtorId");
    }

    proptest! {
        #[test]
        fn nothing_is_lost_and_no_invoice_gets_more_than_it_owes(
            invoices in prop::collection::vec((0i64..200, 0i64..60, 1i64..500_000), 1..6), day in 0i64..300, cents in 1i64..3_000_000,
        ) {
            let start = crate::date::parse("2025-01-01").unwrap();
            let at = |n: i64| (start + chrono::Duration::days(n)).to_string();
            let specs: Vec<(String, String, String, String)> = invoices.iter().enumerate()
                .map(|(k, (issue, term, total))| (format!("i{k}"), at(*issue), at(issue + term), Amount(Decimal::new(*total, 2)).to_string()))
                .collect();
            let refs: Vec<(&str, &str, &str, &str)> = specs.iter().map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str())).collect();
            let l = ledger(&refs);
            let amount = Amount(Decimal::new(cents, 2));
            let a = pay(&l, &at(day), &amount.to_string()).unwrap();
            let sum: Decimal = a.allocations.iter().map(|x| x.amount.value()).sum();
            prop_assert_eq!(sum + a.unallocated.value(), amount.value());
            let rates = crate::penalty::builtin_rates().unwrap();
            let checked = l.check_with_rates(rates).unwrap();
            let date = crate::date::parse(&at(day)).unwrap();
            for x in &a.allocations {
                let inv = checked.invoices.iter().find(|i| i.invoice.id == x.invoice_id).unwrap();
                let owed = inv.outstanding_on(date).value() + crate::penalty::penalties_due(inv, "FR", date, rates).unwrap_or_default();
                prop_assert!(x.amount.value() <= owed && x.amount.is_positive());
            }
            // A debt not due yet gets something only once every due one is paid whole.
            let owed_whole = |x: &Allocation| {
                let inv = checked.invoices.iter().find(|i| i.invoice.id == x.invoice_id).unwrap();
                x.amount.value() == inv.outstanding_on(date).value() + crate::penalty::penalties_due(inv, "FR", date, rates).unwrap_or_default()
            };
            let early = a.allocations.iter().any(|x| !x.was_due);
            prop_assert!(!early || a.allocations.iter().filter(|x| x.was_due).all(owed_whole));
        }
    }
}
