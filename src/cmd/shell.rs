//! Shell mode: bash-compatible arguments (`-c SCRIPT`, `-lc`, `-euo pipefail -c`, a script
//! file). Analyses the whole script, then execs the real shell with the same arguments.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::bash_args::{self, ShellInput};
use crate::cmd::exec::{guarded, Guarded};
use crate::engine::{Input, Session};
use crate::exit::{self, Error};
use crate::redact;
use serde_json::{json, Map, Value};
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

/// Runs shell mode with the shell's arguments `args` (without the program name). Returns only
/// when nothing ran (see [`guarded`]); on success the process is replaced by the real shell.
pub fn run(args: &[OsString]) -> exit::Result {
    let strs: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let parsed = bash_args::parse(&strs).map_err(Error::guard)?;
    let real = real_shell().map_err(Error::guard)?;
    let session = Session::load()?;
    let text = match &parsed.input {
        ShellInput::Command(s) => s.clone(),
        ShellInput::File(f) => match std::fs::read(f) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => return Err(Error::new(exit::NOT_FOUND, format!("guard: {f}: {e}"))),
        },
        ShellInput::Stdin => {
            return Err(Error::guard(
                "reading commands from standard input (an interactive shell, or -s) is not supported yet, \
                 because guard could not check them before they run; use guard -c 'SCRIPT' or guard FILE",
            ));
        }
    };
    let eval = session.evaluate(&Input::bash(&text, &session.cwd));
    let mut input = Map::new();
    input.insert("shell_args".into(), json!(redact::redact_argv(&strs)));
    if let ShellInput::File(f) = &parsed.input {
        input.insert("file".into(), json!(f));
    }
    input.insert("script".into(), json!(redact::redact(crate::record::kept(&text))));
    let raw: Vec<&str> = strs.iter().map(String::as_str).chain([text.as_str()]).collect();
    let secrets = redact::secrets(&raw);
    let g = Guarded { mode: "shell", input: Value::Object(input), secrets: &secrets, raw: &raw };
    Err(guarded(g, &session, &eval, |_cleared| std::process::Command::new(&real).args(args).exec()))
}

/// Shells that read the script as bash does closely enough for guard's analysis to hold.
/// `GUARD_SHELL` is set by whoever runs guard (possibly the guarded agent), so it may choose
/// among these but not point at another interpreter that would read the same text differently.
const REAL_SHELLS: &[&str] = &["bash", "sh", "dash", "ksh", "mksh", "zsh", "busybox"];

/// The real shell for shell mode: `$GUARD_SHELL` or `/bin/bash`, never guard itself.
fn real_shell() -> Result<PathBuf, String> {
    let shell = std::env::var_os("GUARD_SHELL").filter(|s| !s.is_empty()).map(PathBuf::from).unwrap_or_else(|| "/bin/bash".into());
    let me = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    if me.is_some() && shell.canonicalize().ok() == me {
        return Err(format!(
            "GUARD_SHELL={} is guard itself; set it to the real shell (e.g. /bin/bash)",
            shell.display()
        ));
    }
    // Both the name given and the file it resolves to (a symlink named `bash` to python
    // does not pass).
    let real = shell.canonicalize().unwrap_or_else(|_| shell.clone());
    let known = |p: &std::path::Path| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| REAL_SHELLS.contains(&n));
    if !known(&shell) || !known(&real) {
        return Err(format!(
            "GUARD_SHELL={} is not a shell guard can vouch for; use one of {} (e.g. /bin/bash)",
            shell.display(),
            REAL_SHELLS.join(", ")
        ));
    }
    Ok(shell)
}
