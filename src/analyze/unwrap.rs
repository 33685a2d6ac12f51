//! Wrappers and nested code: programs that run another program or a script
//! (`sudo rm ...`, `bash -c '...'`, `ssh host 'cmd'`, `xargs rm`, `find -exec`, `eval`, ...).
//!
//! Each wrapper is removed by skipping its own options (as its manual page defines them) and
//! the remaining argv, or the nested script text, is analysed recursively by the
//! [`Analyzer`]. A wrapper whose nested command cannot be known statically yields an
//! `exec.dynamic` fact instead of silently passing.

use super::{word_map, Analyzer, Invocation};
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
    /// The wrapper was handled completely (nested script analysed, or nothing runs).
    Done,
    /// The program is not a wrapper: hand it to the family analyzers.
    NotAWrapper,
}

/// Shells whose `-c STRING`, script file or stdin is analysed as bash.
pub const SHELLS: &[&str] = &["bash", "sh", "dash", "zsh", "ksh", "mksh", "ash", "rbash", "busybox"];

/// Index of the first operand in `args`: skips options, where `short_arg` lists short options
/// taking a value (`-u USER`, also attached `-uUSER`) and `long_arg` long ones (`--user USER`,
/// also `--user=USER`). Stops after `--`.
fn skip_options(args: &[Word], short_arg: &str, long_arg: &[&str]) -> usize {
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t == "--" {
            return i + 1;
        }
        if let Some(long) = t.strip_prefix("--") {
            i += 1;
            if !long.contains('=') && long_arg.contains(&long) {
                i += 1;
            }
            continue;
        }
        if t.len() > 1 && t.starts_with('-') && !args[i].dynamic {
            i += 1;
            // In a cluster `-abc`, the first option that takes a value consumes the rest of
            // the word, or the next word if it is last.
            for (k, c) in t[1..].char_indices() {
                if short_arg.contains(c) {
                    if k + 1 + c.len_utf8() == t.len() {
                        i += 1;
                    }
                    break;
                }
            }
            continue;
        }
        return i;
    }
    i
}

fn argv(words: &[Word]) -> Unwrapped {
    if words.is_empty() { Unwrapped::Done } else { Unwrapped::Argv { words: words.to_vec(), env: vec![] } }
}

/// Removes one layer of wrapping from `inv`, analysing nested scripts through `a`.
pub fn unwrap(a: &mut Analyzer, inv: &Invocation, depth: usize) -> Unwrapped {
    let args = inv.args();
    match inv.name.as_str() {
        "sudo" => {
            if args.iter().any(|w| w.text == "-e" || w.text == "--edit") {
                return Unwrapped::Done;
            }
            let i = skip_options(args, "ughpCDrtUTR", &["user", "group", "host", "prompt", "close-from", "chdir", "role", "type", "other-user", "command-timeout", "chroot"]);
            env_then_argv(&args[i..])
        }
        "doas" => argv(&args[skip_options(args, "uC", &[])..]),
        "env" => {
            let mut i = 0;
            let mut pre: Vec<Word> = vec![];
            while i < args.len() {
                let t = args[i].text.as_str();
                if t == "-S" || t == "--split-string" {
                    if let Some(s) = args.get(i + 1) {
                        pre.extend(split_string(s));
                    }
                    i += 2;
                    break;
                } else if let Some(s) = t.strip_prefix("--split-string=").or_else(|| t.strip_prefix("-S").filter(|s| !s.is_empty())) {
                    pre.extend(split_string(&Word { text: s.to_string(), ..args[i].clone() }));
                    i += 1;
                    break;
                } else if t == "-u" || t == "-C" || t == "--unset" || t == "--chdir" {
                    i += 2;
                } else if t == "--" {
                    i += 1;
                    break;
                } else if t.starts_with('-') && t.len() > 1 {
                    i += 1;
                } else {
                    break;
                }
            }
            pre.extend_from_slice(&args[i.min(args.len())..]);
            match env_then_argv(&pre) {
                // `env` alone prints the environment: a program of its own.
                Unwrapped::Done => Unwrapped::NotAWrapper,
                r => r,
            }
        }
        "command" => {
            if args.iter().take_while(|w| w.text.starts_with('-')).any(|w| w.text.contains(['v', 'V'])) {
                return Unwrapped::Done;
            }
            argv(&args[skip_options(args, "", &[])..])
        }
        "builtin" | "nohup" | "chronic" | "unbuffer" | "caffeinate" | "time" | "setsid" | "catchsegv" => {
            argv(&args[skip_options(args, "", &[])..])
        }
        "exec" => argv(&args[skip_options(args, "a", &[])..]),
        "nice" => argv(&args[skip_options(args, "n", &["adjustment"])..]),
        "ionice" => argv(&args[skip_options(args, "cnpP", &["class", "classdata", "pid", "pgid"])..]),
        "stdbuf" => argv(&args[skip_options(args, "ioe", &["input", "output", "error"])..]),
        "taskset" => {
            let i = skip_options(args, "", &[]);
            let has_c = args.iter().take(i).any(|w| w.text.contains('c') && w.text.starts_with('-'));
            argv(args.get(if has_c { i } else { i + 1 }..).unwrap_or(&[]))
        }
        "timeout" => {
            let i = skip_options(args, "sk", &["signal", "kill-after"]);
            argv(args.get(i + 1..).unwrap_or(&[]))
        }
        "chroot" => {
            let i = skip_options(args, "", &["userspec", "groups"]);
            argv(args.get(i + 1..).unwrap_or(&[]))
        }
        "nsenter" | "unshare" => argv(&args[skip_options(args, "tSGw", &["target", "setuid", "setgid", "wd"])..]),
        "runuser" | "su" => su_like(a, inv, depth),
        "flock" => {
            let i = skip_options(args, "wEc", &["timeout", "conflict-exit-code", "command"]);
            if let Some(c) = find_flag_value(args, &["-c", "--command"]) {
                a.shell_text(&c.text, word_map(std::slice::from_ref(c)), depth + 1);
                return Unwrapped::Done;
            }
            argv(args.get(i + 1..).unwrap_or(&[]))
        }
        "watch" => {
            let i = skip_options(args, "nqd", &["interval", "differences"]);
            nested_text(a, &args[i..], depth)
        }
        "script" => {
            if let Some(c) = find_flag_value(args, &["-c", "--command"]).or_else(|| cluster_value(args, 'c')) { a.shell_text(&c.text, word_map(std::slice::from_ref(c)), depth + 1) }
            Unwrapped::Done
        }
        "xargs" => {
            let i = skip_options(args, "IEeLlnPsdax", &["replace", "eof", "max-lines", "max-args", "max-procs", "max-chars", "delimiter", "arg-file", "process-slot-var"]);
            let mut replace = None;
            for (k, w) in args[..i].iter().enumerate() {
                let t = w.text.as_str();
                if t == "-I" {
                    replace = args.get(k + 1).map(|w| w.text.clone());
                } else if let Some(r) = t.strip_prefix("-I").or_else(|| t.strip_prefix("--replace=")) {
                    replace = Some(r.to_string());
                } else if t == "-i" || t == "--replace" {
                    replace = Some("{}".into());
                } else if let Some(r) = t.strip_prefix("-i") {
                    replace = Some(r.to_string());
                }
            }
            let mut words = args[i..].to_vec();
            if words.is_empty() {
                words.push(Word::plain("echo", inv.span()));
            }
            // The arguments: read from stdin when it is known (`echo / | xargs rm -rf`),
            // otherwise a placeholder that reads as a run-time value.
            // (A `< FILE` is not read: a missing list file is not code that cannot be seen.)
            let from_file = inv.cmd.redirects.iter().any(|r| r.op == "<");
            let known = if from_file { Ok(None) } else { a.stdin_text(inv) };
            let items: Option<Vec<String>> = match known {
                Ok(Some((text, _))) if replace.is_some() => Some(text.lines().map(str::to_string).filter(|l| !l.trim().is_empty()).take(64).collect()),
                Ok(Some((text, _))) => Some(text.split_whitespace().map(str::to_string).take(64).collect()),
                _ => None,
            };
            Unwrapped::Argv { words: fill(&words, replace.as_deref(), items.as_deref(), inv.span()), env: vec![] }
        }
        "parallel" => {
            let end = args.iter().position(|w| w.text.starts_with(":::")).unwrap_or(args.len());
            let i = skip_options(&args[..end], "jSj", &["jobs", "sshlogin"]);
            let items: Option<Vec<String>> = (end < args.len())
                .then(|| args[end..].iter().filter(|w| !w.text.starts_with(":::")).map(|w| w.text.clone()).take(64).collect());
            let words = fill(&args[i..end], Some("{}"), items.as_deref(), inv.span());
            nested_text(a, &words, depth)
        }
        "find" => find_exec(inv),
        "eval" => eval(a, inv, depth),
        // `trap 'TEXT' SIGNAL...`: the text runs when the signal (or EXIT) arrives (bash
        // manual §4.1); a lone operand or `-` resets, `''` ignores.
        "trap" => {
            let i = skip_options(args, "", &[]);
            match args.get(i) {
                Some(w) if args.len() > i + 1 && w.text != "-" => {
                    if w.dynamic {
                        a.push(
                            Fact::new("exec.dynamic", "trap with text known only at run time", w.span)
                                .with("reason", "shell_string")
                                .with("text", w.text.clone()),
                        );
                    } else {
                        a.shell_text(&w.text, word_map(std::slice::from_ref(w)), depth + 1);
                    }
                    Unwrapped::Done
                }
                _ => Unwrapped::Done,
            }
        }
        // `coproc [NAME] COMMAND` (bash manual §3.2.6): a NAME only precedes a compound command,
        // which tree-sitter-bash reads as plain words: parse them again as one line.
        "coproc" => {
            let compound = |w: &Word| matches!(w.text.as_str(), "{" | "(" | "((" | "while" | "until" | "for" | "if" | "case" | "select" | "[[");
            match args {
                [first, ..] if compound(first) => nested_text(a, args, depth),
                [_, second, ..] if compound(second) => nested_text(a, &args[1..], depth),
                _ => argv(args),
            }
        }
        // `alias NAME='TEXT'`: the text runs wherever the alias is used (bash manual §6.6).
        "alias" => {
            for w in args.iter().filter(|w| !w.text.starts_with('-')) {
                if let Some((_, value)) = w.text.split_once('=') {
                    a.shell_text(value, SpanMap::nested(None, w.span), depth + 1);
                }
            }
            Unwrapped::Done
        }
        "source" | "." => {
            if let Some(f) = args.first() {
                include_file(a, inv, f, depth);
            }
            Unwrapped::Done
        }
        "ssh" => ssh(a, inv, depth),
        "docker" | "podman" | "nerdctl" => container_exec(inv),
        "kubectl" | "oc" => {
            // Global flags with values (`-n ns`) may precede the subcommand.
            if super::k8s::kubectl_subcommand(args).as_deref() == Some("exec")
                && let Some(dd) = args.iter().position(|w| w.text == "--") {
                    return argv(&args[dd + 1..]);
                }
            Unwrapped::NotAWrapper
        }
        "guard" => {
            match args.first().map(|w| w.text.as_str()) {
                Some("--") => argv(&args[1..]),
                Some("check" | "explain" | "audit" | "rules" | "completions" | "hook") => Unwrapped::Done,
                _ => shell(a, inv, depth),
            }
        }
        n if SHELLS.contains(&n) => {
            if n == "busybox" {
                return match args.first().map(|w| w.text.as_str()) {
                    Some("sh" | "ash" | "bash") => {
                        let inner = Invocation { name: "sh".into(), words: args.to_vec(), cmd: inv.cmd, script: inv.script, env: inv.env.clone() };
                        shell(a, &inner, depth)
                    }
                    _ => argv(args),
                };
            }
            shell(a, inv, depth)
        }
        _ => Unwrapped::NotAWrapper,
    }
}

/// The argv of `xargs`/`parallel` with its input `items` (`None`: known only at run time):
/// with a replacement string (`-I {}`), each word holding it gets the items in its place; without
/// one, the items are appended. Unknown input reads as `$(stdin)`, a run-time value.
fn fill(words: &[Word], replace: Option<&str>, items: Option<&[String]>, span: Span) -> Vec<Word> {
    let unknown = || Word { text: "$(stdin)".into(), dynamic: true, quoted: false, span: Span::new(span.end, span.end), verbatim_at: None };
    let joined = items.map(|v| v.iter().map(|i| shlex::try_quote(i).map(|c| c.into_owned()).unwrap_or_default()).collect::<Vec<_>>().join(" "));
    let mut out = vec![];
    let mut replaced = false;
    for w in words {
        match replace.filter(|r| !r.is_empty() && w.text.contains(*r)) {
            Some(r) if w.text == r => {
                replaced = true;
                match items {
                    Some(v) => out.extend(v.iter().map(|i| Word { text: i.clone(), verbatim_at: None, ..w.clone() })),
                    None => out.push(Word { span: w.span, ..unknown() }),
                }
            }
            Some(r) => {
                // Inside a word, e.g. a `sh -c 'rm -rf {}'` script: the text the shell will parse.
                replaced = true;
                let with = joined.clone().unwrap_or_else(|| "$(stdin)".into());
                out.push(Word { text: w.text.replace(r, &with), verbatim_at: None, ..w.clone() });
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

/// `NAME=VALUE` words before the command (as `sudo` and `env` accept them).
fn env_then_argv(args: &[Word]) -> Unwrapped {
    let mut env = vec![];
    let mut i = 0;
    while let Some(w) = args.get(i) {
        match w.text.split_once('=') {
            Some((n, v)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') => {
                env.push((n.to_string(), v.to_string()));
                i += 1;
            }
            _ => break,
        }
    }
    if i >= args.len() {
        return Unwrapped::Done;
    }
    Unwrapped::Argv { words: args[i..].to_vec(), env }
}

/// Splits `env -S` strings as the shell would split words (approximately: with shlex).
fn split_string(w: &Word) -> Vec<Word> {
    shlex::split(&w.text)
        .unwrap_or_else(|| vec![w.text.clone()])
        .into_iter()
        .map(|t| Word { text: t, verbatim_at: None, ..w.clone() })
        .collect()
}

/// The word after the first of `flags` (`-c STRING`), or the value of `--flag=VALUE`.
fn find_flag_value<'w>(args: &'w [Word], flags: &[&str]) -> Option<&'w Word> {
    let i = args.iter().position(|w| flags.contains(&w.text.as_str()))?;
    args.get(i + 1)
}

/// For a short option `c` in a cluster (`-qc STRING`), the next word.
fn cluster_value(args: &[Word], c: char) -> Option<&Word> {
    let i = args
        .iter()
        .position(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.ends_with(c))?;
    args.get(i + 1)
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

/// `bash [options] -c STRING [ARG0 ARGS]`, `bash FILE`, `bash` reading stdin.
fn shell(a: &mut Analyzer, inv: &Invocation, depth: usize) -> Unwrapped {
    let args = inv.args();
    let mut has_c = false;
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t == "--" || t == "-" {
            i += 1;
            break;
        }
        if t.starts_with("--") {
            i += if matches!(t, "--rcfile" | "--init-file") { 2 } else { 1 };
            continue;
        }
        if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
            let takes = t[1..].chars().filter(|c| matches!(c, 'o' | 'O')).count();
            has_c |= t[1..].contains('c');
            i += 1 + takes;
            continue;
        }
        break;
    }
    if has_c {
        let Some(s) = args.get(i) else { return Unwrapped::Done };
        if s.dynamic {
            a.push(
                Fact::new("exec.dynamic", format!("{} -c with text known only at run time", inv.name), s.span)
                    .with("reason", "shell_string")
                    .with("text", s.text.clone()),
            );
        } else {
            a.shell_text(&s.text, word_map(std::slice::from_ref(s)), depth + 1);
        }
        return Unwrapped::Done;
    }
    if let Some(f) = args.get(i) {
        include_file(a, inv, f, depth);
        return Unwrapped::Done;
    }
    stdin_script(a, inv, depth, "shell");
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

/// `su [-] [USER] -c STRING`, `runuser -u USER -- ARGV`, `runuser -l USER -c STRING`.
fn su_like(a: &mut Analyzer, inv: &Invocation, depth: usize) -> Unwrapped {
    let args = inv.args();
    if let Some(c) = find_flag_value(args, &["-c", "--command"]) {
        if c.dynamic {
            a.push(Fact::new("exec.dynamic", format!("{} -c with text known only at run time", inv.name), c.span).with("reason", "shell_string"));
        } else {
            a.shell_text(&c.text, word_map(std::slice::from_ref(c)), depth + 1);
        }
        return Unwrapped::Done;
    }
    if let Some(dd) = args.iter().position(|w| w.text == "--") {
        return argv(&args[dd + 1..]);
    }
    if inv.name == "runuser" {
        let i = skip_options(args, "ugGlsw", &["user", "group", "supp-group", "login", "shell", "whitelist-environment"]);
        return argv(&args[i..]);
    }
    stdin_script(a, inv, depth, "shell");
    Unwrapped::Done
}

/// `find ROOTS... -exec CMD {} ;` / `-execdir` / `-ok`: the nested command with `{}`
/// replaced by each root (what it will be applied to, at worst).
fn find_exec(inv: &Invocation) -> Unwrapped {
    let args = inv.args();
    let Some(start) = args.iter().position(|w| matches!(w.text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")) else {
        return Unwrapped::NotAWrapper;
    };
    let roots: Vec<&Word> = args.iter().take_while(|w| !w.text.starts_with('-') && w.text != "(" && w.text != "!").collect();
    let root = roots.first().map(|w| (*w).clone()).unwrap_or_else(|| Word::plain(".", inv.span()));
    let end = args[start + 1..]
        .iter()
        .position(|w| w.text == ";" || w.text == "+")
        .map_or(args.len(), |p| start + 1 + p);
    let words: Vec<Word> = args[start + 1..end]
        .iter()
        .map(|w| if w.text.contains("{}") { Word { text: w.text.replace("{}", &root.text), dynamic: w.dynamic || root.dynamic, ..w.clone() } } else { w.clone() })
        .collect();
    argv(&words)
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

/// `ssh [options] HOST [COMMAND...]`: the remote command is run by the remote shell.
fn ssh(a: &mut Analyzer, inv: &Invocation, depth: usize) -> Unwrapped {
    let args = inv.args();
    let i = skip_options(args, "bcDEeFIiJLlmOopQRSWw", &[]);
    let rest = args.get(i + 1..).unwrap_or(&[]);
    if args.get(i).is_none() {
        return Unwrapped::NotAWrapper;
    }
    if rest.is_empty() {
        if inv.cmd.heredoc.is_some() {
            stdin_script(a, inv, depth, "ssh");
        }
        return Unwrapped::NotAWrapper;
    }
    nested_text(a, rest, depth);
    Unwrapped::NotAWrapper
}

/// `docker exec [options] CONTAINER ARGV`, `docker compose exec SERVICE ARGV`,
/// `docker run [options] IMAGE ARGV` is not unwrapped (it runs in a fresh container).
fn container_exec(inv: &Invocation) -> Unwrapped {
    let args = inv.args();
    let mut i = skip_options(args, "HlcC", &["host", "config", "context", "log-level"]);
    if args.get(i).map(|w| w.text.as_str()) == Some("compose") {
        i += 1 + skip_options(&args[i + 1..], "fp", &["file", "project-name", "profile", "env-file", "project-directory"]);
    } else if args.get(i).map(|w| w.text.as_str()) == Some("container") {
        i += 1;
    }
    if args.get(i).map(|w| w.text.as_str()) != Some("exec") {
        return Unwrapped::NotAWrapper;
    }
    let rest = &args[i + 1..];
    let j = skip_options(rest, "euwT", &["env", "user", "workdir", "env-file", "detach-keys", "index"]);
    argv(rest.get(j + 1..).unwrap_or(&[]))
}
