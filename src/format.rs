//! Output format of `check` and `explain`.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

/// Output format of `check` and `explain` (`--format`). `explain` knows `human` and `json`.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Diagnostics for people: rule id, message, the source line with a caret.
    Human,
    /// One JSON object (see docs/json.md).
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs); `check` only.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...`), one per finding; `check` only.
    Github,
    /// One line per finding, `file:line:col: severity: message [rule]`; `check` only.
    Gcc,
}
