//! Metamorphic tests: a rewrite of a command line that does not change what bash runs must not
//! make guard's verdict looser (`Allow < Warn < Ask < Deny`, [`Action`]'s order).
//!
//! The dangerous lines are every `block` example of the built-in rules and catalog entries
//! (loaded through the library, so new rules and entries are covered without a change here).
//! The rewrites, each a proptest property:
//! - quoting of any word (`rm`, `'rm'`, `"rm"`, `r\m`, `r'm'`) and shell whitespace (spaces,
//!   tabs, line continuations, a trailing comment);
//! - option clusters split, merged and reordered (`-rf`, `-r -f`, `-fr`), and a short option
//!   swapped with its long synonym (`--recursive --force`), where the program's catalog entry
//!   gives a clustering option style and the synonyms (an attribute read from exactly one short
//!   and one long option);
//! - a wrapper from the catalog's wrapper entries in front (`env`, `nice`, `timeout 1`, `sudo`,
//!   `nohup`, `command`, ...);
//! - a harmless command before or after (`;`, `&&`, a newline, a subshell, a group, a pipeline);
//! - SQL keyword case, SQL whitespace and SQL comments inside a database client's SQL text.

use guard::argv::Style;
use guard::catalog::{AttrSource, Catalog, Program, Rest};
use guard::context::Context;
use guard::engine::{self, Input};
use guard::policy::{Action, RuleSet};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

/// How many cases each property runs (`METAMORPHIC_CASES` overrides it for a longer search).
static CASES: std::sync::LazyLock<u32> =
    std::sync::LazyLock::new(|| std::env::var("METAMORPHIC_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(1000));

struct Oracle {
    rules: RuleSet,
    context: Context,
    dir: PathBuf,
    /// Every block example of the rules and the catalog, deduplicated, in a stable order.
    dangerous: Vec<String>,
    catalog: Catalog,
}

fn oracle() -> &'static Oracle {
    static O: OnceLock<Oracle> = OnceLock::new();
    O.get_or_init(|| {
        let rules = RuleSet::builtin().expect("built-in rules load");
        let catalog = Catalog::builtin().expect("built-in catalog loads");
        let mut dangerous = BTreeSet::new();
        for r in rules.rules() {
            dangerous.extend(r.examples.block.iter().cloned());
        }
        for p in catalog.programs() {
            dangerous.extend(p.examples.block.iter().cloned());
        }
        // Relative names resolve in an empty directory (no `source`d file, no `.guard/`).
        let dir = std::env::temp_dir().join(format!("guard-metamorphic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Oracle { rules, context: Context::detect(), dir, dangerous: dangerous.into_iter().collect(), catalog }
    })
}

fn verdict(line: &str) -> Action {
    let o = oracle();
    engine::evaluate(&Input::bash(line, &o.dir), &o.rules, &o.context).decision.verdict
}

/// Characters whose meaning quoting or splitting would change (globs, tilde, braces,
/// expansions) or that make the line more than one simple command.
const NOT_SIMPLE: &[char] = &['|', ';', '&', '<', '>', '(', ')', '$', '`', '\n', '#', '*', '?', '[', ']', '{', '}', '~', '!'];

/// A dangerous line that is one simple command of plain words, with its words.
fn simple(line: &str) -> Option<Vec<String>> {
    if line.contains(NOT_SIMPLE) {
        return None;
    }
    let words = shlex::split(line)?;
    let first = words.first()?;
    // A leading assignment is not a word that can be quoted or wrapped.
    if first.contains('=') {
        return None;
    }
    Some(words)
}

fn simple_seeds() -> &'static [(String, Vec<String>)] {
    static S: OnceLock<Vec<(String, Vec<String>)>> = OnceLock::new();
    // A NUL byte cannot be in an argv word (the binary-input examples hold one): not a seed.
    S.get_or_init(|| oracle().dangerous.iter().filter(|l| !l.contains('\0')).filter_map(|l| Some((l.clone(), simple(l)?))).collect())
}

fn quote(w: &str) -> String {
    shlex::try_quote(w).expect("quotable").into_owned()
}

/// `w` written so that bash reads the same word, in one of five ways chosen by `style`.
fn requote(w: &str, style: u8, at: usize) -> String {
    let single_ok = !w.contains('\'');
    match style % 5 {
        1 if single_ok => format!("'{w}'"),
        2 => {
            let mut s = String::from("\"");
            for c in w.chars() {
                if matches!(c, '"' | '\\' | '$' | '`') {
                    s.push('\\');
                }
                s.push(c);
            }
            s.push('"');
            s
        }
        3 if !w.contains('\n') => {
            // Backslash before every character that needs it, and before the one at `at`.
            let n = w.chars().count().max(1);
            w.chars()
                .enumerate()
                .map(|(i, c)| {
                    if i == at % n || !(c.is_ascii_alphanumeric() || "-_./,:+%@=".contains(c)) {
                        format!("\\{c}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        4 if single_ok && w.chars().count() > 1 => {
            // Two halves, quoted differently: r'm', "r"m.
            let cut = w.char_indices().nth(1 + at % (w.chars().count() - 1)).map_or(w.len(), |(i, _)| i);
            let (a, b) = w.split_at(cut);
            format!("{}'{b}'", quote(a))
        }
        _ => quote(w),
    }
}

/// Bash word separators that change nothing.
const SEPARATORS: &[&str] = &[" ", "  ", "\t", " \\\n  "];

fn check(runner_cases: u32, name: &str, test: impl Fn(&mut TestRunner) -> Result<(), String>) {
    // A fixed seed: the same cases on every run (a failure reproduces); PROPTEST_RNG_SEED
    // picks others.
    let seed = std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(7);
    let config = Config { cases: runner_cases, failure_persistence: None, rng_seed: RngSeed::Fixed(seed), ..Config::default() };
    let mut runner = TestRunner::new(config);
    if let Err(e) = test(&mut runner) {
        panic!("{name}: {e}");
    }
}

fn looser(original: &str, rewritten: &str) -> Result<(), TestCaseError> {
    let (before, after) = (verdict(original), verdict(rewritten));
    prop_assert!(after >= before, "verdict loosened from {before} to {after}:\n  {original:?}\n  {rewritten:?}");
    Ok(())
}

#[test]
fn quoting_and_whitespace_never_loosen() {
    let seeds = simple_seeds();
    assert!(seeds.len() > 100, "too few simple dangerous examples: {}", seeds.len());
    eprintln!("quoting: {} seed lines, {} cases", seeds.len(), *CASES);
    let strategy = (0..seeds.len(), prop::collection::vec((0u8..5, 0usize..64, 0..SEPARATORS.len()), 16), any::<bool>());
    check(*CASES, "quoting", |r| {
        r.run(&strategy, |(i, styles, comment)| {
            let (line, words) = &seeds[i];
            let mut out = String::new();
            for (k, (w, (style, at, sep))) in words.iter().zip(styles.iter().cycle()).enumerate() {
                if k > 0 {
                    out.push_str(SEPARATORS[*sep]);
                }
                // A word that would be an assignment or a keyword stays as it is.
                out.push_str(&if k == 0 && (w.contains('=')) { quote(w) } else { requote(w, *style, *at) });
            }
            if comment {
                out.push_str(" # a comment; rm -rf /");
            }
            looser(line, &out)
        })
        .map_err(|e| e.to_string())
    });
}

/// The option conventions in which `-rf` is `-r -f`.
fn clusters(style: Style) -> bool {
    matches!(style, Style::Gnu | Style::Posix | Style::Pflag)
}

/// For a program's entry: options that take a value (required or attached-only), and pairs of
/// synonyms (one short, one long option read into the same attribute).
struct Options {
    style: Style,
    values: BTreeSet<String>,
    /// Every option the entry names: only these letters are split or merged (`chmod -x` is a
    /// mode, not an option, and `-Rx` is not `-R -x`).
    known: BTreeSet<String>,
    synonyms: Vec<(String, String)>,
}

fn options(p: &Program) -> Options {
    let mut values: BTreeSet<String> = p.values.iter().chain(&p.optional).cloned().collect();
    // Options whose value is code or SQL take a value too, whether or not `values` lists them.
    values.extend(p.wrapper.iter().flat_map(|w| w.script_options.iter().cloned()));
    values.extend(p.sql.iter().flat_map(|q| q.text.iter().chain(&q.file).cloned()));
    values.extend(p.code.iter().flat_map(|c| c.text.iter().chain(&c.file).cloned()));
    let mut synonyms = vec![];
    let mut known: BTreeSet<String> = p.flags.iter().cloned().collect();
    for c in &p.commands {
        values.extend(c.values.iter().cloned());
        known.extend(c.flags.iter().cloned());
        known.extend(c.attrs.values().filter_map(|a| match a {
            AttrSource::From(f) => f.option.clone(),
            AttrSource::Constant(_) => None,
        }).flatten());
        for a in c.attrs.values() {
            let AttrSource::From(f) = a else { continue };
            let Some(names) = &f.option else { continue };
            let long: Vec<_> = names.iter().filter(|n| n.starts_with("--")).collect();
            let short: Vec<_> = names.iter().filter(|n| n.len() == 2 && n.starts_with('-')).collect();
            if let ([l], false) = (long.as_slice(), short.is_empty())
                && long.len() + short.len() == names.len()
            {
                synonyms.extend(short.iter().map(|s| (s.to_string(), l.to_string())));
            }
        }
    }
    known.extend(values.iter().cloned());
    Options { style: p.style, values, known, synonyms }
}

/// The indices of the option words before the end of options: short clusters of flags (the
/// last letter may take the next word as its value).
fn short_clusters(words: &[String], o: &Options) -> Vec<usize> {
    let mut out = vec![];
    let mut skip = false;
    for (i, w) in words.iter().enumerate().skip(1) {
        if std::mem::take(&mut skip) {
            continue;
        }
        if w == "--" || !w.starts_with('-') || w == "-" {
            if o.style == Style::Posix || w == "--" {
                break;
            }
            continue;
        }
        if w.starts_with("--") {
            skip = !w.contains('=') && o.values.contains(w);
            continue;
        }
        let letters: Vec<char> = w.chars().skip(1).collect();
        if !letters.iter().all(|c| o.known.contains(&format!("-{c}"))) {
            return out; // a word the entry does not read as options (a mode, a number)
        }
        let takes = |c: &char| o.values.contains(&format!("-{c}"));
        match letters.iter().position(takes) {
            None if letters.iter().all(char::is_ascii_alphanumeric) => out.push(i),
            Some(p) if p + 1 == letters.len() && letters.iter().all(char::is_ascii_alphanumeric) => {
                out.push(i);
                skip = true;
            }
            _ => return out, // an attached value: stop, the rest is not read here
        }
    }
    out
}

#[test]
fn option_splitting_merging_and_synonyms_never_loosen() {
    let o = oracle();
    let seeds: Vec<(&String, &Vec<String>, Options)> = simple_seeds()
        .iter()
        .filter_map(|(l, w)| {
            let name = w.first()?.rsplit('/').next()?;
            let p = o.catalog.get(name)?;
            // A wrapper with a handler reads its own syntax (find's expression is not options).
            let handler = p.wrapper.as_ref().is_some_and(|w| w.handler.is_some());
            (clusters(p.style) && !handler).then(|| (l, w, options(p)))
        })
        .filter(|(_, w, opts)| !short_clusters(w, opts).is_empty())
        .collect();
    assert!(seeds.len() > 20, "too few dangerous examples with option clusters: {}", seeds.len());
    eprintln!("options: {} seed lines, {} cases", seeds.len(), *CASES);
    let strategy = (0..seeds.len(), prop::collection::vec((0u8..4, any::<prop::sample::Index>()), 8));
    check(*CASES, "options", |r| {
        r.run(&strategy, |(i, ops)| {
            let (line, words, opts) = &seeds[i];
            let mut words: Vec<String> = (*words).clone();
            for (op, pick) in &ops {
                let at = short_clusters(&words, opts);
                let Some(&k) = at.get(pick.index(at.len().max(1))) else { break };
                let w = words[k].clone();
                let letters: Vec<char> = w.chars().skip(1).collect();
                let last_takes = opts.values.contains(&format!("-{}", letters[letters.len() - 1]));
                match op {
                    // -rf -> -r -f
                    0 => {
                        words.splice(k..=k, letters.iter().map(|c| format!("-{c}")));
                    }
                    // -r -f -> -rf (the first must not take a value)
                    1 if !last_takes && at.contains(&(k + 1)) && k + 1 < words.len() => {
                        let next = words.remove(k + 1);
                        words[k] = format!("{w}{}", &next[1..]);
                    }
                    // -rf -> -fr (a value-taking last letter stays last)
                    2 => {
                        let (mut free, fixed) = if last_takes {
                            (letters[..letters.len() - 1].to_vec(), letters.last().copied())
                        } else {
                            (letters.clone(), None)
                        };
                        let n = free.len();
                        if n > 1 {
                            free.rotate_left(1 + pick.index(n - 1));
                        }
                        words[k] = std::iter::once('-').chain(free).chain(fixed).collect();
                    }
                    // -r -> --recursive (one short option alone)
                    3 if letters.len() == 1 => {
                        if let Some((_, long)) = opts.synonyms.iter().find(|(s, _)| *s == w) {
                            words[k] = long.clone();
                        }
                    }
                    _ => {}
                }
            }
            let out = shlex::try_join(words.iter().map(String::as_str)).expect("joinable");
            looser(line, &out)
        })
        .map_err(|e| e.to_string())
    });
}

/// Every catalog wrapper that runs the rest of its command line, as the words to put in front
/// of a command (`timeout 1`, `ip netns exec 1`, `kubectl exec 1 --`); `Rest::Script` wrappers
/// take the command as one word, marked by `true`.
fn wrappers() -> Vec<(Vec<String>, bool)> {
    let mut out = vec![];
    for p in oracle().catalog.programs() {
        let Some(w) = &p.wrapper else { continue };
        // Most handlers read their own syntax (find -exec ... ;, trap, source FILE, ssh HOST,
        // docker exec); these take the inner command as the rest of the argv, as the generic
        // wrapper does (xargs appends its input's words, coproc runs the words), and eval
        // parses its words joined by spaces, so it gets the command as one quoted word.
        const ARGV_HANDLERS: &[&str] = &["env", "xargs", "coproc", "busybox"];
        const SCRIPT_HANDLERS: &[&str] = &["eval"];
        let handler = w.handler.as_deref();
        let script = w.rest == Rest::Script || handler.is_some_and(|h| SCRIPT_HANDLERS.contains(&h));
        // `Rest::Stdin` wrappers (at, batch) run their standard input, not their operands.
        if matches!(w.rest, Rest::None | Rest::Stdin) || handler.is_some_and(|h| !ARGV_HANDLERS.contains(&h) && !script) {
            continue;
        }
        for name in &p.names {
            let mut words = vec![name.clone()];
            words.extend(w.path.iter().map(|alts| alts.split('|').next().unwrap_or_default().to_string()));
            words.extend(std::iter::repeat_n("1".to_string(), w.operands));
            if w.after_double_dash {
                words.push("--".into());
            }
            out.push((words, script));
        }
    }
    out
}

/// Bash builtins with no program of the same name (`compgen -b` of bash 5.2 without echo,
/// false, kill, printf, pwd, test, `[` and true): a wrapper that execs its argv cannot run them,
/// so `nice export A=b` is not `export A=b`.
const SHELL_ONLY: &[&str] = &[
    ".", ":", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command", "compgen", "complete", "compopt",
    "continue", "declare", "dirs", "disown", "enable", "eval", "exec", "exit", "export", "fc", "fg", "getopts", "hash",
    "help", "history", "jobs", "let", "local", "logout", "mapfile", "popd", "pushd", "read", "readarray", "readonly",
    "return", "set", "shift", "shopt", "source", "suspend", "times", "trap", "type", "typeset", "ulimit", "umask",
    "unalias", "unset", "wait",
];

#[test]
fn a_catalog_wrapper_in_front_never_loosens() {
    let seeds: Vec<_> = simple_seeds().iter().filter(|(_, w)| !SHELL_ONLY.contains(&w[0].as_str())).collect();
    let wrappers = wrappers();
    assert!(wrappers.len() > 20, "too few catalog wrappers: {}", wrappers.len());
    eprintln!("wrappers: {} seed lines x {} wrappers, {} cases", seeds.len(), wrappers.len(), *CASES);
    for must in ["env", "nice", "timeout", "sudo", "nohup", "command"] {
        assert!(wrappers.iter().any(|(w, _)| w[0] == must), "the catalog has no wrapper {must}");
    }
    check(*CASES, "wrappers", |r| {
        r.run(&(0..seeds.len(), 0..wrappers.len()), |(i, k)| {
            let (line, words) = &seeds[i];
            let (wrapper, script) = &wrappers[k];
            let inner = shlex::try_join(words.iter().map(String::as_str)).expect("joinable");
            let head = shlex::try_join(wrapper.iter().map(String::as_str)).expect("joinable");
            let out = if *script { format!("{head} {}", quote(&inner)) } else { format!("{head} {inner}") };
            looser(line, &out)
        })
        .map_err(|e| e.to_string())
    });
}

/// `line` with a harmless command around it, in the way `form` picks; `None` where that form
/// would change how bash reads `line` (a here-document must end its line, `a &; true` is not
/// bash).
fn compose(line: &str, simple: bool, form: u8) -> Option<String> {
    let one_line = !line.contains('\n') && !line.contains('#');
    let open_end = one_line && !line.trim_end().ends_with(['&', ';']);
    Some(match form % 10 {
        0 => format!("true; {line}"),
        1 => format!("true && {line}"),
        2 => format!("cd .\n{line}"),
        3 => format!("(\n{line}\n)"),
        4 => format!("{{ true; {line}\n}}"),
        5 => format!("{line}\ntrue"),
        6 if open_end => format!("{line}; echo done"),
        7 if open_end => format!("{line} && echo done"),
        8 if simple => format!("{line} | cat"),
        // (Not `echo hi | LINE`: a different standard input is a different command for a
        // reader of it, `xargs -I% rm -rf /%`.)
        9 => format!("if true; then\n{line}\nfi"),
        _ => return None,
    })
}

#[test]
fn a_harmless_command_before_or_after_never_loosens() {
    let o = oracle();
    let seeds = &o.dangerous;
    eprintln!("composition: {} seed lines x 10 forms, {} cases", seeds.len(), *CASES);
    check(*CASES, "composition", |r| {
        r.run(&(0..seeds.len(), 0u8..10), |(i, form)| {
            let line = &seeds[i];
            let Some(out) = compose(line, simple(line).is_some(), form) else { return Ok(()) };
            looser(line, &out)
        })
        .map_err(|e| e.to_string())
    });
}

/// One token of an SQL text, as far as case, whitespace and comments are concerned.
#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Space,
    Other(&'a str),
}

/// Splits SQL into words, whitespace runs, and everything else (quoted strings and
/// identifiers kept whole). `None` for text whose layout matters beyond this (psql
/// meta-commands, dollar quotes, comments already there).
fn sql_tokens(sql: &str) -> Option<Vec<Tok<'_>>> {
    if sql.contains(['\\', '$']) || sql.contains("--") || sql.contains("/*") || sql.contains('#') {
        return None;
    }
    let mut out = vec![];
    let mut rest = sql;
    while let Some(c) = rest.chars().next() {
        let len = if c == '\'' || c == '"' || c == '`' {
            1 + rest[1..].find(c)? + 1
        } else if c.is_whitespace() {
            rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len())
        } else if c.is_ascii_alphabetic() || c == '_' {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        let (t, r) = rest.split_at(len);
        out.push(if c.is_whitespace() {
            Tok::Space
        } else if c.is_ascii_alphabetic() || c == '_' {
            Tok::Word(t)
        } else {
            Tok::Other(t)
        });
        rest = r;
    }
    Some(out)
}

fn is_keyword(w: &str) -> bool {
    let up = w.to_ascii_uppercase();
    sqlparser::keywords::ALL_KEYWORDS.binary_search(&up.as_str()).is_ok()
}

/// SQL whitespace that changes nothing.
const SQL_SPACE: &[&str] = &[" ", "  ", "\t", "\n", " /* c */ ", " -- c\n", "\n\t "];

/// The database client lines among the dangerous examples, with the index of the word that
/// holds their SQL and where in it the SQL starts (after `--opt=`).
fn sql_seeds() -> Vec<(String, Vec<String>, usize, usize)> {
    let o = oracle();
    let mut out = vec![];
    for (line, words) in simple_seeds() {
        let Some(p) = words.first().and_then(|w| o.catalog.get(w.rsplit('/').next()?)) else { continue };
        if p.sql.is_none() {
            continue;
        }
        for (k, w) in words.iter().enumerate().skip(1) {
            let start = if w.starts_with('-') { w.find('=').map_or(usize::MAX, |i| i + 1) } else { 0 };
            let Some(sql) = w.get(start..) else { continue };
            let words_in = sql_tokens(sql).unwrap_or_default();
            if words_in.iter().filter(|t| matches!(t, Tok::Word(x) if is_keyword(x))).count() >= 2
                && words_in.contains(&Tok::Space)
            {
                out.push((line.clone(), words.clone(), k, start));
            }
        }
    }
    out
}

#[test]
fn sql_keyword_case_whitespace_and_comments_never_loosen() {
    let seeds = sql_seeds();
    assert!(seeds.len() > 20, "too few dangerous SQL examples: {}", seeds.len());
    eprintln!("sql: {} seed lines, {} cases", seeds.len(), *CASES);
    let strategy = (0..seeds.len(), prop::collection::vec((0u8..3, 0..SQL_SPACE.len()), 32));
    check(*CASES, "sql", |r| {
        r.run(&strategy, |(i, choices)| {
            let (line, words, k, start) = &seeds[i];
            let (prefix, sql) = words[*k].split_at(*start);
            let mut text = prefix.to_string();
            for (t, (case, space)) in sql_tokens(sql).unwrap_or_default().into_iter().zip(choices.iter().cycle()) {
                match t {
                    Tok::Word(w) if is_keyword(w) => text.push_str(&match case {
                        0 => w.to_ascii_lowercase(),
                        1 => w.to_ascii_uppercase(),
                        _ => w.chars().enumerate().map(|(j, c)| if j % 2 == 0 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect(),
                    }),
                    Tok::Word(w) | Tok::Other(w) => text.push_str(w),
                    Tok::Space => text.push_str(SQL_SPACE[*space]),
                }
            }
            let mut words = words.clone();
            words[*k] = text;
            let out = shlex::try_join(words.iter().map(String::as_str)).expect("joinable");
            looser(line, &out)
        })
        .map_err(|e| e.to_string())
    });
}
