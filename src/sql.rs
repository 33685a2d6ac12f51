//! TEMPORARY STUB — replaced by the sql branch.
use crate::fact::{Fact, Span};
pub enum Dialect { Postgres, MySql, Sqlite, DuckDb, Generic }
pub struct PsqlAnalysis { pub facts: Vec<Fact>, pub shell_commands: Vec<(String, Span)>, pub includes: Vec<(String, Span)> }
pub fn analyze(text: &str, _d: Dialect) -> Vec<Fact> {
    let u = text.to_uppercase();
    let mut v = vec![];
    if u.contains("DROP TABLE") { v.push(Fact::new("sql.drop", text, Span::new(0, text.len())).with("object_type", "table")); }
    if u.contains("DELETE FROM") && !u.contains("WHERE") { v.push(Fact::new("sql.delete", text, Span::new(0, text.len())).with("filter", "none")); }
    v
}
pub fn analyze_psql(text: &str) -> PsqlAnalysis { PsqlAnalysis { facts: analyze(text, Dialect::Postgres), shell_commands: vec![], includes: vec![] } }
