//! `make X`: the recipe lines of target `X` and of its prerequisites, from the makefile,
//! parsed by the `makefile-lossless` crate (rules, prerequisites, recipes, conditionals,
//! `define`, continuation lines).
//!
//! - The makefile: `-f FILE`/`--file`/`--makefile`, else `GNUmakefile`, `makefile`, `Makefile`
//!   in the directory (`-C DIR`/`--directory`, cumulative, as GNU make reads them) (GNU make
//!   manual §3.2 "What Name to Give Your Makefile"). `-f -` (standard input) is not read here.
//! - The goals: the operands that are not `NAME=VALUE` assignments; none: `.DEFAULT_GOAL` or the
//!   first target that is not special (`.PHONY`) nor a pattern (§4.1 "Rule Example"... §9.2).
//! - Each recipe line is one shell (§5.3 "Recipe Execution"), so each is analysed on its own,
//!   with its prefixes `@`, `-`, `+` removed. With `-n`/`--dry-run`/`--just-print`/`--recon`,
//!   only the lines make runs anyway are: `+` lines and those naming `$(MAKE)` (§5.7.1).
//! - Variables (§6): `$$` is `$`; `$(NAME)`/`${NAME}`/`$X` take the value assigned in the
//!   makefile or on the command line (`make X=1`), else make's built-in default (§10.3:
//!   `MAKE`, `RM`, `CC`, ...), expanded again up to a depth; `$@`, `$<`, `$^` the target and its
//!   prerequisites; `$(shell CMD)` becomes the command substitution `$(CMD)`; a variable
//!   assigned in two different ways, an unknown one and any other function stay opaque: a
//!   shell variable reference (`${NAME}`), which the analysis reads as known only at run time.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{load_project_file, run_text, work_dir, MAX_STEPS};
use crate::analyze::{Analyzer, Invocation};
use crate::argv::{self, Spec, Style};
use makefile_lossless::Makefile;
use std::collections::HashMap;

/// GNU make's options that take a value (make(1)); `-j`, `-l`, `-O` take one only attached.
const VALUES: &[&str] = &[
    "-C", "--directory", "-f", "--file", "--makefile", "-I", "--include-dir", "-o", "--old-file", "--assume-old", "-W",
    "--what-if", "--new-file", "--assume-new", "-E", "--eval", "--jobserver-style", "--shuffle",
];
const OPTIONAL: &[&str] = &["-j", "--jobs", "-l", "--load-average", "-O", "--output-sync", "--debug"];
const DRY_RUN: &[&str] = &["-n", "--dry-run", "--just-print", "--recon", "-q", "--question"];

/// make's built-in variables (GNU make manual §10.3 "Variables Used by Implicit Rules").
const DEFAULTS: &[(&str, &str)] = &[
    ("MAKE", "make"), ("RM", "rm -f"), ("CC", "cc"), ("CXX", "g++"), ("CPP", "cc -E"), ("AR", "ar"), ("AS", "as"),
    ("LD", "ld"), ("FC", "f77"), ("LEX", "lex"), ("YACC", "yacc"), ("SHELL", "/bin/sh"), ("MAKEFLAGS", ""),
];

/// How deep variable values are expanded inside each other.
const MAX_EXPANSION_DEPTH: usize = 16;
/// Longest expanded recipe line, in bytes; past it the rest is left out.
const MAX_LINE: usize = 64 << 10;

/// Analyses a make line.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    let spec = Spec {
        style: Style::Gnu,
        values: VALUES.iter().map(|s| s.to_string()).collect(),
        optional: OPTIONAL.iter().map(|s| s.to_string()).collect(),
        flags: vec![],
    };
    let parsed = argv::parse(inv.args(), &spec);
    let Some(mut dir) = work_dir(a, None) else { return };
    for d in parsed.values(&["-C", "--directory"]) {
        if d.dynamic {
            return;
        }
        dir = dir.join(crate::analyze::expand_home(&d.text));
    }
    let file = parsed.value(&["-f", "--file", "--makefile"]);
    if file.is_some_and(|f| f.text == "-" || crate::analyze::is_stdin_file(&f.text)) {
        return;
    }
    let names = ["GNUmakefile", "makefile", "Makefile"];
    let Some((dir, text)) = load_project_file(a, dir, file, &names, false, inv.span()) else { return };
    let (mk, _) = Makefile::from_str_relaxed(&text);
    let mut vars = Vars::default();
    for v in mk.variable_definitions() {
        let (Some(name), Some(value)) = (v.name(), v.raw_value()) else { continue };
        let op = v.assignment_operator().unwrap_or_default();
        vars.assign(name, value.trim().to_string(), &op);
    }
    let mut goals = vec![];
    for w in &parsed.operands {
        match w.text.split_once('=') {
            Some((name, value)) if !w.dynamic => vars.set_command_line(name.trim_end_matches([':', '?', '+']), value),
            Some(_) => {}
            None if w.dynamic => return,
            None => goals.push(w.text.clone()),
        }
    }
    if goals.is_empty() {
        let default = vars.value(".DEFAULT_GOAL").filter(|g| !g.is_empty()).map(str::to_string);
        let first = || {
            mk.rules().find_map(|r| r.targets().find(|t| !t.starts_with('.') && !t.contains('%') && !t.contains('$')))
        };
        goals.extend(default.or_else(first));
    }
    let dry = parsed.has(DRY_RUN);
    let mut done: Vec<String> = vec![];
    let mut lines = vec![];
    for g in goals {
        recipes(&mk, &g, &mut done, &mut lines, 0);
    }
    for line in lines {
        let (prefix, body) = split_prefix(&line);
        if dry && !prefix.contains('+') && !body.contains("$(MAKE)") && !body.contains("${MAKE}") {
            continue;
        }
        let text = vars.expand(body, 0);
        run_text(a, &text, &dir, inv.span(), depth);
    }
}

/// Appends the recipe lines of `target`'s prerequisites, then its own, to `out` (with `$@`,
/// `$<`, `$^` substituted), each target once, at most [`MAX_STEPS`] targets.
fn recipes(mk: &Makefile, target: &str, done: &mut Vec<String>, out: &mut Vec<String>, level: usize) {
    if done.iter().any(|d| d == target) || done.len() >= MAX_STEPS || level > MAX_STEPS {
        return;
    }
    done.push(target.to_string());
    for rule in mk.rules_by_target(target) {
        let prereqs: Vec<String> = rule.prerequisites().collect();
        for p in &prereqs {
            recipes(mk, p, done, out, level + 1);
        }
        for r in rule.recipes() {
            let auto = r
                .replace("$@", target)
                .replace("$<", prereqs.first().map_or("", String::as_str))
                .replace("$^", &prereqs.join(" "));
            out.push(auto);
        }
    }
}

/// A recipe line's prefix characters (`@`, `-`, `+`: GNU make manual §5.2, §5.5, §5.7.1) and
/// the command after them.
fn split_prefix(line: &str) -> (&str, &str) {
    let t = line.trim_start();
    let n = t.find(|c: char| !matches!(c, '@' | '-' | '+') && !c.is_whitespace()).unwrap_or(t.len());
    (t.get(..n).unwrap_or_default(), t.get(n..).unwrap_or_default())
}

/// Make variables: the value of each name, or `None` when assigned in two different ways.
#[derive(Debug, Default)]
struct Vars {
    values: HashMap<String, Option<String>>,
    /// Set on the command line: they override the makefile (§6.7 "Overriding Variables").
    command_line: HashMap<String, String>,
}

impl Vars {
    fn assign(&mut self, name: String, value: String, op: &str) {
        match (op, self.values.get_mut(&name)) {
            ("?=", Some(_)) => {}
            ("+=", Some(Some(old))) => {
                old.push(' ');
                old.push_str(&value);
            }
            (_, Some(old)) if old.as_deref() != Some(value.as_str()) => *old = None,
            _ => {
                self.values.insert(name, Some(value));
            }
        }
    }

    fn set_command_line(&mut self, name: &str, value: &str) {
        self.command_line.insert(name.to_string(), value.to_string());
    }

    fn value(&self, name: &str) -> Option<&str> {
        if let Some(v) = self.command_line.get(name) {
            return Some(v);
        }
        match self.values.get(name) {
            Some(v) => v.as_deref(),
            None => DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v),
        }
    }

    /// `text` with make's references expanded (see the module documentation).
    fn expand(&self, text: &str, level: usize) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(rest.get(..at).unwrap_or_default());
            let after = rest.get(at + 1..).unwrap_or_default();
            let mut chars = after.chars();
            match chars.next() {
                None => {
                    out.push('$');
                    rest = "";
                }
                Some('$') => {
                    out.push('$');
                    rest = chars.as_str();
                }
                Some(open @ ('(' | '{')) => {
                    let close = if open == '(' { ')' } else { '}' };
                    let inner_text = chars.as_str();
                    let Some(end) = matching(inner_text, open, close) else {
                        out.push_str("${MAKE_REFERENCE}");
                        rest = "";
                        continue;
                    };
                    let inner = inner_text.get(..end).unwrap_or_default();
                    rest = inner_text.get(end + 1..).unwrap_or_default();
                    out.push_str(&self.reference(inner, level));
                }
                Some(c) => {
                    out.push_str(&self.reference(&c.to_string(), level));
                    rest = chars.as_str();
                }
            }
            if out.len() > MAX_LINE {
                break;
            }
        }
        out.push_str(rest);
        out
    }

    /// The expansion of one reference `$(inner)`.
    fn reference(&self, inner: &str, level: usize) -> String {
        let opaque = |name: &str| {
            let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
            if ok { format!("${{{name}}}") } else { "${MAKE_REFERENCE}".to_string() }
        };
        if let Some(cmd) = inner.strip_prefix("shell ") {
            return format!("$({})", self.expand(cmd, level + 1));
        }
        if inner.contains([' ', '\t', ',']) {
            return "${MAKE_FUNCTION}".to_string();
        }
        // `$(NAME:.c=.o)`: the value of NAME (the substitution is left out).
        let name = inner.split(':').next().unwrap_or(inner);
        match self.value(name) {
            Some(v) if level < MAX_EXPANSION_DEPTH => self.expand(v, level + 1),
            _ => opaque(name),
        }
    }
}

/// The index of the `close` that ends a reference opened just before `s` (nested pairs count).
fn matching(s: &str, open: char, close: char) -> Option<usize> {
    let mut level = 0usize;
    for (i, c) in s.char_indices() {
        if c == open {
            level += 1;
        } else if c == close {
            if level == 0 {
                return Some(i);
            }
            level -= 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_variables() {
        let mut v = Vars::default();
        v.assign("DB".into(), "app".into(), "=");
        v.assign("DB".into(), "other".into(), "?=");
        v.assign("X".into(), "1".into(), "=");
        v.assign("X".into(), "2".into(), "=");
        assert_eq!(v.expand("psql $(DB) -c 'x' $$HOME", 0), "psql app -c 'x' $HOME");
        assert_eq!(v.expand("$(RM) -r build", 0), "rm -f -r build");
        assert_eq!(v.expand("echo $(X) ${UNSET} $(wildcard *.c) $(shell ls)", 0), "echo ${X} ${UNSET} ${MAKE_FUNCTION} $(ls)");
        assert_eq!(v.expand("$(", 0), "${MAKE_REFERENCE}");
        let mut loops = Vars::default();
        loops.assign("A".into(), "$(A)".into(), "=");
        assert_eq!(loops.expand("$(A)", 0), "${A}");
        assert_eq!(split_prefix("@-rm x"), ("@-", "rm x"));
    }
}
