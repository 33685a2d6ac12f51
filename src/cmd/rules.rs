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

/// `guard rules lint`: problems of the effective rules and config, one line each on stdout:
/// exceptions naming unknown rule ids, expired exceptions, shadowed rules (a rule with the
/// same match as another whose action is at least as strong, so it never changes a verdict),
/// and loosening attempts of untrusted layers that were ignored. Exit 0 when there are none,
/// 1 otherwise.
pub fn lint() -> exit::Result {
    let session = Session::load()?;
    let problems = lint_problems(&session.rules, session.context.time.get(..10).unwrap_or_default());
    for p in &problems {
        println!("{p}");
    }
    println!("{} problem(s)", problems.len());
    Ok(ExitCode::from(if problems.is_empty() { 0 } else { exit::FINDINGS }))
}

/// The problems [`lint`] reports, for `rules` on `today` (`YYYY-MM-DD`).
pub fn lint_problems(rules: &RuleSet, today: &str) -> Vec<String> {
    let mut out = vec![];
    for e in &rules.config.exceptions {
        for id in &e.rules {
            if rules.get(id).is_none() {
                out.push(format!("{}: exception names unknown rule id {id:?} (see `guard rules list`)", e.source));
            }
        }
        if e.expired(today) {
            out.push(format!(
                "{}: exception for [{}] expired on {} and no longer applies ({}); remove it or renew it",
                e.source,
                e.rules.join(", "),
                e.expiry().unwrap_or_default(),
                e.reason
            ));
        }
    }
    let all = rules.rules();
    for (i, r) in all.iter().enumerate() {
        let same = |o: &crate::policy::Rule| {
            o.matcher.fact == r.matcher.fact
                && o.matcher.when == r.matcher.when
                && o.matcher.unless == r.matcher.unless
                && o.matcher.context == r.matcher.context
        };
        let shadow = all.iter().enumerate().find(|(j, o)| *j != i && same(o) && (o.action > r.action || (o.action == r.action && *j < i)));
        if let Some((_, o)) = shadow.filter(|_| r.action != crate::policy::Action::Allow) {
            out.push(format!(
                "{}: rule {} ({}) is shadowed by {} ({}, {}): same match, so it never changes a verdict",
                r.source, r.id, r.action, o.id, o.action, o.source
            ));
        }
    }
    for n in rules.notes().iter().chain(&rules.config.notes) {
        out.push(format!("loosening ignored: {n}"));
    }
    out
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
