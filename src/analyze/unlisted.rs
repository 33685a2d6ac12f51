//! Tools nobody listed: a program with no catalog entry and no family analyzer whose
//! subcommand words hold a destructive verb (`acme db:drop`, `hostctl apps destroy web`,
//! `tool delete-branch main`) yields `exec.destructive_verb`, decided by `rules/verbs.toml`.
//!
//! The words are the first two operands of the line that look like subcommands
//! ([`crate::verbs::is_subcommand_word`]: not paths, files, URLs or text), read without an option spec
//! ([`crate::verbs::scan_argv`]: the word after an unknown option is its value), classified by
//! [`crate::verbs::classify`] against `verbs.toml`. A program run by a path (`./bin/reset-db`,
//! `scripts/drop_tables.py`) is a project script guard does not read, so its base name, less
//! an extension, is classified too; a program found on `PATH` by a bare name is not (its name
//! is a product name: `dropdb` and `wipefs` have catalog entries).
//!
//! Never here: programs with a catalog entry (the catalog decides, even an entry without
//! paths), the family analyzers' programs, the project runners ([`super::project`]: their
//! scripts are analysed instead), programs whose operands are not subcommands
//! (`verbs.toml` `operand_programs`: `echo drop`, `mkdir reset`), and functions or aliases
//! the script defines (their bodies are analysed at the call).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{Analyzer, Invocation};
use crate::fact::{Fact, Span};
use crate::verbs;

/// Analyses `inv` when its program is unlisted (the caller checked the catalog and families).
pub fn analyze(a: &mut Analyzer, inv: &Invocation) {
    let Some(first) = inv.words.first() else { return };
    let v = verbs::get();
    if v.operand_programs.contains(&inv.name) || a.calls.is_defined(inv.script, &first.text) {
        return;
    }
    let scan = verbs::scan_argv(inv.args());
    let options: Vec<&str> = scan.options.iter().map(String::as_str).collect();
    let mut found = None;
    if first.text.contains('/') {
        let stem = inv.name.rsplit_once('.').map_or(inv.name.as_str(), |(s, _)| s);
        found = verbs::classify(&[stem], &options).map(|h| (h, "program_name", first.span));
    }
    if found.is_none() {
        let words: Vec<&str> =
            scan.words.iter().filter(|w| !w.dynamic && verbs::is_subcommand_word(&w.text)).map(|w| w.text.as_str()).collect();
        let span = match (scan.words.first(), scan.words.last()) {
            (Some(x), Some(y)) => Span::new(x.span.start, y.span.end),
            _ => inv.span(),
        };
        found = verbs::classify(&words, &options).map(|h| (h, "subcommand", span));
    }
    let Some((hit, place, span)) = found else { return };
    a.push(
        Fact::new(
            "exec.destructive_verb",
            format!("{}: `{}` ({}) in a tool guard has no catalog entry for", inv.name, hit.words.join(" "), hit.verbs.join(", ")),
            span,
        )
        .with("program", inv.name.clone())
        .with("words", hit.words)
        .with("verbs", hit.verbs)
        .with("widening", hit.widening)
        .with("place", place),
    );
}
