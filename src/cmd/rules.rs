//! `guard rules list|test`: the effective rules, and every rule checked against its examples.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::engine::{self, Session};
use crate::examples;
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

/// Checks every example of every rule (see [`crate::examples::rule_failures`]), from the
/// working directory.
pub fn example_failures(rules: &RuleSet) -> Vec<String> {
    examples::rule_failures(rules, &engine::current_dir())
}

/// `guard rules test`: exit 0 if every example behaves, 1 otherwise.
pub fn test() -> exit::Result {
    let session = Session::load()?;
    let rules = &session.rules;
    let cwd = engine::current_dir();
    let mut failures = examples::rule_failures(rules, &cwd);
    let mut total = examples::rule_count(rules);
    match crate::catalog::Catalog::with_builtin(&cwd) {
        Ok(c) => {
            total += examples::catalog_count(&c);
            failures.extend(examples::catalog_failures(&c, rules, &cwd));
        }
        Err(e) => failures.push(e.to_string()),
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!("{} examples, {} failed", total, failures.len());
    Ok(ExitCode::from(if failures.is_empty() { 0 } else { exit::FINDINGS }))
}
