//! `guard check`: static verdicts on scripts, SQL files, CI definitions and command lines.
//! Never runs anything and writes no audit record. The work is in [`crate::check`].

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::check::Options;
use crate::exit;

/// Runs `guard check` with `opts` (see [`crate::check::run`] for the exit statuses).
pub fn run(opts: &Options) -> exit::Result {
    crate::check::run(opts)
}
