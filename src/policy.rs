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
//! object_type = ["table", "schema"] # attribute conditions: all must hold
//! [rule.match.unless]              # optional: the rule does not fire if any of these holds
//! dynamic = true
//! [rule.match.context]             # optional: conditions on context values, all must hold
//! environment = "production"
//! [rule.examples]
//! block = ["psql -c 'DROP TABLE users'"]  # the rule must fire on each
//! allow = ["psql -c 'SELECT 1'"]          # the rule must not fire on any
//! ```
//! A [`Condition`] is a scalar (equality; for an array attribute: contains), an array (any of),
//! or an operator table: `{ any = [...] }`, `{ glob = "db-*" }`, `{ gt = 1000 }`, `{ ge = .. }`,
//! `{ lt = .. }`, `{ le = .. }` (integers only: records hold no floats), `{ not = <condition> }`;
//! several operators in one table must all hold. A missing boolean attribute counts as `false`;
//! a condition on a context value that is not set does not hold ([`ContextValues`]).
//!
//! Conditions are compiled when a file loads. Files of the system, user, project and
//! environment layers are also checked against the fact registry ([`crate::registry`]): an
//! unknown fact kind or family, attribute or context key, or a value of the wrong type fails
//! with the file, line and column of the offending key. Built-in packs are loaded from JSON
//! (fast) and checked against the registry by the test suite.
//!
//! Layers, in order: built-in packs (embedded), system (`/etc/guard/rules/*.toml`), user
//! (`$XDG_CONFIG_HOME/guard/rules/*.toml`), project (`.guard/rules/*.toml` in the working
//! directory or the nearest parent that has one) and the file named by `GUARD_RULES`.
//! System and user layers may replace rules by id. Project and `GUARD_RULES` layers are
//! controlled by whoever runs commands, so they only tighten: they add rules, and for an
//! existing id they may only raise the action; their `allow` rules are ignored. A project file
//! whose exact content a person approved with `guard trust` ([`crate::trust`]) counts as trusted.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::fact::{Fact, Span};
use crate::registry::{self, AttrType};
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

pub use crate::data_file::Examples;

/// The fact pattern of a rule, as written in the rule file (see the module docs for the
/// grammar). [`Rule::matches_in`] uses its compiled form, made when the rule loads.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Match {
    /// A fact kind (`sql.drop`) or a family wildcard (`sql.*`).
    pub fact: String,
    /// Conditions under which the rule does not fire (any one suffices).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unless: BTreeMap<String, Value>,
    /// Conditions on context values (`environment`, `target.host`, ...), all of which must hold.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Value>,
    /// Attribute conditions, all of which must hold.
    #[serde(flatten)]
    pub when: BTreeMap<String, Value>,
    /// The compiled conditions, set by the loader.
    #[serde(skip)]
    compiled: Option<Compiled>,
}

/// The conditions of a [`Match`], compiled.
#[derive(Debug, Clone, Default)]
struct Compiled {
    when: Vec<(String, Condition)>,
    unless: Vec<(String, Condition)>,
    context: Vec<(String, Condition)>,
}

/// Where in a rule's `match` table a problem is: keys and array indexes from the table down.
type MatchPath = Vec<String>;

/// A load-time problem of a match, with its place.
type MatchError = (MatchPath, String);

impl Compiled {
    fn new(m: &Match) -> Result<Compiled, MatchError> {
        let section = |name: &str, map: &BTreeMap<String, Value>| -> Result<Vec<(String, Condition)>, MatchError> {
            map.iter()
                .map(|(k, v)| {
                    let at = |mut p: MatchPath| {
                        p.insert(0, k.clone());
                        if !name.is_empty() {
                            p.insert(0, name.to_string());
                        }
                        p
                    };
                    Condition::compile(v).map(|c| (k.clone(), c)).map_err(|(p, e)| (at(p), e))
                })
                .collect()
        };
        Ok(Compiled { when: section("", &m.when)?, unless: section("unless", &m.unless)?, context: section("context", &m.context)? })
    }
}

/// A comparison operator of a [`Condition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// `gt`: greater than.
    Gt,
    /// `ge`: greater than or equal.
    Ge,
    /// `lt`: less than.
    Lt,
    /// `le`: less than or equal.
    Le,
}

/// A condition on one value (a fact attribute or a context value), compiled from a rule file:
/// a scalar (equality; on an array value: contains), an array (any of), or an operator table
/// (`{ any = [...] }`, `{ glob = "db-*" }`, `{ gt = 1000 }`, `{ ge = .. }`, `{ lt = .. }`,
/// `{ le = .. }`, `{ not = <condition> }`; several operators in one table must all hold).
#[derive(Debug, Clone)]
pub enum Condition {
    /// Equal to a string, boolean or integer; an array value holds when it contains it.
    /// A missing value holds only for `false`.
    Is(Value),
    /// Any of these holds.
    AnyOf(Vec<Condition>),
    /// A string matching a shell-style glob (`*`, `?`, `[...]`); an array value holds when any
    /// element matches.
    Glob(glob::Pattern),
    /// An integer compared with the bound.
    Compare(Compare, i64),
    /// The inner condition does not hold.
    Not(Box<Condition>),
    /// Every one holds (an operator table with several operators).
    All(Vec<Condition>),
}

/// The value of a JSON integer, as i128 (so u64 and i64 compare exactly).
fn integer(v: &Value) -> Option<i128> {
    v.as_i64().map(i128::from).or_else(|| v.as_u64().map(i128::from))
}

fn scalar_eq(a: &Value, b: &Value) -> bool {
    match (integer(a), integer(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl Condition {
    /// Compiles a condition as written in a rule file. Errors: the path below this value and
    /// what is wrong (a float, an unknown operator, an operand of the wrong shape, a bad glob).
    pub fn compile(v: &Value) -> Result<Condition, MatchError> {
        let err = |m: String| Err((vec![], m));
        match v {
            Value::String(_) | Value::Bool(_) => Ok(Condition::Is(v.clone())),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Condition::Is(v.clone())),
            Value::Number(n) => err(format!("{n} is a float; records hold no floats, write an integer")),
            Value::Null => err("a condition may not be empty".into()),
            Value::Array(items) if items.is_empty() => err("an empty array never holds; list at least one value".into()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| Condition::compile(x).map_err(|(mut p, e)| {
                    p.insert(0, i.to_string());
                    (p, e)
                }))
                .collect::<Result<_, _>>()
                .map(Condition::AnyOf),
            Value::Object(ops) if ops.is_empty() => err("an operator table needs an operator: any, glob, gt, ge, lt, le or not".into()),
            Value::Object(ops) => {
                let mut all = vec![];
                for (op, arg) in ops {
                    let at = |m: String| (vec![op.clone()], m);
                    let c = match op.as_str() {
                        "any" => match arg {
                            Value::Array(_) => Condition::compile(arg).map_err(|(mut p, e)| {
                                p.insert(0, op.clone());
                                (p, e)
                            })?,
                            _ => return Err(at(format!("`any` takes an array, not {arg}"))),
                        },
                        "glob" => match arg.as_str() {
                            Some(g) => Condition::Glob(glob::Pattern::new(g).map_err(|e| at(format!("bad glob {g:?}: {e}")))?),
                            None => return Err(at(format!("`glob` takes a string, not {arg}"))),
                        },
                        "gt" | "ge" | "lt" | "le" => {
                            let bound = arg.as_i64().ok_or_else(|| at(format!("`{op}` takes an integer, not {arg}")))?;
                            let cmp = match op.as_str() {
                                "gt" => Compare::Gt,
                                "ge" => Compare::Ge,
                                "lt" => Compare::Lt,
                                _ => Compare::Le,
                            };
                            Condition::Compare(cmp, bound)
                        }
                        "not" => Condition::Not(Box::new(Condition::compile(arg).map_err(|(mut p, e)| {
                            p.insert(0, op.clone());
                            (p, e)
                        })?)),
                        _ => return Err(at(format!("unknown operator `{op}`; expected any, glob, gt, ge, lt, le or not"))),
                    };
                    all.push(c);
                }
                Ok(if all.len() == 1 { all.remove(0) } else { Condition::All(all) })
            }
        }
    }

    /// True if the condition holds for `value` (`None`: the attribute is missing).
    pub fn holds(&self, value: Option<&Value>) -> bool {
        match self {
            Condition::Is(want) => match value {
                Some(Value::Array(items)) => items.iter().any(|i| scalar_eq(i, want)),
                Some(v) => scalar_eq(v, want),
                None => *want == Value::Bool(false),
            },
            Condition::AnyOf(any) => any.iter().any(|c| c.holds(value)),
            Condition::Glob(p) => match value {
                Some(Value::String(s)) => p.matches(s),
                Some(Value::Array(items)) => items.iter().any(|i| i.as_str().is_some_and(|s| p.matches(s))),
                _ => false,
            },
            Condition::Compare(op, bound) => value.and_then(integer).is_some_and(|n| {
                let b = i128::from(*bound);
                match op {
                    Compare::Gt => n > b,
                    Compare::Ge => n >= b,
                    Compare::Lt => n < b,
                    Compare::Le => n <= b,
                }
            }),
            Condition::Not(c) => !c.holds(value),
            Condition::All(all) => all.iter().all(|c| c.holds(value)),
        }
    }

    /// Checks that the condition can apply to a value of type `ty`. Errors: the path below
    /// this condition and what is wrong.
    pub fn check_type(&self, ty: AttrType) -> Result<(), MatchError> {
        let wrong = |what: &str| Err((vec![], format!("{what} cannot apply to a {} value", ty.name())));
        match self {
            Condition::Is(want) => {
                let ok = match ty {
                    AttrType::String | AttrType::Strings => want.is_string(),
                    AttrType::Bool => want.is_boolean(),
                    AttrType::Int => integer(want).is_some(),
                };
                if ok { Ok(()) } else { wrong(&format!("the value {want}")) }
            }
            Condition::AnyOf(any) => any.iter().enumerate().try_for_each(|(i, c)| {
                c.check_type(ty).map_err(|(mut p, e)| {
                    p.insert(0, i.to_string());
                    (p, e)
                })
            }),
            Condition::Glob(_) if matches!(ty, AttrType::String | AttrType::Strings) => Ok(()),
            Condition::Glob(_) => wrong("`glob`"),
            Condition::Compare(..) if ty == AttrType::Int => Ok(()),
            Condition::Compare(..) => wrong("a comparison"),
            Condition::Not(c) => c.check_type(ty),
            Condition::All(all) => all.iter().try_for_each(|c| c.check_type(ty)),
        }
    }
}

/// Context values a decision may depend on (`actor`, `environment`, `target.host`, ...; the
/// keys and types are declared in `facts.toml`). Rules test them in `[rule.match.context]`;
/// a condition on a value that is not set does not hold. Empty until the context issue fills
/// them in.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContextValues(BTreeMap<String, Value>);

impl ContextValues {
    /// No values.
    pub fn new() -> Self {
        ContextValues::default()
    }

    /// Builder: sets `key` (a key declared in `facts.toml`) to `value`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Every value, by key.
    pub fn values(&self) -> &BTreeMap<String, Value> {
        &self.0
    }
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
    /// For an `ask` rule: the person confirms by typing the name of the command's target
    /// (its database, kube context or host), not just `y` (see `guard -- ...` ask flow).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
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
pub type RuleError = crate::data_file::DataError;

/// A built-in rule pack (`rules/*.toml`, embedded; its TOML is hashed into [`RuleSet::hash`]).
pub type Pack = crate::data_file::Embedded;

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
    // Issue 8 breadth: migration tools, HTTP admin APIs, code hosting, more data stores.
    pack!("migrate"),
    pack!("http"),
    pack!("hosting"),
    pack!("stores"),
    pack!("verbs"),
    pack!("paas"),
    pack!("breadth"),
    // Web servers started on a directory (analyze/serve.rs).
    pack!("serve"),
    // Pushes to a URL or a remote added in the same script (analyze/git_remote.rs).
    pack!("git_remote"),
    pack!("context"),
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
    /// Findings an exception of the config waived, with the exception (index into
    /// [`crate::config::Config::exceptions`]).
    pub waived: Vec<(Finding, usize)>,
    /// Notes for the person: exceptions that would have applied but expired.
    pub notes: Vec<String>,
}

use crate::data_file::line_col;

/// Parses one rule file and checks it against the fact registry ([`crate::registry`]): a
/// match naming an unknown fact kind or family, an unknown attribute or context key, or a
/// value of the wrong type fails. `name` is used in errors and as the rules' source.
/// Errors name the file, line and column of the offending key.
pub fn parse_rules(name: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    let file: RuleFile = toml::from_str(text).map_err(|e| RuleError::toml(name, text, &e))?;
    check_rules(name, text, file.rule, true)
}

/// Parses a built-in pack from its JSON form. Its matches are compiled but not checked
/// against the registry here (the test suite does that with [`parse_rules`] on its TOML).
fn parse_pack(pack: &Pack) -> Result<Vec<Rule>, RuleError> {
    let name = format!("builtin:{}", pack.name);
    let file: RuleFile = serde_json::from_str(pack.json)
        .map_err(|e| RuleError { file: name.clone(), line: 0, column: 0, message: e.to_string() })?;
    check_rules(&name, pack.toml, file.rule, false)
}

/// The byte offset of the key at `path` inside `[[rule]]` number `index`'s `match` table of
/// the TOML `text`: the deepest key (or array element) of the path that exists.
fn locate(text: &str, index: usize, path: &[String]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let rules = doc.get_ref().iter().find(|(k, _)| k.get_ref().as_ref() == "rule")?.1;
    let DeValue::Array(rules) = rules.get_ref() else { return None };
    let DeValue::Table(rule) = rules.get(index)?.get_ref() else { return None };
    let (mkey, mval) = rule.iter().find(|(k, _)| k.get_ref().as_ref() == "match")?;
    let mut at = mkey.span().start;
    let mut cur = mval;
    for seg in path {
        match cur.get_ref() {
            DeValue::Table(t) => match t.iter().find(|(k, _)| k.get_ref().as_ref() == seg.as_str()) {
                Some((k, v)) => {
                    at = k.span().start;
                    cur = v;
                }
                None => break,
            },
            DeValue::Array(items) => match seg.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(v) => {
                    at = v.span().start;
                    cur = v;
                }
                None => break,
            },
            _ => break,
        }
    }
    Some(at)
}

/// Checks a compiled match against the registry. Errors: the path in the match table and
/// what is wrong.
fn check_match(m: &Match, c: &Compiled) -> Result<(), MatchError> {
    let reg = registry::get().map_err(|e| (vec![], e.to_string()))?;
    let kinds = reg.kinds_matching(&m.fact);
    if kinds.is_empty() {
        let family = m.fact.strip_suffix(".*");
        let what = match family {
            Some(f) => format!("unknown fact family {f:?}; known: {}", reg.families.keys().cloned().collect::<Vec<_>>().join(", ")),
            None => format!("unknown fact kind {:?}; see docs/facts.md", m.fact),
        };
        return Err((vec!["fact".into()], what));
    }
    for (section, conds) in [("", &c.when), ("unless", &c.unless)] {
        for (attr, cond) in conds {
            let at = |mut p: MatchPath| {
                p.insert(0, attr.clone());
                if !section.is_empty() {
                    p.insert(0, section.to_string());
                }
                p
            };
            let types = reg.attr_types(&m.fact, attr);
            if types.is_empty() {
                return Err((
                    at(vec![]),
                    format!("unknown attribute {attr:?} of {}; known: {}", m.fact, reg.attr_names(&m.fact).join(", ")),
                ));
            }
            // On a family wildcard the kinds may type an attribute differently: one must fit.
            let mut first = None;
            for ty in types {
                match cond.check_type(ty) {
                    Ok(()) => {
                        first = None;
                        break;
                    }
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            if let Some((p, e)) = first {
                return Err((at(p), e));
            }
        }
    }
    for (key, cond) in &c.context {
        let at = |mut p: MatchPath| {
            p.insert(0, key.clone());
            p.insert(0, "context".into());
            p
        };
        let Some(decl) = reg.context_value(key) else {
            return Err((at(vec![]), format!("unknown context value {key:?}; known: {}", reg.context.keys().cloned().collect::<Vec<_>>().join(", "))));
        };
        cond.check_type(decl.ty).map_err(|(p, e)| (at(p), e))?;
    }
    Ok(())
}

/// Checks ids and matches of freshly parsed rules, compiles their conditions and sets their
/// source; with `registry`, also checks matches against the fact registry. `text` (the TOML
/// source) locates errors.
fn check_rules(name: &str, text: &str, mut rules: Vec<Rule>, registry: bool) -> Result<Vec<Rule>, RuleError> {
    let mut seen = std::collections::HashSet::new();
    for (index, r) in rules.iter_mut().enumerate() {
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
        let match_err = |(path, message): MatchError| {
            let shown = if path.is_empty() { String::new() } else { format!(".{}", path.join(".")) };
            let message = format!("rule {}: match{shown}: {message}", r.id);
            match locate(text, index, &path) {
                Some(at) => {
                    let (line, column) = line_col(text, at);
                    RuleError { file: name.to_string(), line, column, message }
                }
                None => err(message),
            }
        };
        if !r.matcher.fact.contains('.') {
            return Err(match_err((vec!["fact".into()], format!("{:?} must be a fact kind like \"sql.drop\" or \"sql.*\"", r.matcher.fact))));
        }
        let compiled = Compiled::new(&r.matcher).map_err(match_err)?;
        if registry {
            check_match(&r.matcher, &compiled).map_err(match_err)?;
        }
        r.matcher.compiled = Some(compiled);
        r.source = name.to_string();
    }
    Ok(rules)
}

impl Rule {
    /// True if this rule fires on `fact` with no context values (see [`Rule::matches_in`]).
    pub fn matches(&self, fact: &Fact) -> bool {
        self.matches_in(fact, &ContextValues::default())
    }

    /// True if this rule fires on `fact` in `context`: the kind matches, every attribute
    /// condition holds, no `unless` condition holds, and every context condition holds (one on
    /// a context value that is not set does not). A rule whose conditions do not compile (only
    /// possible for a rule built by hand, not loaded) never fires.
    pub fn matches_in(&self, fact: &Fact, context: &ContextValues) -> bool {
        let m = &self.matcher;
        let kind_ok = match m.fact.strip_suffix(".*") {
            Some(family) => fact.kind.strip_prefix(family).is_some_and(|r| r.starts_with('.')),
            None => m.fact == fact.kind,
        };
        if !kind_ok {
            return false;
        }
        let owned;
        let c = match &m.compiled {
            Some(c) => c,
            None => match Compiled::new(m) {
                Ok(c) => {
                    owned = c;
                    &owned
                }
                Err(_) => return false,
            },
        };
        c.when.iter().all(|(k, cond)| cond.holds(fact.attrs.get(k)))
            && !c.unless.iter().any(|(k, cond)| cond.holds(fact.attrs.get(k)))
            && c.context.iter().all(|(k, cond)| context.get(k).is_some_and(|v| cond.holds(Some(v))))
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
    /// (built-in packs first), then every config file's: the identity of the effective rule
    /// set, recorded in every audit record.
    pub hash: String,
    /// The layers' `config.toml`: environments, enforcement mode, exceptions.
    pub config: crate::config::Config,
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

    /// The same rules with `config` (its files are hashed into [`RuleSet::hash`] too).
    pub fn with_config(mut self, config: crate::config::Config) -> RuleSet {
        let mut h = Sha256::new();
        h.update(self.hash.as_bytes());
        for (name, text) in &config.texts {
            h.update(name.as_bytes());
            h.update(text.as_bytes());
        }
        if !config.texts.is_empty() {
            self.hash = hex(&h.finalize());
        }
        self.config = config;
        self
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
        RuleSet { layers, merged: std::sync::OnceLock::new(), hash: hex(&h.finalize()), config: crate::config::Config::default() }
    }

    /// Built-in packs plus every layer that applies to `cwd` (see the module docs).
    /// Errors name the file, line and column; callers fail closed on them.
    pub fn load(cwd: &Path) -> Result<RuleSet, RuleError> {
        let config = crate::config::Config::load(cwd)?;
        // The privileged setup (`trust_user_layer = false`): the guarded user's own layer and
        // trust store may only tighten.
        let user = if config.trust_user_layer { Trust::Trusted } else { Trust::TightenOnly };
        let mut files: Vec<(PathBuf, Trust)> = vec![];
        files.extend(layer_files(Path::new("/etc/guard/rules"))?.into_iter().map(|p| (p, Trust::Trusted)));
        if let Some(c) = dirs::config_dir() {
            files.extend(layer_files(&c.join("guard/rules"))?.into_iter().map(|p| (p, user)));
        }
        if let Some(dir) = project_rules_dir(cwd) {
            files.extend(layer_files(&dir)?.into_iter().map(|p| (p, Trust::Project)));
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
                message: format!("cannot read rule file: {e}; make it readable by this user (chmod a+r) or remove it"),
            })?;
            // A project file loosens only with a person's approval of this exact content.
            let trust = match trust {
                Trust::Project if config.trust_user_layer && crate::trust::is_trusted(&path, &text) => Trust::Trusted,
                Trust::Project => Trust::TightenOnly,
                t => t,
            };
            layers.push((parse_rules(&name, &text)?, trust));
            texts.push((name, text));
        }
        Ok(RuleSet::from_layers(layers, &texts).with_config(config))
    }

    /// True if a loaded rule or exception tests the command's target or environment, so the
    /// target must be read ([`crate::target`]); false lets guard skip reading it.
    pub fn needs_target(&self) -> bool {
        let m = self.merged();
        m.rules.iter().any(|r| r.matcher.context.keys().any(|k| k == "environment" || k.starts_with("target.")))
            || self.config.exceptions.iter().any(|e| !e.targets.is_empty() || e.environment.is_some())
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

    /// [`RuleSet::decide_in`] with no context values.
    pub fn decide(&self, facts: &[Fact]) -> Decision {
        self.decide_in(facts, &ContextValues::default())
    }

    /// Decides `facts` in `context`: every rule is matched against every fact
    /// ([`Rule::matches_in`]); an `allow` rule on a fact silences the other rules on that fact;
    /// the verdict is the worst remaining action.
    pub fn decide_in(&self, facts: &[Fact], context: &ContextValues) -> Decision {
        self.decide_each(facts, &|_| context, "")
    }

    /// Decides `facts`, each in its own context (`context(i)` for fact `i`: its actor,
    /// target and environment), as [`RuleSet::decide_in`]; then each finding that an
    /// exception of the config covers ([`RuleSet::exception_for`]) is waived instead, unless the
    /// exception expired on `today` (`YYYY-MM-DD`; empty: exceptions are not applied), which the
    /// decision's notes say.
    pub fn decide_each<'c>(&self, facts: &[Fact], context: &dyn Fn(usize) -> &'c ContextValues, today: &str) -> Decision {
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
            let cv = context(fi);
            let hits: Vec<(usize, Action)> =
                rules.iter().enumerate().filter(|(_, r)| r.matches_in(f, cv)).map(|(ri, r)| (ri, r.action)).collect();
            if hits.iter().any(|&(_, action)| action == Action::Allow) {
                continue;
            }
            for (ri, action) in hits {
                let finding = Finding { rule: ri, fact: fi };
                if !today.is_empty()
                    && let Some(r) = rules.get(ri)
                {
                    match self.exception_for(&r.id, cv, today) {
                        Some(Ok(x)) => {
                            d.waived.push((finding, x));
                            continue;
                        }
                        Some(Err(note)) if !d.notes.contains(&note) => d.notes.push(note),
                        _ => {}
                    }
                }
                d.verdict = d.verdict.max(action);
                d.findings.push(finding);
            }
        }
        // Both indices were taken from `rules` and `facts` just above, so the lookups succeed;
        // the `Option`s only keep this free of panicking indexing.
        let action = |ri: usize| rules.get(ri).map(|r| r.action);
        let start = |fi: usize| facts.get(fi).map(|f| f.span.start);
        d.findings.sort_by(|a, b| action(b.rule).cmp(&action(a.rule)).then(start(a.fact).cmp(&start(b.fact))));
        d
    }
}

impl RuleSet {
    /// The first exception of the config that waives rule `id` in context `cv` (keys
    /// `actor`, `environment`, `target.*`, and the internal `program` and `cwd`): `Ok(index)`,
    /// or `Err(note)` when the only one that would apply expired on `today`.
    pub fn exception_for(&self, id: &str, cv: &ContextValues, today: &str) -> Option<Result<usize, String>> {
        let s = |k: &str| cv.get(k).and_then(Value::as_str);
        let glob = |g: &str, v: Option<&str>| glob::Pattern::new(g).is_ok_and(|p| v.is_some_and(|v| p.matches(v)));
        let names: Vec<&str> = ["target.host", "target.database", "target.kube_context", "target.namespace", "target.cloud_account"]
            .iter()
            .filter_map(|k| s(k))
            .collect();
        let mut expired = None;
        for (i, e) in self.config.exceptions.iter().enumerate() {
            let applies = e.rules.iter().any(|r| r == id)
                && e.program.as_deref().is_none_or(|p| s("program") == Some(p))
                && (e.targets.is_empty() || e.targets.iter().any(|g| names.iter().any(|n| glob(g, Some(n)))))
                && e.environment.as_deref().is_none_or(|x| s("environment") == Some(x))
                && e.actor.as_deref().is_none_or(|x| s("actor") == Some(x))
                && e.path.as_deref().is_none_or(|g| glob(g, s("cwd")));
            if !applies {
                continue;
            }
            if e.expired(today) {
                expired.get_or_insert_with(|| {
                    format!(
                        "exception for {id} in {} expired on {} and no longer applies ({})",
                        e.source,
                        e.expiry().unwrap_or_default(),
                        e.reason
                    )
                });
                continue;
            }
            return Some(Ok(i));
        }
        expired.map(Err)
    }
}

/// The `*.toml` files of a layer's rule directory. A directory that does not exist is an empty
/// layer; one that exists but cannot be listed is an error naming it and the fix (its rules
/// would otherwise stop applying without a word).
pub fn layer_files(dir: &Path) -> Result<Vec<PathBuf>, RuleError> {
    match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
        Err(e) => Err(RuleError {
            file: dir.display().to_string(),
            line: 0,
            column: 0,
            message: format!(
                "cannot read the rules directory: {e}; make it readable and listable by this user (chmod a+rx) or remove it"
            ),
        }),
        Ok(_) => Ok(toml_files(dir)),
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

pub use crate::data_file::toml_files;

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A span's 1-based line and column in `text` (column in characters).
pub fn position(text: &str, span: Span) -> (usize, usize) {
    line_col(text, span.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_inside_a_character_is_its_start() {
        // Used to panic: the text before the offset was sliced inside `é`.
        assert_eq!(position("x\né", Span::new(3, 3)), (2, 1));
        assert_eq!(position("x\né", Span::new(4, 4)), (2, 2));
        assert_eq!(position("x\né", Span::new(99, 99)), (2, 2));
    }
}
