//! Facts: what a command would do, as typed data. Facts are the contract between
//! analyzers (which produce them) and rules (which match them); rules never re-parse text.

use serde::Serialize;
use serde_json::{Map, Value};

/// A half-open byte range `[start, end)` into the text that was analysed
/// (the script, the argv joined with spaces, or an SQL text before it is remapped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    /// First byte, inclusive.
    pub start: usize,
    /// Last byte, exclusive.
    pub end: usize,
}

impl Span {
    /// A span from `start` (inclusive) to `end` (exclusive), in bytes.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end: end.max(start) }
    }
}

/// One thing a command would do, e.g. `sql.drop` of a table, or `fs.delete` of `/`.
///
/// `kind` is a dotted name (`family.effect`); `attrs` are the typed details rules match on
/// (`object_type = "table"`, `recursive = true`, ...); `summary` is a one-line human
/// description; `span` is where in the input it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    /// Dotted fact name, e.g. `sql.drop`, `fs.delete`, `exec.dynamic`.
    pub kind: String,
    /// Details the rules match on. Values are strings, booleans, numbers or arrays of those.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub attrs: Map<String, Value>,
    /// One line for people: `DROP TABLE users`, `rm -rf /`.
    pub summary: String,
    /// Where in the analysed text this fact came from.
    pub span: Span,
    /// The program invocation that made it (set by the analyzer; `None` for facts of the
    /// text itself or of a data flow between commands). Its target is read from it only when
    /// a rule tests a context value ([`crate::target`]).
    #[serde(skip)]
    pub origin: Option<std::sync::Arc<Origin>>,
}

/// The program invocation a fact came from, after wrappers were removed: what
/// [`crate::target`] reads the command's target from (`psql -h db-prod`, `PGHOST=x psql`,
/// `kubectl --context prod`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The program's base name (`psql`).
    pub program: String,
    /// The arguments after the program name, as resolved by the analyzer.
    pub args: Vec<String>,
    /// Which of `args` are known only at run time.
    pub dynamic: Vec<bool>,
    /// Environment assignments for this invocation (`PGHOST=x psql`, `env A=1 ...`).
    pub env: Vec<(String, String)>,
}

impl Fact {
    /// A fact of `kind` with a `summary`, no attributes, at `span`.
    pub fn new(kind: &str, summary: impl Into<String>, span: Span) -> Self {
        Fact { kind: kind.to_string(), attrs: Map::new(), summary: summary.into(), span, origin: None }
    }

    /// Builder: sets attribute `key` to `value` (anything convertible into JSON).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.attrs.insert(key.to_string(), value.into());
        self
    }
}
