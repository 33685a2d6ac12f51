//! Output format of `check` and `explain`.

/// Output format of `check` and `explain` (`--format`).
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Diagnostics for people: rule id, message, the source line with a caret.
    Human,
    /// One JSON object (see docs/json.md).
    Json,
}
