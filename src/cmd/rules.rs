//! `guard rules list|test`: the effective rules, and every rule checked against its examples.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::context::Context;
use crate::engine::{self, Input, Session};
use crate::exit;
use crate::policy::RuleSet;
use std::process::ExitCode;

/// `guard rules list`: id, action, source and summary of every effective rule; notes about
/// ignored loosening attempts on stderr.
pub fn list() -> exit::Result {
    let session = Session::load()?;
    for r in session.rules.rules() {
        println!("{:<32} {:<5} {:<22} {}", r.id, r.action.as_str(), r.source, r.summary);
    }
    for n in session.rules.notes() {
        eprintln!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks every example of every rule through [`engine::evaluate`]: each `block` example must
/// make the rule fire and each `allow` example must not. Returns one line per failure.
pub fn example_failures(rules: &RuleSet) -> Vec<String> {
    let cwd = engine::current_dir();
    let context = Context::detect();
    let mut failures = vec![];
    for (ri, r) in rules.rules().iter().enumerate() {
        for (line, must_fire) in r.examples.block.iter().map(|e| (e, true)).chain(r.examples.allow.iter().map(|e| (e, false))) {
            let eval = engine::evaluate(&Input::bash(line, &cwd), rules, &context);
            let fired = eval.decision.findings.iter().any(|f| f.rule == ri);
            if fired != must_fire {
                let facts: Vec<&str> = eval.analysis.facts.iter().map(|f| f.kind.as_str()).collect();
                failures.push(format!(
                    "{}: {} example {:?} {} (facts: {:?})",
                    r.id,
                    if must_fire { "block" } else { "allow" },
                    line,
                    if must_fire { "did not fire" } else { "fired" },
                    facts
                ));
            }
        }
    }
    failures
}

/// `guard rules test`: exit 0 if every example behaves, 1 otherwise.
pub fn test() -> exit::Result {
    let session = Session::load()?;
    let rules = &session.rules;
    let mut failures = example_failures(rules);
    let mut total: usize = rules.rules().iter().map(|r| r.examples.block.len() + r.examples.allow.len()).sum();
    let cwd = crate::engine::current_dir();
    match crate::catalog::Catalog::with_builtin(&cwd) {
        Ok(c) => {
            total += crate::examples::catalog_count(&c);
            failures.extend(crate::examples::catalog_failures(&c, rules, &cwd));
        }
        Err(e) => failures.push(e.to_string()),
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!("{} examples, {} failed", total, failures.len());
    Ok(ExitCode::from(if failures.is_empty() { 0 } else { exit::FINDINGS }))
}
