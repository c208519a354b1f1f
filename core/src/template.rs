//! The template language of reminder messages: the subset of Handlebars that templates may use,
//! parsed, checked against the documented message context, and rendered by the core itself.
//!
//! The subset: text; `{{path}}` (always escaped in HTML); comments `{{! }}` and `{{!-- --}}`;
//! blocks `{{#if}}`, `{{#unless}}`, `{{#each}}` (with `@index`, `@first`, `@last`), `{{#with}}`,
//! each with `{{else}}` and `{{else if ...}}` chains; the comparison helpers `eq`, `ne`, `gt`,
//! `gte`, `lt`, `lte`, `and`, `or`, `not` (also as blocks and subexpressions); the formatting
//! helpers of [`Format`]; `this`, `../` and `@root` paths; `~` whitespace control; `\{{` for a
//! literal `{{`; and Handlebars' rule that a line holding only a block tag or a comment leaves no
//! blank line behind.
//!
//! Refused when a template is registered, with the line and column: `{{{ }}}` and `{{& }}`
//! (values are always escaped), partials, decorators, raw blocks, named (`key=value`) and block
//! (`as |x|`) parameters, bracketed paths, array and object literals, unknown helpers, wrong
//! numbers of arguments, and any variable the context does not document.
//!
//! Why our own engine: the `handlebars` crate brought about 140 KB of WebAssembly (mostly its pest
//! grammar) to the browser module, for a language we accept only a subset of. A differential
//! property test (`template/differential.rs`) holds our output to the `handlebars` crate's on
//! generated templates of this subset. Where we deliberately differ, Handlebars (strict mode)
//! would have failed the render: `{{#each}}` and `{{#with}}` on a `null` value without `{{else}}`
//! render nothing, and `list.length` is the number of items.

use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

#[cfg(test)]
mod differential;

/// A place in the template source, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    line: usize,
    column: usize,
}

impl Pos {
    fn of(source: &str, offset: usize) -> Pos {
        let before = source.get(..offset).unwrap_or(source);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos {
            line: before.matches('\n').count() + 1,
            column: before.get(line_start..).map_or(0, |s| s.chars().count()) + 1,
        }
    }
}

/// A byte offset in the template source, kept in the parsed template; turned into a [`Pos`] only
/// for a message, so that parsing stays linear in the source's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct At(usize);

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

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

/// Every helper a template can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Helper {
    If,
    Unless,
    Each,
    With,
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    And,
    Or,
    Not,
    Format(Format),
}

const HELPERS: [(&str, Helper); 19] = [
    ("if", Helper::If),
    ("unless", Helper::Unless),
    ("each", Helper::Each),
    ("with", Helper::With),
    ("eq", Helper::Eq),
    ("ne", Helper::Ne),
    ("gt", Helper::Gt),
    ("gte", Helper::Gte),
    ("lt", Helper::Lt),
    ("lte", Helper::Lte),
    ("and", Helper::And),
    ("or", Helper::Or),
    ("not", Helper::Not),
    ("money", Helper::Format(Format::Money)),
    ("date", Helper::Format(Format::Date)),
    ("plural", Helper::Format(Format::Plural)),
    ("percent", Helper::Format(Format::Percent)),
    ("channel", Helper::Format(Format::Channel)),
    ("invoice_table", Helper::Format(Format::InvoiceTable)),
];

impl Helper {
    fn named(name: &str) -> Option<Helper> {
        HELPERS.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
    }

    fn name(self) -> &'static str {
        HELPERS.iter().find(|(_, h)| *h == self).map_or("?", |(n, _)| n)
    }

    /// How many arguments it takes: at least, at most.
    fn arity(self) -> (usize, usize) {
        match self {
            Helper::If | Helper::Unless | Helper::Each | Helper::With | Helper::Not => (1, 1),
            Helper::Eq | Helper::Ne | Helper::Gt | Helper::Gte | Helper::Lt | Helper::Lte => (2, 2),
            Helper::And | Helper::Or => (1, usize::MAX),
            Helper::Format(Format::Plural) => (3, 3),
            Helper::Format(Format::InvoiceTable) => (0, 1),
            Helper::Format(_) => (1, 1),
        }
    }

    /// `if`, `unless`, `each` and `with` only make sense as blocks.
    fn is_block_only(self) -> bool {
        matches!(self, Helper::If | Helper::Unless | Helper::Each | Helper::With)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Local {
    Index,
    First,
    Last,
}

/// A variable as written: `debtor.name`, `../currency`, `@root.totals`, `this`, `@index`.
#[derive(Debug, Clone)]
struct PathExpr {
    raw: String,
    root: bool,
    up: usize,
    local: Option<Local>,
    segments: Vec<String>,
    pos: At,
}

#[derive(Debug, Clone)]
enum Expr {
    Path(PathExpr),
    Literal(Value),
    Call(Helper, Vec<Expr>, At),
}

#[derive(Debug, Clone)]
struct Block {
    helper: Helper,
    args: Vec<Expr>,
    body: Vec<Node>,
    inverse: Vec<Node>,
    pos: At,
}

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Output(Expr),
    Block(Box<Block>),
}

/// A parsed and checked template.
#[derive(Debug, Clone)]
pub struct Template {
    nodes: Vec<Node>,
    /// For the place of a render error.
    source: Box<str>,
}

/// Why a render failed: where, and what.
pub(crate) type RenderFailure = (Pos, String);

/// A failure inside the renderer, where the source is not at hand.
type Failure = (At, String);

/// Writes a formatting helper's text from its arguments (`Null` for a value the context leaves
/// out), the whole context, and whether the output is HTML.
pub(crate) type Formatter<'f> =
    &'f dyn Fn(Format, &[Cow<'_, Value>], &Value, bool) -> std::result::Result<String, String>;

// ---- lexing -------------------------------------------------------------------------------------

const NO_PARTIALS: &str = "partials and decorators are not available to templates";

/// How deep blocks (`else if` links included) and subexpressions may nest: checking and rendering
/// recurse, and a WebAssembly stack overflow would end the whole instance.
const MAX_NESTING: usize = 64;
const MAX_SUBEXPRESSION_DEPTH: usize = 16;

/// Handlebars' whitespace inside a tag.
fn is_tag_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The characters of a name (Handlebars' `symbol_char`).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '$' | ':') || !c.is_ascii()
}

enum TagKind {
    Output(Expr),
    Open(Helper, Vec<Expr>, At),
    Else(Option<(Helper, Vec<Expr>, At)>),
    Close(String),
    Comment,
}

enum Piece {
    Text(String),
    Tag { kind: TagKind, start: usize, end: usize, trim_before: bool, trim_after: bool },
}

struct Lexer<'s> {
    source: &'s str,
    at: usize,
    path: &'s str,
    /// Subexpressions open around the one being read.
    depth: usize,
}

impl<'s> Lexer<'s> {
    fn fail_at(&self, code: ErrorCode, offset: usize, message: impl fmt::Display) -> Error {
        Error::new(code, self.path, format!("{message} ({})", Pos::of(self.source, offset)))
    }

    fn syntax(&self, message: impl fmt::Display) -> Error {
        self.fail_at(ErrorCode::InvalidTemplate, self.at, message)
    }

    fn rest(&self) -> &'s str {
        self.source.get(self.at..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s);
        if found {
            self.at += s.len();
        }
        found
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start_matches(is_tag_space).len();
    }

    fn pieces(mut self) -> Result<Vec<Piece>> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        while let Some(found) = self.rest().find("{{") {
            let open = self.at + found;
            let before = self.source.get(self.at..open).unwrap_or("");
            let backslashes = before.len() - before.trim_end_matches('\\').len();
            // A backslash before `{{` is dropped: alone, it makes the `{{` (or `{{{{`) literal text;
            // after another backslash, it leaves the tag a tag.
            text.push_str(before.get(..before.len() - usize::from(backslashes > 0)).unwrap_or(""));
            if backslashes == 1 {
                text.push_str("{{");
                self.at = open + 2;
                if self.eat("{{") {
                    text.push_str("{{");
                }
                continue;
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            self.at = open;
            pieces.push(self.tag()?);
        }
        text.push_str(self.rest());
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(pieces)
    }

    fn tag(&mut self) -> Result<Piece> {
        let start = self.at;
        if self.rest().starts_with("{{{{") {
            return Err(self.fail_at(ErrorCode::InvalidTemplate, start, "raw blocks `{{{{ }}}}` are not supported"));
        }
        self.at += 2;
        let trim_before = self.eat("~");
        if !trim_before && self.rest().starts_with('!') {
            let long = self.rest().starts_with("!--");
            let close = if long { "--}}" } else { "}}" };
            let from = self.at + if long { 3 } else { 1 };
            let end = self
                .source
                .get(from..)
                .and_then(|r| r.find(close))
                .ok_or_else(|| self.fail_at(ErrorCode::InvalidTemplate, start, "this comment is never closed"))?;
            self.at = from + end + close.len();
            return Ok(Piece::Tag { kind: TagKind::Comment, start, end: self.at, trim_before, trim_after: false });
        }
        let kind = match self.peek() {
            Some('{' | '&') => {
                return Err(self.fail_at(
                    ErrorCode::InvalidTemplate,
                    start,
                    "unescaped output `{{{ }}}` is not allowed: values are always escaped",
                ))
            }
            Some('>' | '*') => return Err(self.fail_at(ErrorCode::InvalidTemplate, start, NO_PARTIALS)),
            Some('#') => {
                self.at += 1;
                if matches!(self.peek(), Some('>' | '*')) {
                    return Err(self.fail_at(ErrorCode::InvalidTemplate, start, NO_PARTIALS));
                }
                self.skip_space();
                let (helper, args, pos) = self.block_head()?;
                TagKind::Open(helper, args, pos)
            }
            Some('/') => {
                self.at += 1;
                self.skip_space();
                let name = self.rest().chars().take_while(|c| is_name_char(*c)).collect::<String>();
                self.at += name.len();
                TagKind::Close(name)
            }
            Some('^') => {
                self.at += 1;
                self.skip_space();
                if !self.at_tag_end() {
                    return Err(self.fail_at(
                        ErrorCode::InvalidTemplate,
                        start,
                        "inverted sections `{{^name}}` are not supported: use `{{#unless}}`",
                    ));
                }
                TagKind::Else(None)
            }
            _ => {
                self.skip_space();
                if self.keyword("else") {
                    self.skip_space();
                    if self.at_tag_end() {
                        TagKind::Else(None)
                    } else {
                        TagKind::Else(Some(self.block_head()?))
                    }
                } else {
                    TagKind::Output(self.output()?)
                }
            }
        };
        self.skip_space();
        let trim_after = self.eat("~");
        if !self.eat("}}") {
            return Err(self.syntax("expected `}}` to close the tag"));
        }
        Ok(Piece::Tag { kind, start, end: self.at, trim_before, trim_after })
    }

    fn at_tag_end(&self) -> bool {
        self.rest().starts_with("}}") || self.rest().starts_with("~}}")
    }

    fn keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        let found =
            rest.starts_with(word) && !rest.get(word.len()..).and_then(|r| r.chars().next()).is_some_and(is_name_char);
        if found {
            self.at += word.len();
        }
        found
    }

    /// `helper args...` after `{{#` or `{{else`.
    fn block_head(&mut self) -> Result<(Helper, Vec<Expr>, At)> {
        let pos = At(self.at);
        let word_at = self.at;
        let name = self.word();
        let helper = Helper::named(name).ok_or_else(|| {
            if name.is_empty() {
                self.syntax("a block needs a helper: `{{#if ...}}`")
            } else {
                self.fail_at(ErrorCode::UnknownHelper, word_at, format_args!("unknown helper `{name}`"))
            }
        })?;
        if matches!(helper, Helper::Format(_)) {
            return Err(self.fail_at(
                ErrorCode::InvalidTemplate,
                word_at,
                format_args!("`{name}` is not a block helper"),
            ));
        }
        let args = self.args(helper, word_at)?;
        Ok((helper, args, pos))
    }

    /// `{{path}}` or `{{helper args...}}`.
    fn output(&mut self) -> Result<Expr> {
        let word_at = self.at;
        if self.rest().starts_with('(') {
            return self.param();
        }
        let word = self.word();
        if word.is_empty() {
            return Err(self.syntax("expected a variable or a helper"));
        }
        self.skip_space();
        let is_call = !self.at_tag_end() && !self.rest().is_empty();
        match Helper::named(word) {
            Some(helper) if helper.is_block_only() => Err(self.fail_at(
                ErrorCode::InvalidTemplate,
                word_at,
                format_args!("`{word}` opens a block: write `{{{{#{word} ...}}}}...{{{{/{word}}}}}`"),
            )),
            Some(helper) => {
                let args = self.args(helper, word_at)?;
                Ok(Expr::Call(helper, args, At(word_at)))
            }
            None if is_call => {
                if word.chars().all(is_name_char) {
                    Err(self.fail_at(ErrorCode::UnknownHelper, word_at, format_args!("unknown helper `{word}`")))
                } else {
                    Err(self.syntax("expected `}}` after the variable"))
                }
            }
            None => Ok(Expr::Path(self.path(word, word_at)?)),
        }
    }

    /// The arguments of `helper`, up to the end of the tag or subexpression.
    fn args(&mut self, helper: Helper, name_at: usize) -> Result<Vec<Expr>> {
        let mut args = Vec::new();
        loop {
            self.skip_space();
            if self.at_tag_end() || self.rest().starts_with(')') || self.rest().is_empty() {
                break;
            }
            args.push(self.param()?);
        }
        let (min, max) = helper.arity();
        if args.len() < min || args.len() > max {
            let wanted = match (min, max) {
                (0, 1) => "at most one argument".to_owned(),
                (1, 1) => "one argument".to_owned(),
                (m, usize::MAX) => format!("at least {m} argument{}", if m == 1 { "" } else { "s" }),
                (m, _) => format!("{m} arguments"),
            };
            return Err(self.fail_at(
                ErrorCode::InvalidTemplate,
                name_at,
                format_args!("`{}` takes {wanted}, not {}", helper.name(), args.len()),
            ));
        }
        Ok(args)
    }

    /// Everything up to a space, a parenthesis, a quote or the end of the tag.
    fn word(&mut self) -> &'s str {
        let rest = self.rest();
        let len = rest
            .find(|c: char| is_tag_space(c) || matches!(c, '(' | ')' | '}' | '~' | '"' | '\'' | '=' | '|'))
            .unwrap_or(rest.len());
        self.at += len;
        rest.get(..len).unwrap_or("")
    }

    fn param(&mut self) -> Result<Expr> {
        let at = self.at;
        match self.peek() {
            Some('(') => {
                if self.depth >= MAX_SUBEXPRESSION_DEPTH {
                    return Err(
                        self.syntax(format_args!("subexpressions nest more than {MAX_SUBEXPRESSION_DEPTH} deep"))
                    );
                }
                self.depth += 1;
                self.at += 1;
                self.skip_space();
                let word_at = self.at;
                let name = self.word();
                self.skip_space();
                let expr = if self.rest().starts_with(')') && Helper::named(name).is_none() {
                    Expr::Path(self.path(name, word_at)?)
                } else {
                    let helper = Helper::named(name).ok_or_else(|| {
                        self.fail_at(ErrorCode::UnknownHelper, word_at, format_args!("unknown helper `{name}`"))
                    })?;
                    if helper.is_block_only() {
                        return Err(self.fail_at(
                            ErrorCode::InvalidTemplate,
                            word_at,
                            format_args!("`{name}` opens a block and cannot be a subexpression"),
                        ));
                    }
                    Expr::Call(helper, self.args(helper, word_at)?, At(word_at))
                };
                self.skip_space();
                if !self.eat(")") {
                    return Err(self.syntax("expected `)` to close the subexpression"));
                }
                self.depth -= 1;
                Ok(expr)
            }
            Some(quote @ ('"' | '\'')) => self.string(quote),
            Some('[' | '{') => Err(self.syntax("array and object literals are not supported")),
            _ => {
                let word = self.word();
                if self.rest().starts_with('=') {
                    return Err(self.fail_at(
                        ErrorCode::InvalidTemplate,
                        at,
                        format_args!("named parameters (`{word}=`) are not supported"),
                    ));
                }
                if word == "as" && self.rest().trim_start_matches(is_tag_space).starts_with('|') {
                    return Err(self.fail_at(
                        ErrorCode::InvalidTemplate,
                        at,
                        "block parameters (`as |x|`) are not supported",
                    ));
                }
                if word.is_empty() {
                    return Err(self.syntax("expected an argument"));
                }
                if matches!(word, "true" | "false" | "null") || is_number_literal(word) {
                    return serde_json::from_str(word).map(Expr::Literal).map_err(|_| {
                        self.fail_at(ErrorCode::InvalidTemplate, at, format_args!("`{word}` is not a number"))
                    });
                }
                Ok(Expr::Path(self.path(word, at)?))
            }
        }
    }

    /// A string literal, with JSON's escapes (and `\'` in single quotes).
    fn string(&mut self, quote: char) -> Result<Expr> {
        let start = self.at;
        self.at += 1;
        let mut json = String::from("\"");
        loop {
            let Some(c) = self.peek() else {
                return Err(self.fail_at(ErrorCode::InvalidTemplate, start, "this string is never closed"));
            };
            self.at += c.len_utf8();
            match c {
                '\\' => {
                    let Some(next) = self.peek() else { continue };
                    self.at += next.len_utf8();
                    if next == '\'' && quote == '\'' {
                        json.push('\'');
                    } else {
                        json.push('\\');
                        json.push(next);
                    }
                }
                c if c == quote => break,
                '"' => json.push_str("\\\""),
                c => json.push(c),
            }
        }
        json.push('"');
        serde_json::from_str(&json)
            .map(Expr::Literal)
            .map_err(|_| self.fail_at(ErrorCode::InvalidTemplate, start, "this string has an invalid escape"))
    }

    fn path(&self, raw: &str, at: usize) -> Result<PathExpr> {
        let pos = At(at);
        let bad = |why: &str| self.fail_at(ErrorCode::InvalidTemplate, at, format_args!("`{raw}`: {why}"));
        if raw.contains('[') {
            return Err(self.fail_at(
                ErrorCode::UnknownVariable,
                at,
                format_args!("`{raw}`: bracketed paths are not supported"),
            ));
        }
        let mut rest = raw;
        let mut path = PathExpr { raw: raw.to_owned(), root: false, up: 0, local: None, segments: Vec::new(), pos };
        if rest == "this" {
            return Ok(path);
        }
        if let Some(r) =
            rest.strip_prefix("this.").or_else(|| rest.strip_prefix("this/")).or_else(|| rest.strip_prefix("./"))
        {
            rest = r;
        }
        if let Some(r) = rest.strip_prefix("@root") {
            path.root = true;
            rest = r.strip_prefix(['.', '/']).unwrap_or(r);
            if r.is_empty() {
                return Ok(path);
            }
        } else if let Some(name) = rest.strip_prefix('@') {
            path.local = Some(match name {
                "index" => Local::Index,
                "first" => Local::First,
                "last" => Local::Last,
                _ => {
                    return Err(self.fail_at(
                        ErrorCode::UnknownVariable,
                        at,
                        format_args!("`{raw}` is not available here"),
                    ))
                }
            });
            return Ok(path);
        }
        while let Some(r) = rest.strip_prefix("../") {
            path.up += 1;
            rest = r;
        }
        for segment in rest.split(['.', '/']) {
            if segment.is_empty() || !segment.chars().all(is_name_char) {
                return Err(bad("not a valid variable name"));
            }
            path.segments.push(segment.to_owned());
        }
        Ok(path)
    }
}

/// A number as Handlebars reads it: `-?digits(.digits)?(E-?digits)?`.
fn is_number_literal(word: &str) -> bool {
    let digits = word.strip_prefix('-').unwrap_or(word);
    let (mantissa, exponent) = digits.split_once(['e', 'E']).unwrap_or((digits, "0"));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let exponent = exponent.strip_prefix('-').unwrap_or(exponent);
    [int, frac, exponent].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

// ---- whitespace ---------------------------------------------------------------------------------

fn is_line_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn starts_with_empty_line(text: &str) -> bool {
    text.trim_start_matches(is_line_space).starts_with(['\n', '\r'])
}

fn ends_with_empty_line(text: &str) -> bool {
    let t = text.trim_end_matches(is_line_space);
    t.is_empty() || t.ends_with(['\n', '\r'])
}

/// Applies `~` and the standalone-line rule to the text around tags, as Handlebars does: a block
/// tag, `{{else}}` or comment alone on its line takes the line's spaces and its line break with
/// it; `~` on a side of a tag removes all whitespace on that side.
fn trim_whitespace(source: &str, pieces: &mut [Piece]) {
    let mut trim_next = false;
    let mut line_next = false;
    for i in 0..pieces.len() {
        let (before, here) = pieces.split_at_mut(i);
        let Some(piece) = here.first_mut() else { break };
        match piece {
            Piece::Text(text) => {
                if trim_next && text.chars().all(is_tag_space) {
                    // Handlebars drops this text without looking at it: a pending line trim
                    // waits for the next text.
                    text.clear();
                    continue;
                }
                if trim_next {
                    *text = text.trim_start().to_owned();
                } else if line_next {
                    let t = text.trim_start_matches(is_line_space);
                    *text = t.strip_prefix("\r\n").or_else(|| t.strip_prefix('\n')).unwrap_or(t).to_owned();
                }
                line_next = false;
            }
            Piece::Tag { kind, start, end, trim_before, trim_after } => {
                let mut previous = match before.last_mut() {
                    Some(Piece::Text(t)) => Some(t),
                    _ => None,
                };
                if *trim_before {
                    if let Some(t) = previous.as_mut() {
                        t.truncate(t.trim_end().len());
                    }
                }
                if !matches!(kind, TagKind::Comment) {
                    trim_next = *trim_after;
                }
                if matches!(kind, TagKind::Output(_)) {
                    continue;
                }
                let after = source.get(*end..).unwrap_or("");
                line_next = false;
                if after.is_empty() || starts_with_empty_line(after) {
                    let leading = ends_with_empty_line(source.get(..*start).unwrap_or(""));
                    if leading {
                        if let Some(t) = previous {
                            t.truncate(t.trim_end_matches(is_line_space).len());
                        }
                    }
                    line_next = *start == 0 || leading;
                }
            }
        }
    }
}

// ---- the tree -----------------------------------------------------------------------------------

struct Frame {
    block: Block,
    in_inverse: bool,
    /// Opened by `{{else if}}`: closes with the block it continues.
    chained: bool,
}

fn build(source: &str, path: &str, pieces: Vec<Piece>) -> Result<Vec<Node>> {
    let fail = |offset: usize, message: String| {
        Error::new(ErrorCode::InvalidTemplate, path, format!("{message} ({})", Pos::of(source, offset)))
    };
    let mut root = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    fn current<'a>(root: &'a mut Vec<Node>, stack: &'a mut [Frame]) -> &'a mut Vec<Node> {
        match stack.last_mut() {
            Some(f) if f.in_inverse => &mut f.block.inverse,
            Some(f) => &mut f.block.body,
            None => root,
        }
    }
    for piece in pieces {
        let Piece::Tag { kind, start, .. } = piece else {
            if let Piece::Text(text) = piece {
                if !text.is_empty() {
                    current(&mut root, &mut stack).push(Node::Text(text));
                }
            }
            continue;
        };
        match kind {
            TagKind::Comment => {}
            TagKind::Output(expr) => current(&mut root, &mut stack).push(Node::Output(expr)),
            TagKind::Open(..) | TagKind::Else(Some(_)) if stack.len() >= MAX_NESTING => {
                return Err(fail(start, format!("blocks (with `else if` chains) nest more than {MAX_NESTING} deep")));
            }
            TagKind::Open(helper, args, pos) => stack.push(Frame {
                block: Block { helper, args, body: Vec::new(), inverse: Vec::new(), pos },
                in_inverse: false,
                chained: false,
            }),
            TagKind::Else(chain) => {
                let frame = stack.last_mut().ok_or_else(|| fail(start, "`{{else}}` outside a block".into()))?;
                if frame.in_inverse {
                    return Err(fail(
                        start,
                        format!("a second `{{{{else}}}}` in `{{{{#{}}}}}`", frame.block.helper.name()),
                    ));
                }
                frame.in_inverse = true;
                if let Some((helper, args, pos)) = chain {
                    stack.push(Frame {
                        block: Block { helper, args, body: Vec::new(), inverse: Vec::new(), pos },
                        in_inverse: false,
                        chained: true,
                    });
                }
            }
            TagKind::Close(name) => loop {
                let frame = stack.pop().ok_or_else(|| fail(start, format!("`{{{{/{name}}}}}` closes no block")))?;
                let opener = frame.block.helper.name();
                let chained = frame.chained;
                if !chained && name != opener {
                    return Err(fail(
                        start,
                        format!(
                            "`{{{{/{name}}}}}` closes `{{{{#{opener}}}}}` opened at {}",
                            Pos::of(source, frame.block.pos.0)
                        ),
                    ));
                }
                current(&mut root, &mut stack).push(Node::Block(Box::new(frame.block)));
                if !chained {
                    break;
                }
            },
        }
    }
    if let Some(frame) = stack.iter().find(|f| !f.chained) {
        return Err(Error::new(
            ErrorCode::InvalidTemplate,
            path,
            format!(
                "`{{{{#{}}}}}` opened at {} is never closed",
                frame.block.helper.name(),
                Pos::of(source, frame.block.pos.0)
            ),
        ));
    }
    Ok(root)
}

// ---- checking against the documented context ---------------------------------------------------

struct Checker<'a> {
    source: &'a str,
    path: &'a str,
    allow_table: bool,
}

impl Checker<'_> {
    fn fail(&self, code: ErrorCode, at: At, message: String) -> Error {
        Error::new(code, self.path, format!("{message} ({})", Pos::of(self.source, at.0)))
    }

    /// Finds what `p` names in the documented context (`scopes`, innermost last).
    fn resolve<'v>(&self, p: &PathExpr, scopes: &[&'v Value], in_each: bool) -> Result<Option<&'v Value>> {
        let raw = &p.raw;
        if p.local.is_some() {
            return if in_each {
                Ok(None)
            } else {
                Err(self.fail(ErrorCode::UnknownVariable, p.pos, format!("`{raw}` is not available here")))
            };
        }
        let depth = if p.root { 1 } else { scopes.len() };
        if p.up >= depth {
            return Err(self.fail(
                ErrorCode::UnknownVariable,
                p.pos,
                format!("`{raw}` reaches beyond the message context"),
            ));
        }
        let mut node = *scopes
            .get(depth - 1 - p.up)
            .ok_or_else(|| self.fail(ErrorCode::UnknownVariable, p.pos, format!("`{raw}` has no scope")))?;
        for (i, seg) in p.segments.iter().enumerate() {
            node = match node {
                Value::Object(map) => map.get(seg),
                Value::Array(_) if seg == "length" && i + 1 == p.segments.len() => return Ok(None),
                Value::Array(items) if seg.parse::<usize>().is_ok() => items.first(),
                _ => None,
            }
            .ok_or_else(|| {
                self.fail(
                    ErrorCode::UnknownVariable,
                    p.pos,
                    format!("unknown variable `{raw}`: the message context has no `{seg}` there"),
                )
            })?;
        }
        Ok(Some(node))
    }

    fn expr(&self, e: &Expr, scopes: &[&Value], in_each: bool) -> Result<()> {
        match e {
            Expr::Literal(_) => Ok(()),
            Expr::Path(p) => self.resolve(p, scopes, in_each).map(|_| ()),
            Expr::Call(helper, args, pos) => {
                if *helper == Helper::Format(Format::InvoiceTable) && !self.allow_table {
                    return Err(self.fail(
                        ErrorCode::UnknownHelper,
                        *pos,
                        "unknown helper `invoice_table`: the table only goes in a message body".into(),
                    ));
                }
                args.iter().try_for_each(|a| self.expr(a, scopes, in_each))
            }
        }
    }

    fn nodes(&self, nodes: &[Node], scopes: &[&Value], in_each: bool) -> Result<()> {
        for node in nodes {
            match node {
                Node::Text(_) => {}
                Node::Output(e) => self.expr(e, scopes, in_each)?,
                Node::Block(b) => {
                    b.args.iter().try_for_each(|a| self.expr(a, scopes, in_each))?;
                    let mut inner = scopes.to_vec();
                    if matches!(b.helper, Helper::Each | Helper::With) {
                        let name = b.helper.name();
                        let Some(Expr::Path(target)) = b.args.first() else {
                            return Err(self.fail(
                                ErrorCode::InvalidTemplate,
                                b.pos,
                                format!("`{name}` needs a variable"),
                            ));
                        };
                        let value = self.resolve(target, scopes, in_each)?;
                        let scope = match (b.helper, value) {
                            (Helper::Each, Some(Value::Array(items))) => items.first().ok_or_else(|| {
                                self.fail(
                                    ErrorCode::InvalidTemplate,
                                    b.pos,
                                    format!("`{}` has no documented item", target.raw),
                                )
                            })?,
                            (Helper::With, Some(v @ Value::Object(_))) => v,
                            _ => {
                                return Err(self.fail(
                                    ErrorCode::InvalidTemplate,
                                    b.pos,
                                    format!("`{name}` cannot go into `{}`", target.raw),
                                ))
                            }
                        };
                        inner.push(scope);
                    }
                    self.nodes(&b.body, &inner, in_each || b.helper == Helper::Each)?;
                    self.nodes(&b.inverse, scopes, in_each)?;
                }
            }
        }
        Ok(())
    }
}

impl Template {
    /// Parses `source` and checks every variable against `schema`, an example of the documented
    /// context in which every field is present. `allow_table`: `invoice_table` may be called.
    /// Errors carry `path` and say where in the source.
    pub fn compile(source: &str, schema: &Value, allow_table: bool, path: &str) -> Result<Template> {
        let mut pieces = Lexer { source, at: 0, path, depth: 0 }.pieces()?;
        trim_whitespace(source, &mut pieces);
        let nodes = build(source, path, pieces)?;
        Checker { source, path, allow_table }.nodes(&nodes, &[schema], false)?;
        Ok(Template { nodes, source: source.into() })
    }

    /// Renders the template for `data`. `html`: values and formatted text are HTML-escaped.
    pub(crate) fn render(
        &self,
        data: &Value,
        html: bool,
        format: Formatter<'_>,
    ) -> std::result::Result<String, RenderFailure> {
        let mut renderer = Renderer { html, format, root: data, out: String::new() };
        match renderer.nodes(&self.nodes, &mut vec![Scope { value: data, item: None }]) {
            Ok(()) => Ok(renderer.out),
            Err((at, message)) => Err((Pos::of(&self.source, at.0), message)),
        }
    }
}

// ---- rendering ----------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Scope<'v> {
    value: &'v Value,
    /// In `{{#each}}`: this item's index and the number of items.
    item: Option<(usize, usize)>,
}

/// Handlebars' truth: `false`, `null`, `0`, `""`, `[]` and `{}` are false.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(f64::is_normal),
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A value as Handlebars writes it.
fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Null => {}
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(_) => out.push_str("[object]"),
    }
}

/// HTML escaping, as Handlebars does it.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#x27;"),
            '`' => out.push_str("&#x60;"),
            '=' => out.push_str("&#x3D;"),
            c => out.push(c),
        }
    }
    out
}

/// A JSON number read from a string, for comparing a number with a string.
fn number_in(text: &str) -> Option<serde_json::Number> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Number(n)) if text.trim() == text => Some(n),
        _ => None,
    }
}

fn compare_numbers(a: &serde_json::Number, b: &serde_json::Number) -> Option<Ordering> {
    let int = |n: &serde_json::Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// Handlebars' ordering for `gt` and friends: numbers, strings, booleans, and a number with a
/// string that reads as one.
fn compare(x: &Value, y: &Value) -> Option<Ordering> {
    match (x, y) {
        (Value::Number(a), Value::Number(b)) => compare_numbers(a, b),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Number(a), Value::String(b)) => compare_numbers(a, &number_in(b)?),
        (Value::String(a), Value::Number(b)) => compare_numbers(&number_in(a)?, b),
        _ => None,
    }
}

struct Renderer<'a> {
    html: bool,
    format: Formatter<'a>,
    root: &'a Value,
    out: String,
}

impl<'a> Renderer<'a> {
    fn lookup(p: &PathExpr, scopes: &[Scope<'a>]) -> Option<Cow<'a, Value>> {
        let here = scopes.last()?;
        if let Some(local) = p.local {
            let (index, count) = here.item?;
            return Some(Cow::Owned(match local {
                Local::Index => Value::from(index),
                Local::First => Value::Bool(index == 0),
                Local::Last => Value::Bool(index + 1 == count),
            }));
        }
        let base = if p.root { scopes.first()? } else { scopes.get(scopes.len().checked_sub(1 + p.up)?)? };
        let mut node = base.value;
        for (i, seg) in p.segments.iter().enumerate() {
            node = match node {
                Value::Object(map) => map.get(seg)?,
                Value::Array(items) if seg == "length" => {
                    return (i + 1 == p.segments.len()).then(|| Cow::Owned(Value::from(items.len())));
                }
                Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(Cow::Borrowed(node))
    }

    /// The value of `e`; `None` for a variable the data leaves out.
    fn eval(&self, e: &'a Expr, scopes: &[Scope<'a>]) -> std::result::Result<Option<Cow<'a, Value>>, Failure> {
        match e {
            Expr::Literal(v) => Ok(Some(Cow::Borrowed(v))),
            Expr::Path(p) => Ok(Self::lookup(p, scopes)),
            Expr::Call(helper, args, pos) => self.call(*helper, args, *pos, scopes).map(Some),
        }
    }

    fn eval_or_null(&self, e: &'a Expr, scopes: &[Scope<'a>]) -> std::result::Result<Cow<'a, Value>, Failure> {
        Ok(self.eval(e, scopes)?.unwrap_or(Cow::Owned(Value::Null)))
    }

    fn required(&self, e: &'a Expr, scopes: &[Scope<'a>], pos: At) -> std::result::Result<Cow<'a, Value>, Failure> {
        self.eval(e, scopes)?.ok_or_else(|| (pos, format!("{} is missing from the message context", describe(e))))
    }

    fn call(
        &self,
        helper: Helper,
        args: &'a [Expr],
        pos: At,
        scopes: &[Scope<'a>],
    ) -> std::result::Result<Cow<'a, Value>, Failure> {
        let pair = |s: &Self| -> std::result::Result<(Cow<'a, Value>, Cow<'a, Value>), Failure> {
            let [x, y] = args else { return Err((pos, "expected two arguments".into())) };
            Ok((s.required(x, scopes, pos)?, s.required(y, scopes, pos)?))
        };
        let truth = match helper {
            Helper::Eq => pair(self).map(|(x, y)| x == y)?,
            Helper::Ne => pair(self).map(|(x, y)| x != y)?,
            Helper::Gt => pair(self).map(|(x, y)| compare(&x, &y) == Some(Ordering::Greater))?,
            Helper::Gte => {
                pair(self).map(|(x, y)| matches!(compare(&x, &y), Some(Ordering::Greater | Ordering::Equal)))?
            }
            Helper::Lt => pair(self).map(|(x, y)| compare(&x, &y) == Some(Ordering::Less))?,
            Helper::Lte => {
                pair(self).map(|(x, y)| matches!(compare(&x, &y), Some(Ordering::Less | Ordering::Equal)))?
            }
            Helper::And | Helper::Or => {
                let mut all = true;
                let mut any = false;
                for a in args {
                    let t = truthy(self.eval_or_null(a, scopes)?.as_ref());
                    all &= t;
                    any |= t;
                }
                if helper == Helper::And {
                    all
                } else {
                    any
                }
            }
            Helper::Not => {
                let [x] = args else { return Err((pos, "expected one argument".into())) };
                !truthy(self.required(x, scopes, pos)?.as_ref())
            }
            Helper::Format(f) => {
                let values =
                    args.iter().map(|a| self.eval_or_null(a, scopes)).collect::<std::result::Result<Vec<_>, _>>()?;
                let text = (self.format)(f, &values, self.root, self.html).map_err(|m| (pos, m))?;
                return Ok(Cow::Owned(Value::String(text)));
            }
            Helper::If | Helper::Unless | Helper::Each | Helper::With => {
                return Err((pos, format!("`{}` opens a block", helper.name())))
            }
        };
        Ok(Cow::Owned(Value::Bool(truth)))
    }

    fn nodes(&mut self, nodes: &'a [Node], scopes: &mut Vec<Scope<'a>>) -> std::result::Result<(), Failure> {
        for node in nodes {
            match node {
                Node::Text(t) => self.out.push_str(t),
                Node::Output(e) => {
                    let pos = match e {
                        Expr::Path(p) => p.pos,
                        Expr::Call(_, _, pos) => *pos,
                        Expr::Literal(_) => At(0),
                    };
                    let value = self.required(e, scopes, pos)?;
                    let mut text = String::new();
                    write_value(&value, &mut text);
                    let raw_html = matches!(e, Expr::Call(Helper::Format(Format::InvoiceTable), _, _));
                    if self.html && !raw_html {
                        text = html_escape(&text);
                    }
                    self.out.push_str(&text);
                }
                Node::Block(b) => self.block(b, scopes)?,
            }
        }
        Ok(())
    }

    fn block(&mut self, b: &'a Block, scopes: &mut Vec<Scope<'a>>) -> std::result::Result<(), Failure> {
        let [arg, ..] = b.args.as_slice() else { return Err((b.pos, "a block needs an argument".into())) };
        match b.helper {
            Helper::Each => match self.eval(arg, scopes)? {
                Some(Cow::Borrowed(Value::Array(items))) if !items.is_empty() => {
                    let count = items.len();
                    for (index, item) in items.iter().enumerate() {
                        scopes.push(Scope { value: item, item: Some((index, count)) });
                        let done = self.nodes(&b.body, scopes);
                        scopes.pop();
                        done?;
                    }
                    Ok(())
                }
                _ => self.nodes(&b.inverse, scopes),
            },
            Helper::With => match self.eval(arg, scopes)? {
                Some(Cow::Borrowed(value)) if truthy(value) => {
                    let item = scopes.last().and_then(|s| s.item);
                    scopes.push(Scope { value, item });
                    let done = self.nodes(&b.body, scopes);
                    scopes.pop();
                    done
                }
                _ => self.nodes(&b.inverse, scopes),
            },
            Helper::If | Helper::Unless => {
                let t = truthy(self.eval_or_null(arg, scopes)?.as_ref());
                self.nodes(if t == (b.helper == Helper::If) { &b.body } else { &b.inverse }, scopes)
            }
            helper => {
                let t = truthy(self.call(helper, &b.args, b.pos, scopes)?.as_ref());
                self.nodes(if t { &b.body } else { &b.inverse }, scopes)
            }
        }
    }
}

fn describe(e: &Expr) -> String {
    match e {
        Expr::Path(p) => format!("`{}`", p.raw),
        Expr::Call(h, _, _) => format!("the value of `{}`", h.name()),
        Expr::Literal(_) => "a literal".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "name": "Brasserie <du> Parc",
            "count": 2,
            "amount": "1234.50",
            "nothing": null,
            "party": {"city": "Lyon"},
            "items": [{"number": "F-1"}],
        })
    }

    fn compile(source: &str) -> Result<Template> {
        Template::compile(source, &schema(), true, "templates.fr.x.body")
    }

    fn format(helper: Format, args: &[Cow<'_, Value>], _: &Value, html: bool) -> std::result::Result<String, String> {
        let first = args.first().map_or(Value::Null, |v| v.as_ref().clone());
        Ok(match helper {
            Format::InvoiceTable if html => "<table></table>".to_owned(),
            _ => format!("<{first}>"),
        })
    }

    fn render(source: &str, data: &Value, html: bool) -> std::result::Result<String, RenderFailure> {
        compile(source).unwrap_or_else(|e| panic!("{source}: {e}")).render(data, html, &format)
    }

    #[test]
    fn refused_constructs_name_the_field_and_the_place() {
        let cases: [(&str, ErrorCode, &str); 27] = [
            (
                "x\n  {{{name}}}",
                ErrorCode::InvalidTemplate,
                "unescaped output `{{{ }}}` is not allowed: values are always escaped (line 2, column 3)",
            ),
            ("{{&name}}", ErrorCode::InvalidTemplate, "unescaped output"),
            ("{{> footer}}", ErrorCode::InvalidTemplate, "partials and decorators"),
            ("{{#> footer}}x{{/footer}}", ErrorCode::InvalidTemplate, "partials and decorators"),
            ("{{* decorate}}", ErrorCode::InvalidTemplate, "partials and decorators"),
            ("{{{{raw}}}}x{{{{/raw}}}}", ErrorCode::InvalidTemplate, "raw blocks"),
            (
                "{{money amount currency=1}}",
                ErrorCode::InvalidTemplate,
                "named parameters (`currency=`) are not supported (line 1, column 16)",
            ),
            ("{{#each items as |item|}}x{{/each}}", ErrorCode::InvalidTemplate, "block parameters"),
            ("{{items.[0]}}", ErrorCode::UnknownVariable, "bracketed paths"),
            ("{{money}}", ErrorCode::InvalidTemplate, "`money` takes one argument, not 0 (line 1, column 3)"),
            ("{{plural count \"a\"}}", ErrorCode::InvalidTemplate, "`plural` takes 3 arguments, not 2"),
            ("{{eq count 1 2}}", ErrorCode::InvalidTemplate, "`eq` takes 2 arguments, not 3"),
            ("{{#money amount}}x{{/money}}", ErrorCode::InvalidTemplate, "`money` is not a block helper"),
            ("{{if count}}", ErrorCode::InvalidTemplate, "`if` opens a block"),
            ("{{money (each items)}}", ErrorCode::InvalidTemplate, "cannot be a subexpression"),
            ("a\n{{#if count}}x", ErrorCode::InvalidTemplate, "`{{#if}}` opened at line 2, column 4 is never closed"),
            ("x{{/if}}", ErrorCode::InvalidTemplate, "`{{/if}}` closes no block (line 1, column 2)"),
            (
                "{{#if count}}x{{/each}}",
                ErrorCode::InvalidTemplate,
                "`{{/each}}` closes `{{#if}}` opened at line 1, column 4",
            ),
            ("{{else}}", ErrorCode::InvalidTemplate, "`{{else}}` outside a block"),
            ("{{#if count}}a{{else}}b{{else}}c{{/if}}", ErrorCode::InvalidTemplate, "a second `{{else}}`"),
            ("{{! never closed", ErrorCode::InvalidTemplate, "this comment is never closed"),
            ("{{name", ErrorCode::InvalidTemplate, "expected `}}`"),
            ("{{^name}}x{{/name}}", ErrorCode::InvalidTemplate, "inverted sections"),
            ("{{lookup party \"city\"}}", ErrorCode::UnknownHelper, "unknown helper `lookup`"),
            ("{{#if (eq count [1])}}x{{/if}}", ErrorCode::InvalidTemplate, "array and object literals"),
            ("{{@index}}", ErrorCode::UnknownVariable, "`@index` is not available here"),
            (
                "{{#each items}}{{../../name}}{{/each}}",
                ErrorCode::UnknownVariable,
                "reaches beyond the message context",
            ),
        ];
        for (source, code, needle) in cases {
            let e = compile(source).expect_err(source);
            assert_eq!((e.code(), e.path()), (code, "templates.fr.x.body"), "{source}: {e}");
            assert!(e.message().contains(needle), "{source}: {}", e.message());
        }
        let e =
            Template::compile("{{invoice_table items}}", &schema(), false, "s").expect_err("subjects have no table");
        assert_eq!(e.code(), ErrorCode::UnknownHelper);
        let e = compile("{{#with party}}{{city}}{{country}}{{/with}}").expect_err("no country");
        assert_eq!(e.code(), ErrorCode::UnknownVariable);
        assert!(e.message().ends_with("the message context has no `country` there (line 1, column 26)"), "{e}");
    }

    #[test]
    fn where_handlebars_would_fail_the_render_we_render_what_the_template_means() {
        let data = json!({"name": "n", "count": 2, "amount": "1", "nothing": null, "party": null, "items": []});
        // A list or object the data leaves empty renders nothing, or the `else`.
        assert_eq!(
            render("[{{#each items}}{{number}}{{/each}}][{{#with party}}{{city}}{{/with}}]", &data, false).unwrap(),
            "[][]"
        );
        assert_eq!(render("{{#with party}}{{city}}{{else}}none{{/with}}", &data, false).unwrap(), "none");
        assert_eq!(render("{{items.length}} / {{@root.items.length}}", &schema(), false).unwrap(), "1 / 1");
        // A variable that is documented but absent from this data is an error at its place.
        let (pos, message) = render("\n  {{items.0.number}}", &data, false).unwrap_err();
        assert_eq!(
            (pos.to_string(), message.as_str()),
            ("line 2, column 5".to_owned(), "`items.0.number` is missing from the message context")
        );
    }

    #[test]
    fn values_and_formatted_text_are_escaped_in_html_but_the_table_is_html() {
        let source = "{{name}} {{money name}} {{invoice_table}}";
        assert_eq!(render(source, &schema(), false).unwrap(), "Brasserie <du> Parc <\"Brasserie <du> Parc\"> <null>");
        assert_eq!(
            render(source, &schema(), true).unwrap(),
            "Brasserie &lt;du&gt; Parc &lt;&quot;Brasserie &lt;du&gt; Parc&quot;&gt; <table></table>"
        );
        assert_eq!(
            html_escape("<a href=\"x\">'&`</a>"),
            "&lt;a href&#x3D;&quot;x&quot;&gt;&#x27;&amp;&#x60;&lt;/a&gt;"
        );
    }

    #[test]
    fn comparisons_read_a_number_in_a_string_and_truth_is_handlebars_truth() {
        let data = schema();
        let cases = [
            ("{{gt amount 1000}}", "true"),
            ("{{lt amount \"999\"}}", "true"), // two strings compare as text, as in Handlebars
            ("{{gte count 2}} {{lte count 1.5}} {{ne count \"2\"}}", "true false true"),
            (
                "{{eq party.city 'Lyon'}} {{not nothing}} {{and count name}} {{or nothing 0 \"\"}}",
                "true true true false",
            ),
            ("{{#if (gt count 1)}}many{{else if count}}one{{else}}none{{/if}}", "many"),
            (
                "{{#unless nothing}}a{{/unless}}{{#eq count 2}}b{{else}}c{{/eq}}{{#if 0}}d{{/if}}{{#if 0.5}}e{{/if}}",
                "abe",
            ),
            ("{{#each items}}{{@index}}{{@first}}{{@last}}{{number}}{{../count}}{{/each}}", "0truetrueF-12"),
        ];
        for (source, expected) in cases {
            assert_eq!(render(source, &data, false).unwrap(), expected, "{source}");
        }
    }
}
