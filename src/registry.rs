//! The fact registry: every fact kind guard's analyzers produce, the attributes each kind
//! carries with their types, and the context values rules may test.
//!
//! The source of truth is `facts.toml` at the repository root; `build.rs` converts it to JSON
//! (like the rule packs), which is parsed once, on first use. Rules are checked against it when
//! they load ([`crate::policy`]): a match that names an unknown kind, attribute or context key,
//! or tests a value of the wrong type, fails with the file, line and column. The test suite
//! checks every fact the rule examples produce with [`check_fact`], so analyzers and registry
//! cannot drift, and generates `docs/facts.md` with [`markdown`].

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::fact::Fact;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::OnceLock;

/// The registry's TOML source, `facts.toml` (the file people edit).
pub const SOURCE: &str = include_str!("../facts.toml");

/// The same registry as JSON, made by `build.rs`.
const JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/facts.json"));

/// The type of an attribute or context value. Records hold no floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttrType {
    /// A string.
    String,
    /// `true` or `false`.
    Bool,
    /// An integer (JSON number without fraction or exponent).
    Int,
    /// An array of strings.
    Strings,
}

impl AttrType {
    /// The name used in `facts.toml` and in error messages.
    pub fn name(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Bool => "bool",
            AttrType::Int => "int",
            AttrType::Strings => "strings",
        }
    }

    /// True if `v` is a value of this type.
    pub fn holds(self, v: &Value) -> bool {
        match self {
            AttrType::String => v.is_string(),
            AttrType::Bool => v.is_boolean(),
            AttrType::Int => v.is_i64() || v.is_u64(),
            AttrType::Strings => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        }
    }
}

/// One attribute of a fact kind (or one context value): its type and meaning.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attr {
    /// The value's type.
    #[serde(rename = "type")]
    pub ty: AttrType,
    /// One line for rule authors.
    pub meaning: String,
}

/// A fact family (`sql`, `fs`, ...): the part of a kind before the first dot.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// One line for rule authors.
    pub meaning: String,
    /// Attributes every kind of the family may carry.
    #[serde(default)]
    pub attrs: BTreeMap<String, Attr>,
}

/// One fact kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    /// What the fact means, and for an internal kind why no rule matches it.
    pub meaning: String,
    /// True when no rule is meant to match this kind (it only feeds other analysis, or it is
    /// recorded for explain and audit).
    #[serde(default)]
    pub internal: bool,
    /// The kind's own attributes (see also its family's).
    #[serde(default)]
    pub attrs: BTreeMap<String, Attr>,
}

/// The whole registry, as parsed from `facts.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// Families by name.
    #[serde(default, rename = "family")]
    pub families: BTreeMap<String, Family>,
    /// Kinds by dotted name.
    #[serde(default, rename = "kind")]
    pub kinds: BTreeMap<String, Kind>,
    /// Context values by key (`actor`, `environment`, `target.host`, ...).
    #[serde(default)]
    pub context: BTreeMap<String, Attr>,
}

/// The registry, parsed on first use. Errs only if the embedded registry is malformed (a build
/// defect the test suite catches); callers fail closed on it.
pub fn get() -> Result<&'static Registry, &'static str> {
    static REGISTRY: OnceLock<Result<Registry, String>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| serde_json::from_str(JSON).map_err(|e| format!("facts.toml does not load: {e}")))
        .as_ref()
        .map_err(String::as_str)
}

/// The family of a kind: `sql` for `sql.drop`.
pub fn family_of(kind: &str) -> &str {
    kind.split_once('.').map_or(kind, |(f, _)| f)
}

impl Registry {
    /// The kind named `name`, if declared.
    pub fn kind(&self, name: &str) -> Option<&Kind> {
        self.kinds.get(name)
    }

    /// The family named `name`, if declared.
    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families.get(name)
    }

    /// Attribute `attr` of kind `kind`: the kind's own, else its family's shared one.
    pub fn attr(&self, kind: &str, attr: &str) -> Option<&Attr> {
        self.kind(kind)
            .and_then(|k| k.attrs.get(attr))
            .or_else(|| self.family(family_of(kind)).and_then(|f| f.attrs.get(attr)))
    }

    /// The declared kinds a rule's `match.fact` pattern names: one kind, or every kind of a
    /// family for `family.*`. Empty if the pattern names nothing declared.
    pub fn kinds_matching(&self, pattern: &str) -> Vec<&str> {
        match pattern.strip_suffix(".*") {
            Some(family) => self.kinds.keys().filter(|k| family_of(k) == family).map(String::as_str).collect(),
            None => self.kinds.keys().filter(|k| *k == pattern).map(String::as_str).collect(),
        }
    }

    /// The types attribute `attr` has on the kinds `pattern` names (several if kinds of a
    /// family declare it differently); empty if none declares it.
    pub fn attr_types(&self, pattern: &str, attr: &str) -> Vec<AttrType> {
        let mut types = vec![];
        for k in self.kinds_matching(pattern) {
            if let Some(a) = self.attr(k, attr)
                && !types.contains(&a.ty)
            {
                types.push(a.ty);
            }
        }
        types
    }

    /// Every attribute name the kinds `pattern` names may carry, sorted.
    pub fn attr_names(&self, pattern: &str) -> Vec<&str> {
        let mut names: Vec<&str> = vec![];
        for k in self.kinds_matching(pattern) {
            if let Some(kind) = self.kind(k) {
                names.extend(kind.attrs.keys().map(String::as_str));
            }
            if let Some(f) = self.family(family_of(k)) {
                names.extend(f.attrs.keys().map(String::as_str));
            }
        }
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The context value `key`, if declared.
    pub fn context_value(&self, key: &str) -> Option<&Attr> {
        self.context.get(key)
    }

    /// Checks a fact against the registry: its kind is declared, and each attribute is declared
    /// for the kind (or its family) with a value of the declared type.
    /// Errors: a sentence naming the kind, the attribute and the problem.
    pub fn check_fact(&self, fact: &Fact) -> Result<(), String> {
        if self.kind(&fact.kind).is_none() {
            return Err(format!("fact kind {} is not declared in facts.toml", fact.kind));
        }
        for (name, value) in &fact.attrs {
            let Some(attr) = self.attr(&fact.kind, name) else {
                return Err(format!("fact {}: attribute {name} is not declared in facts.toml", fact.kind));
            };
            if !attr.ty.holds(value) {
                return Err(format!("fact {}: attribute {name} is declared {} but is {value}", fact.kind, attr.ty.name()));
            }
        }
        Ok(())
    }

    /// Checks a context value against its declaration. Errors: unknown key or wrong type.
    pub fn check_context(&self, key: &str, value: &Value) -> Result<(), String> {
        match self.context_value(key) {
            None => Err(format!("context value {key} is not declared in facts.toml")),
            Some(a) if !a.ty.holds(value) => Err(format!("context value {key} is declared {} but is {value}", a.ty.name())),
            Some(_) => Ok(()),
        }
    }

    /// Defects of the registry itself: a kind not named `family.effect`, a kind whose family is
    /// not declared, an empty meaning. Empty when the registry is sound.
    pub fn problems(&self) -> Vec<String> {
        let mut out = vec![];
        let name_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        for (name, kind) in &self.kinds {
            let parts: Vec<&str> = name.split('.').collect();
            if parts.len() != 2 || !parts.iter().all(|p| name_ok(p)) {
                out.push(format!("kind {name:?} is not of the form family.effect (lowercase, digits, _)"));
            }
            if self.family(family_of(name)).is_none() {
                out.push(format!("kind {name}: family {} is not declared", family_of(name)));
            }
            if kind.meaning.trim().is_empty() {
                out.push(format!("kind {name} has no meaning"));
            }
            for (a, attr) in &kind.attrs {
                if !name_ok(a) || attr.meaning.trim().is_empty() {
                    out.push(format!("kind {name}: attribute {a:?} needs a lowercase name and a meaning"));
                }
            }
        }
        for (name, family) in &self.families {
            if !self.kinds.keys().any(|k| family_of(k) == name) {
                out.push(format!("family {name} has no kinds"));
            }
            if family.meaning.trim().is_empty() {
                out.push(format!("family {name} has no meaning"));
            }
        }
        out
    }
}

/// [`Registry::check_fact`] on the embedded registry.
pub fn check_fact(fact: &Fact) -> Result<(), String> {
    get().map_err(str::to_string)?.check_fact(fact)
}

fn attr_table(s: &mut String, attrs: &BTreeMap<String, Attr>) {
    let _ = writeln!(s, "| attribute | type | meaning |\n|---|---|---|");
    for (name, a) in attrs {
        let _ = writeln!(s, "| `{name}` | {} | {} |", a.ty.name(), escape(&a.meaning));
    }
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `docs/facts.md`: the registry rendered for rule authors (generated; do not edit by hand).
/// Empty registry sections are rendered as such; a registry that does not load renders its error.
pub fn markdown() -> String {
    let reg = match get() {
        Ok(r) => r,
        Err(e) => return format!("# Facts\n\n{e}\n"),
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Facts\n\n<!-- Generated from facts.toml by guard::registry::markdown(); do not edit. \
         Regenerate: GUARD_BLESS=1 cargo test --test registry -->\n\n\
         Analyzers turn a command into facts; rules match facts (see [rules.md](rules.md)). \
         This is every fact kind, its attributes and their types \
         (`string`, `bool`, `int`, `strings` = array of strings; records hold no floats), \
         and the context values rules may test. Attributes are optional; a missing `bool` counts as false. \
         Internal kinds have no rule on purpose. `guard explain 'COMMAND'` shows the facts of a command line.\n"
    );
    for (fname, family) in &reg.families {
        let _ = writeln!(s, "## `{fname}.*`\n\n{}\n", family.meaning);
        if !family.attrs.is_empty() {
            let _ = writeln!(s, "Every kind of this family may also carry:\n");
            attr_table(&mut s, &family.attrs);
            s.push('\n');
        }
        for (kname, kind) in reg.kinds.iter().filter(|(k, _)| family_of(k) == fname) {
            let internal = if kind.internal { " (internal)" } else { "" };
            let _ = writeln!(s, "### `{kname}`{internal}\n\n{}\n", kind.meaning);
            if kind.attrs.is_empty() {
                let _ = writeln!(s, "No attributes.\n");
            } else {
                attr_table(&mut s, &kind.attrs);
                s.push('\n');
            }
        }
    }
    let _ = writeln!(s, "## Context values\n\nTested in `[rule.match.context]`; a condition on a value that is not set does not hold.\n");
    attr_table(&mut s, &reg.context);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Span;

    #[test]
    fn loads_and_checks() {
        let reg = get().expect("registry loads");
        assert!(reg.problems().is_empty(), "{:?}", reg.problems());
        let ok = Fact::new("fs.delete", "rm", Span::default()).with("recursive", true).with("targets", vec!["/"]);
        assert_eq!(reg.check_fact(&ok), Ok(()));
        let bad_kind = Fact::new("fs.explode", "x", Span::default());
        assert!(reg.check_fact(&bad_kind).is_err());
        let bad_attr = Fact::new("fs.delete", "x", Span::default()).with("recursiv", true);
        assert!(reg.check_fact(&bad_attr).unwrap_err().contains("recursiv"));
        let bad_type = Fact::new("fs.delete", "x", Span::default()).with("recursive", "yes");
        assert!(reg.check_fact(&bad_type).unwrap_err().contains("bool"));
        let float = Fact::new("k8s.scale", "x", Span::default()).with("replicas", 1.5);
        assert!(reg.check_fact(&float).is_err());
        assert_eq!(reg.attr("sql.drop", "dynamic").map(|a| a.ty), Some(AttrType::Bool));
        assert_eq!(reg.attr_types("sql.*", "table"), vec![AttrType::String]);
        assert!(reg.kinds_matching("nope.*").is_empty());
        assert!(reg.check_context("environment", &Value::from("production")).is_ok());
        assert!(reg.check_context("environmnet", &Value::from("production")).is_err());
    }
}
