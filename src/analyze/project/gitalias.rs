//! Git aliases (git-config(1) `alias.*`) defined outside the line that uses them: in git's
//! configuration files, or by an earlier `git config alias.NAME VALUE` in the same script.
//! [`crate::analyze::git`] expands the alias found here as it does one given with `-c` on the
//! line: as the git command it becomes, or, for a `!` alias, as shell text.
//!
//! - Files, in git's order of precedence (the first that defines the alias wins): the
//!   repository's `config` (the `.git` directory found from the working directory upward, or
//!   the directory a `.git` file's `gitdir:` names, with its `commondir`), `~/.gitconfig`,
//!   `$XDG_CONFIG_HOME/git/config` (`~/.config/git/config`), `/etc/gitconfig`. `include` and
//!   `includeIf` are not followed.
//! - A definition in the script: `git config [--global|--local|--file F|--add|...] alias.X V`
//!   and `git config set ... alias.X V` (git 2.46), recorded as the script is analysed; a later
//!   one replaces an earlier one, and wins over the files (it would be written to one).
//! - Files larger than [`crate::analyze::MAX_FILE_BYTES`] or unreadable are skipped here: git
//!   itself refuses to run with an unreadable configuration file.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::analyze::Analyzer;
use crate::shell::Word;
use std::path::{Path, PathBuf};

/// git's own commands (git(1) "GIT COMMANDS"): an alias with one of these names is ignored by
/// git (git-config(1) `alias.*`: "aliases that hide existing Git commands are ignored").
pub const BUILTINS: &[&str] = &[
    "add", "am", "apply", "archive", "bisect", "blame", "branch", "bundle", "cat-file", "checkout", "cherry", "cherry-pick",
    "clean", "clone", "commit", "config", "describe", "diff", "difftool", "fetch", "filter-branch", "for-each-ref",
    "format-patch", "fsck", "gc", "grep", "help", "init", "log", "ls-files", "ls-remote", "ls-tree", "maintenance", "merge",
    "mergetool", "mv", "notes", "prune", "pull", "push", "range-diff", "rebase", "reflog", "remote", "repack", "reset",
    "restore", "rev-list", "rev-parse", "revert", "rm", "shortlog", "show", "show-ref", "sparse-checkout", "stash", "status",
    "submodule", "switch", "symbolic-ref", "tag", "update-index", "update-ref", "version", "worktree",
];

/// An alias definition: its value, and whether it is known only at run time.
#[derive(Debug, Clone)]
pub struct Alias {
    /// The alias name, lower case (git compares keys without case).
    pub name: String,
    /// The value (`push --force`, `!rm -rf build`).
    pub value: String,
    /// True if the value is known only at run time (`git config alias.x "$CMD"`).
    pub dynamic: bool,
    /// Where it was defined (`script`, or a file name).
    pub origin: String,
}

/// Records an alias defined by a `git config` line whose operands after git's global options
/// are `ops` (`config`, ...).
pub fn record(a: &mut Analyzer, ops: &[Word]) {
    let Some((first, rest)) = ops.split_first() else { return };
    if first.text != "config" {
        return;
    }
    let mut words = rest.iter().filter(|w| w.text != "set").skip_while(|w| !w.text.to_ascii_lowercase().starts_with("alias."));
    let (Some(key), Some(value)) = (words.next(), words.next()) else { return };
    let Some(name) = key.text.get("alias.".len()..) else { return };
    let name = name.to_ascii_lowercase();
    a.git_aliases.retain(|x| x.name != name);
    if a.git_aliases.len() < 256 {
        a.git_aliases.push(Alias { name, value: value.text.clone(), dynamic: value.dynamic, origin: "script".into() });
    }
}

/// The definition of alias `name`: from the script first, then git's configuration files for
/// the directory `dir`.
pub fn lookup(a: &Analyzer, name: &str, dir: &Path) -> Option<Alias> {
    let name = name.to_ascii_lowercase();
    if let Some(x) = a.git_aliases.iter().rev().find(|x| x.name == name) {
        return Some(x.clone());
    }
    for path in config_files(dir) {
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if !meta.is_file() || meta.len() > crate::analyze::MAX_FILE_BYTES {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if let Some((_, value)) = parse_aliases(&text).into_iter().rev().find(|(n, _)| *n == name) {
            return Some(Alias { name, value, dynamic: false, origin: path.display().to_string() });
        }
    }
    None
}

/// git's configuration files for `dir`, most specific first.
fn config_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some(git) = dir.ancestors().map(|d| d.join(".git")).find(|p| p.exists()) {
        let gitdir = if git.is_file() {
            std::fs::read_to_string(&git)
                .ok()
                .and_then(|t| t.lines().find_map(|l| l.strip_prefix("gitdir:").map(|g| g.trim().to_string())))
                .map(|g| git.parent().map_or_else(|| PathBuf::from(&g), |p| p.join(&g)))
        } else {
            Some(git)
        };
        if let Some(gd) = gitdir {
            let common = std::fs::read_to_string(gd.join("commondir")).ok().map(|c| gd.join(c.trim()));
            out.push(common.unwrap_or(gd).join("config"));
        }
    }
    if let Some(home) = dirs::home_dir() {
        out.push(home.join(".gitconfig"));
    }
    let xdg = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).or_else(|| dirs::home_dir().map(|h| h.join(".config")));
    if let Some(x) = xdg {
        out.push(x.join("git/config"));
    }
    out.push(PathBuf::from("/etc/gitconfig"));
    out
}

/// Every `alias.NAME = VALUE` of a git configuration file's text, in order (names lower case),
/// read as git-config(1) "CONFIGURATION FILE" says: `[alias]` sections (any case), `#` and `;`
/// comments outside quotes, `"` quoting, the escapes `\n`, `\t`, `\b`, `\"`, `\\`, and a `\`
/// at the end of a line continuing the value.
pub fn parse_aliases(text: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut in_alias = false;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut t = line.trim_start();
        if let Some(rest) = t.strip_prefix('[') {
            let Some((header, after)) = rest.split_once(']') else { continue };
            in_alias = header.trim().eq_ignore_ascii_case("alias");
            t = after.trim_start();
        }
        if !in_alias || t.is_empty() || t.starts_with(['#', ';']) {
            continue;
        }
        let (key, raw) = match t.split_once('=') {
            Some((k, v)) => (k.trim(), v),
            None => (t.trim(), ""),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            continue;
        }
        let mut raw = raw.to_string();
        let mut value = String::new();
        loop {
            let continued = value_part(&raw, &mut value);
            if !continued {
                break;
            }
            match lines.next() {
                Some(next) => raw = next.to_string(),
                None => break,
            }
        }
        out.push((key.to_ascii_lowercase(), value.trim().to_string()));
    }
    out
}

/// Appends the value text of one line to `value`; true if the line ends with a continuation
/// backslash.
fn value_part(raw: &str, value: &mut String) -> bool {
    let mut quoted = false;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' => match chars.next() {
                None => return true,
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some('b') => {
                    value.pop();
                }
                Some(other) => value.push(other),
            },
            '#' | ';' if !quoted => break,
            c => value.push(c),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_config() {
        let text = "[core]\n\tbare = false\n[Alias]\n\tp = push --force # comment\n\tnuke = \"!rm -rf build; echo \\\"done\\\"\"\n\tlong = log \\\n  --oneline\n[alias \"x\"]\n\ty = z\n";
        let got = parse_aliases(text);
        assert_eq!(
            got,
            [
                ("p".to_string(), "push --force".to_string()),
                ("nuke".to_string(), "!rm -rf build; echo \"done\"".to_string()),
                ("long".to_string(), "log   --oneline".to_string()),
            ]
        );
    }
}
