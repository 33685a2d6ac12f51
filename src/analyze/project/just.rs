//! `just X`: the body of recipe `X` and of its dependencies, from the justfile (the just
//! manual, "Recipes", "Dependencies", "Recipe Parameters", "Aliases").
//!
//! - The justfile: `-f`/`--justfile FILE`, else `justfile` (any case) or `.justfile` in the
//!   working directory (`-d`/`--working-directory`) or its nearest ancestor that has one.
//! - The recipes: the first operand, then each following operand that is not an argument of the
//!   recipe before it (its parameters; a `+`/`*` parameter takes the rest); none: the first
//!   recipe (or the one marked `[default]`). `NAME=VALUE` operands set variables.
//! - Dependencies before the recipe (`a: b c`), those after `&&` after it.
//! - A body line is one shell each (prefixes `@` and `-` removed); a body starting with a
//!   shebang is one script, analysed when its interpreter is a shell (`sh`, `bash`, `zsh`,
//!   `dash`), and not read otherwise (a Python recipe is code guard does not see through here).
//! - `{{ NAME }}` takes the recipe argument or a variable assigned a quoted literal
//!   (`name := "x"`); any other interpolation is opaque: a shell variable reference, which the
//!   analysis reads as known only at run time.
//! - Listing and dry runs (`-l`, `--list`, `-n`, `--dry-run`, `--show`, `--summary`,
//!   `--evaluate`, `--dump`, `--edit`, `--init`, `--fmt`, `--choose`, `--variables`) run nothing.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{load_project_file, run_text, work_dir, MAX_STEPS};
use crate::analyze::{Analyzer, Invocation};
use crate::argv::{self, Spec, Style};
use std::collections::HashMap;

const VALUES: &[&str] = &[
    "-f", "--justfile", "-d", "--working-directory", "--set", "--shell", "--shell-arg", "--dotenv-path", "--dotenv-filename",
    "--color", "--list-heading", "--list-prefix", "--chooser", "--command-color", "-s", "--show", "--completions",
];
const NO_RUN: &[&str] = &[
    "-l", "--list", "-n", "--dry-run", "--show", "-s", "--summary", "--evaluate", "--dump", "--edit", "-e", "--init",
    "--fmt", "--choose", "--variables", "--groups", "--completions", "--help", "-h", "--version", "-V",
];

/// One recipe of a justfile.
#[derive(Debug, Default, Clone)]
struct Recipe {
    params: Vec<(String, Option<String>, bool)>,
    before: Vec<String>,
    after: Vec<String>,
    body: Vec<String>,
    default: bool,
}

/// Analyses a just line.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    let parsed = argv::parse(inv.args(), &Spec::new(Style::Gnu, VALUES));
    if parsed.has(NO_RUN) {
        return;
    }
    let Some(dir) = work_dir(a, parsed.value(&["-d", "--working-directory"])) else { return };
    let file = parsed.value(&["-f", "--justfile"]);
    let names = ["justfile", "Justfile", "JUSTFILE", ".justfile"];
    let Some((project, text)) = load_project_file(a, dir, file, &names, true, inv.span()) else { return };
    let (recipes, order, mut vars, aliases) = parse(&text);
    let mut ops: Vec<&crate::shell::Word> = vec![];
    for w in &parsed.operands {
        match w.text.split_once('=').filter(|(n, _)| !n.is_empty() && !n.contains(' ')) {
            Some((n, v)) if ops.is_empty() && !w.dynamic => {
                vars.insert(n.to_string(), v.to_string());
            }
            _ => ops.push(w),
        }
    }
    let resolve = |n: &str| aliases.get(n).cloned().unwrap_or_else(|| n.to_string());
    let mut calls: Vec<(String, Vec<String>)> = vec![];
    let mut i = 0;
    while let Some(w) = ops.get(i) {
        if w.dynamic {
            return;
        }
        let name = resolve(&w.text);
        let Some(r) = recipes.get(&name) else { return };
        let takes = if r.params.iter().any(|p| p.2) { usize::MAX } else { r.params.len() };
        let args: Vec<String> = ops.iter().skip(i + 1).take(takes).map(|w| w.text.clone()).collect();
        i += 1 + args.len();
        calls.push((name, args));
    }
    if calls.is_empty() {
        let default = order.iter().find(|n| recipes.get(*n).is_some_and(|r| r.default)).or(order.first());
        calls.extend(default.map(|n| (n.clone(), vec![])));
    }
    let mut done = vec![];
    let mut scripts = vec![];
    for (name, args) in calls {
        expand(&recipes, &name, &args, &vars, &mut done, &mut scripts);
    }
    for s in scripts {
        run_text(a, &s, &project, inv.span(), depth);
    }
}

/// Appends the shell texts recipe `name` runs (dependencies first) to `out`.
fn expand(
    recipes: &HashMap<String, Recipe>,
    name: &str,
    args: &[String],
    vars: &HashMap<String, String>,
    done: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    if done.iter().any(|d| d == name) || done.len() >= MAX_STEPS {
        return;
    }
    done.push(name.to_string());
    let Some(r) = recipes.get(name) else { return };
    for d in &r.before {
        expand(recipes, d, &[], vars, done, out);
    }
    let mut scope = vars.clone();
    for (i, (p, default, variadic)) in r.params.iter().enumerate() {
        let value = if *variadic {
            Some(args.get(i..).unwrap_or_default().join(" "))
        } else {
            args.get(i).cloned().or_else(|| default.clone())
        };
        if let Some(v) = value {
            scope.insert(p.clone(), v);
        }
    }
    let body: Vec<String> = r.body.iter().map(|l| interpolate(l, &scope)).collect();
    match body.first() {
        Some(first) if first.starts_with("#!") => {
            let shell = first.split_whitespace().any(|w| matches!(crate::analyze::program_name(w), "sh" | "bash" | "zsh" | "dash"));
            if shell {
                out.push(body.join("\n"));
            }
        }
        _ => {
            for l in &body {
                let t = l.trim_start().trim_start_matches(['@', '-']);
                if !t.trim().is_empty() && !t.trim_start().starts_with('#') {
                    out.push(t.to_string());
                }
            }
        }
    }
    for d in &r.after {
        expand(recipes, d, &[], vars, done, out);
    }
}

/// `{{ expr }}` replaced: a name in `scope` by its value (shell-quoted), anything else by an
/// opaque shell variable reference.
fn interpolate(line: &str, scope: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("{{") {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 2..).unwrap_or_default();
        if let Some(rest_after) = after.strip_prefix('{') {
            // `{{{{` is a literal `{{`.
            out.push_str("{{");
            rest = rest_after;
            continue;
        }
        let Some(end) = after.find("}}") else {
            out.push_str("${JUST_EXPRESSION}");
            return out;
        };
        let expr = after.get(..end).unwrap_or_default().trim();
        match scope.get(expr) {
            Some(v) => out.push_str(v),
            None => out.push_str("${JUST_EXPRESSION}"),
        }
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The recipes (by name), their names in order, the variables assigned a quoted literal, and
/// the aliases of a justfile.
#[allow(clippy::type_complexity)]
fn parse(text: &str) -> (HashMap<String, Recipe>, Vec<String>, HashMap<String, String>, HashMap<String, String>) {
    let mut recipes: HashMap<String, Recipe> = HashMap::new();
    let mut order = vec![];
    let mut vars = HashMap::new();
    let mut aliases = HashMap::new();
    let mut current: Option<String> = None;
    let mut attrs_default = false;
    for line in text.lines() {
        let indented = line.starts_with([' ', '\t']);
        if indented {
            if let Some(r) = current.as_ref().and_then(|n| recipes.get_mut(n)) {
                r.body.push(line.to_string());
            }
            continue;
        }
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        current = None;
        if t.starts_with('[') {
            attrs_default |= t.contains("default");
            continue;
        }
        let t = t.strip_prefix("export ").unwrap_or(t);
        if let Some(rest) = t.strip_prefix("alias ") {
            if let Some((n, target)) = rest.split_once(":=") {
                aliases.insert(n.trim().to_string(), target.trim().to_string());
            }
            continue;
        }
        if t.starts_with("set ") || t.starts_with("import ") || t.starts_with("mod ") {
            continue;
        }
        if let Some((n, v)) = t.split_once(":=") {
            let v = v.trim();
            let quoted = (v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\''));
            if quoted && v.len() >= 2 {
                vars.insert(n.trim().to_string(), v.get(1..v.len() - 1).unwrap_or_default().to_string());
            }
            continue;
        }
        let Some((head, deps)) = t.split_once(':') else { continue };
        let mut head_words = head.trim_start_matches('@').split_whitespace();
        let Some(name) = head_words.next().filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')) else {
            continue;
        };
        let params = head_words
            .map(|p| {
                let variadic = p.starts_with(['+', '*']);
                let p = p.trim_start_matches(['+', '*', '$']);
                match p.split_once('=') {
                    Some((n, d)) => (n.to_string(), Some(d.trim_matches(['"', '\'']).to_string()), variadic),
                    None => (p.to_string(), None, variadic),
                }
            })
            .collect();
        let (before, after) = deps.split_once("&&").unwrap_or((deps, ""));
        let names = |s: &str| -> Vec<String> {
            s.replace(['(', ')'], " ")
                .split_whitespace()
                .filter(|w| w.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-'))
                .map(str::to_string)
                .collect()
        };
        let recipe = Recipe { params, before: names(before), after: names(after), body: vec![], default: attrs_default };
        attrs_default = false;
        order.push(name.to_string());
        recipes.insert(name.to_string(), recipe);
        current = Some(name.to_string());
    }
    // Bodies are indented: remove the indentation of the first line from each.
    for r in recipes.values_mut() {
        let indent: String = r.body.iter().find(|l| !l.trim().is_empty()).map(|l| l.chars().take_while(|c| c.is_whitespace()).collect()).unwrap_or_default();
        for l in &mut r.body {
            *l = l.strip_prefix(indent.as_str()).unwrap_or(l.trim_start()).to_string();
        }
    }
    (recipes, order, vars, aliases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recipes() {
        let text = "db := \"app\"\nalias r := reset\n\n# comment\ndefault: build\n\nbuild:\n    cargo build\n\nreset target='dev': build && done\n    @psql {{db}} -c 'drop table {{target}}'\n\ndone:\n  echo ok\n";
        let (recipes, order, vars, aliases) = parse(text);
        assert_eq!(order, ["default", "build", "reset", "done"]);
        assert_eq!(aliases.get("r").map(String::as_str), Some("reset"));
        let mut out = vec![];
        expand(&recipes, "reset", &["prod".into()], &vars, &mut vec![], &mut out);
        assert_eq!(out, ["cargo build", "psql app -c 'drop table prod'", "echo ok"]);
    }
}
