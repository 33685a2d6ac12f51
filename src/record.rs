//! The audit record of one decision (fields documented in docs/audit.md), with secrets
//! redacted, appended to the signed log by [`crate::audit`].

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::audit::{self, AuditConfig};
use crate::context::Context;
use crate::engine::Evaluation;
use crate::policy::RuleSet;
use crate::redact;
use crate::report;
use serde_json::{json, Map, Value};

/// Version of the audit record layout (field `v`).
pub const RECORD_VERSION: u64 = 1;

/// Appends the audit record of one decision. `mode` is the way in (`wrap`, `shell`, `hook`);
/// `input` is already redacted; `secrets` ([`redact::secrets`] of the raw input) are also
/// masked wherever they reappear in `input` and in the facts (an SQL parser error quoting a
/// password, a summary without the quotes). `outcome` is `ran`, `approved`, `refused`,
/// `passed` or `asked`. Errors say which file and what to fix; callers fail closed on them.
pub fn write(
    mode: &str,
    mut input: Value,
    secrets: &[String],
    eval: &Evaluation,
    rules: &RuleSet,
    ctx: &Context,
    outcome: &str,
) -> Result<(), audit::AuditError> {
    let cfg = AuditConfig::from_env()?;
    let mut facts = report::json_facts(&eval.analysis.facts);
    redact::redact_json(&mut facts);
    redact::scrub(&mut facts, secrets);
    redact::scrub(&mut input, secrets);
    let fired = |f: fn(&crate::policy::Rule) -> &str| -> Value {
        json!(eval.decision.findings.iter().filter_map(|x| rules.rules().get(x.rule)).map(f).collect::<Vec<_>>())
    };
    let fields = json!({
        "v": RECORD_VERSION,
        "time": ctx.time,
        "host": ctx.host,
        "user": ctx.user,
        "uid": ctx.uid,
        "cwd": ctx.cwd,
        "agent": ctx.agent,
        "ci": ctx.ci,
        "pid": std::process::id(),
        "mode": mode,
        "input": input,
        "facts": facts,
        "rules": fired(|r| r.id.as_str()),
        "reasons": fired(|r| r.summary.as_str()),
        "verdict": eval.decision.verdict,
        "outcome": outcome,
        "rules_hash": rules.hash,
        "guard_version": env!("CARGO_PKG_VERSION"),
    });
    let fields = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    audit::append(&cfg, fields).map(|_| ())
}
