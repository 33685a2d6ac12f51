//! Output for people and programs: rustc-style diagnostics with a caret under the span, and
//! the JSON contract of `guard check --format json` (documented in `docs/json.md`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::fact::{Fact, Span};
use crate::policy::{position, Action, Decision, RuleSet};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::{json, Value};

/// One analysed input with its decision, ready to report.
pub struct Outcome<'a> {
    /// Name shown in diagnostics: a file path, `<command>` or `<stdin>`.
    pub name: &'a str,
    /// The analysed text (the script, or the argv as shown).
    pub text: &'a str,
    /// The facts found.
    pub facts: &'a [Fact],
    /// The decision on them.
    pub decision: &'a Decision,
}

fn clamp(text: &str, s: Span) -> std::ops::Range<usize> {
    let mut a = s.start.min(text.len());
    let mut b = s.end.min(text.len()).max(a);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    while !text.is_char_boundary(b) {
        b += 1;
    }
    a..b
}

/// Renders every finding of `o` as a diagnostic (rule id, summary, the source line with a caret
/// under the span, why, hint), with secrets in the source masked. `color` enables ANSI styling.
pub fn human(o: &Outcome, rules: &RuleSet, color: bool) -> String {
    if o.decision.findings.is_empty() {
        return String::new();
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    // Secrets are masked byte for byte, so the spans still point at the right columns.
    let secrets = crate::redact::secrets(&[o.text]);
    let mask = |t: &str| secrets.iter().fold(t.to_string(), |t, s| t.replace(s.as_str(), &"*".repeat(s.len())));
    let text = mask(o.text);
    for f in &o.decision.findings {
        // A finding always points into its own rule set and fact list; one that does not is
        // left out of the report (the verdict was already decided).
        let (Some(rule), Some(fact)) = (rules.rules().get(f.rule), o.facts.get(f.fact)) else {
            continue;
        };
        let level = match rule.action {
            Action::Deny | Action::Ask => Level::ERROR,
            _ => Level::WARNING,
        };
        let title = format!("{} ({})", rule.summary, rule.action);
        let label = mask(&fact.summary);
        let mut group = level.primary_title(title.as_str()).id(rule.id.as_str()).element(
            Snippet::source(text.as_str())
                .path(o.name)
                .annotation(AnnotationKind::Primary.span(clamp(&text, fact.span)).label(label.as_str())),
        );
        group = group.element(Level::NOTE.message(rule.why.as_str()));
        if let Some(h) = &rule.hint {
            group = group.element(Level::HELP.message(h.as_str()));
        }
        let report: Vec<Group> = vec![group];
        out.push_str(&renderer.render(&report));
        out.push('\n');
    }
    out
}

/// The JSON findings of one outcome: rule, action, message, why, hint, fact, summary, file,
/// line, column, end_line, end_column (1-based; columns in characters).
pub fn json_findings(o: &Outcome, rules: &RuleSet) -> Vec<Value> {
    o.decision
        .findings
        .iter()
        .filter_map(|f| {
            let rule = rules.rules().get(f.rule)?;
            let fact = o.facts.get(f.fact)?;
            let (line, column) = position(o.text, fact.span);
            let (end_line, end_column) = position(o.text, Span::new(fact.span.end, fact.span.end));
            Some(json!({
                "rule": rule.id,
                "action": rule.action,
                "message": rule.summary,
                "why": rule.why,
                "hint": rule.hint,
                "fact": fact.kind,
                "attrs": fact.attrs,
                "summary": fact.summary,
                "file": o.name,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
            }))
        })
        .collect()
}

/// The facts as JSON (kind, attrs, summary, span), for audit records and `explain --format json`.
pub fn json_facts(facts: &[Fact]) -> Value {
    serde_json::to_value(facts).unwrap_or(Value::Null)
}
