//! `guard check`: static verdicts on scripts, SQL files and command lines. Never runs anything
//! and writes no audit record.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::engine::{Evaluation, Input, Session};
use crate::exit::{self, Error};
use crate::format::Format;
use crate::policy::Action;
use crate::report;
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Evaluates every input (name, text), spread over the available cores (inputs are
/// independent); results come back in input order.
fn evaluate_all(inputs: &[(String, String)], session: &Session) -> Vec<Evaluation> {
    let evaluate = |(name, text): &(String, String)| session.evaluate(&Input::file(name, text, &session.cwd));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(inputs.len());
    if workers <= 1 {
        return inputs.iter().map(evaluate).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Evaluation>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let (Some(input), Some(slot)) = (inputs.get(i), slots.get(i)) else { break };
                    let result = evaluate(input);
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    slots.into_iter().filter_map(|m| m.into_inner().ok().flatten()).collect()
}

/// Reads the inputs: the command line `command` (named `<command>`), then each file (`-` is
/// standard input, named `<stdin>`). Errors name the file; status [`exit::ERROR`].
fn read_inputs(command: Option<&str>, files: &[PathBuf]) -> exit::Result<Vec<(String, String)>> {
    let mut inputs: Vec<(String, String)> = vec![];
    if let Some(c) = command {
        inputs.push(("<command>".into(), c.to_string()));
    }
    for f in files {
        if f.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| Error::guard(format_args!("<stdin>: {e}")))?;
            inputs.push(("<stdin>".into(), s));
            continue;
        }
        match std::fs::read(f) {
            Ok(b) => inputs.push((f.display().to_string(), String::from_utf8_lossy(&b).into_owned())),
            Err(e) => return Err(Error::guard(format_args!("{}: {e}", f.display()))),
        }
    }
    Ok(inputs)
}

/// Runs `guard check`. Exit 0 for allow/warn, 1 for ask/deny, 2 for unreadable input or rules.
/// `pinned` context values (`--actor`, `--environment`) replace the detected ones.
pub fn run(format: Format, command: Option<&str>, files: &[PathBuf], pinned: crate::policy::ContextValues) -> exit::Result {
    let mut session = Session::load()?;
    session.context.pinned = pinned;
    let rules = &session.rules;
    let inputs = read_inputs(command, files)?;
    let mut verdict = Action::Allow;
    let mut findings = vec![];
    let mut human = String::new();
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let evaluated = evaluate_all(&inputs, &session);
    for ((name, _), eval) in inputs.iter().zip(&evaluated) {
        verdict = verdict.max(eval.decision.verdict);
        let o = eval.outcome(name);
        match format {
            Format::Json => findings.extend(report::json_findings(&o, rules)),
            Format::Human => human.push_str(&report::human(&o, rules, color)),
        }
    }
    match format {
        Format::Json => println!("{}", json!({ "verdict": verdict, "findings": findings, "rules_hash": rules.hash })),
        Format::Human => {
            print!("{human}");
            println!("verdict: {verdict}");
        }
    }
    Ok(ExitCode::from(if verdict >= Action::Ask { exit::FINDINGS } else { 0 }))
}
