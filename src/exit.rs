//! Exit statuses (a contract, see README and `guard --help`) and the one error type every
//! command returns: a status and the message printed on stderr.
//!
//! - wrap (`--`) and shell mode: the command's own status when it runs, [`REFUSED`] when guard
//!   refuses it, [`NOT_FOUND`] when the program or script file does not exist, [`ERROR`] when
//!   guard cannot decide safely (bad rules, audit log or key unusable, incomplete analysis,
//!   bad usage);
//! - `check`: 0 allow/warn, [`FINDINGS`] ask/deny, [`ERROR`] usage/unreadable file/bad rules;
//! - `audit verify`: 0 valid, [`FINDINGS`] invalid, [`ERROR`] unreadable;
//! - `hook`: 0 with the decision on stdout, [`ERROR`] for a blocking error (see docs/hooks.md).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::fmt;
use std::process::ExitCode;

/// Exit status when guard refuses to run a command (as bash uses 126 for "cannot execute").
pub const REFUSED: u8 = 126;
/// Exit status for usage errors and for anything that stops guard from deciding safely.
pub const ERROR: u8 = 2;
/// Exit status when the program or script to run does not exist (as bash uses 127).
pub const NOT_FOUND: u8 = 127;
/// Exit status of `check` when a finding asks or denies, of `audit verify` for a bad log, and
/// of `trust` when the person declines.
pub const FINDINGS: u8 = 1;

/// Why a command stopped: the exit status and the message for stderr (already prefixed,
/// e.g. `guard: ...`; may span several lines; empty prints nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The exit status.
    pub code: u8,
    /// The message, printed as is on stderr.
    pub message: String,
}

impl Error {
    /// An error with status `code` and message `message`.
    pub fn new(code: u8, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }

    /// `guard: MSG` with status [`ERROR`]: guard cannot go on safely.
    pub fn guard(msg: impl fmt::Display) -> Error {
        Error::new(ERROR, format!("guard: {msg}"))
    }

    /// Prints the message on stderr and returns the exit status.
    pub fn report(&self) -> ExitCode {
        if !self.message.is_empty() {
            eprintln!("{}", self.message);
        }
        ExitCode::from(self.code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// What every command returns: the exit status on success, or an [`Error`].
pub type Result<T = ExitCode> = std::result::Result<T, Error>;
