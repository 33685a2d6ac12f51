//! `guard trust [--list | --revoke]`: a person approves the exact content of this project's
//! rule and catalog files (`.guard/rules`, `.guard/catalog`) (see [`crate::trust`] for the store and what an approval allows).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::context::{ask_yes, person_tty, Context};
use crate::engine;
use crate::exit::{self, Error};
use crate::policy::{project_rules_dir, toml_files};
use crate::trust::{entry, store};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn fail(msg: impl std::fmt::Display) -> Error {
    Error::new(exit::ERROR, format!("guard trust: {msg}"))
}

/// `guard trust [--list | --revoke]`: shows the project's rule files and records a person's
/// approval of their exact content, lists approvals, or revokes this project's.
/// Exit 0 when done, 1 when the person declines, 2 when there is no person at a terminal
/// (or an AI agent or CI is detected), no project rule files, or the store cannot be written.
pub fn run(list: bool, revoke: bool) -> exit::Result {
    let Some(store) = store() else { return Err(fail("no configuration directory to keep approvals in")) };
    let existing = std::fs::read_to_string(&store).unwrap_or_default();
    if list {
        print!("{existing}");
        return Ok(ExitCode::SUCCESS);
    }
    let cwd = engine::current_dir();
    let dirs: Vec<_> = project_rules_dir(&cwd).into_iter().chain(crate::catalog::project_dir(&cwd)).collect();
    let config = crate::config::project_file(&cwd);
    if dirs.is_empty() && config.is_none() {
        return Err(fail("no .guard/rules or .guard/catalog directory or .guard/config.toml here or in a parent"));
    }
    let files: Vec<_> = dirs.iter().flat_map(|d| toml_files(d)).chain(config).collect();
    let shown = dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(" and ");
    let mut entries = vec![];
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(text) => entries.push((f.clone(), text)),
            Err(e) => return Err(fail(format_args!("{}: {e}", f.display()))),
        }
    }
    let paths: Vec<String> = entries.iter().map(|(p, t)| entry(p, t).split_once("  ").map(|x| x.1.to_string()).unwrap_or_default()).collect();
    let mut kept: Vec<&str> = existing.lines().filter(|l| !paths.iter().any(|p| l.ends_with(&format!("  {p}")))).collect();
    if !revoke {
        // stdin too: the approval must come from the person at this terminal.
        let tty = person_tty(&Context::detect()).and_then(|t| if std::io::stdin().is_terminal() { Ok(t) } else { Err("standard input is not a terminal".into()) });
        let tty = tty.map_err(|why| fail(format_args!("approving rules needs a person at a terminal (and no AI agent or CI session): {why}")))?;
        let mut w = &tty;
        for (p, text) in &entries {
            let _ = writeln!(w, "==> {} (sha256 {})\n{text}", p.display(), entry(p, text).get(..64).unwrap_or_default());
        }
        let question = format!("guard: trust these {} file(s) exactly as shown, so they may loosen guard's rules?", entries.len());
        if !ask_yes(&tty, &question) {
            return Err(Error::new(exit::FINDINGS, "guard trust: not trusted"));
        }
    }
    let added: Vec<String> = if revoke { vec![] } else { entries.iter().map(|(p, t)| entry(p, t)).collect() };
    kept.extend(added.iter().map(String::as_str));
    let mut out = kept.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    if let Some(parent) = store.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(e) = std::fs::write(&store, out) {
        return Err(fail(format_args!("{}: {e}", store.display())));
    }
    eprintln!("guard trust: {} {} file(s) of {shown}", if revoke { "revoked" } else { "trusted" }, entries.len());
    Ok(ExitCode::SUCCESS)
}
