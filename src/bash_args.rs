//! Bash-compatible argument parsing, so `guard` can stand in for `$SHELL`.
//!
//! Follows bash(1) INVOCATION: long options (`--login`, `--norc`, `--rcfile FILE`, ...) come
//! first; then single-letter options in clusters introduced by `-` (set) or `+` (unset), where
//! `o` and `O` each take the next argument; `-c` means the first non-option argument is the
//! command string, and the arguments after it become `$0`, `$1`, .... `--` or `-` ends the
//! options.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

/// What the shell was asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellInput {
    /// `-c STRING`.
    Command(String),
    /// A script file operand.
    File(String),
    /// Commands read from standard input (`-s`, or no operand).
    Stdin,
}

/// The parsed invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellArgs {
    /// What would run.
    pub input: ShellInput,
    /// `-i` was given, or no command string or file was given (bash would be interactive
    /// when attached to a terminal).
    pub interactive: bool,
}

/// Long options of bash that take a value.
const LONG_WITH_VALUE: &[&str] = &["--rcfile", "--init-file"];
/// Long options of bash without a value.
const LONG_FLAGS: &[&str] = &[
    "--login", "--noprofile", "--norc", "--posix", "--restricted", "--verbose", "--noediting",
    "--debugger", "--dump-strings", "--dump-po-strings", "--wordexp", "--protected", "--pretty-print",
];
/// Single-letter options of bash (bash(1) OPTIONS and `set`), other than `c`, `s`, `i`, `o`, `O`.
const SHORT_FLAGS: &str = "abefhklmnptuvxBCEHPTrD";

/// What a shell's options say, from [`scan`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// `-c`: the first operand is the command string.
    pub command: bool,
    /// `-s`: commands are read from standard input.
    pub stdin: bool,
    /// `-i`: interactive.
    pub interactive: bool,
    /// The first problem bash would report (an unknown option, a missing value), if any.
    pub error: Option<String>,
}

/// Reads a shell's options (bash(1) INVOCATION; also close enough for sh, dash, zsh, ksh):
/// long options first, then `-`/`+` clusters where each `o` and `O` takes the next word, up to
/// `--`, `-` or the first operand. Returns what the options say and the operands. Never fails:
/// problems are reported in [`Scan::error`] and the scan goes on as bash would read the rest.
pub fn scan<S: AsRef<str>>(args: &[S]) -> (Scan, &[S]) {
    let mut out = Scan::default();
    let mut rest = args;
    let fail = |e: String, out: &mut Scan| {
        out.error.get_or_insert(e);
    };
    while let [first, tail @ ..] = rest {
        let a = first.as_ref();
        if a == "--" || a == "-" {
            rest = tail;
            break;
        }
        if a.starts_with("--") {
            rest = tail;
            if LONG_WITH_VALUE.contains(&a) {
                match rest {
                    [_, after @ ..] => rest = after,
                    [] => fail(format!("{a}: option requires an argument"), &mut out),
                }
            } else if !LONG_FLAGS.contains(&a) {
                fail(format!("{a}: invalid option"), &mut out);
            }
            continue;
        }
        let mut chars = a.chars();
        let sign = chars.next();
        if !matches!(sign, Some('-' | '+')) || a.len() < 2 {
            break;
        }
        rest = tail;
        for c in chars {
            match c {
                'c' => out.command = true,
                's' => out.stdin = true,
                'i' => out.interactive = true,
                // `-o NAME`, `-O NAME`: the value is the next word.
                'o' | 'O' => match rest {
                    [_, after @ ..] => rest = after,
                    [] => fail(format!("{a}: option requires an argument"), &mut out),
                },
                c if SHORT_FLAGS.contains(c) => {}
                other => fail(format!("{}{other}: invalid option", sign.unwrap_or('-')), &mut out),
            }
        }
    }
    (out, rest)
}

/// Parses bash's arguments (without the program name), for guard's own shell mode. Errors are
/// bash-like messages.
pub fn parse(args: &[String]) -> Result<ShellArgs, String> {
    let (scan, operands) = scan(args);
    if let Some(e) = scan.error {
        return Err(e);
    }
    let operand = operands.first().cloned();
    let input = match (scan.command, operand) {
        (true, Some(s)) => ShellInput::Command(s),
        (true, None) => return Err("-c: option requires an argument".into()),
        (false, Some(f)) if !scan.stdin => ShellInput::File(f),
        _ => ShellInput::Stdin,
    };
    let interactive = scan.interactive || input == ShellInput::Stdin;
    Ok(ShellArgs { input, interactive })
}

/// True if `first` (the first argument) starts a bash-style invocation rather than a guard
/// subcommand or wrap mode: any `-x`/`+x` option or bash long option other than guard's own.
pub fn looks_like_shell(first: &str) -> bool {
    (first.starts_with('-') || first.starts_with('+'))
        && first != "--"
        && !matches!(first, "-h" | "--help" | "-V" | "--version")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(args: &[&str]) -> Result<ShellInput, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).map(|a| a.input)
    }

    #[test]
    fn forms() {
        let c = |s: &str| Ok(ShellInput::Command(s.into()));
        assert_eq!(cmd(&["-c", "x"]), c("x"));
        assert_eq!(cmd(&["-lc", "x"]), c("x"));
        assert_eq!(cmd(&["-cl", "x"]), c("x"));
        assert_eq!(cmd(&["-ec", "x"]), c("x"));
        assert_eq!(cmd(&["-e", "-c", "x"]), c("x"));
        assert_eq!(cmd(&["-euo", "pipefail", "-c", "x", "arg0", "a1"]), c("x"));
        assert_eq!(cmd(&["-o", "pipefail", "-c", "x"]), c("x"));
        assert_eq!(cmd(&["-O", "extglob", "-c", "x"]), c("x"));
        assert_eq!(cmd(&["--login", "-c", "x"]), c("x"));
        assert_eq!(cmd(&["--noprofile", "--norc", "-c", "x"]), c("x"));
        assert_eq!(cmd(&["-c", "--", "x"]), c("x"));
        assert_eq!(cmd(&["+e", "-c", "x"]), c("x"));
        assert_eq!(cmd(&["script.sh", "a"]), Ok(ShellInput::File("script.sh".into())));
        assert_eq!(cmd(&["-s"]), Ok(ShellInput::Stdin));
        assert!(cmd(&["-c"]).is_err());
        assert!(cmd(&["-Z", "-c", "x"]).is_err());
    }
}
