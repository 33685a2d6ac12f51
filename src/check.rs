//! `guard check`: static verdicts on scripts, SQL files and command lines. Never runs anything
//! and writes no audit record.

use crate::analyze::{db, Analysis, Analyzer};
use crate::shell::SpanMap;
use crate::cli::{Format, EXIT_ERROR};
use crate::policy::{Action, RuleSet};
use crate::report::{self, Outcome};
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
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
    for (name, text) in &inputs {
        let analysis = analyze_text(Analyzer::new(&cwd), name, text);
        let decision = rules.decide(&analysis.facts);
        verdict = verdict.max(decision.verdict);
        let o = Outcome { name, text, facts: &analysis.facts, decision: &decision };
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
