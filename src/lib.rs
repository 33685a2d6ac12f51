//! `guard`: an execution guardrail for shell commands, SQL clients and infrastructure tools.
//!
//! Pipeline (one direction): input -> [`shell`] parse -> [`analyze`] (unwrap wrappers, family
//! analyzers) -> [`fact::Fact`]s -> [`policy`] -> decision -> [`audit`] record -> exec or refuse.

#![warn(missing_docs)]

pub mod analyze;
pub mod audit;
pub mod bash_args;
pub mod check;
pub mod cli;
pub mod context;
pub mod explain;
pub mod fact;
pub mod hook;
pub mod policy;
pub mod redact;
pub mod registry;
pub mod report;
pub mod run;
pub mod shell;
pub mod sql;
pub mod trust;
