//! `guard trust`: a person approves the exact content of a project's rule files
//! (`.guard/rules/*.toml`), the way `direnv allow` approves an `.envrc`.
//!
//! A project's rule files are written by whoever works in the project, including the agent
//! being guarded, so by default they may only tighten the rules (see [`crate::policy`]). Once
//! a person has approved a file's exact content on a terminal, that content may also loosen
//! them (replace a rule, add an `allow` exception). Any edit makes the file untrusted again.
//!
//! Approvals live outside the project, in `$XDG_CONFIG_HOME/guard/trusted`: one line per file,
//! `SHA256-HEX  ABSOLUTE-PATH`.

use crate::cli::EXIT_ERROR;
use crate::context::{ask_yes, person_tty, Context};
use crate::policy::{hex, project_rules_dir, toml_files};
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The approval store, `$XDG_CONFIG_HOME/guard/trusted`, if a config directory is known.
pub fn store() -> Option<PathBuf> {
    dirs::config_dir().map(|c| c.join("guard/trusted"))
}

fn entry(path: &Path, text: &str) -> String {
    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    format!("{}  {}", hex(&Sha256::digest(text.as_bytes())), abs.display())
}

/// True if a person approved exactly `text` as the content of the rule file at `path`.
pub fn is_trusted(path: &Path, text: &str) -> bool {
    let Some(store) = store() else { return false };
    let want = entry(path, text);
    std::fs::read_to_string(store).is_ok_and(|s| s.lines().any(|l| l == want))
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("guard trust: {msg}");
    ExitCode::from(EXIT_ERROR)
}

/// `guard trust [--list | --revoke]`: shows the project's rule files and records a person's
/// approval of their exact content, lists approvals, or revokes this project's.
/// Exit 0 when done, 1 when the person declines, 2 when there is no person at a terminal
/// (or an AI agent or CI is detected), no project rule files, or the store cannot be written.
pub fn run(list: bool, revoke: bool) -> ExitCode {
    let Some(store) = store() else { return fail("no configuration directory to keep approvals in") };
    let existing = std::fs::read_to_string(&store).unwrap_or_default();
    if list {
        print!("{existing}");
        return ExitCode::SUCCESS;
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let Some(dir) = project_rules_dir(&cwd) else { return fail("no .guard/rules directory here or in a parent") };
    let files = toml_files(&dir);
    let mut entries = vec![];
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(text) => entries.push((f.clone(), text)),
            Err(e) => return fail(format_args!("{}: {e}", f.display())),
        }
    }
    let paths: Vec<String> = entries.iter().map(|(p, t)| entry(p, t).split_once("  ").map(|x| x.1.to_string()).unwrap_or_default()).collect();
    let mut kept: Vec<&str> = existing.lines().filter(|l| !paths.iter().any(|p| l.ends_with(&format!("  {p}")))).collect();
    if !revoke {
        // stdin too: the approval must come from the person at this terminal.
        let tty = person_tty(&Context::detect()).filter(|_| std::io::stdin().is_terminal());
        let Some(tty) = tty else {
            return fail("approving rules needs a person at a terminal (and no AI agent or CI session)");
        };
        let mut w = &tty;
        for (p, text) in &entries {
            let _ = writeln!(w, "==> {} (sha256 {})\n{text}", p.display(), &entry(p, text)[..64]);
        }
        let question = format!("guard: trust these {} file(s) exactly as shown, so they may loosen guard's rules?", entries.len());
        if !ask_yes(&tty, &question) {
            eprintln!("guard trust: not trusted");
            return ExitCode::from(1);
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
        return fail(format_args!("{}: {e}", store.display()));
    }
    eprintln!("guard trust: {} {} file(s) of {}", if revoke { "revoked" } else { "trusted" }, entries.len(), dir.display());
    ExitCode::SUCCESS
}
