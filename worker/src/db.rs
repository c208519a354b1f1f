//! The one door to the database: SQL text with bound parameters, nothing else. D1 implements it on
//! the edge; the native tests implement it on SQLite, the engine D1 runs, with the same migrations.

use serde_json::{Map, Value};
use std::fmt;

/// A bound parameter. Integers stay below 2^53 (D1 passes numbers through JavaScript).
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
}

impl From<&str> for Param {
    fn from(s: &str) -> Param {
        Param::Text(s.to_owned())
    }
}

impl From<String> for Param {
    fn from(s: String) -> Param {
        Param::Text(s)
    }
}

impl From<&String> for Param {
    fn from(s: &String) -> Param {
        Param::Text(s.clone())
    }
}

impl From<i64> for Param {
    fn from(n: i64) -> Param {
        Param::Int(n)
    }
}

impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Param {
        v.map_or(Param::Null, Into::into)
    }
}

/// One statement: SQL text (a constant, never built from input) and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// The SQL, with `?1`, `?2`... placeholders.
    pub sql: &'static str,
    /// The values bound to the placeholders.
    pub params: Vec<Param>,
}

impl Stmt {
    /// A statement with its parameters.
    pub fn new(sql: &'static str, params: Vec<Param>) -> Stmt {
        Stmt { sql, params }
    }
}

/// A result row, by column name.
pub type Row = Map<String, Value>;

/// A database failure (connection, constraint, SQL): the request or run fails as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError(pub String);

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "database: {}", self.0)
    }
}

/// What the worker needs of a database.
#[allow(async_fn_in_trait)] // single-threaded runtimes (workerd, the tests): no Send bound wanted
pub trait Database {
    /// Runs one statement and returns its rows (none for a write).
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError>;
    /// Runs statements as one transaction: all or nothing. Returns the rows changed by each.
    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<u64>, DbError>;
    /// The rows the engine has read so far for this handle (D1's billing measure), where it says.
    fn rows_read(&self) -> u64 {
        0
    }
}

/// Text column of a row.
pub fn text(row: &Row, col: &str) -> Option<String> {
    row.get(col).and_then(Value::as_str).map(str::to_owned)
}

/// Integer column of a row (D1 hands numbers back as JavaScript numbers).
pub fn int(row: &Row, col: &str) -> Option<i64> {
    row.get(col).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}
