//! git: pushes that rewrite or delete remote history, and local commands that discard work.
//!
//! Global options before the subcommand (git(1) "OPTIONS": `-C PATH`, `-c NAME=VALUE`,
//! `--git-dir[=]PATH`, `--work-tree[=]PATH`, `--namespace[=]NAME`, `--config-env`, `-P`,
//! `--no-pager`, ...) are skipped, and an alias defined on the same line with
//! `-c alias.NAME=...` is expanded (a `!` alias is analysed as shell text).
//!
//! Facts:
//! - `git.push`: `remote`, `refs` (array, as written), `force` (`-f`, `--force`, `+REFSPEC`
//!   without a lease, `--mirror`), `force_with_lease` (`--force-with-lease[=...]`; not
//!   `--force-if-includes` alone, which git ignores without a lease), `delete` (`-d`/`--delete`, `:BRANCH`), `deleted` (array of
//!   branch names deleted on the remote), `prune`, `mirror`. `-n`/`--dry-run` pushes nothing
//!   and yields no fact.
//! - `git.discard`: local work thrown away: `operation` = `reset_hard`, `clean`,
//!   `branch_force_delete`, `checkout_discard`, `restore_discard`, `stash_drop`, `stash_clear`.
//! - `git.rewrite_history`: `git filter-branch`, `git filter-repo`: `operation`.

use super::{word_map, Analyzer, Invocation};
use crate::fact::Fact;
use crate::shell::Word;

/// Programs this module analyses.
pub const PROGRAMS: &[&str] = &["git", "git-filter-repo"];

/// Configuration keys whose value git runs as a shell command (git-config(1)).
const COMMAND_KEYS: &[&str] =
    &["core.sshCommand", "core.pager", "core.editor", "core.fsmonitor", "core.askPass", "sequence.editor", "diff.external", "credential.helper"];

/// Analyses one invocation of git.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    if inv.name == "git-filter-repo" {
        a.push(rewrite(inv, "filter-repo"));
        return;
    }
    let args = inv.args();
    let mut aliases: Vec<(String, String)> = vec![];
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        match t {
            "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--config-env" | "--exec-path" | "--attr-source"
            | "--super-prefix" => i += 2,
            "-c" => {
                if let Some(w) = args.get(i + 1)
                    && let Some((k, v)) = w.text.split_once('=')
                {
                    if let Some(name) = k.strip_prefix("alias.") {
                        aliases.push((name.to_string(), v.to_string()));
                    } else if COMMAND_KEYS.iter().any(|c| k.eq_ignore_ascii_case(c)) {
                        // git runs these through the shell (git-config(1)).
                        a.shell_text(v, word_map(std::slice::from_ref(w)), depth + 1);
                    }
                }
                i += 2;
            }
            _ if t.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let Some(sub) = args.get(i) else { return };
    let rest = &args[i + 1..];
    // An alias set on this very command line: `git -c alias.p='push --force' p`.
    if let Some((_, v)) = aliases.iter().rev().find(|(n, _)| *n == sub.text) {
        if let Some(shell) = v.strip_prefix('!') {
            a.shell_text(shell, word_map(std::slice::from_ref(sub)), depth + 1);
            return;
        }
        let mut words: Vec<Word> = shlex::split(v)
            .unwrap_or_default()
            .into_iter()
            .map(|t| Word { text: t, verbatim_at: None, ..sub.clone() })
            .collect();
        words.extend_from_slice(rest);
        if let Some(s) = words.first()
            && s.text != sub.text {
                subcommand(a, inv, &s.text, &words[1..]);
            }
        return;
    }
    subcommand(a, inv, &sub.text, rest);
}

fn subcommand(a: &mut Analyzer, inv: &Invocation, sub: &str, rest: &[Word]) {
    match sub {
        "push" => push(a, inv, rest),
        "filter-branch" | "filter-repo" => a.push(rewrite(inv, sub)),
        _ => {
            if let Some(op) = discard(sub, rest) {
                a.push(Fact::new("git.discard", inv.display(), inv.span()).with("operation", op));
            }
        }
    }
}

fn rewrite(inv: &Invocation, op: &str) -> Fact {
    Fact::new("git.rewrite_history", inv.display(), inv.span()).with("operation", op.to_string())
}

/// Short options in a cluster (`-fu`), or `None` if the word is not a short-option cluster.
fn short_cluster(t: &str) -> Option<&str> {
    t.strip_prefix('-').filter(|r| !r.is_empty() && !r.starts_with('-'))
}

fn push(a: &mut Analyzer, inv: &Invocation, rest: &[Word]) {
    let (mut force, mut lease, mut delete, mut prune, mut mirror, mut dry) = (false, false, false, false, false, false);
    let mut operands: Vec<&str> = vec![];
    // Refs a `--force-with-lease=REF[:EXPECT]` protects; empty with `lease`: all of them.
    let mut lease_refs: Vec<String> = vec![];
    let mut i = 0;
    let mut options_done = false;
    while i < rest.len() {
        let t = rest[i].text.as_str();
        i += 1;
        if options_done || !t.starts_with('-') {
            operands.push(t);
            continue;
        }
        match t {
            "--" => options_done = true,
            // git rejects a value on --force, but a rejected push is no reason to look away.
            "--force" => force = true,
            _ if t.starts_with("--force=") => force = true,
            "--no-force" => force = false,
            // Only a refinement of --force-with-lease; alone it is a no-op (git-push(1)).
            "--force-if-includes" => {}
            "--no-force-with-lease" => lease = false,
            "--delete" => delete = true,
            "--prune" => prune = true,
            "--mirror" => mirror = true,
            "--dry-run" => dry = true,
            "--repo" | "--receive-pack" | "--exec" | "--push-option" => i += 1,
            _ if t.starts_with("--force-with-lease") => {
                lease = true;
                if let Some(v) = t.strip_prefix("--force-with-lease=") {
                    lease_refs.push(branch_name(v.split(':').next().unwrap_or(v)));
                }
            }
            _ if t.starts_with("--") => {}
            _ => {
                if let Some(c) = short_cluster(t) {
                    for ch in c.chars() {
                        match ch {
                            'f' => force = true,
                            'd' => delete = true,
                            'n' => dry = true,
                            'o' => {
                                // `-o OPTION` (push option) takes the rest or the next word.
                                if c.ends_with('o') {
                                    i += 1;
                                }
                                break;
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    if dry {
        return;
    }
    let remote = operands.first().map(|s| s.to_string()).unwrap_or_default();
    let refs: Vec<String> = operands.iter().skip(1).map(|s| s.to_string()).collect();
    let mut deleted: Vec<String> = vec![];
    let mut plus = false;
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
    a.push(
        Fact::new("git.push", inv.display(), inv.span())
            .with("remote", remote)
            .with("refs", refs)
            .with("force", force)
            .with("force_with_lease", lease)
            .with("delete", !deleted.is_empty() || (delete && !mirror))
            .with("deleted", deleted)
            .with("prune", prune)
            .with("mirror", mirror),
    );
}

/// The branch name a refspec's destination names: `refs/heads/main` -> `main`,
/// `HEAD:main` -> `main`, `+main` -> `main`.
fn branch_name(r: &str) -> String {
    let r = r.trim_start_matches('+');
    let dst = r.rsplit_once(':').map_or(r, |(_, d)| d);
    dst.strip_prefix("refs/heads/").unwrap_or(dst).to_string()
}

/// The local-discard operation of `git SUB REST`, if it throws work away.
fn discard(sub: &str, rest: &[Word]) -> Option<&'static str> {
    let has = |flags: &[&str]| rest.iter().any(|w| flags.contains(&w.text.as_str()));
    let short = |c: char| rest.iter().any(|w| short_cluster(&w.text).is_some_and(|s| s.contains(c)));
    match sub {
        "reset" if has(&["--hard"]) => Some("reset_hard"),
        "clean" if (short('f') || has(&["--force"])) && !short('n') && !has(&["--dry-run"]) => Some("clean"),
        "branch" if short('D') || ((short('d') || has(&["--delete"])) && (short('f') || has(&["--force"]))) => {
            Some("branch_force_delete")
        }
        "checkout" if has(&["--"]) || has(&["."]) || short('f') || has(&["--force"]) => Some("checkout_discard"),
        "restore" if !has(&["--staged", "-S"]) || has(&["--worktree", "-W"]) => {
            rest.iter().any(|w| !w.text.starts_with('-')).then_some("restore_discard")
        }
        "stash" => match rest.first().map(|w| w.text.as_str()) {
            Some("drop") => Some("stash_drop"),
            Some("clear") => Some("stash_clear"),
            _ => None,
        },
        _ => None,
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
    }
}
