//! The report formats of `guard check`: `human` (diagnostics with the source line and a caret),
//! `json` (docs/json.md), `sarif` ([`super::sarif`]), `github` (workflow command annotations)
//! and `gcc` (`file:line:col: severity: message [rule]`). Human, github and gcc output is
//! written file by file as reports arrive; json and sarif are one document at the end.

use super::{FileReport, Finding, Status};
use crate::format::Format;
use crate::policy::Action;
use crate::report::{self, Diagnostic};
use serde_json::{json, Value};
use std::io::Write;

/// Counts for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// Inputs checked.
    pub checked: usize,
    /// Binary files skipped while walking (or named, then also reported).
    pub binary: usize,
    /// Scripts in another language skipped (their shebang names another interpreter).
    pub other_language: usize,
    /// Files found while walking that are not scripts.
    pub not_scripts: usize,
    /// Steps or recipes in another language skipped inside checked files.
    pub skipped_steps: usize,
    /// Findings suppressed.
    pub suppressed: usize,
    /// Inputs that could not be read.
    pub unreadable: usize,
    /// Findings reported.
    pub findings: usize,
}

/// Collects reports and writes them in one format.
pub struct Sink {
    format: Format,
    color: bool,
    rules_hash: String,
    verdict: Action,
    totals: Totals,
    /// (file, finding) kept for json and sarif.
    kept: Vec<(String, Finding)>,
}

/// The level words of the gcc and github formats: deny and ask are errors.
fn level(a: Action) -> (&'static str, &'static str) {
    match a {
        Action::Deny | Action::Ask => ("error", "error"),
        Action::Warn => ("warning", "warning"),
        Action::Allow => ("note", "notice"),
    }
}

/// Escapes a workflow command's message (`%`, CR, LF), per GitHub's toolkit `escapeData`.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`), per `escapeProperty`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One finding as a `gcc` line.
pub fn gcc_line(file: &str, f: &Finding) -> String {
    format!("{file}:{}:{}: {}: {}: {} [{}]", f.line, f.column, level(f.action).0, f.message, f.summary.lines().next().unwrap_or(""), f.rule)
}

/// One finding as a GitHub workflow command (`::error file=..,line=..::message`).
pub fn github_line(file: &str, f: &Finding) -> String {
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        level(f.action).1,
        escape_property(file),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        escape_property(&format!("{} ({})", f.rule, f.action)),
        escape_data(&format!("{}: {}", f.message, f.summary))
    )
}

/// One finding as JSON (the fields documented in docs/json.md).
pub fn json_finding(file: &str, f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "action": f.action,
        "message": f.message,
        "why": f.why,
        "hint": f.hint,
        "fact": f.fact,
        "attrs": f.attrs,
        "summary": f.summary,
        "file": file,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
    })
}

impl Sink {
    /// A sink writing `format`; `color` for human output on a terminal; `rules_hash` for JSON.
    pub fn new(format: Format, color: bool, rules_hash: &str) -> Sink {
        Sink { format, color, rules_hash: rules_hash.to_string(), verdict: Action::Allow, totals: Totals::default(), kept: vec![] }
    }

    /// Takes one file's report.
    pub fn file(&mut self, r: &FileReport, out: &mut dyn Write) {
        match r.status {
            Status::Checked => self.totals.checked += 1,
            Status::Binary => self.totals.binary += 1,
            Status::OtherLanguage => self.totals.other_language += 1,
            Status::NotScript => self.totals.not_scripts += 1,
            Status::Unreadable(_) => self.totals.unreadable += 1,
        }
        self.totals.skipped_steps += r.skipped_steps;
        self.totals.suppressed += r.suppressed;
        self.verdict = self.verdict.max(r.verdict());
        if r.findings.is_empty() {
            return;
        }
        self.totals.findings += r.findings.len();
        match self.format {
            Format::Human => {
                let diagnostics: Vec<Diagnostic> = r
                    .findings
                    .iter()
                    .map(|f| Diagnostic {
                        id: &f.rule,
                        action: f.action,
                        summary: &f.message,
                        label: &f.summary,
                        span: f.span,
                        why: &f.why,
                        hint: f.hint.as_deref(),
                    })
                    .collect();
                let _ = out.write_all(report::render(&r.name, &r.text, &diagnostics, self.color).as_bytes());
            }
            Format::Gcc | Format::Github => {
                for f in &r.findings {
                    self.line(&r.name, f, out);
                }
            }
            Format::Json | Format::Sarif => self.kept.extend(r.findings.iter().map(|f| (r.name.clone(), f.clone()))),
        }
    }

    fn line(&self, file: &str, f: &Finding, out: &mut dyn Write) {
        let line = if self.format == Format::Gcc { gcc_line(file, f) } else { github_line(file, f) };
        let _ = writeln!(out, "{line}");
    }

    /// Takes a finding about a file that was not itself checked (the suppressions file).
    pub fn extra(&mut self, file: &str, f: Finding, out: &mut dyn Write) {
        self.verdict = self.verdict.max(f.action);
        self.totals.findings += 1;
        match self.format {
            Format::Human => {
                let _ = writeln!(out, "{}: {}[{}]: {}: {}", file, level(f.action).0, f.rule, f.message, f.summary);
            }
            Format::Gcc | Format::Github => self.line(file, &f, out),
            Format::Json | Format::Sarif => self.kept.push((file.to_string(), f)),
        }
    }

    /// The summary line: what was checked and skipped.
    fn summary(&self) -> String {
        let t = &self.totals;
        let mut s = format!("checked {} file{}", t.checked, if t.checked == 1 { "" } else { "s" });
        let mut more = vec![];
        for (n, what) in [
            (t.findings, if t.findings == 1 { "finding" } else { "findings" }),
            (t.suppressed, "suppressed"),
            (t.binary, "binary skipped"),
            (t.other_language, "in another language skipped"),
            (t.skipped_steps, "steps in another language skipped"),
            (t.not_scripts, "not scripts"),
            (t.unreadable, "unreadable"),
        ] {
            if n > 0 {
                more.push(format!("{n} {what}"));
            }
        }
        if !more.is_empty() {
            s.push_str(&format!(" ({})", more.join(", ")));
        }
        s
    }

    /// Writes what is written at the end (the JSON or SARIF document, the human summary);
    /// returns the verdict over every report.
    pub fn finish(&mut self, out: &mut dyn Write) -> Action {
        let t = self.totals;
        match self.format {
            Format::Human => {
                let _ = writeln!(out, "verdict: {}\n{}", self.verdict, self.summary());
            }
            Format::Gcc | Format::Github => eprintln!("guard: verdict {}; {}", self.verdict, self.summary()),
            Format::Json => {
                let findings: Vec<Value> = self.kept.iter().map(|(file, f)| json_finding(file, f)).collect();
                let doc = json!({
                    "verdict": self.verdict,
                    "findings": findings,
                    "rules_hash": self.rules_hash,
                    "summary": {
                        "checked": t.checked,
                        "findings": t.findings,
                        "suppressed": t.suppressed,
                        "skipped_binary": t.binary,
                        "skipped_other_language": t.other_language,
                        "skipped_steps": t.skipped_steps,
                        "not_scripts": t.not_scripts,
                        "unreadable": t.unreadable,
                    },
                });
                let _ = writeln!(out, "{doc}");
            }
            Format::Sarif => {
                let _ = writeln!(out, "{}", super::sarif::document(&self.kept));
            }
        }
        self.verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_properties_are_escaped() {
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(escape_data("a,b:c%\n"), "a,b:c%25%0A");
    }
}
