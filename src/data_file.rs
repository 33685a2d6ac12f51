//! What the rule packs and the command catalog have in common: TOML files embedded at build
//! time (converted to JSON by `build.rs`), and errors that name the file, line and column.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Command lines a rule or catalog entry must block and must allow, checked by the test suite
/// and `guard rules test` through the whole pipeline. For a rule, `block` lines must make the
/// rule fire and `allow` lines must not; for a catalog entry, `block` lines must get `ask` or
/// `deny` and `allow` lines `allow` or `warn`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Lines that must be blocked (or on which the rule must fire).
    #[serde(default)]
    pub block: Vec<String>,
    /// Lines that must run (or on which the rule must not fire).
    #[serde(default)]
    pub allow: Vec<String>,
    /// Context values the examples run in (`actor = "agent"`, `environment = "production"`);
    /// unset: a person at a terminal, no target read.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub context: std::collections::BTreeMap<String, serde_json::Value>,
}

impl Examples {
    /// Every line with whether it must be blocked: the `block` lines, then the `allow` lines.
    pub fn lines(&self) -> impl Iterator<Item = (&str, bool)> {
        let block = self.block.iter().map(|l| (l.as_str(), true));
        block.chain(self.allow.iter().map(|l| (l.as_str(), false)))
    }

    /// How many lines there are.
    pub fn len(&self) -> usize {
        self.block.len() + self.allow.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A data file (rule file, catalog file) that could not be loaded, with the place to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// The file (`builtin:sql.toml`, a path).
    pub file: String,
    /// 1-based line, or 0 when unknown.
    pub line: usize,
    /// 1-based column in characters, or 0 when unknown.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl DataError {
    /// An error in `file` with no known position.
    pub fn whole(file: impl Into<String>, message: impl Into<String>) -> DataError {
        DataError { file: file.into(), line: 0, column: 0, message: message.into() }
    }

    /// An error at byte `offset` of `text`, the content of `file`.
    pub fn at(file: impl Into<String>, text: &str, offset: usize, message: impl Into<String>) -> DataError {
        let (line, column) = line_col(text, offset);
        DataError { file: file.into(), line, column, message: message.into() }
    }

    /// A TOML syntax or shape error of `text`, the content of `file`, at the span toml reports.
    pub fn toml(file: impl Into<String>, text: &str, e: &toml::de::Error) -> DataError {
        match e.span() {
            Some(s) => DataError::at(file, text, s.start, e.message()),
            None => DataError::whole(file, e.message()),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for DataError {}

/// A file embedded at build time: its TOML source (the source of truth, used to locate errors
/// and hashed where the content matters) and the JSON `build.rs` made from it (parsed at run
/// time: serde_json is several times faster than TOML).
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    /// File name in its directory (`sql.toml`).
    pub name: &'static str,
    /// The TOML source.
    pub toml: &'static str,
    /// The same content as JSON.
    pub json: &'static str,
}

/// The 1-based line and column (in characters) of byte `offset` in `text`; an offset inside a
/// character counts as its start, one past the end as the end.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..text.floor_char_boundary(offset)).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The `*.toml` files of `dir`, sorted by name (empty if `dir` cannot be read): one layer of
/// rule or catalog files.
pub fn toml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect())
        .unwrap_or_default();
    v.sort();
    v
}
