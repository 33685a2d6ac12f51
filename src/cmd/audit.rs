//! `guard audit verify|show`: check and read the signed audit log.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::audit::{self, AuditConfig};
use crate::exit::{self, Error};
use std::path::PathBuf;
use std::process::ExitCode;

/// `guard audit verify`: exit 0 if every record verifies, 1 with the first bad line, 2 if the
/// log or keys cannot be read.
pub fn verify(log: Option<PathBuf>, pubkeys: &[PathBuf]) -> exit::Result {
    let cfg = AuditConfig::from_env();
    let log = match (log, &cfg) {
        (Some(l), _) => l,
        (None, Ok(c)) => c.log.clone(),
        (None, Err(e)) => return Err(Error::guard(e)),
    };
    let keys = if pubkeys.is_empty() {
        match &cfg {
            Ok(c) => vec![audit::local_verifying_key(&c.key).map_err(Error::guard)?],
            Err(e) => return Err(Error::guard(e)),
        }
    } else {
        pubkeys.iter().map(|p| audit::load_verifying_key(p).map_err(Error::guard)).collect::<Result<Vec<_>, _>>()?
    };
    if !log.exists() {
        return Err(Error::guard(format_args!("{}: no such audit log", log.display())));
    }
    match audit::verify(&log, &keys) {
        Ok(r) => {
            println!("{}: ok: {} records verified, last seq {}", log.display(), r.records, r.last_seq);
            Ok(ExitCode::SUCCESS)
        }
        // Line 0: the log could not be read at all (a directory, an I/O error): exit 2.
        Err(e) if e.line == 0 => Err(Error::guard(e)),
        Err(e) => Err(Error::new(exit::FINDINGS, format!("{}: {e}", log.display()))),
    }
}

/// `guard audit show`: prints the last `n` records, one JSON object per line.
pub fn show(log: Option<PathBuf>, n: usize) -> exit::Result {
    let log = match log {
        Some(l) => l,
        None => AuditConfig::from_env().map(|c| c.log).map_err(Error::guard)?,
    };
    let text = std::fs::read_to_string(&log).map_err(|e| Error::guard(format_args!("{}: {e}", log.display())))?;
    let lines: Vec<&str> = text.lines().collect();
    for l in lines.iter().skip(lines.len().saturating_sub(n)) {
        println!("{l}");
    }
    Ok(ExitCode::SUCCESS)
}
