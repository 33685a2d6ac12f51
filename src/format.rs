//! Output format of `check` and `explain`.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

/// Output format of `check` and `explain` (`--format`).
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Diagnostics for people: rule id, message, the source line with a caret.
    Human,
    /// One JSON object (see docs/json.md).
    Json,
}
