//! Output for people and programs: rustc-style diagnostics with a caret under the span, and
//! the JSON contract of `guard check --format json` (documented in `docs/json.md`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::fact::{Fact, Span};
use crate::policy::{Action, Decision, RuleSet};
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

/// The start offset of every line of a text, so a position is found in time proportional to
/// its line's length, not to the text before it (a report of many findings over a large script
/// stays linear).
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// The line index of `text`.
    pub fn new(text: &str) -> Lines {
        Lines { starts: std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect() }
    }

    /// 0-based index of the line holding byte `offset`.
    pub fn index(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The byte offset where 0-based line `i` starts, if the text has that line.
    pub fn start(&self, i: usize) -> Option<usize> {
        self.starts.get(i).copied()
    }

    /// The byte range of lines `first..=last` of `text`, without the final newline.
    pub fn range(&self, text: &str, first: usize, last: usize) -> std::ops::Range<usize> {
        let start = self.starts.get(first).copied().unwrap_or(0);
        let end = self.starts.get(last + 1).map_or(text.len(), |s| s.saturating_sub(1)).max(start);
        start..end
    }

    /// 1-based line and column (in characters) of byte `offset` of `text`.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = text.floor_char_boundary(offset);
        let i = self.index(offset);
        let start = self.starts.get(i).copied().unwrap_or(0);
        (i + 1, text.get(start..offset).map_or(0, |l| l.chars().count()) + 1)
    }
}

/// Most bytes of source one diagnostic shows: a span over a huge input (a whole binary file, a
/// script past the budget) shows its start, so rendering stays cheap whatever the input.
const MAX_SHOWN_BYTES: usize = 4096;

/// `lines` (the lines a span covers) cut to at most [`MAX_SHOWN_BYTES`] around the span's start
/// `at`, at character boundaries.
fn window(text: &str, lines: std::ops::Range<usize>, at: usize) -> std::ops::Range<usize> {
    let start = text.floor_char_boundary(lines.start.max(at.saturating_sub(MAX_SHOWN_BYTES / 8)).min(lines.end));
    let end = text.floor_char_boundary(lines.end.min(start.saturating_add(MAX_SHOWN_BYTES))).max(start);
    start..end
}

/// One diagnostic to render for people: a rule (or check diagnostic) and the span it points at.
pub struct Diagnostic<'a> {
    /// The rule id, shown as the diagnostic's code (`sql.drop`).
    pub id: &'a str,
    /// The rule's action: deny and ask render as errors, the rest as warnings.
    pub action: Action,
    /// The rule's one-line summary.
    pub summary: &'a str,
    /// The label under the span (the fact's summary).
    pub label: &'a str,
    /// Byte range into the rendered text.
    pub span: Span,
    /// Why the rule exists (a note).
    pub why: &'a str,
    /// How to do it safely (a help line), if known.
    pub hint: Option<&'a str>,
}

/// Renders `diagnostics` on `text` (named `name`) rustc-style: code, summary and action, the
/// source lines the span covers with a caret, why, hint. Secrets in the source and labels are
/// masked byte for byte (spans keep pointing at the right columns). `color` enables ANSI styling.
pub fn render(name: &str, text: &str, diagnostics: &[Diagnostic], color: bool) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    // Secrets are masked byte for byte, so the spans still point at the right columns.
    // Binary input is shown only from its start (its one fact spans it all): secrets are looked
    // for there, not in megabytes of machine code.
    let scanned = if crate::input::is_binary(text.as_bytes()) {
        text.get(..text.floor_char_boundary(2 * MAX_SHOWN_BYTES)).unwrap_or_default()
    } else {
        text
    };
    let secrets = crate::redact::secrets(&[scanned]);
    let mask = |t: &str| secrets.iter().fold(t.to_string(), |t, s| t.replace(s.as_str(), &"*".repeat(s.len())));
    let text = mask(text);
    let lines = Lines::new(&text);
    for d in diagnostics {
        let level = match d.action {
            Action::Deny | Action::Ask => Level::ERROR,
            _ => Level::WARNING,
        };
        let title = format!("{} ({})", d.summary, d.action);
        let label = mask(d.label);
        // Only the lines the span covers go to the renderer.
        let span = clamp(&text, d.span);
        let (first, last) = (lines.index(span.start), lines.index(span.end.saturating_sub(1).max(span.start)));
        let shown = window(&text, lines.range(&text, first, last), span.start);
        let source = text.get(shown.clone()).unwrap_or_default();
        let local = span.start.saturating_sub(shown.start)..span.end.saturating_sub(shown.start).min(source.len());
        let mut group = level.primary_title(title.as_str()).id(d.id).element(
            Snippet::source(source)
                .line_start(first + 1)
                .path(name)
                .annotation(AnnotationKind::Primary.span(local).label(label.as_str())),
        );
        group = group.element(Level::NOTE.message(d.why));
        if let Some(h) = d.hint {
            group = group.element(Level::HELP.message(h));
        }
        let report: Vec<Group> = vec![group];
        out.push_str(&renderer.render(&report));
        out.push('\n');
    }
    out
}

/// Renders every finding of `o` as a diagnostic ([`render`]). `color` enables ANSI styling.
pub fn human(o: &Outcome, rules: &RuleSet, color: bool) -> String {
    // A finding always points into its own rule set and fact list; one that does not is
    // left out of the report (the verdict was already decided).
    let diagnostics: Vec<Diagnostic> = o
        .decision
        .findings
        .iter()
        .filter_map(|f| {
            let (rule, fact) = (rules.rules().get(f.rule)?, o.facts.get(f.fact)?);
            Some(Diagnostic {
                id: &rule.id,
                action: rule.action,
                summary: &rule.summary,
                label: &fact.summary,
                span: fact.span,
                why: &rule.why,
                hint: rule.hint.as_deref(),
            })
        })
        .collect();
    render(o.name, o.text, &diagnostics, color)
}

/// The JSON findings of one outcome: rule, action, message, why, hint, fact, summary, file,
/// line, column, end_line, end_column (1-based; columns in characters).
pub fn json_findings(o: &Outcome, rules: &RuleSet) -> Vec<Value> {
    let lines = Lines::new(o.text);
    o.decision
        .findings
        .iter()
        .filter_map(|f| {
            let rule = rules.rules().get(f.rule)?;
            let fact = o.facts.get(f.fact)?;
            let (line, column) = lines.position(o.text, fact.span.start);
            let (end_line, end_column) = lines.position(o.text, fact.span.end);
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
