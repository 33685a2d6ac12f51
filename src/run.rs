//! The guarded ways in: wrap mode (`guard -- ARGV`) and shell mode (`guard -c SCRIPT`):
//! analyse, decide, confirm `ask` on a terminal, append the audit record, then exec or refuse.
//! Also `guard audit verify|show`.

use crate::analyze::{self, Analysis};
use crate::audit::{self, AuditConfig};
use crate::bash_args::{self, ShellInput};
use crate::cli::{EXIT_ERROR, EXIT_REFUSED};
use crate::context::{ask_yes, person_tty, Context};
use crate::policy::{Action, Decision, RuleSet};
use crate::redact;
use crate::report::{self, Outcome};
use serde_json::{json, Map, Value};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Version of the audit record layout (field `v`).
pub const RECORD_VERSION: u64 = 1;

fn error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("guard: {msg}");
    ExitCode::from(EXIT_ERROR)
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}

/// `guard -- PROGRAM ARGS...`: analyse the argv as one simple command, then exec it.
pub fn wrap(argv: &[OsString]) -> ExitCode {
    let strs: Vec<String> = argv.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let dir = cwd();
    let rules = match RuleSet::load(&dir) {
        Ok(r) => r,
        Err(e) => return error(format_args!("{e}\nguard: the rules do not load, so nothing was run")),
    };
    let (text, analysis) = analyze::analyze_argv(&strs, &dir);
    let input = json!({ "argv": redact::redact_argv(&strs) });
    let raw: Vec<&str> = strs.iter().map(String::as_str).chain([text.as_str()]).collect();
    let secrets = redact::secrets(&raw);
    guarded("wrap", &text, input, &secrets, analysis, &rules, || std::process::Command::new(&argv[0]).args(&argv[1..]).exec())
}

/// Shell mode: bash-compatible arguments (`-c SCRIPT`, `-lc`, `-euo pipefail -c`, a script
/// file). Analyses the whole script, then execs the real shell with the same arguments.
pub fn shell(args: &[OsString]) -> ExitCode {
    let strs: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let parsed = match bash_args::parse(&strs) {
        Ok(p) => p,
        Err(e) => return error(e),
    };
    let real = real_shell();
    let real = match real {
        Ok(r) => r,
        Err(e) => return error(e),
    };
    let dir = cwd();
    let rules = match RuleSet::load(&dir) {
        Ok(r) => r,
        Err(e) => return error(format_args!("{e}\nguard: the rules do not load, so nothing was run")),
    };
    let (text, name) = match &parsed.input {
        ShellInput::Command(s) => (s.clone(), "script"),
        ShellInput::File(f) => match std::fs::read(f) {
            Ok(b) => (String::from_utf8_lossy(&b).into_owned(), "file"),
            Err(e) => {
                eprintln!("guard: {f}: {e}");
                return ExitCode::from(127);
            }
        },
        ShellInput::Stdin => {
            return error(
                "reading commands from standard input (an interactive shell, or -s) is not supported yet, \
                 because guard could not check them before they run; use guard -c 'SCRIPT' or guard FILE",
            );
        }
    };
    let analysis = analyze::analyze_script(&text, &dir);
    let mut input = Map::new();
    input.insert("shell_args".into(), json!(redact::redact_argv(&strs)));
    if name == "file"
        && let ShellInput::File(f) = &parsed.input {
            input.insert("file".into(), json!(f));
        }
    input.insert("script".into(), json!(redact::redact(&text)));
    let raw: Vec<&str> = strs.iter().map(String::as_str).chain([text.as_str()]).collect();
    let secrets = redact::secrets(&raw);
    guarded("shell", &text, Value::Object(input), &secrets, analysis, &rules, || std::process::Command::new(&real).args(args).exec())
}

/// Shells that read the script as bash does closely enough for guard's analysis to hold.
/// `GUARD_SHELL` is set by whoever runs guard (possibly the guarded agent), so it may choose
/// among these but not point at another interpreter that would read the same text differently.
const REAL_SHELLS: &[&str] = &["bash", "sh", "dash", "ksh", "mksh", "zsh", "busybox"];

/// The real shell for shell mode: `$GUARD_SHELL` or `/bin/bash`, never guard itself.
fn real_shell() -> Result<PathBuf, String> {
    let shell = std::env::var_os("GUARD_SHELL").filter(|s| !s.is_empty()).map(PathBuf::from).unwrap_or_else(|| "/bin/bash".into());
    let me = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    if me.is_some() && shell.canonicalize().ok() == me {
        return Err(format!(
            "GUARD_SHELL={} is guard itself; set it to the real shell (e.g. /bin/bash)",
            shell.display()
        ));
    }
    // Both the name given and the file it resolves to (a symlink named `bash` to python
    // does not pass).
    let real = shell.canonicalize().unwrap_or_else(|_| shell.clone());
    let known = |p: &std::path::Path| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| REAL_SHELLS.contains(&n));
    if !known(&shell) || !known(&real) {
        return Err(format!(
            "GUARD_SHELL={} is not a shell guard can vouch for; use one of {} (e.g. /bin/bash)",
            shell.display(),
            REAL_SHELLS.join(", ")
        ));
    }
    Ok(shell)
}

/// Asks a person on the terminal. Never asks when an AI agent or CI is detected, or when
/// there is no terminal: then `ask` is a refusal.
fn confirm(ctx: &Context) -> bool {
    person_tty(ctx).is_some_and(|tty| ask_yes(&tty, "guard: run it anyway?"))
}

/// The common path: decide, report, confirm, record, then exec or refuse.
fn guarded(
    mode: &str,
    text: &str,
    input: Value,
    secrets: &[String],
    analysis: Analysis,
    rules: &RuleSet,
    exec: impl FnOnce() -> std::io::Error,
) -> ExitCode {
    let decision = rules.decide(&analysis.facts);
    let ctx = Context::detect();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if !decision.findings.is_empty() {
        let o = Outcome { name: if mode == "wrap" { "command" } else { "script" }, text, facts: &analysis.facts, decision: &decision };
        eprint!("{}", report::human(&o, rules, color));
    }
    let outcome = match decision.verdict {
        Action::Allow | Action::Warn => "ran",
        Action::Ask => {
            if confirm(&ctx) {
                "approved"
            } else {
                "refused"
            }
        }
        Action::Deny => "refused",
    };
    if let Err(e) = write_record(mode, input, secrets, &analysis, &decision, rules, &ctx, outcome) {
        return error(format_args!("{e}\nguard: no audit record could be written, so nothing was run"));
    }
    if outcome == "refused" {
        let why = if decision.verdict == Action::Ask { "needs confirmation on a terminal (ask)" } else { "denied" };
        eprintln!("guard: refused: {why}; nothing was run");
        return ExitCode::from(EXIT_REFUSED);
    }
    let err = exec();
    eprintln!("guard: cannot run the command: {err}");
    ExitCode::from(if err.kind() == std::io::ErrorKind::NotFound { 127 } else { 126 })
}

/// Appends the audit record of one decision (fields documented in docs/audit.md), with
/// secrets redacted. `input` is already redacted; `secrets` ([`redact::secrets`] of the raw
/// input) are also masked wherever they reappear in `input` and in the facts (an SQL parser
/// error quoting a password, a summary without the quotes). Errors say which file and what
/// to fix; callers fail closed on them.
#[allow(clippy::too_many_arguments)]
pub fn write_record(
    mode: &str,
    mut input: Value,
    secrets: &[String],
    analysis: &Analysis,
    decision: &Decision,
    rules: &RuleSet,
    ctx: &Context,
    outcome: &str,
) -> Result<(), audit::AuditError> {
    let cfg = AuditConfig::from_env()?;
    let mut facts = report::json_facts(&analysis.facts);
    redact::redact_json(&mut facts);
    redact::scrub(&mut facts, secrets);
    redact::scrub(&mut input, secrets);
    let fired = |f: fn(&crate::policy::Rule) -> &str| -> Value {
        json!(decision.findings.iter().map(|x| f(&rules.rules()[x.rule])).collect::<Vec<_>>())
    };
    let fields = json!({
        "v": RECORD_VERSION,
        "time": ctx.time,
        "host": ctx.host,
        "user": ctx.user,
        "uid": ctx.uid,
        "cwd": ctx.cwd,
        "agent": ctx.agent,
        "ci": ctx.ci,
        "pid": std::process::id(),
        "mode": mode,
        "input": input,
        "facts": facts,
        "rules": fired(|r| r.id.as_str()),
        "reasons": fired(|r| r.summary.as_str()),
        "verdict": decision.verdict,
        "outcome": outcome,
        "rules_hash": rules.hash,
        "guard_version": env!("CARGO_PKG_VERSION"),
    });
    let fields = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    audit::append(&cfg, fields).map(|_| ())
}

/// `guard audit verify`: exit 0 if every record verifies, 1 with the first bad line, 2 if the
/// log or keys cannot be read.
pub fn audit_verify(log: Option<PathBuf>, pubkeys: &[PathBuf]) -> ExitCode {
    let cfg = AuditConfig::from_env();
    let log = match (log, &cfg) {
        (Some(l), _) => l,
        (None, Ok(c)) => c.log.clone(),
        (None, Err(e)) => return error(e),
    };
    let keys = if pubkeys.is_empty() {
        match &cfg {
            Ok(c) => match audit::local_verifying_key(&c.key) {
                Ok(k) => vec![k],
                Err(e) => return error(e),
            },
            Err(e) => return error(e),
        }
    } else {
        let mut v = vec![];
        for p in pubkeys {
            match audit::load_verifying_key(p) {
                Ok(k) => v.push(k),
                Err(e) => return error(e),
            }
        }
        v
    };
    if !log.exists() {
        return error(format_args!("{}: no such audit log", log.display()));
    }
    match audit::verify(&log, &keys) {
        Ok(r) => {
            println!("{}: ok: {} records verified, last seq {}", log.display(), r.records, r.last_seq);
            ExitCode::SUCCESS
        }
        // Line 0: the log could not be read at all (a directory, an I/O error): exit 2.
        Err(e) if e.line == 0 => error(e),
        Err(e) => {
            eprintln!("{}: {e}", log.display());
            ExitCode::from(1)
        }
    }
}

/// `guard audit show`: prints the last `n` records.
pub fn audit_show(log: Option<PathBuf>, n: usize) -> ExitCode {
    let log = match log.map(Ok).unwrap_or_else(|| AuditConfig::from_env().map(|c| c.log)) {
        Ok(l) => l,
        Err(e) => return error(e),
    };
    match std::fs::read_to_string(&log) {
        Ok(t) => {
            let lines: Vec<&str> = t.lines().collect();
            for l in &lines[lines.len().saturating_sub(n)..] {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => error(format_args!("{}: {e}", Path::new(&log).display())),
    }
}
