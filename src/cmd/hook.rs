//! `guard hook AGENT`: answer an agent's pre-tool hook, failing closed on any abnormal end.
//!
//! The process the agent starts (the parent) reads the event, then re-executes the current
//! binary (`guard hook AGENT --in-child`, the event on its stdin) to analyse, decide, record
//! and answer. The parent passes a normal answer through, and turns everything else — a
//! panic, a stack overflow, running out of memory, a signal, output that is not the
//! protocol's JSON, or no answer within [`BUDGET`] — into the agent's deny (deny JSON on
//! stdout, the reason on stderr, exit 2): agents let a tool call through when a hook crashes
//! or times out (see [`crate::hook::ADAPTERS`] and docs/hooks.md).
//!
//! Exit status: 0 when a decision was printed or nothing needed saying; 2 when the call is
//! blocked because the input is not valid hook JSON, rules do not load, the record cannot be
//! written or the analysis ended abnormally.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::engine::{Input, Session};
use crate::exit::{self, Error};
use crate::fault::{self, Fault};
use crate::hook::{Agent, BUDGET, SHELL_TOOLS};
use crate::policy::Action;
use crate::record;
use crate::redact;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The hidden flag that makes `guard hook AGENT` the analysing child.
pub const CHILD_FLAG: &str = "--in-child";

/// Blocks the call: the agent's deny JSON (reason `reason`) on stdout, `reason` on stderr,
/// exit 2 — both channels, whichever the agent reads.
fn block(agent: Agent, reason: &str) -> Error {
    println!("{}", agent.deny(reason));
    Error::new(exit::ERROR, reason)
}

/// How long the child may take: [`BUDGET`], or in debug builds `GUARD_TEST_HOOK_BUDGET_MS`.
fn budget() -> Duration {
    let test = std::env::var("GUARD_TEST_HOOK_BUDGET_MS").ok().and_then(|v| v.parse().ok()).filter(|_| cfg!(debug_assertions));
    test.map_or(BUDGET, Duration::from_millis)
}

/// The parent: runs the analysing child on the event read from stdin and answers the agent.
pub fn run(agent: Agent) -> exit::Result {
    let mut event = vec![];
    if let Err(e) = std::io::stdin().read_to_end(&mut event) {
        return Err(block(agent, &format!("guard hook: cannot read stdin: {e}; the command is blocked")));
    }
    let end = match run_child(agent, event, budget()) {
        Ok(end) => end,
        Err(e) => return Err(block(agent, &format!("guard hook: cannot start the analysis: {e}; the command is blocked"))),
    };
    let Some(status) = end.status else {
        return Err(block(
            agent,
            &format!("guard hook: the analysis took longer than {} ms and was stopped; the command is blocked", budget().as_millis()),
        ));
    };
    let stderr = String::from_utf8_lossy(&end.stderr);
    let stdout = String::from_utf8_lossy(&end.stdout);
    match status.code() {
        Some(0) => {
            eprint!("{stderr}");
            if stdout.trim().is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            if serde_json::from_str::<Value>(&stdout).is_ok_and(|v| v.is_object()) {
                print!("{stdout}");
                return Ok(ExitCode::SUCCESS);
            }
            Err(block(agent, "guard hook: the analysis answered something that is not the hook's JSON; the command is blocked"))
        }
        // The child's own fail-closed error (bad input, rules, audit log): its message.
        Some(2) => Err(block(agent, stderr.trim())),
        _ => {
            eprint!("{stderr}");
            Err(block(agent, &format!("guard hook: the analysis ended abnormally ({}); the command is blocked", describe(status))))
        }
    }
}

/// How a child process ended, in words.
fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        (None, None) => "unknown status".into(),
    }
}

/// The end of the child: its status (`None` when it was stopped past its budget) and output.
struct ChildEnd {
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn reader(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = vec![];
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// Runs `guard hook AGENT --in-child` with `event` on its stdin; kills it after `budget`.
fn run_child(agent: Agent, event: Vec<u8>, budget: Duration) -> std::io::Result<ChildEnd> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args(["hook", agent.name(), CHILD_FLAG])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(std::io::Error::other("no pipes to the child"));
    };
    // A thread each, so a child that neither reads nor exits cannot block the parent.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&event);
    });
    let (out, err) = (reader(stdout), reader(stderr));
    let deadline = Instant::now() + budget;
    let status = loop {
        match child.try_wait()? {
            Some(s) => break Some(s),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };
    let _ = writer.join();
    Ok(ChildEnd { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() })
}

/// The shell command of a shell tool call: a string as is, or an argv array (`["bash", "-lc",
/// "..."]`, as some agents' `shell` tools pass it) quoted into one command line; `None` for
/// anything else (missing, null, a number, an array holding a non-string), which the caller
/// refuses.
fn shell_command(command: Option<&Value>) -> Option<String> {
    match command? {
        Value::String(s) => Some(s.clone()),
        Value::Array(words) if !words.is_empty() => {
            let words: Option<Vec<&str>> = words.iter().map(Value::as_str).collect();
            shlex::try_join(words?).ok()
        }
        _ => None,
    }
}

/// The child: reads the event from stdin, evaluates the shell command in it, appends the audit
/// record (mode `hook`) and prints the agent's decision JSON (nothing for allow and warn).
pub fn child(agent: Agent) -> exit::Result {
    let fail = |msg: String| Error::new(exit::ERROR, format!("guard hook: {msg}"));
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| fail(format!("cannot read stdin: {e}")))?;
    let event: Value = serde_json::from_str(&input).map_err(|e| fail(format!("stdin is not JSON: {e}")))?;
    let tool = event.get("tool_name").and_then(Value::as_str).unwrap_or_default();
    if !SHELL_TOOLS.contains(&tool) {
        // Not a shell command: nothing for guard to decide.
        return Ok(ExitCode::SUCCESS);
    }
    let command = shell_command(event.get("tool_input").and_then(|t| t.get("command")))
        .ok_or_else(|| fail("tool_input.command of a shell tool is neither a string nor an argv of strings".into()))?;
    let command = command.as_str();
    let cwd = event.get("cwd").and_then(Value::as_str).map(PathBuf::from).unwrap_or_else(crate::engine::current_dir);
    let mut session = Session::load_at(cwd)?;
    if session.context.agent.is_none() {
        session.context.agent = Some(agent.name().to_string());
    }
    let eval = session.evaluate(&Input::bash(command, &session.cwd));
    let rules = &session.rules;
    // An analysis that gave up never lets the call through, whatever the rules say.
    let verdict = if eval.incomplete().is_some() { Action::Deny } else { eval.decision.verdict };
    let observe = crate::record::enforcement(rules) == crate::config::Enforcement::Observe;
    let outcome = match verdict {
        Action::Allow | Action::Warn => "passed",
        _ if observe => "observed",
        Action::Ask => "asked",
        Action::Deny => "refused",
    };
    // Observe mode: decided and recorded, and the agent is let through.
    let verdict = if observe { Action::Allow } else { verdict };
    let input = json!({ "script": redact::redact(crate::record::kept(command)), "tool": tool });
    let secrets = redact::secrets(&[command]);
    record::write("hook", input, &secrets, &eval, rules, &session.context, outcome).map_err(|e| fail(e.to_string()))?;
    let gave_up = eval.incomplete().map(|why| format!("guard deny: the analysis did not complete ({why})"));
    let reason = gave_up
        .into_iter()
        .chain(eval
        .decision
        .findings
        .iter()
        .filter_map(|f| Some((rules.rules().get(f.rule)?, eval.analysis.facts.get(f.fact)?)))
        .map(|(r, fact)| {
            let hint = r.hint.as_deref().map(|h| format!(" Instead: {h}")).unwrap_or_default();
            format!("guard {} [{}]: {} — {}.{hint}", r.action, r.id, fact.summary, r.summary)
        }))
        .collect::<Vec<_>>()
        .join("\n");
    if fault::requested() == Some(Fault::Garbage) {
        println!("guard was here");
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(out) = agent.answer(verdict, &reason) {
        println!("{out}");
    }
    Ok(ExitCode::SUCCESS)
}
