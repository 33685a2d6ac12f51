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
//! existing id they may only raise the action; their `allow` rules are ignored. A project file
//! whose exact content a person approved with `guard trust` ([`crate::trust`]) counts as trusted.

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

/// A built-in rule pack: its TOML source and the JSON that `build.rs` made from it.
#[derive(Debug, Clone, Copy)]
pub struct Pack {
    /// File name in `rules/`.
    pub name: &'static str,
    /// The TOML source (hashed into [`RuleSet::hash`], and used to locate errors).
    pub toml: &'static str,
    /// The same rules as JSON, parsed at run time (serde_json is several times faster than TOML).
    pub json: &'static str,
}

macro_rules! pack {
    ($name:literal) => {
        Pack {
            name: concat!($name, ".toml"),
            toml: include_str!(concat!("../rules/", $name, ".toml")),
            json: include_str!(concat!(env!("OUT_DIR"), "/", $name, ".json")),
        }
    };
}

/// The built-in rule packs, embedded at build time.
pub const BUILTIN: &[Pack] = &[
    pack!("sql"),
    pack!("fs"),
    pack!("exec"),
    pack!("k8s"),
    pack!("git"),
    pack!("cloud"),
    pack!("datastore"),
    pack!("net"),
    pack!("code"),
];

/// Whether a layer may loosen rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// Built-in, system and user layers: may replace rules.
    Trusted,
    /// Project and environment layers: may only tighten.
    TightenOnly,
    /// A project file: `TightenOnly` unless its content was approved with `guard trust`.
    Project,
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
    check_rules(name, text, file.rule)
}

/// Parses a built-in pack from its JSON form.
fn parse_pack(pack: &Pack) -> Result<Vec<Rule>, RuleError> {
    let name = format!("builtin:{}", pack.name);
    let file: RuleFile = serde_json::from_str(pack.json)
        .map_err(|e| RuleError { file: name.clone(), line: 0, column: 0, message: e.to_string() })?;
    check_rules(&name, pack.toml, file.rule)
}

/// Checks ids and matches of freshly parsed rules and sets their source; `text` locates errors.
fn check_rules(name: &str, text: &str, mut rules: Vec<Rule>) -> Result<Vec<Rule>, RuleError> {
    let mut seen = std::collections::HashSet::new();
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

/// The effective rules, after merging all layers.
///
/// Built-in packs are embedded and checked by the test suite, so they are parsed only when a
/// decision needs them (an input with at least one fact): guarding an ordinary command whose
/// analysis yields no facts costs no TOML parsing. Files of the other layers are read and
/// parsed eagerly, so a broken one stops guard before anything runs.
#[derive(Debug)]
pub struct RuleSet {
    /// Parsed rule files of the system, user, project and environment layers, in order.
    layers: Vec<(Vec<Rule>, Trust)>,
    /// The merged rules, built on first use.
    merged: std::sync::OnceLock<Merged>,
    /// Lowercase hex SHA-256 over every rule file's name and content, in load order
    /// (built-in packs first): the identity of the effective rule set, recorded in every
    /// audit record.
    pub hash: String,
}

#[derive(Debug, Default)]
struct Merged {
    rules: Vec<Rule>,
    notes: Vec<String>,
    /// Set if a built-in pack failed to parse (a build defect): every decision is then `deny`.
    broken: Option<String>,
}

impl RuleSet {
    /// The built-in packs only.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        let set = RuleSet::from_layers(vec![], &[]);
        match &set.merged().broken {
            Some(e) => Err(RuleError { file: "builtin".into(), line: 0, column: 0, message: e.clone() }),
            None => Ok(set),
        }
    }

    fn from_layers(layers: Vec<(Vec<Rule>, Trust)>, texts: &[(String, String)]) -> RuleSet {
        let mut h = Sha256::new();
        for pack in BUILTIN {
            h.update(format!("builtin:{}", pack.name).as_bytes());
            h.update(pack.toml.as_bytes());
        }
        for (name, text) in texts {
            h.update(name.as_bytes());
            h.update(text.as_bytes());
        }
        RuleSet { layers, merged: std::sync::OnceLock::new(), hash: hex(&h.finalize()) }
    }

    /// Built-in packs plus every layer that applies to `cwd` (see the module docs).
    /// Errors name the file, line and column; callers fail closed on them.
    pub fn load(cwd: &Path) -> Result<RuleSet, RuleError> {
        let mut files: Vec<(PathBuf, Trust)> = vec![];
        files.extend(toml_files(Path::new("/etc/guard/rules")).into_iter().map(|p| (p, Trust::Trusted)));
        if let Some(c) = dirs::config_dir() {
            files.extend(toml_files(&c.join("guard/rules")).into_iter().map(|p| (p, Trust::Trusted)));
        }
        if let Some(dir) = project_rules_dir(cwd) {
            files.extend(toml_files(&dir).into_iter().map(|p| (p, Trust::Project)));
        }
        if let Some(f) = std::env::var_os("GUARD_RULES").filter(|f| !f.is_empty()) {
            files.push((PathBuf::from(f), Trust::TightenOnly));
        }
        let mut layers = vec![];
        let mut texts = vec![];
        for (path, trust) in files {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| RuleError {
                file: name.clone(),
                line: 0,
                column: 0,
                message: format!("cannot read rule file: {e}"),
            })?;
            // A project file loosens only with a person's approval of this exact content.
            let trust = match trust {
                Trust::Project if crate::trust::is_trusted(&path, &text) => Trust::Trusted,
                Trust::Project => Trust::TightenOnly,
                t => t,
            };
            layers.push((parse_rules(&name, &text)?, trust));
            texts.push((name, text));
        }
        Ok(RuleSet::from_layers(layers, &texts))
    }

    fn merged(&self) -> &Merged {
        self.merged.get_or_init(|| {
            let mut m = Merged::default();
            for pack in BUILTIN {
                match parse_pack(pack) {
                    Ok(rules) => m.merge(rules, Trust::Trusted),
                    Err(e) => m.broken = Some(e.to_string()),
                }
            }
            for (rules, trust) in &self.layers {
                m.merge(rules.clone(), *trust);
            }
            m
        })
    }

    /// The effective rules, in load order. [`Finding::rule`] indexes this slice.
    pub fn rules(&self) -> &[Rule] {
        &self.merged().rules
    }

    /// Notes about ignored loosening attempts from untrusted layers.
    pub fn notes(&self) -> &[String] {
        &self.merged().notes
    }

    /// Looks up a rule by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules().iter().find(|r| r.id == id)
    }

    /// Decides `facts`: every rule is matched against every fact; an `allow` rule on a fact
    /// silences the other rules on that fact; the verdict is the worst remaining action.
    pub fn decide(&self, facts: &[Fact]) -> Decision {
        let mut d = Decision::default();
        if facts.is_empty() {
            return d;
        }
        let merged = self.merged();
        if let Some(e) = &merged.broken {
            eprintln!("guard: built-in rules do not load ({e}); refusing everything");
            d.verdict = Action::Deny;
            return d;
        }
        let rules = &merged.rules;
        for (fi, f) in facts.iter().enumerate() {
            let hits: Vec<usize> = (0..rules.len()).filter(|&ri| rules[ri].matches(f)).collect();
            if hits.iter().any(|&ri| rules[ri].action == Action::Allow) {
                continue;
            }
            for ri in hits {
                d.verdict = d.verdict.max(rules[ri].action);
                d.findings.push(Finding { rule: ri, fact: fi });
            }
        }
        d.findings.sort_by(|a, b| {
            rules[b.rule].action.cmp(&rules[a.rule].action).then(facts[a.fact].span.start.cmp(&facts[b.fact].span.start))
        });
        d
    }
}

impl Merged {
    fn merge(&mut self, rules: Vec<Rule>, trust: Trust) {
        for r in rules {
            match (self.rules.iter_mut().find(|x| x.id == r.id), trust) {
                (Some(old), Trust::Trusted) => *old = r,
                (Some(old), Trust::TightenOnly | Trust::Project) => {
                    if r.action > old.action {
                        old.action = r.action;
                        old.source = format!("{} (action raised by {})", old.source, r.source);
                    } else if r.action < old.action {
                        self.notes.push(format!("{}: ignored: may not lower rule {} from {} to {}", r.source, r.id, old.action, r.action));
                    }
                }
                (None, Trust::TightenOnly | Trust::Project) if r.action == Action::Allow => {
                    self.notes.push(format!("{}: ignored: allow rule {} may not loosen rules from this layer", r.source, r.id));
                }
                (None, _) => self.rules.push(r),
            }
        }
    }
}

/// The project rule directory for `cwd`: `.guard/rules` in `cwd` or its nearest ancestor
/// that has one.
pub fn project_rules_dir(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors().map(|d| d.join(".guard/rules")).find(|d| d.is_dir())
}

/// The `*.toml` files of `dir`, sorted by name (empty if `dir` cannot be read).
pub fn toml_files(dir: &Path) -> Vec<PathBuf> {
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
