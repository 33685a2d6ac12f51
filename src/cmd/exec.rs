//! The guarded path shared by wrap and shell mode: report, confirm `ask` on a terminal,
//! append the audit record, then exec the command — reachable only with a
//! [`Clearance`] — or refuse.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::approval::{self, Approval};
use crate::context::{ask_typed, ask_yes, person_tty};
use crate::engine::{Clearance, Evaluation, Refusal, Session};
use crate::exit::{self, Error};
use crate::record;
use crate::report;
use serde_json::Value;
use std::io::IsTerminal;

/// One guarded run: the way in (`wrap` or `shell`), the redacted input for the record and the
/// secrets of the raw input ([`crate::redact::secrets`]).
pub struct Guarded<'a> {
    /// `wrap` or `shell` (the record's `mode`).
    pub mode: &'a str,
    /// The redacted input, recorded as is.
    pub input: Value,
    /// Secrets of the raw input, masked wherever they reappear.
    pub secrets: &'a [String],
    /// The raw input: the argv or shell arguments, then the analysed text (hashed into
    /// [`approval::input_sha256`], which a one-time approval covers).
    pub raw: &'a [&'a str],
}

/// The person's answer to an `ask`, as recorded (`answer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Nobody was asked: no person at a terminal (an AI agent, CI, or no terminal).
    NoPerson,
    /// The person answered yes.
    Yes,
    /// The person answered no (anything but yes).
    No,
    /// The person typed the target's name, as a critical rule asks.
    Typed,
    /// The person typed something else than the target's name.
    Mistyped,
}

impl Answer {
    /// The record's `answer` value (`None` when nobody was asked).
    pub fn recorded(self) -> Option<&'static str> {
        match self {
            Answer::NoPerson => None,
            Answer::Yes => Some("yes"),
            Answer::No => Some("no"),
            Answer::Typed => Some("typed"),
            Answer::Mistyped => Some("mistyped"),
        }
    }

    fn confirmed(self) -> bool {
        matches!(self, Answer::Yes | Answer::Typed)
    }
}

/// The name a person must type to confirm a critical `ask`: the target of the first fact a
/// critical rule fired on (database, kube context, namespace, host, cloud account), else the
/// program; `None` when no critical rule fired.
fn critical_name(session: &Session, eval: &Evaluation) -> Option<String> {
    let rules = session.rules.rules();
    let f = eval.decision.findings.iter().find(|f| rules.get(f.rule).is_some_and(|r| r.critical && r.action == crate::policy::Action::Ask))?;
    let cv = eval.contexts.get(f.fact);
    let keys = ["target.database", "target.kube_context", "target.namespace", "target.host", "target.cloud_account", "program"];
    let name = keys.iter().find_map(|k| cv.and_then(|c| c.get(k)).and_then(|v| v.as_str()).map(str::to_string));
    Some(name.unwrap_or_else(|| "yes".into()))
}

/// Asks the person at the terminal (`/dev/tty`, never stdin or stdout, which the command
/// owns); never asks when the actor is not a person ([`person_tty`]), and then says why.
fn confirm(session: &Session, eval: &Evaluation) -> (Answer, Option<String>) {
    let tty = match person_tty(&session.context) {
        Ok(t) => t,
        Err(why) => return (Answer::NoPerson, Some(why)),
    };
    let answer = match critical_name(session, eval) {
        Some(name) if ask_typed(&tty, &format!("guard: this is critical; type {name:?} to run it anyway:"), &name) => Answer::Typed,
        Some(_) => Answer::Mistyped,
        None if ask_yes(&tty, "guard: run it anyway?") => Answer::Yes,
        None => Answer::No,
    };
    (answer, None)
}

/// Consumes a person's one-time approval of exactly this run ([`approval::Store::consume`]),
/// if there is one; a forged, expired or mismatched one is reported and does nothing.
fn approved(session: &Session, digest: &str) -> Option<Approval> {
    let store = approval::Store::locate(&session.rules.config)?;
    match store.consume(digest, session.context.uid, approval::now()) {
        Ok(a) => a,
        Err(why) => {
            eprintln!("guard: note: approval ignored: {why}");
            None
        }
    }
}

/// The line a person runs to approve the refused run recorded as `seq` in `log`.
fn approve_line(session: &Session, seq: u64) -> String {
    let cfg = crate::audit::AuditConfig::from_env().ok();
    let mut line = format!("guard approve {seq}");
    if let Some(c) = &cfg {
        line.push_str(&format!(" --log {}", shlex::try_quote(&c.log.display().to_string()).unwrap_or_default()));
        if approval::Store::locate(&session.rules.config).is_some_and(|s| s.privileged) {
            let pubkey = crate::audit::pub_path(&c.key);
            line.push_str(&format!(" --pubkey {}", shlex::try_quote(&pubkey.display().to_string()).unwrap_or_default()));
        }
    }
    line
}

/// Reports the findings of `eval` on stderr, confirms an `ask`, writes the audit record, then
/// calls `exec` (which replaces the process; it returns only the error of a failed exec).
/// Returns only when nothing ran: [`exit::REFUSED`] for a refusal, [`exit::ERROR`] when the analysis did not complete
/// or no record could be written (nothing runs), 127/126 when the exec fails. In observe mode
/// ([`crate::config::Enforcement::Observe`]) a refusal is recorded (outcome `observed`) and
/// the command runs.
pub fn guarded(g: Guarded, session: &Session, eval: &Evaluation, exec: impl FnOnce(Clearance) -> std::io::Error) -> Error {
    let rules = &session.rules;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (enforcement, mode_note) = rules.config.enforcement(std::env::var("GUARD_MODE").ok().as_deref());
    for n in rules.config.notes.iter().chain(rules.notes()).chain(&eval.decision.notes).chain(&mode_note) {
        eprintln!("guard: note: {n}");
    }
    for (f, x) in &eval.decision.waived {
        if let (Some(r), Some(e)) = (rules.rules().get(f.rule), rules.config.exceptions.get(*x)) {
            let until = e.expiry().map(|d| format!(", until {d}")).unwrap_or_default();
            eprintln!("guard: {} waived by the exception in {}: {}{until}", r.id, e.source, e.reason);
        }
    }
    if !eval.decision.findings.is_empty() {
        let name = if g.mode == "wrap" { "command" } else { "script" };
        eprint!("{}", report::human(&eval.outcome(name), rules, color));
    }
    let mut answer = Answer::NoPerson;
    let mut nobody = None;
    let mut approval = None;
    let ctx = &session.context;
    let input_sha256 = approval::input_sha256(g.mode, g.raw);
    let fired: Vec<String> = eval.decision.findings.iter().filter_map(|f| rules.rules().get(f.rule)).map(|r| r.id.clone()).collect();
    let cleared = eval.clear_under(enforcement, || {
        (answer, nobody) = confirm(session, eval);
        if answer == Answer::NoPerson {
            approval = approved(session, &approval::digest(&input_sha256, &ctx.cwd, &fired));
            return approval.is_some();
        }
        answer.confirmed()
    });
    let outcome = match &cleared {
        Ok(c) if c.observed().is_some() => "observed",
        Ok(c) if c.approved() => "approved",
        Ok(_) => "ran",
        Err(_) => "refused",
    };
    let mut extra = serde_json::Map::new();
    // A refused ask a person may approve: the hash the approval covers.
    let approvable = matches!(cleared, Err(Refusal::NotConfirmed)) && answer == Answer::NoPerson;
    if approvable {
        extra.insert("input_sha256".into(), Value::String(input_sha256.clone()));
    }
    if let Some(a) = &approval {
        extra.insert(
            "approved_by".into(),
            serde_json::json!({ "record": a.record, "log": a.log, "approver": a.approver, "approver_uid": a.approver_uid, "approved_at": a.approved_at }),
        );
    }
    let recorded = record::write_with(g.mode, g.input, g.secrets, eval, rules, ctx, outcome, answer.recorded(), extra);
    let appended = match recorded {
        Ok(a) => a,
        Err(e) => return Error::guard(format_args!("{e}\nguard: no audit record could be written, so nothing was run")),
    };
    if let Some(a) = &approval {
        eprintln!("guard: approved once by {} (approval of audit record {})", a.approver, a.record);
    }
    let clearance = match cleared {
        Ok(c) => c,
        Err(Refusal::Incomplete(why)) => {
            return Error::guard(format_args!("the analysis did not complete ({why}), so nothing was run"));
        }
        Err(r) => {
            let why = match (r, answer) {
                (Refusal::NotConfirmed, Answer::No) => "the person at the terminal declined".to_string(),
                (Refusal::NotConfirmed, Answer::Mistyped) => "the name typed did not match the target".to_string(),
                (Refusal::NotConfirmed, _) => format!(
                    "needs confirmation by a person at a terminal (ask), and {}; nothing was run\n\
                     guard: a person can approve exactly this command once (valid {} minutes) from their own terminal with:\n  {}",
                    nobody.as_deref().unwrap_or("nobody was asked"),
                    approval::VALID_FOR / 60,
                    approve_line(session, appended.seq)
                ),
                _ => "denied".to_string(),
            };
            let end = if why.contains("nothing was run") { "" } else { "; nothing was run" };
            return Error::new(exit::REFUSED, format!("guard: refused: {why}{end}"));
        }
    };
    if clearance.observed().is_some() {
        eprintln!("guard: observe mode: this would have been refused; running it (recorded as observed)");
    }
    let err = exec(clearance);
    let code = if err.kind() == std::io::ErrorKind::NotFound { exit::NOT_FOUND } else { exit::REFUSED };
    Error::new(code, format!("guard: cannot run the command: {err}"))
}
