//! Bash-compatible argument parsing, so `guard` can stand in for `$SHELL`.
//!
//! Follows bash(1) INVOCATION: long options (`--login`, `--norc`, `--rcfile FILE`, ...) come
//! first; then single-letter options in clusters introduced by `-` (set) or `+` (unset), where
//! `o` and `O` each take the next argument; `-c` means the first non-option argument is the
//! command string, and the arguments after it become `$0`, `$1`, .... `--` or `-` ends the
//! options.

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

/// Parses bash's arguments (without the program name). Errors are bash-like messages.
pub fn parse(args: &[String]) -> Result<ShellArgs, String> {
    let mut i = 0;
    let mut command_mode = false;
    let mut stdin_mode = false;
    let mut interactive = false;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" || a == "-" {
            i += 1;
            break;
        }
        if a.starts_with("--") {
            if LONG_WITH_VALUE.contains(&a) {
                if i + 1 >= args.len() {
                    return Err(format!("{a}: option requires an argument"));
                }
                i += 2;
            } else if LONG_FLAGS.contains(&a) {
                i += 1;
            } else {
                return Err(format!("{a}: invalid option"));
            }
            continue;
        }
        if (a.starts_with('-') || a.starts_with('+')) && a.len() > 1 {
            let mut takes = 0;
            for c in a[1..].chars() {
                match c {
                    'c' => command_mode = true,
                    's' => stdin_mode = true,
                    'i' => interactive = true,
                    'o' | 'O' => takes += 1,
                    'a' | 'b' | 'e' | 'f' | 'h' | 'k' | 'l' | 'm' | 'n' | 'p' | 't' | 'u' | 'v' | 'x' | 'B'
                    | 'C' | 'E' | 'H' | 'P' | 'T' | 'r' | 'D' => {}
                    other => return Err(format!("{}{other}: invalid option", &a[..1])),
                }
            }
            // `-o` without a name lists options in bash; guard needs a name to pass it on.
            if i + takes >= args.len() && takes > 0 {
                return Err(format!("{a}: option requires an argument"));
            }
            i += 1 + takes;
            continue;
        }
        break;
    }
    let operand = args.get(i).cloned();
    let input = match (command_mode, operand) {
        (true, Some(s)) => ShellInput::Command(s),
        (true, None) => return Err("-c: option requires an argument".into()),
        (false, Some(f)) if !stdin_mode => ShellInput::File(f),
        _ => ShellInput::Stdin,
    };
    let interactive = interactive || input == ShellInput::Stdin;
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
