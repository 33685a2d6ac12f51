//! `guard approve RECORD [--log LOG] [--pubkey KEY.pub]`: a person, at their own terminal,
//! approves one refused `ask` run of an agent once (see [`crate::approval`]).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::approval::{self, Approval, Store};
use crate::audit::{self, AuditConfig};
use crate::context::{ask_typed, ask_yes, person_tty, Context};
use crate::exit::{self, Error};
use serde_json::Value;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

fn fail(msg: impl std::fmt::Display) -> Error {
    Error::new(exit::ERROR, format!("guard approve: {msg}"))
}

/// The record `seq` from `RECORD` (`42` or `#42`, as the refusal message shows it).
fn parse_seq(record: &str) -> Result<u64, Error> {
    record.trim_start_matches('#').parse().map_err(|_| fail(format_args!("{record:?} is not an audit record number (the N of `guard approve N`)")))
}

/// The record with `seq` in `log`, after the whole log verified against `keys`.
fn find_record(log: &std::path::Path, keys: &[ed25519_dalek::VerifyingKey], seq: u64) -> Result<Value, Error> {
    audit::verify(log, keys).map_err(|e| fail(format_args!("{}: the audit log does not verify ({e}); nothing approved", log.display())))?;
    let file = std::fs::File::open(log).map_err(|e| fail(format_args!("{}: {e}", log.display())))?;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|e| fail(format_args!("{}: {e}", log.display())))?;
        let v: Value = serde_json::from_str(&line).map_err(|e| fail(format_args!("{}: {e}", log.display())))?;
        if v.get("seq").and_then(Value::as_u64) == Some(seq) {
            return Ok(v);
        }
    }
    Err(fail(format_args!("{}: no record {seq}", log.display())))
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// What the person is shown: the command, where, who asked, and the findings.
fn describe(r: &Value) -> String {
    let input = r.get("input").cloned().unwrap_or(Value::Null);
    let command = match (input.get("argv"), input.get("script")) {
        (Some(Value::Array(a)), _) => a.iter().filter_map(Value::as_str).map(|s| shlex::try_quote(s).map(|q| q.into_owned()).unwrap_or_default()).collect::<Vec<_>>().join(" "),
        (_, Some(Value::String(s))) => s.clone(),
        _ => input.to_string(),
    };
    let mut out = format!(
        "record {} of {} ({}, {} in {}):\n  {}\n",
        r.get("seq").and_then(Value::as_u64).unwrap_or(0),
        text(r, "time"),
        text(r, "actor"),
        r.get("agent").and_then(Value::as_str).unwrap_or("-"),
        text(r, "cwd"),
        command.replace('\n', "\n  ")
    );
    let rules = r.get("rules").and_then(Value::as_array).cloned().unwrap_or_default();
    let reasons = r.get("reasons").and_then(Value::as_array).cloned().unwrap_or_default();
    for (id, why) in rules.iter().zip(reasons.iter().chain(std::iter::repeat(&Value::Null))) {
        out.push_str(&format!("  finding: {}: {}\n", id.as_str().unwrap_or_default(), why.as_str().unwrap_or_default()));
    }
    if let Some(Value::Array(t)) = r.get("targets") {
        for x in t {
            out.push_str(&format!("  target: {x}\n"));
        }
    }
    out
}

/// The name the person must type when a rule of the record is critical in the rules that
/// apply here (as the ask flow does): the record's first target database, kube context,
/// namespace, host or cloud account, else `yes`; `None` when no rule is critical.
fn critical_name(r: &Value, rules: &[String]) -> Result<Option<String>, Error> {
    let session = crate::engine::Session::load()?;
    let critical = session.rules.rules().iter().any(|x| x.critical && rules.contains(&x.id));
    if !critical {
        return Ok(None);
    }
    let keys = ["target.database", "target.kube_context", "target.namespace", "target.host", "target.cloud_account"];
    let targets = r.get("targets").and_then(Value::as_array).cloned().unwrap_or_default();
    let name = keys.iter().find_map(|k| targets.iter().find_map(|t| t.get(*k).and_then(Value::as_str).map(str::to_string)));
    Ok(Some(name.unwrap_or_else(|| "yes".into())))
}

/// `guard approve RECORD`: checks that a person is at their own terminal, verifies the audit
/// log, shows the refused run of record `RECORD`, asks on `/dev/tty`, and writes a one-time
/// approval valid for [`approval::VALID_FOR`] seconds. Exit 0 when approved, 1 when the
/// person declines, 2 when there is no person at a terminal (or it looks made by automation),
/// the log does not verify, the record is not an approvable refusal, or the store cannot be
/// written.
pub fn run(record: &str, log: Option<PathBuf>, pubkeys: &[PathBuf]) -> exit::Result {
    let seq = parse_seq(record)?;
    let ctx = Context::detect();
    let tty = person_tty(&ctx)
        .and_then(|t| if std::io::stdin().is_terminal() { Ok(t) } else { Err("standard input is not a terminal".into()) })
        .map_err(|why| fail(format_args!("approving needs a person at their own terminal (no AI agent or CI session): {why}")))?;
    let cfg = AuditConfig::from_env();
    let log = match (log, &cfg) {
        (Some(l), _) => l,
        (None, Ok(c)) => c.log.clone(),
        (None, Err(e)) => return Err(fail(e)),
    };
    let keys = if pubkeys.is_empty() {
        match &cfg {
            Ok(c) => vec![audit::local_verifying_key(&c.key).map_err(fail)?],
            Err(e) => return Err(fail(e)),
        }
    } else {
        pubkeys.iter().map(|p| audit::load_verifying_key(p).map_err(fail)).collect::<Result<Vec<_>, _>>()?
    };
    let r = find_record(&log, &keys, seq)?;
    let input_sha256 = text(&r, "input_sha256");
    if text(&r, "outcome") != "refused" || input_sha256.is_empty() {
        return Err(fail(format_args!(
            "record {seq} is not a refused run waiting for a person (only an `ask` refused because nobody could answer can be approved; a deny cannot)"
        )));
    }
    let config = crate::config::Config::load(&crate::engine::current_dir()).map_err(|e| fail(e.to_string()))?;
    let store = Store::locate(&config).ok_or_else(|| fail("no state directory to keep approvals in"))?;
    if store.privileged && r.get("uid").and_then(Value::as_u64) == Some(u64::from(ctx.uid)) {
        return Err(fail(format_args!(
            "record {seq} was made by this user (uid {}); in the privileged setup a person approves from their own account, not the agent's",
            ctx.uid
        )));
    }
    let cwd = text(&r, "cwd");
    let rules: Vec<String> = r.get("rules").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default();
    let mut w = &tty;
    let _ = write!(w, "{}", describe(&r));
    let within = approval::VALID_FOR / 60;
    let confirmed = match critical_name(&r, &rules)? {
        Some(name) => ask_typed(&tty, &format!("guard: this is critical; type {name:?} to let exactly this command run once, within {within} minutes:"), &name),
        None => ask_yes(&tty, &format!("guard: let exactly this command run once, within {within} minutes?")),
    };
    if !confirmed {
        return Err(Error::new(exit::FINDINGS, "guard approve: not approved"));
    }
    let now = approval::now();
    let a = Approval {
        digest: approval::digest(&input_sha256, &cwd, &rules),
        record: seq,
        log: log.display().to_string(),
        input_sha256,
        cwd,
        rules,
        approved_at: now,
        expires: now + approval::VALID_FOR,
        approver: ctx.user.clone(),
        approver_uid: ctx.uid,
    };
    let path = store.write(&a).map_err(fail)?;
    let kind = if store.privileged { "" } else { " (personal store: the guarded user can write it too; see docs/privileged.md)" };
    eprintln!(
        "guard approve: approved record {seq} once, until {} UTC: {}{kind}",
        crate::context::rfc3339(std::time::UNIX_EPOCH + std::time::Duration::from_secs(a.expires)).get(..19).unwrap_or_default(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
