//! Suppressions, for `guard check` reports only (wrap, shell and hook mode never read them: the
//! agent being guarded writes comments too).
//!
//! - `# guard: allow RULE[,RULE...] -- reason` (also after `--` or `//`) on a finding's line or
//!   the line before it;
//! - `# guard: allow-file RULE[,RULE...] -- reason` anywhere in the file: the whole file;
//! - for files that cannot hold comments (JSON), `.guard/suppressions.toml` in the project:
//!   `[[suppression]]` tables with `path` (a glob relative to the directory holding `.guard`),
//!   `rule` and `reason`.
//!
//! The reason is required: a suppression without one does not apply and is itself a finding
//! (`check.suppression-without-reason`). A suppression that matches no finding is reported
//! (`check.unused-suppression`).

use super::{Diag, Finding};
use crate::fact::Span;
use regex::Regex;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;

/// One suppression comment.
#[derive(Debug, Clone)]
pub struct Comment {
    /// The rule ids it names.
    pub rules: Vec<String>,
    /// Whether it covers the whole file (`allow-file`).
    pub file_level: bool,
    /// Whether it gives a reason after ` -- `.
    pub has_reason: bool,
    /// 0-based line of the comment.
    pub line: usize,
    /// Where the comment is in the file.
    pub span: Span,
}

static COMMENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s;])(?:#|--|//)\s*guard:\s*allow(-file)?\s+([A-Za-z0-9_.*-]+(?:\s*,\s*[A-Za-z0-9_.*-]+)*)\s*(?:--\s*(\S.*))?$").ok()
});

/// The suppression comments of `text`.
pub fn comments(text: &str) -> Vec<Comment> {
    let Some(re) = COMMENT.as_ref() else { return vec![] };
    let mut out = vec![];
    let mut at = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.contains("guard:")
            && let Some(c) = re.captures(line.trim_end())
        {
            let whole = c.get(0).map_or(0..0, |m| m.range());
            out.push(Comment {
                rules: c.get(2).map_or("", |m| m.as_str()).split(',').map(|r| r.trim().to_string()).collect(),
                file_level: c.get(1).is_some(),
                has_reason: c.get(3).is_some(),
                line: i,
                span: Span::new(at + whole.start, at + whole.end),
            });
        }
        at += line.len();
    }
    out
}

/// One `[[suppression]]` of `.guard/suppressions.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    rule: String,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    #[serde(default)]
    suppression: Vec<Entry>,
}

/// A loaded `.guard/suppressions.toml`: entries with their glob, and which were used.
#[derive(Debug, Default)]
pub struct Project {
    /// The file, for reports.
    pub file: Option<PathBuf>,
    /// The 1-based line of each entry's `[[suppression]]` header, in order.
    lines: Vec<usize>,
    root: PathBuf,
    entries: Vec<(Entry, Option<glob::Pattern>, AtomicBool, AtomicBool)>,
}

/// The name of the project suppressions file, under `.guard/`.
pub const PROJECT_FILE: &str = ".guard/suppressions.toml";

impl Project {
    /// Loads `.guard/suppressions.toml` from `cwd` or its nearest ancestor that has one.
    /// Errors: the file exists but cannot be read or does not parse (file and message).
    pub fn load(cwd: &Path) -> Result<Project, String> {
        let Some(file) = cwd.ancestors().map(|d| d.join(PROJECT_FILE)).find(|f| f.is_file()) else {
            return Ok(Project::default());
        };
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let form: FileForm = toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let root = file.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
        let entries = form
            .suppression
            .into_iter()
            .map(|e| {
                let g = glob::Pattern::new(&e.path).ok();
                (e, g, AtomicBool::new(false), AtomicBool::new(false))
            })
            .collect();
        let lines = text.lines().enumerate().filter(|(_, l)| l.trim() == "[[suppression]]").map(|(i, _)| i + 1).collect();
        Ok(Project { file: Some(file), lines, root, entries })
    }

    /// The path of `file` relative to the project root (absolute paths made relative to `cwd`
    /// first), with `/` separators.
    fn relative(&self, cwd: &Path, file: &Path) -> String {
        let abs = if file.is_absolute() { file.to_path_buf() } else { cwd.join(file) };
        let rel = abs.strip_prefix(&self.root).map_or(abs.clone(), Path::to_path_buf);
        rel.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Findings the file itself causes: entries without a reason, entries whose path matched
    /// a checked file but suppressed nothing. Called once after every file was checked.
    pub fn findings(&self) -> Vec<(String, Finding)> {
        let Some(file) = &self.file else { return vec![] };
        let name = file.display().to_string();
        let mut out = vec![];
        for (i, (e, g, matched, used)) in self.entries.iter().enumerate() {
            let what = format!("path = {:?}, rule = {:?}", e.path, e.rule);
            let finding = if g.is_none() {
                Diag::SuppressionWithoutReason.finding(Span::default(), format!("{what}: the path is not a valid glob"))
            } else if e.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                Diag::SuppressionWithoutReason.finding(Span::default(), what)
            } else if matched.load(Ordering::Relaxed) && !used.load(Ordering::Relaxed) {
                Diag::UnusedSuppression.finding(Span::default(), what)
            } else {
                continue;
            };
            // Positioned at the entry's header line.
            let line = self.lines.get(i).copied().unwrap_or(1);
            out.push((name.clone(), super::Finding { line, column: 1, end_line: line, end_column: 16, ..finding }));
        }
        out
    }
}

/// Applies the comments in `text` and the project entries for `file` to `findings`: removes the
/// suppressed ones (returns how many) and adds findings for comments without a reason and for
/// comments that suppressed nothing.
pub fn apply(text: &str, file: Option<&Path>, cwd: &Path, project: &Project, findings: &mut Vec<Finding>) -> usize {
    let comments = comments(text);
    let lines = crate::report::Lines::new(text);
    let rel = file.map(|f| project.relative(cwd, f));
    let mut used = vec![false; comments.len()];
    let before = findings.len();
    findings.retain(|f| {
        let line = lines.index(f.span.start);
        for (i, c) in comments.iter().enumerate() {
            let near = c.file_level || c.line == line || c.line + 1 == line;
            if c.has_reason && near && c.rules.iter().any(|r| r == &f.rule) {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                return false;
            }
        }
        if let Some(rel) = &rel {
            for (e, g, matched, used) in &project.entries {
                let Some(g) = g else { continue };
                if g.matches(rel) {
                    matched.store(true, Ordering::Relaxed);
                    if e.rule == f.rule && e.reason.as_deref().is_some_and(|r| !r.trim().is_empty()) {
                        used.store(true, Ordering::Relaxed);
                        return false;
                    }
                }
            }
        }
        true
    });
    if let Some(rel) = &rel {
        for (_, g, matched, _) in &project.entries {
            if g.as_ref().is_some_and(|g| g.matches(rel)) {
                matched.store(true, Ordering::Relaxed);
            }
        }
    }
    let suppressed = before - findings.len();
    for (c, used) in comments.iter().zip(used) {
        let rules = c.rules.join(",");
        if !c.has_reason {
            findings.push(Diag::SuppressionWithoutReason.finding(c.span, format!("guard: allow {rules} gives no reason after ` -- `")));
        } else if !used {
            findings.push(Diag::UnusedSuppression.finding(c.span, format!("guard: allow {rules} matches no finding")));
        }
    }
    suppressed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_forms() {
        let c = comments("x\n# guard: allow fs.rm-root, sql.drop -- fixture reset\nrm -rf /\n-- guard: allow-file sql.drop -- ok\n# guard: allow x.y\n");
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].rules, ["fs.rm-root", "sql.drop"]);
        assert!(c[0].has_reason && !c[0].file_level && c[0].line == 1);
        assert!(c[1].file_level && c[1].has_reason);
        assert!(!c[2].has_reason);
        assert!(comments("echo guard: allow x -- y\n").is_empty(), "not a comment");
    }
}
