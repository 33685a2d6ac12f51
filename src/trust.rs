//! `guard trust`: a person approves the exact content of a project's rule files
//! (`.guard/rules/*.toml`), the way `direnv allow` approves an `.envrc`.
//!
//! A project's rule files are written by whoever works in the project, including the agent
//! being guarded, so by default they may only tighten the rules (see the policy module). Once
//! a person has approved a file's exact content on a terminal, that content may also loosen
//! them (replace a rule, add an `allow` exception). Any edit makes the file untrusted again.
//!
//! Approvals live outside the project, in `$XDG_CONFIG_HOME/guard/trusted`: one line per file,
//! `SHA256-HEX  ABSOLUTE-PATH`.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

//!
//! This module is the approval store only; the `guard trust` command is
//! `cmd::trust`. It depends on nothing in the policy module, which asks it.

use crate::audit::sha256_hex;
use std::path::{Path, PathBuf};

/// The approval store, `$XDG_CONFIG_HOME/guard/trusted`, if a config directory is known.
pub fn store() -> Option<PathBuf> {
    dirs::config_dir().map(|c| c.join("guard/trusted"))
}

/// The approval line of `text` as the content of the file at `path`:
/// `SHA256-HEX  ABSOLUTE-PATH`.
pub fn entry(path: &Path, text: &str) -> String {
    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    format!("{}  {}", sha256_hex(text.as_bytes()), abs.display())
}

/// True if a person approved exactly `text` as the content of the rule file at `path`.
pub fn is_trusted(path: &Path, text: &str) -> bool {
    let Some(store) = store() else { return false };
    let want = entry(path, text);
    std::fs::read_to_string(store).is_ok_and(|s| s.lines().any(|l| l == want))
}
