//! `task X` (go-task): the `cmds` of task `X` and of its `deps`, from the Taskfile (taskfile.dev,
//! "Usage" and "Schema Reference"), parsed as YAML by `saphyr` (pure Rust, maintained, the
//! successor of `yaml-rust2`, without serde: `serde_yaml` is deprecated; alias expansion has a
//! node budget, so no alias bomb). A `vars:` float is its value as Rust prints it (`1.10`: `1.1`).
//!
//! - The Taskfile: `-t`/`--taskfile FILE`, else `Taskfile.yml`, `taskfile.yml`, `Taskfile.yaml`,
//!   `taskfile.yaml` and their `.dist` variants in the working directory (`-d`/`--dir`) or its
//!   nearest ancestor that has one.
//! - The tasks: the operands that are not `NAME=VALUE`; none: `default`. A task's `aliases`
//!   name it too.
//! - `deps` run first (strings or `{task: NAME}`), then `cmds` in order: a string or `{cmd: S}`
//!   is shell text, `{task: NAME}` runs that task, `{defer: S}` runs at the end. A task written
//!   as a string or a list of strings is its commands.
//! - `{{.CLI_ARGS}}` is the operands after `--`; `{{.NAME}}` a variable set on the command line
//!   or a literal string in `vars:` (global or the task's); any other template is opaque: a shell
//!   variable reference, which the analysis reads as known only at run time.
//! - Listing and dry runs (`-l`, `--list`, `-a`, `--list-all`, `-n`, `--dry`, `--summary`,
//!   `--status`, `-i`, `--init`, `--help`, `--version`) run nothing. Included Taskfiles
//!   (`includes:`, `ns:task`) are not followed.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{load_project_file, run_text, work_dir, MAX_STEPS};
use crate::analyze::{Analyzer, Invocation};
use crate::argv::{self, Spec, Style};
use std::collections::HashMap;
use saphyr::{LoadableYamlNode, Mapping, Scalar, Yaml};

const VALUES: &[&str] = &["-t", "--taskfile", "-d", "--dir", "-o", "--output", "--output-group-begin", "--output-group-end", "-C", "--concurrency", "--interval", "--sort"];
const NO_RUN: &[&str] = &["-l", "--list", "-a", "--list-all", "-n", "--dry", "--summary", "--status", "-i", "--init", "-h", "--help", "--version", "--completion"];
const NAMES: &[&str] = &[
    "Taskfile.yml", "taskfile.yml", "Taskfile.yaml", "taskfile.yaml", "Taskfile.dist.yml", "taskfile.dist.yml",
    "Taskfile.dist.yaml", "taskfile.dist.yaml",
];

/// Analyses a task line.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    let parsed = argv::parse(inv.args(), &Spec::new(Style::Gnu, VALUES));
    if parsed.has(NO_RUN) {
        return;
    }
    let Some(dir) = work_dir(a, parsed.value(&["-d", "--dir"])) else { return };
    let file = parsed.value(&["-t", "--taskfile"]);
    let Some((project, text)) = load_project_file(a, dir, file, NAMES, true, inv.span()) else { return };
    let Ok(docs) = Yaml::load_from_str(&text) else { return };
    let Some(doc) = docs.first() else { return };
    let Some(tasks) = get(doc, "tasks").and_then(Yaml::as_mapping) else { return };
    let mut vars: HashMap<String, String> = literal_vars(get(doc, "vars"));
    // Operands before `--` are tasks or assignments; those after it are CLI_ARGS.
    let split_at = if parsed.double_dash {
        inv.args().iter().position(|w| w.text == "--").map_or(parsed.operands.len(), |p| {
            parsed.operands.len().saturating_sub(inv.args().len().saturating_sub(p + 1))
        })
    } else {
        parsed.operands.len()
    };
    let (ops, cli) = parsed.operands.split_at(split_at.min(parsed.operands.len()));
    vars.insert("CLI_ARGS".into(), super::quoted_args(cli));
    let mut names = vec![];
    for w in ops {
        if w.dynamic {
            return;
        }
        match w.text.split_once('=') {
            Some((n, v)) => {
                vars.insert(n.to_string(), v.to_string());
            }
            None => names.push(w.text.clone()),
        }
    }
    if names.is_empty() {
        names.push("default".into());
    }
    let mut out = vec![];
    let mut done = vec![];
    for n in names {
        expand(tasks, &n, &vars, &mut done, &mut out);
    }
    for s in out {
        run_text(a, &s, &project, inv.span(), depth);
    }
}

/// The value of `key` in mapping `y`.
fn get<'y, 'i>(y: &'y Yaml<'i>, key: &str) -> Option<&'y Yaml<'i>> {
    y.as_mapping_get(key)
}

/// The variables of a `vars:` mapping whose value is a literal string or number.
fn literal_vars(vars: Option<&Yaml>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in vars.and_then(Yaml::as_mapping).into_iter().flatten() {
        let value = match v {
            Yaml::Value(Scalar::String(s)) if !s.contains("{{") => s.to_string(),
            Yaml::Value(Scalar::Integer(i)) => i.to_string(),
            Yaml::Value(Scalar::FloatingPoint(r)) => r.to_string(),
            Yaml::Value(Scalar::Boolean(b)) => b.to_string(),
            _ => continue,
        };
        if let Some(k) = k.as_str() {
            out.insert(k.to_string(), value);
        }
    }
    out
}

/// The task named `name` (by key or by one of its `aliases`).
fn find<'t, 'i>(tasks: &'t Mapping<'i>, name: &str) -> Option<&'t Yaml<'i>> {
    if let Some((_, t)) = tasks.iter().find(|(k, _)| k.as_str() == Some(name)) {
        return Some(t);
    }
    tasks.values().find(|t| {
        get(t, "aliases").and_then(Yaml::as_sequence).is_some_and(|v| v.iter().any(|x| x.as_str() == Some(name)))
    })
}

/// Appends the shell texts task `name` runs (its deps first) to `out`.
fn expand(tasks: &Mapping<'_>, name: &str, vars: &HashMap<String, String>, done: &mut Vec<String>, out: &mut Vec<String>) {
    if done.iter().any(|d| d == name) || done.len() >= MAX_STEPS {
        return;
    }
    done.push(name.to_string());
    let Some(task) = find(tasks, name) else { return };
    let mut scope = vars.clone();
    scope.extend(literal_vars(get(task, "vars")));
    let task_name = |y: &Yaml| y.as_str().map(str::to_string).or_else(|| get(y, "task").and_then(Yaml::as_str).map(str::to_string));
    for d in get(task, "deps").and_then(Yaml::as_sequence).into_iter().flatten() {
        if let Some(n) = task_name(d) {
            expand(tasks, &n, vars, done, out);
        }
    }
    let cmds: Vec<&Yaml> = match task {
        Yaml::Value(Scalar::String(_)) => vec![task],
        Yaml::Sequence(v) => v.iter().collect(),
        _ => {
            let mut c: Vec<&Yaml> = get(task, "cmds").and_then(Yaml::as_sequence).map(|v| v.iter().collect()).unwrap_or_default();
            c.extend(get(task, "cmd"));
            c
        }
    };
    let mut deferred = vec![];
    for c in cmds {
        if let Some(s) = c.as_str().or_else(|| get(c, "cmd").and_then(Yaml::as_str)) {
            out.push(template(s, &scope));
        } else if let Some(n) = get(c, "task").and_then(Yaml::as_str) {
            expand(tasks, n, vars, done, out);
        } else if let Some(s) = get(c, "defer").and_then(Yaml::as_str) {
            deferred.push(template(s, &scope));
        }
    }
    out.extend(deferred);
}

/// `{{.NAME}}` replaced by the variable's value, any other template by an opaque reference.
fn template(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 2..).unwrap_or_default();
        let Some(end) = after.find("}}") else {
            out.push_str("${TASK_TEMPLATE}");
            return out;
        };
        let expr = after.get(..end).unwrap_or_default().trim();
        match expr.strip_prefix('.').and_then(|n| vars.get(n)) {
            Some(v) => out.push_str(v),
            None => out.push_str("${TASK_TEMPLATE}"),
        }
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_tasks() {
        let text = "version: '3'\nvars:\n  DB: app\ntasks:\n  build:\n    cmds:\n      - go build ./...\n  reset:\n    aliases: [r]\n    deps: [build]\n    cmds:\n      - psql {{.DB}} -c 'drop table users'\n      - task: done\n  done: echo ok\n";
        let docs = Yaml::load_from_str(text).expect("yaml");
        let doc = docs.first().expect("doc");
        let tasks = get(doc, "tasks").and_then(Yaml::as_mapping).expect("tasks");
        let mut out = vec![];
        expand(tasks, "r", &literal_vars(get(doc, "vars")), &mut vec![], &mut out);
        assert_eq!(out, ["go build ./...", "psql app -c 'drop table users'", "echo ok"]);
    }

    #[test]
    fn literal_vars_of_each_scalar_kind() {
        let text = "vars:\n  S: app\n  I: 0x10\n  F: 1.5\n  B: true\n  T: '{{.S}}'\n  L: [1]\n  N: ~\n";
        let docs = Yaml::load_from_str(text).expect("yaml");
        let vars = literal_vars(docs.first().and_then(|d| get(d, "vars")));
        let mut got: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        got.sort_unstable();
        assert_eq!(got, [("B", "true"), ("F", "1.5"), ("I", "16"), ("S", "app")]);
    }
}
