//! psql scripts: meta-commands and `:variables`.
use crate::fact::{Fact, Span};

/// The result of [`analyze_psql`].
#[derive(Debug, Clone, Default)]
pub struct PsqlAnalysis {
    /// Facts of the SQL and of the meta-commands.
    pub facts: Vec<Fact>,
    /// Shell commands the script runs.
    pub shell_commands: Vec<(String, Span)>,
    /// Files the script includes.
    pub includes: Vec<(String, Span)>,
}

/// Analyzes a psql script.
pub fn analyze_psql(text: &str) -> PsqlAnalysis {
    PsqlAnalysis { facts: super::analyze(text, super::Dialect::Postgres), ..Default::default() }
}
