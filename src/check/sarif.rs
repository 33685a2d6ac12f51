//! SARIF 2.1.0 output (OASIS "Static Analysis Results Interchange Format" 2.1.0,
//! <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>), shaped for GitHub code
//! scanning (<https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning>):
//! every rule that has a result is described in `tool.driver.rules` and results refer to it by
//! `ruleId` and `ruleIndex`; locations name the file by a URI relative to the checkout root
//! (`uriBaseId: "%SRCROOT%"`); regions are 1-based with columns in Unicode code points
//! (`columnKind: "unicodeCodePoints"`, as guard counts columns).

use super::Finding;
use crate::policy::Action;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The SARIF `level` of an action: deny and ask are errors, warn a warning, allow a note.
pub fn level(a: Action) -> &'static str {
    match a {
        Action::Deny | Action::Ask => "error",
        Action::Warn => "warning",
        Action::Allow => "note",
    }
}

/// A file name as a relative URI reference: `./` and a leading `/` dropped (absolute paths
/// stay absolute `file://` URIs), `\` as `/`, and the characters RFC 3986 does not allow in a
/// path percent-encoded.
pub fn uri(file: &str) -> (String, bool) {
    let f = file.replace('\\', "/");
    let relative = !f.starts_with('/');
    let f = f.trim_start_matches("./");
    let mut out = String::new();
    for b in f.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if relative { (out, true) } else { (format!("file://{out}"), false) }
}

/// The SARIF log of `findings` (file name, finding).
pub fn document(findings: &[(String, Finding)]) -> Value {
    // Rules in order of first appearance; results refer to them by index.
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = vec![];
    for (_, f) in findings {
        if !index.contains_key(f.rule.as_str()) {
            index.insert(&f.rule, rules.len());
            rules.push(json!({
                "id": f.rule,
                "name": f.rule,
                "shortDescription": { "text": f.message },
                "fullDescription": { "text": f.why },
                "help": { "text": f.hint.clone().unwrap_or_else(|| f.why.clone()) },
                "defaultConfiguration": { "level": level(f.action) },
                "properties": { "action": f.action },
            }));
        }
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|(file, f)| {
            let (uri, relative) = uri(file);
            let mut artifact = json!({ "uri": uri });
            if relative && let Some(o) = artifact.as_object_mut() {
                o.insert("uriBaseId".into(), json!("%SRCROOT%"));
            }
            json!({
                "ruleId": f.rule,
                "ruleIndex": index.get(f.rule.as_str()).copied().unwrap_or(0),
                "level": level(f.action),
                "message": { "text": format!("{}: {}", f.message, f.summary) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {
                            "startLine": f.line.max(1),
                            "startColumn": f.column.max(1),
                            "endLine": f.end_line.max(f.line).max(1),
                            "endColumn": f.end_column.max(1),
                        }
                    }
                }],
                "properties": { "action": f.action, "fact": f.fact },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "guard",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The directory guard check ran in" } } },
            "results": results,
        }]
    })
}
