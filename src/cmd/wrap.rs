//! Wrap mode, `guard -- PROGRAM ARGS...`: analyse the argv as one simple command, then exec it
//! or refuse.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::cmd::exec::{guarded, Guarded};
use crate::engine::{Input, Session};
use crate::exit;
use crate::redact;
use serde_json::json;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;

/// Runs wrap mode on `argv` (non-empty). Returns only when nothing ran (see
/// [`guarded`]); on success the process is replaced by the command.
pub fn run(argv: &[OsString]) -> exit::Result {
    let Some((program, args)) = argv.split_first() else {
        return Err(exit::Error::guard("nothing to run"));
    };
    let strs: Vec<String> = argv.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let session = Session::load()?;
    let eval = session.evaluate(&Input::argv(&strs, &session.cwd));
    let input = json!({ "argv": redact::redact_argv(&strs) });
    let raw: Vec<&str> = strs.iter().map(String::as_str).chain([eval.text.as_str()]).collect();
    let secrets = redact::secrets(&raw);
    let g = Guarded { mode: "wrap", input, secrets: &secrets, raw: &raw };
    Err(guarded(g, &session, &eval, |_cleared| std::process::Command::new(program).args(args).exec()))
}
