//! `guard explain` (how a line is understood, or a rule's documentation) and `guard rules`.

use crate::analyze::Analyzer;
use crate::check::analyze_text;
use crate::cli::{Format, EXIT_ERROR};
use crate::policy::{Rule, RuleSet};
use serde_json::json;
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn load() -> Result<RuleSet, ExitCode> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    RuleSet::load(&cwd).map_err(|e| {
        eprintln!("guard: {e}");
        ExitCode::from(EXIT_ERROR)
    })
}

/// Renders a rule the way linters document theirs: what it does, why, example, use instead.
pub fn rule_doc(r: &Rule) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({})\n\n  {}\n\nWhy is this bad?\n  {}", r.id, r.action, r.summary, r.why);
    if let Some(h) = &r.hint {
        let _ = writeln!(s, "\nUse instead:\n  {h}");
    }
    if !r.examples.block.is_empty() {
        let _ = writeln!(s, "\nExamples it blocks:");
        for e in &r.examples.block {
            let _ = writeln!(s, "  {e}");
        }
    }
    if !r.examples.allow.is_empty() {
        let _ = writeln!(s, "\nExamples it allows:");
        for e in &r.examples.allow {
            let _ = writeln!(s, "  {e}");
        }
    }
    let _ = writeln!(s, "\nMatches: {}", serde_json::to_string(&r.matcher).unwrap_or_default());
    let _ = writeln!(s, "Source: {}", r.source);
    s
}

/// `guard explain TARGET`: a rule id prints the rule's documentation; anything else is
/// analysed as a command line and the commands, facts and fired rules are printed.
pub fn run(format: Format, target: &str) -> ExitCode {
    let rules = match load() {
        Ok(r) => r,
        Err(c) => return c,
    };
    if let Some(r) = rules.get(target) {
        match format {
            Format::Json => println!("{}", serde_json::to_string_pretty(r).unwrap_or_default()),
            Format::Human => print!("{}", rule_doc(r)),
        }
        return ExitCode::SUCCESS;
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let analysis = analyze_text(Analyzer::new(&cwd).traced(), "<command>", target);
    let decision = rules.decide(&analysis.facts);
    if format == Format::Json {
        let fired: Vec<_> = decision
            .findings
            .iter()
            .map(|f| json!({"rule": rules.rules()[f.rule].id, "action": rules.rules()[f.rule].action, "fact": f.fact}))
            .collect();
        println!(
            "{}",
            json!({"commands": analysis.trace, "facts": analysis.facts, "findings": fired, "verdict": decision.verdict})
        );
        return ExitCode::SUCCESS;
    }
    println!("Commands (indented = nested inside a wrapper or shell):");
    for t in &analysis.trace {
        println!("  {t}");
    }
    println!("\nFacts:");
    if analysis.facts.is_empty() {
        println!("  (none)");
    }
    for (i, f) in analysis.facts.iter().enumerate() {
        let attrs = serde_json::to_string(&f.attrs).unwrap_or_default();
        println!("  [{i}] {}  {}\n      {attrs}", f.kind, f.summary);
    }
    println!("\nRules:");
    if decision.findings.is_empty() {
        println!("  (none fired)");
    }
    for f in &decision.findings {
        let r = &rules.rules()[f.rule];
        println!("  {} ({}) on fact [{}]: {}\n      why: {}", r.id, r.action, f.fact, r.summary, r.why);
        if let Some(h) = &r.hint {
            println!("      hint: {h}");
        }
    }
    println!("\nVerdict: {}", decision.verdict);
    ExitCode::SUCCESS
}

/// `guard rules list`.
pub fn rules_list() -> ExitCode {
    let rules = match load() {
        Ok(r) => r,
        Err(c) => return c,
    };
    for r in rules.rules() {
        println!("{:<32} {:<5} {:<22} {}", r.id, r.action.as_str(), r.source, r.summary);
    }
    for n in rules.notes() {
        eprintln!("note: {n}");
    }
    ExitCode::SUCCESS
}

/// Checks every example of every rule: each `block` example must make the rule fire and each
/// `allow` example must not. Returns one line per failure.
pub fn example_failures(rules: &RuleSet) -> Vec<String> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut failures = vec![];
    for (ri, r) in rules.rules().iter().enumerate() {
        for (line, must_fire) in r.examples.block.iter().map(|e| (e, true)).chain(r.examples.allow.iter().map(|e| (e, false))) {
            let a = analyze_text(Analyzer::new(&cwd), "<example>", line);
            let fired = rules.decide(&a.facts).findings.iter().any(|f| f.rule == ri);
            if fired != must_fire {
                let facts: Vec<&str> = a.facts.iter().map(|f| f.kind.as_str()).collect();
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
pub fn rules_test() -> ExitCode {
    let rules = match load() {
        Ok(r) => r,
        Err(c) => return c,
    };
    let mut failures = example_failures(&rules);
    let mut total: usize = rules.rules().iter().map(|r| r.examples.block.len() + r.examples.allow.len()).sum();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    match crate::catalog::Catalog::load(&cwd) {
        Ok(c) => {
            total += crate::examples::catalog_count(&c);
            failures.extend(crate::examples::catalog_failures(&c, &rules, &cwd));
        }
        Err(e) => failures.push(e.to_string()),
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!("{} examples, {} failed", total, failures.len());
    ExitCode::from(if failures.is_empty() { 0 } else { 1 })
}
