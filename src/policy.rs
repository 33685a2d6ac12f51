//! Rules and verdicts: TOML rule packs matched against [`Fact`]s.
//!
//! A rule file holds `[[rule]]` tables:
//! ```toml
//! [[rule]]
//! id = "sql.drop"                  # unique, dotted
//! action = "deny"                  # allow | warn | ask | deny
//! summary = "DROP of a table, schema or database"
//! why = "Dropped objects and their data are gone ..."   # the harm, with its source
//! hint = "Rename it, or take a backup first"            # the safer way (optional)
//! [rule.match]
//! fact = "sql.drop"                # a fact kind, or `family.*`
//! object_type = ["table", "schema"] # attribute conditions: all must hold; an array = any of
//! [rule.match.unless]              # optional: the rule does not fire if any of these holds
//! dynamic = true
//! [rule.examples]
//! block = ["psql -c 'DROP TABLE users'"]  # the rule must fire on each
//! allow = ["psql -c 'SELECT 1'"]          # the rule must not fire on any
//! ```
//! An attribute condition holds when the fact's attribute equals the value, or, for an array
//! attribute, contains it. A missing boolean attribute counts as `false`.
//!
//! Layers, in order: built-in packs (embedded), system (`/etc/guard/rules/*.toml`), user
//! (`$XDG_CONFIG_HOME/guard/rules/*.toml`), project (`.guard/rules/*.toml` in the working
//! directory or the nearest parent that has one) and the file named by `GUARD_RULES`.
//! System and user layers may replace rules by id. Project and `GUARD_RULES` layers are
//! controlled by whoever runs commands, so they only tighten: they add rules, and for an
//! existing id they may only raise the action; their `allow` rules are ignored.

use crate::fact::{Fact, Span};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// What to do about a command. Ordered: `Allow < Warn < Ask < Deny`; the worst wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Run it. As a rule action: an explicit exception that silences other rules on the fact.
    #[default]
    Allow,
    /// Run it, and say why it deserves a second look.
    Warn,
    /// Run it only if a person confirms on a terminal; refuse otherwise.
    Ask,
    /// Refuse.
    Deny,
}

impl Action {
    /// The lowercase name, as in rule files and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::Ask => "ask",
            Action::Deny => "deny",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Examples a rule must block and must allow, checked by the test suite and `guard rules test`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Command lines on which the rule must fire.
    #[serde(default)]
    pub block: Vec<String>,
    /// Command lines on which the rule must not fire.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// The fact pattern of a rule.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Match {
    /// A fact kind (`sql.drop`) or a family wildcard (`sql.*`).
    pub fact: String,
    /// Conditions under which the rule does not fire (any one suffices).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unless: BTreeMap<String, Value>,
    /// Attribute conditions, all of which must hold.
    #[serde(flatten)]
    pub when: BTreeMap<String, Value>,
}

/// One rule: data, documented the way linters document theirs.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique dotted id, e.g. `sql.delete-without-where`.
    pub id: String,
    /// The action when the rule fires.
    pub action: Action,
    /// One line saying what the rule catches.
    pub summary: String,
    /// Why it is harmful, with a source (an incident, a CVE, a manual section).
    pub why: String,
    /// The safer way to do it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The fact pattern.
    #[serde(rename = "match")]
    pub matcher: Match,
    /// Commands it must block and allow.
    #[serde(default)]
    pub examples: Examples,
    /// Where the rule was loaded from (`builtin:sql.toml`, a file path). Set by the loader.
    #[serde(skip_deserializing, default)]
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Rule>,
}

/// A rule file that could not be loaded, with the place to fix.
#[derive(Debug)]
pub struct RuleError {
    /// The file.
    pub file: String,
    /// 1-based line and column, when known.
    pub line: usize,
    /// 1-based column, when known.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for RuleError {}

/// The built-in rule packs, embedded at build time.
pub const BUILTIN: &[(&str, &str)] = &[
    ("sql.toml", include_str!("../rules/sql.toml")),
    ("fs.toml", include_str!("../rules/fs.toml")),
    ("exec.toml", include_str!("../rules/exec.toml")),
];

/// Whether a layer may loosen rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// Built-in, system and user layers: may replace rules.
    Trusted,
    /// Project and environment layers: may only tighten.
    TightenOnly,
}

/// The effective rules, after merging all layers.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Rules in load order.
    pub rules: Vec<Rule>,
    /// Lowercase hex SHA-256 over every loaded file's name and content, in load order: the
    /// identity of the effective rule set, recorded in every audit record.
    pub hash: String,
    /// Notes about ignored loosening attempts from untrusted layers.
    pub notes: Vec<String>,
}

/// One match of a rule on a fact.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Index into [`RuleSet::rules`].
    pub rule: usize,
    /// Index into the analysed facts.
    pub fact: usize,
}

/// The outcome for one input.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// The worst action among the findings; `Allow` when nothing fired.
    pub verdict: Action,
    /// Every non-allow rule that fired, worst first.
    pub findings: Vec<Finding>,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses one rule file. `name` is used in errors and as the rules' source.
pub fn parse_rules(name: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    let file: RuleFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
        RuleError { file: name.to_string(), line, column, message: e.message().to_string() }
    })?;
    let mut seen = std::collections::HashSet::new();
    let mut rules = file.rule;
    for r in &mut rules {
        let err = |message: String| {
            let at = text.find(&format!("\"{}\"", r.id)).unwrap_or(0);
            let (line, column) = line_col(text, at);
            RuleError { file: name.to_string(), line, column, message }
        };
        if r.id.is_empty() || !r.id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
            return Err(err(format!("rule id {:?} must be non-empty ASCII letters, digits, '.', '_' or '-'", r.id)));
        }
        if !seen.insert(r.id.clone()) {
            return Err(err(format!("duplicate rule id {}", r.id)));
        }
        if !r.matcher.fact.contains('.') {
            return Err(err(format!("rule {}: match.fact {:?} must be a fact kind like \"sql.drop\" or \"sql.*\"", r.id, r.matcher.fact)));
        }
        r.source = name.to_string();
    }
    Ok(rules)
}

fn value_holds(attr: Option<&Value>, want: &Value) -> bool {
    match want {
        Value::Array(any) => any.iter().any(|w| value_holds(attr, w)),
        _ => match attr {
            Some(Value::Array(items)) => items.iter().any(|i| i == want),
            Some(v) => v == want,
            None => *want == Value::Bool(false),
        },
    }
}

impl Rule {
    /// True if this rule fires on `fact`.
    pub fn matches(&self, fact: &Fact) -> bool {
        let kind_ok = match self.matcher.fact.strip_suffix(".*") {
            Some(family) => fact.kind.strip_prefix(family).is_some_and(|r| r.starts_with('.')),
            None => self.matcher.fact == fact.kind,
        };
        kind_ok
            && self.matcher.when.iter().all(|(k, v)| value_holds(fact.attrs.get(k), v))
            && !self.matcher.unless.iter().any(|(k, v)| value_holds(fact.attrs.get(k), v))
    }
}

impl RuleSet {
    /// The built-in packs only.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        let mut set = RuleSet { rules: vec![], hash: String::new(), notes: vec![] };
        let mut h = Sha256::new();
        for (name, text) in BUILTIN {
            let src = format!("builtin:{name}");
            h.update(src.as_bytes());
            h.update(text.as_bytes());
            set.merge(parse_rules(&src, text)?, Trust::Trusted);
        }
        set.hash = hex(&h.finalize());
        Ok(set)
    }

    /// Built-in packs plus every layer that applies to `cwd` (see the module docs).
    /// Errors name the file, line and column; callers fail closed on them.
    pub fn load(cwd: &Path) -> Result<RuleSet, RuleError> {
        let mut set = RuleSet { rules: vec![], hash: String::new(), notes: vec![] };
        let mut h = Sha256::new();
        for (name, text) in BUILTIN {
            let src = format!("builtin:{name}");
            h.update(src.as_bytes());
            h.update(text.as_bytes());
            set.merge(parse_rules(&src, text)?, Trust::Trusted);
        }
        let mut layers: Vec<(PathBuf, Trust)> = vec![];
        layers.extend(toml_files(Path::new("/etc/guard/rules")).into_iter().map(|p| (p, Trust::Trusted)));
        if let Some(c) = dirs::config_dir() {
            layers.extend(toml_files(&c.join("guard/rules")).into_iter().map(|p| (p, Trust::Trusted)));
        }
        if let Some(dir) = cwd.ancestors().map(|d| d.join(".guard/rules")).find(|d| d.is_dir()) {
            layers.extend(toml_files(&dir).into_iter().map(|p| (p, Trust::TightenOnly)));
        }
        if let Some(f) = std::env::var_os("GUARD_RULES").filter(|f| !f.is_empty()) {
            layers.push((PathBuf::from(f), Trust::TightenOnly));
        }
        for (path, trust) in layers {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| RuleError {
                file: name.clone(),
                line: 0,
                column: 0,
                message: format!("cannot read rule file: {e}"),
            })?;
            h.update(name.as_bytes());
            h.update(text.as_bytes());
            set.merge(parse_rules(&name, &text)?, trust);
        }
        set.hash = hex(&h.finalize());
        Ok(set)
    }

    fn merge(&mut self, rules: Vec<Rule>, trust: Trust) {
        for r in rules {
            match (self.rules.iter_mut().find(|x| x.id == r.id), trust) {
                (Some(old), Trust::Trusted) => *old = r,
                (Some(old), Trust::TightenOnly) => {
                    if r.action > old.action {
                        old.action = r.action;
                        old.source = format!("{} (action raised by {})", old.source, r.source);
                    } else if r.action < old.action {
                        self.notes.push(format!("{}: ignored: may not lower rule {} from {} to {}", r.source, r.id, old.action, r.action));
                    }
                }
                (None, Trust::TightenOnly) if r.action == Action::Allow => {
                    self.notes.push(format!("{}: ignored: allow rule {} may not loosen rules from this layer", r.source, r.id));
                }
                (None, _) => self.rules.push(r),
            }
        }
    }

    /// Looks up a rule by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Decides `facts`: every rule is matched against every fact; an `allow` rule on a fact
    /// silences the other rules on that fact; the verdict is the worst remaining action.
    pub fn decide(&self, facts: &[Fact]) -> Decision {
        let mut d = Decision::default();
        for (fi, f) in facts.iter().enumerate() {
            let hits: Vec<usize> = (0..self.rules.len()).filter(|&ri| self.rules[ri].matches(f)).collect();
            if hits.iter().any(|&ri| self.rules[ri].action == Action::Allow) {
                continue;
            }
            for ri in hits {
                d.verdict = d.verdict.max(self.rules[ri].action);
                d.findings.push(Finding { rule: ri, fact: fi });
            }
        }
        d.findings.sort_by(|a, b| {
            self.rules[b.rule].action.cmp(&self.rules[a.rule].action).then(facts[a.fact].span.start.cmp(&facts[b.fact].span.start))
        });
        d
    }
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A span's 1-based line and column in `text` (column in characters).
pub fn position(text: &str, span: Span) -> (usize, usize) {
    line_col(text, span.start)
}
