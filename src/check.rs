//! `guard check`: static verdicts on scripts, SQL files and command lines. Never runs anything
//! and writes no audit record.

use crate::analyze::{db, Analysis, Analyzer};
use crate::shell::SpanMap;
use crate::cli::{Format, EXIT_ERROR};
use crate::policy::{Action, Decision, RuleSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use crate::report::{self, Outcome};
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Analyses `text` as SQL (`.sql` files) or bash (everything else) with `a`.
pub fn analyze_text(mut a: Analyzer, name: &str, text: &str) -> Analysis {
    if name.ends_with(".sql") {
        db::analyze_sql_file(&mut a, text);
    } else {
        a.shell_text(text, SpanMap::top(text.len()), 0);
    }
    a.finish()
}

/// Analyses and decides every input, spread over the available cores (inputs are
/// independent); results come back in input order.
fn decide_all(inputs: &[(String, String)], rules: &RuleSet, cwd: &Path) -> Vec<(Analysis, Decision)> {
    let decide = |(name, text): &(String, String)| {
        let analysis = analyze_text(Analyzer::new(cwd), name, text);
        let decision = rules.decide(&analysis.facts);
        (analysis, decision)
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(inputs.len());
    if workers <= 1 {
        return inputs.iter().map(decide).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<(Analysis, Decision)>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    let result = decide(input);
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    slots.into_iter().filter_map(|m| m.into_inner().ok().flatten()).collect()
}

/// Runs `guard check`. Exit 0 for allow/warn, 1 for ask/deny, 2 for unreadable input or rules.
pub fn run(format: Format, command: Option<&str>, files: &[PathBuf]) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let rules = match RuleSet::load(&cwd) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("guard: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut inputs: Vec<(String, String)> = vec![];
    if let Some(c) = command {
        inputs.push(("<command>".into(), c.to_string()));
    }
    for f in files {
        if f.as_os_str() == "-" {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("guard: <stdin>: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
            inputs.push(("<stdin>".into(), s));
            continue;
        }
        match std::fs::read(f) {
            Ok(b) => inputs.push((f.display().to_string(), String::from_utf8_lossy(&b).into_owned())),
            Err(e) => {
                eprintln!("guard: {}: {e}", f.display());
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    let mut verdict = Action::Allow;
    let mut findings = vec![];
    let mut human = String::new();
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let decided = decide_all(&inputs, &rules, &cwd);
    for ((name, text), (analysis, decision)) in inputs.iter().zip(&decided) {
        verdict = verdict.max(decision.verdict);
        let o = Outcome { name, text, facts: &analysis.facts, decision };
        match format {
            Format::Json => findings.extend(report::json_findings(&o, &rules)),
            Format::Human => human.push_str(&report::human(&o, &rules, color)),
        }
    }
    match format {
        Format::Json => println!("{}", json!({ "verdict": verdict, "findings": findings, "rules_hash": rules.hash })),
        Format::Human => {
            print!("{human}");
            println!("verdict: {verdict}");
        }
    }
    ExitCode::from(if verdict >= Action::Ask { 1 } else { 0 })
}
