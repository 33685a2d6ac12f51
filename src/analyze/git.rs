//! git semantics: what `catalog/git.toml` cannot say with options and operands. The catalog
//! gives the option specs (git's global options, each command's own) and the paths
//! (`push`, `reset --hard`, `clean`, `branch -D`, `checkout`, `restore`, `stash drop|clear`,
//! `filter-branch`, `filter-repo`); this module keeps:
//!
//! - [`analyze`] (every `git` line): configuration given on the line — `-c NAME=VALUE`,
//!   `--config-env=NAME=ENVVAR`, `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` and
//!   `GIT_CONFIG_PARAMETERS` (git(1) "ENVIRONMENT", git-config(1)) — whose value git runs
//!   through the shell (`core.sshCommand`, `core.pager`, ...: analysed as shell text), and
//!   `alias.NAME` definitions used on the same line (`git -c alias.p='push -f' p`: the
//!   expansion is analysed as the git command it becomes; a `!` alias as shell text).
//! - the path handlers: [`push`] (`git.push`: `+REFSPEC` forces that ref unless a lease names
//!   it, `:BRANCH` deletes, `--mirror` forces, `remote.X.push=+...` and `remote.X.mirror`
//!   given on the line), [`clean`] (`-f`, or `clean.requireForce=false` on the line),
//!   [`branch_delete`] (`-D`, or `-d` with `-f`), [`checkout`] (`--`, `.`, `-f`), [`restore`]
//!   (the work tree is restored), [`filter_branch`] (its filters are shell code). A later `--no-X` undoes `-X` (parse-options), so
//!   `-n --no-dry-run` pushes.
//!
//! Facts (declared in `facts.toml`): `git.push` (`remote`, `refs`, `force`,
//! `force_with_lease`, `delete`, `deleted`, `prune`, `mirror`, and `url`, `url_source` from
//! [`super::git_remote`]; none for a dry run),
//! `git.discard` (`operation`), `git.rewrite_history` (`operation`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::project::gitalias;
use super::{Analyzer, Invocation, MAX_NESTING};
use crate::argv::{self, Parsed, Spec, Style};
use crate::catalog::{self, PathMatch};
use crate::fact::Fact;
use crate::shell::{SpanMap, Word};

/// Programs whose lines carry configuration semantics (the catalog makes their facts).
pub const PROGRAMS: &[&str] = &["git"];

/// Configuration keys whose value git runs as a shell command (git-config(1)).
const COMMAND_KEYS: &[&str] =
    &["core.sshCommand", "core.pager", "core.editor", "core.fsmonitor", "core.askPass", "sequence.editor", "diff.external", "credential.helper"];

/// `git filter-branch` options whose value is shell code it evaluates (git-filter-branch(1)
/// "Filters": each filter is evaluated with `eval` in a shell; `--setup` once before them).
const FILTER_BRANCH_CODE: &[&str] = &[
    "--setup", "--env-filter", "--tree-filter", "--index-filter", "--parent-filter", "--msg-filter", "--commit-filter",
    "--tag-name-filter",
];

/// Environment variables that carry configuration (git(1) "ENVIRONMENT").
const CONFIG_ENV: &[&str] = &["GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS"];

/// One configuration setting given on the command line or in its environment.
#[derive(Debug, Clone)]
struct Setting {
    /// The key as written (`alias.p`, `core.sshCommand`); git compares it without case.
    key: String,
    /// The value.
    value: String,
    /// Where the value is, for spans of facts found in it.
    map: SpanMap,
}

impl Setting {
    fn is(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key)
    }
}

/// git's global options, read as git reads them: up to the command word.
fn global(inv: &Invocation) -> Option<Parsed> {
    let prog = catalog::program(&inv.name)?;
    let spec = Spec { style: Style::Posix, ..prog.spec().clone() };
    Some(argv::parse(inv.args(), &spec))
}

fn env<'e>(inv: &'e Invocation, name: &str) -> Option<&'e str> {
    inv.env.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Every configuration setting given on the line: `-c`, `--config-env`, then the
/// environment's `GIT_CONFIG_*` (later ones win in git; all are returned, in order).
fn settings(inv: &Invocation, global: &Parsed) -> Vec<Setting> {
    let mut out = vec![];
    for o in &global.options {
        let Some(w) = &o.value else { continue };
        // `-c NAME` without `=` sets NAME to boolean true (git(1) `-c`).
        let (k, v) = w.text.split_once('=').unwrap_or((w.text.as_str(), "true"));
        let verbatim = w.verbatim_at.filter(|_| w.text.contains('=')).map(|at| at + k.len() + 1);
        let map = SpanMap::nested(verbatim, w.span);
        match o.name.as_str() {
            "-c" => out.push(Setting { key: k.to_string(), value: v.to_string(), map }),
            "--config-env" => {
                if let Some(value) = env(inv, v) {
                    out.push(Setting { key: k.to_string(), value: value.to_string(), map: SpanMap::nested(None, w.span) });
                }
            }
            _ => {}
        }
    }
    let map = || SpanMap::nested(None, inv.cmd.span);
    for item in env(inv, "GIT_CONFIG_PARAMETERS").and_then(shlex::split).unwrap_or_default() {
        if let Some((k, v)) = item.split_once('=') {
            out.push(Setting { key: k.to_string(), value: v.to_string(), map: map() });
        }
    }
    let count = env(inv, "GIT_CONFIG_COUNT").and_then(|c| c.trim().parse::<usize>().ok()).unwrap_or(0);
    for i in 0..count.min(256) {
        if let (Some(k), Some(v)) = (env(inv, &format!("GIT_CONFIG_KEY_{i}")), env(inv, &format!("GIT_CONFIG_VALUE_{i}"))) {
            out.push(Setting { key: k.to_string(), value: v.to_string(), map: map() });
        }
    }
    out
}

/// Analyses the configuration of one git line: shell code in command keys, and an alias
/// defined on the line and used as its command (see the module documentation).
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    let Some(global) = global(inv) else { return };
    let settings = settings(inv, &global);
    for s in settings.iter().filter(|s| COMMAND_KEYS.iter().any(|k| s.is(k))) {
        a.shell_text(&s.value, s.map, depth + 1);
    }
    let Some((sub, rest)) = global.operands.split_first() else { return };
    gitalias::record(a, &global.operands);
    super::git_remote::record(a, &global.operands);
    autocorrect(a, inv, &settings, sub, depth);
    let alias = format!("alias.{}", sub.text);
    // An alias given on the line, else one defined earlier in the script or in git's
    // configuration files (git ignores aliases that hide its own commands).
    let (value, map) = match settings.iter().rev().find(|s| s.is(&alias)) {
        Some(def) => (def.value.clone(), def.map),
        None if sub.dynamic || gitalias::BUILTINS.contains(&sub.text.as_str()) => return,
        None => {
            let Some(dir) = super::project::work_dir(a, global.value(&["-C"])) else { return };
            let Some(def) = gitalias::lookup(a, &sub.text, &dir) else { return };
            if def.dynamic {
                a.push(
                    Fact::new("exec.dynamic", format!("git alias {} is defined with a value known only at run time", def.name), sub.span)
                        .with("reason", "shell_string")
                        .with("text", def.value),
                );
                return;
            }
            (def.value, SpanMap::nested(None, sub.span))
        }
    };
    if depth > MAX_NESTING {
        a.push(Fact::new("exec.too_deep", "nesting too deep to analyse", inv.span()).with("depth", depth));
        return;
    }
    if let Some(shell) = value.strip_prefix('!') {
        a.shell_text(shell, map, depth + 1);
        return;
    }
    // `git [the other settings] EXPANSION REST`: analysed as git would run it. Settings are
    // carried as `-c` words (shell code was analysed above), the alias itself is not, so a
    // chain of aliases ends.
    let word = |t: &str| Word { text: t.to_string(), verbatim_at: None, ..sub.clone() };
    let mut words: Vec<Word> = inv.words.first().cloned().into_iter().collect();
    for s in settings.iter().filter(|s| !s.is(&alias) && !COMMAND_KEYS.iter().any(|k| s.is(k))) {
        words.push(word("-c"));
        words.push(word(&format!("{}={}", s.key, s.value)));
    }
    words.extend(shlex::split(&value).unwrap_or_default().iter().map(|t| word(t)));
    words.extend(rest.iter().cloned());
    let env = inv.env.iter().filter(|(n, _)| !CONFIG_ENV.contains(&n.as_str()) && !n.starts_with("GIT_CONFIG_")).cloned().collect();
    let inner = Invocation { name: inv.name.clone(), words, cmd: inv.cmd, script: inv.script, env };
    a.family(&inner, depth + 1);
}

/// `help.autocorrect` set on the line to run a corrected command (a number of deciseconds,
/// `immediate`, or `true`; not `0`, `false`, `never`, `prompt`, `show`; git-config(1)
/// "help.autocorrect"): a mistyped command (`psuh`) runs as the catalog command it is close to.
/// The line is analysed again with each such command (an edit distance of at most 2, where git
/// picks the closest); git's own commands that the catalog does not name make no fact either way.
fn autocorrect(a: &mut Analyzer, inv: &Invocation, settings: &[Setting], sub: &Word, depth: usize) {
    let Some(s) = settings.iter().rev().find(|s| s.is("help.autocorrect")) else { return };
    if matches!(s.value.to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off" | "never" | "prompt" | "show" | "") {
        return;
    }
    let Some(git) = crate::catalog::program(&inv.name) else { return };
    let mut commands: Vec<&str> = git.commands.iter().filter_map(|c| c.path.first()).flat_map(|w| w.split('|')).collect();
    commands.sort_unstable();
    commands.dedup();
    if sub.dynamic || commands.contains(&sub.text.as_str()) || depth > MAX_NESTING {
        return;
    }
    for c in commands.into_iter().filter(|c| edit_distance(c, &sub.text) <= 2) {
        let words: Vec<Word> = inv
            .words
            .iter()
            .map(|w| if w.span == sub.span && w.text == sub.text { Word { text: c.to_string(), verbatim_at: None, ..w.clone() } } else { w.clone() })
            .collect();
        let inner = Invocation { name: inv.name.clone(), words, cmd: inv.cmd, script: inv.script, env: inv.env.clone() };
        a.family(&inner, depth + 1);
    }
}

/// The optimal string alignment distance of `a` and `b` (insertions, deletions,
/// substitutions and transpositions of adjacent characters, as git's `levenshtein.c` counts).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows: Vec<Vec<usize>> = (0..=a.len()).map(|i| (0..=b.len()).map(|j| if i == 0 { j } else if j == 0 { i } else { 0 }).collect()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let at = |r: usize, c: usize| rows.get(r).and_then(|row| row.get(c)).copied().unwrap_or(usize::MAX / 2);
            let cost = usize::from(a.get(i - 1) != b.get(j - 1));
            let mut d = (at(i - 1, j) + 1).min(at(i, j - 1) + 1).min(at(i - 1, j - 1) + cost);
            if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                d = d.min(at(i - 2, j - 2) + 1);
            }
            if let Some(cell) = rows.get_mut(i).and_then(|row| row.get_mut(j)) {
                *cell = d;
            }
        }
    }
    rows.get(a.len()).and_then(|r| r.get(b.len())).copied().unwrap_or(usize::MAX)
}

/// True if the last of `on` and `off` given is one of `on` (`-n ... --no-dry-run` is false).
fn last_wins(p: &Parsed, on: &[&str], off: &[&str]) -> bool {
    p.options
        .iter()
        .filter_map(|o| match o.name.as_str() {
            n if on.contains(&n) => Some(true),
            n if off.contains(&n) => Some(false),
            _ => None,
        })
        .next_back()
        .unwrap_or(false)
}

fn dry_run(p: &Parsed) -> bool {
    last_wins(p, &["-n", "--dry-run"], &["--no-dry-run"])
}

/// True if the configuration given on the line sets a boolean `key` to false (git-config(1)
/// "Values": false, no, off, 0, or the empty string).
fn set_false(settings: &[Setting], key: &str) -> bool {
    settings.iter().rev().find(|s| s.is(key)).is_some_and(|s| matches!(s.value.to_ascii_lowercase().as_str(), "false" | "no" | "off" | "0" | ""))
}

/// True for a value git reads as boolean true (git-config(1) "Values": true, yes, on, 1).
fn is_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "1")
}

fn line_settings(inv: &Invocation) -> Vec<Setting> {
    global(inv).map(|g| settings(inv, &g)).unwrap_or_default()
}

/// The branch name a refspec's destination names: `refs/heads/main` -> `main`,
/// `HEAD:main` -> `main`, `+main` -> `main`.
fn branch_name(r: &str) -> String {
    let r = r.trim_start_matches('+');
    let dst = r.rsplit_once(':').map_or(r, |(_, d)| d);
    dst.strip_prefix("refs/heads/").unwrap_or(dst).to_string()
}

/// Handler `git_push`: the `git.push` fact (none for a dry run).
pub fn push(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let p = &m.parsed;
    if dry_run(p) {
        return;
    }
    let mut force = false;
    let mut lease = false;
    // Refs a `--force-with-lease=REF[:EXPECT]` protects; empty with `lease`: all of them.
    let mut lease_refs: Vec<String> = vec![];
    for o in &p.options {
        match o.name.as_str() {
            // git rejects a value on --force, but a rejected push is no reason to look away.
            "-f" | "--force" => force = true,
            "--no-force" => force = false,
            "--force-with-lease" => {
                lease = true;
                if let Some(v) = &o.value {
                    lease_refs.push(branch_name(v.text.split(':').next().unwrap_or_default()));
                }
            }
            "--no-force-with-lease" => {
                lease = false;
                lease_refs.clear();
            }
            _ => {}
        }
    }
    let delete = last_wins(p, &["-d", "--delete"], &["--no-delete"]);
    let prune = last_wins(p, &["--prune"], &["--no-prune"]);
    let operands: Vec<&str> = m.operands().iter().map(|w| w.text.as_str()).collect();
    let (remote, refs) = match operands.split_first() {
        Some((r, refs)) => (r.to_string(), refs.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        None => (p.value(&["--repo"]).map(|w| w.text.clone()).unwrap_or_default(), vec![]),
    };
    // Configuration on the line: `remote.X.mirror`, and `remote.X.push` refspecs (used when
    // the line names none) for the remote pushed to (any remote when none is named).
    let settings = line_settings(inv);
    let remote_key = |s: &Setting, what: &str| {
        let k = s.key.to_ascii_lowercase();
        k.strip_prefix("remote.").and_then(|r| r.strip_suffix(what)).is_some_and(|r| remote.is_empty() || r == remote.to_ascii_lowercase())
    };
    let mirror = last_wins(p, &["--mirror"], &["--no-mirror"])
        || settings.iter().any(|s| remote_key(s, ".mirror") && is_true(&s.value));
    let configured_plus = refs.is_empty() && settings.iter().any(|s| remote_key(s, ".push") && s.value.starts_with('+'));
    let mut deleted: Vec<String> = vec![];
    let mut plus = configured_plus && !lease;
    for r in &refs {
        if delete {
            deleted.push(branch_name(r));
        } else if let Some(dst) = r.strip_prefix(':') {
            if !dst.is_empty() {
                deleted.push(branch_name(dst));
            }
        } else if let Some(spec) = r.strip_prefix('+') {
            // `+REFSPEC` forces that ref; a lease protects it only if it names it (or names no
            // ref at all) (git-push(1), --force-with-lease=<refname>).
            let dst = branch_name(spec.rsplit(':').next().unwrap_or(spec));
            plus |= !lease || !(lease_refs.is_empty() || lease_refs.contains(&dst));
        }
    }
    // A plain `--force` or `--mirror` disables the checks, lease or not.
    let force = force || mirror || plus;
    let target = super::git_remote::target(a, &remote);
    let mut fact = m
        .fact(&inv.display(), inv.span())
        .with("remote", remote)
        .with("refs", refs)
        .with("force", force)
        .with("force_with_lease", lease)
        .with("delete", !deleted.is_empty() || (delete && !mirror))
        .with("deleted", deleted)
        .with("prune", prune)
        .with("mirror", mirror);
    // A URL on the line, or a remote the script added: where the script chose to send it.
    if let Some((url, source)) = target {
        fact = fact.with("url", url).with("url_source", source);
    }
    a.push(fact);
}

/// Handler `git_clean`: `git clean` deletes untracked files when forced (`-f`), or without
/// `-f` when the line sets `clean.requireForce=false`; not for a dry run (`-n`).
pub fn clean(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let p = &m.parsed;
    let forced = last_wins(p, &["-f", "--force"], &["--no-force"]) || set_false(&line_settings(inv), "clean.requireForce");
    if forced && !dry_run(p) {
        a.push(m.fact(&inv.display(), inv.span()));
    }
}

/// Handler `git_branch_delete` (the path requires `-d`, `--delete` or `-D`): a forced delete,
/// `-D` or a delete with `-f`/`--force`, drops unmerged commits.
pub fn branch_delete(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    if m.parsed.has(&["-D"]) || last_wins(&m.parsed, &["-f", "--force"], &["--no-force"]) {
        a.push(m.fact(&inv.display(), inv.span()));
    }
}

/// Handler `git_checkout`: `checkout [TREE] -- PATHS`, `checkout .` and `checkout -f`
/// overwrite changes in the work tree.
pub fn checkout(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let whole_tree = m.operands().iter().any(|w| matches!(w.text.as_str(), "." | "./" | ":/"));
    if m.parsed.double_dash || whole_tree || last_wins(&m.parsed, &["-f", "--force"], &["--no-force"]) {
        a.push(m.fact(&inv.display(), inv.span()));
    }
}

/// Handler `git_restore`: `restore PATHS` restores the work tree (the default, or with
/// `-W`/`--worktree`), overwriting its changes; `--staged` alone only touches the index.
pub fn restore(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let p = &m.parsed;
    let worktree = !p.has(&["-S", "--staged"]) || p.has(&["-W", "--worktree"]);
    let paths = !m.operands().is_empty() || p.has(&["--pathspec-from-file"]);
    if worktree && paths {
        a.push(m.fact(&inv.display(), inv.span()));
    }
}

/// Handler `git_filter_branch`: the `git.rewrite_history` fact, and each filter's shell code
/// analysed as shell text (`--tree-filter 'rm -rf /'` runs `rm -rf /`).
pub fn filter_branch(a: &mut Analyzer, inv: &Invocation, m: &PathMatch, depth: usize) {
    a.push(m.fact(&inv.display(), inv.span()));
    for code in m.parsed.values(FILTER_BRANCH_CODE) {
        a.shell_word(code, "git filter-branch", depth);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names() {
        assert_eq!(branch_name("refs/heads/main"), "main");
        assert_eq!(branch_name("HEAD:main"), "main");
        assert_eq!(branch_name("+feature"), "feature");
        assert_eq!(branch_name("main"), "main");
        assert_eq!(branch_name(""), "");
    }

    #[test]
    fn later_negation_wins() {
        let words: Vec<Word> =
            ["-n", "--no-dry-run", "-f"].iter().map(|t| Word::plain(t, crate::fact::Span::default())).collect();
        let p = argv::parse(&words, &Spec::new(Style::Gnu, &[]));
        assert!(!dry_run(&p));
        assert!(last_wins(&p, &["-f"], &["--no-force"]));
    }
}
