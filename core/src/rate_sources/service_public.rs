//! The French legal interest rates (taux de l'intérêt légal, Code monétaire et financier L313-2)
//! as the DILA publishes them in machine-readable form: the XML of service-public.fr's fiche F783
//! « Calcul de l'intérêt légal » (schema `Publication.xsd` of the « vos droits et démarches »
//! data), which carries the rate of each half-year since 2015 for both categories of creditor.
//!
//! The table read is the one titled « Taux d'intérêt légal simple » (the fiche also gives the
//! « majoré » one, five points higher). Its header names the two columns (« particulier » and
//! « autres cas »); each row is a half-year, newest first, its year in a cell spanning the year's
//! rows (`fusionVerticale`), rates written the French way (`8,16 %`). Years before 2015 had one
//! yearly rate, which the shipped table holds: their rows are passed over.

use super::{plausible_rate, refused, Observation};
use crate::error::Result;
use chrono::NaiveDate;
use roxmltree::{Document, Node, ParsingOptions};

/// The creditor's category, as the fiche's columns name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Creditor {
    /// « Le créancier est un particulier qui n'agit pas pour des besoins professionnels ».
    Individual,
    /// « Autres cas (notamment le créancier est un professionnel) ».
    Other,
}

/// The first year of the half-yearly rates.
const FIRST_HALF_YEARLY: i32 = 2015;

/// The half-years of `creditor`'s column, oldest first.
pub(super) fn legal_rates(text: &str, creditor: Creditor) -> Result<Vec<Observation>> {
    let options = ParsingOptions { allow_dtd: false, nodes_limit: 200_000, ..Default::default() };
    let doc = Document::parse_with_options(text.trim_start_matches('\u{feff}'), options)
        .map_err(|e| refused("", &format!("the response is not the fiche's XML: {e}")))?;
    let root = doc.root_element();
    if !root.has_tag_name("Publication") || root.attribute("ID") != Some("F783") {
        return Err(refused("", "the response is not service-public.fr's fiche F783 (a Publication with ID F783)"));
    }
    let table = simple_rate_table(root)?;
    let line = |node: Node| doc.text_pos_at(node.range().start).row as usize;
    let column = column_of(table, creditor, line(table))?;
    let mut out: Vec<Observation> = Vec::new();
    let mut year: Option<(i32, usize)> = None; // the year and how many of its rows are left
    for row in table.children().filter(|n| n.has_tag_name("Rangée") && n.attribute("type") != Some("header")) {
        let at = line(row);
        let mut cells: Vec<Node> = row.children().filter(|n| n.has_tag_name("Cellule")).collect();
        if let Some((first, y)) = cells.first().and_then(|c| Some((*c, year_of(c)?))) {
            if year.is_some_and(|(_, left)| left > 0) {
                return Err(refused(&format!("line {at}"), "a year starts before the previous year's rows end"));
            }
            let span = first.attribute("fusionVerticale").map_or(Some(1), |s| s.parse::<usize>().ok());
            let Some(span) = span.filter(|s| (1..=2).contains(s)) else {
                return Err(refused(&format!("line {at}"), "a year spans other than one or two half-years"));
            };
            year = Some((y, span));
            cells.remove(0);
        }
        let Some((y, left)) = year.filter(|(_, left)| *left > 0) else {
            return Err(refused(&format!("line {at}"), "a row has no year"));
        };
        year = Some((y, left - 1));
        if y < FIRST_HALF_YEARLY {
            continue;
        }
        out.push(half_year(&cells, y, column, at)?);
    }
    oldest_first(out)
}

/// The one table titled as the simple legal rate.
fn simple_rate_table<'a, 'i>(root: Node<'a, 'i>) -> Result<Node<'a, 'i>> {
    let mut tables = root.descendants().filter(|n| n.has_tag_name("Tableau")).filter(|t| {
        let title = t.children().find(|c| c.has_tag_name("Titre")).map(|c| words(&c)).unwrap_or_default();
        title.contains("intérêt légal") && !title.contains("majoré")
    });
    match (tables.next(), tables.next()) {
        (Some(table), None) => Ok(table),
        (None, _) => Err(refused("", "the fiche has no table « Taux d'intérêt légal simple »")),
        (Some(_), Some(_)) => Err(refused("", "the fiche has more than one table of the simple legal rate")),
    }
}

/// Where `creditor`'s rate is among a row's cells after the half-year, from the header's words.
fn column_of(table: Node, creditor: Creditor, line: usize) -> Result<usize> {
    let header = table.children().find(|n| n.has_tag_name("Rangée") && n.attribute("type") == Some("header"));
    // The header's first cell is the empty corner above the year and half-year columns.
    let rate_columns = header.map(|h| h.children().filter(|c| c.has_tag_name("Cellule")).skip(1));
    let names: Vec<String> = rate_columns.map(|cells| cells.map(|c| words(&c)).collect()).unwrap_or_default();
    let at = |words: &str| -> Vec<usize> {
        names.iter().enumerate().filter(|(_, n)| n.contains(words)).map(|(i, _)| i).collect()
    };
    match (at("particulier").as_slice(), at("autres cas").as_slice()) {
        ([individual], [other]) if individual != other && names.len() == 2 => Ok(match creditor {
            Creditor::Individual => *individual,
            Creditor::Other => *other,
        }),
        _ => Err(refused(&format!("line {line}"), "the table's header does not name the two categories of creditor")),
    }
}

/// One row's half-year: « 1er semestre » or « 2e semestre », then the rates.
fn half_year(cells: &[Node], year: i32, column: usize, line: usize) -> Result<Observation> {
    let path = format!("line {line}");
    let [semester, rates @ ..] = cells else {
        return Err(refused(&path, "the row does not have the table's columns (cut short?)"));
    };
    let Some(rate) = rates.get(column).filter(|_| rates.len() == 2) else {
        return Err(refused(&path, "the row does not have the table's columns (cut short?)"));
    };
    let semester = words(semester);
    let month = if semester.starts_with("1er semestre") {
        1
    } else if semester.starts_with("2e semestre") || semester.starts_with("2ème semestre") {
        7
    } else {
        return Err(refused(&path, &format!("« {semester} » is not « 1er semestre » or « 2e semestre »")));
    };
    let day = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| refused(&path, "not a year"))?;
    let value = words(rate).trim_end_matches('%').trim().replace(',', ".");
    Ok(Observation { day, rate: plausible_rate(&value, &path)?, line })
}

/// The fiche lists the newest half-year first, each once and none left out.
fn oldest_first(mut newest_first: Vec<Observation>) -> Result<Vec<Observation>> {
    for pair in newest_first.windows(2) {
        if let [newer, older] = pair {
            if older.day >= newer.day {
                return Err(refused(&format!("line {}", older.line), "the half-years are out of order or repeated"));
            }
            if super::months_between(older.day, newer.day) != 6 {
                return Err(refused(
                    &format!("line {}", older.line),
                    &format!("a half-year is missing after {}", older.day),
                ));
            }
        }
    }
    newest_first.reverse();
    Ok(newest_first)
}

/// A cell's year, when the whole of its text is one.
fn year_of(cell: &Node) -> Option<i32> {
    let text = words(cell);
    (text.len() == 4).then(|| text.parse().ok()).flatten()
}

/// The text of a node and its descendants, lower-cased, spaces collapsed, typographic apostrophes
/// made plain.
fn words(node: &Node) -> String {
    let text: String = node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('’', "'").to_lowercase()
}
