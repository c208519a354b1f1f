"""Writes tests/golden/penalties.json: late-payment cases whose periods and rates are stated by hand
here (from late-payment-law.md and core/data/rates.json), and whose arithmetic is done in exact
decimals and written out in each case's `source`. The Rust engine must reproduce every figure.

Run: python3 tests/golden/tools/penalty_cases.py
"""
import json
from datetime import date, timedelta
from decimal import Decimal, ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN, ROUND_UP
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "penalties.json"
MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
D = Decimal


def d(s):
    return date.fromisoformat(s)


# What a partial payment pays first, by regime (core/src/penalty.rs, Regime::default_imputation):
# written here from the texts, independently of the engine.
DEFAULT_IMPUTATION = {"fr_b2b": "accessories_first", "fr_b2b_contractual": "accessories_first", "fr_public": "accessories_first",
                      "fr_consumer": "accessories_first", "de_b2b": "accessories_first", "de_consumer": "accessories_first",
                      "nl": "accessories_first", "it": "accessories_first", "es": "interest_first", "be": "interest_first",
                      "uk": "principal_first", "eu_generic": "principal_first"}
# Costs before interest: BGB 367 (1), BW 6:44. Interest first: C. civ. 1343-1, c.c. 1194.
COSTS_FIRST = {"de_b2b", "de_consumer", "nl"}


def order(imputation, regime_type, completing, credit_note):
    accessories = ["costs", "interest"] if regime_type in COSTS_FIRST else ["interest", "costs"]
    if credit_note or completing or imputation == "principal_first":
        return ["principal"] + accessories
    if imputation == "interest_first":
        return ["interest", "principal", "costs"]
    return accessories + ["principal"]


def case(name, note, regime, total, due, as_of, periods, *, payments=(), credit_notes=(), currency="EUR",
         options=None, indemnity="40.00", issue=None, extra_rates=None, capitalised=None, notice_start=None):
    """periods: [(first day, last day, base, rate %)], written by hand. Each settlement is imputed
    here (interest accrued to its day from the hand periods, then the regime's order), and the base
    of every later period is checked against the principal that is left."""
    options = options or {}
    year_days = lambda day: 366 if options.get("dayCount") == "actual_actual" and (day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)) else 365
    mode = MODES[options.get("rounding", "half_up")]
    cent = lambda v: v.quantize(D("0.01"), rounding=mode)
    waived = options.get("waiveInterest") and regime.get("type") != "fr_public"
    amounts = []
    for first, last, base, rate in periods:
        days = (d(last) - d(first)).days + 1
        amounts.append((first, last, base, rate, days, D(base) * D(rate) / D(100) * D(days) / D(year_days(d(first)))))
    exact = sum((a[5] for a in amounts), D(0))
    parts = [f"{base} x {rate} % x {days}/{year_days(d(first))} ({first}..{last}) = {amount.quantize(D('0.0000001'))}"
             for first, last, base, rate, days, amount in amounts]
    if waived:
        parts.append("interest waived by contract")
    imputation = options.get("imputation", DEFAULT_IMPUTATION[regime["type"]])
    settlements = sorted([(day, a, False) for day, a in payments] + [(day, a, True) for day, a in credit_notes], key=lambda s: (s[0], s[2]))
    principal, received, interest_paid, indemnity_paid, end = D(total), D(0), D(0), D(0), d(as_of)
    imputed, steps, left_after = [], [], []
    for day, a, credit_note in settlements:
        if d(day) > d(as_of):
            continue
        accrued = D(0) if waived else cent(sum((x[5] for x in amounts if d(x[1]) <= d(day)), D(0)))
        owed = {"principal": principal, "interest": D(0) if credit_note else accrued - interest_paid,
                "costs": D(indemnity) - indemnity_paid if d(day) > d(due) and not credit_note else D(0)}
        left, paid = D(a), {}
        for part in order(imputation, regime["type"], received + D(a) >= D(total), credit_note):
            paid[part] = max(min(left, owed[part]), D(0))
            left -= paid[part]
        received += D(a)
        principal -= paid["principal"]
        interest_paid += paid["interest"]
        indemnity_paid += paid["costs"]
        imputed.append({"date": day, "amount": a, "toInterest": str(cent(paid["interest"])), "toIndemnity": str(cent(paid["costs"])),
                        "toPrincipal": str(cent(paid["principal"])), "unimputed": str(cent(left))})
        if paid["interest"] or paid["costs"]:
            steps.append(f"{day}: {a} pays {paid['interest']} of interest (accrued {accrued}), {paid['costs']} of indemnity, {paid['principal']} of principal -> principal {principal}")
        if principal <= 0 and end == d(as_of):
            end = min(end, d(day))
        left_after.append((d(day), principal))
    # Sanity: each hand period runs on the principal left by the settlements before it.
    for first, _, base, *_ in (amounts if settlements else []):
        in_force = [p for day, p in left_after if day < d(first)]
        assert D(base) == (in_force[-1] if in_force else D(total)), (name, first, base, in_force)
    interest = D("0.00") if waived else cent(exact)
    days_late = max((end - d(due)).days, 0)
    owed_indemnity = D(indemnity).quantize(D("0.01")) if days_late > 0 else D("0.00")
    outstanding = max(principal, D(0)).quantize(D("0.01"))
    # Sanity: the hand periods cover the delay exactly, day after day.
    start = d(notice_start) if notice_start else d(due)
    if periods:
        assert d(periods[0][0]) == start + timedelta(days=1), (name, periods[0][0])
        for a, b in zip(periods, periods[1:]):
            assert d(b[0]) == d(a[1]) + timedelta(days=1), (name, a, b)
        assert d(periods[-1][1]) == end, (name, periods[-1][1], end)
    source = " + ".join(parts) if parts else "no day of delay"
    source += f" = {exact.quantize(D('0.0000001'))} -> {interest} ({options.get('rounding', 'half_up')}); indemnity {owed_indemnity}"
    if steps:
        source += f"; imputation {imputation}: " + "; ".join(steps)
    invoice = {"id": name, "issueDate": issue or "2015-01-01", "dueDate": due, "currency": currency, "total": total,
               "payments": [{"date": day, "amount": a} for day, a in payments],
               "creditNotes": [{"date": day, "amount": a} for day, a in credit_notes]}
    request = {"invoice": invoice, "regime": regime, "asOf": as_of, "options": options}
    if extra_rates:
        request["extraRates"] = extra_rates
    due_total = outstanding + interest - interest_paid + owed_indemnity - indemnity_paid
    return {"name": name, "note": note, "source": source, "request": request,
            "expected": {"daysLate": days_late, "interest": str(interest), "indemnity": str(owed_indemnity),
                         "interestPaid": str(cent(interest_paid)), "indemnityPaid": str(cent(indemnity_paid)),
                         "principalOutstanding": str(outstanding), "totalDue": str(due_total.quantize(D("0.01"))),
                         "imputation": imputation, "payments": imputed,
                         "periods": [[f, l, (d(l) - d(f)).days + 1, b, r] for f, l, b, r in periods]}}


def error_case(name, note, request, code, path):
    return {"name": name, "note": note, "source": "refused input", "request": request, "expectedError": {"code": code, "path": path}}


FR = {"type": "fr_b2b"}
cases = [
    # --- France B2B default: ECB rate of 1 January / 1 July + 10 points (C. com. L441-10 II) ---
    case("fr-published-split", "Published example (late-payment-law.md): split per half-year, 83.18.", FR, "12000.00", "2025-06-20", "2025-07-31",
         [("2025-06-21", "2025-06-30", "12000.00", "13.15"), ("2025-07-01", "2025-07-10", "12000.00", "12.15")], payments=[("2025-07-10", "12000.00")]),
    case("fr-published-single-rate", "Published example: one rate (13.15) over the 20 days, 86.47.", FR, "12000.00", "2025-06-20", "2025-07-31",
         [("2025-06-21", "2025-07-10", "12000.00", "13.15")], payments=[("2025-07-10", "12000.00")], options={"rateMode": "single_rate"}),
    case("fr-30-days-2024h1", "ECB 4.50 on 2024-01-01 + 10 = 14.50; due 15 Mar, paid 14 Apr: 30 days.", FR, "1000.00", "2024-03-15", "2024-05-01",
         [("2024-03-16", "2024-04-14", "1000.00", "14.50")], payments=[("2024-04-14", "1000.00")]),
    case("fr-across-new-year", "2024 H2: ECB 4.25 (1 Jul) + 10; 2025 H1: ECB 3.15 (1 Jan) + 10.", FR, "5000.00", "2024-12-20", "2025-02-01",
         [("2024-12-21", "2024-12-31", "5000.00", "14.25"), ("2025-01-01", "2025-01-19", "5000.00", "13.15")], payments=[("2025-01-19", "5000.00")]),
    case("fr-leap-year-actual-actual", "30 days in February-March 2024 over 366 (actual/actual option).", FR, "10000.00", "2024-02-15", "2024-04-01",
         [("2024-02-16", "2024-03-16", "10000.00", "14.50")], payments=[("2024-03-16", "10000.00")], options={"dayCount": "actual_actual"}),
    case("fr-leap-year-actual-365", "Same delay under the default actual/365.", FR, "10000.00", "2024-02-15", "2024-04-01",
         [("2024-02-16", "2024-03-16", "10000.00", "14.50")], payments=[("2024-03-16", "10000.00")]),
    case("fr-partial-payment", "Principal first (the creditor's lenient choice): 10 000 for 29 days, then 6 000 after the 29 Feb payment.", FR, "10000.00", "2024-01-31", "2024-03-31",
         [("2024-02-01", "2024-02-29", "10000.00", "14.50"), ("2024-03-01", "2024-03-31", "6000.00", "14.50")], payments=[("2024-02-29", "4000.00")],
         options={"imputation": "principal_first"}),
    case("fr-partial-payment-law", "C. civ. 1343-1: the 4 000 first pays the 115.21 of interest and the 40 of costs; 6 155.21 of principal left.", FR, "10000.00", "2024-01-31", "2024-03-31",
         [("2024-02-01", "2024-02-29", "10000.00", "14.50"), ("2024-03-01", "2024-03-31", "6155.21", "14.50")], payments=[("2024-02-29", "4000.00")]),
    case("fr-unpaid-four-half-years", "Unpaid from June 2023 to 15 Aug 2024: 12.50, 14.00, 14.50, 14.25 (ECB 2.50, 4.00, 4.50, 4.25 + 10).", FR, "2000.00", "2023-05-31", "2024-08-15",
         [("2023-06-01", "2023-06-30", "2000.00", "12.50"), ("2023-07-01", "2023-12-31", "2000.00", "14.00"),
          ("2024-01-01", "2024-06-30", "2000.00", "14.50"), ("2024-07-01", "2024-08-15", "2000.00", "14.25")]),
    case("fr-paid-before-due", "Paid a day early: no delay, no interest, no indemnity.", FR, "800.00", "2025-03-31", "2025-04-30", [], payments=[("2025-03-30", "800.00")], indemnity="0"),
    case("fr-paid-on-due-date", "Paid on the due date: 0 days late.", FR, "800.00", "2025-03-31", "2025-04-30", [], payments=[("2025-03-31", "800.00")], indemnity="0"),
    case("fr-one-day-late", "One day: 3650 x 13.15 % / 365 = 1.315 -> 1.32 half-up; the 40 EUR are owed all the same.", FR, "3650.00", "2025-03-31", "2025-04-30",
         [("2025-04-01", "2025-04-01", "3650.00", "13.15")], payments=[("2025-04-01", "3650.00")]),
    case("fr-waived-interest", "A contractual waiver of interest (behind a switch): the indemnity stays.", FR, "3000.00", "2025-01-31", "2025-03-02",
         [("2025-02-01", "2025-03-02", "3000.00", "13.15")], options={"waiveInterest": True}),
    case("fr-insolvency-no-indemnity", "An insolvency procedure bars payment: no 40 EUR.", FR, "3000.00", "2025-01-31", "2025-03-02",
         [("2025-02-01", "2025-03-02", "3000.00", "13.15")], options={"insolvency": True}, indemnity="0"),
    case("fr-credit-note", "A 500 credit note on 10 Feb lowers the base like a payment.", FR, "2500.00", "2025-01-31", "2025-02-28",
         [("2025-02-01", "2025-02-10", "2500.00", "13.15"), ("2025-02-11", "2025-02-28", "2000.00", "13.15")], credit_notes=[("2025-02-10", "500.00")]),
    case("fr-very-large-amount", "10^12 EUR for 30 days: exact decimals, no overflow.", FR, "1000000000000.00", "2024-03-15", "2024-05-01",
         [("2024-03-16", "2024-04-14", "1000000000000.00", "14.50")], payments=[("2024-04-14", "1000000000000.00")]),
    case("fr-overpaid", "Paid 1 200 on a 1 000 invoice: it pays the invoice, then the interest (5.40) and the 40 of costs; 154.60 beyond everything owed.", FR, "1000.00", "2025-01-31", "2025-03-31",
         [("2025-02-01", "2025-02-15", "1000.00", "13.15")], payments=[("2025-02-15", "1200.00")]),
    case("fr-2022-h2-zero-ecb", "ECB 0.00 on 1 July 2022 (the raise came 27 July): 10.00; 2023 H1 ECB 2.50: 12.50.", FR, "4000.00", "2022-12-01", "2023-01-30",
         [("2022-12-02", "2022-12-31", "4000.00", "10.00"), ("2023-01-01", "2023-01-30", "4000.00", "12.50")]),
    case("fr-rounding-half-even", "Rounding mode is a setting: 1.315 -> 1.32 half-even too (2 is even).", FR, "3650.00", "2025-03-31", "2025-04-30",
         [("2025-04-01", "2025-04-01", "3650.00", "13.15")], payments=[("2025-04-01", "3650.00")], options={"rounding": "half_even"}),
    case("fr-rounding-down", "Rounding toward zero: 1.315 -> 1.31.", FR, "3650.00", "2025-03-31", "2025-04-30",
         [("2025-04-01", "2025-04-01", "3650.00", "13.15")], payments=[("2025-04-01", "3650.00")], options={"rounding": "down"}),
    # --- France B2B contractual rate ---
    case("fr-contractual-published-15", "Published example: 15 000 at 15 % for 30 days = 184.93 (15 < 3 x 5.07: warned).", {"type": "fr_b2b_contractual", "rate": "15"},
         "15000.00", "2024-04-15", "2024-06-01", [("2024-04-16", "2024-05-15", "15000.00", "15")], payments=[("2024-05-15", "15000.00")]),
    case("fr-contractual-20", "20 % agreed, above 3 x 3.71 = 11.13 (2025 H1).", {"type": "fr_b2b_contractual", "rate": "20.00"},
         "2500.00", "2025-02-10", "2025-04-01", [("2025-02-11", "2025-03-12", "2500.00", "20.00")], payments=[("2025-03-12", "2500.00")]),
    # --- France, public buyer: ECB of the half-year the interest starts + 8, fixed ---
    case("fr-public-fixed-rate", "Starts in 2025 H1 (ECB 3.15 + 8 = 11.15) and keeps it into July (R2192-31).", {"type": "fr_public"},
         "12000.00", "2025-06-20", "2025-07-31", [("2025-06-21", "2025-07-10", "12000.00", "11.15")], payments=[("2025-07-10", "12000.00")]),
    case("fr-public-waiver-void", "A public buyer's waiver is void (L2192-14): interest and indemnity stay.", {"type": "fr_public"},
         "6000.00", "2024-09-30", "2024-10-30", [("2024-10-01", "2024-10-30", "6000.00", "12.25")], options={"waiveInterest": True, "waiveIndemnity": True}),
    # --- France, consumer: legal rate from the formal notice, no indemnity ---
    case("fr-consumer-professional-creditor", "Business creditor: 'autres cas' rate 5.07 then 4.92, from the day after the 10 May notice.",
         {"type": "fr_consumer", "creditor": "professional", "formalNoticeDate": "2024-05-10"}, "1500.00", "2024-04-30", "2024-08-09",
         [("2024-05-11", "2024-06-30", "1500.00", "5.07"), ("2024-07-01", "2024-08-09", "1500.00", "4.92")], indemnity="0", notice_start="2024-05-10"),
    case("fr-consumer-individual-creditor", "Private creditor: 'particuliers' rate 7.21 (2025 H1).",
         {"type": "fr_consumer", "creditor": "individual", "formalNoticeDate": "2025-02-01"}, "900.00", "2025-01-15", "2025-03-03",
         [("2025-02-02", "2025-03-03", "900.00", "7.21")], indemnity="0", notice_start="2025-02-01"),
    case("fr-consumer-judgment-uplift", "+5 points two months after the judgment became enforceable (15 Jun -> 15 Aug 2024).",
         {"type": "fr_consumer", "creditor": "professional", "formalNoticeDate": "2024-05-31", "judgmentEnforceableOn": "2024-06-15"}, "2000.00", "2024-05-15", "2024-09-30",
         [("2024-06-01", "2024-06-30", "2000.00", "5.07"), ("2024-07-01", "2024-08-14", "2000.00", "4.92"), ("2024-08-15", "2024-09-30", "2000.00", "9.92")],
         indemnity="0", notice_start="2024-05-31"),
    # --- EU generic ---
    case("eu-generic-ecb-plus-8", "Directive 2011/7/EU: ECB 4.25 (1 Jul 2024) + 8 = 12.25.", {"type": "eu_generic", "margin": "8", "indemnity": "40.00"},
         "7000.00", "2024-08-31", "2024-10-15", [("2024-09-01", "2024-10-15", "7000.00", "12.25")]),
    case("eu-generic-margin-9-sek", "Margin 9 points, invoice in SEK, indemnity given in SEK (450).", {"type": "eu_generic", "margin": "9", "indemnity": "450.00"},
         "30000.00", "2025-01-31", "2025-03-01", [("2025-02-01", "2025-03-01", "30000.00", "12.15")], currency="SEK", indemnity="450.00"),
    # --- Germany ---
    case("de-b2b-negative-base-rate", "Basiszinssatz -0.88 (2021) + 9 = 8.12 (BGB 288 II); 40 EUR Pauschale (288 V).", {"type": "de_b2b"},
         "10000.00", "2021-03-01", "2021-04-30", [("2021-03-02", "2021-03-31", "10000.00", "8.12")], payments=[("2021-03-31", "10000.00")]),
    case("de-b2b-across-2023", "-0.88 + 9 = 8.12 in Dec 2022, 1.62 + 9 = 10.62 from 1 Jan 2023.", {"type": "de_b2b"},
         "8000.00", "2022-12-15", "2023-01-20", [("2022-12-16", "2022-12-31", "8000.00", "8.12"), ("2023-01-01", "2023-01-20", "8000.00", "10.62")]),
    case("de-consumer", "With a consumer: 3.62 + 5 = 8.62 (BGB 288 I), no Pauschale.", {"type": "de_consumer"},
         "1200.00", "2024-02-29", "2024-04-29", [("2024-03-01", "2024-04-29", "1200.00", "8.62")], indemnity="0"),
    case("de-b2b-2025", "2025 H1 2.27 + 9 = 11.27, H2 1.27 + 9 = 10.27.", {"type": "de_b2b"},
         "4500.00", "2025-06-15", "2025-07-15", [("2025-06-16", "2025-06-30", "4500.00", "11.27"), ("2025-07-01", "2025-07-15", "4500.00", "10.27")]),
    # --- United Kingdom: Bank Rate on 31 Dec / 30 Jun + 8, fixed; GBP 40 / 70 / 100 ---
    case("uk-under-1000", "Bank Rate 31 Dec 2023 = 5.25, + 8 = 13.25; debt under 1 000: GBP 40.", {"type": "uk"},
         "999.99", "2024-02-01", "2024-03-02", [("2024-02-02", "2024-03-02", "999.99", "13.25")], currency="GBP"),
    case("uk-under-10000", "Debt 1 000 to 9 999.99: GBP 70. Rate fixed across 1 July.", {"type": "uk"},
         "5000.00", "2024-06-15", "2024-07-15", [("2024-06-16", "2024-07-15", "5000.00", "13.25")], currency="GBP", indemnity="70.00"),
    case("uk-10000-and-more", "Debt 10 000 or more: GBP 100. Bank Rate 31 Dec 2024 = 4.75, + 8 = 12.75.", {"type": "uk"},
         "20000.00", "2025-01-31", "2025-03-02", [("2025-02-01", "2025-03-02", "20000.00", "12.75")], currency="GBP", indemnity="100.00"),
    case("uk-delay-starting-2024-h2", "Delay starting in July 2024: Bank Rate on 30 June 2024 (5.25) + 8.", {"type": "uk"},
         "2000.00", "2024-07-31", "2024-08-30", [("2024-08-01", "2024-08-30", "2000.00", "13.25")], currency="GBP", indemnity="70.00"),
    case("uk-rounding-half-up", "3650 x 13.25 % / 365 = 1.325 exactly: half-up 1.33.", {"type": "uk"},
         "3650.00", "2024-03-31", "2024-04-30", [("2024-04-01", "2024-04-01", "3650.00", "13.25")], payments=[("2024-04-01", "3650.00")], currency="GBP", indemnity="70.00"),
    case("uk-rounding-half-even", "1.325 half-even: 1.32.", {"type": "uk"},
         "3650.00", "2024-03-31", "2024-04-30", [("2024-04-01", "2024-04-01", "3650.00", "13.25")], payments=[("2024-04-01", "3650.00")], currency="GBP", indemnity="70.00",
         options={"rounding": "half_even"}),
    # --- Netherlands: ECB + 8 per half-year, compounded yearly ---
    case("nl-simple-under-a-year", "ECB 4.50 + 8 = 12.50 (2024 H1).", {"type": "nl"},
         "6000.00", "2024-01-31", "2024-03-31", [("2024-02-01", "2024-03-31", "6000.00", "12.50")]),
    # --- Belgium: the published rate (ECB + 8 rounded up to a half point) ---
    case("be-2024", "2024 H1: 4.50 + 8 = 12.50.", {"type": "be"}, "3000.00", "2024-04-30", "2024-05-30",
         [("2024-05-01", "2024-05-30", "3000.00", "12.50")]),
    case("be-2025-across-july", "2025 H1 3.15 + 8 = 11.15 -> 11.50; H2 2.15 + 8 = 10.15 -> 10.50.", {"type": "be"}, "3000.00", "2025-06-20", "2025-07-20",
         [("2025-06-21", "2025-06-30", "3000.00", "11.50"), ("2025-07-01", "2025-07-20", "3000.00", "10.50")]),
    # --- Spain, Italy: ECB + 8 per half-year ---
    case("es-2024-h2", "Ley 3/2004: ECB 4.25 + 8 = 12.25.", {"type": "es"}, "2200.00", "2024-10-31", "2024-11-30",
         [("2024-11-01", "2024-11-30", "2200.00", "12.25")]),
    case("it-2025-h1", "D.Lgs. 231/2002: ECB 3.15 + 8 = 11.15.", {"type": "it"}, "4100.00", "2025-03-31", "2025-05-15",
         [("2025-04-01", "2025-05-15", "4100.00", "11.15")]),
    # --- a half-year our sources do not cover, supplied by the caller ---
    case("fr-supplied-2026-h2", "ECB for 1 Jul 2026 supplied (2.00): 2026 H1 12.15, H2 12.00.", FR, "1000.00", "2026-06-20", "2026-07-10",
         [("2026-06-21", "2026-06-30", "1000.00", "12.15"), ("2026-07-01", "2026-07-10", "1000.00", "12.00")],
         extra_rates={"ecb_mro": [{"from": "2026-07-01", "rate": "2.00"}]}),
]

# --- Partial payments: what each regime's law has them pay first ---
ISSUE_25 = dict(payments=[("2023-05-01", "5000.00"), ("2023-08-15", "2500.00")])
cases += [
    case("fr-imputation-issue-example", "Issue 25: 12 500 due 2023-03-10, paid 5 000 and 2 500. ECB 2.50 (1 Jan 2023) + 10 = 12.50; 4.00 (1 Jul 2023) + 10 = 14.00. "
         "C. civ. 1343-1: each payment first pays the interest accrued and the 40 of costs.", FR, "12500.00", "2023-03-10", "2023-10-10",
         [("2023-03-11", "2023-05-01", "12500.00", "12.50"), ("2023-05-02", "2023-06-30", "7762.60", "12.50"), ("2023-07-01", "2023-08-15", "7762.60", "14.00"),
          ("2023-08-16", "2023-10-10", "5559.07", "14.00")], **ISSUE_25),
    case("fr-imputation-issue-example-principal-first", "The same, principal first: the décompte of issue 25, 616.44.", FR, "12500.00", "2023-03-10", "2023-10-10",
         [("2023-03-11", "2023-05-01", "12500.00", "12.50"), ("2023-05-02", "2023-06-30", "7500.00", "12.50"), ("2023-07-01", "2023-08-15", "7500.00", "14.00"),
          ("2023-08-16", "2023-10-10", "5000.00", "14.00")], options={"imputation": "principal_first"}, **ISSUE_25),
    case("fr-imputation-interest-first", "Interest first, the costs after the principal (the creditor's choice).", FR, "12500.00", "2023-03-10", "2023-10-10",
         [("2023-03-11", "2023-05-01", "12500.00", "12.50"), ("2023-05-02", "2023-06-30", "7722.60", "12.50"), ("2023-07-01", "2023-08-15", "7722.60", "14.00"),
          ("2023-08-16", "2023-10-10", "5517.54", "14.00")], options={"imputation": "interest_first"}, **ISSUE_25),
    case("fr-imputation-then-paid-in-full", "Paid 3 000 of 10 000 late, then the 7 000 left: the principal still bears the 3 000's interest and costs (43.51 + 40).", FR,
         "10000.00", "2025-01-31", "2025-04-30",
         [("2025-02-01", "2025-02-12", "10000.00", "13.15"), ("2025-02-13", "2025-03-14", "7083.23", "13.15"), ("2025-03-15", "2025-04-30", "83.23", "13.15")],
         payments=[("2025-02-12", "3000.00"), ("2025-03-14", "7000.00")]),
    case("fr-imputation-interest-waived", "Interest waived by contract: a partial payment pays the 40 of costs, then the principal.", FR, "5000.00", "2025-01-31", "2025-03-31",
         [("2025-02-01", "2025-02-28", "5000.00", "13.15"), ("2025-03-01", "2025-03-31", "4040.00", "13.15")], payments=[("2025-02-28", "1000.00")],
         options={"waiveInterest": True}),
    case("fr-public-imputation", "A public buyer: 1343-1 too; the CCP rate fixed at 2025 H1 (3.15 + 8).", {"type": "fr_public"}, "8000.00", "2025-05-31", "2025-07-31",
         [("2025-06-01", "2025-06-30", "8000.00", "11.15"), ("2025-07-01", "2025-07-31", "5113.32", "11.15")], payments=[("2025-06-30", "3000.00")]),
    case("de-b2b-imputation", "BGB 367 (1): costs (the 40 EUR Pauschale), then interest, then principal. 2025 H1 2.27 + 9 = 11.27.", {"type": "de_b2b"},
         "6000.00", "2025-03-31", "2025-05-31", [("2025-04-01", "2025-04-30", "6000.00", "11.27"), ("2025-05-01", "2025-05-31", "4095.58", "11.27")],
         payments=[("2025-04-30", "2000.00")]),
    case("de-b2b-imputation-short", "BGB 367 (1): a payment smaller than the costs pays the costs only.", {"type": "de_b2b"},
         "6000.00", "2025-03-31", "2025-05-31", [("2025-04-01", "2025-05-31", "6000.00", "11.27")], payments=[("2025-04-30", "30.00")]),
    case("nl-imputation", "BW 6:44: costs, then interest, then principal. ECB 3.15 + 8 = 11.15 (2025 H1).", {"type": "nl"},
         "6000.00", "2025-01-31", "2025-03-31", [("2025-02-01", "2025-02-28", "6000.00", "11.15"), ("2025-03-01", "2025-03-31", "5091.32", "11.15")],
         payments=[("2025-02-28", "1000.00")]),
    case("it-imputation", "Codice civile 1194: interest, then costs, before the principal. ECB 3.15 + 8 = 11.15.", {"type": "it"},
         "4100.00", "2025-03-31", "2025-05-15", [("2025-04-01", "2025-04-20", "4100.00", "11.15"), ("2025-04-21", "2025-05-15", "3165.05", "11.15")],
         payments=[("2025-04-20", "1000.00")]),
    case("es-imputation", "Código civil 1173: no payment counts against the principal while interest is unpaid; the 40 stay after it.", {"type": "es"},
         "2200.00", "2024-10-31", "2024-11-30", [("2024-11-01", "2024-11-15", "2200.00", "12.25"), ("2024-11-16", "2024-11-30", "1711.08", "12.25")],
         payments=[("2024-11-15", "500.00")]),
    case("be-imputation", "Belgian civil code: interest before the principal. 2024 H1 12.50.", {"type": "be"}, "3000.00", "2024-04-30", "2024-05-30",
         [("2024-05-01", "2024-05-15", "3000.00", "12.50"), ("2024-05-16", "2024-05-30", "2015.41", "12.50")], payments=[("2024-05-15", "1000.00")]),
    case("uk-imputation-principal-first", "No statute: the creditor's explicit choice, principal first by default (Bank Rate 31 Dec 2023 5.25 + 8).", {"type": "uk"},
         "3650.00", "2024-03-31", "2024-04-30", [("2024-04-01", "2024-04-10", "3650.00", "13.25"), ("2024-04-11", "2024-04-30", "2650.00", "13.25")],
         payments=[("2024-04-10", "1000.00")], currency="GBP", indemnity="70.00"),
    case("uk-imputation-chosen", "The creditor appropriates the payment to interest and costs first (accessories_first).", {"type": "uk"},
         "3650.00", "2024-03-31", "2024-04-30", [("2024-04-01", "2024-04-10", "3650.00", "13.25"), ("2024-04-11", "2024-04-30", "2733.25", "13.25")],
         payments=[("2024-04-10", "1000.00")], currency="GBP", indemnity="70.00", options={"imputation": "accessories_first"}),
    case("eu-generic-imputation-default", "Country law unknown: principal first unless set.", {"type": "eu_generic", "margin": "8", "indemnity": "40.00"},
         "5000.00", "2024-07-31", "2024-08-30", [("2024-08-01", "2024-08-15", "5000.00", "12.25"), ("2024-08-16", "2024-08-30", "4000.00", "12.25")],
         payments=[("2024-08-15", "1000.00")]),
    case("fr-penalties-paid-after", "Paid in full late, then the penalties paid a month later: nothing left due.", FR, "1000.00", "2025-01-31", "2025-04-30",
         [("2025-02-01", "2025-02-15", "1000.00", "13.15")], payments=[("2025-02-15", "1000.00"), ("2025-03-15", "45.40")]),
]

# Netherlands over more than a year: the first year's interest joins the principal on 1 Jan 2025.
y1 = D("10000.00") * D("12.50") / 100 * 182 / 365 + D("10000.00") * D("12.25") / 100 * 184 / 365
base2 = (D("10000.00") + y1).quantize(D("0.01"))
nl = case("nl-compounded-yearly", f"BW 6:119(2): year 1 interest {y1.quantize(D('0.0000001'))} is added to the principal after 31 Dec 2024.",
          {"type": "nl"}, "10000.00", "2023-12-31", "2025-06-30",
          [("2024-01-01", "2024-06-30", "10000.00", "12.50"), ("2024-07-01", "2024-12-31", "10000.00", "12.25"),
           ("2025-01-01", "2025-06-30", str(base2), "11.15")])
# The third period runs on the exact capitalised base (shown rounded to the cent): written out here.
third = (D("10000.00") + y1) * D("11.15") / 100 * 181 / 365
total_nl = y1 + third
nl["source"] = (f"year 1: 10000.00 x 12.50 % x 182/365 + 10000.00 x 12.25 % x 184/365 = {y1.quantize(D('0.0000001'))}; "
                f"year 2: (10000.00 + {y1.quantize(D('0.0000001'))}) x 11.15 % x 181/365 = {third.quantize(D('0.0000001'))}; "
                f"total {total_nl.quantize(D('0.0000001'))} -> {total_nl.quantize(D('0.01'), rounding=ROUND_HALF_UP)}; indemnity 40.00")
nl["expected"]["interest"] = str(total_nl.quantize(D("0.01"), rounding=ROUND_HALF_UP))
nl["expected"]["totalDue"] = str((D("10000.00") + total_nl.quantize(D("0.01"), rounding=ROUND_HALF_UP) + 40).quantize(D("0.01")))
cases.append(nl)

base_request = lambda **kw: {"invoice": {"id": "e", "issueDate": "2025-01-01", "dueDate": "2025-02-01", "currency": "EUR", "total": "100.00", **kw},
                             "regime": FR, "asOf": "2025-03-01"}
cases += [
    error_case("err-missing-2026-h2", "No ECB rate for 1 Jul 2026 in our sources: refused, naming the table to supply.",
               {"invoice": {"id": "e", "issueDate": "2026-05-01", "dueDate": "2026-06-20", "currency": "EUR", "total": "100.00"}, "regime": FR, "asOf": "2026-07-10"},
               "missing_rate", "extraRates.ecb_mro"),
    error_case("err-uk-reference-day-unknown", "Bank Rate on 30 Jun 2025 is not in our sources.",
               {"invoice": {"id": "e", "issueDate": "2025-06-01", "dueDate": "2025-07-31", "currency": "GBP", "total": "100.00"}, "regime": {"type": "uk"}, "asOf": "2025-08-30"},
               "missing_rate", "extraRates.boe_bank_rate"),
    error_case("err-zero-total", "A zero invoice has no penalty base.", base_request(total="0.00"), "non_positive_amount", "invoice.total"),
    error_case("err-payment-before-invoice", "A payment dated before the invoice.", base_request(payments=[{"date": "2024-12-31", "amount": "10.00"}]),
               "date_before_issue", "invoice.payments[0].date"),
    error_case("err-contractual-rate-not-a-number", "The contractual rate must be a decimal string.",
               {**base_request(), "regime": {"type": "fr_b2b_contractual", "rate": "douze"}}, "invalid_amount", "regime.rate"),
    error_case("err-unknown-regime", "An unknown regime type.", {**base_request(), "regime": {"type": "fr_b2c"}}, "unknown_variant", "regime.type"),
]

OUT.write_text(json.dumps({"about": "Late-payment golden cases: periods and rates stated by hand in tests/golden/tools/penalty_cases.py, arithmetic written out in `source`. Replayed by core/tests/penalty_golden.rs (and the wasm, worker and browser layers).",
                           "cases": cases}, indent=1, ensure_ascii=False) + "\n")
print(f"{len(cases)} cases written to {OUT}")
