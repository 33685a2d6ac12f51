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
    input: Value,
    secrets: &[String],
    eval: &Evaluation,
    rules: &RuleSet,
    ctx: &Context,
    outcome: &str,
) -> Result<(), audit::AuditError> {
    write_with(mode, input, secrets, eval, rules, ctx, outcome, None, Map::new()).map(|_| ())
}

/// [`write()`], with the person's `answer` to an `ask` (`yes`, `no`, `typed`, `mistyped`, or
/// `None` when nobody was asked). Besides the fields of [`write()`] the record holds `actor`,
/// `enforcement` (`enforce` or `observe`: what decided, see [`crate::config`]), `waived`
/// (each finding an exception waived, with the exception's file, reason and expiry) and
/// `targets` (the environment and target values of the facts rules fired on or were waived for),
/// and the `extra` fields (`input_sha256` on a refusal a person may approve, `approved_by` on a
/// run a one-time approval let through: see [`crate::approval`]). Returns the record's `seq`
/// and hash.
#[allow(clippy::too_many_arguments)]
pub fn write_with(
    mode: &str,
    mut input: Value,
    secrets: &[String],
    eval: &Evaluation,
    rules: &RuleSet,
    ctx: &Context,
    outcome: &str,
    answer: Option<&str>,
    extra: Map<String, Value>,
) -> Result<audit::Appended, audit::AuditError> {
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
        "actor": ctx.actor(),
        "enforcement": enforcement(rules).as_str(),
        "waived": waived(eval, rules),
        "targets": targets(eval),
        "answer": answer,
        "verdict": eval.decision.verdict,
        "outcome": outcome,
        "rules_hash": rules.hash,
        "guard_version": env!("CARGO_PKG_VERSION"),
    });
    let mut fields = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    fields.extend(extra);
    audit::append(&cfg, fields)
}

/// The enforcement in effect for `rules`' config and `GUARD_MODE` ([`crate::config::Config::enforcement`]).
pub fn enforcement(rules: &RuleSet) -> crate::config::Enforcement {
    rules.config.enforcement(std::env::var("GUARD_MODE").ok().as_deref()).0
}

/// The waived findings: rule, exception file, reason and expiry.
fn waived(eval: &Evaluation, rules: &RuleSet) -> Value {
    let items: Vec<Value> = eval
        .decision
        .waived
        .iter()
        .filter_map(|(f, x)| {
            let (r, e) = (rules.rules().get(f.rule)?, rules.config.exceptions.get(*x)?);
            Some(json!({ "rule": r.id, "exception": e.source, "reason": e.reason, "expires": e.expiry() }))
        })
        .collect();
    Value::Array(items)
}

/// The distinct environment and `target.*` values of the facts with findings or waivers.
fn targets(eval: &Evaluation) -> Value {
    let mut out: Vec<Value> = vec![];
    let facts = eval.decision.findings.iter().map(|f| f.fact).chain(eval.decision.waived.iter().map(|(f, _)| f.fact));
    for fi in facts {
        let Some(cv) = eval.contexts.get(fi) else { continue };
        let m: Map<String, Value> =
            cv.values().iter().filter(|(k, _)| *k == "environment" || k.starts_with("target.")).map(|(k, v)| (k.clone(), v.clone())).collect();
        let v = Value::Object(m);
        if !v.as_object().is_some_and(Map::is_empty) && !out.contains(&v) {
            out.push(v);
        }
    }
    Value::Array(out)
}
