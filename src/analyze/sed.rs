//! GNU sed scripts that run commands: the `e COMMAND` command executes COMMAND (analysed as
//! bash), and the `e` flag of `s///e` executes the pattern space after the substitution, a
//! command known only at run time (`exec.dynamic`, reason `sed_execute`). GNU sed manual
//! §3.7 "Commands Specific to GNU sed" (`e command`) and §3.3 "The s Command" (flag `e`).
//! `--sandbox` rejects both, so a sandboxed script runs nothing.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{Analyzer, Invocation};
use crate::catalog::{option_names, PathMatch};
use crate::fact::Fact;
use crate::shell::Word;

/// Path handler `sed_execute`: the scripts of `-e`/`--expression` (or the first operand when
/// neither `-e` nor `-f` is given), scanned for `e` commands and `s///e`.
pub fn execute(a: &mut Analyzer, _inv: &Invocation, m: &PathMatch, depth: usize) {
    if m.parsed.has(&["--sandbox"]) {
        return;
    }
    let mut scripts: Vec<&Word> = m.parsed.values(&option_names(&["-e".into(), "--expression".into()]));
    if scripts.is_empty() && !m.parsed.has(&["-f", "--file"]) {
        scripts.extend(m.parsed.operands.first());
    }
    for w in scripts {
        for run in runs(&w.text) {
            match run {
                Run::Command(cmd) => {
                    let word = Word { text: cmd, verbatim_at: None, ..w.clone() };
                    a.shell_word(&word, "sed e", depth);
                }
                Run::PatternSpace => a.push(
                    Fact::new("exec.dynamic", format!("sed s///e runs the pattern space as a command: {}", w.text), w.span)
                        .with("reason", "sed_execute")
                        .with("text", w.text.clone()),
                ),
            }
        }
    }
}

/// What a sed script runs.
#[derive(Debug, PartialEq)]
enum Run {
    /// `e COMMAND`.
    Command(String),
    /// `s/re/text/e`, or `e` alone: the pattern space.
    PatternSpace,
}

/// The commands a sed script runs. Bounded by the script's length: each step consumes input.
fn runs(script: &str) -> Vec<Run> {
    let mut out = vec![];
    let mut it = script.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            // Separators, blocks, negation and whitespace between commands.
            ';' | '\n' | ' ' | '\t' | '{' | '}' | '!' | ',' => {}
            // Addresses: line numbers, `$`, `first~step`.
            '0'..='9' | '$' | '~' | '+' => {}
            // `/re/` and `\%re%` addresses.
            '/' | '\\' => {
                let delim = if c == '\\' { it.next().unwrap_or('/') } else { '/' };
                skip_to(&mut it, delim);
            }
            'e' => {
                let rest: String = it.by_ref().take_while(|&c| c != '\n').collect();
                let cmd = rest.trim();
                out.push(if cmd.is_empty() { Run::PatternSpace } else { Run::Command(cmd.to_string()) });
            }
            's' | 'y' => {
                let Some(delim) = it.next() else { break };
                skip_to(&mut it, delim);
                skip_to(&mut it, delim);
                let mut flags = String::new();
                while let Some(&f) = it.peek() {
                    if f == ';' || f == '\n' || f == '}' {
                        break;
                    }
                    flags.push(f);
                    it.next();
                    // `w FILE` ends the command at the end of the line.
                    if f == 'w' {
                        it.by_ref().take_while(|&c| c != '\n').for_each(drop);
                        break;
                    }
                }
                if c == 's' && flags.contains('e') {
                    out.push(Run::PatternSpace);
                }
            }
            // Commands whose argument runs to the end of the line (text, labels, files).
            'a' | 'i' | 'c' | 'b' | 't' | 'T' | 'r' | 'R' | 'w' | 'W' | ':' | '#' => {
                it.by_ref().take_while(|&c| c != '\n').for_each(drop);
            }
            _ => {}
        }
    }
    out
}

/// Consumes up to and including the next unescaped `delim`.
fn skip_to(it: &mut std::iter::Peekable<std::str::Chars>, delim: char) {
    while let Some(c) = it.next() {
        if c == '\\' {
            it.next();
        } else if c == delim {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executing_scripts() {
        assert_eq!(runs("1e rm -rf /"), vec![Run::Command("rm -rf /".into())]);
        assert_eq!(runs("s/.*/id/e"), vec![Run::PatternSpace]);
        assert_eq!(runs("/x/{e touch y\n}"), vec![Run::Command("touch y".into())]);
        assert_eq!(runs("s/e/E/g"), vec![]);
        assert_eq!(runs("s|a/e|b|gw out.txt"), vec![]);
        assert_eq!(runs("/^e/d; y/abc/xyz/"), vec![]);
        assert_eq!(runs("a echo e"), vec![]);
        assert_eq!(runs("s/\\/e/x/;s/a/b/ge"), vec![Run::PatternSpace]);
    }
}
