//! Wrappers and nested code: programs that run another program or a script
//! (`sudo rm ...`, `bash -c '...'`, `ssh host 'cmd'`, `xargs rm`, `find -exec`, `eval`, ...).
//!
//! Each wrapper is removed by skipping its own options (as its manual page defines them) and
//! the remaining argv, or the nested script text, is analysed recursively by the
//! [`Analyzer`]. A wrapper whose nested command cannot be known statically yields an
//! `exec.dynamic` fact instead of silently passing.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{word_map, Analyzer, Invocation};
use crate::argv;
use crate::catalog::option_names as names;
use crate::catalog::{self, Program, Rest, Wrapper};
use crate::fact::{Fact, Span};
use crate::shell::{SpanMap, Word};

/// What [`unwrap`] found.
#[derive(Debug)]
pub enum Unwrapped {
    /// The program runs this argv (e.g. `sudo -u x ARGV`); `env` adds assignments.
    Argv {
        /// The nested argv.
        words: Vec<Word>,
        /// Environment assignments the wrapper adds (`env A=1 cmd`).
        env: Vec<(String, String)>,
    },
    /// The program runs each of these argvs (`find -exec A ; -exec B ;`) and is analysed as
    /// itself too (`find / -delete -exec ...`).
    Many(Vec<Vec<Word>>),
    /// The wrapper was handled completely (nested script analysed, or nothing runs).
    Done,
    /// The program is not a wrapper: hand it to the family analyzers.
    NotAWrapper,
}

fn argv(words: &[Word]) -> Unwrapped {
    if words.is_empty() { Unwrapped::Done } else { Unwrapped::Argv { words: words.to_vec(), env: vec![] } }
}

/// True if `operands` start with the subcommand `path`, matched as catalog paths are.
fn on_path(path: &[String], operands: &[Word]) -> bool {
    path.len() <= operands.len() && path.iter().zip(operands).all(|(want, got)| catalog::word_matches(want, &got.text))
}

/// Removes one layer of wrapping from `inv`, analysing nested scripts through `a`. What a
/// wrapper is and how its options read comes from the command catalog ([`catalog`]); the
/// handlers here are the semantics options cannot express.
pub fn unwrap(a: &mut Analyzer, inv: &Invocation, depth: usize) -> Unwrapped {
    let Some((prog, w)) = catalog::wrapper(&inv.name) else {
        return Unwrapped::NotAWrapper;
    };
    let args = inv.args();
    match w.handler.as_deref() {
        None => generic(a, inv, prog, w, depth),
        Some("env") => env(inv, prog),
        Some("su") => su_like(a, inv, prog, w, depth),
        Some("xargs") => xargs(a, inv, prog),
        Some("parallel") => parallel(a, inv, prog, depth),
        Some("find") => find_exec(inv),
        Some("eval") => eval(a, inv, depth),
        Some("trap") => trap(a, inv, prog, depth),
        Some("coproc") => coproc(a, args, depth),
        Some("source") => {
            if let Some(f) = args.first() {
                include_file(a, inv, f, depth);
            }
            Unwrapped::Done
        }
        Some("shell") => shell(a, inv, depth),
        Some("busybox") => match args.first().map(|w| w.text.as_str()) {
            Some("sh" | "ash" | "bash") => {
                let inner = Invocation { name: "sh".into(), words: args.to_vec(), cmd: inv.cmd, script: inv.script, env: inv.env.clone() };
                shell(a, &inner, depth)
            }
            _ => argv(args),
        },
        Some("guard") => match args.first().map(|w| w.text.as_str()) {
            Some("--") => argv(args.get(1..).unwrap_or_default()),
            Some("check" | "explain" | "audit" | "rules" | "completions" | "hook" | "trust") => Unwrapped::Done,
            _ => shell(a, inv, depth),
        },
        Some("ssh") => ssh(a, inv, prog, depth),
        Some("alias") => alias(a, args, depth),
        Some("container") => container_exec(inv, prog),
        // An entry naming a handler this build does not have is a catalog defect: read the
        // rest as an argv rather than not at all.
        Some(_) => generic(a, inv, prog, w, depth),
    }
}

/// The inner argv of a wrapper whose catalog entry has no handler and no shell-code option in
/// use (`sudo -u x ARGV`, `nice -n 5 ARGV`), with its `NAME=VALUE` assignments removed; `None`
/// for anything else. Pure: analyses nothing (for passes that only need the program behind a
/// pipe's producer).
pub fn inner_argv(words: &[Word]) -> Option<Vec<Word>> {
    let (name, args) = words.split_first()?;
    let (prog, w) = catalog::wrapper(super::program_name(&name.text))?;
    let env = w.handler.as_deref() == Some("env");
    if (w.handler.is_some() && !env) || w.rest != Rest::Argv {
        return None;
    }
    let p = argv::parse(args, prog.spec());
    if p.options.iter().any(|o| w.stop_if.contains(&o.name) || w.script_options.contains(&o.name)) {
        return None;
    }
    if !on_path(&w.path, &p.operands) {
        return None;
    }
    let inner = if env { env_words(&p) } else { inner_words(args, &p, prog, w) };
    let skip = if w.assignments { inner.iter().take_while(|w| assignment(&w.text).is_some()).count() } else { 0 };
    let inner = inner.get(skip..)?;
    (!inner.is_empty()).then(|| inner.to_vec())
}

/// A wrapper described entirely by its catalog entry: skip its options and own operands; a
/// shell-code option (`flock -c`) or the rest of the line as shell text (`watch`) is parsed
/// as bash; otherwise the rest is the inner argv.
fn generic(a: &mut Analyzer, inv: &Invocation, prog: &Program, w: &Wrapper, depth: usize) -> Unwrapped {
    let p = argv::parse(inv.args(), prog.spec());
    if p.has(&names(&w.stop_if)) {
        return Unwrapped::Done;
    }
    if !w.path.is_empty() && !on_path(&w.path, &p.operands) {
        return Unwrapped::NotAWrapper;
    }
    let mut scripted = false;
    for o in p.options.iter().filter(|o| w.script_options.contains(&o.name)) {
        scripted = true;
        if let Some(code) = o.value.as_ref().and_then(|v| script_code(w, v)) {
            shell_string(a, inv, &code, depth);
        }
    }
    if scripted {
        return Unwrapped::Done;
    }
    let mut inner = inner_words(inv.args(), &p, prog, w);
    if w.package
        && let Some(first) = inner.first_mut()
        && let Some(bin) = super::project::npm::package_bin(&first.text)
    {
        first.text = bin;
        first.verbatim_at = None;
    }
    let inner = inner.as_slice();
    // `flock FILE -c CMD`: the shell-code option may follow the wrapper's own operands.
    if let [first, rest @ ..] = inner
        && w.script_options.contains(&first.text)
    {
        if let Some(v) = rest.first() {
            shell_string(a, inv, v, depth);
        }
        return Unwrapped::Done;
    }
    match w.rest {
        Rest::Argv if w.assignments => env_then_argv(inner),
        Rest::Argv => argv(inner),
        Rest::Script => nested_text(a, inner, depth),
        // Nothing runs through it on this line: it is analysed as itself (`tar c ~/.ssh`).
        Rest::None => Unwrapped::NotAWrapper,
        Rest::Stdin => {
            stdin_script(a, inv, depth, "wrapper");
            Unwrapped::Done
        }
    }
}

/// The shell code in the value `v` of a script option: all of it, or, for an entry with
/// `script_prefixes`, the rest after the first prefix it starts with (`None` when it starts
/// with none: `vim -c wq` runs no shell).
fn script_code(w: &Wrapper, v: &Word) -> Option<Word> {
    if w.script_prefixes.is_empty() {
        return Some(v.clone());
    }
    let rest = w.script_prefixes.iter().find_map(|p| v.text.strip_prefix(p.as_str()))?;
    if rest.len() == v.text.len() {
        return Some(v.clone());
    }
    Some(Word { text: rest.to_string(), verbatim_at: None, ..v.clone() })
}

/// The words of a wrapper's inner command in `args` (parsed as `p` with the entry's spec):
/// the operands after its subcommand path and own operands, or, for an entry with
/// `after_double_dash`, every word after the `--` that ended its options
/// (`kubectl exec -f pod.yaml -- rm -rf /`: `rm -rf /`, not `-rf /`).
///
/// For a style whose options end at the first operand (`posix`, `goflag`), the words after the
/// subcommand path are read for options again, as the subcommand reads its own
/// (`uv run --with django python ...`, `bundle exec --keep-file-descriptors CMD`).
fn inner_words(args: &[Word], p: &argv::Parsed, prog: &Program, w: &Wrapper) -> Vec<Word> {
    if w.after_double_dash
        && p.double_dash
        && let Some(rest) = after_options_end(args, prog)
    {
        return rest.to_vec();
    }
    let rest = p.operands.get(w.path.len()..).unwrap_or_default();
    if !w.path.is_empty() && matches!(prog.spec().style, argv::Style::Posix | argv::Style::GoFlag) {
        let again = argv::parse(rest, prog.spec());
        return again.operands.get(w.operands..).unwrap_or_default().to_vec();
    }
    rest.get(w.operands..).unwrap_or_default().to_vec()
}

/// The words after the `--` that ends the options of `args` per the entry's spec; a `--`
/// read as an option's value (`-c --`) does not count.
fn after_options_end<'a>(args: &'a [Word], prog: &Program) -> Option<&'a [Word]> {
    args.iter().enumerate().filter(|(_, w)| w.text == "--").find_map(|(i, _)| {
        let before = argv::parse(args.get(..i)?, prog.spec());
        let value_missing = before.options.last().is_some_and(|o| o.takes_value && o.value.is_none());
        (!before.double_dash && !value_missing).then(|| args.get(i + 1..)).flatten()
    })
}

/// Analyses `s`, the value of a `-c STRING`-like option, as shell code (see
/// [`Analyzer::shell_word`]).
fn shell_string(a: &mut Analyzer, inv: &Invocation, s: &Word, depth: usize) {
    a.shell_word(s, &format!("{} -c", inv.name), depth);
}

/// `env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]`; `-S STRING` splits STRING into
/// words that come before the operands (env(1)). `env` alone prints the environment.
fn env(inv: &Invocation, prog: &Program) -> Unwrapped {
    match env_then_argv(&env_words(&argv::parse(inv.args(), prog.spec()))) {
        Unwrapped::Done => Unwrapped::NotAWrapper,
        r => r,
    }
}

/// The words `env` runs (its `NAME=VALUE` assignments still first): the `-S` strings split
/// into words, then the operands without the lone `-` that may come first, which means `-i`
/// (env(1); GNU env.c checks for it after the options, also after `--`).
fn env_words(p: &argv::Parsed) -> Vec<Word> {
    let operands = match p.operands.split_first() {
        Some((dash, rest)) if dash.text == "-" => rest,
        _ => p.operands.as_slice(),
    };
    let split = p.values(&["-S", "--split-string"]).into_iter().flat_map(split_string);
    split.chain(operands.iter().cloned()).collect()
}

/// `xargs [options] [command [initial-arguments]]`: the command gets words read from stdin,
/// appended, or in place of the replacement string (`-I R`, `-i[R]`, `--replace[=R]`).
fn xargs(a: &mut Analyzer, inv: &Invocation, prog: &Program) -> Unwrapped {
    let p = argv::parse(inv.args(), prog.spec());
    let mut replace = None;
    for o in &p.options {
        match o.name.as_str() {
            "-I" => replace = o.value.as_ref().map(|w| w.text.clone()),
            // `-i[R]` takes its value attached only; the engine read the rest of the cluster
            // as flags.
            "-i" => replace = Some(o.word.text.strip_prefix("-i").filter(|r| !r.is_empty()).unwrap_or("{}").to_string()),
            "--replace" => replace = Some(o.value.as_ref().map_or("{}".to_string(), |w| w.text.clone())),
            _ => {}
        }
    }
    let mut words = p.operands.clone();
    if words.is_empty() {
        words.push(Word::plain("echo", inv.span()));
    }
    // The arguments: read from stdin when it is known (`echo / | xargs rm -rf`), otherwise a
    // placeholder that reads as a run-time value. (A `< FILE` or `-a FILE` list is not read: a
    // missing list file is not code that cannot be seen.)
    let from_file = inv.cmd.redirects.iter().any(|r| r.op == "<") || p.has(&["-a", "--arg-file"]);
    let known = if from_file { Ok(None) } else { a.stdin_text(inv) };
    let items: Option<Vec<String>> = match known {
        Ok(Some((text, _))) if replace.is_some() => {
            Some(text.lines().map(str::to_string).filter(|l| !l.trim().is_empty()).take(64).collect())
        }
        Ok(Some((text, _))) => Some(text.split_whitespace().map(str::to_string).take(64).collect()),
        _ => None,
    };
    let filled = fill(&words, replace.as_deref(), items.as_deref(), inv.span(), false);
    // On empty input xargs still runs the command once, as written (GNU xargs(1): unless
    // -r/--no-run-if-empty), so with input unknown both lines may run.
    if items.is_none() && replace.is_none() && !p.has(&["-r", "--no-run-if-empty"]) && !p.operands.is_empty() {
        return Unwrapped::Many(vec![filled, words]);
    }
    Unwrapped::Argv { words: filled, env: vec![] }
}

/// `parallel [options] [command [arguments]] ::: ARGS...`: the command, with `{}` replaced by
/// each argument (or the arguments appended), is run by a shell.
fn parallel(a: &mut Analyzer, inv: &Invocation, prog: &Program, depth: usize) -> Unwrapped {
    let args = inv.args();
    let end = args.iter().position(|w| w.text.starts_with(":::")).unwrap_or(args.len());
    let (head, sources) = args.split_at(end);
    let p = argv::parse(head, prog.spec());
    let items: Option<Vec<String>> = (!sources.is_empty())
        .then(|| sources.iter().filter(|w| !w.text.starts_with(":::")).map(|w| w.text.clone()).take(64).collect());
    let words = fill(&p.operands, Some("{}"), items.as_deref(), inv.span(), true);
    nested_text(a, &words, depth)
}

/// `trap [-lp] [ARG] [SIGSPEC ...]`: ARG runs when a signal (or EXIT) arrives (bash manual
/// §4.1); a lone operand or `-` resets, `''` ignores.
fn trap(a: &mut Analyzer, inv: &Invocation, prog: &Program, depth: usize) -> Unwrapped {
    let p = argv::parse(inv.args(), prog.spec());
    if let [w, _, ..] = p.operands.as_slice()
        && w.text != "-"
    {
        a.shell_word(w, "trap", depth);
    }
    Unwrapped::Done
}

/// `coproc [NAME] COMMAND` (bash manual §3.2.6): a NAME only precedes a compound command,
/// which tree-sitter-bash reads as plain words: parse them again as one line.
fn coproc(a: &mut Analyzer, args: &[Word], depth: usize) -> Unwrapped {
    let compound = |w: &Word| matches!(w.text.as_str(), "{" | "(" | "((" | "while" | "until" | "for" | "if" | "case" | "select" | "[[");
    match args {
        [first, ..] if compound(first) => nested_text(a, args, depth),
        [_, second, rest @ ..] if compound(second) => {
            let mut words = vec![second.clone()];
            words.extend(rest.iter().cloned());
            nested_text(a, &words, depth)
        }
        _ => argv(args),
    }
}

/// `alias NAME='TEXT'`: the text runs wherever the alias is used (bash manual §6.6).
fn alias(a: &mut Analyzer, args: &[Word], depth: usize) -> Unwrapped {
    for w in args.iter().filter(|w| !w.text.starts_with('-')) {
        if let Some((_, value)) = w.text.split_once('=') {
            a.shell_text(value, SpanMap::nested(None, w.span), depth + 1);
        }
    }
    Unwrapped::Done
}

/// The argv of `xargs`/`parallel` with its input `items` (`None`: known only at run time):
/// with a replacement string (`-I {}`), each word holding it gets the items in its place; without
/// one, the items are appended. Unknown input reads as `$(stdin)`, a run-time value. With
/// `as_text` the words are shell text (`parallel` runs them through a shell), so a placeholder
/// inside a word stays text for the nested parse.
fn fill(words: &[Word], replace: Option<&str>, items: Option<&[String]>, span: Span, as_text: bool) -> Vec<Word> {
    let unknown = || Word { text: "$(stdin)".into(), dynamic: true, quoted: false, span: Span::new(span.end, span.end), verbatim_at: None };
    let joined = items.map(|v| v.iter().map(|i| shlex::try_quote(i).map(|c| c.into_owned()).unwrap_or_default()).collect::<Vec<_>>().join(" "));
    // The script of `sh -c SCRIPT` is text the shell parses: an unknown item in it stays
    // `$(stdin)`, a substitution the nested parse sees as such.
    let shell = words
        .first()
        .and_then(|w| catalog::wrapper(super::program_name(&w.text)))
        .is_some_and(|(_, w)| matches!(w.handler.as_deref(), Some("shell" | "busybox")));
    let mut out = vec![];
    let mut replaced = false;
    let mut after_c = false;
    for w in words {
        let script = as_text || (shell && after_c);
        after_c = w.text.starts_with('-') && !w.text.starts_with("--") && w.text.ends_with('c');
        match replace.filter(|r| !r.is_empty() && w.text.contains(*r)) {
            Some(r) if w.text == r => {
                replaced = true;
                match items {
                    Some(v) => out.extend(v.iter().map(|i| Word { text: i.clone(), verbatim_at: None, ..w.clone() })),
                    None => out.push(Word { span: w.span, ..unknown() }),
                }
            }
            Some(r) => {
                // Inside a word: `rm -rf /{}`, or a `sh -c 'rm -rf {}'` script the shell parses.
                replaced = true;
                let with = joined.clone().unwrap_or_else(|| "$(stdin)".into());
                let dynamic = w.dynamic || (items.is_none() && !script);
                out.push(Word { text: w.text.replace(r, &with), verbatim_at: None, dynamic, ..w.clone() });
            }
            None => out.push(w.clone()),
        }
    }
    if !replaced {
        match items {
            Some(v) => out.extend(v.iter().map(|i| Word::plain(i, Span::new(span.end, span.end)))),
            None => out.push(unknown()),
        }
    }
    out
}

/// `NAME=VALUE` as bash reads an assignment word: the name and the value.
fn assignment(t: &str) -> Option<(&str, &str)> {
    let (n, v) = t.split_once('=')?;
    let valid = n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    valid.then_some((n, v))
}

/// `NAME=VALUE` words before the command (as `sudo` and `env` accept them).
fn env_then_argv(args: &[Word]) -> Unwrapped {
    let env: Vec<(String, String)> =
        args.iter().map_while(|w| assignment(&w.text)).map(|(n, v)| (n.to_string(), v.to_string())).collect();
    match args.get(env.len()..) {
        Some(rest) if !rest.is_empty() => Unwrapped::Argv { words: rest.to_vec(), env },
        _ => Unwrapped::Done,
    }
}

/// Splits `env -S` strings as the shell would split words (approximately: with shlex).
fn split_string(w: &Word) -> Vec<Word> {
    shlex::split(&w.text)
        .unwrap_or_else(|| vec![w.text.clone()])
        .into_iter()
        .map(|t| Word { text: t, verbatim_at: None, ..w.clone() })
        .collect()
}

/// Parses words joined with spaces as a shell command line (`watch`, `ssh`, `parallel` run
/// their arguments through a shell).
fn nested_text(a: &mut Analyzer, words: &[Word], depth: usize) -> Unwrapped {
    if words.is_empty() {
        return Unwrapped::Done;
    }
    if words.iter().all(|w| !w.dynamic) {
        let text = words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        a.shell_text(&text, word_map(words), depth + 1);
        Unwrapped::Done
    } else {
        argv(words)
    }
}

fn include_file(a: &mut Analyzer, inv: &Invocation, f: &Word, depth: usize) {
    // `source /dev/stdin <<< 'cmd'`: the script is the command's standard input.
    if !f.dynamic && super::is_stdin_file(&f.text) {
        stdin_script(a, inv, depth, "shell");
        return;
    }
    source_file(a, f, depth);
}

/// Reads and analyses a script file named by `f` (`source F`, `bash F`, `BASH_ENV=F`); a name
/// known only at run time is an `exec.dynamic` fact.
pub fn source_file(a: &mut Analyzer, f: &Word, depth: usize) {
    // `. "$HOME/.cargo/env"`: the home directory is known.
    let home = super::expand_home(&f.text).to_string_lossy().into_owned();
    if f.dynamic && home != f.text && !home.contains(['$', '`']) {
        if let Some(text) = a.read_file(&home, f.span) {
            a.shell_text(&text, SpanMap::nested(None, f.span), depth + 1);
        }
        return;
    }
    if f.dynamic {
        a.push(
            Fact::new("exec.dynamic", format!("sources a file known only at run time: {}", f.text), f.span)
                .with("reason", "source_file"),
        );
        return;
    }
    if let Some(text) = a.read_file(&f.text, f.span) {
        a.shell_text(&text, SpanMap::nested(None, f.span), depth + 1);
    }
}

/// `bash [options] -c STRING [ARG0 ARGS]`, `bash FILE`, `bash` reading stdin; the options are
/// read by [`crate::bash_args::scan`], the same reader guard's own shell mode uses.
fn shell(a: &mut Analyzer, inv: &Invocation, depth: usize) -> Unwrapped {
    let (scan, operands) = crate::bash_args::scan(inv.args());
    match operands.first() {
        Some(s) if scan.command => shell_string(a, inv, s, depth),
        None if scan.command => {}
        Some(f) if !scan.stdin => include_file(a, inv, f, depth),
        _ => stdin_script(a, inv, depth, "shell"),
    }
    Unwrapped::Done
}

/// Analyses what a shell or remote shell reads on stdin as a script.
fn stdin_script(a: &mut Analyzer, inv: &Invocation, depth: usize, what: &str) {
    match a.stdin_text(inv) {
        Ok(Some((text, map))) => a.shell_text(&text, map, depth + 1),
        Ok(None) => {}
        Err(from) => a.push(
            Fact::new("exec.dynamic", format!("{} runs a script read from {from}", inv.name), inv.cmd.span)
                .with("reason", format!("{what}_stdin"))
                .with("from", from),
        ),
    }
}

/// `su [options] [-] [USER [ARG...]]`: a `-c STRING` option, or the ARGs given to the user's
/// shell (`su root -c CMD`); `runuser -u USER [--] ARGV` runs an argv; with neither, the shell
/// reads a script from stdin.
fn su_like(a: &mut Analyzer, inv: &Invocation, prog: &Program, w: &Wrapper, depth: usize) -> Unwrapped {
    let p = argv::parse(inv.args(), prog.spec());
    if let Some(o) = p.options.iter().find(|o| w.script_options.contains(&o.name)) {
        if let Some(v) = &o.value {
            shell_string(a, inv, v, depth);
        }
        return Unwrapped::Done;
    }
    if inv.name == "runuser" && p.has(&["-u", "--user"]) {
        return argv(&p.operands);
    }
    let ops = p.operands.as_slice();
    let ops = match ops {
        [dash, rest @ ..] if matches!(dash.text.as_str(), "-" | "-l" | "--login") => rest,
        _ => ops,
    };
    match ops {
        [_user, shell_args @ ..] if !shell_args.is_empty() => {
            let mut words = vec![Word::plain("sh", inv.span())];
            words.extend(shell_args.iter().cloned());
            let inner = Invocation { name: "sh".into(), words, cmd: inv.cmd, script: inv.script, env: inv.env.clone() };
            shell(a, &inner, depth)
        }
        _ => {
            stdin_script(a, inv, depth, "shell");
            Unwrapped::Done
        }
    }
}

/// `find ROOTS... -exec CMD {} ;` / `-execdir` / `-ok`: the nested command with `{}`
/// replaced by each root (what it will be applied to, at worst).
fn find_exec(inv: &Invocation) -> Unwrapped {
    let args = inv.args();
    let is_exec = |w: &Word| matches!(w.text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir");
    if !args.iter().any(is_exec) {
        return Unwrapped::NotAWrapper;
    }
    let root = super::fs::find_roots(args).first().cloned().unwrap_or_else(|| Word::plain(".", inv.span()));
    // Every `-exec CMD ... ;` (or `+`) clause runs its command: `find . -exec echo {} ; -exec rm {} ;`.
    let mut commands = vec![];
    let mut rest = args;
    while let Some(start) = rest.iter().position(is_exec) {
        let clause = rest.get(start + 1..).unwrap_or_default();
        let end = clause.iter().position(|w| w.text == ";" || w.text == "+").unwrap_or(clause.len());
        let words: Vec<Word> = clause
            .get(..end)
            .unwrap_or_default()
            .iter()
            .map(|w| {
                if w.text.contains("{}") {
                    Word { text: w.text.replace("{}", &root.text), dynamic: w.dynamic || root.dynamic, ..w.clone() }
                } else {
                    w.clone()
                }
            })
            .collect();
        if !words.is_empty() {
            commands.push(words);
        }
        rest = clause.get(end + 1..).unwrap_or_default();
    }
    Unwrapped::Many(commands)
}

/// Local programs whose output `eval` commonly runs to set up a shell environment.
const EVAL_GENERATORS: &[&str] = &[
    "ssh-agent", "direnv", "pyenv", "rbenv", "nodenv", "goenv", "jenv", "starship", "zoxide", "fzf",
    "brew", "dircolors", "opam", "conda", "mamba", "thefuck", "fnm", "mise", "rtx", "asdf",
    "keychain", "gpg-agent", "luarocks", "minikube", "register-python-argcomplete", "pip",
    "rustup", "kubectl", "helm", "gh", "atuin", "oh-my-posh", "docker-machine", "resize",
];

fn eval(a: &mut Analyzer, inv: &Invocation, depth: usize) -> Unwrapped {
    let args = inv.args();
    if args.is_empty() {
        return Unwrapped::Done;
    }
    if args.iter().all(|w| !w.dynamic) {
        let text = args.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        a.shell_text(&text, word_map(args), depth + 1);
        return Unwrapped::Done;
    }
    // `eval "$(generator ...)"`: allowed when the whole text is one substitution of a
    // well-known local generator (its commands were analysed as a substitution already).
    if let [w] = args {
        let t = w.text.trim();
        let inner = t.strip_prefix("$(").and_then(|x| x.strip_suffix(')')).or_else(|| t.strip_prefix('`').and_then(|x| x.strip_suffix('`')));
        if let Some(inner) = inner {
            let prog = inner.split_whitespace().next().map(super::program_name).unwrap_or("");
            if EVAL_GENERATORS.contains(&prog) && !inner.contains(['|', ';', '&', '$', '`']) {
                return Unwrapped::Done;
            }
        }
    }
    let span = super::word_map(args).whole;
    a.push(
        Fact::new("exec.dynamic", "eval of text known only at run time", span)
            .with("reason", "eval")
            .with("text", args.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")),
    );
    Unwrapped::Done
}

/// `ssh [options] HOST [COMMAND...]`: the remote command is run by the remote shell; with no
/// command, a heredoc on stdin is the remote script. Not removed as a wrapper: `ssh` itself is
/// also a network program.
fn ssh(a: &mut Analyzer, inv: &Invocation, prog: &Program, depth: usize) -> Unwrapped {
    let p = argv::parse(inv.args(), prog.spec());
    // `-o ProxyCommand=CMD` (and the other command-valued keywords of ssh_config(5)) runs CMD
    // through the local user's shell before connecting.
    for v in p.options.iter().filter(|o| o.name == "-o").filter_map(|o| o.value.as_ref()) {
        let (key, value) = v.text.split_once(['=', ' ', '\t']).unwrap_or((v.text.as_str(), ""));
        if SSH_COMMAND_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key.trim())) {
            let value = value.trim_start_matches(['=', ' ', '\t']);
            shell_string(a, inv, &Word { text: value.to_string(), verbatim_at: None, ..v.clone() }, depth);
        }
    }
    match p.operands.as_slice() {
        [] => {}
        [_host] => {
            if inv.cmd.heredoc.is_some() {
                stdin_script(a, inv, depth, "ssh");
            }
        }
        [_host, rest @ ..] => {
            nested_text(a, rest, depth);
        }
    }
    Unwrapped::NotAWrapper
}

/// ssh_config(5) keywords whose value is a command line run by the local shell
/// (`ssh -o ProxyCommand='nc %h %p' host`).
const SSH_COMMAND_KEYS: &[&str] = &["ProxyCommand", "LocalCommand", "KnownHostsCommand", "RemoteCommand"];

/// Options of `docker compose` (docker-compose(1)) and of `docker exec` / `docker compose exec`
/// (docker-exec(1)) that take a value; both stop at their first operand.
const COMPOSE_VALUES: &[&str] = &["-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory", "--ansi", "--progress", "--parallel"];
const EXEC_VALUES: &[&str] = &["-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--detach-keys", "--index"];

/// `docker exec [options] CONTAINER ARGV`, `docker compose exec SERVICE ARGV`,
/// `docker container exec ...`; `docker run [options] IMAGE ARGV` with its bind mounts mapped
/// back to the host ([`run_argv`]).
fn container_exec(inv: &Invocation, prog: &Program) -> Unwrapped {
    let global = argv::parse(inv.args(), prog.spec());
    let mut ops = global.operands.as_slice();
    match ops {
        [compose, rest @ ..] if compose.text == "compose" => {
            ops = rest;
            let p = argv::parse(ops, &argv::Spec::new(argv::Style::Posix, COMPOSE_VALUES));
            return match p.operands.as_slice() {
                [exec, rest @ ..] if exec.text == "exec" => exec_argv(rest),
                _ => Unwrapped::NotAWrapper,
            };
        }
        [container, rest @ ..] if container.text == "container" => ops = rest,
        _ => {}
    }
    match ops {
        [exec, rest @ ..] if exec.text == "exec" => exec_argv(rest),
        [run, rest @ ..] if run.text == "run" => run_argv(rest, prog),
        _ => Unwrapped::NotAWrapper,
    }
}

/// `docker run [options] IMAGE [ARGV]` (docker-run(1)): ARGV (after `--entrypoint`, when
/// given) runs in a fresh container, where only bind-mounted host paths reach the host. It is
/// analysed as the command it is, with each word naming a mount's container path mapped back
/// to the host path (`-v /etc:/host/etc alpine rm -rf /host/etc` is `rm -rf /etc`); the run
/// itself is analysed too (its catalog path: `host_mount`). Options are those of the entry's
/// `run|create` path.
fn run_argv(args: &[Word], prog: &Program) -> Unwrapped {
    let values = prog.commands.iter().find(|c| c.path.first().is_some_and(|p| catalog::word_matches(p, "run"))).map(|c| c.values.as_slice());
    let values: Vec<&str> = values.unwrap_or_default().iter().map(String::as_str).collect();
    let p = argv::parse(args, &argv::Spec::new(argv::Style::Posix, &values));
    let mut inner: Vec<Word> = p.value(&["--entrypoint"]).into_iter().cloned().collect();
    inner.extend(p.operands.get(1..).unwrap_or_default().iter().cloned());
    if inner.is_empty() {
        return Unwrapped::NotAWrapper;
    }
    let mounts = bind_mounts(&p);
    let mapped = inner.into_iter().map(|w| host_path(w, &mounts)).collect();
    Unwrapped::Many(vec![mapped])
}

/// The bind mounts of a `docker run` line as (host path, container path): `-v SRC:DST[:OPTS]`
/// with an absolute, `~` or `$` SRC (else SRC names a volume), and `--mount type=bind,src=,dst=`.
fn bind_mounts(p: &argv::Parsed) -> Vec<(String, String)> {
    let mut out = vec![];
    for o in &p.options {
        let Some(v) = o.value.as_ref() else { continue };
        match o.name.as_str() {
            "-v" | "--volume" => {
                let mut parts = v.text.split(':');
                let (Some(src), Some(dst)) = (parts.next(), parts.next()) else { continue };
                if src.starts_with(['/', '~', '$']) && dst.starts_with('/') {
                    out.push((src.to_string(), dst.to_string()));
                }
            }
            "--mount" => {
                let fields: Vec<(&str, &str)> = v.text.split(',').map(|f| f.split_once('=').unwrap_or((f, ""))).collect();
                let get = |k: &[&str]| fields.iter().find(|(n, _)| k.contains(n)).map(|(_, x)| *x);
                if let (true, Some(src), Some(dst)) = (
                    get(&["type"]).is_none_or(|t| t == "bind"),
                    get(&["source", "src"]),
                    get(&["target", "destination", "dst"]),
                ) {
                    out.push((src.to_string(), dst.to_string()));
                }
            }
            _ => {}
        }
    }
    out
}

/// `w` with a leading container path of one of `mounts` replaced by its host path (the
/// mount given last wins, as the deepest one does in the container); other words unchanged.
fn host_path(w: Word, mounts: &[(String, String)]) -> Word {
    for (src, dst) in mounts.iter().rev() {
        let dst_trim = dst.trim_end_matches('/');
        let rest = if dst_trim.is_empty() { Some(w.text.as_str()).filter(|t| t.starts_with('/')) } else { w.text.strip_prefix(dst_trim) };
        let Some(rest) = rest.filter(|r| r.is_empty() || r.starts_with('/') || dst_trim.is_empty()) else { continue };
        let src = src.trim_end_matches('/');
        let text = if rest.is_empty() { if src.is_empty() { "/".to_string() } else { src.to_string() } } else { format!("{src}{rest}") };
        let dynamic = w.dynamic || text.contains('$');
        return Word { text, dynamic, verbatim_at: None, ..w };
    }
    w
}

/// The argv of `exec [options] CONTAINER ARGV`.
fn exec_argv(args: &[Word]) -> Unwrapped {
    let p = argv::parse(args, &argv::Spec::new(argv::Style::Posix, EXEC_VALUES));
    argv(p.operands.get(1..).unwrap_or_default())
}
