//! `guard hook AGENT`: the agent hook protocols. The agent sends the tool call it is about to
//! make as JSON on stdin; guard answers with its decision as JSON on stdout, and appends an
//! audit record (mode `hook`) like any other decision.
//!
//! - `claude` (Claude Code `PreToolUse` hooks, tool `Bash`): input `{"tool_name": "Bash",
//!   "tool_input": {"command": "..."}, "cwd": "..."}`; output
//!   `{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny"|"ask",
//!   "permissionDecisionReason": "..."}}`. For allow and warn guard prints no decision, so the
//!   agent's own permission settings still apply (guard never approves on a person's behalf).
//! - `gemini` (Gemini CLI `BeforeTool` hooks, tool `run_shell_command`): same input shape;
//!   output `{"decision": "deny", "reason": "..."}` for deny and ask (the protocol has no ask).
//!
//! Exit status: 0 when a decision was printed or nothing needed saying; 2 when the input is not
//! valid hook JSON, rules do not load or the record cannot be written — hook runners treat a
//! non-zero status as a blocking error, so guard fails closed there too.

use crate::analyze;
use crate::cli::EXIT_ERROR;
use crate::context::Context;
use crate::policy::{Action, RuleSet};
use crate::redact;
use crate::run::write_record;
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// The agent protocols `guard hook` speaks.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Agent {
    /// Claude Code PreToolUse.
    Claude,
    /// Gemini CLI BeforeTool.
    Gemini,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("guard hook: {msg}");
    ExitCode::from(EXIT_ERROR)
}

/// Runs one hook call: reads the JSON event from stdin, prints the decision.
pub fn run(agent: Agent) -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        return fail(format_args!("cannot read stdin: {e}"));
    }
    let event: Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => return fail(format_args!("stdin is not JSON: {e}")),
    };
    let tool = event["tool_name"].as_str().unwrap_or_default();
    let shell_tool = matches!(tool, "Bash" | "run_shell_command" | "shell" | "exec_command");
    let Some(command) = event["tool_input"]["command"].as_str().filter(|_| shell_tool) else {
        // Not a shell command: nothing for guard to decide.
        return ExitCode::SUCCESS;
    };
    let cwd = event["cwd"]
        .as_str()
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    let rules = match RuleSet::load(&cwd) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let analysis = analyze::analyze_script(command, &cwd);
    let decision = rules.decide(&analysis.facts);
    let mut ctx = Context::detect();
    if ctx.agent.is_none() {
        ctx.agent = Some(format!("{agent:?}").to_lowercase());
    }
    let outcome = match decision.verdict {
        Action::Allow | Action::Warn => "passed",
        Action::Ask => "asked",
        Action::Deny => "refused",
    };
    let input = json!({ "script": redact::redact(command), "tool": tool });
    let secrets = redact::secrets(&[command]);
    if let Err(e) = write_record("hook", input, &secrets, &analysis, &decision, &rules, &ctx, outcome) {
        return fail(e);
    }
    let reason = decision
        .findings
        .iter()
        .map(|f| {
            let r = &rules.rules()[f.rule];
            let hint = r.hint.as_deref().map(|h| format!(" Instead: {h}")).unwrap_or_default();
            format!("guard {} [{}]: {} — {}.{hint}", r.action, r.id, analysis.facts[f.fact].summary, r.summary)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let out = match (agent, decision.verdict) {
        (_, Action::Allow | Action::Warn) => return ExitCode::SUCCESS,
        (Agent::Claude, v) => json!({"hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": v.as_str(),
            "permissionDecisionReason": reason,
        }}),
        (Agent::Gemini, _) => json!({"decision": "deny", "reason": reason}),
    };
    println!("{out}");
    ExitCode::SUCCESS
}
