//! The commands, one module each. Every `run` returns [`crate::exit::Result`]: the exit status,
//! or an error carrying its status and message. [`crate::cli`] parses the arguments and
//! dispatches here; the commands call [`crate::engine`] and never [`crate::cli`].

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

pub mod approve;
pub mod audit;
pub mod check;
pub mod exec;
pub mod explain;
pub mod hook;
pub mod rules;
pub mod shell;
pub mod trust;
pub mod wrap;
