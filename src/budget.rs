//! Guard's analysis budget: how much input one analysis reads at most, so that the work is
//! bounded in time and memory on any input. Past a budget the analysis records a fact of its
//! own (`exec.over_budget`, or `exec.binary` for input that is no script at all) and stops;
//! rules deny both, and [`crate::engine::GAVE_UP`] refuses to run an input that had them
//! whatever the rules say.
//!
//! Every limit sits far above ordinary input, so no ordinary script is refused:
//!
//! | budget | limit | why this value |
//! |---|---|---|
//! | bytes of one input | [`MAX_INPUT_BYTES`] (64 MiB) | above the largest script guard is measured on (50 MB, docs/performance.md); real scripts are kilobytes |
//! | syntax nodes parsed, summed over the input and all code nested in it | [`MAX_SYNTAX_NODES`] (32 Mi) | a 50 MB script has about 15 M nodes; nested `bash -c` strings are parsed again, each level adds at most its own text |
//! | syntax nesting | [`crate::shell::MAX_DEPTH`] (256) | hand-written scripts nest a few levels; deeper trees only come from generated or hostile input |
//! | wrappers and nested shells | [`crate::analyze::MAX_NESTING`] (12) | reported as `exec.too_deep` |
//! | commands analysed through function and alias calls | [`crate::analyze::call::MAX_EXPANDED`] (20,000) | reported as `exec.too_deep` |
//!
//! Binary input ([`crate::input::is_binary`], or an argument with the control bytes of an
//! executable, [`crate::input::is_binary_arg`]) is not analysed at all: bash refuses to run a
//! binary file as a script, and parsing one only costs time.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::fact::{Fact, Span};
use crate::input;

/// Most bytes of one input (a script, a command line, an SQL file) guard analyses: 64 MiB.
pub const MAX_INPUT_BYTES: usize = 64 << 20;

/// Most syntax nodes (tree-sitter nodes of bash) one analysis parses, over the input and every
/// text nested in it (`bash -c`, `eval`, sourced files, expanded functions): 32 Mi.
pub const MAX_SYNTAX_NODES: usize = 32 << 20;

/// The fact kind recorded when an input is past a budget.
pub const OVER_BUDGET: &str = "exec.over_budget";

/// The fact kind recorded for binary input.
pub const BINARY: &str = "exec.binary";

/// An `exec.over_budget` fact: `budget` (`bytes`, `nodes`, `depth`) reached `value`, past
/// `limit`, at `span`.
pub fn over(budget: &str, value: usize, limit: usize, span: Span) -> Fact {
    Fact::new(OVER_BUDGET, format!("input past guard's analysis budget: {value} {budget}, the limit is {limit}"), span)
        .with("budget", budget)
        .with("limit", limit)
}

/// The fact that stops the analysis of a whole input `text` before it is parsed, if any: it is
/// binary (`exec.binary`) or longer than [`MAX_INPUT_BYTES`] (`exec.over_budget`).
pub fn check_text(text: &str) -> Option<Fact> {
    let whole = Span::new(0, text.len());
    if input::is_binary(text.as_bytes()) || input::is_binary_arg(text.as_bytes()) {
        return Some(binary(text.len(), whole));
    }
    (text.len() > MAX_INPUT_BYTES).then(|| over("bytes", text.len(), MAX_INPUT_BYTES, whole))
}

/// [`check_text`] for an argv (wrap mode): a binary argument, or arguments longer than
/// [`MAX_INPUT_BYTES`] together. Spans refer to the argv as one shell-quoted line of
/// `line_len` bytes.
pub fn check_argv(argv: &[String], line_len: usize) -> Option<Fact> {
    let whole = Span::new(0, line_len);
    if argv.iter().any(|a| input::is_binary(a.as_bytes()) || input::is_binary_arg(a.as_bytes())) {
        return Some(binary(argv.iter().map(String::len).sum(), whole));
    }
    let total: usize = argv.iter().map(String::len).sum();
    (total > MAX_INPUT_BYTES).then(|| over("bytes", total, MAX_INPUT_BYTES, whole))
}

fn binary(bytes: usize, span: Span) -> Fact {
    Fact::new(BINARY, "binary input (an executable or other non-text file), not a script", span).with("bytes", bytes)
}
