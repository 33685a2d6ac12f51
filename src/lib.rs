//! `guard`: an execution guardrail for shell commands, SQL clients and infrastructure tools.
//!
//! Pipeline (one direction): input -> [`shell`] parse -> unwrap -> analyzers -> facts
//! -> [`policy`] -> decision -> [`audit`] record -> exec or refuse.

pub mod fact;
pub mod sql;
