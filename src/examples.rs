//! Rule and catalog examples, run through the one engine ([`engine::evaluate`]) as any
//! command line is: a rule's `block` lines must make it fire and its `allow` lines must not; a
//! catalog entry's `block` lines must be refused or asked about and its `allow` lines must run.
//! Used by the test suite and `guard rules test`.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::catalog::Catalog;
use crate::context::Context;
use crate::engine::{self, Evaluation, Input};
use crate::policy::{Action, RuleSet};
use std::path::Path;

fn evaluate(line: &str, rules: &RuleSet, cwd: &Path, context: &Context) -> Evaluation {
    engine::evaluate(&Input::bash(line, cwd), rules, context)
}

fn fact_kinds(e: &Evaluation) -> Vec<&str> {
    e.analysis.facts.iter().map(|f| f.kind.as_str()).collect()
}

/// Checks every example of every rule of `rules`; returns one line per failure.
pub fn rule_failures(rules: &RuleSet, cwd: &Path) -> Vec<String> {
    let mut failures = vec![];
    for (ri, r) in rules.rules().iter().enumerate() {
        let context = example_context(&r.examples);
        for (line, must_fire) in r.examples.lines() {
            let eval = evaluate(line, rules, cwd, &context);
            if eval.decision.findings.iter().any(|f| f.rule == ri) != must_fire {
                failures.push(format!(
                    "{}: {} example {line:?} {} (facts: {:?})",
                    r.id,
                    if must_fire { "block" } else { "allow" },
                    if must_fire { "did not fire" } else { "fired" },
                    fact_kinds(&eval)
                ));
            }
        }
    }
    failures
}

/// Checks every example of every entry of `catalog` against `rules`; returns one line per
/// example that misbehaves.
pub fn catalog_failures(catalog: &Catalog, rules: &RuleSet, cwd: &Path) -> Vec<String> {
    let mut failures = vec![];
    for p in catalog.programs() {
        let context = example_context(&p.examples);
        let name = p.names.first().map(String::as_str).unwrap_or_default();
        for (line, must_block) in p.examples.lines() {
            let eval = evaluate(line, rules, cwd, &context);
            let verdict = eval.decision.verdict;
            if (verdict >= Action::Ask) != must_block {
                failures.push(format!(
                    "{} ({name}): {} example {line:?} got {verdict} (facts: {:?})",
                    p.origin,
                    if must_block { "block" } else { "allow" },
                    fact_kinds(&eval)
                ));
            }
        }
    }
    failures
}

/// The fixed context examples run in: a person at a terminal ([`Context::example`]) with the
/// examples' pinned `context` values, so a verdict never depends on who runs the test.
fn example_context(examples: &crate::data_file::Examples) -> Context {
    let pinned = examples.context.iter().fold(crate::policy::ContextValues::new(), |cv, (k, v)| cv.with(k, v.clone()));
    Context::example(pinned)
}

/// How many examples the rules hold.
pub fn rule_count(rules: &RuleSet) -> usize {
    rules.rules().iter().map(|r| r.examples.len()).sum()
}

/// How many examples the catalog holds.
pub fn catalog_count(catalog: &Catalog) -> usize {
    catalog.programs().iter().map(|p| p.examples.len()).sum()
}
