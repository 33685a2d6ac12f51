//! The guarded path shared by wrap and shell mode: report, confirm `ask` on a terminal,
//! append the audit record, then exec the command — reachable only with a
//! [`Clearance`] — or refuse.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::context::{ask_yes, person_tty, Context};
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
}

/// Asks a person on the terminal. Never asks when an AI agent or CI is detected, or when
/// there is no terminal: then `ask` is a refusal.
fn confirm(ctx: &Context) -> bool {
    person_tty(ctx).is_some_and(|tty| ask_yes(&tty, "guard: run it anyway?"))
}

/// Reports the findings of `eval` on stderr, confirms an `ask`, writes the audit record, then
/// calls `exec` (which replaces the process; it returns only the error of a failed exec).
/// Returns only when nothing ran: [`exit::REFUSED`] for a refusal, [`exit::ERROR`] when the analysis did not complete
/// or no record could be written (nothing runs), 127/126 when the exec fails.
pub fn guarded(g: Guarded, session: &Session, eval: &Evaluation, exec: impl FnOnce(Clearance) -> std::io::Error) -> Error {
    let rules = &session.rules;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if !eval.decision.findings.is_empty() {
        let name = if g.mode == "wrap" { "command" } else { "script" };
        eprint!("{}", report::human(&eval.outcome(name), rules, color));
    }
    let cleared = eval.clear(|| confirm(&session.context));
    let outcome = match &cleared {
        Ok(c) if c.approved() => "approved",
        Ok(_) => "ran",
        Err(_) => "refused",
    };
    if let Err(e) = record::write(g.mode, g.input, g.secrets, eval, rules, &session.context, outcome) {
        return Error::guard(format_args!("{e}\nguard: no audit record could be written, so nothing was run"));
    }
    let clearance = match cleared {
        Ok(c) => c,
        Err(Refusal::Incomplete(why)) => {
            return Error::guard(format_args!("the analysis did not complete ({why}), so nothing was run"));
        }
        Err(r) => {
            let why = if r == Refusal::NotConfirmed { "needs confirmation on a terminal (ask)" } else { "denied" };
            return Error::new(exit::REFUSED, format!("guard: refused: {why}; nothing was run"));
        }
    };
    let err = exec(clearance);
    let code = if err.kind() == std::io::ErrorKind::NotFound { exit::NOT_FOUND } else { exit::REFUSED };
    Error::new(code, format!("guard: cannot run the command: {err}"))
}
