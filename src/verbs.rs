//! Destructive verbs in the names of operations: the classifier behind
//! `exec.destructive_verb` for tools nobody described, and for any other operation named by
//! words (MCP tool names: `delete_file`, `dropTable`).
//!
//! The verb lists are data, `verbs.toml` at the repository root (embedded at build time; its
//! comments give the sources). A name is split into words on `:`, `-`, `_`, `.`-free
//! boundaries and camelCase humps, compared without case ([`split`]):
//!
//! - an `always` verb (`delete`, `drop`, `reset`, `prune`, ...) makes a hit;
//! - a `conditional` verb (`remove`, `rm`, `uninstall`, `clean`) only with a `widening` option
//!   (`--all`, `-r`, `--force`, `--yes`, `--cascade`, ...);
//! - no hit when a `read_only` option is given (`--dry-run`, `--help`), when the first word is
//!   a `help_words` word, or when a word names a `harmless_objects` object (`pip cache purge`).
//!
//! [`classify`] takes words and option names and knows nothing of argv; [`scan_argv`] finds
//! the subcommand words of a command line whose option spec is unknown.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::shell::Word;
use serde::Deserialize;
use std::sync::OnceLock;

/// The TOML source of the verb lists (`verbs.toml`).
pub const SOURCE: &str = include_str!("../verbs.toml");

/// The same lists as JSON, made by `build.rs`.
const JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/verb_lists.json"));

/// The verb lists of `verbs.toml` (see the comments there for each list's meaning and source).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verbs {
    /// Verbs destructive on their own.
    pub always: Vec<String>,
    /// Verbs destructive only with a [`Verbs::widening`] option.
    pub conditional: Vec<String>,
    /// Options that widen a conditional verb.
    pub widening: Vec<String>,
    /// Options after which nothing changes.
    pub read_only: Vec<String>,
    /// First words after which the line only prints documentation.
    pub help_words: Vec<String>,
    /// Objects whose loss is harmless (caches).
    pub harmless_objects: Vec<String>,
    /// Options known to take no value (for [`scan_argv`]).
    pub flags: Vec<String>,
    /// Programs whose operands are not subcommands (`echo`, `mkdir`, `grep`, builtins).
    pub operand_programs: Vec<String>,
}

/// The verb lists, parsed on first use. A build whose `verbs.toml` does not parse has empty
/// lists (the test suite loads it, so that is a build defect caught before release).
pub fn get() -> &'static Verbs {
    static VERBS: OnceLock<Verbs> = OnceLock::new();
    VERBS.get_or_init(|| serde_json::from_str(JSON).unwrap_or_default())
}

/// Loads the lists, reporting a parse error (for tests).
pub fn load() -> Result<Verbs, String> {
    serde_json::from_str(JSON).map_err(|e| format!("verbs.toml: {e}"))
}

/// A destructive verb found in a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerbHit {
    /// The destructive verbs found, lower case, in order (`["drop"]`).
    pub verbs: Vec<String>,
    /// The words they were found in, as written (`["db:drop"]`).
    pub words: Vec<String>,
    /// The widening options that made a conditional verb count (`["--all"]`); empty for
    /// `always` verbs alone.
    pub widening: Vec<String>,
}

/// The words of a name, lower case: split on `:`, `-`, `_`, `/`, `.`, blanks and camelCase
/// humps (`db:drop` -> `db drop`, `dropTable` -> `drop table`, `HTTPDelete` -> `http delete`).
pub fn split(name: &str) -> Vec<String> {
    let mut out = vec![];
    for part in name.split([':', '-', '_', ' ', '/', '.']).filter(|p| !p.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p));
            let next = chars.get(i + 1);
            // A hump: lower->Upper (`dropTable`), or the last capital of a run before a lower
            // case letter (`HTTPDelete`: `HTTP` `Delete`).
            let hump = c.is_uppercase()
                && (prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                    || (prev.is_some_and(|p| p.is_uppercase()) && next.is_some_and(|n| n.is_lowercase())));
            if hump && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.extend(c.to_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// True for a word that can be a subcommand: letters, digits, `:`, `-` and `_`, starting with a
/// letter (`db:drop`, `delete-branch`, `apps`); not a path, file name, URL, assignment or text
/// with blanks (`./x`, `dump.sql`, `k=v`, `'DROP TABLE users'`).
pub fn is_subcommand_word(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_alphabetic()) && w.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'))
}

/// Classifies an operation named by `words` (subcommand words, a script's name, an MCP tool
/// name), given with the options `options` (names as written: `--all`, `-y`).
///
/// Returns the destructive verbs found, or `None` when there are none, when a read-only
/// option is given, when the first word asks for help, or when a word names a harmless
/// object. Bounded: at most the first 16 words of each name are looked at.
pub fn classify(words: &[&str], options: &[&str]) -> Option<VerbHit> {
    let v = get();
    let has = |list: &[String], w: &str| list.iter().any(|x| x == w);
    if options.iter().any(|o| has(&v.read_only, o)) {
        return None;
    }
    let split: Vec<(&str, Vec<String>)> = words.iter().map(|w| (*w, split(w).into_iter().take(16).collect())).collect();
    if split.first().and_then(|(_, p)| p.first()).is_some_and(|w| has(&v.help_words, w)) {
        return None;
    }
    if split.iter().flat_map(|(_, p)| p).any(|p| has(&v.harmless_objects, p)) {
        return None;
    }
    let widening: Vec<String> = options.iter().filter(|o| has(&v.widening, o)).map(|o| o.to_string()).collect();
    let mut hit = VerbHit { verbs: vec![], words: vec![], widening: vec![] };
    for (word, pieces) in &split {
        for p in pieces {
            let counts = has(&v.always, p) || (has(&v.conditional, p) && !widening.is_empty());
            if counts && !hit.verbs.contains(p) {
                hit.verbs.push(p.clone());
                if !hit.words.iter().any(|w| w == word) {
                    hit.words.push(word.to_string());
                }
            }
        }
    }
    if hit.verbs.is_empty() {
        return None;
    }
    if hit.verbs.iter().any(|p| has(&v.conditional, p)) {
        hit.widening = widening;
    }
    Some(hit)
}

/// The words of a command line of a program whose option spec is unknown.
#[derive(Debug, Default)]
pub struct Scan {
    /// The first two operands: the subcommand words (`db:drop`, `apps destroy`).
    pub words: Vec<Word>,
    /// Every option name given, anywhere on the line (`--all`, `-r`; a cluster `-rf` gives
    /// `-r` and `-f`; `--name=value` gives `--name`).
    pub options: Vec<String>,
}

/// Splits `args` (the words after the program name) of a program nobody described into its
/// subcommand words and the options given. Which options take a value is unknown, so the word
/// after an option is read as its value (`tool --config x delete`: the words are `delete`),
/// unless the option is known to be a flag ([`Verbs::flags`], [`Verbs::widening`],
/// [`Verbs::read_only`]), is a cluster of short flags (`-rf`), carries its value (`--x=1`), or
/// the next word is an option itself. A `--` ends the scan: what follows is passed on.
pub fn scan_argv(args: &[Word]) -> Scan {
    let v = get();
    let known_flag = |n: &str| v.flags.iter().chain(&v.widening).chain(&v.read_only).any(|f| f == n);
    let mut out = Scan::default();
    let mut it = args.iter().peekable();
    while let Some(w) = it.next() {
        let t = w.text.as_str();
        if t == "--" {
            break;
        }
        let is_option = t.len() > 1 && t.starts_with('-') && !(w.dynamic && t.get(1..2) == Some("$"));
        if !is_option {
            if out.words.len() < 2 {
                out.words.push(w.clone());
            }
            continue;
        }
        let name = t.split('=').next().unwrap_or(t);
        let cluster = !t.starts_with("--") && t.len() > 2 && !t.contains('=');
        if cluster {
            out.options.extend(t.chars().skip(1).map(|c| format!("-{c}")));
        } else {
            out.options.push(name.to_string());
        }
        let takes_next = !cluster && !t.contains('=') && !known_flag(name);
        if takes_next && it.peek().is_some_and(|n| !n.text.starts_with('-')) {
            it.next();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Span;

    fn words(line: &str) -> Vec<Word> {
        line.split_whitespace().map(|t| Word::plain(t, Span::default())).collect()
    }

    #[test]
    fn loads() {
        let v = load().expect("verbs.toml loads");
        assert!(v.always.contains(&"drop".to_string()) && v.conditional.contains(&"clean".to_string()));
    }

    #[test]
    fn splits_names() {
        assert_eq!(split("db:drop"), ["db", "drop"]);
        assert_eq!(split("delete-branch"), ["delete", "branch"]);
        assert_eq!(split("dropTable"), ["drop", "table"]);
        assert_eq!(split("HTTPDelete"), ["http", "delete"]);
        assert_eq!(split("delete_file"), ["delete", "file"]);
        assert_eq!(split("v2Reset"), ["v2", "reset"]);
        assert!(split("").is_empty() && split("::").is_empty());
    }

    #[test]
    fn classifies() {
        let hit = classify(&["db:drop"], &[]).expect("hit");
        assert_eq!((hit.verbs, hit.words), (vec!["drop".to_string()], vec!["db:drop".to_string()]));
        assert!(classify(&["apps", "destroy"], &[]).is_some());
        assert!(classify(&["remove", "pkg"], &[]).is_none());
        assert_eq!(classify(&["remove", "pkg"], &["--all"]).map(|h| h.widening), Some(vec!["--all".to_string()]));
        assert!(classify(&["delete"], &["--dry-run"]).is_none());
        assert!(classify(&["help", "delete"], &[]).is_none());
        assert!(classify(&["cache", "purge"], &[]).is_none());
        assert!(classify(&["deleted"], &[]).is_none());
        assert!(classify(&["list", "dropTable"], &[]).is_some());
        assert!(classify(&[], &["--all"]).is_none());
        assert!(is_subcommand_word("db:drop") && is_subcommand_word("delete-branch"));
        assert!(!is_subcommand_word("DROP TABLE users") && !is_subcommand_word("./reset") && !is_subcommand_word("drop.sql"));
    }

    #[test]
    fn scans_unknown_argv() {
        let s = scan_argv(&words("--config x delete thing"));
        assert_eq!(s.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["delete", "thing"]);
        let s = scan_argv(&words("--name delete list"));
        assert_eq!(s.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["list"]);
        let s = scan_argv(&words("--force delete x -rf --region=eu"));
        assert_eq!(s.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["delete", "x"]);
        assert_eq!(s.options, ["--force", "-r", "-f", "--region"]);
        let s = scan_argv(&words("run -- delete"));
        assert_eq!(s.words.len(), 1);
    }
}
