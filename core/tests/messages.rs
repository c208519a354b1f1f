//! Messages: snapshots of every built-in template in every language for a fixture ledger (read by a
//! person before they were committed: `RELANCE_BLESS=1` rewrites them after an intended change;
//! review the diff), plus injection and validation tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use relance_core::json::from_json;
use relance_core::ledger::Ledger;
use relance_core::messages::{
    build_context, clean_subject, format_date, format_money, render_message, Lang, MessageRequest, ReminderView,
    TemplateSet, BUILTIN_TEMPLATES,
};
use relance_core::money::Currency;
use relance_core::policy::Channel;
use relance_core::ErrorCode;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::str::FromStr;

const FIXTURE: &str = include_str!("support/messages_ledger.json");

fn ledger() -> Ledger {
    from_json(FIXTURE).unwrap()
}

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn channel_of(key: &str) -> (Channel, u8) {
    match key {
        "courtesy_before_due" => (Channel::Email, 1),
        "first_reminder" | "payment_plan_proposal" | "instalment_upcoming" | "thanks_payment" | "penalty_claim" => {
            (Channel::Email, 2)
        }
        "second_reminder" | "instalment_missed" => (Channel::Email, 3),
        "phone_call" => (Channel::PhoneTask, 3),
        "formal_letter" => (Channel::Letter, 4),
        "formal_notice" => (Channel::RegisteredLetter, 5),
        "legal_handoff" => (Channel::LegalAction, 5),
        _ => (Channel::AgencyHandoff, 5),
    }
}

fn request(key: &str, debtor: &str, invoices: &[&str]) -> MessageRequest {
    let (channel, level) = channel_of(key);
    let date = if key == "courtesy_before_due" {
        "2025-06-13"
    } else if key == "thanks_payment" || key == "penalty_claim" {
        "2025-07-31"
    } else {
        "2025-07-10"
    };
    MessageRequest {
        template: key.into(),
        step_id: key.replace('_', "-"),
        channel,
        level,
        debtor_id: debtor.into(),
        invoice_ids: invoices.iter().map(|s| s.to_string()).collect(),
        message_date: d(date),
        deadline_date: match key {
            "formal_notice" => Some(d("2025-07-18")),
            "penalty_claim" => Some(d("2025-08-15")),
            _ => None,
        },
        reminders: vec![
            ReminderView { date: d("2025-06-13"), channel: Channel::Email, step_id: "courtesy".into() },
            ReminderView { date: d("2025-06-23"), channel: Channel::Email, step_id: "reminder-1".into() },
            ReminderView { date: d("2025-07-03"), channel: Channel::PhoneTask, step_id: "phone-call".into() },
        ],
        instalment_number: key.starts_with("instalment").then_some(1),
        promise_number: (key == "promise_broken").then_some(1),
        regime: None,
        penalty_options: Default::default(),
        extra_rates: Default::default(),
        attached: Vec::new(),
    }
}

/// (snapshot name, template, debtor, invoices)
fn cases() -> Vec<(String, String, String, Vec<&'static str>)> {
    let mut out = Vec::new();
    for (lang, debtor, invoice) in [("fr", "d-fr", "i-fr"), ("en", "d-en", "i-en"), ("de", "d-de", "i-de")] {
        for key in BUILTIN_TEMPLATES {
            let invoice = match key {
                "payment_plan_proposal" | "instalment_upcoming" | "instalment_missed" => match lang {
                    "fr" => "i-fr-plan",
                    "en" => "i-en-plan",
                    _ => "i-de-plan",
                },
                "thanks_payment" => match lang {
                    "fr" => "i-fr-paid",
                    "en" => "i-en-paid",
                    _ => "i-de-paid",
                },
                "penalty_claim" => match lang {
                    "fr" => "i-fr-paid",
                    "en" => "i-en-paid",
                    _ => "i-de-late",
                },
                _ => invoice,
            };
            out.push((format!("{lang}/{key}"), key.to_owned(), debtor.to_owned(), vec![invoice]));
        }
    }
    // The wording that changes with the debtor: consumer, public buyer, grouped statement.
    for key in ["second_reminder", "formal_letter", "formal_notice"] {
        out.push((format!("fr/{key}.consumer"), key.into(), "d-conso".into(), vec!["i-conso"]));
        out.push((format!("fr/{key}.public"), key.into(), "d-public".into(), vec!["i-public"]));
    }
    out.push(("fr/first_reminder.grouped".into(), "first_reminder".into(), "d-fr".into(), vec!["i-fr", "i-fr-2"]));
    out.push(("fr/formal_notice.grouped".into(), "formal_notice".into(), "d-fr".into(), vec!["i-fr", "i-fr-2"]));
    // A partial payment after the due date paid the interest and the indemnity first (C. civ. 1343-1).
    out.push(("fr/formal_notice.partial".into(), "formal_notice".into(), "d-fr".into(), vec!["i-fr-partial"]));
    out.push(("fr/legal_handoff.partial".into(), "legal_handoff".into(), "d-fr".into(), vec!["i-fr-partial"]));
    // The invoice's copy goes with the message (`.attached`: the worker stores its document).
    out.push(("fr/first_reminder.attached".into(), "first_reminder".into(), "d-fr".into(), vec!["i-fr"]));
    out.push(("en/courtesy_before_due.attached".into(), "courtesy_before_due".into(), "d-en".into(), vec!["i-en"]));
    out.push(("de/second_reminder.attached".into(), "second_reminder".into(), "d-de".into(), vec!["i-de"]));
    out.push(("fr/formal_notice.attached".into(), "formal_notice".into(), "d-fr".into(), vec!["i-fr"]));
    out
}

/// A case's request: with the invoices' copies attached for the `.attached` snapshots.
fn case_request(name: &str, key: &str, debtor: &str, invoices: &[&str]) -> MessageRequest {
    let mut req = request(key, debtor, invoices);
    if name.ends_with(".attached") {
        req.attached = invoices.iter().map(|s| s.to_string()).collect();
    }
    req
}

/// What a message says when a copy of the invoice goes with it, in each language.
const ATTACHMENT_WORDS: [&str; 6] = ["ci-joint", "P.J. :", "attached", "Enclosure:", "im Anhang", "Anlage:"];

#[test]
fn no_message_claims_a_copy_that_is_not_attached_and_each_says_the_one_that_is() {
    let set = TemplateSet::builtin().unwrap();
    let ledger = ledger();
    for (name, key, debtor, invoices) in cases().into_iter().filter(|c| !c.0.ends_with(".attached")) {
        let mut req = request(&key, &debtor, &invoices);
        let bare = render_message(set, &ledger, &req).unwrap();
        for word in ATTACHMENT_WORDS {
            assert!(!bare.text.contains(word), "{name} claims a copy with none attached: `{word}`");
        }
        req.attached = invoices.iter().map(|s| s.to_string()).collect();
        let with = render_message(set, &ledger, &req).unwrap();
        let says = ATTACHMENT_WORDS.iter().any(|w| with.text.contains(w));
        let should = ["courtesy_before_due", "first_reminder", "second_reminder", "formal_letter", "formal_notice"]
            .contains(&key.as_str());
        assert_eq!(says, should, "{name}: a copy attached is said: {says}");
        // The files handed over list the reminders given, each by its step.
        if key.ends_with("_handoff") {
            for r in &req.reminders {
                assert!(with.text.contains(&format!(" {})", r.step_id)), "{name} does not list {}", r.step_id);
            }
        }
        // A total stated in the text is the total of the invoice table (the principal and, where
        // penalties are known, the total due with them).
        let ctx = relance_core::messages::build_context(&ledger, &req).unwrap();
        if let Some(total) = ctx.totals.total_due {
            let lang = relance_core::messages::Lang::of_locale(&ctx.locale);
            let shown =
                relance_core::messages::format_money(total.value(), &Currency::from_str(&ctx.currency).unwrap(), lang);
            if with.text.contains("Total") || with.text.contains("total") {
                assert!(
                    with.text.contains(&shown) || ctx.debtor.is_consumer,
                    "{name} states no {shown}:\n{}",
                    with.text
                );
            }
        }
    }
}

#[test]
fn every_builtin_template_matches_its_reviewed_snapshot() {
    let set = TemplateSet::builtin().unwrap();
    let ledger = ledger();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/messages");
    let bless = std::env::var("RELANCE_BLESS").is_ok();
    let mut failures = Vec::new();
    for (name, key, debtor, invoices) in cases() {
        let msg = render_message(set, &ledger, &case_request(&name, &key, &debtor, &invoices))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut snapshot = format!("Subject: {}\n\n{}", msg.subject, msg.text);
        if let Some(letter) = &msg.letter_html {
            snapshot.push_str(&format!(
                "\n=== letter ({} bytes of print-ready HTML, see {name}.letter.html)\n",
                letter.len()
            ));
        }
        let files = [(format!("{name}.txt"), snapshot), (format!("{name}.html"), msg.html.clone())]
            .into_iter()
            .chain(msg.letter_html.clone().map(|l| (format!("{name}.letter.html"), l)));
        for (file, content) in files {
            let path = dir.join(&file);
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &content).unwrap();
            } else {
                match std::fs::read_to_string(&path) {
                    Ok(expected) if expected == content => {}
                    Ok(_) => failures.push(format!("{file} differs (RELANCE_BLESS=1 rewrites it; review the diff)")),
                    Err(_) => failures.push(format!("{file} is missing")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn locale_formats() {
    let eur = Currency::eur();
    let v = Decimal::from_str("1234.56").unwrap();
    assert_eq!(format_money(v, &eur, Lang::Fr), "1\u{202f}234,56\u{a0}€");
    assert_eq!(format_money(v, &eur, Lang::En), "€1,234.56");
    assert_eq!(format_money(v, &eur, Lang::De), "1.234,56\u{a0}€");
    assert_eq!(
        format_money(Decimal::from_str("1234567.5").unwrap(), &Currency::new("GBP").unwrap(), Lang::En),
        "£1,234,567.50"
    );
    assert_eq!(format_date(d("2026-11-23"), Lang::Fr), "23 novembre 2026");
    assert_eq!(format_date(d("2026-12-01"), Lang::Fr), "1er décembre 2026");
    assert_eq!(format_date(d("2026-11-23"), Lang::En), "23 November 2026");
    assert_eq!(format_date(d("2026-03-05"), Lang::De), "5. März 2026");
}

#[test]
fn html_in_a_customer_name_is_escaped() {
    let mut ledger = ledger();
    ledger.debtors[0].name = "<script>alert('x')</script> & Co".into();
    ledger.invoices[0].number = "<b>F-1</b>".into();
    let msg =
        render_message(TemplateSet::builtin().unwrap(), &ledger, &request("formal_notice", "d-fr", &["i-fr"])).unwrap();
    for html in [&msg.html, msg.letter_html.as_ref().unwrap()] {
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>F-1</b>"));
        assert!(html.contains("&lt;b&gt;F-1&lt;/b&gt;"));
    }
    assert!(msg.letter_html.unwrap().contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co"));
    // The plain text keeps the characters as they are (it is not HTML).
    assert!(msg.text.contains("<b>F-1</b>"));
}

#[test]
fn cr_lf_in_a_subject_cannot_add_headers() {
    let mut ledger = ledger();
    ledger.invoices[0].number = "F-1\r\nBcc: victim@example.org".into();
    let msg = render_message(TemplateSet::builtin().unwrap(), &ledger, &request("first_reminder", "d-fr", &["i-fr"]))
        .unwrap();
    assert!(!msg.subject.contains('\r') && !msg.subject.contains('\n'));
    assert_eq!(msg.subject, "Relance facture impayée n° F-1 Bcc: victim@example.org");
    assert_eq!(clean_subject("a\u{0}b\tc\u{7f}d"), "a b c d");
}

#[test]
fn custom_templates_are_validated_before_they_are_accepted() {
    let mut set = TemplateSet::builtin().unwrap().clone();
    let reg = |set: &mut TemplateSet, src: &str| set.register("custom", Lang::Fr, src, false);
    // A good one, overriding nothing, then overriding a built-in.
    reg(&mut set, "subject: Relance {{invoiceNumbers}}\n\nBonjour {{debtor.name}}, {{#each invoices}}{{number}} ({{money outstanding}}) {{/each}}").unwrap();
    set.register(
        "first_reminder",
        Lang::Fr,
        "subject: Petit rappel {{invoiceNumbers}}\n\nMerci de régler {{money totals.outstanding}}.",
        false,
    )
    .unwrap();
    let msg = render_message(&set, &ledger(), &request("first_reminder", "d-fr", &["i-fr"])).unwrap();
    assert_eq!(msg.subject, "Petit rappel F-2025-0142");
    // The shared built-in set is untouched by what its clone was given.
    let builtin = TemplateSet::builtin().unwrap();
    let original = render_message(builtin, &ledger(), &request("first_reminder", "d-fr", &["i-fr"])).unwrap();
    assert_ne!(original.subject, msg.subject);
    assert!(!builtin.keys(Lang::Fr).contains(&"custom".to_owned()));

    let cases: [(&str, ErrorCode, &str); 13] = [
        ("subject: x\n\n{{debtor.secretNotes}}", ErrorCode::UnknownVariable, "debtor.secretNotes"),
        ("subject: x\n\n{{#each invoices}}{{../../../creditor}}{{/each}}", ErrorCode::UnknownVariable, "beyond"),
        ("subject: x\n\n{{lookup creditor \"iban\"}}", ErrorCode::UnknownHelper, "lookup"),
        ("subject: x\n\n{{shout debtor.name}}", ErrorCode::UnknownHelper, "shout"),
        ("subject: x\n\n{{{debtor.name}}}", ErrorCode::InvalidTemplate, "escaped"),
        ("subject: x\n\n{{> secrets}}", ErrorCode::InvalidTemplate, "no partial `secrets`"),
        ("subject: x\n\n{{#*inline \"p\"}}x{{/inline}}", ErrorCode::InvalidTemplate, "inline partials"),
        ("subject: x\n\n{{#each invoices as |inv|}}{{inv.numbr}}{{/each}}", ErrorCode::UnknownVariable, "inv.numbr"),
        ("subject: x\n\n{{money}}", ErrorCode::InvalidTemplate, "takes 1 argument"),
        ("subject: x\n\n{{#if debtor.name}}", ErrorCode::InvalidTemplate, "line 1"),
        ("subject: {{invoice_table invoices}}\n\nx", ErrorCode::UnknownHelper, "invoice_table"),
        ("subject: x\n\n{{#if debtor.name}}{{debtor.nam}}{{/if}}", ErrorCode::UnknownVariable, "debtor.nam"),
        ("no subject line", ErrorCode::InvalidTemplate, "subject"),
    ];
    for (src, code, needle) in cases {
        let e = reg(&mut set, src).unwrap_err();
        assert_eq!(e.code(), code, "{src}: {e}");
        assert!(e.message().contains(needle) || e.path().contains(needle), "{src}: {e}");
        assert!(e.path().starts_with("templates.fr.custom"), "{}", e.path());
    }
    // A rejected template changed nothing: the earlier good one still renders.
    let msg = render_message(&set, &ledger(), &request("custom", "d-fr", &["i-fr"])).unwrap();
    assert!(
        msg.text.starts_with("Bonjour Brasserie du Parc SAS, F-2025-0142 (12\u{202f}000,00\u{a0}€)"),
        "{}",
        msg.text
    );
}

#[test]
fn custom_templates_get_partials_and_block_parameters() {
    let mut set = TemplateSet::builtin().unwrap().clone();
    set.register_partial("greeting", Lang::Fr, "Bonjour {{debtor.name}},").unwrap();
    set.register(
        "custom",
        Lang::Fr,
        "subject: Relance {{invoiceNumbers}}\n\n{{> greeting}}\n\n{{#each invoices as |inv i|}}{{i}}: {{inv.number}} {{/each}}\n\n{{> signature}}",
        false,
    )
    .unwrap();
    let msg = render_message(&set, &ledger(), &request("custom", "d-fr", &["i-fr"])).unwrap();
    // A partial alone on its line takes the line with it, as Handlebars says.
    assert!(msg.text.starts_with("Bonjour Brasserie du Parc SAS,\n0: F-2025-0142 \n\nClaire Durand"), "{}", msg.text);
    // A partial that would break a registered template is refused, and the old one stays.
    let e = set.register_partial("greeting", Lang::Fr, "Bonjour {{debtor.nom}},").unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::UnknownVariable, "templates.fr.custom.body"));
    render_message(&set, &ledger(), &request("custom", "d-fr", &["i-fr"])).unwrap();
    // Partials belong to a language.
    let e = set.register("custom", Lang::En, "subject: x\n\n{{> greeting}}", false).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidTemplate);
}

#[test]
fn a_formal_notice_refuses_to_go_out_without_its_penalties() {
    let mut req = request("formal_notice", "d-fr", &["i-fr"]);
    req.message_date = d("2026-07-10"); // 2026 H2: the ECB rate of 1 July 2026 is not in our tables
    req.deadline_date = Some(d("2026-07-20"));
    let set = TemplateSet::builtin().unwrap();
    let e = render_message(set, &ledger(), &req).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::MissingRate, "request.extraRates"));
    assert!(e.message().contains("2026-H2"), "{e}");
    // A reminder that does not state amounts still goes out, saying nothing wrong.
    let mut first = request("first_reminder", "d-fr", &["i-fr"]);
    first.message_date = d("2026-07-10");
    let ctx = build_context(&ledger(), &first).unwrap();
    assert!(!ctx.penalties.known);
    set.render("first_reminder", &ctx).unwrap();
    // With the rate supplied, the notice renders.
    req.extra_rates.insert("ecb_mro".into(), vec![from_json(r#"{"from": "2026-07-01", "rate": "2.00"}"#).unwrap()]);
    render_message(set, &ledger(), &req).unwrap();
}

#[test]
fn a_hand_off_file_made_from_a_timeline_lists_the_reminders_that_went_out_before_it() {
    // The simulator's way (issue 21): the request of a timeline step, made by the core.
    let ledger = ledger();
    let policy = relance_core::policy::preset("standard").unwrap();
    let plan = relance_core::planner::plan(&ledger, &policy, d("2025-12-31")).unwrap();
    let timeline = plan.invoices.iter().find(|t| t.invoice_id == "i-fr").unwrap();
    let legal = timeline.steps.iter().find(|s| s.template == "legal_handoff").unwrap();
    let req = MessageRequest::for_timeline_step(timeline, &legal.step_id).unwrap();
    let earlier: Vec<&str> =
        timeline.steps.iter().filter(|s| s.date < legal.date).map(|s| s.step_id.as_str()).collect();
    assert!(earlier.len() >= 5, "{earlier:?}");
    assert_eq!(req.reminders.iter().map(|r| r.step_id.as_str()).collect::<Vec<_>>(), earlier);
    let text = render_message(TemplateSet::builtin().unwrap(), &ledger, &req).unwrap().text;
    assert!(!text.contains("aucune relance enregistrée"), "{text}");
    for id in earlier {
        assert!(text.contains(&format!("(étape {id})")), "{id} missing from:\n{text}");
    }
    let e = MessageRequest::for_timeline_step(timeline, "no-such-step").unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::UnknownReference, "stepId"));
}
