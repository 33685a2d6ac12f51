//! `guard`: an execution guardrail for shell commands, SQL clients and infrastructure tools.
//!
//! Pipeline (one direction): input -> [`engine`] (load the [`catalog`] and the rules, [`shell`]
//! parse, [`analyze`] each command read by [`argv`] against its catalog entry into
//! [`fact::Fact`]s declared in the [`registry`], [`policy`] decision) -> [`record`] (audit) ->
//! exec or refuse.
//! Layers, each importing only those below it: [`cli`] (clap, dispatch) -> [`cmd`] (one module
//! per command) -> [`engine`] -> [`analyze`], [`policy`] -> [`catalog`], [`registry`], [`argv`],
//! [`shell`] -> [`fact`], [`data_file`], [`trust`].

#![warn(missing_docs)]
#![forbid(unsafe_code)]
// Fail closed by construction: no panicking index, slice, unwrap or expect outside tests (a
// crash must never read as "allow"; clippy.toml allows them in tests).
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

pub mod analyze;
pub mod approval;
pub mod argv;
pub mod audit;
pub mod budget;
pub mod bash_args;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod context;
pub mod coverage;
pub mod data_file;
pub mod engine;
pub mod examples;
pub mod exit;
pub mod fact;
pub mod fault;
pub mod format;
pub mod hook;
pub mod input;
pub mod policy;
pub mod record;
pub mod redact;
pub mod registry;
pub mod report;
pub mod shell;
pub mod sql;
pub mod target;
pub mod trust;
pub mod verbs;

/// `guard explain` and the rule-example check, where other code has always found them.
pub use cmd::explain;
