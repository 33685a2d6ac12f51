//! One argv parser for every command line guard reads: wrappers, tool analyzers, bash's own
//! options and redaction all split their arguments here, against a [`Spec`] saying which
//! options take a value.
//!
//! Styles (the conventions real tools follow):
//! - [`Style::Gnu`]: GNU `getopt_long` (glibc manual §25.2 "Parsing program options"):
//!   clustered short flags (`-rf`), a short option's value attached or in the next word
//!   (`-uroot`, `-u root`), `--name=value` or `--name value`, unambiguous abbreviations of
//!   long options (`--recur`), `--` ends the options, and options may follow operands.
//! - [`Style::Posix`]: the same, but the options end at the first operand (getopt's `+` mode,
//!   POSIX.1 XBD §12.2 guideline 9). Every program that runs another program (`sudo`, `nice`,
//!   `timeout`, `xargs`) parses this way, so the inner command's options stay its own.
//! - [`Style::Pflag`]: Go's spf13/pflag (kubectl, helm, gh, docker): as GNU, plus `-n=value`.
//! - [`Style::GoFlag`]: Go's standard `flag` package (terraform): one or two dashes before a
//!   long name, `-name=value` or `-name value`, no clusters, options end at the first operand.
//! - [`Style::Long`]: long names after one or two dashes as [`Style::GoFlag`], but options may
//!   follow operands (sqlite3 and duckdb: `sqlite3 DB -cmd SQL`, shell.c `main`).
//!
//! Any style may have options whose value is optional and only given attached (getopt's
//! `p::`, [`Spec::optional`]): mysql's `-pSECRET` / `--password=SECRET`, where a bare `-p`
//! prompts and the next word is not its value.
//!
//! The parser never fails and never panics: a value-taking option at the end of the argv
//! simply has no value ([`Opt::value`] is `None`), and a word whose option name is only known
//! at run time (`$OPTS`) is an operand, so the caller sees a dynamic program or argument.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::shell::Word;

/// How a program spells its options. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// GNU getopt_long with argument permutation (options anywhere).
    #[default]
    Gnu,
    /// getopt that stops at the first operand.
    Posix,
    /// Go spf13/pflag (options anywhere; `-n=value`).
    Pflag,
    /// Go `flag` (`-name=value`; stops at the first operand).
    #[serde(rename = "goflag")]
    GoFlag,
    /// Long names after one or two dashes, no clusters, options anywhere (sqlite3).
    Long,
}

/// Which options of a program take a value, and how it spells them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spec {
    /// The option convention.
    pub style: Style,
    /// Options that take a value, as written (`-u`, `--user`; `-target` for [`Style::GoFlag`]).
    pub values: Vec<String>,
    /// Options known to take no value (`--all`): only used to tell long-option abbreviations
    /// apart. Options in neither list are read as flags without a value.
    pub flags: Vec<String>,
    /// Options whose value is optional and only given attached (`-pSECRET`, `--password=X`;
    /// getopt `p::`): a bare `-p` has no value and never takes the next word.
    pub optional: Vec<String>,
}

impl Spec {
    /// A spec of `style` whose value-taking options are `values` (`"-u"`, `"--user"`).
    pub fn new(style: Style, values: &[&str]) -> Spec {
        Spec { style, values: values.iter().map(|s| s.to_string()).collect(), ..Spec::default() }
    }

    fn takes_value(&self, name: &str) -> bool {
        self.values.iter().any(|v| v == name)
    }

    fn optional_value(&self, name: &str) -> bool {
        self.optional.iter().any(|v| v == name)
    }

    /// The full name of a long option written `--name` (GNU: an unambiguous prefix of a known
    /// option stands for it), and whether it takes a value.
    fn long(&self, name: &str) -> (String, bool) {
        if self.takes_value(name) || self.optional_value(name) || self.flags.iter().any(|f| f == name) {
            return (name.to_string(), self.takes_value(name));
        }
        // getopt_long takes any unambiguous prefix, down to one letter (`sudo --u root`).
        if matches!(self.style, Style::Gnu | Style::Posix) && name.len() > 2 {
            let mut hits = self.values.iter().chain(&self.optional).chain(&self.flags).filter(|o| o.starts_with(name));
            if let (Some(only), None) = (hits.next(), hits.next()) {
                return (only.clone(), self.takes_value(only));
            }
        }
        (name.to_string(), false)
    }
}

/// One option found on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    /// The option as spelt in the spec: `-u`, `--user` (a cluster `-rf` gives `-r` and `-f`;
    /// an abbreviation `--recur` gives the full name).
    pub name: String,
    /// Its value (`--user=root`, `-uroot`, `-u root`), or `None` for a flag, or for a
    /// value-taking option with nothing after it.
    pub value: Option<Word>,
    /// True if the option takes a value per the spec (even if the value is missing).
    pub takes_value: bool,
    /// The word the option was written in.
    pub word: Word,
}

impl Opt {
    /// True if the option counts as given: a value-taking option always, a flag unless its
    /// attached value says false (`--force=false`, as pflag and Go flag read it).
    pub fn is_set(&self) -> bool {
        self.takes_value || !is_false(self.value.as_ref().map(|w| w.text.as_str()))
    }
}

/// A command line split into options and operands (both in order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The options, in the order given.
    pub options: Vec<Opt>,
    /// The operands, in the order given (`--` itself is not included).
    pub operands: Vec<Word>,
    /// True if a `--` ended the options.
    pub double_dash: bool,
}

impl Parsed {
    /// True if any of `names` was given (a flag value of `false`/`0` counts as not given, as
    /// pflag and Go flag read `--force=false`).
    pub fn has(&self, names: &[&str]) -> bool {
        self.options.iter().any(|o| names.contains(&o.name.as_str()) && o.is_set())
    }

    /// The value of the last of `names` given (`-n a -n b` gives `b`), if any.
    pub fn value(&self, names: &[&str]) -> Option<&Word> {
        self.options.iter().rev().find(|o| names.contains(&o.name.as_str())).and_then(|o| o.value.as_ref())
    }

    /// Every value of `names`, in order (`-t a -t b`).
    pub fn values(&self, names: &[&str]) -> Vec<&Word> {
        self.options.iter().filter(|o| names.contains(&o.name.as_str())).filter_map(|o| o.value.as_ref()).collect()
    }

    /// The operands as text.
    pub fn operand_texts(&self) -> Vec<&str> {
        self.operands.iter().map(|w| w.text.as_str()).collect()
    }
}

fn is_false(v: Option<&str>) -> bool {
    matches!(v, Some("false" | "False" | "FALSE" | "0" | "f" | "F"))
}

/// True for a word that is an option by its form: `-x...` or `--x...` whose option name is
/// written literally (a dynamic `$OPTS` or `-$X` is an operand).
fn is_option_word(w: &Word) -> bool {
    let t = w.text.as_str();
    let Some(rest) = t.strip_prefix('-') else { return false };
    let name = rest.strip_prefix('-').unwrap_or(rest);
    let Some(first) = name.chars().next() else { return false };
    !(w.dynamic && matches!(first, '$' | '`'))
}

/// A word for the part of `w` from byte `at` on (an attached option value).
fn tail(w: &Word, at: usize) -> Word {
    let text = w.text.get(at..).unwrap_or_default().to_string();
    Word {
        dynamic: w.dynamic && text.contains(['$', '`']),
        verbatim_at: w.verbatim_at.map(|v| v + at),
        text,
        ..w.clone()
    }
}

/// Splits `args` (the words after the program name) into options and operands per `spec`.
///
/// Never fails: missing values are `None`, unknown options are flags without a value.
pub fn parse(args: &[Word], spec: &Spec) -> Parsed {
    let mut out = Parsed::default();
    let stop_at_operand = matches!(spec.style, Style::Posix | Style::GoFlag);
    let mut it = args.iter();
    let mut operands_only = false;
    while let Some(w) = it.next() {
        let t = w.text.as_str();
        if !operands_only && t == "--" {
            out.double_dash = true;
            operands_only = true;
            continue;
        }
        if operands_only || t == "-" || !is_option_word(w) {
            out.operands.push(w.clone());
            if stop_at_operand {
                operands_only = true;
            }
            continue;
        }
        // Long options: `--name[=value]`, or `-name[=value]` for Go's flag package.
        let single_dash_long = matches!(spec.style, Style::GoFlag | Style::Long);
        let long = t.strip_prefix("--").or_else(|| t.strip_prefix('-').filter(|_| single_dash_long));
        if let Some(body) = long {
            let (given, attached) = match body.split_once('=') {
                Some((n, _)) => (n, Some(tail(w, t.len() - body.len() + n.len() + 1))),
                None => (body, None),
            };
            let dashes = if t.starts_with("--") { "--" } else { "-" };
            // kubectl (and every cobra tool using k8s.io/component-base's WordSepNormalizeFunc)
            // reads `--cache_dir` as `--cache-dir`; a tool that does not rejects the word.
            let normalized;
            let given = if spec.style == Style::Pflag && given.contains('_') {
                normalized = given.replace('_', "-");
                normalized.as_str()
            } else {
                given
            };
            let written = format!("{dashes}{given}");
            // Go flag accepts `--name` for `-name`: look the option up as the spec spells it.
            let (name, takes_value) = if single_dash_long {
                let single = format!("-{given}");
                let double = format!("--{given}");
                if spec.takes_value(&single) {
                    (single, true)
                } else if spec.takes_value(&double) {
                    (double, true)
                } else if spec.optional_value(&single) || spec.flags.contains(&single) {
                    (single, false)
                } else if spec.optional_value(&double) || spec.flags.contains(&double) {
                    (double, false)
                } else {
                    (written, false)
                }
            } else {
                spec.long(&written)
            };
            let optional = spec.optional_value(&name);
            let value = match attached {
                Some(v) => Some(v),
                None if takes_value && !optional => it.next().cloned(),
                None => None,
            };
            out.options.push(Opt { name, value, takes_value: takes_value || optional, word: w.clone() });
            continue;
        }
        // A single-dash name the spec lists whole (node's `-pe`, an alias of `--print --eval`)
        // is that option, not a cluster.
        if t.chars().count() > 2 && spec.takes_value(t) {
            out.options.push(Opt { name: t.to_string(), value: it.next().cloned(), takes_value: true, word: w.clone() });
            continue;
        }
        // A short cluster: `-rf`, `-uroot`, `-u root`, `-n=ns` (pflag).
        let body = t.get(1..).unwrap_or_default();
        for (k, c) in body.char_indices() {
            let name = format!("-{c}");
            if spec.takes_value(&name) {
                let after = 1 + k + c.len_utf8();
                let value = if after < t.len() {
                    let skip = if spec.style == Style::Pflag && t.get(after..after + 1) == Some("=") { 1 } else { 0 };
                    Some(tail(w, after + skip))
                } else {
                    it.next().cloned()
                };
                out.options.push(Opt { name, value, takes_value: true, word: w.clone() });
                break;
            }
            if spec.optional_value(&name) {
                // `-pSECRET`: the rest of the word; a bare `-p` has no value.
                let after = 1 + k + c.len_utf8();
                let value = (after < t.len()).then(|| tail(w, after));
                out.options.push(Opt { name, value, takes_value: true, word: w.clone() });
                break;
            }
            out.options.push(Opt { name, value: None, takes_value: false, word: w.clone() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Span;

    fn words(s: &[&str]) -> Vec<Word> {
        s.iter().map(|t| Word::plain(t, Span::default())).collect()
    }

    fn run(style: Style, values: &[&str], args: &[&str]) -> (Vec<(String, Option<String>)>, Vec<String>) {
        let p = parse(&words(args), &Spec::new(style, values));
        (
            p.options.iter().map(|o| (o.name.clone(), o.value.as_ref().map(|w| w.text.clone()))).collect(),
            p.operands.iter().map(|w| w.text.clone()).collect(),
        )
    }

    fn o(n: &str, v: Option<&str>) -> (String, Option<String>) {
        (n.to_string(), v.map(str::to_string))
    }

    #[test]
    fn gnu_forms() {
        let (opts, ops) = run(Style::Gnu, &["-u", "--user"], &["-rfu", "root", "a", "--user=x", "b", "--", "-c"]);
        assert_eq!(opts, vec![o("-r", None), o("-f", None), o("-u", Some("root")), o("--user", Some("x"))]);
        assert_eq!(ops, vec!["a", "b", "-c"]);
        let (opts, _) = run(Style::Gnu, &["-u"], &["-uroot"]);
        assert_eq!(opts, vec![o("-u", Some("root"))]);
    }

    #[test]
    fn posix_stops_at_first_operand() {
        let (opts, ops) = run(Style::Posix, &["-u"], &["-u", "root", "rm", "-rf", "/"]);
        assert_eq!(opts, vec![o("-u", Some("root"))]);
        assert_eq!(ops, vec!["rm", "-rf", "/"]);
    }

    #[test]
    fn trailing_value_option_has_no_value() {
        for style in [Style::Gnu, Style::Posix, Style::Pflag, Style::GoFlag, Style::Long] {
            let (opts, ops) = run(style, &["-u", "--user", "-n"], &["-u"]);
            assert_eq!(opts, vec![o("-u", None)]);
            assert!(ops.is_empty());
            let (opts, _) = run(style, &["--user", "-u"], &["--user"]);
            assert_eq!(opts.len(), 1);
        }
    }

    #[test]
    fn pflag_equals_and_interspersed() {
        let (opts, ops) = run(Style::Pflag, &["-n", "--namespace"], &["delete", "-n=prod", "ns", "x", "--namespace", "y"]);
        assert_eq!(opts, vec![o("-n", Some("prod")), o("--namespace", Some("y"))]);
        assert_eq!(ops, vec!["delete", "ns", "x"]);
    }

    #[test]
    fn goflag_single_dash_long() {
        let (opts, ops) = run(Style::GoFlag, &["-target", "-chdir"], &["-chdir=infra", "destroy", "-target", "x"]);
        assert_eq!(opts, vec![o("-chdir", Some("infra"))]);
        assert_eq!(ops, vec!["destroy", "-target", "x"]);
        let (opts, _) = run(Style::GoFlag, &["-target"], &["--target", "x", "-auto-approve"]);
        assert_eq!(opts, vec![o("-target", Some("x")), o("-auto-approve", None)]);
    }

    #[test]
    fn long_abbreviations() {
        let mut spec = Spec::new(Style::Gnu, &["--user"]);
        spec.flags.push("--preserve-env".into());
        let p = parse(&words(&["--us", "root", "--preserve", "x"]), &spec);
        assert_eq!(p.options.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), vec!["--user", "--preserve-env"]);
        assert_eq!(p.operand_texts(), vec!["x"]);
        // One letter is enough when it is unambiguous (getopt_long: `sudo --u root`).
        let p = parse(&words(&["--u", "root", "--p", "x"]), &spec);
        assert_eq!(p.options.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), vec!["--user", "--preserve-env"]);
        assert_eq!(p.operand_texts(), vec!["x"]);
    }

    #[test]
    fn dynamic_option_names_are_operands() {
        let mut w = words(&["$OPTS", "rm"]);
        w[0].dynamic = true;
        let p = parse(&w, &Spec::new(Style::Posix, &[]));
        assert_eq!(p.operand_texts(), vec!["$OPTS", "rm"]);
        let mut w = words(&["-u$U", "rm"]);
        w[0].dynamic = true;
        let p = parse(&w, &Spec::new(Style::Posix, &["-u"]));
        assert_eq!(p.operand_texts(), vec!["rm"]);
    }

    #[test]
    fn never_panics_on_odd_words() {
        let odd = ["-", "--", "-=", "--=", "-é", "--é=ü", "-u", "-\u{0}", "---", "-n=", "=", ""];
        for style in [Style::Gnu, Style::Posix, Style::Pflag, Style::GoFlag, Style::Long] {
            for a in odd {
                for b in odd {
                    let _ = parse(&words(&[a, b, a]), &Spec::new(style, &["-u", "-n", "-é", "--é", "-="]));
                }
            }
        }
    }

    #[test]
    fn optional_values_are_attached_only() {
        let mut spec = Spec::new(Style::Gnu, &["-e", "-h"]);
        spec.optional = vec!["-p".into(), "--password".into()];
        let p = parse(&words(&["-pxh", "-e", "DROP", "-p", "db", "--password", "x", "--password=y", "-sp"]), &spec);
        let got: Vec<(String, Option<String>)> =
            p.options.iter().map(|o| (o.name.clone(), o.value.as_ref().map(|w| w.text.clone()))).collect();
        assert_eq!(
            got,
            vec![
                o("-p", Some("xh")),
                o("-e", Some("DROP")),
                o("-p", None),
                o("--password", None),
                o("--password", Some("y")),
                o("-s", None),
                o("-p", None)
            ]
        );
        assert_eq!(p.operand_texts(), vec!["db", "x"]);
        assert!(p.has(&["-p"]));
    }

    #[test]
    fn long_style_options_anywhere() {
        let (opts, ops) = run(Style::Long, &["-cmd", "-init"], &["db", "-cmd", ".shell x", "--init", "f", "-bail", "SQL"]);
        assert_eq!(opts, vec![o("-cmd", Some(".shell x")), o("-init", Some("f")), o("-bail", None)]);
        assert_eq!(ops, vec!["db", "SQL"]);
    }

    #[test]
    fn pflag_word_separators_are_normalised() {
        let (opts, ops) = run(Style::Pflag, &["--cache-dir"], &["delete", "--cache_dir", "--dry-run", "ns", "--dry_run"]);
        assert_eq!(opts, vec![o("--cache-dir", Some("--dry-run")), o("--dry-run", None)]);
        assert_eq!(ops, vec!["delete", "ns"]);
    }

    #[test]
    fn whole_single_dash_names_are_not_clusters() {
        let (opts, ops) = run(Style::Posix, &["-p", "-pe"], &["-pe", "CODE", "x"]);
        assert_eq!(opts, vec![o("-pe", Some("CODE"))]);
        assert_eq!(ops, vec!["x"]);
        let (opts, _) = run(Style::Posix, &["-p"], &["-pe", "CODE"]);
        assert_eq!(opts, vec![o("-p", Some("e"))]);
    }

    #[test]
    fn has_reads_false_values() {
        let p = parse(&words(&["--force=false", "--all"]), &Spec::new(Style::Pflag, &[]));
        assert!(!p.has(&["--force"]));
        assert!(p.has(&["--all"]));
    }
}
