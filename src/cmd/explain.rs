//! `guard explain`: how a command line is understood (commands, facts, fired rules), or a
//! rule's documentation.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::engine::{Input, Session};
use crate::exit;
use crate::format::Format;
use crate::policy::Rule;
use serde_json::json;
use std::fmt::Write;
use std::process::ExitCode;

pub use crate::cmd::rules::example_failures;

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
    let _ = writeln!(s, "\nConditions (all from {}):", r.source);
    let _ = writeln!(s, "  fact = {}", r.matcher.fact);
    let show = |v: &serde_json::Value| serde_json::to_string(v).unwrap_or_default();
    for (k, v) in &r.matcher.when {
        let _ = writeln!(s, "  {k} = {}", show(v));
    }
    for (k, v) in &r.matcher.unless {
        let _ = writeln!(s, "  unless {k} = {}", show(v));
    }
    for (k, v) in &r.matcher.context {
        let _ = writeln!(s, "  context {k} = {}", show(v));
    }
    let _ = writeln!(s, "Source: {}", r.source);
    s
}

/// The exceptions of the config that name rule `id`, one line each (file, scope, reason, expiry).
fn exceptions_of(rules: &crate::policy::RuleSet, id: &str) -> String {
    let mut s = String::new();
    for e in rules.config.exceptions.iter().filter(|e| e.rules.iter().any(|r| r == id)) {
        let scope = [
            e.program.as_ref().map(|p| format!("program {p}")),
            (!e.targets.is_empty()).then(|| format!("targets {}", e.targets.join(", "))),
            e.environment.as_ref().map(|x| format!("environment {x}")),
            e.actor.as_ref().map(|x| format!("actor {x}")),
            e.path.as_ref().map(|x| format!("path {x}")),
        ];
        let scope: Vec<String> = scope.into_iter().flatten().collect();
        let until = e.expiry().map(|d| format!(", expires {d}")).unwrap_or_default();
        let _ = writeln!(s, "  {}: {} ({}{until})", e.source, if scope.is_empty() { "everywhere".into() } else { scope.join("; ") }, e.reason);
    }
    if s.is_empty() { s } else { format!("\nExceptions:\n{s}") }
}

/// `guard explain TARGET`: a rule id prints the rule's documentation; anything else is
/// analysed as a command line and the commands, facts and fired rules are printed.
pub fn run(format: Format, target: &str) -> exit::Result {
    if !matches!(format, Format::Human | Format::Json) {
        return Err(crate::exit::Error::guard("explain: --format is human or json"));
    }
    let session = Session::load()?;
    let rules = &session.rules;
    if let Some(r) = rules.get(target) {
        match format {
            Format::Json => println!("{}", serde_json::to_string_pretty(r).unwrap_or_default()),
            Format::Human => print!("{}{}", rule_doc(r), exceptions_of(rules, &r.id)),
            _ => print!("{}{}", rule_doc(r), exceptions_of(rules, &r.id)),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let eval = session.evaluate(&Input::bash(target, &session.cwd).traced());
    let (analysis, decision) = (&eval.analysis, &eval.decision);
    let fired = || decision.findings.iter().filter_map(|f| rules.rules().get(f.rule).map(|r| (r, f.fact)));
    if format == Format::Json {
        let fired: Vec<_> = fired().map(|(r, fact)| json!({"rule": r.id, "action": r.action, "fact": fact})).collect();
        println!(
            "{}",
            json!({"commands": analysis.trace, "facts": analysis.facts, "findings": fired, "verdict": decision.verdict})
        );
        return Ok(ExitCode::SUCCESS);
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
    for (r, fact) in fired() {
        println!("  {} ({}) on fact [{}]: {}\n      why: {}", r.id, r.action, fact, r.summary, r.why);
        if let Some(h) = &r.hint {
            println!("      hint: {h}");
        }
    }
    println!("\nVerdict: {}", decision.verdict);
    Ok(ExitCode::SUCCESS)
}
