//! The template engine of reminder messages: the `handlebars` crate (strict mode), with the core's
//! formatting helpers registered on it, and a check that runs when a template is registered.
//!
//! The check walks the template that handlebars itself parsed and holds every variable against
//! the documented context ([`super::MessageContext`], as an example in which every field is
//! present), every helper against those registered, and every partial against those of the
//! language, with the line and column of the fault. A template that passes cannot fail to render
//! for want of a variable. Refused: `{{{ }}}` and `{{& }}` (values are always escaped in HTML),
//! decorators and inline partials, partial blocks, `lookup` and `log` (a path built at render time
//! could not be checked), and `invoice_table` outside a message body.

use crate::error::{Error, ErrorCode, Result};
use handlebars::template::{BlockParam, DecoratorTemplate, HelperTemplate, Parameter, Template, TemplateElement};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError, RenderErrorReason,
    ScopedJson,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// The formatting helpers: what they write is the messages module's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{{money amount}}`: `1 234,56 €`.
    Money,
    /// `{{date day}}`: `23 novembre 2026`.
    Date,
    /// `{{plural count "one" "other"}}`.
    Plural,
    /// `{{percent rate}}`: `13,15 %`.
    Percent,
    /// `{{channel step.channel}}`: the channel's name.
    Channel,
    /// `{{invoice_table invoices}}`: the table of the invoices (message bodies only).
    InvoiceTable,
}

impl Format {
    const ALL: [(&'static str, Format, usize); 6] = [
        ("money", Format::Money, 1),
        ("date", Format::Date, 1),
        ("plural", Format::Plural, 3),
        ("percent", Format::Percent, 1),
        ("channel", Format::Channel, 1),
        ("invoice_table", Format::InvoiceTable, 1),
    ];
}

/// What a formatting helper writes for its arguments: `(helper, args, root data, html)`.
pub type Formatter = fn(Format, &[&Value], &Value, bool) -> std::result::Result<String, String>;

/// handlebars' own helpers that a template may call, and how many arguments each takes (at least,
/// at most).
const BUILTIN_HELPERS: [(&str, usize, usize); 13] = [
    ("if", 1, 1),
    ("unless", 1, 1),
    ("each", 1, 1),
    ("with", 1, 1),
    ("eq", 2, 2),
    ("ne", 2, 2),
    ("gt", 2, 2),
    ("gte", 2, 2),
    ("lt", 2, 2),
    ("lte", 2, 2),
    ("and", 1, usize::MAX),
    ("or", 1, usize::MAX),
    ("not", 1, 1),
];

/// How deep partials may include partials, in the check (a partial that includes itself would
/// otherwise never end).
const MAX_PARTIAL_DEPTH: usize = 8;

/// A formatting helper registered on a registry: its value is escaped in HTML like any value.
struct FormatHelper {
    format: Format,
    html: bool,
    formatter: Formatter,
}

impl FormatHelper {
    fn text(&self, h: &Helper<'_>, ctx: &Context) -> std::result::Result<String, RenderError> {
        let args: Vec<&Value> = h.params().iter().map(|p| p.value()).collect();
        (self.formatter)(self.format, &args, ctx.data(), self.html)
            .map_err(|message| RenderErrorReason::Other(format!("{}: {message}", h.name())).into())
    }
}

impl HelperDef for FormatHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> std::result::Result<ScopedJson<'rc>, RenderError> {
        self.text(h, ctx).map(|text| ScopedJson::Derived(Value::String(text)))
    }
}

/// The invoice table: in HTML it is markup (its cells escaped by the formatter), written as it is.
struct TableHelper(FormatHelper);

impl HelperDef for TableHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let text = self.0.text(h, ctx)?;
        out.write(&text).map_err(|e| RenderErrorReason::Other(e.to_string()).into())
    }
}

/// A registry in strict mode with the formatting helpers, for text (`html` false: nothing is
/// escaped) or for HTML.
pub fn registry(html: bool, formatter: Formatter) -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    if !html {
        hb.register_escape_fn(handlebars::no_escape);
    }
    for (name, format, _) in Format::ALL {
        let helper = FormatHelper { format, html, formatter };
        if format == Format::InvoiceTable {
            hb.register_helper(name, Box::new(TableHelper(helper)));
        } else {
            hb.register_helper(name, Box::new(helper));
        }
    }
    hb
}

/// Parses a template (or partial) source, with the line and column of a syntax error.
pub fn parse(source: &str, path: &str) -> Result<Template> {
    Template::compile(source).map_err(|e| {
        let at = e.pos().map(|(line, column)| format!(" (line {line}, column {column})")).unwrap_or_default();
        Error::new(ErrorCode::InvalidTemplate, path, format!("{}{at}", e.reason()))
    })
}

/// What a template is checked against.
pub struct Check<'a> {
    /// The documented context, every field present.
    pub schema: &'a Value,
    /// The partials it may include, parsed.
    pub partials: &'a BTreeMap<String, Template>,
    /// `invoice_table` may be called (message bodies).
    pub allow_table: bool,
    /// The path of the template, for errors.
    pub path: &'a str,
}

/// A scope of the check: the documented value `this` stands for, and the names a block gave.
#[derive(Clone)]
struct Scope<'v> {
    value: &'v Value,
    /// Inside `{{#each}}`: `@index`, `@first`, `@last` and `@key` exist.
    in_each: bool,
    /// `as |item index|` names, with the value each stands for (`None`: an index or key).
    names: Vec<(String, Option<&'v Value>)>,
}

/// Where in the source a fault is: line and column, when handlebars kept them.
type At = Option<(usize, usize)>;

impl<'a> Check<'a> {
    /// Checks a parsed template.
    pub fn template(&self, t: &Template) -> Result<()> {
        self.elements(t, &[Scope { value: self.schema, in_each: false, names: Vec::new() }], 0)
    }

    fn fail(&self, code: ErrorCode, at: At, message: impl Into<String>) -> Error {
        let message = message.into();
        match at {
            Some((line, column)) => Error::new(code, self.path, format!("{message} (line {line}, column {column})")),
            None => Error::new(code, self.path, message),
        }
    }

    fn elements(&self, t: &Template, scopes: &[Scope<'a>], depth: usize) -> Result<()> {
        for (i, element) in t.elements.iter().enumerate() {
            let at = t.mapping.get(i).map(|m| (m.0, m.1));
            match element {
                TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
                TemplateElement::Expression(h) => self.expression(h, scopes, at)?,
                TemplateElement::HelperBlock(h) => self.block(h, scopes, at, depth)?,
                TemplateElement::HtmlExpression(_) => {
                    return Err(self.fail(
                        ErrorCode::InvalidTemplate,
                        at,
                        "`{{{ }}}` and `{{& }}` are refused: values are always escaped in HTML",
                    ))
                }
                TemplateElement::PartialExpression(p) => self.partial(p, scopes, at, depth)?,
                TemplateElement::PartialBlock(_) => {
                    return Err(self.fail(ErrorCode::InvalidTemplate, at, "partial blocks `{{#> }}` are not supported"))
                }
                TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => {
                    return Err(self.fail(
                        ErrorCode::InvalidTemplate,
                        at,
                        "decorators and inline partials `{{* }}` are not supported: register the partial instead",
                    ))
                }
                _ => return Err(self.fail(ErrorCode::InvalidTemplate, at, "a construct the check does not know")),
            }
        }
        Ok(())
    }

    /// `{{name}}` or `{{helper args}}`.
    fn expression(&self, h: &HelperTemplate, scopes: &[Scope<'a>], at: At) -> Result<()> {
        let name = h.name.as_name().unwrap_or_default();
        if h.params.is_empty() && h.hash.is_empty() && self.helper_arity(name, at).is_err() {
            return self.parameter(&h.name, scopes, at).map(|_| ());
        }
        self.call(h, scopes, at)
    }

    /// A helper call: a known helper with the right number of arguments, each argument checked.
    fn call(&self, h: &HelperTemplate, scopes: &[Scope<'a>], at: At) -> Result<()> {
        let name = h.name.as_name().unwrap_or_default();
        let (min, max) = self.helper_arity(name, at)?;
        if h.params.len() < min || h.params.len() > max {
            let wanted = if min == max { min.to_string() } else { format!("at least {min}") };
            return Err(self.fail(
                ErrorCode::InvalidTemplate,
                at,
                format!("`{name}` takes {wanted} argument(s), not {}", h.params.len()),
            ));
        }
        if let Some(key) = h.hash.keys().next() {
            return Err(self.fail(ErrorCode::InvalidTemplate, at, format!("`{name}` takes no named argument `{key}`")));
        }
        h.params.iter().try_for_each(|p| self.parameter(p, scopes, at).map(|_| ()))
    }

    fn helper_arity(&self, name: &str, at: At) -> Result<(usize, usize)> {
        if let Some((_, _, n)) = Format::ALL.iter().find(|(n, _, _)| *n == name) {
            if name == "invoice_table" && !self.allow_table {
                return Err(self.fail(
                    ErrorCode::UnknownHelper,
                    at,
                    "unknown helper `invoice_table`: the table only goes in a message body",
                ));
            }
            return Ok((*n, *n));
        }
        BUILTIN_HELPERS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, min, max)| (*min, *max))
            .ok_or_else(|| self.fail(ErrorCode::UnknownHelper, at, format!("unknown helper `{name}`")))
    }

    /// A value: a literal, a subexpression, or a path into the context; what the path stands for.
    fn parameter(&self, p: &Parameter, scopes: &[Scope<'a>], at: At) -> Result<Option<&'a Value>> {
        match p {
            Parameter::Literal(_) => Ok(None),
            Parameter::Subexpression(sub) => match sub.as_element() {
                TemplateElement::Expression(h) => self.call(h, scopes, at).map(|_| None),
                _ => Err(self.fail(ErrorCode::InvalidTemplate, at, "a subexpression is a helper call")),
            },
            Parameter::Name(_) | Parameter::Path(_) => self.resolve(p.as_name().unwrap_or_default(), scopes, at),
            _ => Err(self.fail(ErrorCode::InvalidTemplate, at, "a parameter the check does not know")),
        }
    }

    /// What `raw` (`debtor.name`, `../creditor`, `@root.totals`, `this`, `@index`, `item.number`)
    /// names in the documented context; `None` for a value that is not a documented field (an
    /// index, `@first`).
    fn resolve(&self, raw: &str, scopes: &[Scope<'a>], at: At) -> Result<Option<&'a Value>> {
        let unknown = |why: String| self.fail(ErrorCode::UnknownVariable, at, why);
        let mut rest = raw;
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("../") {
            up += 1;
            rest = r;
        }
        let level = scopes
            .len()
            .checked_sub(1 + up)
            .ok_or_else(|| unknown(format!("`{raw}` reaches beyond the message context")))?;
        let scope = scopes.get(level).ok_or_else(|| unknown(format!("`{raw}` has no scope")))?;
        let mut segments = split_path(rest);
        let mut node = match segments.first().copied() {
            Some("@root") => {
                segments.remove(0);
                self.schema
            }
            Some("@index" | "@first" | "@last" | "@key") if segments.len() == 1 && scope.in_each => return Ok(None),
            Some(local) if local.starts_with('@') => {
                return Err(unknown(format!("`{raw}` is not available here")));
            }
            Some("this" | ".") => {
                segments.remove(0);
                scope.value
            }
            Some(first) => match scope.names.iter().rev().find(|(name, _)| name == first) {
                Some((_, value)) => {
                    segments.remove(0);
                    match value {
                        Some(v) => v,
                        None if segments.is_empty() => return Ok(None),
                        None => return Err(unknown(format!("`{raw}`: `{first}` is a number"))),
                    }
                }
                None => scope.value,
            },
            None => scope.value,
        };
        for seg in segments {
            node = match node {
                Value::Object(map) => map.get(seg),
                Value::Array(items) if seg.parse::<usize>().is_ok() => items.first(),
                _ => None,
            }
            .ok_or_else(|| unknown(format!("unknown variable `{raw}`: the message context has no `{seg}` there")))?;
        }
        Ok(Some(node))
    }

    /// `{{#helper args}}...{{else}}...{{/helper}}`.
    fn block(&self, h: &HelperTemplate, scopes: &[Scope<'a>], at: At, depth: usize) -> Result<()> {
        let name = h.name.as_name().unwrap_or_default();
        self.call(h, scopes, at)?;
        let mut inner = scopes.to_vec();
        if matches!(name, "each" | "with") {
            let target = h.params.first().map_or(Ok(None), |p| self.parameter(p, scopes, at))?;
            let target_name = h.params.first().and_then(Parameter::as_name).unwrap_or_default();
            let scope = match (name, target) {
                ("each", Some(Value::Array(items))) => {
                    let item = items.first().ok_or_else(|| {
                        self.fail(ErrorCode::InvalidTemplate, at, format!("`{target_name}` has no documented item"))
                    })?;
                    Scope { value: item, in_each: true, names: self.block_names(h, Some(item), at)? }
                }
                ("with", Some(v @ Value::Object(_))) => {
                    Scope { value: v, in_each: false, names: self.block_names(h, Some(v), at)? }
                }
                _ => {
                    return Err(self.fail(
                        ErrorCode::InvalidTemplate,
                        at,
                        format!("`{name}` cannot go into `{target_name}`"),
                    ))
                }
            };
            let mut names = scopes.last().map(|s| s.names.clone()).unwrap_or_default();
            names.extend(scope.names);
            inner.push(Scope { names, ..scope });
        } else if h.block_param.is_some() {
            return Err(self.fail(ErrorCode::InvalidTemplate, at, format!("`{name}` gives no block parameters")));
        }
        if let Some(body) = &h.template {
            self.elements(body, &inner, depth)?;
        }
        if let Some(inverse) = &h.inverse {
            self.elements(inverse, scopes, depth)?;
        }
        Ok(())
    }

    /// The names of `as |item index|`: the first stands for the item, the second for its index.
    fn block_names(
        &self,
        h: &HelperTemplate,
        item: Option<&'a Value>,
        at: At,
    ) -> Result<Vec<(String, Option<&'a Value>)>> {
        let name_of = |p: &Parameter| {
            p.as_name()
                .map(str::to_owned)
                .ok_or_else(|| self.fail(ErrorCode::InvalidTemplate, at, "a block parameter is a name"))
        };
        Ok(match &h.block_param {
            None => Vec::new(),
            Some(BlockParam::Single(p)) => vec![(name_of(p)?, item)],
            Some(BlockParam::Pair((p, q))) => vec![(name_of(p)?, item), (name_of(q)?, None)],
            Some(_) => {
                return Err(self.fail(ErrorCode::InvalidTemplate, at, "block parameters the check does not know"))
            }
        })
    }

    /// `{{> name}}` or `{{> name context}}`: a partial of the language, checked where it is
    /// included.
    fn partial(&self, p: &DecoratorTemplate, scopes: &[Scope<'a>], at: At, depth: usize) -> Result<()> {
        let name = p.name.as_name().unwrap_or_default();
        let partial = self.partials.get(name).ok_or_else(|| {
            self.fail(ErrorCode::InvalidTemplate, at, format!("no partial `{name}` in this language"))
        })?;
        if depth >= MAX_PARTIAL_DEPTH {
            return Err(self.fail(
                ErrorCode::InvalidTemplate,
                at,
                format!("partials nest more than {MAX_PARTIAL_DEPTH} deep at `{name}`"),
            ));
        }
        if let Some(key) = p.hash.keys().next() {
            return Err(self.fail(
                ErrorCode::InvalidTemplate,
                at,
                format!("partial `{name}` takes no named argument `{key}`"),
            ));
        }
        let mut inner = scopes.to_vec();
        match p.params.as_slice() {
            [] => {}
            [context] => {
                let value = self.parameter(context, scopes, at)?.ok_or_else(|| {
                    self.fail(ErrorCode::InvalidTemplate, at, format!("partial `{name}` is given no documented value"))
                })?;
                inner.push(Scope { value, in_each: false, names: Vec::new() });
            }
            _ => {
                return Err(self.fail(
                    ErrorCode::InvalidTemplate,
                    at,
                    format!("partial `{name}` takes one context at most"),
                ))
            }
        }
        self.elements(partial, &inner, depth + 1)
    }
}

/// `a.b/c` -> `["a", "b", "c"]`; `[a b]` is one segment; `./x` is `x`.
fn split_path(raw: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = raw.trim_start_matches("./");
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            out.push(inner.get(..end).unwrap_or(inner));
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(['.', '/']).unwrap_or(rest.len());
            out.push(rest.get(..end).unwrap_or(rest));
            rest = rest.get(end..).unwrap_or("");
        }
        rest = rest.strip_prefix(['.', '/']).unwrap_or(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_path;

    #[test]
    fn paths_split_on_dots_and_slashes() {
        assert_eq!(split_path("a.b/c"), ["a", "b", "c"]);
        assert_eq!(split_path("[a b].c"), ["a b", "c"]);
        assert_eq!(split_path("./x"), ["x"]);
        assert_eq!(split_path("this"), ["this"]);
        assert!(split_path("").is_empty());
    }
}
