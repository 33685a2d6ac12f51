//! The command catalog's examples, run through the whole pipeline (analysis and the rules):
//! each `block` line must be refused or asked about, each `allow` line must run. Used by the
//! test suite and `guard rules test`.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::analyze::Analyzer;
use crate::catalog::Catalog;
use crate::policy::{Action, RuleSet};
use crate::shell::SpanMap;
use std::path::Path;

/// Runs every catalog example against `rules`; returns one line per example that misbehaves.
pub fn catalog_failures(catalog: &Catalog, rules: &RuleSet, cwd: &Path) -> Vec<String> {
    let mut failures = vec![];
    for p in catalog.programs() {
        let name = p.names.first().map(String::as_str).unwrap_or_default();
        let lines = p.examples.block.iter().map(|e| (e, true)).chain(p.examples.allow.iter().map(|e| (e, false)));
        for (line, must_block) in lines {
            let mut a = Analyzer::new(cwd);
            a.shell_text(line, SpanMap::top(line.len()), 0);
            let analysis = a.finish();
            let verdict = rules.decide(&analysis.facts).verdict;
            if (verdict >= Action::Ask) != must_block {
                let facts: Vec<&str> = analysis.facts.iter().map(|f| f.kind.as_str()).collect();
                failures.push(format!(
                    "{} ({name}): {} example {line:?} got {verdict} (facts: {facts:?})",
                    p.origin,
                    if must_block { "block" } else { "allow" },
                ));
            }
        }
    }
    failures
}

/// How many examples the catalog holds.
pub fn catalog_count(catalog: &Catalog) -> usize {
    catalog.programs().iter().map(|p| p.examples.block.len() + p.examples.allow.len()).sum()
}
