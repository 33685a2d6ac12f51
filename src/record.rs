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

/// Most bytes of text a record keeps of its input (the strings of `input` together): 64 KiB,
/// far above a command line and most scripts, while keeping every record small enough that
/// appending after it stays cheap. The whole input is identified by `input.sha256` and
/// `input.bytes` (docs/audit.md).
pub const MAX_INPUT_BYTES: usize = 64 * 1024;
/// Most facts a record lists (the rest are counted in `facts_omitted`).
pub const MAX_FACTS: usize = 256;
/// Most bytes of one string in a listed fact (a summary, an attribute).
pub const MAX_FACT_STRING: usize = 4 * 1024;

/// The part of an input `text` a record keeps: at most [`MAX_INPUT_BYTES`], cut after the last
/// whole line that fits (so redaction, which reads lines, sees no secret cut in two), or at a
/// character boundary when the first line is longer. Callers redact this part only.
pub fn kept(text: &str) -> &str {
    if text.len() <= MAX_INPUT_BYTES {
        return text;
    }
    let head = text.get(..text.floor_char_boundary(MAX_INPUT_BYTES)).unwrap_or_default();
    head.rfind('\n').and_then(|i| head.get(..=i)).unwrap_or(head)
}

/// Cuts every string in `v` (depth first, object keys in order) so that together they hold at
/// most `budget` bytes, each at a character boundary; `budget` is decreased by what is kept.
/// Returns true if anything was cut.
fn cut_strings(v: &mut Value, budget: &mut usize, each: usize) -> bool {
    match v {
        Value::String(s) => {
            let keep = s.len().min(*budget).min(each);
            let keep = (0..=keep).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
            *budget -= keep;
            let cut = keep < s.len();
            s.truncate(keep);
            cut
        }
        Value::Array(a) => a.iter_mut().fold(false, |cut, x| cut_strings(x, budget, each) | cut),
        Value::Object(m) => m.values_mut().fold(false, |cut, x| cut_strings(x, budget, each) | cut),
        _ => false,
    }
}

/// Bounds `input` (already redacted) to [`MAX_INPUT_BYTES`] of text and identifies the whole
/// input `text` (the text analysed) by its byte length and SHA-256: adds `bytes`, `sha256`, and
/// `truncated: true` when something was cut.
fn bound_input(input: &mut Value, text: &str) {
    let cut = cut_strings(input, &mut MAX_INPUT_BYTES.clone(), usize::MAX) || text.len() > MAX_INPUT_BYTES;
    if let Value::Object(m) = input {
        m.insert("bytes".into(), json!(text.len()));
        m.insert("sha256".into(), json!(audit::sha256_hex(text.as_bytes())));
        if cut {
            m.insert("truncated".into(), json!(true));
        }
    }
}

/// Bounds the facts of a record: at most [`MAX_FACTS`], each string at most
/// [`MAX_FACT_STRING`] bytes. Returns how many facts were left out.
fn bound_facts(facts: &mut Value) -> usize {
    let mut omitted = 0;
    if let Value::Array(a) = facts {
        omitted = a.len().saturating_sub(MAX_FACTS);
        a.truncate(MAX_FACTS);
    }
    cut_strings(facts, &mut usize::MAX.clone(), MAX_FACT_STRING);
    omitted
}

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
    let omitted = bound_facts(&mut facts);
    redact::redact_json(&mut facts);
    redact::scrub(&mut facts, secrets);
    redact::scrub(&mut input, secrets);
    bound_input(&mut input, &eval.text);
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
    if omitted > 0 {
        fields.insert("facts_omitted".into(), json!(omitted));
    }
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
